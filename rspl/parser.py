"""Pass 1, parse: source text to a Lark parse tree, or a syntax diagnostic in words.

The Lark parser is built once per process (and cached on disk by Lark), from the grammar
shipped in `grammar/rspl.lark`.
"""

from __future__ import annotations

import functools
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rspl import messages as msg
from rspl.diagnostics import Reporter
from rspl.resources import grammar_text
from rspl.spans import Span

# How a terminal is described to a policy author, when the terminal is not a plain keyword.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted text",
    "DATE": "a date such as 2025-05-14",
    "NUMBER": "a number",
    "COMPARE": "a comparison such as `>=`",
    "SOFT": "a time word such as `promptly`",
    "$END": "the end of the file",
}

# Keywords that open a declaration: used to say which construct a syntax error is in.
_DECL_KEYWORDS = {
    "policy", "role", "context", "family", "domain", "evidence", "define", "safeguard",
    "standard", "artifact", "action", "rule", "warning", "cadence", "scenario", "level",
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


def parse(text: str, file: str, reporter: Reporter) -> lark.Tree[Any] | None:
    """Parse one file. On a syntax error, report it and return None."""
    parser = get_parser()
    try:
        return parser.parse(text)
    except UnexpectedInput as err:
        _report_syntax_error(err, text, file, reporter)
        return None


def _terminal_names() -> dict[str, str]:
    names = dict(_TERMINAL_WORDS)
    for term in get_parser().terminals:
        if term.name in names:
            continue
        pattern = term.pattern
        if isinstance(pattern, lark.lexer.PatternStr):
            names[term.name] = f"`{pattern.value}`"
        else:
            names[term.name] = term.name.lower()
    return names


def _expected_words(expected: set[str]) -> list[str]:
    """The expected tokens in words: names, texts and numbers first, then symbols, then
    keywords (most syntax errors are a missing value or bracket, not a missing keyword)."""
    words = _terminal_names()

    def order(name: str) -> tuple[int, str]:
        word = words.get(name, name.lower())
        if not word.startswith("`"):
            return 0, word
        return (1 if not word[1:-1].isalpha() else 2), word

    items = [words.get(name, name.lower()) for name in sorted(expected, key=order)]
    return list(dict.fromkeys(items))


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


def _report_syntax_error(err: UnexpectedInput, text: str, file: str, reporter: Reporter) -> None:
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        span = _point(file, text, pos, err.line or 1, err.column or 1)
        if char == '"':
            reporter.add(msg.unterminated_text(span))
        else:
            reporter.add(msg.invalid_character(char, span))
        return
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        length = len(str(tok))
        line = tok.line if tok.line is not None else 1
        column = tok.column if tok.column is not None else 1
        pos = tok.start_pos if tok.start_pos is not None else 0
        span = Span(file, pos, pos + length, line, column, line, column + length)
        declaration = _declaration(err)
        in_rule = declaration is not None and declaration[0] in ("rule", "warning", "cadence")
        # `source`/`means` where a requirement's own `per "§..."` citation could go
        misplaced = str(tok) in ("source", "means") and ("PER" in err.expected or in_rule)
        reporter.add(
            msg.unexpected_token(
                str(tok),
                tok.type,
                span,
                declaration=declaration,
                expected=_expected_words(set(err.expected)),
                declaration_clause=misplaced,
            )
        )
        return
    expected: set[str] = set(getattr(err, "expected", set()) or set())
    # Point at the last character that is not blank: where the unfinished construct ends.
    start = len(text.rstrip()) - 1 if text.strip() else 0
    start = max(start, 0)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    span = Span(file, start, start + 1, line, column, line, column + 1)
    declaration = _declaration(err) if isinstance(err, UnexpectedToken) else None
    in_block = "RBRACE" in expected  # a `}` could come next
    reporter.add(
        msg.unexpected_end(
            span, declaration=declaration, expected=_expected_words(expected), inside_block=in_block
        )
    )


__all__ = ["UnexpectedEOF", "get_parser", "parse"]
