"""Waivers (docs/semantics.md, section 18), as properties over random policies.

- Approving waivers never makes a decision stricter: every context permitted without the
  approvals is permitted with them, and nothing is missing with them that was not without,
  or that a standard missing without them does not include (with `combine highest standard
  per family`, lifting a stronger standard leaves the weaker one it extends required).
- A waiver is applied only when its condition is surely true and it is approved: with no
  approvals, or with its condition false or unknown, its `applied` list is empty.

Both engines are checked; the differential tests keep them equal.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import PolicySpec, assessments, compile_policy, load_module, policies

from rspl import interpreter

SETTINGS = settings(max_examples=examples(60))


@st.composite
def waiver_cases(draw: st.DrawFn) -> tuple[PolicySpec, list[dict[str, Any]]]:
    spec = draw(policies())
    assume(spec.waivers)
    batch = draw(st.lists(assessments(spec), min_size=3, max_size=3))
    return spec, batch


@SETTINGS
@given(case=waiver_cases())
def test_approvals_never_make_a_decision_stricter(case: tuple[PolicySpec, list[Any]]) -> None:
    spec, batch = case
    policy = compile_policy(spec.text)
    module = load_module(policy)
    standards = {s.name: s for s in policy.standards}
    for assessment in batch:
        with_all = {**assessment, "approved": list(spec.waivers)}
        without = {k: v for k, v in assessment.items() if k != "approved"}
        for decide in (lambda a: interpreter.evaluate(policy, a),
                       lambda a: module.evaluate(a).to_dict()):  # fmt: skip
            loose, strict = decide(with_all), decide(without)
            assert all(w["applied"] == [] for w in strict["waivers"]), spec.text
            for context, verdict in strict["verdicts"].items():
                got = loose["verdicts"][context]
                covered = set(verdict["missing"]) | {
                    x for m in verdict["missing"] if m in standards
                    for x in (*standards[m].ancestors, *standards[m].safeguards)
                }  # fmt: skip
                assert set(got["missing"]) <= covered, spec.text
                assert got["permitted"] or not verdict["permitted"], spec.text
            for w in loose["waivers"]:
                if w["applied"]:
                    assert w["condition"] == "true" and w["approved"], spec.text
