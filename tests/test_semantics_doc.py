"""docs/semantics.md stays true to the evaluator: its worked examples are executable.

The convention (also written at the top of the document), in document order:

- a ```rspl block is a policy; the assessments after it are decided under it;
- a ```json block with no marker is an assessment;
- a ```json block right after the line `<!-- expect -->` is a fragment of the decision for the
  assessment before it (`<!-- expect explain -->`: decided with `explain=True`);
- a ```json block right after `<!-- expect error -->` is `{"field": ..., "expected": ...}`: the
  assessment before it must be rejected with an `AssessmentError` carrying exactly those;
- a Markdown table right after `<!-- expect errors -->` lists more rejected assessments, one per
  row: `| case | `ASSESSMENT` | `FIELD` | `EXPECTED` |`, decided under the latest policy;
- a ```python block right after `<!-- run -->` is a script run beside the generated module of
  the latest policy; the ```text block right after `<!-- output -->` that follows it is what
  the script must print.

A fragment matches when it is a sub-dict of the actual decision: dicts are matched key by key,
recursively (the decision may have more keys); a list must have as many items as the decision's,
in the same order, each matched the same way (an object in a list may leave out keys); scalars
must be equal exactly.

Every example is decided three ways, which must agree: by the reference interpreter
(`rspl.interpreter.evaluate`), by `rspl eval --format json`, and by the generated Python module.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import attrs
import pytest

from rspl import cli, ir
from rspl.backends.python import generate
from rspl.diagnostics import Severity
from rspl.interpreter import AssessmentError, evaluate
from rspl.pipeline import compile_source
from rspl.testing import load_module
from rspl.wording import module_name

DOC = Path(__file__).resolve().parent.parent / "docs" / "semantics.md"
TEXT = DOC.read_text(encoding="utf-8")

_FENCE = re.compile(
    r"^(?:<!-- (?P<marker>[a-z ]+?) -->[ \t]*\n)?"
    r"```(?P<lang>[a-z]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_TABLE = re.compile(r"^<!-- expect errors -->[ \t]*\n(?P<rows>(?:\|.*\n)+)", re.MULTILINE)
_MARKERS = {
    "expect": "json",
    "expect explain": "json",
    "expect error": "json",
    "run": "python",
    "output": "text",
}


@attrs.frozen
class Example:
    """One assessment of the document, what it expects, and the policy it is decided under."""

    line: int
    policy: str
    policy_line: int
    assessment: Any
    marker: str  # expect, expect explain or expect error
    expected: Any


@attrs.frozen
class Script:
    """A Python script of the document, run beside the latest policy's generated module."""

    line: int
    policy: str
    code: str
    output: str


def parse(text: str) -> tuple[list[Example], list[Script], list[str]]:
    """The examples and scripts of the document, in order, and any breach of the convention."""
    events: list[tuple[int, str, Any]] = []
    for m in _FENCE.finditer(text):
        events.append((m.start(), "fence", m))
    for m in _TABLE.finditer(text):
        events.append((m.start(), "table", m))
    events.sort(key=lambda e: e[0])
    examples: list[Example] = []
    scripts: list[Script] = []
    problems: list[str] = []
    policy: tuple[str, int] | None = None
    pending: tuple[int, Any] | None = None  # an assessment still waiting for its expectation
    script: tuple[int, str] | None = None  # a script still waiting for its output

    def problem(line: int, what: str) -> None:
        problems.append(f"semantics.md:{line}: {what}")

    for pos, kind, m in events:
        line = text.count("\n", 0, pos) + 1
        if kind == "table":
            if policy is None:
                problem(line, "an error table before any policy")
                continue
            for i, row in enumerate(m.group("rows").splitlines()):
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                if len(cells) != 4 or not cells[1].startswith("`"):
                    continue  # the header or the separator
                raw, field, expected = (c.strip("`") for c in cells[1:])
                examples.append(
                    Example(line + 1 + i, policy[0], policy[1], json.loads(raw), "expect error",
                            {"field": field, "expected": expected})
                )  # fmt: skip
            continue
        marker, lang, body = m.group("marker"), m.group("lang"), m.group("body")
        if marker is not None and _MARKERS.get(marker) != lang:
            problem(line, f"unknown marker `{marker}` before ```{lang}")
            continue
        if pending is not None and (lang != "json" or marker is None):
            problem(pending[0], "an assessment without an expectation after it")
            pending = None
        if script is not None and marker != "output":
            problem(script[0], "a script without its output after it")
            script = None
        if lang == "rspl":
            policy = (body, line)
        elif lang == "json" and marker is None:
            if policy is None:
                problem(line, "an assessment before any policy")
                continue
            pending = (line, json.loads(body))
        elif lang == "json":
            if pending is None or policy is None:
                problem(line, "an expectation without an assessment")
                continue
            examples.append(
                Example(pending[0], policy[0], policy[1], pending[1], marker, json.loads(body))
            )
            pending = None
        elif marker == "run":
            if policy is None:
                problem(line, "a script before any policy")
                continue
            script = (line, body)
        elif marker == "output":
            if script is None or policy is None:
                problem(line, "an output without a script")
                continue
            scripts.append(Script(script[0], policy[0], script[1], body))
            script = None
    if pending is not None:
        problem(pending[0], "an assessment without an expectation after it")
    if script is not None:
        problem(script[0], "a script without its output after it")
    return examples, scripts, problems


EXAMPLES, SCRIPTS, PROBLEMS = parse(TEXT)
IDS = [f"line{e.line}" for e in EXAMPLES]


# ---------------------------------------------------------------------------- matching


def _exact(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def mismatch(expected: Any, actual: Any, path: str = "decision") -> str | None:
    """Where `expected` is not a sub-dict of `actual`, or None when it is."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {_exact(actual)}"
        for key, value in expected.items():
            if key not in actual:
                return f"{path}: no key {key!r}"
            found = mismatch(value, actual[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(e, a, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if _exact(expected) != _exact(actual):
        return f"{path}: expected {_exact(expected)}\n  got {_exact(actual)}"
    return None


def test_matching_is_strict_for_lists_and_scalars() -> None:
    assert mismatch({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3}) is None
    assert mismatch({"a": [1]}, {"a": [1, 2]}) is not None
    assert mismatch({"a": [2, 1]}, {"a": [1, 2]}) is not None
    assert mismatch({"a": [{"b": 1}]}, {"a": [{"b": 1, "c": 2}]}) is None
    assert mismatch({"a": [{"b": 1}]}, {"a": [{"b": 2, "c": 2}]}) is not None
    assert mismatch({"a": [{"b": 1}]}, {"a": [{"b": 1}, {"b": 1}]}) is not None
    assert mismatch({"a": True}, {"a": 1}) is not None
    assert mismatch({"a": 1}, {"a": 1.0}) is not None
    assert mismatch({"a": None}, {}) is not None


# ---------------------------------------------------------------------------- the examples

_POLICIES: dict[str, ir.Policy] = {}
_MODULES: dict[str, types.ModuleType] = {}


def policy_of(example: Example) -> ir.Policy:
    if example.policy not in _POLICIES:
        result = compile_source("example.rspl", example.policy)
        errors = [
            f"  semantics.md:{example.policy_line + d.span.line}: {d.code} {d.message}"
            for d in result.diagnostics
            if d.severity is Severity.ERROR
        ]
        assert result.policy is not None, "a policy in the document does not compile:\n" + (
            "\n".join(errors)
        )
        _POLICIES[example.policy] = result.policy
    return _POLICIES[example.policy]


def module_of(example: Example) -> types.ModuleType:
    if example.policy not in _MODULES:
        _MODULES[example.policy] = load_module(policy_of(example))
    return _MODULES[example.policy]


def test_the_document_follows_the_convention() -> None:
    assert not PROBLEMS, "\n".join(PROBLEMS)
    assert len(EXAMPLES) >= 30
    assert SCRIPTS, "section 14 shows the generated module in use"
    assert TEXT.lstrip().startswith("<!--"), "the convention is explained at the top"


def test_every_section_has_a_worked_example() -> None:
    sections = re.split(r"^## ", TEXT, flags=re.MULTILINE)[1:]
    numbered = [s for s in sections if re.match(r"\d+\.", s)]
    assert len(numbered) >= 14
    for section in numbered:
        title = section.splitlines()[0]
        assert "```rspl" in section or "<!-- expect" in section, f"no example in `{title}`"
        assert "<!-- expect" in section, f"no executable expectation in `{title}`"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example(example: Example) -> None:
    policy = policy_of(example)
    where = f"docs/semantics.md:{example.line}"
    if example.marker == "expect error":
        with pytest.raises(AssessmentError) as info:
            evaluate(policy, example.assessment)
        got = {"field": info.value.field, "expected": info.value.expected}
        assert got == example.expected, f"{where}: rejected differently"
        return
    decision = evaluate(policy, example.assessment, explain=example.marker == "expect explain")
    problem = mismatch(example.expected, decision)
    assert problem is None, f"{where}: the decision does not match the document\n  {problem}"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_generated_module_agrees(example: Example) -> None:
    """The generated evaluator decides every example exactly as the interpreter does."""
    policy, module = policy_of(example), module_of(example)
    explain = example.marker == "expect explain"
    try:
        expected = evaluate(policy, example.assessment, explain=explain)
    except AssessmentError as exc:
        with pytest.raises(module.AssessmentError) as info:
            module.evaluate(example.assessment)
        assert (info.value.field, info.value.expected) == (exc.field, exc.expected)
        return
    decision = module.evaluate(example.assessment, explain=explain)
    assert decision.to_dict() == expected
    for context, verdict in decision.verdicts.items():
        assert verdict.permitted is expected["verdicts"][context]["permitted"]
        assert verdict.reasons == expected["verdicts"][context]["reasons"]
    # A decision depends on the assessment only: the same call again (through the module's
    # caches) decides the same.
    again = module.evaluate(example.assessment, explain=explain)
    assert again.to_dict() == expected, "a second call decides differently"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_cli_agrees(example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rspl eval POLICY ASSESSMENT --format json` prints the interpreter's decision."""
    policy_file = tmp_path / "example.rspl"
    policy_file.write_text(example.policy, encoding="utf-8")
    assessment_file = tmp_path / "assessment.json"
    assessment_file.write_text(json.dumps(example.assessment), encoding="utf-8")
    args = ["eval", str(policy_file), str(assessment_file), "--format", "json"]
    if example.marker == "expect explain":
        args.append("--explain")
    code = cli.main(args)
    out, err = capsys.readouterr()
    if example.marker == "expect error":
        assert code == 1
        assert f"{example.expected['field']}: expected {example.expected['expected']}" in err
        return
    assert code == 0, err
    problem = mismatch(example.expected, json.loads(out))
    assert problem is None, f"docs/semantics.md:{example.line}: rspl eval differs\n  {problem}"


@pytest.mark.parametrize("script", SCRIPTS, ids=[f"line{s.line}" for s in SCRIPTS])
def test_script(script: Script, tmp_path: Path) -> None:
    """The Python examples run as written beside the generated module and print the output
    shown."""
    result = compile_source("example.rspl", script.policy)
    assert result.policy is not None
    module = tmp_path / (module_name(result.policy) + ".py")
    module.write_text(generate(result.policy), encoding="utf-8")
    (tmp_path / "script.py").write_text(script.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "script.py"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == script.output, f"docs/semantics.md:{script.line}: different output"
