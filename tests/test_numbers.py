"""Numbers that mean what they say: signed scores and negative literals, ratio literals
(`1 in 20`), minutes, the range of every dimension checked alike by both engines and the
assessment schema, and money written readably in the document.

The properties draw random policies from `strategies.py` (which declare evidence of every
type) and check, for every dimension, that a value outside its range is rejected by both
engines naming the same field, so a negative growth or count (issue 9) or a rate of 15 typed
for 0.15 can never turn a blocked decision into a permitted one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import (
    PolicySpec,
    assessments,
    compile_policy,
    load_module,
    out_of_range,
    policies,
)

from rspl import interpreter, ir, semantics, units
from rspl.backends import jsonschema as schema_backend
from rspl.backends import markdown
from rspl.cli import main
from rspl.wording import module_name, money_text

HEADER = """policy numbers "Numbers" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
context deploy "Deployment"
safeguard guard "A safeguard" source "§1"
"""

RATE_POLICY = HEADER + """
evidence rate: fraction "Jailbreak success rate"
evidence corr: score "Correlation of the eval with expert trials"
evidence wait: duration "Time to respond"
evidence cost: money "Cost of the training run"

rule rate_high "Rate at 1 in 20 or more" {
  source "§2"
  when rate >= 1 in 20
  require guard
}

rule rate_exact "Rate exactly 5%" {
  source "§2"
  when rate == 5%
  require guard
}

rule eval_inverted "The eval runs backwards" {
  source "§3"
  when corr < -0.2 or corr <= -5%
  require guard
}

rule slow "Slow response" {
  source "§4"
  when wait > 30 minutes
  require guard
}

rule expensive "Expensive run" {
  source "§5"
  when cost >= 1e9 USD
  require guard
}
"""


def _statuses(policy: Any, module: Any, assessment: dict[str, Any]) -> dict[str, str]:
    """Each rule's status, from both engines, which must agree (a decision lists the rules
    that apply; any other is not triggered)."""
    ref = interpreter.evaluate(policy, assessment)
    gen = module.evaluate(assessment).to_dict()
    assert ref == gen
    listed = {r["name"]: r["status"] for r in ref["rules"]}
    return {r.name: listed.get(r.name, "not_triggered") for r in policy.rules}


@pytest.fixture(scope="module")
def compiled() -> tuple[Any, Any]:
    policy = compile_policy(RATE_POLICY)
    return policy, load_module(policy)


# ---------------------------------------------------------------------------- acceptance


def test_a_rate_of_15_is_rejected_by_both_engines_the_cli_and_the_schema(
    compiled: tuple[Any, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy, module = compiled
    assessment = {"evidence": {"rate": 15}}
    expected = "a fraction between 0 and 1 (15 is not; write 0.15 for 15%)"
    with pytest.raises(interpreter.AssessmentError) as ref:
        interpreter.evaluate(policy, assessment)
    with pytest.raises(module.AssessmentError) as gen:
        module.evaluate(assessment)
    assert (ref.value.field, ref.value.expected) == ("evidence.rate", expected)
    assert (gen.value.field, gen.value.expected) == ("evidence.rate", expected)

    source = tmp_path / "numbers.rspl"
    source.write_text(RATE_POLICY, encoding="utf-8")
    data = tmp_path / "a.json"
    data.write_text(json.dumps(assessment), encoding="utf-8")
    assert main(["eval", str(source), str(data)]) == 1
    assert f"evidence.rate: expected {expected}, got 15" in capsys.readouterr().err

    files = schema_backend.render(policy)
    schema = json.loads(files[f"{module_name(policy)}.assessment.schema.json"])
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid(assessment)
    assert validator.is_valid({"evidence": {"rate": 0.15}})
    assert not validator.is_valid({"evidence": {"rate": -0.01}})
    assert validator.is_valid({"evidence": {"corr": -0.99}})


def test_one_in_twenty_is_five_percent_in_both_engines(compiled: tuple[Any, Any]) -> None:
    policy, module = compiled
    at = _statuses(policy, module, {"evidence": {"rate": 0.05}})
    assert at["rate_high"] == at["rate_exact"] == "triggered"
    below = _statuses(policy, module, {"evidence": {"rate": math.nextafter(0.05, 0)}})
    assert below["rate_high"] == below["rate_exact"] == "not_triggered"
    consts = {c.text: c.value for c in _consts(policy)}
    assert consts["1 in 20"] == consts["5%"] == 0.05


def _consts(policy: Any) -> list[Any]:
    """Every literal of the policy's rule conditions."""
    defs = {d.name: d for d in policy.definitions}
    return [x for rule in policy.rules if rule.condition is not None
            for node in ir.walk(rule.condition, defs) if isinstance(node, ir.Compare)
            for x in (node.left, node.right) if isinstance(x, ir.Const)]  # fmt: skip


def test_percentages_and_ratios_are_exact() -> None:
    """`N%` and `N in 100` are the float an assessment writes for N/100, for every N."""
    for n in range(101):
        assert units.to_base(n, "%")[1] == n / 100 == float(f"0.{n:02d}" if n < 100 else "1")


def test_negative_scores_compare(compiled: tuple[Any, Any]) -> None:
    policy, module = compiled
    assert _statuses(policy, module, {"evidence": {"corr": -0.3}})["eval_inverted"] == "triggered"
    assert _statuses(policy, module, {"evidence": {"corr": -0.05}})["eval_inverted"] == "triggered"
    low = _statuses(policy, module, {"evidence": {"corr": -0.049}})
    assert low["eval_inverted"] == "not_triggered"


def test_minutes_keep_sub_day_precision(compiled: tuple[Any, Any]) -> None:
    policy, module = compiled
    thirty = 30 / 1440
    assert _statuses(policy, module, {"evidence": {"wait": thirty}})["slow"] == "not_triggered"
    later = math.nextafter(thirty, 1)
    assert _statuses(policy, module, {"evidence": {"wait": later}})["slow"] == "triggered"
    assert units.to_base(60, "minutes")[1] == units.to_base(1, "hour")[1] == 1 / 24


# ---------------------------------------------------------------------------- the document


@pytest.mark.parametrize(
    "usd,text",
    [(1e9, "USD 1 billion"), (4e7, "USD 40 million"), (250000, "USD 250,000"),
     (1.5e9, "USD 1.5 billion"), (1234567890, "USD 1,234,567,890"), (0, "USD 0"),
     (1e11, "USD 100 billion"), (2e12, "USD 2 trillion"), (0.5, "USD 0.50")],
)  # fmt: skip
def test_money_text(usd: float, text: str) -> None:
    assert money_text(usd) == text


def test_the_document_reads_money_and_keeps_ratios(compiled: tuple[Any, Any]) -> None:
    policy, _ = compiled
    doc = next(t for name, t in markdown.render(policy).items() if name.endswith(".md"))
    assert "USD 1 billion" in doc and "1e9 USD" not in doc
    assert "1 in 20" in doc and "30 minutes" in doc and "-0.2" in doc


def test_explanations_read_money(compiled: tuple[Any, Any]) -> None:
    policy, module = compiled
    assessment = {"evidence": {"cost": 2e9}}
    ref = interpreter.evaluate(policy, assessment, explain=True)
    assert ref == module.evaluate(assessment, explain=True).to_dict()
    item = next(x for x in ref["explanation"] if x["rule"] == "expensive")
    assert item["condition"]["expr"] == "cost >= 1e9 USD (USD 1 billion)"
    assert item["condition"]["value"] == "true"


# ---------------------------------------------------------------------------- properties


@st.composite
def _out_of_range_case(draw: st.DrawFn) -> tuple[PolicySpec, dict[str, Any], str, float]:
    spec = draw(policies())
    ranged = sorted(n for n, t in spec.evidence.items() if t in semantics.RANGES)
    name = draw(st.sampled_from(ranged)) if ranged else ""
    value = draw(out_of_range(spec.evidence[name])) if ranged else 0.0
    return spec, draw(assessments(spec)), name, value


@settings(max_examples=examples(40), deadline=None)
@given(case=_out_of_range_case())
def test_out_of_range_values_are_rejected_alike(
    case: tuple[PolicySpec, dict[str, Any], str, float],
) -> None:
    """For every ranged dimension, a value outside its range is rejected by both engines
    naming the same field and expectation; never decided, so never permitted, whatever the
    decision for the same assessment with the value left out (a negative growth cannot turn
    a block into a permit)."""
    spec, assessment, name, value = case
    if not name:
        return
    policy = compile_policy(spec.text)
    module = load_module(policy)
    bad = {**assessment, "evidence": {**(assessment.get("evidence") or {}), name: value}}
    with pytest.raises(interpreter.AssessmentError) as ref:
        interpreter.evaluate(policy, bad)
    with pytest.raises(module.AssessmentError) as gen:
        module.evaluate(bad)
    assert ref.value.field == gen.value.field
    assert ref.value.expected == gen.value.expected
    # only an earlier problem of the assessment itself could be named instead; there is none
    assert ref.value.field == f"evidence.{name}"
    assert ref.value.expected == semantics.range_text(float(value), spec.evidence[name])


@settings(max_examples=examples(100), deadline=None)
@given(dimension=st.sampled_from(sorted(units.DIMENSIONS)), data=st.data())
def test_every_dimension_has_a_range_both_checks_share(dimension: str, data: st.DataObject) -> None:
    """`semantics.check_number` (both engines) and the assessment schema agree on every
    dimension: a score takes any finite number, the others reject what `out_of_range` draws."""
    schema = schema_backend._number_schema(dimension)
    validator = jsonschema.Draft202012Validator(schema)
    if dimension == "score":
        value = data.draw(st.floats(allow_nan=False, allow_infinity=False))
        assert semantics.check_number(value, "evidence.x", dimension) == value
        assert validator.is_valid(value)
        return
    value = data.draw(out_of_range(dimension))
    with pytest.raises(semantics.AssessmentError) as err:
        semantics.check_number(value, "evidence.x", dimension)
    assert err.value.field == "evidence.x"
    assert not validator.is_valid(value)
