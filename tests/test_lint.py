"""`rspl lint --profile`: completeness against published checklists.

Golden files: `tests/lint/golden/EXAMPLE.PROFILE.txt` is `rspl lint --format concise` of each
example under each shipped profile, byte for byte (`pytest tests/test_lint.py
--update-golden` rewrites them; `docs/policies.md` summarises them). The probe policy
`tests/lint/no_incident.rspl` has every element of the Seoul profile but an incident
procedure and a whistleblowing channel; the tests add those and watch the warnings go.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rspl import resources
from rspl.cli import main as rspl_main
from rspl.lint import keyword_hit, run_check, words
from rspl.pipeline import compile_file
from rspl.profile import CHECKS, Check, parse_profile

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "lint" / "golden"
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))
PROFILES = resources.profile_names()
PROBE = ROOT / "tests" / "lint" / "no_incident.rspl"


def lint_output(
    capsys: pytest.CaptureFixture[str], *args: str, code: int | None = 0
) -> str:
    capsys.readouterr()
    status = rspl_main(["lint", "--color", "never", *args])
    out = capsys.readouterr().out
    if code is not None:
        assert status == code, out
    return out


def test_the_shipped_profiles_are_there() -> None:
    assert {"seoul", "metr", "sb53"} <= set(PROFILES)


@pytest.mark.parametrize("name", PROFILES)
def test_shipped_profile_reads_cleanly_and_cites_each_element(name: str) -> None:
    found = resources.profile_text(name)
    assert found is not None
    profile, problems = parse_profile(*found)
    assert problems == [] and profile is not None
    assert profile.id == name
    assert profile.source.startswith("https://")
    for element in profile.elements:
        assert element.citation.strip() and element.title.strip()


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_lint_output_matches_golden(
    example: Path,
    name: str,
    update_cases: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    rel = example.relative_to(ROOT).as_posix()
    out = lint_output(capsys, "--profile", name, "--format", "concise", rel)
    golden = GOLDEN / f"{example.stem}.{name}.txt"
    if update_cases:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8", newline="\n")
        return
    assert golden.is_file(), f"no golden lint output {golden.name}: run with --update-golden"
    assert out == golden.read_text(encoding="utf-8"), f"{golden.name} changed"


def test_every_element_is_reported_once_per_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each element ends as a diagnostic (missing, not binding) or a `present` line."""
    monkeypatch.chdir(ROOT)
    for name in PROFILES:
        text = resources.profile_text(name)
        assert text is not None
        profile, _ = parse_profile(*text)
        assert profile is not None
        for example in EXAMPLES:
            rel = example.relative_to(ROOT).as_posix()
            out = lint_output(capsys, "--profile", name, "--format", "concise", rel)
            for element in profile.elements:
                marks = [
                    f" {name} {element.id} is missing: ",
                    f" {name} {element.id} is not binding: ",
                    f" {name} {element.id} present: ",
                ]
                assert sum(out.count(m) for m in marks) == 1, (rel, element.id)


# ---------------------------------------------------------------------------- the probe


def test_seoul_reports_a_missing_incident_and_whistleblowing_commitment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = lint_output(capsys, "--profile", "seoul", "--format", "concise", str(PROBE))
    warnings = [line for line in out.splitlines() if re.search(r":\d+:\d+: W00", line)]
    assert [w.split(": ", 1)[1].split(" is ")[0] for w in warnings] == [
        "W0050 seoul VI-incident",
        "W0050 seoul VI-whistleblowing",
    ]
    header = next(i for i, line in enumerate(PROBE.read_text().splitlines()) if "policy " in line)
    for w in warnings:
        assert w.startswith(f"{PROBE}:{header + 1}:1: "), "located at the policy header"
        assert "(Outcome 2, commitment VI" in w, "the element's citation"
    assert f"{PROBE}: seoul: 10 of 12 elements present, 0 not binding, 2 missing" in out


def test_adding_the_commitments_clears_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROBE.read_text(encoding="utf-8")
    text += (
        'artifact incident_procedures "Incident procedures" { contains "steps" audience RSO }\n'
        'safeguard noncompliance_channel "Anonymous non-compliance reporting" '
        "{ category governance }\n"
    )
    policy = tmp_path / "probe.rspl"
    policy.write_text(text, encoding="utf-8")
    out = lint_output(capsys, "--profile", "seoul", "--format", "concise", str(policy))
    assert "W0050" not in out and "W0051" not in out
    assert 'present: artifact `incident_procedures` (keyword "incident")' in out
    assert 'present: safeguard `noncompliance_channel` (keyword "noncompliance")' in out


def test_a_should_duty_is_not_binding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PROBE.read_text(encoding="utf-8").replace(
        "  must publish framework_document", "  should publish framework_document"
    )
    policy = tmp_path / "probe.rspl"
    policy.write_text(text, encoding="utf-8")
    out = lint_output(capsys, "--profile", "seoul", "--format", "concise", str(policy))
    assert "W0051 seoul VII is not binding: " in out
    assert "found only should publish `framework_document`" in out


def test_json_lists_every_element_with_what_matched(capsys: pytest.CaptureFixture[str]) -> None:
    out = lint_output(capsys, "--profile", "seoul", "--format", "json", str(PROBE))
    (report,) = json.loads(out)["files"]
    statuses = {e["id"]: e["status"] for e in report["elements"]}
    assert statuses["VI-incident"] == "missing" and statuses["II"] == "present"
    present = [e for e in report["elements"] if e["status"] == "present"]
    assert all(e["matched"] for e in present)
    assert report["warnings"] == 2 and report["errors"] == 0


def test_a_user_profile_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "mine.toml"
    profile.write_text(
        "[profile]\n"
        'id = "mine"\ntitle = "My regulator"\nsource = "https://example.org/rules"\n'
        "[[element]]\n"
        'id = "R1"\ntitle = "a waiver needs approval"\ncitation = "Rule 1"\n'
        "[[element.check]]\n"
        'kind = "declared"\nkinds = ["waiver"]\nkeywords = ["waiver", "exemption"]\n',
        encoding="utf-8",
    )
    out = lint_output(capsys, "--profile", str(profile), "--format", "concise", str(PROBE))
    assert "W0050 mine R1 is missing: a waiver needs approval (Rule 1)" in out


def test_an_unknown_profile_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert rspl_main(["lint", "--profile", "seuol", str(PROBE)]) == 2
    err = capsys.readouterr().err
    assert "no shipped profile 'seuol'" in err and "seoul" in err


BAD_PROFILES = [
        ("[profile\n", "E1911"),
        ('[profile]\nid = "p"\ntitle = "P"\n[[element]]\n', "E1912"),
        (
            '[profile]\nid = "p"\ntitle = "P"\nsource = "s"\n[[element]]\nid = "a"\n'
            'title = "A"\ncitation = "§1"\n[[element.check]]\nkind = "obligations"\n',
            "E1913",
        ),
        (
            '[profile]\nid = "p"\ntitle = "P"\nsource = "s"\n[[element]]\nid = "a"\n'
            'title = "A"\ncitation = "§1"\n[[element.check]]\nkind = "domain"\n'
            'status = ["tracking"]\n',
            "E1914",
        ),
        (
            '[profile]\nid = "p"\ntitle = "P"\nsource = "s"\n[[element]]\nid = "a"\n'
            'title = "A"\ncitation = "§1"\n[[element.check]]\nkind = "halt"\nwhen = ["x"]\n',
            "E1915",
        ),
        (
            '[profile]\nid = "p"\ntitle = "P"\nsource = "s"\n'
            + '[[element]]\nid = "a"\ntitle = "A"\ncitation = "§1"\n'
            '[[element.check]]\nkind = "rule"\nrule_kind = "warning"\n' * 2,
            "E1916",
        ),
]


def test_every_lint_code_is_tested_here() -> None:
    """tests/test_cases.py leaves the `profile-...` codes to this file."""
    from rspl.diagnostics import CODES

    lint_codes = {c for c, entry in CODES.items() if entry.slug.startswith("profile-")}
    assert {code for _, code in BAD_PROFILES} | {"W0050", "W0051"} == lint_codes


@pytest.mark.parametrize(("body", "code"), BAD_PROFILES)
def test_a_bad_profile_is_reported_with_a_code_and_a_line(
    body: str, code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text(body, encoding="utf-8")
    out = lint_output(capsys, "--profile", str(profile), "--format", "concise", str(PROBE), code=1)
    assert re.search(rf"^{re.escape(str(profile))}:\d+:\d+: {code} ", out, flags=re.M), out


# ---------------------------------------------------------------------------- the vocabulary


def test_keywords_match_the_start_of_a_word_of_the_name_or_title() -> None:
    assert words("noncompliance_channel", "Speak-up channel") == [
        "noncompliance", "channel", "speak", "up", "channel",
    ]  # fmt: skip
    assert keyword_hit(["incident"], "incident_procedures", None) == "incident"
    assert keyword_hit(["whistleblow"], "channel", "Whistleblower line") == "whistleblow"
    assert keyword_hit(["rand"], "operand", None) is None, "only the start of a word"
    assert words("ASL3Security") == ["asl3", "security"]


def test_an_illustrative_duty_never_matches_and_a_prohibition_never_satisfies() -> None:
    policy = compile_file(str(ROOT / "examples" / "openai-preparedness-v2.rspl")).policy
    assert policy is not None
    check = Check("obligation", {"actions": ["implement"]})
    texts = [m.text for m in run_check(policy, check)]
    assert not any(t.startswith("illustrative") for t in texts)


@pytest.mark.parametrize(
    ("example", "check", "matches"),
    [
        ("amazon-fmsf-2025", Check("header", {"fields": ["effective", "organization"]}), 1),
        ("gdm-fsf-v3.0", Check("header", {"fields": ["effective"]}), 0),
        ("gdm-fsf-v3.0", Check("domain", {"status": ["exploratory"], "min_count": 2}), 2),
        ("gdm-fsf-v3.0", Check("domain", {"status": ["exploratory"], "min_count": 3}), 0),
        ("openai-preparedness-v2", Check("domain", {"status": ["research"], "min_levels": 2}), 0),
        ("amazon-fmsf-2025", Check("rule", {"rule_kind": "cadence"}), 2),
        ("amazon-fmsf-2025", Check("halt", {"contexts": ["training"]}), 3),
    ],
)
def test_checks_count_what_they_find(example: str, check: Check, matches: int) -> None:
    policy = compile_file(str(ROOT / "examples" / f"{example}.rspl")).policy
    assert policy is not None
    assert len(list(run_check(policy, check))) == matches


def test_docs_describe_every_check_and_option() -> None:
    doc = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    for kind, options in CHECKS.items():
        assert f"### `{kind}`" in doc, kind
        for option in options:
            assert f"`{option}`" in doc, (kind, option)


# ---------------------------------------------------------------------------- docs/policies.md

POLICIES_DOC = ROOT / "docs" / "policies.md"
TABLES_START = "<!-- lint tables: generated by tests/test_lint.py --update-golden -->"
TABLES_END = "<!-- end of lint tables -->"
MARK = {"present": "yes", "not_binding": "not binding", "missing": "**missing**"}


def lint_tables() -> str:
    """One table per shipped profile: its elements down, the examples across."""
    from rspl.cli import _header_span
    from rspl.lint import lint

    compiled = {}
    for example in EXAMPLES:
        result = compile_file(str(example))
        assert result.policy is not None
        compiled[example.stem] = (result.policy, _header_span(result))
    out: list[str] = []
    for name in PROFILES:
        found = resources.profile_text(name)
        assert found is not None
        profile, _ = parse_profile(*found)
        assert profile is not None
        statuses = {
            stem: {o.element.id: o.status for o in lint(policy, profile, header)[0]}
            for stem, (policy, header) in compiled.items()
        }
        out.append(f"#### `{name}`: {profile.title}\n")
        out.append("| element | citation | " + " | ".join(compiled) + " |")
        out.append("|---|---|" + "---|" * len(compiled))
        for element in profile.elements:
            cells = [MARK[statuses[stem][element.id]] for stem in compiled]
            row = f"| {element.id}: {element.title} | {element.citation} | "
            out.append(row + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def test_policies_doc_tables_are_current(update_cases: bool) -> None:
    text = POLICIES_DOC.read_text(encoding="utf-8")
    assert TABLES_START in text and TABLES_END in text
    head, rest = text.split(TABLES_START, 1)
    body, tail = rest.split(TABLES_END, 1)
    fresh = "\n" + lint_tables() + "\n"
    if update_cases:
        POLICIES_DOC.write_text(head + TABLES_START + fresh + TABLES_END + tail, encoding="utf-8")
        return
    assert body == fresh, "docs/policies.md lint tables are stale: run with --update-golden"
