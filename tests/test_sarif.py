"""`--format sarif` (of `rspl check` and `rspl lint`) validates against the SARIF 2.1.0
schema, vendored in `tests/sarif/` (see its README for the source), and carries what a
code-scanning tool needs: one rule per code with its help, one result per diagnostic with its
file, line and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rspl.cli import main as rspl_main
from rspl.diagnostics import CODES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
# The schema as published (byte for byte) in the npm package @microsoft/jest-sarif
# 1.0.0-beta.0, lib/schemas/sarif-2.1.0-rtm.5.json (SchemaStore's SARIF 2.1.0 schema): every
# log is validated against it too.
PUBLISHED = json.loads(
    (ROOT / "tests" / "sarif" / "sarif-schema-2.1.0-rtm.5.json").read_text("utf-8")
)
CASES = sorted((ROOT / "tests" / "cases").glob("*.rspl"))


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    rspl_main([*args])
    log: dict[str, Any] = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    jsonschema.Draft4Validator(PUBLISHED).validate(log)
    return log


def test_the_schema_is_a_draft_4_schema() -> None:
    for schema in (SCHEMA, PUBLISHED):
        jsonschema.Draft4Validator.check_schema(schema)
        assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_schema_rejects_what_it_should() -> None:
    """The vendored schema does validate: a result without a message is refused."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    for schema in (SCHEMA, PUBLISHED):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft4Validator(schema).validate(bad)


def test_check_sarif_of_every_case_file_validates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "tests" / "cases")
    log = sarif(capsys, "check", "--format", "sarif", *(p.name for p in CASES))
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) > 50, "the case files report many problems"
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] == rule["defaultConfiguration"]["level"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    for rule in rules:
        code = CODES[rule["id"]]
        assert rule["name"] == code.slug
        assert rule["shortDescription"]["text"] == code.summary
        assert rule["helpUri"] == f"docs/diagnostics.md#{code.code.lower()}-{code.slug}"
        assert f"rspl explain {code.code}" in rule["help"]["text"]


def test_check_sarif_points_at_the_diagnostic(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "tests" / "cases")
    capsys.readouterr()
    rspl_main(["check", "--format", "concise", "deadlines.rspl"])
    concise = capsys.readouterr().out.splitlines()
    log = sarif(capsys, "check", "--format", "sarif", "deadlines.rspl")
    results = log["runs"][0]["results"]
    assert len(results) == len(concise)
    for line, result in zip(concise, results, strict=True):
        where = result["locations"][0]["physicalLocation"]
        region = where["region"]
        prefix = f"{where['artifactLocation']['uri']}:{region['startLine']}:"
        prefix += f"{region['startColumn']}: {result['ruleId']} "
        assert line.startswith(prefix)
        assert result["message"]["text"].startswith(line[len(prefix) :])


def test_a_clean_file_gives_a_run_with_no_results(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "tests" / "cases")
    log = sarif(capsys, "check", "--format", "sarif", "clean.rspl")
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_lint_sarif_validates_for_every_example_and_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    examples = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("examples/*.rspl"))
    profiles = [a for name in ("seoul", "metr", "sb53") for a in ("--profile", name)]
    log = sarif(capsys, "lint", "--format", "sarif", *profiles, *examples)
    (run,) = log["runs"]
    assert run["properties"]["profiles"] == ["seoul", "metr", "sb53"]
    assert {r["ruleId"] for r in run["results"]} <= {"W0050", "W0051"}
    assert run["results"], "the examples lack some elements"
    where = [r["locations"][0]["physicalLocation"] for r in run["results"]]
    files = {w["artifactLocation"]["uri"] for w in where}
    assert files <= set(examples)


def test_a_bad_profile_in_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text("[profile\n", encoding="utf-8")
    log = sarif(capsys, "lint", "--format", "sarif", "--profile", "bad.toml", "x.rspl")
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "E1911" and result["level"] == "error"
