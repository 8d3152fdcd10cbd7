"""Escalation ladders and duty keys (docs/semantics.md, section 21), as properties.

`rspl.semantics.ladder_states` is checked against its definition for any list of failed
steps; then, on random policies and assessments (`tests/strategies.py`), every decision of the
reference interpreter (the generated evaluator agrees with it: tests/test_differential.py)
lists each unmet ladder whole, with one step in force at most, the steps after it on standby,
the failed ones as given, and no step on standby or failed blocking anything.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import assessments, compile_policy, policies

from rspl import interpreter
from rspl.semantics import ladder_states


@given(st.lists(st.booleans(), max_size=8))
def test_ladder_states_follow_the_definition(failed: list[bool]) -> None:
    states = ladder_states(failed)
    assert len(states) == len(failed)
    first = next((i for i, f in enumerate(failed) if not f), None)
    for i, (f, state) in enumerate(zip(failed, states, strict=True)):
        if f:
            assert state == "failed"
        elif i == first:
            assert state is None  # in force: its ordinary status
        else:
            assert state == "standby"


@settings(max_examples=examples(60), deadline=None)
@given(st.data())
def test_decisions_list_ladders_in_order(data: st.DataObject) -> None:
    spec = data.draw(policies())
    policy = compile_policy(spec.text)
    ladders = {r.name: [o.key for o in r.fallbacks] for r in policy.rules if r.ladder}
    for _ in range(5):
        assessment = data.draw(assessments(spec))
        decision = interpreter.evaluate(policy, assessment)
        failed = {(x["rule"], x["action"]) for x in assessment.get("failed") or ()}
        by_rule: dict[str, list[dict[str, Any]]] = {}
        for item in decision["obligations"]:
            if item["step"] is not None:
                by_rule.setdefault(item["rule"], []).append(item)
            else:
                assert item["status"] not in ("standby", "failed"), item
        for rule, steps in by_rule.items():
            assert [s["key"] for s in steps] == ladders[rule]
            assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
            reached = True
            for s in steps:
                if (rule, s["key"]) in failed:
                    assert s["status"] == "failed"
                elif reached:
                    assert s["status"] not in ("standby", "failed")
                    reached = False
                else:
                    assert s["status"] == "standby"
                if s["status"] in ("standby", "failed"):
                    assert s["blocks"] == [] and s["due"] is None
