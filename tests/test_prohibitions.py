"""Prohibitions (`must not ACTION`) and honest duty states (`lifted`, `in_force`), under both
engines: what issue 11 accepts them by. The semantics are in docs/semantics.md section 17 (its
worked examples run in test_semantics_doc.py); the diagnostics in tests/cases/prohibitions.rspl.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rspl import ir
from rspl.interpreter import AssessmentError, evaluate
from rspl.pipeline import compile_source
from rspl.testing import load_module, run_scenarios

POLICY = """\
policy weights "Weights" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
import std.contexts, std.actions

domain CBRN "CBRN weapons" { level CBRN_3 "CBRN-3" source "§2" }
artifact weights "The model weights" source "§4"
action release "release" blocking source "§4"
evidence secured: fact "The weights are secured"

rule standing "Standing commitments" {
  source "§4"
  must not publish weights
}
rule cbrn_3 "CBRN-3" {
  source "§3"
  when CBRN >= CBRN_3
  must not release open_weights until secured
  must restrict external_deployment until secured
  should not share weights
}

scenario prohibited_now {
  given CBRN at CBRN_3
  expect prohibited publish of standing
  expect prohibited release of cbrn_3
  expect obligation release of cbrn_3 is in_force
  expect obligation restrict of cbrn_3 is in_force
  expect open_weights blocked
  expect external_deployment blocked
  expect training permitted
}
scenario lifted_once_secured {
  given CBRN at CBRN_3
  given secured = yes
  expect prohibited publish of standing
  expect obligation release of cbrn_3 is lifted
  expect obligation restrict of cbrn_3 is lifted
  expect open_weights permitted
  expect external_deployment permitted
}
"""


def _policy(text: str = POLICY) -> ir.Policy:
    result = compile_source("weights.rspl", text)
    assert result.ok, [d.message for d in result.diagnostics]
    assert result.policy is not None
    return result.policy


_MODULES: dict[int, Any] = {}


def _both(policy: ir.Policy, assessment: dict[str, Any]) -> dict[str, Any]:
    """The decision, after checking that both engines give the same one."""
    ours = evaluate(policy, assessment)
    if id(policy) not in _MODULES:
        _MODULES[id(policy)] = load_module(policy)
    module = _MODULES[id(policy)]
    theirs = module.evaluate(assessment).to_dict()
    assert ours == theirs
    return ours


def test_must_not_publish_weights_compiles_without_a_suggestion() -> None:
    result = compile_source("weights.rspl", POLICY)
    assert result.ok
    assert not any("notify" in d.message or "did you mean" in (d.help or "")
                   for d in result.diagnostics)  # fmt: skip
    ob = result.policy.rules[0].obligations[0]  # type: ignore[union-attr]
    assert (ob.modality, ob.prohibited, ob.action) == ("must", True, "publish")


def test_scenarios_pass_under_both_engines() -> None:
    results = run_scenarios(_policy())
    assert [list(r.failures) for r in results] == [[], []]


def test_decision_lists_prohibitions_in_force() -> None:
    d = _both(_policy(), {"determinations": {"CBRN": "CBRN_3"}})
    assert d["prohibitions"] == [
        {"rule": "standing", "action": "publish", "key": "publish", "objects": ["weights"],
         "modality": "must not", "blocks": []},
        {"rule": "cbrn_3", "action": "release", "key": "release", "objects": ["open_weights"],
         "modality": "must not", "blocks": ["open_weights"]},
        {"rule": "cbrn_3", "action": "share", "key": "share", "objects": ["weights"],
         "modality": "should not", "blocks": []},
    ]  # fmt: skip
    assert d["verdicts"]["open_weights"]["reasons"] == [
        "prohibited: release open_weights (rule cbrn_3)"
    ]
    assert d["verdicts"]["external_deployment"]["reasons"] == [
        "in force: restrict external_deployment (rule cbrn_3)"
    ]


def test_until_lifts_and_never_reports_done() -> None:
    d = _both(_policy(), {"determinations": {"CBRN": "CBRN_3"}, "evidence": {"secured": True}})
    status = {o["action"]: o["status"] for o in d["obligations"]}
    assert status == {"publish": "in_force", "release": "lifted", "restrict": "lifted",
                      "share": "in_force"}  # fmt: skip
    assert [p["action"] for p in d["prohibitions"]] == ["publish", "share"]
    assert all(v["permitted"] for v in d["verdicts"].values())


def test_precautionary_rule_keeps_its_prohibitions_in_force() -> None:
    d = _both(_policy(), {})  # CBRN unknown: cbrn_3 is precautionary (fail-closed)
    assert {p["action"] for p in d["prohibitions"]} == {"publish", "release", "share"}
    assert not d["verdicts"]["open_weights"]["permitted"]


def test_a_prohibition_is_never_done() -> None:
    policy = _policy()
    bad = {"determinations": {"CBRN": "CBRN_3"}, "done": [{"rule": "cbrn_3", "action": "release"}]}
    with pytest.raises(AssessmentError) as ours:
        evaluate(policy, bad)
    module = load_module(policy)
    with pytest.raises(module.AssessmentError) as theirs:  # the generated module's own class
        module.evaluate(bad)
    assert ours.value.field == theirs.value.field == "done[0]"
    assert "not a prohibition" in ours.value.expected


_POLICY = _policy()


@settings(max_examples=40, deadline=None)
@given(
    cbrn=st.sampled_from([None, "CBRN_3", {"at_least": "CBRN_3"}]),
    secured=st.sampled_from([None, True, False]),
    contexts=st.lists(st.sampled_from(["training", "external_deployment", "open_weights"]),
                      min_size=1, unique=True),
)  # fmt: skip
def test_a_blocking_prohibition_blocks_until_surely_lifted(
    cbrn: Any, secured: bool | None, contexts: list[str]
) -> None:
    """Fail-closed: while `secured` is not surely true and the rule may apply, open weights
    is never permitted; statuses are only ever in_force or lifted for a prohibition."""
    assessment: dict[str, Any] = {"contexts": contexts}
    if cbrn is not None:
        assessment["determinations"] = {"CBRN": cbrn}
    if secured is not None:
        assessment["evidence"] = {"secured": secured}
    try:
        d = _both(_POLICY, assessment)
    except AssessmentError:
        return  # a determination form this policy does not take
    for o in d["obligations"]:
        if o["modality"].endswith(" not"):
            assert o["status"] in ("in_force", "lifted")
    if "open_weights" in contexts and secured is not True:
        assert d["verdicts"]["open_weights"]["permitted"] is False
