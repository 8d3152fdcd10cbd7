"""The IR: one resolved, typed, flattened model of a policy that every backend reads.

Built by `rspl.lower` from a checked program. Names are plain strings (declarations are
unique in a policy), levels are ranks (1 = the domain's lowest level; 0 = below every level),
quantities are floats in their dimension's base unit (see `rspl.units`), and standards carry
the safeguards they add and a `Lineage` linking them to the standard they extend, from which
their ancestors and expanded safeguards are computed when asked for. Nothing here refers back
to syntax nodes, except `Origin`s that let generated code and documents cite `.rspl` lines.
Like the nodes, IR classes have no `__weakref__` slot (`weakref_slot=False`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal, TypeAlias

import attrs

# ---------------------------------------------------------------------------- value sets
# The fixed words of the language, as `Literal` types: the values stay plain strings (so
# generated code and JSON outputs are unchanged), and mypy checks every use. Where a word
# list also lives in `rspl.units`, tests/test_ir.py keeps the two in step.

Op = Literal[">=", "<=", ">", "<", "==", "!="]
"""A comparison operator."""

Modality = Literal["must", "should", "may", "recommend", "illustrative"]
"""How strongly a requirement or obligation binds (`units.MODALITIES`); only `must` binds."""

RuleKind = Literal["rule", "warning", "cadence"]

RequirementKind = Literal["standard", "safeguard"]
"""What a requirement or an `is implemented` names."""

RefKind = Literal[
    "role", "context", "family", "domain", "evidence", "definition", "safeguard", "standard",
    "artifact", "action", "rule", "warning", "cadence",
]  # fmt: skip
"""The kind of declaration an obligation's object names."""

DomainStatus = Literal["tracked", "research", "exploratory", "watch"]
"""`units.DOMAIN_STATUSES`; a domain without a status is tracked."""

Dimension = Literal["multiplier", "duration", "fraction", "count", "compute", "money", "score"]
"""A dimension of measured quantities (`units.DIMENSIONS`)."""

ConstType = Literal[Dimension, "number", "date"]
"""What a constant is: a quantity of a dimension, a plain number (no unit) or a date."""

EvidenceType = Literal["fact", "judgement", "date", Dimension]
"""`units.EVIDENCE_TYPES`: true-or-false, a date, or a quantity of a dimension."""

SafeguardCategory = Literal[
    "deployment", "security", "misalignment", "control", "internal_deployment",
    "governance", "transparency", "evaluation",
]  # fmt: skip
"""`units.SAFEGUARD_CATEGORIES`."""

ClaimType = Literal[
    "robustness", "usage_monitoring", "trust_based_access", "lack_of_autonomous_capability",
    "value_alignment", "instruction_alignment", "system_oversight", "system_architecture",
]  # fmt: skip
"""`units.CLAIM_TYPES`."""

ObligationStatus = Literal[
    "open", "due", "overdue", "done", "lifted", "in_force", "standby", "failed", "waived"
]
"""`units.OBLIGATION_STATUSES`."""

ExpectationKind = Literal[
    "required", "not_required", "missing", "recommended", "triggered", "not_triggered",
    "precautionary", "alert", "permitted", "blocked", "obligation", "not_counted",
    "provisional", "carried_accepted", "carried_rejected", "in_force", "not_in_force",
    "obligation_roles",
    "prohibited",
    "waived", "not_waived",
]  # fmt: skip
"""What a scenario's `expect` line is about."""

Combine = Literal["highest", "all"]
"""How required standards combine: the highest per family, or all of them."""

Json: TypeAlias = bool | int | float | str | Sequence["Json"] | Mapping[str, "Json"] | None
"""JSON data, read-only (so a `dict[str, str]` is JSON too)."""


@attrs.frozen(weakref_slot=False)
class Origin:
    """Where a declaration was written: file label and 1-based line."""

    file: str
    line: int


@attrs.frozen(weakref_slot=False)
class Anchor:
    """A citation of the published policy: `§3.1`, optionally with a URL."""

    text: str
    url: str | None


# ---------------------------------------------------------------------------- expressions


@attrs.frozen(weakref_slot=False)
class LevelCmp:
    """`DOMAIN op LEVEL`, with the level's rank in the domain (1 = lowest)."""

    domain: str
    op: Op
    rank: int
    level: str
    residual: bool = False  # `residual DOMAIN op LEVEL`: the level after mitigation


@attrs.frozen(weakref_slot=False)
class EvidenceValue:
    """The value of a quantity or date evidence input."""

    name: str


@attrs.frozen(weakref_slot=False)
class Const:
    """A literal: a float in base units (with its dimension) or a date; `text` as written."""

    value: float | datetime.date
    dimension: ConstType
    text: str


@attrs.frozen(weakref_slot=False)
class SinceValue:
    """Days from the dated evidence `name` to the assessment's as-of date."""

    name: str


@attrs.frozen(weakref_slot=False)
class MemberBound:
    """`max NAME` / `min NAME`: the highest or lowest member value of the measurement family
    `name`. With members missing it is only bounded (`semantics.member_bound`)."""

    name: str
    bound: Literal["max", "min"]


Value = EvidenceValue | Const | SinceValue | MemberBound


@attrs.frozen(weakref_slot=False)
class Compare:
    """`left op right` over quantities (same dimension) or dates."""

    left: Value
    op: Op
    right: Value


@attrs.frozen(weakref_slot=False)
class Fact:
    """A true-or-false evidence input (a fact or a judgement)."""

    name: str


@attrs.frozen(weakref_slot=False)
class DefRef:
    """A use of a named definition."""

    name: str


@attrs.frozen(weakref_slot=False)
class Implemented:
    """A safeguard or standard (the `kind`) is in the assessment's implemented list."""

    name: str
    kind: RequirementKind


@attrs.frozen(weakref_slot=False)
class Not:
    operand: Expr


@attrs.frozen(weakref_slot=False)
class And:
    operands: tuple[Expr, ...]


@attrs.frozen(weakref_slot=False)
class Or:
    operands: tuple[Expr, ...]


@attrs.frozen(weakref_slot=False)
class AtLeast:
    """True when at least `count` operands are true."""

    count: int
    operands: tuple[Expr, ...]


@attrs.frozen(weakref_slot=False)
class MemberTest:
    """`all`, `any` or `at least count of` the members of the measurement family `name` meet
    `op right` (for a yes-or-no family `op` and `right` are None: the member is yes).
    `count` is 1 for `any` and 0 for `all` (every member, however many)."""

    name: str
    quantifier: Literal["all", "any", "at least"]
    count: int
    op: Op | None
    right: Value | None


Expr = LevelCmp | Compare | Fact | DefRef | Implemented | Not | And | Or | AtLeast | MemberTest


def walk(e: Expr, definitions: Mapping[str, Definition]) -> Iterator[Expr]:
    """Every node of `e`, and of each definition it uses (each definition once), without
    recursion: an expression may be as deep as the limits allow (`docs/limits.md`)."""
    seen: set[str] = set()
    stack: list[Expr] = [e]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, DefRef):
            if node.name not in seen:
                seen.add(node.name)
                stack.append(definitions[node.name].expr)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or | AtLeast):
            stack.extend(reversed(node.operands))

# ---------------------------------------------------------------------------- declarations


@attrs.frozen(weakref_slot=False)
class Change:
    date: datetime.date | None
    version: str
    summary: str


@attrs.frozen(weakref_slot=False)
class Role:
    """A role; with `members`, a role group standing for the roles (or groups) it lists."""

    name: str
    title: str | None
    anchors: tuple[Anchor, ...]
    means: str | None
    members: tuple[str, ...] = ()
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class Context:
    name: str
    title: str | None
    anchors: tuple[Anchor, ...]
    means: str | None
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class ContextGroup:
    """A name for several contexts (`context deployment { includes a, b }`); lowering
    replaces every use of it by its members."""

    name: str
    title: str | None
    members: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class Family:
    name: str
    title: str | None
    anchors: tuple[Anchor, ...]
    means: str | None


@attrs.frozen(weakref_slot=False)
class Level:
    name: str
    title: str | None
    rank: int
    means: str | None
    baseline: str | None
    actors: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    origin: Origin


@attrs.frozen(weakref_slot=False)
class Setting:
    """One setting a domain is assessed for (`assessed per context`): a context, or a
    context group whose members share one determination."""

    name: str
    contexts: tuple[str, ...]


@attrs.frozen(weakref_slot=False)
class CarryForward:
    """When a determination carried forward from an earlier assessment counts: made at most
    `within` before the assessment date (None: any age; `text` as written) and, if given,
    while `condition` (over evidence only) is true. `scope`: stated in the policy header
    (for every domain) or in the domain."""

    within: Period | None
    text: str | None
    condition: Expr | None
    scope: Literal["policy", "domain"]


@attrs.frozen(weakref_slot=False)
class Domain:
    """A risk domain. `settings`: the settings it is determined for, each separately (empty:
    one determination for every context); `residual`: it also has a level after mitigation;
    `order`: setting names whose levels never decrease along the list (`ordered`).
    `risk`: its levels are verdicts on the risk (`risk verdict`), lowest (acceptable) first.
    `carry_forward`: every condition a carried-forward determination of it must meet (the
    policy's, then its own); empty means it is never accepted."""

    name: str
    title: str | None
    status: DomainStatus
    deciders: tuple[str, ...]
    levels: tuple[Level, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    settings: tuple[Setting, ...] = ()
    residual: bool = False
    order: tuple[str, ...] = ()
    risk: bool = False
    carry_forward: tuple[CarryForward, ...] = ()

    def setting_of(self, context: str) -> str | None:
        """The setting whose determination `context` reads (None: not assessed per context,
        or not for this context)."""
        for s in self.settings:
            if context in s.contexts:
                return s.name
        return None

    def slot_read(self, residual: bool, context: str | None) -> str:
        """The determination a level comparison of this domain reads when decided for
        `context` (`rspl.semantics.level_slot`): per setting, the one holding the context;
        with `residual`, the level after mitigation."""
        if not self.settings and not residual:
            return self.name
        from rspl.semantics import level_slot

        setting = None
        if self.settings:
            assert context is not None, "the checker's E0803"
            setting = self.setting_of(context)
        return level_slot(self.name, setting, residual)

    def slots(self) -> tuple[tuple[str | None, bool], ...]:
        """Each determination the domain has beyond its plain one, as (setting, residual),
        in the order `level_slots` lists them."""
        settings: tuple[str | None, ...] = tuple(s.name for s in self.settings) or (None,)
        out: list[tuple[str | None, bool]] = []
        for setting in settings:
            if setting is not None:
                out.append((setting, False))
            if self.residual:
                out.append((setting, True))
        return tuple(out)


@attrs.frozen(weakref_slot=False)
class Evidence:
    """An input. `type` is fact, judgement, date or a dimension from `rspl.units`."""

    name: str
    type: EvidenceType
    title: str | None
    deciders: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    per: str | None = None
    """For a measurement family, what its members are (`attack`, `category`); else None."""
    members: tuple[str, ...] | None = None
    """A family's declared members, or None when the assessment names them (an open set)."""
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class Definition:
    name: str
    title: str | None
    expr: Expr
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class Safeguard:
    """A control. With an `efficacy` criterion it only counts as implemented when the
    criterion holds as well."""

    name: str
    title: str | None
    category: SafeguardCategory | None
    claim: ClaimType | None
    efficacy: Expr | None
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


class Lineage:
    """A standard's place in its `extends` chain: its name, the safeguards it adds (its own,
    less those it inherits, each once), whether it or a standard it extends is a hole, and its
    parent's lineage. Shared by reference with every standard that extends it, so a chain of N
    standards holds N of these, not the N(N-1)/2 names of its expanded lists; those lists are
    computed on demand (`Standard.ancestors`, `Standard.safeguards`)."""

    __slots__ = ("added", "hole", "name", "parent")

    def __init__(
        self, name: str, added: tuple[str, ...], parent: Lineage | None, hole: bool
    ) -> None:
        self.name = name
        self.added = added
        self.parent = parent
        self.hole = hole

    def __repr__(self) -> str:  # the parent by name: a chain's repr stays short and flat
        up = self.parent.name if self.parent is not None else None
        return (
            f"Lineage(name={self.name!r}, added={self.added!r}, parent={up!r}, "
            f"hole={self.hole!r})"
        )

    def up(self) -> Iterator[Lineage]:
        """This lineage, then its parent's, and so on to the root (iteratively)."""
        cur: Lineage | None = self
        while cur is not None:
            yield cur
            cur = cur.parent


@attrs.frozen(weakref_slot=False)
class Standard:
    """A bundle of safeguards in a family.

    `ancestors` lists the standards it extends, nearest first; `safeguards` is the expanded
    list (inherited first, then its own); both are computed from `lineage` when asked for, in
    time proportional to their length (the IR stores each standard's added safeguards once).
    `hole` means "not yet defined" (itself or a standard it extends): never satisfied.
    """

    name: str
    title: str | None
    family: str
    extends: str | None
    lineage: Lineage = attrs.field(eq=False, repr=False)
    own_safeguards: tuple[str, ...]
    protects: tuple[str, ...]
    excludes: tuple[str, ...]
    references: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    # `counts when`: the standard counts only while this holds, and so does every standard
    # that extends it (`docs/semantics.md`, section 6).
    criterion: Expr | None = None
    phrase: str | None = None  # the words mid-sentence (docs/language.md)

    @property
    def hole(self) -> bool:
        return self.lineage.hole

    @property
    def parent(self) -> str | None:
        """The standard it extends (the first of `ancestors`), or None."""
        up = self.lineage.parent
        return up.name if up is not None else None

    @property
    def ancestors(self) -> tuple[str, ...]:
        return tuple(x.name for x in self.lineage.up())[1:]

    @property
    def added_safeguards(self) -> tuple[str, ...]:
        """The safeguards it adds to those it inherits: `safeguards` after its parent's."""
        return self.lineage.added

    @property
    def safeguards(self) -> tuple[str, ...]:
        chain = list(self.lineage.up())
        return tuple(x for lin in reversed(chain) for x in lin.added)


@attrs.frozen(weakref_slot=False)
class Artifact:
    name: str
    title: str | None
    contains: tuple[str, ...]
    audience: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


@attrs.frozen(weakref_slot=False)
class Action:
    """An action an obligation names. A `blocking` action under `must` blocks the contexts it
    names (all contexts when it names none) while the obligation is in force."""

    name: str
    title: str | None
    blocking: bool
    anchors: tuple[Anchor, ...]
    means: str | None
    phrase: str | None = None  # the words mid-sentence (docs/language.md)


# ---------------------------------------------------------------------------- rules


@attrs.frozen(weakref_slot=False)
class Period:
    """A calendar span: whole `months` (a year is 12), then `days`. `within 1 year of
    2025-04-15` is due 2026-04-15; a month added to 31 January ends on the last day of
    February."""

    months: int
    days: int


@attrs.frozen(weakref_slot=False)
class Within:
    """Due `period` after the dated evidence `event` (no due date when `event` is None: the
    time the rule began to apply is not an input)."""

    period: Period
    text: str
    event: str | None


@attrs.frozen(weakref_slot=False)
class Before:
    """Due before any of `contexts` may proceed: they are blocked until it is done."""

    contexts: tuple[str, ...]
    # the contexts as the policy wrote them, groups by their own name (for the document);
    # empty when the policy named no group
    written: tuple[str, ...] = ()


@attrs.frozen(weakref_slot=False)
class Every:
    """Recurring: due from `low` to `high` after the dated evidence `since`; `text` says it
    in the policy's words (`about 3 to 6 months`)."""

    low: Period
    high: Period
    text: str
    since: str | None


@attrs.frozen(weakref_slot=False)
class Until:
    """In force until the condition holds."""

    expr: Expr


@attrs.frozen(weakref_slot=False)
class Due:
    date: datetime.date


@attrs.frozen(weakref_slot=False)
class DueEvent:
    """`due EVENT`: due on the date the dated evidence `event` gives (fail-closed: due, with
    no date, while the date is not given)."""

    event: str


@attrs.frozen(weakref_slot=False)
class DueAt:
    """`due at CONTEXT, ...`: due when one of `contexts` is asked about, else open; never
    blocks (contrast `Before`)."""

    contexts: tuple[str, ...]
    written: tuple[str, ...] = ()  # as in `Before`


@attrs.frozen(weakref_slot=False)
class Soft:
    """A soft deadline: a time word with no fixed length, `text` as the language spells it
    (`promptly`, `in a timely manner`); `recurring` for a word that says how often
    (`regularly`, `periodically`). Tracked, never due or overdue."""

    text: str
    recurring: bool


Deadline = Within | Before | Every | Until | Due | DueEvent | DueAt | Soft

DeadlineKind = Literal[
    "none", "fixed", "event", "within", "recurring", "soft", "until", "before", "context",
]  # fmt: skip
"""`units.DEADLINE_KINDS`: what kind of deadline a duty has (the decision's
`deadline_kind`)."""


def deadline_kind(d: Deadline | None) -> DeadlineKind:
    """The kind of a deadline: `due DATE` is fixed, `due EVENT` event, `within` within,
    `every` recurring, a time word soft, `until` until, `before` before, `due at` context."""
    if d is None:
        return "none"
    kinds: dict[type, DeadlineKind] = {
        Due: "fixed", DueEvent: "event", Within: "within", Every: "recurring", Soft: "soft",
        Until: "until", Before: "before", DueAt: "context",
    }  # fmt: skip
    return kinds[type(d)]


@attrs.frozen(weakref_slot=False)
class Ref:
    """A name with the kind of declaration it names (role, context, artifact, ...)."""

    kind: RefKind
    name: str
    group: str | None = None  # a context named through this context group


@attrs.frozen(weakref_slot=False)
class Obligation:
    modality: Modality
    action: str
    blocking: bool
    objects: tuple[Ref, ...]
    by: tuple[str, ...]
    approved_by: tuple[str, ...]
    deadline: Deadline | None
    anchors: tuple[Anchor, ...]
    origin: Origin
    note: str | None = None
    # Who acts and who receives (docs/semantics.md §19): information in the decision, never
    # a change to a verdict. `by_any`: any one of `by` may act (`by A or B`), else all of
    # them; `approved_by_any`: one approval of `approved_by` suffices, else all are needed.
    by_any: bool = False
    approved_by_any: bool = False
    to: tuple[str, ...] = ()
    # `as NAME`: the duty's own name; `key` names it in `done`, `failed` and scenarios
    name: str | None = None

    @property
    def key(self) -> str:
        """The duty's key in its rule: its `as` name, or its action when it has none."""
        return self.name if self.name is not None else self.action
    # `must not ACTION` / `should not ACTION`: a prohibition (`modality` is `must` or
    # `should`), in force while its rule applies, lifted by its `until`, never done.
    prohibited: bool = False


@attrs.frozen(weakref_slot=False)
class Requirement:
    """Require a standard or a safeguard (`kind`) in `contexts` (empty: every context). Only
    a `must` requirement binds; any other `modality` is reported as a recommendation."""

    target: str
    kind: RequirementKind
    contexts: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    note: str | None = None
    modality: Modality = "must"
    # `counts when`: this requirement is met only while it holds (a binding one only).
    criterion: Expr | None = None
    written: tuple[str, ...] = ()  # `contexts` as written, groups unexpanded (as in `Before`)


@attrs.frozen(weakref_slot=False)
class RuleOut:
    """A checkpoint not reached rules out `domain` at `rank` and above."""

    domain: str
    rank: int


@attrs.frozen(weakref_slot=False)
class Rule:
    """A rule, warning (raises an alert) or cadence. `condition` None means always."""

    kind: RuleKind
    name: str
    title: str | None
    condition: Expr | None
    requirements: tuple[Requirement, ...]
    obligations: tuple[Obligation, ...]
    fallbacks: tuple[Obligation, ...]
    rules_out: tuple[RuleOut, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    # the contexts the rule is decided for, one by one, because its condition reads a domain
    # assessed per context (empty: decided once for every context)
    contexts: tuple[str, ...] = ()
    # `if unmet in order`: the fallbacks are an escalation ladder, each step in force only
    # once every step before it has failed (`rspl.semantics.ladder_states`)
    ladder: bool = False


@attrs.frozen(weakref_slot=False)
class Waiver:
    """A permission, exemption or waiver. `kind` standard or safeguard: it lifts the
    requirement of `target`; `kind` duty: it waives the duty `target` (its key: the action)
    of `rule`. It counts in `contexts` (context groups expanded; every context when the
    waiver names none) while `condition` surely holds (None: always), once approved (the
    assessment's `approved`) by the roles `approved_by`."""

    name: str
    title: str | None
    kind: Literal["standard", "safeguard", "duty"]
    target: str
    rule: str | None
    contexts: tuple[str, ...]
    condition: Expr | None
    approved_by: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    approved_by_any: bool = False  # `approved by A or B`: one approval suffices
    written: tuple[str, ...] = ()  # `contexts` as written, groups unexpanded (as in `Before`)


@attrs.frozen(weakref_slot=False)
class Rename:
    """One entry of the rename map a policy declares from the version it supersedes
    (`renames OLD as NEW`, `merges A, B as NEW`): names of that version (`DOMAIN.LEVEL` for
    a level; otherwise a domain, standard or safeguard) and what this one calls them.
    Read by `rspl diff` only."""

    old: tuple[str, ...]
    new: str


AssertKind = Literal["never_permitted", "always_permitted", "requires"]


@attrs.frozen(weakref_slot=False)
class Assertion:
    """A property the policy states about itself (`assert`), proved or refuted by `rspl
    verify` only. `never_permitted` / `always_permitted`: no assessment (every assessment)
    where `condition` surely holds permits each of `contexts` (the context `target`, a group
    expanded). `requires`: wherever `condition` surely holds, the standard or safeguard
    `target` (`target_kind`) is required in each of `contexts` (every context when the
    assertion names none). `condition` reads the assessment as given (before checkpoints),
    with what is implemented in place; None: always. `written`: the contexts as written."""

    name: str
    title: str | None
    kind: AssertKind
    target: str
    target_kind: Literal["context", "standard", "safeguard"]
    contexts: tuple[str, ...]
    condition: Expr | None
    anchors: tuple[Anchor, ...]
    means: str | None
    origin: Origin
    written: tuple[str, ...] = ()


def duty_key(ob: Obligation) -> str:
    """The key that names a duty of its rule (in `done`, `failed` and waivers): its `as`
    name, or its action when it has none."""
    return ob.key


@attrs.frozen(weakref_slot=False)
class Expectation:
    """What a scenario expects. `what` is required, not_required, missing, recommended,
    triggered, not_triggered, precautionary, alert, permitted, blocked, obligation or
    prohibited (a prohibition in force); `names` what it is about (for obligation and
    prohibited: action, rule); `status`/`due` only for obligations."""

    what: ExpectationKind
    names: tuple[str, ...]
    status: ObligationStatus | None
    due: datetime.date | None
    origin: Origin
    context: str | None = None  # a rule's status for one context (rules decided per context)
    # `obligation_roles`: (decision key `by`, `approved_by` or `to`, roles, any one of them)
    roles: tuple[tuple[str, tuple[str, ...], bool], ...] = ()


@attrs.frozen(weakref_slot=False)
class Scenario:
    """A named test: `assessment` is evaluator input (plain JSON data)."""

    name: str
    title: str | None
    assessment: dict[str, Json] = attrs.field(eq=False)
    expectations: tuple[Expectation, ...]
    means: str | None
    origin: Origin


@attrs.frozen(weakref_slot=False)
class Policy:
    id: str
    title: str | None
    organization: str | None
    version: str | None
    effective: datetime.date | None
    published: datetime.date | None
    supersedes: str | None
    url: str | None
    changes: tuple[Change, ...]
    combine: Combine
    anchors: tuple[Anchor, ...]
    means: str | None
    roles: tuple[Role, ...]
    contexts: tuple[Context, ...]
    context_groups: tuple[ContextGroup, ...]
    domains: tuple[Domain, ...]
    evidence: tuple[Evidence, ...]
    definitions: tuple[Definition, ...]
    safeguards: tuple[Safeguard, ...]
    families: tuple[Family, ...]
    standards: tuple[Standard, ...]
    artifacts: tuple[Artifact, ...]
    actions: tuple[Action, ...]
    rules: tuple[Rule, ...]
    scenarios: tuple[Scenario, ...]
    source_hash: str
    files: tuple[str, ...]
    superseded: datetime.date | None = None
    successor: str | None = None
    carry_forward: CarryForward | None = None
    waivers: tuple[Waiver, ...] = ()
    # The names of the declarations of imported files (stdlib modules and the user's) that
    # the policy does not use, directly or through what it uses (`rspl.usage`), in table
    # order. Every backend but the document keeps them; the document leaves them out unless
    # asked for the full catalogue.
    imported_unused: tuple[str, ...] = ()
    assertions: tuple[Assertion, ...] = ()
    renames: tuple[Rename, ...] = ()


def level_slots(policy: Policy) -> tuple[tuple[str, str], ...]:
    """The determinations beyond one per domain (per setting, after mitigation), as (name,
    domain), in policy order; `rspl.semantics.level_slot` makes the names."""
    from rspl.semantics import level_slot

    return tuple(
        (level_slot(d.name, setting, residual), d.name)
        for d in policy.domains
        for setting, residual in d.slots()
    )
