"""Pass 6, lower: a checked program to the IR (`rspl.ir`).

Runs only when the earlier passes reported no error, so every name is bound and every
expression well typed. Flattens modules (the main file first, then imports in the order met),
turns levels into ranks, quantities into base units, expands standards' inherited
safeguards and domain quantifiers (`any tracked domain >= High`), and turns scenarios into
evaluator input.

The lowerer takes from the program, when it starts, everything that needs the program whole
(the header, the source hash, the unused imports, the standards' lineages); then it lowers
the declarations kind by kind and lets each go once lowered. When the caller keeps no other
reference to the program (`rspl.pipeline.compile_source(keep_program=False)`, what `rspl
build` asks for), each declaration is freed as its IR is made, so the program and the IR are
never both whole in memory (docs/performance.md, "Lowering lets the program go").
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import TypeVar, cast, get_args

import attrs

from rspl import ir, units
from rspl import nodes as n
from rspl.loader import Program
from rspl.resolver import LevelComparison, Resolution
from rspl.spans import Span
from rspl.usage import imported_unused

_D = TypeVar("_D", bound=n.Item)
_R = TypeVar("_R")
_W = TypeVar("_W", bound=str)

# ---------------------------------------------------------------------------- words
# The checker has rejected every word outside these sets, so a failed conversion is a
# compiler bug, not an error in the policy.

_OPS: tuple[ir.Op, ...] = get_args(ir.Op)
_MODALITIES: tuple[ir.Modality, ...] = get_args(ir.Modality)
_RULE_KINDS: tuple[ir.RuleKind, ...] = get_args(ir.RuleKind)
_REQUIREMENT_KINDS: tuple[ir.RequirementKind, ...] = get_args(ir.RequirementKind)
_REF_KINDS: tuple[ir.RefKind, ...] = get_args(ir.RefKind)
_DOMAIN_STATUSES: tuple[ir.DomainStatus, ...] = get_args(ir.DomainStatus)
_DIMENSIONS: tuple[ir.Dimension, ...] = get_args(ir.Dimension)
_EVIDENCE_TYPES: tuple[ir.EvidenceType, ...] = get_args(ir.EvidenceType)
_CATEGORIES: tuple[ir.SafeguardCategory, ...] = get_args(ir.SafeguardCategory)
_CLAIM_TYPES: tuple[ir.ClaimType, ...] = get_args(ir.ClaimType)
_OBLIGATION_STATUSES: tuple[ir.ObligationStatus, ...] = get_args(ir.ObligationStatus)
_EXPECTATIONS: tuple[ir.ExpectationKind, ...] = get_args(ir.ExpectationKind)
_COMBINES: tuple[ir.Combine, ...] = get_args(ir.Combine)


def _word(word: str, allowed: tuple[_W, ...], what: str) -> _W:
    """`word` as a member of `allowed` (a `Literal` type's values)."""
    for value in allowed:
        if value == word:
            return value
    raise AssertionError(f"`{word}` is not a {what}; the checker should have said so")


def _op(word: str) -> ir.Op:
    return _word(word, _OPS, "comparison operator")


def _modality(word: str) -> ir.Modality:
    return _word(word, _MODALITIES, "modality")


def _rule_kind(word: str) -> ir.RuleKind:
    return _word(word, _RULE_KINDS, "rule kind")


def _requirement_kind(word: str) -> ir.RequirementKind:
    return _word(word, _REQUIREMENT_KINDS, "standard or safeguard")


def _ref_kind(word: str) -> ir.RefKind:
    return _word(word, _REF_KINDS, "kind of declaration an obligation can name")


def _domain_status(word: str) -> ir.DomainStatus:
    return _word(word, _DOMAIN_STATUSES, "domain status")


def _dimension(word: str) -> ir.Dimension:
    return _word(word, _DIMENSIONS, "dimension")


def _evidence_type(word: str) -> ir.EvidenceType:
    return _word(word, _EVIDENCE_TYPES, "evidence type")


def _category(word: str) -> ir.SafeguardCategory:
    return _word(word, _CATEGORIES, "safeguard category")


def _claim_type(word: str) -> ir.ClaimType:
    return _word(word, _CLAIM_TYPES, "claim type")


def _obligation_status(word: str) -> ir.ObligationStatus:
    return _word(word, _OBLIGATION_STATUSES, "obligation status")


def _expectation(word: str) -> ir.ExpectationKind:
    return _word(word, _EXPECTATIONS, "kind of expectation")


def _combine(word: str) -> ir.Combine:
    return _word(word, _COMBINES, "way to combine standards")


def _level_cmp(lc: LevelComparison) -> ir.LevelCmp:
    return ir.LevelCmp(lc.domain, lc.op, lc.rank, lc.level, lc.residual)


def _decided_per_context(
    rules: tuple[ir.Rule, ...],
    domains: tuple[ir.Domain, ...],
    definitions: tuple[ir.Definition, ...],
    contexts: tuple[ir.Context, ...],
) -> tuple[ir.Rule, ...]:
    """Each rule whose condition reads a domain assessed per context, with the contexts it
    is decided for: those every such domain it reads is assessed for, in policy order."""
    per_setting = {d.name: d for d in domains if d.settings}
    if not per_setting:
        return rules
    defs = {d.name: d for d in definitions}
    out = []
    for rule in rules:
        read = set()
        if rule.condition is not None:
            read = {
                x.domain
                for x in ir.walk(rule.condition, defs)
                if isinstance(x, ir.LevelCmp) and x.domain in per_setting
            }
        if read:
            covered = [
                c.name
                for c in contexts
                if all(per_setting[d].setting_of(c.name) is not None for d in read)
            ]
            rule = attrs.evolve(rule, contexts=tuple(covered))
        out.append(rule)
    return tuple(out)


class Lowering:
    """A lowering begun: made from the program and its resolution, it holds only what
    lowering reads, so a caller that lets go of the program has the declarations freed as
    they are lowered (`policy`, once)."""

    def __init__(self, program: Program, res: Resolution) -> None:
        # Everything that needs the whole program, first; then no reference to the program
        # or to the tables of `res` that hold every declaration (see the module docstring).
        self.names = program.names
        self.header = next(i for i in program.main.items if isinstance(i, n.PolicyHeader))
        self.source_hash = source_hash(program)
        self.files = tuple(program.names[m.path] for m in program.modules)
        self.imported_unused = imported_unused(program, res)
        self.res = res.meanings()
        # each kind's declarations in module order, each removed as it is lowered (`of`)
        self.pending: dict[type[object], list[n.Item]] = {}
        for m in program.modules:
            for item in m.items:
                self.pending.setdefault(type(item), []).append(item)
        standards = self.pending.get(n.StandardDecl, [])
        self.lineages = self._lineages(cast("list[n.StandardDecl]", standards))
        self.lowered = False
        # one IR tuple per distinct list of citations (`anchors`)
        self._anchors: dict[tuple[tuple[str, str | None], ...], tuple[ir.Anchor, ...]] = {}

    def origin(self, span: Span) -> ir.Origin:
        """Where `span` is, its file named relative to the main policy's folder
        (`Program.names`): build outputs do not depend on the path the policy was built from."""
        return ir.Origin(self.names.get(span.file, span.file), span.line)

    def anchors(self, anchors: tuple[n.Anchor, ...]) -> tuple[ir.Anchor, ...]:
        """The citations as IR values. Policies cite the same sections again and again
        (`source "§4"` on every rule of a section): equal lists share one frozen tuple."""
        key = tuple((a.text, a.url) for a in anchors)
        found = self._anchors.get(key)
        if found is None:
            found = self._anchors[key] = tuple(ir.Anchor(a.text, a.url) for a in anchors)
        return found

    def of(self, cls: type[_D], lower: Callable[[_D], _R]) -> list[_R]:
        """`lower` applied to every declaration of class `cls`, in module order, each let go
        as soon as it is lowered (the lowerer's is then the last reference, unless the caller
        kept the program). Each class is lowered once."""
        items = cast("list[_D]", self.pending.pop(cls, []))
        items.reverse()
        out = []
        while items:
            out.append(lower(items.pop()))
        return out

    # ------------------------------------------------------------------ policy

    def policy(self) -> ir.Policy:
        """The IR; once, since the declarations are let go as they are lowered."""
        if self.lowered:
            raise RuntimeError("this lowering has already made its IR")
        self.lowered = True
        header = self.header
        # Rules first: the most numerous declarations, and named by few others (a waiver's
        # `of RULE`), so most are freed (see the module docstring) before the rest's IR is made.
        lowered = tuple(self.of(n.RuleDecl, self.rule))
        contexts = self.of(n.ContextDecl, self.context)
        plain = tuple(c for c in contexts if isinstance(c, ir.Context))
        domains = tuple(self.of(n.DomainDecl, self.domain))
        definitions = tuple(self.of(n.DefinitionDecl, self.definition))
        rules = _decided_per_context(lowered, domains, definitions, plain)
        return ir.Policy(
            id=header.name.text,
            title=header.title,
            organization=header.organization,
            version=header.version,
            effective=header.effective.value if header.effective else None,
            published=header.published.value if header.published else None,
            supersedes=header.supersedes,
            url=header.url,
            changes=tuple(ir.Change(c.date.value, c.version, c.summary) for c in header.changes),
            combine=_combine(header.combine or "highest"),
            anchors=self.anchors(header.anchors),
            means=header.means,
            roles=tuple(self.of(n.RoleDecl, self.role)),
            contexts=plain,
            context_groups=tuple(c for c in contexts if isinstance(c, ir.ContextGroup)),
            domains=domains,
            evidence=tuple(self.of(n.EvidenceDecl, self.evidence)),
            definitions=definitions,
            safeguards=tuple(self.of(n.SafeguardDecl, self.safeguard)),
            families=tuple(self.of(n.FamilyDecl, self.family)),
            standards=tuple(self.of(n.StandardDecl, self.standard)),
            artifacts=tuple(self.of(n.ArtifactDecl, self.artifact)),
            actions=tuple(self.of(n.ActionDecl, self.action)),
            rules=rules,
            scenarios=tuple(self.of(n.ScenarioDecl, self.scenario)),
            source_hash=self.source_hash,
            files=self.files,
            superseded=header.superseded.value if header.superseded else None,
            successor=header.successor,
            carry_forward=self.carry(header.carry_forward, "policy"),
            waivers=tuple(self.of(n.WaiverDecl, lambda w: self.waiver(w, plain))),
            imported_unused=self.imported_unused,
            assertions=tuple(self.of(n.AssertDecl, lambda a: self.assertion(a, plain))),
            renames=tuple(
                ir.Rename(tuple(o.text for o in r.old), r.new.text) for r in header.renames
            ),
        )

    def assertion(self, a: n.AssertDecl, every: tuple[ir.Context, ...]) -> ir.Assertion:
        if a.kind == "requires":
            kind = self._kind(a.target)
            assert kind in ("standard", "safeguard")
            names = a.contexts
        else:
            kind, names = "context", (a.target,)
        contexts = self.contexts(names) if names else tuple(c.name for c in every)
        order = {c.name: i for i, c in enumerate(every)}
        return ir.Assertion(
            name=a.name.text,
            title=a.title,
            kind=a.kind,
            target=a.target.text,
            target_kind=kind,  # type: ignore[arg-type]
            contexts=tuple(sorted(contexts, key=lambda c: order.get(c, len(order)))),
            condition=self.expr(a.when) if a.when is not None else None,
            anchors=self.anchors(a.anchors),
            means=a.means,
            origin=self.origin(a.span),
            written=tuple(x.text for x in names),
        )

    def waiver(self, w: n.WaiverDecl, every: tuple[ir.Context, ...]) -> ir.Waiver:
        assert w.target is not None  # the checker's E1301
        kind = "duty" if w.rule is not None else self._kind(w.target)
        assert kind in ("standard", "safeguard", "duty")
        contexts = self.contexts(w.contexts) if w.contexts else tuple(c.name for c in every)
        order = {c.name: i for i, c in enumerate(every)}
        return ir.Waiver(
            name=w.name.text,
            title=w.title,
            kind=kind,  # type: ignore[arg-type]
            target=w.target.text,
            rule=w.rule.text if w.rule is not None else None,
            contexts=tuple(sorted(contexts, key=lambda c: order.get(c, len(order)))),
            condition=self.expr(w.when) if w.when is not None else None,
            approved_by=tuple(r.text for r in w.approved_by),
            anchors=self.anchors(w.anchors),
            means=w.means,
            origin=self.origin(w.span),
            approved_by_any=w.approved_by_any and len(w.approved_by) > 1,
            written=self.written(w.contexts),
        )

    def carry(self, c: n.CarryForward | None, scope: str) -> ir.CarryForward | None:
        if c is None:
            return None
        period = text = None
        if c.within is not None:
            unit = c.within.unit.text if c.within.unit else "days"
            period, text = self.period(c.within.value, unit), c.within.text
        condition = self.expr(c.when) if c.when is not None else None
        return ir.CarryForward(period, text, condition, "policy" if scope == "policy" else "domain")

    # ------------------------------------------------------------------ declarations

    def role(self, d: n.RoleDecl) -> ir.Role:
        return ir.Role(d.name.text, d.title, self.anchors(d.anchors), d.means,
                       tuple(dict.fromkeys(m.text for m in d.includes)), d.phrase)

    def context(self, d: n.ContextDecl) -> ir.Context | ir.ContextGroup:
        if d.includes:
            return ir.ContextGroup(
                d.name.text, d.title, tuple(m.text for m in d.includes),
                self.anchors(d.anchors), d.means, d.phrase,
            )  # fmt: skip
        return ir.Context(d.name.text, d.title, self.anchors(d.anchors), d.means, d.phrase)

    def family(self, d: n.FamilyDecl) -> ir.Family:
        return ir.Family(d.name.text, d.title, self.anchors(d.anchors), d.means)

    def evidence(self, d: n.EvidenceDecl) -> ir.Evidence:
        per = d.per.dimension.text if d.per is not None else None
        members = None
        if d.per is not None and d.per.members is not None:
            members = tuple(m.text for m in d.per.members)
        return ir.Evidence(
            d.name.text, _evidence_type(d.type.text), d.title, tuple(x.text for x in d.deciders),
            self.anchors(d.anchors), d.means, self.origin(d.span), per, members, d.phrase,
        )  # fmt: skip

    def definition(self, d: n.DefinitionDecl) -> ir.Definition:
        return ir.Definition(
            d.name.text, d.title, self.expr(d.expr), self.anchors(d.anchors), d.means,
            self.origin(d.span), d.phrase,
        )  # fmt: skip

    def safeguard(self, d: n.SafeguardDecl) -> ir.Safeguard:
        return ir.Safeguard(
            d.name.text, d.title, _category(d.category.text) if d.category else None,
            _claim_type(d.claim.text) if d.claim else None,
            self.expr(d.efficacy) if d.efficacy is not None else None,
            self.anchors(d.anchors), d.means, self.origin(d.span), d.phrase,
        )  # fmt: skip

    def artifact(self, d: n.ArtifactDecl) -> ir.Artifact:
        return ir.Artifact(
            d.name.text, d.title, d.contains, tuple(x.text for x in d.audience),
            self.anchors(d.anchors), d.means, d.phrase,
        )  # fmt: skip

    def action(self, d: n.ActionDecl) -> ir.Action:
        return ir.Action(
            d.name.text, d.title, d.blocking, self.anchors(d.anchors), d.means, d.phrase
        )

    def domain(self, d: n.DomainDecl) -> ir.Domain:
        levels = tuple(
            ir.Level(
                lv.name.text, lv.title, i + 1, lv.means, lv.baseline, lv.actors,
                self.anchors(lv.anchors), self.origin(lv.span),
            )
            for i, lv in enumerate(d.levels)
        )
        carry = tuple(
            c for c in (self.carry(self.header.carry_forward, "policy"),
                        self.carry(d.carry_forward, "domain"))
            if c is not None
        )  # fmt: skip
        return ir.Domain(
            d.name.text, d.title, _domain_status(d.status.text if d.status else "tracked"),
            tuple(x.text for x in d.deciders), levels, self.anchors(d.anchors), d.means,
            self.origin(d.span),
            tuple(ir.Setting(x.text, self.contexts((x,))) for x in d.settings),
            d.residual is not None, tuple(x.text for x in d.order),
            d.risk, carry,
        )  # fmt: skip

    def _parent(self, d: n.StandardDecl) -> n.StandardDecl | None:
        cur = self.res.target(d.extends) if d.extends else None
        return cur if isinstance(cur, n.StandardDecl) else None

    def _lineages(self, decls: list[n.StandardDecl]) -> dict[Span, ir.Lineage]:
        """Every standard's `ir.Lineage`, by its declaration's span: one depth-first walk of
        the `extends` forest from its roots, iterative, counting for each safeguard how many
        standards on the path from the root added it, so a standard adds those of its own the
        path has not (each once) in time proportional to its own list. A chain of N standards
        costs N, not the N(N-1)/2 names of its expanded lists."""
        children: dict[int, list[n.StandardDecl]] = {}
        roots = []
        for d in decls:
            parent = self._parent(d)
            if parent is None:
                roots.append(d)
            else:
                children.setdefault(id(parent), []).append(d)
        memo: dict[Span, ir.Lineage] = {}
        on_path: dict[str, int] = {}  # safeguard -> standards on the current path adding it
        todo: list[tuple[n.StandardDecl, ir.Lineage | None]] = [(d, None) for d in roots]
        todo.reverse()
        leave: list[ir.Lineage] = []  # the current path, to undo `on_path` when leaving
        depth: list[int] = []  # len(todo) when each lineage on `leave` was entered
        while todo:
            d, up = todo.pop()
            while leave and depth[-1] > len(todo):  # d's subtree is not under these
                for x in leave.pop().added:
                    on_path[x] -= 1
                depth.pop()
            added = tuple(dict.fromkeys(x.text for x in d.includes if not on_path.get(x.text)))
            hole = d.hole is not None or (up is not None and up.hole)
            lin = memo[d.span] = ir.Lineage(d.name.text, added, up, hole)
            for x in added:
                on_path[x] = on_path.get(x, 0) + 1
            leave.append(lin)
            depth.append(len(todo))
            todo.extend((c, lin) for c in reversed(children.get(id(d), [])))
        for d in decls:  # on or below an `extends` cycle (reported by the checker)
            if d.span not in memo:
                memo[d.span] = self._lineage_in_cycle(d)
        return memo

    def _lineage_in_cycle(self, d: n.StandardDecl) -> ir.Lineage:
        """A lineage for a standard on or below a cycle, which the checker has rejected: its
        safeguards expanded, its ancestors not linked."""
        ancestors: list[n.StandardDecl] = []
        cur = self._parent(d)
        while cur is not None and cur is not d and all(a is not cur for a in ancestors):
            ancestors.append(cur)
            cur = self._parent(cur)
        safeguards: dict[str, None] = {}
        for std in [*reversed(ancestors), d]:
            safeguards.update(dict.fromkeys(x.text for x in std.includes))
        hole = any(s.hole is not None for s in (d, *ancestors))
        return ir.Lineage(d.name.text, tuple(safeguards), None, hole)

    def standard(self, d: n.StandardDecl) -> ir.Standard:
        return ir.Standard(
            name=d.name.text,
            title=d.title,
            family=d.family.text,
            extends=d.extends.text if d.extends else None,
            # a standard extending one not yet defined cannot be met either (`lineage.hole`)
            lineage=self.lineages[d.span],
            own_safeguards=tuple(dict.fromkeys(x.text for x in d.includes)),
            protects=d.protects,
            excludes=d.excludes,
            references=d.references,
            anchors=self.anchors(d.anchors),
            means=d.means,
            origin=self.origin(d.span),
            criterion=self.expr(d.efficacy) if d.efficacy is not None else None,
            phrase=d.phrase,
        )

    # ------------------------------------------------------------------ rules

    def rule(self, r: n.RuleDecl) -> ir.Rule:
        reqs = tuple(
            ir.Requirement(
                t.text, _requirement_kind(self._kind(t)), self.contexts(req.contexts),
                self.anchors(req.anchors), req.note, _modality(req.modality),
                self.expr(req.efficacy) if req.efficacy is not None else None,
                self.written(req.contexts),
            )
            for req in r.requirements
            for t in req.targets
        )
        return ir.Rule(
            kind=_rule_kind(r.kind),
            name=r.name.text,
            title=r.title,
            condition=self.expr(r.when) if r.when is not None else None,
            requirements=reqs,
            obligations=tuple(self.obligation(o) for o in r.obligations),
            fallbacks=tuple(self.obligation(o) for o in r.fallbacks),
            rules_out=tuple(self.rule_out(cmp) for cmp in r.rules_out),
            anchors=self.anchors(r.anchors),
            means=r.means,
            origin=self.origin(r.span),
            ladder=r.ladder is not None,
        )

    def rule_out(self, cmp: n.Compare) -> ir.RuleOut:
        """`rules out DOMAIN >= LEVEL` (or `> LEVEL`): the lowest rank ruled out."""
        lc = self.res.level_comparison(cmp)
        if lc is None or lc.op not in (">=", ">"):  # pragma: no cover - the checker's E0407
            raise AssertionError(f"`rules out` needs DOMAIN >= LEVEL, not {cmp!r}")
        return ir.RuleOut(lc.domain, lc.rank + (1 if lc.op == ">" else 0))

    def contexts(self, names: tuple[n.Name, ...]) -> tuple[str, ...]:
        """Context names, each group replaced by its members, without repeats."""
        out: list[str] = []
        for name in names:
            target = self.res.target(name)
            if isinstance(target, n.ContextDecl) and target.includes:
                out += [m.text for m in target.includes]
            else:
                out.append(name.text)
        return tuple(dict.fromkeys(out))

    def written(self, names: tuple[n.Name, ...]) -> tuple[str, ...]:
        """The contexts as written when one of them is a group (the document names the group,
        not its expansion); empty otherwise."""
        if not any(self._is_group(x) for x in names):
            return ()
        return tuple(dict.fromkeys(x.text for x in names))

    def _is_group(self, name: n.Name) -> bool:
        target = self.res.target(name)
        return isinstance(target, n.ContextDecl) and bool(target.includes)

    def _kind(self, name: n.Name) -> str:
        decl = self.res.target(name)
        if decl is None:
            return "unknown"
        if isinstance(decl, n.LevelDecl):
            return "level"
        return n.kind_of(decl)

    def obligation(self, o: n.Obligation) -> ir.Obligation:
        action = self.res.target(o.action)
        return ir.Obligation(
            modality=_modality(o.modality),
            action=o.action.text,
            blocking=isinstance(action, n.ActionDecl) and action.blocking,
            objects=self.objects(o.objects),
            by=tuple(x.text for x in o.by),
            approved_by=tuple(x.text for x in o.approved_by),
            deadline=self.deadline(o.deadline),
            anchors=self.anchors(o.anchors),
            origin=self.origin(o.span),
            note=o.note,
            by_any=o.by_any and len(o.by) > 1,
            approved_by_any=o.approved_by_any and len(o.approved_by) > 1,
            to=tuple(dict.fromkeys(x.text for x in o.to)),
            name=o.name.text if o.name is not None else None,
            prohibited=o.negated is not None,
        )

    @staticmethod
    def period(amount: float, unit: str) -> ir.Period:
        """Whole months and years stay calendar months; anything else becomes days, rounded
        up (a deadline is never earlier than the policy says)."""
        per_month = {"month": 1, "months": 1, "year": 12, "years": 12}.get(unit)
        if per_month is not None and float(amount).is_integer():
            return ir.Period(int(amount) * per_month, 0)
        factor = units.UNITS.get(unit, ("duration", 1.0))[1]
        return ir.Period(0, math.ceil(amount * factor - 1e-9))

    def objects(self, names: tuple[n.Name, ...]) -> tuple[ir.Ref, ...]:
        out: list[ir.Ref] = []
        for x in names:
            kind = self._kind(x)
            if kind == "context":
                group = x.text if self._is_group(x) else None
                out += [ir.Ref("context", c, group) for c in self.contexts((x,))]
            else:
                out.append(ir.Ref(_ref_kind(kind), x.text))
        return tuple(out)

    def deadline(self, d: n.Deadline | None) -> ir.Deadline | None:
        if d is None:
            return None
        if isinstance(d, n.Within):
            unit = d.amount.unit.text if d.amount.unit else "days"
            period = self.period(d.amount.value, unit)
            return ir.Within(period, d.amount.text, d.event.text if d.event else None)
        if isinstance(d, n.Before):
            return ir.Before(self.contexts(d.contexts), self.written(d.contexts))
        if isinstance(d, n.Every):
            high = d.high if d.high is not None else d.low
            text = ("about " if d.approximate else "") + f"{d.low:g}"
            text += f" to {d.high:g}" if d.high is not None else ""
            return ir.Every(
                self.period(d.low, d.unit.text), self.period(high, d.unit.text),
                f"{text} {d.unit.text}", d.since.text if d.since else None,
            )  # fmt: skip
        if isinstance(d, n.Until):
            return ir.Until(self.expr(d.expr))
        if isinstance(d, n.Due):
            assert d.date.value is not None
            return ir.Due(d.date.value)
        if isinstance(d, n.DueEvent):
            return ir.DueEvent(d.event.text)
        if isinstance(d, n.DueAt):
            return ir.DueAt(self.contexts(d.contexts), self.written(d.contexts))
        if isinstance(d, n.Soft):
            return ir.Soft(d.text, units.SOFT_WORDS[d.text])
        raise AssertionError(f"unknown deadline {d!r}")  # pragma: no cover

    # ------------------------------------------------------------------ expressions

    def quantity(self, q: n.Quantity) -> ir.Const:
        if q.ratio is not None:  # `1 in 20`: N / M, exactly as `5%` is 5 / 100
            return ir.Const(q.ratio[0] / q.ratio[1], "fraction", q.text)
        if q.unit is None:
            return ir.Const(q.value, "number", q.text)
        dim, value = units.to_base(q.value, q.unit.text)
        return ir.Const(value, _dimension(dim), q.text)

    def value(self, op: n.Operand) -> ir.Value:
        if isinstance(op, n.NameRef):
            return ir.EvidenceValue(op.name.text)
        if isinstance(op, n.Quantity):
            return self.quantity(op)
        if isinstance(op, n.DateLit):
            assert op.value is not None
            return ir.Const(op.value, "date", op.text)
        if isinstance(op, n.MemberBound):
            return ir.MemberBound(op.name.text, "max" if op.bound == "max" else "min")
        return ir.SinceValue(op.name.text)

    def expr(self, e: n.Expr) -> ir.Expr:
        if isinstance(e, n.NameRef):
            decl = self.res.target(e.name)
            if isinstance(decl, n.DefinitionDecl):
                return ir.DefRef(e.name.text)
            return ir.Fact(e.name.text)
        if isinstance(e, n.Compare):
            lc = self.res.level_comparison(e)
            if lc is not None:
                return _level_cmp(lc)
            return ir.Compare(self.value(e.left), _op(e.op), self.value(e.right))
        if isinstance(e, n.Not):
            return ir.Not(self.expr(e.operand))
        if isinstance(e, n.And):
            return ir.And(tuple(self.expr(x) for x in e.operands))
        if isinstance(e, n.Or):
            return ir.Or(tuple(self.expr(x) for x in e.operands))
        if isinstance(e, n.AtLeast):
            items = tuple(self.expr(x) for x in e.operands)
            if e.keyword == "any":
                return ir.Or(items)
            if e.keyword == "all":
                return ir.And(items)
            return ir.AtLeast(e.count or 1, items)
        if isinstance(e, n.Implemented):
            return ir.Implemented(e.name.text, _requirement_kind(self._kind(e.name)))
        if isinstance(e, n.DomainQuant):
            return self.domain_quant(e)
        if isinstance(e, n.MemberTest):
            return self.member_test(e)
        raise AssertionError(f"cannot lower {e!r}")  # pragma: no cover

    def member_test(self, e: n.MemberTest) -> ir.MemberTest:
        op = None if e.op is None else _op(e.op)
        right = None if e.right is None else self.value(e.right)
        if e.quantifier == "all":
            return ir.MemberTest(e.name.text, "all", 0, op, right)
        if e.quantifier == "any":
            return ir.MemberTest(e.name.text, "any", 1, op, right)
        return ir.MemberTest(e.name.text, "at least", e.count or 1, op, right)

    def domain_quant(self, q: n.DomainQuant) -> ir.Expr:
        cmps = tuple(_level_cmp(lc) for lc in self.res.quantified_comparisons(q))
        return ir.Or(cmps) if q.quantifier == "any" else ir.And(cmps)

    # ------------------------------------------------------------------ scenarios

    def scenario(self, s: n.ScenarioDecl) -> ir.Scenario:
        assessment: dict[str, ir.Json] = {}
        determinations: dict[str, ir.Json] = {}
        evidence: dict[str, ir.Json] = {}
        implemented: list[str] = []
        done: list[dict[str, str]] = []
        failed: list[dict[str, str]] = []
        approved: list[str] = []
        for g in s.givens:
            if isinstance(g, n.GivenLevel) and self._assessed(g):
                self.given_assessed(determinations, g)
            elif isinstance(g, n.GivenLevel):
                determinations[g.domain.text] = self.determination(g)
            elif isinstance(g, n.GivenValue):
                evidence[g.name.text] = self.given_value(g.value)
            elif isinstance(g, n.GivenMember):
                members = evidence.setdefault(g.name.text, {})
                assert isinstance(members, dict)
                members[g.member.text] = self.given_value(g.value)
            elif isinstance(g, n.GivenImplemented):
                implemented.extend(x.text for x in g.names)
            elif isinstance(g, n.GivenDone):
                done.append({"rule": g.rule.text, "action": g.action.text})
            elif isinstance(g, n.GivenFailed):
                failed.append({"rule": g.rule.text, "action": g.action.text})
            elif isinstance(g, n.GivenApproved):
                approved.extend(x.text for x in g.names)
            elif isinstance(g, n.GivenAsOf) and g.date.value is not None:
                assessment["as_of"] = g.date.value.isoformat()
        for g in s.givens:  # qualifiers join the domain's determination, given or not
            if isinstance(g, n.GivenProvisional):
                entry = determinations.setdefault(g.domain.text, {"reached": None})
                assert isinstance(entry, dict)
                entry["provisional"] = g.pending
            elif isinstance(g, n.GivenCarried):
                entry = determinations.setdefault(g.domain.text, {"reached": None})
                assert isinstance(entry, dict)
                when = g.date.value.isoformat() if g.date.value else g.date.text
                entry["carried_forward"] = {"date": when, "model": g.model}
        assessment["determinations"] = determinations
        assessment["evidence"] = evidence
        assessment["implemented"] = list(dict.fromkeys(implemented))
        if done:
            assessment["done"] = done
        if failed:
            assessment["failed"] = failed
        if approved:
            assessment["approved"] = list(dict.fromkeys(approved))
        return ir.Scenario(
            name=s.name.text,
            title=s.title,
            assessment=assessment,
            expectations=tuple(self.expectation(x) for x in s.expects),
            means=s.means,
            origin=self.origin(s.span),
        )

    def determination(self, g: n.GivenLevel) -> dict[str, str | None]:
        domain = self.res.target(g.domain)
        assert isinstance(domain, n.DomainDecl)
        if g.below is not None:
            rank = next(i for i, lv in enumerate(domain.levels) if lv.name.text == g.below.text)
            top = domain.levels[rank - 1].name.text if rank > 0 else None
            return {"reached": None, "cannot_rule_out": top}
        return {
            "reached": g.level.text if g.level else None,
            "cannot_rule_out": g.unsure.text if g.unsure else None,
        }

    def _assessed(self, g: n.GivenLevel) -> bool:
        domain = self.res.target(g.domain)
        assert isinstance(domain, n.DomainDecl)
        return bool(domain.settings) or domain.residual is not None

    def given_assessed(self, determinations: dict[str, ir.Json], g: n.GivenLevel) -> None:
        """`given [residual] D [for SETTING] ...` into the per-setting and before/after
        form of the assessment (`rspl.semantics.check_assessed`)."""
        domain = self.res.target(g.domain)
        assert isinstance(domain, n.DomainDecl)
        entry = determinations.setdefault(g.domain.text, {})
        assert isinstance(entry, dict)
        if g.setting is not None:
            entry = entry.setdefault(g.setting.text, {})
            assert isinstance(entry, dict)
        if domain.residual is not None:
            entry[("after" if g.residual else "before")] = self.determination(g)
        else:
            entry.update(self.determination(g))

    def given_value(self, v: n.Quantity | n.DateLit | bool) -> bool | int | float | str:
        if isinstance(v, bool):
            return v
        if isinstance(v, n.DateLit):
            return v.value.isoformat() if v.value else v.text
        value = self.quantity(v).value
        assert isinstance(value, float)
        return int(value) if value.is_integer() else value

    def expectation(self, x: n.Expectation) -> ir.Expectation:
        origin = self.origin(x.span)
        if isinstance(x, n.Expect):
            names = tuple(a.text for a in x.names)
            context = x.context.text if x.context is not None else None
            return ir.Expectation(_expectation(x.what), names, None, None, origin, context)
        if isinstance(x, n.ExpectVerdict):
            return ir.Expectation(_expectation(x.verdict), (x.context.text,), None, None, origin)
        if isinstance(x, n.ExpectRoles):
            roles = tuple(
                (key, tuple(r.text for r in names), any_one and len(names) > 1)
                for key, names, any_one in x.clauses
            )  # fmt: skip
            return ir.Expectation("obligation_roles", (x.action.text, x.rule.text), None, None,
                                  origin, roles=roles)  # fmt: skip
        if x.prohibited:
            return ir.Expectation("prohibited", (x.action.text, x.rule.text), None, None, origin)
        return ir.Expectation(
            "obligation", (x.action.text, x.rule.text), _obligation_status(x.status.text),
            x.due.value if x.due else None, origin,
        )  # fmt: skip


_HASH_CHUNK = 1 << 16  # characters hashed at a time


def source_hash(program: Program) -> str:
    """SHA-256 of every file's text, each under its path relative to the main file's folder
    (`Program.names`; stdlib modules under their own name): the same policy hashes the same
    wherever it is compiled from."""
    digest = hashlib.sha256()
    entries = []
    for module in program.modules:
        entries.append((program.names[module.path], program.texts[module.path]))
    for name, text in sorted(entries):
        digest.update(name.encode("utf-8") + b"\0")
        for at in range(0, len(text), _HASH_CHUNK):  # never a UTF-8 copy of the whole file
            digest.update(text[at : at + _HASH_CHUNK].encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def lower(program: Program, res: Resolution) -> ir.Policy:
    """The IR of a program the checker accepted."""
    return Lowering(program, res).policy()
