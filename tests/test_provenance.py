"""The `provenance` block of an assessment (docs/semantics.md, section 12): both engines
validate it alike and carry it into the decision; it never decides anything, so `--why-not`
searches as if it were absent."""

from __future__ import annotations

from typing import Any

import pytest
from strategies import compile_policy, load_module

from rspl import interpreter
from rspl.whynot_table import why_not

POLICY = """\
policy traced "Provenance" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
import std.contexts

evidence cyber: fraction "Cyber success rate" source "§1"
evidence attack: fraction per attack (gcg, pair) "Jailbreak success" source "§1"

safeguard monitoring "Usage monitoring" source "§2"

rule capable "Capable" {
  source "§2"
  when cyber >= 50% or any attack > 10%
  require monitoring for external_deployment
}
"""
RUN = {"log": "logs/a.eval", "sha256": "ab", "eval_id": "E", "task": "t", "task_version": "v2",
       "model": "m", "scorer": "s", "metric": "accuracy", "created": "2025-06-01"}  # fmt: skip


@pytest.fixture(scope="module")
def engines() -> tuple[Any, Any]:
    policy = compile_policy(POLICY)
    return policy, load_module(policy)


def test_the_decision_carries_the_records(engines: tuple[Any, Any]) -> None:
    policy, module = engines
    assessment = {
        "evidence": {"attack": {"gcg": 0.01}},
        "provenance": {
            "cyber": {"status": "unknown", "reason": "the run failed"},
            "attack.gcg": {"status": "measured", "runs": [RUN]},
            "attack.pair": None,
        },
    }
    reference = interpreter.evaluate(policy, assessment)
    assert reference == module.evaluate(assessment).to_dict()
    assert reference["provenance"] == {
        "attack.gcg": {"status": "measured", "reason": None, "runs": [RUN]},
        "cyber": {"status": "unknown", "reason": "the run failed", "runs": []},
    }
    assert "provenance" not in interpreter.evaluate(policy, {"evidence": {"cyber": 0.1}})


@pytest.mark.parametrize(
    ("provenance", "field", "expected"),
    [
        ({"attack.tap": None}, "provenance.attack.tap", "declared evidence: attack, cyber"),
        ({"cyber": {"status": "measured"}}, "provenance.cyber.status",
         '"unknown": evidence.cyber has no value'),
        ({"cyber": {"status": "unknown", "reason": ""}}, "provenance.cyber.reason",
         "why the evidence is unknown"),
        ({"cyber": {"status": "unknown", "reason": "r", "why": 1}}, "provenance.cyber.why",
         "one of the keys reason, runs, status"),
        ({"cyber": {"status": "unknown", "reason": "r", "runs": [{**RUN, "task_version": 1.5}]}},
         "provenance.cyber.runs[0].task_version", "a string, an integer or null"),
        ([], "provenance", "an object mapping evidence names to records"),
    ],
)  # fmt: skip
def test_both_engines_reject_a_bad_record_alike(
    engines: tuple[Any, Any], provenance: Any, field: str, expected: str
) -> None:
    policy, module = engines
    assessment = {"provenance": provenance}
    with pytest.raises(interpreter.AssessmentError) as reference:
        interpreter.evaluate(policy, assessment)
    with pytest.raises(module.AssessmentError) as generated:
        module.evaluate(assessment)
    assert (reference.value.field, reference.value.expected) == (field, expected)
    assert str(reference.value) == str(generated.value)


def test_why_not_ignores_the_records(engines: tuple[Any, Any]) -> None:
    policy, _ = engines
    assessment = {
        "evidence": {"attack": {"gcg": 0.01, "pair": 0.02}},
        "provenance": {"cyber": {"status": "unknown", "reason": "a stale log"}},
    }
    answer = why_not(policy, assessment, "external_deployment")
    bare = why_not(policy, {"evidence": assessment["evidence"]}, "external_deployment")
    assert answer == bare and answer["sets"]
