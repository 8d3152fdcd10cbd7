"""Decisions are values, and any input at all either decides or raises `AssessmentError`.

(a) Decisions are values: after `evaluate` returns, every container of the assessment is
    changed (lists emptied and refilled with every name the policy has, objects rewritten);
    the decision, read only then (`verdicts`, `permitted`, `to_dict()`), is the decision a
    fresh copy of the original assessment gets. Reading a decision twice gives equal data, and
    changing what `to_dict()` returned, or a verdict's collections, changes nothing in it or
    in any other decision. Both engines, on random policies and assessments.
(b) Any input, not only JSON: arbitrary nested values in every field, objects whose methods
    raise, JSON nested 100,000 deep in every position, keys that hold newlines and terminal
    control codes. Each engine either decides or raises `AssessmentError` (never anything
    else), and both agree on which, and on its field and expectation. An error's message is
    one printable line of bounded length.
(c) An empty list of contexts asks about nothing: it is rejected, naming `contexts`.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import (
    PolicySpec,
    any_assessment,
    assessments,
    compile_policy,
    load_module,
    policies,
)

from rspl import interpreter, ir
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "anthropic-rsp-v2.2.rspl"


def _example() -> tuple[ir.Policy, types.ModuleType]:
    result = compile_file(str(EXAMPLE))
    assert result.policy is not None
    return result.policy, load_module(result.policy)


EXAMPLE_POLICY, EXAMPLE_MODULE = _example()


def outcome(policy: ir.Policy, module: types.ModuleType, a: Any) -> list[tuple[str, Any]]:
    """What each engine makes of `a`: ("ok", decision data) or ("error", (field, expected))."""
    out: list[tuple[str, Any]] = []
    for engine in ("interpreter", "generated"):
        try:
            BadRepr.armed = True
            if engine == "interpreter":
                out.append(("ok", interpreter.evaluate(policy, a)))
            else:
                out.append(("ok", module.evaluate(a).to_dict()))
        except (interpreter.AssessmentError, module.AssessmentError) as err:
            text = str(err)
            assert "\n" not in text and "\x1b" not in text and text.isprintable(), text
            assert len(text) <= 60 + len(err.expected) + 60 + 20, text
            out.append(("error", (err.field, err.expected)))
        finally:
            BadRepr.armed = False
    return out


# ---------------------------------------------------------------------------- (a)


def _all_names(spec: PolicySpec) -> list[str]:
    return [*spec.safeguards, *(s.name for s in spec.standards)]


def _trample(a: Any, spec: PolicySpec) -> None:
    """Change every container of the assessment `a` in place, as a careless caller might."""
    if not isinstance(a, dict):
        return
    for key, value in list(a.items()):
        if isinstance(value, list):
            value.clear()
            if key == "implemented":
                value.extend(_all_names(spec))
            elif key == "contexts":
                value.extend(spec.contexts[:1])
        elif isinstance(value, dict):
            for inner in list(value):
                if isinstance(value[inner], dict):
                    value[inner].clear()
                value[inner] = None
            value.clear()
    a["as_of"] = "1999-01-01"


def _view(decision: Any) -> dict[str, Any]:
    """Everything a caller can read from a generated decision, as plain data."""
    return {
        "verdicts": {
            c: (sorted(v.missing), sorted(v.required), v.permitted, list(v.reasons),
                {f: list(n) for f, n in v.required_standards.items()})
            for c, v in decision.verdicts.items()
        },
        "permitted": {c: decision.permitted(c) for c in decision.verdicts},
        "dict": decision.to_dict(),
    }  # fmt: skip


@st.composite
def value_cases(draw: st.DrawFn) -> tuple[PolicySpec, list[Any]]:
    spec = draw(policies())
    return spec, draw(st.lists(assessments(spec), min_size=3, max_size=3))


@settings(max_examples=examples(40))
@given(case=value_cases())
def test_decisions_are_values(case: tuple[PolicySpec, list[Any]]) -> None:
    spec, batch = case
    policy = compile_policy(spec.text)
    module = load_module(policy)
    for a in batch:
        pristine = copy.deepcopy(a)
        for explain in (False, True):
            given = copy.deepcopy(a)
            reference = interpreter.evaluate(policy, given, explain=explain)
            decision = module.evaluate(given, explain=explain)
            # a second decision, whose collections the first must not share
            other = module.evaluate(copy.deepcopy(pristine), explain=explain)
            _trample(given, spec)
            assert reference == interpreter.evaluate(policy, pristine, explain=explain)
            fresh = module.evaluate(copy.deepcopy(pristine), explain=explain)
            assert _view(decision) == _view(fresh), pristine
            # what a caller changes in what it was given stays with the caller
            taken = decision.to_dict()
            _ruin(taken)  # every container in it, however deep
            assert decision.to_dict() == fresh.to_dict()
            assert other.to_dict() == fresh.to_dict()
            assert module.evaluate(copy.deepcopy(pristine), explain=explain).to_dict() == (
                fresh.to_dict()
            )
            for v in decision.verdicts.values():
                assert isinstance(v.missing, frozenset) and isinstance(v.required, frozenset)
                assert isinstance(v.required_standards, types.MappingProxyType)
                assert all(isinstance(n, tuple) for n in v.required_standards.values())
            assert _view(other) == _view(fresh)


def _ruin(data: Any) -> None:
    """Change every list and object in `data`, depth first (without recursion)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            item["ruined"] = True
        elif isinstance(item, list):
            stack.extend(item)
            item.append("ruined")


def test_the_reported_reproducer_stays_blocked() -> None:
    policy = compile_policy(
        'policy gate "Gate" { organization "O" version "1" combine highest standard per family }\n'
        'context deploy "Deploy"\n'
        'domain D "D" { level L1 "L1" source "§1" }\n'
        'safeguard classifiers "Classifiers" source "§2"\n'
        'rule r "R" { source "§3" when D >= L1 require classifiers }\n'
    )
    module = load_module(policy)
    for _ in range(2):  # the second call is served by the shortcut
        a: dict[str, Any] = {"determinations": {"D": "L1"}, "implemented": []}
        d = module.evaluate(a)
        a["implemented"].append("classifiers")
        assert not d.permitted("deploy")
        assert d.to_dict()["verdicts"]["deploy"]["permitted"] is False
        d2 = module.evaluate({"determinations": {"D": "L1"}, "implemented": ["classifiers"]})
        standards = d2.verdicts["deploy"].required_standards
        with pytest.raises(TypeError):
            standards["x"] = ("y",)  # type: ignore[index]
        assert d2.permitted("deploy")


# ---------------------------------------------------------------------------- (b)

JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


class Hostile(Mapping[Any, Any]):
    """A mapping whose methods fail."""

    def __init__(self, fail: str) -> None:
        self.fail = fail

    def __getitem__(self, key: Any) -> Any:
        if self.fail == "getitem":
            raise RuntimeError("getitem")
        return None

    def __iter__(self) -> Iterator[Any]:
        if self.fail == "iter":
            raise ValueError("iter")
        return iter(["determinations"])

    def __len__(self) -> int:
        return 1


class BadRepr:
    """An object that cannot be shown, while the engines read it (hypothesis shows it too)."""

    armed = False

    def __repr__(self) -> str:
        if BadRepr.armed:
            raise RuntimeError("no repr")
        return "BadRepr()"

    __str__ = __repr__


ODD = st.sampled_from([
    Hostile("getitem"), Hostile("iter"), BadRepr(), object(), b"bytes", {1, 2}, 1j, ...,
    float("nan"), 10**400, ("tuple",), frozenset({"x"}),
])  # fmt: skip
ANY = st.recursive(JSON_LEAVES | ODD, lambda inner: st.lists(inner, max_size=3)
                   | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=3),
                   max_leaves=8)  # fmt: skip
KEYS = ("as_of", "determinations", "evidence", "implemented", "done", "contexts")


@st.composite
def hostile_assessments(draw: st.DrawFn) -> Any:
    shape = draw(st.sampled_from(["top", "field", "domain", "key"]))
    if shape == "top":
        return draw(ANY)
    if shape == "field":
        return {draw(st.sampled_from(KEYS)): draw(ANY)}
    if shape == "domain":
        return {"determinations": {"CBRN": draw(ANY)}, "evidence": {"ec_growth": draw(ANY)}}
    key = draw(st.text(min_size=1, max_size=80)) + draw(st.sampled_from(["\n", "\x1b[2J", ""]))
    return {draw(st.sampled_from(["determinations", "evidence"])): {key: "x"}}


@settings(max_examples=examples(400))
@given(a=hostile_assessments())
def test_any_input_decides_or_raises_assessment_error(a: Any) -> None:
    ref, gen = outcome(EXAMPLE_POLICY, EXAMPLE_MODULE, a)
    assert ref == gen


@settings(max_examples=examples(40))
@given(spec=policies(), data=st.data())
def test_random_policies_any_json(spec: PolicySpec, data: st.DataObject) -> None:
    policy = compile_policy(spec.text)
    module = load_module(policy)
    for _ in range(3):
        a = data.draw(st.one_of(any_assessment(spec), hostile_assessments(), JSON))
        ref, gen = outcome(policy, module, a)
        assert ref == gen


def _nested(depth: int, leaf: Any) -> Any:
    out = leaf
    for i in range(depth):
        out = [out] if i % 2 else {"k": out}
    return out


@pytest.mark.parametrize(
    "where",
    ["top", "as_of", "determinations", "domain", "reached", "evidence", "implemented",
     "implemented item", "done", "done item", "contexts", "contexts item", "key"],
)  # fmt: skip
def test_json_nested_100000_deep(where: str) -> None:
    deep = _nested(100_000, "x")
    deep_key: Any = "x"
    for _ in range(100_000):
        deep_key = (deep_key,)
    a: Any = {
        "top": deep,
        "as_of": {"as_of": deep},
        "determinations": {"determinations": deep},
        "domain": {"determinations": {"CBRN": deep}},
        "reached": {"determinations": {"CBRN": {"reached": deep}}},
        "evidence": {"evidence": {"ec_growth": deep}},
        "implemented": {"implemented": deep},
        "implemented item": {"implemented": [deep]},
        "done": {"done": [deep]},
        "done item": {"done": [{"rule": deep, "action": "x"}]},
        "contexts": {"contexts": deep},
        "contexts item": {"contexts": [deep]},
        "key": {"determinations": {deep_key: "x"}},
    }[where]
    ref, gen = outcome(EXAMPLE_POLICY, EXAMPLE_MODULE, a)
    assert ref == gen and ref[0] == "error", ref


def test_control_codes_in_keys_are_escaped() -> None:
    a = {"evidence": {"x\nrspl: ok, deployment permitted\x1b[0m": True}}
    ref, gen = outcome(EXAMPLE_POLICY, EXAMPLE_MODULE, a)
    assert ref == gen and ref[0] == "error"
    field = ref[1][0]
    assert field.startswith("evidence.x\\nrspl: ok") and "\n" not in field


# ---------------------------------------------------------------------------- (c)


def test_empty_contexts_are_rejected() -> None:
    for a in ({"contexts": []}, {"contexts": ()}, {"determinations": {}, "contexts": []}):
        ref, gen = outcome(EXAMPLE_POLICY, EXAMPLE_MODULE, a)
        assert ref == gen == ("error", ("contexts", "at least one context name"))
