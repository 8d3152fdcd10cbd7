"""The symbol index (`rspl.index`) on every example: each occurrence is its symbol's name as
written, every name the resolver bound is indexed, lookups by position find them; rename
refusals; semantic tokens (`rspl.tokens`) agree with the Pygments lexer's classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.token import Comment, Keyword, Name, Number, String

from rspl.highlight import RsplLexer
from rspl.index import Index, describe, name_problem
from rspl.pipeline import compile_file
from rspl.tokens import semantic_tokens

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def index(request: pytest.FixtureRequest) -> Index:
    comp = compile_file(str(request.param), build_ir=False)
    assert comp.ok
    return Index(comp)


def test_occurrences_are_the_names_as_written(index: Index) -> None:
    texts = index.compilation.texts
    res = index.compilation.resolution
    assert res is not None
    refs = 0
    for symbol in index.symbols:
        for occ in index.occurrences(symbol):
            assert texts[occ.span.file][occ.span.start : occ.span.end] == symbol.name
            found = index.at(occ.span.file, occ.span.start)
            assert found is not None and found.symbol is symbol
            refs += not occ.is_decl
        assert describe(index, symbol).startswith(f"**{symbol.kind}** `{symbol.name}`")
    assert refs == len({id(name) for name in res.bound})


def test_every_used_declaration_has_a_reference(index: Index) -> None:
    res = index.compilation.resolution
    assert res is not None
    main = index.compilation.program.main.path
    for symbol in index.declarations(main):
        if symbol.kind != "level" and symbol.node.span in res.used:
            assert index.occurrences(symbol, include_decl=False), symbol.name


def test_rename_refusals(index: Index) -> None:
    main = index.compilation.program.main.path
    mine = [s for s in index.declarations(main) if s.kind != "level"]
    first, second = mine[0], mine[1]
    assert index.rename_problem(first, first.name + "_renamed") is None
    assert "already the name" in (index.rename_problem(first, second.name) or "")
    std = [s for s in index.symbols if s.stdlib]
    assert std and "standard library" in (index.rename_problem(std[0], "fresh") or "")
    made = [s for s in index.symbols if not any(o.is_decl for o in index.occurrences(s))]
    for symbol in made:  # the levels of a `risk verdict` domain that declares none
        assert symbol.kind == "level"
        assert "compiler adds it" in (index.rename_problem(symbol, "fresh") or "")


@pytest.mark.parametrize(
    ("name", "problem"),
    [("ok_name", None), ("_x1", None), ("1x", "not a valid name"), ("a-b", "not a valid name"),
     ("", "not a valid name"), ("rule", "keyword"), ("must", "keyword")],
)  # fmt: skip
def test_name_problem(name: str, problem: str | None) -> None:
    found = name_problem(name)
    assert (found is None) if problem is None else (found is not None and problem in found)


_CLASSES = {"comment": Comment, "string": String, "number": Number, "keyword": Keyword}


def test_semantic_tokens_agree_with_the_lexer(index: Index) -> None:
    main = index.compilation.program.main.path
    text = index.compilation.texts[main]
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    kinds = {}
    for offset, kind, value in RsplLexer().get_tokens_unprocessed(text):
        kinds[offset] = (kind, value)
    seen_names = 0
    for tok in semantic_tokens(index, main, text):
        offset = starts[tok.line] + tok.column
        if offset in kinds:
            kind, value = kinds[offset]
            if tok.type in _CLASSES:
                assert kind in _CLASSES[tok.type], (tok, kind)
            elif tok.type != "operator":
                assert kind in Name, (tok, kind)
                occ = index.at(main, offset)
                assert occ is not None and occ.symbol.name == value
                seen_names += 1
    assert seen_names > 100
