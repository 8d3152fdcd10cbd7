"""The TextMate grammar (editors/rspl.tmLanguage.json and its copy in the VS Code extension)
is generated from the Pygments lexer and classifies every token of every shipped policy as the
lexer does: keyword, name, string, number, comment, operator, punctuation.

The grammar is run by a small TextMate tokenizer below, line by line as editors do: at each
point the pattern whose match starts first wins (the first listed on a tie), and a `begin`
pattern stays open across lines until its `end`. That is all the grammar uses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String

from rspl.highlight import RsplLexer, textmate_grammar

ROOT = Path(__file__).resolve().parent.parent
GRAMMARS = [ROOT / "editors" / "rspl.tmLanguage.json",
            ROOT / "editors" / "vscode" / "syntaxes" / "rspl.tmLanguage.json"]  # fmt: skip
SOURCES = sorted([*ROOT.glob("examples/*.rspl"), *ROOT.glob("stdlib/**/*.rspl"),
                  ROOT / "rspl" / "templates" / "init" / "policy.rspl",
                  ROOT / "tests" / "prose" / "corpus.rspl"])  # fmt: skip


def _text(grammar: dict[str, Any]) -> str:
    return json.dumps(grammar, indent=2) + "\n"


@pytest.mark.parametrize("path", GRAMMARS, ids=lambda p: str(p.relative_to(ROOT)))
def test_grammar_file_is_generated_from_the_lexer(path: Path, update_cases: bool) -> None:
    expected = _text(textmate_grammar())
    if update_cases:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, "run with --update-golden"


def _scope_class(scope: str) -> str:
    for prefix, cls in (("comment", "comment"), ("string", "string"),
                        ("constant.character.escape", "string"), ("constant.numeric", "number"),
                        ("keyword.operator", "operator"), ("punctuation", "punctuation"),
                        ("keyword", "keyword"), ("variable", "name")):  # fmt: skip
        if scope.startswith(prefix):
            return cls
    raise AssertionError(f"unexpected scope {scope}")


def textmate_classes(grammar: dict[str, Any], text: str) -> list[str | None]:
    """The class of each character of `text` under `grammar` (None: no scope)."""
    out: list[str | None] = [None] * len(text)
    patterns = grammar["patterns"]
    compiled = [(p, re.compile(p["match"] if "match" in p else p["begin"], re.M))
                for p in patterns]  # fmt: skip
    open_rule: dict[str, Any] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        pos, end_of_line = 0, len(line.rstrip("\n"))
        while pos < end_of_line:
            if open_rule is not None:  # inside a begin/end region
                inner = [re.compile(p["match"]) for p in open_rule.get("patterns", [])]
                end = re.compile(open_rule["end"])
                m_end = end.search(line, pos, end_of_line)
                m_in = min((m for m in (r.search(line, pos, end_of_line) for r in inner) if m),
                           key=lambda m: m.start(), default=None)  # fmt: skip
                cls = _scope_class(open_rule["name"])
                stop = m_end.end() if m_end else end_of_line
                if m_in is not None and m_end is not None and m_in.start() < m_end.start():
                    stop = m_in.end()  # an escape (it may hide a quote)
                    for i in range(pos, stop):
                        out[offset + i] = cls
                    pos = stop
                    continue
                for i in range(pos, stop):
                    out[offset + i] = cls
                pos = stop
                if m_end is not None and stop == m_end.end():
                    open_rule = None
                continue
            best = None
            for rule, regex in compiled:
                m = regex.search(line, pos, end_of_line)
                if m and (best is None or m.start() < best[1].start()):
                    best = (rule, m)
            if best is None:
                break
            rule, m = best
            cls = _scope_class(rule["name"])
            for i in range(m.start(), m.end()):
                out[offset + i] = cls
            pos = max(m.end(), m.start() + 1)
            if "begin" in rule:
                open_rule = rule
        offset += len(line)
    return out


def pygments_classes(text: str) -> list[str | None]:
    out: list[str | None] = []
    for _, token, value in RsplLexer().get_tokens_unprocessed(text):
        cls = None
        for ttype, name in ((Comment, "comment"), (String, "string"), (Number, "number"),
                            (Operator, "operator"), (Punctuation, "punctuation"),
                            (Keyword, "keyword"), (Name, "name")):  # fmt: skip
            if token in ttype:
                cls = name
                break
        out += [cls] * len(value)
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_textmate_and_pygments_agree_on_every_token(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ours = textmate_classes(textmate_grammar(), text)
    theirs = pygments_classes(text)
    assert len(ours) == len(theirs) == len(text)
    differ = [(i, text[i], ours[i], theirs[i]) for i in range(len(text))
              if not text[i].isspace() and ours[i] != theirs[i]]  # fmt: skip
    if differ:
        i = differ[0][0]
        line = text.count("\n", 0, i) + 1
        raise AssertionError(f"{path.name}:{line}: {differ[0]}; {len(differ)} characters differ")


def test_the_tokenizer_sees_each_class() -> None:
    """The comparison is not vacuous: a policy fragment yields every class."""
    text = '# c\nrule r "a \\" b\n c" { when x >= 1e26 FLOP must notify 2025-01-01 }\n'
    classes = set(textmate_classes(textmate_grammar(), text)) - {None}
    assert classes == {"comment", "keyword", "name", "string", "number", "operator",
                       "punctuation"}  # fmt: skip
    assert textmate_classes(textmate_grammar(), text)[len('# c\nrule r "a \\" b\n c')] == "string"
