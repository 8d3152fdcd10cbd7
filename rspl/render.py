"""Rendering diagnostics: source snippets with carets (default), one line each (concise), or
JSON. The only module that turns diagnostics into text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rspl.diagnostics import Diagnostic, Severity
from rspl.spans import Span

FORMATS = ("snippet", "concise", "json")


def render(
    diagnostics: Sequence[Diagnostic],
    texts: dict[str, str],
    fmt: str = "snippet",
    color: bool = False,
) -> str:
    """All diagnostics in one format, ending with a newline when there are any."""
    if fmt == "json":
        return json.dumps(to_json(diagnostics), indent=2, sort_keys=True) + "\n"
    if fmt == "concise":
        return "".join(concise(d) + "\n" for d in diagnostics)
    return "".join(snippet(d, texts, color) + "\n" for d in diagnostics)


def to_json(diagnostics: Sequence[Diagnostic]) -> dict[str, object]:
    return {
        "diagnostics": [d.to_dict() for d in diagnostics],
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
    }


def concise(d: Diagnostic) -> str:
    """`file:line:col: CODE message`."""
    s = d.span
    return f"{s.file}:{s.line}:{s.column}: {d.code} {d.message}"


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


_RED, _YELLOW, _BLUE, _BOLD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[1m", "\x1b[0m"


def snippet(d: Diagnostic, texts: dict[str, str], color: bool = False) -> str:
    """A diagnostic as a heading, the source lines it points at with carets, and help."""

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    sev = d.severity.value
    head_color = _RED if d.severity is Severity.ERROR else _YELLOW
    out = [paint(_BOLD + head_color, f"{sev}[{d.code}]") + paint(_BOLD, f": {d.message}")]
    spans = [(d.span, "^", "")] + [(lb.span, "-", lb.message) for lb in d.labels]
    width = max(len(str(s.line)) for s, _, _ in spans)
    pad = " " * width
    out.append(f"{pad}{paint(_BLUE, '-->')} {d.span.file}:{d.span.line}:{d.span.column}")
    out.append(f"{pad} {paint(_BLUE, '|')}")
    previous = None
    for span, mark, note in spans:
        text = texts.get(span.file)
        if text is None:
            continue
        if span.file != d.span.file:
            out.append(f"{pad}{paint(_BLUE, '::')} {span.file}:{span.line}:{span.column}")
        elif previous is not None and span.line not in (previous, previous + 1):
            out.append(f"{pad}{paint(_BLUE, '...')}")
        previous = span.line
        line = _line(text, span.line)
        shown = _highlight(line, color)
        out.append(f"{paint(_BLUE, str(span.line).rjust(width) + ' |')} {shown}")
        start, length = _underline(span, line)
        underline = " " * start + mark * length + (f" {note}" if note else "")
        mark_color = head_color if mark == "^" else _BLUE
        out.append(f"{pad} {paint(_BLUE, '|')} {paint(_BOLD + mark_color, underline)}")
    if d.help:
        out.append(f"{pad} {paint(_BLUE, '=')} {paint(_BOLD, 'help')}: {d.help}")
    return "\n".join(out) + "\n"


def _line(text: str, number: int) -> str:
    lines = text.split("\n")  # Lark counts lines by "\n" only; so must we
    if 1 <= number <= len(lines):
        return lines[number - 1].expandtabs(4)
    return ""


def _underline(span: Span, line: str) -> tuple[int, int]:
    start = max(span.column - 1, 0)
    length = span.end_column - span.column if span.end_line == span.line else len(line) - start
    return start, max(1, min(length, max(len(line) - start, 1)))


def _highlight(line: str, color: bool) -> str:
    if not color:
        return line
    from pygments import highlight
    from pygments.formatters import TerminalFormatter

    from rspl.highlight import RsplLexer

    colored: str = highlight(line, RsplLexer(), TerminalFormatter())
    return colored.rstrip("\n")
