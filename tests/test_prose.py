"""The document's prose (issue 12, items 1 and 5).

- Regressions: each file of tests/prose/regressions/ is a small policy (after
  tests/prose/prelude.rspl) whose `# expect:` sentences the document must contain and whose
  `# never:` sentences it must not: every bad sentence the issue quotes, rendered from the
  construct that produced it.
- The corpus: tests/prose/corpus.rspl puts awkward titles through every sentence template;
  its sentences must match tests/prose/corpus.sentences.md (reviewed; `--update-golden`
  rewrites it) and pass the automatic checks of tests/prose_checks.py.
- The examples: every example's document passes the same checks.
- Words: `rspl.prose`'s article, number and placement rules against tests/prose/words.txt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prose_checks import problems

from rspl import ir, prose
from rspl.backends.markdown import render
from rspl.pipeline import compile_file, compile_source

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "prose"
PRELUDE = (HERE / "prelude.rspl").read_text(encoding="utf-8")
REGRESSIONS = sorted((HERE / "regressions").glob("*.rspl"))
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))
CORPUS = HERE / "corpus.rspl"
SENTENCES = HERE / "corpus.sentences.md"
# Lines whose titles are labels, not running text (none: the thresholds section's baseline
# reads as sentences too).
LABEL_LINES: tuple[str, ...] = ()


def _document(policy: ir.Policy) -> str:
    (text,) = render(policy).values()
    return text


def _titles(policy: ir.Policy) -> list[str]:
    """Every declared title that can appear in running text (a one-word level title is the
    level's name: `High`)."""
    out: list[str] = []
    for decls in (
        policy.roles, policy.contexts, policy.context_groups, policy.domains, policy.evidence,
        policy.definitions, policy.safeguards, policy.standards, policy.artifacts,
        policy.actions,
    ):  # fmt: skip
        out += [d.title for d in decls if d.title]
    for domain in policy.domains:
        out += [lv.title for lv in domain.levels if lv.title and " " in lv.title.strip()]
    return out


def _proper(policy: ir.Policy) -> frozenset[str]:
    org = policy.organization or ""
    return frozenset({org, org.split(" ", 1)[0]} if org else ())


def _authored(policy: ir.Policy) -> list[str]:
    """What the policy's authors wrote in their own words: descriptions and notes."""
    out: list[str] = [policy.means or ""]
    for decls in (
        policy.roles, policy.contexts, policy.context_groups, policy.domains, policy.evidence,
        policy.definitions, policy.safeguards, policy.standards, policy.families,
        policy.artifacts, policy.actions, policy.rules, policy.waivers,
    ):  # fmt: skip
        out += [d.means or "" for d in decls]
    for domain in policy.domains:
        out += [lv.means or "" for lv in domain.levels]
    for rule in policy.rules:
        out += [x.note or "" for x in (*rule.requirements, *rule.obligations, *rule.fallbacks)]
    return out


def _check(policy: ir.Policy, text: str) -> list[str]:
    kept = "\n".join(
        "" if line.startswith(LABEL_LINES) else _without_notes(line)
        for line in text.splitlines()
    )
    return problems(kept, _titles(policy), _proper(policy), _authored(policy))


def _without_notes(line: str) -> str:
    """A line without the policy's own `*Note:*`: the author's words, not the generator's."""
    return line.split(" *Note:* ", 1)[0]


def _directives(path: Path, word: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"# {word}:")
    ]


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_regression(path: Path) -> None:
    result = compile_source(path.name, PRELUDE + "\n" + path.read_text(encoding="utf-8"))
    errors = [d for d in result.diagnostics if d.code.startswith("E")]
    assert not errors, errors
    assert result.policy is not None
    text = _document(result.policy)
    plain = text.replace("\\", "")
    expected, never = _directives(path, "expect"), _directives(path, "never")
    assert expected, f"{path.name} expects nothing"
    for sentence in expected:
        assert sentence in plain, f"{path.name}: missing {sentence!r}"
    for sentence in never:
        assert sentence not in plain, f"{path.name}: still says {sentence!r}"
    assert _check(result.policy, text) == []


def _sentences(text: str) -> str:
    """The running text of the rules, warnings, waivers and definitions: every sentence a
    template makes, without tables, headings or the document's fixed explanations."""
    start, end = text.index("## Rules"), text.index("## Evidence")
    keep = [
        line for line in text[start:end].splitlines()
        if line.strip() and not line.startswith(("#", "|", "Rule `", "Early warning `",
                                                 "Waiver `"))
    ]  # fmt: skip
    return "\n".join(keep) + "\n"


def test_corpus_sentences(update_cases: bool) -> None:
    policy = compile_file(str(CORPUS)).policy
    assert policy is not None
    got = _sentences(_document(policy))
    if update_cases:
        SENTENCES.write_text(got, encoding="utf-8")
    assert got == SENTENCES.read_text(encoding="utf-8"), (
        "the corpus reads differently: review, then run with --update-golden"
    )


def test_corpus_passes_checks() -> None:
    policy = compile_file(str(CORPUS)).policy
    assert policy is not None
    assert _check(policy, _sentences(_document(policy))) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_passes_checks(path: Path) -> None:
    policy = compile_file(str(path)).policy
    assert policy is not None
    assert _check(policy, _document(policy)) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("share Plan for interim measures with the board", "title with its capital"),
        ("share the Plan for interim measures", "title with its capital"),
        ("decide whether There is clear evidence", "title with its capital"),
        ("a MRI-style audit", "'a' before 'MRI-style'"),
        ("an UK AISI test", "'an' before 'UK'"),
        ("notify the the board", "doubled word"),
        ("publish the report ( ) today", "empty clause"),
        ("notify the board within 0 days of the incident", "zero period"),
    ],
)
def test_checks_catch_each_class(text: str, found: str) -> None:
    titles = ["Plan for interim measures", "There is clear evidence"]
    assert any(found in p for p in problems(text, titles)), problems(text, titles)


def _word_cases() -> list[tuple[str, str, str]]:
    rows = []
    for line in (HERE / "words.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _, rest = line.partition(" ")
            title, _, expected = rest.partition(" => ")
            rows.append((kind, title.strip(), expected.strip()))
    return rows


@pytest.mark.parametrize("kind, title, expected", _word_cases())
def test_words(kind: str, title: str, expected: str) -> None:
    got = {
        "article": lambda t: prose.with_article(t),
        "plural": lambda t: "plural" if prose.is_plural(t) else "singular",
        "mid": lambda t: prose.mid(t),
        "thing": lambda t: prose.definite(t),
        "office": lambda t: prose.office(t),
        "every": lambda t: prose.every(t),
        "noun": lambda t: prose.plural(t),
        "level": lambda t: prose.level(t),
    }[kind](title)
    assert got == expected


def test_phrase_without_words_is_e1801() -> None:
    source = PRELUDE + '\nartifact plan "Plan" { phrase "  " source "§3" }\n'
    result = compile_source("p.rspl", source)
    errors = [d for d in result.diagnostics if d.code.startswith("E")]
    assert [d.code for d in errors] == ["E1801"]
    assert re.search(r"`phrase`", errors[0].message)
