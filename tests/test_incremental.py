"""The language server's incremental re-parse (`rspl.incremental`) gives exactly what a full
parse gives: the same declarations, the same spans, the same diagnostics, on random edits of
every example, and it re-parses incrementally when it can."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import attrs
import pytest

from rspl.diagnostics import Reporter
from rspl.incremental import DocumentParser
from rspl.loader import build_module
from rspl.spans import Span

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))
# what edits insert: name characters, spaces, line breaks, and characters that open or close
# comments, strings and blocks
PIECES = ["x", "_", "1", " ", "\n", "#", '"', "{", "}", "(", ")", ",", "rule ", "require "]


def _spans(node: Any, out: list[tuple[int, int, int, int, int, int]]) -> None:
    if isinstance(node, Span):
        out.append((node.start, node.end, node.line, node.column, node.end_line, node.end_column))
    elif isinstance(node, tuple):
        for x in node:
            _spans(x, out)
    elif attrs.has(type(node)):
        for f in attrs.fields(type(node)):
            _spans(getattr(node, f.name), out)


def _full(label: str, text: str) -> tuple[Any, ...]:
    held = Reporter()
    module = build_module(label, label, text, held, False)
    spans: list[tuple[int, int, int, int, int, int]] = []
    _spans(module.items, spans)
    return module.items, spans, sorted(d.to_dict().__repr__() for d in held.diagnostics)


def _edit(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    if rng.random() < 0.4:  # harmless almost anywhere: blanks, a comment, a longer name
        at = text.find(rng.choice(["\n", " ", "_"]), at)
        at = len(text) if at < 0 else at
        return text[:at] + rng.choice([" ", "\n", "\n# note\n", "x"]) + text[at:]
    if rng.random() < 0.5:  # insert
        return text[:at] + rng.choice(PIECES) + text[at:]
    return text[:at] + text[at + rng.randint(1, 3) :]  # delete


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_incremental_equals_full(path: Path) -> None:
    rng = random.Random(path.stem)
    label = str(path)
    text = path.read_text(encoding="utf-8")
    doc = DocumentParser()
    doc.parse(label, label, text, Reporter(), False)
    clean = text
    for step in range(45):
        text = _edit(rng, clean if step % 3 == 0 else text)
        held = Reporter()
        module = doc.parse(label, label, text, held, False)
        spans: list[tuple[int, int, int, int, int, int]] = []
        _spans(module.items, spans)
        got = module.items, spans, sorted(d.to_dict().__repr__() for d in held.diagnostics)
        assert got == _full(label, text)
        if not held.has_errors:
            clean = text
    assert doc.reused > 0


def test_one_character_edit_is_incremental() -> None:
    path = ROOT / "examples" / "openai-preparedness-v2.rspl"
    text = path.read_text(encoding="utf-8")
    doc = DocumentParser()
    doc.parse("m", "m", text, Reporter(), False)
    at = text.index("rule ", len(text) // 2)
    doc.parse("m", "m", text[:at] + " " + text[at:], Reporter(), False)
    assert doc.reused == 1


def test_imported_modules_are_cached_by_content() -> None:
    from rspl.pipeline import compile_source

    files = {"lib.rspl": 'role R "r" { means "x" }\nrole S "s" source "§1"\n'}

    def read(path: str) -> str:
        return files[Path(path).name]

    main = 'import "lib.rspl"\nrole T "t" { includes R }\n'
    first = compile_source("main.rspl", main, read, build_ir=False)
    again = compile_source("main.rspl", main, read, build_ir=False)
    lib = next(m for m in first.program.modules if m.path.endswith("lib.rspl"))
    lib_again = next(m for m in again.program.modules if m.path.endswith("lib.rspl"))
    assert lib_again is lib  # the same text: not parsed again
    assert first.diagnostics == again.diagnostics
    # an edit of the imported file misses the cache (content, not time)
    files["lib.rspl"] = files["lib.rspl"].replace('role S "s"', 'role S "s" {')
    edited = compile_source("main.rspl", main, read, build_ir=False)
    lib_edited = next(m for m in edited.program.modules if m.path.endswith("lib.rspl"))
    assert lib_edited is not lib
    assert "E0003" in [d.code for d in edited.diagnostics]  # the file ends too soon
    # and what parsing reported is reported again on a hit
    assert compile_source("main.rspl", main, read, build_ir=False).diagnostics == (
        edited.diagnostics
    )
