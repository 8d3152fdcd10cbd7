"""Semantic tokens for the language server: each token of a file with its LSP token type.

The classes are the Pygments lexer's (`rspl.highlight`: keyword, string, number, comment,
operator), so an editor colours a policy as the diagnostics and the TextMate grammar do; a
name is classified further by what it names, from the symbol index (`rspl.index`): a domain
is an `enum`, its levels `enumMember`s, a definition a `function`, and so on. Names that name
nothing known (a typo) stay unclassified. Pure: no dependency on the server.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
from pygments.token import Comment, Keyword, Name, Number, Operator, String, _TokenType

from rspl.highlight import RsplLexer
from rspl.index import LEVEL, Index

# what a name names -> its LSP token type
NAME_TYPES: dict[str, str] = {
    "role": "class",
    "context": "namespace",
    "family": "type",
    "domain": "enum",
    LEVEL: "enumMember",
    "evidence": "variable",
    "definition": "function",
    "safeguard": "property",
    "standard": "struct",
    "artifact": "parameter",
    "action": "event",
    "rule": "method",
    "warning": "method",
    "cadence": "method",
    "waiver": "macro",
    "scenario": "macro",
}
_CLASSES: tuple[tuple[_TokenType, str], ...] = (
    (Comment, "comment"),
    (String, "string"),
    (Number, "number"),
    (Operator, "operator"),
    (Keyword, "keyword"),
)


@attrs.frozen
class Token:
    """One token on one line: 0-based line and column (in characters), its length, its LSP
    type and modifiers (`declaration`, `defaultLibrary`)."""

    line: int
    column: int
    length: int
    type: str
    modifiers: tuple[str, ...] = ()


def semantic_tokens(index: Index, file: str, text: str) -> Iterator[Token]:
    """The tokens of `text` (the file `file` of `index`'s compilation) in order. A token
    spanning lines (a long string) is given once per line, as LSP clients expect."""
    lexer = RsplLexer()
    line = col = 0
    for offset, kind, value in lexer.get_tokens_unprocessed(text):
        token_type = _type(index, file, offset, kind)
        modifiers: tuple[str, ...] = ()
        if kind in Name and token_type is not None:
            occ = index.at(file, offset)
            if occ is not None:
                modifiers = tuple(
                    m
                    for m, on in (
                        ("declaration", occ.is_decl),
                        ("defaultLibrary", occ.symbol.stdlib),
                    )
                    if on
                )
        pieces = value.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                line, col = line + 1, 0
            if token_type is not None and piece:
                yield Token(line, col, len(piece), token_type, modifiers)
            col += len(piece)


def _type(index: Index, file: str, offset: int, kind: _TokenType) -> str | None:
    if kind in Name:
        occ = index.at(file, offset)
        return NAME_TYPES.get(occ.symbol.kind) if occ is not None else None
    for cls, name in _CLASSES:
        if kind in cls:
            return name
    return None
