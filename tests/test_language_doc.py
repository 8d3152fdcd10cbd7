"""docs/language.md stays true to the compiler.

Every ```rspl block in the reference parses without a syntax error; blocks whose first line is
`# complete` are whole policies and compile with no errors. The reference also names every
keyword of the grammar in its reserved-word index, and every unit, evidence type and fixed word
the compiler knows, so the document cannot silently fall behind the language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rspl import units
from rspl.diagnostics import Diagnostic, Reporter, Severity
from rspl.parser import parse
from rspl.pipeline import compile_source
from rspl.resources import grammar_text, stdlib_module

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"
TEXT = DOC.read_text(encoding="utf-8")

_FENCE = re.compile(r"^```rspl[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
COMPLETE = "# complete"


def _blocks() -> list[tuple[int, str]]:
    """(line of the opening fence, block text) for every ```rspl block."""
    return [(TEXT.count("\n", 0, m.start()) + 1, m.group(1)) for m in _FENCE.finditer(TEXT)]


BLOCKS = _blocks()
COMPLETE_BLOCKS = [(line, text) for line, text in BLOCKS if text.startswith(COMPLETE + "\n")]


def _show(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], first_line: int) -> str:
    """Diagnostics with their line in language.md (the block starts after the fence)."""
    return "\n".join(
        f"  language.md:{first_line + d.span.line}: {d.code} {d.message}"
        + (f" ({d.span.file})" if not d.span.file.startswith("doc") else "")
        for d in diagnostics
    )


def test_the_reference_has_examples() -> None:
    assert len(BLOCKS) >= 20
    assert COMPLETE_BLOCKS, "no ```rspl block starts with `# complete`"
    assert BLOCKS[-1] in COMPLETE_BLOCKS, "the final example should be a `# complete` block"


@pytest.mark.parametrize("line,text", BLOCKS, ids=[f"line{line}" for line, _ in BLOCKS])
def test_block_parses(line: int, text: str) -> None:
    reporter = Reporter()
    tree = parse(text, "doc", reporter)
    assert not reporter.diagnostics, "syntax error in docs/language.md:\n" + _show(
        reporter.diagnostics, line
    )
    assert tree is not None


@pytest.mark.parametrize(
    "line,text", COMPLETE_BLOCKS, ids=[f"line{line}" for line, _ in COMPLETE_BLOCKS]
)
def test_complete_block_compiles(line: int, text: str) -> None:
    result = compile_source("doc.rspl", text)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors, "a `# complete` block does not compile:\n" + _show(errors, line)
    assert result.ok


def _section(title: str) -> str:
    start = TEXT.index(f"\n## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start : end if end != -1 else len(TEXT)]


def test_reserved_word_index_lists_every_keyword() -> None:
    keywords = set(re.findall(r'"([a-z]+)"', grammar_text()))
    keywords |= {w for w in units.SOFT_WORDS if " " not in w}  # the SOFT terminal's words
    index = set(re.findall(r"^\| `([a-z]+)` \|", _section("Reserved words"), re.MULTILINE))
    assert keywords - index == set(), "keywords missing from the reserved-word index"
    assert index - keywords == set(), "the index lists words that are not keywords"


def _mentioned(word: str) -> bool:
    return f"`{word}`" in TEXT


@pytest.mark.parametrize(
    "kind,words",
    [
        ("unit", sorted(units.UNITS)),
        ("dimension", sorted(units.DIMENSIONS)),
        ("evidence type", sorted(units.EVIDENCE_TYPES)),
        ("domain status", list(units.DOMAIN_STATUSES)),
        ("safeguard category", list(units.SAFEGUARD_CATEGORIES)),
        ("claim type", list(units.CLAIM_TYPES)),
        ("modality", list(units.MODALITIES)),
        ("obligation status", list(units.OBLIGATION_STATUSES)),
        ("deadline kind", list(units.DEADLINE_KINDS)),
        ("soft time word", list(units.SOFT_WORDS)),
    ],
)
def test_fixed_words_are_documented(kind: str, words: list[str]) -> None:
    missing = [w for w in words if not _mentioned(w)]
    assert not missing, f"{kind}s not in docs/language.md: {missing}"


@pytest.mark.parametrize("module", ["std.contexts", "std.actions"])
def test_stdlib_declarations_are_documented(module: str) -> None:
    found = stdlib_module(module)
    assert found is not None
    names = re.findall(r"^(?:context|action) (\w+)", found[1], re.MULTILINE)
    assert names
    missing = [name for name in names if not _mentioned(name)]
    assert not missing, f"{module} declares names not in docs/language.md: {missing}"
