"""`docs/tutorial.md` is true: replaying it, step by step, gives exactly the outputs it shows.

The tutorial marks each fenced block with an HTML comment on the last non-blank line before
its opening fence:

- `<!-- file: NAME -->`: the block is the whole of file NAME (a later block with the same name
  replaces the file);
- `<!-- run -->` or `<!-- run exit=N -->`: a `sh` block holding one `rspl ...` command, which
  must exit with status N (default 0);
- `<!-- output -->`: the block right after a run block, exactly what the command prints
  (stdout, then stderr);
- `<!-- excerpt: PATH -->`: lines found next to each other, in this order, in the file PATH
  written by an earlier command.

In output and excerpt blocks a line `...` stands for any number of lines, and trailing
whitespace is ignored. The replay happens in a fresh folder, in document order, running each
command in-process through `rspl.cli.main`. `pytest tests/test_tutorial.py --update-cases`
rewrites the output blocks that differ and have no `...` line.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import pytest

from rspl.cli import main as rspl_main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "tutorial.md"

_MARK_RE = re.compile(r"^<!-- (file|run|output|excerpt)(?:(?: exit=|: )(\S+))? -->$")
_LINK_RE = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
ELLIPSIS = "..."


@attrs.frozen
class Block:
    """A fenced block with its marker: `kind` is file, run, output or excerpt; `arg` the file
    name, the exit status or the excerpt's path; `first`/`end` the doc lines (0-based) of its
    first line and closing fence."""

    kind: str
    arg: str | None
    info: str
    text: str
    first: int
    end: int

    @property
    def where(self) -> str:
        return f"docs/tutorial.md:{self.first}"


def parse_blocks(text: str) -> list[Block]:
    """Every fenced block of the page, in order. A block without a marker is an error, so that
    nothing shown on the page escapes the test."""
    lines = text.split("\n")
    blocks: list[Block] = []
    previous = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            info = line[3:].strip()
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            assert end < len(lines), f"docs/tutorial.md:{i + 1}: unclosed fence"
            mark = _MARK_RE.match(previous.strip())
            assert mark, f"docs/tutorial.md:{i + 1}: a fenced block without a marker comment"
            body = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(mark.group(1), mark.group(2), info, body, i + 1, end))
            previous = ""
            i = end + 1
            continue
        if line.strip():
            previous = line
        i += 1
    return blocks


def _lines(text: str) -> list[str]:
    out = [line.rstrip() for line in text.split("\n")]
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], actual: list[str], *, anchored: bool = True) -> bool:
    """Whether `actual` is `expected` with each `...` line standing for any run of lines;
    unanchored, `expected` may also start and end anywhere in `actual`."""
    if not anchored:
        expected = [ELLIPSIS, *expected, ELLIPSIS]
    segments: list[list[str]] = [[]]
    for line in expected:
        if line == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return expected == actual
    head, *middle, tail = segments
    if actual[: len(head)] != head or len(actual) < len(head) + len(tail):
        return False
    if tail and actual[len(actual) - len(tail) :] != tail:
        return False
    pos, stop = len(head), len(actual) - len(tail)
    for segment in middle:
        found = next(
            (
                at
                for at in range(pos, stop - len(segment) + 1)
                if actual[at : at + len(segment)] == segment
            ),
            None,
        )
        if found is None:
            return False
        pos = found + len(segment)
    return True


def test_matches_ellipsis() -> None:
    assert matches(["a", "b"], ["a", "b"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a", ELLIPSIS], ["a", "b", "c"])
    assert matches(["a", ELLIPSIS, "c"], ["a", "c"])
    assert matches([ELLIPSIS, "b", ELLIPSIS, "d"], ["a", "b", "c", "d"])
    assert not matches(["a", ELLIPSIS, "a"], ["a"])
    assert not matches(["b", ELLIPSIS], ["a", "b"])
    assert matches(["b", "c"], ["a", "b", "c", "d"], anchored=False)
    assert not matches(["b", "d"], ["a", "b", "c", "d"], anchored=False)


def test_every_run_has_its_output() -> None:
    blocks = parse_blocks(DOC.read_text(encoding="utf-8"))
    for index, block in enumerate(blocks):
        nxt = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == "run":
            assert block.info == "sh", f"{block.where}: a command goes in a ```sh block"
            assert nxt is not None and nxt.kind == "output", (
                f"{block.where}: a command must be followed by its output"
            )
            assert (block.arg or "0").isdigit(), f"{block.where}: exit=N takes a number"
        if block.kind == "output":
            assert index > 0 and blocks[index - 1].kind == "run", (
                f"{block.where}: an output block must follow a command"
            )
        if block.kind in ("file", "excerpt"):
            assert block.arg, f"{block.where}: the marker must name a file"


def test_links_resolve() -> None:
    for target in _LINK_RE.findall(DOC.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        assert (DOC.parent / target).exists(), f"docs/tutorial.md links to missing {target}"


def _run(command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv and argv[0] == "rspl", f"not an rspl command: {command!r}"
    capsys.readouterr()
    status = rspl_main(argv[1:])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_tutorial_replays(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_cases: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    text = DOC.read_text(encoding="utf-8")
    blocks = parse_blocks(text)
    failures: list[str] = []
    rewrites: list[tuple[Block, str]] = []
    last: tuple[int, str] | None = None
    for block in blocks:
        if block.kind == "file":
            assert block.arg is not None
            (tmp_path / block.arg).write_text(block.text, encoding="utf-8")
        elif block.kind == "run":
            command = block.text.strip()
            assert "\n" not in command, f"{block.where}: one command per block"
            last = _run(command, capsys)
            expected_status = int(block.arg or 0)
            if last[0] != expected_status:
                failures.append(
                    f"{block.where}: `{command}` exited with {last[0]}, "
                    f"the tutorial says {expected_status}\n{last[1]}"
                )
        elif block.kind == "output":
            assert last is not None
            expected, actual = _lines(block.text), _lines(last[1])
            if matches(expected, actual):
                continue
            if update_cases and ELLIPSIS not in expected:
                rewrites.append((block, "\n".join(actual)))
                continue
            failures.append(
                f"{block.where}: the output differs; the command printed:\n" + "\n".join(actual)
            )
        elif block.kind == "excerpt":
            assert block.arg is not None
            path = tmp_path / block.arg
            if not path.exists():
                failures.append(f"{block.where}: no file {block.arg} was written")
                continue
            content = _lines(path.read_text(encoding="utf-8"))
            if not matches(_lines(block.text), content, anchored=False):
                failures.append(f"{block.where}: the excerpt is not in {block.arg}")
    if rewrites:
        lines = text.split("\n")
        for block, new in sorted(rewrites, key=lambda r: r[0].first, reverse=True):
            lines[block.first : block.end] = new.split("\n")
        DOC.write_text("\n".join(lines), encoding="utf-8")
    assert not failures, "\n\n".join(failures)
