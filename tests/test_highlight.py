"""The `rspl` Pygments lexer: registered, and clean on every shipped policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.token import Error

from rspl.highlight import RsplLexer

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("examples/*.rspl"), *ROOT.glob("stdlib/**/*.rspl")])


def test_lexer_is_registered() -> None:
    assert isinstance(get_lexer_by_name("rspl"), RsplLexer)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_error_tokens(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    bad = [v for t, v in RsplLexer().get_tokens(text) if t is Error]
    assert bad == []


def test_error_token_on_foreign_character() -> None:
    assert any(t is Error for t, _ in RsplLexer().get_tokens("rule r { when a $ b }"))


def test_every_keyword_of_the_grammar_is_coloured_as_one() -> None:
    """Each word the grammar spells out (`"require"`, `"phrase"`, ...) and each time word of
    a soft deadline is a keyword of the lexer (and so of the editors' TextMate grammar)."""
    import re

    from rspl.highlight import KEYWORDS, MODALITIES, TIME_WORDS
    from rspl.resources import grammar_text

    grammar = grammar_text()
    words = set(re.findall(r'"([a-z][a-z_ ]*)"i?', grammar))
    soft = re.search(r"SOFT[.0-9]*: /\((.*?)\)\(\?!", grammar)
    assert soft is not None
    times = {w.replace(r"\s+", " ") for w in soft.group(1).split("|")}
    assert words - set(KEYWORDS) - set(MODALITIES) == set()
    assert times == set(TIME_WORDS)
