"""Data-driven diagnostic tests: every `tests/cases/*.rspl` is a small policy whose expected
diagnostics are written inline, mypy style, at the end of the line they point at: severity,
code and the exact message.

    when CBNR >= CBRN_3  # error: E0201 unknown name `CBNR`
    role CEO "CEO"  # warning: W0001 role `CEO` is never used
    must go by R within 1 dayz  # error: E0206 `dayz` is not a unit  # error: E0404 unknown role `R`

Each expectation starts with a marker, `# error: CODE` or `# warning: CODE`, and its message
is the rest of the line up to the next marker (blanks around it are dropped), so several on
one line are simply written one after the other. Everything from the first marker on belongs
to the expectations; a comment before it is part of the source:

    role B "b"  # a note  # warning: W0001 role `B` is never used

A path under `tests/cases/` in a message is written relative to it (`... is already declared
in duplicate_declaration/a.rspl`).

The runner compiles each top-level case file and compares the set of (file, line, code,
message) written in the comments with the set reported. Files a case imports live in a
subfolder of `tests/cases/` and may carry expectations too. A marker with no message, an
unknown code or the wrong severity word fails the case.

`pytest tests/test_cases.py --update-cases` rewrites the comments from the compiler's actual
output (per line: errors, then warnings, by code, then by message); review the result with
`git diff`.

Cases that expose a known compiler bug are listed in `KNOWN_BUGS` and marked as strict
expected failures: their comments state the *correct* behaviour, and the test starts failing
(XPASS) once the bug is fixed, so that the entry is removed. The update mode skips them, so
that it never overwrites the correct behaviour with the buggy one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rspl.diagnostics import CODES, Diagnostic
from rspl.pipeline import Compilation, compile_file

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.rspl"))

# One expectation starts at each marker `# error: CODE` / `# warning: CODE`; its message runs
# to the next marker or the end of the line. The trailer of a line is everything from its
# first marker on.
_MARK_RE = re.compile(r"#\s*(error|warning):\s*([A-Z]\d{4})\b")
_TRAILER_RE = re.compile(r"\s*#\s*(?:error|warning):\s*[A-Z]\d{4}\b.*$")
_SEVERITIES = ("error", "warning")  # the order of expectations on a line, then code, message
_ARTICLE = {"error": "an error", "warning": "a warning"}

# case file name -> why it is expected to fail (a compiler bug, reported to the lead).
KNOWN_BUGS: dict[str, str] = {}

Key = tuple[str, int, str, str]  # (file relative to tests/cases, line, code, message)


def _rel(label: str) -> str:
    """A file label as shown in diffs: relative to tests/cases when it is inside it."""
    if label.startswith("<"):
        return label
    path = Path(label).resolve()
    try:
        return path.relative_to(CASES_DIR).as_posix()
    except ValueError:
        return label


def _message(d: Diagnostic) -> str:
    """The message as written in a case file: paths inside tests/cases made relative to it."""
    return d.message.replace(f"{CASES_DIR}{os.sep}", "")


def parse_expectations(rel: str, text: str) -> set[Key]:
    """The (file, line, code, message) expectations written in `text`. An unknown code, a
    severity word that does not match the code's severity or a missing message fails the
    test, so a comment cannot silently expect nothing."""
    found: set[Key] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        trailer = _TRAILER_RE.search(line)
        if trailer is None:
            continue
        written = trailer.group(0)
        marks = list(_MARK_RE.finditer(written))
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(written)
            severity, code = mark.groups()
            message = written[mark.end() : end].strip()
            entry = CODES.get(code)
            if entry is None:
                pytest.fail(f"{rel}:{number}: `{code}` is not a diagnostic code")
            if entry.severity.value != severity:
                pytest.fail(
                    f"{rel}:{number}: {code} is {_ARTICLE[entry.severity.value]}, "
                    f"not {_ARTICLE[severity]}; write `# {entry.severity.value}: {code} MESSAGE`"
                )
            if not message or message.startswith(","):
                pytest.fail(
                    f"{rel}:{number}: `# {severity}: {code}` needs its message: write one "
                    f"`# {severity}: {code} MESSAGE` per diagnostic (or run "
                    "pytest tests/test_cases.py --update-cases)"
                )
            found.add((rel, number, code, message))
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
    return (_rel(d.span.file), d.span.line, d.code, _message(d))


def _expectation(severity: str, code: str, message: str) -> str:
    return f"# {severity}: {code} {message}"


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
    """A readable report of what was expected but not reported, and the reverse (a wrong
    message shows as one of each on the same line)."""
    actual = {_key(d) for d in reported}
    out = [f"case {case}: the expected and reported diagnostics differ"]
    for title, sign, keys in (
        ("expected but not reported", "-", sorted(expected - actual)),
        ("reported but not expected", "+", sorted(actual - expected)),
    ):
        if not keys:
            continue
        out.append(f"  {title}:")
        for rel, line, code, message in keys:
            sev = CODES[code].severity.value
            out.append(f"    {sign} {rel}:{line}: {_expectation(sev, code, message)}")
            out.append(f"        | {_source_line(files.get(rel), line)}")
    out.append("  (if the new output is right: pytest tests/test_cases.py --update-cases)")
    return "\n".join(out)


def rewrite_expectations(path: Path, rel: str, reported: list[Diagnostic]) -> None:
    """Replace the expectation comments of one file with the reported diagnostics: on each
    line, errors then warnings, by code, then by message."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    by_line: dict[int, set[tuple[int, str, str]]] = {}
    for d in reported:
        if _rel(d.span.file) != rel:
            continue
        if not 1 <= d.span.line <= len(lines):
            pytest.fail(f"{rel}: cannot write {d.code} at line {d.span.line}: no such line")
        message = _message(d)
        if "\n" in message or _MARK_RE.search(message) or message.strip() != message or not message:
            pytest.fail(f"{rel}:{d.span.line}: cannot write the message {message!r} inline")
        rank = _SEVERITIES.index(d.severity.value)
        by_line.setdefault(d.span.line, set()).add((rank, d.code, message))
    for index, line in enumerate(lines):
        stripped = _TRAILER_RE.sub("", line)
        found = by_line.get(index + 1)
        if found:
            comment = "  ".join(
                _expectation(_SEVERITIES[rank], code, message)
                for rank, code, message in sorted(found)
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
    reported = list(result.diagnostics)
    if update_cases:  # the comments are rewritten, not read: they may be out of date
        if path.name in KNOWN_BUGS:
            pytest.skip("a known bug: its comments state the correct behaviour; edit them by hand")
        outside = [d for d in reported if _rel(d.span.file) not in files]
        if outside:
            pytest.fail(
                "cannot write expectations into files outside tests/cases: "
                + "; ".join(f"{d.span.file}:{d.span.line}: {d.code}" for d in outside)
            )
        for rel, file in files.items():
            rewrite_expectations(file, rel, reported)
        return
    expected: set[Key] = set()
    for rel, file in files.items():
        expected |= parse_expectations(rel, file.read_text(encoding="utf-8"))
    actual = {_key(d) for d in reported}
    if actual != expected:
        pytest.fail(describe_difference(path.name, expected, reported, files), pytrace=False)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


def test_cases_cover_every_code() -> None:
    """Every code in the registry is expected somewhere in a case that is not a known bug,
    but the codes of `rspl lint` (`profile-...`): a case file is checked, not linted, so
    tests/test_lint.py covers those; and those of a bindings file (`bindings-...`), whose
    cases are tests/bindings/ (tests/test_bindings.py)."""
    covered = {c for c, entry in CODES.items()
               if entry.slug.startswith(("profile-", "bindings-"))}  # fmt: skip
    for path in CASES_DIR.rglob("*.rspl"):
        if path.name in KNOWN_BUGS:
            continue
        rel = path.relative_to(CASES_DIR).as_posix()
        covered |= {code for _, _, code, _ in parse_expectations(rel, path.read_text("utf-8"))}
    assert sorted(set(CODES) - covered) == []


def test_many_errors_are_reported_in_one_run() -> None:
    """One file with many independent problems: each is reported, none hides another."""
    path = CASES_DIR / "many_errors.rspl"
    result = compile_file(str(path))
    expected = parse_expectations(path.name, path.read_text(encoding="utf-8"))
    assert len({code for _, _, code, _ in expected}) >= 10
    assert {_key(d) for d in result.diagnostics} == expected


# (case file, a text on the reported line, code, the exact help text)
HELP_TEXTS = [
    ("did_you_mean.rspl", "when CBNR >= CBRN_3", "E0201", "did you mean `CBRN`?"),
    ("did_you_mean.rspl", "must notify by RSOO", "E0404", "did you mean `RSO`?"),
    (
        "did_you_mean.rspl",
        "for external_deploy",
        "E0405",
        "did you mean `external_deployment`?",
    ),
    ("did_you_mean.rspl", "when CBRN >= CBRN_5", "E0204", "its levels are `CBRN_3`, `CBRN_4`"),
    ("did_you_mean.rspl", "must notfy", "E0201", "did you mean `notify`?"),
    (
        "import_missing.rspl",
        "import std.action",
        "E0103",
        "did you mean `std.actions`?",
    ),
    # a number written in a way the language does not read: the help is about numbers
    ("fraction_with_slash.rspl", "jailbreak_rate >= 1/20", "E1701",
     "write a fraction as `1 in 20` or `5%`; `/` is not division"),
    ("number_with_separator.rspl", "staff > 1,000", "E1702",
     "write numbers without separators: `1000`, or with an exponent such as `1e3`; a `,` "
     "separates items of a list"),
    ("decimal_comma.rspl", "refusals < 0,95", "E1702",
     "write decimals with a point: `0.95`; a `,` separates items of a list"),
    ("negative_period.rspl", "every -6 months", "E0701",
     "write a period of 0 or more, e.g. `every 6 months` or `every 3 to 6 months`"),
    # a did-you-mean that would change the meaning is not made
    ("did_you_mean_meaning.rspl", "when CBRN >= CBRN_5", "E0204",
     "its levels are `CBRN_3`, `CBRN_4`"),
    ("did_you_mean_meaning.rspl", "for internal_deployment", "E0405",
     "declare it first, or check the spelling; a context is expected here"),
    ("did_you_mean_meaning.rspl", "within 30 minuts", "E0206",
     "did you mean `minutes`? the units of a duration are `minute`, `minutes`, `hour`, "
     "`hours`, `day`, `days`, `week`, `weeks`, `month`, `months`, `year`, `years`"),
    ("did_you_mean_meaning.rspl", "uplift >= 2 dayz", "E0206",
     "the units of a multiplier are `x`, `times`"),
    ("did_you_mean_meaning.rspl", "every 6 mnths", "E0409",
     "did you mean `months`? write e.g. `every 3 to 6 months` or `every 1 year`"),
    ("did_you_mean_meaning.rspl", "within 2 hrs", "E0206",
     "did you mean `hours`? the units of a duration are `minute`, `minutes`, `hour`, `hours`, "
     "`day`, `days`, `week`, `weeks`, `month`, `months`, `year`, `years`"),
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
    _wording_bug("did_you_mean_meaning.rspl", "within 30 minuts", "E0206", "help",
                 r"did you mean[^?]*`months?`",
                 "E0206 suggested `months` for `minuts` (another size of duration)"),
    _wording_bug("did_you_mean_meaning.rspl", "for internal_deployment", "E0405", "help",
                 "external", "E0405 suggested the opposite context `external_deployment`"),
    _wording_bug("did_you_mean_meaning.rspl", "when CBRN >= CBRN_5", "E0204", "help",
                 "did you mean", "E0204 suggested another level (`CBRN_4`) for `CBRN_5`"),
    _wording_bug("did_you_mean_meaning.rspl", "uplift >= 2 dayz", "E0206", "help", "`days`",
                 "E0206 suggested a duration unit where a multiplier is compared"),
    _wording_bug("fraction_with_slash.rspl", "1/20", "E1701", "help", "names use letters",
                 "`1/20` was reported as an invalid character, with help about names"),
    _wording_bug("number_with_separator.rspl", "1,000", "E1702", "help", r"or \.\.\.",
                 "`1,000` was reported as an unexpected `,` with a list cut off by `or ...`"),
    _wording_bug("syntax_unexpected_token.rspl", "level CBRN_3 CBRN-3", "E0001", "help",
                 r"^(?!.*a text in quotes)",
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
    assert written.split("\n")[1] == 'role B "b"  # note  # warning: W0001 role `B` is never used'
    assert not written.endswith("\n")
    assert written.split("\n")[0] == (
        'role A "a"  # error: E0101 this file has no `policy` header'
        "  # warning: W0001 role `A` is never used"
    )
    parsed = parse_expectations("x", written)
    assert parsed == {("x", x.span.line, x.code, x.message) for x in d}
    rewrite_expectations(path, str(path), list(d))  # a second update changes nothing
    assert path.read_text(encoding="utf-8") == written


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("role A  # error: E0201", "needs its message"),
        ("role A  # error: E0201, E0405", "needs its message"),
        ("role A  # error: E0201 unknown role `A`,  # error: E0405", "needs its message"),
        ("role A  # warning: E0201 unknown role `A`", "E0201 is an error, not a warning"),
        ("role A  # error: E9999 no such code", "`E9999` is not a diagnostic code"),
    ],
)
def test_malformed_expectations_fail(line: str, problem: str) -> None:
    with pytest.raises(pytest.fail.Exception, match=re.escape(problem)):
        parse_expectations("x", line)


def test_expectations_on_one_line() -> None:
    """Each marker starts an expectation; a comment before the first one is source."""
    line = "x  # keep  # error: E0201 unknown role `a`  # warning: W0001 role `b` is never used"
    assert parse_expectations("f", "\n" + line) == {
        ("f", 2, "E0201", "unknown role `a`"),
        ("f", 2, "W0001", "role `b` is never used"),
    }
    assert _source_line(None, 1) == ""


def test_known_bugs_are_strict_expected_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case listed in KNOWN_BUGS is a strict xfail: it must fail until the bug is fixed."""
    name = CASES[0].name
    monkeypatch.setitem(KNOWN_BUGS, name, "a bug")
    (param,) = [p for p in _params() if p.values[0].name == name]  # type: ignore[attr-defined]
    (mark,) = param.marks
    assert mark.name == "xfail" and mark.kwargs == {"reason": "a bug", "strict": True}
