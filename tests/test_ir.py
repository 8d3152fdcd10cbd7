"""The IR's fixed words (`Literal` types in rspl/ir.py) are exactly the words the grammar,
the builder, the resolver and `rspl.units` know, so a word added in one place and not the
other fails here rather than in mypy's blind spot (values read from a tuple at run time)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from rspl import ir, resolver, units
from rspl.builder import Builder

GRAMMAR = (Path(__file__).resolve().parent.parent / "grammar" / "rspl.lark").read_text("utf-8")


def _alternatives(rule: str) -> tuple[str, ...]:
    """The quoted words of a grammar rule made only of alternatives (`!verdict: "a" | "b"`)."""
    found = re.search(rf"^!?{rule}:((?:\s*\"[^\"]+\"\s*\|?)+)$", GRAMMAR, re.MULTILINE)
    assert found, rule
    return tuple(re.findall(r'"([^"]+)"', found.group(1)))


def test_words_shared_with_units() -> None:
    assert get_args(ir.Modality) == units.MODALITIES
    assert get_args(ir.DomainStatus) == units.DOMAIN_STATUSES
    assert get_args(ir.ObligationStatus) == units.OBLIGATION_STATUSES
    assert get_args(ir.DeadlineKind) == units.DEADLINE_KINDS
    assert get_args(ir.SafeguardCategory) == units.SAFEGUARD_CATEGORIES
    assert get_args(ir.ClaimType) == units.CLAIM_TYPES
    assert get_args(ir.Dimension) == tuple(units.DIMENSIONS)
    named = {dim for dim, _ in units.UNITS.values()}
    assert named | units.UNITLESS_DIMENSIONS == set(units.DIMENSIONS)
    assert set(units.PARTS) <= set(units.UNITS)
    assert get_args(ir.EvidenceType) == tuple(units.EVIDENCE_TYPES)
    assert get_args(ir.ConstType) == (*units.DIMENSIONS, "number", "date")


def test_soft_words_of_the_grammar() -> None:
    found = re.search(r"^SOFT\.\d+: /\((.*)\)\(\?!", GRAMMAR, re.MULTILINE)
    assert found
    words = tuple(w.replace("\\s+", " ") for w in found.group(1).split("|"))
    assert words == tuple(units.SOFT_WORDS)


def test_words_of_the_grammar() -> None:
    assert set(get_args(ir.Op)) == set(_alternatives("COMPARE"))
    assert get_args(ir.Modality) == _alternatives("modality")
    assert get_args(ir.RuleKind) == _alternatives("rule_kind")
    verdicts = _alternatives("verdict")
    expects = {name.removeprefix("expect_") for name in dir(Builder)
               if name.startswith("expect_") and name != "expect_verdict"}  # fmt: skip
    # `expect carried forward D accepted|rejected` is one kind per result
    expects = (expects - {"carried"}) | {f"carried_{r}" for r in _alternatives("carry_result")}
    assert set(get_args(ir.ExpectationKind)) == expects | set(verdicts)
    combines = {name.removeprefix("combine_") for name in dir(Builder)
                if name.startswith("combine_")}  # fmt: skip
    assert set(get_args(ir.Combine)) == combines


def test_words_of_the_resolver() -> None:
    assert get_args(ir.RequirementKind) == resolver._REQUIRABLE
    assert get_args(ir.RefKind) == resolver._ANY
