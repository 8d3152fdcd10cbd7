"""Building while parsing, and standards' lineages.

The loader builds each declaration as soon as the parser completes it (`ItemBuilder`), so a
file's whole parse tree never exists at once; these tests hold it to the same items and
diagnostics as building the whole tree. `ir.Standard` computes its ancestors and expanded
safeguards from shared lineages; these tests hold those to the definition (inherited first,
then its own not inherited, each once; a hole inherited).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rspl import ir
from rspl.builder import ItemBuilder, build
from rspl.diagnostics import Reporter
from rspl.parser import parse
from rspl.pipeline import compile_source

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [*(ROOT / "examples").glob("*.rspl"), *(ROOT / "tests" / "cases").glob("*.rspl")]
)
# Beyond the files: an expression too deep after a declaration with a duplicate clause (its
# E0006 is dropped, as when the whole tree is checked first), and a syntax error after one.
DUP = 'role R "R" source "a" source "b"\n'
DEEP = "rule r { when " + "not " * 1000 + "p require s }\n"
TEXTS = [(p.name, p.read_text(encoding="utf-8")) for p in FILES] + [
    ("duplicate then deep", DUP + DEEP),
    ("duplicate then syntax error", DUP + "rule {\n"),
    ("duplicate", DUP),
]


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_building_while_parsing_is_building_the_tree(name: str, text: str) -> None:
    whole = Reporter()
    tree = parse(text, name, whole)
    expected = build(tree, name, whole) if tree is not None else ()
    streamed = Reporter()
    items = ItemBuilder(name, streamed)
    tree = parse(text, name, streamed, items.build_item)
    got = items.finish(tree) if tree is not None else ()
    assert got == expected
    assert streamed.sorted() == whole.sorted()


CHAIN = """policy p "P" { organization "O" version "1" effective 2025-01-01 }
family f "F" source "s"
safeguard x "X" { source "s" }
safeguard y "Y" { source "s" }
safeguard z "Z" { source "s" }
standard D "D" in f extends B { includes y includes z source "s" }
standard A "A" in f { includes x source "s" }
standard B "B" in f extends A { includes y includes y source "s" }
standard C "C" in f extends A { includes y includes x source "s" }
standard E "E" in f { includes y includes z source "s" }
standard F "F" in f extends G { includes z source "s" }
standard G "G" in f extends C { source "s" }
"""


def expanded(policy: ir.Policy) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each standard's ancestors and safeguards by the definition, from `extends` and
    `own_safeguards` alone."""
    by_name = {s.name: s for s in policy.standards}
    out = {}
    for std in policy.standards:
        ancestors: list[str] = []
        cur = std.extends
        while cur is not None:
            ancestors.append(cur)
            cur = by_name[cur].extends
        safeguards: dict[str, None] = {}
        for name in [*reversed(ancestors), std.name]:
            safeguards.update(dict.fromkeys(by_name[name].own_safeguards))
        out[std.name] = (tuple(ancestors), tuple(safeguards))
    return out


@pytest.mark.parametrize("name", [p.name for p in (ROOT / "examples").glob("*.rspl")] + ["chain"])
def test_lineages_expand_as_defined(name: str) -> None:
    text = CHAIN if name == "chain" else (ROOT / "examples" / name).read_text(encoding="utf-8")
    result = compile_source(str(ROOT / "examples" / name), text)
    assert result.policy is not None, [d.message for d in result.diagnostics]
    want = expanded(result.policy)
    for std in result.policy.standards:
        assert (std.ancestors, std.safeguards) == want[std.name], std.name
        assert std.parent == (std.ancestors[0] if std.ancestors else None)
        inherited = want[std.parent][1] if std.parent else ()
        assert std.added_safeguards == std.safeguards[len(inherited) :]
    if name == "chain":
        got = {s.name: s.safeguards for s in result.policy.standards}
        assert got == {
            "A": ("x",), "B": ("x", "y"), "C": ("x", "y"), "D": ("x", "y", "z"),
            "E": ("y", "z"), "F": ("x", "y", "z"), "G": ("x", "y"),
        }  # fmt: skip
