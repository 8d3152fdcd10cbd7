"""The runtime of every generated Python evaluator.

`rspl build --target python` writes each module as: the text of `rspl/semantics.py` (the leaf
rules: three-valued logic, level comparison, dates, obligation status, validation), then this
file, then the policy's tables and its compiled condition function. Both files are copied
verbatim after their imports, which the module gathers at its top; the `rspl.semantics`
import below is what the copy replaces. It uses the standard library only, and nothing here
knows a particular policy: `Evaluator` is built from the tables.

Each condition is decided once. The compiled `_conditions` returns every rule's outcome
together with the value of every node of every condition (a *values* tuple, indexed like the
`nodes` table); missing evidence and explanations are read off those values, never decided
again. A decision then costs a few dictionary lookups and set differences: each context's
requirements come from a table keyed by the rules' outcomes, and when the conditions read
only levels, the outcomes themselves are looked up by the determinations given. Everything
else in the decision (obligations, alerts, explanations) is computed when asked for, by
`Decision.to_dict()`. The reference interpreter in the compiler assembles decisions its own
way from the same leaf rules; the differential tests keep the two in agreement.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from rspl.semantics import (
    RULE_STATUS,
    AssessmentError,
    Tri,
    block_reason,
    carry_forward_verdict,
    chain_criterion,
    check_approved,
    check_assessment,
    check_contexts,
    check_date,
    check_determinations,
    check_done,
    check_evidence_values,
    check_failed,
    check_implemented,
    check_provenance,
    combine_standards,
    complete_standards,
    criteria_order,
    criterion_entry,
    duty_modality,
    duty_state,
    expand_standards,
    explaining,
    figure,
    input_owner,
    is_prohibition,
    ladder_states,
    ladder_step,
    lifted_requirements,
    member_notes,
    missing_members,
    obligation_blocks,
    policy_in_force,
    prohibitions,
    standard_in_place,
    standing_duty,
    tri_word,
    unreadable,
    waive_duty,
    waived_duties,
    waiver_applies,
    waiver_entry,
    within_period,
)

# A node of a compiled condition: `kind` is level, cmp, fact, impl, def, not, and, or,
# atleast or members (a test over a measurement family, or a comparison with its max or
# min); `text` the expression in RSPL syntax; `inputs` what it reads (for explanations);
# `children` the slots of its operands; `detail` what an unknown value of it depends on: the
# domain (level), the evidence name (fact), the safeguard or standard (impl), or (evidence
# names, whether it reads as_of) for a comparison, and for members the same with the families
# read: (name, type, declared members or None, each/max/min) each.
Node = Mapping[str, Any]
Values = tuple[Tri, ...]
ConditionsFn = Callable[
    [
        list[int],
        list[int],
        Mapping[str, Any],
        Collection[str],
        Mapping[str, frozenset[str]],
        "datetime.date | None",
    ],
    tuple[Values, Values],
]
EfficacyFn = Callable[
    [
        list[int],
        list[int],
        Mapping[str, Any],
        Collection[str],
        Mapping[str, frozenset[str]],
        "datetime.date | None",
    ],
    Values,
]


class EvaluateFn(Protocol):
    def __call__(self, assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
        ...


class Evidence(NamedTuple):
    """An evidence input: its type (fact, judgement, date or a dimension) and deciders; for
    a measurement family, `family` and its declared `members` (None: an open set)."""

    kind: str
    deciders: tuple[str, ...]
    members: tuple[str, ...] | None = None
    family: bool = False


class Criteria(NamedTuple):
    """The criteria decided for one assessment: the values of `_efficacy`'s nodes, the
    levels and evidence they were decided on, whether each row of `_CRITERIA` decided holds
    (safeguards only when listed), the inputs behind each unknown one, and each standard's
    criteria with inherited ones (`chain_criterion`)."""

    values: Values
    lo: tuple[int, ...]
    hi: tuple[int, ...]  # as given: criteria are decided before the checkpoints
    ev: Mapping[str, Any]
    as_of: datetime.date | None
    holds: Mapping[int, Tri]
    unknown: Mapping[int, frozenset[str]]
    chains: Mapping[str, tuple[Tri, frozenset[str]]]


class Waived(NamedTuple):
    """The waivers decided for one assessment: per waiver (in policy order) its condition's
    value, whether it is approved, the contexts it is applied in and why; the (target,
    context) requirements lifted; per duty (rule, key) the contexts it is waived in; and the
    unknown inputs of the waivers' conditions."""

    each: tuple[tuple[Tri, bool, tuple[str, ...], str], ...]
    lifted: frozenset[tuple[str, str]]
    duties: Mapping[tuple[str, str], frozenset[str]]
    unknown: frozenset[str]


class State(NamedTuple):
    """What a decision read from its assessment, besides what is implemented. A snapshot:
    nothing in it is the caller's object, and nothing in it can be changed."""

    lo: tuple[int, ...]  # lowest level rank per domain
    hi: tuple[int, ...]  # highest level rank not ruled out (after checkpoints)
    ev: Mapping[str, Any]  # evidence values given
    done: frozenset[tuple[str, str]]  # (rule, action) obligations done
    as_of: datetime.date | None  # the assessment date
    maybe: Mapping[str, frozenset[str]]  # listed, efficacy unknown: the inputs behind it
    crit: Criteria | None = None  # the criteria decided, when the policy has any
    # provisional and carried-forward determinations, as the decision reports them
    qualified: Mapping[str, Any] = MappingProxyType({})
    failed: frozenset[tuple[str, str]] = frozenset()  # (rule, key) ladder steps failed
    waived: Waived | None = None  # the waivers decided, when the policy has any
    provenance: Mapping[str, Any] | None = None  # where each figure came from, when given


class Requirements(NamedTuple):
    """One context's requirements for a set of rule outcomes."""

    kept: frozenset[str]  # standards kept after combining
    safeguards: frozenset[str]  # every safeguard required, directly or through a standard
    holes: frozenset[str]  # kept standards that are not yet defined
    families: Mapping[str, tuple[str, ...]]  # kept standards by family (read-only)


Table = Mapping[str, Requirements]  # read-only: shared by every decision with these outcomes


class Memo(NamedTuple):
    """What the conditions decided for one set of determinations (levels-only policies)."""

    lo: tuple[int, ...]
    given: tuple[int, ...]
    hi: tuple[int, ...]
    outcomes: Values
    values: Values
    table: Table


class Basis(NamedTuple):
    """What a decision rests on, besides what is implemented: the state read from the
    assessment, each rule's outcome, every condition node's value (as `_conditions` decided
    them), and the requirements table for those outcomes."""

    state: State
    outcomes: Values
    values: Values
    table: Table


class Shortcut(NamedTuple):
    """What the one-context shortcut needs for one set of determinations."""

    required: frozenset[str]
    holes: frozenset[str]
    families: Mapping[str, tuple[str, ...]]
    basis: Basis


_EMPTY: frozenset[str] = frozenset()
_NOTHING: Mapping[str, Any] = MappingProxyType({})
_NO_MAYBE: Mapping[str, frozenset[str]] = MappingProxyType({})
_NO_DONE: frozenset[tuple[str, str]] = frozenset()
_NO_QUALIFIED: Mapping[str, Any] = State._field_defaults["qualified"]
_NO_LIFTED: frozenset[tuple[str, str]] = frozenset()


def _copy(data: Any) -> Any:
    """A deep copy of JSON data (objects and lists; the rest is immutable)."""
    if type(data) is dict:
        return {k: _copy(v) for k, v in data.items()}
    if type(data) is list:
        return [_copy(v) for v in data]
    return data


class Verdict:
    """Whether one context may proceed, and why not. `missing` and `required` are sets of
    safeguard and standard names; `reasons` lists what blocks the context; `context_rules`
    the status here of each rule decided per context (None when the policy has none)."""

    __slots__ = (
        "_context_rules", "_waived", "blocks", "context", "missing", "permitted", "required",
        "required_standards",
    )  # fmt: skip

    def __init__(
        self,
        context: str,
        missing: frozenset[str],
        blocks: tuple[str, ...],
        required: frozenset[str],
        required_standards: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.context = context
        self.permitted = not missing and not blocks
        self.missing = missing
        self.blocks = blocks
        self.required = required
        self.required_standards = required_standards
        self._context_rules: Mapping[str, str] | None = None
        self._waived: tuple[str, ...] | None = None

    @property
    def context_rules(self) -> Mapping[str, str] | None:
        """Each rule decided per context (it reads a domain assessed per context) with its
        status for this context; None when the policy has no such rule."""
        return getattr(self, "_context_rules", None)  # unset on the gate shortcut

    @property
    def waived(self) -> tuple[str, ...] | None:
        """The waivers applied in this context, in policy order; None when the policy has
        no waivers."""
        return getattr(self, "_waived", None)  # unset on the gate shortcut

    @property
    def reasons(self) -> list[str]:
        return [f"missing {m}" for m in sorted(self.missing)] + list(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "required_standards": {k: list(v) for k, v in self.required_standards.items()},
            "missing": sorted(self.missing),
            "permitted": self.permitted,
            "reasons": self.reasons,
        }
        # the status of each rule decided per context, for this context (only those policies)
        context_rules = self.context_rules
        if context_rules is not None:
            out["context_rules"] = dict(context_rules)
        waived = self.waived
        if waived is not None:
            out["waived"] = list(waived)
        return out


class ClosedVerdict(Verdict):
    """A verdict while the policy is not in force on the assessment date: never permitted,
    and the first reason says why."""

    __slots__ = ("closed",)

    def __init__(self, verdict: Verdict, closed: str) -> None:
        super().__init__(verdict.context, verdict.missing, verdict.blocks, verdict.required,
                         verdict.required_standards)  # fmt: skip
        self.closed = closed
        self.permitted = False
        self._context_rules = verdict.context_rules
        self._waived = verdict.waived

    @property
    def reasons(self) -> list[str]:
        return [self.closed, *super().reasons]


class Decision:
    """The decision for one assessment. `verdicts` maps each context asked about to a
    `Verdict`; `permitted(context)` answers one; `to_dict()` gives the whole decision as plain
    JSON data (built afresh on every call)."""

    __slots__ = ("basis", "contexts", "evaluator", "explain", "impl", "verdicts")

    verdicts: dict[str, Verdict]  # set when first read (`__getattr__`), or by the shortcut

    def __init__(
        self,
        evaluator: Evaluator,
        basis: Basis,
        impl: Collection[str],
        contexts: tuple[str, ...],
        explain: bool,
    ) -> None:
        self.evaluator = evaluator
        self.basis = basis
        self.impl = impl  # safeguards and standards surely in place
        self.contexts = contexts
        self.explain = explain

    # The parts of the basis, by name (one slot holds them: making a decision stays cheap).

    @property
    def state(self) -> State:
        return self.basis.state

    @property
    def outcomes(self) -> Values:
        return self.basis.outcomes

    @property
    def values(self) -> Values:
        return self.basis.values

    @property
    def table(self) -> Table:
        return self.basis.table

    def __getattr__(self, name: str) -> dict[str, Verdict]:
        """Only reached for `verdicts` before it is first read: decide them then. (A slot
        read afterwards costs far less than a property would on every call.)"""
        if name != "verdicts":
            raise AttributeError(name)
        self.verdicts = verdicts = self._decide()
        return verdicts

    def permitted(self, context: str) -> bool:
        return self.verdicts[context].permitted

    def to_dict(self) -> dict[str, Any]:
        """The whole decision as JSON data, built afresh on every call (`full` shares no
        container with the evaluator, the assessment or another decision): cheaper than
        keeping one and copying it."""
        return self.full()

    def _decide(self) -> dict[str, Verdict]:
        table, impl = self.table, self.impl
        blocks = self.blocking() if self.evaluator.may_block else {}
        out: dict[str, Verdict] = {}
        for context in self.contexts:
            req = table[context]
            missing = req.safeguards.difference(impl)
            if req.holes:
                missing = missing | req.holes
            if self.evaluator.has_criteria:
                rows = self.evaluator.criteria
                missing = missing | {rows[r]["target"] for r in self.failing_rows(context)}
            out[context] = Verdict(context, missing, blocks.get(context, ()), req.safeguards,
                                   req.families)  # fmt: skip
        if self.evaluator.instances:
            e, values = self.evaluator, self.values
            for context, verdict in out.items():
                verdict._context_rules = {
                    e.rules[i]["name"]: RULE_STATUS[values[per[context]]]
                    for i, per in enumerate(e.instances)
                    if per is not None and context in per
                }
        waived = self.state.waived
        if waived is not None:
            names = [w["name"] for w in self.evaluator.waivers]
            for context, verdict in out.items():
                verdict._waived = tuple(
                    name for name, each in zip(names, waived.each, strict=True)
                    if context in each[2]
                )  # fmt: skip
        if self.evaluator.has_period:
            in_force, why = self.in_force()
            if in_force is False and why is not None:
                out = {c: ClosedVerdict(v, why) for c, v in out.items()}
        return out

    def in_force(self) -> tuple[Tri, str | None]:
        e = self.evaluator
        return policy_in_force(e.effective, e.superseded, self.state.as_of)

    def unmet_rules(self) -> set[int]:
        """Active rules whose requirements are unmet in some context asked about: a standard
        they require is not yet defined, or a safeguard they require is not implemented."""
        unmet: set[int] = set()
        lifted = self.lifted
        for i, needs in enumerate(self.evaluator.rule_needs):
            for context in self.contexts:
                if not self.applies(i, context):
                    continue
                safeguards, hole = (
                    self.evaluator.needs_of(i, context, lifted) if lifted else needs[context]
                )
                if hole or not safeguards.issubset(self.impl):
                    unmet.add(i)
                    break
                if self.evaluator.has_criteria and self.rule_failing(i, context):
                    unmet.add(i)
                    break
        return unmet

    def rule_failing(self, i: int, context: str) -> list[int]:
        """The rows of `_CRITERIA` that keep a binding requirement of rule `i` from being
        met in `context`: its own criterion, and those of a standard it requires and of the
        standards that one extends."""
        crit = self.state.crit
        if crit is None:
            return []
        lifted = self.lifted
        if lifted:
            rows = self.evaluator.rows_of(i, context, lifted)
        else:
            rows = self.evaluator.rule_criteria[i].get(context, ())
        return [r for r in rows if crit.holds.get(r, True) is not True]

    def failing_rows(self, context: str) -> list[int]:
        """The criteria of standards and requirements that keep what the active rules
        require in `context` from counting, in policy order."""
        out: list[int] = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is not False and self.applies(i, context):
                out += self.rule_failing(i, context)
        return out

    def criteria_entries(self, context: str) -> tuple[list[dict[str, Any]], set[int]]:
        """The decision's entries for what does not count in `context` because of its
        criterion, and their rows: standards and requirements (`failing_rows`), and listed
        safeguards required there whose efficacy criterion does not hold."""
        e, crit = self.evaluator, self.state.crit
        if crit is None:
            return [], set()
        rows = self.failing_rows(context)
        for sg in sorted(self.table[context].safeguards):
            r = e.safeguard_row.get(sg)
            if r is not None and r in crit.holds:
                rows.append(r)
        entries = []
        for r in rows:
            row = e.criteria[r]
            slot = row["slot"]
            entries.append(criterion_entry(
                row["kind"], row["target"], row["rule"], e.efficacy_nodes[slot]["text"],
                crit.holds[r], e.because(slot, crit), row["anchors"],
            ))  # fmt: skip
        return criteria_order(entries), set(rows)

    @property
    def lifted(self) -> frozenset[tuple[str, str]]:
        """The (target, context) requirements lifted by the waivers applied."""
        waived = self.state.waived
        return waived.lifted if waived is not None else _NO_LIFTED

    def blocking(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        for item in self.obligations():
            reason = block_reason(item["rule"], item["action"], item["objects"], item["status"],
                                  is_prohibition(item["modality"]), item["key"])  # fmt: skip
            for context in item["blocks"]:
                found.setdefault(context, set()).add(reason)
        return {c: tuple(sorted(v)) for c, v in found.items()}

    def obligations(self, waiting: set[str] | None = None) -> list[dict[str, Any]]:
        """The duties of the rules that apply; the dated events their deadlines wait for
        go to `waiting`."""
        e = self.evaluator
        unmet = self.unmet_rules() if e.has_fallbacks else set()
        out: list[dict[str, Any]] = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is False:
                continue
            rule = e.rules[i]
            start = len(out)
            per = e.instances[i] if e.instances else None
            asked = None if per is None else [c for c in self.contexts if self.applies(i, c)]
            for ob in rule["obligations"]:
                out.append(self.obligation(rule["name"], ob, False, asked, waiting))
            if i in unmet and rule["ladder"]:
                name, failed = rule["name"], self.state.failed
                states = ladder_states([(name, ob["key"]) in failed for ob in rule["fallbacks"]])
                for n, ob in enumerate(rule["fallbacks"]):
                    out.append(self.obligation(name, ob, True, asked, waiting, states[n], n + 1))
            elif i in unmet:
                for ob in rule["fallbacks"]:
                    out.append(self.obligation(rule["name"], ob, True, asked, waiting))
            if per is not None:
                for item in out[start:]:
                    item["blocks"] = [c for c in item["blocks"] if self.applies(i, c)]
            waived = self.state.waived
            if waived is not None and waived.duties:
                for item in out[start:]:
                    waived_in = waived.duties.get((item["rule"], item["key"]), _EMPTY)
                    item["status"], item["blocks"] = waive_duty(
                        item["status"], item["blocks"], waived_in, self.contexts
                    )
        return out

    def obligation(
        self,
        rule: str,
        ob: Mapping[str, Any],
        fallback: bool,
        asked: Sequence[str] | None = None,
        waiting: set[str] | None = None,
        position: str | None = None,
        step: int | None = None,
    ) -> dict[str, Any]:
        """One duty of a rule that applies; `asked`: the contexts asked about where the rule
        applies (default: all); the dated events its deadline waits for go to `waiting`; a
        ladder step's `position` (`ladder_states`) and number."""
        state, deadline = self.state, ob["deadline"]
        kind = deadline["kind"]
        prohibited = ob.get("prohibited", False)
        done = (rule, ob["key"]) in state.done and not prohibited
        lifted = kind == "until" and self.values[deadline["slot"]] is True  # no longer in force
        event = deadline.get("event")
        start = deadline["date"] if kind == "fixed" else (
            state.ev.get(event) if event is not None else None
        )  # fmt: skip
        at = deadline["contexts"] if kind == "context" else ()
        status, due, wait = duty_state(
            kind, start, event, deadline.get("period"), deadline.get("opens"), state.as_of,
            done=done, lifted=lifted,
            standing=standing_duty(ob["modality"], prohibited, ob["blocking"], kind),
            at=at, asked=self.contexts if asked is None else asked,
        )  # fmt: skip
        if step is not None:
            status, due = ladder_step(position, status, due)
        if wait is not None and waiting is not None and position is None:
            waiting.add(wait)
        before = deadline["contexts"] if kind == "before" else ()
        return {
            "rule": rule,
            "action": ob["action"],
            "modality": duty_modality(ob["modality"], prohibited),
            "objects": list(ob["objects"]),
            "by": list(ob["by"]),
            "approved_by": list(ob["approved_by"]),
            "by_any": ob["by_any"],
            "approved_by_any": ob["approved_by_any"],
            "to": list(ob["to"]),
            "deadline": ob["text"],
            "deadline_kind": kind,
            "due": due.isoformat() if due is not None else None,
            "status": status,
            "fallback": fallback,
            "blocks": obligation_blocks(ob["modality"] == "must", status, ob["blocking"],
                                        ob["contexts"], before, self.contexts),
            "anchors": [dict(x) for x in ob["anchors"]],
            "key": ob["key"],
            "step": step,
        }  # fmt: skip

    def per_context(self, rule: str, status: str, per: Mapping[str, int]) -> dict[str, Any]:
        """The explanation of a rule decided per context: one condition per context."""
        e, values = self.evaluator, self.values
        ev = self.state.ev
        items = [
            {"context": c, "status": RULE_STATUS[values[at]],
             "condition": e.explain(at, values, ev)}
            for c, at in per.items()
        ]
        return {"rule": rule, "status": status, "condition": None, "contexts": items}

    def applies(self, i: int, context: str) -> bool:
        """Whether active rule `i` applies in `context` (see `Evaluator.local`)."""
        per = self.evaluator.instances[i] if self.evaluator.instances else None
        return per is None or (context in per and self.values[per[context]] is not False)

    def recommended(self) -> list[dict[str, Any]]:
        """The requirements that do not bind, of the rules that apply, and whether each is
        in place."""
        e, impl = self.evaluator, self.impl
        out: list[dict[str, Any]] = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is False:
                continue
            rule = e.rules[i]
            for target, kind, only, modality in rule["recommended"]:
                contexts = [
                    c for c in self.contexts if (not only or c in only) and self.applies(i, c)
                ]
                if not contexts:
                    continue
                if kind == "standard":
                    std = e.standards[target]
                    in_place = standard_in_place(std.hole, std.safeguards, impl)
                    chain = self.state.crit.chains.get(target) if self.state.crit else None
                    in_place = in_place and (chain is None or chain[0] is True)
                else:
                    in_place = target in impl
                out.append({
                    "rule": rule["name"], "target": target, "kind": kind,
                    "modality": modality, "contexts": contexts, "in_place": in_place,
                })  # fmt: skip
        return out

    def full(self) -> dict[str, Any]:
        e, outcomes, table, explain = self.evaluator, self.outcomes, self.table, self.explain
        verdicts = self.verdicts
        rules, alerts, explanation = [], [], []
        unknown_inputs: set[str] = set()
        safeguard_rules: dict[str, set[str]] = {}
        kept_all: set[str] = set()
        for context in self.contexts:
            kept_all.update(table[context].kept)
            local = e.local(outcomes, self.values, context)
            for sg, owners in e.safeguard_owners(local, context, self.lifted).items():
                safeguard_rules.setdefault(sg, set()).update(owners)
        for i, outcome in enumerate(outcomes):
            rule = e.rules[i]
            status = RULE_STATUS[outcome]
            slot = rule["condition"]
            per = e.instances[i] if e.instances else None
            if explain and per is not None:
                explanation.append(self.per_context(rule["name"], status, per))
            elif explain:
                node = None if slot is None else e.explain(slot, self.values, self.state.ev)
                explanation.append({"rule": rule["name"], "status": status, "condition": node})
            if outcome is False:
                continue
            unknown: list[str] = []
            if outcome is None:
                found: set[str] = set()
                for at in per.values() if per is not None else (slot,):
                    found |= e.unknowns(at, self.values, self.state)
                unknown = sorted(found)
                unknown_inputs.update(unknown)
            rules.append({
                "name": rule["name"],
                "kind": rule["kind"],
                "title": rule["title"],
                "status": status,
                "missing_evidence": unknown,
                "anchors": [dict(x) for x in rule["anchors"]],
            })  # fmt: skip
            if rule["kind"] == "warning":
                alerts.append({
                    "warning": rule["name"],
                    "title": rule["title"],
                    "precautionary": outcome is not True,
                })  # fmt: skip
        missing: set[str] = set()
        for v in verdicts.values():
            missing.update(v.missing)
        criteria: dict[str, list[dict[str, Any]]] = {}
        rows: set[int] = set()
        for context in self.contexts:
            criteria[context], hits = self.criteria_entries(context)
            rows |= hits
        crit = self.state.crit
        for r in rows:
            if crit is not None and crit.holds[r] is None:
                unknown_inputs.update(crit.unknown[r])
        waived = self.state.waived
        if waived is not None:
            unknown_inputs.update(waived.unknown)
        as_of = self.state.as_of
        in_force, why = self.in_force()
        waiting: set[str] = set()
        obligations = self.obligations(waiting)
        decision: dict[str, Any] = {
            "policy": dict(e.provenance),
            "as_of": as_of.isoformat() if as_of else None,
            "in_force": {"value": in_force, "reason": why},
            "qualified_determinations": _copy(dict(self.state.qualified)),
            "rules": rules,
            "required_standards": e.by_family(e.combine(kept_all)),
            "required_safeguards": {k: sorted(v) for k, v in sorted(safeguard_rules.items())},
            "missing": sorted(missing),
            "recommended": self.recommended(),
            "obligations": obligations,
            "prohibitions": prohibitions(obligations),
            "alerts": alerts,
            "needed": [e.needed_entry(name) for name in sorted(unknown_inputs | waiting)],
            "verdicts": {c: {**v.to_dict(), "criteria": criteria[c]} for c, v in verdicts.items()},
            "criteria": criteria_order(x for c in self.contexts for x in criteria[c]),
        }
        if self.state.provenance is not None:
            decision["provenance"] = _copy(dict(self.state.provenance))
        if waived is not None:
            entries = self.waiver_entries(waived)
            decision["waivers"] = entries
        if explain:
            decision["explanation"] = explanation
        return decision

    def waiver_entries(self, waived: Waived) -> list[dict[str, Any]]:
        """The decision's entry for each waiver of the policy."""
        return [
            waiver_entry(w["name"], w["title"], w["kind"], w["target"], w["rule"], w["contexts"],
                         value, approved, w["approved_by"], applied, why)
            for w, (value, approved, applied, why) in zip(self.evaluator.waivers, waived.each,
                                                          strict=True)
        ]  # fmt: skip


class Evaluator:
    """Decides assessments for one policy, from its tables and compiled conditions."""

    def __init__(
        self,
        *,
        provenance: Mapping[str, Any],
        combine: str,
        domains: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...],
        evidence: Mapping[str, tuple[Any, ...]],
        safeguards: Mapping[str, int | None],
        standards: Mapping[str, tuple[str, str | None, tuple[str, ...], bool]],
        contexts: tuple[str, ...],
        rules: tuple[Mapping[str, Any], ...],
        nodes: tuple[Node, ...],
        conditions: ConditionsFn,
        efficacy_nodes: tuple[Node, ...],
        efficacy: EfficacyFn,
        levels_only: bool,
        standards_tested: bool,
        slots: tuple[tuple[str, str], ...] = (),
        assessed: Mapping[str, tuple[tuple[str, ...], bool, tuple[str, ...]]] | None = None,
        instances: tuple[Mapping[str, int] | None, ...] = (),
        criteria: tuple[Mapping[str, Any], ...] = (),
        period: tuple[datetime.date | None, datetime.date | None] = (None, None),
        carry: Mapping[str, tuple[tuple[str, Any, str], ...]] = MappingProxyType({}),
        carry_nodes: tuple[Node, ...] = (),
        carry_values: EfficacyFn | None = None,
        waivers: tuple[Mapping[str, Any], ...] = (),
    ) -> None:
        """`safeguards` maps each safeguard to the slot of its efficacy criterion in the
        values of `efficacy` (None: it has none). `levels_only`: the conditions read nothing
        but the domains' levels, so their outcomes can be looked up by the determinations
        given. `standards_tested`: some condition asks whether a whole standard
        `is implemented`. `slots` lists the determinations beyond one per domain (per setting,
        after mitigation) as (name, domain), `assessed` how each such domain is assessed (see
        `check_determinations`), and `instances`, per rule, the slot of its condition's value
        for each context when it is decided per context (None: decided once).
        `period`: the dates the policy takes effect and is superseded.
        `carry`: per domain, the conditions a carried-forward determination must meet, each
        ("within", (months, days), text) or ("when", slot in the values of `carry_values`,
        text). `waivers`: each waiver's table entry, its `condition` the slot of its value in
        the values of `conditions` (None: always)."""
        self.provenance = provenance
        self.waivers = waivers
        self.waiver_names = frozenset(w["name"] for w in waivers)
        self.effective, self.superseded = period
        self.has_period = period != (None, None)
        self.carry = carry
        self.carry_nodes = carry_nodes
        self.carry_values = carry_values
        self.combine_mode = combine
        self.domain_index = {d[0]: i for i, d in enumerate(domains)}
        self.domain_levels = {
            d[0]: ({lv: r + 1 for r, lv in enumerate(d[1])}, ", ".join(d[1])) for d in domains
        }
        self.tops = tuple(len(d[1]) for d in domains)
        self.deciders = {d[0]: d[2] for d in domains}
        for j, (name, domain) in enumerate(slots):
            self.domain_index[name] = len(domains) + j
            self.deciders[name] = self.deciders[domain]
        self.tops += tuple(len(self.domain_levels[domain][0]) for _, domain in slots)
        self.assessed = assessed
        self.instances = instances
        self.instance_slots = tuple(
            slot for per in instances if per is not None for slot in per.values()
        )
        self.evidence = {  # a family's row has a third item: its declared members
            name: Evidence(row[0], row[1], row[2] if len(row) > 2 else None, len(row) > 2)
            for name, row in evidence.items()
        }
        self.evidence_kinds: dict[str, Any] = {
            name: (row.kind, row.members) if row.family else row.kind
            for name, row in self.evidence.items()
        }
        self.safeguards = safeguards
        self.standards = expand_standards(standards)
        self.ancestors = {name: std.ancestors for name, std in self.standards.items()}
        self.contexts = contexts
        self.rules = rules
        self.nodes = nodes
        self.conditions = conditions
        self.efficacy_nodes = efficacy_nodes
        self.efficacy = efficacy
        self.known_names = frozenset(safeguards) | frozenset(standards)
        self.has_efficacy = any(v is not None for v in safeguards.values())
        duties = [(r["name"], ob) for r in rules for ob in (*r["obligations"], *r["fallbacks"])]
        self.done_pairs = frozenset((r, ob["key"]) for r, ob in duties)
        doable = {(r, ob["key"]) for r, ob in duties if not ob.get("prohibited", False)}
        self.prohibited_pairs = frozenset(p for p in self.done_pairs if p not in doable)
        self.ladder_steps = frozenset(
            (r["name"], ob["key"]) for r in rules if r["ladder"] for ob in r["fallbacks"]
        )
        self.may_block = any(
            ob["modality"] == "must" and (ob["blocking"] or ob["deadline"]["kind"] == "before")
            for r in rules
            for ob in (*r["obligations"], *r["fallbacks"])
        )
        self.has_fallbacks = any(r["fallbacks"] for r in rules)
        self.rule_needs = tuple(self._needs(r) for r in rules)
        # with waivers the requirements depend on more than the levels: no memo, no shortcut
        self.levels_only = levels_only and not waivers
        self.safeguard_names = frozenset(safeguards)
        self.simple_impl = not self.has_efficacy and not standards_tested
        self._criteria_tables(criteria)
        self._cache: dict[Any, Table] = {}
        self._by_levels: dict[Any, Memo] = {}
        self.reads_impl_later = self.has_fallbacks or any(r["recommended"] for r in rules)
        self._fast: dict[Any, Shortcut] = {}
        self.fast = self._fast_path()

    # ------------------------------------------------------------------ tables

    def _criteria_tables(self, criteria: tuple[Mapping[str, Any], ...]) -> None:
        """Index the rows of `_CRITERIA`: the safeguard's and the standard's row by name, a
        standard's criteria with inherited ones, and per rule and context the rows its
        binding requirements depend on. A policy with criteria of standards or requirements
        decides them on every call (never the shortcut for safeguards alone)."""
        self.criteria = criteria
        self.safeguard_row = {c["target"]: r for r, c in enumerate(criteria)
                              if c["kind"] == "safeguard"}  # fmt: skip
        standard_row = {c["target"]: r for r, c in enumerate(criteria) if c["kind"] == "standard"}
        self.standard_row = standard_row
        self.standard_chain = {
            name: tuple(standard_row[n] for n in (name, *std.ancestors) if n in standard_row)
            if standard_row else ()  # no criterion of a standard: no chain to walk
            for name, std in self.standards.items()
        }
        places = {c["place"]: r for r, c in enumerate(criteria) if c["kind"] == "requirement"}
        # per rule and binding requirement: its rows (for the contexts a waiver lifts it in)
        self.requirement_rows: tuple[tuple[tuple[int, ...], ...], ...] = tuple(
            tuple(
                ((places[(i, j)],) if (i, j) in places else ())
                + (self.standard_chain[target] if kind == "standard" else ())
                for j, (target, kind, _) in enumerate(rule["requirements"])
            )
            for i, rule in enumerate(self.rules)
        )
        self.rule_criteria: tuple[dict[str, tuple[int, ...]], ...] = tuple(
            {
                context: tuple(
                    r
                    for j, (target, kind, only) in enumerate(rule["requirements"])
                    if not only or context in only
                    for r in ((places[(i, j)],) if (i, j) in places else ())
                    + (self.standard_chain[target] if kind == "standard" else ())
                )
                for context in self.contexts
            }
            for i, rule in enumerate(self.rules)
        )
        self.has_criteria = len(standard_row) + len(places) > 0
        if self.has_criteria:
            self.simple_impl = False

    def rows_of(self, i: int, context: str, lifted: frozenset[tuple[str, str]]) -> tuple[int, ...]:
        """`rule_criteria[i][context]` less the rows of the requirements lifted there."""
        return tuple(
            r
            for (target, _, only), rows in zip(self.rules[i]["requirements"],
                                               self.requirement_rows[i], strict=True)
            if (not only or context in only) and (target, context) not in lifted
            for r in rows
        )  # fmt: skip

    def needs_of(
        self, i: int, context: str, lifted: frozenset[tuple[str, str]]
    ) -> tuple[frozenset[str], bool]:
        """`rule_needs[i][context]` less the requirements lifted there."""
        return self._needs_in(self.rules[i], context, lifted)

    def _needs(self, rule: Mapping[str, Any]) -> dict[str, tuple[frozenset[str], bool]]:
        """Per context: the safeguards this rule requires (directly or through standards)
        and whether one of the standards it requires is not yet defined."""
        return {context: self._needs_in(rule, context, frozenset()) for context in self.contexts}

    def _needs_in(
        self, rule: Mapping[str, Any], context: str, lifted: frozenset[tuple[str, str]]
    ) -> tuple[frozenset[str], bool]:
        """The safeguards `rule` requires in `context`, less the requirements `lifted` there
        (by waivers), and whether one of the standards it requires is not yet defined."""
        names: set[str] = set()
        hole = False
        for target, kind, contexts in rule["requirements"]:
            if (contexts and context not in contexts) or (target, context) in lifted:
                continue
            if kind == "standard":
                names.update(self.standards[target].safeguards)
                hole = hole or self.standards[target].hole
            else:
                names.add(target)
        return frozenset(names), hole

    def combine(self, names: set[str] | frozenset[str]) -> frozenset[str]:
        return combine_standards(self.combine_mode, names, self.ancestors)

    def by_family(self, names: frozenset[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in sorted(names):
            out.setdefault(self.standards[name].family, []).append(name)
        return dict(sorted(out.items()))

    def local(self, outcomes: Values, values: Values, context: str) -> Values:
        """Each rule's outcome in `context`: a rule decided per context has its value for
        that context (false for a context it is not decided for)."""
        if not self.instances:
            return outcomes
        out = list(outcomes)
        for i, per in enumerate(self.instances):
            if per is not None:
                out[i] = values[per[context]] if context in per else False
        return tuple(out)

    def requirements_for(
        self, outcomes: Values, values: Values = (), lifted: frozenset[tuple[str, str]] = _NO_LIFTED
    ) -> Table:
        """Per context, the requirements of the rules these outcomes make active, less the
        (target, context) ones `lifted` by waivers. Cached: it depends on nothing else (for
        rules decided per context, on their values in `values`)."""
        key: Any = outcomes
        if self.instances:
            key = (outcomes, tuple(values[s] for s in self.instance_slots))
        if lifted:
            key = (key, lifted)
        found = self._cache.get(key)
        if found is not None:
            return found
        table: dict[str, Requirements] = {}
        for context in self.contexts:
            standards: set[str] = set()
            safeguards: set[str] = set()
            for i, outcome in enumerate(self.local(outcomes, values, context)):
                if outcome is False:
                    continue
                for target, kind, contexts in self.rules[i]["requirements"]:
                    if contexts and context not in contexts:
                        continue
                    if lifted and (target, context) in lifted:
                        continue
                    (standards if kind == "standard" else safeguards).add(target)
            kept = self.combine(standards)
            for name in standards:
                safeguards.update(self.standards[name].safeguards)
            holes = frozenset(n for n in kept if self.standards[n].hole)
            families = MappingProxyType(
                {family: tuple(names) for family, names in self.by_family(kept).items()}
            )
            table[context] = Requirements(kept, frozenset(safeguards), holes, families)
        if len(self._cache) > 4096:
            self._cache.clear()
        frozen = self._cache[key] = MappingProxyType(table)
        return frozen

    def safeguard_owners(
        self, outcomes: Values, context: str, lifted: frozenset[tuple[str, str]] = _NO_LIFTED
    ) -> dict[str, set[str]]:
        """Each required safeguard, with the active rules requiring it or a standard
        containing it (less the requirements `lifted` by waivers)."""
        out: dict[str, set[str]] = {}
        for i, outcome in enumerate(outcomes):
            if outcome is False:
                continue
            rule = self.rules[i]
            for target, kind, contexts in rule["requirements"]:
                if contexts and context not in contexts:
                    continue
                if lifted and (target, context) in lifted:
                    continue
                names = self.standards[target].safeguards if kind == "standard" else (target,)
                for sg in names:
                    out.setdefault(sg, set()).add(rule["name"])
        return out

    def needed_entry(self, name: str) -> dict[str, Any]:
        if name in self.domain_index:
            return {"input": name, "kind": "determination", "decided_by": list(self.deciders[name])}
        if input_owner(name) in self.evidence:
            return {"input": name, "kind": "evidence",
                    "decided_by": list(self.evidence[input_owner(name)].deciders)}  # fmt: skip
        return {"input": name, "kind": "assessment", "decided_by": []}

    # ------------------------------------------------------------------ reading the values

    @staticmethod
    def _unknowns(
        nodes: tuple[Node, ...], slot: int, values: Values, ev: Mapping[str, Any],
        as_of: datetime.date | None, maybe: Mapping[str, frozenset[str]],
    ) -> set[str]:  # fmt: skip
        """The inputs behind an unknown node: what, once given, could decide it."""
        if values[slot] is not None:
            return set()
        node = nodes[slot]
        kind, detail = node["kind"], node["detail"]
        if kind == "level" or kind == "fact":
            return {detail}
        if kind == "impl":
            return set(maybe.get(detail, _EMPTY))
        if kind == "cmp":
            names, reads_as_of = detail
            found = {name for name in names if ev.get(name) is None}
            if reads_as_of and as_of is None:
                found.add("as_of")
            return found
        if kind == "members":
            names, reads_as_of, families = detail
            found = {name for name in names if ev.get(name) is None}
            if reads_as_of and as_of is None:
                found.add("as_of")
            for name, _, members, _ in families:
                found.update(missing_members(name, ev.get(name), members))
            return found
        out: set[str] = set()
        for child in node["children"]:
            out |= Evaluator._unknowns(nodes, child, values, ev, as_of, maybe)
        return out

    def unknowns(self, slot: int | None, values: Values, state: State) -> set[str]:
        if slot is None:
            return set()
        return self._unknowns(self.nodes, slot, values, state.ev, state.as_of, state.maybe)

    def because(self, slot: int, crit: Criteria) -> list[dict[str, Any]]:
        """The figures that explain the value of a criterion's node
        (`rspl.semantics.explaining`), read on the assessment as given."""
        node = self.efficacy_nodes[slot]
        value = crit.values[slot]
        spec = node.get("figure")
        if spec is not None:
            interval = None
            if spec["kind"] == "level":
                i = self.domain_index[spec["domain"]]
                interval = (crit.lo[i], crit.hi[i])
            return [figure(spec, value, crit.ev, crit.as_of, interval)]
        children = node["children"]
        out: list[dict[str, Any]] = []
        for k in explaining(node["kind"], value, [crit.values[c] for c in children]):
            out += self.because(children[k], crit)
        return out

    def explain(
        self, slot: int, values: Values, ev: Mapping[str, Any] = _NOTHING
    ) -> dict[str, Any]:
        """The explanation tree of a condition node, from the values it was decided with
        (and the evidence `ev`, for what a node over a measurement family read)."""
        node = self.nodes[slot]
        out = {
            "expr": node["text"],
            "value": tri_word(values[slot]),
            "inputs": list(node["inputs"]),
            "children": [self.explain(c, values, ev) for c in node["children"]],
        }
        if node["kind"] == "members":
            out["measured"] = [
                note
                for name, kind, members, which in node["detail"][2]
                for note in member_notes(name, kind, ev.get(name), members, which)
            ]
        return out

    # ------------------------------------------------------------------ the fast path

    def _fast_path(self) -> EvaluateFn:
        """`evaluate` for the most common call: a policy whose conditions read only levels,
        asked about its one context, with determinations and a list of safeguards and
        nothing else. Everything it needs is bound to local names; any other call goes to
        `evaluate`, which decides it the same way with every check."""
        full = self.evaluate
        if not (self.levels_only and self.simple_impl and not self.may_block) or self.waivers:
            return full
        if self.instances:  # rules decided per context: the full path
            return full
        if len(self.contexts) != 1:
            return full
        context = self.contexts[0]
        contexts = self.contexts
        by_levels = self._fast.get
        names_ok = self.safeguard_names.issuperset
        new = Decision.__new__
        new_verdict = Verdict.__new__
        reads_impl_later = self.reads_impl_later
        evaluator = self

        def evaluate(assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
            if type(assessment) is dict and len(assessment) == 2:
                try:  # exactly these two keys, or the full path says what is wrong
                    raw = assessment["determinations"]
                    impl = assessment["implemented"]
                except KeyError:
                    return full(assessment, explain=explain)
                if type(raw) is dict and type(impl) is list:
                    try:
                        hit = by_levels(tuple(raw.items()))
                        if hit is not None and not names_ok(impl):
                            hit = None  # a standard, or a name to reject: the full path
                    except TypeError:  # something unhashable: the full path rejects it
                        hit = None
                    if hit is not None:
                        required, holes, families, basis = hit
                        missing = required.difference(impl)
                        if holes:
                            missing = missing | holes
                        v = new_verdict(Verdict)  # Verdict(context, missing, ...), inlined
                        v.context, v.missing, v.blocks = context, missing, ()
                        v.permitted = not missing
                        v.required, v.required_standards = required, families
                        d = new(Decision)
                        # a snapshot of the list, if the rest of the decision reads it
                        d.impl = tuple(impl) if reads_impl_later else _EMPTY
                        d.evaluator, d.basis, d.contexts = evaluator, basis, contexts
                        d.explain, d.verdicts = explain, {context: v}
                        return d
            return full(assessment, explain=explain)

        return evaluate

    def evaluate(self, assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
        """The decision for `assessment`. Raises AssessmentError when it is malformed, and
        for any input that fails while it is read (whatever the object given).

        Validation runs in the order of the assessment's fields (keys, as_of, determinations,
        evidence, implemented, done, failed, contexts), so the first problem is the one reported.
        The decision is a value: it keeps a snapshot of what it read, never the caller's
        objects, and shares nothing that can be changed with other decisions.
        """
        try:
            return self._evaluate(assessment, explain)
        except AssessmentError:
            raise
        except Exception as error:  # noqa: BLE001 - input whose methods fail is malformed
            raise unreadable(error) from None

    def _evaluate(self, assessment: Mapping[str, Any], explain: bool) -> Decision:
        get = check_assessment(assessment).get
        as_of = get("as_of")
        if as_of is not None:
            as_of = check_date(as_of, "as_of")
        raw = get("determinations")
        qualified: dict[str, Any] = {}
        hit: Memo | None = None
        key: tuple[Any, ...] | None = None
        if self.levels_only:
            # Outcomes depend on the determinations alone: look them up by what was given.
            # Only validated inputs are ever stored, so a hit needs no validation.
            if raw is None:
                key = ()
            elif type(raw) is dict:
                key = tuple(raw.items())  # anything else takes the validating path
            try:
                hit = self._by_levels.get(key) if key is not None else None
            except TypeError:  # an unhashable level: validated below, never stored
                key = None
        lo: Sequence[int]
        given: Sequence[int]
        if hit is None:
            low_ranks = [0] * len(self.tops)
            high_ranks = list(self.tops)
            if raw is not None:
                index = self.domain_index
                found = check_determinations(raw, self.domain_levels, self.assessed, qualified)
                for name, (low, high) in found.items():
                    low_ranks[index[name]], high_ranks[index[name]] = low, high
            lo, given = tuple(low_ranks), tuple(high_ranks)
        else:
            lo, given = hit.lo, hit.given
        raw = get("evidence")
        ev: Mapping[str, Any] = _NOTHING
        if raw is not None:
            ev = MappingProxyType(check_evidence_values(raw, self.evidence_kinds))
        report: Mapping[str, Any] = _NO_QUALIFIED
        if qualified:  # never with a memo hit: a qualified determination is an object
            lo, given, report = self._qualify(qualified, lo, given, ev, as_of)
        raw = get("implemented")
        maybe: Mapping[str, frozenset[str]] = _NO_MAYBE
        impl: Collection[str]
        crit: Criteria | None = None
        if raw is None and self.simple_impl:
            impl = _EMPTY
        elif type(raw) is list and self.simple_impl and self._only_safeguards(raw):
            impl = frozenset(raw)  # common: only safeguards listed, nothing to expand
        else:  # standards to complete (an empty one is complete), or efficacy to decide
            impl, maybe, crit = self._implemented(raw if raw is not None else [], lo, given, ev,
                                                  as_of)  # fmt: skip
        raw = get("done")
        done = (
            check_done(raw, self.done_pairs, self.prohibited_pairs) if raw is not None else _NO_DONE
        )
        raw = get("failed")
        failed = check_failed(raw, self.ladder_steps, done) if raw is not None else _NO_DONE
        contexts = check_contexts(get("contexts"), self.contexts)
        raw = get("approved")
        approved = check_approved(raw, self.waiver_names) if raw is not None else _EMPTY
        raw = get("provenance")
        provenance = None
        if raw is not None:
            provenance = MappingProxyType(check_provenance(raw, self.evidence_kinds, ev))
        if hit is None:
            narrowed = list(given)  # the checkpoints in `conditions` narrow this copy
            outcomes, values = self.conditions(list(lo), narrowed, ev, impl, maybe, as_of)
            hi = tuple(narrowed)
            state = State(lo, hi, ev, done, as_of, maybe, crit, report, failed,
                          provenance=provenance)
            waived = None
            if self.waivers:
                waived = self.decide_waivers(values, approved, contexts, state)
                state = state._replace(waived=waived)
            table = self.requirements_for(outcomes, values,
                                          waived.lifted if waived else _NO_LIFTED)  # fmt: skip
            if self.levels_only and key is not None:
                if len(self._by_levels) > 4096:
                    self._by_levels.clear()
                    self._fast.clear()
                self._by_levels[key] = Memo(lo, given, hi, outcomes, values, table)
                if len(self.contexts) == 1:  # what the shortcut in `_fast_path` reads
                    req = table[self.contexts[0]]
                    bare = State(lo, hi, _NOTHING, _NO_DONE, None, _NO_MAYBE)
                    basis = Basis(bare, outcomes, values, table)  # what the shortcut gives
                    self._fast[key] = Shortcut(req.safeguards, req.holes, req.families, basis)
        else:
            outcomes, values, table = hit.outcomes, hit.values, hit.table
            state = State(lo, hit.hi, ev, done, as_of, maybe, crit, _NO_QUALIFIED, failed,
                          provenance=provenance)
        return Decision(self, Basis(state, outcomes, values, table), impl, contexts, explain)

    def decide_waivers(
        self, values: Values, approved: Collection[str], contexts: tuple[str, ...], state: State
    ) -> Waived:
        """Which waivers are applied, and where (`rspl.semantics.waiver_applies`)."""
        each: list[tuple[Tri, bool, tuple[str, ...], str]] = []
        applied: list[tuple[str, str, str | None, Sequence[str]]] = []
        unknown: set[str] = set()
        for w in self.waivers:
            slot = w["condition"]
            value: Tri = True if slot is None else values[slot]
            if value is None:
                unknown |= self.unknowns(slot, values, state)
            ok = w["name"] in approved
            where, why = waiver_applies(value, ok, w["contexts"], contexts)
            each.append((value, ok, tuple(where), why))
            applied.append((w["kind"], w["target"], w["rule"], where))
        lifted = lifted_requirements((k, t, c) for k, t, _, c in applied)
        duties = MappingProxyType(waived_duties(applied))
        return Waived(tuple(each), lifted, duties, frozenset(unknown))

    def _qualify(
        self,
        qualified: Mapping[str, Any],
        lo: tuple[int, ...],
        hi: tuple[int, ...],
        ev: Mapping[str, Any],
        as_of: datetime.date | None,
    ) -> tuple[tuple[int, ...], tuple[int, ...], Mapping[str, Any]]:
        """The ranks once each carried-forward determination is accepted or not (one not
        accepted counts as unknown: anywhere on the scale), and the decision's report of
        every qualified determination."""
        low, high = list(lo), list(hi)
        values: Values = ()
        if self.carry_values is not None and any(
            carried is not None for _, carried in qualified.values()
        ):
            values = self.carry_values([], [], ev, _EMPTY, _NO_MAYBE, as_of)  # evidence only
        report: dict[str, Any] = {}
        for name in sorted(qualified):
            pending, carried = qualified[name]
            entry: dict[str, Any] = {"provisional": pending, "carried_forward": None}
            if carried is not None:
                made = carried[0]
                steps: list[tuple[str, Tri, str]] = []
                for kind, spec, text in self.carry.get(name, ()):
                    if kind == "within":
                        steps.append(("within", within_period(made, as_of, *spec), text))
                    else:
                        steps.append(("when", values[spec], text))
                accepted, why = carry_forward_verdict(made, as_of, steps)
                if not accepted:
                    i = self.domain_index[name]
                    low[i], high[i] = 0, self.tops[i]
                entry["carried_forward"] = {
                    "date": made.isoformat(), "model": carried[1],
                    "accepted": accepted, "reason": why,
                }  # fmt: skip
            report[name] = entry
        return tuple(low), tuple(high), MappingProxyType(report)

    def _only_safeguards(self, raw: list[Any]) -> bool:
        try:
            return self.safeguard_names.issuperset(raw)
        except TypeError:  # something unhashable: rejected by the full check
            return False

    def _implemented(
        self,
        raw: object,
        lo: Sequence[int],
        hi: Sequence[int],
        ev: Mapping[str, Any],
        as_of: datetime.date | None,
    ) -> tuple[frozenset[str], Mapping[str, frozenset[str]], Criteria | None]:
        """(what is in place, what may be, with the unknown inputs behind each, the criteria
        decided).

        A listed standard stands for its safeguards (a `not yet defined` one for nothing). A
        safeguard with an efficacy criterion is in place when the criterion is true, may be
        when it is unknown. A standard is in place when all its safeguards are, and may be
        when all of them are or may be.
        """
        listed = check_implemented(raw, self.known_names)
        standards = self.standards
        named: set[str] = set()
        for name in listed:
            std = standards.get(name)
            if std is None:
                named.add(name)
            elif not std.hole:
                named.update(std.safeguards)
        maybe: dict[str, frozenset[str]] = {}
        values: Values = ()
        if self.has_efficacy or self.has_criteria:
            values = self.efficacy(list(lo), list(hi), ev, _EMPTY, _NO_MAYBE, as_of)  # once
            for name in sorted(named):
                slot = self.safeguards[name]
                if slot is None or values[slot] is True:
                    continue
                named.discard(name)
                if values[slot] is None:
                    maybe[name] = frozenset(
                        self._unknowns(self.efficacy_nodes, slot, values, ev, as_of, _NO_MAYBE)
                    )
        crit = self._decide_criteria(values, listed, lo, hi, ev, as_of)
        rows = ((name, std.hole, std.safeguards) for name, std in standards.items())
        complete_standards(rows, named, maybe, crit.chains if crit is not None else None)
        return frozenset(named), MappingProxyType(maybe), crit

    def _decide_criteria(
        self,
        values: Values,
        listed: frozenset[str],
        lo: Sequence[int],
        hi: Sequence[int],
        ev: Mapping[str, Any],
        as_of: datetime.date | None,
    ) -> Criteria | None:
        """The criteria read off `values`: every row of a standard or a requirement, and the
        row of each listed safeguard (directly or through a standard) whose efficacy
        criterion does not hold; None when the policy has no criteria."""
        if not self.criteria:
            return None
        holds: dict[int, Tri] = {}
        unknown: dict[int, frozenset[str]] = {}
        expanded: set[str] = set()
        for name in listed:
            std = self.standards.get(name)
            expanded.update((name,) if std is None else () if std.hole else std.safeguards)
        for r, row in enumerate(self.criteria):
            slot = row["slot"]
            if row["kind"] == "safeguard" and (row["target"] not in expanded
                                               or values[slot] is True):  # fmt: skip
                continue
            holds[r] = values[slot]
            if values[slot] is None:
                unknown[r] = frozenset(
                    self._unknowns(self.efficacy_nodes, slot, values, ev, as_of, _NO_MAYBE)
                )
        own = {row["target"]: (holds[r], unknown.get(r, _EMPTY))
               for r, row in enumerate(self.criteria) if row["kind"] == "standard"}  # fmt: skip
        chains: dict[str, tuple[Tri, frozenset[str]]] = {}
        for name, std in self.standards.items() if own else ():  # no criterion: no chain
            found = chain_criterion((name, *std.ancestors), own)
            if found is not None:
                chains[name] = found
        return Criteria(values, tuple(lo), tuple(hi), ev, as_of, holds, unknown, chains)
