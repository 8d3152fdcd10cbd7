"""The message registry (`rspl/messages.py`) is the only way to report a diagnostic.

A scan of the package's source keeps it so:

- only `rspl/messages.py` builds a `Diagnostic` or a `Label`;
- no code is written as a string (`"E0201"`) outside the code table in `rspl/diagnostics.py`;
- a report site (`reporter.add(...)`, the checker's `self.report(...)`) passes one diagnostic,
  built by a constructor call that carries no text: no string literal and no f-string in it,
  so a message, a help or a label cannot be written at the report site.

And the registry is complete: every code in `CODES` has a constructor (each constructor
reports exactly one code), and every constructor is used by some pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rspl import diagnostics, messages
from rspl.diagnostics import CODES, Code, Diagnostic, Reporter, Severity
from rspl.spans import Span

PACKAGE = Path(diagnostics.__file__).resolve().parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
MESSAGES = PACKAGE / "messages.py"
CODE_TABLE = PACKAGE / "diagnostics.py"

CODE_CONSTANTS = {
    name: value for name, value in vars(diagnostics).items() if isinstance(value, Code)
}


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _callee(call: ast.Call) -> str:
    """`reporter.add`, `self.report`, `Diagnostic`: the called expression as dotted text."""
    return ast.unparse(call.func)


def _is_report_site(call: ast.Call) -> bool:
    callee = _callee(call)
    last = callee.rsplit(".", 1)[-1]
    return last == "report" or (last == "add" and callee.rsplit(".", 1)[0].endswith("reporter"))


def _constructors() -> dict[str, ast.FunctionDef]:
    """The public functions of rspl/messages.py that return a `Diagnostic`."""
    return {
        node.name: node
        for node in _tree(MESSAGES).body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and node.returns is not None
        and ast.unparse(node.returns) == "Diagnostic"
    }


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_only_the_registry_builds_diagnostics(path: Path) -> None:
    if path == MESSAGES:
        return
    found = [
        f"{_rel(path)}:{node.lineno}: {_callee(node)}(...)"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and _callee(node).rsplit(".", 1)[-1] in ("Diagnostic", "Label")
        # the language server turns diagnostics into the protocol's (`lsprotocol.types as t`)
        and not (path.name == "lsp.py" and _callee(node).startswith("t."))
    ]
    assert found == [], "build diagnostics with a constructor in rspl/messages.py"


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_code_is_written_as_a_string(path: Path) -> None:
    if path == CODE_TABLE:
        return
    found = [
        f"{_rel(path)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.strip() in CODES
    ]
    assert found == [], "use the constants of rspl/diagnostics.py (e.g. UNKNOWN_NAME)"


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_report_sites_pass_a_constructed_diagnostic_and_no_text(path: Path) -> None:
    problems = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Call) or not _is_report_site(node):
            continue
        where = f"{_rel(path)}:{node.lineno}: {ast.unparse(node)[:80]}"
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Call):
            problems.append(f"{where}: pass one diagnostic, e.g. reporter.add(msg.NAME(...))")
            continue
        for sub in ast.walk(node.args[0]):
            if isinstance(sub, ast.JoinedStr) or (
                isinstance(sub, ast.Constant) and isinstance(sub.value, str)
            ):
                problems.append(f"{where}: text at the report site; word it in rspl/messages.py")
                break
    assert problems == []


def test_there_are_report_sites() -> None:
    """The scan above sees the passes' report sites (it would pass vacuously otherwise)."""
    sites = [
        path.name
        for path in SOURCES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call) and _is_report_site(node)
    ]
    assert len(sites) >= 50
    assert {"parser.py", "builder.py", "loader.py", "resolver.py", "checker.py"} <= set(sites)


def test_the_reporter_takes_only_diagnostics() -> None:
    assert not hasattr(Reporter, "report"), "report through Reporter.add(msg.NAME(...))"


def test_every_code_has_a_constructor_and_each_constructor_one_code() -> None:
    by_code: dict[str, list[str]] = {code: [] for code in CODES}
    for name, node in _constructors().items():
        used = {
            sub.id
            for sub in ast.walk(node)
            if isinstance(sub, ast.Name) and sub.id in CODE_CONSTANTS
        }
        assert len(used) == 1, f"messages.{name} should report exactly one code, not {used}"
        by_code[CODE_CONSTANTS[used.pop()].code].append(name)
    assert [code for code, names in by_code.items() if not names] == []


def test_every_constructor_is_used() -> None:
    used = {
        node.attr
        for path in SOURCES
        if path != MESSAGES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "msg"
    }
    assert sorted(set(_constructors()) - used) == []


def test_code_constants_are_named_after_their_slug_in_registry_order() -> None:
    for name, code in CODE_CONSTANTS.items():
        assert name == code.slug.upper().replace("-", "_")
    assert list(CODES.values()) == list(CODE_CONSTANTS.values())
    assert len({c.slug for c in CODES.values()}) == len(CODES)


def test_the_reporter_keeps_one_copy_of_a_diagnostic() -> None:
    span = Span("x.rspl", 0, 1, 1, 1, 1, 2)
    reporter = Reporter()
    first = messages.unknown_type("bytes", span)
    reporter.add(first)
    reporter.add(messages.unknown_type("bytes", span))
    assert reporter.diagnostics == [first]
    reporter.add(messages.unknown_type("byte", span))  # another message: another diagnostic
    assert len(reporter.diagnostics) == 2
    assert reporter.has_errors
    assert first.code == "E0205" and first.severity is Severity.ERROR
    assert isinstance(first, Diagnostic)
