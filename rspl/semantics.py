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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

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


def compare_range(op: str, a: tuple[Any, Any], b: tuple[Any, Any]) -> Tri:
    """`a op b` where each side is known only to lie in [lo, hi] (None: unbounded on that
    side). A known value is the point (v, v), an unknown one (None, None): on points this is
    `compare`. True when the comparison holds wherever the two values are, false when it
    holds nowhere, unknown otherwise (`max attack_success > 5%` with one member at 12% and
    another missing is true)."""
    if op == "<" or op == "<=":
        return compare_range(">" if op == "<" else ">=", b, a)
    (alo, ahi), (blo, bhi) = a, b
    if op == ">" or op == ">=":
        strict = op == ">"
        if alo is not None and bhi is not None and (alo > bhi if strict else alo >= bhi):
            return True
        if ahi is not None and blo is not None and (ahi <= blo if strict else ahi < blo):
            return False
        return None
    if (ahi is not None and blo is not None and ahi < blo) or (
        bhi is not None and alo is not None and bhi < alo
    ):
        same: Tri = False
    elif None not in (alo, ahi, blo, bhi) and alo == ahi == blo == bhi:
        same = True
    else:
        same = None
    return same if op == "==" else tri_not(same)


def point(value: Any) -> tuple[Any, Any]:
    """A single value as a range for `compare_range`: (v, v), or (None, None) if unknown."""
    return value, value


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
    criteria: Mapping[str, tuple[Tri, frozenset[str]]] | None = None,
) -> None:
    """Add the standards (name, hole, safeguards) that the safeguards in place make whole:
    to `sure` each defined one all of whose safeguards are surely in place, to `maybe` each
    one all of whose safeguards are in place or may be, with the inputs behind those.
    `criteria` gives a standard's criteria with inherited ones (`chain_criterion`): one that
    is false keeps the standard out, one that is unknown makes it maybe in place at most."""
    for name, hole, safeguards in standards:
        if hole:
            continue
        holds, unknown = (criteria or {}).get(name, (True, frozenset()))
        if holds is False:
            continue
        if holds is True and sure.issuperset(safeguards):
            sure.add(name)
        elif all(s in sure or s in maybe for s in safeguards):
            maybe[name] = frozenset().union(*(maybe[s] for s in safeguards if s in maybe))
            if unknown:
                maybe[name] |= unknown


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


def duty_modality(modality: str, prohibited: bool) -> str:
    """The modality a decision reports: `must not` / `should not` for a prohibition."""
    return f"{modality} not" if prohibited else modality


def is_prohibition(modality: str) -> bool:
    """Whether a decision's duty with this modality is a prohibition (`must not`, ...)."""
    return modality.endswith(" not")


def standing_duty(modality: str, prohibited: bool, blocking: bool, deadline: str) -> bool:
    """Whether a duty is a state kept while its rule applies rather than a task to do: a
    prohibition, or a binding (`must`) blocking action with no deadline in time (none, or
    only `until`). Such a duty is `in_force`, never open or due; `deadline` is the kind of its
    deadline (`none`, `until`, `within`, `before`, `every`, `date`)."""
    if prohibited:
        return True
    return modality == "must" and blocking and deadline in ("none", "until")


def obligation_status(
    due: datetime.date | None,
    opens: datetime.date | None,
    as_of: datetime.date | None,
    *,
    recurring: bool,
    done: bool,
    lifted: bool = False,
    standing: bool = False,
) -> str:
    """`done`, `lifted`, `in_force`, `open`, `due` or `overdue`.

    `done`: the assessment lists it as done. `lifted`: its `until` condition holds, so it is
    no longer in force (a duty both done and lifted is reported done). `standing`: a
    prohibition or a blocking action in force (`standing_duty`), which is `in_force` until it
    is lifted. A one-off obligation with a due date is overdue after it (and due until then);
    without one it is open. A recurring one is due from `opens` to `due`, and always due
    when its start or the assessment date is unknown (fail-closed).
    """
    if done:
        return "done"
    if lifted:
        return "lifted"
    if standing:
        return "in_force"
    if recurring:
        if due is None or opens is None or as_of is None:
            return "due"
        if as_of > due:
            return "overdue"
        return "due" if as_of >= opens else "open"
    if due is None:
        return "open"
    return "overdue" if as_of is not None and as_of > due else "due"


def duty_state(
    kind: str,
    start: datetime.date | None,
    event: str | None,
    period: Sequence[int] | None,
    opens: Sequence[int] | None,
    as_of: datetime.date | None,
    *,
    done: bool,
    lifted: bool = False,
    standing: bool = False,
    at: Sequence[str] = (),
    asked: Collection[str] = (),
) -> tuple[str, datetime.date | None, str | None]:
    """A duty's (status, due date, the dated event it waits for or None), by the kind of its
    deadline (`rspl.ir.deadline_kind`).

    `start`: the date the deadline counts from: the date of `due DATE` (kind `fixed`), or the
    value of the dated evidence `event` (`due EVENT`, `within ... of`, `every ... since`),
    None when not given. `period`/`opens`: (months, days) after `start` to the due date and,
    for a recurring duty, to the date it opens. `at`: a `due at` duty's contexts; `asked`:
    the contexts asked about (where its rule applies).

    A soft deadline (`promptly`) is open until done: it is never due or overdue. A `due at`
    duty is due when one of its contexts is asked about, else open. A deadline counting from
    an event whose date is not given is due, with no date, and waits for that event
    (fail-closed: not open, which would say nothing is owed yet). A duty `done`, `lifted` (its
    `until` holds) or `standing` (a prohibition or blocking action in force) is whatever
    `obligation_status` says, as is the rest.
    """
    due = first = None
    if start is not None:
        due = add_period(start, *period) if period else start
        if opens:
            first = add_period(start, *opens)
    settled = done or lifted or standing
    waiting = event if event is not None and start is None and not settled else None
    if not settled:
        if kind == "soft":
            return "open", None, None
        if kind == "context":
            return ("due" if any(c in asked for c in at) else "open"), None, None
        if waiting is not None:
            return "due", None, waiting
    status = obligation_status(due, first, as_of, recurring=kind == "recurring", done=done,
                               lifted=lifted, standing=standing)  # fmt: skip
    return status, due, waiting


def obligation_blocks(
    binding: bool,
    status: str,
    blocking_action: bool,
    named: Sequence[str],
    before: Sequence[str],
    asked: Sequence[str],
) -> list[str]:
    """The contexts an obligation blocks, of those asked about. Only a binding (`must`)
    duty that is neither done nor lifted (nor a ladder step on standby or failed) blocks: a
    blocking action (or a `must not` on one) the contexts it names (every context asked about
    when it names none), a `before` deadline the contexts it lists."""
    if not binding or status in ("done", "lifted", "standby", "failed"):
        return []
    found: set[str] = set()
    if blocking_action:
        found.update(named or asked)
    found.update(before)
    return sorted(c for c in found if c in asked)


# ---------------------------------------------------------------------------- escalation ladders
# `if unmet in order { ... }`: each step is in force only once every step before it has
# failed (or is unavailable), as the assessment's `failed` list says. The first step not
# failed is in force, with its ordinary status (open, due, done, ...); the steps after it wait
# on standby, whatever that status is: a step done stops the ladder. Failed and standby
# steps block nothing.


def ladder_states(failed: Sequence[bool]) -> list[str | None]:
    """For each step of a ladder, in order, whether it is marked failed: `failed`, `standby`,
    or None for the one step in force (the first not failed)."""
    out: list[str | None] = []
    reached = True
    for f in failed:
        if f:
            out.append("failed")
        elif reached:
            out.append(None)
            reached = False
        else:
            out.append("standby")
    return out


def ladder_step(
    position: str | None, status: str, due: datetime.date | None
) -> tuple[str, datetime.date | None]:
    """A ladder step's (status, due date): its own when in force (`position` None); else
    `standby` or `failed`, with no due date (it is not yet, or no longer, owed)."""
    if position is None:
        return status, due
    return position, None
def block_reason(rule: str, action: str, objects: Sequence[str], status: str,
                 prohibited: bool, key: str | None = None) -> str:  # fmt: skip
    """Why a duty blocks a context, in a verdict's reasons: `prohibited: publish weights
    (rule r)`, `in force: restrict external_deployment (rule r)`, or, for a task not yet
    done (a `before` deadline), `obligation r.KEY is not done` (KEY: the duty's key, its `as`
    name or its action)."""
    what = f"{action} {', '.join(objects)}" if objects else action
    if prohibited:
        return f"prohibited: {what} (rule {rule})"
    if status == "in_force":
        return f"in force: {what} (rule {rule})"
    return f"obligation {rule}.{key or action} is not done"


def prohibitions(obligations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The decision's `prohibitions`: the prohibitions in force, from its obligations."""
    return [
        {"rule": o["rule"], "action": o["action"], "key": o["key"], "objects": list(o["objects"]),
         "modality": o["modality"], "blocks": list(o["blocks"])}
        for o in obligations
        if is_prohibition(o["modality"]) and o["status"] == "in_force"
    ]  # fmt: skip
# ---------------------------------------------------------------------------- waivers
# A waiver counts in a context only when the context is one of its own, its condition is
# surely true (unknown: not applied, fail-closed) and its approval is done. An applied waiver
# of a standard or safeguard lifts the requirements that name it there (a stronger standard
# that includes it is still required); an applied waiver of a duty keeps it from blocking
# there, and the duty is `waived` when the waiver applies in every context asked about.


def waiver_applies(
    condition: Tri, approved: bool, contexts: Sequence[str], asked: Sequence[str]
) -> tuple[list[str], str]:
    """(the contexts asked about in which a waiver is applied, why it is or is not)."""
    covered = [c for c in asked if c in contexts]
    if not covered:
        return [], "not applied: it covers none of the contexts asked about"
    if condition is None:
        return [], "not applied: its condition is unknown (fail-closed)"
    if condition is False:
        return [], "not applied: its condition does not hold"
    if not approved:
        return [], "not applied: its approval is not given"
    return covered, "applied: its condition holds and it is approved"


def waiver_entry(
    name: str, title: str | None, kind: str, target: str, rule: str | None,
    contexts: Sequence[str], condition: Tri, approved: bool, approved_by: Sequence[str],
    applied: Sequence[str], reason: str,
) -> dict[str, Any]:  # fmt: skip
    """A waiver as the decision reports it."""
    return {
        "name": name, "title": title,
        "waives": {"kind": kind, "name": target, "rule": rule},
        "contexts": list(contexts), "condition": tri_word(condition), "approved": approved,
        "applied": list(applied), "approved_by": list(approved_by), "reason": reason,
    }  # fmt: skip


def lifted_requirements(
    applied: Iterable[tuple[str, str, Sequence[str]]],
) -> frozenset[tuple[str, str]]:
    """The (standard or safeguard, context) requirements lifted by the waivers applied,
    given as (kind, target, contexts applied)."""
    return frozenset((t, c) for kind, t, contexts in applied if kind != "duty" for c in contexts)


def waived_duties(
    applied: Iterable[tuple[str, str, str | None, Sequence[str]]],
) -> dict[tuple[str, str], frozenset[str]]:
    """Per duty (rule, key), the contexts it is waived in, from the waivers applied given as
    (kind, key, rule, contexts applied)."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for kind, key, rule, contexts in applied:
        if kind == "duty" and rule is not None and contexts:
            out[(rule, key)] = out.get((rule, key), frozenset()) | frozenset(contexts)
    return out


def waive_duty(
    status: str, blocks: Sequence[str], waived_in: Collection[str], asked: Sequence[str]
) -> tuple[str, list[str]]:
    """A duty's status and the contexts it blocks once the waivers applied to it are taken
    into account: it blocks no context it is waived in, and is `waived` when waived in every
    context asked about (unless it is already settled, `done` or `lifted`, or is a ladder step
    not in force, `standby` or `failed`)."""
    if not waived_in:
        return status, list(blocks)
    kept = [c for c in blocks if c not in waived_in]
    if status not in ("done", "lifted", "standby", "failed") and all(c in waived_in for c in asked):
        status = "waived"
    return status, kept


# ---------------------------------------------------------------------------- measurement families
# Evidence measured per member (`evidence attack_success: fraction per attack (gcg, pair)`).
# A validated family is a dict member -> value, None for a missing member (`check_members`);
# an open set given no member is not in the evidence at all. A declared member that is
# missing is unknown, and an aggregate is decided as far as the known members decide it.


def member_values(got: Mapping[str, Any] | None,
                  members: Sequence[str] | None) -> list[tuple[str, Any]] | None:  # fmt: skip
    """A family's (member, value) pairs, None for a missing value; None when the members
    themselves are unknown (an open set given no member). A declared family left out has
    every member missing."""
    if got is not None:
        return list(got.items())
    if members is None:
        return None
    return [(m, None) for m in members]


def member_test(count: int, op: str | None, got: Mapping[str, Any] | None,
                members: Sequence[str] | None, bound: tuple[Any, Any]) -> Tri:  # fmt: skip
    """`all` (count 0), `any` (count 1) or `at least count of` the members meet `op bound`
    (`bound` a range, see `compare_range`; `op` None for yes-or-no members: the member is
    yes). Kleene `at least` over the members: true once enough known members meet it, false
    once too few could, unknown otherwise, and unknown when the members are unknown."""
    values = member_values(got, members)
    if values is None:
        return None
    truths = [v if op is None else compare_range(op, point(v), bound) for _, v in values]
    return at_least(count or len(truths), truths)


def member_bound(which: str, got: Mapping[str, Any] | None,
                 members: Sequence[str] | None) -> tuple[Any, Any]:  # fmt: skip
    """`max` or `min` of a family's values as the range it may lie in: with members missing,
    the highest known value is only a lower bound of the maximum (and the lowest an upper
    bound of the minimum); with none known, unbounded."""
    values = member_values(got, members)
    known = [v for _, v in values or () if v is not None]
    if not known:
        return None, None
    best = max(known) if which == "max" else min(known)
    complete = values is not None and len(known) == len(values)
    if which == "max":
        return best, best if complete else None
    return best if complete else None, best


def missing_members(name: str, got: Mapping[str, Any] | None,
                    members: Sequence[str] | None) -> list[str]:  # fmt: skip
    """The inputs that would decide more of a family: each missing member as `name.member`,
    or `name` itself when its members are unknown."""
    values = member_values(got, members)
    if values is None:
        return [name]
    return [f"{name}.{m}" for m, v in values if v is None]


def input_owner(name: str) -> str:
    """The declared input an unknown input belongs to: `attack_success` for
    `attack_success.tap`; any other name is itself."""
    return name.partition(".")[0]


def show_value(kind: str, value: Any) -> str:
    """A family member's value for an explanation: `12%` for a fraction, `yes`/`no` for a
    fact or judgement, otherwise the number and the base unit."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "fraction":
        return format(value * 100, ".6g") + "%"
    unit = {"multiplier": "x", "duration": " days", "compute": " FLOP", "money": " USD"}
    return format(value, ".6g") + unit.get(kind, "")


def member_notes(name: str, kind: str, got: Mapping[str, Any] | None,
                 members: Sequence[str] | None, which: str) -> list[str]:  # fmt: skip
    """What an explanation shows of a family: for `max`/`min` (`which`) the value that
    decides it and its member, then the missing members; for a test over members (`each`)
    every member's value."""
    values = member_values(got, members)
    if values is None:
        return [f"{name}: no member given"]
    if which == "max" or which == "min":
        known = [(v, m) for m, v in values if v is not None]
        out = []
        if known:
            pick = max if which == "max" else min
            v, m = pick(known, key=lambda pair: pair[0])
            out.append(f"{which} {name} = {show_value(kind, v)} ({m})")
        return out + [f"{name}.{m} unknown" for m, v in values if v is None]
    return [
        f"{name}.{m} unknown" if v is None else f"{name}.{m} = {show_value(kind, v)}"
        for m, v in values
    ]


# ---------------------------------------------------------------------------- validation

ASSESSMENT_KEYS = (
    "approved", "as_of", "contexts", "determinations", "done", "evidence", "failed",
    "implemented", "provenance",
)  # fmt: skip
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
    check_range(number, field, dimension, value)
    return number


RANGES: dict[str, tuple[float, float | None]] = {
    "fraction": (0.0, 1.0),
    "count": (0.0, None),
    "money": (0.0, None),
    "compute": (0.0, None),
    "multiplier": (0.0, None),
    "duration": (0.0, None),
}
"""The range of each dimension's values, (lowest, highest or None); a `score` (signed) and
any dimension not listed take every finite number."""

_AT_LEAST_ZERO: dict[str, str] = {
    "count": "a count of 0 or more",
    "money": "an amount of money of 0 or more (USD)",
    "compute": "an amount of compute of 0 or more (FLOP)",
    "multiplier": "a multiplier of 0 or more (4 means 4x)",
    "duration": "a duration of 0 or more (days)",
}


def in_range(number: float, dimension: str) -> bool:
    """Whether a finite number is a possible value of the dimension (`RANGES`)."""
    low, high = RANGES.get(dimension, (-math.inf, None))
    return low <= number and (high is None or number <= high)


def range_text(number: float, dimension: str) -> str:
    """What a value of the dimension must be, for a message about `number`, which is not."""
    if dimension == "fraction":
        if 1 < number <= 100:
            return (f"a fraction between 0 and 1 ({number:g} is not; write {number / 100:g} "
                    f"for {number:g}%)")  # fmt: skip
        return "a fraction between 0 and 1 (100% is 1)"
    return _AT_LEAST_ZERO.get(dimension, f"a {dimension} of 0 or more")


def check_range(number: float, field: str, dimension: str, got: object = None) -> None:
    """An AssessmentError naming `field` when the number is outside its dimension's range:
    a rate of 15 typed for 0.15, or a negative count, is never read as given (it would
    silently stop a threshold from firing)."""
    if not in_range(number, dimension):
        raise AssessmentError(field, range_text(number, dimension), number if got is None else got)


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


def check_members(
    value: object, field: str, kind: str, members: Sequence[str] | None
) -> dict[str, Any] | None:
    """A measurement family's values: an object mapping members to values of the family's
    `kind` (each checked by `check_evidence`, null for a missing one). `members` are the
    declared members (any other is an error), or None for an open set, whose members are
    those given. Returns member -> value (None: missing) in the declared order, or in sorted
    order for an open set; None when nothing is given (null, or an open set's `{}`)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AssessmentError(field, "an object mapping each member to a value", value)
    out: dict[str, Any] = dict.fromkeys(members) if members is not None else {}
    for key in sorted(value, key=_key_order):
        sub = f"{field}.{field_name(key)}"
        if not isinstance(key, str) or (members is not None and key not in out):
            expected = "a member: " + ", ".join(members) if members is not None else "a name"
            raise AssessmentError(sub, expected, key)
        got = value[key]
        out[key] = None if got is None else check_evidence(got, sub, kind)
    return out or None


def check_list(raw: object, field: str, expected: str) -> Sequence[Any]:
    if not isinstance(raw, list | tuple):
        raise AssessmentError(field, expected, raw)
    return raw


def check_determinations(
    raw: object,
    domains: Mapping[str, tuple[Mapping[str, int], str]],
    assessed: Mapping[str, tuple[tuple[str, ...], bool, tuple[str, ...]]] | None = None,
    qualified: dict[str, Qualifiers] | None = None,
) -> dict[str, tuple[int, int]]:
    """`determinations`: each domain given, as the ranks [lo, hi] it may be in. `domains`
    maps each domain to (its level names' ranks, the level names listed for messages).
    `assessed` maps each domain assessed per setting or after mitigation to (its settings,
    whether it has a level after mitigation, its `ordered` settings): those give an entry
    per determination (`check_assessed`), named by `level_slot`. A provisional determination
    is already widened to the top; the qualifiers of each domain that has any go to
    `qualified` (`check_qualifiers`)."""
    if not isinstance(raw, Mapping):
        raise AssessmentError("determinations", "an object mapping domains to levels", raw)
    out: dict[str, tuple[int, int]] = {}
    for key in sorted(raw, key=_key_order):
        field = "determinations." + field_name(key)
        if not isinstance(key, str) or key not in domains:
            raise AssessmentError(field, "a domain: " + ", ".join(sorted(domains)), key)
        ranks, levels = domains[key]
        if assessed is not None and key in assessed:
            out.update(check_assessed(raw[key], field, key, ranks, levels, *assessed[key]))
            continue
        interval, found = _qualified_determination(raw[key], field, ranks, levels)
        if interval is None:
            continue
        if found is not None and qualified is not None:
            qualified[key] = found
        out[key] = interval
    return out


def level_slot(domain: str, setting: str | None, residual: bool) -> str:
    """The name of one determination of a domain, as decisions list it among the inputs
    still needed: `Cyber`, `Cyber for api`, `residual Cyber`, `residual Cyber for api`."""
    name = "residual " + domain if residual else domain
    return name if setting is None else f"{name} for {setting}"


def _setting_determination(
    value: object, field: str, ranks: Mapping[str, int], levels: str
) -> tuple[int, int] | None:
    """One determination of a domain assessed per setting or after mitigation
    (`check_assessed`): provisional widens it to the top, as for any determination; carrying
    it forward is not supported there, so it is an error rather than silently ignored."""
    interval, found = _qualified_determination(value, field, ranks, levels)
    if found is not None and found[1] is not None:
        raise AssessmentError(
            field + ".carried_forward",
            "no carried_forward: a determination per setting or after mitigation is made afresh",
            value.get("carried_forward") if isinstance(value, Mapping) else None,
        )
    return interval


def _qualified_determination(
    value: object, field: str, ranks: Mapping[str, int], levels: str
) -> tuple[tuple[int, int] | None, Qualifiers | None]:
    """A determination's interval (None when left out) and its qualifiers; a provisional one
    is widened to the top: nothing above its level reached is ruled out."""
    interval = check_determination(value, field, ranks, levels)
    if interval is None or type(value) is str:  # only an object has qualifiers
        return interval, None
    found = check_qualifiers(value, field)
    if found is not None and found[0] is not None:
        interval = (interval[0], len(ranks))
    return interval, found


def check_assessed(
    value: object,
    field: str,
    domain: str,
    ranks: Mapping[str, int],
    levels: str,
    settings: Sequence[str],
    residual: bool,
    order: Sequence[str],
) -> dict[str, tuple[int, int]]:
    """The determinations of a domain assessed per setting and/or after mitigation, as the
    ranks [lo, hi] of each (named by `level_slot`; one left out may be anywhere).

    Per setting, `value` maps setting names to determinations: a setting left out (or null)
    is unknown, never taken from another. Along `order` a level reached carries up (a later
    setting is at least what an earlier one reached); a later setting whose highest possible
    level is below an earlier one's level reached contradicts the order. After mitigation, a
    determination is `{"before": DET, "after": DET}`; the level after is never above the
    highest level before (mitigation never raises it), so its top is lowered to that, and a
    level reached after that is above every level possible before is a contradiction.
    """
    if value is None:
        return {}
    top = len(ranks)
    parts: list[tuple[str | None, object, str]]
    if settings:
        if not isinstance(value, Mapping):
            raise AssessmentError(
                field, "an object mapping settings to determinations: " + ", ".join(settings),
                value,
            )  # fmt: skip
        for key in sorted(value, key=_key_order):
            if not isinstance(key, str) or key not in settings:
                raise AssessmentError(f"{field}.{field_name(key)}",
                                      "a setting: " + ", ".join(settings), key)  # fmt: skip
        parts = [(s, value.get(s), f"{field}.{s}") for s in settings]
    else:
        parts = [(None, value, field)]
    before: dict[str | None, tuple[int, int]] = {}
    after: dict[str | None, tuple[int, int]] = {}
    written: dict[str | None, object] = {}  # each level after mitigation, as given
    for setting, det, where in parts:
        inherent = det
        if residual and det is not None:
            if not isinstance(det, Mapping):
                raise AssessmentError(where, 'an object {"before": DET, "after": DET}', det)
            for sub in sorted(det, key=_key_order):
                if sub != "before" and sub != "after":
                    raise AssessmentError(f"{where}.{field_name(sub)}", "before or after", sub)
            inherent = det.get("before")
            written[setting] = det.get("after")
            got = _setting_determination(written[setting], where + ".after", ranks, levels)
            if got is not None:
                after[setting] = got
            where += ".before"
        got = _setting_determination(inherent, where, ranks, levels)
        before[setting] = got if got is not None else (0, top)
    reached: tuple[int, str] | None = None
    for name in order:
        lo, hi = before[name]
        if reached is not None:
            if hi < reached[0]:
                raise AssessmentError(
                    f"{field}.{name}",
                    f"a level at or above {reached[1]}'s level reached (ordered)",
                    value.get(name) if isinstance(value, Mapping) else None,
                )  # fmt: skip
            lo = max(lo, reached[0])
            before[name] = (lo, hi)
        if reached is None or lo >= reached[0]:
            reached = (lo, name)
    out: dict[str, tuple[int, int]] = {}
    for setting, (lo, hi) in before.items():
        out[level_slot(domain, setting, False)] = (lo, hi)
        if residual:
            rlo, rhi = after.get(setting, (0, top))
            if rlo > hi:
                where = field if setting is None else f"{field}.{setting}"
                raise AssessmentError(where + ".after",
                                      "a level at or below the highest level before mitigation",
                                      written.get(setting))  # fmt: skip
            out[level_slot(domain, setting, True)] = (rlo, min(rhi, hi))
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


def check_evidence_values(raw: object, kinds: Mapping[str, Any]) -> dict[str, Any]:
    """`evidence`: each value given, checked against its declared type (`kinds`: evidence
    name -> fact, judgement, date or a dimension; for a measurement family, (that type, its
    declared members or None), see `check_members`). Null values are left out."""
    if not isinstance(raw, Mapping):
        raise AssessmentError("evidence", "an object mapping evidence names to values", raw)
    out: dict[str, Any] = {}
    for key in sorted(raw, key=_key_order):
        field = "evidence." + field_name(key)
        if not isinstance(key, str) or key not in kinds:
            raise AssessmentError(field, "declared evidence: " + ", ".join(sorted(kinds)), key)
        if not isinstance(kinds[key], str):  # a measurement family
            family = check_members(raw[key], field, *kinds[key])
            if family is not None:
                out[key] = family
            continue
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


def check_done(
    raw: object,
    known: frozenset[tuple[str, str]],
    prohibited: frozenset[tuple[str, str]] = frozenset(),
) -> frozenset[tuple[str, str]]:
    """The obligations done, as (rule, key) pairs of the policy: a duty's key is its `as`
    name, or its action when it has none. A prohibition (`prohibited`, and no duty of the
    same rule and key that can be done) is never done."""
    out = set()
    for field, item, pair in _duty_items(raw, "done", known, "an obligation of the policy"):
        if pair in prohibited:
            raise AssessmentError(
                field, "an obligation that can be done, not a prohibition (must not)", dict(item)
            )
        out.add(pair)
    return frozenset(out)


def _duty_items(
    raw: object, key: str, known: frozenset[tuple[str, str]], expected: str
) -> Iterator[tuple[str, Mapping[str, Any], tuple[str, str]]]:
    """The items of a list of duties (`done`, `failed`), each `{"rule": R, "action": KEY}`
    naming a duty among `known`: (its field, the item, the pair)."""
    items = check_list(raw, key, 'a list of {"rule": R, "action": A}')
    for i, item in enumerate(items):
        field = f"{key}[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"rule", "action"}:
            raise AssessmentError(field, 'an object {"rule": R, "action": A}', item)
        pair = (item["rule"], item["action"])
        if not isinstance(pair[0], str) or not isinstance(pair[1], str) or pair not in known:
            raise AssessmentError(field, expected, dict(item))
        yield field, item, pair


def check_failed(
    raw: object, steps: frozenset[tuple[str, str]], done: frozenset[tuple[str, str]]
) -> frozenset[tuple[str, str]]:
    """The ladder steps failed (or unavailable), as (rule, key) pairs: only steps of an
    escalation ladder (`if unmet in order`) may be listed, and none listed as done too."""
    out = set()
    for field, item, pair in _duty_items(
        raw, "failed", steps, "a step of an escalation ladder of the policy"
    ):
        if pair in done:
            raise AssessmentError(field, "a step not also listed as done", dict(item))
        out.add(pair)
    return frozenset(out)


def check_approved(raw: object, known: Collection[str]) -> frozenset[str]:
    """The waivers whose approval is done: names of waivers of the policy."""
    items = check_list(raw, "approved", "a list of waiver names")
    for i, name in enumerate(items):
        if not isinstance(name, str) or name not in known:
            raise AssessmentError(f"approved[{i}]", "a waiver of the policy", name)
    return frozenset(items)


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


PROVENANCE_KEYS = ("reason", "runs", "status")
RUN_KEYS = (
    "created", "eval_id", "log", "metric", "model", "scorer", "sha256", "task", "task_version",
)  # fmt: skip
_RUN_TEXT = "an object with the keys " + ", ".join(RUN_KEYS)


def _provenance_slots(kinds: Mapping[str, Any]) -> tuple[frozenset[str], tuple[str, ...]]:
    """What a provenance record may be given for: each evidence name, and `F.MEMBER` for each
    declared member of a measurement family F (any member of an open family); and the names
    listed in a message."""
    slots = set(kinds)
    for name, kind in kinds.items():
        if not isinstance(kind, str) and kind[1] is not None:
            slots.update(f"{name}.{m}" for m in kind[1])
    return frozenset(slots), tuple(sorted(kinds))


def _is_slot(key: str, slots: frozenset[str], kinds: Mapping[str, Any]) -> bool:
    if key in slots:
        return True
    family, dot, member = key.partition(".")
    kind = kinds.get(family)
    return bool(dot and member) and kind is not None and not isinstance(kind, str) \
        and kind[1] is None


def _evidence_given(key: str, evidence: Mapping[str, Any]) -> bool:
    """Whether the (validated) evidence gives a value for a provenance slot."""
    if key in evidence:
        return True
    family, dot, member = key.partition(".")
    got = evidence.get(family)
    return bool(dot) and isinstance(got, Mapping) and got.get(member) is not None


def check_run(value: object, field: str) -> dict[str, Any]:
    """One evaluation run a figure came from: every key of `RUN_KEYS`, each a string (or
    null), `task_version` a string or an integer too."""
    if not isinstance(value, Mapping):
        raise AssessmentError(field, _RUN_TEXT, value)
    for key in sorted(value, key=_key_order):
        if not isinstance(key, str) or key not in RUN_KEYS:
            raise AssessmentError(f"{field}.{field_name(key)}", "one of the keys "
                                  + ", ".join(RUN_KEYS), key)  # fmt: skip
    out: dict[str, Any] = {}
    for key in RUN_KEYS:
        if key not in value:
            raise AssessmentError(field, _RUN_TEXT + f" (no {key})", dict(value))
        got = value[key]
        number = key == "task_version" and isinstance(got, int) and not isinstance(got, bool)
        if got is not None and not isinstance(got, str) and not number:
            what = "a string, an integer or null" if key == "task_version" else "a string or null"
            raise AssessmentError(f"{field}.{key}", what, got)
        out[key] = got
    return out


def check_provenance(
    raw: object, kinds: Mapping[str, Any], evidence: Mapping[str, Any]
) -> dict[str, Any]:
    """`provenance`: where each figure came from. Evidence name (or `F.MEMBER` of a
    measurement family) -> {"status": "measured" or "unknown", "reason": text or null,
    "runs": [run, ...]} (`check_run`). A record agrees with the evidence: `measured` only for
    a value given, `unknown` (with its reason) only for one left out. Returns a copy, sorted
    by name; null records are left out."""
    if not isinstance(raw, Mapping):
        raise AssessmentError("provenance", "an object mapping evidence names to records", raw)
    slots, names = _provenance_slots(kinds)
    out: dict[str, Any] = {}
    for key in sorted(raw, key=_key_order):
        field = "provenance." + field_name(key)
        if not isinstance(key, str) or not _is_slot(key, slots, kinds):
            raise AssessmentError(field, "declared evidence: " + ", ".join(names), key)
        record = raw[key]
        if record is None:
            continue
        if not isinstance(record, Mapping):
            raise AssessmentError(field, 'an object {"status": S, "reason": R, "runs": [...]}',
                                  record)  # fmt: skip
        for sub in sorted(record, key=_key_order):
            if not isinstance(sub, str) or sub not in PROVENANCE_KEYS:
                raise AssessmentError(f"{field}.{field_name(sub)}", "one of the keys "
                                      + ", ".join(PROVENANCE_KEYS), sub)  # fmt: skip
        status = record.get("status")
        given = _evidence_given(key, evidence)
        if status not in ("measured", "unknown"):
            raise AssessmentError(f"{field}.status", '"measured" or "unknown"', status)
        if (status == "measured") != given:
            expected = ('"measured": evidence.' + key + " has a value" if given
                        else '"unknown": evidence.' + key + " has no value")  # fmt: skip
            raise AssessmentError(f"{field}.status", expected, status)
        reason = record.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise AssessmentError(f"{field}.reason", "a string or null", reason)
        if status == "unknown" and not reason:
            raise AssessmentError(f"{field}.reason", "why the evidence is unknown", reason)
        runs = record.get("runs")
        runs = [] if runs is None else check_list(runs, f"{field}.runs", "a list of runs")
        out[key] = {
            "status": status,
            "reason": reason,
            "runs": [check_run(run, f"{field}.runs[{i}]") for i, run in enumerate(runs)],
        }
    return out


# ---------------------------------------------------------------------------- criteria

# How a comparison reads when it holds, and when it does not (numbers, then dates).
_HOLDS = {">=": "is at least", ">": "is more than", "<=": "is at most", "<": "is less than",
          "==": "is", "!=": "is not"}  # fmt: skip
_FAILS = {">=": "is not at least", ">": "is not more than", "<=": "is not at most",
          "<": "is not less than", "==": "is not", "!=": "is"}  # fmt: skip
_DATE_HOLDS = {">=": "is on or after", ">": "is after", "<=": "is on or before",
               "<": "is before", "==": "is", "!=": "is not"}  # fmt: skip
_DATE_FAILS = {">=": "is not on or after", ">": "is not after", "<=": "is not on or before",
               "<": "is not before", "==": "is not", "!=": "is"}  # fmt: skip
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def chain_criterion(
    names: Iterable[str], own: Mapping[str, tuple[Tri, frozenset[str]]]
) -> tuple[Tri, frozenset[str]] | None:
    """The criteria of a standard and of the standards it extends (`names`), as one: true
    when all hold, false when one fails, else unknown with the inputs behind the unknown
    ones. `own` holds each standard's own criterion; None when none of them has one."""
    found = [own[name] for name in names if name in own]
    if not found:
        return None
    value = tri_all([v for v, _ in found])
    if value is not None:
        return value, frozenset()
    return None, frozenset().union(*(u for v, u in found if v is None))


def explaining(kind: str, value: Tri, children: Sequence[Tri]) -> list[int]:
    """The operands that explain a node's value: those with the same value (for `not`, with
    the opposite value). A false `and` is explained by its false operands, an unknown one by
    its unknown operands, a false `or` by all of them."""
    want = tri_not(value) if kind == "not" else value
    return [i for i, v in enumerate(children) if v is want]


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _amount(value: Any, unit: str | None, factor: float, plural: str | None = None) -> str:
    """A measured value in the unit the policy wrote its bound in (`12%`, `7.5 months`;
    `plural` is the unit's plural, used for any amount but 1)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return tri_word(value)
    text = f"{value / factor:.6g}"
    if unit is None:
        return text
    if unit in ("%", "x"):
        return text + unit
    return f"{text} {unit if text == '1' or plural is None else plural}"


def _operand(spec: Mapping[str, Any], ev: Mapping[str, Any],
             as_of: datetime.date | None) -> tuple[Any, str, list[str]]:  # fmt: skip
    """(value, how it is named, the inputs not given) of one side of a comparison."""
    if "const" in spec:
        return spec["const"], spec["text"], []
    if "since" in spec:
        name = spec["since"]
        start = ev.get(name)
        missing = ([name] if start is None else []) + (["as_of"] if as_of is None else [])
        return days_since(start, as_of), f"time since {name}", missing
    name = spec["evidence"]
    value = ev.get(name)
    return value, name, [name] if value is None else []


def figure(
    spec: Mapping[str, Any],
    holds: Tri,
    ev: Mapping[str, Any],
    as_of: datetime.date | None,
    interval: tuple[int, int] | None,
) -> dict[str, Any]:
    """One comparison, level test or fact that a criterion read, with its figures: what was
    measured (`value`), the operator and the `bound`, whether it `holds`, and a sentence.
    `spec` describes the leaf (`rspl.wording.figure_spec`); `interval` is [lo, hi] of the
    domain a level test reads, as the assessment gave it."""
    kind = spec["kind"]
    if kind == "fact":
        name = spec["name"]
        value = ev.get(name)
        said = "is not given" if value is None else f"is {tri_word(value)}"
        return {"evidence": name, "value": value, "holds": holds, "text": f"{name} {said}"}
    if kind == "level":
        domain, levels, op = spec["domain"], spec["levels"], spec["op"]
        lo, hi = interval if interval is not None else (0, len(levels))
        reached = levels[lo - 1] if lo else None
        unsure = levels[hi - 1] if hi > lo else None
        if unsure is None:
            where = f"{domain} is at {reached}" if reached else f"{domain} is below every level"
        elif reached is None:
            where = f"{domain} cannot rule out {unsure}"
        else:
            where = f"{domain} reached {reached} and cannot rule out {unsure}"
        return {
            "determination": domain,
            "value": {"reached": reached, "cannot_rule_out": unsure},
            "op": op,
            "bound": spec["level"],
            "holds": holds,
            "text": f"{domain} {op} {spec['level']} is {tri_word(holds)} ({where})",
        }
    op, left, right = spec["op"], spec["left"], spec["right"]
    if "const" in left and "const" not in right:  # the measured side first
        left, right, op = right, left, _FLIP[op]
    value, name, missing = _operand(left, ev, as_of)
    bound, bound_name, missing_bound = _operand(right, ev, as_of)
    missing += [m for m in missing_bound if m not in missing]
    if value is None or bound is None:
        text = f"{name} is not given" if missing == [name] else (
            f"{name} is not known ({', '.join(missing)} not given)")
    else:
        dated = isinstance(value, datetime.date)
        words = (_DATE_HOLDS if holds else _DATE_FAILS) if dated else _HOLDS if holds else _FAILS
        unit, factor, plural = right.get("unit"), right.get("factor", 1.0), right.get("plural")
        shown = bound_name if "const" in right else f"{bound_name} {_amount(bound, unit, factor)}"
        text = f"{name} {_amount(value, unit, factor, plural)} {words[op]} {shown}"
    subject = left.get("evidence", left.get("since"))
    return {"evidence": subject, "value": _json(value), "op": op, "bound": _json(bound),
            "holds": holds, "text": text}  # fmt: skip


def criterion_entry(
    kind: str,
    target: str,
    rule: str | None,
    criterion: str,
    holds: Tri,
    because: Iterable[Mapping[str, Any]],
    anchors: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """A decision's entry for a safeguard, standard or requirement (`kind`) that does not
    count because its criterion is false (`holds` false) or unknown (None): the criterion
    as written, the figures that decided it (each once, in reading order) and its sources.
    `rule` names the rule of a requirement."""
    seen: list[Mapping[str, Any]] = []
    for item in because:
        if item not in seen:
            seen.append(item)
    return {
        "target": target,
        "kind": kind,
        "rule": rule,
        "criterion": criterion,
        "holds": holds,
        "because": [dict(item) for item in seen],
        "anchors": [dict(a) for a in anchors],
    }


def criteria_order(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries each once, by target, then kind, then rule."""
    out: list[dict[str, Any]] = []
    for item in sorted(entries, key=lambda x: (x["target"], x["kind"], x["rule"] or "")):
        if item not in out:
            out.append(item)
    return out


# ---------------------------------------------------------------------------- standards


class Standard(NamedTuple):
    """A standard of the policy: its family, the standards it extends (nearest first), its
    expanded safeguards, and whether it is a typed hole (`not yet defined`)."""

    family: str
    ancestors: tuple[str, ...]
    safeguards: tuple[str, ...]
    hole: bool


def expand_standards(
    rows: Mapping[str, tuple[str, str | None, tuple[str, ...], bool]],
) -> dict[str, Standard]:
    """Each standard of the generated table, written as (family, the standard it extends or
    None, its own safeguards, hole), expanded as the compiler expands it (`rspl/lower.py`):
    its ancestors nearest first; its safeguards those of its parent, then its own not already
    there, each once; a hole if it or an ancestor is one. The evaluator and the why-not search
    both use it. Each is built from its parent's, without recursion, so a chain as deep as
    `docs/limits.md` allows costs what it returns."""
    out: dict[str, Standard] = {}
    for name in rows:
        path: list[str] = []  # name, then its ancestors not yet expanded, nearest first
        on_path: set[str] = set()
        cur: str | None = name
        while cur is not None and cur not in out and cur in rows and cur not in on_path:
            path.append(cur)
            on_path.add(cur)
            cur = rows[cur][1]
        for std in reversed(path):
            family, parent, own, hole = rows[std]
            if parent is None or parent not in out:
                out[std] = Standard(family, (), tuple(dict.fromkeys(own)), hole)
                continue
            up = out[parent]
            added = dict.fromkeys(x for x in own if x not in up.safeguards)  # a scan, no set
            out[std] = Standard(
                family, (parent, *up.ancestors), (*up.safeguards, *added), hole or up.hole
            )
    return {name: out[name] for name in rows}  # in the policy's order
