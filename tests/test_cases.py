"""Data-driven diagnostic tests: every `tests/cases/*.rspl` is a small policy whose expected
diagnostics are written inline, mypy style, at the end of the line they point at:

    when CBNR >= CBRN_3        # error: E0201
    role CEO "CEO"             # warning: W0001
    require s for nowhere      # error: E0201, E0405

Several codes of one severity are separated by commas; a line with both severities carries two
comments (`# error: E0201  # warning: W0001`). The runner compiles each top-level case file and
compares the set of (file, line, code) written in the comments with the set reported. Files a
case imports live in a subfolder of `tests/cases/` and may carry expectations too.

`pytest tests/test_cases.py --update-cases` rewrites the comments from the compiler's actual
output; review the result with `git diff`.

Cases that expose a known compiler bug are listed in `KNOWN_BUGS` and marked as strict
expected failures: their comments state the *correct* behaviour, and the test starts failing
(XPASS) once the bug is fixed, so that the entry is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rspl.diagnostics import CODES, Diagnostic
from rspl.pipeline import Compilation, compile_file

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.rspl"))

_CODE_LIST = r"[A-Z]\d{4}(?:\s*,\s*[A-Z]\d{4})*"
_GROUP_RE = re.compile(rf"#\s*(error|warning):\s*({_CODE_LIST})")
_TRAILER_RE = re.compile(rf"(?:\s*#\s*(?:error|warning):\s*{_CODE_LIST})+\s*$")

# case file name -> why it is expected to fail (a compiler bug, reported to the lead).
KNOWN_BUGS: dict[str, str] = {}

Key = tuple[str, int, str]  # (file relative to tests/cases, line, code)


def _rel(label: str) -> str:
    """A file label as shown in diffs: relative to tests/cases when it is inside it."""
    if label.startswith("<"):
        return label
    path = Path(label).resolve()
    try:
        return path.relative_to(CASES_DIR).as_posix()
    except ValueError:
        return label


def parse_expectations(rel: str, text: str) -> set[Key]:
    """The (file, line, code) triples written in `text`; a severity word that does not match
    the code's severity fails the test, so a comment cannot silently expect nothing."""
    found: set[Key] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        trailer = _TRAILER_RE.search(line)
        if trailer is None:
            continue
        for severity, codes in _GROUP_RE.findall(trailer.group(0)):
            for code in (c.strip() for c in codes.split(",")):
                entry = CODES.get(code)
                if entry is None:
                    pytest.fail(f"{rel}:{number}: `{code}` is not a diagnostic code")
                if entry.severity.value != severity:
                    pytest.fail(
                        f"{rel}:{number}: {code} is a {entry.severity.value}, "
                        f"not a {severity}; write `# {entry.severity.value}: {code}`"
                    )
                found.add((rel, number, code))
    return found


def case_files(result: Compilation) -> dict[str, Path]:
    """Every file of the compilation that lives under tests/cases, by relative name."""
    files: dict[str, Path] = {}
    for label in result.texts:
        rel = _rel(label)
        if not rel.startswith("<") and not Path(rel).is_absolute():
            files[rel] = CASES_DIR / rel
    return files


def _key(d: Diagnostic) -> Key:
    return (_rel(d.span.file), d.span.line, d.code)


def _source_line(path: Path | None, number: int) -> str:
    if path is None or not path.is_file():
        return ""
    lines = path.read_text(encoding="utf-8").split("\n")
    if 1 <= number <= len(lines):
        return _TRAILER_RE.sub("", lines[number - 1]).strip()
    return "<past the end of the file>"


def describe_difference(
    case: str,
    expected: set[Key],
    reported: list[Diagnostic],
    files: dict[str, Path],
) -> str:
    """A readable report of what was expected but not reported, and the reverse."""
    actual = {_key(d) for d in reported}
    messages: dict[Key, str] = {}
    for d in reported:
        messages.setdefault(_key(d), f"{d.severity.value} {d.code} {d.message}")
    out = [f"case {case}: the expected and reported diagnostics differ"]
    missing = sorted(expected - actual)
    if missing:
        out.append("  expected but not reported:")
        for rel, line, code in missing:
            sev = CODES[code].severity.value
            out.append(f"    - {rel}:{line}: {sev} {code}")
            out.append(f"        | {_source_line(files.get(rel), line)}")
    extra = sorted(actual - expected)
    if extra:
        out.append("  reported but not expected:")
        for key in extra:
            rel, line, _ = key
            out.append(f"    + {rel}:{line}: {messages[key]}")
            out.append(f"        | {_source_line(files.get(rel), line)}")
    out.append("  (if the new output is right: pytest tests/test_cases.py --update-cases)")
    return "\n".join(out)


def rewrite_expectations(path: Path, rel: str, reported: list[Diagnostic]) -> None:
    """Replace the expectation comments of one file with the reported diagnostics."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    by_line: dict[int, dict[str, set[str]]] = {}
    for d in reported:
        if _rel(d.span.file) != rel:
            continue
        if not 1 <= d.span.line <= len(lines):
            pytest.fail(f"{rel}: cannot write {d.code} at line {d.span.line}: no such line")
        by_line.setdefault(d.span.line, {}).setdefault(d.severity.value, set()).add(d.code)
    for index, line in enumerate(lines):
        stripped = _TRAILER_RE.sub("", line)
        groups = by_line.get(index + 1)
        if groups:
            comment = "  ".join(
                f"# {sev}: {', '.join(sorted(groups[sev]))}"
                for sev in ("error", "warning")
                if sev in groups
            )
            stripped = f"{stripped}  {comment}" if stripped.strip() else comment
        lines[index] = stripped
    new = "\n".join(lines)
    if new != text:
        path.write_text(new, encoding="utf-8")


def _params() -> list[object]:
    params: list[object] = []
    for path in CASES:
        marks = []
        if path.name in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(reason=KNOWN_BUGS[path.name], strict=True))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _params())
def test_case(path: Path, update_cases: bool) -> None:
    result = compile_file(str(path))
    files = case_files(result)
    expected: set[Key] = set()
    for rel, file in files.items():
        expected |= parse_expectations(rel, file.read_text(encoding="utf-8"))
    reported = list(result.diagnostics)
    if update_cases:
        outside = [d for d in reported if _rel(d.span.file) not in files]
        if outside:
            pytest.fail(
                "cannot write expectations into files outside tests/cases: "
                + "; ".join(f"{d.span.file}:{d.span.line}: {d.code}" for d in outside)
            )
        for rel, file in files.items():
            rewrite_expectations(file, rel, reported)
        return
    actual = {_key(d) for d in reported}
    if actual != expected:
        pytest.fail(describe_difference(path.name, expected, reported, files), pytrace=False)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


def test_cases_cover_every_code() -> None:
    """Every code in the registry is expected somewhere in a case that is not a known bug."""
    covered: set[str] = set()
    for path in CASES_DIR.rglob("*.rspl"):
        if path.name in KNOWN_BUGS:
            continue
        rel = path.relative_to(CASES_DIR).as_posix()
        covered |= {code for _, _, code in parse_expectations(rel, path.read_text("utf-8"))}
    assert sorted(set(CODES) - covered) == []


def test_many_errors_are_reported_in_one_run() -> None:
    """One file with many independent problems: each is reported, none hides another."""
    path = CASES_DIR / "many_errors.rspl"
    result = compile_file(str(path))
    expected = parse_expectations(path.name, path.read_text(encoding="utf-8"))
    assert len({code for _, _, code in expected}) >= 10
    assert {_key(d) for d in result.diagnostics} == expected


# (case file, a text on the reported line, code, the exact help text)
HELP_TEXTS = [
    ("did_you_mean.rspl", "when CBNR >= CBRN_3", "E0201", "did you mean `CBRN`?"),
    ("did_you_mean.rspl", "must notify by RSOO", "E0404", "did you mean `RSO`?"),
    (
        "did_you_mean.rspl",
        "for external_deploy",
        "E0405",
        "did you mean `external_deployment` or `large_scale_internal_deployment`?",
    ),
    ("did_you_mean.rspl", "when CBRN >= CBRN_5", "E0204", "did you mean `CBRN_4` or `CBRN_3`?"),
    ("did_you_mean.rspl", "must notfy", "E0201", "did you mean `notify`?"),
    (
        "import_missing.rspl",
        "import std.action",
        "E0103",
        "did you mean `std.actions` or `std.contexts`?",
    ),
    (
        "level_domain_mismatch.rspl",
        "or CBRN >= AI_RD_4",
        "E0301",
        "each domain has its own scale; compare a domain only with its own levels: "
        "`CBRN_3`, `CBRN_4`",
    ),
]


@pytest.mark.parametrize(("case", "marker", "code", "help_text"), HELP_TEXTS)
def test_help_text(case: str, marker: str, code: str, help_text: str) -> None:
    path = CASES_DIR / case
    lines = path.read_text(encoding="utf-8").split("\n")
    numbers = [i + 1 for i, line in enumerate(lines) if marker in line]
    assert len(numbers) == 1, f"{marker!r} should be on exactly one line of {case}"
    result = compile_file(str(path))
    found = [d for d in result.diagnostics if d.code == code and d.span.line == numbers[0]]
    assert [d.help for d in found] == [help_text]


def _wording_bug(case: str, marker: str, code: str, field: str, bad: str, why: str) -> object:
    return pytest.param(case, marker, code, field, bad, id=f"{code}:{marker}")


# Wording that was once wrong or misleading, kept as regressions: (case, text on the line,
# code, `message` or `help`, a regular expression the text must NOT match, what was wrong).
WORDING_BUGS = [
    _wording_bug("unknown_word.rspl", "status tracking", "E0207", "help", "statuss",
                 "E0207 help pluralises 'domain status' as 'domain statuss'"),
    _wording_bug("unknown_word.rspl", "category securty", "E0207", "help", "categorys",
                 "E0207 help pluralises 'safeguard category' as 'safeguard categorys'"),
    _wording_bug("unknown_word.rspl", "is pending", "E0207", "help", r"^\s",
                 "E0207 help starts with a space when there is no did-you-mean"),
    _wording_bug("unknown_unit.rspl", "within 2 fortnights", "E0206", "help", r"^\s",
                 "E0206 help starts with a space when there is no did-you-mean"),
    _wording_bug("since_needs_date.rspl", "since growth", "E0305", "message", r"is multiplier$",
                 "E0305 message lacks an article: 'is multiplier'"),
    _wording_bug("impossible_count.rspl", "at least 1.5 of", "E0306", "message", r"\?",
                 "E0306 message shows `at least ? of` for a count that is not whole"),
    _wording_bug("syntax_unclosed_header.rspl", "combine highest", "E0003", "message",
                 "in this family",
                 "E0003 for an unclosed policy header says 'in this family' (the keyword "
                 "`family` of `combine highest standard per family`)"),
    _wording_bug("syntax_unexpected_token.rspl", "level CBRN_3 CBRN-3", "E0001", "help",
                 r"^(?!.*a quoted text)",
                 "E0001 help truncates the expected list alphabetically after 8 items, so "
                 "'a quoted text' (the fix here: a title) is never shown"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "marker", "code", "field", "bad"), WORDING_BUGS)
def test_known_wording_bugs(case: str, marker: str, code: str, field: str, bad: str) -> None:
    path = CASES_DIR / case
    lines = path.read_text(encoding="utf-8").split("\n")
    numbers = [i + 1 for i, line in enumerate(lines) if marker in line]
    assert len(numbers) == 1, f"{marker!r} should be on exactly one line of {case}"
    found = [
        d for d in compile_file(str(path)).diagnostics
        if d.code == code and d.span.line == numbers[0]
    ]  # fmt: skip
    assert len(found) == 1
    text = getattr(found[0], field) or ""
    assert re.search(bad, text) is None, f"{field}: {text!r}"


def test_cycle_through_main_does_not_depend_on_how_the_path_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CASES_DIR)
    name = "import_cycle_through_main.rspl"
    plain = {_key(d) for d in compile_file(name).diagnostics}
    dotted = {_key(d) for d in compile_file(f"./{name}").diagnostics}
    assert dotted == plain


def test_expectation_comments_round_trip(tmp_path: Path) -> None:
    """The update mode writes comments that the parser reads back as the same expectations."""
    text = 'role A "a"\nrole B "b"  # note\n\nrole C "c"'
    path = tmp_path / "x.rspl"
    path.write_text(text, encoding="utf-8")
    d = compile_file(str(path)).diagnostics  # no header, unused roles
    assert {x.code for x in d} == {"E0101", "W0001"}
    rewrite_expectations(path, str(path), list(d))
    written = path.read_text(encoding="utf-8")
    assert written.split("\n")[1] == 'role B "b"  # note  # warning: W0001'
    assert not written.endswith("\n")
    assert written.split("\n")[0] == 'role A "a"  # error: E0101  # warning: W0001'
    parsed = parse_expectations("x", written)
    assert parsed == {("x", x.span.line, x.code) for x in d}
