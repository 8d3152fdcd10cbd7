"""Pass 4, resolve: build the scopes and bind every name to its declaration.

Each module sees its own declarations and those of the modules it imports directly. Level
names are looked up inside the domain they are compared with (`CBRN >= CBRN_3`), so two
domains may both have a level `High`. Reports unknown names with did-you-mean (E0201, E0404,
E0405), duplicates (E0202), names of the wrong kind (E0203, E0403), unknown levels (E0204)
and levels compared with another domain (E0301).

The result, `Resolution`, maps each name node (by identity) to what it names, records which
declarations are used, for the unused-declaration warning, and classifies every comparison of
a domain with one of its own levels (`LevelComparison`) once, for the checker and lowering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from rspl import messages as msg
from rspl import nodes as n
from rspl.diagnostics import Reporter
from rspl.loader import Program
from rspl.spans import Span

if TYPE_CHECKING:  # for the `Op` type only: `rspl check` never imports the IR (start-up)
    from rspl import ir

Target = n.Decl | n.LevelDecl

_ROLE = ("role",)
_CONTEXT = ("context",)
_REQUIRABLE = ("standard", "safeguard")
_VALUE = ("evidence", "definition", "domain")
_ANY = (
    "role", "context", "family", "domain", "evidence", "definition", "safeguard", "standard",
    "artifact", "action", "rule", "warning", "cadence",
)  # fmt: skip


# written operator -> (the operator as written, the operator with its sides swapped)
_OPS: dict[str, tuple[ir.Op, ir.Op]] = {
    ">=": (">=", "<="), "<=": ("<=", ">="), ">": (">", "<"), "<": ("<", ">"),
    "==": ("==", "=="), "!=": ("!=", "!="),
}  # fmt: skip


def _op(written: str, *, swapped: bool = False) -> ir.Op:
    ops = _OPS.get(written)
    if ops is None:
        raise AssertionError(f"the grammar has no operator {written!r}")  # pragma: no cover
    return ops[1] if swapped else ops[0]


@attrs.frozen
class LevelComparison:
    """`DOMAIN op LEVEL` where LEVEL is one of DOMAIN's own levels, read with the domain on the
    left: `CBRN_3 <= CBRN` is recorded as `CBRN >= CBRN_3`. `rank` is the level's place in the
    domain (1 = lowest), `levels` how many levels the domain has."""

    domain: str
    op: ir.Op
    rank: int
    level: str
    levels: int
    residual: bool = False  # `residual DOMAIN op LEVEL`: the level after mitigation


@attrs.define
class Resolution:
    """What every name means. Every table is keyed by a node's span: `refs` by the name
    node's, `comparisons` by the comparison's (each comparison of a domain with one of its
    levels), `quantified` by the `any/all domains OP LEVEL` node's (what it stands for),
    `decl_module`, `used` and `uses` by the declaration's. No two nodes of one kind in a
    program start and end at the same place of the same file, so a span names its node as
    well as its `id` would, and the node already holds it: an `id` key is a new 32-byte
    integer for every entry, about a tenth of what `rspl check` holds (docs/performance.md,
    "Resolution tables keyed by spans")."""

    scopes: dict[str, dict[str, n.Decl]]
    own: dict[str, dict[str, n.Decl]]
    refs: dict[Span, Target] = attrs.field(factory=dict)
    # every name node bound in `refs`, in the order met (the language server's index)
    bound: list[n.Name] = attrs.field(factory=list)
    used: set[Span] = attrs.field(factory=set)
    # by item: the declarations the item names, possibly repeated (`rspl.usage` follows them)
    uses: dict[Span, tuple[Span, ...]] = attrs.field(factory=dict)
    levels: dict[Span, n.DomainDecl] = attrs.field(factory=dict)
    decl_module: dict[Span, n.Module] = attrs.field(factory=dict)
    comparisons: dict[Span, LevelComparison] = attrs.field(factory=dict)
    quantified: dict[Span, tuple[LevelComparison, ...]] = attrs.field(factory=dict)

    def target(self, name: n.Name) -> Target | None:
        return self.refs.get(name.span)

    def level_comparison(self, compare: n.Compare) -> LevelComparison | None:
        """The comparison as `DOMAIN op LEVEL` when it compares a domain with one of its own
        levels (in either order); None for any other comparison."""
        return self.comparisons.get(compare.span)

    def quantified_comparisons(self, q: n.DomainQuant) -> tuple[LevelComparison, ...]:
        """`DOMAIN op LEVEL` for each domain `q` ranges over that has the level, in scope
        order (`any` is their disjunction, `all` their conjunction)."""
        return self.quantified[q.span]

    def lookup(self, module: n.Module, text: str) -> n.Decl | None:
        return self.scopes[module.name].get(text)

    def meanings(self) -> Resolution:
        """What each name, comparison and quantifier means, and nothing else: what lowering
        reads. Without the scopes and the tables of uses, which hold every declaration (and
        would keep each alive after it is lowered; `rspl.lower`)."""
        return Resolution(
            scopes={}, own={}, refs=self.refs, comparisons=self.comparisons,
            quantified=self.quantified,
        )  # fmt: skip


class _Resolver:
    def __init__(self, program: Program, reporter: Reporter) -> None:
        self.program = program
        self.reporter = reporter
        self.by_name = {m.name: m for m in program.modules}
        own: dict[str, dict[str, n.Decl]] = {}
        self.res = Resolution(scopes={}, own=own)
        self._level_owners: dict[str, list[n.DomainDecl]] | None = None  # see `owners`
        # per domain (by `id`): each level's rank, and the first level of each name
        self._ranks: dict[int, dict[int, int]] = {}
        self._by_name: dict[int, dict[str, n.LevelDecl]] = {}
        self.current: n.Item | None = None  # the item being resolved, for `Resolution.uses`
        self.named: list[Span] = []  # the declarations it has named so far

    # ------------------------------------------------------------------ scopes

    def declare(self) -> None:
        """Every name is declared once in the whole policy, imports included, so each
        output can name things without qualification. A clash with an imported file is
        reported at the declaration in the file that is closest to the user: the main file
        first, then other user files; never inside the stdlib."""
        # The first declaration of each name, and every declaration of a name declared more
        # than once: no list or tuple per declaration (most names are declared once).
        first: dict[str, n.Decl] = {}
        clashes: dict[str, list[n.Decl]] = {}
        for module in self.program.modules:
            for item in module.items:
                if isinstance(item, n.PolicyHeader | n.Import):
                    continue
                self.res.decl_module[item.span] = module
                found = first.setdefault(item.name.text, item)
                if found is not item:
                    clashes.setdefault(item.name.text, [found]).append(item)
        place = {
            id(module): (2 if module.is_stdlib else 0 if module is self.program.main else 1, -i)
            for i, module in enumerate(self.program.modules)
        }

        def order(d: n.Decl) -> tuple[int, int, int]:
            rank, later = place[id(self.res.decl_module[d.span])]
            return (-rank, -later, d.span.start)

        for text, decls in clashes.items():
            # keep the stdlib's (then the earliest-imported) declaration; report the rest
            keep, *others = sorted(decls, key=order)
            first[text] = keep
            for other in others:
                self._duplicate(other.name, keep)
        for module in self.program.modules:
            table: dict[str, n.Decl] = {}
            for item in module.items:
                if isinstance(item, n.PolicyHeader | n.Import) or first[item.name.text] is not item:
                    continue
                table[item.name.text] = item
                if isinstance(item, n.DomainDecl):
                    self._declare_levels(item)
            self.res.own[module.name] = table
        for module in self.program.modules:
            scope: dict[str, n.Decl] = {}
            for dep, _ in self.program.imports.get(module.name, ()):
                scope.update(self.res.own[dep])
            scope.update(self.res.own[module.name])
            self.res.scopes[module.name] = scope

    def _declare_levels(self, domain: n.DomainDecl) -> None:
        seen: dict[str, n.LevelDecl] = {}
        for level in domain.levels:
            prior = seen.get(level.name.text)
            if prior is not None:
                self._duplicate(level.name, prior)
                continue
            seen[level.name.text] = level

    def owners(self, text: str) -> list[n.DomainDecl]:
        """The domains that have a level named `text`, in declaration order. Indexed on first
        use: most policies never name a level apart from its domain, and the index takes a
        list per level name."""
        if self._level_owners is None:
            self._level_owners = {}
            for table in self.res.own.values():
                for decl in table.values():
                    if isinstance(decl, n.DomainDecl):
                        for level in dict.fromkeys(lv.name.text for lv in decl.levels):
                            self._level_owners.setdefault(level, []).append(decl)
        return self._level_owners.get(text, [])

    def _duplicate(self, name: n.Name, prior: Target) -> None:
        what = n.kind_of(prior) if not isinstance(prior, n.LevelDecl) else "level"
        self.reporter.add(msg.duplicate_declaration(name.text, name.span, prior.name.span, what))

    # ------------------------------------------------------------------ lookups

    def ref(
        self,
        module: n.Module,
        name: n.Name,
        kinds: Sequence[str],
        *,
        unknown: msg.UnknownName = msg.unknown_name,
        purpose: str = "",
    ) -> n.Decl | None:
        """Bind `name` to a declaration of one of `kinds`, or report why it can't be: with
        `unknown` (`msg.unknown_role`, `msg.unknown_context`) when it is not declared."""
        scope = self.res.scopes[module.name]
        decl = scope.get(name.text)
        if decl is None:
            pool = [t for t, d in scope.items() if n.kind_of(d) in kinds]
            owners = self.owners(name.text)
            owner = owners[0].name.text if owners else None
            self.reporter.add(
                unknown(name.text, kinds, name.span, candidates=pool, level_of=owner,
                        purpose=purpose)
            )
            return None
        kind = n.kind_of(decl)
        if kind not in kinds:
            wrong = (
                msg.require_non_safeguard if set(kinds) == set(_REQUIRABLE) else msg.wrong_kind
            )
            self.reporter.add(wrong(name.text, kind, kinds, name.span, decl.name.span))
            self.use(decl)
            return None
        self.res.refs[name.span] = decl
        self.res.bound.append(name)
        self.use(decl)
        return decl

    def use(self, decl: n.Decl) -> None:
        """`decl` is used, by the item being resolved."""
        self.res.used.add(decl.span)
        self._uses(decl)

    def _uses(self, decl: n.Decl) -> None:
        """The item being resolved names `decl`. Kept as a tuple once the item is resolved
        (`run`), not a set: most items name a few declarations, and a set's table takes four
        times a short tuple's memory. A name written again right after itself is kept once;
        other repeats are harmless."""
        if self.current is not None and (not self.named or self.named[-1] != decl.span):
            self.named.append(decl.span)

    def refs(
        self,
        module: n.Module,
        names: Iterable[n.Name],
        kinds: Sequence[str],
        *,
        unknown: msg.UnknownName = msg.unknown_name,
    ) -> None:
        for name in names:
            self.ref(module, name, kinds, unknown=unknown)

    def ranks(self, domain: n.DomainDecl) -> dict[int, int]:
        """Each level of `domain` (by `id`) with its rank (1 = lowest), indexed once."""
        found = self._ranks.get(id(domain))
        if found is None:
            found = self._ranks[id(domain)] = {id(lv): i + 1 for i, lv in enumerate(domain.levels)}
            self._by_name[id(domain)] = {}
            for lv in domain.levels:
                self._by_name[id(domain)].setdefault(lv.name.text, lv)
        return found

    def level(self, domain: n.DomainDecl, name: n.Name) -> n.LevelDecl | None:
        self.ranks(domain)
        level = self._by_name[id(domain)].get(name.text)
        if level is not None:
            self.res.refs[name.span] = level
            self.res.bound.append(name)
            self.res.levels[name.span] = domain
            self._uses(domain)  # a level stands for its domain
            return level
        owners = [d for d in self.owners(name.text) if d is not domain]
        if owners:
            self.reporter.add(
                msg.level_of_other_domain(
                    name.text,
                    owners[0].name.text,
                    domain.name.text,
                    [lv.name.text for lv in domain.levels],
                    name.span,
                    domain.name.span,
                )
            )
            return None
        levels = [lv.name.text for lv in domain.levels]
        self.reporter.add(
            msg.unknown_level(name.text, domain.name.text, levels, name.span, domain.name.span)
        )
        return None

    def comparison(self, domain: n.DomainDecl, op: ir.Op, level: n.LevelDecl) -> LevelComparison:
        rank = self.ranks(domain)[id(level)]
        return LevelComparison(domain.name.text, op, rank, level.name.text, len(domain.levels))

    # ------------------------------------------------------------------ walking

    def run(self) -> Resolution:
        self.declare()
        for module in self.program.modules:
            for item in module.items:
                self.current = item
                self.item(module, item)
                if self.named:
                    self.res.uses[item.span] = tuple(self.named)
                    self.named.clear()
        self.current = None
        return self.res

    def item(self, m: n.Module, item: n.Item) -> None:
        if isinstance(item, n.ContextDecl):
            self.refs(m, item.includes, _CONTEXT, unknown=msg.unknown_context)
        elif isinstance(item, n.RoleDecl):
            self.refs(m, item.includes, _ROLE, unknown=msg.unknown_role)
        elif isinstance(item, n.DomainDecl | n.EvidenceDecl):
            self.refs(m, item.deciders, _ROLE, unknown=msg.unknown_role)
            if isinstance(item, n.DomainDecl):
                self.refs(m, item.settings, _CONTEXT, unknown=msg.unknown_context)
                self.refs(m, item.order, _CONTEXT, unknown=msg.unknown_context)
                self.carry_forward(m, item.carry_forward)
        elif isinstance(item, n.PolicyHeader):
            self.carry_forward(m, item.carry_forward)
            for rename in item.renames:
                self.renamed(m, rename.new)
        elif isinstance(item, n.DefinitionDecl):
            self.expr(m, item.expr)
        elif isinstance(item, n.SafeguardDecl):
            if item.efficacy is not None:
                self.expr(m, item.efficacy)
        elif isinstance(item, n.StandardDecl):
            self.ref(m, item.family, ("family",))
            if item.extends is not None:
                self.ref(m, item.extends, ("standard",))
            self.refs(m, item.includes, ("safeguard",))
            if item.efficacy is not None:
                self.expr(m, item.efficacy)
        elif isinstance(item, n.ArtifactDecl):
            self.refs(m, item.audience, _ROLE, unknown=msg.unknown_role)
        elif isinstance(item, n.RuleDecl):
            self.rule(m, item)
        elif isinstance(item, n.WaiverDecl):
            self.waiver(m, item)
        elif isinstance(item, n.ScenarioDecl):
            self.scenario(m, item)
        elif isinstance(item, n.AssertDecl):
            self.assertion(m, item)

    def carry_forward(self, m: n.Module, c: n.CarryForward | None) -> None:
        if c is not None and c.when is not None:
            self.expr(m, c.when)

    def rule(self, m: n.Module, rule: n.RuleDecl) -> None:
        if rule.when is not None:
            self.expr(m, rule.when)
        for req in rule.requirements:
            self.refs(m, req.targets, _REQUIRABLE)
            self.refs(m, req.contexts, _CONTEXT, unknown=msg.unknown_context)
            if req.efficacy is not None:
                self.expr(m, req.efficacy)
        for ob in (*rule.obligations, *rule.fallbacks):
            self.obligation(m, ob)
        for cmp in rule.rules_out:
            self.expr(m, cmp)

    def renamed(self, m: n.Module, r: n.Renamed) -> None:
        """What a rename map calls a name now: a domain, standard, safeguard or rule of this
        policy, or `DOMAIN.LEVEL` (the names of the version it supersedes are only read by
        `rspl diff`)."""
        if r.level is None:
            self.ref(m, r.name, ("domain", "standard", "safeguard", "rule", "warning", "cadence"))
            return
        domain = self.ref(m, r.name, ("domain",))
        if isinstance(domain, n.DomainDecl):
            self.level(domain, r.level)

    def assertion(self, m: n.Module, a: n.AssertDecl) -> None:
        """An assertion names a context (never/always permitted) or a standard or safeguard
        (`requires`, with the contexts of its `for`); its condition reads as a rule's."""
        if a.kind == "requires":
            self.ref(m, a.target, _REQUIRABLE)
            self.refs(m, a.contexts, _CONTEXT, unknown=msg.unknown_context)
        else:
            self.ref(m, a.target, _CONTEXT, unknown=msg.unknown_context)
        if a.when is not None:
            self.expr(m, a.when)

    def waiver(self, m: n.Module, w: n.WaiverDecl) -> None:
        """A waiver's target: a standard or safeguard, or with `of RULE` an action of a rule
        (E1303 for an action named without its rule)."""
        if w.target is not None and w.rule is None:
            decl = self.res.scopes[m.name].get(w.target.text)
            if isinstance(decl, n.ActionDecl):
                self.res.refs[w.target.span] = decl
                self.res.bound.append(w.target)
                self.use(decl)
                self.reporter.add(msg.waiver_duty_without_rule(w.target.text, w.target.span))
            else:
                self.ref(m, w.target, _REQUIRABLE)
        elif w.target is not None and w.rule is not None:
            self.duty(m, w.target, w.rule)  # an `as` name of the rule, else an action
        self.refs(m, w.contexts, _CONTEXT, unknown=msg.unknown_context)
        if w.when is not None:
            self.expr(m, w.when)
        self.refs(m, w.approved_by, _ROLE, unknown=msg.unknown_role)

    def obligation(self, m: n.Module, ob: n.Obligation) -> None:
        self.ref(m, ob.action, ("action",))
        self.refs(m, ob.objects, _ANY)
        self.refs(m, ob.by, _ROLE, unknown=msg.unknown_role)
        self.refs(m, ob.approved_by, _ROLE, unknown=msg.unknown_role)
        self.refs(m, ob.to, _ROLE, unknown=msg.unknown_recipient)
        d = ob.deadline
        if isinstance(d, n.Within) and d.event is not None:
            self.ref(m, d.event, ("evidence",))
        elif isinstance(d, n.DueEvent):
            decl = self.res.scopes[m.name].get(d.event.text)
            if isinstance(decl, n.ContextDecl):  # E1502: meant `due at` or `before`
                self.reporter.add(msg.due_context(d.event.text, d.event.span, decl.name.span))
            else:
                self.ref(m, d.event, ("evidence",))
        elif isinstance(d, n.Before | n.DueAt):
            self.refs(m, d.contexts, _CONTEXT, unknown=msg.unknown_context)
        elif isinstance(d, n.Every) and d.since is not None:
            self.ref(m, d.since, ("evidence",))
        elif isinstance(d, n.Until):
            self.expr(m, d.expr)

    def expr(self, m: n.Module, e: n.Expr) -> None:
        if isinstance(e, n.NameRef):
            self.value_name(m, e.name)
        elif isinstance(e, n.Compare):
            self.compare(m, e)
        elif isinstance(e, n.Not):
            self.expr(m, e.operand)
        elif isinstance(e, n.And | n.Or | n.AtLeast):
            for sub in e.operands:
                self.expr(m, sub)
        elif isinstance(e, n.Implemented):
            self.ref(m, e.name, _REQUIRABLE)
        elif isinstance(e, n.DomainQuant):
            self.domain_quant(m, e)
        elif isinstance(e, n.MemberTest):
            self.ref(m, e.name, ("evidence",))
            if e.right is not None:
                self.operand(m, e.right, e.right)

    def value_name(self, m: n.Module, name: n.Name) -> n.Decl | None:
        """A name used as a value; a level name met on its own is bound to its level."""
        if name.text not in self.res.scopes[m.name] and (owners := self.owners(name.text)):
            self.level(owners[0], name)
            return None
        return self.ref(m, name, _VALUE)

    def operand(self, m: n.Module, op: n.Operand, other: n.Operand) -> None:
        if isinstance(op, n.Since | n.MemberBound):
            self.ref(m, op.name, ("evidence",))
        elif isinstance(op, n.NameRef):
            domain = self._domain_of(m, other)
            if domain is not None and self._domain_of(m, op) is None:
                self.level(domain, op.name)
            else:
                self.value_name(m, op.name)

    def _domain_of(self, m: n.Module, op: n.Operand) -> n.DomainDecl | None:
        if isinstance(op, n.NameRef):
            decl = self.res.scopes[m.name].get(op.name.text)
            if isinstance(decl, n.DomainDecl):
                return decl
        return None

    def compare(self, m: n.Module, c: n.Compare) -> None:
        self.operand(m, c.left, c.right)
        # The right side of `CBRN >= CBRN_3` is a level of the left; resolve the left first.
        self.operand(m, c.right, c.left)
        if not isinstance(c.left, n.NameRef) or not isinstance(c.right, n.NameRef):
            return
        sides = ((c.left, c.right, False), (c.right, c.left, True))
        for domain_side, level_side, swapped in sides:
            domain = self.res.target(domain_side.name)
            level = self.res.target(level_side.name)
            if (
                isinstance(domain, n.DomainDecl)
                and isinstance(level, n.LevelDecl)
                and self.res.levels.get(level_side.name.span) is domain
            ):
                op = _op(c.op, swapped=swapped)
                found = self.comparison(domain, op, level)
                if domain_side.residual:
                    found = attrs.evolve(found, residual=True)
                self.res.comparisons[c.span] = found
                return

    def domain_quant(self, m: n.Module, q: n.DomainQuant) -> None:
        domains: list[n.DomainDecl] = []
        if q.domains is not None:
            for name in q.domains:
                decl = self.ref(m, name, ("domain",))
                if isinstance(decl, n.DomainDecl):
                    self._quant_level(decl, q.level)
                    domains.append(decl)
        else:
            for decl in self.res.scopes[m.name].values():
                if isinstance(decl, n.DomainDecl) and has_status(decl, q.status):
                    self.use(decl)
                    domains.append(decl)
        op = _op(q.op)
        found = []
        for domain in domains:
            level = next((lv for lv in domain.levels if lv.name.text == q.level.text), None)
            if level is not None and has_status(domain, q.status):
                lc = self.comparison(domain, op, level)
                found.append(attrs.evolve(lc, residual=True) if q.residual else lc)
        self.res.quantified[q.span] = tuple(found)

    def _quant_level(self, domain: n.DomainDecl, level: n.Name) -> None:
        if any(lv.name.text == level.text for lv in domain.levels):
            self.use(domain)

    def scenario(self, m: n.Module, s: n.ScenarioDecl) -> None:
        for g in s.givens:
            if isinstance(g, n.GivenLevel):
                domain = self.ref(m, g.domain, ("domain",))
                if g.setting is not None:
                    self.ref(m, g.setting, _CONTEXT, unknown=msg.unknown_context)
                for lv in (g.level, g.unsure, g.below):
                    if lv is not None and isinstance(domain, n.DomainDecl):
                        self.level(domain, lv)
            elif isinstance(g, n.GivenValue | n.GivenMember):
                self.ref(m, g.name, ("evidence",))
            elif isinstance(g, n.GivenImplemented):
                self.refs(m, g.names, _REQUIRABLE)
            elif isinstance(g, n.GivenDone | n.GivenFailed):
                self.duty(m, g.action, g.rule)
            elif isinstance(g, n.GivenProvisional | n.GivenCarried):
                self.ref(m, g.domain, ("domain",))
            elif isinstance(g, n.GivenApproved):
                self.refs(m, g.names, ("waiver",))
        for x in s.expects:
            if isinstance(x, n.Expect):
                if x.what in ("required", "not_required", "missing", "recommended",
                              "not_counted"):  # fmt: skip
                    self.refs(m, x.names, _REQUIRABLE)
                elif x.what in ("provisional", "carried_accepted", "carried_rejected"):
                    self.refs(m, x.names, ("domain",))
                elif x.what == "alert":
                    self.refs(m, x.names, ("warning",))
                elif x.what in ("waived", "not_waived"):
                    self.refs(m, x.names, ("waiver",))
                else:
                    self.refs(m, x.names, ("rule", "warning", "cadence"))
                if x.context is not None:
                    self.ref(m, x.context, _CONTEXT, unknown=msg.unknown_context)
            elif isinstance(x, n.ExpectVerdict):
                self.ref(m, x.context, _CONTEXT, unknown=msg.unknown_context)
            elif isinstance(x, n.ExpectObligation | n.ExpectRoles):
                self.duty(m, x.action, x.rule)
                for key, names, _ in x.clauses if isinstance(x, n.ExpectRoles) else ():
                    unknown = msg.unknown_recipient if key == "to" else msg.unknown_role
                    self.refs(m, names, _ROLE, unknown=unknown)

    def duty(self, m: n.Module, key: n.Name, rule: n.Name) -> None:
        """`KEY of RULE` in a scenario: KEY is a duty's `as` name in the rule, or an action."""
        decl = self.ref(m, rule, ("rule", "warning", "cadence"))
        if isinstance(decl, n.RuleDecl) and any(
            ob.name is not None and ob.name.text == key.text
            for ob in (*decl.obligations, *decl.fallbacks)
        ):
            return
        self.ref(m, key, ("action",))


def has_status(domain: n.DomainDecl, status: n.Name | None) -> bool:
    """Whether `domain` is in the set `any STATUS domain` ranges over (no status: tracked)."""
    if status is None:
        return True
    return (domain.status.text if domain.status else "tracked") == status.text


def resolve(program: Program, reporter: Reporter) -> Resolution:
    """Bind every name in `program`; see the module docstring for what is reported."""
    return _Resolver(program, reporter).run()
