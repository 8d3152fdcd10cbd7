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
