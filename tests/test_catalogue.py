"""The document shows a declaration of an imported file (a stdlib module or a file of the
user's) only when the policy uses it, directly or through what it uses (`rspl.usage`);
`rspl build --full-catalogue` shows every one. The evaluator and the schemas keep every
declaration, and nothing the policy uses is ever left out of the document.

Each case is a main file and the files it imports, the names the document must show (as
`` `name` ``) and the names it must not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from rspl import ir
from rspl.backends import jsonschema
from rspl.backends.markdown import render
from rspl.cli import main as rspl_main
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))

HEADER = """policy p "P" {
  organization "O"
  version "1"
  combine highest standard per family
}
"""
DOMAIN = 'domain CBRN "CBRN" { level CBRN_3 "CBRN-3" source "§2" }\n'


@attrs.frozen
class Case:
    files: dict[str, str]  # name -> text; `main.rspl` is the policy (after HEADER)
    shown: tuple[str, ...]
    hidden: tuple[str, ...]
    # actions have no entry of their own in the document: only whether they are used
    used_actions: tuple[str, ...] = ()
    unused_actions: tuple[str, ...] = ()


CASES = {
    "one safeguard of std.security_controls": Case(
        {"main.rspl": "import std.security_controls\n" + DOMAIN + """
rule r "R" { source "§3" when CBRN >= CBRN_3 require least_privilege }
"""},
        shown=("least_privilege",),
        hidden=("threat_modelling", "defence_in_depth", "zero_trust_architecture", "bug_bounty",
                "multi_factor_authentication", "independent_security_audit"),
    ),
    # a standard brings its family, the standards it extends and their safeguards, those of
    # another stdlib module too; not the standard that extends it
    "a standard of std.rand_security": Case(
        {"main.rspl": "import std.rand_security\n" + DOMAIN + """
rule r "R" { source "§3" when CBRN >= CBRN_3 require RAND_SL3 }
"""},
        shown=("RAND_SL3", "RAND_SL2", "rand_security", "sl_physical_security",
               "sl_hardened_infrastructure", "least_privilege", "multi_party_authorization",
               "incident_response"),
        hidden=("RAND_SL4", "sl_weight_isolation", "sl_minimal_attack_surface", "bug_bounty",
                "threat_modelling"),
    ),
    # a safeguard's efficacy criterion brings the definition and evidence it reads, and a
    # definition what it reads in turn
    "efficacy criterion": Case(
        {"main.rspl": 'import "shared.rspl"\n' + DOMAIN + """
rule r "R" { source "§3" when CBRN >= CBRN_3 require classifiers }
""", "shared.rspl": """
evidence red_team_passed: fact "Red-teaming found no universal jailbreak"
evidence jailbreak_rate: fraction "Jailbreak success rate"
evidence unrelated: fact "Nothing reads this"
define robust "Robust" as red_team_passed and jailbreak_rate <= 5%
safeguard classifiers "Classifiers" { counts when robust source "§4" }
safeguard other "Another safeguard" source "§4"
"""},
        shown=("classifiers", "robust", "red_team_passed", "jailbreak_rate"),
        hidden=("unrelated", "other"),
    ),
    # a role group brings its roles (and groups); evidence its deciders; an artifact its
    # audience; an obligation its action and the objects it names
    "roles, groups, artifacts and actions": Case(
        {"main.rspl": 'import std.actions, "roles.rspl"\n' + DOMAIN + """
evidence verdict: judgement "Verdict" { decided by Council }
rule r "R" {
  source "§3"
  when CBRN >= CBRN_3 or verdict
  must publish report_card by Leaders
  must pause
}
""", "roles.rspl": """
role CEO "Chief Executive Officer"
role RSO "Responsible Scaling Officer"
role Board "Board of Directors"
role Council "Safety council"
role Public "The public"
role Stranger "Nobody uses this role"
role Leaders "Leadership" includes CEO, RSO
role Others "Nobody uses this group" includes Board
artifact report_card "Report card" { audience Public }
artifact unused_card "Unused card" { audience Board }
"""},
        shown=("Leaders", "CEO", "RSO", "Council", "report_card", "Public"),
        hidden=("Stranger", "Others", "Board", "unused_card"),
        used_actions=("publish", "pause"),
        unused_actions=("halt", "review", "delay"),
    ),
    # a context group brings its contexts; every context stays (an assessment that lists no
    # contexts is decided for each), used or not; an unused group goes
    "contexts and context groups": Case(
        {"main.rspl": 'import std.contexts, "groups.rspl"\n' + DOMAIN + """
safeguard filters "Filters" source "§4"
rule r "R" { source "§3" when CBRN >= CBRN_3 require filters for public_release }
""", "groups.rspl": """
import std.contexts
context public_release "Public release" { includes external_deployment, open_weights }
context internal "Internal" { includes internal_use, training }
"""},
        shown=("public_release", "external_deployment", "open_weights", "training",
               "fine_tuning_api"),
        hidden=("internal",),
    ),
    # a domain named only by a checkpoint, and the evidence of a deadline
    "domains and deadlines": Case(
        {"main.rspl": 'import std.actions, "domains.rspl"\n' + """
evidence evals_done: fact "Evaluations done"
role RSO "Responsible Scaling Officer"
warning checkpoint "Checkpoint" {
  source "§3"
  when evals_done
  rules out Cyber >= Cyber_2
  must report within 30 days of model_trained by RSO
}
""", "domains.rspl": """
domain Cyber "Cyber" { level Cyber_2 "Cyber-2" source "§2" }
domain Bio "Bio" { level Bio_2 "Bio-2" source "§2" }
evidence model_trained: date "Training finished"
"""},
        shown=("Cyber", "model_trained"),
        hidden=("Bio",),
        used_actions=("report",),
    ),
}


def build(tmp_path: Path, case: Case) -> ir.Policy:
    for name, text in case.files.items():
        (tmp_path / name).write_text(HEADER + text if name == "main.rspl" else text, "utf-8")
    result = compile_file(str(tmp_path / "main.rspl"))
    assert result.policy is not None, [d.message for d in result.diagnostics]
    assert [d.message for d in result.diagnostics if d.code == "W0012"] == []
    return result.policy


def shows(text: str, policy: ir.Policy, name: str) -> bool:
    """Whether the document `text` shows the declaration `name`: by its name in code, or for a
    family (whose heading has no name) by its heading."""
    family = next((f for f in policy.families if f.name == name), None)
    if family is not None and family.title:
        return f"### {family.title}\n" in text
    return f"`{name}`" in text


def document(policy: ir.Policy, **kwargs: bool) -> str:
    (text,) = render(policy, **kwargs).values()
    return text


@pytest.mark.parametrize("name", list(CASES))
def test_the_document_shows_what_the_policy_uses_and_nothing_else(
    name: str, tmp_path: Path
) -> None:
    case = CASES[name]
    policy = build(tmp_path, case)
    text = document(policy)
    assert [n for n in case.shown if not shows(text, policy, n)] == []
    assert [n for n in case.hidden if shows(text, policy, n)] == []
    assert sorted({*case.hidden, *case.unused_actions} - set(policy.imported_unused)) == []
    assert sorted({*case.shown, *case.used_actions} & set(policy.imported_unused)) == []


@pytest.mark.parametrize("name", list(CASES))
def test_the_full_catalogue_shows_every_declaration(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    policy = build(tmp_path, case)
    text = document(policy, full_catalogue=True)
    assert [n for n in (*case.shown, *case.hidden) if not shows(text, policy, n)] == []


def test_the_full_catalogue_is_the_document_without_any_import_left_out(
    tmp_path: Path,
) -> None:
    policy = build(tmp_path, CASES["one safeguard of std.security_controls"])
    assert document(policy, full_catalogue=True) == document(
        attrs.evolve(policy, imported_unused=())
    )


def test_the_reading_guide_lists_only_the_blocking_actions_used(tmp_path: Path) -> None:
    policy = build(tmp_path, CASES["roles, groups, artifacts and actions"])
    (line,) = [x for x in document(policy).splitlines() if x.startswith("- **Blocking actions")]
    assert "pause" in line and "halt" not in line
    (line,) = [
        x for x in document(policy, full_catalogue=True).splitlines()
        if x.startswith("- **Blocking actions")
    ]  # fmt: skip
    assert "pause" in line and "halt" in line


def test_rspl_build_full_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["one safeguard of std.security_controls"]
    build(tmp_path, case)
    main = str(tmp_path / "main.rspl")
    for flags, folder in (([], "used"), (["--full-catalogue"], "full")):
        out = str(tmp_path / folder)
        args = ["build", "-o", out, "--target", "markdown", *flags, main]
        assert rspl_main(args) == 0
    capsys.readouterr()
    used = (tmp_path / "used" / "p.md").read_text("utf-8")
    full = (tmp_path / "full" / "p.md").read_text("utf-8")
    assert "`least_privilege`" in used and "`bug_bounty`" not in used
    assert "`least_privilege`" in full and "`bug_bounty`" in full


def test_the_evaluator_and_the_schemas_keep_every_declaration(tmp_path: Path) -> None:
    """The choice documented in language.md: leaving a declaration out of the document
    changes no input the evaluator accepts."""
    policy = build(tmp_path, CASES["one safeguard of std.security_controls"])
    assert "bug_bounty" in policy.imported_unused
    assert "bug_bounty" in {s.name for s in policy.safeguards}
    schema = json.loads(jsonschema.render(policy)["p.assessment.schema.json"])
    assert "bug_bounty" in json.dumps(schema["$defs"]["implementable"])


# ---------------------------------------------------------------------------- the examples


def _strings(value: Any) -> Iterator[str]:
    """Every string in an IR value, its fields and items, at any depth."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif attrs.has(type(v)):
            stack.extend(getattr(v, f.name) for f in attrs.fields(type(v)))
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, tuple | list):
            stack.extend(v)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_nothing_an_example_uses_is_left_out(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read independently of `rspl.usage`, from the IR: no name left out of the document is
    named by anything the document keeps (the rules, waivers, scenarios and the kept
    declarations), and the document shows none of them."""
    monkeypatch.chdir(ROOT)
    policy = compile_file(str(example.relative_to(ROOT))).policy
    assert policy is not None
    dropped = set(policy.imported_unused)
    kept: list[Any] = [policy.rules, policy.waivers, policy.scenarios, policy.carry_forward]
    for table in (
        policy.roles, policy.contexts, policy.context_groups, policy.domains, policy.evidence,
        policy.definitions, policy.safeguards, policy.families, policy.standards,
        policy.artifacts, policy.actions,
    ):  # fmt: skip
        kept.append(tuple(x for x in table if x.name not in dropped))
    assert sorted(dropped & set(_strings(kept))) == []
    text = document(policy)
    assert sorted(n for n in dropped if shows(text, policy, n)) == []
