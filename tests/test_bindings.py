"""Bindings files (`rspl assess --bindings FILE`, rspl/bindings.py): data-driven cases.

Every `tests/bindings/*.toml` is checked against `tests/bindings/policy.rspl`; its expected
diagnostics are written at the end of the line they point at, as in `tests/cases/` (see
tests/test_cases.py): `# error: E2102 the policy declares no evidence `redy``. A case with no
expectation must check clean. `pytest tests/test_bindings.py --update-cases` rewrites the
comments from what the checker reports.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from rspl.bindings import _Locator, read_bindings
from rspl.cli import main as rspl_main
from rspl.diagnostics import CODES
from rspl.pipeline import compile_file

FOLDER = Path(__file__).resolve().parent / "bindings"
CASES = sorted(FOLDER.glob("*.toml"))
_MARK_RE = re.compile(r"#\s*(error|warning):\s*([A-Z]\d{4})\b")
_TRAILER_RE = re.compile(r"\s*#\s*(?:error|warning):\s*[A-Z]\d{4}\b.*$")

Key = tuple[int, str, str, str]  # (line, severity, code, message)


def expected(text: str) -> set[Key]:
    out: set[Key] = set()
    for number, line in enumerate(text.split("\n"), 1):
        marks = list(_MARK_RE.finditer(line))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
            message = line[mark.end() : end].strip()
            assert message, f"line {number}: a marker without a message"
            assert mark.group(2) in CODES, f"line {number}: unknown code {mark.group(2)}"
            out.add((number, mark.group(1), mark.group(2), message))
    return out


def reported(path: Path) -> set[Key]:
    policy = compile_file(str(FOLDER / "policy.rspl")).policy
    assert policy is not None
    _, found = read_bindings(path.name, path.read_text(encoding="utf-8"), policy)
    return {(d.span.line, d.severity.value, d.code, d.message) for d in found}


def rewrite(text: str, found: set[Key]) -> str:
    lines = [_TRAILER_RE.sub("", line) for line in text.split("\n")]
    for number in sorted({k[0] for k in found}):
        here = sorted((k for k in found if k[0] == number), key=lambda k: (k[1], k[2], k[3]))
        lines[number - 1] += "".join(f"  # {s}: {c} {m}" for _, s, c, m in here)
    return "\n".join(lines)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bindings_case(path: Path, update_cases: bool) -> None:
    text = path.read_text(encoding="utf-8")
    found = reported(path)
    if update_cases:
        path.write_text(rewrite(text, found), encoding="utf-8")
        return
    want = expected(text)
    assert sorted(found - want) == [], "reported but not expected"
    assert sorted(want - found) == [], "expected but not reported"


def test_the_clean_case_reads_every_kind_of_binding() -> None:
    policy = compile_file(str(FOLDER / "policy.rspl")).policy
    assert policy is not None
    text = (FOLDER / "clean.toml").read_text(encoding="utf-8")
    found, problems = read_bindings("clean.toml", text, policy)
    assert problems == [] and found is not None
    assert found.model == "lab/model" and found.max_age_days == 30
    by = {b.evidence: b for b in found.bindings}
    cyber = by["cyber_success"].measure
    assert cyber is not None and cyber.tasks == ("range_a", "range_b") and cyber.aggregate == "max"
    assert cyber.unit == "fraction"  # accuracy: a fraction unless told otherwise
    bio = by["bio_flag"].measure
    assert bio is not None and bio.true_when == (">=", 0.4)
    assert bio.samples is not None and bio.samples.metadata == (("category", "bio"),)
    members = dict(by["attack"].members)
    assert members["gcg"].tasks == ("jailbreaks",) and members["gcg"].unit == "percent"
    assert members["pair"].tasks == ("pair_attack",) and members["pair"].metric == "pair"


def test_locator_finds_tables_keys_and_dotted_keys() -> None:
    text = (
        "[assess]\nmodel = 'm'\n\n[evidence.a]\ntask = 't'\n"
        "[evidence.b.members]\ngcg = { metric = 'x' }\n[evidence]\nc.task = 'u'\n"
    )
    at = _Locator("f.toml", text).line_of
    assert at(("assess",), "model") == 2
    assert at(("evidence", "a")) == 4 and at(("evidence", "a"), "task") == 5
    assert at(("evidence", "a"), "scorer") == 4  # missing: the table's header
    assert at(("evidence", "b", "members", "gcg"), "metric") == 7
    assert at(("evidence", "c"), "task") == 9  # a dotted key under the parent table
    assert at(("nothing",)) == 1


def test_assess_says_which_extra_to_install_without_inspect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "inspect_ai", None)
    monkeypatch.setitem(sys.modules, "inspect_ai.log", None)
    (tmp_path / "logs").mkdir()
    status = rspl_main(["assess", str(FOLDER / "policy.rspl"), "--bindings",
                        str(FOLDER / "clean.toml"), str(tmp_path / "logs")])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2
    assert "pip install 'rspl[inspect]'" in err and "inspect_ai" in err


def test_check_only_needs_no_logs(capsys: pytest.CaptureFixture[str]) -> None:
    status = rspl_main(["assess", str(FOLDER / "policy.rspl"), "--bindings",
                        str(FOLDER / "clean.toml"), "--check"])  # fmt: skip
    assert status == 0
    assert capsys.readouterr().out.endswith("clean.toml: ok (0 errors, 0 warnings)\n")
    status = rspl_main(["assess", str(FOLDER / "policy.rspl"), "--bindings",
                        str(FOLDER / "problems.toml"), "--check", "--format", "concise"])
    assert status == 1


def test_cases_cover_every_bindings_code() -> None:
    found = {code for path in CASES for _, _, code, _ in expected(path.read_text("utf-8"))}
    codes = {c for c, entry in CODES.items() if entry.slug.startswith("bindings-")}
    assert sorted(codes - found) == []
