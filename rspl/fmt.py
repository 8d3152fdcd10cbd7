"""`rspl fmt`: one canonical layout for a policy file, comments kept, meaning unchanged.

A pass of its own, beside the compiler's (it reads only `grammar/rspl.lark`):

1. Parse with every token kept (`keep_all_tokens`), collecting the comments, which the
   grammar ignores, with a lexer callback. A file that does not parse raises `FormatError`
   with the syntax diagnostics of the compiler's parser (`rspl.parser.parse`), and nothing is
   formatted; nor is an expression nested deeper than the compiler allows (E0601).
2. Attach each comment by position: to the token before it when it is on that token's line
   (a trailing comment), else to the token after it (or to the end of the file).
3. Turn the concrete tree into a layout document (`Doc`: text, spaces, soft and hard line
   breaks, groups, indentation), table-driven below, and print it at `WIDTH` columns: a group
   goes on one line when it fits and breaks at each of its soft line breaks when it does not
   (Wadler's "prettier printer": a condition breaks before each `or`); a fill puts as many
   of its items on a line as fit, an item after one that took several lines starting a new
   line: the items of a list (`a, b, c`), the parts of a clause (`must X`, `by R`, `per
   "§2"`) and the clauses of a declaration written without braces. Texts fill their lines
   too, continuing `INDENT` further in than the line they start on.

Every token is printed as written and in order, with two exceptions that keep the meaning
(the IR is equal before and after; tests/test_fmt.py checks it on generated programs): a
string is re-quoted (`quote_string`, the inverse of `rspl.builder.unquote`, the one place that
reads a string's text) and re-wrapped at `WIDTH`, and a soft deadline's words
(`without   delay`) are joined by single spaces, as the builder reads them. Blank lines
between declarations and between the clauses of a block are the author's (at most one is
kept); nothing is ever reordered, since the order of ladder steps, levels and rules carries
meaning.

How to add a construct (say a new declaration `assert NAME "title" { ... }`):

- A declaration (a top-level item, or any rule with a `{ }` block): one entry in
  `DECLARATIONS`, e.g. `"assert_decl": Layout()`, naming in `head` the subtrees that belong
  to its title line (as `extends` of a standard) and in `breaks` where a long title line may
  break. Its items are laid out one per line in a block, or after the title in the one-line
  form, with no further code. (Without an entry, a top-level item or a rule with braces is
  laid out as a declaration whose title line holds only tokens: the entry is needed only
  when its title line holds a subtree.)
- A clause with optional parts that may go on lines of their own when it is too long
  (`must X by R within 30 days`): add the parts' rule names to `SUBCLAUSES`.
- Anything else (a new expression, a new list) needs nothing: tokens are spaced by
  `_spaced`, and every comma-separated list fills its lines.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import lark

from rspl import messages as msg
from rspl.diagnostics import Diagnostic, Reporter
from rspl.limits import MAX_EXPRESSION_DEPTH, too_deep_expression
from rspl.parser import parse
from rspl.resources import grammar_text
from rspl.spans import span_of

WIDTH = 100
"""The column a line may reach (as the language's own style and ruff's line length)."""

INDENT = 2
"""Spaces per level: a block's clauses, a clause's continuation lines."""


class FormatError(Exception):
    """The text does not parse: `diagnostics` are the syntax errors, as `rspl check` gives."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.code}: {first.message}" if first else "does not parse")


# ---------------------------------------------------------------------------- layout tables


@attrs.frozen
class Layout:
    """How one kind of declaration is laid out. `head`: the subtrees (rule names) that are
    part of its title line rather than items (`extends` of a standard, `per_member` of an
    evidence). Items go one per line inside `{ }`, or in the one-line form after the title,
    on one line when it all fits and one per line (indented) when it does not."""

    head: frozenset[str] = frozenset()
    breaks: frozenset[str] = frozenset()
    """Keywords or subtrees of the title line before which it may break when too long."""


DECLARATIONS: dict[str, Layout] = {
    "policy_header": Layout(),
    "import_decl": Layout(head=frozenset({"module_path", "file_path"})),
    "role_decl": Layout(),
    "context_decl": Layout(),
    "family_decl": Layout(),
    "domain_decl": Layout(),
    "level_decl": Layout(),
    "evidence_decl": Layout(head=frozenset({"per_member"})),
    # The expression after `as` is part of the title line (see `_head`).
    "definition_decl": Layout(),
    "safeguard_decl": Layout(),
    "standard_decl": Layout(head=frozenset({"extends"}), breaks=frozenset({"in", "extends"})),
    "artifact_decl": Layout(),
    "action_decl": Layout(head=frozenset({"blocking"})),
    "rule_decl": Layout(head=frozenset({"rule_kind"})),
    "waiver_decl": Layout(),
    "scenario_decl": Layout(),
    # Not a declaration, but laid out as one: `if unmet [in order] { obligation ... }`.
    "fallback": Layout(head=frozenset({"in_order"})),
}
"""One entry per rule laid out as a declaration (see the module docstring)."""

SUBCLAUSES = frozenset({
    # the optional parts of an obligation (`_obligation_clause` in the grammar)
    "by_roles", "approved_by", "to_roles", "within", "before", "every", "until", "due",
    "due_event", "due_at", "soft", "citation", "note", "duty_name",
    # of a requirement, a carry-forward clause, an expectation
    "for_contexts", "efficacy", "carry_within", "carry_when", "setting",
})  # fmt: skip
"""Parts of a clause that start a line of their own when the clause is too long."""

_BREAK_BEFORE_TOKEN = {"anchor": "at", "citation": "at"}
"""A keyword before which a clause may break (`source "..."` / `at "https://..."`)."""

_ITEM_KEYWORDS = frozenset({"given", "expect"})
"""Keywords that open a scenario's item (the item is the keyword and the tree after it)."""

_OPERATORS = frozenset({"or_expr", "and_expr"})
"""Expressions that break before each `or` / `and` when too long."""

_NO_SPACE_BEFORE = frozenset({",", ")", ".", ":", "%"})
_NO_SPACE_AFTER = frozenset({"(", ".", "-"})


# ---------------------------------------------------------------------------- documents


class Doc:
    """A piece of layout. `forced`: it holds a hard line break (or a comment), so every
    group around it breaks."""

    __slots__ = ("forced",)
    forced: bool


class Text(Doc):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
        self.forced = False


class Str(Doc):
    """A string literal: `body` is its text between the quotes, re-wrapped when printed."""

    __slots__ = ("body",)

    def __init__(self, body: str) -> None:
        self.body = body
        self.forced = False


class Space(Doc):
    """One space, unless at the start of a line."""

    __slots__ = ()

    def __init__(self) -> None:
        self.forced = False


class Line(Doc):
    """A line break: in a group that fits, a space (`hard=False`); else a new line."""

    __slots__ = ("hard",)

    def __init__(self, hard: bool = False) -> None:
        self.hard = hard
        self.forced = hard


class Blank(Doc):
    """A blank line (the author's, kept), unless just after `{` or at the start."""

    __slots__ = ()

    def __init__(self) -> None:
        self.forced = True


class Comment(Doc):
    """A comment: `trailing` at the end of the line it follows, else on a line of its own."""

    __slots__ = ("text", "trailing")

    def __init__(self, text: str, trailing: bool) -> None:
        self.text = text
        self.trailing = trailing
        self.forced = True


class Concat(Doc):
    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Doc]) -> None:
        self.parts = tuple(parts)
        self.forced = any(p.forced for p in self.parts)


class Nest(Concat):
    """Its line breaks indent by `INDENT` more."""

    __slots__ = ()


class Group(Concat):
    """On one line if it fits (and holds no hard break), else broken at its `Line`s."""

    __slots__ = ()


class Fill(Doc):
    """Items separated by a space or a line break each: as many per line as fit."""

    __slots__ = ("items",)

    def __init__(self, items: Sequence[Doc]) -> None:
        self.items = tuple(items)
        self.forced = any(p.forced for p in self.items)


# ---------------------------------------------------------------------------- strings

_ESCAPE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
_WORD_BREAK = re.compile(r"(?<=\S) (?=\S)")


def quote_string(value: str) -> str:
    """The text between the quotes of a STRING token whose value (`rspl.builder.unquote`) is
    `value`: backslashes, quotes, newlines and tabs escaped, nothing else."""
    return "".join(_ESCAPE.get(c, c) for c in value)


def _string_body(raw: str) -> str:
    from rspl.builder import unquote

    return quote_string(unquote(raw))


# ---------------------------------------------------------------------------- printing


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur = ""
        self.at_start = True
        self.indent = 0
        self.after_open = False
        self.breaks = 0  # line breaks made so far, other than inside strings

    @property
    def column(self) -> int:
        return self.indent if self.at_start else len(self.cur)

    def newline(self, indent: int) -> None:
        if not self.at_start:
            self.breaks += 1
            self.lines.append(self.cur.rstrip())
            self.cur = ""
            self.at_start = True
        self.indent = indent

    def write(self, text: str) -> None:
        if self.at_start:
            self.cur = " " * self.indent
            self.at_start = False
        self.cur += text
        self.after_open = text == "{"

    def space(self) -> None:
        if not self.at_start and not self.cur.endswith(" "):
            self.cur += " "

    def blank(self, indent: int) -> None:
        self.newline(indent)
        if self.lines and self.lines[-1] != "" and not self.after_open:
            self.lines.append("")

    def string(self, body: str, rest: int) -> None:
        """A string literal, its words filling the lines, continuing `INDENT` further in than
        the line it starts on; `rest`: the width of what follows it on its line."""
        words = _WORD_BREAK.split(body)
        self.write('"' + words[0])
        indent = len(self.cur) - len(self.cur.lstrip(" ")) + INDENT
        for i, word in enumerate(words[1:], start=2):
            need = len(word) + (1 + rest if i == len(words) else 0)
            if self.column + 1 + need > WIDTH and self.column > indent:
                self.lines.append(self.cur.rstrip())
                self.cur = " " * indent + word
            else:
                self.cur += " " + word
        self.cur += '"'
        self.after_open = False

    def comment(self, text: str, trailing: bool, indent: int) -> None:
        if trailing and not self.at_start:
            self.cur = self.cur.rstrip() + "  " + text
        else:
            self.newline(indent)
            self.write(text)
        self.after_open = False
        self.newline(indent)

    def text(self) -> str:
        self.newline(0)
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""


_FLAT, _BREAK = 0, 1
_Cmd = tuple[int, int, Doc]  # indent, mode, doc


def _flat_width(doc: Doc) -> int:
    """The width of `doc` on one line (a large number if it cannot be on one line)."""
    if isinstance(doc, Text):
        return len(doc.text)
    if isinstance(doc, Str):
        return len(doc.body) + 2
    if isinstance(doc, (Space, Line)):
        return WIDTH * 10 if isinstance(doc, Line) and doc.hard else 1
    if isinstance(doc, Concat):
        return sum(_flat_width(p) for p in doc.parts)
    if isinstance(doc, Fill):
        return sum(_flat_width(p) for p in doc.items) + max(len(doc.items) - 1, 0)
    if isinstance(doc, Comment) and doc.trailing:
        return 0  # it ends the line, wherever the line ends
    return WIDTH * 10  # a comment on its own line, a blank line


def _fits(room: int, doc: Doc, rest: list[_Cmd]) -> bool:
    """Whether `doc`, flat, and what follows it up to the next line break fit in `room`."""
    todo: list[tuple[int, Doc]] = [(_FLAT, doc)]
    k = len(rest)
    while room >= 0:
        if not todo:
            if k == 0:
                return True
            k -= 1
            _, mode, nxt = rest[k]
            todo.append((mode, nxt))
            continue
        mode, d = todo.pop()
        if isinstance(d, Text):
            room -= len(d.text)
        elif isinstance(d, Str):
            room -= len(d.body) + 2
        elif isinstance(d, Space):
            room -= 1
        elif isinstance(d, Line):
            if mode == _BREAK or d.hard:
                return True
            room -= 1
        elif isinstance(d, (Blank, Comment)):
            return mode == _BREAK
        elif isinstance(d, Group):
            todo.extend((_BREAK if d.forced and mode == _BREAK else mode, p)
                        for p in reversed(d.parts))  # fmt: skip
        elif isinstance(d, Concat):
            todo.extend((mode, p) for p in reversed(d.parts))
        elif isinstance(d, Fill):
            if mode == _BREAK:
                todo.extend((_BREAK, p) for p in d.items[:1])
            else:
                for i, p in enumerate(reversed(d.items)):
                    todo.append((_FLAT, p))
                    if i < len(d.items) - 1:
                        todo.append((_FLAT, Space()))
    return False


def render(doc: Doc) -> str:
    """The text of `doc`, laid out at `WIDTH` columns."""
    out = _Printer()
    stack: list[_Cmd] = [(0, _BREAK, doc)]
    while stack:
        indent, mode, d = stack.pop()
        if isinstance(d, Text):
            out.write(d.text)
        elif isinstance(d, Str):
            out.string(d.body, _rest_width(stack))
        elif isinstance(d, Space):
            out.space()
        elif isinstance(d, Line):
            if mode == _FLAT and not d.hard:
                out.space()
            else:
                out.newline(indent)
        elif isinstance(d, Blank):
            out.blank(indent)
        elif isinstance(d, Comment):
            out.comment(d.text, d.trailing, indent)
        elif isinstance(d, Group):
            flat = not d.forced and (
                mode == _FLAT or _fits(WIDTH - out.column, d, stack)
            )
            m = _FLAT if flat else _BREAK
            stack.extend((indent, m, p) for p in reversed(d.parts))
        elif isinstance(d, Nest):
            stack.extend((indent + INDENT, mode, p) for p in reversed(d.parts))
        elif isinstance(d, Concat):
            stack.extend((indent, mode, p) for p in reversed(d.parts))
        elif isinstance(d, Fill):
            _fill(out, indent, mode, d, stack)
    return out.text()


def _fill(out: _Printer, indent: int, mode: int, d: Fill, stack: list[_Cmd]) -> None:
    """Print a list's items, each on the current line if it fits there (with what follows
    the list when it is the last item) and the item before it took one line (a string
    wrapped aside), else on a new line."""
    broken = False
    for i, item in enumerate(d.items):
        if i > 0:
            width = _flat_width(item)
            if i == len(d.items) - 1:
                width += _rest_width(stack)
            fits = not broken and out.column + 1 + width <= WIDTH
            if mode == _FLAT or fits:
                out.space()
            else:
                out.newline(indent)
        before = out.breaks
        sub: list[_Cmd] = [(indent, mode if mode == _FLAT else _BREAK, item)]
        while sub:  # print the item fully before deciding on the next one
            ind, m, doc = sub.pop()
            if isinstance(doc, (Group, Fill)):
                # a nested group or list decides for itself, as in `render`
                rest = stack + sub
                if isinstance(doc, Fill):
                    _fill(out, ind, m, doc, rest)
                    continue
                flat = not doc.forced and (m == _FLAT or _fits(WIDTH - out.column, doc, rest))
                sub.extend((ind, _FLAT if flat else _BREAK, p) for p in reversed(doc.parts))
            elif isinstance(doc, Nest):
                sub.extend((ind + INDENT, m, p) for p in reversed(doc.parts))
            elif isinstance(doc, Concat):
                sub.extend((ind, m, p) for p in reversed(doc.parts))
            elif isinstance(doc, Text):
                out.write(doc.text)
            elif isinstance(doc, Str):
                out.string(doc.body, _rest_width(stack + sub))
            elif isinstance(doc, Space):
                out.space()
            elif isinstance(doc, Line):
                if m == _FLAT and not doc.hard:
                    out.space()
                else:
                    out.newline(ind)
            elif isinstance(doc, Blank):
                out.blank(ind)
            elif isinstance(doc, Comment):
                out.comment(doc.text, doc.trailing, ind)
        broken = out.breaks != before


def _rest_width(stack: list[_Cmd]) -> int:
    """The width of what follows on the current line, up to the first place it may break."""
    width = 0
    todo: list[tuple[int, Doc]] = []
    k = len(stack)
    while True:
        if not todo:
            if k == 0:
                return width
            k -= 1
            _, mode, nxt = stack[k]
            todo.append((mode, nxt))
            continue
        mode, d = todo.pop()
        if isinstance(d, Text):
            width += len(d.text)
        elif isinstance(d, Str):
            width += len(_WORD_BREAK.split(d.body)[0]) + 1
            if " " in d.body:
                return width
        elif isinstance(d, Space):
            width += 1
        elif isinstance(d, Line):
            if mode == _BREAK or d.hard:
                return width
            width += 1
        elif isinstance(d, Group):  # not laid out yet: each of its line breaks may break
            todo.extend((_BREAK, p) for p in reversed(d.parts))
        elif isinstance(d, Concat):
            todo.extend((mode, p) for p in reversed(d.parts))
        elif isinstance(d, Fill):
            todo.extend((_BREAK, p) for p in d.items[:1])
        else:
            return width


# ---------------------------------------------------------------------------- the tree


@functools.lru_cache(maxsize=1)
def _cst_parser() -> tuple[lark.Lark, list[lark.Token]]:
    """A parser that keeps every token (keywords, braces, commas), and the list its lexer
    callback appends the comments to (emptied before each parse)."""
    comments: list[lark.Token] = []
    parser = lark.Lark(
        grammar_text(),
        parser="lalr",
        keep_all_tokens=True,
        maybe_placeholders=False,
        propagate_positions=True,
        lexer_callbacks={"COMMENT": comments.append},
    )
    return parser, comments


_Node = lark.Tree[Any] | lark.Token


def _tokens(node: _Node) -> Iterator[lark.Token]:
    """The tokens of a tree, in order (iteratively: parentheses may nest without limit)."""
    stack: list[_Node] = [node]
    while stack:
        top = stack.pop()
        if isinstance(top, lark.Token):
            yield top
        else:
            stack.extend(reversed(top.children))


def _first(node: _Node) -> lark.Token:
    while isinstance(node, lark.Tree):
        node = node.children[0]
    return node


def _last(node: _Node) -> lark.Token:
    while isinstance(node, lark.Tree):
        node = node.children[-1]
    return node


def _parenthesised(node: _Node) -> _Node | None:
    """The expression inside `( ... )`, if `node` is one in parentheses."""
    if (isinstance(node, lark.Tree) and len(node.children) == 3
            and _name(node.children[0]) == "(" and _name(node.children[2]) == ")"):  # fmt: skip
        return node.children[1]
    return None


def _name(node: _Node) -> str:
    """A token's text, a tree's rule name."""
    return str(node) if isinstance(node, lark.Token) else str(node.data)


def _spaced(before: _Node, after: _Node) -> bool:
    """Whether a space goes between two neighbours (`a, b`, `std.contexts`, `5%`, `-1`)."""
    return str(_last(before)) not in _NO_SPACE_AFTER and str(_first(after)) not in (
        _NO_SPACE_BEFORE
    )


class _Builder:
    """The layout document of a concrete tree, with the comments placed."""

    def __init__(self, text: str, tokens: list[lark.Token], comments: list[lark.Token]) -> None:
        self.text = text
        self.leading: dict[int, list[tuple[lark.Token, bool]]] = {}
        self.trailing: dict[int, lark.Token] = {}
        self.blank_before: set[int] = set()
        self.end: list[tuple[lark.Token, bool]] = []
        self._place(tokens, comments)

    def _gap_blank(self, start: int, end: int) -> bool:
        return self.text.count("\n", start, end) >= 2

    def _place(self, tokens: list[lark.Token], comments: list[lark.Token]) -> None:
        ci = 0
        prev_end = 0
        prev_start: int | None = None
        stops: list[tuple[int, lark.Token | None]] = [(t.start_pos or 0, t) for t in tokens]
        for start, tok in [*stops, (len(self.text), None)]:
            held: list[tuple[lark.Token, bool]] = []
            while ci < len(comments) and (comments[ci].start_pos or 0) < start:
                c = comments[ci]
                ci += 1
                cstart = c.start_pos or 0
                if prev_start is not None and not held and "\n" not in self.text[prev_end:cstart]:
                    self.trailing[prev_start] = c
                else:
                    held.append((c, self._gap_blank(prev_end, cstart)))
                prev_end = c.end_pos or cstart
            if tok is None:
                self.end = held
                break
            if held:
                self.leading[start] = held
            if self._gap_blank(prev_end, start):
                self.blank_before.add(start)
            prev_end = tok.end_pos or start
            prev_start = start

    def prefix(self, node: _Node, blanks: bool = True) -> list[Doc]:
        """The comments before an item (or a declaration), on lines of their own at the
        item's indentation, and the blank line before it if the author left one."""
        pos = _first(node).start_pos or 0
        held = self.leading.pop(pos, [])
        out: list[Doc] = []
        for comment, blank in held:
            if blank and blanks:
                out.append(Blank())
            out.append(Comment(str(comment).rstrip(), trailing=False))
        if pos in self.blank_before and blanks:
            out.append(Blank())
        self.blank_before.discard(pos)
        return out

    # -- tokens

    def token(self, tok: lark.Token) -> Doc:
        pos = tok.start_pos or 0
        held = self.leading.get(pos, ())
        parts: list[Doc] = [Comment(str(c).rstrip(), trailing=False) for c, _ in held]
        if tok.type == "STRING":
            parts.append(Str(_string_body(str(tok))))
        elif tok.type == "SOFT":
            parts.append(Text(" ".join(str(tok).split())))
        else:
            parts.append(Text(str(tok)))
        after = self.trailing.get(pos)
        if after is not None:
            parts.append(Comment(str(after).rstrip(), trailing=True))
        return parts[0] if len(parts) == 1 else Concat(parts)

    def comments(self, held: Sequence[tuple[lark.Token, bool]]) -> list[Doc]:
        out: list[Doc] = []
        for comment, blank in held:
            if blank:
                out.append(Blank())
            out.append(Comment(str(comment).rstrip(), trailing=False))
        return out

    # -- nodes

    def start(self, tree: lark.Tree[Any]) -> Doc:
        parts: list[Doc] = []
        for child in tree.children:
            if parts:
                parts.append(Line(hard=True))
            parts.extend(self.prefix(child))
            # every top-level item is a declaration, listed in DECLARATIONS or not
            parts.append(self.declaration(child, DECLARATIONS.get(child.data, Layout())))
        if self.end:
            parts.append(Line(hard=True))
            parts.extend(self.comments(self.end))
        return Concat(parts)

    def node(self, node: _Node) -> Doc:
        if isinstance(node, lark.Token):
            return self.token(node)
        children = node.children
        if node.data in DECLARATIONS or any(_name(c) == "{" for c in children):
            return self.declaration(node, DECLARATIONS.get(node.data, Layout()))
        if _parenthesised(node) is not None:
            return self.parentheses(node)
        if any(isinstance(c, lark.Token) and c == "(" for c in children):
            # a parenthesised list or expression: its continuation lines indented once more
            return Nest([self.fill(children) if "," in children else self.run(children)])
        if any(isinstance(c, lark.Token) and c == "," for c in children):
            return self.fill(children)
        if node.data in _OPERATORS:
            parts: list[Doc] = []
            for i, child in enumerate(children):
                if i:
                    if isinstance(child, lark.Token) and str(child) in ("or", "and"):
                        parts.append(Line())
                    elif _spaced(children[i - 1], child):
                        parts.append(Space())
                parts.append(self.node(child))
            return Group(parts)
        return self.run(children)

    def parentheses(self, node: _Node) -> Doc:
        """`((( x )))`: the parentheses around an expression, however many, laid out without
        recursion, the inside indented once when it breaks."""
        opens: list[lark.Token] = []
        closes: list[lark.Token] = []
        inner = _parenthesised(node)
        while inner is not None:
            assert isinstance(node, lark.Tree)
            first, last = node.children[0], node.children[2]
            assert isinstance(first, lark.Token) and isinstance(last, lark.Token)
            opens.append(first)
            closes.append(last)
            node, inner = inner, _parenthesised(inner)
        return Nest([*map(self.token, opens), self.node(node), *map(self.token, reversed(closes))])

    def run(self, children: Sequence[_Node]) -> Doc:
        """Children side by side."""
        parts: list[Doc] = []
        for i, child in enumerate(children):
            if i and _spaced(children[i - 1], child):
                parts.append(Space())
            parts.append(self.node(child))
        return Concat(parts)

    def fill(self, children: Sequence[_Node]) -> Doc:
        """A list: the pieces between commas, each with its comma, filling the lines."""
        pieces: list[list[_Node]] = [[]]
        for child in children:
            pieces[-1].append(child)
            if isinstance(child, lark.Token) and child == ",":
                pieces.append([])
        return Fill([self.run(p) for p in pieces if p])

    def declaration(self, tree: lark.Tree[Any], layout: Layout) -> Doc:
        children = tree.children
        brace = next((i for i, c in enumerate(children)
                      if isinstance(c, lark.Token) and c == "{"), None)  # fmt: skip
        if brace is not None:
            head, body = list(children[:brace]), list(children[brace + 1 : -1])
        else:
            cut = len(children)
            for i, child in enumerate(children):
                if (isinstance(child, lark.Tree) and child.data not in layout.head
                        and not (i and children[i - 1] == "as")):  # fmt: skip
                    cut = i
                    break
            head, body = list(children[:cut]), list(children[cut:])
        items = self.items(body)
        if brace is None:
            parts: list[Doc] = [Group([self.head(head, layout)])]
            for item in items:
                parts.append(Concat([*self.prefix(item[0], blanks=False), self.item(item)]))
            return Nest([Fill(parts)])
        head_doc = Group([Nest([self.head(head, layout)])])
        close = children[-1]
        assert isinstance(close, lark.Token)
        inner: list[Doc] = []
        for item in items:
            inner.append(Line(hard=True))
            inner.extend(self.prefix(item[0]))
            inner.append(self.item(item))
        pos = close.start_pos or 0
        held = self.leading.pop(pos, [])
        if held:
            inner.append(Line(hard=True))
            inner.extend(self.comments([(c, b and bool(inner)) for c, b in held]))
        opening = children[brace]
        assert isinstance(opening, lark.Token)
        parts = [head_doc, Space(), self.token(opening)]
        if not inner:
            return Concat([*parts, self.token(close)])
        return Concat([*parts, Nest(inner), Line(hard=True), self.token(close)])

    def head(self, head: Sequence[_Node], layout: Layout) -> Doc:
        """A declaration's title line; a definition's expression may go to the next line."""
        cuts = [i for i, c in enumerate(head) if i and _name(c) in layout.breaks]
        if cuts:
            bounds = [0, *cuts, len(head)]
            return Fill([self.run(head[a:b]) for a, b in itertools.pairwise(bounds)])
        if any(isinstance(c, lark.Token) and c == "," for c in head):
            return self.fill(head)
        for i, child in enumerate(head):
            if i and head[i - 1] == "as" and isinstance(child, lark.Tree):
                return Concat([self.run(head[:i]), Group([Line(), self.node(child)]),
                               *([Space(), self.run(head[i + 1 :])] if head[i + 1 :] else [])])
        return self.run(head)

    def items(self, body: Sequence[_Node]) -> list[list[_Node]]:
        """A block's items: each a tree, or a keyword and its tree (`given X at L`)."""
        items: list[list[_Node]] = []
        glued = False
        for child in body:
            if glued:
                items[-1].append(child)
                glued = False
                continue
            items.append([child])
            glued = isinstance(child, lark.Token) and str(child) in _ITEM_KEYWORDS
        return items

    def item(self, item: Sequence[_Node]) -> Doc:
        """One clause: on one line if it fits, else with its optional parts (`by R`,
        `within 30 days`, `per "§2"`) on lines of their own, indented."""
        last = item[-1]
        if len(item) == 1 and isinstance(last, lark.Tree) and last.data in DECLARATIONS:
            return self.node(last)
        children: list[_Node] = list(item[:-1])
        if isinstance(last, lark.Tree):
            children += last.children
            data = last.data
        else:
            children.append(last)
            data = ""
        if any(isinstance(c, lark.Token) and c == "," for c in children):
            return Nest([self.fill(children)])
        word = _BREAK_BEFORE_TOKEN.get(data)
        cuts = [
            i for i, c in enumerate(children)
            if i and ((isinstance(c, lark.Tree) and c.data in SUBCLAUSES)
                      or (isinstance(c, lark.Token) and c == word))
        ]  # fmt: skip
        bounds = [0, *cuts, len(children)]
        return Nest([Fill([self.run(children[a:b]) for a, b in itertools.pairwise(bounds)])])


def unified_diff(before: str, after: str, name: str) -> str:
    """What formatting changes in the file `name`, as a unified diff (`rspl fmt --diff`)."""
    import difflib  # only here and in `rspl.messages.did_you_mean` (tests/test_did_you_mean.py)

    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        f"{name} (original)", f"{name} (formatted)",
    ))  # fmt: skip


def _check_depth(tree: lark.Tree[Any], path: str) -> None:
    """The compiler's own limit on nesting, so that a pathological file is refused the way
    `rspl check` refuses it rather than overflowing the stack here."""
    deep = too_deep_expression(tree)
    if deep is not None:
        raise FormatError(
            [msg.expression_too_deep(MAX_EXPRESSION_DEPTH, span_of(path, deep.meta))]
        )


def format_source(text: str, path: str = "<stdin>") -> str:
    """The canonical layout of a policy file's text. Raises `FormatError` (with the syntax
    diagnostics, each with its code and place) when the text does not parse."""
    parser, comments = _cst_parser()
    comments.clear()
    try:
        cst = parser.parse(text)
    except lark.exceptions.LarkError:
        # the compiler's parser says why, in its words (the same grammar refuses the text)
        reporter = Reporter()
        if parse(text, path, reporter) is None:
            raise FormatError(reporter.sorted()) from None
        raise  # pragma: no cover - the two parsers accept the same texts
    finally:
        found = sorted(comments, key=lambda c: c.start_pos or 0)
        comments.clear()
    _check_depth(cst, path)
    tokens = list(_tokens(cst))
    builder = _Builder(text, tokens, found)
    return render(builder.start(cst))


__all__ = [
    "DECLARATIONS", "SUBCLAUSES", "FormatError", "Layout", "format_source", "quote_string",
    "unified_diff",
]  # fmt: skip
