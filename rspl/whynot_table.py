"""The policy data `rspl/whynot.py` derives its candidate changes from, read off the IR; and
`why_not`, the search run with the reference interpreter (`rspl eval --why-not`). The Python
backend writes the same table into every generated module (`_WHY_NOT`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from rspl import ir
from rspl.whynot import why_not_search


class _Reads:
    """The evidence and domains an expression reads, and the thresholds it compares them with."""

    def __init__(self, policy: ir.Policy) -> None:
        self.definitions = {d.name: d for d in policy.definitions}
        self.points: dict[str, set[Any]] = {}
        self.since: dict[str, set[float]] = {}

    def of(self, exprs: Iterable[ir.Expr | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        evidence: set[str] = set()
        domains: set[str] = set()
        for e in exprs:
            if e is None:
                continue
            for node in ir.walk(e, self.definitions):
                if isinstance(node, ir.LevelCmp):
                    domains.add(node.domain)
                elif isinstance(node, ir.Fact | ir.MemberTest):
                    evidence.add(node.name)
                elif isinstance(node, ir.Compare):
                    for side, other in ((node.left, node.right), (node.right, node.left)):
                        if isinstance(side, ir.EvidenceValue | ir.SinceValue | ir.MemberBound):
                            evidence.add(side.name)
                        if isinstance(other, ir.Const):
                            self.threshold(side, other)
        return tuple(sorted(evidence)), tuple(sorted(domains))

    def threshold(self, side: ir.Value, const: ir.Const) -> None:
        value = const.value
        if isinstance(side, ir.EvidenceValue):
            shown = value.isoformat() if isinstance(value, datetime.date) else float(value)
            self.points.setdefault(side.name, set()).add(shown)
        elif isinstance(side, ir.SinceValue) and not isinstance(value, datetime.date):
            self.since.setdefault(side.name, set()).add(float(value))


def _until(obligations: Iterable[ir.Obligation]) -> list[ir.Expr]:
    return [o.deadline.expr for o in obligations if isinstance(o.deadline, ir.Until)]


def table(policy: ir.Policy) -> dict[str, Any]:
    """Plain data (quotable into a generated module): the inputs each rule, waiver and
    criterion reads, each evidence's kind and thresholds, each standard's row as the
    evaluator's table has it (family, parent, its own safeguards: linear in a chain of
    standards, and hole) and its title."""
    reads = _Reads(policy)
    rules: dict[str, Any] = {}
    for r in policy.rules:
        exprs = [r.condition, *_until(r.obligations), *_until(r.fallbacks),
                 *(q.criterion for q in r.requirements)]
        evidence, domains = reads.of(exprs)
        requires = tuple((q.target, q.contexts) for q in r.requirements if q.modality == "must")
        rules[r.name] = (evidence, requires, domains)
    waivers = {w.name: reads.of([w.condition]) for w in policy.waivers}
    criteria: dict[str, tuple[str, ...]] = {}
    for s in policy.safeguards:
        if s.efficacy is not None:
            criteria[s.name] = reads.of([s.efficacy])[0]
    for st in policy.standards:
        if st.criterion is not None:
            criteria[st.name] = reads.of([st.criterion])[0]
    for d in policy.definitions:
        reads.of([d.expr])
    kinds = {
        e.name: (
            "members" if e.per is not None else e.type,
            tuple(sorted(reads.points.get(e.name, ()), key=str if e.type == "date" else float)),
            tuple(sorted(reads.since.get(e.name, ()))),
        )
        for e in policy.evidence
    }
    return {
        "domains": {
            d.name: (tuple(lv.name for lv in d.levels),
                     tuple((x.name, x.contexts) for x in d.settings), d.residual)
            for d in policy.domains
        },
        "standards": {
            s.name: (s.family, s.parent, s.own_safeguards, s.hole) for s in policy.standards
        },
        # titles apart: pprint splits a long string in a tuple without parentheses
        "titles": {s.name: s.title or s.name for s in policy.standards},
        "safeguards": tuple(s.name for s in policy.safeguards),
        "rules": rules,
        "waivers": waivers,
        "criteria": criteria,
        "evidence": kinds,
    }


def why_not(
    policy: ir.Policy, assessment: Mapping[str, Any], context: str,
    *, max_size: int = 8, max_evaluations: int = 2000,
) -> dict[str, Any]:
    """The minimal sets of changes that would permit `context` (`rspl/whynot.py`), each
    confirmed by the reference interpreter. Raises AssessmentError as `evaluate` does."""
    from rspl.interpreter import evaluate

    return why_not_search(
        lambda a: evaluate(policy, a), table(policy), assessment, context,
        max_size=max_size, max_evaluations=max_evaluations,
    )


def context_title(policy: ir.Policy, context: str) -> str:
    """How the words name a context: its phrase, else its title, else its name."""
    for c in policy.contexts:
        if c.name == context:
            if c.phrase:
                return c.phrase
            words = c.title or c.name
            if words[:1].isupper() and not words[1:2].isupper():
                words = words[:1].lower() + words[1:]  # mid-sentence: "external deployment"
            return words
    return context
