"""The `rspl` Pygments lexer, registered through the `pygments.lexers` entry point and used
by the diagnostic renderer to colour source snippets."""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, words
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
    "any", "all", "at", "least", "scenario", "given", "expect", "cannot", "rule", "below",
    "yes", "no", "done", "required", "missing", "permitted", "blocked", "triggered",
    "precautionary", "alert", "obligation", "source", "means", "note", "recommended",
    "counted", "prohibited", "waiver", "waives", "waived",
    "counted", "promptly", "immediately", "without delay", "in a timely manner", "regularly",
    "periodically",
)  # fmt: skip
MODALITIES = ("must", "should", "may", "recommend", "illustrative")


class RsplLexer(RegexLexer):  # type: ignore[misc]
    """Lexer for RSPL policy files (`.rspl`)."""

    name = "RSPL"
    aliases: ClassVar[list[str]] = ["rspl"]
    filenames: ClassVar[list[str]] = ["*.rspl"]
    mimetypes: ClassVar[list[str]] = ["text/x-rspl"]

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\]|\\.)*"', String.Double),
            (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", Number.Other),
            (r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", Number),
            (r">=|<=|==|!=|>|<|=|%", Operator),
            (r"[{}(),:.]", Punctuation),
            (words(MODALITIES, suffix=r"\b"), Keyword.Pseudo),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r".", Error),
        ],
    }
