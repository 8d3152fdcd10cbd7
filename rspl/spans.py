"""Source positions. One helper turns Lark positions into spans (`span_of`)."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Span:
    """A range of source text: file, 0-based character offsets, 1-based line and column.

    `end_line`/`end_column` point just past the last character, as Lark reports them.
    """

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

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
