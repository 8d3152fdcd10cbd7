"""docs/policies.md describes every example policy faithfully: each example has a section
naming its file; every declaration the mapping tables cite exists in that example; every
scenario is described; the simplification list covers every GAP of the example's header; the
stdlib table matches the examples' imports; and the checklist covers constructs 1 to 36."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from rspl import ir
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "policies.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))

TICKED = re.compile(r"`([^`]+)`")
ENTRY = re.compile(r"^\d+\. \*\*\[([A-Z0-9]+-\d+)\]")
ENTRY_REF = re.compile(r"\b((?:A2|A3|O|G2|G3|MS|AM)-\d+)\b")
STATUSES = {"encoded", "simplification", "not encoded"}


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _sections(text: str, level: str) -> dict[str, str]:
    """Heading -> body for the headings of one level (`## ` or `### `)."""
    parts = re.split(rf"^{re.escape(level)}(?!#)(.*)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _example_section(example: Path) -> str:
    named = [
        body
        for heading, body in _sections(_doc(), "## ").items()
        if f"examples/{example.name}" in heading
    ]
    assert len(named) == 1, f"docs/policies.md needs one `## ` section naming {example.name}"
    return named[0]


def _subsection(section: str, prefix: str) -> str:
    found = [body for title, body in _sections(section, "### ").items() if title.startswith(prefix)]
    assert len(found) == 1, f"expected one `### {prefix}...` subsection"
    return found[0]


def _table(body: str, header: str) -> list[list[str]]:
    """The rows (as lists of cells) of the first table whose header row starts with `header`."""
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and line.strip("| ").startswith(header):
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table with header {header!r}")


@cache
def _policy(example: Path) -> ir.Policy:
    result = compile_file(str(example))
    assert result.policy is not None, f"{example.name} does not compile"
    return result.policy


def _declared(policy: ir.Policy) -> set[str]:
    names = {policy.id}
    for kind in (
        "roles",
        "contexts",
        "context_groups",
        "domains",
        "evidence",
        "definitions",
        "safeguards",
        "families",
        "standards",
        "artifacts",
        "actions",
        "rules",
        "scenarios",
    ):
        names.update(item.name for item in getattr(policy, kind))
    names.update(level.name for domain in policy.domains for level in domain.levels)
    return names


def _header_gaps(example: Path) -> int:
    """How many `GAP:` notes the example's opening comment (before `policy`) lists."""
    header = []
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.startswith("policy "):
            break
        header.append(line)
    return sum(len(re.findall(r"\bGAP:", line)) for line in header if line.startswith("#"))


def _std_imports(example: Path) -> set[str]:
    text = example.read_text(encoding="utf-8")
    found: set[str] = set()
    for m in re.finditer(r"^import\s+((?:[^\n#]*,[ \t]*\n)*[^\n#]*)", text, re.MULTILINE):
        found.update(part.strip() for part in m.group(1).split(",") if part.strip())
    return {name for name in found if name.startswith("std.")}


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_mapping_table_names_exist(example: Path) -> None:
    rows = _table(_subsection(_example_section(example), "Mapping"), "Policy element")
    assert rows, "the mapping table is empty"
    declared = _declared(_policy(example))
    cited = {name for row in rows for name in TICKED.findall(row[2])}
    assert cited, "the mapping table cites no declaration"
    unknown = sorted(cited - declared)
    assert not unknown, f"not declared in {example.name}: {unknown}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_scenario_is_described(example: Path) -> None:
    rows = _table(_subsection(_example_section(example), "Scenarios"), "Scenario")
    listed = [name for row in rows for name in TICKED.findall(row[0])]
    scenarios = [s.name for s in _policy(example).scenarios]
    assert sorted(set(listed) - set(scenarios)) == [], "the table names unknown scenarios"
    assert sorted(set(scenarios) - set(listed)) == [], "scenarios missing from the table"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_header_gaps_are_listed(example: Path) -> None:
    entries = [
        line
        for line in _subsection(_example_section(example), "Simplifications").splitlines()
        if ENTRY.match(line)
    ]
    gaps = _header_gaps(example)
    assert gaps <= len(entries), f"{gaps} header GAPs but {len(entries)} entries"
    tagged = sum("(header GAP" in line for line in entries)
    assert tagged == gaps, f"{example.name} lists {gaps} GAPs in its header; {tagged} tagged"


def test_entry_references_resolve() -> None:
    text = _doc()
    defined = [m.group(1) for line in text.splitlines() if (m := ENTRY.match(line))]
    assert len(defined) == len(set(defined)), "an entry identifier is used twice"
    cited = set(ENTRY_REF.findall(text))
    assert sorted(cited - set(defined)) == []


def test_stdlib_table_matches_imports() -> None:
    rows = _table(_doc(), "Module")
    by_module = {
        TICKED.findall(row[0])[0]: set(re.findall(r"[\w.-]+\.rspl", row[2])) for row in rows
    }
    expected: dict[str, set[str]] = {}
    for example in EXAMPLES:
        for module in _std_imports(example):
            expected.setdefault(module, set()).add(example.name)
    assert by_module == expected


def test_checklist_covers_every_construct() -> None:
    rows = _table(_doc(), "# | Construct")
    assert [row[0] for row in rows] == [str(n) for n in range(1, 37)]
    for row in rows:
        assert row[2] in STATUSES, f"construct {row[0]}: unknown status {row[2]!r}"
        if row[2] == "simplification":
            assert ENTRY_REF.search(row[3]), f"construct {row[0]} names no entry"
