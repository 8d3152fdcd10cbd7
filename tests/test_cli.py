"""The command line: exit codes, output formats, `explain`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rspl.cli import main

CLEAN = """policy p "P" { organization "O" version "1" combine highest standard per family }
import std.contexts
domain D "D" { level D1 "one" source "§1" level D2 "two" source "§1" }
family f "F" source "§3"
safeguard s "S"
standard S1 "S1" in f { includes s source "§3" }
rule r "R" { source "§2" when D >= D1 require S1 for external_deployment }
"""

BROKEN = CLEAN.replace("when D >= D1", "when D >= D3").replace("includes s", "includes t")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_policy_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", write(tmp_path, "p.rspl", CLEAN)]) == 0
    assert "ok (0 errors" in capsys.readouterr().out


def test_errors_exit_one_and_are_all_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "p.rspl", BROKEN)
    assert main(["check", "--format", "concise", path]) == 1
    lines = capsys.readouterr().out.splitlines()
    codes = {line.split(": ")[1].split()[0] for line in lines}
    assert codes == {"E0204", "E0201", "W0001"}
    assert any(line.startswith(f"{path}:7:") and "E0204" in line for line in lines)


def test_snippet_format_points_at_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--color", "never", write(tmp_path, "p.rspl", BROKEN)])
    out = capsys.readouterr().out
    assert "error[E0204]: `D` has no level `D3`" in out
    assert "rule r \"R\" { source \"§2\" when D >= D3" in out
    caret_line = next(line for line in out.splitlines() if line.strip().endswith("^^"))
    assert caret_line.index("^") == out.splitlines()[
        out.splitlines().index(caret_line) - 1
    ].index("D3")
    # `D3` is another level than `D1` or `D2`, not a misspelling of one: no did-you-mean
    assert "= help: its levels are `D1`, `D2`" in out


def test_json_format_is_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", write(tmp_path, "p.rspl", BROKEN)]) == 1
    data = json.loads(capsys.readouterr().out)
    (report,) = data["files"]
    assert report["ok"] is False and report["errors"] == 2
    first = report["diagnostics"][1]
    assert set(first) == {"code", "severity", "message", "span", "labels", "help"}
    assert first["span"]["line"] == 6


def test_usage_errors_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["check"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["check", str(tmp_path / "missing.rspl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["explain", "E9999"]) == 2


def test_not_utf8_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.rspl"
    path.write_bytes(b"policy \xff\xfe")
    assert main(["check", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_explain_prints_the_docs_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "e0201"]) == 0
    assert capsys.readouterr().out.startswith("## E0201")


def test_python_dash_m_works(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rspl", "check", "--format", "concise",
         write(tmp_path, "p.rspl", CLEAN)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_build_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["build", "-o", str(out), write(tmp_path, "p.rspl", CLEAN)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "p.assessment.schema.json", "p.decision.schema.json", "p.html", "p.md", "p.py"
    ]  # fmt: skip
    assert main(["build", "-o", str(tmp_path / "py"), "--target", "python",
                 write(tmp_path, "p.rspl", CLEAN)]) == 0  # fmt: skip
    assert [p.name for p in (tmp_path / "py").iterdir()] == ["p.py"]
    assert main(["build", "-o", str(tmp_path / "html"), "--target", "html",
                 write(tmp_path, "p.rspl", CLEAN)]) == 0  # fmt: skip
    assert [p.name for p in (tmp_path / "html").iterdir()] == ["p.html"]


def test_build_refuses_a_policy_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["build", "-o", str(out), write(tmp_path, "p.rspl", BROKEN)]) == 1
    assert "nothing was built" in capsys.readouterr().err
    assert not out.exists()


def test_eval_decides_and_rejects_bad_assessments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.rspl", CLEAN)
    good = write(tmp_path, "a.json", json.dumps({"determinations": {"D": "D1"}}))
    assert main(["eval", policy, good, "--context", "external_deployment"]) == 0
    text = capsys.readouterr().out
    assert "external_deployment: BLOCKED" in text and "- missing s" in text
    assert main(["eval", policy, good, "--format", "json", "--explain"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["verdicts"]["external_deployment"]["permitted"] is False
    assert decision["explanation"][0]["status"] == "triggered"
    bad = write(tmp_path, "b.json", json.dumps({"determinations": {"D": "D9"}}))
    assert main(["eval", policy, bad]) == 1
    assert "determinations.D.reached: expected a level: D1, D2" in capsys.readouterr().err
    assert main(["eval", policy, write(tmp_path, "c.json", "{not json")]) == 2
    deep = "[" * 100_000 + "]" * 100_000
    capsys.readouterr()
    assert main(["eval", policy, write(tmp_path, "d.json", deep)]) == 2
    assert "nested too deeply" in capsys.readouterr().err
    sneaky = {"determinations": {"x\nrspl: ok, deployment permitted\x1b[0m": "D1"}}
    assert main(["eval", policy, write(tmp_path, "e.json", json.dumps(sneaky))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "x\\nrspl" in err


SOFT = """policy p "P" { organization "O" version "1" combine highest standard per family }
import std.contexts, std.actions
role Board "Board"
evidence flag: fact "F"
evidence filing: date "The filing deadline"
rule r "R" {
  source "§1"
  when flag
  must notify Board promptly
  must review regularly
  must report due filing
  must publish due at external_deployment
}
"""


def test_eval_reports_soft_and_event_deadlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.rspl", SOFT)
    good = write(tmp_path, "a.json", json.dumps({"evidence": {"flag": True}}))
    assert main(["eval", policy, good, "--context", "training"]) == 0
    text = capsys.readouterr().out
    assert "must notify Board: open, no fixed deadline: promptly (r)" in text
    assert "must review: open, no fixed deadline: regularly (r)" in text
    assert "must report due filing: due (r)" in text  # the date is not given: fail-closed
    assert "must publish due at external_deployment: open (r)" in text
    assert "still to be determined:\n  filing" in text
    assert main(["eval", policy, good, "--context", "external_deployment"]) == 0
    assert "must publish due at external_deployment: due (r)" in capsys.readouterr().out


def test_a_broken_template_is_reported_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.rspl", CLEAN)
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "policy.md.j2").write_text("# {{ doc.title }}\n", encoding="utf-8")
    assert main(["build", "-o", str(tmp_path / "o"), "--templates", str(templates), policy]) == 2
    assert "a Markdown template failed" in capsys.readouterr().err
    (templates / "policy.md.j2").write_text("{% if %}", encoding="utf-8")
    assert main(["build", "-o", str(tmp_path / "o"), "--templates", str(templates), policy]) == 2
    assert "policy.md.j2:1:" in capsys.readouterr().err
    assert main(["build", "-o", str(tmp_path / "o"), "--templates", "nowhere", policy]) == 2


# ---------------------------------------------------------------------------- many files, stdin


def test_a_folder_stands_for_its_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder is every `.rspl` file under it, sorted; hidden folders are skipped."""
    write(tmp_path, "b.rspl", CLEAN)
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/a.rspl", CLEAN.replace("policy p", "policy q"))
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".git/broken.rspl", BROKEN)
    write(tmp_path, "notes.txt", "not a policy")
    assert main(["check", "--format", "json", str(tmp_path)]) == 0
    files = [r["file"] for r in json.loads(capsys.readouterr().out)["files"]]
    assert files == [str(tmp_path / "b.rspl"), str(tmp_path / "sub" / "a.rspl")]
    assert main(["test", str(tmp_path)]) == 0
    assert "0 passed, 0 failed" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 2
    assert "no .rspl files in this folder" in capsys.readouterr().err


def test_a_pattern_the_shell_left_alone_is_expanded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "one.rspl", CLEAN)
    write(tmp_path, "two.rspl", BROKEN)
    assert main(["check", "--format", "concise", str(tmp_path / "*.rspl")]) == 1
    out = capsys.readouterr().out
    assert "two.rspl" in out and "E0204" in out
    assert main(["check", str(tmp_path / "**" / "none*.rspl")]) == 2
    assert "matches no file" in capsys.readouterr().err


def test_dash_reads_the_policy_or_the_assessment_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(BROKEN))
    assert main(["check", "--format", "concise", "-"]) == 1
    assert "<stdin>:6:" in capsys.readouterr().out
    policy = write(tmp_path, "p.rspl", CLEAN)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"determinations": {"D": "D1"}}'))
    assert main(["eval", "--format", "json", policy, "-"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["verdicts"]["external_deployment"]["permitted"] is False
    assert main(["eval", "-", "-"]) == 2
    assert "cannot both be `-`" in capsys.readouterr().err


def test_init_writes_a_policy_that_checks_and_passes_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new"
    assert main(["init", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [".pre-commit-config.yaml", "policy.rspl"]
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    assert "ok (0 errors, 0 warnings)" in capsys.readouterr().out
    assert main(["test", str(folder)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    before = (folder / "policy.rspl").read_text()
    (folder / ".pre-commit-config.yaml").unlink()
    assert main(["init", str(folder)]) == 2
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert (folder / "policy.rspl").read_text() == before
    assert not (folder / ".pre-commit-config.yaml").exists()


def test_github_format_writes_escaped_workflow_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One annotation per diagnostic; a value with `%`, `,`, `:` or a line break cannot end
    the command or start another."""
    from rspl.diagnostics import Diagnostic, Severity
    from rspl.render import github
    from rspl.spans import Span

    path = write(tmp_path, "p.rspl", BROKEN)
    assert main(["check", "--format", "github", path]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert any(",title=E0204 unknown-level::" in line for line in lines)
    hostile = Diagnostic("E0201", Severity.ERROR, "bad\n::error::forged 100%",
                         Span("a,b:c.rspl", 0, 1, 1, 1, 1, 2))  # fmt: skip
    shown = github(hostile)
    assert "\n" not in shown and shown.startswith("::error file=")
    assert "file=a%2Cb%3Ac.rspl," in shown and shown.endswith("::bad%0A::error::forged 100%25")
