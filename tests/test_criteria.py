"""`counts when` on standards and on single `require` lines: what counts, what the decision
says about a criterion that does not hold (with its figures), inheritance through `extends`,
both engines alike, the decision schema, `rspl eval --explain` and the document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rspl import ir
from rspl.backends import jsonschema as schema_backend
from rspl.backends.markdown import render as render_markdown
from rspl.interpreter import evaluate
from rspl.pipeline import compile_source
from rspl.semantics import figure
from rspl.testing import load_module, run_scenarios

POLICY = """\
policy crit "Criteria" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
import std.contexts, std.actions

role RSO "Responsible Scaling Officer"
domain CBRN "CBRN weapons" { decided by RSO level CBRN_3 "CBRN-3" source "§2" }

evidence jailbreak_rate: fraction "Jailbreak success rate" decided by RSO
evidence red_team_time: duration "Time spent red-teaming"
evidence last_audit: date "Date of the last audit"
evidence reviewed: fact "The usage policy was reviewed"

safeguard usage_policy "Usage policy enforcement" source "§4.1"
safeguard classifiers "Input and output classifiers" source "§4.2"

family deployment "Deployment Standards"
standard ASL2 "ASL-2 Deployment" in deployment {
  includes usage_policy
  counts when reviewed and since last_audit <= 1 year
  source "§4.1"
}
standard ASL3 "ASL-3 Deployment" in deployment extends ASL2 {
  includes classifiers
  counts when red_team_time >= 2 weeks
  source "§4.2"
}

rule cbrn_3 "CBRN-3" {
  source "§3"
  when CBRN >= CBRN_3
  require ASL3
  require classifiers for external_deployment counts when jailbreak_rate <= 5% per "§4.3"
  if unmet { must notify RSO }
}
rule asl3_in_place "ASL-3 in place" { source "§5" when ASL3 is implemented }
rule asl2_advised "ASL-2 advised" { source "§6" should require ASL2 }

scenario criterion_fails "The requirement's criterion fails" {
  given CBRN at CBRN_3
  given jailbreak_rate = 12%
  given red_team_time = 3 weeks
  given reviewed = yes
  given last_audit = 2025-01-01
  given as of 2025-06-01
  given implemented ASL3
  expect not counted classifiers
  expect missing classifiers
  expect training permitted
  expect external_deployment blocked
}
"""

GOOD = {
    "determinations": {"CBRN": "CBRN_3"},
    "evidence": {"jailbreak_rate": 0.02, "red_team_time": 21, "reviewed": True,
                 "last_audit": "2025-01-01"},
    "as_of": "2025-06-01",
    "implemented": ["ASL3"],
    "contexts": ["training", "external_deployment"],
}  # fmt: skip


@pytest.fixture(scope="module")
def policy() -> ir.Policy:
    result = compile_source("crit.rspl", POLICY)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    assert result.policy is not None
    return result.policy


@pytest.fixture(scope="module")
def module(policy: ir.Policy) -> Any:
    return load_module(policy)


def decide(policy: ir.Policy, module: Any, assessment: dict[str, Any]) -> dict[str, Any]:
    """The decision, the same from both engines, explained; valid for the decision schema."""
    reference = evaluate(policy, assessment, explain=True)
    assert module.evaluate(assessment, explain=True).to_dict() == reference
    schema = schema_backend.decision_schema(policy)
    jsonschema.Draft202012Validator(schema).validate(reference)
    return reference


def with_evidence(**changes: Any) -> dict[str, Any]:
    return {**GOOD, "evidence": {**GOOD["evidence"], **changes}}


def test_everything_counts(policy: ir.Policy, module: Any) -> None:
    d = decide(policy, module, GOOD)
    assert d["criteria"] == [] and d["missing"] == [] and d["needed"] == []
    assert all(v["permitted"] and v["criteria"] == [] for v in d["verdicts"].values())
    assert [r["name"] for r in d["rules"]] == ["cbrn_3", "asl3_in_place", "asl2_advised"]
    assert d["recommended"][0]["in_place"] is True


def test_a_requirement_criterion_applies_to_its_line_and_context_only(
    policy: ir.Policy, module: Any
) -> None:
    d = decide(policy, module, with_evidence(jailbreak_rate=0.12))
    assert d["verdicts"]["training"]["permitted"] is True
    assert d["verdicts"]["training"]["criteria"] == []
    external = d["verdicts"]["external_deployment"]
    assert external["missing"] == ["classifiers"]
    assert external["criteria"] == [{
        "target": "classifiers", "kind": "requirement", "rule": "cbrn_3",
        "criterion": "jailbreak_rate <= 5%", "holds": False,
        "because": [{"evidence": "jailbreak_rate", "value": 0.12, "op": "<=", "bound": 0.05,
                     "holds": False, "text": "jailbreak_rate 12% is not at most 5%"}],
        "anchors": [{"text": "§4.3", "url": None}],
    }]  # fmt: skip
    # ASL-3 itself still counts: the criterion belongs to the requirement only
    assert any(r["name"] == "asl3_in_place" for r in d["rules"])
    # the rule is unmet, so its fallback applies
    assert [o["action"] for o in d["obligations"] if o["fallback"]] == ["notify"]


def test_a_parent_criterion_binds_the_standard_that_extends_it(
    policy: ir.Policy, module: Any
) -> None:
    d = decide(policy, module, with_evidence(reviewed=False))
    assert d["missing"] == ["ASL2"]
    assert not d["verdicts"]["training"]["permitted"]
    assert d["verdicts"]["training"]["reasons"] == ["missing ASL2"]
    entry = d["criteria"][0]
    assert (entry["target"], entry["kind"], entry["holds"]) == ("ASL2", "standard", False)
    assert [b["text"] for b in entry["because"]] == ["reviewed is false"]
    assert not any(r["name"] == "asl3_in_place" for r in d["rules"])
    assert d["recommended"][0]["in_place"] is False


def test_an_unknown_criterion_is_fail_closed_and_needs_its_inputs(
    policy: ir.Policy, module: Any
) -> None:
    assessment = {**GOOD, "evidence": {"jailbreak_rate": 0.02, "reviewed": True}}
    del assessment["as_of"]
    d = decide(policy, module, assessment)
    assert d["missing"] == ["ASL2", "ASL3"]
    by_target = {c["target"]: c for c in d["criteria"]}
    assert by_target["ASL3"]["holds"] is None
    assert [b["text"] for b in by_target["ASL3"]["because"]] == ["red_team_time is not given"]
    # `reviewed` is true, so only the unknown `since` explains the unknown `and`
    assert [b["text"] for b in by_target["ASL2"]["because"]] == [
        "time since last_audit is not known (last_audit, as_of not given)"
    ]
    assert [n["input"] for n in d["needed"]] == ["as_of", "last_audit", "red_team_time"]
    # `ASL3 is implemented` is unknown: the rule applies as a precaution, with the same inputs
    rule = next(r for r in d["rules"] if r["name"] == "asl3_in_place")
    assert rule["status"] == "precautionary"
    assert rule["missing_evidence"] == ["as_of", "last_audit", "red_team_time"]


def test_figures_are_shown_in_the_policys_units(policy: ir.Policy, module: Any) -> None:
    d = decide(policy, module, {**with_evidence(red_team_time=10, last_audit="2023-06-01")})
    texts = {c["target"]: [b["text"] for b in c["because"]] for c in d["criteria"]}
    assert texts["ASL3"] == ["red_team_time 1.42857 weeks is not at least 2 weeks"]
    assert texts["ASL2"] == ["time since last_audit 2.00141 years is not at most 1 year"]


def test_figure_turns_a_constant_written_first_around() -> None:
    spec = {"kind": "cmp", "op": ">",
            "left": {"const": 4.0, "text": "4x", "unit": "x", "factor": 1.0},
            "right": {"evidence": "growth"}}  # fmt: skip
    got = figure(spec, False, {"growth": 6.0}, None, None)
    assert (got["op"], got["value"], got["bound"]) == ("<", 6.0, 4.0)
    assert got["text"] == "growth 6x is not less than 4x"


def test_scenarios_check_what_does_not_count(policy: ir.Policy) -> None:
    (result,) = run_scenarios(policy)
    assert result.ok, result.failures


def test_scenario_expecting_not_counted_fails_when_it_counts() -> None:
    text = POLICY.replace("given jailbreak_rate = 12%", "given jailbreak_rate = 1%")
    result = compile_source("crit.rspl", text)
    assert result.policy is not None
    (outcome,) = run_scenarios(result.policy)
    assert "not counted: classifiers" in [f.expected for f in outcome.failures]


def test_eval_explain_prints_each_criterion_as_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "crit.rspl").write_text(POLICY, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(with_evidence(jailbreak_rate=0.12)), "utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "rspl", "eval", "crit.rspl", "a.json", "--explain"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert (
        "  classifiers, as rule cbrn_3 requires it, does not count: jailbreak_rate 12% is not "
        "at most 5% (§4.3)\n"
    ) in out


def test_document_shows_the_bounds(policy: ir.Policy) -> None:
    (text,) = render_markdown(policy).values()
    # the standards section
    assert "It counts only while the usage policy was reviewed" in text
    # the thresholds table: the standard (its own and inherited criteria), the requirement
    row = next(line for line in text.splitlines() if line.startswith("| CBRN-3"))
    assert "**ASL-3 Deployment** (counts only while time spent red-teaming is at least 2 weeks" \
        in row  # fmt: skip
    assert "the safeguard **Input and output classifiers** (counts only while jailbreak " \
        "success rate is at most 5% (§4.3)) for external deployment" in row  # fmt: skip
    # the rule, in sentences
    assert "and counts only while jailbreak success rate is at most 5% (§4.3)." in text
