"""Source positions. One helper turns Lark positions into spans (`span_of`)."""

from __future__ import annotations

import threading
from typing import Any

# The file of a span is kept as a number into this table, one entry per distinct file name the
# process has seen (names only, never texts: a language server that re-checks a file a
# thousand times adds one entry). Entries are never removed; a number means the same file for
# the life of the process.
_FILES: list[str] = []
_FILE_NUMBERS: dict[str, int] = {}


_FILES_LOCK = threading.Lock()  # two threads meeting a new name must not number it twice


def _file_number(file: str) -> int:
    number = _FILE_NUMBERS.get(file)
    if number is None:
        if not isinstance(file, str):
            raise TypeError(f"a span's file is a name (str), not {type(file).__name__}")
        with _FILES_LOCK:
            number = _FILE_NUMBERS.get(file)
            if number is None:
                _FILES.append(file)
                number = _FILE_NUMBERS[file] = len(_FILES) - 1
    return number


class Span(int):
    """A range of source text: file, 0-based character offsets, 1-based line and column.

    `end_line`/`end_column` point just past the last character, as Lark reports them.

    Immutable. A policy has about ten spans per declaration, so a span is one integer: the
    file's number (`_FILES`) and the six positions, each in `width` bits, with the width in
    the lowest six bits. An `int` subclass without slots has no per-object dictionary: 48 to
    64 bytes a span, against 88 for an object holding a packed integer and the file name, and
    some 200 for seven separate fields (docs/performance.md, "Memory: spans as integers").
    It is an `int` only for its storage: compare spans with `==` (same file and positions)
    and read their fields; their order and arithmetic mean nothing."""

    __slots__ = ()

    def __new__(
        cls, file: str, start: int, end: int, line: int, column: int, end_line: int,
        end_column: int,
    ) -> Span:  # fmt: skip
        values = (_file_number(file), start, end, line, column, end_line, end_column)
        if min(values) < 0:
            raise ValueError(f"a span's positions cannot be negative: {values[1:]}")
        width = max(max(v.bit_length() for v in values), 1)
        if width > 63:
            raise ValueError(f"a span's positions are too large: {values[1:]}")
        packed = 0
        for v in values:
            packed = packed << width | v
        return int.__new__(cls, packed << 6 | width)

    def _field(self, index: int) -> int:
        """The `index`-th of (file number, start, end, line, column, end_line, end_column)."""
        width = self & 63  # int's operators on a Span give plain ints
        return self >> (6 + width * (6 - index)) & ((1 << width) - 1)

    @property
    def file(self) -> str:
        return _FILES[self._field(0)]

    @property
    def start(self) -> int:
        return self._field(1)

    @property
    def end(self) -> int:
        return self._field(2)

    @property
    def line(self) -> int:
        return self._field(3)

    @property
    def column(self) -> int:
        return self._field(4)

    @property
    def end_line(self) -> int:
        return self._field(5)

    @property
    def end_column(self) -> int:
        return self._field(6)

    def _fields(self) -> tuple[str, int, int, int, int, int, int]:
        return (self.file, self.start, self.end, self.line, self.column, self.end_line,
                self.end_column)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        return int.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        return int.__ne__(self, other)

    __hash__ = int.__hash__

    def __repr__(self) -> str:
        file, start, end, line, column, end_line, end_column = self._fields()
        return (f"Span(file={file!r}, start={start}, end={end}, line={line}, column={column}, "
                f"end_line={end_line}, end_column={end_column})")  # fmt: skip

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        # by file name, not number: the number means nothing in another process
        return (Span, self._fields())

    def __copy__(self) -> Span:
        return self

    def __deepcopy__(self, memo: Any) -> Span:
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


def span_of(file: str, item: Any) -> Span:
    """The span of a Lark token or tree meta (anything with Lark's position attributes)."""
    start = getattr(item, "start_pos", None)
    if start is None:
        return Span(file, 0, 0, 1, 1, 1, 1)
    return Span(
        file,
        start,
        item.end_pos,
        item.line,
        item.column,
        item.end_line,
        item.end_column,
    )


def join(a: Span, b: Span) -> Span:
    """The span covering `a` through `b` (same file)."""
    return Span(a.file, a.start, b.end, a.line, a.column, b.end_line, b.end_column)
