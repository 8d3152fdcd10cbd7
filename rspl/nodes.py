"""The syntax tree: frozen attrs nodes built from the parse tree by `rspl.builder`.

Every node carries a `span` (where it came from) that takes no part in equality, so two
trees that say the same thing compare equal wherever they were written. Sequences are
tuples; an absent optional part is `None` or `()`. Node class names match the grammar rules
in `grammar/rspl.lark`.

Nodes have no `__weakref__` slot (`weakref_slot=False`): nothing takes a weak reference to
one, and without it half the node classes fit a smaller allocation (docs/performance.md).
"""

from __future__ import annotations

import datetime
from typing import Literal

import attrs

from rspl.spans import Span

NO_SPAN = Span("<none>", 0, 0, 1, 1, 1, 1)


def _span() -> Span:
    return attrs.field(eq=False, default=NO_SPAN, repr=False)


@attrs.frozen(weakref_slot=False)
class Name:
    """An identifier as written: a reference to or the name of a declaration."""

    text: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Anchor:
    """A source anchor: where in the published policy a declaration comes from."""

    text: str
    url: str | None
    span: Span = _span()


# ---------------------------------------------------------------------------- expressions


@attrs.frozen(weakref_slot=False)
class NameRef:
    """A name used as a value: evidence, a definition, a domain or a level. `residual`:
    written `residual D`, the domain's level after mitigation (`assessed after mitigation`)."""

    name: Name
    span: Span = _span()
    residual: bool = False


@attrs.frozen(weakref_slot=False)
class Quantity:
    """A number with an optional unit word (`4x`, `6 months`, `25%`, `200`); `about 4x`
    marks it approximate (the policy's own hedge, kept in every output)."""

    value: float
    text: str
    unit: Name | None
    approximate: bool = False
    span: Span = _span()
    # `N in M`, a fraction: (N, M) as written; `value` is N / M and `unit` is None.
    ratio: tuple[float, float] | None = None


@attrs.frozen(weakref_slot=False)
class DateLit:
    """A calendar date literal; `value` is None when the text is not a real date."""

    text: str
    value: datetime.date | None
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Since:
    """`since EVIDENCE`: the time from a dated event to the assessment date."""

    name: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Compare:
    """`left OP right` with OP one of >=, <=, ==, !=, >, <."""

    left: Operand
    op: str
    right: Operand
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Not:
    operand: Expr
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class And:
    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Or:
    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class AtLeast:
    """`any of (...)` (count 1), `all of (...)` (count None: every item), `at least N of (...)`."""

    count: int | None
    operands: tuple[Expr, ...]
    keyword: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class DomainQuant:
    """`any [STATUS] domain [of (D, ...)] OP LEVEL` and its `all ... domains` twin.

    The level name is looked up in each domain in turn.
    """

    quantifier: str
    status: Name | None
    domains: tuple[Name, ...] | None
    op: str
    level: Name
    span: Span = _span()
    residual: bool = False  # `any residual domain ...`: the levels after mitigation


@attrs.frozen(weakref_slot=False)
class Implemented:
    """`NAME is implemented`: a safeguard or standard is in place."""

    name: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class MemberBound:
    """`max NAME` / `min NAME` (`bound`): the highest or lowest value of a measurement
    family's members."""

    bound: str
    name: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class MemberTest:
    """`all NAME [OP VALUE]`, `any ...` (count 1), `at least N of ...` over the members of a
    measurement family; `op`/`right` None for a yes-or-no family (the member is yes).
    `count` None means every member."""

    quantifier: str
    count: int | None
    name: Name
    op: str | None
    right: Operand | None
    span: Span = _span()


Operand = NameRef | Quantity | DateLit | Since | MemberBound
Expr = NameRef | Compare | Not | And | Or | AtLeast | DomainQuant | Implemented | MemberTest

# ---------------------------------------------------------------------------- header


@attrs.frozen(weakref_slot=False)
class CarryForward:
    """`carry forward within DURATION [when EXPR]` or `carry forward when EXPR`: when a
    determination carried forward from an earlier assessment may be used (in a domain, or
    for every domain in the policy header)."""

    within: Quantity | None
    when: Expr | None
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Change:
    """One changelog entry: date, version, summary."""

    date: DateLit
    version: str
    summary: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Renamed:
    """`NAME` or `DOMAIN.LEVEL` in a rename map (`level` None: a domain, standard or
    safeguard)."""

    name: Name
    level: Name | None
    span: Span = _span()

    @property
    def text(self) -> str:
        return self.name.text if self.level is None else f"{self.name.text}.{self.level.text}"


@attrs.frozen(weakref_slot=False)
class Rename:
    """`renames OLD as NEW` (one old name) or `merges A, B as NEW` in the header: names of
    the version this one supersedes, and what they are called here."""

    old: tuple[Renamed, ...]
    new: Renamed
    merge: bool
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class PolicyHeader:
    name: Name
    title: str | None
    organization: str | None
    version: str | None
    effective: DateLit | None
    published: DateLit | None
    supersedes: str | None
    url: str | None
    changes: tuple[Change, ...]
    combine: str | None
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    superseded: DateLit | None = None
    successor: str | None = None
    carry_forward: CarryForward | None = None
    renames: tuple[Rename, ...] = ()


@attrs.frozen(weakref_slot=False)
class ImportTarget:
    """`std.contexts` (kind "module") or `"shared/roles.rspl"` (kind "file")."""

    kind: str
    path: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Import:
    targets: tuple[ImportTarget, ...]
    span: Span = _span()


# ---------------------------------------------------------------------------- declarations


@attrs.frozen(weakref_slot=False)
class RoleDecl:
    """A role; with `includes` it is a role group that stands for the roles it lists."""

    name: Name
    title: str | None
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    includes: tuple[Name, ...] = ()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class ContextDecl:
    """A context; with `includes` it is a group that stands for the contexts it lists."""

    name: Name
    title: str | None
    includes: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class FamilyDecl:
    name: Name
    title: str | None
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class LevelDecl:
    name: Name
    title: str | None
    means: str | None
    baseline: str | None
    actors: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class DomainDecl:
    name: Name
    title: str | None
    status: Name | None
    deciders: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    levels: tuple[LevelDecl, ...]
    span: Span = _span()
    # `assessed per context A, B`: the contexts or context groups the domain is determined
    # for, each separately; `assessed after mitigation` (the span of that clause, or None);
    # `ordered A <= B`: settings whose levels never decrease along the list.
    settings: tuple[Name, ...] = ()
    residual: Span | None = None
    order: tuple[Name, ...] = ()
    risk: bool = False
    carry_forward: CarryForward | None = None


@attrs.frozen(weakref_slot=False)
class PerMember:
    """`per DIMENSION [(MEMBER, ...)]`: evidence measured once per member of a family
    (`per attack (gcg, pair)`); `members` None when the set is open (the assessment's)."""

    dimension: Name
    members: tuple[Name, ...] | None
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class EvidenceDecl:
    """Typed evidence: `evidence NAME: TYPE [per DIMENSION (MEMBERS)] "title"`."""

    name: Name
    type: Name
    title: str | None
    deciders: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    per: PerMember | None = None
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class DefinitionDecl:
    name: Name
    title: str | None
    expr: Expr
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class SafeguardDecl:
    name: Name
    title: str | None
    category: Name | None
    claim: Name | None
    efficacy: Expr | None
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class StandardDecl:
    name: Name
    title: str | None
    family: Name
    extends: Name | None
    includes: tuple[Name, ...]
    hole: Span | None
    protects: tuple[str, ...]
    excludes: tuple[str, ...]
    references: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    efficacy: Expr | None = None  # `counts when`: the standard counts only while it holds
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class ArtifactDecl:
    name: Name
    title: str | None
    contains: tuple[str, ...]
    audience: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


@attrs.frozen(weakref_slot=False)
class ActionDecl:
    name: Name
    title: str | None
    blocking: bool
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    phrase: str | None = None  # `phrase STRING`: the words mid-sentence


# ---------------------------------------------------------------------------- rules


@attrs.frozen(weakref_slot=False)
class Within:
    """`within 30 days [of EVENT]`: due a fixed time after an event (default: the trigger)."""

    amount: Quantity
    event: Name | None
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Before:
    """`before CONTEXT, ...`: due before any of these contexts (or groups) may proceed."""

    contexts: tuple[Name, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Every:
    """`every 3 to 6 months [since EVENT]`: recurring, with an earliest and latest interval."""

    low: float
    high: float | None
    unit: Name
    since: Name | None
    approximate: bool = False
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Until:
    """`until CONDITION`: in force until the condition holds."""

    expr: Expr
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Due:
    """`due DATE`: a fixed calendar deadline."""

    date: DateLit
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class DueEvent:
    """`due EVENT`: due on the date the dated evidence EVENT gives."""

    event: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class DueAt:
    """`due at CONTEXT, ...`: due when one of these contexts (or groups) is asked about;
    unlike `before`, it never blocks."""

    contexts: tuple[Name, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class Soft:
    """A soft deadline: a time word with no fixed length (`promptly`, `regularly`); `text` is
    the word as the language spells it (one space between words)."""

    text: str
    span: Span = _span()


Deadline = Within | Before | Every | Until | Due | DueEvent | DueAt | Soft


@attrs.frozen(weakref_slot=False)
class Obligation:
    modality: str
    action: Name
    objects: tuple[Name, ...]
    by: tuple[Name, ...]
    approved_by: tuple[Name, ...]
    deadline: Deadline | None
    anchors: tuple[Anchor, ...]
    note: str | None = None
    span: Span = _span()
    # `by A or B`: any one of the `by` roles may act (`by A, B`: all of them).
    by_any: bool = False
    # `approved by any of (...)` or `approved by A or B`: one approval suffices.
    approved_by_any: bool = False
    # `to R, ...`: who receives what the action produces (roles or role groups).
    to: tuple[Name, ...] = ()
    name: Name | None = None  # `as NAME`: the duty's own name

    @property
    def key(self) -> Name:
        """What names the duty in its rule (`done`, scenarios): its `as` name, else its action."""
        return self.name if self.name is not None else self.action
    # `must not ACTION`: a prohibition; `negated` is the span of its `not`.
    negated: Span | None = None


@attrs.frozen(weakref_slot=False)
class Requirement:
    """`[MODALITY] require A, B [for CONTEXT, ...] [per "§x"]... [note "..."]`; without a
    modality (or with `must`) the requirement binds; otherwise it is only reported."""

    targets: tuple[Name, ...]
    contexts: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    note: str | None = None
    modality: str = "must"
    span: Span = _span()
    efficacy: Expr | None = None  # `counts when`: the requirement is met only while it holds


@attrs.frozen(weakref_slot=False)
class RuleDecl:
    """A `rule`, `warning` or `cadence` (the `kind`)."""

    kind: str
    name: Name
    title: str | None
    when: Expr | None
    requirements: tuple[Requirement, ...]
    obligations: tuple[Obligation, ...]
    fallbacks: tuple[Obligation, ...]
    rules_out: tuple[Compare, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    ladder: Span | None = None  # `if unmet in order`: the fallbacks are an escalation ladder


# ---------------------------------------------------------------------------- waivers


@attrs.frozen(weakref_slot=False)
class WaiverDecl:
    """`waiver NAME "TITLE" { waives T [of RULE] for C, ... when X approved by R, ... }`:
    lifts the requirement of a standard or safeguard `target` (`rule` None), or the duty
    `target` of `rule`, in `contexts` (none: every context) while `when` holds (None: always),
    once approved by the roles `approved_by`."""

    name: Name
    title: str | None
    target: Name | None
    rule: Name | None
    contexts: tuple[Name, ...]
    when: Expr | None
    approved_by: tuple[Name, ...]
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()
    approved_by_any: bool = False  # `approved by A or B`: one approval suffices


# ---------------------------------------------------------------------------- assertions

AssertKind = Literal["never_permitted", "always_permitted", "requires"]


@attrs.frozen(weakref_slot=False)
class AssertDecl:
    """`assert NAME "TITLE" { CLAIM }`: a property the policy states about itself. `kind`
    never_permitted / always_permitted: `target` is a context (or group); requires: `target`
    is a standard or safeguard, required in `contexts` (none: every context). `when` None:
    always."""

    name: Name
    title: str | None
    kind: AssertKind
    target: Name
    contexts: tuple[Name, ...]
    when: Expr | None
    anchors: tuple[Anchor, ...]
    means: str | None
    span: Span = _span()


# ---------------------------------------------------------------------------- scenarios


@attrs.frozen(weakref_slot=False)
class GivenLevel:
    """`given D at L [cannot rule out U]`; `given D below L` (level None, unsure L's predecessor);
    `given D cannot rule out U` (level None)."""

    domain: Name
    level: Name | None
    unsure: Name | None
    below: Name | None
    span: Span = _span()
    setting: Name | None = None  # `given D for SETTING ...`
    residual: bool = False  # `given residual D ...`


@attrs.frozen(weakref_slot=False)
class GivenValue:
    """`given NAME = VALUE`; value is a Quantity, a DateLit or a bool (`yes`/`no`)."""

    name: Name
    value: Quantity | DateLit | bool
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenImplemented:
    names: tuple[Name, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenDone:
    action: Name
    rule: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenFailed:
    """`given failed KEY of RULE`: a step of the rule's escalation ladder has failed."""

    action: Name
    rule: Name
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenApproved:
    """`given approved W, ...`: the approval of these waivers is done."""

    names: tuple[Name, ...]
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenAsOf:
    date: DateLit
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenMember:
    """`given NAME for MEMBER = VALUE`: one member's value of a measurement family."""

    name: Name
    member: Name
    value: Quantity | DateLit | bool
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenProvisional:
    """`given D provisional "evaluation"`: D's determination waits for that evaluation."""

    domain: Name
    pending: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class GivenCarried:
    """`given D carried forward from "model" on DATE`."""

    domain: Name
    model: str
    date: DateLit
    span: Span = _span()


Given = (
    GivenLevel | GivenValue | GivenImplemented | GivenDone | GivenAsOf | GivenProvisional
    | GivenCarried | GivenMember | GivenFailed | GivenApproved
)


@attrs.frozen(weakref_slot=False)
class Expect:
    """`expect ...`: `what` is required, not_required, missing, recommended, triggered,
    not_triggered, precautionary or alert, about `names`."""

    what: str
    names: tuple[Name, ...]
    span: Span = _span()
    context: Name | None = None  # `expect triggered RULE for CONTEXT`: its status there


@attrs.frozen(weakref_slot=False)
class ExpectVerdict:
    context: Name
    verdict: str
    span: Span = _span()


@attrs.frozen(weakref_slot=False)
class ExpectObligation:
    action: Name
    rule: Name
    status: Name
    due: DateLit | None
    span: Span = _span()
    prohibited: bool = False  # `expect prohibited ACTION of RULE`


@attrs.frozen(weakref_slot=False)
class ExpectRoles:
    """`expect obligation ACTION of RULE by A or B approved by ... to R`: each clause is
    (`by`, `approved_by` or `to`, the roles, whether any one of them suffices)."""

    action: Name
    rule: Name
    clauses: tuple[tuple[str, tuple[Name, ...], bool], ...]
    span: Span = _span()


Expectation = Expect | ExpectVerdict | ExpectObligation | ExpectRoles


@attrs.frozen(weakref_slot=False)
class ScenarioDecl:
    name: Name
    title: str | None
    givens: tuple[Given, ...]
    expects: tuple[Expectation, ...]
    means: str | None
    span: Span = _span()


Decl = (
    RoleDecl
    | ContextDecl
    | FamilyDecl
    | DomainDecl
    | EvidenceDecl
    | DefinitionDecl
    | SafeguardDecl
    | StandardDecl
    | ArtifactDecl
    | ActionDecl
    | RuleDecl
    | WaiverDecl
    | ScenarioDecl
    | AssertDecl
)
Item = PolicyHeader | Import | Decl


@attrs.frozen(weakref_slot=False)
class Module:
    """One parsed `.rspl` file. `name` is the module path (`std.contexts`) or the file path."""

    name: str
    path: str
    items: tuple[Item, ...]
    is_stdlib: bool = False
    span: Span = _span()


DECL_KINDS: dict[type, str] = {
    RoleDecl: "role",
    ContextDecl: "context",
    FamilyDecl: "family",
    DomainDecl: "domain",
    EvidenceDecl: "evidence",
    DefinitionDecl: "definition",
    SafeguardDecl: "safeguard",
    StandardDecl: "standard",
    ArtifactDecl: "artifact",
    ActionDecl: "action",
    RuleDecl: "rule",
    WaiverDecl: "waiver",
    ScenarioDecl: "scenario",
    AssertDecl: "assert",
}


def kind_of(decl: Decl) -> str:
    """The word a policy author uses for a declaration (`rule` also covers warnings)."""
    if isinstance(decl, RuleDecl):
        return decl.kind
    return DECL_KINDS[type(decl)]


def deadline_word(d: Deadline) -> str:
    """The words a deadline clause starts with (`within`, `due at`, `promptly`)."""
    if isinstance(d, Soft):
        return d.text
    if isinstance(d, DueAt):
        return "due at"
    return {Within: "within", Before: "before", Every: "every", Until: "until"}.get(
        type(d), "due"
    )
