"""`rspl verify`: prove or refute properties of a policy, per context (docs/analysis.md).

Each property is a satisfiability question over the encoding (`rspl.analysis.encode`). A
model the solver returns is a counterexample; it is turned into concrete assessments and run
through the reference interpreter, which must show the same violation: if it does not, the
result is an internal error, never a refutation (Cedar SymCC's discipline).

Safety properties (a refutation makes `rspl verify` exit 1): `monotone`, `fail-closed` and
each `assert` block of the policy, per context it names.
Informational ones: `fail-closed-as_of` and `fail-closed-checkpoint` (the guarantee without
one of its documented conditions: they find the two documented exceptions),
`never-permitted`, `always-permitted`, and `dead-rule` per rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from rspl import interpreter, ir
from rspl.analysis.encode import Assessment, Decision, Encoder, NotEncodedError

SAFETY = ("monotone", "fail-closed", "assert")
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
        if self.subject is not None:
            out["assertion"] = self.subject
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
        if r.prop in ("dead-rule", "assert"):
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
}


def report_sarif(
    file: str, region: dict[str, int], results: Sequence[Result], version: str
) -> dict[str, Any]:
    """The results as one SARIF 2.1.0 log, every property a rule and every result a SARIF
    result at `region` of `file` (the policy header): `kind` `fail` for a finding (with its
    witness assessment in the result's properties), `pass` when the property holds as a good
    policy wants, `open` when unknown; an internal error is a `fail` at level `error`."""
    from rspl.render import SARIF_SCHEMA, sarif_uri

    names = (*PROPERTIES, "dead-rule", "assert")
    rules = [{"id": p, "name": p, "shortDescription": {"text": _CLAIMS[p]},
              "helpUri": "docs/analysis.md#the-properties",
              "defaultConfiguration": {"level": _FINDING[p][1]}}
             for p in names]  # fmt: skip
    index = {p: i for i, p in enumerate(names)}
    out = []
    for r in results:
        finding, level = _FINDING[r.prop]
        where = f" ({r.context})" if r.context else ""
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
