"""`rspl fmt` (rspl/fmt.py): the layout of every construct, comments kept, idempotence and
meaning kept.

- Cases: tests/fmt/NAME.rspl formats to tests/fmt/NAME.expected.rspl, which is a fixed point
  (regenerate: `rspl fmt - < NAME.rspl > NAME.expected.rspl`, and review the diff).
- Every shipped file (examples/, stdlib/, the `rspl init` scaffold) is already formatted.
- Properties, on generated programs with comments injected between tokens (at line ends, on
  lines of their own, inside blocks and clauses): formatting twice changes nothing more, every
  comment survives (count, text and order), and the meaning is unchanged: the built syntax
  tree (whose equality ignores spans) and its diagnostics' codes for the robustness suite's
  grammar-generated and mutated programs, and the compiled IR (origins and source hash aside)
  for the random policies of tests/strategies.py. CI's profile runs 5,000 programs.
- The command: --check, --diff, in place, standard input, folders, a file that does not parse.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import policies
from test_robustness import BUILTIN_SEED, MUTATIONS, OTHER_SEEDS, programs

from rspl.cli import main
from rspl.diagnostics import Reporter
from rspl.fmt import FormatError, format_source
from rspl.loader import parse_module
from rspl.pipeline import compile_source
from rspl.resources import grammar_text
from rspl.spans import Span

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fmt"

# 5,000 programs under CI's profile (100,000 under `deep`): about 57 s of CPU time, measured.
GRAMMAR_EXAMPLES = examples(2000)
MUTATED_EXAMPLES = examples(2850)
POLICY_EXAMPLES = examples(150)



def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])  # fmt: skip


# ---------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def _lexer() -> tuple[lark.Lark, list[lark.Token]]:
    """A parser that keeps every token, and the comments its lexer callback collects."""
    found: list[lark.Token] = []
    parser = lark.Lark(grammar_text(), parser="lalr", keep_all_tokens=True,
                       lexer_callbacks={"COMMENT": found.append})  # fmt: skip
    return parser, found


def _scan(text: str) -> tuple[list[lark.Token], list[str]] | None:
    """The tokens and the comments (their text, in order) of `text`; None if it does not
    parse."""
    parser, found = _lexer()
    found.clear()
    try:
        tree = parser.parse(text)
    except lark.exceptions.LarkError:
        return None
    comments = [str(c).rstrip() for c in sorted(found, key=lambda c: c.start_pos or 0)]
    found.clear()
    return list(tree.scan_values(lambda v: isinstance(v, lark.Token))), comments


@st.composite
def with_comments(draw: st.DrawFn, text: str) -> str:
    """`text` with comments inserted between its tokens: after a token at the end of a line
    (`  # t3`), or on a line of their own before a token (`# c3`), and perhaps at the end."""
    scanned = _scan(text)
    if scanned is None:
        return text
    tokens = scanned[0]
    if not tokens:
        return text
    picks = draw(st.lists(st.tuples(st.integers(0, len(tokens) - 1), st.booleans()),
                          max_size=8))  # fmt: skip
    edits: list[tuple[int, str]] = []
    for n, (i, trailing) in enumerate(picks):
        tok = tokens[i]
        if trailing:
            edits.append((tok.end_pos or 0, f"  # t{n} after {str(tok)[:10]!r}\n"))
        else:
            edits.append((tok.start_pos or 0, f"\n# c{n}: before {str(tok)[:10]!r}\n"))
    if draw(st.booleans()):
        edits.append((len(text), "\n# the end\n"))
    for pos, insert in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:pos] + insert + text[pos:]
    return text


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A small seed of the robustness suite (its built-in policy, the stdlib, the test
    cases and policies) with one to three of its mutations (tokens deleted, duplicated,
    swapped, replaced or respelled, characters deleted or inserted, truncation). The large
    examples are left out for speed: each is formatted whole by the tests above."""
    _, text = draw(st.sampled_from([BUILTIN_SEED, *OTHER_SEEDS]))
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        text = draw(st.sampled_from(MUTATIONS))(draw, text)
    return text


def _meaning(text: str) -> tuple[Any, list[str]]:
    """The syntax tree as built, places left out, and its diagnostics' codes."""
    reporter = Reporter()
    module = parse_module("m", "m.rspl", text, reporter, stdlib=False)
    return _plain(module), sorted(d.code for d in reporter.diagnostics)


def _plain(value: Any) -> Any:
    """Syntax tree or IR data as plain values, with places left out: spans (a span used as
    a flag, such as an obligation's `negated`, becomes True), origins (file and line) and
    the source hash."""
    if isinstance(value, Span):
        return True
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))
                if f.name not in ("span", "origin", "source_hash")}  # fmt: skip
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__slots__"):  # e.g. a standard's Lineage
        return {k: _plain(getattr(value, k)) for k in value.__slots__}
    return value


def _formats_well(text: str) -> str | None:
    """Check the properties on `text` (when it parses); return the formatted text."""
    try:
        once = format_source(text, "generated.rspl")
    except FormatError as err:
        assert err.diagnostics and all(d.code for d in err.diagnostics)
        assert _scan(text) is None or err.diagnostics[0].code == "E0601"
        return None
    assert format_source(once, "generated.rspl") == once, "not idempotent"
    before, after = _scan(text), _scan(once)
    assert before is not None and after is not None
    assert after[1] == before[1], "comments lost, added or moved out of order"
    assert _meaning(once) == _meaning(text), "the meaning changed"
    return once


# ---------------------------------------------------------------------------- cases


def _cases() -> list[Path]:
    return sorted(p for p in CASES.glob("*.rspl") if not p.name.endswith(".expected.rspl"))


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.stem)
def test_case(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    expected = case.with_suffix(".expected.rspl").read_text(encoding="utf-8")
    assert format_source(text, case.name) == expected
    assert format_source(expected, case.name) == expected
    assert _meaning(expected) == _meaning(text)
    before, after = _scan(text), _scan(expected)
    assert before is not None and after is not None and before[1] == after[1]


def _shipped() -> list[Path]:
    files = [p for top in ("examples", "stdlib") for p in sorted((ROOT / top).rglob("*.rspl"))]
    return [*files, ROOT / "rspl" / "templates" / "init" / "policy.rspl"]


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_are_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_source(text, str(path)) == text, f"run: rspl fmt {path.relative_to(ROOT)}"


def test_fmt_check_on_the_shipped_files_in_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rspl", "fmt", "--check", "examples/", "stdlib/"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 files would be reformatted" in done.stderr


def test_the_init_scaffold_is_formatted(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "new")]) == 0
    policy = (tmp_path / "new" / "policy.rspl").read_text(encoding="utf-8")
    assert format_source(policy, "policy.rspl") == policy


def test_the_ir_of_every_example_is_unchanged() -> None:
    """Formatting an example written otherwise (every line break and indentation undone)
    gives the shipped file back, and the IR compiled from both is the same."""
    for path in sorted((ROOT / "examples").glob("*.rspl"))[:2]:
        text = path.read_text(encoding="utf-8")
        scanned = _scan(text)
        assert scanned is not None
        # every token on one line where comments allow, joined by one space
        squashed = _squash(text, scanned[0])
        assert format_source(squashed, str(path)) == text
        a = compile_source(str(path), text)
        b = compile_source(str(path), squashed)
        assert a.ok and b.ok
        assert _plain(a.policy) == _plain(b.policy)


def _squash(text: str, tokens: list[lark.Token]) -> str:
    """`text` with the space between tokens made one space (a newline where a comment
    needs one, so that comments stay where they are)."""
    out: list[str] = []
    prev = 0
    for tok in tokens:
        start = tok.start_pos or 0
        gap = text[prev:start]
        if "#" in gap:
            out.append(gap)
        elif prev:
            out.append("\n\n" if gap.count("\n") >= 2 else " ")
        out.append(text[start : tok.end_pos])
        prev = tok.end_pos or start
    out.append(text[prev:])
    return "".join(out)


def test_the_example_in_the_language_reference_is_what_fmt_gives() -> None:
    """docs/language.md, "Formatting": the second block is the first one formatted."""
    doc = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = doc[doc.index("\n## Formatting\n") :]
    untidy, tidy = re.findall(r"```rspl\n(.*?)```", section, re.DOTALL)[:2]
    first = "# Written in any layout,\n"
    assert untidy.startswith(first)
    assert tidy.startswith("# `rspl fmt` gives:\n")
    assert format_source(untidy) == first + tidy.split("\n", 1)[1]


def test_a_file_that_does_not_parse_raises_with_its_diagnostics() -> None:
    with pytest.raises(FormatError) as caught:
        format_source('role a "A" {\n', "broken.rspl")
    (diag,) = caught.value.diagnostics
    assert diag.code == "E0003"
    assert diag.span.file == "broken.rspl" and diag.span.line == 1


# ---------------------------------------------------------------------------- properties


@_settings(GRAMMAR_EXAMPLES)
@given(st.data())
def test_grammar_generated_programs(data: st.DataObject) -> None:
    text = data.draw(programs())
    _formats_well(data.draw(with_comments(text)))


@_settings(MUTATED_EXAMPLES)
@given(st.data())
def test_mutated_programs(data: st.DataObject) -> None:
    text = data.draw(mutated())
    _formats_well(data.draw(with_comments(text)))


@_settings(POLICY_EXAMPLES)
@given(st.data())
def test_random_policies_keep_their_ir(data: st.DataObject) -> None:
    spec = data.draw(policies())
    text = data.draw(with_comments(spec.text))
    once = _formats_well(text)
    assert once is not None
    a = compile_source("policy.rspl", text)
    b = compile_source("policy.rspl", once)
    assert [d.code for d in a.diagnostics] == [d.code for d in b.diagnostics]
    assert _plain(a.policy) == _plain(b.policy)


def test_ci_runs_at_least_5000_generated_programs() -> None:
    if settings.default.max_examples >= 100:
        assert GRAMMAR_EXAMPLES + MUTATED_EXAMPLES + POLICY_EXAMPLES >= 5000


# ---------------------------------------------------------------------------- the command

MESSY = 'role a "A"   source "§1"\n'
TIDY = 'role a "A" source "§1"\n'


def test_check_lists_what_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy, tidy = tmp_path / "messy.rspl", tmp_path / "tidy.rspl"
    messy.write_text(MESSY)
    tidy.write_text(TIDY)
    assert main(["fmt", "--check", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert out.out == f"would reformat {messy}\n"
    assert "1 file would be reformatted, 1 left unchanged" in out.err
    assert messy.read_text() == MESSY
    assert main(["fmt", "--check", str(tidy)]) == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy = tmp_path / "messy.rspl"
    messy.write_text(MESSY)
    assert main(["fmt", "--diff", str(messy)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"--- {messy} (original)\n+++ {messy} (formatted)\n@@ -1 +1 @@\n")
    assert f"-{MESSY}+{TIDY}" in out
    assert messy.read_text() == MESSY


def test_in_place_rewrites_only_what_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy, tidy = tmp_path / "sub" / "messy.rspl", tmp_path / "tidy.rspl"
    messy.parent.mkdir()
    messy.write_text(MESSY)
    tidy.write_text(TIDY)
    before = tidy.stat().st_mtime_ns
    assert main(["fmt", str(tmp_path / "s*" / "*.rspl"), str(tidy)]) == 0
    assert messy.read_text() == TIDY
    assert tidy.stat().st_mtime_ns == before
    err = capsys.readouterr().err
    assert f"reformatted {messy}\n" in err and "1 file reformatted, 1 left unchanged" in err
    assert main(["fmt", "--check", str(messy)]) == 0


def test_standard_input_is_formatted_to_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(MESSY))
    assert main(["fmt", "-"]) == 0
    out = capsys.readouterr()
    assert out.out == TIDY and out.err == ""
    monkeypatch.setattr(sys, "stdin", io.StringIO(MESSY))
    assert main(["fmt", "--check", "-"]) == 1
    assert capsys.readouterr().out == "would reformat <stdin>\n"


def test_a_file_that_does_not_parse_is_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, messy = tmp_path / "broken.rspl", tmp_path / "messy.rspl"
    broken.write_text('role a "A"   {\n')
    messy.write_text(MESSY)
    assert main(["fmt", str(broken), str(messy)]) == 2
    err = capsys.readouterr().err
    assert "error[E0003]" in err and f"{broken}:1:" in err.replace(" --> ", "")
    assert f"{broken}: not formatted: it does not parse" in err
    assert broken.read_text() == 'role a "A"   {\n'
    assert messy.read_text() == TIDY  # the other files are still formatted


def test_a_missing_file_or_empty_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fmt", str(tmp_path / "missing.rspl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["fmt", str(tmp_path)]) == 2
    assert "no .rspl files" in capsys.readouterr().err
