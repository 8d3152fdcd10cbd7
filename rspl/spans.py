"""Source positions. One helper turns Lark positions into spans (`span_of`)."""

from __future__ import annotations

from typing import Any


class Span:
    """A range of source text: file, 0-based character offsets, 1-based line and column.

    `end_line`/`end_column` point just past the last character, as Lark reports them.

    Immutable. A policy has about ten spans per declaration, so the six numbers are kept
    packed in one integer (each in `width` bits, the width in the lowest six): with the file
    name, 48 bytes for the object and about 40 for the integer, against 96 bytes and up to
    six integer objects of 28-32 bytes each as separate fields (docs/performance.md,
    "Memory against the source size")."""

    __slots__ = ("_packed", "file")

    file: str
    _packed: int

    def __init__(
        self, file: str, start: int, end: int, line: int, column: int, end_line: int,
        end_column: int,
    ) -> None:
        values = (start, end, line, column, end_line, end_column)
        if min(values) < 0:
            raise ValueError(f"a span's positions cannot be negative: {values}")
        width = max(v.bit_length() for v in values)
        packed = 0
        for v in values:
            packed = packed << width | v
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "_packed", packed << 6 | width)

    def _field(self, index: int) -> int:
        """The `index`-th of (start, end, line, column, end_line, end_column)."""
        width = self._packed & 63
        return self._packed >> (6 + width * (5 - index)) & ((1 << width) - 1)

    @property
    def start(self) -> int:
        return self._field(0)

    @property
    def end(self) -> int:
        return self._field(1)

    @property
    def line(self) -> int:
        return self._field(2)

    @property
    def column(self) -> int:
        return self._field(3)

    @property
    def end_line(self) -> int:
        return self._field(4)

    @property
    def end_column(self) -> int:
        return self._field(5)

    def _fields(self) -> tuple[str, int, int, int, int, int, int]:
        return (self.file, self.start, self.end, self.line, self.column, self.end_line,
                self.end_column)  # fmt: skip

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Span is immutable (setting {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Span is immutable (deleting {name!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        assert isinstance(other, Span)
        return self.file == other.file and self._packed == other._packed

    def __hash__(self) -> int:
        return hash((self.file, self._packed))

    def __repr__(self) -> str:
        file, start, end, line, column, end_line, end_column = self._fields()
        return (f"Span(file={file!r}, start={start}, end={end}, line={line}, column={column}, "
                f"end_line={end_line}, end_column={end_column})")  # fmt: skip

    def __reduce__(self) -> tuple[Any, ...]:
        return (Span, self._fields())

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
