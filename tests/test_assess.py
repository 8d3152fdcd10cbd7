"""`rspl assess` and `rspl gate` on real Inspect logs, written by inspect_ai's own API
(`write_eval_log`, through `docs/evals/make_logs.py`): failed, cancelled, unfinished and stale
runs, several epochs, several models, two versions of a task. Fail-closed throughout: a figure
the logs cannot vouch for is left unknown, with the reason in its provenance record."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("inspect_ai", reason="the [inspect] extra (inspect-ai) is not installed")

import jsonschema
from strategies import compile_policy, load_module

from rspl import interpreter
from rspl.assess import assess
from rspl.backends.jsonschema import assessment_schema, decision_schema
from rspl.bindings import read_bindings
from rspl.cli import main as rspl_main
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
OPENAI = ROOT / "examples" / "openai-preparedness-v2.rspl"
OPENAI_BINDINGS = ROOT / "examples" / "openai-preparedness-v2.bindings.toml"


def _make_logs() -> Any:
    spec = importlib.util.spec_from_file_location("make_logs", ROOT / "docs/evals/make_logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_logs"] = module
    spec.loader.exec_module(module)
    return module


write_log = _make_logs().write_log

POLICY = """\
policy evals "Evals" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
import std.contexts

role EvalTeam "Evaluations team"

evidence cyber: fraction "Cyber success rate" decided by EvalTeam source "§1"
evidence bio_flag: fact "The biology screen flags the model" source "§1"
evidence attack: fraction per attack (gcg, pair) "Jailbreak success" source "§1"

safeguard monitoring "Usage monitoring" source "§2"

rule cyber_capable "Cyber-capable" {
  source "§2"
  when cyber >= 50% or bio_flag or any attack > 10%
  require monitoring for external_deployment
}
"""
M = "lab/model-a"


def bindings_for(text: str, policy: Any) -> Any:
    found, problems = read_bindings("b.toml", text, policy)
    errors = [d for d in problems if d.severity.value == "error"]
    assert found is not None and not errors, [d.message for d in problems]
    return found


def run(tmp: Path, bindings: str, *, as_of: str = "2025-09-01",
        given: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    import datetime

    policy = compile_policy(POLICY)
    out = assess(policy, bindings_for(bindings, policy), [str(tmp / "logs")],
                 as_of=datetime.date.fromisoformat(as_of), given=given)  # fmt: skip
    interpreter.evaluate(policy, out[0])  # valid: never raises
    return out


CYBER = f"""
[assess]
model = "{M}"
not_measured = ["bio_flag", "attack"]

[evidence.cyber]
task = "cyber_range"
scorer = "match"
metric = "accuracy"
"""


def test_latest_successful_log_of_the_model(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_log(logs / "a.eval", task="cyber_range", model=M, metrics={"accuracy": 0.3},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    write_log(logs / "b.eval", task="cyber_range", model=M, metrics={"accuracy": 0.4},
              created="2025-08-02T09:00:00+00:00")  # fmt: skip
    write_log(logs / "c.eval", task="cyber_range", model=M, status="error", metrics={},
              created="2025-08-03T09:00:00+00:00")  # fmt: skip
    write_log(logs / "d.eval", task="cyber_range", model=M, status="cancelled", metrics={},
              created="2025-08-04T09:00:00+00:00")  # fmt: skip
    write_log(logs / "nested" / "e.eval", task="cyber_range", model=M, status="started",
              metrics={}, created="2025-08-05T09:00:00+00:00")  # fmt: skip
    write_log(logs / "f.eval", task="cyber_range", model="lab/model-b",
              metrics={"accuracy": 0.9}, created="2025-08-06T09:00:00+00:00")  # fmt: skip
    assessment, notes = run(tmp_path, CYBER)
    assert assessment["evidence"] == {"cyber": 0.4}
    record = assessment["provenance"]["cyber"]
    assert record["status"] == "measured" and record["reason"] is None
    [run_] = record["runs"]
    assert run_["log"] == str(logs / "b.eval") and run_["model"] == M
    assert run_["created"] == "2025-08-02T09:00:00+00:00" and len(run_["sha256"]) == 64
    assert run_["eval_id"] == "cyber_range-lab-model-a-2025-08-02"
    assert notes == [f"cyber = 0.4 (accuracy) from {logs / 'b.eval'}"]


def test_failed_and_cancelled_runs_leave_the_evidence_unknown(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_log(logs / "c.eval", task="cyber_range", model=M, status="error", metrics={},
              created="2025-08-03T09:00:00+00:00")  # fmt: skip
    write_log(logs / "d.eval", task="cyber_range", model=M, status="cancelled", metrics={},
              created="2025-08-04T09:00:00+00:00")  # fmt: skip
    write_log(logs / "f.eval", task="cyber_range", model="lab/model-b",
              metrics={"accuracy": 0.9}, created="2025-08-06T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER)
    assert "cyber" not in assessment["evidence"]  # never a default value
    record = assessment["provenance"]["cyber"]
    assert record["status"] == "unknown" and record["runs"] == []
    assert record["reason"] == (
        f"no successful log of task cyber_range for {M}: {logs / 'd.eval'} has status "
        f"cancelled; {logs / 'c.eval'} has status error"
    )


def test_a_run_that_stopped_early_is_not_used(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model=M, metrics={"accuracy": 0.1},
              completed=4, created="2025-08-01T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER)
    assert assessment["evidence"] == {}
    assert "only 4 of 10 samples completed" in assessment["provenance"]["cyber"]["reason"]


def test_a_missing_task_or_model(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model="lab/model-b",
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER)
    assert assessment["provenance"]["cyber"]["reason"] == (
        f"no log of task cyber_range for {M} (logs found for lab/model-b)"
    )


def test_a_stale_log_leaves_the_evidence_unknown(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model=M, metrics={"accuracy": 0.3},
              created="2025-06-01T09:00:00+00:00")  # fmt: skip
    stale = CYBER.replace("not_measured", "max_age_days = 30\nnot_measured")
    assessment, _ = run(tmp_path, stale, as_of="2025-07-01")
    assert assessment["evidence"] == {"cyber": 0.3}  # 30 days: not older than the limit
    assessment, _ = run(tmp_path, stale, as_of="2025-07-02")
    record = assessment["provenance"]["cyber"]
    assert assessment["evidence"] == {} and record["status"] == "unknown"
    assert record["reason"].endswith("is 31 days old, more than max_age_days 30")
    assert [r["log"] for r in record["runs"]] == [str(tmp_path / "logs/a.eval")]


def test_two_versions_of_a_task(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_log(logs / "v2.eval", task="cyber_range", model=M, task_version=2,
              metrics={"accuracy": 0.2}, created="2025-08-01T09:00:00+00:00")  # fmt: skip
    write_log(logs / "v1.eval", task="cyber_range", model=M, task_version=1,
              metrics={"accuracy": 0.7}, created="2025-08-05T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER)
    assert assessment["evidence"] == {"cyber": 0.7}  # no version named: the latest
    pinned = CYBER.replace('metric = "accuracy"', 'metric = "accuracy"\ntask_version = 2')
    assessment, _ = run(tmp_path, pinned)
    assert assessment["evidence"] == {"cyber": 0.2}
    assert assessment["provenance"]["cyber"]["runs"][0]["task_version"] == 2
    assessment, _ = run(tmp_path, pinned.replace("task_version = 2", "task_version = 3"))
    assert assessment["provenance"]["cyber"]["reason"] == (
        f"no log of task cyber_range version 3 for {M} (logs found for {M})"
    )


def test_several_epochs_and_a_sample_filter(tmp_path: Path) -> None:
    samples = [
        ("s1", {"area": "cyber"}, ["C", "C", "I"]),  # 2/3
        ("s2", {"area": "cyber"}, ["I", "I", "I"]),  # 0
        ("s3", {"area": "bio"}, ["C", "C", "C"]),  # 1, filtered out
    ]
    write_log(tmp_path / "logs/a.eval", task="suite", model=M, samples=samples,
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    text = CYBER.replace('"cyber_range"', '"suite"')
    text += 'samples = { metadata = { area = "cyber" } }\n'
    assessment, _ = run(tmp_path, text)
    assert assessment["evidence"]["cyber"] == pytest.approx(1 / 3)
    by_id = text.replace('metadata = { area = "cyber" }', 'ids = ["s3"]')
    assessment, _ = run(tmp_path, by_id)
    assert assessment["evidence"]["cyber"] == 1.0
    nothing = text.replace('"cyber" }', '"chem" }')
    assessment, _ = run(tmp_path, nothing)
    assert "no sample matches the filter" in assessment["provenance"]["cyber"]["reason"]


def test_scorer_metric_and_range_problems_are_unknown(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model=M,
              metrics={"accuracy": 0.5, "rate": 150.0},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER.replace('"match"', '"judge"'))
    assert assessment["provenance"]["cyber"]["reason"].endswith("has no scorer judge")
    assessment, _ = run(tmp_path, CYBER.replace('"accuracy"', '"f1"\nunit = "fraction"'))
    assert assessment["provenance"]["cyber"]["reason"].endswith(
        "has no metric f1 of scorer match (accuracy, rate)"
    )
    percent = CYBER.replace('"accuracy"', '"rate"\nunit = "percent"')
    assessment, _ = run(tmp_path, percent)
    assert assessment["evidence"] == {}  # 150% is no rate: never clamped to 100%
    assert "rate is 150, outside the range of a percent metric" in (
        assessment["provenance"]["cyber"]["reason"]
    )


def test_facts_families_and_aggregates(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_log(logs / "bio.eval", task="bio", model=M, metrics={"accuracy": 0.45},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    write_log(logs / "jb.eval", task="jailbreaks", model=M, scorer="judge",
              metrics={"gcg": 2.0, "pair": 12.0}, created="2025-08-01T09:00:00+00:00")
    write_log(logs / "r1.eval", task="range_a", model=M, metrics={"accuracy": 0.2},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    write_log(logs / "r2.eval", task="range_b", model=M, metrics={"accuracy": 0.6},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    text = f"""
[assess]
model = "{M}"

[evidence.cyber]
tasks = ["range_a", "range_b"]
aggregate = "mean"
scorer = "match"
metric = "accuracy"

[evidence.bio_flag]
task = "bio"
scorer = "match"
metric = "accuracy"
true_when = ">= 0.5"

[evidence.attack]
task = "jailbreaks"
scorer = "judge"
unit = "percent"

[evidence.attack.members]
gcg = "gcg"
pair = {{ metric = "pair" }}
"""
    assessment, _ = run(tmp_path, text)
    assert assessment["evidence"] == {
        "attack": {"gcg": 0.02, "pair": 0.12}, "bio_flag": False, "cyber": 0.4,
    }  # fmt: skip
    assert sorted(assessment["provenance"]) == ["attack.gcg", "attack.pair", "bio_flag", "cyber"]
    assert [r["task"] for r in assessment["provenance"]["cyber"]["runs"]] == ["range_a", "range_b"]
    (logs / "r2.eval").unlink()  # one task of the aggregate has no log: the figure is unknown
    assessment, _ = run(tmp_path, text)
    assert "cyber" not in assessment["evidence"]
    assert assessment["provenance"]["cyber"]["reason"] == f"no log of task range_b for {M}"


def test_determinations_are_merged_unchanged_and_never_replace_a_figure(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model=M, metrics={"accuracy": 0.3},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    given = {"implemented": ["monitoring"], "evidence": {"bio_flag": True}}
    assessment, _ = run(tmp_path, CYBER, given=given)
    assert assessment["implemented"] == ["monitoring"] and assessment["as_of"] == "2025-09-01"
    assert assessment["evidence"] == {"bio_flag": True, "cyber": 0.3}
    from rspl.assess import AssessError

    with pytest.raises(AssessError, match="which the bindings measure"):
        run(tmp_path, CYBER, given={"evidence": {"cyber": 0.0}})
    with pytest.raises(AssessError, match="has the key 'provenance'"):
        run(tmp_path, CYBER, given={"provenance": {}})


def test_both_engines_carry_the_provenance_into_the_decision(tmp_path: Path) -> None:
    write_log(tmp_path / "logs/a.eval", task="cyber_range", model=M, metrics={"accuracy": 0.3},
              created="2025-08-01T09:00:00+00:00")  # fmt: skip
    assessment, _ = run(tmp_path, CYBER)
    policy = compile_policy(POLICY)
    reference = interpreter.evaluate(policy, assessment)
    generated = load_module(policy).evaluate(assessment).to_dict()
    assert reference == generated
    assert reference["provenance"] == assessment["provenance"]
    jsonschema.validate(assessment, assessment_schema(policy))
    jsonschema.validate(reference, decision_schema(policy))


# ---------------------------------------------------------------------------- the example policy


SAG = {  # the roles' part: the Safety Advisory Group's determinations and judgements
    "determinations": {d: {} for d in (
        "Bio_Chem", "Cyber", "Self_Improvement", "Long_Range_Autonomy", "Sandbagging",
        "Autonomous_Replication", "Undermining_Safeguards", "Nuclear_Radiological")},
    "evidence": {
        "frontier_model_for_external_deployment": True, "critical_forecast": False,
        "superhuman_research_agent": False, "competitor_without_safeguards": False,
        "safeguards_adjusted": False, "last_framework_review": "2025-04-15",
        "sag_term_start": "2025-06-01",
    },
    "done": [{"rule": "capability_assessment", "action": "decide"},
             {"rule": "capability_assessment", "action": "fine_tune_and_evaluate"}],
}  # fmt: skip


def openai_logs(folder: Path, *, bio_status: str = "success") -> None:
    model = "openai/frontier-1"
    when = "2025-08-25T09:00:00+00:00"
    write_log(folder / "bio.eval", task="biorisk_longform", model=model, status=bio_status,
              scorer="model_graded_fact", metrics={"accuracy": 0.1} if bio_status == "success"
              else {}, created=when)  # fmt: skip
    write_log(folder / "ctf.eval", task="ctf_professional", model=model, scorer="includes",
              metrics={"accuracy": 0.3}, created=when)  # fmt: skip
    write_log(folder / "range.eval", task="cyber_range", model=model, scorer="includes",
              metrics={"accuracy": 0.1}, created=when)  # fmt: skip
    samples = [(f"s{i}", {"kind": "pull_request" if i < 4 else "issue"}, ["I", "C"])
               for i in range(6)]  # fmt: skip
    write_log(folder / "research.eval", task="research_engineering", model=model,
              samples=samples, created=when)  # fmt: skip
    write_log(folder / "forecast.eval", task="generation_forecast", model=model,
              scorer="forecast", metrics={"ratio_percent": 60.0}, created=when)  # fmt: skip
    write_log(folder / "old-bio.eval", task="biorisk_longform", model=model,
              scorer="model_graded_fact", metrics={"accuracy": 0.9},
              created="2025-06-01T09:00:00+00:00")  # fmt: skip


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    status = rspl_main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_example_policy_from_logs_to_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    openai_logs(tmp_path / "logs")
    (tmp_path / "sag.json").write_text(json.dumps(SAG), encoding="utf-8")
    base = ["assess", str(OPENAI), "--bindings", str(OPENAI_BINDINGS),
            "--determinations", "sag.json", "--as-of", "2025-09-01"]  # fmt: skip
    status, _, err = cli([*base, "-o", "assessment.json", "logs"], capsys)
    assert status == 0, err
    assessment = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))
    policy = compile_file(str(OPENAI)).policy
    assert policy is not None
    jsonschema.validate(assessment, assessment_schema(policy))
    ev = assessment["evidence"]
    assert ev["bio_indicative_crossed"] is False  # 0.1: the 0.9 run is older
    assert ev["cyber_indicative_crossed"] is False  # max(0.3, 0.1) < 0.5
    assert ev["self_improvement_indicative_crossed"] is False  # 0.5 < 0.6 on pull requests
    assert ev["generation_time_ratio"] == pytest.approx(0.6)
    note = "assess: generation_time_ratio = 0.6 (ratio_percent 60 percent) from logs/forecast.eval"
    assert note in err
    gate = ["gate", str(OPENAI), "assessment.json", "--context", "external_deployment"]
    status, out, _ = cli([*gate, "--junit", "report.xml"], capsys)
    assert (status, out.splitlines()[0]) == (0, "external_deployment: permitted")
    junit = (tmp_path / "report.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit
    # The SAG then determines High biological capability: High safeguards are missing.
    blocked = {**assessment, "determinations": {**assessment["determinations"],
                                                "Bio_Chem": "High"}}  # fmt: skip
    (tmp_path / "blocked.json").write_text(json.dumps(blocked), encoding="utf-8")
    status, out, _ = cli(["gate", str(OPENAI), "blocked.json", "--context",
                          "external_deployment", "--format", "json", "--junit", "report.xml"],
                         capsys)  # fmt: skip
    answer = json.loads(out)
    assert status == 1 and answer["permitted"] is False
    reasons = answer["contexts"]["external_deployment"]["reasons"]
    assert reasons and all(isinstance(r, str) for r in reasons)
    junit = (tmp_path / "report.xml").read_text(encoding="utf-8")
    assert f'failures="{len(reasons)}"' in junit and "<failure" in junit
    # Not a valid assessment, or not a policy: 2.
    (tmp_path / "bad.json").write_text('{"evidence": {"generation_time_ratio": 60}}', "utf-8")
    status, _, err = cli(["gate", str(OPENAI), "bad.json", "--context", "training"], capsys)
    assert status == 2 and "evidence.generation_time_ratio" in err
    (tmp_path / "broken.rspl").write_text("policy x {", encoding="utf-8")
    status, _, _ = cli(["gate", "broken.rspl", "assessment.json", "--context", "training"],
                       capsys)  # fmt: skip
    assert status == 2


def test_example_policy_failed_log_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    openai_logs(tmp_path / "logs", bio_status="error")
    (tmp_path / "sag.json").write_text(json.dumps(SAG), encoding="utf-8")
    status, _, err = cli(["assess", str(OPENAI), "--bindings", str(OPENAI_BINDINGS),
                          "--determinations", "sag.json", "--as-of", "2025-09-01", "-o",
                          "a.json", "logs"], capsys)  # fmt: skip
    assert status == 0
    assessment = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    # The failed run is the latest; the successful one before it is older than 30 days.
    assert "bio_indicative_crossed" not in assessment["evidence"]
    reason = assessment["provenance"]["bio_indicative_crossed"]["reason"]
    assert reason.startswith("logs/old-bio.eval (created 2025-06-01) is 92 days old"), reason
    assert f"assess: bio_indicative_crossed unknown: {reason}" in err
    status, out, _ = cli(["gate", str(OPENAI), "a.json", "--context", "external_deployment",
                          "--format", "json"], capsys)  # fmt: skip
    answer = json.loads(out)
    needed = {n["input"]: n for n in answer["needed"]}
    assert needed["bio_indicative_crossed"]["reason"] == reason
    decision = interpreter.evaluate(compile_file(str(OPENAI)).policy, assessment)
    assert "bio_indicative_crossed" in {n["input"] for n in decision["needed"]}
    rules = {r["name"]: r for r in decision["rules"]}
    assert rules["bio_indicative"]["status"] == "precautionary"


def test_assess_refuses_a_log_path_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = cli(["assess", str(OPENAI), "--bindings", str(OPENAI_BINDINGS), "nope"],
                         capsys)  # fmt: skip
    assert status == 2 and "nope: no such log file or folder" in err
