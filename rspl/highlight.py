"""The `rspl` Pygments lexer, registered through the `pygments.lexers` entry point and used
by the diagnostic renderer to colour source snippets."""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

KEYWORDS = (
    "about", "policy", "organization", "version", "effective", "published", "supersedes", "url",
    "change", "combine", "highest", "per", "standards", "import", "role", "context", "family",
    "domain", "domains", "status", "decided", "by", "level", "baseline", "actor", "evidence",
    "define", "as", "safeguard", "category", "claim", "counts", "when", "standard", "in",
    "extends", "includes", "not", "yet", "defined", "protects", "against", "excludes",
    "references", "artifact", "contains", "audience", "action", "blocking", "rule", "warning",
    "cadence", "require", "for", "if", "unmet", "rules", "out", "approved", "within", "of",
    "before", "every", "to", "since", "until", "due", "and", "or", "is", "implemented",
    "any", "all", "at", "least", "scenario", "given", "expect", "cannot", "below",
    "yes", "no", "done", "required", "missing", "permitted", "blocked", "triggered",
    "precautionary", "alert", "obligation", "source", "means", "note", "recommended",
    "counted", "prohibited", "waiver", "waives", "waived", "phrase", "order", "failed",
    "accepted", "rejected", "after", "assessed", "mitigation", "residual", "ordered", "risk",
    "verdict", "carry", "carried", "forward", "provisional", "superseded", "force", "from",
    "on", "max", "min", "assert", "never", "always", "requires", "renames", "merges",
)  # fmt: skip
# The time words of a soft deadline (one terminal in the grammar, `SOFT`).
TIME_WORDS = ("promptly", "immediately", "without delay", "in a timely manner", "regularly",
              "periodically")  # fmt: skip
MODALITIES = ("must", "should", "may", "recommend", "illustrative")

# The token classes, as regular expressions both this lexer and the TextMate grammar use
# (`textmate_grammar`), so that editors colour a policy as the diagnostics do.
COMMENT = r"#[^\n]*"
STRING = r'"(?:[^"\\]|\\.)*"'
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
NUMBER = r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?"
OPERATOR = r">=|<=|==|!=|>|<|=|%"
PUNCTUATION = r"[{}(),:.]"
NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def _alternatives(items: tuple[str, ...]) -> str:
    """One pattern for `items` as whole words, longest first (so `in a timely manner` wins
    over `in`); a space inside an item matches any whitespace, as in the grammar."""
    ordered = sorted(items, key=lambda w: (-len(w), w))
    return r"\b(?:" + "|".join(w.replace(" ", r"\s+") for w in ordered) + r")\b"


_TM_SCHEMA = "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json"


def textmate_grammar() -> dict[str, object]:
    """The TextMate grammar of RSPL (`editors/rspl.tmLanguage.json`, used by VS Code and
    most editors), built from the lexer's own lists and patterns."""
    return {
        "$schema": _TM_SCHEMA,
        "name": "RSPL",
        "scopeName": "source.rspl",
        "fileTypes": ["rspl"],
        "patterns": [
            {"name": "comment.line.number-sign.rspl", "match": "#.*$"},
            {
                "name": "string.quoted.double.rspl",
                "begin": '"',
                "end": '"',
                "patterns": [{"name": "constant.character.escape.rspl", "match": r"\\."}],
            },
            {"name": "constant.numeric.date.rspl", "match": DATE},
            {"name": "constant.numeric.rspl", "match": NUMBER},
            {"name": "keyword.operator.rspl", "match": OPERATOR},
            {"name": "punctuation.separator.rspl", "match": PUNCTUATION},
            {"name": "keyword.other.modality.rspl", "match": _alternatives(MODALITIES)},
            {"name": "keyword.control.rspl", "match": _alternatives(KEYWORDS + TIME_WORDS)},
            {"name": "variable.other.rspl", "match": NAME},
        ],
    }


class RsplLexer(RegexLexer):  # type: ignore[misc]
    """Lexer for RSPL policy files (`.rspl`)."""

    name = "RSPL"
    aliases: ClassVar[list[str]] = ["rspl"]
    filenames: ClassVar[list[str]] = ["*.rspl"]
    mimetypes: ClassVar[list[str]] = ["text/x-rspl"]

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"\s+", Whitespace),
            (COMMENT, Comment.Single),
            (STRING, String.Double),
            (DATE, Number.Other),
            (NUMBER, Number),
            (OPERATOR, Operator),
            (PUNCTUATION, Punctuation),
            (_alternatives(MODALITIES), Keyword.Pseudo),
            (_alternatives(KEYWORDS + TIME_WORDS), Keyword),
            (NAME, Name),
            (r".", Error),
        ],
    }
