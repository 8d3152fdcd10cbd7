"""`rspl eval --why-not CONTEXT` and the generated module's `why_not()` (docs/semantics.md,
section 22): every proposed set permits the context when applied (checked here by applying
the set's described changes independently and deciding with the reference interpreter), no
proper subset of it does, sets come smallest first, only unknowns are supplied and nothing
is taken away; the module gives the same answer as the interpreter; a context nothing can
permit says so; a malformed assessment is rejected as `rspl eval` rejects it."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import PolicySpec, any_assessment, compile_policy, load_module, policies

from rspl import interpreter, ir
from rspl.cli import main
from rspl.pipeline import compile_file
from rspl.whynot_table import why_not

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))


def applied(assessment: dict[str, Any], changes: list[dict[str, Any]], context: str
            ) -> dict[str, Any]:
    """The assessment with the described changes made, read from the answer's JSON alone."""
    a = copy.deepcopy(assessment)
    a.pop("provenance", None)  # as why-not does: a changed figure is no measurement
    for x in changes:
        if x["change"] == "implement":
            a["implemented"] = list(a.get("implemented") or []) + x["safeguards"]
        elif x["change"] == "done":
            a["done"] = [*list(a.get("done") or []), {"rule": x["rule"], "action": x["action"]}]
        elif x["change"] == "approve":
            a["approved"] = [*list(a.get("approved") or []), x["waiver"]]
        elif x["change"] == "evidence":
            a["evidence"] = {**(a.get("evidence") or {}), x["evidence"]: x["value"]}
        else:
            assert x["change"] == "determination"
            node = a["determinations"] = dict(a.get("determinations") or {})
            for key in x["path"][:-1]:
                node[key] = dict(node.get(key) or {})
                node = node[key]
            node[x["path"][-1]] = x["value"]
    a["contexts"] = [context]
    return a


def permits(policy: ir.Policy, assessment: dict[str, Any], context: str) -> bool:
    return bool(interpreter.evaluate(policy, assessment)["verdicts"][context]["permitted"])


def check_answer(policy: ir.Policy, assessment: dict[str, Any], answer: dict[str, Any]) -> None:
    context = answer["context"]
    sets = answer["sets"]
    assert [len(s) for s in sets] == sorted(len(s) for s in sets)
    assert len({json.dumps(s, sort_keys=True) for s in sets}) == len(sets)
    given_evidence = assessment.get("evidence") or {}
    given_levels = assessment.get("determinations") or {}
    for changes in sets:
        assert changes and len(changes) <= answer["bound"]["max_size"]
        assert permits(policy, applied(assessment, changes, context), context), changes
        for n in range(len(changes)):
            for part in itertools.combinations(changes, n):
                assert not permits(policy, applied(assessment, list(part), context), context)
        for x in changes:
            assert x["text"]
            if x["change"] == "evidence":  # only unknowns are supplied
                assert given_evidence.get(x["evidence"]) is None
            if x["change"] == "determination":  # a reached level stays reached
                before: Any = given_levels
                for key in x["path"]:
                    before = before.get(key) if isinstance(before, dict) else None
                reached = before if isinstance(before, str) else (
                    before.get("reached") if isinstance(before, dict) else None)
                assert x["value"].get("reached") == reached
                assert x["rules_out"]
            if x["change"] == "implement":
                assert not set(x["safeguards"]) & set(assessment.get("implemented") or [])


def _cases(path: Path) -> list[tuple[dict[str, Any], str]]:
    """Blocked contexts of the first scenarios of an example: at most three each."""
    policy = compile_file(str(path)).policy
    assert policy is not None
    out: list[tuple[dict[str, Any], str]] = []
    for scenario in policy.scenarios[:3]:
        decision = interpreter.evaluate(policy, scenario.assessment)
        blocked = [c for c, v in decision["verdicts"].items() if not v["permitted"]]
        out += [(scenario.assessment, c) for c in blocked[:3]]
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_set_permits_and_is_minimal_on_the_examples(path: Path) -> None:
    policy = compile_file(str(path)).policy
    assert policy is not None
    module = load_module(policy)
    cases = _cases(path)
    for assessment, context in cases:
        answer = why_not(policy, assessment, context, max_evaluations=800)
        assert not answer["permitted"]
        check_answer(policy, assessment, answer)
        assert module.why_not(assessment, context, max_evaluations=800) == answer
    assert json.dumps(assessment_of_cases(cases))  # the cases were not modified in place


def assessment_of_cases(cases: list[tuple[dict[str, Any], str]]) -> list[Any]:
    return [a for a, _ in cases]


V22 = ROOT / "examples" / "anthropic-rsp-v2.2.rspl"


def test_ruling_out_the_undefined_level_and_implementing_the_standards() -> None:
    """CBRN-3 reached, CBRN-4 not ruled out: ASL-4 is not yet defined, so the way to external
    deployment rules out CBRN-4 and implements both ASL-3 standards' missing safeguards."""
    policy = compile_file(str(V22)).policy
    assert policy is not None
    assessment = {
        "determinations": {"CBRN": {"reached": "CBRN_3", "cannot_rule_out": "CBRN_4"},
                           "AI_RD": {}, "Cyber": {}, "Autonomy": {}},
    }
    answer = why_not(policy, assessment, "external_deployment")
    check_answer(policy, assessment, answer)
    assert answer["sets"], answer
    first = answer["sets"][0]
    kinds = [x["change"] for x in first]
    assert kinds.count("implement") == 2 and "determination" in kinds
    standards = {x["standard"] for x in first if x["change"] == "implement"}
    assert standards == {"ASL3_Deployment", "ASL3_Security"}
    ruled = next(x for x in first if x["change"] == "determination")
    assert ruled["value"] == {"reached": "CBRN_3"} and ruled["rules_out"] == ["CBRN_4"]


NOTHING = """
policy nothing "Nothing can permit" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
import std.contexts, std.actions

domain CBRN "CBRN weapons" {
  level CBRN_3 "CBRN-3" source "§2"
  level CBRN_4 "CBRN-4" source "§2"
}
action release "release" blocking source "§5"
safeguard two_party_access "Two-party control of weight access" source "§4"
family security "Security Standards"
standard ASL3_Security "ASL-3 Security" in security {
  includes two_party_access
  source "§4.2"
}
standard ASL4_Security "ASL-4 Security" in security extends ASL3_Security {
  not yet defined
  source "§4.3"
}
rule cbrn_4 "CBRN-4" {
  source "§3"
  when CBRN >= CBRN_4
  require ASL4_Security
}
rule cbrn_3 "CBRN-3" {
  source "§3"
  when CBRN >= CBRN_3
  must not release open_weights
}
"""


def test_nothing_can_permit_is_said_plainly() -> None:
    policy = compile_policy(NOTHING)
    module = load_module(policy)
    # a reached level whose standard is not yet defined
    reached = {"determinations": {"CBRN": "CBRN_4"}}
    answer = why_not(policy, reached, "training")
    assert answer["sets"] == [] and answer["exhaustive"]
    assert answer["unremovable"] == ["missing ASL4_Security"]
    assert module.why_not(reached, "training") == answer
    # a prohibition in force: `release open_weights` blocks open weights
    assessment = {"determinations": {"CBRN": {"reached": "CBRN_3", "cannot_rule_out": "CBRN_4"}}}
    answer = why_not(policy, assessment, "open_weights")
    assert answer["sets"] == [] and answer["exhaustive"]
    assert any(r.startswith("prohibited: ") for r in answer["unremovable"])


def test_nothing_can_permit_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "nothing.rspl"
    policy.write_text(NOTHING, encoding="utf-8")
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps({"determinations": {"CBRN": "CBRN_4"}}), encoding="utf-8")
    assert main(["eval", str(policy), str(assessment), "--why-not", "training"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing can permit ")
    assert "missing ASL4_Security" in out


def test_the_words_and_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps({"determinations": {
        "CBRN": {"reached": "CBRN_3", "cannot_rule_out": "CBRN_4"},
        "AI_RD": {}, "Cyber": {}, "Autonomy": {}}}), encoding="utf-8")
    args = ["eval", str(V22), str(assessment), "--why-not", "external_deployment"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("To permit external deployment, do one of:\n  (1) ")
    assert "implement the ASL-3 Security Standard's missing safeguards" in text
    assert "determine CBRN below CBRN_4" in text
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["context"] == "external_deployment" and data["sets"]


def test_a_permitted_context_needs_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    policy = compile_policy(NOTHING)
    answer = why_not(policy, {"determinations": {"CBRN": {}}}, "training")
    assert answer["permitted"] and answer["sets"] == []


@pytest.mark.parametrize("bad", [
    {"determinations": 5},
    {"asof": "2025-01-01"},
    {"evidence": {"nope": True}},
    [],
])
def test_a_malformed_assessment_is_rejected_as_eval_rejects_it(
    bad: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["eval", str(V22), str(path)]) == 1
    rejected = capsys.readouterr().err
    assert main(["eval", str(V22), str(path), "--why-not", "training"]) == 1
    assert capsys.readouterr().err == rejected
    assert rejected.startswith("rspl: error: bad assessment: ")


def test_an_unknown_context_is_rejected(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}", encoding="utf-8")
    assert main(["eval", str(V22), str(path), "--why-not", "nowhere"]) == 1
    assert "expected a context" in capsys.readouterr().err


def test_a_hostile_assessment_is_rejected_by_the_module_too() -> None:
    policy = compile_policy(NOTHING)
    module = load_module(policy)

    class Hostile(dict[str, Any]):
        def items(self) -> Any:
            raise RuntimeError("boom")

        def keys(self) -> Any:
            raise RuntimeError("boom")

        def __iter__(self) -> Any:
            raise RuntimeError("boom")

    for engine in (lambda a: why_not(policy, a, "training"),
                   lambda a: module.why_not(a, "training")):
        with pytest.raises(Exception) as caught:
            engine({"determinations": Hostile(CBRN="CBRN_3")})
        assert type(caught.value).__name__ == "AssessmentError"


@settings(max_examples=examples(12), suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_module_agrees_with_the_interpreter_on_random_policies(data: st.DataObject) -> None:
    spec: PolicySpec = data.draw(policies())
    policy = compile_policy(spec.text)
    module = load_module(policy)
    for _ in range(3):
        assessment = data.draw(any_assessment(spec))
        for context in module.CONTEXTS[:3]:
            try:
                expected: Any = why_not(policy, assessment, context, max_evaluations=150)
            except interpreter.AssessmentError as exc:
                expected = ("error", exc.field, exc.expected)
            try:
                actual: Any = module.why_not(assessment, context, max_evaluations=150)
            except module.AssessmentError as exc:
                actual = ("error", exc.field, exc.expected)
            assert actual == expected
            if isinstance(expected, dict) and isinstance(assessment, dict):
                check_answer(policy, assessment, expected)


def test_the_bound_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sets of one change cannot permit here: the answer says the bound stopped the search."""
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps({"determinations": {"CBRN": "CBRN_3"}}), encoding="utf-8")
    args = ["eval", str(V22), str(assessment), "--why-not", "training", "--max-changes", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("No set of at most 1 change permits training and continued")
    assert "The search stopped at its bound of 1 change per set" in out
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bound"]["hit"] == "size" and not data["exhaustive"] and data["sets"] == []
    assert main([*args[:-1], "0"]) == 2
    assert "--max-changes must be at least 1" in capsys.readouterr().err
