"""The help of a syntax error lists what may come next *at that point*, grouped and in words.

`tests/syntax_help.txt` is a table: each entry is a source snippet (one or more lines, put
after the small policy in `PREAMBLE`) followed by a line `-> HELP`, the exact help of the one
syntax diagnostic it causes. `pytest tests/test_syntax_help.py --update-cases` rewrites the
`->` lines from the compiler's output; review them with `git diff`.

A property checks, over random truncations and token mutations of the example policies, that
the help never ends a cut-off list with `or ...` and never shows a raw terminal name
(`RBRACE`, `__ANON_3`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from rspl import messages as msg
from rspl.diagnostics import Diagnostic, Reporter
from rspl.parser import get_parser, parse
from rspl.pipeline import compile_source

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path(__file__).resolve().parent / "syntax_help.txt"
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))

PREAMBLE = """\
policy p "P" {
  organization "O"
  version "1"
}
import std.contexts, std.actions
role RSO "RSO"
domain CBRN "C" { level CBRN_3 "3" level CBRN_4 "4" }
evidence uplift: multiplier "u"
evidence rate: fraction "r"
safeguard classifiers "c"
"""

# The codes a syntax error is reported with (a number written wrongly is one too).
SYNTAX_CODES = {"E0001", "E0002", "E0003", "E0004", "E0701", "E1701", "E1702"}


def _entries() -> list[tuple[str, str | None, int]]:
    """(snippet, expected help or None, line number of its `->` line or -1)."""
    entries: list[tuple[str, str | None, int]] = []
    lines: list[str] = []
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith("#"):
            continue
        if line.startswith("-> "):
            entries.append(("\n".join(lines), line[3:], number))
            lines = []
        elif line.strip():
            lines.append(line)
        elif lines:  # a snippet without its help yet
            entries.append(("\n".join(lines), None, -1))
            lines = []
    if lines:
        entries.append(("\n".join(lines), None, -1))
    return entries


def _syntax_error(source: str) -> Diagnostic:
    found = [
        d for d in compile_source("policy.rspl", source, build_ir=False).diagnostics
        if d.code in SYNTAX_CODES
    ]  # fmt: skip
    assert len(found) == 1, [d.message for d in found]
    return found[0]


def _help(snippet: str) -> str:
    return _syntax_error(PREAMBLE + snippet + "\n").help or ""


def test_table(request: pytest.FixtureRequest) -> None:
    entries = _entries()
    assert len(entries) >= 30
    if request.config.getoption("update_cases"):
        out = [line for line in TABLE.read_text(encoding="utf-8").split("\n")
               if line.startswith("#")]  # fmt: skip
        for snippet, _, _ in entries:
            out += ["", snippet, "-> " + _help(snippet)]
        TABLE.write_text("\n".join(out) + "\n", encoding="utf-8")
        return
    wrong = [
        f"line {number}: {snippet!r}\n  expected: {want}\n  got:      {_help(snippet)}"
        for snippet, want, number in entries
        if want is None or _help(snippet) != want
    ]
    assert wrong == [], "\n".join(wrong)


# ------------------------------------------------------------------ the words themselves

# The names Lark gives terminals (`RBRACE`, `NAME`, `MUST`, `__ANON_3`, `$END`): never shown.
RAW_TERMINAL = re.compile(
    r"__ANON|\$END|\b(?:"
    + "|".join(sorted(t.name for t in get_parser().terminals if not t.name.startswith("__")))
    + r")\b"
)


def _check_words(help: str) -> None:
    assert "or ..." not in help, help
    assert RAW_TERMINAL.search(help) is None, help


def test_every_terminal_has_words() -> None:
    """Every terminal of the grammar, alone or among all the others, is put in words."""
    texts = [
        t.pattern.value if t.pattern.type == "str" else t.name
        for t in get_parser().terminals
        if t.name not in ("WS", "COMMENT")
    ]
    for text in texts:
        _check_words(msg.expected_help([text]))
    _check_words(msg.expected_help([*texts, "$END"]))


@pytest.mark.parametrize(
    ("expected", "help"),
    [
        # keywords another grammar change may add: shown as written, never dropped
        (["waiver", "promptly", "}"], "expected `promptly`, a waiver (`waiver`) or `}`"),
        (["as", "to", "must"], "expected `as`, `to` or an obligation (`must`)"),
        (["SOFT_DEADLINE", "__ANON_3"], "expected a soft deadline or another word"),
        ([], "check the line above for a missing word or bracket"),
    ],
)
def test_unknown_terminals_degrade(expected: list[str], help: str) -> None:
    assert msg.expected_help(expected) == help


def _mutations(text: str) -> st.SearchStrategy[str]:
    """`text` cut at a random point, or with one token deleted, duplicated or replaced by a
    keyword of the language."""
    words = sorted({t.pattern.value for t in get_parser().terminals if t.pattern.type == "str"})
    spans = [m.span() for m in re.finditer(r'"[^"]*"|[^\s"]+', text)]
    cut = st.integers(0, len(text)).map(lambda i: text[:i])

    def edit(i: int, how: int, word: str) -> str:
        start, end = spans[i]
        if how == 0:
            return text[:start] + text[end:]
        if how == 1:
            return text[:end] + " " + text[start:end] + text[end:]
        return text[:start] + word + text[end:]

    edited = st.builds(edit, st.integers(0, len(spans) - 1), st.integers(0, 2),
                       st.sampled_from(words))  # fmt: skip
    return st.one_of(cut, edited)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_help_is_never_cut_off_nor_raw(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(EXAMPLES))
    text = data.draw(_mutations(path.read_text(encoding="utf-8")))
    reporter = Reporter()
    parse(text, str(path), reporter)
    for d in reporter.diagnostics:
        _check_words(d.help or "")
