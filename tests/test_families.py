"""Measurement families (`evidence x: fraction per attack (gcg, pair)`): the three-valued rules
of `rspl.semantics` against a brute-force oracle, and the document's wording.

The oracle: a test over a family with missing members is true when it is true however the
missing members are filled in, false when false however they are filled in, and unknown
otherwise. Filling each missing member with a value below, at and above every constant in play
covers every case the comparisons can tell apart.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from rspl import semantics
from rspl.backends.markdown import render
from rspl.pipeline import compile_source

OPS = (">=", "<=", ">", "<", "==", "!=")
MEMBERS = ("a", "b", "c")
FILL = (-1, 0, 1, 2, 3, 4)  # around every constant drawn (0 to 3)
_CMP = {
    ">=": lambda x, y: x >= y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
    "<": lambda x, y: x < y, "==": lambda x, y: x == y, "!=": lambda x, y: x != y,
}  # fmt: skip

values = st.lists(st.none() | st.integers(0, 3), min_size=1, max_size=3)


def _oracle(known: list[Any], decide: Any) -> bool | None:
    """The value of `decide(complete values)` over every way to fill the missing ones."""
    holes = [i for i, v in enumerate(known) if v is None]
    seen = set()
    for fill in itertools.product(FILL, repeat=len(holes)):
        full = list(known)
        for i, v in zip(holes, fill, strict=True):
            full[i] = v
        seen.add(decide(full))
    return seen.pop() if len(seen) == 1 else None


@settings(max_examples=examples(300))
@given(values, st.sampled_from(OPS), st.integers(0, 3), st.sampled_from(("all", "any", "least")),
       st.integers(1, 3))  # fmt: skip
def test_member_test_is_exact(vals: list[Any], op: str, bound: int, q: str, n: int) -> None:
    members = MEMBERS[: len(vals)]
    got = dict(zip(members, vals, strict=True))
    count = 0 if q == "all" else 1 if q == "any" else n
    need = len(vals) if q == "all" else count
    expected = _oracle(vals, lambda full: sum(_CMP[op](v, bound) for v in full) >= need)
    assert semantics.member_test(count, op, got, members, semantics.point(bound)) is expected


@settings(max_examples=examples(300))
@given(values, st.sampled_from(OPS), st.integers(0, 3), st.sampled_from(("max", "min")),
       st.booleans())  # fmt: skip
def test_bound_comparison_is_exact(vals: list[Any], op: str, c: int, which: str,
                                   left: bool) -> None:  # fmt: skip
    members = MEMBERS[: len(vals)]
    got = dict(zip(members, vals, strict=True))
    pick = max if which == "max" else min
    rng = semantics.member_bound(which, got, members)
    if left:
        found = semantics.compare_range(op, rng, semantics.point(c))
        expected = _oracle(vals, lambda full: _CMP[op](pick(full), c))
    else:
        found = semantics.compare_range(op, semantics.point(c), rng)
        expected = _oracle(vals, lambda full: _CMP[op](c, pick(full)))
    assert found is expected


@given(st.sampled_from(OPS), st.none() | st.integers(0, 3), st.none() | st.integers(0, 3))
def test_compare_range_on_points_is_compare(op: str, a: Any, b: Any) -> None:
    assert semantics.compare_range(op, semantics.point(a), semantics.point(b)) is (
        semantics.compare(op, a, b))  # fmt: skip


def test_open_family_without_members_is_unknown() -> None:
    """An open set given nothing is unknown for every test, never vacuously true."""
    for count in (0, 1, 2):
        assert semantics.member_test(count, ">", None, None, (0.05, 0.05)) is None
    assert semantics.member_bound("max", None, None) == (None, None)
    assert semantics.missing_members("x", None, None) == ["x"]
    assert semantics.check_members({}, "evidence.x", "fraction", None) is None


def test_declared_family_left_out_has_every_member_missing() -> None:
    assert semantics.missing_members("x", None, ("a", "b")) == ["x.a", "x.b"]
    assert semantics.member_test(1, ">", None, ("a", "b"), (0.0, 0.0)) is None


POLICY = """
policy fam "Families" {
  organization "Example Labs"
  version "1.0"
  combine highest standard per family
}
role RedTeam "Red team"
context deployment "Deployment"
safeguard hardening "Jailbreak hardening" source "§1"
evidence attack_success: fraction per attack (gcg, pair, tap) "Attack success rate"
  decided by RedTeam
rule gate "Jailbreak gate" {
  source "§4"
  when all attack_success <= 5% and max attack_success < 10%
  require hardening for deployment
}
"""


def test_document_words_families() -> None:
    result = compile_source("fam.rspl", POLICY)
    assert result.policy is not None
    text = next(iter(render(result.policy).values()))
    assert "measured per attack: `gcg`, `pair`, `tap`" in text
    assert (
        "the attack success rate of every attack (`gcg`, `pair` and `tap`) is at most 5% and "
        "the highest attack success rate of any attack is less than 10%" in text
    )
    assert "the attack success rate of `gcg`" in text  # needed, per member, as a precaution
