"""What each capability level requires, as the reference interpreter decides it.

The threshold tables of the policy document (and any other edition of it) read their facts
from here, never re-deriving them: `outcome` runs the reference interpreter on an assessment
and reads off what it requires; `levels` does so for the baseline (every domain below its
first level, nothing else known) and for every level reached alone, with the rules that start
and stop applying from one level to the next.

`levels` costs time linear in the size of the policy for the usual shape (a domain of many
levels with rules comparing against them): see `_sweep`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from rspl import ir
from rspl.interpreter import evaluate

_T = TypeVar("_T")


@attrs.frozen
class Required:
    """A standard or safeguard the evaluator requires in `contexts` (policy order), or an
    alert it raises (`contexts` empty). `unknown` is empty when a rule that certainly applies
    asks for it; otherwise it comes only as a precaution, and `unknown` names the missing
    evidence behind that."""

    name: str
    contexts: tuple[str, ...]
    unknown: tuple[str, ...]


@attrs.frozen
class Outcome:
    """What the evaluator decides for one assessment: the standards it requires, the
    safeguards it requires on their own, the alerts it raises, and the rules that apply
    whose `require` lines carry a criterion of their own (`counts when`), which the document
    quotes next to what they require."""

    standards: tuple[Required, ...]
    safeguards: tuple[Required, ...]
    alerts: tuple[Required, ...]
    criteria_rules: tuple[str, ...] = ()

    def dropped(self, base: Outcome, policy: ir.Policy) -> tuple[Required, ...]:
        """What `base` requires that this outcome no longer does, in the contexts where it
        is gone without being replaced: a standard replaced by another of its family (the
        combination), or a safeguard now covered by a required standard, is not dropped."""
        standards = {s.name: s for s in policy.standards}
        now: dict[str, set[str]] = {}  # context -> what this outcome requires there
        families: dict[str, set[str]] = {}
        covered: dict[str, set[str]] = {}
        for r in (*self.standards, *self.safeguards):
            for c in r.contexts:
                now.setdefault(c, set()).add(r.name)
                std = standards.get(r.name)
                if std is not None:
                    families.setdefault(c, set()).add(std.family)
                    covered.setdefault(c, set()).update(std.safeguards)
        out = []
        for r in (*base.standards, *base.safeguards):
            std = standards.get(r.name)
            gone = tuple(
                c for c in r.contexts
                if r.name not in now.get(c, ())
                and (std is None or std.family not in families.get(c, ()))
                and (std is not None or r.name not in covered.get(c, ()))
            )  # fmt: skip
            if gone:
                out.append(Required(r.name, gone, ()))
        return tuple(out)

    def beyond(self, base: Outcome) -> Outcome:
        """What this outcome adds to `base`: each requirement in the contexts where `base`
        does not have it with the same certainty (so one that `base` asks for only as a
        precaution and this outcome for certain stays), and the alerts `base` does not
        raise the same way."""
        had = {(r.name, c): r.unknown for r in (*base.standards, *base.safeguards)
               for c in r.contexts}  # fmt: skip

        def keep(items: tuple[Required, ...]) -> tuple[Required, ...]:
            out = []
            for r in items:
                contexts = tuple(c for c in r.contexts if had.get((r.name, c)) != r.unknown)
                if contexts:
                    out.append(r if contexts == r.contexts else attrs.evolve(r, contexts=contexts))
            return tuple(out)

        alerts = {(a.name, a.unknown) for a in base.alerts}
        return Outcome(
            standards=keep(self.standards),
            safeguards=keep(self.safeguards),
            alerts=tuple(a for a in self.alerts if (a.name, a.unknown) not in alerts),
            criteria_rules=self.criteria_rules,
        )


@attrs.frozen
class Level:
    """One level reached alone: what the evaluator requires (`outcome`), and the rules that
    apply for certain from this level on (`started`: not at the level below, or below every
    level for the first) and those that stop (`stopped`), in policy order."""

    outcome: Outcome
    started: tuple[str, ...]
    stopped: tuple[str, ...]


@attrs.frozen
class Levels:
    """The baseline (every domain below its first level, nothing else known) and each
    level reached alone, keyed by (domain, level)."""

    baseline: Outcome
    levels: dict[tuple[str, str], Level]


def only_level(policy: ir.Policy, domain: str | None, level: str | None) -> dict[str, Any]:
    """The assessment in which `domain` has reached exactly `level` and every other domain
    is below its first level; nothing else is known. `domain` None: every domain below."""
    return {
        "determinations": {
            d.name: _at(d, level if d.name == domain else None) for d in policy.domains
        }
    }


def _at(d: ir.Domain, level: str | None) -> dict[str, Any]:
    """A determination of `d` at exactly `level`: for every setting it is assessed for, and
    before mitigation (the level after is left out: at most that level)."""
    one: dict[str, Any] = {"reached": level}
    if d.residual:
        one = {"before": one}
    if d.settings:
        one = {s.name: one for s in d.settings}
    return one


Status = tuple[str, tuple[str, ...]]  # a rule that applies: its status and missing evidence


def outcome(policy: ir.Policy, assessment: dict[str, Any]) -> Outcome:
    """Run the reference interpreter and read off what it requires, per context."""
    return _decide(policy, assessment)[0]


def _decide(policy: ir.Policy, assessment: dict[str, Any]) -> tuple[Outcome, dict[str, Status]]:
    """The outcome of `assessment`, and the status of every rule that applies.

    The decision's verdicts say what is required in each context; its rules say which rules
    apply and which only as a precaution. A requirement counts as certain when one of the
    rules that apply for certain asks for it in that context."""
    decision = evaluate(policy, assessment)
    standards = {s.name: s for s in policy.standards}
    rules = {r.name: r for r in policy.rules}
    status: dict[str, Status] = {
        r["name"]: (r["status"], tuple(r["missing_evidence"])) for r in decision["rules"]
    }
    owners: dict[str, list[tuple[tuple[str, ...], Status]]] = {}
    own: list[tuple[str, tuple[str, ...]]] = []  # require lines with a criterion of their own
    for name, st in status.items():
        for q in rules[name].requirements:
            owners.setdefault(q.target, []).append((q.contexts, st))
            if q.criterion is not None:
                own.append((q.target, q.contexts))

    def unknown(name: str, context: str) -> tuple[str, ...]:
        found = [st for cs, st in owners.get(name, ()) if not cs or context in cs]
        if any(kind == "triggered" for kind, _ in found):
            return ()
        return tuple(sorted({m for _, missing in found for m in missing}))

    def certain(name: str, context: str) -> bool:
        """A rule that applies for certain asks for `name` itself in `context`."""
        return any(kind == "triggered" for cs, (kind, _) in owners.get(name, ())
                   if not cs or context in cs)  # fmt: skip

    found: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for context, verdict in decision["verdicts"].items():
        kept = [n for names in verdict["required_standards"].values() for n in names]
        # a safeguard is left to the standard that covers it, unless the standard is only a
        # precaution and the safeguard is certain
        sure = {sg for n in kept if not unknown(n, context) for sg in standards[n].safeguards}
        covered = {sg for n in kept for sg in standards[n].safeguards
                   if sg in sure or not certain(sg, context)}  # fmt: skip
        # a safeguard a standard covers is shown on its own when a `require` line of an
        # active rule asks for it with a criterion of its own
        mine = {t for t, cs in own if not cs or context in cs}
        loose = [n for n in verdict["missing"]
                 if n not in standards and (n not in covered or n in mine)]  # fmt: skip
        for name in kept + loose:  # nothing is implemented: `missing` is all that is required
            found.setdefault((name, unknown(name, context)), []).append(context)
    order = {n: i for i, n in enumerate([*standards, *(s.name for s in policy.safeguards)])}
    items = [Required(n, tuple(cs), u) for (n, u), cs in found.items()]
    items.sort(key=lambda r: (bool(r.unknown), order[r.name], r.unknown))
    alerts = tuple(
        Required(a["warning"], (), status[a["warning"]][1] if a["precautionary"] else ())
        for a in decision["alerts"]
    )
    with_criteria = {
        name for name in status if any(q.criterion is not None for q in rules[name].requirements)
    }
    return Outcome(
        standards=tuple(r for r in items if r.name in standards),
        safeguards=tuple(r for r in items if r.name not in standards),
        alerts=alerts,
        criteria_rules=tuple(r.name for r in policy.rules if r.name in with_criteria),
    ), status


def levels(policy: ir.Policy, fast: bool = True) -> Levels:
    """What the evaluator requires below every level and for each level reached alone.

    Each level's outcome is exactly `outcome(policy, only_level(policy, domain, level))`,
    found with work proportional to the policy rather than to its square:

    - A level is decided on the slice of the policy that can change with its domain: the
      rules that read the domain or rule out levels, the rules active below every level, and
      what those read or require. Every other rule reads only inputs that are the same as
      below every level, where it is false, so it is false here too and adds nothing.
    - The evaluator sees a level only through comparisons with the ranks the policy names
      (`level_cmp` on a point, and checkpoints), which cannot tell apart the levels strictly
      between two such ranks: one evaluation serves each such run of levels.
    - Where that still leaves one evaluation of many rules per level (a domain of N levels
      with N rules comparing against them), `_sweep` decides each rule once per run of levels
      its own comparisons cannot tell apart, and each level on one rule per kind of rule that
      applies (`fast`; False: never, for tests).
    """
    base_outcome, base = _decide(policy, only_level(policy, None, None))
    active = set(base)
    defs = {d.name: d for d in policy.definitions}
    def_reads: dict[str, _Reads] = {}
    ranks: dict[str, set[int]] = {}
    rule_reads: dict[str, _Reads] = {}  # without their ranks (`_Reads.shared`)
    same: dict[_Reads, _Reads] = {}
    for r in policy.rules:
        reads = _rule_reads(r, defs, def_reads)
        for domain, rank in reads.ranks:
            ranks.setdefault(domain, set()).add(rank)
        rule_reads[r.name] = reads.shared(same)
    del same  # its table is as large as the reads
    for reads in def_reads.values():
        for domain, rank in reads.ranks:
            ranks.setdefault(domain, set()).add(rank)
    criteria: set[str] = set()  # domains that criteria or waivers read
    for sg in policy.safeguards:
        if sg.efficacy is not None:
            for domain, rank in _expr_reads(sg.efficacy, defs, def_reads).ranks:
                ranks.setdefault(domain, set()).add(rank)
                criteria.add(domain)
    for std in policy.standards:  # a standard's criterion decides whether it is implemented
        if std.criterion is not None:
            for domain, rank in _expr_reads(std.criterion, defs, def_reads).ranks:
                ranks.setdefault(domain, set()).add(rank)
                criteria.add(domain)
    # the sweep keeps one level of the domain: nothing that explains a criterion by its
    # figures, or decides a waiver, may read it (a requirement's `counts when`, a waiver)
    later = [q.criterion for r in policy.rules for q in r.requirements if q.criterion is not None]
    later += [wv.condition for wv in policy.waivers if wv.condition is not None]
    for e in later:
        criteria |= _expr_reads(e, defs, def_reads).domains
    fixed = [r for r in policy.rules if r.name in active or r.rules_out]
    by_domain: dict[str, list[ir.Rule]] = {}
    for r in policy.rules:
        if r.name not in active and not r.rules_out:
            for domain in rule_reads[r.name].domains:
                by_domain.setdefault(domain, []).append(r)
    order = {r.name: i for i, r in enumerate(policy.rules)}
    index = _Index.of(policy)
    out: dict[tuple[str, str], Level] = {}
    for d in policy.domains:
        rules = sorted([*fixed, *by_domain.get(d.name, [])], key=lambda r: order[r.name])
        ctx = _Context(policy, d, rule_reads, defs, def_reads, index, base, order, {})
        if fast and not d.settings and not d.residual and d.name not in criteria and not any(
            r.rules_out for r in rules
        ):
            out.update(_sweep(ctx, rules))
            continue
        part = _slice(policy, d.name, rules, rule_reads, defs, def_reads, index)
        cuts = sorted(ranks.get(d.name, ()))
        seen: dict[tuple[int, bool], tuple[Outcome, dict[str, Status]]] = {}
        before = _certain(base)
        for lv in sorted(d.levels, key=lambda lv: lv.rank):
            i = bisect.bisect_left(cuts, lv.rank)
            key = (i, i < len(cuts) and cuts[i] == lv.rank)
            if key not in seen:
                seen[key] = _decide(part, only_level(part, d.name, lv.name))
            result, status = seen[key]
            now = _certain(status)
            out[(d.name, lv.name)] = Level(
                result, ctx.in_order(now - before), ctx.in_order(before - now)
            )
            before = now
    return Levels(base_outcome, out)


def _certain(status: dict[str, Status]) -> set[str]:
    return {name for name, (kind, _) in status.items() if kind == "triggered"}


@attrs.frozen
class _Context:
    """What deciding the levels of one domain `domain` needs."""

    policy: ir.Policy
    domain: ir.Domain
    rule_reads: dict[str, _Reads]
    defs: dict[str, ir.Definition]
    def_reads: dict[str, _Reads]
    index: _Index
    base: dict[str, Status]  # the status of each rule that applies below every level
    order: dict[str, int]  # rules in policy order
    same: dict[Any, Any]  # equal kinds and statuses, one object each

    def in_order(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=self.order.__getitem__))

    def decide(self, rules: list[ir.Rule], level: ir.Level) -> tuple[Outcome, dict[str, Status]]:
        """The evaluator's decision on the slice of `rules` with the domain reached at
        `level`. The domain keeps only that level: a determination reads a level by name and
        compares ranks, so the others would only cost time."""
        part = _slice(self.policy, self.domain.name, rules, self.rule_reads, self.defs,
                      self.def_reads, self.index)  # fmt: skip
        one = attrs.evolve(self.domain, levels=(level,))
        part = attrs.evolve(
            part, domains=tuple(one if x.name == one.name else x for x in part.domains)
        )
        return _decide(part, only_level(part, self.domain.name, level.name))


def _kind(r: ir.Rule) -> tuple[Any, ...]:
    """What a rule contributes to a decision besides its name and condition: rules of one
    kind that apply with one status and one list of missing evidence are interchangeable for
    what is required. A rule with anything more (alerts, duties, checkpoints, criteria,
    per-context decisions) is a kind of its own."""
    plain = (
        r.kind == "rule" and not r.obligations and not r.fallbacks and not r.rules_out
        and not r.contexts and not r.ladder and all(q.criterion is None for q in r.requirements)
    )  # fmt: skip
    if not plain:
        return ("rule", r.name)
    return ("require", tuple((q.target, q.kind, q.contexts, q.modality) for q in r.requirements))


_BATCH = 64
"""The most rules `_sweep` decides at once: a decision on every rule of a large policy holds
several times its source (bench/memory.py), and one on a few costs little more time."""


def _sweep(ctx: _Context, rules: list[ir.Rule]) -> dict[tuple[str, str], Level]:
    """Every level of the domain in time linear in the policy.

    1. Each rule that reads the domain is decided once per run of levels its own comparisons
       cannot tell apart: its status as a function of the level, a few runs each. The rules
       whose run starts at one level are decided together, on their slice: a rule's status
       does not depend on the other rules (no checkpoint in the slice). Every other rule has
       the status it has below every level.
    2. Going up the levels, only the rules whose run changes are touched; the rules that
       apply are grouped by `_kind` and status.
    3. Each level is decided on one rule per group (the same groups give the same outcome:
       decided once), so its cost is the number of kinds of rules, not of rules.
    """
    d = ctx.domain
    levels = sorted(d.levels, key=lambda lv: lv.rank)
    ranks = [lv.rank for lv in levels]
    n = len(levels)
    # the rules whose run starts at each level and their status, one after the other (no
    # pair per rule and run)
    starts: list[list[ir.Rule | Status]] = [[] for _ in range(n + 1)]
    ends: list[list[str]] = [[] for _ in range(n + 1)]
    readers = [r.name for r in rules if d.name in ctx.rule_reads[r.name].domains]
    runs: dict[int, list[tuple[ir.Rule, int]]] = {}  # first level of a run -> (rule, end)
    for r in rules:
        reads = ctx.rule_reads[r.name]
        if d.name not in reads.domains:
            if r.name in ctx.base:
                starts[0] += (r, ctx.base[r.name])
            continue
        compared = _rule_reads(r, ctx.defs, ctx.def_reads).ranks  # not kept (`_Reads.shared`)
        cuts = sorted({rank for dom, rank in compared if dom == d.name})
        bounds = {0, n}
        for c in cuts:
            bounds.add(bisect.bisect_left(ranks, c))
            bounds.add(bisect.bisect_right(ranks, c))
        for lo, hi in itertools.pairwise(sorted(bounds)):
            if lo < hi:
                runs.setdefault(lo, []).append((r, hi))
    for lo in sorted(runs):  # a rule's status does not depend on the others
        todo = runs.pop(lo)
        ordered = sorted((r for r, _ in todo), key=lambda r: ctx.order[r.name])
        status: dict[str, Status] = {}
        for at in range(0, len(ordered), _BATCH):
            status.update(ctx.decide(ordered[at : at + _BATCH], levels[lo])[1])
        for r, hi in todo:
            st = status.get(r.name)
            if st is not None:
                starts[lo] += (r, ctx.same.setdefault(st, st))
                ends[hi].append(r.name)
    state: dict[str, Status] = {}
    groups: dict[tuple[Any, Status], dict[str, ir.Rule]] = {}
    kinds = {r.name: ctx.same.setdefault(k, k) for r in rules for k in (_kind(r),)}
    seen: dict[frozenset[tuple[Any, Status]], Outcome] = {}
    out: dict[tuple[str, str], Level] = {}
    for i, lv in enumerate(levels):
        before = {name: state.get(name) for name in ends[i]}
        started_here: Iterator[Any] = iter(starts[i])
        begun: list[tuple[ir.Rule, Status]] = list(zip(started_here, started_here, strict=True))
        before.update((r.name, state.get(r.name)) for r, _ in begun)
        if i == 0:  # the first level is compared with below every level
            before.update((name, None) for name in readers)
            before = {name: ctx.base.get(name) for name in before}
        for name in ends[i]:
            st = state.pop(name)
            group = groups[(kinds[name], st)]
            del group[name]
            if not group:
                del groups[(kinds[name], st)]
        for r, st in begun:
            state[r.name] = st
            groups.setdefault((kinds[r.name], st), {})[r.name] = r
        key = frozenset(groups)
        if key not in seen:
            reps = [next(iter(g.values())) for g in groups.values()]
            reps.sort(key=lambda r: ctx.order[r.name])
            seen[key] = ctx.decide(reps, lv)[0]
        started = [m for m, st in before.items() if _is_certain(state.get(m))
                   and not _is_certain(st)]  # fmt: skip
        stopped = [m for m, st in before.items() if _is_certain(st)
                   and not _is_certain(state.get(m))]  # fmt: skip
        out[(d.name, lv.name)] = Level(seen[key], ctx.in_order(started), ctx.in_order(stopped))
    return out


def _is_certain(st: Status | None) -> bool:
    return st is not None and st[0] == "triggered"


@attrs.frozen
class _Reads:
    """What an expression reads: domains, (domain, rank) pairs compared (in order, each
    once), definitions, and safeguards or standards whose implementation it asks about."""

    domains: frozenset[str]
    ranks: tuple[tuple[str, int], ...]
    definitions: frozenset[str]
    implemented: frozenset[str]

    @staticmethod
    def of(
        domains: Iterable[str], ranks: Iterable[tuple[str, int]], definitions: Iterable[str],
        implemented: Iterable[str],
    ) -> _Reads:
        """Every empty set one shared object: a policy's rules each read a set or two of
        the four, and an empty frozenset costs 200 bytes (bench/memory.py)."""
        return _Reads(
            _frozen(domains), tuple(sorted(set(ranks))), _frozen(definitions), _frozen(implemented)
        )

    def shared(self, same: dict[_Reads, _Reads]) -> _Reads:
        """These reads without their ranks, as the object in `same` equal to them (added
        when new): the rules of a large policy read few distinct sets of domains,
        definitions and implementations, while each compares its own ranks, and a frozenset
        costs 200 bytes, a pair 56 (bench/memory.py: the reads of 1,000 rules held 5 bytes
        per source byte). `_sweep` reads a rule's ranks again when it needs them."""
        plain = attrs.evolve(self, ranks=())
        return same.setdefault(plain, plain)


_NONE: frozenset[Any] = frozenset()


def _frozen(items: Iterable[_T]) -> frozenset[_T]:
    found = frozenset(items)
    return found if found else _NONE


def _expr_reads(e: ir.Expr, defs: dict[str, ir.Definition], memo: dict[str, _Reads]) -> _Reads:
    domains: set[str] = set()
    ranks: set[tuple[str, int]] = set()
    used: set[str] = set()
    implemented: set[str] = set()
    stack = [e]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ir.LevelCmp):
            domains.add(cur.domain)
            ranks.add((cur.domain, cur.rank))
        elif isinstance(cur, ir.Not):
            stack.append(cur.operand)
        elif isinstance(cur, ir.And | ir.Or | ir.AtLeast):
            stack.extend(cur.operands)
        elif isinstance(cur, ir.Implemented):
            implemented.add(cur.name)
        elif isinstance(cur, ir.DefRef) and cur.name in defs and cur.name not in used:
            used.add(cur.name)
            if cur.name not in memo:
                memo[cur.name] = _Reads.of((), (), (), ())
                memo[cur.name] = _expr_reads(defs[cur.name].expr, defs, memo)
            sub = memo[cur.name]
            domains |= sub.domains
            ranks.update(sub.ranks)
            used |= sub.definitions
            implemented |= sub.implemented
    return _Reads.of(domains, ranks, used, implemented)


def _rule_reads(r: ir.Rule, defs: dict[str, ir.Definition], memo: dict[str, _Reads]) -> _Reads:
    """What deciding rule `r` reads: its condition, its checkpoints and the `until`
    conditions of its obligations and fallbacks."""
    exprs = [r.condition] if r.condition is not None else []
    exprs += [
        ob.deadline.expr
        for ob in (*r.obligations, *r.fallbacks)
        if isinstance(ob.deadline, ir.Until)
    ]
    parts = [_expr_reads(e, defs, memo) for e in exprs]
    return _Reads.of(
        frozenset().union(*(p.domains for p in parts), (ro.domain for ro in r.rules_out)),
        frozenset().union(*(p.ranks for p in parts), ((ro.domain, ro.rank) for ro in r.rules_out)),
        frozenset().union(*(p.definitions for p in parts)),
        frozenset().union(*(p.implemented for p in parts)),
    )


def _slice(
    policy: ir.Policy,
    domain: str,
    rules: list[ir.Rule],
    rule_reads: dict[str, _Reads],
    defs: dict[str, ir.Definition],
    def_reads: dict[str, _Reads],
    index: _Index,
) -> ir.Policy:
    """`policy` with only `rules` and what they read or require (in policy order): the
    domain `domain`, the domains, definitions and implementations their conditions read,
    the standards they require with their ancestors, the safeguards of those and those
    required on their own, and what those safeguards' efficacy criteria read. Costs the
    size of the slice, not of the policy."""
    domains = {domain}
    used: set[str] = set()
    names: set[str] = set()  # standards and safeguards
    for r in rules:
        reads = rule_reads[r.name]
        domains |= reads.domains
        used |= reads.definitions
        names |= reads.implemented
        names.update(q.target for q in r.requirements)
        for q in r.requirements:  # a `counts when` of a require line
            if q.criterion is not None:
                crit = _expr_reads(q.criterion, defs, def_reads)
                domains |= crit.domains
                used |= crit.definitions
                names |= crit.implemented
    for wv in policy.waivers:  # the evaluator decides every waiver's condition
        if wv.condition is not None:
            reads = _expr_reads(wv.condition, defs, def_reads)
            domains |= reads.domains
            used |= reads.definitions
            names |= reads.implemented
    todo = list(names)
    while todo:
        name = todo.pop()
        std = index.standards.get(name)
        more: list[str] = []
        criterion: ir.Expr | None = None
        if std is not None:
            more = [*std.ancestors, *std.safeguards]
            criterion = std.criterion
        sg = index.safeguards.get(name)
        if sg is not None:
            criterion = sg.efficacy
        if criterion is not None:  # the evaluator decides every criterion in the slice
            reads = _expr_reads(criterion, defs, def_reads)
            domains |= reads.domains
            used |= reads.definitions
            more += reads.implemented
        for m in more:
            if m not in names:
                names.add(m)
                todo.append(m)

    def pick(items: Sequence[Any], keep: set[str]) -> tuple[Any, ...]:
        at = index.position
        return tuple(items[i] for i in sorted(at[id(items)][k] for k in keep if k in at[id(items)]))

    return attrs.evolve(
        policy,
        rules=tuple(rules),
        domains=pick(policy.domains, domains),
        definitions=pick(policy.definitions, used),
        standards=pick(policy.standards, names),
        safeguards=pick(policy.safeguards, names),
    )


@attrs.frozen
class _Index:
    """Standards and safeguards by name, and each name's place in its table of the policy
    (keyed by the table's id)."""

    standards: dict[str, ir.Standard]
    safeguards: dict[str, ir.Safeguard]
    position: dict[int, dict[str, int]]

    @staticmethod
    def of(policy: ir.Policy) -> _Index:
        tables: tuple[Sequence[Any], ...] = (
            policy.domains, policy.definitions, policy.standards, policy.safeguards,
        )  # fmt: skip
        return _Index(
            {s.name: s for s in policy.standards},
            {s.name: s for s in policy.safeguards},
            {id(t): {x.name: i for i, x in enumerate(t)} for t in tables},
        )
