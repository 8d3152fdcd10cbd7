"""Where the constructs of issue 10 meet: criteria inside rules decided per context, figures
for a residual level, criteria over a measurement family, qualifiers on a determination per
setting or after mitigation, and a policy out of force with rules decided per context. Each
is decided by both engines, which must agree exactly (the random-policy tests generate these
combinations too; these cases pin the ones found while merging).
"""

from __future__ import annotations

from typing import Any

import pytest
import strategies

from rspl import interpreter
from rspl.semantics import AssessmentError

POLICY = """
policy mix "Interactions" {
  organization "O" version "1" effective 2025-01-01 combine highest standard per family
}
context internal "Internal use"
context api "API"
role sag "SAG"
family fam "Family"
domain Cyber "Cyber" {
  decided by sag
  assessed per context internal, api
  level High "High" level Critical "Critical"
}
domain Bio "Bio" {
  decided by sag
  assessed after mitigation
  carry forward within 6 months
  level High "High"
}
domain Chem "Chem" { decided by sag carry forward within 6 months level High "High" }
evidence asr: fraction per attack (gcg, pair) "Attack success rate"
safeguard filters "Filters"
safeguard vault "Vault"
standard Sealed "Sealed" in fam {
  includes vault
  counts when max asr <= 5% and residual Bio < High
  source "§3"
}
rule cyber_gate "Cyber gate" {
  when Cyber >= High
  require filters counts when all asr <= 10% per "§4"
}
rule bio_gate "Bio gate" {
  when Bio >= High
  require Sealed
}
"""


@pytest.fixture(scope="module")
def engines() -> tuple[Any, Any]:
    policy = strategies.compile_policy(POLICY)
    return policy, strategies.load_module(policy)


def decide(engines: tuple[Any, Any], assessment: dict[str, Any]) -> dict[str, Any]:
    policy, module = engines
    for explain in (False, True):
        ref = interpreter.evaluate(policy, assessment, explain=explain)
        assert module.evaluate(assessment, explain=explain).to_dict() == ref
    out: dict[str, Any] = interpreter.evaluate(policy, assessment)
    return out


def rejected(engines: tuple[Any, Any], assessment: dict[str, Any]) -> str:
    policy, module = engines
    with pytest.raises(AssessmentError) as ref:
        interpreter.evaluate(policy, assessment)
    with pytest.raises(module.AssessmentError) as gen:
        module.evaluate(assessment)
    assert (ref.value.field, ref.value.expected) == (gen.value.field, gen.value.expected)
    return ref.value.field


def test_a_requirement_criterion_counts_only_where_its_rule_applies(engines: Any) -> None:
    """Cyber is High for the API only: the criterion on `filters` fails (12% > 10%), but
    only the API's verdict may say so; internal use is below High and unaffected."""
    d = decide(engines, {
        "as_of": "2025-06-01",
        "determinations": {"Cyber": {"internal": {}, "api": "High"}, "Bio": {"before": {}}},
        "evidence": {"asr": {"gcg": 0.12, "pair": 0.01}},
        "implemented": ["filters"],
    })  # fmt: skip
    api, internal = d["verdicts"]["api"], d["verdicts"]["internal"]
    assert api["missing"] == ["filters"] and not api["permitted"]
    assert [c["target"] for c in api["criteria"]] == ["filters"]
    assert internal["permitted"] and internal["criteria"] == []


def test_a_criterion_on_a_residual_level_shows_that_level(engines: Any) -> None:
    d = decide(engines, {
        "as_of": "2025-06-01",
        "determinations": {"Cyber": {"internal": {}, "api": {}},
                           "Bio": {"before": "High", "after": "High"}},
        "evidence": {"asr": {"gcg": 0.01, "pair": 0.02}},
        "implemented": ["Sealed"],
    })  # fmt: skip
    (entry,) = d["verdicts"]["api"]["criteria"]
    assert entry["target"] == "Sealed" and entry["holds"] is False
    (figure,) = entry["because"]
    assert figure["determination"] == "residual Bio" and figure["holds"] is False


def test_a_criterion_over_a_family_aggregate_is_decided_alike(engines: Any) -> None:
    """`max asr <= 5%` is false once one known member exceeds 5%; no single figure shows a
    family's maximum, so the entry's figures list only the other operands."""
    d = decide(engines, {
        "as_of": "2025-06-01",
        "determinations": {"Cyber": {"internal": {}, "api": {}},
                           "Bio": {"before": "High", "after": {}}},
        "evidence": {"asr": {"gcg": 0.2}},
        "implemented": ["Sealed"],
    })  # fmt: skip
    (entry,) = d["verdicts"]["api"]["criteria"]
    assert entry["holds"] is False and entry["because"] == []


def test_a_determination_per_setting_may_be_provisional(engines: Any) -> None:
    """Provisional widens the API's determination to the top: Cyber may be High there."""
    d = decide(engines, {
        "as_of": "2025-06-01",
        "determinations": {"Cyber": {"internal": {}, "api": {"reached": None,
                                                           "provisional": "uplift trial"}},
                           "Bio": {"before": {}}},
    })  # fmt: skip
    assert d["verdicts"]["api"]["missing"] == ["filters"]
    assert d["verdicts"]["internal"]["permitted"]
    assert d["verdicts"]["api"]["context_rules"] == {"cyber_gate": "precautionary"}


@pytest.mark.parametrize(
    ("determinations", "field"),
    [
        ({"Cyber": {"api": {"reached": "High", "carried_forward": {
            "date": "2025-03-01", "model": "m0"}}}},
         "determinations.Cyber.api.carried_forward"),
        ({"Bio": {"after": {"reached": "High", "carried_forward": {
            "date": "2025-03-01", "model": "m0"}}}},
         "determinations.Bio.after.carried_forward"),
    ],
)  # fmt: skip
def test_a_determination_per_setting_or_after_mitigation_is_not_carried_forward(
    engines: Any, determinations: dict[str, Any], field: str
) -> None:
    """Carrying forward is for a domain's one determination (section 16); a determination
    per setting or after mitigation is made afresh, and saying otherwise is an error, not
    silently ignored."""
    assert rejected(engines, {"as_of": "2025-06-01", "determinations": determinations}) == field


def test_a_plain_determination_is_carried_forward(engines: Any) -> None:
    d = decide(engines, {
        "as_of": "2025-06-01",
        "determinations": {"Chem": {"reached": "High", "carried_forward": {
            "date": "2025-03-01", "model": "m0"}}},
    })  # fmt: skip
    assert d["qualified_determinations"]["Chem"]["carried_forward"]["accepted"] is True


def test_out_of_force_keeps_the_rule_statuses_per_context(engines: Any) -> None:
    """Before the policy takes effect every verdict is blocked, and each still lists the
    status of the rules decided per context (the generated module's closed verdict too)."""
    _, module = engines
    a = {"as_of": "2024-06-01", "determinations": {"Cyber": {"internal": {}, "api": "High"}}}
    d = decide(engines, a)
    assert d["in_force"]["value"] is False
    assert not d["verdicts"]["internal"]["permitted"]
    assert d["verdicts"]["api"]["context_rules"] == {"cyber_gate": "triggered"}
    verdict = module.evaluate(a).verdicts["api"]
    assert verdict.context_rules == {"cyber_gate": "triggered"} and not verdict.permitted
