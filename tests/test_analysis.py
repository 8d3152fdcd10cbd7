"""`rspl verify` and the symbolic encoding behind it (rspl/analysis, docs/analysis.md).

The encoding is checked against the reference interpreter on random policies: for random
valid assessments, the encoded decision, with the symbolic assessment pinned to the concrete
one, must say what the interpreter says (the verdict, the safeguards required, each rule's
status). The probe policies under tests/policies/verify must be refuted, each with a witness
the interpreter confirms; every example is verified within the time budget.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

z3 = pytest.importorskip("z3", reason="rspl verify needs the [analysis] extra (z3-solver)")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from profiles import examples  # noqa: E402
from strategies import PolicySpec, assessments, compile_policy, policies  # noqa: E402

from rspl import interpreter, ir  # noqa: E402
from rspl.analysis.encode import Encoder, NotEncodedError  # noqa: E402
from rspl.analysis.verify import looser, verify  # noqa: E402
from rspl.cli import main  # noqa: E402
from rspl.pipeline import compile_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "tests" / "policies" / "verify"
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))
COUNTS = {"encoded": 0, "pairs": 0}


# ---------------------------------------------------------------------------- the encoding


def _status(model: Any, cond: tuple[Any, Any]) -> str:
    if z3.is_true(model.eval(cond[0], model_completion=True)):
        return "triggered"
    if z3.is_true(model.eval(cond[1], model_completion=True)):
        return "not_triggered"
    return "precautionary"


def check_agree(policy: ir.Policy, batch: list[dict[str, Any]]) -> None:
    enc = Encoder(policy)
    sym = enc.assessment("a.")
    solver = z3.Solver()
    solver.add(*sym.constraints)
    per_context = {r.name for r in policy.rules if r.contexts}
    for context in [c.name for c in policy.contexts]:
        try:
            dec = enc.decide(sym, context)
        except NotEncodedError:  # a construct read only here (an open measurement family)
            return
        for assessment in batch:
            one = {**assessment, "contexts": [context]}
            try:
                pinned = enc.fix(sym, one)
            except NotEncodedError:
                continue
            want = interpreter.evaluate(policy, one)
            solver.push()
            solver.add(*pinned)
            assert solver.check() == z3.sat, one
            model = solver.model()
            got_permitted = z3.is_true(model.eval(dec.permitted, model_completion=True))
            assert got_permitted == want["verdicts"][context]["permitted"], (one, want)
            required = {
                s for s, t in dec.required.items()
                if z3.is_true(model.eval(t, model_completion=True))
            }  # fmt: skip
            assert required == set(want["required_safeguards"]), (one, want)
            statuses = {r["name"]: r["status"] for r in want["rules"]}
            for rule in policy.rules:
                if rule.name in per_context:
                    expected = want["verdicts"][context].get("context_rules", {}).get(rule.name)
                    if expected is None:
                        continue
                else:
                    expected = statuses.get(rule.name, "not_triggered")
                assert _status(model, dec.conditions[rule.name]) == expected, (rule.name, one)
            solver.pop()
            COUNTS["pairs"] += 1
    COUNTS["encoded"] += 1


@st.composite
def policy_cases(draw: st.DrawFn) -> tuple[PolicySpec, list[Any]]:
    spec = draw(policies())
    return spec, draw(st.lists(assessments(spec), min_size=8, max_size=8))


@settings(max_examples=examples(60), deadline=None)
@given(case=policy_cases())
def _encoding_agrees(case: tuple[PolicySpec, list[Any]]) -> None:
    spec, batch = case
    check_agree(compile_policy(spec.text), batch)


def test_encoding_agrees_with_the_interpreter_on_random_policies() -> None:
    _encoding_agrees()
    print(f"\nencoding: {COUNTS['encoded']} policies encoded, {COUNTS['pairs']} pairs")
    assert COUNTS["pairs"] > 0


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_encoding_agrees_on_example_scenarios(path: Path) -> None:
    policy = compile_file(str(path)).policy
    assert policy is not None
    check_agree(policy, [dict(s.assessment) for s in policy.scenarios])


# ---------------------------------------------------------------------------- the properties


def _results(path: Path, context: str) -> dict[str, Any]:
    policy = compile_file(str(path)).policy
    assert policy is not None
    return {r.prop: r for r in verify(policy, [context])}


def _confirm(policy_path: Path, witness: dict[str, Any], context: str) -> str | None:
    policy = compile_file(str(policy_path)).policy
    assert policy is not None
    return looser(interpreter.evaluate(policy, witness["before"]),
                  interpreter.evaluate(policy, witness["after"]), context)  # fmt: skip


def test_a_level_that_requires_less_than_the_one_below_is_not_monotone() -> None:
    path = PROBES / "non_monotone.rspl"
    got = _results(path, "external_deployment")
    assert got["monotone"].result == "refuted"
    assert got["fail-closed"].result == "proved"
    assert _confirm(path, got["monotone"].witness, "external_deployment") is not None


def test_negation_of_a_missing_fact_is_fail_closed() -> None:
    """`when not fact` is precautionary while the fact is unknown: nothing to refute."""
    got = _results(PROBES / "not_fact.rspl", "external_deployment")
    assert [got[p].result for p in ("monotone", "fail-closed", "fail-closed-as_of")] == [
        "proved", "proved", "proved"
    ]


def test_the_two_documented_exceptions_to_fail_closed_are_found() -> None:
    path = PROBES / "fail_open.rspl"
    got = _results(path, "training")
    assert got["fail-closed"].result == "proved"
    for prop in ("fail-closed-as_of", "fail-closed-checkpoint"):
        assert got[prop].result == "refuted", prop
        assert _confirm(path, got[prop].witness, "training") is not None
    before, after = got["fail-closed-as_of"].witness.values()
    assert "as_of" in before and "as_of" not in after


def test_dead_rules_and_contexts_never_permitted() -> None:
    text = (PROBES / "non_monotone.rspl").read_text(encoding="utf-8")
    text = text.replace("when CBRN == CBRN_3", "when CBRN > CBRN_4")
    text = text.replace("import std.contexts", "import std.contexts, std.actions")
    text += '\nrule always "Always" {\n  source "§5"\n  must not restrict external_deployment\n}\n'
    policy = compile_policy(text, "dead.rspl")
    got = verify(policy)
    dead = {r.detail: r.result for r in got if r.prop == "dead-rule"}
    assert dead["cbrn_3_only can never be triggered"] == "proved"
    never = {r.context: r.result for r in got if r.prop == "never-permitted"}
    assert never["external_deployment"] == "proved"
    assert never["training"] == "refuted"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_are_monotone_and_fail_closed(path: Path) -> None:
    """Every example is encoded in full, and proved monotone and fail-closed in every
    context (docs/performance.md records the time)."""
    policy = compile_file(str(path)).policy
    assert policy is not None
    got = verify(policy, timeout=60)
    assert not [r for r in got if r.result in ("error", "unknown")]
    assert {r.result for r in got if r.prop in ("monotone", "fail-closed")} == {"proved"}


# ---------------------------------------------------------------------------- assertions


def test_assertions_are_proved_or_refuted_with_a_confirmed_witness() -> None:
    """Each claim of tests/policies/verify/assertions.rspl, true and false: the false ones
    are refuted with an assessment where, by the interpreter, the condition holds and the
    claim fails."""
    policy = compile_file(str(PROBES / "assertions.rspl")).policy
    assert policy is not None
    got = [r for r in verify(policy) if r.prop == "assert"]
    outcome: dict[str, set[str]] = {}
    for r in got:
        outcome.setdefault(r.subject or "", set()).add(r.result)
    assert outcome == {
        "open_weights_blocked": {"proved"}, "open_weights_never": {"refuted"},
        "training_open": {"proved"}, "training_always": {"refuted"},
        "security_at_3": {"proved"}, "deployment_at_uplift": {"refuted"},
    }  # fmt: skip
    claims = {a.name: a for a in policy.assertions}
    for r in got:
        if r.result != "refuted":
            continue
        a, context, witness = claims[r.subject or ""], r.context, r.witness["assessment"]
        assert context is not None
        if a.condition is not None:
            assert interpreter.condition_value(policy, witness, a.condition) is True
        decision = interpreter.evaluate(policy, witness)
        if a.kind == "requires":
            assert "filters" not in decision["required_safeguards"]
        else:
            assert decision["verdicts"][context]["permitted"] == (a.kind == "never_permitted")


@pytest.mark.parametrize("name", ["openai-preparedness-v2", "anthropic-rsp-v3.0"])
def test_the_assertions_of_the_examples_hold(name: str) -> None:
    """The examples state what their frameworks promise (no external deployment at
    Critical; ASL-3 security at either chem/bio threshold, ...); every claim is proved in
    every context it names."""
    policy = compile_file(str(ROOT / "examples" / f"{name}.rspl")).policy
    assert policy is not None and len(policy.assertions) >= 2
    got = [r for r in verify(policy, timeout=60) if r.prop == "assert"]
    assert {r.subject for r in got} == {a.name for a in policy.assertions}
    assert {r.result for r in got} == {"proved"}, [r.json() for r in got if r.result != "proved"]


def test_check_and_build_do_not_need_z3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Assertions are only checked by `rspl verify`: `rspl check` compiles them without the
    [analysis] extra."""
    import sys

    monkeypatch.setitem(sys.modules, "z3", None)  # import z3 now raises ImportError
    assert main(["check", str(PROBES / "assertions.rspl")]) == 0
    assert "ok (0 errors" in capsys.readouterr().out


def test_a_refuted_assertion_fails_verify(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["verify", str(PROBES / "assertions.rspl"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    refuted = [r for r in data["results"] if r["property"] == "assert" and r["result"] ==
               "refuted"]  # fmt: skip
    assert {r["assertion"] for r in refuted} == {
        "open_weights_never", "training_always", "deployment_at_uplift"}


# ---------------------------------------------------------------------------- the whole policy


def test_levels_standards_and_requirements_that_add_nothing() -> None:
    """tests/policies/verify/coverage.rspl: a level no rule reads, a standard no rule
    requires, two requirements a required standard always includes; and, refuted with
    witnesses the interpreter confirms, the levels, standards and requirement that count."""
    policy = compile_file(str(PROBES / "coverage.rspl")).policy
    assert policy is not None
    got = {(r.prop, r.subject): r for r in verify(policy)
           if r.prop in ("unreachable-level", "never-required", "shadowed-requirement")}
    assert {k: r.result for k, r in got.items()} == {
        ("unreachable-level", "CBRN.CBRN_2"): "proved",
        ("unreachable-level", "CBRN.CBRN_3"): "refuted",
        ("unreachable-level", "CBRN.CBRN_4"): "refuted",
        ("never-required", "ASL3"): "refuted",
        ("never-required", "ASL4"): "refuted",
        ("never-required", "ASL5"): "proved",
        ("shadowed-requirement", "cbrn_3: require ASL3"): "refuted",
        ("shadowed-requirement", "cbrn_3: require filters"): "proved",
        ("shadowed-requirement", "cbrn_4: require monitoring"): "proved",
    }  # fmt: skip
    # CBRN-3 triggers cbrn_3: the level below does not
    pair = got["unreachable-level", "CBRN.CBRN_3"].witness
    statuses = [{r["name"]: r["status"] for r in interpreter.evaluate(policy, pair[k])["rules"]}
                for k in ("below", "at")]  # fmt: skip
    assert statuses[0].get("cbrn_3") is None and statuses[1]["cbrn_3"] != "not_triggered"
    # ASL3 applies without ASL4 (or ASL5) being required
    witness = got["shadowed-requirement", "cbrn_3: require ASL3"].witness["assessment"]
    std = interpreter.evaluate(policy, witness)["required_standards"]
    assert std == {"deployment": ["ASL3"]}


@settings(max_examples=examples(15), deadline=None)
@given(spec=policies())
def test_whole_policy_properties_on_random_policies(spec: PolicySpec) -> None:
    """Levels, standards and requirements of random policies: proved, refuted with a
    witness the interpreter confirmed, or unknown; never an internal error."""
    from rspl.analysis.verify import Verifier

    policy = compile_policy(spec.text)
    try:
        v = Verifier(policy, 20)
        got = v.unreachable_levels() + v.never_required() + v.shadowed()
    except NotEncodedError:
        return
    assert not [r for r in got if r.result == "error"], [r.json() for r in got]


# ---------------------------------------------------------------------------- the command


def test_verify_command_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(PROBES / "non_monotone.rspl")]) == 1
    assert "monotone: refuted" in capsys.readouterr().out
    assert main(["verify", str(PROBES / "not_fact.rspl"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["result"] for r in data["results"] if r["property"] == "monotone"} == {"proved"}
    assert main(["verify", str(PROBES / "not_fact.rspl"), "--context", "nowhere"]) == 2
    assert "not a context of the policy" in capsys.readouterr().err
    assert main(["verify", str(PROBES / "not_fact.rspl"), "--timeout", "0"]) == 2
    assert main(["verify", str(PROBES / "missing.rspl")]) == 2
    broken = tmp_path / "broken.rspl"
    broken.write_text("policy p {\n", encoding="utf-8")
    assert main(["verify", str(broken)]) == 2


def test_verify_without_z3_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "z3", None)  # import z3 now raises ImportError
    assert main(["verify", str(PROBES / "not_fact.rspl")]) == 2
    assert "pip install 'rspl[analysis]'" in capsys.readouterr().err


@settings(max_examples=examples(25), deadline=None)
@given(spec=policies())
def test_every_refutation_on_random_policies_is_confirmed(spec: PolicySpec) -> None:
    """Whatever the policy, a property is proved, refuted with a witness the interpreter
    confirmed, or unknown: never an internal error."""
    policy = compile_policy(spec.text)
    got = verify(policy, [spec.contexts[0]], timeout=20)
    assert not [r for r in got if r.result == "error"], [r.json() for r in got]


def test_verify_sarif_validates_and_marks_the_refutation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--format sarif`: a SARIF 2.1.0 log (both vendored schemas) with one result per
    property and context; the refuted safety property is a `fail` at level `error` carrying
    its witness, a property that holds is a `pass`."""
    import jsonschema

    capsys.readouterr()
    assert main(["verify", "--format", "sarif", str(PROBES / "non_monotone.rspl")]) == 1
    log = json.loads(capsys.readouterr().out)
    for name in ("sarif-schema-2.1.0.json", "sarif-schema-2.1.0-rtm.5.json"):
        schema = json.loads((ROOT / "tests" / "sarif" / name).read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    failed = [r for r in results if r["ruleId"] == "monotone" and r["kind"] == "fail"]
    assert failed and all(r["level"] == "error" for r in failed)
    assert all(r["properties"]["witness"] for r in failed)
    assert any(r["ruleId"] == "fail-closed" and r["kind"] == "pass" for r in results)
    rule_ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_verify_sarif_of_assertions_and_whole_policy_properties(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The SARIF log of the assertions and of the levels, standards and requirements
    validates; a refuted assertion is a `fail` at level `error`, a level that decides
    nothing a `fail` at level `warning`, each naming what it is about."""
    import jsonschema

    schema = json.loads((ROOT / "tests" / "sarif" / "sarif-schema-2.1.0.json").read_text(
        encoding="utf-8"))  # fmt: skip
    found: dict[str, set[tuple[str, str]]] = {}
    for name in ("assertions.rspl", "coverage.rspl"):
        capsys.readouterr()
        main(["verify", "--format", "sarif", str(PROBES / name)])
        log = json.loads(capsys.readouterr().out)
        jsonschema.Draft4Validator(schema).validate(log)
        for r in log["runs"][0]["results"]:
            found.setdefault(r["ruleId"], set()).add((r["kind"], r["level"]))
            if r["ruleId"] == "unreachable-level" and r["kind"] == "fail":
                assert r["message"]["text"].startswith("unreachable-level (CBRN.CBRN_")
    assert ("fail", "error") in found["assert"] and ("pass", "none") in found["assert"]
    for prop in ("unreachable-level", "never-required", "shadowed-requirement"):
        assert found[prop] == {("fail", "warning"), ("pass", "none")}, prop


def test_a_witness_next_to_a_constant_keeps_its_side_as_a_float() -> None:
    """z3 compares exact rationals, the interpreter floats: a model value one unit above
    1e26 (as exact as z3 found it, 100000000000000004764729345) rounds onto the float 1e26
    and would compare equal; so would two values a unit apart. The witness maps the values
    and the policy's constants to floats in order (found by the random-policy property:
    `never-permitted` and `fail-closed-as_of` reported internal errors)."""
    from rspl.analysis.encode import as_floats

    c = Fraction(1e26)
    cuts = frozenset({c})
    got = as_floats([c + 1, c - 1, c, c + 2, Fraction(7)], cuts)
    assert got[c - 1] < 1e26 == got[c] < got[c + 1] < got[c + 2]  # order kept, as floats
    assert got[Fraction(7)] == 7 and isinstance(got[Fraction(7)], int)
    third = as_floats([Fraction(1, 3)], frozenset({Fraction(1, 2)}))
    assert third[Fraction(1, 3)] == 1 / 3
    policy = compile_file(str(PROBES / "float_edge.rspl")).policy
    got = verify(policy, ["external_deployment"], timeout=20)
    assert not [r for r in got if r.result == "error"], [r.json() for r in got]
