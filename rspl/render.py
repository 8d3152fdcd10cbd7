"""Rendering diagnostics: source snippets with carets (default), one line each (concise),
JSON, SARIF 2.1.0 (for code-scanning tools) or GitHub Actions workflow commands (annotations
on the pull request). The only module that turns diagnostics into text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rspl.diagnostics import CODES, Diagnostic, Severity
from rspl.spans import Span

FORMATS = ("snippet", "concise", "json", "sarif", "github")

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DOCS_PAGE = "docs/diagnostics.md"
"""Where each code is documented, relative to the root of the RSPL source tree; a SARIF rule's
`helpUri` points at the code's section there (and `rspl explain CODE` prints it)."""


def render(
    diagnostics: Sequence[Diagnostic],
    texts: dict[str, str],
    fmt: str = "snippet",
    color: bool = False,
) -> str:
    """All diagnostics in one format, ending with a newline when there are any (a SARIF log
    is written even for none: a run with no results)."""
    if fmt == "sarif":
        from rspl import __version__

        files: dict[str, list[Diagnostic]] = {}
        for d in diagnostics:
            files.setdefault(d.span.file, []).append(d)
        log = to_sarif(list(files.items()), __version__)
        return json.dumps(log, indent=2, sort_keys=True) + "\n"
    if fmt == "json":
        return json.dumps(to_json(diagnostics), indent=2, sort_keys=True) + "\n"
    if fmt == "concise":
        return "".join(concise(d) + "\n" for d in diagnostics)
    if fmt == "github":
        return "".join(github(d) + "\n" for d in diagnostics)
    return "".join(snippet(d, texts, color) + "\n" for d in diagnostics)


def to_json(diagnostics: Sequence[Diagnostic]) -> dict[str, object]:
    return {
        "diagnostics": [d.to_dict() for d in diagnostics],
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
    }


def to_sarif(
    files: Sequence[tuple[str, Sequence[Diagnostic]]],
    version: str,
    properties: dict[str, object] | None = None,
) -> dict[str, object]:
    """One SARIF 2.1.0 log with one run: `files` are (file as typed, its diagnostics). Each
    code reported becomes a rule of `tool.driver.rules` (its slug, summary, default level and
    help), each diagnostic a result with its file, line and column (columns count characters:
    `unicodeCodePoints`). `properties` go in the run's property bag."""
    from rspl.diagnostics import CODES

    reported = {d.code for _, diags in files for d in diags}
    codes = [c for c in CODES if c in reported]
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        entry = CODES[code]
        level = "error" if entry.severity is Severity.ERROR else "warning"
        rules.append(
            {
                "id": code,
                "name": entry.slug,
                "shortDescription": {"text": entry.summary},
                "helpUri": f"{DOCS_PAGE}#{code.lower()}-{entry.slug}",
                "help": {"text": f"{entry.summary}. Run `rspl explain {code}` for an example."},
                "defaultConfiguration": {"level": level},
            }
        )
    results = []
    for _, diags in files:
        for d in diags:
            results.append(_sarif_result(d, index[d.code]))
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "rspl",
                "version": version,
                "informationUri": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/",
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": {"uri": sarif_uri(path)}} for path, _ in files],
        "results": results,
    }
    if properties:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _sarif_result(d: Diagnostic, rule_index: int) -> dict[str, object]:
    s = d.span
    region = {
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": max(s.end_line, s.line),
        "endColumn": max(s.end_column, s.column + 1) if s.end_line <= s.line else s.end_column,
    }
    text = d.message + (f" (help: {d.help})" if d.help else "")
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": "error" if d.severity is Severity.ERROR else "warning",
        "message": {"text": text},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": sarif_uri(s.file)}, "region": region}}
        ],
    }
    if d.labels:
        result["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": lb.message},
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif_uri(lb.span.file)},
                    "region": {"startLine": lb.span.line, "startColumn": lb.span.column},
                },
            }
            for i, lb in enumerate(d.labels)
        ]
    return result


def sarif_uri(path: str) -> str:
    """A file label as a relative URI reference (`/`-separated, unsafe characters escaped)."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/._-~")


def concise(d: Diagnostic) -> str:
    """`file:line:col: CODE message`."""
    s = d.span
    return f"{s.file}:{s.line}:{s.column}: {d.code} {d.message}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command (`::error file=...,line=...::message`): the runner
    shows it as an annotation on the line. Values are escaped as the runner requires, so no
    text of the policy can end the command or start another."""
    s = d.span
    level = "error" if d.severity is Severity.ERROR else "warning"
    props = ",".join(f"{k}={_gh_property(str(v))}" for k, v in (
        ("file", s.file), ("line", s.line), ("col", s.column), ("endLine", s.end_line),
        ("endColumn", s.end_column), ("title", f"{d.code} {CODES[d.code].slug}"
                                          if d.code in CODES else d.code),
    ))  # fmt: skip
    return f"::{level} {props}::{_gh_data(d.message)}"


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
