"""Hypothesis strategies shared by the property tests: random well-typed RSPL policies, written
as *source text* so that the whole compiler runs on them, and random assessments for them.

`policies()` draws a `PolicySpec`: the policy's text plus what an assessment generator needs to
know about it (domains and their levels, evidence and its types, safeguards, standards,
contexts and the (rule, action) pairs of its obligations). Every policy it draws is valid by
construction (no error diagnostic); warnings (unused names, missing sources, conditions that
can never fire, requirements on typed holes) are allowed and common.

What a policy may contain: 1-3 domains of 1-4 levels named `L1`..`L4` in every domain (so that
`any tracked domain >= L2` and `all domains of (...) >= L1` can be written), with random
statuses; evidence of every type, and 0-2 measurement families (yes-or-no or quantities,
declared or open member sets) read with `all`, `any`, `at least N of`, `max` and `min`, and
given in assessments with members missing, null or unknown; definitions that use earlier
definitions; safeguards, some
with `counts when` efficacy criteria; 1-2 families of standards chained with `extends`, some
`not yet defined`, some with `counts when` criteria; rules, warnings (with `rules out`) and
cadences (with or without `when`) with random conditions, requirements with and without `for`
(binding ones that name one thing sometimes with a `counts when` criterion), obligations of
every modality with blocking and non-blocking actions, every deadline form (time words such
as `promptly`, `due EVENT` and `due at CONTEXT` too), some named with `as NAME` (always when
the rule already has a duty with that action), and `if unmet` fallbacks, half of them
escalation ladders (`if unmet in order`, 0 to 3 steps) whose steps valid assessments may list
as `failed`, and prohibitions (`must not`, `should not`, some lifted by `until`).

Numbers: evidence of the signed `score` type is compared with negative numbers, percentages and
ratios; fractions also with ratios (`1 in 20`); durations and `within` deadlines in minutes too.
Valid assessments keep every number in its dimension's range; malformed ones include numbers
outside it (`out_of_range`: negative quantities, fractions above 1).

A quarter of the policies import `std.contexts, std.actions`. About a quarter are
*levels-only*: their rule conditions read nothing but the domains' levels (the generated
evaluator caches their outcomes by determinations); half of those are *gates* (one context,
no blocking obligation, no efficacy criterion, no standard tested), which its fast path serves.

`assessments(spec)` draws valid evaluator input for a policy (a quarter of them shaped like a
release-gate call: determinations and safeguards only); `malformed_assessments(spec)` draws
input that must be rejected with an `AssessmentError`; `any_assessment(spec)` mixes them, about
one malformed in nine. `compile_policy` and `load_module` compile a drawn policy and load its
generated evaluator.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import importlib.util
import types
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from rspl import ir, semantics, units
from rspl.backends.python import generate
from rspl.pipeline import compile_source

STATUSES = units.DOMAIN_STATUSES
OPS = (">=", "<=", ">", "<", "==", "!=")
MODALITIES = units.MODALITIES
ROLES = ("R0", "R1", "R2")
# Who acts, approves and receives (docs/semantics.md §19); `RG` is the role group of R0 and R1.
ROLE_GROUP = "RG"
BY_FORMS = (" by R0", " by R0 or R1", " by R0, R1", " by R0 or R1 or R2", " by RG", " by RG or R2")
APPROVED_FORMS = (
    " approved by R1, R2", " approved by R1 or R2", " approved by any of (R0, R1, R2)",
    " approved by all of (R1, R2)", " approved by RG", " approved by any of (RG, R2)",
)
TO_FORMS = (" to R2", " to R0, R1", " to RG")
BLOCKING_ACTIONS = ("blk0", "blk1")
PLAIN_ACTIONS = ("act0", "act1", "act2")
ACTIONS = BLOCKING_ACTIONS + PLAIN_ACTIONS
# what `import std.contexts, std.actions` brings, as far as the generated rules use it
STD_CONTEXTS = ("training", "internal_use", "large_scale_internal_deployment",
                "trusted_access", "external_deployment", "fine_tuning_api", "open_weights")
STD_ACTIONS = ("pause", "halt", "notify", "review")
ARTIFACTS = ("art0",)
EVIDENCE_TYPES = tuple(units.EVIDENCE_TYPES)  # fact, judgement, date and the dimensions

# Literals per dimension, as written; their values come from `rspl.units`.
LITERALS: dict[str, tuple[str, ...]] = {
    "multiplier": ("4x", "1.5x", "10 times", "0.5x"),
    "duration": ("30 days", "6 months", "1 week", "12 hours", "2 years", "1 day",
                 "30 minutes", "90 minutes"),
    "fraction": ("25%", "5 percent", "0.5", "1", "0", "7%", "1 in 20", "3 in 4", "7 in 100"),
    "count": ("200", "3 people", "0", "12 employees", "1"),
    "compute": ("1e26 FLOP", "3e25 FLOPs", "1e24 FLOP"),
    "money": ("1000000 USD", "500 dollars", "0 USD"),
    # a score is signed: negative numbers and percentages, and a ratio, as plain numbers
    "score": ("-0.1", "0", "0.25", "-5%", "1 in 20", "-1", "2.5", "-0.35"),
}
SOFT_WORDS = tuple(units.SOFT_WORDS)  # `promptly`, `in a timely manner`, ...
DATES = ("2024-02-29", "2025-01-01", "2025-01-31", "2025-05-14", "2025-08-31", "2025-12-31",
         "2026-04-01")  # month ends and a leap day, for calendar deadlines
BASE_DATE = datetime.date(2025, 1, 1)


def literal_value(text: str) -> float:
    """The value, in its dimension's base unit, of a literal from LITERALS."""
    if " in " in text:  # a ratio, `N in M`
        part, whole = text.split(" in ")
        return float(part) / float(whole)
    parts = text.split()
    if len(parts) == 2:
        return units.to_base(float(parts[0]), parts[1])[1]
    if text.endswith("%"):
        return units.to_base(float(text[:-1]), "%")[1]
    if text.endswith("x"):
        return float(text[:-1])
    return float(text)


# ---------------------------------------------------------------------------- the spec


@dataclasses.dataclass
class DomainSpec:
    """A domain; `settings` (name, member contexts) when it is assessed per context (they
    cover every context of the policy), `residual` when it is assessed after mitigation,
    `order` the settings it orders."""

    name: str
    status: str | None
    levels: list[str]
    settings: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    residual: bool = False
    order: list[str] = dataclasses.field(default_factory=list)
    risk: bool = False  # a `risk verdict` (two levels or more)

    @property
    def plain(self) -> bool:
        """One determination for every context (the plain JSON form)."""
        return not self.settings and not self.residual


@dataclasses.dataclass
class StandardSpec:
    name: str
    family: str
    extends: str | None
    includes: list[str]
    hole: bool


@dataclasses.dataclass
class PolicySpec:
    """A generated policy: its source text and what assessments may mention."""

    text: str
    domains: list[DomainSpec]
    evidence: dict[str, str]  # name -> type
    safeguards: list[str]
    standards: list[StandardSpec]
    contexts: list[str]
    rules: list[str]
    obligations: list[tuple[str, str]]  # (rule, key), obligations and fallbacks
    levels_only: bool
    # measurement families: name -> (type, declared members or None for an open set)
    families: dict[str, tuple[str, tuple[str, ...] | None]] = dataclasses.field(
        default_factory=dict
    )
    # (rule, key) of the steps of escalation ladders (`if unmet in order`)
    steps: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    # (rule, action) of prohibitions (`must not`) with no obligation of the same pair: never
    # done, so an assessment that gives one as done is refused
    prohibited: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    waivers: list[str] = dataclasses.field(default_factory=list)  # names of its waivers
    assertions: list[str] = dataclasses.field(default_factory=list)  # names of its `assert`s


@dataclasses.dataclass
class _Env:
    """What expressions may refer to while a policy is being drawn."""

    domains: list[DomainSpec]
    evidence: dict[str, str]
    safeguards: list[str]
    standards: list[StandardSpec]
    actions: list[str] = dataclasses.field(default_factory=lambda: list(ACTIONS))
    # a "gate" policy: what the generated evaluator's fast path serves (see `policies`)
    gate: bool = False
    # definitions by what they read: anything, no `is implemented`, levels only
    definitions: dict[str, list[str]] = dataclasses.field(
        default_factory=lambda: {"any": [], "pure": [], "levels": [], "setting": []}
    )
    families: dict[str, tuple[str, tuple[str, ...] | None]] = dataclasses.field(
        default_factory=dict
    )
    # whether the condition being drawn may read domains assessed per context (a rule's
    # `when`; never a checkpoint, an `until` or an efficacy criterion: E0803)
    per_context: bool = False

    def readable(self) -> list[DomainSpec]:
        return [d for d in self.domains if self.per_context or not d.settings]

    def of_type(self, *types: str) -> list[str]:
        return [n for n, t in self.evidence.items() if t in types]


# ---------------------------------------------------------------------------- expressions


def _level_atom(draw: st.DrawFn, env: _Env) -> str:
    domain = draw(st.sampled_from(env.readable()))  # the first domain is never per context
    level = draw(st.sampled_from(domain.levels))
    op = draw(st.sampled_from(OPS))
    if domain.residual and draw(st.integers(0, 2)) == 0:
        return f"residual {domain.name} {op} {level}"
    if draw(st.booleans()):
        return f"{domain.name} {op} {level}"
    return f"{level} {op} {domain.name}"


def _quantifier_atom(draw: st.DrawFn, env: _Env) -> str:
    quantifier = draw(st.sampled_from(("any", "all")))
    mode = draw(st.sampled_from(("all", "status", "set")))
    if len(env.readable()) < len(env.domains):
        mode = "set"  # `all`/`status` would range over a domain assessed per context (E0803)
    status = ""
    if mode == "set":
        chosen = draw(
            st.lists(st.sampled_from(env.readable()), min_size=1, unique_by=lambda d: d.name)
        )
        ranged = chosen
    elif mode == "status":
        word = draw(st.sampled_from(STATUSES))
        status = word + " "
        ranged = [d for d in env.domains if (d.status or "tracked") == word]
    else:
        chosen = []
        ranged = env.domains
    top = min((len(d.levels) for d in ranged), default=4)
    level = f"L{draw(st.integers(1, top))}"
    op = draw(st.sampled_from(OPS))
    noun = "domain" if quantifier == "any" else "domains"
    where = f" of ({', '.join(d.name for d in chosen)})" if mode == "set" else ""
    if ranged and all(d.residual for d in ranged) and draw(st.booleans()):
        status = "residual " + status  # the levels after mitigation
    return f"{quantifier} {status}{noun}{where} {op} {level}"


def _quantity_atom(draw: st.DrawFn, env: _Env) -> str | None:
    dims = [d for d in units.DIMENSIONS if env.of_type(d)]
    kinds = ["date"] * bool(env.of_type("date")) + ["since"] * bool(env.of_type("date"))
    kinds += ["quantity"] * bool(dims)
    if not kinds:
        return None
    kind = draw(st.sampled_from(kinds))
    op = draw(st.sampled_from(OPS))
    if kind == "quantity":
        dim = draw(st.sampled_from(dims))
        left = draw(st.sampled_from(env.of_type(dim)))
        right = draw(st.sampled_from(env.of_type(dim) + list(LITERALS[dim]) * 2))
    elif kind == "date":
        left = draw(st.sampled_from(env.of_type("date")))
        right = draw(st.sampled_from(env.of_type("date") + list(DATES)))
    else:
        left = "since " + draw(st.sampled_from(env.of_type("date")))
        right = draw(st.sampled_from(env.of_type("duration") + list(LITERALS["duration"])))
    if draw(st.booleans()):
        left, right = right, left
    return f"{left} {op} {right}"


def _members_atom(draw: st.DrawFn, env: _Env) -> str:
    """`all`/`any`/`at least N of` a measurement family, or a comparison with `max`/`min`."""
    name = draw(st.sampled_from(sorted(env.families)))
    etype, members = env.families[name]
    same = [f for f, (t, _) in env.families.items() if t == etype]
    boolean = etype in units.BOOLEAN_TYPES
    if not boolean and draw(st.integers(0, 2)) == 0:  # max F op value
        bound = f"{draw(st.sampled_from(('max', 'min')))} {name}"
        other = draw(st.sampled_from(
            [*LITERALS[etype], *env.of_type(etype),
             *(f"{w} {f}" for f in same for w in ("max", "min"))]
        ))  # fmt: skip
        op = draw(st.sampled_from(OPS))
        return f"{bound} {op} {other}" if draw(st.booleans()) else f"{other} {op} {bound}"
    quantifier = draw(st.sampled_from(("all", "any", "at least")))
    head = f"{quantifier} {name}"
    if quantifier == "at least":
        head = f"at least {draw(st.integers(1, len(members) if members else 3))} of {name}"
    if boolean:
        return head
    right = draw(st.sampled_from(
        [*LITERALS[etype], *env.of_type(etype), *(f"{w} {f}" for f in same for w in ("max", "min"))]
    ))  # fmt: skip
    return f"{head} {draw(st.sampled_from(OPS))} {right}"


def _atom(draw: st.DrawFn, env: _Env, reads: str) -> str:
    kinds = ["level", "level", "quantifier"]
    defs = env.definitions[reads] + (env.definitions["setting"] if env.per_context else [])
    kinds += ["def"] * bool(defs)
    if reads != "levels":
        kinds += ["quantity", "quantity"]
        kinds += ["fact"] * bool(env.of_type("fact", "judgement"))
        kinds += ["members", "members"] * bool(env.families)
    if reads == "any":
        kinds += ["implemented"] * bool(env.safeguards or env.standards)
    kind = draw(st.sampled_from(kinds))
    if kind == "members":
        return _members_atom(draw, env)
    if kind == "level":
        return _level_atom(draw, env)
    if kind == "quantifier":
        return _quantifier_atom(draw, env)
    if kind == "quantity":
        return _quantity_atom(draw, env) or _level_atom(draw, env)
    if kind == "fact":
        return draw(st.sampled_from(env.of_type("fact", "judgement")))
    if kind == "def":
        return draw(st.sampled_from(defs))
    names = env.safeguards + [s.name for s in env.standards]
    return draw(st.sampled_from(names)) + " is implemented"


def _wrap(text: str) -> str:
    return f"({text})"


def condition(draw: st.DrawFn, env: _Env, depth: int, reads: str = "any") -> str:
    """A random true-or-false condition over what `env` declares. `reads` limits what it may
    read: "any"thing, "pure" (no `is implemented`, as in efficacy criteria) or "levels"."""
    if depth <= 0 or draw(st.integers(0, 9)) < 4:
        return _atom(draw, env, reads)
    shape = draw(st.sampled_from(("not", "and", "or", "any", "all", "atleast")))
    if shape == "not":
        inner = condition(draw, env, depth - 1, reads)
        return f"not {_wrap(inner)}"
    count = draw(st.integers(1 if shape in ("any", "all", "atleast") else 2, 3))
    parts = [condition(draw, env, depth - 1, reads) for _ in range(count)]
    if shape in ("and", "or"):
        return f" {shape} ".join(_wrap(p) for p in parts)
    if shape == "atleast":
        n = draw(st.integers(1, count))
        return f"at least {n} of ({', '.join(parts)})"
    return f"{shape} of ({', '.join(parts)})"


# ---------------------------------------------------------------------------- declarations


def _title(draw: st.DrawFn, base: str) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return ""
    if choice == 1:
        return f' "{base} with \\"quotes\\" and a\n    line break"'
    return f' "{base}"'


def _phrase(draw: st.DrawFn, base: str) -> str:
    """Sometimes the exact words the document uses mid-sentence (a `phrase` clause; it never
    changes a decision)."""
    return f' phrase "the {base}"' if draw(st.integers(0, 3)) == 0 else ""


def _source(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return ""
    if choice == 1:
        return ' source "§1.2" at "https://example.org/p#s1"'
    return f' source "§{choice}"'


def _domains(draw: st.DrawFn) -> list[DomainSpec]:
    count = draw(st.integers(1, 3))
    out = []
    for i in range(count):
        status = draw(st.sampled_from((None, *STATUSES)))
        levels = [f"L{k}" for k in range(1, draw(st.integers(1, 4)) + 1)]
        risk = len(levels) >= 2 and draw(st.integers(0, 3)) == 0
        out.append(DomainSpec(f"D{i}", status, levels, risk=risk))
    return out


def _carry_forward(draw: st.DrawFn, env: _Env) -> str:
    """A `carry forward` clause: an age limit, a condition on evidence only, or both."""
    within = draw(st.sampled_from(("", "within 6 months", "within 30 days", "within 1 year")))
    atom = _quantity_atom(draw, env)
    facts = env.of_type("fact", "judgement")
    choices = [a for a in (atom, draw(st.sampled_from(facts)) if facts else None) if a]
    when = ""
    if choices and (not within or draw(st.booleans())):
        when = "when " + draw(st.sampled_from(choices))
        if len(choices) == 2 and draw(st.booleans()):
            when = f"when ({choices[0]}) or not {choices[1]}"
    if not within and not when:
        within = "within 6 months"
    return f"carry forward {within} {when}".replace("  ", " ").rstrip()


def _domain_text(draw: st.DrawFn, d: DomainSpec, env: _Env | None = None) -> str:
    lines = [f"domain {d.name}{_title(draw, 'Domain ' + d.name)} {{"]
    if d.status is not None:
        lines.append(f"  status {d.status}")
    if d.risk:
        lines.append("  risk verdict")
    if env is not None and draw(st.integers(0, 3)) == 0:
        lines.append("  " + _carry_forward(draw, env))
    if draw(st.booleans()):
        lines.append("  decided by R0, R1")
    if d.settings:
        lines.append("  assessed per context " + ", ".join(name for name, _ in d.settings))
    if d.residual:
        lines.append("  assessed after mitigation")
    if d.order:
        lines.append("  ordered " + " <= ".join(d.order))
    for level in d.levels:
        if draw(st.booleans()):
            lines.append(f'  level {level} "{d.name} {level}" source "§2"')
        else:
            lines.append(f'  level {level} {{ means "level {level}" baseline "b" actor "a" }}')
    lines.append("}")
    return "\n".join(lines)


def _evidence(draw: st.DrawFn) -> dict[str, str]:
    # Every type at least sometimes; some types twice (evidence compared with evidence).
    types = draw(
        st.lists(st.sampled_from(EVIDENCE_TYPES), min_size=2, max_size=9)
        | st.just(list(EVIDENCE_TYPES))
    )
    return {f"e_{t[:4]}{i}": t for i, t in enumerate(types)}


def _families(draw: st.DrawFn) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    """0-2 measurement families: yes-or-no or quantities, declared members or an open set."""
    out: dict[str, tuple[str, tuple[str, ...] | None]] = {}
    for i in range(draw(st.integers(0, 2))):
        etype = draw(st.sampled_from([t for t in EVIDENCE_TYPES if t != "date"]))
        members = None if draw(st.integers(0, 2)) == 0 else tuple(
            f"m{k}" for k in range(draw(st.integers(1, 3))))  # fmt: skip
        out[f"f_{etype[:4]}{i}"] = (etype, members)
    return out


def _standards(draw: st.DrawFn, safeguards: list[str]) -> list[StandardSpec]:
    out: list[StandardSpec] = []
    for f in range(draw(st.integers(0, 2))):
        family = f"fam{f}"
        chain: list[StandardSpec] = []
        for k in range(draw(st.integers(1, 3))):
            parent = chain[-1].name if chain else None
            hole = draw(st.integers(0, 4)) == 0
            includes = [] if hole else draw(
                st.lists(st.sampled_from(safeguards), max_size=3, unique=True)
            )
            chain.append(StandardSpec(f"S{f}_{k}", family, parent, includes, hole))
        if draw(st.booleans()):  # a branch off the base of the chain
            hole = draw(st.integers(0, 3)) == 0
            includes = [] if hole else draw(
                st.lists(st.sampled_from(safeguards), min_size=1, max_size=2, unique=True)
            )
            chain.append(StandardSpec(f"S{f}_b", family, chain[0].name, includes, hole))
        out += chain
    return out


def _standard_text(draw: st.DrawFn, s: StandardSpec) -> str:
    head = f"standard {s.name}{_title(draw, 'Standard ' + s.name)} in {s.family}"
    if s.extends:
        head += f" extends {s.extends}"
    body = []
    if s.hole:
        body.append("not yet defined")
    elif s.includes:
        body.append("includes " + ", ".join(s.includes))
    if draw(st.booleans()):
        body.append('protects against "theft" excludes "insiders" references "RAND SL3"')
    return head + " { " + " ".join(body) + _source(draw) + " }"


def _deadline(draw: st.DrawFn, env: _Env, contexts: list[str]) -> str:
    dates = env.of_type("date")
    kinds = ("none", "within", "every", "until", "due", "due_event", "due_at", "soft") + (
        "before",
    ) * (not env.gate)
    kind = draw(st.sampled_from(kinds))
    if kind == "within":
        amount = draw(st.sampled_from(("30 days", "1 month", "2 weeks", "36 hours", "1 year",
                                       "90 minutes")))
        if dates and draw(st.booleans()):
            return f" within {amount} of {draw(st.sampled_from(dates))}"
        return f" within {amount}"
    if kind == "before":
        return f" before {draw(st.sampled_from(contexts))}"
    if kind == "every":
        low = draw(st.integers(1, 6))
        span = f"{low} to {low + draw(st.integers(0, 6))}" if draw(st.booleans()) else str(low)
        unit = draw(st.sampled_from(("months", "weeks", "days", "year", "hours")))
        if dates and draw(st.booleans()):
            return f" every {span} {unit} since {draw(st.sampled_from(dates))}"
        return f" every {span} {unit}"
    if kind == "until":
        per_context, env.per_context = env.per_context, False  # E0803
        text = " until " + condition(draw, env, 2, "levels" if env.gate else "any")
        env.per_context = per_context
        return text
    if kind == "due" or (kind == "due_event" and not dates):
        return f" due {draw(st.sampled_from(DATES))}"
    if kind == "due_event":
        return f" due {draw(st.sampled_from(dates))}"
    if kind == "due_at":
        at = draw(st.lists(st.sampled_from(contexts), min_size=1, max_size=2, unique=True))
        return " due at " + ", ".join(at)
    if kind == "soft":
        return " " + draw(st.sampled_from(SOFT_WORDS))
    return ""


Duty = tuple[bool, str, str, tuple[str, ...]]  # (prohibition, modality, action, objects)


def _obligation(draw: st.DrawFn, env: _Env, contexts: list[str]) -> tuple[str, Duty]:
    """An obligation line, or one time in five a prohibition (`must not`, `should not`:
    no approver, no deadline but `until`, a context only with a blocking action: W0032)."""
    modality = draw(st.sampled_from((*MODALITIES, "must", "must")))
    action = draw(st.sampled_from(env.actions))
    prohibited = modality in ("must", "should") and draw(st.integers(0, 3)) == 0
    text = f"{modality} not {action}" if prohibited else f"{modality} {action}"
    things = list(ARTIFACTS) + list(ROLES)
    if not prohibited or action in BLOCKING_ACTIONS or modality == "should":
        things = contexts + things
    objects = draw(st.lists(st.sampled_from(things), max_size=2, unique=True))
    if objects:
        text += " " + ", ".join(objects)
    if draw(st.integers(0, 2)) == 0:  # docs/semantics.md §19: all, any one, a role group
        text += draw(st.sampled_from(BY_FORMS))
    if not prohibited and draw(st.integers(0, 2)) == 0:  # E1203
        text += draw(st.sampled_from(APPROVED_FORMS))
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(TO_FORMS))
    if not prohibited:
        text += _deadline(draw, env, contexts)
    elif draw(st.booleans()):  # a prohibition ends only by its `until` (E1202)
        per_context, env.per_context = env.per_context, False  # E0803
        text += " until " + condition(draw, env, 2, "levels" if env.gate else "any")
        env.per_context = per_context
    if draw(st.integers(0, 3)) == 0:
        text += ' per "§9" at "https://example.org"'
    return text, (prohibited, modality, action, tuple(objects))


def _contradicts(duty: Duty, duties: list[Duty]) -> bool:
    """Whether `must X` and `must not X` on the same things would meet in one rule (E1207)."""
    negated, modality, action, objects = duty
    return modality == "must" and any(
        d[1] == "must" and d[0] != negated and (d[2], d[3]) == (action, objects) for d in duties
    )


def _duty(
    draw: st.DrawFn, env: _Env, contexts: list[str], keys: set[str]
) -> tuple[str, str, Duty]:
    """An obligation, its key, unique among `keys` (the rule's so far, E1601), and what it
    is: named with `as NAME` when its action is taken, and sometimes anyway."""
    text, duty = _obligation(draw, env, contexts)
    key = duty[2]
    if key in keys or draw(st.integers(0, 5)) == 0:
        key = f"k{len(keys)}"
        text += f" as {key}"
    keys.add(key)
    return text, key, duty


def _assess(draw: st.DrawFn, d: DomainSpec, contexts: list[str], out: list[str]) -> None:
    """Maybe make `d` assessed per context (its settings cover every context, some through a
    context group declared into `out`) and/or after mitigation, with an order."""
    d.residual = draw(st.integers(0, 3)) == 0
    if draw(st.integers(0, 2)):
        return
    rest = list(contexts)
    if len(rest) >= 2 and draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(rest), min_size=2, max_size=3, unique=True))
        group = f"grp_{d.name}"
        out.append(f"context {group} {{ includes {', '.join(members)} }}")
        d.settings.append((group, members))
        rest = [c for c in rest if c not in members]
    d.settings += [(c, [c]) for c in rest]
    names = [name for name, _ in d.settings]
    if len(names) >= 2 and draw(st.booleans()):
        d.order = draw(st.permutations(names))[: draw(st.integers(2, len(names)))]


@st.composite
def policies(draw: st.DrawFn) -> PolicySpec:
    """A random valid policy (see the module docstring)."""
    levels_only = draw(st.integers(0, 3)) == 0
    # Half the levels-only policies are "gates": one context, nothing that blocks by an
    # obligation, no efficacy criteria, no standard tested; the kind of policy the generated
    # evaluator's fast path decides.
    gate = levels_only and draw(st.booleans())
    domains = _domains(draw)
    evidence = _evidence(draw)
    safeguards = [f"sg{i}" for i in range(draw(st.integers(1, 5)))]
    standards = _standards(draw, safeguards)
    contexts = [f"ctx{i}" for i in range(1 if gate else draw(st.integers(1, 4)))]
    families = _families(draw)
    env = _Env(domains, evidence, safeguards, standards, gate=gate, families=families)
    if gate:
        env.actions = list(PLAIN_ACTIONS)
    out: list[str] = []

    combine = draw(st.sampled_from((
        "combine highest standard per family", "combine all standards", "",
    )))  # fmt: skip
    extra = draw(st.sampled_from((
        "", 'published 2025-05-01 supersedes "0.9" url "https://example.org/policy"',
        'change 2024-01-01 "0.9" "First version." means "A generated policy."',
        'source "The policy" at "https://example.org"',
    )))  # fmt: skip
    # the policy's period: in force from 2025-05-14, sometimes until a later version
    extra += draw(st.sampled_from((
        "", "", " superseded 2025-12-31", ' superseded 2026-04-01 by "2.0"',
    )))  # fmt: skip
    if draw(st.integers(0, 3)) == 0:
        extra += "\n  " + _carry_forward(draw, env)
    out.append(
        f'policy P{draw(st.integers(0, 9))} "A generated policy" {{\n'
        f'  organization "Org" version "1.{draw(st.integers(0, 9))}"\n'
        f"  effective 2025-05-14\n  {combine}\n  {extra}\n}}"
    )
    if not gate and draw(st.integers(0, 3)) == 0:
        out.append("import std.contexts, std.actions  # the shipped standard library")
        contexts += STD_CONTEXTS
        env.actions += STD_ACTIONS
    out.append("# roles, contexts, actions and artifacts")
    for role in ROLES:
        out.append(f"role {role}{_title(draw, 'Role')}{_phrase(draw, 'role')}{_source(draw)}")
    out.append(
        f"role {ROLE_GROUP}{_title(draw, 'Role group')}{_phrase(draw, 'role group')}"
        f" includes R0, R1{_source(draw)}"
    )
    for ctx in contexts:
        if ctx in STD_CONTEXTS:
            continue  # declared in the stdlib
        out.append(f"context {ctx}{_title(draw, 'Context')}{_phrase(draw, 'context')}")
    for action in ACTIONS:  # the stdlib's are declared there
        blocking = " blocking" if action in BLOCKING_ACTIONS else ""
        out.append(f"action {action}{_title(draw, 'Action')}{blocking}{_phrase(draw, 'action')}")
    out.append('artifact art0 "Report" { contains "a", "b" audience R0 }')
    if not gate:  # levels per setting and after mitigation; the first domain stays plain
        for d in domains[1:]:
            _assess(draw, d, contexts, out)
    for d in domains:
        out.append(_domain_text(draw, d, env))
    for name, etype in evidence.items():
        decided = " decided by R0" if etype == "judgement" or draw(st.integers(0, 4)) == 0 else ""
        out.append(f"evidence {name}: {etype}{_title(draw, 'Evidence')}{decided}{_source(draw)}")
    for name, (etype, members) in families.items():
        decided = " decided by R0" if etype == "judgement" else ""
        listed = f" ({', '.join(members)})" if members is not None else ""
        out.append(f"evidence {name}: {etype} per thing{listed}{_title(draw, 'Family')}{decided}")

    for i in range(draw(st.integers(0, 4))):
        name = f"def{i}"
        reads = "levels" if levels_only else draw(st.sampled_from(("levels", "pure", "any")))
        expr = condition(draw, env, 2, reads)
        out.append(f"define {name}{_title(draw, 'Definition')} as {expr}{_source(draw)}")
        for kind in ("any", "pure", "levels")[: ("any", "pure", "levels").index(reads) + 1]:
            env.definitions[kind].append(name)
    if any(d.settings for d in domains) and draw(st.booleans()):
        env.per_context = True  # a definition only a rule's `when` may use
        expr = condition(draw, env, 2, "levels")
        env.per_context = False
        out.append(f"define defs as {expr}")
        env.definitions["setting"].append("defs")

    for sg in safeguards:
        clauses = []
        if draw(st.booleans()):
            clauses.append(f"category {draw(st.sampled_from(units.SAFEGUARD_CATEGORIES))}")
        if draw(st.integers(0, 3)) == 0:
            clauses.append(f"claim {draw(st.sampled_from(units.CLAIM_TYPES))}")
        if not gate and draw(st.integers(0, 2)) == 0:
            clauses.append("counts when " + condition(draw, env, 2, "pure"))
        body = " ".join(clauses) + _source(draw)
        if draw(st.booleans()):
            out.append(f"safeguard {sg}{_title(draw, 'Safeguard')} {{ {body} }}")
        else:
            out.append(f"safeguard {sg}{_title(draw, 'Safeguard')} {body}")
    for family in sorted({s.family for s in standards}):
        out.append(f"family {family}{_title(draw, 'Family')}")
    for s in standards:
        text = _standard_text(draw, s)
        if not gate and draw(st.integers(0, 2)) == 0:  # a criterion of the standard
            text = text[: -len(" }")] + " counts when " + condition(draw, env, 2, "pure") + " }"
        out.append(text)

    rules: list[str] = []
    obligations: list[tuple[str, str]] = []
    steps: list[tuple[str, str]] = []
    banned: list[tuple[str, str]] = []  # (rule, action) of prohibitions
    requirable = safeguards + [s.name for s in standards]
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("rule", "rule", "warning", "cadence")))
        name = f"{kind[0]}{i}"
        rules.append(name)
        lines = [f"{kind} {name}{_title(draw, 'Rule')} {{"]
        if (src := _source(draw)) != "":
            lines.append(" " + src)
        checkpoints = draw(st.integers(0, 2)) if kind == "warning" else 0
        env.per_context = checkpoints == 0  # a checkpoint is decided once (E0803)
        if kind != "cadence" or draw(st.booleans()):
            lines.append("  when " + condition(draw, env, 3, "levels" if levels_only else "any"))
        env.per_context = False
        for _ in range(draw(st.integers(0, 3))):
            targets = draw(st.lists(st.sampled_from(requirable), min_size=1, max_size=3,
                                    unique=True))  # fmt: skip
            # one requirement in five does not bind (`should require`, `recommend require`)
            modality = draw(st.sampled_from(("", "", "", "", "should ", "recommend ")))
            line = f"  {modality}require " + ", ".join(targets)
            if draw(st.booleans()):
                line += " for " + ", ".join(draw(
                    st.lists(st.sampled_from(contexts), min_size=1, max_size=3, unique=True)
                ))  # fmt: skip
            if not gate and not modality and len(targets) == 1 and draw(st.integers(0, 2)) == 0:
                line += " counts when " + condition(draw, env, 2, "pure")  # this line's criterion
            if draw(st.integers(0, 3)) == 0:
                line += ' per "§4"'
            if draw(st.integers(0, 5)) == 0:
                line += ' note "a note"'
            lines.append(line)
        keys: set[str] = set()  # a duty's key is its `as` name, else its action (E1601)
        duties: list[Duty] = []
        for _ in range(draw(st.integers(0, 3))):
            text, key, duty = _duty(draw, env, contexts, keys)
            if _contradicts(duty, duties):
                continue
            duties.append(duty)
            lines.append("  " + text)
            (banned if duty[0] else obligations).append((name, key))
        if draw(st.integers(0, 2)) == 0:
            fallback = []
            ladder = draw(st.booleans())  # `if unmet in order`: an escalation ladder
            for _ in range(draw(st.integers(0, 3 if ladder else 2))):
                text, key, duty = _duty(draw, env, contexts, keys)
                if _contradicts(duty, duties):
                    continue
                duties.append(duty)
                fallback.append("    " + text)
                (banned if duty[0] else obligations).append((name, key))
                if ladder:
                    steps.append((name, key))
            opening = "  if unmet in order {\n" if ladder else "  if unmet {\n"
            lines.append(opening + "\n".join(fallback) + "\n  }")
        if kind == "warning":
            for _ in range(checkpoints):
                d = draw(st.sampled_from(domains))
                op = draw(st.sampled_from((">=", ">")))
                lines.append(f"  rules out {d.name} {op} {draw(st.sampled_from(d.levels))}")
        lines.append("}")
        out.append("\n".join(lines))
    waivers = _waivers(draw, env, requirable, obligations, contexts, levels_only, out)
    assertions = _assertions(draw, env, requirable, contexts, levels_only, out)
    return PolicySpec(
        text="\n\n".join(out) + "\n",
        domains=domains,
        evidence=evidence,
        safeguards=safeguards,
        standards=standards,
        contexts=contexts,
        rules=rules,
        obligations=list(dict.fromkeys(obligations)),
        prohibited=[p for p in dict.fromkeys(banned) if p not in obligations],
        levels_only=levels_only,
        families=families,
        steps=steps,
        waivers=waivers,
        assertions=assertions,
    )


def _waivers(draw: st.DrawFn, env: _Env, requirable: list[str],
             obligations: list[tuple[str, str]], contexts: list[str], levels_only: bool,
             out: list[str]) -> list[str]:  # fmt: skip
    """Maybe some waivers (appended to `out`): of a standard or safeguard, or of one duty of
    a rule; for some contexts or all; with a condition or none; approved by some roles."""
    names: list[str] = []
    if env.gate or draw(st.integers(0, 2)) == 0:
        return names
    for i in range(draw(st.integers(1, 3))):
        name = f"wv{i}"
        if obligations and draw(st.integers(0, 2)) == 0:
            rule, action = draw(st.sampled_from(obligations))
            waives = f"waives {action} of {rule}"
        else:
            waives = f"waives {draw(st.sampled_from(requirable))}"
        lines = [f"waiver {name}{_title(draw, 'Waiver')} {{", f"  {waives}"]
        if draw(st.booleans()):
            lines.append("  for " + ", ".join(draw(
                st.lists(st.sampled_from(contexts), min_size=1, max_size=2, unique=True)
            )))  # fmt: skip
        if draw(st.integers(0, 3)):
            lines.append("  when " + condition(draw, env, 2, "levels" if levels_only else "any"))
        roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))
        lines.append("  approved by " + ", ".join(roles))
        if (src := _source(draw)) != "":
            lines.append(" " + src)
        lines.append("}")
        out.append("\n".join(lines))
        names.append(name)
    return names


def _assertions(draw: st.DrawFn, env: _Env, requirable: list[str], contexts: list[str],
                levels_only: bool, out: list[str]) -> list[str]:  # fmt: skip
    """Maybe some `assert` blocks (appended to `out`), each of the three claims: never or
    always permitted in a context, or a standard or safeguard required (in some contexts or
    all), with a condition or none (`requires` always has one)."""
    names: list[str] = []
    if draw(st.integers(0, 2)) == 0:
        return names
    for i in range(draw(st.integers(1, 3))):
        name = f"as{i}"
        kind = draw(st.sampled_from(("never", "always", "requires")))
        when = ""
        if kind == "requires" or draw(st.integers(0, 3)):
            when = " when " + condition(draw, env, 2, "levels" if levels_only else "any")
        if kind == "requires":
            claim = f"requires {draw(st.sampled_from(requirable))}"
            if draw(st.booleans()):
                claim += " for " + ", ".join(draw(
                    st.lists(st.sampled_from(contexts), min_size=1, max_size=2, unique=True)
                ))  # fmt: skip
        else:
            claim = f"{kind} permitted {draw(st.sampled_from(contexts))}"
        lines = [f"assert {name}{_title(draw, 'Assertion')} {{", f"  {claim}{when}"]
        if (src := _source(draw)) != "":
            lines.append(" " + src)
        lines.append("}")
        out.append("\n".join(lines))
        names.append(name)
    return names


# ---------------------------------------------------------------------------- assessments


def _date_strings() -> st.SearchStrategy[str]:
    near = st.sampled_from(DATES).flatmap(
        lambda d: st.integers(-3, 3).map(
            lambda k: (datetime.date.fromisoformat(d) + datetime.timedelta(days=k)).isoformat()
        )
    )
    anywhere = st.integers(-900, 900).map(
        lambda k: (BASE_DATE + datetime.timedelta(days=k)).isoformat()
    )
    return near | anywhere


def _number(dimension: str) -> st.SearchStrategy[float | int]:
    """A value in the dimension's range (`semantics.RANGES`): near the literals the policies
    compare with (one ulp-ish step either side), or anywhere."""
    values = [literal_value(t) for t in LITERALS[dimension]]
    near = st.sampled_from(values).flatmap(
        lambda v: st.sampled_from((v, v * 1.0000001, v * 0.9999999, v + 1, v - 1))
    )
    if dimension == "score":
        return near | st.integers(-1000, 1000) | st.floats(-1e27, 1e27, allow_nan=False)
    top = 1.0 if dimension == "fraction" else 1e27
    anywhere = st.integers(0, 1) if dimension == "fraction" else st.integers(0, 1000)
    inside = near.filter(lambda v: semantics.in_range(v, dimension))
    return inside | anywhere | st.floats(0, top, allow_nan=False)


def out_of_range(dimension: str) -> st.SearchStrategy[float | int]:
    """A finite number outside the dimension's range (none for a score): negative, or for a
    fraction above 1 (a rate of 15 typed for 0.15)."""
    below = st.sampled_from((-1, -0.5, -1e-9, -1e30, -5)) | st.floats(-1e30, -1e-300)
    if dimension != "fraction":
        return below
    return below | st.sampled_from((15, 1.0000001, 100, 2, 1e30)) | st.floats(1.0000001, 1e30)


def evidence_value(etype: str) -> st.SearchStrategy[Any]:
    if etype in units.BOOLEAN_TYPES:
        return st.booleans()
    if etype == "date":
        return _date_strings()
    return _number(etype)


def family_value(etype: str, members: tuple[str, ...] | None) -> st.SearchStrategy[Any]:
    """A valid value of a measurement family: some members (any names for an open set),
    each with a value or null (missing); sometimes empty."""
    names = st.sampled_from(members) if members is not None else st.sampled_from(
        ("m0", "m1", "m2", "other", "a.b"))  # fmt: skip
    value = st.none() | evidence_value(etype) | evidence_value(etype)
    return st.dictionaries(names, value, max_size=4)


def _determination(d: DomainSpec) -> st.SearchStrategy[Any]:
    """A valid entry of `determinations` for `d`, in the form its assessment takes."""
    if d.plain:
        return _one_determination(d, carry=True)
    return _assessed(d)


def interval(d: DomainSpec, value: Any) -> tuple[int, int]:
    """The ranks [lo, hi] a valid plain determination stands for (docs/semantics.md)."""
    ranks = {lv: i + 1 for i, lv in enumerate(d.levels)}
    if value is None:
        return 0, len(d.levels)
    if isinstance(value, str):
        return ranks[value], ranks[value]
    lo = ranks[value["reached"]] if value.get("reached") is not None else 0
    unsure = value.get("cannot_rule_out")
    return lo, (ranks[unsure] if unsure is not None else lo)


@st.composite
def _assessed(draw: st.DrawFn, d: DomainSpec) -> Any:
    """Per setting (each maybe left out) and/or before and after mitigation; consistent
    with the order (a later setting can reach what an earlier one reached) and with
    mitigation (the level reached after is possible before)."""

    def one(floor: int) -> Any:
        before = draw(_one_determination(d).filter(lambda v: interval(d, v)[1] >= floor))
        if not d.residual:
            return before
        top = interval(d, before)[1]
        after = draw(_one_determination(d).filter(lambda v: interval(d, v)[0] <= top))
        entry = {}
        if draw(st.integers(0, 3)):
            entry["before"] = before
        if draw(st.integers(0, 3)):
            entry["after"] = after
        return entry if draw(st.integers(0, 5)) else None

    if not d.settings:
        return one(0)
    out: dict[str, Any] = {}
    floor = 0
    names = [*d.order, *(n for n, _ in d.settings if n not in d.order)]
    for name in names:
        if not draw(st.integers(0, 3)):
            continue  # left out: unknown for that setting
        value = one(floor if name in d.order else 0)
        out[name] = value
        if name in d.order and value is not None:
            before = value.get("before") if d.residual else value
            floor = max(floor, interval(d, before)[0])
    return out


def _one_determination(d: DomainSpec, carry: bool = False) -> st.SearchStrategy[Any]:
    """One determination of `d`, maybe provisional; carried forward only when `carry` (a
    determination per setting or after mitigation cannot be carried forward)."""
    levels = st.sampled_from(d.levels)

    def pair(lo: int) -> st.SearchStrategy[Any]:
        return st.integers(lo, len(d.levels) - 1).map(
            lambda hi: {"reached": d.levels[lo], "cannot_rule_out": d.levels[hi]}
        )

    plain = st.one_of(
        st.none(),
        levels,
        levels.map(lambda lv: {"reached": lv}),
        st.integers(0, len(d.levels) - 1).flatmap(pair),
        levels.map(lambda lv: {"cannot_rule_out": lv}),
        levels.map(lambda lv: {"reached": None, "cannot_rule_out": lv}),
        st.just({}),
    )
    return plain | st.tuples(plain, _qualifiers(carry)).map(_qualify)


def _qualifiers(carry: bool) -> st.SearchStrategy[dict[str, Any]]:
    """`provisional` and, with `carry`, `carried_forward` (either, both, or null)."""
    carried = st.fixed_dictionaries(
        {"date": _date_strings(), "model": st.sampled_from(("M1", "Model 0"))}
    )
    return st.fixed_dictionaries({}, optional={
        "provisional": st.sampled_from(("the uplift trial", "x", None)),
        **({"carried_forward": carried | st.none()} if carry else {}),
    })  # fmt: skip


def _qualify(pair: tuple[Any, dict[str, Any]]) -> Any:
    det, extra = pair
    if det is None or not extra:
        return det
    base = {"reached": det} if isinstance(det, str) else dict(det)
    return {**base, **extra}


@st.composite
def assessments(draw: st.DrawFn, spec: PolicySpec, provenance: bool = False) -> dict[str, Any]:
    """A valid assessment for `spec`: any field may be absent or null. One in four is a
    release-gate call: determinations and a list of safeguards, nothing else. With
    `provenance`, one in four of the others has a provenance block that agrees with its
    evidence (property tests that change the evidence draw without it)."""
    if draw(st.integers(0, 3)) == 0:
        return {
            "determinations": {
                d.name: draw(_determination(d)) for d in spec.domains if draw(st.booleans())
            },
            "implemented": draw(st.lists(st.sampled_from(spec.safeguards))),
        }
    out: dict[str, Any] = {}
    if draw(st.integers(0, 5)):
        dets = {}
        for d in spec.domains:
            if draw(st.integers(0, 4)):
                dets[d.name] = draw(_determination(d))
        out["determinations"] = dets
    if draw(st.integers(0, 5)):
        ev = {}
        for name, etype in spec.evidence.items():
            choice = draw(st.integers(0, 5))
            if choice == 0:
                ev[name] = None
            elif choice > 1:
                ev[name] = draw(evidence_value(etype))
        for name, (etype, members) in spec.families.items():
            choice = draw(st.integers(0, 5))
            if choice == 0:
                ev[name] = None
            elif choice > 1:
                ev[name] = draw(family_value(etype, members))
        out["evidence"] = ev
    names = spec.safeguards + [s.name for s in spec.standards]
    if draw(st.integers(0, 5)):
        out["implemented"] = draw(st.lists(st.sampled_from(names)))  # repeats allowed
    if spec.obligations and draw(st.booleans()):
        out["done"] = [
            {"rule": r, "action": a}
            for r, a in draw(st.lists(st.sampled_from(spec.obligations)))
        ]
    if spec.steps and draw(st.booleans()):  # ladder steps failed: never one listed as done
        done = {(x["rule"], x["action"]) for x in out.get("done") or ()}
        out["failed"] = [
            {"rule": r, "action": a}
            for r, a in draw(st.lists(st.sampled_from(spec.steps)))
            if (r, a) not in done
        ]
    if spec.waivers and draw(st.integers(0, 3)):
        out["approved"] = draw(st.lists(st.sampled_from(spec.waivers)))  # repeats allowed
    if draw(st.integers(0, 3)):
        out["as_of"] = draw(_date_strings())
    if draw(st.booleans()):
        out["contexts"] = draw(st.lists(st.sampled_from(spec.contexts), min_size=1))
    for key in list(out):
        if draw(st.integers(0, 15)) == 0:
            out[key] = None  # null means absent
    if provenance and draw(st.integers(0, 3)) == 0:
        out["provenance"] = draw(_provenance(spec, out.get("evidence") or {}))
    return out


_RUN = {
    "created": "2025-06-01T12:00:00+00:00", "eval_id": "E1", "log": "logs/a.eval",
    "metric": "accuracy", "model": "mockllm/model", "scorer": "match", "sha256": "0" * 64,
    "task": "t", "task_version": 1,
}  # fmt: skip


@st.composite
def _provenance(draw: st.DrawFn, spec: PolicySpec, ev: dict[str, Any]) -> dict[str, Any]:
    """A provenance block that agrees with the evidence `ev`: a record per evidence item drawn
    ("measured" with runs for a value given, "unknown" with a reason otherwise), and per member
    of a family given."""
    out: dict[str, Any] = {}
    for name in spec.evidence:
        pick = draw(st.integers(0, 3))
        if pick == 0:
            continue
        if pick == 1:
            out[name] = None
        elif ev.get(name) is not None:
            runs = draw(st.lists(st.just(_RUN), min_size=1, max_size=2))
            out[name] = {"status": "measured", "reason": None, "runs": runs}
        else:
            out[name] = {"status": "unknown", "reason": "no successful log", "runs": []}
    for name in spec.families:
        got = ev.get(name)
        for member, value in (got.items() if isinstance(got, dict) else ()):
            if value is not None and draw(st.booleans()):
                out[f"{name}.{member}"] = {"status": "measured", "runs": [_RUN]}
    return out


BAD_DATES = ("2025-02-30", "2025-1-1", "2025-13-01", "20250101", "", "yesterday",
             "2025-01-01T00:00", " 2025-01-01", "2025-00-10", "2025-W01-1", "２０２５-01-01",
             "2025-01-01\n")  # fmt: skip
BAD_NUMBERS = (float("nan"), float("inf"), float("-inf"), "5", True, False, 10**400, -(10**400),
               None, [1], {})  # fmt: skip
NOT_AN_OBJECT = ([], "x", 5, 1.5, True, False, 0, "", ())


@st.composite
def malformed_assessments(draw: st.DrawFn, spec: PolicySpec) -> Any:
    """An assessment for `spec` that must be rejected: one thing in a valid one broken."""
    base = draw(assessments(spec))
    names = spec.safeguards + [s.name for s in spec.standards]
    kind = draw(st.sampled_from((
        "not_object", "unknown_key", "as_of", "determinations", "domain", "level",
        "unknown_sub", "below", "det_type", "evidence", "evidence_name", "evidence_type",
        "implemented", "implemented_name", "done", "done_item", "contexts", "context_name",
        "failed", "failed_item",
        "setting", "mitigation",
        "evidence_range",
        *(("family",) * bool(spec.families)),
        "qualifier",
        *(("approved",) * bool(spec.waivers)),
        "provenance",
    )))  # fmt: skip
    d = draw(st.sampled_from(spec.domains))
    assessed = [x for x in spec.domains if not x.plain]
    if kind in ("setting", "mitigation") and not assessed:
        kind = "level"
    elif kind in ("setting", "mitigation"):
        d = draw(st.sampled_from(assessed))
    if kind == "not_object":
        return draw(st.sampled_from([None, [base], "{}", 3, *NOT_AN_OBJECT]))
    if kind == "unknown_key":
        base[draw(st.sampled_from(("asof", "Evidence", "level", "", "x", "domains")))] = 1
    elif kind == "as_of":
        base["as_of"] = draw(st.sampled_from((*BAD_DATES, 20250101, True, ["2025-01-01"])))
    elif kind == "determinations":
        base["determinations"] = draw(st.sampled_from(NOT_AN_OBJECT))
    elif kind == "domain":
        base.setdefault("determinations", {})
        base["determinations"] = dict(base["determinations"] or {})
        base["determinations"][draw(st.sampled_from(("D9", "d0", "L1", "")))] = d.levels[0]
    elif kind == "level":
        bad = draw(st.sampled_from(("L0", "L5", "l1", "", "D0", 1, True, ["L1"])))
        shape = draw(st.sampled_from(("plain", "reached", "unsure")))
        value: Any = bad if shape == "plain" and isinstance(bad, str) else (
            {"cannot_rule_out": bad} if shape == "unsure" else {"reached": bad}
        )
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind == "setting" and d.settings:  # a setting the domain is not assessed for
        value = {draw(st.sampled_from(("nope", "ctx9", d.levels[0], ""))): None}
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind in ("setting", "mitigation"):  # a wrong key, or a level after above before
        after = d.levels[-1]
        wrong: Any = draw(st.sampled_from((
            {"reached": d.levels[0]}, {"befor": None}, d.levels[0],
            {"before": {"reached": None}, "after": after},
        )))  # fmt: skip
        if not d.residual:
            wrong = {"before": {}}
        if d.settings:
            wrong = {d.settings[0][0]: wrong}
        base["determinations"] = {**(base.get("determinations") or {}), d.name: wrong}
    elif kind == "unknown_sub":
        value = {"reached": d.levels[0], draw(st.sampled_from(("level", "upper", ""))): "L1"}
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind == "below":
        if len(d.levels) < 2:
            return draw(st.sampled_from(NOT_AN_OBJECT))
        lo = draw(st.integers(1, len(d.levels) - 1))
        hi = draw(st.integers(0, lo - 1))
        value = {"reached": d.levels[lo], "cannot_rule_out": d.levels[hi]}
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind == "qualifier":
        value = {"reached": d.levels[0], **draw(st.sampled_from((
            {"provisional": ""}, {"provisional": "  "}, {"provisional": 5},
            {"carried_forward": "2025-01-01"}, {"carried_forward": {"date": "2025-01-01"}},
            {"carried_forward": {"model": "M"}},
            {"carried_forward": {"date": "2025-02-30", "model": "M"}},
            {"carried_forward": {"date": "2025-01-01", "model": ""}},
            {"carried_forward": {"date": "2025-01-01", "model": "M", "by": "R0"}},
            {"carried_forward": {"date": None, "model": "M"}},
        )))}  # fmt: skip
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind == "det_type":
        value = draw(st.sampled_from((5, 1.5, True, [], ["L1"], ("L1",))))
        base["determinations"] = {**(base.get("determinations") or {}), d.name: value}
    elif kind == "evidence":
        base["evidence"] = draw(st.sampled_from(NOT_AN_OBJECT))
    elif kind == "evidence_name":
        base["evidence"] = {**(base.get("evidence") or {}), "nope": 1}
    elif kind == "evidence_type":
        name = draw(st.sampled_from(sorted(spec.evidence)))
        etype = spec.evidence[name]
        if etype in units.BOOLEAN_TYPES:
            bad = draw(st.sampled_from((1, 0, "yes", "true", 1.0, [True])))
        elif etype == "date":
            bad = draw(st.sampled_from((*BAD_DATES, 20250101, True, 1.5)))
        else:
            bad = draw(st.sampled_from((*BAD_NUMBERS[:-3], "4x", [1], {})))
        base["evidence"] = {**(base.get("evidence") or {}), name: bad}
    elif kind == "evidence_range":
        ranged = sorted(n for n, t in spec.evidence.items() if t in semantics.RANGES)
        if not ranged:
            return draw(st.sampled_from(NOT_AN_OBJECT))
        name = draw(st.sampled_from(ranged))
        bad = draw(out_of_range(spec.evidence[name]))
        base["evidence"] = {**(base.get("evidence") or {}), name: bad}
    elif kind == "family":
        name = draw(st.sampled_from(sorted(spec.families)))
        etype, members = spec.families[name]
        bad_member: Any = {"zz": None} if members is not None else {"m0": [1]}
        if etype in units.BOOLEAN_TYPES:
            bad_value: Any = draw(st.sampled_from((1, "yes", [True])))
        else:
            bad_value = draw(st.sampled_from((*BAD_NUMBERS[:-3], "4x", [1], {})))
        member = members[0] if members is not None else "m0"
        bad = draw(st.sampled_from((bad_member, {member: bad_value}, 5, True, [], "m0")))
        base["evidence"] = {**(base.get("evidence") or {}), name: bad}
    elif kind == "implemented":
        base["implemented"] = draw(st.sampled_from(("sg0", {"sg0": True}, 5, True, {})))
    elif kind == "implemented_name":
        good = list(draw(st.lists(st.sampled_from(names), unique=True)))
        bad = draw(st.sampled_from(("nope", "ctx0", "D0", "L1", 5, None, "SG0")))
        good.insert(draw(st.integers(0, len(good))), bad)
        base["implemented"] = good
    elif kind == "done":
        base["done"] = draw(st.sampled_from(("r0", {"rule": "r0"}, 5, True, {})))
    elif kind == "done_item":
        rule = draw(st.sampled_from(spec.rules))
        bad = draw(st.sampled_from((
            {"rule": rule}, {"rule": rule, "action": "nope"}, {"rule": "zz", "action": "act0"},
            {"rule": rule, "action": "act0", "extra": 1}, "act0", [rule, "act0"], None,
            {"rule": rule, "action": 5}, {"rule": [rule], "action": "act0"},
            {"rule": rule, "action": {"x": 1}},
        )))  # fmt: skip
        if spec.prohibited and draw(st.booleans()):  # a prohibition is never done
            r, a = draw(st.sampled_from(spec.prohibited))
            bad = {"rule": r, "action": a}
        base["done"] = [*(base.get("done") or []), bad]
    elif kind == "failed":
        base["failed"] = draw(st.sampled_from(("r0", {"rule": "r0"}, 5, True, {})))
    elif kind == "failed_item":  # not a ladder step, or a step also listed as done
        off = [x for x in spec.obligations if x not in spec.steps]
        choices: list[Any] = [{"rule": "zz", "action": "act0"}, "act0", None]
        choices += [{"rule": r, "action": a} for r, a in off[:3]]
        if spec.steps:
            r, a = spec.steps[0]
            base["done"] = [*(base.get("done") or []), {"rule": r, "action": a}]
            choices.append({"rule": r, "action": a})
        base["failed"] = [draw(st.sampled_from(choices))]
    elif kind == "approved":
        bad = draw(st.sampled_from(("wv0", {"wv0": True}, 5, True, {}, ["nope"], ["r0"], [5],
                                    ["WV0"], [None])))  # fmt: skip
        base["approved"] = bad
    elif kind == "provenance":
        name = draw(st.sampled_from(sorted(spec.evidence)))
        given = (base.get("evidence") or {}).get(name) is not None
        base["provenance"] = draw(st.sampled_from((
            [], "x", {"nope": None}, {name: "measured"}, {name: {"status": "done"}},
            {name: {"status": "unknown" if given else "measured", "reason": "r"}},
            {name: {"status": "unknown" if given else "measured", "runs": [],
                    "reason": "r", "by": "R0"}},
            {name: {"status": "measured" if given else "unknown", "reason": "r",
                    "runs": [{**_RUN, "log": 5}]}},
            {name: {"status": "measured" if given else "unknown", "reason": "r",
                    "runs": [{"log": "a.eval"}]}},
            {name: {"status": "measured" if given else "unknown", "reason": 5}},
        )))  # fmt: skip
    elif kind == "contexts":
        base["contexts"] = draw(st.sampled_from(("ctx0", {"ctx0": 1}, 5, True, {}, [], ())))
    else:
        bad = draw(st.sampled_from(("nope", "CTX0", "", 5, None, ["ctx0"])))
        good = list(draw(st.lists(st.sampled_from(spec.contexts), unique=True)))
        good.insert(draw(st.integers(0, len(good))), bad)
        base["contexts"] = good
    return base


def any_assessment(spec: PolicySpec) -> st.SearchStrategy[Any]:
    """About nine valid assessments for every malformed one."""
    return st.sampled_from((*[False] * 8, True)).flatmap(
        lambda bad: malformed_assessments(spec) if bad else assessments(spec, provenance=True)
    )


# ---------------------------------------------------------------------------- engines


def compile_policy(text: str, path: str = "generated.rspl") -> ir.Policy:
    """The IR of a policy that must compile without errors."""
    result = compile_source(path, text)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert not errors and result.policy is not None, (
        "the generated policy does not compile:\n"
        + "\n".join(f"{d.code} line {d.span.line}: {d.message}" for d in errors)
        + "\n"
        + text
    )
    return result.policy


def load_module(policy: ir.Policy) -> types.ModuleType:
    """The generated evaluator for `policy`, loaded without importing rspl."""
    source = generate(policy)
    assert "import rspl" not in source and "from rspl" not in source
    module = types.ModuleType("generated_policy")
    exec(compile(source, f"<generated {policy.id}>", "exec"), module.__dict__)
    return module


@functools.cache
def bench_scaling() -> types.ModuleType:
    """`bench/scaling.py`, whose synthetic policies (`extends_policy(n)`, ...) tests reuse."""
    path = Path(__file__).resolve().parent.parent / "bench" / "scaling.py"
    spec = importlib.util.spec_from_file_location("bench_scaling", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
