"""`docs/tutorial-evals.md` is true: replayed step by step in an empty folder, every command
prints what the page shows, with the markers of tests/test_tutorial.py. Its `python
docs/evals/make_logs.py logs` writes real Inspect logs with inspect_ai's API; `rspl ...`
commands run in-process. `pytest tests/test_tutorial_evals.py --update-cases` rewrites the
output blocks that differ and have no `...` line."""

from __future__ import annotations

import contextlib
import io
import runpy
import shlex
import shutil
from pathlib import Path

import pytest

pytest.importorskip("inspect_ai", reason="the [inspect] extra (inspect-ai) is not installed")

from test_tutorial import ELLIPSIS, _lines, matches, parse_blocks

from rspl.cli import main as rspl_main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "tutorial-evals.md"


def _run(command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = shlex.split(command)
    capsys.readouterr()
    if argv[0] == "python":
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            module = runpy.run_path(argv[1])
            module["main"](*argv[2:])
        return 0, out.getvalue()
    assert argv[0] == "rspl", f"not an rspl or python command: {command!r}"
    status = rspl_main(argv[1:])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_the_workflow_on_the_page_is_the_sample_file() -> None:
    blocks = parse_blocks(DOC.read_text(encoding="utf-8"))
    [workflow] = [b for b in blocks if b.arg == ".github/workflows/release-gate.yml"]
    assert workflow.text == (ROOT / "docs/evals/release-gate.yml").read_text(encoding="utf-8")


def test_tutorial_replays(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_cases: bool,
) -> None:
    shutil.copytree(ROOT / "docs" / "evals", tmp_path / "docs" / "evals")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    text = DOC.read_text(encoding="utf-8")
    failures: list[str] = []
    rewrites = []
    last: tuple[int, str] | None = None
    for block in parse_blocks(text):
        where = f"docs/tutorial-evals.md:{block.first}"
        if block.kind == "file":
            assert block.arg is not None
            path = tmp_path / block.arg
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")
        elif block.kind == "run":
            command = block.text.strip()
            last = _run(command, capsys)
            if last[0] != int(block.arg or 0):
                failures.append(f"{where}: `{command}` exited with {last[0]}\n{last[1]}")
        elif block.kind == "output":
            assert last is not None
            expected, actual = _lines(block.text), _lines(last[1])
            if matches(expected, actual):
                continue
            if update_cases and ELLIPSIS not in expected:
                rewrites.append((block, "\n".join(actual)))
                continue
            failures.append(f"{where}: the output differs; the command printed:\n"
                            + "\n".join(actual))  # fmt: skip
        elif block.kind == "excerpt":
            assert block.arg is not None
            path = tmp_path / block.arg
            content = _lines(path.read_text(encoding="utf-8")) if path.exists() else []
            if not matches(_lines(block.text), content, anchored=False):
                failures.append(f"{where}: the excerpt is not in {block.arg}")
    if rewrites:
        lines = text.split("\n")
        for block, new in sorted(rewrites, key=lambda r: r[0].first, reverse=True):
            lines[block.first : block.end] = new.split("\n") if new else []
        DOC.write_text("\n".join(lines), encoding="utf-8")
    assert not failures, "\n\n".join(failures)
