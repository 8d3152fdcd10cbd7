"""The reference interpreter: the evaluator's contract (`docs/semantics.md`) as plain code.

`evaluate(policy, assessment)` reads the IR directly and returns the decision as JSON data.
It is written for clarity, not speed; the generated Python evaluator must return exactly the
same data for every input (the differential tests check this).

Truth values are three-valued: True, False and None (unknown). Unknown conditions fire their
rule as *precautionary*: its requirements and obligations apply (fail-closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rspl import __version__, ir
from rspl.semantics import (
    RULE_STATUS,
    AssessmentError,
    Qualifiers,
    Tri,
    at_least,
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
    compare,
    compare_range,
    criteria_order,
    criterion_entry,
    days_since,
    duty_modality,
    duty_state,
    explaining,
    figure,
    in_place,
    input_owner,
    ladder_states,
    ladder_step,
    level_cmp,
    lifted_requirements,
    member_bound,
    member_notes,
    member_test,
    missing_members,
    obligation_blocks,
    point,
    policy_in_force,
    prohibitions,
    rule_out,
    standard_in_place,
    standing_duty,
    tri_any,
    tri_not,
    tri_word,
    unreadable,
    waive_duty,
    waived_duties,
    waiver_applies,
    waiver_entry,
    within_period,
)
from rspl.wording import deadline_text, describe, figure_spec, level_text

__all__ = ["AssessmentError", "evaluate"]

# ---------------------------------------------------------------------------- input


class _Input:
    """A validated assessment: every check is a rule of `rspl.semantics`."""

    def __init__(self, policy: ir.Policy, data: object) -> None:
        data = check_assessment(data)
        self.as_of = check_date(data.get("as_of"), "as_of")
        raw = data.get("determinations")
        domains = {
            d.name: ({lv.name: lv.rank for lv in d.levels}, ", ".join(lv.name for lv in d.levels))
            for d in policy.domains
        }
        assessed = {
            d.name: (tuple(x.name for x in d.settings), d.residual, d.order)
            for d in policy.domains
            if d.settings or d.residual
        }
        self.qualified: dict[str, Qualifiers] = {}
        self.intervals = (
            {} if raw is None else check_determinations(raw, domains, assessed, self.qualified)
        )
        raw = data.get("evidence")
        kinds: dict[str, Any] = {e.name: e.type for e in policy.evidence}
        kinds.update({e.name: (e.type, e.members) for e in policy.evidence if e.per is not None})
        self.evidence = {} if raw is None else check_evidence_values(raw, kinds)
        raw = data.get("implemented")
        known = frozenset(s.name for s in policy.safeguards) | {s.name for s in policy.standards}
        self.implemented_names = frozenset() if raw is None else check_implemented(raw, known)
        raw = data.get("done")
        duties = [(r.name, o) for r in policy.rules for o in (*r.obligations, *r.fallbacks)]
        pairs = frozenset((r, o.key) for r, o in duties)
        doable = {(r, o.key) for r, o in duties if not o.prohibited}
        banned = frozenset(p for p in pairs if p not in doable)
        self.done = frozenset() if raw is None else check_done(raw, pairs, banned)
        raw = data.get("failed")
        steps = frozenset((r.name, o.key) for r in policy.rules if r.ladder for o in r.fallbacks)
        self.failed = frozenset() if raw is None else check_failed(raw, steps, self.done)
        self.contexts = check_contexts(data.get("contexts"), tuple(c.name for c in policy.contexts))
        raw = data.get("approved")
        names = frozenset(w.name for w in policy.waivers)
        self.approved = frozenset() if raw is None else check_approved(raw, names)
        raw = data.get("provenance")
        self.provenance = None if raw is None else check_provenance(raw, kinds, self.evidence)


# ---------------------------------------------------------------------------- evaluation


class _Evaluation:
    def __init__(self, policy: ir.Policy, inp: _Input, explain: bool) -> None:
        self.policy = policy
        self.inp = inp
        self.explain = explain
        self.domains = {d.name: d for d in policy.domains}
        self.definitions = {d.name: d for d in policy.definitions}
        self.safeguards = {s.name: s for s in policy.safeguards}
        self.standards = {s.name: s for s in policy.standards}
        self.evidence = {e.name: e for e in policy.evidence}
        self.intervals = dict(inp.intervals)
        # each determination beyond one per domain (per setting, after mitigation): its domain
        self.slot_domain = {name: domain for name, domain in ir.level_slots(policy)}
        self.context: str | None = None  # the context a per-context rule is decided for
        # per duty (rule, key): the contexts a waiver applied to it is applied in
        self.duties: dict[tuple[str, str], frozenset[str]] = {}
        self.def_cache: dict[str, tuple[Tri, frozenset[str], Any]] = {}
        self.carried = self._carry_forward()
        # What is in place: `implemented` for sure; `maybe` listed but with an efficacy
        # criterion that cannot be decided, each with the unknown inputs behind it.
        # Efficacy criteria themselves see nothing as implemented.
        self.implemented: frozenset[str] = frozenset()
        self.maybe: dict[str, frozenset[str]] = {}
        # Every criterion that does not hold, by what it belongs to (`_criteria`).
        self.failing: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.chains = self._criteria()
        self.implemented, self.maybe = self._implemented()
        self.def_cache.clear()  # definitions read while deciding efficacy saw nothing in place
        self.waiting: set[str] = set()  # dated events a duty's deadline waits for

    # ------------------------------------------------------------------ inputs

    def interval(self, domain: str) -> tuple[int, int]:
        """Where the domain (or one determination of it, `level_slot`) may be: [lo, hi] in
        ranks; absent means anywhere."""
        found = self.intervals.get(domain)
        if found is not None:
            return found
        return 0, len(self.domains[self.slot_domain.get(domain, domain)].levels)

    def slot(self, e: ir.LevelCmp) -> str:
        """The determination a level comparison reads: for a domain assessed per context,
        the one of the setting holding the context being decided; `residual`: after
        mitigation."""
        return self.domains[e.domain].slot_read(e.residual, self.context)

    def _carry_forward(self) -> dict[str, tuple[bool, str]]:
        """Each carried-forward determination: (accepted, why). One that is not accepted
        counts as unknown (its interval is dropped: the domain may be anywhere)."""
        out: dict[str, tuple[bool, str]] = {}
        for name, (_, carried) in sorted(self.inp.qualified.items()):
            if carried is None:
                continue
            made, as_of = carried[0], self.inp.as_of
            steps: list[tuple[str, Tri, str]] = []
            for c in self.domains[name].carry_forward:
                if c.within is not None:
                    young = within_period(made, as_of, c.within.months, c.within.days)
                    steps.append(("within", young, c.text or ""))
                if c.condition is not None:
                    value, _, _ = self.expr(c.condition)
                    steps.append(("when", value, describe(c.condition)))
            out[name] = carry_forward_verdict(made, as_of, steps)
            if not out[name][0]:
                self.intervals.pop(name, None)
        return out

    def qualified(self) -> dict[str, Any]:
        """The provisional and carried-forward determinations, and what was made of them."""
        out: dict[str, Any] = {}
        for name, (pending, carried) in sorted(self.inp.qualified.items()):
            entry: dict[str, Any] = {"provisional": pending, "carried_forward": None}
            if carried is not None:
                accepted, why = self.carried[name]
                entry["carried_forward"] = {
                    "date": carried[0].isoformat(), "model": carried[1],
                    "accepted": accepted, "reason": why,
                }  # fmt: skip
            out[name] = entry
        return out

    def _implemented(self) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """(safeguards and standards in place, those that may be) for the assessment.

        A listed standard stands for its safeguards (a `not yet defined` one for nothing). A
        safeguard with an efficacy criterion is in place when the criterion is true, may be
        when it is unknown, and is not when it is false. A standard is in place when all its
        safeguards are, and may be when all of them are or may be.
        """
        named: set[str] = set()
        for name in self.inp.implemented_names:
            std = self.standards.get(name)
            if std is None:
                named.add(name)
            elif not std.hole:
                named.update(std.safeguards)
        sure: set[str] = set()
        maybe: dict[str, frozenset[str]] = {}
        for name in sorted(named):
            sg = self.safeguards[name]
            if sg.efficacy is None:
                sure.add(name)
                continue
            value, unknown, _ = self.expr(sg.efficacy)
            if value is True:
                sure.add(name)
            else:
                self._failing(("safeguard", name, 0), sg.efficacy, None, sg.anchors)
                if value is None:
                    maybe[name] = unknown
        self._complete_standards(sure, maybe)
        return frozenset(sure), maybe

    def _complete_standards(self, sure: set[str], maybe: dict[str, frozenset[str]]) -> None:
        """What `rspl.semantics.complete_standards` decides for every standard, with each
        standard's expanded safeguards summed up from its parent's (memoised per `ir.Lineage`)
        instead of listed: a chain of N standards costs N, not N(N-1)/2."""
        # id(lineage) -> (every safeguard surely in place, the union of the inputs of those
        # that may be; None when one is neither)
        memo: dict[int, tuple[bool, frozenset[str] | None]] = {}
        for std in self.policy.standards:
            path = []
            cur: ir.Lineage | None = std.lineage
            while cur is not None and id(cur) not in memo:
                path.append(cur)
                cur = cur.parent
            acc = memo[id(cur)] if cur is not None else (True, frozenset())
            for lin in reversed(path):
                all_sure, inputs = acc
                for s in lin.added:
                    if s in maybe and inputs is not None:
                        inputs = inputs | maybe[s]
                    elif s not in sure:
                        inputs = None
                    all_sure = all_sure and s in sure
                acc = memo[id(lin)] = (all_sure, inputs)
            if std.hole:
                continue
            holds, unknown = self.chains.get(std.name, (True, frozenset()))
            if holds is False:
                continue
            all_sure, inputs = acc
            if holds is True and all_sure:
                sure.add(std.name)
            elif inputs is not None:
                maybe[std.name] = inputs | unknown if unknown else inputs

    def _criteria(self) -> dict[str, tuple[Tri, frozenset[str]]]:
        """Decide the criteria of standards and requirements (on the assessment as given,
        like efficacy criteria) and record those that do not hold in `failing`. Returns each
        standard's criteria with inherited ones (`chain_criterion`)."""
        own: dict[str, tuple[Tri, frozenset[str]]] = {}
        for std in self.policy.standards:
            if std.criterion is not None:
                value, unknown, _ = self.expr(std.criterion)
                own[std.name] = (value, unknown)
                if value is not True:
                    self._failing(("standard", std.name, 0), std.criterion, None, std.anchors)
        for rule in self.policy.rules:
            for i, req in enumerate(rule.requirements):
                if req.criterion is not None:
                    value, _, _ = self.expr(req.criterion)
                    if value is not True:
                        self._failing(("requirement", rule.name, i), req.criterion, rule.name,
                                      req.anchors, req.target)  # fmt: skip
        chains: dict[str, tuple[Tri, frozenset[str]]] = {}
        # id(lineage) -> the standards with a criterion in its chain, nearest first: each from
        # its parent's (shared when it adds none), so a chain is walked once, not per standard
        owners: dict[int, tuple[str, ...]] = {}
        for std in self.policy.standards if own else ():  # no criterion: no chain to walk
            path = []
            cur: ir.Lineage | None = std.lineage
            while cur is not None and id(cur) not in owners:
                path.append(cur)
                cur = cur.parent
            up = owners[id(cur)] if cur is not None else ()
            for lin in reversed(path):
                up = owners[id(lin)] = (lin.name, *up) if lin.name in own else up
            found = chain_criterion(owners[id(std.lineage)], own)
            if found is not None:
                chains[std.name] = found
        return chains

    def _failing(
        self,
        key: tuple[str, str, int],
        e: ir.Expr,
        rule: str | None,
        anchors: tuple[ir.Anchor, ...],
        target: str | None = None,
    ) -> None:
        value, unknown, _ = self.expr(e)
        entry = criterion_entry(key[0], target or key[1], rule, describe(e), value,
                                self.because(e), [_anchor(a) for a in anchors])  # fmt: skip
        self.failing[key] = {"entry": entry, "unknown": unknown}

    def because(self, e: ir.Expr) -> list[dict[str, Any]]:
        """The figures that explain the value of a criterion (`rspl.semantics.explaining`),
        read on the assessment as given."""
        value, _, _ = self.expr(e)
        if isinstance(e, ir.MemberTest) or (isinstance(e, ir.Compare) and _bounded(e)):
            return []  # a test over a family's members: no one figure shows it
        if isinstance(e, ir.Compare | ir.LevelCmp | ir.Fact):
            levels = {d.name: tuple(lv.name for lv in d.levels) for d in self.policy.domains}
            spec = figure_spec(e, levels)
            assert spec is not None
            interval = self.interval(self.slot(e)) if isinstance(e, ir.LevelCmp) else None
            return [figure(spec, value, self.inp.evidence, self.inp.as_of, interval)]
        if isinstance(e, ir.DefRef):
            return self.because(self.definitions[e.name].expr)
        if isinstance(e, ir.Implemented):  # never in a criterion (E0413)
            return []
        children = [e.operand] if isinstance(e, ir.Not) else list(e.operands)
        values = [self.expr(c)[0] for c in children]
        out: list[dict[str, Any]] = []
        for i in explaining("not" if isinstance(e, ir.Not) else "and", value, values):
            out += self.because(children[i])
        return out

    def failing_for(self, rule: ir.Rule, index: int) -> list[tuple[str, str, int]]:
        """The criteria that keep one requirement of `rule` from being met: its own, and for a
        standard, the criteria of the standard and of those it extends."""
        req = rule.requirements[index]
        keys = [("requirement", rule.name, index)]
        if req.kind == "standard":
            std = self.standards[req.target]
            keys += [("standard", name, 0) for name in (std.name, *std.ancestors)]
        return [k for k in keys if k in self.failing]

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr) -> tuple[Tri, frozenset[str], Any]:
        """(value, unknown inputs it read, explanation node or None)."""
        value: Tri
        unknown: frozenset[str] = frozenset()
        children: list[Any] = []
        inputs: list[str] = []
        notes: list[str] | None = None  # what a node over a measurement family read
        if isinstance(e, ir.MemberTest) or (isinstance(e, ir.Compare) and _bounded(e)):
            value, unknown, inputs, notes = self.over_members(e)
        elif isinstance(e, ir.LevelCmp):
            slot = self.slot(e)
            inputs = [slot]
            lo, hi = self.interval(slot)
            value = level_cmp(e.op, lo, hi, e.rank)
            if value is None:
                unknown = frozenset([slot])
        elif isinstance(e, ir.Compare):
            left, lu, lin = self.value(e.left)
            right, ru, rin = self.value(e.right)
            inputs = lin + rin
            unknown = lu | ru
            value = compare(e.op, left, right)
        elif isinstance(e, ir.Fact):
            inputs = [e.name]
            value = self.inp.evidence.get(e.name)
            if value is None:
                unknown = frozenset([e.name])
        elif isinstance(e, ir.DefRef):
            key = e.name if self.context is None else f"{e.name} for {self.context}"
            if key not in self.def_cache:
                self.def_cache[key] = self.expr(self.definitions[e.name].expr)
            value, unknown, node = self.def_cache[key]
            children = [node] if node is not None else []
        elif isinstance(e, ir.Implemented):
            inputs = ["implemented"]
            value = in_place(e.name, self.implemented, self.maybe)
            if value is None:
                unknown = self.maybe[e.name]
        elif isinstance(e, ir.Not):
            inner, unknown, node = self.expr(e.operand)
            value = tri_not(inner)
            children = [node]
        else:
            count = (
                len(e.operands) if isinstance(e, ir.And)
                else 1 if isinstance(e, ir.Or)
                else e.count
            )  # fmt: skip
            values = []
            for sub in e.operands:
                v, u, node = self.expr(sub)
                values.append(v)
                unknown |= u
                children.append(node)
            value = at_least(count, values)
        if value is not None:
            unknown = frozenset()
        node = None
        if self.explain:
            node = {
                "expr": level_text(e, inputs[0]) if isinstance(e, ir.LevelCmp) else describe(e),
                "value": tri_word(value),
                "inputs": sorted(set(inputs)),
                "children": [c for c in children if c is not None],
            }
            if notes is not None:
                node["measured"] = notes
        return value, unknown, node

    def over_members(
        self, e: ir.MemberTest | ir.Compare
    ) -> tuple[Tri, frozenset[str], list[str], list[str]]:
        """A test over a family's members, or a comparison with `max`/`min` of one: (value,
        unknown inputs, inputs read, what the explanation shows of each family)."""
        unknown: set[str] = set()
        inputs: list[str] = []
        notes: list[str] = []

        def span(v: ir.Value | None) -> tuple[Any, Any]:
            if v is None:
                return None, None
            if not isinstance(v, ir.MemberBound):
                got, missing, read = self.value(v)
                unknown.update(missing)
                inputs.extend(read)
                return point(got)
            got_family, members = self.inp.evidence.get(v.name), self.evidence[v.name].members
            unknown.update(missing_members(v.name, got_family, members))
            inputs.append(v.name)
            notes.extend(
                member_notes(v.name, self.evidence[v.name].type, got_family, members, v.bound)
            )
            return member_bound(v.bound, got_family, members)

        if isinstance(e, ir.Compare):
            value = compare_range(e.op, span(e.left), span(e.right))
        else:
            got, members = self.inp.evidence.get(e.name), self.evidence[e.name].members
            unknown.update(missing_members(e.name, got, members))
            inputs.append(e.name)
            notes.extend(member_notes(e.name, self.evidence[e.name].type, got, members, "each"))
            value = member_test(e.count, e.op, got, members, span(e.right))
        return value, frozenset(unknown), inputs, notes

    def value(self, v: ir.Value) -> tuple[Any, frozenset[str], list[str]]:
        if isinstance(v, ir.Const):
            return v.value, frozenset(), []
        if isinstance(v, ir.EvidenceValue):
            got = self.inp.evidence.get(v.name)
            return got, frozenset([v.name]) if got is None else frozenset(), [v.name]
        start = self.inp.evidence.get(v.name)
        days = days_since(start, self.inp.as_of)
        missing = set()
        if days is None:
            missing = {v.name} if start is None else set()
            if self.inp.as_of is None:
                missing.add("as_of")
        return days, frozenset(missing), [v.name, "as_of"]

    # ------------------------------------------------------------------ the decision

    def run(self) -> dict[str, Any]:
        policy = self.policy
        explanation: list[Any] = []
        # 1. Checkpoints: a warning whose condition is false rules out the levels it names.
        for rule in policy.rules:
            if rule.rules_out and rule.condition is not None:
                reached, _, _ = self.expr(rule.condition)
                if reached is False:
                    for ro in rule.rules_out:
                        slots = [ro.domain] + [s for s, d in self.slot_domain.items()
                                               if d == ro.domain]  # fmt: skip
                        for slot in slots:
                            lo, hi = self.interval(slot)
                            self.intervals[slot] = (lo, rule_out(lo, hi, ro.rank))
        self.def_cache.clear()
        # 2. Rules.
        active: list[tuple[ir.Rule, str, frozenset[str]]] = []
        # per-context rules: each context's value, and the rules decided for each context
        self.local: dict[str, dict[str, Tri]] = {}
        for rule in policy.rules:
            if rule.contexts:
                assert rule.condition is not None
                overall, behind, item = self.per_context(rule, rule.condition)
                if self.explain:
                    explanation.append(item)
                if overall is not False:
                    active.append((rule, RULE_STATUS[overall], behind))
                continue
            if rule.condition is None:
                value: Tri = True
                unknown: frozenset[str] = frozenset()
                node: Any = None
            else:
                value, unknown, node = self.expr(rule.condition)
            status = RULE_STATUS[value]
            if self.explain:
                explanation.append({"rule": rule.name, "status": status, "condition": node})
            if value is not False:
                active.append((rule, status, unknown))
        # 3. Waivers: each is applied in the contexts asked about that it covers, when its
        #    condition surely holds and it is approved (`rspl.semantics.waiver_applies`).
        waivers, lifted, duties, waiver_unknown = self.waivers()
        self.duties = duties
        # 4. Requirements, per context, less those a waiver lifts there. A safeguard is owned
        #    by every rule that requires it or a standard containing it; a rule is unmet when a
        #    standard it requires is not yet defined or a safeguard it requires is not
        #    implemented.
        verdicts: dict[str, Any] = {}
        all_standards: set[str] = set()
        safeguard_rules: dict[str, set[str]] = {}
        missing_all: set[str] = set()
        unmet_rules: set[str] = set()
        criteria_all: list[dict[str, Any]] = []
        criteria_keys: set[tuple[str, str, int]] = set()
        for context in self.inp.contexts:
            required: set[str] = set()
            owners: dict[str, set[str]] = {}
            failing: list[tuple[str, str, int]] = []
            for rule, _, _ in active:
                if not self.applies(rule, context):
                    continue
                for index, req in enumerate(rule.requirements):
                    if req.modality != "must" or (req.contexts and context not in req.contexts):
                        continue
                    if (req.target, context) in lifted:
                        continue
                    found = self.failing_for(rule, index)
                    if found:
                        unmet_rules.add(rule.name)
                        failing += found
                    if req.kind == "standard":
                        std = self.standards[req.target]
                        required.add(req.target)
                        needs = set(std.safeguards)
                        if std.hole:
                            unmet_rules.add(rule.name)
                    else:
                        needs = {req.target}
                    for sg in needs:
                        owners.setdefault(sg, set()).add(rule.name)
                    if not needs <= self.implemented:
                        unmet_rules.add(rule.name)
            kept = self.combine(required)
            missing = sorted(
                [s for s in kept if self.standards[s].hole]
                + [sg for sg in owners if sg not in self.implemented]
            )
            failing += [k for sg in owners if (k := ("safeguard", sg, 0)) in self.failing]
            entries = criteria_order(self.failing[k]["entry"] for k in failing)
            missing = sorted(set(missing) | {e["target"] for e in entries})
            criteria_all += entries
            criteria_keys.update(failing)
            all_standards.update(kept)
            for sg, rules in owners.items():
                safeguard_rules.setdefault(sg, set()).update(rules)
            missing_all.update(missing)
            verdicts[context] = {
                "required_standards": self.by_family(kept),
                "missing": missing,
                "criteria": entries,
            }
            if any(r.contexts for r in policy.rules):
                verdicts[context]["context_rules"] = {
                    r.name: RULE_STATUS[self.local[r.name][context]]
                    for r in policy.rules
                    if context in r.contexts
                }
        # 5. Obligations (fallbacks apply when a rule's own requirements are unmet).
        obligations: list[dict[str, Any]] = []
        blocks: dict[str, list[str]] = {c: [] for c in self.inp.contexts}
        for rule, _, _ in active:
            steps: list[tuple[ir.Obligation, bool, str | None, int | None]]
            steps = [(o, False, None, None) for o in rule.obligations]
            if rule.name in unmet_rules and rule.ladder:
                failed = [(rule.name, o.key) in self.inp.failed for o in rule.fallbacks]
                states = ladder_states(failed)
                steps += [(o, True, states[i], i + 1) for i, o in enumerate(rule.fallbacks)]
            elif rule.name in unmet_rules:
                steps += [(o, True, None, None) for o in rule.fallbacks]
            for ob, fallback, position, number in steps:
                item = self.obligation(rule, ob, fallback, position, number)
                obligations.append(item)
                reason = block_reason(rule.name, ob.action, item["objects"], item["status"],
                                      ob.prohibited, ob.key)  # fmt: skip
                for context in item["blocks"]:
                    if context in blocks:
                        blocks[context].append(reason)
        # 6. Verdicts. A policy not in force on the assessment date permits nothing.
        in_force, why = policy_in_force(policy.effective, policy.superseded, self.inp.as_of)
        for context, verdict in verdicts.items():
            reasons = [why] if in_force is False and why else []
            reasons += [f"missing {name}" for name in verdict["missing"]]
            reasons += sorted(set(blocks[context]))
            verdict["permitted"] = not reasons
            verdict["reasons"] = reasons
            if policy.waivers:
                verdict["waived"] = [w["name"] for w in waivers if context in w["applied"]]
        criteria = criteria_order(criteria_all)
        needed = self.needed(active, criteria_keys, waiver_unknown)
        decision: dict[str, Any] = {
            "policy": {
                "id": policy.id,
                "version": policy.version,
                "source_hash": policy.source_hash,
                "compiler": f"rspl {__version__}",
            },
            "as_of": self.inp.as_of.isoformat() if self.inp.as_of else None,
            "in_force": {"value": in_force, "reason": why},
            "qualified_determinations": self.qualified(),
            "rules": [
                {
                    "name": rule.name,
                    "kind": rule.kind,
                    "title": rule.title,
                    "status": status,
                    "missing_evidence": sorted(unknown),
                    "anchors": [_anchor(a) for a in rule.anchors],
                }
                for rule, status, unknown in active
            ],
            "required_standards": self.by_family(self.combine(all_standards)),
            "required_safeguards": {k: sorted(v) for k, v in sorted(safeguard_rules.items())},
            "missing": sorted(missing_all),
            "recommended": self.recommended(active),
            "obligations": obligations,
            "prohibitions": prohibitions(obligations),
            "alerts": [
                {"warning": rule.name, "title": rule.title, "precautionary": status != "triggered"}
                for rule, status, _ in active
                if rule.kind == "warning"
            ],
            "needed": needed,
            "verdicts": verdicts,
            "criteria": criteria,
        }
        if self.inp.provenance is not None:
            decision["provenance"] = self.inp.provenance
        if policy.waivers:
            decision["waivers"] = waivers
        if self.explain:
            decision["explanation"] = explanation
        return decision

    def waivers(
        self,
    ) -> tuple[list[dict[str, Any]], frozenset[tuple[str, str]],
               dict[tuple[str, str], frozenset[str]], frozenset[str]]:  # fmt: skip
        """The decision's waiver entries, the (target, context) requirements lifted, the
        contexts each duty (rule, key) is waived in, and the unknown inputs of the waivers'
        conditions."""
        entries: list[dict[str, Any]] = []
        applied: list[tuple[str, str, str | None, list[str]]] = []
        unknown: frozenset[str] = frozenset()
        for w in self.policy.waivers:
            value: Tri = True
            if w.condition is not None:
                value, missing, _ = self.expr(w.condition)
                unknown |= missing
            approved = w.name in self.inp.approved
            where, why = waiver_applies(value, approved, w.contexts, self.inp.contexts)
            entries.append(waiver_entry(w.name, w.title, w.kind, w.target, w.rule, w.contexts,
                                        value, approved, w.approved_by, where, why))  # fmt: skip
            applied.append((w.kind, w.target, w.rule, where))
        lifted = lifted_requirements((k, t, c) for k, t, _, c in applied)
        return entries, lifted, waived_duties(applied), unknown

    def per_context(self, rule: ir.Rule, condition: ir.Expr) -> tuple[Tri, frozenset[str], Any]:
        """A rule decided per context: (its value, the strictest over its contexts: true if
        one is true, else unknown if one is unknown; the unknown inputs behind that; its
        explanation with one condition per context). Each context's value is kept in
        `local`, for the lines that apply to that context."""
        values: dict[str, Tri] = {}
        unknown: frozenset[str] = frozenset()
        items = []
        for context in rule.contexts:
            self.context = context
            v, u, node = self.expr(condition)
            self.context = None
            values[context] = v
            unknown |= u
            items.append({"context": context, "status": RULE_STATUS[v], "condition": node})
        value = tri_any(list(values.values()))
        if value is not None:
            unknown = frozenset()
        self.local[rule.name] = values
        item = {"rule": rule.name, "status": RULE_STATUS[value], "condition": None,
                "contexts": items}  # fmt: skip
        return value, unknown, item

    def applies(self, rule: ir.Rule, context: str) -> bool:
        """Whether a rule that applies applies in `context`: always, unless it is decided
        per context and is false (or not decided) for this one."""
        local = self.local.get(rule.name)
        return local is None or local.get(context, False) is not False

    def recommended(self, active: list[tuple[ir.Rule, str, frozenset[str]]]) -> list[Any]:
        """Requirements that do not bind (`should require`, `recommend require`, ...) of the
        rules that apply, for the contexts asked about, and whether each is in place."""
        out = []
        for rule, _, _ in active:
            for req in rule.requirements:
                if req.modality == "must":
                    continue
                contexts = [
                    c for c in self.inp.contexts
                    if (not req.contexts or c in req.contexts) and self.applies(rule, c)
                ]  # fmt: skip
                if not contexts:
                    continue
                if req.kind == "standard":
                    std = self.standards[req.target]
                    in_place = standard_in_place(std.hole, std.safeguards, self.implemented)
                    in_place = in_place and self.chains.get(std.name, (True,))[0] is True
                else:
                    in_place = req.target in self.implemented
                out.append({
                    "rule": rule.name, "target": req.target, "kind": req.kind,
                    "modality": req.modality, "contexts": contexts, "in_place": in_place,
                })  # fmt: skip
        return out

    def combine(self, names: set[str]) -> set[str]:
        """The required standards kept (`rspl.semantics.combine_standards`)."""
        ancestors = {name: self.standards[name].ancestors for name in names}
        return set(combine_standards(self.policy.combine, names, ancestors))

    def by_family(self, names: set[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for std in self.policy.standards:
            if std.name in names:
                out.setdefault(std.family, []).append(std.name)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def obligation(
        self,
        rule: ir.Rule,
        ob: ir.Obligation,
        fallback: bool,
        position: str | None = None,
        step: int | None = None,
    ) -> dict[str, Any]:
        """One duty's entry; a ladder step's `position` (`rspl.semantics.ladder_states`)
        and its `step` number, from 1."""
        deadline = ob.deadline
        done = (rule.name, ob.key) in self.inp.done and not ob.prohibited
        lifted = False
        kind = ir.deadline_kind(deadline)
        start = event = period = opens = None
        if isinstance(deadline, ir.Until):
            value, _, _ = self.expr(deadline.expr)
            lifted = value is True  # no longer in force
        elif isinstance(deadline, ir.Due):
            start = deadline.date
        elif isinstance(deadline, ir.DueEvent):
            event = deadline.event
        elif isinstance(deadline, ir.Within):
            event, period = deadline.event, (deadline.period.months, deadline.period.days)
        elif isinstance(deadline, ir.Every):
            event, period = deadline.since, (deadline.high.months, deadline.high.days)
            opens = (deadline.low.months, deadline.low.days)
        if event is not None:
            start = self.inp.evidence.get(event)
        at = deadline.contexts if isinstance(deadline, ir.DueAt) else ()
        asked = [c for c in self.inp.contexts if self.applies(rule, c)] if at else ()
        standing = standing_duty(ob.modality, ob.prohibited, ob.blocking, kind)
        status, due, waiting = duty_state(
            kind, start, event, period, opens, self.inp.as_of, done=done, lifted=lifted,
            standing=standing, at=at, asked=asked,
        )
        if step is not None:
            status, due = ladder_step(position, status, due)
        if waiting is not None and position is None:
            self.waiting.add(waiting)
        blocks = obligation_blocks(
            ob.modality == "must",
            status,
            ob.blocking,
            [r.name for r in ob.objects if r.kind == "context"],
            deadline.contexts if isinstance(deadline, ir.Before) else (),
            self.inp.contexts,
        )
        blocks = [c for c in blocks if self.applies(rule, c)]
        waived_in = self.duties.get((rule.name, ir.duty_key(ob)), frozenset())
        status, blocks = waive_duty(status, blocks, waived_in, self.inp.contexts)
        return {
            "rule": rule.name,
            "action": ob.action,
            "modality": duty_modality(ob.modality, ob.prohibited),
            "objects": [r.name for r in ob.objects],
            "by": list(ob.by),
            "approved_by": list(ob.approved_by),
            "by_any": ob.by_any,
            "approved_by_any": ob.approved_by_any,
            "to": list(ob.to),
            "deadline": deadline_text(deadline),
            "deadline_kind": kind,
            "due": due.isoformat() if due else None,
            "status": status,
            "fallback": fallback,
            "blocks": blocks,
            "anchors": [_anchor(a) for a in ob.anchors],
            "key": ob.key,
            "step": step,
        }

    def needed(
        self,
        active: list[tuple[ir.Rule, str, frozenset[str]]],
        criteria: set[tuple[str, str, int]] | None = None,
        waivers: frozenset[str] = frozenset(),
    ) -> list[dict[str, Any]]:
        """Inputs still to be determined, for the precautionary rules, for the criteria
        that are unknown and for the waivers whose condition is unknown, and who decides
        them."""
        names: set[str] = set(waivers)
        for _, status, unknown in active:
            if status == "precautionary":
                names |= unknown
        for key in criteria or ():
            names |= self.failing[key]["unknown"]
        names |= self.waiting
        out = []
        for name in sorted(names):
            domain = self.slot_domain.get(name, name)
            if domain in self.domains:
                out.append({"input": name, "kind": "determination",
                            "decided_by": list(self.domains[domain].deciders)})
            elif input_owner(name) in self.evidence:
                out.append({"input": name, "kind": "evidence",
                            "decided_by": list(self.evidence[input_owner(name)].deciders)})
            else:
                out.append({"input": name, "kind": "assessment", "decided_by": []})
        return out


def _bounded(e: ir.Compare) -> bool:
    """Whether a comparison reads `max` or `min` of a measurement family."""
    return isinstance(e.left, ir.MemberBound) or isinstance(e.right, ir.MemberBound)


def _anchor(a: ir.Anchor) -> dict[str, str | None]:
    return {"text": a.text, "url": a.url}


def evaluate(
    policy: ir.Policy, assessment: Mapping[str, Any], *, explain: bool = False
) -> dict[str, Any]:
    """The decision for `assessment` under `policy`, as JSON data.

    Raises AssessmentError, naming the field, when the assessment is malformed, and for any
    input that fails while it is read (whatever the object given).
    """
    try:
        inp = _Input(policy, assessment)
    except AssessmentError:
        raise
    except Exception as error:  # noqa: BLE001 - input whose methods fail is malformed
        raise unreadable(error) from None
    return _Evaluation(policy, inp, explain).run()


def condition_value(policy: ir.Policy, assessment: Mapping[str, Any], condition: ir.Expr) -> Tri:
    """The value of an assertion's condition (`ir.Assertion`) on `assessment`: the
    determinations as given (before any checkpoint narrows them), with what the assessment
    implements in place. `rspl verify` confirms each assertion's witness with it."""
    return _Evaluation(policy, _Input(policy, assessment), False).expr(condition)[0]
