"""Levels per setting and after mitigation (`assessed per context`, `assessed after
mitigation`, `ordered`, `residual`), end to end: how assessments are read
(`rspl.semantics.check_assessed`, checked exhaustively against its definition on small
scales), what both engines decide, the schema, scenarios and `rspl eval`'s text.
docs/semantics.md §15 holds the normative worked examples; the random-policy tests
(tests/strategies.py) generate these domains too.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import strategies
from jsonschema import Draft202012Validator

from rspl import interpreter
from rspl.backends.jsonschema import assessment_schema
from rspl.report import decision_text
from rspl.semantics import AssessmentError, check_assessed, level_slot
from rspl.testing import run_scenarios

LEVELS = ("Low", "High", "Critical")
RANKS = {name: i + 1 for i, name in enumerate(LEVELS)}

POLICY = """
policy p "Settings" { organization "O" version "1" combine highest standard per family }
context internal "Internal use"
context api "API"
context open_weights "Open weights"
context external "External" { includes api, open_weights }
role sag "SAG"
family misuse "Misuse"
domain Cyber "Cyber" {
  decided by sag
  assessed per context internal, external
  assessed after mitigation
  ordered internal <= external
  level Low "Low" level High "High" level Critical "Critical"
}
domain Bio "Bio" { decided by sag level High "High" }
evidence passed: fact "Passed the checkpoint"
safeguard filters "Filters"
safeguard monitoring "Monitoring"
standard High_Misuse "High misuse" in misuse { includes filters }
action halt "Halt" blocking
define cyber_high "Cyber High" as Cyber >= High
rule per_context "Cyber High, per context" {
  when cyber_high and Bio >= High
  require High_Misuse
}
rule residual_gate "Residual" {
  when residual Cyber >= High
  must halt open_weights
  recommend require monitoring for external
}
action review "Review"
rule critical "Critical" {
  when Cyber >= Critical or residual Cyber >= Critical
  must review
}
warning checkpoint "Checkpoint" {
  when not passed
  rules out Cyber >= Critical
}
"""


@pytest.fixture(scope="module")
def engines() -> tuple[Any, Any]:
    policy = strategies.compile_policy(POLICY)
    return policy, strategies.load_module(policy)


def decide(engines: tuple[Any, Any], assessment: dict[str, Any]) -> dict[str, Any]:
    """The interpreter's decision, after checking the generated module agrees (plain and
    explained)."""
    policy, module = engines
    for explain in (False, True):
        ref = interpreter.evaluate(policy, assessment, explain=explain)
        assert module.evaluate(assessment, explain=explain).to_dict() == ref
    out: dict[str, Any] = interpreter.evaluate(policy, assessment, explain=True)
    return out


def test_slot_names() -> None:
    assert level_slot("Cyber", None, False) == "Cyber"
    assert level_slot("Cyber", "api", False) == "Cyber for api"
    assert level_slot("Cyber", None, True) == "residual Cyber"
    assert level_slot("Cyber", "api", True) == "residual Cyber for api"


DETS: list[Any] = [None, {}, *LEVELS, {"cannot_rule_out": "High"},
                   {"reached": "Low", "cannot_rule_out": "Critical"}]  # fmt: skip


def _interval(det: Any) -> tuple[int, int]:
    if det is None:
        return 0, 3
    if isinstance(det, str):
        return RANKS[det], RANKS[det]
    lo = RANKS.get(det.get("reached") or "", 0)
    hi = det.get("cannot_rule_out")
    return lo, RANKS[hi] if hi else lo


def test_check_assessed_against_its_definition() -> None:
    """Every combination of determinations for two ordered settings with levels before and
    after: the order carries the level reached up and rejects a contradiction; the level
    after is cut at the highest level possible before and rejected above it."""
    ranks = dict(RANKS)
    for a_before, a_after, b_before in itertools.product(DETS, DETS, DETS):
        value = {"a": {"before": a_before, "after": a_after}, "b": {"before": b_before}}
        alo, ahi = _interval(a_before)
        blo, bhi = _interval(b_before)
        rlo, rhi = _interval(a_after)
        if bhi < alo:
            with pytest.raises(AssessmentError) as err:
                check_assessed(value, "d.X", "X", ranks, "L", ("a", "b"), True, ("a", "b"))
            assert err.value.field == "d.X.b"
            continue
        if rlo > ahi:
            with pytest.raises(AssessmentError) as err:
                check_assessed(value, "d.X", "X", ranks, "L", ("a", "b"), True, ("a", "b"))
            assert err.value.field == "d.X.a.after"
            continue
        got = check_assessed(value, "d.X", "X", ranks, "L", ("a", "b"), True, ("a", "b"))
        assert got == {
            "X for a": (alo, ahi),
            "residual X for a": (rlo, min(rhi, ahi)),
            "X for b": (max(blo, alo), bhi),
            "residual X for b": (0, bhi),
        }, value


def test_order_carries_the_level_reached_up(engines: tuple[Any, Any]) -> None:
    """High for internal use, nothing said for the external setting: it is at least High
    there too (ordered), so the rule is triggered for API and open weights."""
    cyber = {"internal": {"before": "High"}}
    d = decide(engines, {"determinations": {"Cyber": cyber, "Bio": "High"},
                         "evidence": {"passed": True}})  # fmt: skip
    assert {c: v["context_rules"]["per_context"] for c, v in d["verdicts"].items()} == {
        "internal": "triggered", "api": "triggered", "open_weights": "triggered"
    }  # fmt: skip


def test_missing_setting_is_unknown_never_borrowed(engines: tuple[Any, Any]) -> None:
    cyber = {"external": {"before": "High"}}
    d = decide(engines, {"determinations": {"Cyber": cyber, "Bio": "High"},
                         "evidence": {"passed": True}})  # fmt: skip
    statuses = {c: v["context_rules"]["per_context"] for c, v in d["verdicts"].items()}
    assert statuses == {"internal": "precautionary", "api": "triggered",
                        "open_weights": "triggered"}  # fmt: skip
    rule = next(r for r in d["rules"] if r["name"] == "per_context")
    assert rule["status"] == "triggered" and rule["missing_evidence"] == []


def test_lines_follow_their_context(engines: tuple[Any, Any]) -> None:
    """Below High for internal use: nothing required there; the residual rule blocks open
    weights only where it applies, and recommends only where it applies."""
    d = decide(engines, {"determinations": {"Cyber": {
        "internal": {"before": "Low"},
        "external": {"before": "High", "after": "High"},
    }, "Bio": "High"}, "evidence": {"passed": True}})  # fmt: skip
    v = d["verdicts"]
    assert v["internal"]["required_standards"] == {} and v["internal"]["permitted"]
    assert v["api"]["missing"] == ["filters"]
    assert v["open_weights"]["reasons"] == ["missing filters",
                                            "in force: halt open_weights (rule residual_gate)"]
    [rec] = d["recommended"]
    assert rec["contexts"] == ["api", "open_weights"]


def test_checkpoint_rules_out_every_setting(engines: tuple[Any, Any]) -> None:
    """A checkpoint not reached (`passed`) rules out Critical in each setting, before and
    after mitigation; reached, it rules out nothing."""
    base = {"determinations": {"Bio": "High", "Cyber": {
        "internal": {"before": {"cannot_rule_out": "Critical"}},
    }}}  # fmt: skip
    d = decide(engines, {**base, "evidence": {"passed": True}})
    assert "critical" not in {r["name"] for r in d["rules"]}
    assert {v["context_rules"]["critical"] for v in d["verdicts"].values()} == {
        "not_triggered"
    }  # fmt: skip
    d = decide(engines, {**base, "evidence": {"passed": False}})
    [rule] = [r for r in d["rules"] if r["name"] == "critical"]
    assert rule["status"] == "precautionary"
    assert rule["missing_evidence"] == [
        "Cyber for external", "Cyber for internal", "residual Cyber for external",
        "residual Cyber for internal",
    ]  # fmt: skip


def test_schema_agrees(engines: tuple[Any, Any]) -> None:
    policy, _ = engines
    schema = Draft202012Validator(assessment_schema(policy))
    cases = [
        {"Cyber": {"internal": {"before": "High"}, "external": {"before": "Low"}}},
        {"Cyber": {"internal": {"before": "High"}, "external": {"before": {"cannot_rule_out":
                                                                          "High"}}}},
        {"Cyber": {"external": {"before": "Low", "after": "High"}}},
        {"Cyber": {"external": {"after": "Critical"}}},
        {"Cyber": {"api": {}}},
        {"Cyber": "High"},
    ]  # fmt: skip
    for dets in cases:
        data = {"determinations": dets}
        try:
            interpreter.evaluate(policy, data)
            accepted = True
        except AssessmentError:
            accepted = False
        assert schema.is_valid(json.loads(json.dumps(data))) == accepted, dets


def test_scenario_givens_and_eval_text(engines: tuple[Any, Any]) -> None:
    policy = strategies.compile_policy(POLICY + """
scenario s {
  given Cyber for internal at Low
  given Cyber for external at High cannot rule out Critical
  given residual Cyber for external below High
  given Bio at High
  given passed = yes
  expect triggered per_context
  expect not triggered per_context for internal
  expect triggered per_context for api
  expect triggered per_context for open_weights
  expect internal permitted
  expect api blocked
}
scenario wrong {
  given Cyber for internal at Low
  given Bio at High
  expect triggered per_context for internal
}
""")
    scenario = policy.scenarios[0]
    results = run_scenarios(policy)
    assert [len(r.failures) for r in results] == [0, 1]
    [failure] = results[1].failures
    assert (failure.expected, failure.actual) == (
        "per_context triggered", "per_context not triggered"
    )  # fmt: skip
    assert scenario.assessment["determinations"]["Cyber"] == {
        "internal": {"before": {"reached": "Low", "cannot_rule_out": None}},
        "external": {"before": {"reached": "High", "cannot_rule_out": "Critical"},
                     "after": {"reached": None, "cannot_rule_out": "Low"}},
    }  # fmt: skip
    text = decision_text(interpreter.evaluate(policy, scenario.assessment, explain=True), True)
    assert "per_context for api: triggered" in text
    assert "true: Cyber for external >= High  <- Cyber for external" in text
