"""`rspl verify`: prove or refute properties of a policy, per context (docs/analysis.md).

Each property is a satisfiability question over the encoding (`rspl.analysis.encode`). A
model the solver returns is a counterexample; it is turned into concrete assessments and run
through the reference interpreter, which must show the same violation: if it does not, the
result is an internal error, never a refutation (Cedar SymCC's discipline).

Safety properties (a refutation makes `rspl verify` exit 1): `monotone`, `fail-closed` and
each `assert` block of the policy, per context it names.
Informational ones: `fail-closed-as_of` and `fail-closed-checkpoint` (the guarantee without
one of its documented conditions: they find the two documented exceptions),
`never-permitted`, `always-permitted`; and over the whole policy `dead-rule` per rule,
`unreachable-level` per level, `never-required` per standard and `shadowed-requirement` per
requirement that a standard could include.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from rspl import interpreter, ir
from rspl.analysis.encode import Assessment, Decision, Encoder, NotEncodedError

SAFETY = ("monotone", "fail-closed", "assert")
# Properties of the whole policy (checked when no `--context` narrows the run), each proved
# (a finding) or refuted with a witness: per level, per standard, per requirement.
WHOLE = ("unreachable-level", "never-required", "shadowed-requirement")
_WHOLE_TEXT = (
    ("unreachable-level", "levels", "never told apart from the level below"),
    ("never-required", "standards", "never required"),
    ("shadowed-requirement", "requirements that a standard could include",
     "always shadowed by a standard that includes them"),
)
Relation = Callable[[Assessment, Assessment, Decision], list[Any]]
PROPERTIES = ("monotone", "fail-closed", "fail-closed-as_of", "fail-closed-checkpoint",
              "never-permitted", "always-permitted")  # fmt: skip


@attrs.define
class Result:
    prop: str
    context: str | None
    result: str  # proved, refuted, unknown, error
    detail: str
    witness: dict[str, Any] | None = None
    subject: str | None = None  # the assertion an `assert` result is about

    def json(self) -> dict[str, Any]:
        out = {
            "property": self.prop,
            "context": self.context,
            "result": self.result,
            "detail": self.detail,
            "witness": self.witness,
        }
        if self.subject is not None:  # what a per-assertion or whole-policy result is about
            out["assertion" if self.prop == "assert" else "subject"] = self.subject
        return out


def looser(before: dict[str, Any], after: dict[str, Any], context: str) -> str | None:
    """How the decision `after` is looser than `before` for `context`, or None: permitted
    where it was blocked, or a safeguard required before no longer required."""
    if after["verdicts"][context]["permitted"] and not before["verdicts"][context]["permitted"]:
        return f"{context} becomes permitted"
    dropped = sorted(set(before["required_safeguards"]) - set(after["required_safeguards"]))
    if dropped:
        return "no longer required: " + ", ".join(dropped)
    return None


class Verifier:
    def __init__(self, policy: ir.Policy, timeout: float = 10.0) -> None:
        self.policy = policy
        self.timeout = timeout
        self.enc = Encoder(policy)  # NotEncodedError propagates: the caller reports unknown
        self.z3 = self.enc.z3

    # ------------------------------------------------------------------ solving

    def solve(self, constraints: Sequence[Any], *syms: Assessment) -> tuple[str, Any]:
        """('sat', model), ('unsat', None) or ('unknown', reason). A model is taken, when
        there is one, with the dates of `syms` in this century (`Encoder.plausible`)."""
        z3 = self.z3
        s = z3.Solver()
        s.set("timeout", max(1, int(self.timeout * 1000)))
        s.add(*constraints)
        got = s.check()
        if got == z3.sat:
            model = s.model()
            s.add(*[c for sym in syms for c in self.enc.plausible(sym)])
            return "sat", s.model() if s.check() == z3.sat else model
        if got == z3.unsat:
            return "unsat", None
        return "unknown", s.reason_unknown()

    def decide(self, prefix: str, context: str) -> tuple[Assessment, Decision]:
        sym = self.enc.assessment(prefix)
        return sym, self.enc.decide(sym, context)

    def _looser_term(self, a: Decision, b: Decision) -> Any:
        z3 = self.z3
        dropped = [z3.And(a.required[s], z3.Not(b.required[s])) for s in a.required]
        return z3.Or(z3.And(b.permitted, z3.Not(a.permitted)), *dropped)

    # ------------------------------------------------------------------ two-assessment properties

    def pair(self, prop: str, context: str, relate: Relation, words: str) -> Result:
        """`prop` holds when no pair (A, B) related by `relate` has B's decision looser."""
        sa, da = self.decide("a.", context)
        sb, db = self.decide("b.", context)
        cons = [*sa.constraints, *sb.constraints, *relate(sa, sb, da), self._looser_term(da, db)]
        status, model = self.solve(cons, sa, sb)
        if status == "unsat":
            return Result(prop, context, "proved", words)
        if status == "unknown":
            return Result(prop, context, "unknown", f"solver: {model}")
        before = self.enc.concrete(model, sa, context)
        after = self.enc.concrete(model, sb, context)
        how = looser(interpreter.evaluate(self.policy, before),
                     interpreter.evaluate(self.policy, after), context)  # fmt: skip
        if how is None:
            return Result(prop, context, "error",
                          "internal error: the interpreter does not confirm the counterexample",
                          {"before": before, "after": after})  # fmt: skip
        return Result(prop, context, "refuted", how, {"before": before, "after": after})

    def monotone(self, context: str) -> Result:
        def relate(a: Assessment, b: Assessment, _: Decision) -> list[Any]:
            z3 = self.z3
            out = [z3.And(b.lo[d] >= a.lo[d], b.hi[d] >= a.hi[d]) for d in a.lo]
            return out + _same(z3, a, b, evidence=True, asof=True)

        return self.pair("monotone", context, relate,
                         "raising any determination never makes the decision looser")  # fmt: skip

    def fail_closed(self, context: str, exception: str | None = None) -> Result:
        """Removing inputs never loosens the decision. With `exception` None: the guarantee
        of docs/semantics.md section 4, under its conditions (`as_of` kept, no checkpoint
        contradicting the assessment). With `as_of` or `checkpoint`: that condition dropped,
        to show the documented exception."""

        def relate(a: Assessment, b: Assessment, da: Decision) -> list[Any]:
            z3 = self.z3
            out = [z3.And(b.lo[d] <= a.lo[d], b.hi[d] >= a.hi[d]) for d in a.lo]
            for name in a.known:
                same = z3.And(a.known[name], b.value[name] == a.value[name])
                out.append(z3.Implies(b.known[name], same))
            out.append(z3.Implies(b.asof_known, z3.And(a.asof_known, b.asof == a.asof)))
            if exception != "as_of":
                out.append(b.asof_known == a.asof_known)
            if exception != "checkpoint":
                out.append(z3.Not(da.contradiction))
            return out + _same(z3, a, b, evidence=False, asof=False)

        if exception == "as_of":
            return self.pair("fail-closed-as_of", context, relate,
                             "removing as_of too never makes the decision looser")  # fmt: skip
        if exception == "checkpoint":
            return self.pair("fail-closed-checkpoint", context, relate,
                             "removing inputs never makes the decision looser, even from an "
                             "assessment that a checkpoint contradicts")  # fmt: skip
        return self.pair("fail-closed", context, relate,
                         "removing evidence or widening a determination never makes the "
                         "decision looser")  # fmt: skip

    # ------------------------------------------------------------------ one-assessment properties

    def reach(self, context: str, permitted: bool) -> Result:
        z3 = self.z3
        sym, dec = self.decide("a.", context)
        goal = dec.permitted if permitted else z3.Not(dec.permitted)
        prop = "never-permitted" if permitted else "always-permitted"
        status, model = self.solve([*sym.constraints, goal], sym)
        if status == "unsat":
            word = "no assessment permits" if permitted else "every assessment permits"
            return Result(prop, context, "proved", f"{word} {context}")
        if status == "unknown":
            return Result(prop, context, "unknown", f"solver: {model}")
        witness = self.enc.concrete(model, sym, context)
        got = interpreter.evaluate(self.policy, witness)["verdicts"][context]["permitted"]
        if got != permitted:
            return Result(prop, context, "error",
                          "internal error: the interpreter does not confirm the witness",
                          {"assessment": witness})  # fmt: skip
        word = "permitted" if permitted else "blocked"
        return Result(prop, context, "refuted", f"{context} is {word} here",
                      {"assessment": witness})  # fmt: skip

    def dead(self, rule: ir.Rule) -> Result:
        """A rule whose condition can never be true (it may still apply as a precaution)."""
        z3 = self.z3
        contexts = rule.contexts or tuple(c.name for c in self.policy.contexts)[:1]
        if rule.condition is None or not contexts:
            return Result("dead-rule", None, "refuted", f"{rule.name} has no condition")
        context = contexts[0]
        sym, dec = self.decide("a.", context)
        others = []
        for c in contexts[1:]:
            others.append(self.enc.decide(sym, c).conditions[rule.name][0])
        status, model = self.solve(
            [*sym.constraints, z3.Or(dec.conditions[rule.name][0], *others)], sym
        )
        if status == "unsat":
            return Result("dead-rule", None, "proved", f"{rule.name} can never be triggered")
        if status == "unknown":
            return Result("dead-rule", None, "unknown", f"{rule.name}: solver: {model}")
        witness = self.enc.concrete(model, sym, None)
        got = interpreter.evaluate(self.policy, witness)
        statuses = {r["name"]: r["status"] for r in got["rules"]}
        if statuses.get(rule.name) != "triggered":
            return Result("dead-rule", None, "error",
                          f"internal error: the interpreter does not trigger {rule.name}",
                          {"assessment": witness})  # fmt: skip
        return Result("dead-rule", None, "refuted", f"{rule.name} is triggered here",
                      {"assessment": witness})  # fmt: skip


    # ------------------------------------------------------------------ assertions

    def assertion(self, a: ir.Assertion, context: str) -> Result:
        """An `assert` block for one of its contexts: a model of the condition (surely true)
        with the claim broken is the witness, which the interpreter must confirm."""
        z3 = self.z3
        sym, dec = self.decide("a.", context)
        cond = self.enc.condition(sym, a.condition)[0] if a.condition else z3.BoolVal(True)
        if a.kind == "requires":
            needs = self._needs(a)
            broken = z3.Not(z3.And(*[dec.required[s] for s in needs]))
        else:
            broken = dec.permitted if a.kind == "never_permitted" else z3.Not(dec.permitted)
        status, model = self.solve([*sym.constraints, cond, broken], sym)
        claim = assertion_words(a, context)
        if status == "unsat":
            return Result("assert", context, "proved", claim, subject=a.name)
        if status == "unknown":
            return Result("assert", context, "unknown", f"{claim}: solver: {model}",
                          subject=a.name)  # fmt: skip
        witness = self.enc.concrete(model, sym, context)
        got = interpreter.evaluate(self.policy, witness)
        holds = a.condition is None or interpreter.condition_value(
            self.policy, witness, a.condition) is True  # fmt: skip
        if a.kind == "requires":
            missing = sorted(set(self._needs(a)) - set(got["required_safeguards"]))
            confirmed = bool(missing)
            how = f"{a.target} is not required in {context} here (not required: " \
                  f"{', '.join(missing)})"  # fmt: skip
        else:
            permitted = got["verdicts"][context]["permitted"]
            confirmed = permitted == (a.kind == "never_permitted")
            how = f"{context} is {'permitted' if permitted else 'blocked'} here"
        if not (holds and confirmed):
            return Result("assert", context, "error",
                          "internal error: the interpreter does not confirm the witness",
                          {"assessment": witness}, subject=a.name)  # fmt: skip
        return Result("assert", context, "refuted", f"{claim}: {how}", {"assessment": witness},
                      subject=a.name)  # fmt: skip

    def _needs(self, a: ir.Assertion) -> list[str]:
        """The safeguards whose requirement makes `a.target` required."""
        if a.target_kind == "safeguard":
            return [a.target]
        std = self.enc.standards[a.target]
        if std.hole or not std.safeguards:
            raise NotEncodedError(f"the requirement of {a.target}, a standard not yet defined")
        return list(std.safeguards)


    # ------------------------------------------------------------------ whole-policy properties

    def decisions(self, prefix: str) -> tuple[Assessment, dict[str, Decision]]:
        """One symbolic assessment and the decision of every context on it."""
        sym = self.enc.assessment(prefix)
        return sym, {c.name: self.enc.decide(sym, c.name) for c in self.policy.contexts}

    def _differs(self, a: Decision, b: Decision) -> Any:
        """The two decisions of a context differ: its verdict, a safeguard required, or the
        status of a rule (triggered, precautionary, not triggered: an alert, a duty)."""
        z3 = self.z3
        rules = [z3.Or(a.conditions[r][0] != b.conditions[r][0],
                       a.conditions[r][1] != b.conditions[r][1]) for r in a.conditions]
        required = [a.required[s] != b.required[s] for s in a.required]
        return z3.Or(a.permitted != b.permitted, *required, *rules)

    def unreachable_levels(self) -> list[Result]:
        """Per level: does any context decide differently with the domain exactly at this
        level than exactly at the level below (everything else the same)? Proved: the level
        is never told apart from the one below; refuted: a pair of assessments, below and at."""
        z3 = self.z3
        sa, da = self.decisions("a.")
        sb, db = self.decisions("b.")
        differ = {c: self._differs(da[c], db[c]) for c in da}
        base = [*sa.constraints, *sb.constraints, *_same(z3, sa, sb, evidence=True, asof=True)]
        out: list[Result] = []
        for d in self.policy.domains:
            # the determinations given for the domain (a domain assessed per setting: not its
            # plain one, never given); all the others are the same in both assessments
            mine = [slot for slot, dom, setting, residual in self.enc.slots
                    if dom is d and not (d.settings and setting is None and not residual)]
            same = [z3.And(sa.lo[x] == sb.lo[x], sa.hi[x] == sb.hi[x])
                    for x in sa.lo if x not in mine]  # fmt: skip
            for rank, level in enumerate(d.levels, 1):
                if rank == 1 and d.risk:
                    continue  # nothing lies below a risk verdict's lowest (acceptable) level
                subject = f"{d.name}.{level.name}"
                at = [z3.And(sa.lo[x] == rank, sa.hi[x] == rank,
                             sb.lo[x] == rank - 1, sb.hi[x] == rank - 1) for x in mine]
                status, model = self.solve([*base, *same, *at, z3.Or(*differ.values())], sa, sb)
                below = d.levels[rank - 2].name if rank > 1 else "below every level"
                if status == "unsat":
                    why = (f"{d.name} at {level.name} is never decided differently from "
                           f"{below}, in any context")  # fmt: skip
                    out.append(Result("unreachable-level", None, "proved", why, subject=subject))
                    continue
                if status == "unknown":
                    out.append(Result("unreachable-level", None, "unknown",
                                      f"{subject}: solver: {model}", subject=subject))  # fmt: skip
                    continue
                context = next(c for c, t in differ.items()
                               if z3.is_true(model.eval(t, model_completion=True)))  # fmt: skip
                before = self.enc.concrete(model, sb, context)
                after = self.enc.concrete(model, sa, context)
                got = [interpreter.evaluate(self.policy, x) for x in (before, after)]
                seen = [_seen(g, context) for g in got]
                witness = {"below": before, "at": after}
                if seen[0] == seen[1]:
                    out.append(Result("unreachable-level", context, "error",
                                      "internal error: the interpreter decides both alike",
                                      witness, subject=subject))  # fmt: skip
                    continue
                out.append(Result("unreachable-level", context, "refuted",
                                  f"{d.name} at {level.name} decides {context} differently "
                                  f"from {below}", witness, subject=subject))  # fmt: skip
        return out

    def never_required(self) -> list[Result]:
        """Per standard: can any assessment require it (or a standard extending it) in some
        context? Proved: it is never required."""
        z3 = self.z3
        sym, dec = self.decisions("a.")
        rules = {r.name: r for r in self.policy.rules}
        out: list[Result] = []
        for std in self.policy.standards:
            names = {s.name for s in self.policy.standards
                     if s.name == std.name or std.name in s.ancestors}  # fmt: skip
            reqs = [(r.name, i) for r in self.policy.rules for i, q in enumerate(r.requirements)
                    if q.kind == "standard" and q.target in names and q.modality == "must"]
            terms = {c: z3.Or(*[d.applied[k] for k in reqs if k in d.applied])
                     for c, d in dec.items()}  # fmt: skip
            status, model = self.solve([*sym.constraints, z3.Or(*terms.values())], sym)
            if status == "unsat":
                out.append(Result("never-required", None, "proved",
                                  f"{std.name} is never required, in any context",
                                  subject=std.name))  # fmt: skip
                continue
            if status == "unknown":
                out.append(Result("never-required", None, "unknown",
                                  f"{std.name}: solver: {model}", subject=std.name))  # fmt: skip
                continue
            context = next(c for c, t in terms.items()
                           if z3.is_true(model.eval(t, model_completion=True)))  # fmt: skip
            witness = self.enc.concrete(model, sym, context)
            got = interpreter.evaluate(self.policy, witness)
            if not any(requirement_applies(self.policy, got, rules[r], i, context)
                       for r, i in reqs):  # fmt: skip
                out.append(Result("never-required", context, "error",
                                  "internal error: the interpreter does not confirm the witness",
                                  {"assessment": witness}, subject=std.name))  # fmt: skip
                continue
            out.append(Result("never-required", context, "refuted",
                              f"{std.name} is required in {context} here",
                              {"assessment": witness}, subject=std.name))  # fmt: skip
        return out

    def shadowed(self) -> list[Result]:
        """Per binding requirement that a required standard could include: does it ever apply
        without one of those standards applying too, in the same context? Proved: it always
        comes with a standard that already includes it (it adds nothing). A requirement with
        its own `counts when` criterion, of a standard not yet defined, or that no standard
        includes, is not checked; nor one that never applies (its rule is dead)."""
        z3 = self.z3
        sym, dec = self.decisions("a.")
        std = {s.name: s for s in self.policy.standards}
        rules = {r.name: r for r in self.policy.rules}
        reqs = [(r.name, i, q) for r in self.policy.rules for i, q in enumerate(r.requirements)
                if q.modality == "must"]  # fmt: skip
        out: list[Result] = []
        for rule, i, q in reqs:
            if q.criterion is not None or (q.kind == "standard" and std[q.target].hole):
                continue
            covered = set(std[q.target].safeguards) if q.kind == "standard" else {q.target}
            wider = [(r2, j) for r2, j, q2 in reqs
                     if q2.kind == "standard" and q2.target != q.target
                     and not std[q2.target].hole and covered <= set(std[q2.target].safeguards)]
            if not wider:
                continue
            subject = f"{rule}: require {q.target}"
            alone = {c: z3.And(d.applied[rule, i],
                               z3.Not(z3.Or(*[d.applied[k] for k in wider if k in d.applied])))
                     for c, d in dec.items() if (rule, i) in d.applied}  # fmt: skip
            ever = [d.applied[rule, i] for d in dec.values() if (rule, i) in d.applied]
            status, model = self.solve([*sym.constraints, z3.Or(*alone.values())], sym)
            if status == "unsat":
                if self.solve([*sym.constraints, z3.Or(*ever)])[0] != "sat":
                    continue  # never applies: the rule is dead (`dead-rule`)
                by = ", ".join(dict.fromkeys(rules[r2].requirements[j].target for r2, j in wider))
                out.append(Result("shadowed-requirement", None, "proved",
                                  f"{subject} always comes with one of {by}, each of "
                                  "which includes it",
                                  subject=subject))  # fmt: skip
                continue
            if status == "unknown":
                out.append(Result("shadowed-requirement", None, "unknown",
                                  f"{subject}: solver: {model}", subject=subject))  # fmt: skip
                continue
            context = next(c for c, t in alone.items()
                           if z3.is_true(model.eval(t, model_completion=True)))  # fmt: skip
            witness = self.enc.concrete(model, sym, context)
            got = interpreter.evaluate(self.policy, witness)
            confirmed = requirement_applies(self.policy, got, rules[rule], i, context) and not any(
                requirement_applies(self.policy, got, rules[r2], j, context) for r2, j in wider)
            if not confirmed:
                out.append(Result("shadowed-requirement", context, "error",
                                  "internal error: the interpreter does not confirm the witness",
                                  {"assessment": witness}, subject=subject))  # fmt: skip
                continue
            out.append(Result("shadowed-requirement", context, "refuted",
                              f"{subject} applies in {context} here without a standard that "
                              "includes it", {"assessment": witness}, subject=subject))  # fmt: skip
        return out


def _seen(decision: dict[str, Any], context: str) -> Any:
    """What `unreachable-level` compares of a decision asked about `context` alone: the
    verdict, the safeguards required and every rule's status."""
    verdict = decision["verdicts"][context]
    statuses = {r["name"]: r["status"] for r in decision["rules"]}
    statuses.update(verdict.get("context_rules", {}))
    return verdict["permitted"], sorted(decision["required_safeguards"]), statuses


def requirement_applies(
    policy: ir.Policy, decision: dict[str, Any], rule: ir.Rule, index: int, context: str
) -> bool:
    """Whether the binding requirement `index` of `rule` applies in `context`, read from the
    interpreter's decision (asked about `context`): its rule applies there (triggered or
    precautionary), the requirement covers the context and no applied waiver lifts it."""
    req = rule.requirements[index]
    if req.modality != "must" or (req.contexts and context not in req.contexts):
        return False
    verdict = decision["verdicts"][context]
    if rule.contexts:
        status = verdict.get("context_rules", {}).get(rule.name, "not_triggered")
    else:
        status = next((r["status"] for r in decision["rules"] if r["name"] == rule.name),
                      "not_triggered")  # fmt: skip
    if status == "not_triggered":
        return False
    waived = set(verdict.get("waived", ()))
    lifted = {w.target for w in policy.waivers if w.name in waived and w.kind != "duty"}
    return req.target not in lifted


def assertion_words(a: ir.Assertion, context: str) -> str:
    """What `a` claims for `context`, in words."""
    when = " when its condition holds" if a.condition is not None else ""
    if a.kind == "requires":
        return f"{a.name}: {a.target} is required in {context}{when}"
    word = "never" if a.kind == "never_permitted" else "always"
    return f"{a.name}: {context} is {word} permitted{when}"


def _same(z3: Any, a: Assessment, b: Assessment, *, evidence: bool, asof: bool) -> list[Any]:
    out = [a.implemented[n] == b.implemented[n] for n in a.implemented]
    out += [a.done[k] == b.done[k] for k in a.done]
    out += [a.failed[k] == b.failed[k] for k in a.failed]
    out += [a.approved[k] == b.approved[k] for k in a.approved]
    if evidence:
        for n in a.known:
            out += [a.known[n] == b.known[n], a.value[n] == b.value[n]]
    if asof:
        out += [a.asof_known == b.asof_known, a.asof == b.asof]
    return out


def verify(
    policy: ir.Policy, contexts: Sequence[str] | None = None, timeout: float = 10.0
) -> list[Result]:
    """Every property, per context (all the policy's contexts when `contexts` is None)."""
    names = list(contexts) if contexts else [c.name for c in policy.contexts]
    try:
        v = Verifier(policy, timeout)
    except NotEncodedError as e:
        why = f"construct {e.construct} not encoded"
        return [Result(p, c, "unknown", why) for c in names for p in PROPERTIES] + [
            Result("assert", c, "unknown", why, subject=a.name)
            for a in policy.assertions for c in a.contexts if c in names
        ]  # fmt: skip
    out: list[Result] = []
    runs: list[tuple[str, Callable[[str], Result]]] = [
        ("monotone", v.monotone),
        ("fail-closed", v.fail_closed),
        ("fail-closed-as_of", lambda c: v.fail_closed(c, "as_of")),
        ("fail-closed-checkpoint", lambda c: v.fail_closed(c, "checkpoint")),
        ("never-permitted", lambda c: v.reach(c, True)),
        ("always-permitted", lambda c: v.reach(c, False)),
    ]
    for c in names:
        for prop, run in runs:
            try:
                out.append(run(c))
            except NotEncodedError as e:
                out.append(Result(prop, c, "unknown", f"construct {e.construct} not encoded"))
    for a in policy.assertions:
        for c in a.contexts:
            if contexts and c not in contexts:
                continue
            try:
                out.append(v.assertion(a, c))
            except NotEncodedError as e:
                why = f"{assertion_words(a, c)}: construct {e.construct} not encoded"
                out.append(Result("assert", c, "unknown", why, subject=a.name))
    if not contexts:
        for rule in policy.rules:
            try:
                out.append(v.dead(rule))
            except NotEncodedError as e:
                out.append(Result("dead-rule", None, "unknown",
                                  f"{rule.name}: construct {e.construct} not encoded"))  # fmt: skip
        wholes: list[tuple[str, Callable[[], list[Result]]]] = [
            ("unreachable-level", v.unreachable_levels),
            ("never-required", v.never_required),
            ("shadowed-requirement", v.shadowed),
        ]
        for prop, whole in wholes:
            try:
                out += whole()
            except NotEncodedError as e:
                out.append(Result(prop, None, "unknown", f"construct {e.construct} not encoded"))
    return out


def timed(policy: ir.Policy, **kw: Any) -> tuple[list[Result], float]:
    start = time.perf_counter()
    got = verify(policy, **kw)
    return got, time.perf_counter() - start


def report_text(policy_id: str, results: Sequence[Result]) -> str:
    """The text `rspl verify` prints: per context, each property's result, with the
    witness of every refutation as JSON; then the rules that can never be triggered."""
    import json

    lines = [f"rspl verify {policy_id}"]
    context: str | None = None
    for r in results:
        if r.prop in ("dead-rule", "assert", *WHOLE):
            continue
        if r.context != context:
            context = r.context
            lines.append(f"context {context}:")
        kind = "" if r.prop in SAFETY else " (informational)"
        lines.append(f"  {r.prop}: {r.result}{kind}: {r.detail}")
        for key, value in (r.witness or {}).items():
            lines.append(f"    {key}: {json.dumps(value, sort_keys=True)}")
    dead = [r for r in results if r.prop == "dead-rule" and r.result != "refuted"]
    checked = [r for r in results if r.prop == "dead-rule"]
    if checked:
        lines.append(f"rules: {len(checked)} checked, {len(dead)} never triggered or not decided")
        for r in dead:
            lines.append(f"  dead-rule: {r.result}: {r.detail}")
            for key, value in (r.witness or {}).items():
                lines.append(f"    {key}: {json.dumps(value, sort_keys=True)}")
    for prop, what, found in _WHOLE_TEXT:
        checked = [r for r in results if r.prop == prop]
        if not checked:
            continue
        shown = [r for r in checked if r.result != "refuted"]
        lines.append(f"{what}: {len(checked)} checked, {len(shown)} {found} or not decided")
        for r in shown:
            lines.append(f"  {prop}: {r.result}: {r.detail}")
            for key, value in (r.witness or {}).items():
                lines.append(f"    {key}: {json.dumps(value, sort_keys=True)}")
    asserted = [r for r in results if r.prop == "assert"]
    if asserted:
        held = sum(r.result == "proved" for r in asserted)
        lines.append(f"assertions: {len(asserted)} checked, {held} proved")
        for r in asserted:
            lines.append(f"  assert: {r.result}: {r.detail}")
            for key, value in (r.witness or {}).items():
                lines.append(f"    {key}: {json.dumps(value, sort_keys=True)}")
    refuted = sum(r.result == "refuted" and r.prop in SAFETY for r in results)
    unknown = sum(r.result == "unknown" for r in results)
    errors = sum(r.result == "error" for r in results)
    lines.append(f"{refuted} safety properties refuted, {unknown} results unknown, "
                 f"{errors} internal errors")  # fmt: skip
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- SARIF

# What each property claims, for a SARIF rule; and which outcome is a finding: a refuted
# safety property (error), a documented exception present (note), a context never or always
# permitted or a rule that can never apply (warning).
_CLAIMS = {
    "monotone": "Raising any determination never makes a decision looser.",
    "fail-closed": "Removing any piece of evidence never makes a decision looser.",
    "fail-closed-as_of": "Fail-closed even when the assessment date is removed (a documented "
    "exception: without a date the policy's period is not checked).",
    "fail-closed-checkpoint": "Fail-closed even where a checkpoint contradicts the assessment "
    "(a documented exception).",
    "never-permitted": "The context is never permitted, whatever the assessment.",
    "always-permitted": "The context is permitted whatever the assessment.",
    "dead-rule": "The rule can never apply.",
    "assert": "A property the policy states about itself (an `assert` block) holds.",
    "unreachable-level": "The level is never told apart from the level below: no context is "
    "decided differently at it.",
    "never-required": "The standard is never required, whatever the assessment.",
    "shadowed-requirement": "The requirement always comes with a standard that already "
    "includes it.",
}
_FINDING = {  # property -> (the outcome that is a finding, its SARIF level)
    "monotone": ("refuted", "error"),
    "fail-closed": ("refuted", "error"),
    "fail-closed-as_of": ("refuted", "note"),
    "fail-closed-checkpoint": ("refuted", "note"),
    "never-permitted": ("proved", "warning"),
    "always-permitted": ("proved", "warning"),
    "dead-rule": ("proved", "warning"),
    "assert": ("refuted", "error"),
    "unreachable-level": ("proved", "warning"),
    "never-required": ("proved", "warning"),
    "shadowed-requirement": ("proved", "warning"),
}


def report_sarif(
    file: str, region: dict[str, int], results: Sequence[Result], version: str
) -> dict[str, Any]:
    """The results as one SARIF 2.1.0 log, every property a rule and every result a SARIF
    result at `region` of `file` (the policy header): `kind` `fail` for a finding (with its
    witness assessment in the result's properties), `pass` when the property holds as a good
    policy wants, `open` when unknown; an internal error is a `fail` at level `error`."""
    from rspl.render import SARIF_SCHEMA, sarif_uri

    names = (*PROPERTIES, "dead-rule", "assert", *WHOLE)
    rules = [{"id": p, "name": p, "shortDescription": {"text": _CLAIMS[p]},
              "helpUri": "docs/analysis.md#the-properties",
              "defaultConfiguration": {"level": _FINDING[p][1]}}
             for p in names]  # fmt: skip
    index = {p: i for i, p in enumerate(names)}
    out = []
    for r in results:
        finding, level = _FINDING[r.prop]
        where = f" ({r.context})" if r.context else ""
        if r.subject is not None and r.prop != "assert":
            where = f" ({r.subject})"
        entry: dict[str, Any] = {
            "ruleId": r.prop,
            "ruleIndex": index[r.prop],
            "message": {"text": f"{r.prop}{where}: {r.result}. {r.detail}".strip()},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": sarif_uri(file)}, "region": region}}],
        }  # fmt: skip
        if r.result == "error":
            entry.update(kind="fail", level="error")
        elif r.result == "unknown":
            entry.update(kind="open", level="none")
        elif r.result == finding:
            entry.update(kind="fail", level=level)
        else:
            entry.update(kind="pass", level="none")
        props: dict[str, Any] = {"context": r.context, "result": r.result}
        if r.witness is not None:
            props["witness"] = r.witness
        entry["properties"] = props
        out.append(entry)
    driver = {"name": "rspl verify", "version": version, "rules": rules,
              "informationUri": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/"}  # fmt: skip
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": {"uri": sarif_uri(file)}}],
        "results": out,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
