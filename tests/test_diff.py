"""`rspl diff OLD NEW` (rspl/analysis/diff.py, docs/analysis.md).

A policy against itself differs nowhere; the hand-made pair under tests/policies/diff (a
threshold raised, a safeguard dropped, a must turned into a should with a longer deadline and
another approver, a new requirement at a higher level) gives exactly the expected findings;
every witness of the example pairs is decided as stated by the reference interpreter, run
here again on each version's assessment; the "what changed" documents under docs/changes are
what `rspl diff` writes (`--update-golden` rewrites them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

z3 = pytest.importorskip("z3", reason="rspl diff needs the [analysis] extra (z3-solver)")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from profiles import examples  # noqa: E402
from strategies import PolicySpec, compile_policy, policies  # noqa: E402

from rspl import interpreter, ir  # noqa: E402
from rspl.analysis.diff import Diff, RenameMap, diff  # noqa: E402
from rspl.cli import main  # noqa: E402
from rspl.pipeline import compile_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAIR = ROOT / "tests" / "policies" / "diff"
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))
CHANGES = {
    "anthropic-rsp-v2.2-to-v3.0.md": ("anthropic-rsp-v2.2", "anthropic-rsp-v3.0"),
    "gdm-fsf-v2.0-to-v3.0.md": ("gdm-fsf-v2.0", "gdm-fsf-v3.0"),
}


def _policy(path: Path) -> ir.Policy:
    result = compile_file(str(path))
    assert result.ok, path
    return result.policy


def _example(stem: str) -> ir.Policy:
    return _policy(ROOT / "examples" / f"{stem}.rspl")


def confirm(old: ir.Policy, new: ir.Policy, got: Diff) -> None:
    """Every region's witness, decided again by the interpreter, shows what it says (each
    version decided as if in force on the witness's `as_of`: periods are set aside)."""
    old = attrs.evolve(old, effective=None, superseded=None)
    new = attrs.evolve(new, effective=None, superseded=None)
    renames = RenameMap(old, new)
    for c in got.contexts:
        for r in c.regions:
            assert r.result == "found", r.json()
            a = interpreter.evaluate(old, r.witness["old"])
            b = interpreter.evaluate(new, r.witness["new"])
            if r.direction == "stricter":
                a, b = b, a
            was, now = a["verdicts"][c.context]["permitted"], b["verdicts"][c.context]["permitted"]
            # a safeguard required on one side and not, under any of its names, on the other
            move = renames.forward if r.direction == "looser" else renames.backward
            kept = set(b["required_safeguards"])
            gone = {x for x in a["required_safeguards"] if not set(move(x)) & kept}
            assert (now and not was) or gone, r.json()
            # the two assessments agree on every input both versions declare alike
            alike = {
                "determinations": _alike({d.name: _shape(d) for d in old.domains},
                                         {d.name: _shape(d) for d in new.domains}),
                "evidence": _alike(
                    {e.name: (e.type, e.members) for e in old.evidence},
                    {e.name: (e.type, e.members) for e in new.evidence},
                ),
            }
            for key, names in alike.items():
                wo, wn = r.witness["old"].get(key, {}), r.witness["new"].get(key, {})
                for name in names:
                    assert wo.get(name) == wn.get(name), (name, r.json())


def _shape(d: ir.Domain) -> tuple[Any, ...]:
    return tuple(lv.name for lv in d.levels), tuple(s.name for s in d.settings), d.residual


def _alike(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    return {n for n in a.keys() & b.keys() if a[n] == b[n]}


@pytest.mark.parametrize("path", EXAMPLES + sorted(PAIR.glob("*.rspl")), ids=lambda p: p.stem)
def test_a_policy_against_itself_differs_nowhere(path: Path) -> None:
    policy = _policy(path)
    got = diff(policy, policy)
    assert [c.context for c in got.contexts] == [c.name for c in policy.contexts]
    assert all(c.looser == c.stricter == "none" and not c.regions for c in got.contexts)
    assert got.obligations == []
    assert not got.found("any")


def test_the_hand_made_pair() -> None:
    old, new = _policy(PAIR / "old.rspl"), _policy(PAIR / "new.rspl")
    got = diff(old, new, ["external_deployment"])
    confirm(old, new, got)
    (c,) = got.contexts
    assert (c.looser, c.stricter) == ("found", "found")
    said = {(r.direction, w) for r in c.regions for w in r.what}
    # the threshold raised from 20% to 30%: at 20% to 30% nothing is required any more
    assert ("looser", "no longer required: security") in said
    measured = next(r for r in c.regions if "no longer required: security" in r.what)
    score = measured.witness["new"]["evidence"]["uplift_score"]
    assert 0.2 <= score < 0.3
    # the classifiers dropped at CBRN-3
    assert ("looser", "no longer required: filters") in said
    # the new CBRN-4 rule
    assert ("stricter", "newly required: isolation") in said
    # each witness keeps only inputs that matter for its change (a local minimum: which
    # one depends on the witness the solver gave)
    where = {w: r.where for r in c.regions for w in r.what}
    assert where["no longer required: filters"][0].startswith("CBRN ")
    assert "CBRN_3" in where["no longer required: filters"][0]
    assert not any("uplift" in w for w in where["no longer required: filters"])
    security = where["no longer required: security"]
    assert security[0] == "every determination below every level"
    assert security[1].startswith("uplift_score = ")
    if "external_deployment becomes blocked" in where:
        blocked = where["external_deployment becomes blocked"]
        assert blocked[0].startswith("CBRN ") and blocked[0].endswith("CBRN_4")
        assert blocked[1:] == ["implemented: filters, security"]
    changes = {(o.kind, o.rule, o.duty, o.detail) for o in got.obligations}
    assert changes == {
        ("weakened", "cbrn_3", "notify", "must -> should"),
        ("weakened", "cbrn_3", "notify", "deadline within 30 days -> within 60 days"),
        ("weakened", "cbrn_3", "notify", "approver dropped: rso"),
        ("strengthened", "cbrn_3", "notify", "approver added: board"),
    }
    assert got.names["safeguards"] == {"removed": [], "added": ["isolation"]}
    assert got.found("looser") and got.found("stricter")


def _safeguards(got: Diff, direction: str) -> set[str]:
    verb = "no longer required: " if direction == "looser" else "newly required: "
    return {
        name
        for c in got.contexts
        for r in c.regions
        if r.direction == direction
        for w in r.what
        if w.startswith(verb)
        for name in w.removeprefix(verb).split(", ")
    }


def test_the_pair_the_other_way_round() -> None:
    """What NEW no longer requires, OLD requires newly, seen from NEW."""
    old, new = _policy(PAIR / "old.rspl"), _policy(PAIR / "new.rspl")
    there, back = diff(old, new, ["training"]), diff(new, old, ["training"])
    confirm(new, old, back)
    assert _safeguards(there, "looser") == _safeguards(back, "stricter") == {"filters", "security"}
    assert _safeguards(there, "stricter") == _safeguards(back, "looser") == {"isolation"}
    assert {(o.kind, o.detail) for o in back.obligations} >= {
        ("strengthened", "should -> must"), ("weakened", "approver dropped: board")
    }


def test_a_renamed_policy_differs_nowhere_through_its_map() -> None:
    """tests/policies/diff/renamed.rspl is old.rspl with a domain, a level, both safeguards
    and a rule renamed, and the map saying so: no decision differs, no duty changes, and the
    names are listed as renamed. Without the map the renamed inputs are unrelated, and
    differences appear."""
    old, new = _policy(PAIR / "old.rspl"), _policy(PAIR / "renamed.rspl")
    got = diff(old, new)
    assert not got.found("any") and got.obligations == []
    assert got.names["levels"] == {"removed": [], "added": [],
                                   "renamed": ["CBRN.CBRN_4 -> ChemBio.State"]}  # fmt: skip
    assert got.names["safeguards"]["renamed"] == ["security -> security_controls",
                                                  "filters -> output_classifiers"]  # fmt: skip
    assert got.names["domains"]["renamed"] == ["CBRN -> ChemBio"]
    assert got.names["rules"]["renamed"] == ["cbrn_3 -> chembio_3"]
    unmapped = diff(old, attrs.evolve(new, renames=()))
    assert unmapped.found("looser") and unmapped.found("stricter")
    confirm(old, attrs.evolve(new, renames=()), unmapped)


def test_merged_safeguards_count_when_all_were_implemented() -> None:
    """`merges security, filters as protections`: an assessment of OLD carried over has the
    merged safeguard implemented only when both were; where OLD asked for one of them only,
    NEW (asking for the merged one) is stricter, with a witness the interpreter confirms. An
    entry naming what OLD does not declare is left out with a note."""
    text = (PAIR / "renamed.rspl").read_text(encoding="utf-8")
    text = text.replace("renames security as security_controls\n", "")
    text = text.replace("renames filters as output_classifiers\n",
                        "merges security, filters as protections\n  renames nothing as measured\n")
    text = text.replace('safeguard output_classifiers "Output classifiers" source "§5"\n', "")
    text = text.replace("safeguard security_controls", "safeguard protections")
    text = text.replace("  require output_classifiers\n", "")
    new = compile_policy(text.replace("security_controls", "protections"), "merged.rspl")
    old = _policy(PAIR / "old.rspl")
    got = diff(old, new)
    confirm(old, new, got)
    assert got.found("stricter") and not got.found("looser")
    assert got.names["safeguards"]["renamed"] == ["security, filters -> protections"]
    assert any("nothing, which OLD does not declare" in n for n in got.notes), got.notes
    region = got.contexts[0].regions[0]
    assert region.witness["old"].get("implemented") == ["security"]


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_example_pairs(name: str) -> None:
    """Both directions are found in some context of each pair, and every witness is
    confirmed."""
    old, new = (_example(s) for s in CHANGES[name])
    got = diff(old, new)
    confirm(old, new, got)
    assert any(c.looser == "found" for c in got.contexts)
    assert any(c.stricter == "found" for c in got.contexts)
    assert not got.errors()


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_what_changed_documents(name: str, update_cases: bool) -> None:
    """Run as a command in a fresh process: z3's models depend on the terms a process has
    built before, so only a fresh run gives the same witnesses every time."""
    old, new = (f"examples/{s}.rspl" for s in CHANGES[name])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    run = subprocess.run([sys.executable, "-m", "rspl", "diff", old, new], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    doc = ROOT / "docs" / "changes" / name
    if update_cases:
        doc.parent.mkdir(exist_ok=True)
        doc.write_text(run.stdout, encoding="utf-8", newline="\n")
        return
    assert doc.is_file(), f"no {doc.name}: run with --update-golden"
    shipped = doc.read_text(encoding="utf-8")
    # What the changes are (contexts, looser/stricter found or not, duties, names) does not
    # depend on the solver; the witnesses are z3's models, so they are compared only when the
    # same version of z3 found them.
    assert _solver_free(run.stdout) == _solver_free(shipped), f"{doc.name} is stale"
    made_with = re.search(r"\(z3 ([^)]+)\)", shipped)
    import z3

    if made_with and made_with.group(1) == z3.get_version_string():
        assert run.stdout == shipped, f"{doc.name} is stale: --update-golden"


def _solver_free(text: str) -> list[str]:
    """The lines of a "what changed" document that do not come from a solver model: no
    witness (its JSON, its `Where:` and what it shows) and no z3 version."""
    out, in_json = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_json = not in_json
            continue
        if in_json or line.startswith(("Where:", "**")) or line.startswith("Generated by"):
            continue
        out.append(line)
    return out


@settings(max_examples=examples(20), deadline=None,
          suppress_health_check=[*settings().suppress_health_check,
                                 HealthCheck.large_base_example])  # two policies: a large draw
@given(a=policies(), b=policies())
def test_random_pairs_are_confirmed(a: PolicySpec, b: PolicySpec) -> None:
    """Two random policies share many names with other declarations (levels, evidence
    types): whatever they are, every witness is confirmed by the interpreter and a policy
    against itself differs nowhere."""
    old, new = compile_policy(a.text), compile_policy(b.text)
    shared = [c for c in a.contexts if c in b.contexts][:1]
    if not shared:
        return
    confirm(old, new, diff(old, new, shared, timeout=20))
    same = diff(old, old, shared, timeout=20)
    assert not any("found" in (c.looser, c.stricter) for c in same.contexts), same.json()


def _renamed(spec: PolicySpec) -> str:
    """`spec`'s text with a domain (one assessed once), every safeguard, standard and rule
    renamed, and the rename map that says so in the header."""
    plain = [d.name for d in spec.domains if not d.settings][:1]
    names = plain + spec.safeguards + [s.name for s in spec.standards] + spec.rules
    text = spec.text
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", f"{name}_v2", text)
    entries = "".join(f"  renames {name} as {name}_v2\n" for name in names)
    return text.replace("  effective 2025-05-14\n", "  effective 2025-05-14\n" + entries, 1)


@settings(max_examples=examples(20), deadline=None)
@given(spec=policies())
def test_a_random_policy_renamed_through_its_map_differs_nowhere(spec: PolicySpec) -> None:
    """Renaming declarations and saying so in the map changes nothing `rspl diff` can see:
    no decision, no duty; every rename listed as such."""
    old = compile_policy(spec.text)
    new = compile_policy(_renamed(spec), "renamed.rspl")
    got = diff(old, new, spec.contexts[:1], timeout=20)
    assert not any("found" in (c.looser, c.stricter) for c in got.contexts), got.json()
    assert got.obligations == [], got.json()
    assert got.names["safeguards"]["removed"] == got.names["safeguards"]["added"] == []


# ---------------------------------------------------------------------------- the command


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(PAIR / "old.rspl"), str(PAIR / "new.rspl")
    assert _run(["diff", old, new], capsys)[0] == 0
    for kind in ("looser", "stricter", "any"):
        assert _run(["diff", old, new, "--fail-on", kind, "--context", "training"], capsys)[0] == 1
        assert _run(["diff", old, old, "--fail-on", kind], capsys)[0] == 0


def test_only_looser_fails_on_looser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A version that only adds a requirement is stricter, never looser."""
    text = (PAIR / "old.rspl").read_text(encoding="utf-8")
    stricter = tmp_path / "stricter.rspl"
    stricter.write_text(text.replace("when uplift_score >= 20%", "when uplift_score >= 10%"),
                        encoding="utf-8")  # fmt: skip
    old = str(PAIR / "old.rspl")
    assert _run(["diff", old, str(stricter), "--fail-on", "looser"], capsys)[0] == 0
    code, out, _ = _run(["diff", old, str(stricter), "--fail-on", "stricter", "--format", "json"],
                        capsys)  # fmt: skip
    assert code == 1
    data = json.loads(out)
    assert {c["looser"] for c in data["contexts"]} == {"none"}
    assert {c["stricter"] for c in data["contexts"]} == {"found"}


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["diff", str(PAIR / "old.rspl"), str(PAIR / "new.rspl"), "--format",
                         "json", "--context", "open_weights"], capsys)  # fmt: skip
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert (data["old"], data["new"]) == ("pair 1.0", "pair 2.0")
    assert [c["context"] for c in data["contexts"]] == ["open_weights"]
    assert data["contexts"][0]["regions"][0]["witness"].keys() == {"old", "new"}
    assert {o["kind"] for o in data["obligations"]} == {"weakened", "strengthened"}


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = str(PAIR / "old.rspl")
    code, _, err = _run(["diff", old, old, "--context", "nowhere"], capsys)
    assert code == 2 and "not a context of both versions" in err
    assert _run(["diff", old, old, "--timeout", "0"], capsys)[0] == 2
    assert _run(["diff", old, str(tmp_path / "missing.rspl")], capsys)[0] == 2
    broken = tmp_path / "broken.rspl"
    broken.write_text("policy p {\n", encoding="utf-8")
    assert _run(["diff", str(broken), old], capsys)[0] == 2
    assert _run(["diff", old], capsys)[0] == 2


def test_without_z3_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "z3", None)  # import z3 now raises ImportError
    code, _, err = _run(["diff", str(PAIR / "old.rspl"), str(PAIR / "new.rspl")], capsys)
    assert code == 2
    assert "rspl diff needs the z3 solver" in err and "pip install 'rspl[analysis]'" in err
