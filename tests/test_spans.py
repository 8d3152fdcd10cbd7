"""Spans (`rspl.spans.Span`): each of the six positions and the file read back as given,
whatever their sizes; equal exactly when file and positions are; immutable; picklable by
file name (a span's file number means nothing in another process)."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rspl.spans import Span

POSITION = st.one_of(st.integers(0, 200), st.integers(0, 2**40))
FILE = st.sampled_from(["main.rspl", "lib/a.rspl", "<stdin>", "é.rspl", ""])
FIELDS = st.tuples(FILE, POSITION, POSITION, POSITION, POSITION, POSITION, POSITION)


@given(FIELDS)
def test_fields_read_back(fields: tuple[str, int, int, int, int, int, int]) -> None:
    span = Span(*fields)
    assert (span.file, span.start, span.end, span.line, span.column, span.end_line,
            span.end_column) == fields  # fmt: skip
    assert span  # a span is never falsy, even at file 0, offset 0
    assert pickle.loads(pickle.dumps(span)) == span
    assert copy.deepcopy(span) is span


@given(FIELDS, FIELDS)
def test_equal_exactly_when_file_and_positions_are(
    a: tuple[str, int, int, int, int, int, int], b: tuple[str, int, int, int, int, int, int]
) -> None:
    assert (Span(*a) == Span(*b)) == (a == b)
    assert (Span(*a) != Span(*b)) == (a != b)
    if a == b:
        assert hash(Span(*a)) == hash(Span(*b))


def test_immutable() -> None:
    span = Span("main.rspl", 0, 1, 1, 1, 1, 2)
    with pytest.raises(AttributeError):
        span.line = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        span.extra = 1  # type: ignore[attr-defined]


def test_negative_positions_and_other_files_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Span("main.rspl", -1, 0, 1, 1, 1, 1)
    with pytest.raises(TypeError, match="name"):
        Span(b"main.rspl", 0, 0, 1, 1, 1, 1)  # type: ignore[arg-type]


def test_a_new_file_name_gets_one_number_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    names = [f"threads-{i % 7}.rspl" for i in range(700)]
    with ThreadPoolExecutor(8) as pool:
        spans = list(pool.map(lambda name: Span(name, 0, 1, 1, 1, 1, 2), names))
    for name, span in zip(names, spans, strict=True):
        assert span == Span(name, 0, 1, 1, 1, 1, 2) and span.file == name
