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
import math
from collections.abc import Iterator
from typing import Any

import attrs

from rspl import messages as msg
from rspl import nodes as n
from rspl import semantics, units
from rspl.diagnostics import Reporter
from rspl.limits import MAX_DEFINITION_DEPTH, file_stem, taken
from rspl.loader import Program
from rspl.resolver import Resolution, has_status
from rspl.spans import Span, join
from rspl.usage import unused_imports


@attrs.frozen
class Type:
    """`kind` is bool, level, domain, quantity, number, date or error; `detail` the domain
    name or the quantity's dimension. Messages describe it with `msg.describe_type`."""

    kind: str
    detail: str = ""


BOOL = Type("bool")
DATE = Type("date")
NUMBER = Type("number")
ERROR = Type("error")

_MAX_TRUTH_ROWS = 4096

# One step of the never-true analysis (`_Checker._circuit`): a level comparison (domain, op,
# rank), an atom (its index), `not` (operand's step) or at-least (operands' steps, count).
_STEP_LEVEL, _STEP_ATOM, _STEP_NOT, _STEP_AT_LEAST = "level", "atom", "not", "at least"
_Step = tuple[str, Any, str, int]
_Circuit = tuple[list[_Step], int, list[n.Expr], dict[str, set[int]], dict[str, int]]


def _representatives(ranks: set[int], levels: int) -> list[int]:
    """One position (0 = below every level, then 1..levels) from each interval of the scale
    that the comparisons with `ranks` cannot tell apart: each rank alone, and the runs of
    positions between them. A point comparison with rank r only sees at < r, at == r or
    at > r, so every position of an interval gives every comparison the same value."""
    reps: list[int] = []
    nxt = 0
    for r in sorted(ranks):
        if nxt < r:
            reps.append(nxt)
        reps.append(r)
        nxt = r + 1
    if nxt <= levels:
        reps.append(nxt)
    return reps


def _run(steps: list[_Step], at: tuple[int, ...], truth: tuple[bool, ...]) -> list[semantics.Tri]:
    """The value of every step for domains at positions `at` and atoms valued `truth`."""
    values: list[semantics.Tri] = []
    for kind, a, op, b in steps:
        if kind == _STEP_LEVEL:
            values.append(semantics.level_cmp(op, at[a], at[a], b))
        elif kind == _STEP_ATOM:
            values.append(truth[a])
        elif kind == _STEP_NOT:
            values.append(semantics.tri_not(values[a]))
        else:
            values.append(semantics.at_least(b, [values[i] for i in a]))
    return values


class _Checker:
    def __init__(self, program: Program, res: Resolution, reporter: Reporter) -> None:
        self.program = program
        self.res = res
        self.reporter = reporter
        self.module = program.main
        self.def_done: set[int] = set()
        self.def_cyclic: set[int] = set()
        self.def_depth: dict[int, int] = {}  # by id: 1 + the depth of its expression
        self.report = reporter.add
        # domains assessed per context, by name (`assessed per context`)
        self.per_setting = {
            item.name.text: item
            for m in program.modules
            for item in m.items
            if isinstance(item, n.DomainDecl) and item.settings
        }

    # ------------------------------------------------------------------ driver

    def run(self) -> None:
        self.definitions()  # first: what follows may look through definitions
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
        elif isinstance(item, n.RoleDecl) and item.includes:
            self.role_group(item)
        elif isinstance(item, n.DomainDecl):
            self.domain(item)
        elif isinstance(item, n.EvidenceDecl):
            self.evidence(item)
        elif isinstance(item, n.DefinitionDecl):
            self.definition(item)
        elif isinstance(item, n.SafeguardDecl):
            self.safeguard(item)
        elif isinstance(item, n.StandardDecl) and item.efficacy is not None:
            self.standard_criterion(item, item.efficacy)
        elif isinstance(item, n.RuleDecl):
            self.rule(item)
        elif isinstance(item, n.WaiverDecl):
            self.waiver(item)
        elif isinstance(item, n.ScenarioDecl):
            self.scenario(item)
        elif isinstance(item, n.AssertDecl):
            self.assertion(item)

    def assertion(self, a: n.AssertDecl) -> None:
        """An assertion's condition is checked as a rule's is, but may not read a domain
        assessed per context (E0803); W0070 for `requires` a standard not yet defined. What
        it claims is only proved by `rspl verify`."""
        if a.when is not None and self.within_depth(a.when):
            self.condition(a.when, "an assertion's condition")
            self.undecided(a.when, "assertion")
        decl = self.res.target(a.target) if a.kind == "requires" else None
        hole = self._hole_of(decl) if isinstance(decl, n.StandardDecl) else None
        if hole is not None:
            assert hole.hole is not None
            extended = None if hole is decl else hole.name.text
            self.report(msg.assertion_on_hole(a.name.text, a.target.text, extended,
                                              a.target.span, hole.hole))  # fmt: skip

    def header(self) -> None:
        headers = [i for i in self.program.main.items if isinstance(i, n.PolicyHeader)]
        if not headers:
            if not self.program.main.items and self.reporter.has_errors:
                return  # a syntax error already explains the empty file
            self.report(msg.missing_policy_header(Span(self.program.main.path, 0, 0, 1, 1, 1, 1)))
            return
        for extra in headers[1:]:
            self.report(msg.second_policy_header(extra.name.span, headers[0].name.span))
        h = headers[0]
        renamed = taken(h.name.text)
        if renamed is not None:
            plain, is_keyword = renamed
            stem = file_stem(h.name.text)
            self.report(msg.renamed_output(h.name.text, plain, stem, is_keyword, h.name.span))
        for field, value in (("organization", h.organization), ("version", h.version)):
            if value is None:
                self.report(msg.missing_header_field(field, h.name.span))
        if h.combine is None:
            self.report(msg.implicit_aggregation(h.name.span))
        self.period(h)
        self.carry_forward(h.carry_forward)
        self.rename_map(h.renames)

    def rename_map(self, renames: tuple[n.Rename, ...]) -> None:
        """E2201-E2203: each old name renamed once, a level as a level, one entry per new
        name. The old names belong to the superseded version: only `rspl diff` reads them."""
        old_seen: dict[str, n.Renamed] = {}
        new_seen: dict[str, n.Renamed] = {}
        for r in renames:
            for old in r.old:
                if (old.level is None) != (r.new.level is None):
                    self.report(msg.rename_shape(old.text, r.new.text, old.span))
                if old.text in old_seen:
                    self.report(msg.renamed_twice(old.text, old.span, old_seen[old.text].span))
                else:
                    old_seen[old.text] = old
            if r.new.text in new_seen:
                self.report(msg.renamed_onto_same(r.new.text, r.new.span,
                                                  new_seen[r.new.text].span))  # fmt: skip
            else:
                new_seen[r.new.text] = r.new

    def period(self, h: n.PolicyHeader) -> None:
        """E1102: the policy's period must not be empty."""
        start, end = h.effective, h.superseded
        if start is None or end is None or start.value is None or end.value is None:
            return
        if end.value <= start.value:
            self.report(
                msg.superseded_not_after_effective(end.text, start.text, end.span, start.span)
            )

    def carry_forward(self, c: n.CarryForward | None) -> None:
        """`carry forward within DURATION` (E1103) and `when CONDITION`: a condition on
        evidence only, since it is decided before any level or safeguard (E1104)."""
        if c is None:
            return
        if c.within is not None:
            t = self.quantity_type(c.within, "duration")
            if t.kind != "error" and t != Type("quantity", "duration"):
                self.report(msg.carry_forward_not_duration(t, c.within.span))
        if c.when is not None:
            self.within_depth(c.when)
            self.condition(c.when, "a carry-forward condition")
            found = self._assessment_read_in(c.when)
            if found is not None:
                self.report(msg.carry_forward_reads_assessment(found[0], found[1], c.span))

    def _assessment_read_in(self, e: n.Expr) -> tuple[str, Span] | None:
        """The first level comparison or `is implemented` in `e`, looking through
        definitions (each once): (what it reads, where)."""
        for x in self._syntax_nodes(e):
            if isinstance(x, n.Implemented):
                return "what is implemented", x.span
            if isinstance(x, n.DomainQuant) or (
                isinstance(x, n.Compare) and self.res.level_comparison(x) is not None
            ):
                return "a domain's level", x.span
        return None

    def _syntax_nodes(self, e: n.Expr) -> Iterator[n.Expr]:
        """Every node of `e` in reading order, and of each definition it uses (each once),
        without recursion."""
        seen: set[int] = set()
        stack: list[n.Expr] = [e]
        while stack:
            x = stack.pop()
            yield x
            if isinstance(x, n.Not):
                stack.append(x.operand)
            elif isinstance(x, n.And | n.Or | n.AtLeast):
                stack += reversed(x.operands)
            elif isinstance(x, n.NameRef):
                target = self._definition(x.name)
                if target is not None and id(target) not in seen:
                    seen.add(id(target))
                    stack.append(target.expr)

    # ------------------------------------------------------------------ declarations

    def _word(self, word: n.Name | None, allowed: tuple[str, ...], what: str) -> None:
        if word is not None and word.text not in allowed:
            self.report(msg.unknown_word(word.text, what, allowed, word.span))

    def domain(self, d: n.DomainDecl) -> None:
        self._word(d.status, units.DOMAIN_STATUSES, "domain status")
        if not d.levels:
            self.report(msg.domain_without_levels(d.name.text, d.name.span))
        if d.risk and len(d.levels) == 1:
            level = d.levels[0]
            self.report(msg.risk_verdict_one_level(d.name.text, level.name.text, level.name.span))
        self.carry_forward(d.carry_forward)
        # The two verdicts a bare `risk verdict` implies are placed at that clause (the
        # builder gives them the clause's span for the name too): they cite nothing.
        implied = d.risk and all(lv.span == lv.name.span for lv in d.levels)
        if not self.module.is_stdlib and not implied:
            for level in d.levels:
                self.need_source(level.anchors, level.name, "level")
        self.settings(d)

    # ------------------------------------------------------------------ settings (E08xx)

    def members(self, name: n.Name) -> list[str]:
        """The contexts a context or context group stands for."""
        target = self.res.target(name)
        if isinstance(target, n.ContextDecl) and target.includes:
            return [m.text for m in target.includes]
        return [name.text]

    def all_contexts(self) -> list[str]:
        return [
            item.name.text
            for m in self.program.modules
            for item in m.items
            if isinstance(item, n.ContextDecl) and not item.includes
        ]

    def covered(self, d: n.DomainDecl) -> set[str]:
        return {c for setting in d.settings for c in self.members(setting)}

    def settings(self, d: n.DomainDecl) -> None:
        """E0805 for a context in two settings; E0804 for an `ordered` that names something
        other than the settings, or one twice."""
        first: dict[str, Span] = {}
        for setting in d.settings:
            for c in self.members(setting):
                if c in first:
                    self.report(msg.overlapping_settings(c, setting.span, first[c]))
                else:
                    first[c] = setting.span
        names = [x.text for x in d.settings]
        seen: set[str] = set()
        for x in d.order:
            if x.text not in names:
                self.report(msg.invalid_order(x.text, False, x.span, names))
            elif x.text in seen:
                self.report(msg.invalid_order(x.text, True, x.span, names))
            seen.add(x.text)

    def _settings_read(self, e: n.Expr) -> list[tuple[n.DomainDecl, Span]]:
        """Each domain assessed per context that `e` reads (through definitions), with
        where."""
        found: list[tuple[n.DomainDecl, Span]] = []
        for x in self._syntax_nodes(e):
            lcs: tuple[Any, ...] = ()
            if isinstance(x, n.Compare):
                lc = self.res.level_comparison(x)
                lcs = (lc,) if lc is not None else ()
            elif isinstance(x, n.DomainQuant):
                lcs = self.res.quantified.get(x.span, ())
            for lc in lcs:
                domain = self.per_setting.get(lc.domain)
                if domain is not None:
                    found.append((domain, x.span))
        return found

    def undecided(self, e: n.Expr, where: str) -> None:
        """E0803 for each domain assessed per context that `e` reads."""
        for domain, span in self._settings_read(e):
            self.report(msg.setting_undecided(domain.name.text, where, span))

    def rule_settings(self, r: n.RuleDecl) -> None:
        """A rule that reads domains assessed per context is decided per context: every line
        that applies to a context (requirements, blocking obligations) must name only
        contexts each of those domains is assessed for (E0802); a checkpoint cannot be one
        (E0803)."""
        if r.when is None:
            return
        read = self._settings_read(r.when)
        if not read:
            return
        if r.rules_out:
            kind = "checkpoint"
            for domain, span in read:
                self.report(msg.setting_undecided(domain.name.text, kind, span))
            return
        every = self.all_contexts()
        common = set(every)
        for domain, _ in read:
            common &= self.covered(domain)
        if not common:
            names = list(dict.fromkeys(domain.name.text for domain, _ in read))
            self.report(msg.settings_disjoint(names, r.when.span))
            return
        lines: list[tuple[list[str], Span]] = []
        for req in r.requirements:
            named = [c for x in req.contexts for c in self.members(x)]
            lines.append((named or every, req.span))
        for ob in (*r.obligations, *r.fallbacks):
            if ob.modality != "must":
                continue
            action = self.res.target(ob.action)
            if isinstance(action, n.ActionDecl) and action.blocking:
                named = [
                    c
                    for x in ob.objects
                    if isinstance(self.res.target(x), n.ContextDecl)
                    for c in self.members(x)
                ]
                lines.append((named or every, ob.span))
            if isinstance(ob.deadline, n.Before):
                named = [c for x in ob.deadline.contexts for c in self.members(x)]
                lines.append((named, ob.deadline.span))
        for contexts, where in lines:
            done: set[str] = set()
            for domain, span in read:
                covered = self.covered(domain)
                uncovered = list(dict.fromkeys(c for c in contexts if c not in covered))
                if uncovered and domain.name.text not in done:
                    done.add(domain.name.text)
                    self.report(msg.setting_not_assessed(
                        domain.name.text, uncovered, [x.text for x in domain.settings], span,
                        where,
                    ))  # fmt: skip

    def evidence(self, e: n.EvidenceDecl) -> None:
        if e.type.text not in units.EVIDENCE_TYPES:
            self.report(msg.unknown_type(e.type.text, e.type.span))
        elif e.type.text == "judgement" and not e.deciders:
            self.report(msg.judgement_without_decider(e.name.text, e.name.span))
        if e.per is not None:
            self.per_member(e, e.per)

    def per_member(self, e: n.EvidenceDecl, per: n.PerMember) -> None:
        """A measurement family: yes-or-no values or quantities (E0901), each member once
        (E0905)."""
        if e.type.text == "date":
            self.report(msg.family_of_dates(e.name.text, e.type.span))
        first: dict[str, n.Name] = {}
        for member in per.members or ():
            if member.text in first:
                self.report(msg.duplicate_member(
                    member.text, e.name.text, member.span, first[member.text].span))  # fmt: skip
            first.setdefault(member.text, member)

    def definition(self, d: n.DefinitionDecl) -> None:
        """Type-check one definition's expression; the definitions it uses are checked as
        items of their own (cycles and depth are found first, by `definitions`)."""
        self.condition(d.expr, "the definition")

    # The definitions, before any expression is checked: cycles (E0411) and depth (E0602),
    # found without recursion, so that a chain or a cycle of any length is a diagnostic.
    # Afterwards every pass may follow definitions recursively: a definition in a cycle is in
    # `def_cyclic` and one too deep has a `def_depth` above the limit.

    def _definition(self, name: n.Name) -> n.DefinitionDecl | None:
        target = self.res.target(name)
        return target if isinstance(target, n.DefinitionDecl) else None

    def _uses(self, e: n.Expr) -> list[n.DefinitionDecl]:
        """The definitions `e` names, in reading order."""
        out: list[n.DefinitionDecl] = []
        stack: list[n.Expr | n.Operand] = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, n.NameRef):
                d = self._definition(x.name)
                if d is not None:
                    out.append(d)
            elif isinstance(x, n.Compare):
                stack += [x.right, x.left]
            elif isinstance(x, n.Not):
                stack.append(x.operand)
            elif isinstance(x, n.And | n.Or | n.AtLeast):
                stack += reversed(x.operands)
        return out

    def _roots(self) -> Iterator[n.DefinitionDecl]:
        """The definitions each item names, item by item in policy order: where the search
        for cycles starts, so that a cycle is named from the definition met first."""
        for module in self.program.modules:
            for item in module.items:
                if isinstance(item, n.DefinitionDecl):
                    yield item
                elif isinstance(item, n.SafeguardDecl) and item.efficacy is not None:
                    yield from self._uses(item.efficacy)
                elif isinstance(item, n.RuleDecl):
                    if item.when is not None:
                        yield from self._uses(item.when)
                    for ob in (*item.obligations, *item.fallbacks):
                        if isinstance(ob.deadline, n.Until):
                            yield from self._uses(ob.deadline.expr)

    def definitions(self) -> None:
        finished: list[n.DefinitionDecl] = []  # each after every definition it uses
        for root in self._roots():
            if id(root) in self.def_done:
                continue
            path: list[n.DefinitionDecl] = [root]
            todo: list[Iterator[n.DefinitionDecl]] = [iter(self._uses(root.expr))]
            on_path = {id(root)}
            while todo:
                d = next(todo[-1], None)
                if d is None:
                    todo.pop()
                    done = path.pop()
                    on_path.discard(id(done))
                    self.def_done.add(id(done))
                    finished.append(done)
                elif id(d) in on_path:
                    cycle = [*path[next(i for i, x in enumerate(path) if x is d):], d]
                    self.def_cyclic.update(id(x) for x in cycle)
                    self.report(msg.definition_cycle([x.name.text for x in cycle], d.name.span))
                elif id(d) not in self.def_done:
                    path.append(d)
                    on_path.add(id(d))
                    todo.append(iter(self._uses(d.expr)))
        for d in finished:
            self.def_depth[id(d)] = 1 + self.depth(d.expr)
            if self.def_depth[id(d)] > MAX_DEFINITION_DEPTH and not self._uses_too_deep(d.expr):
                self.report(
                    msg.definitions_too_deep(d.name.text, MAX_DEFINITION_DEPTH, d.name.span)
                )

    def depth(self, e: n.Expr) -> int:
        """How deep `e` is with the definitions it uses counted in: each operator one level,
        each definition its `def_depth` (a definition in a cycle counts nothing)."""
        deepest = 0
        stack: list[tuple[n.Expr | n.Operand, int]] = [(e, 0)]
        while stack:
            x, above = stack.pop()
            if isinstance(x, n.Not | n.And | n.Or | n.AtLeast):
                deepest = max(deepest, above + 1)
                subs = (x.operand,) if isinstance(x, n.Not) else x.operands
                stack += ((sub, above + 1) for sub in subs)
            elif isinstance(x, n.Compare):
                stack += [(x.left, above), (x.right, above)]
            elif isinstance(x, n.NameRef):
                d = self._definition(x.name)
                if d is not None and id(d) not in self.def_cyclic:
                    deepest = max(deepest, above + self.def_depth.get(id(d), 0))
        return deepest

    def _uses_too_deep(self, e: n.Expr) -> bool:
        return any(self.def_depth.get(id(d), 0) > MAX_DEFINITION_DEPTH for d in self._uses(e))

    def within_depth(self, e: n.Expr) -> bool:
        """Whether condition `e` is within the depth limit; E0602 when it is the first thing
        past it (a definition it uses that is too deep is reported at that definition)."""
        if self.depth(e) <= MAX_DEFINITION_DEPTH:
            return True
        if not self._uses_too_deep(e):
            self.report(msg.definitions_too_deep(None, MAX_DEFINITION_DEPTH, e.span))
        return False

    def _implemented_in(self, e: n.Expr) -> list[n.Implemented]:
        """Every `is implemented` in `e`, in reading order, looking through definitions
        (each once)."""
        return [x for x in self._syntax_nodes(e) if isinstance(x, n.Implemented)]

    def safeguard(self, s: n.SafeguardDecl) -> None:
        self._word(s.category, units.SAFEGUARD_CATEGORIES, "safeguard category")
        self._word(s.claim, units.CLAIM_TYPES, "claim type")
        if s.efficacy is not None:
            self.within_depth(s.efficacy)
            self.condition(s.efficacy, "an efficacy criterion")
            self.undecided(s.efficacy, "efficacy")
            for found in self._implemented_in(s.efficacy):
                self.report(msg.implemented_in_efficacy(s.name.text, found.span, s.name.span))

    def criterion(self, e: n.Expr, owner: n.Name, what: str) -> None:
        """A `counts when` of a standard or a requirement: a condition, like a safeguard's
        efficacy criterion (no `is implemented`, E0413), that some input can make true."""
        typed = self.condition(e, "a `counts when` criterion") == BOOL
        shallow = self.within_depth(e)
        self.undecided(e, "criterion")  # decided once, not per context: E0803
        for found in self._implemented_in(e):
            self.report(msg.implemented_in_efficacy(owner.text, found.span, owner.span))
        if typed and shallow and self.never_true(e):
            self.report(msg.criterion_never_holds(what, owner.text, e.span))

    def standard_criterion(self, s: n.StandardDecl, e: n.Expr) -> None:
        self.criterion(e, s.name, "standard")
        if s.hole is not None:
            self.report(msg.criterion_on_hole(s.name.text, e.span, s.hole))

    def requirement_criterion(self, req: n.Requirement, e: n.Expr) -> None:
        if len(req.targets) != 1:
            targets = [t.text for t in req.targets]
            self.report(msg.criterion_several_targets(targets, e.span, req.span))
        if req.modality != "must":
            self.report(msg.criterion_not_binding(req.modality, e.span, req.span))
        self.criterion(e, req.targets[0], "the requirement of")

    # ------------------------------------------------------------------ standards

    def _standards(self) -> Iterator[tuple[n.Module, n.StandardDecl]]:
        for module in self.program.modules:
            for item in module.items:
                if isinstance(item, n.StandardDecl):
                    yield module, item

    def standards(self) -> None:
        in_cycle: set[int] = set()
        on_cycle = self._on_cycles()
        lineage = self._lineage()
        for module, std in self._standards():
            self.module = module
            parent = self._parent(std)
            if parent is not None:
                pf, sf = parent.family.text, std.family.text
                if pf != sf:
                    self.report(
                        msg.cross_family_extends(
                            std.name.text,
                            sf,
                            parent.name.text,
                            pf,
                            std.extends.span if std.extends else std.name.span,
                            parent.family.span,
                        )
                    )
            if id(std) in on_cycle and id(std) not in in_cycle:
                chain = self._chain(std)
                for s in chain:
                    in_cycle.add(id(s))
                self.report(
                    msg.extends_cycle(
                        [s.name.text for s in [std, *chain]],
                        std.extends.span if std.extends else std.name.span,
                    )
                )
            if std.hole is not None and std.includes:
                self.report(msg.hole_with_contents(std.name.text, std.hole, std.includes[0].span))
            if module.is_stdlib:
                continue
            self.need_source(std.anchors, std.name, "standard")
            found = lineage.get(id(std))
            if found is None:  # on or below a cycle: walk the chain
                inherited = self._inherited(std, in_cycle)
                found = (inherited, bool(inherited))
            inherited, inherits = found
            for inc in std.includes:
                if inc.text in inherited:
                    self.report(
                        msg.redundant_safeguard(
                            std.name.text, inc.text, inherited[inc.text], inc.span
                        )
                    )
            if std.hole is None and not std.includes and not inherits:
                self.report(msg.empty_standard(std.name.text, std.name.span))

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

    def _on_cycles(self) -> set[int]:
        """The standards on an `extends` cycle, found in one pass (each has one parent)."""
        state: dict[int, bool] = {}  # False: on the path being walked, True: done
        on: set[int] = set()
        for _, std in self._standards():
            path: list[n.StandardDecl] = []
            cur: n.StandardDecl | None = std
            while cur is not None and id(cur) not in state:
                state[id(cur)] = False
                path.append(cur)
                cur = self._parent(cur)
            if cur is not None and state[id(cur)] is False:
                on.update(id(s) for s in path[path.index(cur) :])
            for s in path:
                state[id(s)] = True
        return on

    def _lineage(self) -> dict[int, tuple[dict[str, str], bool]]:
        """For each standard not on or below an `extends` cycle: which of its own safeguards
        an ancestor already includes (the nearest such ancestor's name), and whether it
        inherits any safeguard. One walk down the extends tree, keeping for every safeguard
        the stack of ancestors on the path that include it: linear in the standards and
        their includes, however deep the chains."""
        children: dict[int, list[n.StandardDecl]] = {}
        roots: list[n.StandardDecl] = []
        for _, std in self._standards():
            parent = self._parent(std)
            if parent is None:
                roots.append(std)
            else:
                children.setdefault(id(parent), []).append(std)
        out: dict[int, tuple[dict[str, str], bool]] = {}
        holders: dict[str, list[str]] = {}  # safeguard -> ancestors on the path including it
        pushed = 0
        stack: list[tuple[n.StandardDecl, bool]] = [(r, False) for r in reversed(roots)]
        while stack:
            std, leaving = stack.pop()
            own = list(dict.fromkeys(inc.text for inc in std.includes))
            if leaving:
                for name in own:
                    holders[name].pop()
                pushed -= len(own)
                continue
            if id(std) in out:  # pragma: no cover - a standard declared twice
                continue
            hits = {name: holders[name][-1] for name in own if holders.get(name)}
            out[id(std)] = (hits, pushed > 0)
            for name in own:
                holders.setdefault(name, []).append(std.name.text)
            pushed += len(own)
            stack.append((std, True))
            stack.extend((c, False) for c in reversed(children.get(id(std), [])))
        return out

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
            self.report(msg.warning_without_condition(r.kind, r.name.text, r.name.span))
        when = r.when
        typed = when is not None and self.condition(when, "a `when` condition") == BOOL
        shallow = when is not None and self.within_depth(when)
        if typed and shallow and when is not None and self.never_true(when):
            self.report(msg.rule_never_fires(r.kind, r.name.text, when.span))
        for cmp in r.rules_out:
            self.rules_out(r, cmp)
        self.rule_settings(r)
        self.requirements(r)
        for ob in (*r.obligations, *r.fallbacks):
            self.obligation(ob)
        self.duty_keys(r)
        self.contradictions(r)
        if not self.module.is_stdlib:
            self.need_source(r.anchors, r.name, r.kind)

    def duty_keys(self, r: n.RuleDecl) -> None:
        """E1601 for two duties of the rule with one key; E1604 and W0045 for an `as` name
        that is another action or the duty's own; W0044 for a ladder of one step."""
        seen: dict[str, n.Name] = {}
        for ob in (*r.obligations, *r.fallbacks):
            if ob.name is not None:
                target = self.res.lookup(self.module, ob.name.text)
                if ob.name.text == ob.action.text:
                    self.report(msg.redundant_duty_name(ob.name.text, ob.name.span))
                elif isinstance(target, n.ActionDecl):
                    self.report(msg.duty_name_is_action(ob.name.text, ob.action.text,
                                                        ob.name.span))  # fmt: skip
            key = ob.key
            if key.text in seen:
                self.report(msg.duplicate_duty(r.kind, r.name.text, key.text, ob.action.text,
                                               key.span, seen[key.text].span))  # fmt: skip
            else:
                seen[key.text] = key
        if r.ladder is not None and len(r.fallbacks) < 2:
            self.report(msg.one_step_ladder(r.name.text, r.ladder))
    # ------------------------------------------------------------------ waivers (E13xx)

    def waiver(self, w: n.WaiverDecl) -> None:
        """E1301-E1302 for a waiver missing what it waives or who approves it; its condition
        is checked as a rule's is (and may not read a domain assessed per context, E0803); a
        duty it waives must exist (E0503); W0035-W0037 when it can lift nothing."""
        if w.target is None:
            self.report(msg.waiver_without_target(w.name.text, w.name.span))
        if not w.approved_by:
            self.report(msg.waiver_without_approval(w.name.text, w.name.span))
        if w.when is not None and self.within_depth(w.when):
            self.condition(w.when, "a waiver's condition")
            self.undecided(w.when, "waiver")
        if w.target is None:
            return
        decl = self.res.target(w.target)
        if w.rule is not None:
            self.obligation_exists(w.target, w.rule)
            loose = [ob for ob in self.keyed_duties(w.target, w.rule) if ob.modality != "must"]
            if loose:
                self.report(msg.waiver_duty_not_binding(
                    w.name.text, loose[0].modality, w.target.text, w.rule.text,
                    w.target.span))  # fmt: skip
            return
        if not isinstance(decl, n.StandardDecl | n.SafeguardDecl):
            return
        every = self.all_contexts()
        required: set[str] = set()
        for m in self.program.modules:
            for item in m.items:
                if not isinstance(item, n.RuleDecl):
                    continue
                for req in item.requirements:
                    if req.modality != "must" or all(t.text != w.target.text for t in req.targets):
                        continue
                    named = [c for name in req.contexts for c in self.members(name)]
                    required.update(named or every)
        if not required:
            self.report(msg.waiver_target_never_required(w.name.text, w.target.text,
                                                         w.target.span))  # fmt: skip
            return
        asked = list(dict.fromkeys(
            c for name in w.contexts if isinstance(self.res.target(name), n.ContextDecl)
            for c in self.members(name)
        ))  # fmt: skip
        idle = [c for c in asked if c not in required]
        if idle:
            span = w.contexts[0].span
            self.report(msg.waiver_context_not_required(w.name.text, w.target.text, idle, span))

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
            self.report(msg.invalid_rules_out(cmp.span))

    def requirements(self, r: n.RuleDecl) -> None:
        seen: list[tuple[n.Requirement, n.Name, n.Decl]] = []
        for req in r.requirements:
            if req.efficacy is not None:
                self.requirement_criterion(req, req.efficacy)
            for t in req.targets:
                decl = self.res.target(t)
                hole = self._hole_of(decl) if isinstance(decl, n.StandardDecl) else None
                if hole is not None:
                    extended = None if hole is decl else hole.name.text
                    assert hole.hole is not None
                    self.report(msg.hole_required(t.text, extended, t.span, hole.hole))
                if decl is not None and not isinstance(decl, n.LevelDecl):
                    seen.append((req, t, decl))
        for (ra, ta, da), (rb, tb, db) in itertools.permutations(seen, 2):
            if not isinstance(da, n.StandardDecl) or not isinstance(db, n.StandardDecl):
                continue
            contexts_a = {c.text for c in ra.contexts}
            contexts_b = {c.text for c in rb.contexts}
            covers = not contexts_a or (contexts_b and contexts_b <= contexts_a)
            if covers and any(p is db for p in self._chain(da) if p is not da):
                self.report(msg.redundant_requirement(tb.text, ta.text, tb.span, ta.span))

    def single_context(self, name: n.Name, where: str) -> None:
        """E0203 when a context group is used where one context is needed."""
        target = self.res.target(name)
        if isinstance(target, n.ContextDecl) and target.includes:
            members = [m.text for m in target.includes]
            self.report(
                msg.context_group_not_single(
                    name.text, where, members, name.span, target.name.span
                )
            )

    # ------------------------------------------------------------------ roles (E14xx)

    def role_group(self, g: n.RoleDecl) -> None:
        """E1402 for a group that lists itself, E1403 for groups in a circle (reported once,
        at the group first in name order), W0039 for a role listed twice, directly or
        through a group it lists."""
        seen: dict[str, tuple[Span, str | None]] = {}
        for member in g.includes:
            if member.text == g.name.text:
                self.report(msg.role_group_includes_itself(g.name.text, member.span))
                continue
            target = self.res.target(member)
            inner = (
                self.role_path(target, [g.name.text]) if isinstance(target, n.RoleDecl) else None
            )
            if inner is not None and inner[-1] == g.name.text:
                cycle = [g.name.text, *inner]
                if g.name.text == min(cycle):
                    self.report(msg.role_group_cycle(cycle, member.span))
                continue
            self.repeated(member, f"among the members of `{g.name.text}`", seen)

    def role_path(self, decl: n.RoleDecl, path: list[str]) -> list[str] | None:
        """A chain of `includes` from `decl` back to a group already on `path` (ending with
        it), or None when the groups below `decl` lead down to single roles."""
        if decl.name.text in path:
            return [decl.name.text]
        for member in decl.includes:
            target = self.res.target(member)
            if isinstance(target, n.RoleDecl) and target.includes:
                found = self.role_path(target, [*path, decl.name.text])
                if found is not None:
                    return [decl.name.text, *found]
        return None

    def role_members(self, name: n.Name) -> list[tuple[str, str | None]]:
        """The single roles `name` stands for, each with the group it came through (None
        for a role named directly); a group in a circle stands for nothing more (E1403)."""
        out: list[tuple[str, str | None]] = []
        stack: list[tuple[n.Name, str | None]] = [(name, None)]
        visited: set[str] = set()
        while stack:
            member, through = stack.pop()
            target = self.res.target(member)
            if isinstance(target, n.RoleDecl) and target.includes:
                if member.text in visited:
                    continue
                visited.add(member.text)
                via = through or member.text
                stack.extend((m, via) for m in reversed(target.includes))
            else:
                out.append((member.text, through))
        return out

    def role_list(self, names: tuple[n.Name, ...], clause: str) -> None:
        """W0039: a role named twice in one `by`, `approved by` or `to` list."""
        seen: dict[str, tuple[Span, str | None]] = {}
        for name in names:
            self.repeated(name, f"in this `{clause}` list", seen)

    def repeated(self, name: n.Name, where: str, seen: dict[str, tuple[Span, str | None]]) -> None:
        """W0039 for each role `name` stands for that an earlier name of the same list
        (`seen`: each role with where it was named and the group it came through) already
        stands for. A group that repeats a role itself is reported at its declaration."""
        for role, through in dict.fromkeys(self.role_members(name)):
            if role in seen and seen[role][0] != name.span:
                via = through or seen[role][1]
                shown = where + (f" (once through `{via}`)" if via else "")
                self.report(msg.repeated_role(role, shown, name.span, seen[role][0]))
            seen.setdefault(role, (name.span, through))

    def prohibition(self, ob: n.Obligation, negated: Span) -> None:
        """A `must not` / `should not` line the evaluator can give a meaning to: a binding or
        reported modality (E1201), no deadline but `until` (E1202), no approver (E1203);
        a context it names is blocked only through a blocking action (W0032)."""
        action = ob.action.text
        if ob.modality not in ("must", "should"):
            where = Span(negated.file, ob.span.start, negated.end, ob.span.line,
                         ob.span.column, negated.end_line, negated.end_column)  # fmt: skip
            self.report(msg.prohibition_modality(ob.modality, action, where))
            return
        d = ob.deadline
        if d is not None and not isinstance(d, n.Until):
            clause = n.deadline_word(d)
            self.report(msg.prohibition_deadline(ob.modality, action, clause, d.span, ob.span))
        if ob.approved_by:
            first, last = ob.approved_by[0].span, ob.approved_by[-1].span
            self.report(msg.prohibition_approved(ob.modality, action, join(first, last), ob.span))
        decl = self.res.target(ob.action)
        std = isinstance(decl, n.ActionDecl) and any(
            m.is_stdlib and any(x is decl for x in m.items) for m in self.program.modules
        )
        if ob.modality == "must" and std and isinstance(decl, n.ActionDecl) and decl.blocking:
            contexts = [x.text for x in ob.objects
                        if isinstance(self.res.target(x), n.ContextDecl)]  # fmt: skip
            self.report(msg.prohibited_restriction(action, contexts, ob.span, decl.name.span))
        if ob.modality == "must" and isinstance(decl, n.ActionDecl) and not decl.blocking:
            contexts = [x.text for x in ob.objects
                        if isinstance(self.res.target(x), n.ContextDecl)]  # fmt: skip
            if contexts:
                self.report(msg.prohibition_context_not_blocked(
                    action, contexts, ob.span, decl.name.span))  # fmt: skip

    def contradictions(self, r: n.RuleDecl) -> None:
        """E1207: `must X` and `must not X` on the same things in one rule."""
        duties = [ob for ob in (*r.obligations, *r.fallbacks) if ob.modality == "must"]
        for ob in duties:
            if ob.negated is None:
                continue
            key = (ob.action.text, tuple(x.text for x in ob.objects))
            for other in duties:
                if other.negated is None and key == (
                    other.action.text, tuple(x.text for x in other.objects)
                ):
                    self.report(msg.prohibition_contradicts(
                        ob.action.text, r.name.text, ob.span, other.span))  # fmt: skip
                    break

    def obligation(self, ob: n.Obligation) -> None:
        if ob.negated is not None:
            self.prohibition(ob, ob.negated)
        for names, clause in ((ob.by, "by"), (ob.approved_by, "approved by"), (ob.to, "to")):
            self.role_list(names, clause)
        d = ob.deadline
        if isinstance(d, n.Within):
            t = self.quantity_type(d.amount, "duration")
            if t.kind != "error" and t != Type("quantity", "duration"):
                self.report(msg.within_needs_duration(t, d.amount.span))
            elif d.amount.value < 0:
                self.report(msg.negative_quantity(d.amount.text, t.detail, d.amount.span))
            if d.event is not None:
                self._date_evidence(d.event, "`within ... of`")
        elif isinstance(d, n.Every):
            unit = units.UNITS.get(d.unit.text)
            if unit is None or unit[0] != "duration":
                self.report(msg.every_needs_time_unit(d.unit.text, unit is None, d.unit.span))
            if d.high is not None and d.high < d.low:
                self.report(msg.interval_reversed(d.low, d.high, d.unit.text, d.span))
            if unit is not None and not all(
                math.isfinite(x * unit[1]) for x in (d.low, d.high or 0.0)
            ):
                written = self.program.texts.get(d.span.file, "")[d.span.start : d.span.end]
                self.report(msg.quantity_too_large(written, units.DIMENSIONS[unit[0]], d.span))
            if d.since is not None:
                self._date_evidence(d.since, "`every ... since`")
        elif isinstance(d, n.Until):
            self.within_depth(d.expr)
            self.condition(d.expr, "an `until` condition")
            self.undecided(d.expr, "until")
        elif isinstance(d, n.DueEvent):
            self._date_evidence(d.event, "`due`")
        elif isinstance(d, n.DueAt) and ob.modality == "must":
            action = self.res.target(ob.action)
            if isinstance(action, n.ActionDecl) and action.blocking:
                self.report(msg.due_at_blocking(ob.action.text, d.span, action.name.span))

    def _date_evidence(self, name: n.Name, where: str) -> None:
        decl = self.res.target(name)
        if isinstance(decl, n.EvidenceDecl) and decl.type.text != "date":
            self.report(
                msg.event_not_dated(where, name.text, decl.type.text, name.span, decl.type.span)
            )

    # ------------------------------------------------------------------ expressions

    def condition(self, e: n.Expr, where: str) -> Type:
        t = self.expr_type(e)
        if t.kind not in ("bool", "error"):
            self.report(msg.non_boolean_condition(where, t, e.span))
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
                self.report(msg.impossible_count(len(e.operands), e.span))
            return BOOL
        if isinstance(e, n.Implemented):
            return BOOL
        if isinstance(e, n.DomainQuant):
            self.domain_quant(e)
            return BOOL
        if isinstance(e, n.MemberTest):
            self.member_test(e)
            return BOOL
        raise AssertionError(f"unknown expression {e!r}")  # pragma: no cover

    def name_type(self, name: n.Name) -> Type:
        decl = self.res.target(name)
        if isinstance(decl, n.EvidenceDecl) and decl.per is not None:
            self.report(
                msg.family_as_value(name.text, decl.per.dimension.text, name.span, decl.name.span)
            )
            return ERROR
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
            return BOOL  # checked as an item of its own
        if isinstance(decl, n.DomainDecl):
            return Type("domain", decl.name.text)
        if isinstance(decl, n.LevelDecl):
            owner = self.res.levels.get(name.span)
            return Type("level", owner.name.text if owner else "")
        return ERROR

    def quantity_type(self, q: n.Quantity, dimension: str | None = None) -> Type:
        """The type of the literal `q`; `dimension` is the kind of quantity expected there,
        when known, so that a misspelt unit is corrected only into a unit of that kind."""
        if q.ratio is not None:
            return self.ratio_type(q, *q.ratio)
        if q.unit is None:
            return NUMBER
        unit = units.UNITS.get(q.unit.text)
        if unit is None:
            self.report(msg.unknown_unit(q.unit.text, q.unit.span, dimension))
            return ERROR
        if math.isfinite(q.value) and not math.isfinite(units.to_base(q.value, q.unit.text)[1]):
            base = units.DIMENSIONS.get(unit[0], unit[0])
            self.report(msg.quantity_too_large(q.text, base, q.span))
            return ERROR
        return Type("quantity", unit[0])

    def ratio_type(self, q: n.Quantity, part: float, whole: float) -> Type:
        """`N in M`: a fraction, when M > 0 and 0 <= N <= M (E0702 otherwise)."""
        if not (whole > 0 and 0 <= part <= whole):
            self.report(msg.invalid_ratio(q.text, part, whole, q.span))
            return ERROR
        return Type("quantity", "fraction")

    @staticmethod
    def base_value(q: n.Quantity) -> float:
        """A literal's value in its dimension's base unit (a plain number as written)."""
        if q.unit is None or q.unit.text not in units.UNITS:
            return q.value
        return units.to_base(q.value, q.unit.text)[1]

    @staticmethod
    def score_literal(c: n.Compare, lt: Type, rt: Type) -> bool:
        """A score compared with a literal fraction (`-5%`, `1 in 20`): allowed, the
        percentage or ratio being a way to write a plain number."""
        for score, lit, side in ((lt, rt, c.right), (rt, lt, c.left)):
            if score.detail == "score" and lit.detail == "fraction":
                return isinstance(side, n.Quantity)
        return False

    def bounds(self, c: n.Compare, lt: Type, rt: Type) -> None:
        """E0701 for a negative literal where the quantity has no sign; W0011 for a fraction
        compared with a bound above 1, which no fraction passes."""
        sides = ((c.left, lt, c.right, rt, False), (c.right, rt, c.left, lt, True))
        for lit, lit_t, other, other_t, flipped in sides:
            if not isinstance(lit, n.Quantity):
                continue
            dim = other_t.detail if other_t.kind == "quantity" else lit_t.detail
            value = self.base_value(lit)
            if value < 0 and dim in units.UNSIGNED_DIMENSIONS:
                self.report(msg.negative_quantity(lit.text, dim, lit.span))
            elif dim == "fraction" and value > 1 and isinstance(other, n.NameRef):
                # evidence op bound (the bound on the right once `flipped` is undone)
                op = c.op if flipped else {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(
                    c.op, c.op)
                outcome = "always true" if op in ("<", "<=", "!=") else "never true"
                self.report(msg.bound_out_of_range(other.name.text, lit.text, outcome, c.span))

    def operand_type(self, op: n.Operand, dimension: str | None = None) -> Type:
        """The type of `op`; `dimension`, the kind of quantity on the other side of its
        comparison when known, is passed on to `quantity_type`."""
        if isinstance(op, n.NameRef) and op.residual:
            decl = self.res.target(op.name)
            if isinstance(decl, n.DomainDecl) and decl.residual is not None:
                return self.name_type(op.name)
            if decl is not None:
                domain = decl.name.span if isinstance(decl, n.DomainDecl) else None
                self.report(msg.residual_without_mitigation(op.name.text, op.span, domain))
            return ERROR
        if isinstance(op, n.NameRef):
            return self.name_type(op.name)
        if isinstance(op, n.Quantity):
            return self.quantity_type(op, dimension)
        if isinstance(op, n.DateLit):
            return DATE if op.value is not None else ERROR
        if isinstance(op, n.Since):
            decl = self.res.target(op.name)
            if isinstance(decl, n.EvidenceDecl) and decl.type.text != "date":
                self.report(
                    msg.since_needs_date(op.name.text, decl.type.text, op.span, decl.type.span)
                )
                return ERROR
            return Type("quantity", "duration") if decl is not None else ERROR
        if isinstance(op, n.MemberBound):
            return self.member_type(op.bound, op.name, op.span)
        raise AssertionError(f"unknown operand {op!r}")  # pragma: no cover

    def compare(self, c: n.Compare) -> Type:
        # a literal's unit is checked knowing the other side's kind of quantity
        if isinstance(c.left, n.Quantity):
            rt = self.operand_type(c.right)
            lt = self.operand_type(c.left, rt.detail if rt.kind == "quantity" else None)
        else:
            lt = self.operand_type(c.left)
            rt = self.operand_type(c.right, lt.detail if lt.kind == "quantity" else None)
        if ERROR in (lt, rt):
            return BOOL
        kinds = {lt.kind, rt.kind}
        if kinds == {"domain", "level"}:
            return BOOL  # the resolver bound the level inside the domain
        if lt.kind == rt.kind == "quantity":
            if lt.detail != rt.detail and not self.score_literal(c, lt, rt):
                self.report(msg.unit_mismatch(lt, rt, c.span, c.left.span, c.right.span))
            else:
                self.bounds(c, lt, rt)
            return BOOL
        if kinds == {"quantity", "number"}:
            q = lt if lt.kind == "quantity" else rt
            if q.detail not in units.PLAIN_DIMENSIONS:
                number = c.right if rt.kind == "number" else c.left
                self.report(msg.number_without_unit(q, number.span))
            else:
                self.bounds(c, lt, rt)
            return BOOL
        if lt == rt and lt.kind in ("date", "number"):
            return BOOL
        self.report(msg.incomparable(lt, rt, c.span))
        return BOOL

    def member_type(self, word: str, name: n.Name, span: Span) -> Type:
        """The type of one member of the family `name`, aggregated by `word` (`all`, `any`,
        `at least`, `max`, `min`, or `each` for a member compared inside a test): E0903 when
        `name` is not a family, E0904 for `max`/`min` over yes-or-no members."""
        decl = self.res.target(name)
        if not isinstance(decl, n.EvidenceDecl) or decl.type.text not in units.EVIDENCE_TYPES:
            return ERROR
        if decl.per is None:
            self.report(msg.not_a_family(word, name.text, span))
            return ERROR
        if decl.type.text in units.BOOLEAN_TYPES:
            if word in ("max", "min"):
                self.report(msg.family_member_kind(word, name.text, True, span))
                return ERROR
            return BOOL
        if decl.type.text in units.DIMENSIONS:
            return Type("quantity", decl.type.text)
        return ERROR

    def member_test(self, e: n.MemberTest) -> None:
        """`all`/`any`/`at least N of` a family: its count fits the members (E0906), a
        comparison over quantities and none over yes-or-no values (E0904)."""
        t = self.member_type(e.quantifier, e.name, e.span)
        decl = self.res.target(e.name)
        if e.quantifier == "at least" and e.count is not None and t != ERROR:
            assert isinstance(decl, n.EvidenceDecl) and decl.per is not None
            members = decl.per.members
            if e.count < 1 or (members is not None and e.count > len(members)):
                count = None if members is None else len(members)
                self.report(msg.impossible_member_count(e.name.text, count, e.span))
        if t == ERROR:
            if e.right is not None:
                self.operand_type(e.right)
            return
        if t.kind == "bool":
            if e.op is not None:
                self.report(msg.family_member_kind(e.quantifier, e.name.text, True, e.span))
            return
        if e.op is None or e.right is None:
            self.report(msg.family_member_kind(e.quantifier, e.name.text, False, e.span))
            return
        member = n.MemberBound("each", e.name, e.name.span)
        self.compare(n.Compare(member, e.op, e.right, e.span))

    def domain_quant(self, q: n.DomainQuant) -> None:
        self._word(q.status, units.DOMAIN_STATUSES, "domain status")
        domains = self.quant_domains(q)
        lacking = [d.name.text for d in domains if not any(
            lv.name.text == q.level.text for lv in d.levels)]
        if lacking:
            self.report(msg.level_missing_from_domains(q.level.text, lacking, q.level.span))
        if not domains:
            self.report(msg.ranges_over_no_domains(q.quantifier, q.span))
        if q.residual:
            for d in domains:
                if d.residual is None:
                    self.report(msg.residual_without_mitigation(d.name.text, q.span, d.name.span))

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

        Every other atom ranges over true and false; a domain over its positions (below every
        level, then each level), grouped into the classes the condition can tell apart: only
        the ranks it compares the domain with split the scale, so one representative of each
        of the (at most 2 x ranks + 1) intervals they leave stands for every position in it.
        Skipped (False) when the truth table would still be too large. Each row is decided by
        the evaluator's own rules (`rspl.semantics`): a domain at one position is a point
        interval, so every value is true or false.
        """
        circuit = self._circuit(e)
        if circuit is None:
            return False
        steps, root, atoms, ranks, levels = circuit
        names = sorted(ranks)
        positions = [_representatives(ranks[d], levels[d]) for d in names]
        rows = 2 ** len(atoms)
        for reps in positions:
            rows *= len(reps)
        if rows > _MAX_TRUTH_ROWS:
            return False
        slot = {d: i for i, d in enumerate(names)}
        program = [
            (step[0], slot[step[1]], step[2], step[3]) if step[0] == _STEP_LEVEL else step
            for step in steps
        ]
        for at in itertools.product(*positions):
            for truth in itertools.product((False, True), repeat=len(atoms)):
                if _run(program, at, truth)[root] is not False:
                    return False
        return True

    def _level_rank(self, name: n.Name) -> tuple[str, int] | None:
        owner = self.res.levels.get(name.span)
        if owner is None:
            return None
        for i, lv in enumerate(owner.levels):
            if lv.name.text == name.text:
                return owner.name.text, i + 1
        return None

    def _circuit(self, e: n.Expr) -> _Circuit | None:
        """The condition `e` as steps in evaluation order (each after its operands), with the
        index of the step giving `e`'s value, its atoms, the ranks each domain is compared
        with and each domain's number of levels. Definitions are followed wherever they are
        met, to any depth, without recursion; a definition used twice is one step. None if a
        definition refers back to itself (the checker has reported it)."""
        steps: list[_Step] = []
        index: dict[int, int] = {}  # id(expression) -> step giving its value
        atoms: dict[n.Expr, int] = {}
        ranks: dict[str, set[int]] = {}
        levels: dict[str, int] = {}
        open_: set[int] = set()
        stack: list[tuple[n.Expr, bool]] = [(e, False)]
        while stack:
            cur, ready = stack.pop()
            key = id(cur)
            if key in index:
                continue
            operands = self._operands(cur)
            if not ready:
                if key in open_:
                    return None
                open_.add(key)
                stack.append((cur, True))
                stack.extend((x, False) for x in reversed(operands) if id(x) not in index)
                continue
            open_.discard(key)
            if any(id(x) not in index for x in operands):
                return None  # pragma: no cover - only through a cycle, reported above
            if isinstance(cur, n.NameRef) and operands:  # a definition: its expression's step
                index[key] = index[id(operands[0])]
                continue
            step: _Step
            lc = self.res.level_comparison(cur) if isinstance(cur, n.Compare) else None
            if lc is not None:
                # the level after mitigation is a domain of its own for this analysis
                domain = "residual " + lc.domain if lc.residual else lc.domain
                ranks.setdefault(domain, set()).add(lc.rank)
                levels[domain] = lc.levels
                step = (_STEP_LEVEL, domain, lc.op, lc.rank)
            elif isinstance(cur, n.Not):
                step = (_STEP_NOT, index[id(cur.operand)], "", 0)
            elif isinstance(cur, n.And | n.Or | n.AtLeast):
                need = len(cur.operands)  # `and`, `all of`
                if isinstance(cur, n.Or):
                    need = 1
                elif isinstance(cur, n.AtLeast) and cur.count is not None:
                    need = cur.count
                step = (_STEP_AT_LEAST, tuple(index[id(x)] for x in operands), "", need)
            else:
                step = (_STEP_ATOM, atoms.setdefault(cur, len(atoms)), "", 0)
            index[key] = len(steps)
            steps.append(step)
        return steps, index[id(e)], list(atoms), ranks, levels

    def _operands(self, e: n.Expr) -> tuple[n.Expr, ...]:
        """What the never-true analysis decides `e` from: a connective's operands, the
        expression of the definition a name refers to (unless it is cyclic or unchecked),
        nothing for a level comparison or an atom."""
        if isinstance(e, n.Not):
            return (e.operand,)
        if isinstance(e, n.And | n.Or | n.AtLeast):
            return e.operands
        if isinstance(e, n.NameRef):
            target = self.res.target(e.name)
            if isinstance(target, n.DefinitionDecl) and not self._in_cycle(target):
                return (target.expr,)
        return ()

    def _in_cycle(self, d: n.DefinitionDecl) -> bool:
        return id(d) in self.def_cyclic or id(d) not in self.def_done

    # ------------------------------------------------------------------ scenarios

    def scenario(self, s: n.ScenarioDecl) -> None:
        if not s.expects:
            self.report(msg.scenario_without_expectations(s.name.text, s.name.span))
        given: dict[str, n.Given] = {}
        marked: dict[tuple[str, str], n.Given] = {}  # (rule, key): given done or failed
        for g in s.givens:
            key = self._given_key(g)
            if key is not None:
                if key in given:
                    self.report(msg.scenario_conflict(g.span, given[key].span))
                given[key] = g
            if isinstance(g, n.GivenLevel):
                self.given_level(g)
            elif isinstance(g, n.GivenValue | n.GivenMember):
                self.given_value(g)
            elif isinstance(g, n.GivenDone):
                if self.obligation_exists(g.action, g.rule):
                    first = marked.setdefault((g.rule.text, g.action.text), g)
                    if isinstance(first, n.GivenFailed):
                        self.report(msg.done_and_failed(g.action.text, g.rule.text, g.span,
                                                        first.span))  # fmt: skip
                self.given_done(g)
            elif isinstance(g, n.GivenFailed):
                self.given_failed(g, marked)
            elif isinstance(g, n.GivenCarried):
                self.given_carried(g)
        for x in s.expects:
            if isinstance(x, n.Expect) and x.context is not None:
                self.expect_for(x, x.context)
            if isinstance(x, n.ExpectObligation):
                self.expect_obligation(x)
            elif isinstance(x, n.ExpectRoles):
                self.obligation_exists(x.action, x.rule)
            elif isinstance(x, n.ExpectVerdict):
                self.single_context(x.context, "a verdict")
            elif (isinstance(x, n.Expect) and x.what in ("in_force", "not_in_force")
                  and "as_of" not in given):  # fmt: skip
                self.report(msg.in_force_without_date(x.span))

    def given_carried(self, g: n.GivenCarried) -> None:
        """W0030: carried forward where neither the domain nor the header allows it."""
        domain = self.res.target(g.domain)
        if not isinstance(domain, n.DomainDecl) or domain.carry_forward is not None:
            return
        header = next(
            (i for i in self.program.main.items if isinstance(i, n.PolicyHeader)), None
        )
        if header is None or header.carry_forward is None:
            self.report(msg.carry_forward_never_allowed(g.domain.text, g.span, domain.name.span))

    @staticmethod
    def _given_key(g: n.Given) -> str | None:
        if isinstance(g, n.GivenLevel):
            residual = "residual " if g.residual else ""
            setting = " for " + g.setting.text if g.setting is not None else ""
            return "domain:" + residual + g.domain.text + setting
        if isinstance(g, n.GivenValue):
            return "value:" + g.name.text
        if isinstance(g, n.GivenAsOf):
            return "as_of"
        if isinstance(g, n.GivenMember):
            return f"value:{g.name.text}.{g.member.text}"
        if isinstance(g, n.GivenProvisional):
            return "provisional:" + g.domain.text
        if isinstance(g, n.GivenCarried):
            return "carried:" + g.domain.text
        return None

    def given_level(self, g: n.GivenLevel) -> None:
        self.given_setting(g)
        if g.level is None or g.unsure is None:
            return
        lo, hi = self._level_rank(g.level), self._level_rank(g.unsure)
        if lo is not None and hi is not None and hi[1] <= lo[1]:
            self.report(
                msg.scenario_level_order(g.unsure.text, g.level.text, g.unsure.span, g.level.span)
            )

    def given_setting(self, g: n.GivenLevel) -> None:
        """E0806 when `given` names a setting the domain is not assessed for, leaves out the
        setting of a domain assessed per context, or gives a `residual` level of a domain
        not assessed after mitigation."""
        domain = self.res.target(g.domain)
        if not isinstance(domain, n.DomainDecl):
            return
        names = [x.text for x in domain.settings]
        if g.residual and domain.residual is None:
            self.report(msg.given_setting(domain.name.text, None, True, g.span, names))
        elif g.setting is None and names:
            self.report(msg.given_setting(domain.name.text, None, False, g.span, names))
        elif g.setting is not None and g.setting.text not in names:
            setting = g.setting.text
            self.report(msg.given_setting(domain.name.text, setting, False, g.setting.span, names))

    def given_value(self, g: n.GivenValue | n.GivenMember) -> None:
        decl = self.res.target(g.name)
        if not isinstance(decl, n.EvidenceDecl) or decl.type.text not in units.EVIDENCE_TYPES:
            return
        if not self.given_member(g, decl):
            return
        want = decl.type.text
        v = g.value
        if isinstance(v, bool):
            ok, got = want in units.BOOLEAN_TYPES, BOOL
        elif isinstance(v, n.DateLit):
            ok, got = want == "date", DATE
        else:
            t = got = self.quantity_type(v, want if want in units.DIMENSIONS else None)
            ok = t.kind == "error" or (t.kind == "quantity" and t.detail == want) or (
                t.kind == "number" and want in units.PLAIN_DIMENSIONS) or (
                want == "score" and t == Type("quantity", "fraction"))
            if ok and t.kind != "error":
                self.given_range(g, v, want, decl.type.span)
        if not ok:
            self.report(
                msg.scenario_value_type(g.name.text, want, got, g.span, decl.type.span)
            )

    def expect_for(self, x: n.Expect, context: n.Name) -> None:
        """E0807 for `expect STATUS RULE for CONTEXT` where the rule is not decided per
        context for that context (its condition reads no domain assessed for it)."""
        self.single_context(context, "an expectation")
        target = self.res.target(context)
        if not isinstance(target, n.ContextDecl) or target.includes:
            return  # unknown (E0405) or a group (E0203)
        if x.what in ("waived", "not_waived"):
            return  # a waiver is applied per context
        for name in x.names:
            rule = self.res.target(name)
            if not isinstance(rule, n.RuleDecl) or rule.when is None:
                read = []
            else:
                read = self._settings_read(rule.when)
            if not read or any(context.text not in self.covered(d) for d, _ in read):
                self.report(msg.expect_not_per_context(name.text, context.text, context.span))

    def given_range(
        self, g: n.GivenValue | n.GivenMember, v: n.Quantity, want: str, declared: Span
    ) -> None:
        """E0703 when a scenario's value is outside its dimension's range (the engines would
        reject the assessment it makes)."""
        value = self.base_value(v)
        if not semantics.in_range(value, want):
            expected = semantics.range_text(value, want)
            self.report(
                msg.scenario_value_range(g.name.text, want, v.text, expected, g.span, declared)
            )

    def given_member(self, g: n.GivenValue | n.GivenMember, decl: n.EvidenceDecl) -> bool:
        """Whether a scenario gives a family's values member by member, and plain evidence
        whole, with each member one the family declares (E0907)."""
        per = decl.per
        if isinstance(g, n.GivenValue):
            if per is not None:
                self.report(msg.scenario_family_whole(g.name.text, g.span, decl.name.span))
            return per is None
        if per is None:
            self.report(msg.scenario_member_of_plain(g.name.text, g.span, decl.name.span))
            return False
        names = [m.text for m in per.members] if per.members is not None else None
        if names is not None and g.member.text not in names:
            self.report(msg.scenario_unknown_member(
                g.name.text, g.member.text, names, g.member.span, per.span))  # fmt: skip
            return False
        return True

    def expect_obligation(self, x: n.ExpectObligation) -> None:
        if not x.prohibited:
            self._word(x.status, units.OBLIGATION_STATUSES, "obligation status")
        exists = self.obligation_exists(x.action, x.rule)
        ladder_word = x.status.text in ("standby", "failed")
        if exists and ladder_word and not self._ladder_step(x.action, x.rule):
            self.report(msg.ladder_status_not_ladder(x.status.text, x.action.text,
                                                     x.rule.text, x.status.span))  # fmt: skip
        duties = self.keyed_duties(x.action, x.rule)
        if not duties:
            return
        banned = [ob for ob in duties if ob.negated is not None]
        if x.prohibited and not banned:
            self.report(msg.not_a_prohibition(x.action.text, x.rule.text, x.span, duties[0].span))
        elif (not x.prohibited and len(banned) == len(duties)
              and (x.status.text in ("open", "due", "overdue", "done") or x.due is not None)):
            status = x.status.text if x.due is None else "due"
            self.report(msg.prohibition_status(
                x.action.text, x.rule.text, status, x.span, banned[0].span))  # fmt: skip

    def given_done(self, g: n.GivenDone) -> None:
        """E1204: `given done` naming a prohibition (and no duty that can be done)."""
        duties = self.keyed_duties(g.action, g.rule)
        if duties and all(ob.negated is not None for ob in duties):
            self.report(msg.prohibition_done(g.action.text, g.rule.text, g.span, duties[0].span))

    def keyed_duties(self, key: n.Name, rule_name: n.Name) -> list[n.Obligation]:
        """The obligations and fallbacks of a rule with this key (`as` name, else action)."""
        rule = self.res.target(rule_name)
        if not isinstance(rule, n.RuleDecl):
            return []
        return [ob for ob in (*rule.obligations, *rule.fallbacks) if ob.key.text == key.text]

    def given_failed(self, g: n.GivenFailed, marked: dict[tuple[str, str], n.Given]) -> None:
        """E1602 unless the duty is a ladder step; E1603 if it is also given as done."""
        if not self.obligation_exists(g.action, g.rule):
            return
        if not self._ladder_step(g.action, g.rule):
            self.report(msg.failed_not_ladder_step(g.action.text, g.rule.text, g.span))
            return
        first = marked.setdefault((g.rule.text, g.action.text), g)
        if isinstance(first, n.GivenDone):
            self.report(msg.done_and_failed(g.action.text, g.rule.text, g.span, first.span))

    def _ladder_step(self, key: n.Name, rule_name: n.Name) -> bool:
        rule = self.res.target(rule_name)
        if not isinstance(rule, n.RuleDecl) or rule.ladder is None:
            return False
        return any(ob in rule.fallbacks for ob in self.keyed_duties(key, rule_name))

    def obligation_exists(self, action: n.Name, rule_name: n.Name) -> bool:
        """E0503 unless the rule has a duty (an obligation or fallback) with this key: its
        `as` name, or its action when it has none. True when it has."""
        rule = self.res.target(rule_name)
        if not isinstance(rule, n.RuleDecl):
            return False
        actions = [ob.key.text for ob in (*rule.obligations, *rule.fallbacks)]
        if action.text in actions:
            return True
        if self.res.target(action) is not None:
            self.report(
                msg.unknown_obligation(
                    rule.kind, rule.name.text, action.text, actions, action.span, rule.name.span
                )
            )
        return False

    # ------------------------------------------------------------------ whole-policy warnings

    def need_source(self, anchors: tuple[n.Anchor, ...], name: n.Name, what: str) -> None:
        if not anchors:
            self.report(msg.missing_source(what, name.text, name.span))

    def unused(self) -> None:
        for module in self.program.modules:
            if module.is_stdlib:
                continue
            for item in module.items:
                if isinstance(item, n.PolicyHeader | n.Import | n.RuleDecl | n.ScenarioDecl
                              | n.WaiverDecl | n.AssertDecl):  # fmt: skip
                    continue
                if self.res.own[module.name].get(item.name.text) is not item:
                    continue  # a duplicate, already reported
                if item.span not in self.res.used:
                    kind = n.kind_of(item)
                    self.report(msg.unused_declaration(kind, item.name.text, item.name.span))
        if self.reporter.has_errors:
            return  # a name misspelt or of the wrong kind may be meant for an import
        for found in unused_imports(self.program, self.res):
            target = found.target
            self.report(msg.unused_import(target.kind, target.path, target.span))


def check(program: Program, res: Resolution, reporter: Reporter) -> None:
    """Type-check and lint `program`; every problem goes to `reporter`."""
    _Checker(program, res, reporter).run()
