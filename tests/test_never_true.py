"""The never-true analysis (W0002): chains of definitions of any length, and the grouping of
a domain's positions into the intervals a condition can tell apart."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from rspl import semantics
from rspl.checker import _representatives
from rspl.pipeline import compile_source

HEAD = """policy chain "Chain" {
  organization "Tests"
  version "1"
  combine highest standard per family
}
domain D "D" {
  level L1 "1" source "§1"
  level L2 "2" source "§1"
}
safeguard s "s" source "§1"
"""


def chain(length: int, when: str) -> str:
    lines = [HEAD, 'define d0 "d0" as D >= L1 source "§1"\n']
    lines += [f'define d{i} "d{i}" as d{i - 1} source "§1"\n' for i in range(1, length)]
    top = f"d{length - 1}"
    lines.append(f'rule r "r" {{\n  source "§2"\n  when {when.format(top=top)}\n  require s\n}}\n')
    return "".join(lines)


@pytest.mark.parametrize("length", [1, 8, 9, 20, 100])
@pytest.mark.parametrize(
    ("when", "never"),
    [("{top}", False), ("{top} and not {top}", True), ("{top} and D < L1", True),
     ("{top} and D < L2", False)],
)  # fmt: skip
def test_definition_chains(length: int, when: str, never: bool) -> None:
    """Collection and evaluation follow definitions alike, however deep (nine used to raise
    KeyError). A chain over a limit may be rejected with an error; it never crashes."""
    result = compile_source("chain.rspl", chain(length, when), build_ir=False)
    codes = [d.code for d in result.diagnostics]
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors:
        return  # a limit on definition chains reported it; nothing else to check
    assert ("W0002" in codes) == never, codes


def _signature(position: int, ranks: set[int]) -> tuple[semantics.Tri, ...]:
    return tuple(
        semantics.level_cmp(op, position, position, r)
        for r in sorted(ranks)
        for op in (">=", ">", "<=", "<", "==", "!=")
    )


@settings(max_examples=examples(100))
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(1, n)))))
def test_representatives_cover_every_position(case: tuple[int, set[int]]) -> None:
    """Each position of the scale decides every comparison with the ranks exactly as one
    representative does; representatives are distinct classes; at most 2 x ranks + 1."""
    levels, ranks = case
    reps = _representatives(ranks, levels)
    assert len(reps) <= 2 * len(ranks) + 1
    assert all(0 <= p <= levels for p in reps)
    seen = {_signature(p, ranks) for p in reps}
    assert len(seen) == len(reps)
    assert {_signature(p, ranks) for p in range(levels + 1)} == seen
