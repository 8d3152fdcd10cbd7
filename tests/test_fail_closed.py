"""Fail-closed properties of decisions, on random policies and assessments
(`tests/strategies.py`), checked on the reference interpreter AND the generated module.

(a) Less information is never more permissive. Take a valid assessment and weaken it in one
    place: leave out a determination or widen its interval by one level, leave out a piece of
    evidence or `as_of`, drop one name from `implemented` or one entry from `done`. Then no
    context that was blocked becomes permitted, no required safeguard stops being required
    (`required_safeguards` keys), no active rule becomes inactive, and no safeguard that was
    missing stops being missing.

    Precondition for lowering a level reached (leaving out a determination that reaches a
    level, or widening it downwards): no checkpoint of the policy can rule out that level.
    A checkpoint never lowers a level reached, so an assessment that contradicts a checkpoint
    keeps its level and its rules, while the same assessment without the level lets the
    checkpoint rule the level out (`test_contradicted_checkpoint` shows it; this contradicts
    the guarantee as docs/semantics.md §4 words it).

    Provisional and carried-forward determinations (docs/semantics.md §16) are only left
    out or marked provisional, never widened: their interval is not what their keys say.

    One exception, by design (docs/semantics.md §16): leaving out `as_of` may lift the block
    of a policy that is not in force on that date (the date chooses which policy applies; an
    undated decision only reports that it does not know). For that weakening, a verdict
    blocked only because the policy is not in force is not compared.

    Precondition for dropping an `implemented` name: the policy never *rewards*
    implementation, i.e. every `X is implemented` in a rule or warning condition sits under an
    odd number of `not`s and every one in an `until` condition under an even number
    (definitions inlined). Without it the property is false by design: under
    `rule r when classifiers is implemented require monitoring`, dropping `classifiers` from
    `implemented` makes `r` inactive and `monitoring` no longer required
    (`test_implementation_can_be_rewarded` shows it). Leaving out evidence needs no
    precondition: a safeguard whose efficacy criterion becomes unknown is *maybe* implemented,
    so `X is implemented` becomes unknown, never false. Dropping a `done` entry needs none
    either: nothing but an obligation's status reads it.

    Why this holds: conditions are Kleene-monotone in the information order, and with the
    polarity precondition the implemented atoms only move a rule condition towards true (an
    `until` condition towards false); checkpoints narrow only on a definitely false
    condition, so they narrow less; more active rules and fewer implemented safeguards give
    more missing safeguards, more unmet rules (fallbacks) and more blocking obligations; a
    kept `not yet defined` standard can only be replaced by a standard extending it, which is
    a typed hole too.

(b) The empty assessment `{}` permits no context that a possible rule requires something for:
    for every rule whose condition is not definitely false when nothing is known and nothing is
    implemented (decided here by a small independent evaluator, checkpoints included), the rule
    is active, and every context its requirements cover is blocked, unless the only thing it
    requires there is a standard with no safeguards at all (met trivially, warning W0009).

(c) A typed hole (a standard `not yet defined`, or one extending such a standard) required by
    an active rule blocks every context asked about that the requirement covers, is reported
    missing there, and makes the rule's fallbacks apply.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import (
    DomainSpec,
    PolicySpec,
    assessments,
    compile_policy,
    interval,
    load_module,
    policies,
)

from rspl import interpreter, ir

# Random policies per property (× 20 under `--hypothesis-profile=deep`).
POLICIES = examples(250)
ASSESSMENTS_PER_POLICY = 4

SETTINGS = settings(max_examples=POLICIES)

# How often each property was actually exercised (reported by the last test).
CHECKED: dict[str, int] = {}

Decide = Callable[[ir.Policy, types.ModuleType, Any], dict[str, Any]]


def _reference(policy: ir.Policy, module: types.ModuleType, a: Any) -> dict[str, Any]:
    return interpreter.evaluate(policy, a)


def _generated(policy: ir.Policy, module: types.ModuleType, a: Any) -> dict[str, Any]:
    decision: dict[str, Any] = module.evaluate(a).to_dict()
    return decision


ENGINES: tuple[tuple[str, Decide], ...] = (("reference", _reference), ("generated", _generated))


def _count(what: str, n: int = 1) -> None:
    CHECKED[what] = CHECKED.get(what, 0) + n


@st.composite
def policy_cases(draw: st.DrawFn) -> tuple[PolicySpec, list[dict[str, Any]]]:
    spec = draw(policies())
    batch = draw(st.lists(assessments(spec), min_size=ASSESSMENTS_PER_POLICY,
                          max_size=ASSESSMENTS_PER_POLICY))  # fmt: skip
    return spec, batch


def _fail(spec: PolicySpec, message: str) -> str:
    """The message for a failed property (only evaluated when an assertion fails)."""
    CHECKED["failures"] = CHECKED.get("failures", 0) + 1
    return f"{message}\n--- policy ---\n{spec.text}"


# ---------------------------------------------------------------------------- (a)


def rewards_implementation(policy: ir.Policy) -> bool:
    """Whether dropping a name from `implemented` can loosen a decision under `policy`: some
    `X is implemented` in a rule or warning condition is under an even number of `not`s
    (dropping X can make the rule inactive, or a checkpoint apply), or one in an `until`
    condition is under an odd number (dropping X can end the obligation), or one in a
    waiver's condition is under an odd number (dropping X can make the waiver apply)."""
    definitions = {d.name: d.expr for d in policy.definitions}

    def polarities(e: ir.Expr, positive: bool, out: set[bool]) -> set[bool]:
        if isinstance(e, ir.Implemented):
            out.add(positive)
        elif isinstance(e, ir.Not):
            polarities(e.operand, not positive, out)
        elif isinstance(e, ir.And | ir.Or | ir.AtLeast):
            for x in e.operands:
                polarities(x, positive, out)
        elif isinstance(e, ir.DefRef):
            polarities(definitions[e.name], positive, out)
        return out

    in_conditions: set[bool] = set()
    in_until: set[bool] = set()
    for rule in policy.rules:
        if rule.condition is not None:
            polarities(rule.condition, True, in_conditions)
        for ob in (*rule.obligations, *rule.fallbacks):
            if isinstance(ob.deadline, ir.Until):
                polarities(ob.deadline.expr, True, in_until)
    for waiver in policy.waivers:  # like `until`: the waiver applying loosens
        if waiver.condition is not None:
            polarities(waiver.condition, True, in_until)
    return True in in_conditions or False in in_until


def _determination(d: DomainSpec, lo: int, hi: int) -> dict[str, Any]:
    if hi == 0:
        return {}
    return {"reached": d.levels[lo - 1] if lo else None, "cannot_rule_out": d.levels[hi - 1]}


def _without(a: dict[str, Any], key: str, inner: Any = None) -> dict[str, Any]:
    out = dict(a)
    if inner is None:
        del out[key]
    elif isinstance(out[key], dict):
        out[key] = {k: v for k, v in out[key].items() if k != inner}
    else:
        out[key] = [x for i, x in enumerate(out[key]) if i != inner]
    return out


def weakenings(
    spec: PolicySpec, policy: ir.Policy, a: dict[str, Any]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, description, weaker assessment) for every one-place weakening of `a`. The kind
    is "information", "implemented" or "done"; or "contradicted" for lowering a level reached
    that a checkpoint of the policy would rule out (see `test_contradicted_checkpoint`)."""
    domains = {d.name: d for d in spec.domains}
    ruled_out: dict[str, int] = {}  # domain -> the lowest rank a checkpoint can rule out
    for rule in policy.rules:
        for ro in rule.rules_out:
            ruled_out[ro.domain] = min(ro.rank, ruled_out.get(ro.domain, ro.rank))
    for name, value in (a.get("determinations") or {}).items():
        if value is None:
            continue
        d = domains[name]
        if not d.plain:  # per setting or after mitigation: leave it out as a whole
            kind = "contradicted" if name in ruled_out else "information"
            yield kind, f"leave out determinations.{name}", _without(a, "determinations", name)
            continue
        lo, hi = interval(d, value)
        lowers = "contradicted" if lo >= ruled_out.get(name, lo + 1) else "information"
        if isinstance(value, dict) and ("provisional" in value or "carried_forward" in value):
            # a provisional level reached is still reached: leaving it out is lowering it
            kind = lowers if lo else "information"
            yield kind, f"leave out determinations.{name}", _without(a, "determinations", name)
            continue
        marked = {"reached": value} if isinstance(value, str) else dict(value)
        marked["provisional"] = "an evaluation"
        yield "information", f"mark determinations.{name} provisional", {
            **a, "determinations": {**a["determinations"], name: marked}
        }
        yield (lowers if lo else "information"), f"leave out determinations.{name}", _without(
            a, "determinations", name
        )
        for wider in ((lo - 1, hi), (lo, hi + 1)):
            if wider[0] >= 0 and wider[1] <= len(d.levels):
                weaker = {**a, "determinations": {**a["determinations"],
                                                  name: _determination(d, *wider)}}  # fmt: skip
                kind = lowers if wider[0] < lo else "information"
                yield kind, f"widen determinations.{name} to {wider}", weaker
    for name, value in (a.get("evidence") or {}).items():
        if value is not None:
            yield "information", f"leave out evidence.{name}", _without(a, "evidence", name)
    if a.get("as_of") is not None:
        yield "information", "leave out as_of", _without(a, "as_of")
    for i, name in enumerate(a.get("implemented") or []):
        yield "implemented", f"drop {name} from implemented", _without(a, "implemented", i)
    for i, item in enumerate(a.get("done") or []):
        yield "done", f"drop {item} from done", _without(a, "done", i)


NOT_IN_FORCE = "the policy is not in force on "


def loosened(
    spec: PolicySpec, before: dict[str, Any], after: dict[str, Any], undated: bool = False
) -> list[str]:
    """How `after` (the decision on less information) is looser than `before`. `undated`:
    `after` left out `as_of`, so a block only for the policy's period is not compared."""
    problems = []
    for context, verdict in before["verdicts"].items():
        reasons = verdict["reasons"]
        if undated and reasons and all(r.startswith(NOT_IN_FORCE) for r in reasons[:1]):
            reasons = reasons[1:]
            if not reasons:
                continue
        if not verdict["permitted"] and after["verdicts"][context]["permitted"]:
            problems.append(f"{context} was blocked ({verdict['reasons']}) and is now permitted")
    lost = set(before["required_safeguards"]) - set(after["required_safeguards"])
    if lost:
        problems.append(f"no longer required: {sorted(lost)}")
    inactive = {r["name"] for r in before["rules"]} - {r["name"] for r in after["rules"]}
    if inactive:
        problems.append(f"no longer active: {sorted(inactive)}")
    safeguards = set(spec.safeguards)
    found = (set(before["missing"]) - set(after["missing"])) & safeguards
    if found:
        problems.append(f"no longer missing: {sorted(found)}")
    return problems


def test_less_information_is_never_more_permissive() -> None:
    _less_information_is_never_more_permissive()
    assert_exercised("(a)")


@SETTINGS
@given(case=policy_cases())
def _less_information_is_never_more_permissive(
    case: tuple[PolicySpec, list[dict[str, Any]]],
) -> None:
    spec, batch = case
    policy = compile_policy(spec.text)
    module = load_module(policy)
    rewards = rewards_implementation(policy)
    for a in batch:
        for engine, decide in ENGINES:
            before = decide(policy, module, a)
            for kind, what, weaker in weakenings(spec, policy, a):
                if kind == "contradicted" or (kind == "implemented" and rewards):
                    _count(f"(a) skipped {kind} weakenings ({engine})")
                    continue
                undated = what == "leave out as_of"
                problems = loosened(spec, before, decide(policy, module, weaker), undated)
                assert not problems, _fail(
                    spec, f"{engine}: {what} loosens the decision: {problems}\n"
                    f"assessment: {a!r}\nweaker:     {weaker!r}"
                )
                _count(f"(a) {kind} weakenings ({engine})")


def test_implementation_can_be_rewarded() -> None:
    """Why (a) needs its precondition for `implemented`: a policy may make a requirement
    depend on something being implemented, and then implementing less requires less."""
    policy = compile_policy(
        'policy p { organization "O" version "1" combine highest standard per family }\n'
        "context deployment\n"
        "safeguard classifiers\nsafeguard monitoring\n"
        "rule r { when classifiers is implemented require monitoring }\n"
    )
    assert rewards_implementation(policy)
    module = load_module(policy)
    more, less = {"implemented": ["classifiers"]}, {"implemented": []}
    for _, decide in ENGINES:
        assert not decide(policy, module, more)["verdicts"]["deployment"]["permitted"]
        assert decide(policy, module, less)["verdicts"]["deployment"]["permitted"]


def test_contradicted_checkpoint() -> None:
    """Why (a) needs its precondition for determinations: the checkpoint is not reached, which
    rules out AI_RD_4, yet the assessment says AI_RD_4 is reached. The level reached stands
    and `ai_rd_4` applies; leave the determination out and the checkpoint rules AI_RD_4 out,
    so `ai_rd_4` no longer applies and deployment is permitted."""
    policy = compile_policy(
        'policy p { organization "O" version "1" combine highest standard per family }\n'
        "context deployment\n"
        "domain AI_RD { level AI_RD_4 level AI_RD_5 }\n"
        "evidence long_tasks: fact\n"
        "safeguard two_party_access\n"
        "warning checkpoint { when long_tasks rules out AI_RD >= AI_RD_4 }\n"
        "rule ai_rd_4 { when AI_RD >= AI_RD_4 require two_party_access }\n"
    )
    module = load_module(policy)
    more = {"determinations": {"AI_RD": "AI_RD_4"}, "evidence": {"long_tasks": False}}
    less = {"evidence": {"long_tasks": False}}
    for _, decide in ENGINES:
        assert not decide(policy, module, more)["verdicts"]["deployment"]["permitted"]
        assert decide(policy, module, less)["verdicts"]["deployment"]["permitted"]
    # A provisional level reached is reached all the same (section 16), so it contradicts the
    # checkpoint too, and (a) must skip leaving it out (found by the random-policy property).
    provisional = {"reached": "AI_RD_4", "provisional": "the long-task trial"}
    more = {"determinations": {"AI_RD": provisional}, "evidence": {"long_tasks": False}}
    for _, decide in ENGINES:
        assert not decide(policy, module, more)["verdicts"]["deployment"]["permitted"]
        assert decide(policy, module, less)["verdicts"]["deployment"]["permitted"]
    domain = DomainSpec(name="AI_RD", status=None, levels=["AI_RD_4", "AI_RD_5"])
    spec = PolicySpec("", [domain], {"long_tasks": "fact"}, [], [], ["deployment"], [], [], False)
    kinds = {what: kind for kind, what, _ in weakenings(spec, policy, more)}
    assert kinds["leave out determinations.AI_RD"] == "contradicted"


# ---------------------------------------------------------------------------- (b)

_LEVEL_TESTS: dict[str, Callable[[int, int, int], bool | None]] = {
    # docs/semantics.md §2: (true when, false when), else unknown
    ">=": lambda lo, hi, r: True if lo >= r else False if hi < r else None,
    ">": lambda lo, hi, r: True if lo > r else False if hi <= r else None,
    "<=": lambda lo, hi, r: True if hi <= r else False if lo > r else None,
    "<": lambda lo, hi, r: True if hi < r else False if lo >= r else None,
    "==": lambda lo, hi, r: True if lo == hi == r else False if r < lo or r > hi else None,
    "!=": lambda lo, hi, r: True if r < lo or r > hi else False if lo == hi == r else None,
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}  # fmt: skip


def typed_holes(spec: PolicySpec) -> set[str]:
    """Standards `not yet defined`, and those extending one (from the spec, not the IR)."""
    by_name = {s.name: s for s in spec.standards}
    out = set()
    for s in spec.standards:
        cur: Any = s
        while cur is not None:
            if cur.hole:
                out.add(s.name)
                break
            cur = by_name.get(cur.extends) if cur.extends else None
    return out


def possible_with_nothing_known(policy: ir.Policy, holes: set[str]) -> set[str]:
    """The rules whose condition is not definitely false under `{}`: every domain anywhere,
    no evidence, no `as_of`, nothing implemented except the (trivially met) standards with no
    safeguards. Checkpoints are applied, with definitions evaluated afresh each time (this
    narrows at least as much as evaluating each once, so it never wrongly calls a rule
    possible). A rule reading a standard that counts only under a `counts when` criterion is
    not called possible: whether the criterion holds, with the levels as given, is the
    engine's to decide (and with a checkpoint reading one, only standing rules are)."""
    definitions = {d.name: d.expr for d in policy.definitions}
    intervals = {d.name: (0, len(d.levels)) for d in policy.domains}
    by_name = {s.name: s for s in policy.standards}
    # a standard whose `counts when` criterion (its own or one it extends) decides whether it
    # counts: the oracle does not judge it, and a rule reading it is not called possible
    judged = {
        s.name for s in policy.standards
        if any(by_name[a].criterion is not None for a in (s.name, *s.ancestors))
    }  # fmt: skip
    trivially = {s.name for s in policy.standards if not s.safeguards and s.name not in holes}
    unjudged: list[bool] = []

    def value(e: ir.Expr) -> bool | None:
        if isinstance(e, ir.LevelCmp):
            return _LEVEL_TESTS[e.op](*intervals[e.domain], e.rank)
        if isinstance(e, ir.Compare):
            if isinstance(e.left, ir.Const) and isinstance(e.right, ir.Const):
                return _COMPARE[e.op](e.left.value, e.right.value)
            return None
        if isinstance(e, ir.Fact | ir.MemberTest):
            return None  # no evidence: every member of a family is missing
        if isinstance(e, ir.DefRef):
            return value(definitions[e.name])
        if isinstance(e, ir.Implemented):
            if e.name in judged:
                unjudged.append(True)
                return None
            return e.name in trivially
        if isinstance(e, ir.Not):
            inner = value(e.operand)
            return None if inner is None else not inner
        values = [value(x) for x in e.operands]
        need = (len(values) if isinstance(e, ir.And) else 1 if isinstance(e, ir.Or)
                else e.count)  # fmt: skip
        true, unknown = values.count(True), values.count(None)
        return True if true >= need else False if true + unknown < need else None

    for rule in policy.rules:
        if rule.rules_out and rule.condition is not None and value(rule.condition) is False:
            for ro in rule.rules_out:
                lo, hi = intervals[ro.domain]
                intervals[ro.domain] = (lo, max(lo, min(hi, ro.rank - 1)))
    if unjudged:  # a checkpoint read a judged standard: whether it applies is not known
        return {r.name for r in policy.rules if r.condition is None}
    out = set()
    for r in policy.rules:
        unjudged.clear()
        if r.condition is None or (value(r.condition) is not False and not unjudged):
            out.add(r.name)
    return out


def test_empty_assessment_permits_nothing_a_possible_rule_requires_for() -> None:
    _empty_assessment_permits_nothing()
    assert_exercised("(b)")


@settings(SETTINGS, max_examples=POLICIES)
@given(spec=policies())
def _empty_assessment_permits_nothing(spec: PolicySpec) -> None:
    policy = compile_policy(spec.text)
    module = load_module(policy)
    holes = typed_holes(spec)
    possible = possible_with_nothing_known(policy, holes)
    standards = {s.name: s for s in policy.standards}
    contexts = [c.name for c in policy.contexts]
    for engine, decide in ENGINES:
        decision = decide(policy, module, {})
        active = {r["name"] for r in decision["rules"]}
        for rule in policy.rules:
            if rule.name not in possible:
                continue
            assert rule.name in active, _fail(
                spec, f"{engine}: {rule.name} can be true, but is not active under {{}}"
            )
            for req in rule.requirements:
                if req.modality != "must":
                    continue  # `should require` and the like are reported, never binding
                std = standards.get(req.target) if req.kind == "standard" else None
                if std is not None and not std.safeguards and req.target not in holes:
                    continue  # a standard with no safeguards is met trivially
                for context in req.contexts or contexts:
                    verdict = decision["verdicts"][context]
                    assert not verdict["permitted"], _fail(
                        spec, f"{engine}: {rule.name} requires {req.target} for {context}, "
                        f"but {{}} permits it: {verdict}"
                    )
                    _count(f"(b) blocked contexts ({engine})")


# ---------------------------------------------------------------------------- (c)


def test_required_typed_hole_always_blocks() -> None:
    _required_typed_hole_always_blocks()
    assert_exercised("(c)")


@SETTINGS
@given(case=policy_cases())
def _required_typed_hole_always_blocks(case: tuple[PolicySpec, list[dict[str, Any]]]) -> None:
    spec, batch = case
    holes = typed_holes(spec)
    if not holes:
        return
    policy = compile_policy(spec.text)
    module = load_module(policy)
    for a in [*batch, {}]:
        for engine, decide in ENGINES:
            decision = decide(policy, module, a)
            active = {r["name"] for r in decision["rules"]}
            lifted = {(w["waives"]["name"], c) for w in decision.get("waivers", [])
                      if w["waives"]["kind"] != "duty" for c in w["applied"]}  # fmt: skip
            for rule in policy.rules:
                if rule.name not in active:
                    continue
                unmet = False
                for req in rule.requirements:
                    if req.modality != "must" or req.kind != "standard":
                        continue
                    if req.target not in holes:
                        continue
                    for context, verdict in decision["verdicts"].items():
                        if req.contexts and context not in req.contexts:
                            continue
                        if verdict.get("context_rules", {}).get(rule.name) == "not_triggered":
                            continue  # decided per context, and it does not apply here
                        if (req.target, context) in lifted:
                            continue  # an approved waiver that surely applies lifts it here
                        unmet = True
                        assert not verdict["permitted"] and set(verdict["missing"]) & holes, (
                            _fail(spec, f"{engine}: {rule.name} requires the typed hole "
                                  f"{req.target} for {context}, but the verdict is {verdict}"
                                  f"\nassessment: {a!r}")
                        )  # fmt: skip
                        _count(f"(c) blocked by a typed hole ({engine})")
                if unmet:
                    applied = [o for o in decision["obligations"]
                               if o["rule"] == rule.name and o["fallback"]]  # fmt: skip
                    assert len(applied) == len(rule.fallbacks), _fail(
                        spec, f"{engine}: {rule.name} requires a typed hole, but its fallbacks "
                        f"do not all apply: {applied}\nassessment: {a!r}"
                    )


MINIMUM = {
    "(a) information weakenings": 2000, "(a) implemented weakenings": 200,
    "(a) done weakenings": 200, "(b) blocked contexts": 200,
    "(c) blocked by a typed hole": 200,
}  # fmt: skip


def assert_exercised(label: str) -> None:
    """After the property `label` ran, it must have checked enough cases, in both engines,
    not to be vacuous (part of the same test, so it holds however tests are scheduled)."""
    print(f"\nfail-closed checks {label}:",
          ", ".join(f"{k}: {v}" for k, v in sorted(CHECKED.items()) if k.startswith(label)))
    for what, least in MINIMUM.items():
        if what.startswith(label):
            for engine, _ in ENGINES:
                enough = least * min(POLICIES, 250) // 250
                assert CHECKED.get(f"{what} ({engine})", 0) >= enough, (what, engine)
