"""The symbolic encoding of a policy's decision (`rspl verify`, later `rspl diff`).

`Encoder(policy)` turns the IR into z3 terms over one *symbolic assessment* (`Assessment`:
an interval of ranks per domain, each piece of evidence known or not with its value, `as_of`,
what is implemented, done and failed). `Encoder.decide(assessment, context)` gives the
decision for one context asked about alone: whether it is permitted, the safeguards it
requires, and each rule's condition. It can be called on several symbolic assessments (two
versions of an assessment, or two policies over a shared one: `Encoder.assessment` takes the
variables' name prefix, and two encoders over policies with the same declarations may share
one `Assessment`).

The encoding follows `rspl/interpreter.py` step by step (docs/semantics.md): three-valued
conditions are pairs of z3 booleans (surely true, surely false), checkpoints narrow the
intervals in policy order, criteria are read on the assessment as given with nothing
implemented, a requirement counts only what is surely implemented, duties block unless done,
lifted or off the ladder. What it does not encode raises `NotEncodedError` naming the construct:
the analysis then answers "unknown", never a wrong proof. Every model is turned back into a
concrete assessment (`Encoder.concrete`) for the reference interpreter to confirm.

z3 is imported lazily (`load_z3`): it is the optional `[analysis]` extra.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from rspl import ir
from rspl.semantics import BOOLEAN_TYPES, RANGES, level_slot

INSTALL_HINT = "pip install 'rspl[analysis]'  (or: pip install z3-solver)"


class NotEncodedError(Exception):
    """A construct the encoding does not cover: the analysis answers unknown."""

    def __init__(self, construct: str) -> None:
        super().__init__(construct)
        self.construct = construct


class AnalysisUnavailableError(Exception):
    """z3 is not installed."""


def load_z3() -> Any:
    """The z3 module, or AnalysisUnavailableError with how to install it."""
    try:
        import z3
    except ImportError:
        raise AnalysisUnavailableError(INSTALL_HINT) from None
    return z3


Tri3 = tuple[Any, Any]  # (surely true, surely false) as z3 booleans


@attrs.define
class Assessment:
    """A symbolic assessment: z3 variables for every input a decision reads."""

    lo: dict[str, Any]
    hi: dict[str, Any]
    known: dict[str, Any]  # evidence name (or `family.member`) -> is given
    value: dict[str, Any]  # evidence name (or `family.member`) -> its value
    asof_known: Any
    asof: Any
    implemented: dict[str, Any]
    done: dict[tuple[str, str], Any]
    failed: dict[tuple[str, str], Any]
    approved: dict[str, Any]
    constraints: list[Any]


@attrs.define
class Decision:
    """The encoded decision for one context."""

    permitted: Any
    required: dict[str, Any]  # safeguard -> required in the context
    conditions: dict[str, Tri3]  # rule -> its condition (per-context rules: in the context)
    contradiction: Any  # an applying checkpoint rules out a level the assessment says is reached
    # (rule, index of the requirement) -> the binding requirement applies in the context
    applied: dict[tuple[str, int], Any] = attrs.field(factory=dict)


_ORDINAL_MAX = datetime.date.max.toordinal()


class Encoder:
    def __init__(self, policy: ir.Policy) -> None:
        self.z3 = load_z3()
        self.policy = policy
        self.cuts = numeric_constants(policy)
        self.domains = {d.name: d for d in policy.domains}
        self.definitions = {d.name: d for d in policy.definitions}
        self.safeguards = {s.name: s for s in policy.safeguards}
        self.standards = {s.name: s for s in policy.standards}
        self.evidence = {e.name: e for e in policy.evidence}
        # each determination: (slot name, domain, setting, residual); a domain assessed per
        # setting also keeps its plain slot, never given (the whole range) but narrowed by
        # checkpoints, which a context outside every setting reads
        self.slots: list[tuple[str, ir.Domain, str | None, bool]] = []
        for d in policy.domains:
            self.slots.append((d.name, d, None, False))
            for setting, residual in d.slots():
                self.slots.append((level_slot(d.name, setting, residual), d, setting, residual))
        self.duties = [
            (r, o, o in r.fallbacks) for r in policy.rules for o in (*r.obligations, *r.fallbacks)
        ]

    # ------------------------------------------------------------------ the assessment

    def inputs(self) -> list[tuple[str, str]]:
        """Every scalar evidence input: (name or `family.member`, type)."""
        out: list[tuple[str, str]] = []
        for e in self.policy.evidence:
            if e.per is None:
                out.append((e.name, e.type))
            elif e.members is not None:  # an open family is not encoded (NotEncodedError if read)
                out += [(f"{e.name}.{m}", e.type) for m in e.members]
        return out

    def assessment(self, prefix: str) -> Assessment:
        z3 = self.z3
        cons: list[Any] = []
        lo, hi = {}, {}
        for slot, d, _, _ in self.slots:
            lo[slot] = z3.Int(f"{prefix}lo.{slot}")
            hi[slot] = z3.Int(f"{prefix}hi.{slot}")
            cons += [lo[slot] >= 0, lo[slot] <= hi[slot], hi[slot] <= len(d.levels)]
        for d in self.policy.domains:
            if d.settings:  # the plain slot is never given
                cons += [lo[d.name] == 0, hi[d.name] == len(d.levels)]
                # along the order a level reached carries up (`check_assessed`)
                for a, b in zip(d.order, d.order[1:], strict=False):
                    sa, sb = level_slot(d.name, a, False), level_slot(d.name, b, False)
                    cons.append(lo[sb] >= lo[sa])
            if d.residual:  # mitigation never raises a level
                settings: list[str | None] = [s.name for s in d.settings] or [None]
                for setting in settings:
                    before = level_slot(d.name, setting, False)
                    cons.append(hi[level_slot(d.name, setting, True)] <= hi[before])
        known, value = {}, {}
        for name, kind in self.inputs():
            known[name] = z3.Bool(f"{prefix}known.{name}")
            if kind in BOOLEAN_TYPES:
                value[name] = z3.Bool(f"{prefix}ev.{name}")
            elif kind == "date":
                value[name] = z3.Int(f"{prefix}ev.{name}")
                cons += [value[name] >= 1, value[name] <= _ORDINAL_MAX]
            else:
                value[name] = z3.Real(f"{prefix}ev.{name}")
                low, high = RANGES.get(kind, (-math.inf, None))
                if low != -math.inf:
                    cons.append(value[name] >= _real(z3, low))
                if high is not None:
                    cons.append(value[name] <= _real(z3, high))
        asof = z3.Int(f"{prefix}as_of")
        cons += [asof >= 1, asof <= _ORDINAL_MAX]
        implemented = {
            n: z3.Bool(f"{prefix}impl.{n}") for n in (*self.safeguards, *self.standards)
        }
        approved = {w.name: z3.Bool(f"{prefix}approved.{w.name}") for w in self.policy.waivers}
        done, failed = {}, {}
        for r, o, _ in self.duties:
            if not o.prohibited:
                done[r.name, o.key] = z3.Bool(f"{prefix}done.{r.name}.{o.key}")
        for r in self.policy.rules:
            if r.ladder:
                for o in r.fallbacks:
                    failed[r.name, o.key] = f = z3.Bool(f"{prefix}failed.{r.name}.{o.key}")
                    if (r.name, o.key) in done:
                        cons.append(z3.Not(z3.And(f, done[r.name, o.key])))
        return Assessment(lo, hi, known, value, z3.Bool(f"{prefix}asof_known"), asof,
                          implemented, done, failed, approved, cons)  # fmt: skip

    def plausible(self, sym: Assessment) -> list[Any]:
        """Constraints that only make a witness easier to read: dates in this century.
        Never part of a question, only tried once a witness is found."""
        low = datetime.date(2000, 1, 1).toordinal()
        high = datetime.date(2099, 12, 31).toordinal()
        dates = [sym.asof] + [sym.value[n] for n, kind in self.inputs() if kind == "date"]
        return [x >= low for x in dates] + [x <= high for x in dates]

    def fix(self, sym: Assessment, data: Mapping[str, Any]) -> list[Any]:
        """Constraints that pin `sym` to a concrete (valid) assessment, read as the
        interpreter reads it. NotEncodedError for a carried-forward determination."""
        from rspl.interpreter import _Input

        z3 = self.z3
        inp = _Input(self.policy, data)
        if any(c is not None for _, c in inp.qualified.values()):
            raise NotEncodedError("carried-forward determinations")
        out = []
        for slot, d, _, _ in self.slots:
            lo, hi = inp.intervals.get(slot) or (0, len(d.levels))
            out += [sym.lo[slot] == lo, sym.hi[slot] == hi]
        for name, _ in self.inputs():
            owner, _, member = name.partition(".")
            got = inp.evidence.get(owner)
            if member and got is not None:
                got = got.get(member)
            out.append(sym.known[name] == (got is not None))
            if got is not None:
                if isinstance(got, bool):
                    out.append(sym.value[name] == got)
                elif isinstance(got, datetime.date):
                    out.append(sym.value[name] == got.toordinal())
                else:
                    out.append(sym.value[name] == _real(z3, got))
        out.append(sym.asof_known == (inp.as_of is not None))
        if inp.as_of is not None:
            out.append(sym.asof == inp.as_of.toordinal())
        out += [v == (n in inp.implemented_names) for n, v in sym.implemented.items()]
        out += [v == (k in inp.done) for k, v in sym.done.items()]
        out += [v == (k in inp.failed) for k, v in sym.failed.items()]
        out += [v == (k in inp.approved) for k, v in sym.approved.items()]
        return out

    def concrete(self, model: Any, sym: Assessment, context: str | None) -> dict[str, Any]:
        """The assessment JSON a model stands for (asking about `context` alone)."""
        z3 = self.z3

        def get(term: Any) -> Any:
            return model.eval(term, model_completion=True)

        out: dict[str, Any] = {}
        if model.eval(sym.asof_known, model_completion=True):
            out["as_of"] = datetime.date.fromordinal(get(sym.asof).as_long()).isoformat()
        def det(d: ir.Domain, slot: str) -> dict[str, Any]:
            lo, hi = get(sym.lo[slot]).as_long(), get(sym.hi[slot]).as_long()
            out: dict[str, Any] = {}
            if lo:
                out["reached"] = d.levels[lo - 1].name
            if hi > lo:
                out["cannot_rule_out"] = d.levels[hi - 1].name
            return out

        def assessed(d: ir.Domain, setting: str | None) -> dict[str, Any]:
            before = det(d, level_slot(d.name, setting, False))
            if not d.residual:
                return before
            return {"before": before, "after": det(d, level_slot(d.name, setting, True))}

        dets: dict[str, Any] = {}
        for d in self.policy.domains:
            if d.settings:
                dets[d.name] = {s.name: assessed(d, s.name) for s in d.settings}
            else:
                dets[d.name] = assessed(d, None)
        if dets:
            out["determinations"] = dets
        evidence: dict[str, Any] = {}
        known = [(name, kind, get(sym.value[name])) for name, kind in self.inputs()
                 if z3.is_true(get(sym.known[name]))]  # fmt: skip
        numbers = as_floats(
            [_exact(got) for _, kind, got in known if kind not in BOOLEAN_TYPES and kind != "date"],
            self.cuts,
        )
        for name, kind, got in known:
            if kind in BOOLEAN_TYPES:
                v: Any = z3.is_true(got)
            elif kind == "date":
                v = datetime.date.fromordinal(got.as_long()).isoformat()
            else:
                v = numbers[_exact(got)]
            owner, _, member = name.partition(".")
            if member:
                evidence.setdefault(owner, {})[member] = v
            else:
                evidence[name] = v
        if evidence:
            out["evidence"] = evidence
        impl = [n for n, v in sym.implemented.items() if z3.is_true(get(v))]
        if impl:
            out["implemented"] = impl
        done = [{"rule": r, "action": k} for (r, k), v in sym.done.items() if z3.is_true(get(v))]
        if done:
            out["done"] = done
        failed = [
            {"rule": r, "action": k} for (r, k), v in sym.failed.items() if z3.is_true(get(v))
        ]
        if failed:
            out["failed"] = failed
        approved = [n for n, v in sym.approved.items() if z3.is_true(get(v))]
        if approved:
            out["approved"] = approved
        if context is not None:
            out["contexts"] = [context]
        return out

    # ------------------------------------------------------------------ the decision

    def decide(self, sym: Assessment, context: str) -> Decision:
        return _Run(self, sym).decide(context)

    def condition(self, sym: Assessment, e: ir.Expr) -> Tri3:
        """An assertion's condition over `sym` (`interpreter.condition_value`): the
        determinations as given, what is implemented in place."""
        run = _Run(self, sym)
        run.in_place()
        run.criteria_phase = False
        run.cache = {}
        return run.expr(e)


class _Run:
    """One encoding of the decision over one symbolic assessment (the interpreter's
    `_Evaluation`)."""

    def __init__(self, enc: Encoder, sym: Assessment) -> None:
        self.enc = enc
        self.z3 = enc.z3
        self.sym = sym
        self.lo = dict(sym.lo)
        self.hi = dict(sym.hi)
        self.criteria_phase = True  # criteria: the assessment as given, nothing implemented
        self.context: str | None = None  # the context a per-context rule is decided for
        self.cache: dict[str, Tri3] = {}
        self.sure: dict[str, Any] = {}
        self.maybe: dict[str, Any] = {}

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr) -> Tri3:
        z3 = self.z3
        if isinstance(e, ir.LevelCmp):
            slot = self.enc.domains[e.domain].slot_read(e.residual, self.context)
            return _sym_level(z3, e.op, self.lo[slot], self.hi[slot], e.rank)
        if isinstance(e, ir.Compare):
            if isinstance(e.left, ir.MemberBound) or isinstance(e.right, ir.MemberBound):
                return self.bounded(e)
            lk, lv = self.value(e.left)
            rk, rv = self.value(e.right)
            known = z3.And(lk, rk)
            holds = _cmp(e.op, lv, rv)
            return z3.And(known, holds), z3.And(known, z3.Not(holds))
        if isinstance(e, ir.Fact):
            k, v = self.sym.known[e.name], self.sym.value[e.name]
            return z3.And(k, v), z3.And(k, z3.Not(v))
        if isinstance(e, ir.DefRef):
            key = e.name if self.context is None else f"{e.name} for {self.context}"
            if key not in self.cache:
                self.cache[key] = self.expr(self.enc.definitions[e.name].expr)
            return self.cache[key]
        if isinstance(e, ir.Implemented):
            if self.criteria_phase:
                return z3.BoolVal(False), z3.BoolVal(True)
            sure, maybe = self.sure[e.name], self.maybe[e.name]
            return sure, z3.And(z3.Not(sure), z3.Not(maybe))
        if isinstance(e, ir.Not):
            t, f = self.expr(e.operand)
            return f, t
        if isinstance(e, ir.MemberTest):
            return self.member_test(e)
        operands = [self.expr(x) for x in e.operands]
        count = (
            len(operands) if isinstance(e, ir.And) else 1 if isinstance(e, ir.Or) else e.count
        )
        return _at_least(z3, count, operands)

    def member_test(self, e: ir.MemberTest) -> Tri3:
        z3 = self.z3
        members = self.enc.evidence[e.name].members
        if members is None:
            raise NotEncodedError(f"open measurement family {e.name}")
        items: list[Tri3] = []
        for m in members:
            k, v = self.sym.known[f"{e.name}.{m}"], self.sym.value[f"{e.name}.{m}"]
            if e.op is None:
                holds = v
            else:
                assert e.right is not None
                if isinstance(e.right, ir.MemberBound):
                    raise NotEncodedError("max/min of a measurement family")
                rk, rv = self.value(e.right)
                k = z3.And(k, rk)
                holds = _cmp(e.op, v, rv)
            items.append((z3.And(k, holds), z3.And(k, z3.Not(holds))))
        return _at_least(z3, e.count or len(items), items)

    def bounded(self, e: ir.Compare) -> Tri3:
        """`max F op v` / `min F op v` (either side), as `compare_range` decides it on the
        bounds the known members give."""
        z3 = self.z3
        flip: dict[str, str] = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
        if isinstance(e.left, ir.MemberBound):
            bound, op, other = e.left, str(e.op), e.right
        else:
            assert isinstance(e.right, ir.MemberBound)
            bound, op, other = e.right, flip[e.op], e.left
        if isinstance(other, ir.MemberBound) or op in ("==", "!="):
            raise NotEncodedError("max/min of a measurement family compared with == or !=")
        members = self.enc.evidence[bound.name].members
        if members is None:
            raise NotEncodedError(f"open measurement family {bound.name}")
        rk, rv = self.value(other)
        values = []
        for m in members:
            got = self.sym.value[f"{bound.name}.{m}"]
            values.append((self.sym.known[f"{bound.name}.{m}"],
                           z3.ToReal(got) if got.is_int() else got))  # fmt: skip
        # max F >= v holds once one member does; min F >= v needs every member
        upward = op in (">", ">=")
        some = (bound.bound == "max") == upward
        holds = [z3.And(k, _cmp(op, x, rv)) for k, x in values]
        fails = [z3.And(k, z3.Not(_cmp(op, x, rv))) for k, x in values]
        all_known = z3.And(*[k for k, _ in values])
        if some:
            t, f = z3.Or(*holds), z3.And(all_known, *[z3.Not(h) for h in holds])
        else:
            t, f = z3.And(all_known, *[z3.Not(x) for x in fails]), z3.Or(*fails)
        return z3.And(rk, t), z3.And(rk, f)

    def value(self, v: ir.Value) -> tuple[Any, Any]:
        """(known, value as a z3 real)."""
        z3 = self.z3
        if isinstance(v, ir.Const):
            if isinstance(v.value, datetime.date):
                return z3.BoolVal(True), z3.RealVal(v.value.toordinal())
            return z3.BoolVal(True), _real(z3, v.value)
        if isinstance(v, ir.EvidenceValue):
            got = self.sym.value[v.name]
            return self.sym.known[v.name], z3.ToReal(got) if got.is_int() else got
        if isinstance(v, ir.SinceValue):
            start = self.sym.value[v.name]
            known = z3.And(self.sym.known[v.name], self.sym.asof_known)
            return known, z3.ToReal(self.sym.asof - start)
        raise NotEncodedError(type(v).__name__)

    # ------------------------------------------------------------------ what is in place

    def in_place(self) -> None:
        """`sure`/`maybe` for every safeguard and standard (`_Evaluation._implemented`)."""
        z3 = self.z3
        enc, impl = self.enc, self.sym.implemented
        listed: dict[str, list[Any]] = {s: [impl[s]] for s in enc.safeguards}
        for std in enc.policy.standards:
            if not std.hole:
                for s in std.safeguards:
                    listed[s].append(impl[std.name])
        for name, sg in enc.safeguards.items():
            there = z3.Or(*listed[name])
            if sg.efficacy is None:
                self.sure[name], self.maybe[name] = there, z3.BoolVal(False)
            else:
                t, f = self.expr(sg.efficacy)
                self.sure[name] = z3.And(there, t)
                self.maybe[name] = z3.And(there, z3.Not(t), z3.Not(f))
        own = {s.name: self.expr(s.criterion) for s in enc.policy.standards if s.criterion}
        self.chain: dict[str, Tri3] = {}
        for std in enc.policy.standards:
            found = [own[n] for n in (std.name, *std.ancestors) if n in own]
            chain = _at_least(z3, len(found), found)
            self.chain[std.name] = chain
            if std.hole:
                self.sure[std.name] = self.maybe[std.name] = z3.BoolVal(False)
                continue
            all_sure = z3.And(*[self.sure[s] for s in std.safeguards])
            all_maybe = z3.And(*[z3.Or(self.sure[s], self.maybe[s]) for s in std.safeguards])
            sure = z3.And(chain[0], all_sure)
            self.sure[std.name] = sure
            self.maybe[std.name] = z3.And(z3.Not(sure), z3.Not(chain[1]), all_maybe)
        self.req_criteria = {
            (r.name, i): self.expr(q.criterion)
            for r in enc.policy.rules
            for i, q in enumerate(r.requirements)
            if q.criterion is not None
        }

    # ------------------------------------------------------------------ one context

    def decide(self, context: str) -> Decision:
        z3 = self.z3
        enc, policy = self.enc, self.enc.policy
        self.in_place()
        self.criteria_phase = False
        self.cache = {}
        # 1. Checkpoints, in policy order, each on the intervals its predecessors left.
        contradiction = []
        for rule in policy.rules:
            if rule.rules_out and rule.condition is not None:
                _, false = self.expr(rule.condition)
                for ro in rule.rules_out:
                    for slot, d, _, _ in enc.slots:
                        if d.name != ro.domain:
                            continue
                        lo, hi = self.lo[slot], self.hi[slot]
                        contradiction.append(z3.And(false, lo >= ro.rank))
                        top = _max(z3, lo, _min(z3, hi, ro.rank - 1))
                        self.hi[slot] = z3.If(false, top, hi)
        self.cache = {}
        # 2. Rules: each one's condition, and whether it applies in the context.
        conditions: dict[str, Tri3] = {}
        applies: dict[str, Any] = {}
        for rule in policy.rules:
            if rule.contexts and context not in rule.contexts:
                conditions[rule.name] = (z3.BoolVal(False), z3.BoolVal(True))
                applies[rule.name] = z3.BoolVal(False)
                continue
            if rule.condition is None:
                cond: Tri3 = (z3.BoolVal(True), z3.BoolVal(False))
            else:
                self.context = context if rule.contexts else None
                cond = self.expr(rule.condition)
                self.context = None
            conditions[rule.name] = cond
            applies[rule.name] = z3.Not(cond[1])
        # 3. Waivers applied in the context: covering it, their condition surely true, approved.
        lifted: dict[str, list[Any]] = {}
        waived: dict[tuple[str, str], list[Any]] = {}
        for w in policy.waivers:
            if context not in w.contexts:
                continue
            holds = z3.BoolVal(True) if w.condition is None else self.expr(w.condition)[0]
            applied = z3.And(holds, self.sym.approved[w.name])
            if w.kind == "duty":
                assert w.rule is not None
                waived.setdefault((w.rule, w.target), []).append(applied)
            else:
                lifted.setdefault(w.target, []).append(applied)
        # 4. Requirements in the context; a rule is unmet when one of them is not met.
        required: dict[str, list[Any]] = {s: [] for s in enc.safeguards}
        missing: list[Any] = []
        unmet: dict[str, list[Any]] = {r.name: [] for r in policy.rules}
        in_force: dict[tuple[str, int], Any] = {}
        for rule in policy.rules:
            for i, req in enumerate(rule.requirements):
                if req.modality != "must" or (req.contexts and context not in req.contexts):
                    continue
                here = z3.And(applies[rule.name], z3.Not(z3.Or(*lifted.get(req.target, []))))
                in_force[rule.name, i] = here
                failing = []
                if (rule.name, i) in self.req_criteria:
                    failing.append(z3.Not(self.req_criteria[rule.name, i][0]))
                if req.kind == "standard":
                    std = enc.standards[req.target]
                    needs = list(std.safeguards)
                    failing.append(z3.Not(self.chain[std.name][0]))
                    if std.hole:
                        failing.append(z3.BoolVal(True))
                else:
                    needs = [req.target]
                for sg in needs:
                    required[sg].append(here)
                failing += [z3.Not(self.sure[sg]) for sg in needs]
                bad = z3.And(here, z3.Or(*failing))
                unmet[rule.name].append(bad)
                missing.append(bad)
        # 5. Duties that block the context.
        blocks: list[Any] = []
        for rule in policy.rules:
            is_unmet = z3.Or(*unmet[rule.name])
            for n, ob in enumerate((*rule.obligations, *rule.fallbacks)):
                if ob.modality != "must":
                    continue
                named = [r.name for r in ob.objects if r.kind == "context"]
                before = ob.deadline.contexts if isinstance(ob.deadline, ir.Before) else ()
                if not ((ob.blocking and (not named or context in named)) or context in before):
                    continue
                live = [applies[rule.name], z3.Not(z3.Or(*waived.get((rule.name, ob.key), [])))]
                if n >= len(rule.obligations):  # a fallback
                    live.append(is_unmet)
                    if rule.ladder:
                        step = n - len(rule.obligations)
                        live.append(z3.Not(enc_failed(self.sym, rule, step)))
                        live += [enc_failed(self.sym, rule, j) for j in range(step)]
                if not ob.prohibited:
                    live.append(z3.Not(self.sym.done[rule.name, ob.key]))
                if isinstance(ob.deadline, ir.Until):
                    live.append(z3.Not(self.expr(ob.deadline.expr)[0]))
                blocks.append(z3.And(*live))
        # 6. The policy's period.
        out_of_force = []
        if policy.effective is not None:
            out_of_force.append(self.sym.asof < policy.effective.toordinal())
        if policy.superseded is not None:
            out_of_force.append(self.sym.asof >= policy.superseded.toordinal())
        not_in_force = z3.And(self.sym.asof_known, z3.Or(*out_of_force))
        permitted = z3.Not(z3.Or(not_in_force, *missing, *blocks))
        return Decision(
            permitted=permitted,
            required={s: z3.Or(*v) for s, v in required.items()},
            conditions=conditions,
            contradiction=z3.Or(*contradiction),
            applied=in_force,
        )


def enc_failed(sym: Assessment, rule: ir.Rule, step: int) -> Any:
    return sym.failed[rule.name, rule.fallbacks[step].key]


# ---------------------------------------------------------------------------- leaf rules


def _real(z3: Any, x: float | int) -> Any:
    f = Fraction(x)
    return z3.RealVal(f"{f.numerator}/{f.denominator}")


def _exact(v: Any) -> Fraction:
    """A z3 numeral as an exact rational."""
    if v.is_int():
        return Fraction(v.as_long())
    return Fraction(v.numerator_as_long(), v.denominator_as_long())


def _json_number(x: float) -> float | int:
    return int(x) if x.is_integer() and abs(x) <= 2**53 else x


def as_floats(values: Iterable[Fraction], cuts: frozenset[Fraction]) -> dict[Fraction, float | int]:
    """JSON numbers for the exact values of a model. The interpreter compares numbers as
    floats, z3 as exact rationals, so values within one float step of each other or of a
    constant the policy compares with (`cuts`, exact values of those floats) would round
    together and compare equal. The values and the cuts are mapped to floats in order, each
    strictly above the one before (a cut to itself, exactly): every comparison between two
    values, or a value and a constant, comes out as the solver decided it. (Between two cuts
    one float step apart no value fits; there the nearest float is kept, and the interpreter's
    confirmation catches it.)"""
    wanted = set(values)
    items = sorted(wanted | cuts)
    exact = [Fraction(float(x)) == x for x in items]
    # the next exactly representable item after each position (a float no value may reach)
    above: list[float] = [math.inf] * len(items)
    for i in range(len(items) - 2, -1, -1):
        above[i] = float(items[i + 1]) if exact[i + 1] else above[i + 1]
    shown: dict[Fraction, float | int] = {}
    last = -math.inf
    for i, x in enumerate(items):
        f = float(x)
        if not exact[i]:
            if f <= last:
                f = math.nextafter(last, math.inf)
            if f >= above[i]:
                f = math.nextafter(above[i], -math.inf)
        if x in wanted:
            shown[x] = _json_number(f)
        last = f
    return shown


def numeric_constants(policy: ir.Policy) -> frozenset[Fraction]:
    """The exact values of every number the policy compares with (`as_floats`'s cuts)."""
    out: set[Fraction] = set()
    stack: list[Any] = [policy]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, ir.Const):
            if isinstance(x.value, int | float) and not isinstance(x.value, bool):
                out.add(Fraction(x.value))
            continue
        if isinstance(x, tuple | list):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif attrs.has(type(x)):
            stack.extend(getattr(x, f.name) for f in attrs.fields(type(x)))
    return frozenset(out)


def _min(z3: Any, a: Any, b: Any) -> Any:
    return z3.If(a <= b, a, b)


def _max(z3: Any, a: Any, b: Any) -> Any:
    return z3.If(a >= b, a, b)


def _cmp(op: str, a: Any, b: Any) -> Any:
    if op == ">=":
        return a >= b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == "<":
        return a < b
    if op == "==":
        return a == b
    return a != b


def _sym_level(z3: Any, op: str, lo: Any, hi: Any, r: int) -> Tri3:
    """`level_cmp` over [lo, hi]."""
    if op == ">=":
        return lo >= r, hi < r
    if op == ">":
        return lo > r, hi <= r
    if op == "<=":
        return hi <= r, lo > r
    if op == "<":
        return hi < r, lo >= r
    same = (z3.And(lo == r, hi == r), z3.Or(r < lo, r > hi))
    return same if op == "==" else (same[1], same[0])


def _at_least(z3: Any, count: int, items: Iterable[Tri3]) -> Tri3:
    """Kleene `at least count of` (`rspl.semantics.at_least`)."""
    items = list(items)
    if count <= 0:
        return z3.BoolVal(True), z3.BoolVal(False)
    if count > len(items):
        return z3.BoolVal(False), z3.BoolVal(True)
    if count == len(items):  # and
        return z3.And(*[t for t, _ in items]), z3.Or(*[f for _, f in items])
    if count == 1:  # or
        return z3.Or(*[t for t, _ in items]), z3.And(*[f for _, f in items])
    trues = z3.Sum(*[z3.If(t, 1, 0) for t, _ in items])
    possible = z3.Sum(*[z3.If(f, 0, 1) for _, f in items])
    return trues >= count, possible < count
