"""`docs/diagnostics.md` and the code registry stay in step, and every example in it is true.

The page has one section per code in `rspl.diagnostics.CODES`, in registry order, headed
`## CODE slug`. Each section has a `**Bad**` part (an example that causes the code, then the
output of `rspl check --format concise` in a `text` block) and a `**Fixed**` part (the example
put right, which checks without errors and without the code). An example is a main file,
`policy.rspl`, plus any extra files, each introduced by a line `<!-- file: NAME.rspl -->`.

The codes of `rspl assess` (a bindings file's problems) are reported by `rspl assess --check`:
their examples hold a `toml` block introduced by `<!-- file: rspl.bindings.toml -->`.

The codes of `rspl lint` (a profile file's errors, an element missing) are reported by lint,
not check: their examples hold a profile too, a `toml` block introduced by `<!-- file:
profile.toml -->`, and for them the test runs `rspl lint --profile profile.toml policy.rspl`
where it would run `rspl check policy.rspl`.

The outputs on the page (the per-code ones and the two in the introduction) must be exactly
what the compiler prints; `pytest tests/test_diagnostics_doc.py --update-cases` rewrites them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import attrs
import pytest

from rspl.bindings import read_bindings
from rspl.cli import _header_span as header_span
from rspl.cli import main as rspl_main
from rspl.diagnostics import CODES, Diagnostic, Severity
from rspl.explain import explain
from rspl.lint import lint
from rspl.pipeline import Compilation, compile_file
from rspl.profile import parse_profile

DOC = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
MAIN = "policy.rspl"
PROFILE = "profile.toml"  # an example with this file is linted against it (`rspl lint`)
BINDINGS = "rspl.bindings.toml"  # an example with this file checks it (`rspl assess --check`)

_HEADING_RE = re.compile(r"^## ")
_CODE_HEADING_RE = re.compile(r"^## ([A-Z]\d{4})\b(.*)$")
_FILE_MARK_RE = re.compile(r"^<!-- file: ([\w./-]+\.(?:rspl|toml)) -->$")


@attrs.frozen
class Block:
    """A fenced block: its info word (`rspl`, `text`), the file it stands for (rspl blocks),
    the part of the section it is in (`intro`, `bad`, `fixed`) and the doc lines it spans
    (`first` is the first line inside the fence, `end` the closing fence; 0-based)."""

    info: str
    name: str | None
    part: str
    text: str
    first: int
    end: int


@attrs.frozen
class Section:
    code: str | None  # None for the introduction
    heading: str
    text: str
    blocks: tuple[Block, ...]

    def files(self, part: str) -> dict[str, str]:
        return {b.name: b.text for b in self.blocks if b.part == part and b.name is not None}

    def outputs(self, part: str) -> list[Block]:
        return [b for b in self.blocks if b.part == part and b.info == "text"]


def parse_doc(text: str) -> list[Section]:
    """The introduction, then each `## ` section, with their fenced blocks."""
    lines = text.split("\n")
    starts = [0] + [i for i, line in enumerate(lines) if _HEADING_RE.match(line)]
    sections: list[Section] = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        if index > 0 and start == 0:
            continue
        heading = lines[start] if index > 0 else ""
        match = _CODE_HEADING_RE.match(heading)
        code = match.group(1) if match else None
        blocks = _blocks(lines, start, stop, "bad" if code else "intro")
        body = "\n".join(lines[start:stop])
        sections.append(Section(code, heading, body, tuple(blocks)))
    # The introduction may have `## ` headings of its own: fold them into it.
    intro = [s for s in sections if s.code is None]
    codes = [s for s in sections if s.code is not None]
    if intro:
        merged = Section(
            None,
            "",
            "\n".join(s.text for s in intro),
            tuple(b for s in intro for b in s.blocks),
        )
        return [merged, *codes]
    return codes


def _blocks(lines: list[str], start: int, stop: int, part: str) -> list[Block]:
    blocks: list[Block] = []
    i = start
    previous = ""
    while i < stop:
        line = lines[i]
        if line.strip() == "**Fixed**":
            part = "fixed"
        if line.startswith("```") and line.strip() != "```":
            info = line[3:].strip()
            end = i + 1
            while end < stop and lines[end].strip() != "```":
                end += 1
            mark = _FILE_MARK_RE.match(previous.strip())
            name = None
            if info == "rspl":
                name = mark.group(1) if mark else MAIN
            elif info == "toml" and mark:
                name = mark.group(1)
            body = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(info, name, part, body, i + 1, end))
            i = end + 1
            previous = ""
            continue
        if line.strip():
            previous = line
        i += 1
    return blocks


def doc_sections() -> list[Section]:
    return parse_doc(DOC.read_text(encoding="utf-8"))


def code_sections() -> dict[str, Section]:
    return {s.code: s for s in doc_sections() if s.code is not None}


def write_example(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def compile_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> Compilation:
    """Compile an example as a user would: from its folder, by the name `policy.rspl`."""
    write_example(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    return compile_file(MAIN)


def reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> list[Diagnostic]:
    """What the example reports: `rspl check` of it, or, when it has a profile, what `rspl
    lint` reports (the profile's errors, or the policy's, or the elements it lacks)."""
    result = compile_example(tmp_path, monkeypatch, files)
    if BINDINGS in files:
        assert result.policy is not None, "a bindings example needs a policy that compiles"
        _, problems = read_bindings(BINDINGS, files[BINDINGS], result.policy)
        return [*result.diagnostics, *problems]
    if PROFILE not in files:
        return list(result.diagnostics)
    profile, problems = parse_profile(PROFILE, files[PROFILE])
    if profile is None or result.policy is None:
        return [*problems, *result.diagnostics]
    _, found = lint(result.policy, profile, header_span(result))
    return [*result.diagnostics, *found]


def cli_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    fmt: str,
) -> str:
    write_example(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    if BINDINGS in files:
        rspl_main(["assess", MAIN, "--bindings", BINDINGS, "--check", "--format", fmt,
                   "--color", "never"])  # fmt: skip
        out = capsys.readouterr().out
        # only the diagnostics: not the summary line
        return "".join(line for line in out.splitlines(True)
                       if not line.startswith(BINDINGS + ": "))  # fmt: skip
    if PROFILE in files:
        rspl_main(["lint", "--profile", PROFILE, "--format", fmt, "--color", "never", MAIN])
        out = capsys.readouterr().out
        # only the diagnostics: the lines after them list the elements present
        return "".join(line for line in out.splitlines(True) if not line.startswith(MAIN + ": "))
    rspl_main(["check", "--format", fmt, "--color", "never", MAIN])
    return capsys.readouterr().out


# ---------------------------------------------------------------------------- structure


def test_every_code_has_exactly_one_section_in_registry_order() -> None:
    found = [s.code for s in doc_sections() if s.code is not None]
    duplicates = sorted({c for c in found if found.count(c) > 1})
    assert duplicates == [], f"codes with more than one section: {duplicates}"
    unknown = [c for c in found if c not in CODES]
    assert unknown == [], f"sections for codes that are not in CODES: {unknown}"
    missing = [c for c in CODES if c not in found]
    assert missing == [], f"codes in CODES with no section: {missing}"
    assert found == list(CODES), "sections are not in registry order"


def test_the_table_at_a_glance_lists_every_code_in_registry_order() -> None:
    """Each code has one row in "Codes at a glance", linking to its section, with the
    registry's name and severity."""
    rows = re.findall(
        r"^\| \[([EW][0-9]{4})\]\(#([a-z0-9-]+)\) \| ([a-z0-9-]+) \| (error|warning) \|",
        DOC.read_text(encoding="utf-8"),
        flags=re.M,
    )
    assert [r[0] for r in rows] == list(CODES)
    for code, anchor, name, severity in rows:
        assert anchor == f"{code.lower()}-{CODES[code].slug}", code
        assert name == CODES[code].slug, code
        assert severity == ("error" if code.startswith("E") else "warning"), code


def test_no_other_heading_follows_the_code_sections() -> None:
    """`rspl explain` takes a section to the next `## ` heading, so once the code sections
    start, every `## ` heading must be a code heading."""
    lines = DOC.read_text(encoding="utf-8").split("\n")
    headings = [line for line in lines if _HEADING_RE.match(line)]
    first = next(i for i, h in enumerate(headings) if _CODE_HEADING_RE.match(h))
    assert [h for h in headings[first:] if not _CODE_HEADING_RE.match(h)] == []


@pytest.mark.parametrize("code", list(CODES))
def test_section_heading_and_severity_match_the_registry(code: str) -> None:
    section = code_sections()[code]
    entry = CODES[code]
    assert section.heading == f"## {code} {entry.slug}"
    assert f"Severity: **{entry.severity.value}**" in section.text


@pytest.mark.parametrize("code", list(CODES))
def test_section_has_a_bad_and_a_fixed_example(code: str) -> None:
    section = code_sections()[code]
    lines = [line.strip() for line in section.text.split("\n")]
    assert lines.count("**Bad**") == 1 and lines.count("**Fixed**") == 1
    assert lines.index("**Bad**") < lines.index("**Fixed**")
    for part in ("bad", "fixed"):
        mains = [b for b in section.blocks if b.part == part and b.name == MAIN]
        assert len(mains) == 1, f"the {part} example needs exactly one main file block"
        assert mains[0].text.lstrip().startswith("policy ") or code == "E0101"
    assert len(section.outputs("bad")) == 1, "the bad example needs one ```text output block"
    assert section.outputs("fixed") == []


# ---------------------------------------------------------------------------- examples


@pytest.mark.parametrize("code", list(CODES))
def test_bad_example_reports_the_code(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = reported(tmp_path, monkeypatch, code_sections()[code].files("bad"))
    codes = sorted({d.code for d in found})
    assert code in codes, f"the bad example of {code} reports {codes}"


@pytest.mark.parametrize("code", list(CODES))
def test_fixed_example_is_clean_of_the_code_and_of_errors(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = reported(tmp_path, monkeypatch, code_sections()[code].files("fixed"))
    codes = sorted({d.code for d in found})
    assert code not in codes
    errors = [d for d in found if d.severity is Severity.ERROR]
    assert errors == [], f"the fixed example of {code} has errors: {codes}"


@pytest.mark.parametrize("code", list(CODES))
def test_explain_returns_the_section(code: str) -> None:
    section = code_sections()[code]
    assert explain(code) == section.text.rstrip() + "\n"


def test_explain_unknown_code() -> None:
    assert explain("E9999") is None


# ---------------------------------------------------------------------------- outputs


def test_outputs_on_the_page_are_what_the_compiler_prints(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_cases: bool,
) -> None:
    """Every output block is the compiler's output for the example above it: in the
    introduction the snippet then the concise format, in each section the concise format."""
    text = DOC.read_text(encoding="utf-8")
    lines = text.split("\n")
    replacements: list[tuple[Block, str, str]] = []  # (block, actual, where)
    for number, section in enumerate(doc_sections()):
        if section.code is None:
            files = section.files("intro")
            outputs = section.outputs("intro")
            formats = ["snippet", "concise"]
            where = "the introduction"
        else:
            files = section.files("bad")
            outputs = section.outputs("bad")
            formats = ["concise"]
            where = section.code
        assert len(outputs) == len(formats), f"{where}: expected {len(formats)} output block(s)"
        folder = tmp_path / str(number)
        folder.mkdir()
        for block, fmt in zip(outputs, formats, strict=True):
            actual = cli_output(folder, monkeypatch, capsys, files, fmt)
            if actual != block.text:
                replacements.append((block, actual, f"{where} ({fmt})"))
    if not replacements:
        return
    if update_cases:
        for block, actual, _ in sorted(replacements, key=lambda r: -r[0].first):
            lines[block.first : block.end] = actual.rstrip("\n").split("\n")
        DOC.write_text("\n".join(lines), encoding="utf-8")
        return
    report = []
    for block, actual, where in replacements:
        diff = difflib.unified_diff(
            block.text.splitlines(), actual.splitlines(), "on the page", "printed", lineterm=""
        )
        report.append(f"{where}:\n" + "\n".join(diff))
    pytest.fail(
        "outputs in docs/diagnostics.md differ from the compiler's "
        "(if the new output is right: pytest tests/test_diagnostics_doc.py --update-cases)\n"
        + "\n\n".join(report),
        pytrace=False,
    )


def test_parse_doc_reads_file_markers() -> None:
    text = "\n".join(
        [
            "# T",
            "## E0104 import-cycle",
            "**Bad**",
            "<!-- file: a.rspl -->",
            "```rspl",
            'import "policy.rspl"',
            "```",
            "```rspl",
            'policy p "P" { }',
            "```",
            "```text",
            "out",
            "```",
            "**Fixed**",
            "```rspl",
            'policy p "P" { }',
            "```",
        ]
    )
    intro, section = parse_doc(text)
    assert intro.code is None and section.code == "E0104"
    assert section.files("bad") == {"a.rspl": 'import "policy.rspl"\n', MAIN: 'policy p "P" { }\n'}
    assert section.files("fixed") == {MAIN: 'policy p "P" { }\n'}
    assert [b.text for b in section.outputs("bad")] == ["out\n"]
