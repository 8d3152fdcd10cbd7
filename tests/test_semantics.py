"""The leaf rules of the semantics (`rspl/semantics.py`), exhaustively: truth tables of the
three-valued connectives, every level operator on every interval shape, comparisons, calendar
arithmetic, obligation status and every validator. Three-valued results are checked against
their definition by *supervaluation*: a result is True (False) exactly when every way of
filling in the unknowns makes it so.

The last tests check that these rules have one home: nothing else in `rspl/` defines them,
and every generated evaluator holds the module's text verbatim.
"""

from __future__ import annotations

import ast
import calendar
import datetime
import itertools
import math
import operator
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rspl import semantics as sem
from rspl.backends.python import generate, semantics_source, split_imports
from rspl.semantics import AssessmentError, Tri

ROOT = Path(__file__).resolve().parent.parent
TRI: tuple[Tri, ...] = (True, False, None)
OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


def supervalue(outcomes: Iterable[bool]) -> Tri:
    """True when every completion is true, False when every one is false, else unknown."""
    seen = set(outcomes)
    return None if len(seen) != 1 else seen.pop()


def completions(values: tuple[Tri, ...]) -> Iterable[tuple[bool, ...]]:
    choices = [(v,) if v is not None else (False, True) for v in values]
    return itertools.product(*choices)


# ---------------------------------------------------------------------------- logic


def test_not_truth_table() -> None:
    assert [sem.tri_not(v) for v in TRI] == [False, True, None]


@pytest.mark.parametrize("size", range(5))
def test_connectives_are_their_supervaluation(size: int) -> None:
    for values in itertools.product(TRI, repeat=size):
        worlds = list(completions(values))
        assert sem.tri_all(values) == supervalue(all(w) for w in worlds), values
        assert sem.tri_any(values) == supervalue(any(w) for w in worlds), values
        for count in range(-1, size + 2):
            want = supervalue(sum(w) >= count for w in worlds)
            assert sem.at_least(count, values) == want, (count, values)


def test_empty_connectives() -> None:
    assert sem.tri_all(()) is True  # `all of ()` holds
    assert sem.tri_any(()) is False  # `any of ()` does not
    assert sem.at_least(0, ()) is True
    assert sem.at_least(1, ()) is False


def test_words_and_statuses() -> None:
    assert [sem.tri_word(v) for v in TRI] == ["true", "false", "unknown"]
    assert sem.RULE_STATUS == {True: "triggered", False: "not_triggered", None: "precautionary"}


def test_in_place() -> None:
    assert sem.in_place("a", ["a"], {}) is True
    assert sem.in_place("a", frozenset(), {"a": frozenset({"x"})}) is None
    assert sem.in_place("a", (), {}) is False
    assert sem.in_place("a", {"a"}, {"a": frozenset()}) is True  # surely in place wins


# ---------------------------------------------------------------------------- levels


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("levels", range(1, 5))
def test_level_comparison_on_every_interval(op: str, levels: int) -> None:
    """Every interval [lo, hi] of ranks 0..levels (0 = below every level), every rank (also
    outside the scale): the value is the supervaluation over the points of the interval."""
    for lo in range(levels + 1):
        for hi in range(lo, levels + 1):
            for rank in range(-1, levels + 3):
                want = supervalue(OPS[op](p, rank) for p in range(lo, hi + 1))
                assert sem.level_cmp(op, lo, hi, rank) == want, (op, lo, hi, rank)


def test_point_intervals_are_decided() -> None:
    for op, p, rank in itertools.product(OPS, range(5), range(5)):
        assert sem.level_cmp(op, p, p, rank) is OPS[op](p, rank)


def test_rule_out_never_drops_below_reached() -> None:
    for lo, hi, rank in itertools.product(range(5), range(5), range(6)):
        if hi < lo:
            continue
        top = sem.rule_out(lo, hi, rank)
        assert lo <= top <= hi
        assert top < rank or top == lo  # ruled out, unless the assessment says reached
        if lo < rank:
            assert top == min(hi, rank - 1)


# ---------------------------------------------------------------------------- values


@pytest.mark.parametrize("op", sorted(OPS))
def test_compare_numbers_and_dates(op: str) -> None:
    numbers = (-1.5, 0.0, 2.0, 4.0)
    for a, b in itertools.product(numbers, repeat=2):
        assert sem.compare(op, a, b) is OPS[op](a, b)
    dates = (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    for a, b in itertools.product(dates, repeat=2):
        assert sem.compare(op, a, b) is OPS[op](a, b)
    for a, b in ((None, 1.0), (1.0, None), (None, None)):
        assert sem.compare(op, a, b) is None


def test_days_since() -> None:
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 3, 1)
    assert sem.days_since(start, end) == 59.0
    assert sem.days_since(end, start) == -59.0
    assert sem.days_since(None, end) is None
    assert sem.days_since(start, None) is None


def _reference_add(start: datetime.date, months: int, days: int) -> datetime.date:
    year = start.year + (start.month - 1 + months) // 12
    month = (start.month - 1 + months) % 12 + 1
    if not 1 <= year <= 9999:
        return datetime.date.max
    day = min(start.day, calendar.monthrange(year, month)[1])
    try:
        return datetime.date(year, month, day) + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


@given(
    st.dates(min_value=datetime.date(1, 1, 1)),
    st.integers(min_value=0, max_value=120_000),
    st.integers(min_value=0, max_value=4_000_000),
)
def test_add_period_matches_the_calendar(start: datetime.date, months: int, days: int) -> None:
    assert sem.add_period(start, months, days) == _reference_add(start, months, days)


def test_add_period_examples() -> None:
    d = datetime.date
    assert sem.add_period(d(2025, 1, 31), 1, 0) == d(2025, 2, 28)
    assert sem.add_period(d(2024, 1, 31), 1, 0) == d(2024, 2, 29)
    assert sem.add_period(d(2025, 4, 15), 12, 0) == d(2026, 4, 15)
    assert sem.add_period(d(2025, 12, 31), 2, 1) == d(2026, 3, 1)
    assert sem.add_period(d(9999, 12, 1), 1, 0) == d.max
    assert sem.add_period(d(9999, 12, 30), 0, 5) == d.max


def test_combine_standards() -> None:
    ancestors = {"A1": (), "A2": ("A1",), "A3": ("A2", "A1"), "B1": ()}
    assert sem.combine_standards("highest", {"A1", "A3", "B1"}, ancestors) == {"A3", "B1"}
    assert sem.combine_standards("highest", {"A1", "A2"}, ancestors) == {"A2"}
    assert sem.combine_standards("all", {"A1", "A3"}, ancestors) == {"A1", "A3"}
    assert sem.combine_standards("highest", set(), ancestors) == frozenset()


def test_standards_in_place() -> None:
    assert sem.standard_in_place(False, ("a", "b"), {"a", "b", "c"}) is True
    assert sem.standard_in_place(False, ("a", "b"), ["a"]) is False
    assert sem.standard_in_place(False, (), ()) is True  # nothing to be in place
    assert sem.standard_in_place(True, (), {"a"}) is False  # a hole never is
    sure, maybe = {"a", "b"}, {"c": frozenset({"x"})}
    rows = [("S1", False, ("a",)), ("S2", False, ("a", "c")), ("S3", True, ()),
            ("S4", False, ("a", "d")), ("S5", False, ())]  # fmt: skip
    sem.complete_standards(rows, sure, maybe)
    assert sure == {"a", "b", "S1", "S5"}
    assert maybe == {"c": frozenset({"x"}), "S2": frozenset({"x"})}


# ---------------------------------------------------------------------------- obligations

D = datetime.date


@pytest.mark.parametrize(
    ("due", "opens", "as_of", "recurring", "settled", "want"),
    [
        (None, None, None, False, False, "open"),
        (None, None, D(2025, 1, 1), False, False, "open"),
        (D(2025, 2, 1), None, None, False, False, "due"),
        (D(2025, 2, 1), None, D(2025, 2, 1), False, False, "due"),
        (D(2025, 2, 1), None, D(2025, 2, 2), False, False, "overdue"),
        (D(2025, 2, 1), None, D(2025, 2, 2), False, True, "done"),
        (None, None, D(2025, 2, 2), True, False, "due"),  # start unknown: fail-closed
        (D(2025, 6, 1), D(2025, 3, 1), None, True, False, "due"),  # date unknown
        (D(2025, 6, 1), D(2025, 3, 1), D(2025, 2, 28), True, False, "open"),
        (D(2025, 6, 1), D(2025, 3, 1), D(2025, 3, 1), True, False, "due"),
        (D(2025, 6, 1), D(2025, 3, 1), D(2025, 6, 1), True, False, "due"),
        (D(2025, 6, 1), D(2025, 3, 1), D(2025, 6, 2), True, False, "overdue"),
        (D(2025, 6, 1), D(2025, 3, 1), D(2025, 6, 2), True, True, "done"),
    ],
)
def test_obligation_status(
    due: D | None, opens: D | None, as_of: D | None, recurring: bool, settled: bool, want: str
) -> None:
    got = sem.obligation_status(due, opens, as_of, recurring=recurring, done=settled)
    assert got == want


def test_obligation_status_lifted_and_in_force() -> None:
    """An obligation whose `until` holds is lifted, not done; a standing duty (prohibition,
    blocking action) is in force until then; a duty both done and lifted reads done."""
    due, later = D(2025, 2, 1), D(2025, 3, 1)
    status = sem.obligation_status
    assert status(None, None, None, recurring=False, done=False, lifted=True) == "lifted"
    assert status(due, None, later, recurring=False, done=False, lifted=True) == "lifted"
    assert status(None, None, None, recurring=False, done=True, lifted=True) == "done"
    assert status(None, None, None, recurring=False, done=False, standing=True) == "in_force"
    assert status(None, None, None, recurring=False, done=False, lifted=True,
                  standing=True) == "lifted"  # fmt: skip
    assert sem.standing_duty("must", True, False, "none")  # must not publish weights
    assert sem.standing_duty("should", True, False, "until")  # should not ..., until
    assert sem.standing_duty("must", False, True, "until")  # must restrict ... until
    assert not sem.standing_duty("must", False, True, "before")  # a task before a context
    assert not sem.standing_duty("should", False, True, "none")  # not binding


def test_block_reasons() -> None:
    assert sem.block_reason("r", "publish", ["weights"], "in_force", True) == (
        "prohibited: publish weights (rule r)"
    )
    assert sem.block_reason("r", "restrict", ["external_deployment"], "in_force", False) == (
        "in force: restrict external_deployment (rule r)"
    )
    assert sem.block_reason("r", "notify", ["Board"], "open", False) == (
        "obligation r.notify is not done"
    )


def test_obligation_blocks() -> None:
    asked = ("a", "b", "c")
    assert sem.obligation_blocks(True, "open", True, (), (), asked) == ["a", "b", "c"]
    assert sem.obligation_blocks(True, "due", True, ("b", "z"), (), asked) == ["b"]
    assert sem.obligation_blocks(True, "open", False, (), ("c", "a"), asked) == ["a", "c"]
    assert sem.obligation_blocks(True, "done", True, (), ("a",), asked) == []
    assert sem.obligation_blocks(False, "overdue", True, (), ("a",), asked) == []
    assert sem.obligation_blocks(True, "open", False, ("a",), (), asked) == []
    assert sem.obligation_blocks(True, "lifted", True, (), ("a",), asked) == []
    assert sem.obligation_blocks(True, "in_force", True, ("b",), (), asked) == ["b"]


_KINDS = ("none", "fixed", "event", "within", "recurring", "soft", "until", "before", "context")


@given(
    kind=st.sampled_from(_KINDS),
    start=st.none() | st.dates(D(2024, 1, 1), D(2026, 12, 31)),
    as_of=st.none() | st.dates(D(2024, 1, 1), D(2026, 12, 31)),
    period=st.tuples(st.integers(0, 12), st.integers(0, 40)),
    settled=st.booleans(),
    at=st.lists(st.sampled_from("abc"), max_size=2),
    asked=st.lists(st.sampled_from("abc"), max_size=3),
)
def test_duty_state(
    kind: str, start: D | None, as_of: D | None, period: tuple[int, int], settled: bool,
    at: list[str], asked: list[str],
) -> None:  # fmt: skip
    """Soft deadlines are never due or late; `due at` is due exactly when asked about; a
    deadline waiting for its event is due (never open) and says which event; done wins."""
    event = "e" if kind in ("event", "within", "recurring") else None
    if kind == "fixed" and start is None:
        start = D(2025, 6, 1)
    opens = (0, 0) if kind == "recurring" else None
    status, due, waiting = sem.duty_state(
        kind, start, event, period if kind in ("within", "recurring") else None, opens, as_of,
        done=settled, at=at if kind == "context" else (), asked=asked,
    )  # fmt: skip
    if settled:
        assert status == "done" and waiting is None
        return
    if kind == "soft":
        assert (status, due) == ("open", None)
    elif kind == "context":
        assert status == ("due" if set(at) & set(asked) else "open") and due is None
    elif event is not None and start is None:
        assert (status, due, waiting) == ("due", None, "e")
    else:
        assert waiting is None
        if due is not None and as_of is not None and as_of > due:
            assert status == "overdue"


# ---------------------------------------------------------------------------- validation


def _error(fn: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(AssessmentError) as info:
        fn()
    return info.value.field, info.value.expected


def test_assessment_keys() -> None:
    assert sem.check_assessment({"as_of": None}) == {"as_of": None}
    assert _error(lambda: sem.check_assessment([])) == ("assessment", "a JSON object")
    field, expected = _error(lambda: sem.check_assessment({"zeta": 1, "alpha": 2}))
    assert field == "alpha" and expected.startswith("one of the keys approved, as_of, contexts")


def test_dates() -> None:
    assert sem.check_date("2024-02-29", "f") == D(2024, 2, 29)
    assert sem.check_date(None, "f") is None
    for bad in ("2025-02-29", "2025-W01-1", "20250101", "2025-1-01", 20250101, D(2025, 1, 1)):
        got = _error(lambda bad=bad: sem.check_date(bad, "f"))
        assert got == ("f", "a date written YYYY-MM-DD")


def test_numbers() -> None:
    assert sem.check_number(3, "f", "multiplier") == 3.0
    assert sem.check_number(2.5, "f", "multiplier") == 2.5
    assert _error(lambda: sem.check_number(True, "f", "count")) == ("f", "a number (count)")
    assert _error(lambda: sem.check_number("1", "f", "count")) == ("f", "a number (count)")
    for bad in (math.nan, math.inf, -math.inf, 10**400):
        got = _error(lambda bad=bad: sem.check_number(bad, "f", "money"))
        assert got == ("f", "a finite number (money)")


def test_evidence_values() -> None:
    kinds = {"ok": "fact", "when": "date", "growth": "multiplier"}
    raw = {"ok": False, "when": "2025-01-02", "growth": 4, "unset": None}
    assert _error(lambda: sem.check_evidence_values(raw, kinds))[0] == "evidence.unset"
    del raw["unset"]
    got = sem.check_evidence_values({**raw, "growth": None}, kinds)
    assert got == {"ok": False, "when": D(2025, 1, 2)}
    assert _error(lambda: sem.check_evidence_values({"ok": 1}, kinds)) == (
        "evidence.ok", "true or false")
    assert _error(lambda: sem.check_evidence_values([], kinds))[0] == "evidence"


def test_determinations() -> None:
    domains = {"Bio": ({"Low": 1, "High": 2}, "Low, High")}
    check = sem.check_determinations
    assert check({"Bio": "High"}, domains) == {"Bio": (2, 2)}
    assert check({"Bio": {"cannot_rule_out": "High"}}, domains) == {"Bio": (0, 2)}
    assert check({"Bio": {"reached": "Low", "cannot_rule_out": "High"}}, domains) == {
        "Bio": (1, 2)}
    assert check({"Bio": None}, domains) == {}
    assert check({"Bio": {}}, domains) == {"Bio": (0, 0)}
    cases = [
        ({"Cyber": "Low"}, "determinations.Cyber", "a domain: Bio"),
        ({"Bio": "Mid"}, "determinations.Bio.reached", "a level: Low, High"),
        ({"Bio": 2}, "determinations.Bio",
         'an object {"reached": LEVEL, "cannot_rule_out": LEVEL}'),
        ({"Bio": {"level": "Low"}}, "determinations.Bio.level",
         "reached, cannot_rule_out, provisional or carried_forward"),
        ({"Bio": {"reached": "High", "cannot_rule_out": "Low"}},
         "determinations.Bio.cannot_rule_out", "a level at or above the level reached"),
        ({"Bio": {"cannot_rule_out": ["High"]}}, "determinations.Bio.cannot_rule_out",
         "a level: Low, High"),
        ({1: "Low"}, "determinations.1", "a domain: Bio"),
    ]  # fmt: skip
    for raw, field, expected in cases:
        assert _error(lambda raw=raw: check(raw, domains)) == (field, expected)
    assert _error(lambda: check("Bio", domains))[0] == "determinations"


def test_implemented_done_and_contexts() -> None:
    known = frozenset({"a", "b"})
    assert sem.check_implemented(["a", "a"], known) == {"a"}
    assert sem.check_implemented(("b",), known) == {"b"}
    assert _error(lambda: sem.check_implemented("a", known))[0] == "implemented"
    assert _error(lambda: sem.check_implemented(["a", ["b"]], known))[0] == "implemented[1]"
    pairs = frozenset({("r", "notify")})
    assert sem.check_done([{"rule": "r", "action": "notify"}], pairs) == pairs
    assert _error(lambda: sem.check_done([{"rule": "r"}], pairs))[0] == "done[0]"
    assert _error(lambda: sem.check_done([{"rule": "r", "action": "x"}], pairs)) == (
        "done[0]", "an obligation of the policy")
    every = ("training", "external")
    assert sem.check_contexts(None, every) == every
    assert sem.check_contexts(["external", "training"], every) == every
    assert sem.check_contexts(["external"], every) == ("external",)
    assert _error(lambda: sem.check_contexts(["internal"], every)) == (
        "contexts[0]", "a context: external, training")
    assert _error(lambda: sem.check_contexts("training", every))[0] == "contexts"


def test_error_message_shows_the_value_shortened() -> None:
    err = AssessmentError("f", "something", "x" * 100)
    assert str(err).startswith("f: expected something, got 'xxx")
    assert "..." in str(err) and len(str(err)) < 100


# ---------------------------------------------------------------------------- one home

SINGLE_SOURCED = {
    "tri_not", "at_least", "tri_all", "tri_any", "tri_word", "level_cmp", "compare",
    "days_since", "rule_out", "in_place", "combine_standards", "add_period",
    "obligation_status", "obligation_blocks", "duty_state", "AssessmentError", "check_date",
    "check_number", "check_evidence", "check_determination", "check_determinations",
    "check_evidence_values", "check_implemented", "check_done", "check_contexts",
    "check_assessment", "standard_in_place", "complete_standards",
}  # fmt: skip
# Names the old copies had, that a new copy would likely take again.
OLD_COPIES = {"_level", "_add", "_date", "_number", "_rank", "_apply", "_tri", "_OPS"}


def test_semantics_module_uses_the_standard_library_only() -> None:
    imports, _ = split_imports(semantics_source())
    for stmt in imports:
        names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module]
        for name in names:
            assert name is not None and not name.startswith("rspl"), name


def test_no_second_definition_in_the_package() -> None:
    for path in sorted((ROOT / "rspl").rglob("*.py")):
        if path.name == "semantics.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level: methods named after grammar rules are fine
            name = None
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                name = targets[0] if targets else None
            if name in SINGLE_SOURCED or name in OLD_COPIES:
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} defines `{name}` again: "
                            "it belongs in rspl/semantics.py")  # fmt: skip


def test_generated_module_holds_the_semantics_verbatim() -> None:
    from rspl.pipeline import compile_file

    policy = compile_file(str(ROOT / "examples" / "gdm-fsf-v3.0.rspl")).policy
    assert policy is not None
    text = generate(policy)
    _, body = split_imports(semantics_source())
    assert text.count(body) == 1
    conditions = text[text.index("def _conditions(") :]
    assert "level_cmp(" in conditions and "tri_any(" in conditions
    assert " >= " not in conditions.split("\n_EVALUATOR", 1)[0]  # no inline copy of the rule
