"""The JSON Schema backend: the evaluator's input and output as Draft 2020-12 schemas.

`render(policy)` returns two files, `{module}.assessment.schema.json` (what an evaluator of the
policy accepts) and `{module}.decision.schema.json` (what it returns), built from the IR as
Python data and dumped with sorted keys: byte-for-byte deterministic, and no policy text is
ever pasted into JSON by hand. Titles and descriptions come from the policy. The parts that
grow with the policy (a clause per level, a property per domain or evidence, a `$defs` entry
per level block) are `Lazy`: made one at a time as the text is written (`render_pieces`), so
that `rspl build` never holds a schema whole.

The assessment schema accepts exactly what the reference interpreter (`rspl.interpreter`)
accepts from JSON input, including two rules that look beyond a plain JSON Schema at first
sight: a `cannot_rule_out` level below the level `reached` (one `if`/`then` per level), and
impossible calendar dates such as 2025-02-30 (a pattern that knows month lengths and leap
years). What remains outside the schema is listed in `LIMITS` and in the schema itself.
"""

from __future__ import annotations

import json
import math
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from rspl import ir, semantics, units
from rspl.wording import describe, module_name

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# The largest finite IEEE double: the evaluator turns every number into a float and rejects
# those that are not finite.
MAX_NUMBER = sys.float_info.max

# A calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31 that exists: month lengths and
# Gregorian leap years are spelled out. Only plain groups, classes and alternation, so the
# pattern means the same in ECMA-262, Python `re` and RE2. `minLength`/`maxLength` go with it,
# because in Python `$` also matches before a final newline.
_YEAR = "([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
DATE_PATTERN = (
    "^("
    + _YEAR
    + "-("
    + "(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    + "|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    + "|02-(0[1-9]|1[0-9]|2[0-8])"
    + ")|"
    + _LEAP_YEAR
    + "-02-29)$"
)

LIMITS = (
    "NaN and the infinities are not JSON numbers; a JSON parser that reads them anyway (as "
    "Python's does) hands the evaluator a number it rejects, while `minimum`/`maximum` cannot "
    "reject NaN.",
    "Only JSON data is described: the evaluator also reads Python tuples as lists, and "
    "rejects object keys that are not strings, which JSON cannot write.",
    'The "format": "date" keyword is an annotation unless a validator is asked to assert '
    "formats; the pattern and the 10-character length carry the check.",
    "The provenance record of a member of an open measurement family must agree with the "
    "evidence too; the schema checks that only for declared evidence and members.",
)

_UNIT_NOTES: dict[str, str] = {
    "multiplier": "a finite number of times, 0 or more (4 means 4x)",
    "duration": "a finite number of days, 0 or more",
    "fraction": "a number from 0 to 1 (25% and 1 in 4 are 0.25)",
    "count": "a finite number of 0 or more, a count",
    "compute": "a finite number of FLOP, 0 or more (1e26 FLOP is 1e26)",
    "money": "a finite number of US dollars, 0 or more",
    "score": "a finite number, negative or not (a correlation, a difference)",
}


# ---------------------------------------------------------------------------- helpers


def _sentence(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _sources(anchors: Sequence[ir.Anchor]) -> str | None:
    if not anchors:
        return None
    shown = [a.text + (f" <{a.url}>" if a.url else "") for a in anchors]
    return "Source: " + "; ".join(shown) + "."


def _entry(name: str, title: str | None, *details: str | None) -> str:
    """One line of a documented list: `- name: Title. Details.`"""
    head = f"- {name}" + (f": {_end(title)}" if title else "")
    tail = _sentence(*(_end(d) for d in details if d))
    return head + (" " + tail if tail else "")


def _end(text: str | None) -> str:
    """`text` as a sentence (a final full stop added when it has none)."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _names(names: Iterable[str], what: str, lines: Iterable[str] = ()) -> Schema | bool:
    """A string that is one of `names`, documented; `false` (nothing) when there are none."""
    unique = list(dict.fromkeys(names))
    if not unique:
        return False
    listed = [what + ":", *lines]  # joined once: a list of every rule is long
    return {
        "type": "string",
        "enum": unique,
        "description": "\n".join(listed) if len(listed) > 1 else what + ".",
    }


def _ref(name: str) -> Schema:
    escaped = name.replace("~", "~0").replace("/", "~1")
    return {"$ref": "#/$defs/" + urllib.parse.quote(escaped, safe="~:_-.")}


def _nullable(schema: Schema | bool, description: str | None = None) -> Schema:
    out: Schema = {"anyOf": [schema, {"type": "null"}]}
    if description:
        out["description"] = description
    return out


def _array(items: Schema | bool, description: str | None = None, **extra: Any) -> Schema:
    out: Schema = {"type": "array", "items": items, **extra}
    if description:
        out["description"] = description
    return out


def _object(
    properties: dict[str, Schema | bool],
    required: Sequence[str] | None = None,
    description: str | None = None,
) -> Schema:
    """An object with exactly these keys (all of them required unless `required` says)."""
    out: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


def _urn(policy: ir.Policy, which: str) -> str:
    version = urllib.parse.quote(policy.version or "unversioned", safe="")
    return f"urn:rspl:{urllib.parse.quote(policy.id, safe='')}:{version}:{which}"


def _policy_line(policy: ir.Policy) -> str:
    facts = []
    if policy.organization:
        facts.append(policy.organization)
    if policy.version:
        facts.append(f"version {policy.version}")
    if policy.effective:
        facts.append(f"effective {policy.effective.isoformat()}")
    title = policy.title or policy.id
    return f"{title} ({', '.join(facts)})" if facts else title


def unit_note(evidence_type: str) -> str:
    """How a value of an evidence type is written in an assessment, in words."""
    if evidence_type in units.BOOLEAN_TYPES:
        return "true or false"
    if evidence_type == "date":
        return "a date, YYYY-MM-DD"
    base = units.DIMENSIONS.get(evidence_type, evidence_type)
    note = _UNIT_NOTES.get(evidence_type, f"a finite number ({base})")
    if evidence_type == "duration":
        steps = [
            f"1 {word} is {factor:.10g} days"
            for word, (dim, factor) in units.UNITS.items()
            if dim == "duration" and word in ("minute", "hour", "week", "month", "year")
        ]
        note += " (" + ", ".join(steps) + ")"
    return note


# ---------------------------------------------------------------------------- shared parts


def _date_schema() -> Schema:
    return {
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
        "minLength": 10,
        "maxLength": 10,
        "description": "A calendar date written YYYY-MM-DD (0001-01-01 to 9999-12-31) that "
        "exists: 2025-02-30 and 2023-02-29 are rejected.",
    }


def _context_def(policy: ir.Policy) -> Schema | bool:
    return _names(
        (c.name for c in policy.contexts),
        "A context a decision is asked for",
        (_entry(c.name, c.title, c.means, _sources(c.anchors)) for c in policy.contexts),
    )


def _safeguard_lines(policy: ir.Policy) -> list[str]:
    out = []
    for s in policy.safeguards:
        kind = _sentence(
            f"Category {s.category}." if s.category else None,
            f"Claim: {s.claim}." if s.claim else None,
            "Counts only when its efficacy criterion holds." if s.efficacy else None,
        )
        out.append(_entry(s.name, s.title, s.means, kind, _sources(s.anchors)))
    return out


def _standard_lines(policy: ir.Policy) -> list[str]:
    """One line per standard. One that extends another names only the safeguards it adds
    (its expanded list is its parent's, then those), so a chain's lines are linear in it."""
    out = []
    by_name = {s.name: s for s in policy.standards}
    for s in policy.standards:
        parent = by_name[s.parent] if s.parent else None
        added = s.added_safeguards
        listed = ", ".join(added)
        kept: str | None
        if parent is not None:
            kept = f"Safeguards: those of {parent.name}" + (f", and {listed}." if added else ".")
        else:
            kept = f"Safeguards: {listed}." if added else None
        about = _sentence(
            f"In family {s.family}.",
            f"Extends {s.extends}." if s.extends else None,
            "Not yet defined: never satisfied." if s.hole else None,
            kept,
        )
        out.append(_entry(s.name, s.title, s.means, about, _sources(s.anchors)))
    return out


def _level_lines(domain: ir.Domain) -> list[str]:
    return [
        _entry(
            lv.name,
            lv.title,
            lv.means,
            f"Baseline: {lv.baseline}" if lv.baseline else None,
            "Threat actors: " + "; ".join(lv.actors) if lv.actors else None,
            _sources(lv.anchors),
        )
        for lv in domain.levels
    ]


def _rule_lines(rules: Iterable[ir.Rule]) -> list[str]:
    return [_entry(r.name, r.title, f"A {r.kind}.", _sources(r.anchors)) for r in rules]


def _inputs(policy: ir.Policy) -> list[str]:
    """Every name a condition can read: domains, evidence and the assessment date."""
    slots = [name for name, _ in ir.level_slots(policy)]
    return [*(d.name for d in policy.domains), *slots, *(e.name for e in policy.evidence),
            "as_of"]  # fmt: skip


def _member_inputs(policy: ir.Policy) -> list[str]:
    """The declared members of every measurement family, as inputs: `attack_success.tap`."""
    return [f"{e.name}.{m}" for e in policy.evidence for m in e.members or ()]


def _open_members(policy: ir.Policy) -> Schema | None:
    """A member of a measurement family with an open set, as an input (`name.MEMBER`): the
    members are the assessment's, so only their family is known. None without such a
    family."""
    names = [e.name for e in policy.evidence if e.per is not None and e.members is None]
    if not names:
        return None
    return {
        "type": "string",
        "pattern": "^(" + "|".join(names) + ")\\.[\\s\\S]+$",
        "description": "A member of a measurement family whose members the assessment lists.",
    }


def _input_def(policy: ir.Policy) -> Schema | bool:
    """An input a decision names: a domain, evidence, a family member or the date."""
    names = _names(
        [*_inputs(policy), *_member_inputs(policy)], "An input of the policy",
        [*_input_lines(policy), *(f"- `{m}`: a member of a measurement family."
                                  for m in _member_inputs(policy))],
    )  # fmt: skip
    open_members = _open_members(policy)
    return names if open_members is None else {"anyOf": [names, open_members]}


def _input_lines(policy: ir.Policy) -> list[str]:
    return [
        *(_entry(d.name, d.title, "A determination.") for d in policy.domains),
        *(
            _entry(name, None, "A determination of " + domain + ".")
            for name, domain in ir.level_slots(policy)
        ),
        *(_entry(e.name, e.title, f"Evidence ({e.type}).") for e in policy.evidence),
        _entry("as_of", "The assessment date."),
    ]


# ---------------------------------------------------------------------------- assessment


# Up to this many levels, "not below `reached`" lists the allowed levels for each level
# reached (the clearest form, but its size grows with the square of the levels); above it, the
# levels from a rank up are a union of at most 2 log2(n) shared blocks (`_blocks`).
LISTED_LEVELS = 64


def _blocks(domain: ir.Domain) -> Iterator[tuple[str, Schema]]:
    """For a domain of more than LISTED_LEVELS levels, `$defs` entries `from:DOMAIN:i:k`: the
    enum of the levels of ranks i+1 .. i+k, for every aligned power-of-two block (k = 2^j,
    i a multiple of k). Every level is in about log2(n) blocks: size n log n, not n^2. In
    key order, each made when it is written."""
    names = [lv.name for lv in domain.levels]
    spans: list[str] = []
    size = 1
    while size <= len(names):
        spans += (f"{start}:{size}" for start in range(0, len(names) - size + 1, size))
        size *= 2
    for span in sorted(spans):
        start, size = (int(x) for x in span.split(":"))
        yield f"from:{domain.name}:{span}", {"enum": names[start : start + size]}


def _at_or_above(domain: ir.Domain, index: int) -> list[Schema]:
    """References to the blocks whose union is the levels from `index` (0-based) up."""
    total, refs = len(domain.levels), []
    while index < total:
        size = 1
        while index % (size * 2) == 0 and index + size * 2 <= total:
            size *= 2
        refs.append(_ref(f"from:{domain.name}:{index}:{size}"))
        index += size
    return refs


def _order(domain: ir.Domain) -> Iterator[Schema]:
    """For each level but the lowest: `cannot_rule_out` not below it when it is `reached`."""
    names = [lv.name for lv in domain.levels]
    for i, name in enumerate(names[1:], start=1):
        allowed: Schema = {"enum": [None, *names[i:]]}
        if len(names) > LISTED_LEVELS:
            allowed = {"anyOf": [{"type": "null"}, *_at_or_above(domain, i)]}
        yield {
            "if": {"properties": {"reached": {"const": name}}, "required": ["reached"]},
            "then": {"properties": {"cannot_rule_out": allowed}},
        }


def _determination(domain: ir.Domain) -> Schema:
    level = _ref("level:" + domain.name)
    names = [lv.name for lv in domain.levels]
    interval: Schema = _object(
        {
            "reached": _nullable(level, "The highest level established; null: none."),
            "cannot_rule_out": _nullable(
                level,
                "The highest level that cannot be ruled out; not below `reached`. Null or "
                "absent: the level reached (nothing above it).",
            ),
            **_qualifiers(domain),
        },
        required=(),
        description='{"reached": L} says the domain is at L and not above; '
        '{"cannot_rule_out": H} adds that H (and the levels between) cannot be ruled out. An '
        "empty object, like reached null, says the domain is below its lowest level.",
    )
    if len(names) > 1:
        interval["allOf"] = Lazy(lambda: _order(domain))
    deciders = f"Decided by {', '.join(domain.deciders)}." if domain.deciders else None
    return {
        "title": domain.title or domain.name,
        "anyOf": [
            {"type": "null", "description": "Not determined: the same as leaving it out."},
            {**level, "description": 'A level name L: short for {"reached": L}.'},
            interval,
        ],
        "description": _sentence(
            _end(domain.title),
            _end(domain.means),
            f"Status: {domain.status}.",
            deciders,
            _sources(domain.anchors),
            "Levels, lowest first: " + ", ".join(names) + ".",
            "A risk verdict: each level is a verdict on the risk, acceptable first."
            if domain.risk else None,
        ),
    }


def _carry_text(domain: ir.Domain) -> str:
    """When a carried-forward determination of `domain` is accepted, in words."""
    if not domain.carry_forward:
        return "The policy never accepts one for this domain: it counts as not determined."
    parts = []
    for c in domain.carry_forward:
        if c.text is not None:
            parts.append(f"made within {c.text} before as_of")
        if c.condition is not None:
            parts.append(f"while {describe(c.condition)} holds")
    return "Accepted only when " + " and ".join(parts) + "; otherwise it counts as not determined."


def _qualifiers(domain: ir.Domain) -> dict[str, Schema | bool]:
    """`provisional` and `carried_forward` of a determination."""
    text: Schema = {"type": "string", "pattern": "\\S"}
    return {
        "provisional": _nullable(
            text,
            "The evaluation that will settle a provisional determination. Until then nothing "
            "above `reached` is ruled out.",
        ),
        "carried_forward": _nullable(
            _object(
                {
                    "date": _ref("date"),
                    "model": {**text, "description": "The model it was made for."},
                },
                description="The earlier assessment this determination is carried forward "
                "from: its date and the model. " + _carry_text(domain),
            )
        ),
    }


def _assessed(domain: ir.Domain) -> Schema:
    """A domain's entry in `determinations`: one determination, or for a domain assessed
    after mitigation `{"before": DET, "after": DET}`, and for one assessed per setting an
    object with one of those per setting (`rspl.semantics.check_assessed`)."""
    one = _determination(domain)
    if not domain.settings and not domain.residual:
        return one
    if domain.residual:
        pair = _object(
            {
                "before": _nullable(one, "The level before mitigation (inherent)."),
                "after": _nullable(
                    one,
                    "The level after mitigation (residual): never above the highest level "
                    "possible before; left out, at most that level.",
                ),
            },
            required=(),
        )
        pair["allOf"] = Lazy(lambda: (  # the level reached after is possible before
            {
                "if": {"properties": {"after": _reaches(domain, rank)}, "required": ["after"]},
                "then": {"properties": {"before": _allows(domain, rank)}},
            }
            for rank in range(1, len(domain.levels) + 1)
        ))  # fmt: skip
        one = _nullable(pair, "Not determined: the same as leaving it out.")
    if not domain.settings:
        return one
    order = (
        f" Ordered {' <= '.join(domain.order)}: a level reached for one setting carries to "
        "the later ones."
        if domain.order
        else ""
    )
    per_setting = _object(
        {s.name: one for s in domain.settings},
        required=(),
        description="One determination per setting ("
        + ", ".join(s.name for s in domain.settings)
        + "); a setting left out is unknown."
        + order,
    )

    def ordered() -> Iterator[Schema]:  # a later setting can reach an earlier one's level
        for i, early in enumerate(domain.order):
            for late in domain.order[i + 1 :]:
                for rank in range(1, len(domain.levels) + 1):
                    yield {
                        "if": {
                            "properties": {early: _before(domain, _reaches(domain, rank))},
                            "required": [early],
                        },
                        "then": {
                            "properties": {late: _before(domain, _allows(domain, rank), True)}
                        },
                    }

    if len(domain.order) > 1 and domain.levels:
        per_setting["allOf"] = Lazy(ordered)
    return _nullable(per_setting, "Not determined: the same as leaving it out.")


def _reaches(domain: ir.Domain, rank: int) -> Schema:
    """A determination whose level reached is `rank` or above."""
    names = [lv.name for lv in domain.levels][rank - 1 :]
    return {
        "anyOf": [
            {"enum": names},
            {"type": "object", "properties": {"reached": {"enum": names}},
             "required": ["reached"]},
        ]
    }  # fmt: skip


def _allows(domain: ir.Domain, rank: int) -> Schema:
    """A determination (or null) under which the level may be `rank` or above."""
    names = [lv.name for lv in domain.levels][rank - 1 :]
    return {
        "anyOf": [
            {"type": "null"},
            {"enum": names},
            {"type": "object", "properties": {"cannot_rule_out": {"enum": names}},
             "required": ["cannot_rule_out"]},
            {"type": "object",
             "properties": {"reached": {"enum": names}, "cannot_rule_out": {"type": "null"}},
             "required": ["reached"]},
        ]
    }  # fmt: skip


def _before(domain: ir.Domain, det: Schema, nullable: bool = False) -> Schema:
    """`det` for a setting's level before mitigation: the setting's determination itself, or
    its `before` part for a domain assessed after mitigation (where an absent or null part
    allows any level, when `nullable`)."""
    if not domain.residual:
        return det
    if nullable:
        return {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"before": det}}]}
    return {"type": "object", "properties": {"before": det}, "required": ["before"]}


def _number_schema(dimension: str) -> Schema:
    """A finite number in the dimension's range, the evaluator's (`semantics.RANGES`): a
    fraction from 0 to 1, a score any finite number, every other dimension 0 or more."""
    low, high = semantics.RANGES.get(dimension, (-MAX_NUMBER, None))
    return {"type": "number", "minimum": low, "maximum": MAX_NUMBER if high is None else high}
def _family_value(e: ir.Evidence) -> Schema:
    """A measurement family: an object of member values, each as a plain value of its type
    (null: missing); only the declared members, or any for an open set."""
    member = _evidence_value(attrs.evolve(e, per=None, members=None))
    if e.members is not None:
        family: Schema = {
            "type": "object",
            "properties": {m: member for m in e.members},
            "additionalProperties": False,
        }
        listed = "Members: " + ", ".join(e.members) + "; one left out or null is unknown."
    else:
        family = {"type": "object", "additionalProperties": member}
        listed = ("The members are those given (at least one); an empty object is unknown, "
                  "a member given null is unknown.")  # fmt: skip
    out = _nullable(
        family,
        _sentence(_end(e.title), f"Measured per {e.per}: an object mapping each {e.per} to "
                  f"its value.", listed, "Null: every member unknown."),
    )  # fmt: skip
    out["title"] = e.title or e.name
    return out


def _evidence_value(e: ir.Evidence) -> Schema:
    if e.per is not None:
        return _family_value(e)
    value: Schema
    if e.type in units.BOOLEAN_TYPES:
        value = {"type": "boolean"}
    elif e.type == "date":
        value = _ref("date")
    else:
        value = _number_schema(e.type)
    out = _nullable(
        value,
        _sentence(
            _end(e.title),
            _end(e.means),
            f"Type {e.type}, written as {unit_note(e.type)}.",
            f"Decided by {', '.join(e.deciders)}." if e.deciders else None,
            _sources(e.anchors),
            "Null: unknown.",
        ),
    )
    out["title"] = e.title or e.name
    return out


def _done_item(policy: ir.Policy, *, ladders: bool = False) -> Schema | bool:
    """A duty named by its rule and key (`as` name, else action); with `ladders`, only the
    steps of escalation ladders."""
    branches = Lazy(lambda: _done_branches(policy, ladders))
    return {"oneOf": branches} if _some(branches) else False


def _done_branches(policy: ir.Policy, ladders: bool) -> Iterator[Schema]:
    """The branches of `_done_item`: one per rule with such duties."""
    for r in policy.rules:
        if ladders and not r.ladder:
            continue
        duties = r.fallbacks if ladders else (*r.obligations, *r.fallbacks)
        # a prohibition (`must not`) is never done: only duties that can be done are listed
        actions = list(dict.fromkeys(o.key for o in duties if ladders or not o.prohibited))
        if not actions:
            continue
        what = "A step of the escalation ladder" if ladders else "An obligation"
        branch = _object(
            {"rule": {"const": r.name}, "action": {"enum": actions}},
            description=_sentence(f"{what} of the {r.kind} {r.name}.", _sources(r.anchors)),
        )
        branch["title"] = r.title or r.name
        yield branch


def _run() -> Schema:
    """One evaluation run a figure came from (`rspl.semantics.RUN_KEYS`)."""
    text: Schema = {"type": ["string", "null"]}
    fields: dict[str, Schema | bool] = dict.fromkeys(semantics.RUN_KEYS, text)
    fields["task_version"] = {"type": ["string", "integer", "null"]}
    return _object(
        fields,
        description="An evaluation run: its log file and SHA-256, eval id, task and version, "
        "model, scorer, metric and creation time.",
    )


def provenance_record() -> Schema:
    """One provenance record (`rspl.semantics.check_provenance`), under `$defs/provenance`."""
    return _nullable(
        _object(
            {
                "status": {"enum": ["measured", "unknown"]},
                "reason": {"type": ["string", "null"]},
                "runs": _array(_run()),
            },
            required=("status",),
            description="Where a figure came from: measured by the runs listed, or unknown "
            "and why.",
        )
        | {
            "if": {"properties": {"status": {"const": "unknown"}}},
            "then": {
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1}},
            },
        }
    )


def provenance_schema(policy: ir.Policy) -> Schema:
    """`provenance`: evidence name (or `F.MEMBER` of a measurement family) -> record."""
    record = _ref("provenance")
    slots: dict[str, Schema | bool] = {}
    patterns: dict[str, Schema | bool] = {}
    for e in policy.evidence:
        slots[e.name] = record
        if e.per is not None and e.members is not None:
            slots.update({f"{e.name}.{m}": record for m in e.members})
        elif e.per is not None:
            patterns["^" + re.escape(e.name) + r"\..+$"] = record
    out: Schema = {"type": "object", "properties": slots, "additionalProperties": False}
    if patterns:
        out["patternProperties"] = patterns
    return out


def assessment_schema(policy: ir.Policy) -> Schema:
    """The schema of an assessment: every key optional, null the same as absent."""
    schema: Schema = whole(_assessment(policy))
    return schema


def _assessment_defs(policy: ir.Policy) -> Iterator[tuple[str, Schema | bool]]:
    """The `$defs` of the assessment schema, in key order, each made when it is written:
    the entries are a level list per domain and, for a domain of many levels, two blocks
    per level (`_blocks`)."""
    known = [*(s.name for s in policy.safeguards), *(s.name for s in policy.standards)]
    made: dict[str, Callable[[], Schema | bool]] = {
        "date": _date_schema,
        "context": lambda: _context_def(policy),
        "implementable": lambda: _names(
            known,
            "A safeguard or standard of the policy. A standard listed brings its safeguards; "
            "a safeguard with an efficacy criterion counts only when the criterion holds",
            [*_safeguard_lines(policy), *_standard_lines(policy)],
        ),
        "provenance": provenance_record,
    }
    by_name = {d.name: d for d in policy.domains}
    # "from:D:..." < "implementable" < "level:D" < "provenance": the blocks of each domain
    # come together (a name has no colon), in the order of their keys
    for key in sorted([*made, *("level:" + d.name for d in policy.domains)]):
        if key == "implementable":
            for d in sorted(policy.domains, key=lambda d: d.name + ":"):
                if len(d.levels) > LISTED_LEVELS:
                    yield from _blocks(d)
        if key.startswith("level:"):
            d = by_name[key[len("level:") :]]
            yield key, _names(
                (lv.name for lv in d.levels), f"A level of {d.name}, lowest first", _level_lines(d)
            )
        else:
            yield key, made[key]()


def _assessment(policy: ir.Policy) -> Schema:
    """`assessment_schema` with its parts that grow with the policy `Lazy`."""
    properties: dict[str, Schema | bool] = {
        "approved": _nullable(
            _array(_names((w.name for w in policy.waivers), "A waiver of the policy",
                          (_entry(w.name, w.title, w.means) for w in policy.waivers))),
            "The waivers whose approval is done (by the roles each names). A waiver counts "
            "only when it is approved and its condition surely holds.",
        ),
        "as_of": _nullable(
            _ref("date"),
            "The date of the assessment (today). Null or absent: unknown, so every time since "
            "a date is unknown.",
        ),
        "contexts": _nullable(
            _array(_ref("context"), minItems=1),
            "The contexts to decide, at least one. Null or absent: every context of the policy.",
        ),
        "determinations": _nullable(
            {
                "type": "object",
                "properties": Lazy(lambda: (
                    (d.name, _assessed(d)) for d in sorted(policy.domains, key=_name)
                ), keyed=True),
                "additionalProperties": False,
            },
            "Capability determinations per domain; a domain left out is unknown.",
        ),
        "done": _nullable(
            _array(_done_item(policy)),
            "Obligations already done, each named by its rule and key: the duty's `as` name, "
            "or its action when it has none.",
        ),
        "failed": _nullable(
            _array(_done_item(policy, ladders=True)),
            "Steps of escalation ladders (`if unmet in order`) that have failed or are "
            "unavailable, each named by its rule and key; the next step is then in force.",
        ),
        "evidence": _nullable(
            {
                "type": "object",
                "properties": Lazy(lambda: (
                    (e.name, _evidence_value(e)) for e in sorted(policy.evidence, key=_name)
                ), keyed=True),
                "additionalProperties": False,
            },
            "Evidence values by name; evidence left out or null is unknown.",
        ),
        "implemented": _nullable(
            _array(_ref("implementable")),
            "The safeguards and standards in place.",
        ),
        "provenance": _nullable(
            provenance_schema(policy),
            "Where each evidence figure came from (`rspl assess`): per evidence name, or "
            "FAMILY.MEMBER, the runs that measured it or why it is unknown. Carried into the "
            "decision.",
        ),
    }
    return {
        "$schema": DIALECT,
        "$id": _urn(policy, "assessment"),
        "title": f"Assessment for {policy.title or policy.id}",
        "description": _sentence(
            f"The input of the evaluator of {_policy_line(policy)}.",
            _end(policy.means),
            "Every key is optional and null means the same as leaving it out. The schema "
            "accepts exactly what the evaluator accepts, except where JSON Schema cannot "
            "follow it:",
            " ".join(LIMITS),
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        **_all_of(lambda: _not_done_and_failed(policy), lambda: _provenance_agrees(policy)),
        "$defs": Lazy(lambda: _assessment_defs(policy), keyed=True),
    }


def _all_of(*parts: Callable[[], Iterable[Schema]]) -> Schema:
    """The clauses of several parts, as one `allOf` (nothing when there are none)."""
    clauses = Lazy(lambda: (clause for part in parts for clause in part()))
    return {"allOf": clauses} if _some(clauses) else {}


def _some(items: Lazy) -> bool:
    """Whether `items` has any: only its first is made."""
    return next(iter(items.make()), _END) is not _END


def _name(item: ir.Domain | ir.Evidence) -> str:
    return item.name


def _provenance_agrees(policy: ir.Policy) -> Iterator[Schema]:
    """A provenance record agrees with the evidence (`rspl.semantics.check_provenance`):
    `measured` for a value given, `unknown` for one left out. Two clauses per evidence item
    and declared member; an open family's members are named by the assessment, so their
    records are checked by the evaluator only (`LIMITS`)."""
    def present(name: str, member: str | None, open_family: bool) -> Schema:
        value: Schema = {"not": {"type": "null"}}
        if member is not None:
            value = {"type": "object", "required": [member], "properties": {member: value}}
        elif open_family:
            value = {"type": "object", "minProperties": 1}
        evidence = {"type": "object", "required": [name], "properties": {name: value}}
        return {"required": ["evidence"], "properties": {"evidence": evidence}}

    def status(key: str, word: str) -> Schema:
        record = {"type": "object", "required": ["status"],
                  "properties": {"status": {"const": word}}}  # fmt: skip
        provenance = {"type": "object", "required": [key], "properties": {key: record}}
        return {"required": ["provenance"], "properties": {"provenance": provenance}}

    slots: list[tuple[str, str, str | None, bool]] = []
    for e in policy.evidence:
        slots.append((e.name, e.name, None, e.per is not None and e.members is None))
        if e.per is not None and e.members is not None:
            slots += [(f"{e.name}.{m}", e.name, m, False) for m in e.members]
    for key, name, member, open_family in slots:
        given = present(name, member, open_family)
        yield {"if": status(key, "measured"), "then": given}
        yield {"if": status(key, "unknown"), "then": {"not": given}}


def _not_done_and_failed(policy: ir.Policy) -> Iterator[Schema]:
    """A ladder step listed both as done and as failed is refused (one `not` per step)."""
    steps = ((r.name, o.key) for r in policy.rules if r.ladder for o in r.fallbacks)
    for r, k in steps:
        yield {
            "not": {
                "required": ["done", "failed"],
                "properties": {
                    key: {"type": "array", "contains": {"const": {"rule": r, "action": k}}}
                    for key in ("done", "failed")
                },
            },
            "description": f"The step {k} of {r} is not both done and failed.",
        }


# ---------------------------------------------------------------------------- decision


def _anchor() -> Schema:
    return _object(
        {"text": {"type": "string"}, "url": {"type": ["string", "null"]}},
        description="A citation of the published policy.",
    )


def _required_standards(policy: ir.Policy) -> Schema:
    families = {f.name: f for f in policy.families}
    properties: dict[str, Schema | bool] = {}
    in_family: dict[str, list[str]] = {}
    for s in policy.standards:
        in_family.setdefault(s.family, []).append(s.name)
    for family, names in in_family.items():
        title = families[family].title if family in families else None
        properties[family] = _array(
            {"enum": names},
            _sentence(_end(title), "The highest required standards of this family."),
            minItems=1,
            uniqueItems=True,
        )
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": "Required standards by family, after combining: a standard that "
        "another required standard extends is left out.",
    }


def _condition() -> Schema:
    return _object(
        {
            "expr": {"type": "string", "description": "The condition in RSPL syntax."},
            "value": {"enum": ["true", "false", "unknown"]},
            "inputs": _array(
                {"anyOf": [_ref("input"), {"const": "implemented"}]},
                "The inputs this node read directly.",
                uniqueItems=True,
            ),
            "children": _array(_ref("condition")),
            "measured": _array(
                {"type": "string"},
                "Only on a node over a measurement family: the member values it read "
                "(`max attack_success = 12% (pair)`, `attack_success.tap unknown`).",
            ),
        },
        required=("expr", "value", "inputs", "children"),
        description="One node of an explanation: a condition, its value and its parts.",
    )


def _obligation(policy: ir.Policy) -> Schema:
    obligations = [o for r in policy.rules for o in (*r.obligations, *r.fallbacks)]
    return _object(
        {
            "rule": _ref("rule"),
            "action": _names((o.action for o in obligations), "An action of the policy"),
            "modality": {
                "enum": [*units.MODALITIES, *units.PROHIBITIONS],
                "description": "`must not` or `should not`: a prohibition.",
            },
            "objects": _array({"type": "string"}, "What the action is about, by name."),
            "by": _array(_ref("role"), "Who does it (a role or a role group)."),
            "approved_by": _array(_ref("role"), "Who approves it (a role or a role group)."),
            "by_any": {
                "type": "boolean",
                "description": "True when any one of `by` may do it (`by A or B`); false when "
                "all of them do it (`by A, B`) or there is at most one.",
            },
            "approved_by_any": {
                "type": "boolean",
                "description": "True when one approval among `approved_by` suffices "
                "(`approved by any of (A, B)`, `approved by A or B`); false when all of them "
                "must approve or there is at most one.",
            },
            "to": _array(_ref("role"), "Who receives it (`report incident to regulator`)."),
            "deadline": {
                "type": ["string", "null"],
                "description": "The deadline in the policy's words.",
            },
            "deadline_kind": {
                "enum": list(units.DEADLINE_KINDS),
                "description": "The kind of deadline: none, fixed (`due DATE`), event "
                "(`due EVENT`), within, recurring (`every`), soft (a time word such as "
                "`promptly`: open until done, never due), until, before, context (`due at`).",
            },
            "due": _nullable(_ref("date"), "The computed due date, when there is one."),
            "status": {
                "enum": list(units.OBLIGATION_STATUSES),
                "description": "open, due, overdue or done; lifted: its `until` condition "
                "holds; in_force: a prohibition, or a blocking action, in force.",
            },
            "fallback": {
                "type": "boolean",
                "description": "True when it applies because the rule's requirements are unmet.",
            },
            "blocks": _array(_ref("context"), "Contexts it blocks.", uniqueItems=True),
            "anchors": _array(_ref("anchor")),
            "key": _names(
                (o.key for o in obligations),
                "What names the duty in its rule (in `done` and `failed`): its `as` name, or "
                "its action when it has none",
            ),
            "step": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "Its step number in an escalation ladder (`if unmet in order`), "
                "from 1; null outside ladders.",
            },
        },
        description="An obligation of an active rule.",
    )


def _needed(policy: ir.Policy) -> Schema:
    def branch(kind: str, names: list[str], roles: Schema | bool) -> Schema:
        return _object(
            {
                "input": {"enum": names} if names else False,
                "kind": {"const": kind},
                "decided_by": _array(roles),
            }
        )

    evidence = [*(e.name for e in policy.evidence), *_member_inputs(policy)]
    open_members = _open_members(policy)
    more = [] if open_members is None else [_object(
        {"input": open_members, "kind": {"const": "evidence"}, "decided_by": _array(_ref("role"))}
    )]  # fmt: skip
    return {
        "anyOf": [
            branch(
                "determination",
                [*(d.name for d in policy.domains), *(n for n, _ in ir.level_slots(policy))],
                _ref("role"),
            ),
            branch("evidence", evidence, _ref("role")),
            branch("assessment", ["as_of"], False),
            *more,
        ],
        "description": "An input a precautionary rule, an unknown criterion or a duty's "
        "deadline (a dated event not given) is waiting for, and who decides it.",
    }


def _criterion(policy: ir.Policy) -> Schema:
    """An entry of `criteria`: what does not count because its criterion does not hold."""
    ops = ["<", "<=", "==", "!=", ">", ">="]
    figure = _object(
        {
            "evidence": {"type": ["string", "null"],
                         "description": "The evidence measured (for `since X`, X)."},
            "determination": _names(
                [*(d.name for d in policy.domains), *(n for n, _ in ir.level_slots(policy))],
                "A domain (or one of its determinations per setting or after mitigation)",
            ),
            "value": {"description": "What was measured: a number in base units, a date, "
                      "true or false, or the levels determined; null when not given."},
            "op": {"enum": ops},
            "bound": {"description": "What it was compared with, in base units."},
            "holds": {"type": ["boolean", "null"]},
            "text": {"type": "string", "description": "The comparison in words, with the "
                     "figures in the units the policy used."},
        },
        required=["holds", "text"],
        description="A comparison, level test or fact that decided the criterion.",
    )  # fmt: skip
    return _object(
        {
            "target": {"type": "string", "description": "The safeguard or standard."},
            "kind": {"enum": ["safeguard", "standard", "requirement"]},
            "rule": _nullable(_ref("rule"), "For a requirement, its rule."),
            "criterion": {"type": "string", "description": "The criterion in RSPL syntax."},
            "holds": {"enum": [False, None],
                      "description": "False: it does not count; null: it may not count."},
            "because": _array(figure, "The figures behind the criterion's value."),
            "anchors": _array(_ref("anchor")),
        },
        description="A safeguard, standard or requirement that does not count because its "
        "`counts when` criterion is false, or unknown (fail-closed).",
    )  # fmt: skip


def _verdict(per_context: bool = False, waivers: Sequence[str] = ()) -> Schema:
    """A verdict; with `per_context`, the statuses of the rules decided per context; with
    `waivers`, the waivers applied in the context."""
    statuses: dict[str, Schema | bool] = {}
    if waivers:
        statuses["waived"] = _array(
            {"enum": list(waivers)}, "The waivers applied in this context.", uniqueItems=True
        )
    if per_context:
        statuses["context_rules"] = {
            "type": "object",
            "propertyNames": _ref("rule"),
            "additionalProperties": {"enum": ["triggered", "precautionary", "not_triggered"]},
            "description": "Each rule decided per context (it reads a domain assessed per "
            "context) with its status for this context.",
        }
    out = _object(
        {
            **statuses,
            "required_standards": _ref("required_standards"),
            "missing": _array(_ref("missing"), uniqueItems=True),
            "criteria": _array(_ref("criterion"), "What does not count here because of its "
                               "criterion."),
            "permitted": {"type": "boolean"},
            "reasons": _array(
                {
                    "type": "string",
                    "pattern": "^(the policy is not in force on .+|missing .+"
                    "|obligation .+ is not done|in force: .+ \\(rule .+\\)"
                    "|prohibited: .+ \\(rule .+\\))$",
                },
                "Why the context is blocked: the policy not in force on the assessment date, "
                "missing safeguards or standards, then, sorted, blocking obligations not done, "
                "blocking actions in force and prohibitions in force.",
            ),
        },
        description="Whether a context may proceed, and why not.",
    )
    out["oneOf"] = [
        {"properties": {"permitted": {"const": True}, "reasons": {"maxItems": 0}}},
        {"properties": {"permitted": {"const": False}, "reasons": {"minItems": 1}}},
    ]
    return out


def _waivers(policy: ir.Policy) -> dict[str, Schema | bool]:
    """The decision's `waivers` (only when the policy declares some)."""
    if not policy.waivers:
        return {}
    names = [w.name for w in policy.waivers]
    contexts = {"type": "array", "items": _ref("context")}
    entry = _object(
        {
            "name": {"enum": names},
            "title": {"type": ["string", "null"]},
            "waives": _object({
                "kind": {"enum": ["standard", "safeguard", "duty"]},
                "name": {"type": "string"},
                "rule": {"type": ["string", "null"]},
            }, description="What it waives: a standard's or safeguard's requirement, or one "
               "duty (its key) of a rule."),
            "contexts": contexts,
            "condition": {"enum": ["true", "false", "unknown"]},
            "approved": {"type": "boolean"},
            "applied": _array(_ref("context"), "The contexts asked about where it is applied: "
                              "its condition surely holds and it is approved."),
            "approved_by": {"type": "array", "items": _ref("role")},
            "reason": {"type": "string"},
        },
        description="A waiver, and why it is or is not applied.",
    )  # fmt: skip
    return {"waivers": _array(entry, "Every waiver of the policy, in policy order.")}


def _explained_per_context(policy: ir.Policy) -> dict[str, Schema | bool]:
    """The explanation of a rule decided per context (none when the policy has none): its
    condition for each context; its own `condition` is then null."""
    if not any(r.contexts for r in policy.rules):
        return {}
    status: Schema = {"enum": ["triggered", "precautionary", "not_triggered"]}
    item = _object({"context": _ref("context"), "status": status, "condition": _ref("condition")})
    return {"contexts": _array(item, "A rule decided per context: its condition per context.")}


def decision_schema(policy: ir.Policy) -> Schema:
    """The schema of a decision, `explanation` included when the evaluator was asked to
    explain."""
    warnings = [r for r in policy.rules if r.kind == "warning"]
    roles = _names(
        (r.name for r in policy.roles),
        "A role of the policy",
        (_entry(r.name, r.title, r.means) for r in policy.roles),
    )
    hole_standards = [s for s in policy.standards if s.hole]
    defs: dict[str, Schema | bool] = {
        "date": _date_schema(),
        "anchor": _anchor(),
        "provenance": provenance_record(),
        "context": _context_def(policy),
        "role": roles,
        "rule": _names(
            (r.name for r in policy.rules), "A rule, warning or cadence", _rule_lines(policy.rules)
        ),
        "safeguard": _names(
            (s.name for s in policy.safeguards), "A safeguard", _safeguard_lines(policy)
        ),
        "missing": _names(
            [*(s.name for s in policy.safeguards), *(s.name for s in hole_standards),
             *(s.name for s in policy.standards if s.criterion is not None),
             *(q.target for r in policy.rules for q in r.requirements
               if q.criterion is not None and q.kind == "standard")],
            "A safeguard not in place, or a required standard not yet defined or whose "
            "criterion does not hold",
        ),
        "criterion": _criterion(policy),
        "input": _input_def(policy),
        "required_standards": _required_standards(policy),
        "condition": _condition(),
        "obligation": _obligation(policy),
        "verdict": _verdict(any(r.contexts for r in policy.rules),
                            [w.name for w in policy.waivers]),
    }
    rule = _object(
        {
            "name": _ref("rule"),
            "kind": {"enum": ["rule", "warning", "cadence"]},
            "title": {"type": ["string", "null"]},
            "status": {"enum": ["triggered", "precautionary"]},
            "missing_evidence": _array(
                _ref("input"),
                "For a precautionary rule: the unknown inputs that left it undecided.",
                uniqueItems=True,
            ),
            "anchors": _array(_ref("anchor")),
        },
        description="A rule that applies: its condition is true (triggered) or unknown "
        "(precautionary: fail-closed).",
    )
    properties: dict[str, Schema | bool] = {
        "policy": _object(
            {
                "id": {"const": policy.id},
                "version": {"const": policy.version},
                "source_hash": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{64}$",
                    "description": "SHA-256 of the policy's source files; this schema was "
                    f"made from the source with hash {policy.source_hash}.",
                },
                "compiler": {"type": "string", "pattern": "^rspl "},
            },
            description="The provenance stamp: which policy and compiler decided.",
        ),
        "as_of": _nullable(_ref("date"), "The assessment date, if given."),
        "in_force": _object(
            {
                "value": {"type": ["boolean", "null"]},
                "reason": {"type": ["string", "null"]},
            },
            description="Whether the policy is in force on the assessment date (null: "
            "unknown, without one); when it is not, every verdict is blocked.",
        ),
        "qualified_determinations": {
            "type": "object",
            "propertyNames": _names((d.name for d in policy.domains), "A domain"),
            "additionalProperties": _object(
                {
                    "provisional": {"type": ["string", "null"]},
                    "carried_forward": _nullable(
                        _object(
                            {
                                "date": _ref("date"),
                                "model": {"type": "string"},
                                "accepted": {"type": "boolean"},
                                "reason": {"type": "string"},
                            }
                        )
                    ),
                }
            ),
            "description": "The provisional and carried-forward determinations, and whether "
            "each carried-forward one was accepted (one that is not counts as unknown).",
        },
        "rules": _array(rule, "Every rule that applies, in policy order."),
        "required_standards": _ref("required_standards"),
        "required_safeguards": {
            "type": "object",
            "propertyNames": _ref("safeguard"),
            "additionalProperties": _array(_ref("rule"), minItems=1, uniqueItems=True),
            "description": "Every required safeguard (directly or through a standard), with "
            "the rules that require it.",
        },
        "missing": _array(
            _ref("missing"), "Missing across every context decided.", uniqueItems=True
        ),
        "recommended": _array(
            _object(
                {
                    "rule": _ref("rule"),
                    "target": {"type": "string"},
                    "kind": {"enum": ["standard", "safeguard"]},
                    "modality": {"enum": ["should", "may", "recommend", "illustrative"]},
                    "contexts": _array(_ref("context"), minItems=1, uniqueItems=True),
                    "in_place": {"type": "boolean"},
                }
            ),
            "Requirements that do not bind (`should require`, `recommend require`, ...) of the "
            "rules that apply: reported, never blocking.",
        ),
        "obligations": _array(_ref("obligation"), "Obligations of the rules that apply."),
        "prohibitions": _array(
            _object(
                {
                    "rule": _ref("rule"),
                    "action": {"type": "string"},
                    "key": {"type": "string", "description": "The duty's name in its rule."},
                    "objects": _array({"type": "string"}, "What the action is about, by name."),
                    "modality": {"enum": list(units.PROHIBITIONS)},
                    "blocks": _array(_ref("context"), "Contexts it blocks.", uniqueItems=True),
                }
            ),
            "The prohibitions (`must not`, `should not`) in force, in policy order.",
        ),
        "alerts": _array(
            _object(
                {
                    "warning": _names((r.name for r in warnings), "A warning", ()),
                    "title": {"type": ["string", "null"]},
                    "precautionary": {"type": "boolean"},
                }
            ),
            "Early warnings raised.",
        ),
        "needed": _array(_needed(policy), "Inputs still to be determined, and by whom."),
        "criteria": _array(_ref("criterion"), "What does not count in some context decided "
                           "because of its criterion."),
        "verdicts": _object(
            {c.name: _ref("verdict") for c in policy.contexts},
            required=(),
            description="A verdict for each context asked about.",
        ),
        **_waivers(policy),
        "provenance": _nullable(
            provenance_schema(policy),
            "Only when the assessment gives provenance: the records it gave, sorted by name.",
        ),
        "explanation": _array(
            _object(
                {
                    "rule": _ref("rule"),
                    "status": {"enum": ["triggered", "precautionary", "not_triggered"]},
                    "condition": _nullable(_ref("condition"), "Null: the rule always applies."),
                    **_explained_per_context(policy),
                },
                required=("rule", "status", "condition"),
            ),
            "Only when asked for: every rule's condition, node by node.",
        ),
    }
    required = [k for k in properties if k not in ("explanation", "provenance")]
    return {
        "$schema": DIALECT,
        "$id": _urn(policy, "decision"),
        "title": f"Decision under {policy.title or policy.id}",
        "description": _sentence(
            f"The output of the evaluator of {_policy_line(policy)}.",
            "`explanation` is present only when the evaluator is asked to explain.",
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "$defs": defs,
    }


# ---------------------------------------------------------------------------- files


@attrs.frozen
class Lazy:
    """A list of a schema (or, `keyed`, an object, whose (key, value) pairs `make` gives in
    sorted key order) made item by item as `dump_pieces` writes it: the parts that grow with
    the policy (a clause per level, a property per domain, a `$defs` entry per block), so
    that no schema is ever held whole. `whole` makes it plain data."""

    make: Callable[[], Iterable[Any]]
    keyed: bool = False


def whole(value: Any) -> Any:
    """`value` with every `Lazy` part made: the plain data `json.dumps` takes."""
    if isinstance(value, Lazy):
        if value.keyed:
            return {key: whole(item) for key, item in value.make()}
        return [whole(item) for item in value.make()]
    if isinstance(value, dict):
        return {key: whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole(item) for item in value]
    return value


def dump_pieces(schema: Schema | Lazy) -> Iterator[str]:
    """`dump`'s text in pieces of a thousand tokens, its `Lazy` parts made as they are
    written. The tokens are `json.JSONEncoder`'s with `dump`'s options (`_tokens`), whose
    `iterencode` would list every token of the text (about 60 bytes each) before joining
    them, and which takes no `Lazy`. `tests/test_jsonschema.py` checks the text is
    `json.dumps`'s of the whole schema."""
    batch: list[str] = []
    for piece in _tokens(schema, 0):
        if len(piece) > 4096:  # a long description: not copied into a batch
            yield "".join(batch)
            batch.clear()
            yield piece
            continue
        batch.append(piece)
        if len(batch) >= 1024:
            yield "".join(batch)
            batch.clear()
    batch.append("\n")
    yield "".join(batch)


_END = object()


def _tokens(value: Any, level: int) -> Iterator[str]:
    """The JSON text of `value` at nesting `level`, as `json.JSONEncoder(indent=2,
    sort_keys=True, ensure_ascii=True, allow_nan=False)` writes it: the same tests in the
    same order (`json.encoder._make_iterencode`), object keys strings only."""
    if isinstance(value, str):
        yield json.encoder.encode_basestring_ascii(value)
    elif value is None:
        yield "null"
    elif value is True:
        yield "true"
    elif value is False:
        yield "false"
    elif isinstance(value, int):
        yield int.__repr__(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Out of range float values are not JSON compliant: " + repr(value))
        yield float.__repr__(value)
    elif isinstance(value, list | tuple | dict | Lazy):
        keyed = value.keyed if isinstance(value, Lazy) else isinstance(value, dict)
        if isinstance(value, Lazy):
            items: Iterator[Any] = iter(value.make())
        elif isinstance(value, dict):
            items = iter(sorted(value.items(), key=lambda item: item[0]))
        else:
            items = iter(value)
        item: Any = next(items, _END)
        if item is _END:
            yield "{}" if keyed else "[]"
            return
        inner = "\n" + "  " * (level + 1)
        comma = "," + inner
        yield ("{" if keyed else "[") + inner
        while item is not _END:
            if keyed:
                key, item = item
                if not isinstance(key, str):
                    raise TypeError(f"a key of a schema object is a {type(key).__name__}")
                yield json.encoder.encode_basestring_ascii(key)
                yield ": "
            yield from _tokens(item, level + 1)
            item = next(items, _END)
            if item is not _END:
                yield comma
        yield "\n" + "  " * level + ("}" if keyed else "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dump(schema: Schema) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, ASCII only, final newline;
    the same text as `json.dumps` with those options."""
    return "".join(dump_pieces(schema))


def render_pieces(policy: ir.Policy) -> dict[str, Iterator[str]]:
    """File name -> its text in pieces, produced as they are read: each schema is built
    only when its file is written, and written as it is encoded, its `Lazy` parts made as
    they come (`rspl build`)."""
    base = module_name(policy)

    def built(make: Callable[[ir.Policy], Schema]) -> Iterator[str]:
        yield from dump_pieces(make(policy))

    return {
        f"{base}.assessment.schema.json": built(_assessment),
        f"{base}.decision.schema.json": built(decision_schema),
    }


def render(policy: ir.Policy) -> dict[str, str]:
    """File name -> contents: the assessment and decision schemas of `policy`."""
    return {name: "".join(parts) for name, parts in render_pieces(policy).items()}
