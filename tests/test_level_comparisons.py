"""Which comparisons are `DOMAIN op LEVEL` is decided once, by the resolver
(`Resolution.level_comparison`); the checker and lowering both read that record."""

from __future__ import annotations

from rspl import ir
from rspl import nodes as n
from rspl.pipeline import compile_source
from rspl.resolver import LevelComparison, Resolution

POLICY = """
policy p "P" {
  organization "Tests"
  version "1"
  combine highest standard per family
}
domain CBRN "CBRN" {
  level CBRN_3 "CBRN-3" source "§1"
  level CBRN_4 "CBRN-4" source "§1"
}
domain Cyber "Cyber" {
  status research
  level CBRN_4 "Same name, other domain" source "§1"
}
evidence growth: multiplier "Growth" source "§1"
evidence started: date "Started" source "§1"
define a "A" as CBRN >= CBRN_3 source "§1"
define b "B" as CBRN_4 > CBRN source "§1"
define c "C" as CBRN_3 != CBRN source "§1"
define d "D" as growth >= 4x source "§1"
define e "E" as since started >= 6 months source "§1"
define f "F" as any domain >= CBRN_4 source "§1"
define g "G" as all research domains > CBRN_4 source "§1"
warning w "W" {
  source "§1"
  when a or b or c or d or e or f or g
  rules out CBRN > CBRN_3
}
"""


def _compiled() -> tuple[dict[str, n.Expr], Resolution, ir.Policy]:
    result = compile_source("p.rspl", POLICY)
    assert not result.diagnostics, result.diagnostics
    assert result.policy is not None and result.resolution is not None
    defs = {i.name.text: i.expr for i in result.program.main.items
            if isinstance(i, n.DefinitionDecl)}  # fmt: skip
    return defs, result.resolution, result.policy


def test_each_comparison_is_classified_once() -> None:
    defs, res, _ = _compiled()
    found: dict[str, LevelComparison | None] = {}
    for name, expr in defs.items():
        if isinstance(expr, n.Compare):
            found[name] = res.level_comparison(expr)
    assert found == {
        "a": LevelComparison("CBRN", ">=", 1, "CBRN_3", 2),
        # the level on the left: the operator is read from the domain's side
        "b": LevelComparison("CBRN", "<", 2, "CBRN_4", 2),
        "c": LevelComparison("CBRN", "!=", 1, "CBRN_3", 2),
        "d": None,
        "e": None,
    }


def test_domain_quantifiers_expand_to_the_same_records() -> None:
    defs, res, _ = _compiled()
    f, g = defs["f"], defs["g"]
    assert isinstance(f, n.DomainQuant) and isinstance(g, n.DomainQuant)
    assert res.quantified_comparisons(f) == (
        LevelComparison("CBRN", ">=", 2, "CBRN_4", 2),
        LevelComparison("Cyber", ">=", 1, "CBRN_4", 1),
    )
    assert res.quantified_comparisons(g) == (
        LevelComparison("Cyber", ">", 1, "CBRN_4", 1),
    )


def test_lowering_reads_the_records() -> None:
    _, _, policy = _compiled()
    defs = {d.name: d.expr for d in policy.definitions}
    assert defs["a"] == ir.LevelCmp("CBRN", ">=", 1, "CBRN_3")
    assert defs["b"] == ir.LevelCmp("CBRN", "<", 2, "CBRN_4")
    assert defs["f"] == ir.Or((ir.LevelCmp("CBRN", ">=", 2, "CBRN_4"),
                               ir.LevelCmp("Cyber", ">=", 1, "CBRN_4")))  # fmt: skip
    assert defs["g"] == ir.And((ir.LevelCmp("Cyber", ">", 1, "CBRN_4"),))
    assert isinstance(defs["d"], ir.Compare)
    (warning,) = policy.rules
    assert warning.rules_out == (ir.RuleOut("CBRN", 2),)
