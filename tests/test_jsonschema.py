"""The JSON Schema backend: both schemas are valid Draft 2020-12, deterministic, documented
from the policy, and agree with the evaluator. What the assessment schema accepts, the
evaluator accepts, and what it rejects, the evaluator rejects with an `AssessmentError`; every
decision the evaluators return (reference interpreter and generated module, with and without
an explanation) validates against the decision schema.

The few inputs on which a JSON Schema and the evaluator must differ are listed once, in
`outside_json` (not JSON data at all). Inputs the evaluator once got wrong are kept as
regression tests at the end.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import strategies
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import any_assessment, policies

from rspl import interpreter, ir, semantics
from rspl.backends import jsonschema as backend
from rspl.interpreter import AssessmentError, evaluate
from rspl.pipeline import compile_file, compile_source
from rspl.testing import load_module
from rspl.wording import module_name

ROOT = Path(__file__).resolve().parent.parent
RSP = ROOT / "examples" / "anthropic-rsp-v2.2.rspl"
HOSTILE = ROOT / "tests" / "policies" / "hostile.rspl"
POLICIES = [*sorted(ROOT.glob("examples/*.rspl")), HOSTILE]
Validator = jsonschema.Draft202012Validator


@functools.cache
def policy_of(path: Path) -> ir.Policy:
    result = compile_file(str(path))
    assert result.policy is not None, [d.message for d in result.diagnostics]
    return result.policy


@functools.cache
def schemas(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(assessment schema, decision schema) of the policy in `path`, parsed from the files."""
    policy = policy_of(path)
    files = backend.render(policy)
    base = module_name(policy)
    return (
        json.loads(files[f"{base}.assessment.schema.json"]),
        json.loads(files[f"{base}.decision.schema.json"]),
    )


@functools.cache
def validators(path: Path, formats: bool = False) -> tuple[Any, Any]:
    """(assessment, decision) validators. By default, like most validators, they treat
    `format` as an annotation; with `formats` they assert it too."""
    assessment, decision = schemas(path)
    checker = Validator.FORMAT_CHECKER if formats else None
    return (
        Validator(assessment, format_checker=checker),
        Validator(decision, format_checker=checker),
    )


@functools.cache
def module_of(path: Path) -> Any:
    return load_module(policy_of(path))


def accepts(policy: ir.Policy, assessment: Any) -> bool:
    """Whether the reference interpreter accepts the assessment (raises nothing else)."""
    try:
        evaluate(policy, assessment)
    except AssessmentError:
        return False
    return True


def generated_accepts(module: Any, assessment: Any) -> bool:
    try:
        module.evaluate(assessment)
    except module.AssessmentError:
        return False
    return True


def outside_json(value: Any) -> bool:
    """Python data that no JSON text can produce: NaN (which `minimum`/`maximum` cannot
    reject) and tuples (which the evaluator reads as lists and jsonschema does not)."""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, tuple):
        return True
    if isinstance(value, list):
        return any(outside_json(v) for v in value)
    if isinstance(value, dict):
        return any(not isinstance(k, str) or outside_json(v) for k, v in value.items())
    return False


# ---------------------------------------------------------------------------- the files


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_two_files_named_after_the_module(path: Path) -> None:
    files = backend.render(policy_of(path))
    base = module_name(policy_of(path))
    assert sorted(files) == [f"{base}.assessment.schema.json", f"{base}.decision.schema.json"]
    for text in files.values():
        assert text.endswith("}\n") and text.isascii()
        # Exactly json.dumps(indent=2, sort_keys=True) of the data, plus a newline.
        assert json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n" == text


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_valid_against_the_metaschema(path: Path) -> None:
    for schema in schemas(path):
        Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assessment, decision = schemas(path)
    policy = policy_of(path)
    assert assessment["$id"].startswith(f"urn:rspl:{policy.id}:")
    assert assessment["$id"].endswith(":assessment")
    assert decision["$id"].endswith(":decision")
    assert assessment["$id"].isascii() and " " not in assessment["$id"]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_render_is_deterministic(path: Path) -> None:
    first = backend.render(policy_of(path))
    again = compile_file(str(path)).policy
    assert again is not None
    assert backend.render(again) == first
    assert backend.render(policy_of(path)) == first


def test_deterministic_across_hash_seeds() -> None:
    code = (
        "import sys, json; from rspl.pipeline import compile_file; "
        "from rspl.backends.jsonschema import render; "
        "sys.stdout.write(json.dumps(render(compile_file(sys.argv[1]).policy)))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, str(RSP)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert outputs == {json.dumps(backend.render(policy_of(RSP)))}


# ---------------------------------------------------------------------------- the content


def test_assessment_keys_are_the_evaluators() -> None:
    assessment, _ = schemas(RSP)
    assert sorted(assessment["properties"]) == sorted(semantics.ASSESSMENT_KEYS)
    assert assessment["additionalProperties"] is False
    assert "required" not in assessment


def test_names_and_descriptions_come_from_the_policy() -> None:
    policy = policy_of(RSP)
    assessment, decision = schemas(RSP)
    defs = assessment["$defs"]
    assert policy.title is not None and policy.title in assessment["title"]
    assert defs["context"]["enum"] == [c.name for c in policy.contexts]
    assert defs["implementable"]["enum"] == [
        *(s.name for s in policy.safeguards),
        *(s.name for s in policy.standards),
    ]
    dets = assessment["properties"]["determinations"]["anyOf"][0]["properties"]
    assert sorted(dets) == sorted(d.name for d in policy.domains)  # keys are sorted
    for d in policy.domains:
        assert defs["level:" + d.name]["enum"] == [lv.name for lv in d.levels]
        assert dets[d.name]["title"] == d.title
        for lv in d.levels:
            assert lv.title is None or lv.title in defs["level:" + d.name]["description"]
    evidence = assessment["properties"]["evidence"]["anyOf"][0]["properties"]
    assert sorted(evidence) == sorted(e.name for e in policy.evidence)
    for e in policy.evidence:
        assert evidence[e.name]["title"] == e.title
        assert backend.unit_note(e.type) in evidence[e.name]["description"]
    durations = backend.unit_note("duration")
    assert "days" in durations and "1 week is 7 days" in durations
    assert "0 to 1" in backend.unit_note("fraction")
    done = assessment["properties"]["done"]["anyOf"][0]["items"]["oneOf"]
    pairs = {(b["properties"]["rule"]["const"], a) for b in done
             for a in b["properties"]["action"]["enum"]}  # fmt: skip
    assert pairs == {(r.name, o.key) for r in policy.rules  # a prohibition is never done
                     for o in (*r.obligations, *r.fallbacks) if not o.prohibited}  # fmt: skip
    failed = assessment["properties"]["failed"]["anyOf"][0]["items"]["oneOf"]
    steps = {(b["properties"]["rule"]["const"], a) for b in failed
             for a in b["properties"]["action"]["enum"]}  # fmt: skip
    assert steps == {(r.name, o.key) for r in policy.rules if r.ladder for o in r.fallbacks}
    rules = decision["$defs"]["rule"]
    assert rules["enum"] == [r.name for r in policy.rules]
    for r in policy.rules:
        assert r.title is None or r.title in rules["description"]
    assert decision["properties"]["policy"]["properties"]["id"] == {"const": policy.id}
    assert policy.source_hash in json.dumps(decision)
    # `explanation` only when asked for; `provenance` only when the assessment gives one
    assert set(decision["required"]) == set(decision["properties"]) - {"explanation", "provenance"}


def test_hostile_text_stays_data() -> None:
    """Quotes, backslashes, braces and newlines in policy text reach the schema intact."""
    policy = policy_of(HOSTILE)
    assessment, decision = schemas(HOSTILE)
    assert policy.title is not None and policy.title in assessment["title"]
    assert (
        assessment["properties"]["determinations"]["anyOf"][0]["properties"]["import"]["title"]
        == 'Domain "import"'
    )
    rule = policy.rules[0]
    assert rule.title is not None and rule.title in decision["$defs"]["rule"]["description"]
    assert "1.0%0Asecond%20line" in assessment["$id"]


# ---------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_scenario_assessments_and_decisions_validate(path: Path) -> None:
    policy = policy_of(path)
    module = module_of(path)
    first = policy.contexts[0].name
    inputs = [s.assessment for s in policy.scenarios] + [{}, {"contexts": [first]}]
    assessment, decision = validators(path)
    strict_assessment, strict_decision = validators(path, formats=True)
    for data in inputs:
        assessment.validate(data)
        strict_assessment.validate(data)
        strict_decision.validate(evaluate(policy, data))
        for explain in (False, True):
            decision.validate(evaluate(policy, data, explain=explain))
            decision.validate(module.evaluate(data, explain=explain).to_dict())


# ---------------------------------------------------------------------------- malformed input

# (what is wrong, the assessment, the field the evaluator's AssessmentError names)
MALFORMED: list[tuple[str, Any, str]] = [
    ("list for the assessment", [], "assessment"),
    ("string for the assessment", "CBRN_3", "assessment"),
    ("extra top-level key", {"model": "claude"}, "model"),
    ("misspelt top-level key", {"asof": "2025-01-01"}, "asof"),
    ("list for determinations", {"determinations": ["CBRN_3"]}, "determinations"),
    ("unknown domain", {"determinations": {"Bio": "CBRN_3"}}, "determinations.Bio"),
    ("domain in lower case", {"determinations": {"cbrn": "CBRN_3"}}, "determinations.cbrn"),
    ("unknown level name", {"determinations": {"CBRN": "CBRN_9"}}, "determinations.CBRN.reached"),
    ("level of another domain", {"determinations": {"CBRN": "AI_RD_4"}},
     "determinations.CBRN.reached"),
    ("empty level name", {"determinations": {"CBRN": ""}}, "determinations.CBRN.reached"),
    ("number for a level", {"determinations": {"CBRN": 3}}, "determinations.CBRN"),
    ("list for a determination", {"determinations": {"CBRN": ["CBRN_3"]}}, "determinations.CBRN"),
    ("extra key inside a determination",
     {"determinations": {"CBRN": {"reached": "CBRN_3", "confidence": 0.9}}},
     "determinations.CBRN.confidence"),
    ("number for reached", {"determinations": {"CBRN": {"reached": 3}}},
     "determinations.CBRN.reached"),
    ("unknown cannot_rule_out level",
     {"determinations": {"CBRN": {"cannot_rule_out": "CBRN_5"}}},
     "determinations.CBRN.cannot_rule_out"),
    ("cannot_rule_out below reached",
     {"determinations": {"AI_RD": {"reached": "AI_RD_5", "cannot_rule_out": "AI_RD_4"}}},
     "determinations.AI_RD.cannot_rule_out"),
    ("list for evidence", {"evidence": [{"covered_model": True}]}, "evidence"),
    ("unknown evidence", {"evidence": {"model_size": 7}}, "evidence.model_size"),
    ("number for a boolean fact", {"evidence": {"covered_model": 1}}, "evidence.covered_model"),
    ("string for a boolean judgement", {"evidence": {"rso_orders_assessment": "yes"}},
     "evidence.rso_orders_assessment"),
    ("string for a number", {"evidence": {"ec_growth": "4x"}}, "evidence.ec_growth"),
    ("boolean for a number", {"evidence": {"ec_growth": True}}, "evidence.ec_growth"),
    ("object for a number", {"evidence": {"ec_growth": {"value": 4}}}, "evidence.ec_growth"),
    ("number for a date", {"evidence": {"last_comprehensive_assessment": 20250101}},
     "evidence.last_comprehensive_assessment"),
    ("month 13", {"evidence": {"last_comprehensive_assessment": "2025-13-01"}},
     "evidence.last_comprehensive_assessment"),
    ("30 February", {"as_of": "2025-02-30"}, "as_of"),
    ("29 February of a common year", {"as_of": "2023-02-29"}, "as_of"),
    ("29 February 1900", {"as_of": "1900-02-29"}, "as_of"),
    ("year zero", {"as_of": "0000-01-01"}, "as_of"),
    ("date without leading zeros", {"as_of": "2025-1-1"}, "as_of"),
    ("date with a time", {"as_of": "2025-01-01T00:00:00"}, "as_of"),
    ("date without dashes", {"as_of": "20250101"}, "as_of"),
    ("date with a final newline", {"as_of": "2025-01-01\n"}, "as_of"),
    ("date in non-ASCII digits", {"as_of": "\uff12\uff10\uff12\uff15-01-01"}, "as_of"),
    ("number for as_of", {"as_of": 20250101}, "as_of"),
    ("list for as_of", {"as_of": ["2025-01-01"]}, "as_of"),
    ("string for implemented", {"implemented": "ASL3_Security"}, "implemented"),
    ("unknown safeguard", {"implemented": ["ASL9_Security"]}, "implemented[0]"),
    ("context as a safeguard", {"implemented": ["asl2_offices", "training"]}, "implemented[1]"),
    ("number in implemented", {"implemented": [1]}, "implemented[0]"),
    ("null in implemented", {"implemented": [None]}, "implemented[0]"),
    ("object for done", {"done": {"rule": "cbrn_4", "action": "specify"}}, "done"),
    ("done item without action", {"done": [{"rule": "cbrn_4"}]}, "done[0]"),
    ("done item with an extra key",
     {"done": [{"rule": "cbrn_4", "action": "specify", "by": "RSO"}]}, "done[0]"),
    ("action of another rule", {"done": [{"rule": "cbrn_4", "action": "develop"}]}, "done[0]"),
    ("rule without obligations", {"done": [{"rule": "asl2_baseline", "action": "apply"}]},
     "done[0]"),
    ("string in done", {"done": ["cbrn_4.specify"]}, "done[0]"),
    ("string for contexts", {"contexts": "training"}, "contexts"),
    ("unknown context", {"contexts": ["training", "moon_base"]}, "contexts[1]"),
    ("null in contexts", {"contexts": [None]}, "contexts[0]"),
    ("object in contexts", {"contexts": [{"training": True}]}, "contexts[0]"),
]  # fmt: skip


def test_table_is_large_enough() -> None:
    assert len(MALFORMED) >= 20
    assert len({what for what, _, _ in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize(("what", "data", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_rejected_by_schema_and_evaluators(what: str, data: Any, field: str) -> None:
    policy = policy_of(RSP)
    for formats in (False, True):
        assert not validators(RSP, formats)[0].is_valid(data), what
    with pytest.raises(AssessmentError) as caught:
        evaluate(policy, data)
    assert caught.value.field == field
    module = module_of(RSP)
    with pytest.raises(module.AssessmentError):
        module.evaluate(data)


def test_nulls_mean_absent() -> None:
    """Every key, every domain and every piece of evidence may be null."""
    policy = policy_of(RSP)
    assessment, _ = validators(RSP)
    data: dict[str, Any] = dict.fromkeys(semantics.ASSESSMENT_KEYS)
    assessment.validate(data)
    assert accepts(policy, data)
    data = {
        "determinations": dict.fromkeys(d.name for d in policy.domains),
        "evidence": dict.fromkeys(e.name for e in policy.evidence),
    }
    assessment.validate(data)
    assert accepts(policy, data)


# ---------------------------------------------------------------------------- exhaustive checks


def _date_agrees(validator: Any, text: str) -> bool:
    try:
        semantics.check_date(text, "as_of")  # the evaluators' own date reader
        evaluator = True
    except AssessmentError:
        evaluator = False
    return bool(validator.is_valid(text)) == evaluator


def test_date_pattern_is_the_calendar() -> None:
    """29 February of every year 0000-9999, the ends of every year, and every MM-DD from
    00-00 to 20-40 in years chosen for their leap rules: schema and evaluator agree."""
    date = Validator(schemas(RSP)[0]["$defs"]["date"])
    texts = []
    for year in range(10000):
        texts += [f"{year:04d}-02-29", f"{year:04d}-01-01", f"{year:04d}-12-31"]
    for year in (0, 1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9996, 9999):
        texts += [f"{year:04d}-{m:02d}-{d:02d}" for m in range(21) for d in range(41)]
    wrong = [t for t in texts if not _date_agrees(date, t)]
    assert wrong == []
    assert date.is_valid("2024-02-29") and not date.is_valid("2100-02-29")


def test_level_order_exhaustive() -> None:
    """Every reached/cannot_rule_out pair of every domain, null and absent included."""
    policy = policy_of(RSP)
    assessment, _ = validators(RSP)
    for d in policy.domains:
        options: list[Any] = ["absent", None, *(lv.name for lv in d.levels), "nope"]
        for lo in options:
            for hi in options:
                value = {k: v for k, v in (("reached", lo), ("cannot_rule_out", hi))
                         if v != "absent"}  # fmt: skip
                data = {"determinations": {d.name: value}}
                assert assessment.is_valid(data) == accepts(policy, data), data


def test_done_pairs_exhaustive() -> None:
    policy = policy_of(RSP)
    assessment, _ = validators(RSP)
    actions = sorted({o.action for r in policy.rules for o in (*r.obligations, *r.fallbacks)})
    for rule in policy.rules:
        for action in actions:
            data = {"done": [{"rule": rule.name, "action": action}]}
            assert assessment.is_valid(data) == _input_accepts(policy, data), data


def _input_accepts(policy: ir.Policy, data: Any) -> bool:
    """The evaluator's input check alone (`_Input`), for loops too long for `evaluate`."""
    try:
        interpreter._Input(policy, data)
    except AssessmentError:
        return False
    return True


@pytest.mark.parametrize(
    "value",
    [0, -1, 1.5, 1e300, -1e300, backend.MAX_NUMBER, -backend.MAX_NUMBER, 10**300,
     float("inf"), float("-inf")],
)  # fmt: skip
def test_number_bounds(value: float) -> None:
    """Finite numbers of 0 or more, however large, are accepted for a multiplier; negative
    numbers (never a multiplier) and the infinities are rejected by both."""
    policy = policy_of(RSP)
    assessment, _ = validators(RSP)
    data = {"evidence": {"ec_growth": value}}
    expected = math.isfinite(value) and value >= 0
    assert assessment.is_valid(data) == accepts(policy, data) == expected


# ---------------------------------------------------------------------------- properties

_BAD_DATES = ["2025-02-30", "2023-02-29", "2025-13-01", "0000-12-31", "2025-1-01", "", "today",
              "2025-01-01T10:00", " 2025-01-01", "2025-01-01\n", "20250101"]  # fmt: skip


def _mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` about nine times in ten."""
    return st.integers(0, 9).flatmap(lambda k: bad if k == 0 else good)


def _dates() -> st.SearchStrategy[str]:
    return _mostly(
        st.dates().map(datetime.date.isoformat),
        st.one_of(
            st.sampled_from(_BAD_DATES),
            st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
            st.text(alphabet="0123456789-:T ", max_size=12),
        ),
    )


def _junk() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(), st.integers(-(10**20), 10**20), st.text(max_size=5),
        st.lists(st.integers(), max_size=1), st.just({}),
    )  # fmt: skip


@functools.cache
def _rsp_assessments() -> st.SearchStrategy[Any]:
    """Assessments for the RSP example, each part well-formed about nine times in ten."""
    policy = policy_of(RSP)
    domains = {d.name: [lv.name for lv in d.levels] for d in policy.domains}
    all_levels = [lv for levels in domains.values() for lv in levels]
    any_level = st.sampled_from([*all_levels, "nope"]) | st.none()

    def determination(name: str) -> st.SearchStrategy[Any]:
        own = st.sampled_from(domains.get(name, ["nope"])) | st.none()
        level = _mostly(own, any_level)
        good = st.one_of(
            own,
            st.fixed_dictionaries({}, optional={"reached": level, "cannot_rule_out": level}),
        )
        bad = st.one_of(st.fixed_dictionaries({"reached": own, "extra": st.just(1)}), _junk())
        return _mostly(good, bad)

    def value(etype: str) -> st.SearchStrategy[Any]:
        typed: st.SearchStrategy[Any]
        if etype in ("fact", "judgement"):
            typed = st.booleans()
        elif etype == "date":
            typed = _dates()
        else:
            typed = st.one_of(
                st.integers(-(10**300), 10**300),
                st.floats(allow_nan=False),
                st.sampled_from([0, 1, 4, 0.25, 183.0]),
            )
        return _mostly(typed | st.none(), _junk() | _dates())

    kinds = {e.name: e.type for e in policy.evidence}
    implementable = [*(s.name for s in policy.safeguards), *(s.name for s in policy.standards)]
    pairs = [{"rule": r.name, "action": o.action} for r in policy.rules
             for o in (*r.obligations, *r.fallbacks)]  # fmt: skip
    rules = [r.name for r in policy.rules]
    contexts = [c.name for c in policy.contexts]
    bad_pair = st.one_of(
        st.fixed_dictionaries({"rule": st.sampled_from(rules),
                               "action": st.sampled_from([p["action"] for p in pairs])}),
        st.fixed_dictionaries({"rule": st.sampled_from(rules)}),
        st.text(max_size=3),
    )  # fmt: skip

    def names(known: list[str], size: int) -> st.SearchStrategy[list[Any]]:
        return st.lists(_mostly(st.sampled_from(known), _junk() | st.none()), max_size=size)

    fields: dict[str, st.SearchStrategy[Any]] = {
        "as_of": _mostly(_dates(), _junk()),
        "determinations": _mostly(
            st.lists(st.sampled_from([*domains, "nope"]), unique=True, max_size=4).flatmap(
                lambda keys: st.fixed_dictionaries({k: determination(k) for k in keys})
            ),
            _junk(),
        ),
        "evidence": _mostly(
            st.lists(st.sampled_from([*kinds, "nope"]), unique=True, max_size=5).flatmap(
                lambda keys: st.fixed_dictionaries({k: value(kinds.get(k, "fact")) for k in keys})
            ),
            _junk(),
        ),
        "implemented": _mostly(names(implementable, 6), _junk()),
        "done": _mostly(st.lists(_mostly(st.sampled_from(pairs), bad_pair), max_size=3), _junk()),
        "contexts": _mostly(names(contexts, 3), _junk()),
    }
    keys = st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=6)
    top = keys.flatmap(lambda ks: st.fixed_dictionaries({k: fields[k] | st.none() for k in ks}))
    surprise = top.map(lambda a: {**a, "surprise": 1})
    return _mostly(_mostly(top, surprise), _junk())


@settings(max_examples=examples(200))
@given(data=st.data())
def test_schema_valid_iff_evaluator_accepts(data: st.DataObject) -> None:
    """On random assessments for the RSP example: valid for the schema exactly when the
    reference interpreter and the generated module accept it; the decision then validates."""
    assessment = data.draw(_rsp_assessments())
    assume(not outside_json(assessment))
    policy = policy_of(RSP)
    schema, decision = validators(RSP)
    valid = schema.is_valid(assessment)
    assert accepts(policy, assessment) == valid
    assert generated_accepts(module_of(RSP), assessment) == valid
    if valid:
        decision.validate(evaluate(policy, assessment))


@settings(max_examples=examples(25), suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_policies(data: st.DataObject) -> None:
    """On random policies (tests/strategies.py): both schemas are valid, the assessment schema
    accepts exactly what the evaluator accepts, and decisions validate."""
    spec = data.draw(policies())
    result = compile_source("random.rspl", spec.text)
    assert result.policy is not None
    policy = result.policy
    files = backend.render(policy)
    assessment_schema, decision_schema = (json.loads(t) for t in files.values())
    Validator.check_schema(assessment_schema)
    Validator.check_schema(decision_schema)
    schema, decision = Validator(assessment_schema), Validator(decision_schema)
    for _ in range(4):
        assessment = data.draw(any_assessment(spec))
        if outside_json(assessment):
            continue
        valid = schema.is_valid(assessment)
        assert accepts(policy, assessment) == valid, assessment
        if valid:
            decision.validate(evaluate(policy, assessment, explain=True))


# ---------------------------------------------------------------------------- evaluator bugs
# Inputs where the evaluator breaks its own contract ("a date written YYYY-MM-DD", "raises
# AssessmentError when the assessment is malformed"). The schema already rejects all three.


def test_iso_week_date_rejected() -> None:
    assert not validators(RSP)[0].is_valid({"as_of": "2025-W01-1"})
    with pytest.raises(AssessmentError):
        evaluate(policy_of(RSP), {"as_of": "2025-W01-1"})


def test_huge_integer_rejected() -> None:
    data = {"evidence": {"ec_growth": 10**400}}
    assert not validators(RSP)[0].is_valid(data)
    with pytest.raises(AssessmentError):
        evaluate(policy_of(RSP), data)


def test_unhashable_done_member_rejected() -> None:
    data = {"done": [{"rule": ["cbrn_4"], "action": "specify"}]}
    assert not validators(RSP)[0].is_valid(data)
    with pytest.raises(AssessmentError):
        evaluate(policy_of(RSP), data)


def test_policy_without_names() -> None:
    """No contexts, domains, safeguards or obligations: the lists can only be empty."""
    text = (
        'policy tiny "Tiny" { organization "O" version "1" combine highest standard per family }\n'
    )
    policy = compile_source("tiny.rspl", text).policy
    assert policy is not None
    assessment, decision = (json.loads(t) for t in backend.render(policy).values())
    Validator.check_schema(assessment)
    Validator.check_schema(decision)
    for data in ({}, {"contexts": []}, {"contexts": ["training"]}, {"implemented": ["x"]},
                 {"done": []}, {"done": [{"rule": "a", "action": "b"}]}, {"determinations": {}},
                 {"determinations": {"CBRN": None}}):  # fmt: skip
        assert Validator(assessment).is_valid(data) == accepts(policy, data), data
    Validator(decision).validate(evaluate(policy, {}, explain=True))


# ---------------------------------------------------------------------------- large domains


@pytest.mark.parametrize("levels", [backend.LISTED_LEVELS, backend.LISTED_LEVELS + 1, 100, 257])
def test_level_order_in_large_domains(levels: int) -> None:
    """Above LISTED_LEVELS levels the order `cannot_rule_out` >= `reached` is written with
    shared blocks (size n log n instead of n^2): it must still accept exactly the pairs the
    evaluator accepts."""
    names = [f"L{i}" for i in range(1, levels + 1)]
    text = (
        'policy big "Big" { organization "O" version "1" combine highest standard per family }\n'
        'context c "C"\n'
        'domain D "D" {\n' + "".join(f'  level {n} "{n}" source "§1"\n' for n in names) + "}\n"
        'safeguard s "S" source "§2"\n'
        f'rule r "R" {{ source "§3" when D >= {names[-1]} require s }}\n'
    )
    result = compile_source("big.rspl", text)
    assert result.policy is not None, [d.message for d in result.diagnostics]
    files = backend.render(result.policy)
    schema = json.loads(next(v for k, v in files.items() if k.endswith("assessment.schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    blocks = [k for k in schema["$defs"] if k.startswith("from:")]
    assert bool(blocks) == (levels > backend.LISTED_LEVELS)
    picks = sorted({0, 1, 2, levels // 3, levels // 2, levels - 2, levels - 1})
    for lo in picks:
        for hi in picks:
            a = {"determinations": {"D": {"reached": names[lo], "cannot_rule_out": names[hi]}}}
            assert validator.is_valid(a) == accepts(result.policy, a), (lo, hi)
    size = len(json.dumps(schema))
    assert size < 2_000 * levels * max(1, levels.bit_length()), size  # not n^2


def test_a_chain_of_standards_makes_schemas_linear_in_the_chain() -> None:
    """A standard that extends another names only the safeguards it adds: a chain of N
    standards, each adding one, no longer lists N(N-1)/2 inherited safeguards."""
    bench = strategies.bench_scaling()
    sizes = {}
    for n in (100, 400):
        policy = compile_source("chain.rspl", bench.extends_policy(n)).policy
        assert policy is not None
        sizes[n] = sum(len(text) for text in backend.render(policy).values())
        if n == 400:
            text = "".join(backend.render(policy).values())
            assert "Safeguards: those of Std398, and s399." in text
    assert sizes[400] < 5 * sizes[100]  # quadratic: ~16 times


# ---------------------------------------------------------------------------- written in pieces


def _dumped(schema: Any) -> str:
    """The text of `schema` as `json.dumps` gives it, with `backend.dump`'s options."""
    options: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": True}
    return json.dumps(schema, allow_nan=False, **options) + "\n"


def assert_written_as_dumped(policy: ir.Policy) -> None:
    """The files, written as their `Lazy` parts are made (`render_pieces`), are the text
    `json.dumps` gives of the whole schemas."""
    files = backend.render(policy)
    base = module_name(policy)
    assert files[f"{base}.assessment.schema.json"] == _dumped(backend.assessment_schema(policy))
    assert files[f"{base}.decision.schema.json"] == _dumped(backend.decision_schema(policy))


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_written_in_pieces_as_dumped_whole(path: Path) -> None:
    assert_written_as_dumped(policy_of(path))


@pytest.mark.parametrize("size", [0, 1, 2, 3, backend.LISTED_LEVELS + 6, 130])
def test_written_in_pieces_as_dumped_whole_on_the_bench_policies(size: int) -> None:
    """The synthetic policies of bench/scaling.py, a domain of many levels (blocks) among
    them."""
    bench = strategies.bench_scaling()
    for make in (bench.levels_policy, bench.domains_rules_policy, bench.extends_policy):
        policy = compile_source("bench.rspl", make(size)).policy
        if policy is not None:
            assert_written_as_dumped(policy)


@settings(max_examples=examples(25), suppress_health_check=list(HealthCheck))
@given(spec=policies())
def test_written_in_pieces_as_dumped_whole_on_random_policies(spec: Any) -> None:
    result = compile_source("random.rspl", spec.text)
    assert result.policy is not None
    assert_written_as_dumped(result.policy)


def test_dump_writes_what_json_dumps_writes() -> None:
    """Values the schemas hold and some they do not: every JSON type, empty and nested
    containers (`Lazy` ones too), numbers at the limits, text to escape."""
    lazy = backend.Lazy(lambda: iter([[], {}, backend.Lazy(list)]))
    empty = backend.Lazy(list, keyed=True)
    keyed = backend.Lazy(lambda: iter([("a", lazy), ("b\u00e9", empty)]), keyed=True)
    values: list[Any] = [
        None, True, False, 0, -7, 2**70, 0.25, -0.0, 1e-300, backend.MAX_NUMBER, "", "é\u2028\"\\",
        [], {}, [[]], {"": {}}, {"b": 1, "a": [1, {"z": None, "y": (2, 3)}]}, ("t",),
    ]  # fmt: skip
    for value in [*values, values, dict(zip(map(str, range(len(values))), values, strict=True))]:
        assert backend.dump(value) == _dumped(value), value
    assert backend.dump(keyed) == _dumped(backend.whole(keyed))
    for bad in (math.nan, math.inf, [1, -math.inf]):
        with pytest.raises(ValueError):
            backend.dump(bad)
    with pytest.raises(TypeError):
        backend.dump({1: "a"})
