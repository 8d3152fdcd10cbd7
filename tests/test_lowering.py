"""Lowering lets the program go (`rspl.lower`, `compile_source(keep_program=False)`, what
`rspl build` asks for): the same IR as a compilation that keeps the program, and no
declaration left alive once the IR is made, without the cyclic collector's help (the
compiler pauses it)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from rspl import nodes as n
from rspl.pipeline import compile_file, compile_source

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.glob("examples/*.rspl"))

POLICY = """policy p "P" {
  organization "O"
  version "1"
  effective 2025-01-01
}
role RSO "Responsible Scaling Officer"
evidence passed: fact "An evaluation passed"
safeguard base "Base safeguard" { category security }
family security "Security standards"
standard strict "Strict" in security { includes base }
domain D "Domain" {
  decided by RSO
  level L1 "Level 1"
  level L2 "Level 2"
}
""" + "".join(
    f'rule r{k} "Rule {k}" {{\n  when D >= L{1 + k % 2} and passed\n  require strict\n}}\n'
    for k in range(20)
)


def _alive(cls: type) -> int:
    return sum(1 for o in gc.get_objects() if type(o) is cls)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_ir_is_the_same_whether_the_program_is_kept(path: Path) -> None:
    kept = compile_file(str(path))
    released = compile_file(str(path), keep_program=False)
    assert kept.ok and released.ok
    assert released.policy == kept.policy
    assert released.diagnostics == kept.diagnostics
    assert released.resolution is None
    assert released.texts == kept.texts
    assert all(not m.items for m in released.program.modules)
    assert released.program.main is released.program.modules[0]


def test_no_declaration_outlives_a_released_lowering() -> None:
    was = gc.isenabled()
    gc.collect()
    gc.disable()  # freed by reference counts alone, as while the compiler runs
    try:
        before = _alive(n.RuleDecl), _alive(n.LevelDecl)
        kept = compile_source("p.rspl", POLICY)
        assert kept.ok
        assert _alive(n.RuleDecl) == before[0] + 20  # the kept program holds them
        del kept
        released = compile_source("p.rspl", POLICY, keep_program=False)
        assert released.ok and released.policy is not None
        assert len(released.policy.rules) == 20
        assert (_alive(n.RuleDecl), _alive(n.LevelDecl)) == before
    finally:
        if was:
            gc.enable()
