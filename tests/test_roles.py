"""Who acts, who approves, who receives (docs/semantics.md §19): `by A or B` reads "A or B"
and `by A, B` still "A and B" in the document; the decision reports the roles and how to read
them, in both engines; roles never change a verdict, a status or what a duty blocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rspl import ir
from rspl.backends.markdown import render
from rspl.interpreter import evaluate
from rspl.pipeline import compile_source
from rspl.report import decision_text
from rspl.testing import load_module

HEADER = """policy roles "Who acts" {
  organization "Example Lab"
  version "1"
  combine highest standard per family
}
context external_deployment "External deployment"
role CEO "The CEO"
role RSO "The RSO"
role Board "The Board"
role regulator "The regulator"
role leadership "Leadership" includes CEO, RSO
action review "review"
action report "report"
action restrict "restrict" blocking
artifact incident "The incident"
evidence incident_seen: fact "An incident was seen"
"""

RULE = """rule duties "Duties" {{
  when incident_seen
  must review {by} {approved} before external_deployment
  must report incident to regulator by leadership
  must restrict external_deployment {by} until incident_seen
}}
"""

ASSESSMENTS: list[dict[str, Any]] = [
    {"as_of": "2025-06-01", "contexts": ["external_deployment"]},
    {"as_of": "2025-06-01", "contexts": ["external_deployment"],
     "evidence": {"incident_seen": True}},
    {"as_of": "2025-06-01", "contexts": ["external_deployment"],
     "evidence": {"incident_seen": True}, "done": [{"rule": "duties", "action": "review"}]},
    {"as_of": "2025-06-01", "contexts": ["external_deployment"],
     "evidence": {"incident_seen": False}},
]  # fmt: skip

FORMS = {
    "all": ("by CEO, RSO", "approved by Board, CEO"),
    "any": ("by CEO or RSO", "approved by any of (Board, CEO, RSO)"),
    "written_out": ("by CEO or RSO", "approved by all of (Board, CEO)"),
    "either": ("by CEO or RSO", "approved by Board or CEO"),
}


def _policy(by: str, approved: str) -> ir.Policy:
    result = compile_source("roles.rspl", HEADER + RULE.format(by=by, approved=approved))
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []
    assert result.policy is not None
    return result.policy


def _decisions(policy: ir.Policy) -> list[dict[str, Any]]:
    module = load_module(policy)
    out = []
    for a in ASSESSMENTS:
        mine = evaluate(policy, a)
        theirs = json.loads(json.dumps(module.evaluate(a).to_dict()))
        assert json.loads(json.dumps(mine)) == theirs
        out.append(mine)
    return out


def test_the_document_says_or_for_by_a_or_b_and_and_for_by_a_b() -> None:
    either = "\n".join(render(_policy(*FORMS["any"])).values())
    both = "\n".join(render(_policy(*FORMS["all"])).values())
    assert "The CEO or the RSO **must** review, approved by any one of the Board, the CEO or the " \
        "RSO, before external deployment" in either
    assert "The CEO and the RSO **must** review, approved by the Board and the CEO" in both
    # a recipient after the object; a group named with its members
    assert "Leadership (the CEO and the RSO) **must** report the incident to the regulator" in both
    written = "\n".join(render(_policy(*FORMS["either"])).values())
    assert "approved by the Board or the CEO" in written


@pytest.mark.parametrize("form", sorted(FORMS))
def test_roles_are_reported_and_change_nothing_else(form: str) -> None:
    reference = _decisions(_policy(*FORMS["all"]))
    decisions = _decisions(_policy(*FORMS[form]))
    by, approved = FORMS[form]
    for ref, d in zip(reference, decisions, strict=True):
        assert ref["verdicts"] == d["verdicts"]
        strip = ("by_any", "approved_by_any", "approved_by")
        assert [{k: v for k, v in o.items() if k not in strip} for o in ref["obligations"]] == [
            {k: v for k, v in o.items() if k not in strip} for o in d["obligations"]
        ]
        for o in d["obligations"]:
            if o["action"] == "review":
                assert o["by_any"] is (" or " in by)
                assert o["approved_by_any"] is (" or " in approved or "any of" in approved)
            if o["action"] == "report":
                assert (o["by"], o["by_any"], o["to"]) == (["leadership"], False, ["regulator"])


def test_eval_text_shows_who_acts() -> None:
    policy = _policy(*FORMS["any"])
    text = decision_text(evaluate(policy, ASSESSMENTS[1]))
    assert "must review before external_deployment by CEO or RSO approved by Board or CEO or " \
        "RSO: open" in text
    assert "must report incident to regulator by leadership: open" in text
