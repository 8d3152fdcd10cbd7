"""Pass 1, parse: source text to a Lark parse tree, or a syntax diagnostic in words.

The Lark parser is built once per process (and cached on disk by Lark), from the grammar
shipped in `grammar/rspl.lark`. Given `on_item`, `parse` hands each top-level declaration's
tree to it as soon as the parser has reduced it, and keeps what it returns in the declaration's
place: the builder turns each into a node then, so the whole file's parse tree (about 50 bytes
of memory per source byte) never exists at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, cast

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rspl import messages as msg
from rspl.diagnostics import Reporter
from rspl.resources import grammar_text
from rspl.spans import Span

# The terminals described by what they stand for; every other terminal is a keyword or a
# symbol and is passed on as written. `rspl.messages.expected_help` puts them in words.
_VALUE_TERMINALS = frozenset({"NAME", "STRING", "DATE", "NUMBER", "COMPARE", "SOFT", "$END"})

# Keywords that open a declaration: used to say which construct a syntax error is in.
_DECL_KEYWORDS = {
    "policy", "role", "context", "family", "domain", "evidence", "define", "safeguard",
    "standard", "artifact", "action", "rule", "warning", "cadence", "scenario", "level",
    "assert",
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def get_parser() -> lark.Lark:
    """The LALR parser, built on first use."""
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
    )


ItemHook = Callable[[lark.Tree[Any]], Any]
"""Called with each top-level declaration's tree when it is complete; its result stands in
the tree's place among the children of the root (`start`)."""


def parse(
    text: str, file: str, reporter: Reporter, on_item: ItemHook | None = None
) -> lark.Tree[Any] | None:
    """Parse one file. On a syntax error, report it and return None."""
    parser = get_parser()
    # Lark's LALR parser calls one callback per grammar rule to make the rule's tree; the
    # callbacks of the top-level declarations are wrapped for this one parse.
    lalr = cast(Any, parser).parser.parser.parser
    saved = lalr.callbacks
    if on_item is not None:
        items = _item_rules()
        lalr.callbacks = {
            rule: _then(make, on_item) if rule.origin.name in items else make
            for rule, make in saved.items()
        }
    try:
        tree: lark.Tree[Any] = parser.parse(text)
    except UnexpectedInput as err:
        lalr.callbacks = saved
        _report_syntax_error(err, text, file, reporter)
        return None
    finally:
        lalr.callbacks = saved
    return tree


def _then(make: Callable[[list[Any]], Any], hook: ItemHook) -> Callable[[list[Any]], Any]:
    return lambda children: hook(make(children))


@functools.lru_cache(maxsize=1)
def _item_rules() -> frozenset[str]:
    """The rules of the top-level declarations: the alternatives of `_item` in the grammar."""
    rules = cast(Any, get_parser()).parser.parser.parser.callbacks
    return frozenset(
        r.expansion[0].name for r in rules if r.origin.name == "_item" and len(r.expansion) == 1
    )


@functools.lru_cache(maxsize=1)
def _terminal_texts() -> dict[str, str]:
    """Each terminal's name (`RBRACE`, `MUST`) to what `expected_help` is given: the text of a
    keyword or symbol (`}`, `must`), or the name of a value terminal (`NAME`, `NUMBER`)."""
    texts = {name: name for name in _VALUE_TERMINALS}
    for term in get_parser().terminals:
        if term.name in texts:
            continue
        pattern = term.pattern
        if isinstance(pattern, lark.lexer.PatternStr):
            texts[term.name] = pattern.value
        else:  # a value terminal added to the grammar later: its name, in words
            texts[term.name] = term.name
    return texts


def _expected(err: UnexpectedInput) -> list[str]:
    """What could come next at the error: the terminals the parser would really accept there
    (`accepts`, which follows the reductions; `expected` merges lookaheads of other
    contexts), as texts for `msg.expected_help`, in a stable order."""
    accepts: set[str] = set()
    if isinstance(err, UnexpectedToken) and err.interactive_parser is not None:
        try:
            accepts = set(err.accepts or ())
        except UnexpectedInput:  # pragma: no cover - defensive: fall back to `expected`
            accepts = set()
    if not accepts:
        accepts = set(getattr(err, "expected", None) or ())
    texts = _terminal_texts()
    return sorted({texts.get(name, name) for name in accepts})


def _declaration(err: UnexpectedToken) -> tuple[str, str] | None:
    """(`rule`, `cbrn_3`): the innermost declaration being parsed, if known."""
    ip = getattr(err, "interactive_parser", None)
    if ip is None:
        return None
    stack: list[Any] = list(getattr(ip.parser_state, "value_stack", []))
    for i in range(len(stack) - 1, -1, -1):
        item = stack[i]
        word = None
        if isinstance(item, lark.Token) and str(item) in _DECL_KEYWORDS:
            word = str(item)
        elif isinstance(item, lark.Tree) and item.data == "rule_kind":
            word = str(item.children[0])
        nxt = stack[i + 1] if i + 1 < len(stack) else None
        # A declaration keyword is followed by the declared name; other uses of the same
        # word (`per family` in the header) are not.
        if word is not None and isinstance(nxt, lark.Token) and nxt.type == "NAME":
            return word, str(nxt)
    return None


def _point(file: str, text: str, pos: int, line: int, column: int, length: int = 1) -> Span:
    end = min(len(text), pos + max(length, 1))
    return Span(file, pos, end, line, column, line, column + max(end - pos, 1))


# `1/20`, `0.5 / 1`: a fraction written with a slash (the `/` is the unexpected character).
_SLASH_FRACTION = re.compile(r"(?<![A-Za-z0-9_.])([0-9]+(?:\.[0-9]+)?)[ \t]*$")
_AFTER_SLASH = re.compile(r"[ \t]*([0-9]+(?:\.[0-9]+)?)")
# `1,000`, `10,000,000`: a number with thousands separators (the `,` is the unexpected token).
_BEFORE_COMMA = re.compile(r"(?<![0-9A-Za-z_.])([0-9]+)$")
_AFTER_COMMA = re.compile(r"[0-9]{3}(?:,[0-9]{3})*(?:\.[0-9]+)?(?![0-9A-Za-z_])")
# `0,05`: a decimal comma (any other run of digits after the `,`).
_AFTER_DECIMAL_COMMA = re.compile(r"[0-9]+(?![0-9A-Za-z_.,])")
# The word before a `-` that the grammar does not allow: `every -5 days`, `at least -1 of`.
_BEFORE_MINUS = re.compile(r"([A-Za-z_]+)[ \t]*$")
_AFTER_MINUS = re.compile(r"-[ \t]*[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _report_syntax_error(err: UnexpectedInput, text: str, file: str, reporter: Reporter) -> None:
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        span = _point(file, text, pos, err.line or 1, err.column or 1)
        if char == '"':
            reporter.add(msg.unterminated_text(span))
            return
        before = _SLASH_FRACTION.search(text, max(0, pos - 80), pos) if char == "/" else None
        after = _AFTER_SLASH.match(text, pos + 1)
        if before and after:
            start, end = before.start(1), after.end(1)
            column = (err.column or 1) - (pos - start)
            span = Span(file, start, end, err.line or 1, column, err.line or 1,
                        column + end - start)  # fmt: skip
            reporter.add(msg.fraction_with_slash(text[start:end], before[1], after[1], span))
            return
        reporter.add(msg.invalid_character(char, span))
        return
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        length = len(str(tok))
        line = tok.line if tok.line is not None else 1
        column = tok.column if tok.column is not None else 1
        pos = tok.start_pos if tok.start_pos is not None else 0
        span = Span(file, pos, pos + length, line, column, line, column + length)
        if _number_mistake(err, text, file, reporter):
            return
        expected = _expected(err)
        declaration = _declaration(err)
        in_rule = declaration is not None and declaration[0] in ("rule", "warning", "cadence")
        # `source`/`means` where a requirement's own `per "§..."` citation could go
        misplaced = str(tok) in ("source", "means") and ("per" in expected or in_rule)
        reporter.add(
            msg.unexpected_token(
                str(tok),
                tok.type,
                span,
                declaration=declaration,
                expected=expected,
                declaration_clause=misplaced,
            )
        )
        return
    expected = _expected(err)
    # Point at the last character that is not blank: where the unfinished construct ends.
    start = len(text.rstrip()) - 1 if text.strip() else 0
    start = max(start, 0)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    span = Span(file, start, start + 1, line, column, line, column + 1)
    declaration = _declaration(err) if isinstance(err, UnexpectedToken) else None
    in_block = "}" in expected  # a `}` could come next
    reporter.add(
        msg.unexpected_end(span, declaration=declaration, expected=expected, inside_block=in_block)
    )


def _number_mistake(err: UnexpectedToken, text: str, file: str, reporter: Reporter) -> bool:
    """Report a number written in a way the language does not read, if the unexpected token
    is one: `1,000` (a thousands separator), `0,05` (a decimal comma) or a `-` before a
    number where no sign is allowed (`every -5 days`). Returns whether it reported."""
    tok = err.token
    pos = tok.start_pos if tok.start_pos is not None else 0
    line = tok.line if tok.line is not None else 1
    column = tok.column if tok.column is not None else 1
    if tok.type == "COMMA":
        before = _BEFORE_COMMA.search(text, max(0, pos - 80), pos)
        after = _AFTER_COMMA.match(text, pos + 1)
        if before and after:
            start, end = before.start(1), after.end()
            col = column - (pos - start)
            span = Span(file, start, end, line, col, line, col + end - start)
            reporter.add(msg.number_with_separator(text[start:end], span))
            return True
        decimals = _AFTER_DECIMAL_COMMA.match(text, pos + 1)
        if before and decimals:
            start, end = before.start(1), decimals.end()
            col = column - (pos - start)
            span = Span(file, start, end, line, col, line, col + end - start)
            reporter.add(msg.decimal_comma(text[start:end], span))
            return True
    if tok.type == "MINUS":
        number = _AFTER_MINUS.match(text, pos)
        if number is not None and "NUMBER" in _expected(err):
            before = _BEFORE_MINUS.search(text, max(0, pos - 80), pos)
            word = before[1] if before else None
            end = number.end()
            span = Span(file, pos, end, line, column, line, column + end - pos)
            reporter.add(msg.negative_number(text[pos:end], word, span))
            return True
    return False


__all__ = ["UnexpectedEOF", "get_parser", "parse"]
