"""The leaf rules of RSPL's semantics, written once (`docs/semantics.md` is their contract).

Three-valued logic, level comparison on an interval, comparison of quantities and dates,
calendar arithmetic, obligation status, checkpoints, how required standards combine, and the
validation of every part of an assessment with `AssessmentError`.

This module is the one home of those rules. The reference interpreter (`rspl.interpreter`)
and the checker's never-true analysis import it; `rspl build --target python` copies its text
(everything after the imports) verbatim into every generated evaluator, whose compiled
conditions call these functions. So the code the compiler's tests exercise is the code users
run. It therefore uses the standard library only and knows nothing of the IR: its arguments
are names, ranks, numbers and dates.

Truth values are `True`, `False` and `None` (unknown).
"""

from __future__ import annotations

import datetime
import math
import re
import reprlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

Tri = bool | None

# ---------------------------------------------------------------------------- logic


def tri_not(a: Tri) -> Tri:
    """Kleene `not`: unknown stays unknown."""
    return None if a is None else not a


def at_least(count: int, values: Iterable[Tri]) -> Tri:
    """Kleene `at least count of`: true when `count` values are surely true, false when even
    the unknown ones could not make up `count`, unknown otherwise. `and` of n values is
    `at_least(n, ...)`, `or` is `at_least(1, ...)`."""
    true = unknown = 0
    for v in values:
        if v is True:
            true += 1
        elif v is None:
            unknown += 1
    if true >= count:
        return True
    if true + unknown < count:
        return False
    return None


def tri_all(values: Sequence[Tri]) -> Tri:
    """Kleene `and`: false if any is false, else unknown if any is unknown (empty: true)."""
    return at_least(len(values), values)


def tri_any(values: Sequence[Tri]) -> Tri:
    """Kleene `or`: true if any is true, else unknown if any is unknown (empty: false)."""
    return at_least(1, values)


def tri_word(value: Tri) -> str:
    """`true`, `false` or `unknown`, as explanations write a value."""
    return "unknown" if value is None else "true" if value else "false"


RULE_STATUS: dict[Tri, str] = {True: "triggered", None: "precautionary", False: "not_triggered"}
"""A rule's status from its condition's value: unknown makes it precautionary."""

# ---------------------------------------------------------------------------- comparison


def level_cmp(op: str, lo: int, hi: int, rank: int) -> Tri:
    """`DOMAIN op LEVEL` when the domain is somewhere in the ranks [lo, hi].

    True when it holds wherever the domain is, false when it holds nowhere, unknown when the
    interval allows both. A point interval (lo == hi) always gives True or False.
    """
    if op == ">=":
        return True if lo >= rank else False if hi < rank else None
    if op == ">":
        return True if lo > rank else False if hi <= rank else None
    if op == "<=":
        return True if hi <= rank else False if lo > rank else None
    if op == "<":
        return True if hi < rank else False if lo >= rank else None
    same = True if lo == hi == rank else False if rank < lo or rank > hi else None
    if op == "==":
        return same
    return tri_not(same)


def compare(op: str, a: Any, b: Any) -> Tri:
    """`a op b` over two quantities (floats in one dimension) or two dates; unknown when
    either is unknown (None)."""
    if a is None or b is None:
        return None
    if op == ">=":
        return bool(a >= b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == "<":
        return bool(a < b)
    if op == "==":
        return bool(a == b)
    return bool(a != b)


def days_since(start: datetime.date | None, as_of: datetime.date | None) -> float | None:
    """`since EVENT`: whole days from `start` to the assessment date; unknown without both."""
    if start is None or as_of is None:
        return None
    return float((as_of - start).days)


def in_place(name: str, implemented: Collection[str], maybe: Mapping[str, Any]) -> Tri:
    """`NAME is implemented`: true when surely in place, unknown when it may be (listed, but
    its efficacy criterion is undecided), false otherwise."""
    return True if name in implemented else None if name in maybe else False


def standard_in_place(hole: bool, safeguards: Iterable[str], implemented: Collection[str]) -> bool:
    """A standard is in place when it is defined and every safeguard of it is in place (a
    defined standard with no safeguards is met trivially; a typed hole never is)."""
    return not hole and all(s in implemented for s in safeguards)


def complete_standards(
    standards: Iterable[tuple[str, bool, Sequence[str]]],
    sure: set[str],
    maybe: dict[str, frozenset[str]],
) -> None:
    """Add the standards (name, hole, safeguards) that the safeguards in place make whole:
    to `sure` each defined one all of whose safeguards are surely in place, to `maybe` each
    one all of whose safeguards are in place or may be, with the inputs behind those."""
    for name, hole, safeguards in standards:
        if hole:
            continue
        if sure.issuperset(safeguards):
            sure.add(name)
        elif all(s in sure or s in maybe for s in safeguards):
            maybe[name] = frozenset().union(*(maybe[s] for s in safeguards if s in maybe))


def rule_out(lo: int, hi: int, rank: int) -> int:
    """The new top of [lo, hi] once a checkpoint rules out `rank` and above. Never below
    `lo`: what the assessment says was reached stays reached."""
    return max(lo, min(hi, rank - 1))


# ---------------------------------------------------------------------------- standards


def combine_standards(
    mode: str, names: Iterable[str], ancestors: Mapping[str, Sequence[str]]
) -> frozenset[str]:
    """The required standards that are kept. `highest` (per family): a standard that another
    required one extends is dropped; `all`: every one is kept."""
    names = frozenset(names)
    if mode == "all":
        return names
    covered = {a for name in names for a in ancestors[name]}
    return frozenset(name for name in names if name not in covered)


# ---------------------------------------------------------------------------- dates


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_period(start: datetime.date, months: int, days: int) -> datetime.date:
    """`start` plus whole calendar months (the day clamped to the month's last day: a month
    after 31 January is the end of February), then `days`. A date beyond the calendar is
    `date.max`: never reached."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    try:
        moved = datetime.date(year, month, min(start.day, _month_length(year, month)))
        return moved + datetime.timedelta(days=days)
    except (ValueError, OverflowError):
        return datetime.date.max


def obligation_status(
    due: datetime.date | None,
    opens: datetime.date | None,
    as_of: datetime.date | None,
    *,
    recurring: bool,
    settled: bool,
) -> str:
    """`open`, `due`, `overdue` or `done`.

    `settled`: the obligation is done, or its `until` condition holds. A one-off obligation
    with a due date is overdue after it (and due until then); without one it is open. A
    recurring one is due from `opens` to `due`, and always due when its start or the
    assessment date is unknown (fail-closed).
    """
    if settled:
        return "done"
    if recurring:
        if due is None or opens is None or as_of is None:
            return "due"
        if as_of > due:
            return "overdue"
        return "due" if as_of >= opens else "open"
    if due is None:
        return "open"
    return "overdue" if as_of is not None and as_of > due else "due"


def obligation_blocks(
    binding: bool,
    status: str,
    blocking_action: bool,
    named: Sequence[str],
    before: Sequence[str],
    asked: Sequence[str],
) -> list[str]:
    """The contexts an obligation blocks, of those asked about. Only a binding (`must`)
    obligation that is not done blocks: a blocking action the contexts it names (every
    context asked about when it names none), a `before` deadline the contexts it lists."""
    if not binding or status == "done":
        return []
    found: set[str] = set()
    if blocking_action:
        found.update(named or asked)
    found.update(before)
    return sorted(c for c in found if c in asked)


# ---------------------------------------------------------------------------- validation

ASSESSMENT_KEYS = ("as_of", "contexts", "determinations", "done", "evidence", "implemented")
_KEY_SET = frozenset(ASSESSMENT_KEYS)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BOOLEAN_TYPES = ("fact", "judgement")


class AssessmentError(ValueError):
    """The assessment is malformed. `field` names where (`determinations.CBRN.reached`),
    `expected` says what was wanted. A malformed assessment is never permitted. Whatever the
    input, the message is one line of printable text of bounded length: names taken from
    the input are escaped and shortened (`field_name`), the value shown too (`show`)."""

    def __init__(self, field: str, expected: str, got: object = None) -> None:
        self.field = field
        self.expected = expected
        super().__init__(f"{field}: expected {expected}, got {show(got)}")


_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxstring, _SHOW.maxother = 3, 40, 40


def show(value: object) -> str:
    """A value from the input, for a message: its `repr`, nested at most three deep, escaped
    (a repr never holds a newline or a control character) and at most 60 characters."""
    try:
        text = _SHOW.repr(value)
    except Exception:  # noqa: BLE001 - any repr may fail: a message must still be made
        text = f"<{type(value).__name__}>"
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= 60 else text[:57] + "..."


def field_name(key: object) -> str:
    """A key of the input as it appears in a field path: a string as written, with anything
    unprintable escaped and at most 40 characters; any other key as `show` writes it."""
    if not isinstance(key, str):
        return show(key)
    text = key if key.isprintable() and key.isascii() else repr(key)[1:-1]
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def _key_order(key: object) -> tuple[int, str]:
    """Keys in a fixed order, strings first, without converting other keys to text (which
    may fail, or recurse without end on a deeply nested key)."""
    return (0, key) if isinstance(key, str) else (1, type(key).__name__)


def unreadable(error: Exception) -> AssessmentError:
    """The error for input that fails while being read: a mapping or list whose methods
    raise, an object nested too deep to inspect. Never permitted, like any malformed
    assessment."""
    expected = "plain JSON data (objects, lists, strings, numbers, true, false, null)"
    return AssessmentError("assessment", expected, type(error).__name__)


def check_assessment(data: object) -> Mapping[str, Any]:
    """The assessment itself: an object with no key outside ASSESSMENT_KEYS."""
    if not isinstance(data, Mapping):
        raise AssessmentError("assessment", "a JSON object", data)
    if not _KEY_SET.issuperset(data):
        bad = min((k for k in data if k not in _KEY_SET), key=_key_order)
        raise AssessmentError(field_name(bad), "one of the keys " + ", ".join(ASSESSMENT_KEYS),
                              bad)  # fmt: skip
    return data


def check_date(value: object, field: str) -> datetime.date | None:
    """A date written YYYY-MM-DD (and nothing else `fromisoformat` reads); None stays None."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise AssessmentError(field, "a date written YYYY-MM-DD", value)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise AssessmentError(field, "a date written YYYY-MM-DD", value) from None


def check_number(value: object, field: str, dimension: str) -> float:
    """A finite number (never a boolean), as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssessmentError(field, f"a number ({dimension})", value)
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise AssessmentError(field, f"a finite number ({dimension})", value)
    return number


def check_evidence(value: object, field: str, kind: str) -> bool | float | datetime.date:
    """One evidence value of a declared type: `fact`/`judgement` (true or false), `date`,
    or a dimension (a number). Not None: a None value is left out before."""
    if kind in BOOLEAN_TYPES:
        if not isinstance(value, bool):
            raise AssessmentError(field, "true or false", value)
        return value
    if kind == "date":
        got = check_date(value, field)
        assert got is not None
        return got
    return check_number(value, field, kind)


def check_list(raw: object, field: str, expected: str) -> Sequence[Any]:
    if not isinstance(raw, list | tuple):
        raise AssessmentError(field, expected, raw)
    return raw


def check_determinations(
    raw: object,
    domains: Mapping[str, tuple[Mapping[str, int], str]],
    qualified: dict[str, Qualifiers] | None = None,
) -> dict[str, tuple[int, int]]:
    """`determinations`: each domain given, as the ranks [lo, hi] it may be in. `domains`
    maps each domain to (its level names' ranks, the level names listed for messages).
    A provisional determination is already widened to the top; the qualifiers of each
    domain that has any go to `qualified` (`check_qualifiers`)."""
    if not isinstance(raw, Mapping):
        raise AssessmentError("determinations", "an object mapping domains to levels", raw)
    out: dict[str, tuple[int, int]] = {}
    for key in sorted(raw, key=_key_order):
        field = "determinations." + field_name(key)
        if not isinstance(key, str) or key not in domains:
            raise AssessmentError(field, "a domain: " + ", ".join(sorted(domains)), key)
        ranks, levels = domains[key]
        value = raw[key]
        interval = check_determination(value, field, ranks, levels)
        if interval is None:
            continue
        if type(value) is not str:  # only an object has qualifiers
            found = check_qualifiers(value, field)
            if found is not None:
                if found[0] is not None:  # provisional: nothing above it is ruled out
                    interval = (interval[0], len(ranks))
                if qualified is not None:
                    qualified[key] = found
        out[key] = interval
    return out


Qualifiers = tuple[str | None, tuple[datetime.date, str] | None]
"""What a determination says about itself: the evaluation that will settle it, if it is
provisional, and (the date, the model) of the assessment it is carried forward from."""

_CARRIED_KEYS = frozenset(("date", "model"))


def check_qualifiers(value: object, field: str) -> Qualifiers | None:
    """`provisional` (a non-empty text: the evaluation that will settle it) and
    `carried_forward` (`{"date": "YYYY-MM-DD", "model": NAME}`) of a determination that
    `check_determination` accepted; None when it has neither."""
    if not isinstance(value, Mapping):
        return None
    pending = value.get("provisional")
    carried = value.get("carried_forward")
    if pending is None and carried is None:
        return None
    if pending is not None and (not isinstance(pending, str) or not pending.strip()):
        raise AssessmentError(
            field + ".provisional", "the evaluation that will settle it (a text)", pending
        )
    origin = None
    if carried is not None:
        where = field + ".carried_forward"
        if not isinstance(carried, Mapping):
            raise AssessmentError(where, '{"date": "YYYY-MM-DD", "model": NAME}', carried)
        for sub in sorted(carried, key=_key_order):
            if sub not in _CARRIED_KEYS:
                raise AssessmentError(f"{where}.{field_name(sub)}", "date or model", sub)
        when = check_date(carried.get("date"), where + ".date")
        if when is None:
            raise AssessmentError(where + ".date", "a date written YYYY-MM-DD", None)
        model = carried.get("model")
        if not isinstance(model, str) or not model.strip():
            raise AssessmentError(where + ".model", "the model it was made for (a text)", model)
        origin = (when, model)
    return pending, origin


CarryStep = tuple[str, Tri, str]
"""One condition for accepting a carried-forward determination: ("within", whether the
determination is young enough, the period as written) or ("when", the condition's value,
the condition as written)."""


def carry_forward_verdict(
    made: datetime.date, as_of: datetime.date | None, steps: Sequence[CarryStep]
) -> tuple[bool, str]:
    """(accepted, why) for a determination carried forward from one made on `made`. It is
    accepted only when the policy allows carrying forward (some step), the assessment is dated
    on or after `made`, and every step is surely true; otherwise it counts as unknown
    (fail-closed) and `why` says which check failed first."""
    if not steps:
        return False, "the policy does not allow carrying this determination forward"
    if as_of is None:
        return False, "no as_of: whether it was made before the assessment is unknown"
    if made > as_of:
        return False, f"made on {made.isoformat()}, after the assessment date {as_of.isoformat()}"
    held = []
    for kind, value, text in steps:
        if kind == "within":
            if value is None:
                return False, f"no as_of: its age is unknown, and it must be within {text}"
            if value is False:
                return False, f"made on {made.isoformat()}, more than {text} before as_of"
            held.append(f"within {text}")
        else:
            if value is None:
                return False, f"whether {text} is unknown"
            if value is False:
                return False, f"{text} does not hold"
            held.append(f"{text} holds")
    return True, "accepted: " + "; ".join(held)


def within_period(
    made: datetime.date, as_of: datetime.date | None, months: int, days: int
) -> Tri:
    """Whether `as_of` is at most `months` and `days` after `made`; unknown without as_of."""
    if as_of is None:
        return None
    return as_of <= add_period(made, months, days)


def policy_in_force(
    effective: datetime.date | None,
    superseded: datetime.date | None,
    as_of: datetime.date | None,
) -> tuple[Tri, str | None]:
    """Whether the policy is in force on `as_of`: from `effective` (when given) up to the
    day before `superseded` (when given). Unknown without an as_of, unless the policy
    declares neither date. The reason is None when it is in force."""
    if effective is None and superseded is None:
        return True, None
    if as_of is None:
        return None, "no as_of: whether the policy is in force on the assessment date is unknown"
    day = as_of.isoformat()
    if effective is not None and as_of < effective:
        return False, f"the policy is not in force on {day}: it takes effect on {effective}"
    if superseded is not None and as_of >= superseded:
        return False, f"the policy is not in force on {day}: it was superseded on {superseded}"
    return True, None


def check_evidence_values(raw: object, kinds: Mapping[str, str]) -> dict[str, Any]:
    """`evidence`: each value given, checked against its declared type (`kinds`: evidence
    name -> fact, judgement, date or a dimension). Null values are left out."""
    if not isinstance(raw, Mapping):
        raise AssessmentError("evidence", "an object mapping evidence names to values", raw)
    out: dict[str, Any] = {}
    for key in sorted(raw, key=_key_order):
        field = "evidence." + field_name(key)
        if not isinstance(key, str) or key not in kinds:
            raise AssessmentError(field, "declared evidence: " + ", ".join(sorted(kinds)), key)
        value = raw[key]
        if value is not None:
            out[key] = check_evidence(value, field, kinds[key])
    return out


def check_determination(
    value: object, field: str, ranks: Mapping[str, int], levels: str
) -> tuple[int, int] | None:
    """A determination as the ranks [lo, hi] it allows, or None when left out. `ranks` maps
    the domain's level names to ranks (1 = lowest; 0 = below every level), `levels` lists
    them for the message. A level name alone means `{"reached": LEVEL}`."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"reached": value}
    if not isinstance(value, Mapping):
        raise AssessmentError(
            field, 'an object {"reached": LEVEL, "cannot_rule_out": LEVEL}', value
        )
    for sub in sorted(value, key=_key_order):
        if sub not in _DETERMINATION_KEYS:
            raise AssessmentError(
                f"{field}.{field_name(sub)}",
                "reached, cannot_rule_out, provisional or carried_forward", sub,
            )  # fmt: skip
    lo = _rank(value.get("reached"), ranks, levels, field + ".reached")
    unsure = value.get("cannot_rule_out")
    if unsure is None:
        return lo, lo
    hi = _rank(unsure, ranks, levels, field + ".cannot_rule_out")
    if hi < lo:
        raise AssessmentError(
            field + ".cannot_rule_out", "a level at or above the level reached", unsure
        )
    return lo, hi


_DETERMINATION_KEYS = frozenset(("reached", "cannot_rule_out", "provisional", "carried_forward"))


def _rank(name: object, ranks: Mapping[str, int], levels: str, field: str) -> int:
    if name is None:
        return 0
    got = ranks.get(name) if isinstance(name, str) else None
    if got is None:
        raise AssessmentError(field, "a level: " + levels, name)
    return got


def check_implemented(raw: object, known: frozenset[str]) -> frozenset[str]:
    """The names listed as implemented: safeguards and standards of the policy."""
    items = check_list(raw, "implemented", "a list of safeguard or standard names")
    for i, name in enumerate(items):
        if not isinstance(name, str) or name not in known:
            raise AssessmentError(f"implemented[{i}]", "a safeguard or standard name", name)
    return frozenset(items)


def check_done(raw: object, known: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The obligations done, as (rule, action) pairs of the policy."""
    items = check_list(raw, "done", 'a list of {"rule": R, "action": A}')
    out = set()
    for i, item in enumerate(items):
        field = f"done[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"rule", "action"}:
            raise AssessmentError(field, 'an object {"rule": R, "action": A}', item)
        pair = (item["rule"], item["action"])
        if not isinstance(pair[0], str) or not isinstance(pair[1], str) or pair not in known:
            raise AssessmentError(field, "an obligation of the policy", dict(item))
        out.add(pair)
    return frozenset(out)


def check_contexts(raw: object, every: tuple[str, ...]) -> tuple[str, ...]:
    """The contexts asked about, in the policy's order; all of them when left out. An empty
    list is an error: it would ask about nothing, and a gate that checks every verdict given
    would then find nothing to refuse."""
    if raw is None:
        return every
    items = check_list(raw, "contexts", "a list of context names")
    if not items:
        raise AssessmentError("contexts", "at least one context name", raw)
    for i, name in enumerate(items):
        if not isinstance(name, str) or name not in every:
            raise AssessmentError(f"contexts[{i}]", "a context: " + ", ".join(sorted(every)), name)
    return tuple(c for c in every if c in items)
