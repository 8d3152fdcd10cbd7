"""The HTML backend: the policy document as one self-contained web page, for publishing.

`render(policy, templates)` returns one file, `{module}.html`. It is the Markdown backend's
document, laid out as HTML: the text comes from `markdown.edition_pieces` (so every wording and
table of the Markdown document is the HTML's too) and is converted by markdown-it-py (CommonMark
and tables). What this module adds:

- Safety. Raw HTML, images and every link that is not http(s) or a `#fragment` are turned
  off, so the only markup in the page is what markdown-it writes for the Markdown backend's
  escaped text, and what this module writes. No attribute value is policy text, except the
  http(s) citation links and heading ids (slugs of letters, digits, `-` and `_`).
- Self-containment. Styles are inline; the capability diagram is drawn as inline SVG from the
  document view's `Graph` (never from the Mermaid text, and with no script); a Content
  Security Policy forbids every fetch, so the page looks the same offline.
- Anchors. Headings get the ids a forge gives them, so the contents and the standards' links
  of the Markdown document work unchanged.
- A printable layout. `@page` rules give the page size and margins, a running header with
  the policy's title and version and page numbers; each major section starts a page, and
  table rows, headings and diagram are never split.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from rspl import __version__, ir
from rspl.backends import markdown
from rspl.wording import module_name

__all__ = ["css_string", "diagram_pieces", "diagram_svg", "render", "slug"]


# ---------------------------------------------------------------------------- escaping


def text(value: str) -> str:
    """Policy text as HTML text (never as markup)."""
    return html.escape(value, quote=True)


def css_string(value: str) -> str:
    """A CSS string literal holding `value`: every character but letters, digits and spaces
    is a six-digit CSS escape, so no text can end the string, the rule or the style element."""
    return '"' + "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch == " " else f"\\{ord(ch):06x}"
        for ch in markdown.one_line(value)
    ) + '"'


def slug(heading: str) -> str:
    """The anchor a forge such as GitHub gives a heading with this text (the rule the Markdown
    backend's links assume): lower case, letters, digits, `-` and `_` kept, spaces to `-`."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _allowed_href(href: str) -> bool:
    return href.startswith(("#", "https://", "http://")) and not any(
        ch.isspace() or ch in "\"'<>`" for ch in href
    )


# ---------------------------------------------------------------------------- the diagram

_BOX_W, _LINE_H, _PAD, _GAP, _COL_GAP, _WRAP = 230, 16, 8, 10, 90, 30


def _lines(label: str) -> list[str]:
    return textwrap.wrap(markdown.one_line(label), _WRAP, break_long_words=True) or [""]


def _text_svg(x: float, y: float, lines: Sequence[str], cls: str) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" dy="{0 if i == 0 else _LINE_H}">{text(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{cls}" x="{x:g}" y="{y:g}">{spans}</text>'


class _Layout:
    """Columns of framed groups of boxes, top to bottom: where each box and frame is
    (`add_column`), then their SVG (`parts`), made as it is read: a diagram has a box per
    level and per standard, so its text is never held whole (bench/memory.py)."""

    def __init__(self) -> None:
        self.columns: list[tuple[Sequence[markdown.GraphGroup], Sequence[markdown.GraphNode], str]]
        self.columns = []
        self.boxes: dict[str, tuple[float, float, float, float]] = {}  # id -> x, y, w, h
        self.frames: list[tuple[float, float]] = []  # each group's top and height, in order
        self.height = 0.0

    def x(self, column: int) -> float:
        return _PAD + column * (_BOX_W + 2 * _PAD + _COL_GAP)

    def add_column(
        self,
        groups: Sequence[markdown.GraphGroup],
        loose: Sequence[markdown.GraphNode],
        cls: str,
    ) -> None:
        """One column: loose boxes first, then each group in a frame."""
        if not groups and not loose:
            return
        x, y = self.x(len(self.columns)), float(_PAD)
        left = x + _PAD  # one object for every box of the column
        self.columns.append((groups, loose, cls))
        for node in loose:
            y += self.place(node, left, y) + _GAP
        for group in groups:
            top = y
            y += _PAD + len(_lines(group.label)) * _LINE_H + _PAD
            for node in group.nodes:
                y += self.place(node, left, y) + _GAP
            y += _PAD - _GAP if group.nodes else _PAD
            self.frames.append((top, y - top))
            y += _GAP
        self.height = max(self.height, y)

    def place(self, node: markdown.GraphNode, x: float, y: float) -> float:
        h = len(_lines(node.label)) * _LINE_H + 2 * _PAD
        self.boxes[node.id] = (x, y, _BOX_W, h)
        return h

    def parts(self) -> Iterator[str]:
        """The boxes and frames, column by column; a frame before the boxes it holds."""
        frames = iter(self.frames)
        for column, (groups, loose, cls) in enumerate(self.columns):
            x = self.x(column)
            for node in loose:
                yield from self.box(node, "base" if node.id == "B0" else cls)
            for group in groups:
                top, height = next(frames)
                yield (
                    f'<rect class="group" x="{x:g}" y="{top:g}" width="{_BOX_W + 2 * _PAD}" '
                    f'height="{height:g}" rx="6"/>'
                )
                yield _text_svg(x + _PAD, top + _PAD + 12, _lines(group.label), "group-label")
                for node in group.nodes:
                    yield from self.box(node, cls)

    def box(self, node: markdown.GraphNode, cls: str) -> Iterator[str]:
        x, y, _, h = self.boxes[node.id]
        rx = h / 2 if cls == "base" else 4
        yield (
            f'<rect class="{cls}" x="{x:g}" y="{y:g}" width="{_BOX_W}" height="{h:g}" '
            f'rx="{rx:g}"/>'
        )
        yield _text_svg(x + _BOX_W / 2, y + _PAD + 12, _lines(node.label), "label")


def _edge_svg(layout: _Layout, edge: markdown.GraphEdge) -> str:
    sx, sy, sw, sh = layout.boxes[edge.source]
    tx, ty, tw, th = layout.boxes[edge.target]
    y1, y2 = sy + sh / 2, ty + th / 2
    cls = "edge dotted" if edge.dotted else "edge"
    if sx == tx:  # within a column (a standard to the one it extends): an arc on the right
        x1 = x2 = sx + sw
        bend = x1 + 40
        d = f"M{x1:g},{y1:g} C{bend:g},{y1:g} {bend:g},{y2:g} {x2:g},{y2:g}"
    else:
        if tx > sx:
            x1, x2 = sx + sw, tx
        else:
            x1, x2 = sx, tx + tw
        mid = (x1 + x2) / 2
        d = f"M{x1:g},{y1:g} C{mid:g},{y1:g} {mid:g},{y2:g} {x2:g},{y2:g}"
    path = f'<path class="{cls}" d="{d}" marker-end="url(#arrow)"/>'
    if edge.label:
        lx = (x1 + 40 * 0.75) if sx == tx else (x1 + x2) / 2
        path += _text_svg(lx + 4, (y1 + y2) / 2 + 4, [edge.label], "edge-label")
    return path


def diagram_pieces(graph: markdown.Graph) -> Iterator[str]:
    """The capability diagram as inline SVG, a line at a time: alerts, then the levels of
    each domain (and the baseline), then the standards of each family; arrows as in the
    Mermaid diagram. Only where each box is is held (to draw the arrows)."""
    layout = _Layout()
    layout.add_column((), graph.alerts, "alert")
    base = (graph.baseline,) if graph.baseline is not None else ()
    layout.add_column(graph.domains, base, "level")
    layout.add_column(graph.families, (), "standard")
    width = layout.x(len(layout.columns)) + 50 if layout.columns else 1
    height = layout.height + _PAD
    yield (
        f'<figure class="diagram"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}">\n'
    )
    yield (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/>'
        "</marker></defs>\n"
    )
    for part in layout.parts():
        yield part + "\n"
    for e in graph.edges:
        yield _edge_svg(layout, e) + "\n"
    yield "</svg></figure>"


def diagram_svg(graph: markdown.Graph) -> str:
    """The capability diagram as inline SVG (`diagram_pieces`, joined)."""
    return "".join(diagram_pieces(graph))


# ---------------------------------------------------------------------------- Markdown to HTML


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["image", "html_block", "html_inline"])
    return md


def _heading_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def _prepare(tokens: list[Token], seen: dict[str, int]) -> None:
    """Give headings forge-style ids (`-1`, `-2` on repeats, counted in `seen` across the
    whole document); turn any link that is not http(s) or a fragment into plain text."""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            base = slug(_heading_text(tokens[i + 1]))
            n = seen.get(base, 0)
            seen[base] = n + 1
            tok.attrs = {"id": base if n == 0 else f"{base}-{n}"}
        opened = "a"  # a link_close pairs with the link_open before it
        for child in tok.children or ():
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                child.attrs = {"href": href} if _allowed_href(href) else {}
                child.tag = opened = "a" if child.attrs else "span"
            elif child.type == "link_close":
                child.tag = opened


_DIAGRAM = "\x00diagram\x00"
"""Where `body_pieces` writes the diagram: markdown-it turns every NUL of its input into
U+FFFD, so no HTML it renders from the Markdown contains this."""


class _Renderer(RendererHTML):
    """markdown-it's renderer, with the diagram drawn as SVG and tables that scroll.
    `placeholder`: the diagram is left as `_DIAGRAM`, for the caller to write in pieces."""

    def __init__(
        self, parser: Any = None, graph: markdown.Graph | None = None, placeholder: bool = False
    ) -> None:
        super().__init__(parser)
        self.graph = graph
        self.placeholder = placeholder

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if tokens[idx].info.strip() == "mermaid" and self.graph is not None:
            return (_DIAGRAM if self.placeholder else diagram_svg(self.graph)) + "\n"
        return super().fence(tokens, idx, options, env)

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return '<div class="table">' + self.renderToken(tokens, idx, options, env)

    def table_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self.renderToken(tokens, idx, options, env) + "</div>\n"


_FENCE = re.compile(r"(`{3,}|~{3,})")
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")  # an ATX heading: it interrupts any block


class _Fences:
    """Fenced code blocks, line by line: `code(line)` is True for a fence's lines (its
    opening and closing lines too), where a heading or a table is only text."""

    def __init__(self) -> None:
        self.open = ""

    def code(self, line: str) -> bool:
        stripped = line.lstrip(" ")
        if self.open:
            if stripped.startswith(self.open):
                self.open = ""
            return True
        if (opening := _FENCE.match(stripped)) is not None:
            self.open = opening.group(1)
            return True
        return False


TABLE_ROWS = 50
"""The most rows of one table that markdown-it parses at once (`body`)."""

_TBODY = "<tbody>\n"
_TABLE_END = "</tbody>\n</table>\n</div>\n"


def pieces(
    source: str | Iterable[str], rows: int = TABLE_ROWS, drawn: bool = False
) -> Iterator[tuple[str, bool, bool]]:
    """The Markdown `source` (text, or pieces of whole lines as they come) cut into pieces
    that markdown-it can parse alone, each as (text, opens, closes), holding one piece at a
    time. It is cut before each heading line outside a fenced block: a heading ends any
    paragraph, list or table before it, and the generated Markdown defines no link
    references, so each part renders alone as it would within the whole. And a table of more
    than `rows` body rows is cut between two rows: the piece after the cut starts with the
    table's header and delimiter rows again. `opens` is False for a piece that continues a
    table (its HTML up to the table's `<tbody>` repeats what is already written) and
    `closes` False for a piece the next one continues (its closing `</tbody></table>` is not
    yet the end). A row of a pipe table renders the same whatever rows are around it: the
    header fixes the columns and the delimiter row the alignment.

    `drawn` (the page draws the diagram from the graph, `_Renderer`): the text of a
    `mermaid` fenced block is left out, as it comes, as long as the fence is open, since
    the renderer never reads it; only the lines that could close a fence are kept, so the
    block ends where it did. Only a fence that opens at the start of a line after a blank
    one is read so, where no paragraph, list or table can hold it."""
    lines = (
        source.splitlines(keepends=True) if isinstance(source, str)
        else (line for chunk in source for line in chunk.splitlines(keepends=True))
    )  # fmt: skip
    piece: list[str] = []
    opens = True
    fences = _Fences()
    head: list[str] = []  # the header and delimiter rows of the table being read, if any
    count = 0  # its body rows in this piece
    header = False  # the line before may be a table's header row
    blank = True  # the line before is blank (or there is none)
    mermaid = False  # in a diagram's fenced block whose text is left out
    for line in lines:
        if mermaid and fences.open:
            if not _CLOSING.match(line):
                continue  # the block's text, which the renderer does not read: left out
        else:  # a line that may end the block is kept, and read as any other
            mermaid = drawn and blank and not fences.open and _MERMAID.match(line) is not None
        blank = not line.strip(" \t\r\n")
        if head and line.startswith("|"):
            if count == rows:  # another row after a full piece: cut here
                done, piece = "".join(piece), list(head)  # the lines not held with the text
                yield done, opens, False
                opens, count = False, 0
            piece.append(line)
            count += 1
            continue
        head = []
        if fences.code(line):
            header = False
        elif _HEADING.match(line) and piece:
            done, piece = "".join(piece), []
            yield done, opens, True
            opens, header = True, False
        elif header and _DELIMITER.match(line):
            head, count = [piece[-1], line], 0
        else:
            header = line.startswith("|")
        piece.append(line)
    if piece:
        done, piece = "".join(piece), []
        yield done, opens, True


_DELIMITER = re.compile(r"\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*\r?\n?$")
_MERMAID = re.compile(r"(`{3,}|~{3,})[ \t]*mermaid[ \t]*(?:\r\n|\r|\n)?$")
_CLOSING = re.compile(r" {0,3}[`~]")  # a line that might close a fenced block


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # a line as CommonMark ends it
_ITEM = re.compile(r"- (?:\*\*[^\s*]|[^\W\d_])")  # an item whose text is a paragraph
_LETTER = re.compile(r"[^\W\d_]")  # a line that can only start or go on with a paragraph
_UL, _UL_END = "<ul>\n", "</ul>\n"


def _blank(line: str) -> bool:
    return not line.strip(" \t\r\n")


def list_parts(section: str, items: int = TABLE_ROWS) -> Iterator[tuple[str, bool, bool]]:
    """`section` (a piece of `pieces` that starts with a heading and ends a section), cut in
    a long list between items, `items` at a time, as (text, within, continued): `within`
    for a part that starts inside the list (its HTML's `<ul>` repeats what is written) and
    `continued` for one the next part continues (its `</ul>` is not yet the end). The list
    of the Sources and of the Other safeguards is one line per citation or safeguard.

    Cut only where each part renders as it does within the whole, which these conditions
    prove: the list is one line per item (`- ` then a letter or `**` and a non-space: a
    paragraph, no other block) and its lines follow each other, so it is tight and each item
    ends where the next starts; between the heading and the list there are only blank
    lines and lines that start with a letter (paragraphs: no list the first item could
    continue); after it only blank lines, then the end or a line at the start of the line
    that is not a `-` (it ends the list and cannot make it loose). The generated Markdown
    defines no link references, so no part reads another's."""
    lines = _LINE.findall(section)
    start = 1
    while start < len(lines) and (_blank(lines[start]) or _LETTER.match(lines[start])):
        start += 1
    end = start
    while end < len(lines) and _ITEM.match(lines[end]):
        end += 1
    after = end
    while after < len(lines) and _blank(lines[after]):
        after += 1
    if not (
        lines and _HEADING.match(lines[0]) and end - start > items
        and (after == len(lines) or (after > end and lines[after][0] not in " \t-"))
    ):  # fmt: skip
        yield section, False, False
        return
    at = start + items
    yield "".join(lines[:at]), False, True
    while end - at > items:
        yield "".join(lines[at : at + items]), True, True
        at += items
    yield "".join(lines[at:]), True, False


LONG_LINE = 10_000
"""A paragraph's line longer than this is read by `paragraph_parts`."""

# A run of characters of a paragraph that neither start nor end any inline construct of
# another part of the line, or a backslash escape of ASCII punctuation other than those that
# a code span (`) or an autolink (<, >) reads literally. (No repeated group: the regular
# expression engine keeps state for each repetition of one.)
_PLAIN = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\\`*_\[\]<>&!)]+| +|\\[!-/:;=?@\[-_{-~]")
_CUT = re.compile(r"(?<=[^\W_]) ")  # a space after a letter or digit
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CHUNK = 1 << 16


def paragraph_parts(
    section: str, long: int = LONG_LINE
) -> Iterator[tuple[str, tuple[int, int] | None]]:
    """`section` (a piece of `pieces` that ends a section), cut after the start of each
    paragraph of one line longer than `long` whose end is plain text, as (text, tail):
    `tail`, the span of `section` where that plain text is, or None. The text before the tail
    ends with the paragraph's start, so its HTML ends with `</p>`; the tail's HTML is
    `plain_html`'s, without markdown-it's tokens (a policy's long description, one line of
    the document, took 10 times its size in tokens, bench/memory.py).

    The paragraph is a line after a blank one (outside a fenced block) that starts with a
    letter and is followed by a blank line or the end: a paragraph of that line alone, at
    the top level. Its tail starts at a space after a letter or digit, and then has only
    characters that cannot close what the text before opened (no `*`, `_`, `]`, `)`, `` ` ``,
    `>`, `&`, ...) or start anything (`_PLAIN`), and does not end with a space: so the line
    renders as the text before it and then the tail's text, unescaped and HTML-escaped as
    markdown-it writes text."""
    fences = _Fences()
    blank = True
    piece: list[str] = []
    for match in _LINE.finditer(section):
        line = match.group()
        start, end = match.span()
        content = start + len(line.rstrip("\r\n"))
        if (
            not fences.code(line) and blank and content - start > long and _LETTER.match(line)
            and ((after := _LINE.match(section, end)) is None or _blank(after.group()))
        ):  # fmt: skip
            tail = _plain_tail(section, start, content)
            if tail is not None:
                piece.append(section[start:tail] + "\n")
                done, piece = "".join(piece), []
                yield done, (tail, content)
                blank = False
                continue
        piece.append(line)
        blank = _blank(line)
    if piece:
        yield "".join(piece), None


def _plain_tail(section: str, start: int, end: int) -> int | None:
    """Where the plain tail of the paragraph line `section[start:end]` starts, if it has
    one (`paragraph_parts`): the runs of `_PLAIN` that follow each other up to the end,
    read from a space after a letter or digit (where no escape can be cut in two)."""
    plain, reached = start, start  # the start of the last runs that follow each other
    for run in _PLAIN.finditer(section, start, end):
        if run.start() != reached:
            plain = run.start()
        reached = run.end()
    if reached != end or section[end - 1].isspace():
        return None
    cut = _CUT.search(section, plain + 1, end)
    return cut.start() if cut is not None else None


def plain_html(section: str, start: int, end: int) -> Iterator[str]:
    """The HTML of the plain text `section[start:end]` (`paragraph_parts`), 64K characters
    at a time: each backslash escape as the character it escapes, then escaped as
    markdown-it escapes text. A piece never ends inside an escape: `start` is not, and an
    odd run of backslashes at a piece's end leaves its last to the next piece."""
    while start < end:
        cut = min(start + _CHUNK, end)
        back = cut
        while back > start and section[back - 1] == "\\":
            back -= 1
        cut -= (cut - back) % 2
        yield escapeHtml(_UNESCAPE.sub(r"\1", section[start:cut]))
        start = cut


def body_pieces(
    source: str | Iterable[str],
    graph: markdown.Graph | None,
    rows: int = TABLE_ROWS,
    long: int = LONG_LINE,
) -> Iterator[str]:
    """The HTML of a Markdown document from the Markdown backend (text, or pieces of whole
    lines as they come), in pieces: one section at a time and a long table `rows` rows at a
    time (`pieces`). markdown-it's tokens take about 50 times the text they stand for, so
    parsing a large policy's document whole, or its thresholds table of thousands of rows,
    would hold far more than its output (bench/memory.py)."""
    md = _parser()
    renderer = _Renderer(md, graph, placeholder=True)
    seen: dict[str, int] = {}
    for text, opens, closes in pieces(source, rows, drawn=graph is not None):
        if not (opens and closes):
            yield from _html(md, renderer, [(text, False, False)], seen, opens, closes)
            continue
        for part, tail in paragraph_parts(text, long):
            parts = list_parts(part, rows)
            yield from _html(md, renderer, parts, seen, True, True, tail is not None)
            if tail is not None:  # the paragraph's plain text, then its end
                yield from plain_html(text, *tail)
                yield "</p>\n"


def _html(
    md: MarkdownIt,
    renderer: _Renderer,
    parts: Iterable[tuple[str, bool, bool]],
    seen: dict[str, int],
    opens: bool,
    closes: bool,
    paragraph: bool = False,
) -> Iterator[str]:
    """The HTML of a piece of `pieces` (`opens`, `closes`), in the parts of `list_parts`;
    `paragraph`: the last part ends with the start of a paragraph (`paragraph_parts`),
    whose `</p>` is left for after the rest of it."""
    graph = renderer.graph
    for text, within, continued in parts:
        tokens = md.parse(text)
        _prepare(tokens, seen)
        html = renderer.render(tokens, md.options, {})
        del tokens
        if not opens:
            html = html[html.index(_TBODY) + len(_TBODY):]
        if not closes:
            html = html[: html.rindex(_TABLE_END)]
        if within:
            html = html.removeprefix(_UL)
        if continued:
            html = html.removesuffix(_UL_END)
        elif paragraph:
            html = html.removesuffix("</p>\n")
        if graph is None:
            yield html
            continue
        first, *drawn = html.split(_DIAGRAM)
        yield first
        for after in drawn:  # the diagram as it is drawn, never whole (`diagram_pieces`)
            yield from diagram_pieces(graph)
            yield after


def body(
    source: str | Iterable[str],
    graph: markdown.Graph | None,
    rows: int = TABLE_ROWS,
    long: int = LONG_LINE,
) -> str:
    """The HTML of a Markdown document (`body_pieces`, joined)."""
    return "".join(body_pieces(source, graph, rows, long))


# ---------------------------------------------------------------------------- the page

_CSS = """\
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1f24;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.45rem; margin-top: 2.5rem; padding-bottom: 0.25rem;
  border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.15rem; margin-top: 1.8rem; }
h4 { font-size: 1rem; margin-top: 1.4rem; }
a { color: #0b5cad; }
code { font: 0.88em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  background: #f3f4f6; padding: 0.05em 0.3em; border-radius: 3px; }
pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
div.table { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.6rem; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; }
figure.diagram { margin: 1rem 0; overflow-x: auto; }
figure.diagram svg { max-width: 100%; height: auto; font-size: 13px; }
svg .group { fill: #f6f8fa; stroke: #8c959f; }
svg .level, svg .standard { fill: #fff; stroke: #57606a; }
svg .base { fill: #e7f0fb; stroke: #0b5cad; }
svg .alert { fill: #fff5e0; stroke: #b35900; }
svg .label { text-anchor: middle; fill: #1b1f24; }
svg .group-label { font-weight: 600; fill: #1b1f24; }
svg .edge { fill: none; stroke: #57606a; stroke-width: 1.3; }
svg .edge.dotted { stroke-dasharray: 4 3; }
svg .edge-label { font-size: 11px; fill: #57606a; }
svg marker path { fill: #57606a; }
@page { size: A4; margin: 20mm 16mm 18mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  h2 { break-before: page; }
  h2#contents { break-before: auto; }
  h1, h2, h3, h4 { break-after: avoid; break-inside: avoid; }
  tr, li, figure.diagram, pre { break-inside: avoid; }
  thead { display: table-header-group; }
  div.table, figure.diagram { overflow: visible; }
}
"""


def _header(doc: markdown.Document) -> str:
    """The running header's text: the title, and the version when there is one."""
    title = markdown.one_line(doc.title)
    return f"{title}, version {markdown.one_line(doc.version)}" if doc.version else title


def _page_ends(doc: markdown.Document) -> tuple[str, str]:
    """The page before its content and after it."""
    running = css_string(_header(doc))
    margin_boxes = (
        "@page {\n"
        f"  @top-center {{ content: {running}; font: 9pt sans-serif; color: #57606a; }}\n"
        '  @bottom-center { content: "Page " counter(page) " of " counter(pages);'
        " font: 9pt sans-serif; color: #57606a; }\n"
        "}\n"
    )
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="rspl {text(__version__)}">\n'
        f"<title>{text(_header(doc))}</title>\n"
        f"<style>\n{_CSS}{margin_boxes}</style>\n</head>\n<body>\n<main>\n"
    )
    return head, "</main>\n</body>\n</html>\n"


def render_pieces(
    policy: ir.Policy, templates: str | None = None, **options: Any
) -> dict[str, Iterator[str]]:
    """`{module}.html` as the pieces of its text, produced as they are read (`rspl build`
    writes each to the file as it comes): the page's head, the body a section or a part of
    a long table at a time (`body_pieces`), the end."""

    def text_pieces() -> Iterator[str]:
        source, doc = markdown.edition_pieces(policy, templates, **options)
        head, tail = _page_ends(doc)
        yield head
        yield from body_pieces(source, doc.graph)
        yield tail

    return {module_name(policy) + ".html": text_pieces()}


def render(policy: ir.Policy, templates: str | None = None, **options: Any) -> dict[str, str]:
    """`{module}.html`: the policy document as a self-contained page. Deterministic.
    `templates` and `options` are the Markdown backend's."""
    files = render_pieces(policy, templates, **options)
    return {name: "".join(parts) for name, parts in files.items()}
