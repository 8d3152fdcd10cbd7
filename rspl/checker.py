"""Pass 5, check: types, units and the structural rules of a policy.

Works on the resolved program. Expressions get a `Type`; conditions must be true-or-false
(E0303); comparisons need matching sides (E0301, E0302, E0304); durations since a date need
a date (E0305). Standards are checked for `extends` cycles (E0401) and cross-family extends
(E0402); rules for missing conditions (E0406), conditions that can never hold (W0002) and
requirements on typed holes (W0003); scenarios for consistency (E05xx). The unused and
missing-source warnings are only given for the user's own files, never for the stdlib.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import attrs

from rspl import nodes as n
from rspl import semantics, units
from rspl.diagnostics import Label, Reporter, did_you_mean
from rspl.loader import Program
from rspl.resolver import Resolution, has_status
from rspl.spans import Span


@attrs.frozen
class Type:
    """`kind` is bool, level, domain, quantity, number, date or error; `detail` the domain
    name or the quantity's dimension."""

    kind: str
    detail: str = ""

    def describe(self) -> str:
        if self.kind == "bool":
            return "a true-or-false condition"
        if self.kind == "level":
            return f"a level of `{self.detail}`"
        if self.kind == "domain":
            return f"the domain `{self.detail}`"
        if self.kind == "quantity":
            return f"a {self.detail}"
        if self.kind == "number":
            return "a plain number"
        if self.kind == "date":
            return "a date"
        return "an unknown value"


BOOL = Type("bool")
DATE = Type("date")
NUMBER = Type("number")
ERROR = Type("error")

_MAX_TRUTH_ROWS = 4096


class _Checker:
    def __init__(self, program: Program, res: Resolution, reporter: Reporter) -> None:
        self.program = program
        self.res = res
        self.reporter = reporter
        self.module = program.main
        self.def_stack: list[n.DefinitionDecl] = []
        self.def_done: set[int] = set()
        self.def_cyclic: set[int] = set()
        self.report = reporter.report

    # ------------------------------------------------------------------ driver

    def run(self) -> None:
        self.header()
        for module in self.program.modules:
            self.module = module
            for item in module.items:
                self.item(item)
        self.module = self.program.main
        self.standards()
        self.unused()

    def item(self, item: n.Item) -> None:
        if isinstance(item, n.ContextDecl):
            for member in item.includes:
                self.single_context(member, "a context group")
        elif isinstance(item, n.DomainDecl):
            self.domain(item)
        elif isinstance(item, n.EvidenceDecl):
            self.evidence(item)
        elif isinstance(item, n.DefinitionDecl):
            self.definition(item)
        elif isinstance(item, n.SafeguardDecl):
            self.safeguard(item)
        elif isinstance(item, n.RuleDecl):
            self.rule(item)
        elif isinstance(item, n.ScenarioDecl):
            self.scenario(item)

    def header(self) -> None:
        headers = [i for i in self.program.main.items if isinstance(i, n.PolicyHeader)]
        if not headers:
            if not self.program.main.items and self.reporter.has_errors:
                return  # a syntax error already explains the empty file
            self.report(
                "E0101",
                "this file has no `policy` header",
                Span(self.program.main.path, 0, 0, 1, 1, 1, 1),
                help='start the main file with `policy my_policy "Title" { organization "..." '
                'version "1.0" }`',
            )
            return
        for extra in headers[1:]:
            self.report(
                "E0102",
                "a file has at most one `policy` header",
                extra.name.span,
                labels=[Label(headers[0].name.span, "the first header")],
                help="merge the two headers into one",
            )
        h = headers[0]
        for field, value in (("organization", h.organization), ("version", h.version)):
            if value is None:
                self.report(
                    "E0105",
                    f"the policy header has no `{field}`",
                    h.name.span,
                    help=f'add `{field} "..."` inside the header braces; every output cites it',
                )
        if h.combine is None:
            self.report(
                "W0004",
                "the header does not say how required standards combine",
                h.name.span,
                help="add `combine highest standard per family` (the usual rule) or "
                "`combine all standards`; until then the highest per family is assumed",
            )

    # ------------------------------------------------------------------ declarations

    def _word(self, word: n.Name | None, allowed: tuple[str, ...], what: str) -> None:
        if word is not None and word.text not in allowed:
            self.report(
                "E0207",
                f"`{word.text}` is not {'an' if what[0] in 'aeiou' else 'a'} {what}",
                word.span,
                help=_choices(word.text, allowed),
            )

    def domain(self, d: n.DomainDecl) -> None:
        self._word(d.status, units.DOMAIN_STATUSES, "domain status")
        if not d.levels:
            self.report(
                "E0412",
                f"domain `{d.name.text}` has no levels",
                d.name.span,
                help="a domain needs at least one `level`, listed from lowest to highest",
            )
        if not self.module.is_stdlib:
            for level in d.levels:
                self.need_source(level.anchors, level.name, "level")

    def evidence(self, e: n.EvidenceDecl) -> None:
        if e.type.text not in units.EVIDENCE_TYPES:
            self.report(
                "E0205",
                f"`{e.type.text}` is not an evidence type",
                e.type.span,
                help=_choices(e.type.text, tuple(units.EVIDENCE_TYPES)),
            )
        elif e.type.text == "judgement" and not e.deciders:
            self.report(
                "E0410",
                f"judgement `{e.name.text}` does not say who makes it",
                e.name.span,
                help="add `decided by ROLE` so the decision can name who must decide",
            )

    def definition(self, d: n.DefinitionDecl) -> None:
        if id(d) in self.def_done:
            return
        if d in self.def_stack and any(x is d for x in self.def_stack):
            start = next(i for i, x in enumerate(self.def_stack) if x is d)
            cycle = [*self.def_stack[start:], d]
            self.def_cyclic.update(id(x) for x in cycle)
            self.report(
                "E0411",
                "definitions refer to each other in a circle: "
                + " -> ".join(f"`{x.name.text}`" for x in cycle),
                d.name.span,
                help="a definition cannot depend on itself; define one of them directly",
            )
            return
        self.def_stack.append(d)
        self.condition(d.expr, "the definition")
        self.def_stack.pop()
        self.def_done.add(id(d))

    def _implemented_in(self, e: n.Expr, seen: set[int]) -> list[n.Implemented]:
        """Every `is implemented` in `e`, looking through definitions."""
        if isinstance(e, n.Implemented):
            return [e]
        if isinstance(e, n.Not):
            return self._implemented_in(e.operand, seen)
        if isinstance(e, n.And | n.Or | n.AtLeast):
            return [x for sub in e.operands for x in self._implemented_in(sub, seen)]
        if isinstance(e, n.NameRef):
            target = self.res.target(e.name)
            if isinstance(target, n.DefinitionDecl) and id(target) not in seen:
                seen.add(id(target))
                return self._implemented_in(target.expr, seen)
        return []

    def safeguard(self, s: n.SafeguardDecl) -> None:
        self._word(s.category, units.SAFEGUARD_CATEGORIES, "safeguard category")
        self._word(s.claim, units.CLAIM_TYPES, "claim type")
        if s.efficacy is not None:
            self.condition(s.efficacy, "an efficacy criterion")
            for found in self._implemented_in(s.efficacy, set()):
                self.report(
                    "E0413",
                    "an efficacy criterion cannot ask what is implemented",
                    found.span,
                    labels=[Label(s.name.span, f"the criterion of `{s.name.text}`")],
                    help="whether a safeguard counts is decided from measurements before "
                    "anything counts as implemented; test a metric here, and put the "
                    "dependency in a rule (`when X is implemented require ...`)",
                )

    # ------------------------------------------------------------------ standards

    def _standards(self) -> Iterator[tuple[n.Module, n.StandardDecl]]:
        for module in self.program.modules:
            for item in module.items:
                if isinstance(item, n.StandardDecl):
                    yield module, item

    def standards(self) -> None:
        in_cycle: set[int] = set()
        for module, std in self._standards():
            self.module = module
            parent = self._parent(std)
            if parent is not None:
                pf, sf = parent.family.text, std.family.text
                if pf != sf:
                    self.report(
                        "E0402",
                        f"`{std.name.text}` is in family `{sf}` but extends "
                        f"`{parent.name.text}` from family `{pf}`",
                        std.extends.span if std.extends else std.name.span,
                        labels=[Label(parent.family.span, f"`{parent.name.text}` is in `{pf}`")],
                        help="a standard can only extend a standard of its own family; "
                        "list the other family's safeguards with `includes` instead",
                    )
            chain = self._chain(std)
            if chain and chain[-1] is std and id(std) not in in_cycle:
                for s in chain:
                    in_cycle.add(id(s))
                self.report(
                    "E0401",
                    "standards extend each other in a circle: "
                    + " -> ".join(f"`{s.name.text}`" for s in [std, *chain]),
                    std.extends.span if std.extends else std.name.span,
                    help="`extends` must lead down to a base standard; remove one `extends`",
                )
            if std.hole is not None and std.includes:
                self.report(
                    "E0408",
                    f"`{std.name.text}` is `not yet defined` but lists safeguards",
                    std.hole,
                    labels=[Label(std.includes[0].span, "safeguards listed here")],
                    help="drop `not yet defined` once the standard is specified, or drop the list",
                )
            if module.is_stdlib:
                continue
            self.need_source(std.anchors, std.name, "standard")
            inherited = self._inherited(std, in_cycle)
            for inc in std.includes:
                if inc.text in inherited:
                    self.report(
                        "W0007",
                        f"`{std.name.text}` already inherits `{inc.text}` from "
                        f"`{inherited[inc.text]}`",
                        inc.span,
                        help="safeguards of an extended standard are included automatically; "
                        "remove this entry",
                    )
            if std.hole is None and not std.includes and not inherited:
                self.report(
                    "W0009",
                    f"standard `{std.name.text}` has no safeguards",
                    std.name.span,
                    help="list its safeguards with `includes`, or mark it `not yet defined`",
                )

    def _hole_of(self, std: n.StandardDecl) -> n.StandardDecl | None:
        """`std` if it is not yet defined, else the first standard it extends that is not."""
        if std.hole is not None:
            return std
        return next((s for s in self._chain(std) if s.hole is not None and s is not std), None)

    def _parent(self, std: n.StandardDecl) -> n.StandardDecl | None:
        if std.extends is None:
            return None
        target = self.res.target(std.extends)
        return target if isinstance(target, n.StandardDecl) else None

    def _chain(self, std: n.StandardDecl) -> list[n.StandardDecl]:
        """The standards `std` extends, in order; ends with `std` itself if there is a cycle."""
        chain: list[n.StandardDecl] = []
        cur = self._parent(std)
        seen: set[int] = set()
        while cur is not None and id(cur) not in seen:
            chain.append(cur)
            if cur is std:
                break
            seen.add(id(cur))
            cur = self._parent(cur)
        return chain

    def _inherited(self, std: n.StandardDecl, in_cycle: set[int]) -> dict[str, str]:
        if id(std) in in_cycle:
            return {}
        found: dict[str, str] = {}
        for parent in self._chain(std):
            if parent is std:
                break
            for inc in parent.includes:
                found.setdefault(inc.text, parent.name.text)
        return found

    # ------------------------------------------------------------------ rules

    def rule(self, r: n.RuleDecl) -> None:
        if r.when is None and r.kind == "warning":
            self.report(
                "E0406",
                f"{r.kind} `{r.name.text}` has no `when` condition",
                r.name.span,
                help=f"add `when CONDITION` saying when this {r.kind} applies",
            )
        when = r.when
        typed = when is not None and self.condition(when, "a `when` condition") == BOOL
        if typed and when is not None and self.never_true(when):
            self.report(
                "W0002",
                f"{r.kind} `{r.name.text}` can never fire",
                when.span,
                help="no combination of inputs makes this condition true; "
                "check the levels and comparisons",
            )
        for cmp in r.rules_out:
            self.rules_out(r, cmp)
        self.requirements(r)
        for ob in (*r.obligations, *r.fallbacks):
            self.obligation(ob)
        if not self.module.is_stdlib:
            self.need_source(r.anchors, r.name, r.kind)

    def rules_out(self, r: n.RuleDecl, cmp: n.Compare) -> None:
        lc = self.res.level_comparison(cmp)
        ok = (
            r.kind == "warning"
            and lc is not None
            and lc.op in (">=", ">")
            and isinstance(cmp.left, n.NameRef)
            and isinstance(self.res.target(cmp.left.name), n.DomainDecl)
        )
        if not ok:
            self.report(
                "E0407",
                "`rules out` must be written `DOMAIN >= LEVEL` inside a `warning`",
                cmp.span,
                help="a checkpoint that is not reached rules out the levels above it, e.g. "
                "`rules out AI_RD >= AI_RD_4`",
            )

    def requirements(self, r: n.RuleDecl) -> None:
        seen: list[tuple[n.Requirement, n.Name, n.Decl]] = []
        for req in r.requirements:
            for t in req.targets:
                decl = self.res.target(t)
                hole = self._hole_of(decl) if isinstance(decl, n.StandardDecl) else None
                if hole is not None:
                    what = "is" if hole is decl else f"extends `{hole.name.text}`, which is"
                    assert hole.hole is not None
                    self.report(
                        "W0003",
                        f"`{t.text}` {what} not yet defined, so this requirement can never be met",
                        t.span,
                        labels=[Label(hole.hole, "declared as not yet defined here")],
                        help="every context this requirement covers stays blocked until the "
                        "standard is defined; that may be what the policy intends",
                    )
                if decl is not None and not isinstance(decl, n.LevelDecl):
                    seen.append((req, t, decl))
        for (ra, ta, da), (rb, tb, db) in itertools.permutations(seen, 2):
            if not isinstance(da, n.StandardDecl) or not isinstance(db, n.StandardDecl):
                continue
            contexts_a = {c.text for c in ra.contexts}
            contexts_b = {c.text for c in rb.contexts}
            covers = not contexts_a or (contexts_b and contexts_b <= contexts_a)
            if covers and any(p is db for p in self._chain(da) if p is not da):
                self.report(
                    "W0006",
                    f"`{tb.text}` is already covered by `{ta.text}`, which extends it",
                    tb.span,
                    labels=[Label(ta.span, f"`{ta.text}` required here")],
                    help="a standard includes everything it extends; remove the weaker one",
                )

    def single_context(self, name: n.Name, where: str) -> None:
        """E0203 when a context group is used where one context is needed."""
        target = self.res.target(name)
        if isinstance(target, n.ContextDecl) and target.includes:
            self.report(
                "E0203",
                f"`{name.text}` is a context group, but {where} needs a single context",
                name.span,
                labels=[Label(target.name.span, "the group is declared here")],
                help="name one of its contexts: "
                + ", ".join(f"`{m.text}`" for m in target.includes),
            )

    def obligation(self, ob: n.Obligation) -> None:
        d = ob.deadline
        if isinstance(d, n.Within):
            t = self.quantity_type(d.amount)
            if t.kind != "error" and t != Type("quantity", "duration"):
                self.report(
                    "E0409",
                    f"`within` needs a duration, not {t.describe()}",
                    d.amount.span,
                    help="write a time such as `within 30 days` or `within 1 month`",
                )
            if d.event is not None:
                self._date_evidence(d.event, "`within ... of`")
        elif isinstance(d, n.Every):
            unit = units.UNITS.get(d.unit.text)
            if unit is None or unit[0] != "duration":
                self.report(
                    "E0409",
                    f"`every` needs a time unit, not `{d.unit.text}`",
                    d.unit.span,
                    help="write e.g. `every 3 to 6 months` or `every 1 year`",
                )
            if d.high is not None and d.high < d.low:
                self.report(
                    "E0409",
                    "the interval's longest time is shorter than its shortest",
                    d.span,
                    help=f"write the shorter time first: `every {d.high:g} to {d.low:g} "
                    f"{d.unit.text}`",
                )
            if d.since is not None:
                self._date_evidence(d.since, "`every ... since`")
        elif isinstance(d, n.Until):
            self.condition(d.expr, "an `until` condition")

    def _date_evidence(self, name: n.Name, where: str) -> None:
        decl = self.res.target(name)
        if isinstance(decl, n.EvidenceDecl) and decl.type.text != "date":
            self.report(
                "E0409",
                f"{where} needs a dated event, but `{name.text}` is a {decl.type.text}",
                name.span,
                labels=[Label(decl.type.span, "declared here")],
                help="declare the event as `evidence NAME: date`",
            )

    # ------------------------------------------------------------------ expressions

    def condition(self, e: n.Expr, where: str) -> Type:
        t = self.expr_type(e)
        if t.kind not in ("bool", "error"):
            self.report(
                "E0303",
                f"{where} must be true or false, but this is {t.describe()}",
                e.span,
                help=_bool_help(t),
            )
            return ERROR
        return t

    def expr_type(self, e: n.Expr) -> Type:
        if isinstance(e, n.NameRef):
            return self.name_type(e.name)
        if isinstance(e, n.Compare):
            return self.compare(e)
        if isinstance(e, n.Not):
            self.condition(e.operand, "the part after `not`")
            return BOOL
        if isinstance(e, n.And | n.Or):
            word = "`and`" if isinstance(e, n.And) else "`or`"
            for sub in e.operands:
                self.condition(sub, f"each side of {word}")
            return BOOL
        if isinstance(e, n.AtLeast):
            for sub in e.operands:
                self.condition(sub, f"each item of `{e.keyword} of`")
            if e.count is not None and not 1 <= e.count <= len(e.operands):
                self.report(
                    "E0306",
                    f"`at least N of` needs a whole number N from 1 to {len(e.operands)}",
                    e.span,
                    help=f"the count must be a whole number from 1 to {len(e.operands)}",
                )
            return BOOL
        if isinstance(e, n.Implemented):
            return BOOL
        if isinstance(e, n.DomainQuant):
            self.domain_quant(e)
            return BOOL
        raise AssertionError(f"unknown expression {e!r}")  # pragma: no cover

    def name_type(self, name: n.Name) -> Type:
        decl = self.res.target(name)
        if isinstance(decl, n.EvidenceDecl):
            t = decl.type.text
            if t in units.BOOLEAN_TYPES:
                return BOOL
            if t == "date":
                return DATE
            if t in units.DIMENSIONS:
                return Type("quantity", t)
            return ERROR
        if isinstance(decl, n.DefinitionDecl):
            self.definition(decl)
            return BOOL
        if isinstance(decl, n.DomainDecl):
            return Type("domain", decl.name.text)
        if isinstance(decl, n.LevelDecl):
            owner = self.res.levels.get(id(name))
            return Type("level", owner.name.text if owner else "")
        return ERROR

    def quantity_type(self, q: n.Quantity) -> Type:
        if q.unit is None:
            return NUMBER
        unit = units.UNITS.get(q.unit.text)
        if unit is None:
            self.report(
                "E0206",
                f"`{q.unit.text}` is not a unit",
                q.unit.span,
                help=_choices(q.unit.text, tuple(units.UNITS)),
            )
            return ERROR
        return Type("quantity", unit[0])

    def operand_type(self, op: n.Operand) -> Type:
        if isinstance(op, n.NameRef):
            return self.name_type(op.name)
        if isinstance(op, n.Quantity):
            return self.quantity_type(op)
        if isinstance(op, n.DateLit):
            return DATE if op.value is not None else ERROR
        if isinstance(op, n.Since):
            decl = self.res.target(op.name)
            if isinstance(decl, n.EvidenceDecl) and decl.type.text != "date":
                self.report(
                    "E0305",
                    f"`since` needs a date, but `{op.name.text}` is "
                    f"{units.EVIDENCE_TYPES.get(decl.type.text, decl.type.text)}",
                    op.span,
                    labels=[Label(decl.type.span, "declared here")],
                    help="`since X` measures the time from the date X to the assessment date; "
                    "declare X as `evidence X: date`",
                )
                return ERROR
            return Type("quantity", "duration") if decl is not None else ERROR
        raise AssertionError(f"unknown operand {op!r}")  # pragma: no cover

    def compare(self, c: n.Compare) -> Type:
        lt, rt = self.operand_type(c.left), self.operand_type(c.right)
        if ERROR in (lt, rt):
            return BOOL
        kinds = {lt.kind, rt.kind}
        if kinds == {"domain", "level"}:
            return BOOL  # the resolver bound the level inside the domain
        if lt.kind == rt.kind == "quantity":
            if lt.detail != rt.detail:
                self.report(
                    "E0302",
                    f"cannot compare {lt.describe()} with {rt.describe()}",
                    c.span,
                    labels=[
                        Label(c.left.span, lt.describe()),
                        Label(c.right.span, rt.describe()),
                    ],
                    help=f"both sides must be measured in the same kind of unit; "
                    f"a {lt.detail} is in {units.DIMENSIONS.get(lt.detail, '?')}",
                )
            return BOOL
        if kinds == {"quantity", "number"}:
            q = lt if lt.kind == "quantity" else rt
            if q.detail not in units.PLAIN_DIMENSIONS:
                self.report(
                    "E0302",
                    f"this number has no unit, but it is compared with {q.describe()}",
                    (c.right if rt.kind == "number" else c.left).span,
                    help=f"add the unit, e.g. `4x` for a multiplier or `6 months` for a "
                    f"duration; a {q.detail} is in {units.DIMENSIONS.get(q.detail, '?')}",
                )
            return BOOL
        if lt == rt and lt.kind in ("date", "number"):
            return BOOL
        if lt.kind == "domain" or rt.kind == "domain":
            dom = lt if lt.kind == "domain" else rt
            help = f"compare `{dom.detail}` with one of its levels, e.g. `{dom.detail} >= LEVEL`"
        elif "bool" in kinds:
            help = "true-or-false conditions are combined with `and`, `or` and `not`, " \
                "not compared"
        else:
            help = "only a domain and its levels, quantities of one kind, or two dates " \
                "can be compared"
        self.report(
            "E0304",
            f"cannot compare {lt.describe()} with {rt.describe()}",
            c.span,
            help=help,
        )
        return BOOL

    def domain_quant(self, q: n.DomainQuant) -> None:
        self._word(q.status, units.DOMAIN_STATUSES, "domain status")
        domains = self.quant_domains(q)
        lacking = [d.name.text for d in domains if not any(
            lv.name.text == q.level.text for lv in d.levels)]
        if lacking:
            self.report(
                "E0204",
                f"level `{q.level.text}` is missing from "
                + ", ".join(f"`{x}`" for x in lacking),
                q.level.span,
                help="a level named in `any domain`/`all domains` must exist in every domain "
                "it ranges over; narrow the set with `of (...)`",
            )
        if not domains:
            self.report(
                "W0002",
                "this ranges over no domains, so it is never true" if q.quantifier == "any"
                else "this ranges over no domains",
                q.span,
                help="check the status word or list the domains with `of (...)`",
            )

    def quant_domains(self, q: n.DomainQuant) -> list[n.DomainDecl]:
        if q.domains is not None:
            found = [self.res.target(d) for d in q.domains]
            candidates = [d for d in found if isinstance(d, n.DomainDecl)]
        else:
            scope = self.res.scopes[self.module.name]
            candidates = [d for d in scope.values() if isinstance(d, n.DomainDecl)]
        return [d for d in candidates if has_status(d, q.status)]

    # ------------------------------------------------------------------ never-true analysis

    def never_true(self, e: n.Expr) -> bool:
        """True when no assignment of the condition's inputs makes it true.

        Domains range over their levels (plus "below every level"); every other atom over
        true and false. Skipped (False) when the truth table would be too large. Each row is
        decided by the evaluator's own rules (`rspl.semantics`): a domain at one position is
        a point interval, so every value is true or false.
        """
        domains: dict[str, int] = {}
        atoms: list[n.Expr] = []
        self._collect(e, domains, atoms, depth=0)
        rows = 1
        for size in domains.values():
            rows *= size
        rows *= 2 ** len(atoms)
        if rows > _MAX_TRUTH_ROWS:
            return False
        names = sorted(domains)
        for positions in itertools.product(*(range(domains[d]) for d in names)):
            env = dict(zip(names, positions, strict=True))
            for values in itertools.product((False, True), repeat=len(atoms)):
                truth = dict(zip(map(id, atoms), values, strict=True))
                if self._eval(e, env, truth, atoms) is not False:
                    return False
        return True

    def _level_rank(self, name: n.Name) -> tuple[str, int] | None:
        owner = self.res.levels.get(id(name))
        if owner is None:
            return None
        for i, lv in enumerate(owner.levels):
            if lv.name.text == name.text:
                return owner.name.text, i + 1
        return None

    def _collect(
        self, e: n.Expr, domains: dict[str, int], atoms: list[n.Expr], depth: int
    ) -> None:
        if isinstance(e, n.Compare):
            lc = self.res.level_comparison(e)
            if lc is not None:
                domains[lc.domain] = lc.levels + 1  # below every level, then each level
                return
        if isinstance(e, n.Not):
            self._collect(e.operand, domains, atoms, depth)
            return
        if isinstance(e, n.And | n.Or | n.AtLeast):
            for sub in e.operands:
                self._collect(sub, domains, atoms, depth)
            return
        if isinstance(e, n.NameRef) and depth < 8:
            target = self.res.target(e.name)
            if isinstance(target, n.DefinitionDecl) and not self._in_cycle(target):
                self._collect(target.expr, domains, atoms, depth + 1)
                return
        if not any(a == e for a in atoms):
            atoms.append(e)

    def _in_cycle(self, d: n.DefinitionDecl) -> bool:
        return id(d) in self.def_cyclic or id(d) not in self.def_done

    def _eval(
        self, e: n.Expr, env: dict[str, int], truth: dict[int, bool], atoms: list[n.Expr]
    ) -> semantics.Tri:
        if isinstance(e, n.Compare):
            lc = self.res.level_comparison(e)
            if lc is not None:
                at = env[lc.domain]
                return semantics.level_cmp(lc.op, at, at, lc.rank)
        if isinstance(e, n.Not):
            return semantics.tri_not(self._eval(e.operand, env, truth, atoms))
        if isinstance(e, n.And | n.Or | n.AtLeast):
            need = len(e.operands)  # `and`, `all of`
            if isinstance(e, n.Or):
                need = 1
            elif isinstance(e, n.AtLeast) and e.count is not None:
                need = e.count
            values = [self._eval(s, env, truth, atoms) for s in e.operands]
            return semantics.at_least(need, values)
        if isinstance(e, n.NameRef):
            decl = self.res.target(e.name)
            if isinstance(decl, n.DefinitionDecl) and not self._in_cycle(decl):
                return self._eval(decl.expr, env, truth, atoms)
        for a in atoms:
            if a == e:
                return truth[id(a)]
        return True  # pragma: no cover - every leaf was collected

    # ------------------------------------------------------------------ scenarios

    def scenario(self, s: n.ScenarioDecl) -> None:
        if not s.expects:
            self.report(
                "W0008",
                f"scenario `{s.name.text}` expects nothing",
                s.name.span,
                help="add `expect` lines, e.g. `expect required STANDARD` or "
                "`expect CONTEXT blocked`",
            )
        given: dict[str, n.Given] = {}
        for g in s.givens:
            key = self._given_key(g)
            if key is not None:
                if key in given:
                    self.report(
                        "E0504",
                        "this input is already given in this scenario",
                        g.span,
                        labels=[Label(given[key].span, "given first here")],
                        help="give each domain, value and the date once per scenario",
                    )
                given[key] = g
            if isinstance(g, n.GivenLevel):
                self.given_level(g)
            elif isinstance(g, n.GivenValue):
                self.given_value(g)
            elif isinstance(g, n.GivenDone):
                self.obligation_exists(g.action, g.rule)
        for x in s.expects:
            if isinstance(x, n.ExpectObligation):
                self.expect_obligation(x)
            elif isinstance(x, n.ExpectVerdict):
                self.single_context(x.context, "a verdict")

    @staticmethod
    def _given_key(g: n.Given) -> str | None:
        if isinstance(g, n.GivenLevel):
            return "domain:" + g.domain.text
        if isinstance(g, n.GivenValue):
            return "value:" + g.name.text
        if isinstance(g, n.GivenAsOf):
            return "as_of"
        return None

    def given_level(self, g: n.GivenLevel) -> None:
        if g.level is None or g.unsure is None:
            return
        lo, hi = self._level_rank(g.level), self._level_rank(g.unsure)
        if lo is not None and hi is not None and hi[1] <= lo[1]:
            self.report(
                "E0501",
                f"`{g.unsure.text}` is not above `{g.level.text}`",
                g.unsure.span,
                labels=[Label(g.level.span, "the level reached")],
                help="`cannot rule out` names a level higher than the one reached",
            )

    def given_value(self, g: n.GivenValue) -> None:
        decl = self.res.target(g.name)
        if not isinstance(decl, n.EvidenceDecl) or decl.type.text not in units.EVIDENCE_TYPES:
            return
        want = decl.type.text
        v = g.value
        if isinstance(v, bool):
            ok, got = want in units.BOOLEAN_TYPES, "yes/no"
        elif isinstance(v, n.DateLit):
            ok, got = want == "date", "a date"
        else:
            t = self.quantity_type(v)
            got = t.describe()
            ok = t.kind == "error" or (t.kind == "quantity" and t.detail == want) or (
                t.kind == "number" and want in units.PLAIN_DIMENSIONS)
        if not ok:
            self.report(
                "E0502",
                f"`{g.name.text}` is {units.EVIDENCE_TYPES[want]}, but this gives {got}",
                g.span,
                labels=[Label(decl.type.span, "declared here")],
                help="give a value of the declared type: `yes`/`no` for facts and "
                "judgements, a date, or a number with the right unit",
            )

    def expect_obligation(self, x: n.ExpectObligation) -> None:
        self._word(x.status, units.OBLIGATION_STATUSES, "obligation status")
        self.obligation_exists(x.action, x.rule)

    def obligation_exists(self, action: n.Name, rule_name: n.Name) -> None:
        """E0503 unless the rule has an obligation (or fallback) with this action."""
        rule = self.res.target(rule_name)
        if not isinstance(rule, n.RuleDecl) or self.res.target(action) is None:
            return
        actions = [ob.action.text for ob in (*rule.obligations, *rule.fallbacks)]
        if action.text not in actions:
            self.report(
                "E0503",
                f"{rule.kind} `{rule.name.text}` has no obligation `{action.text}`",
                action.span,
                labels=[Label(rule.name.span, f"`{rule.name.text}` is declared here")],
                help=("its obligations are " + ", ".join(f"`{a}`" for a in actions))
                if actions else f"`{rule.name.text}` has no obligations",
            )

    # ------------------------------------------------------------------ whole-policy warnings

    def need_source(self, anchors: tuple[n.Anchor, ...], name: n.Name, what: str) -> None:
        if not anchors:
            self.report(
                "W0005",
                f"{what} `{name.text}` cites no source",
                name.span,
                help='add `source "§..."` so every output can point back to the published text',
            )

    def unused(self) -> None:
        for module in self.program.modules:
            if module.is_stdlib:
                continue
            for item in module.items:
                if isinstance(item, n.PolicyHeader | n.Import | n.RuleDecl | n.ScenarioDecl):
                    continue
                if self.res.own[module.name].get(item.name.text) is not item:
                    continue  # a duplicate, already reported
                if id(item) not in self.res.used:
                    kind = n.kind_of(item)
                    self.report(
                        "W0001",
                        f"{kind} `{item.name.text}` is never used",
                        item.name.span,
                        help=f"nothing in the policy refers to this {kind}; "
                        "use it or remove it",
                    )


def _choices(word: str, allowed: tuple[str, ...]) -> str:
    """`did you mean ...? the choices are ...` for a word outside a fixed list."""
    listing = "the choices are " + ", ".join(f"`{w}`" for w in allowed)
    hint = did_you_mean(word, allowed)
    return f"{hint} {listing}" if hint else listing


def _bool_help(t: Type) -> str:
    if t.kind == "domain":
        return f"compare the domain with one of its levels, e.g. `{t.detail} >= LEVEL`"
    if t.kind == "level":
        return f"a level on its own is not a condition; write `{t.detail} >= LEVEL`"
    if t.kind == "quantity":
        return "compare it with a bound, e.g. `>= 4x` or `>= 6 months`"
    if t.kind == "date":
        return "compare it, e.g. `since DATE >= 6 months`"
    return "use a comparison, a fact, a definition or `X is implemented`"


def check(program: Program, res: Resolution, reporter: Reporter) -> None:
    """Type-check and lint `program`; every problem goes to `reporter`."""
    _Checker(program, res, reporter).run()
