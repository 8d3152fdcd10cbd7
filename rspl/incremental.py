"""Incremental re-parsing of one edited file, for the language server (`rspl.lsp`).

After an edit, only the declarations the edit touched are parsed again; those before it are
reused as they are, those after it with their spans moved by the edit. The result is exactly
what a full parse gives (a property test compares the two on random edits): the grammar is a
sequence of top-level declarations (`start: _item*`) and unambiguous (LALR), so when the
re-parsed region is itself a sequence of whole declarations, the unchanged declarations around
it parse as they did before. The region starts where a declaration before the edit ends and
ends at a line break before a declaration after it, so no token, comment or string crosses its
borders unnoticed: one that would makes the region fail to parse on its own, and then the
whole file is parsed. A file with a syntax error, or an expression nested too deep, is always
parsed whole.

`DocumentParser.parse` has `rspl.loader.parse_module`'s signature: pass it to
`rspl.pipeline.compile_source(parse_main=...)`.
"""

from __future__ import annotations

from typing import Any

import attrs

from rspl import diagnostics as dg
from rspl import nodes as n
from rspl.builder import ItemBuilder
from rspl.diagnostics import Diagnostic, Reporter
from rspl.loader import build_module
from rspl.parser import parse
from rspl.spans import Span

SYNTAX_ERRORS = frozenset(
    c.code for c in (dg.UNEXPECTED_TOKEN, dg.INVALID_CHARACTER, dg.UNEXPECTED_END,
                     dg.UNTERMINATED_TEXT)
)  # fmt: skip
"""The codes of a text that does not parse."""
NOT_CLEAN = SYNTAX_ERRORS | {dg.EXPRESSION_TOO_DEEP.code}


@attrs.frozen
class Parsed:
    """One file as last parsed: its text, its declarations, what parsing reported."""

    text: str
    items: tuple[n.Item, ...]
    diagnostics: tuple[Diagnostic, ...]
    clean: bool  # no syntax error and nothing too deep: the items are the whole file


class DocumentParser:
    """Parses successive versions of files, each from the last version that parsed without
    errors (typing passes through texts that do not parse: the first one that does again is
    re-parsed from the version before them)."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str, bool], Parsed] = {}
        self.reused = 0  # how many parses were incremental (for tests and the benchmark)

    def forget(self, label: str) -> None:
        """Drop what is kept of the file `label` (its document was closed)."""
        for key in [k for k in self.last if k[1] == label]:
            del self.last[key]

    def parse(self, name: str, label: str, text: str, reporter: Reporter, stdlib: bool) -> n.Module:
        key = (name, label, stdlib)
        prev = self.last.get(key)
        done = reparse(prev, text, label) if prev is not None else None
        if done is None:
            held = Reporter()
            module = build_module(name, label, text, held, stdlib)
            clean = not any(d.code in NOT_CLEAN for d in held.diagnostics)
            done = Parsed(text, module.items, tuple(held.diagnostics), clean)
        else:
            self.reused += 1
        if done.clean:  # the next version is parsed from the last one without errors
            self.last[key] = done
        reporter.take(done.diagnostics)
        return n.Module(name=name, path=label, items=done.items, is_stdlib=stdlib)


def reparse(prev: Parsed, text: str, label: str) -> Parsed | None:
    """`text` parsed from `prev`, the parse of an earlier version; None when the whole file
    must be parsed (the previous parse was not clean, or the edit's region does not parse on
    its own)."""
    old = prev.text
    if not prev.clean:
        return None
    if old == text:
        return prev
    # the edit: old[p:old_end] became text[p:new_end]
    limit = min(len(old), len(text))
    p = _common_prefix(old, text, limit)
    s = _common_suffix(old, text, limit - p)
    old_end, new_end = len(old) - s, len(text) - s
    items = prev.items
    # first item touched: the first that ends at or after the edit's start
    i = 0
    while i < len(items) and items[i].span.end < p:
        i += 1
    start = items[i - 1].span.end if i > 0 else 0
    # first item kept after the edit: starts after it, right after a line break
    k = i
    while k < len(items) and not (
        items[k].span.start > old_end and old[items[k].span.start - 1] == "\n"
    ):
        k += 1
    old_stop = items[k].span.start if k < len(items) else len(old)
    delta = len(text) - len(old)
    new_stop = old_stop + delta
    if new_stop < new_end or start > p:  # pragma: no cover - defensive: the region holds the edit
        return None
    region = _padded(text, start, new_stop)
    held = Reporter()
    builder = ItemBuilder(label, held)
    tree = parse(region, label, held, builder.build_item)
    if tree is None or builder.deep is not None:
        return None
    middle = builder.finish(tree)
    lines = text.count("\n", start, new_stop) - old.count("\n", start, old_stop)
    kept_after = tuple(_shift(item, label, delta, lines) for item in items[k:])
    before = [d for d in prev.diagnostics if d.span.start < start]
    after = [
        _shift_diagnostic(d, label, delta, lines)
        for d in prev.diagnostics
        if d.span.start >= old_stop
    ]
    return Parsed(
        text,
        (*items[:i], *middle, *kept_after),
        (*before, *held.diagnostics, *after),
        clean=True,
    )


def _common_prefix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit  # binary search on slices: C-speed comparisons
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _padded(text: str, start: int, stop: int) -> str:
    """`text[start:stop]` preceded by blanks with the same length, lines and last-line width
    as `text[:start]`, so the parser reports positions in `text`."""
    newlines = text.count("\n", 0, start)
    width = start - (text.rfind("\n", 0, start) + 1)
    return " " * (start - newlines - width) + "\n" * newlines + " " * width + text[start:stop]


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(cls: type) -> tuple[str, ...] | None:
    found = _FIELDS.get(cls, ())
    if found == ():
        found = tuple(f.name for f in attrs.fields(cls)) if attrs.has(cls) else None
        _FIELDS[cls] = found
    return found


def _shift_span(span: Span, label: str, delta: int, lines: int) -> Span:
    if span.file != label:
        return span
    return Span(
        span.file, span.start + delta, span.end + delta, span.line + lines, span.column,
        span.end_line + lines, span.end_column,
    )  # fmt: skip


def _shift(node: Any, label: str, delta: int, lines: int) -> Any:
    """A copy of `node` with every span of `label` moved by `delta` characters and `lines`
    lines (the columns do not change: the node starts on a line of its own)."""
    if isinstance(node, Span):
        return _shift_span(node, label, delta, lines)
    if isinstance(node, tuple):
        return tuple(_shift(x, label, delta, lines) for x in node)
    names = _fields(type(node))
    if names is None:
        return node
    copy = object.__new__(type(node))
    for name in names:
        object.__setattr__(copy, name, _shift(getattr(node, name), label, delta, lines))
    return copy


def _shift_diagnostic(d: Diagnostic, label: str, delta: int, lines: int) -> Diagnostic:
    return attrs.evolve(
        d,
        span=_shift_span(d.span, label, delta, lines),
        labels=tuple(
            attrs.evolve(lb, span=_shift_span(lb.span, label, delta, lines)) for lb in d.labels
        ),
    )
