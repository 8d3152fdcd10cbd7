"""The compiler's input envelope (`docs/limits.md`, `rspl/limits.py`).

At each limit, for each kind of depth (expression nesting written with `not`, `and`, `or`,
`any of`; definition chains; definition cycles; import chains): exactly at the limit the policy
is accepted, builds, and its generated module imports in a fresh interpreter and evaluates
`{}`; one past it, `rspl check`, `rspl build` and `rspl eval` report the coded diagnostic with
a location and never a traceback. Everything runs with 300 frames already in use, to show the
limits leave a margin below Python's recursion limit whoever calls the compiler.

Then the property: every program `rspl check` accepts builds, and its generated module
imports and evaluates `{}`, over the grammar-generated and mutated programs of
`tests/test_robustness.py` and over deep-nesting mutations made here. Most examples exec the
module in-process; `test_accepted_programs_import_in_a_subprocess` imports a few in a fresh
interpreter.
"""

from __future__ import annotations

import json
import keyword
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from test_robustness import BUILTIN_POLICY, corpus_reader, mutated_sources, programs

from rspl import limits
from rspl.build import render_outputs
from rspl.cli import main as rspl_main
from rspl.limits import MAX_DEFINITION_DEPTH, MAX_EXPRESSION_DEPTH, MAX_IMPORT_DEPTH
from rspl.pipeline import Compilation, compile_file, compile_source
from rspl.wording import module_name

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("python", "markdown", "jsonschema")
PROPERTY_EXAMPLES = examples(100)
MARGIN_FRAMES = 300

HEADER = """policy gate "Gate" {
  organization "Lab"
  version "1"
  combine highest standard per family
}
context deploy "Deploy"
domain D "D" {
  level L1 "L1" source "s"
  level L2 "L2" source "s"
}
evidence e: fact "E"
safeguard s "S"
"""

T = TypeVar("T")


def with_frames_in_use(frames: int, fn: Callable[[], T]) -> T:
    """`fn()` called `frames` Python frames deeper than here."""
    if frames <= 0:
        return fn()
    return with_frames_in_use(frames - 1, fn)


def rule(condition: str, prefix: str = "") -> str:
    return (
        HEADER + prefix + 'rule r "R" {\n  source "s"\n'
        f"  when {condition}\n  require s for deploy\n}}\n"
    )


# Expressions `depth` levels deep, one builder per way of nesting.
def nots(depth: int) -> str:
    return "not " * depth + "D >= L1"


def ands(depth: int) -> str:
    text = "D >= L1"
    for i in range(depth):
        text = f"({'e' if i % 2 else 'D >= L2'} and {text})"
    return text


def ors(depth: int) -> str:
    return "(e or " * depth + "D >= L1" + ")" * depth


def any_ofs(depth: int) -> str:
    return "any of (e, " * depth + "D >= L1" + ")" * depth


def mixed(depth: int) -> str:
    words = ["not ", "(e or ", "all of (D >= L1, ", "at least 1 of (e, "]
    closers = ["", ")", ")", ")"]
    picked = [i % 4 for i in range(depth)]
    return "".join(words[i] for i in picked) + "D >= L1" + "".join(
        closers[i] for i in reversed(picked)
    )


EXPRESSIONS: dict[str, Callable[[int], str]] = {
    "not": nots, "and": ands, "or": ors, "any of": any_ofs, "mixed": mixed,
}  # fmt: skip


def definition_chain(length: int) -> str:
    """`length` definitions, each using the one before: the last is `length` levels deep."""
    lines = ["define d1 as D >= L1\n"]
    lines += [f"define d{i} as d{i - 1}\n" for i in range(2, length + 1)]
    return rule(f"d{length}", "".join(lines))


def nested_definitions(depth: int) -> str:
    """Two definitions of nested `not`s, together `depth` levels deep."""
    first = min(depth - 1, MAX_EXPRESSION_DEPTH)
    second = depth - 2 - first
    prefix = f"define a as {nots(first)}\ndefine b as {'not ' * second}a\n"
    return rule("b", prefix)


def definition_cycle(length: int) -> str:
    lines = [f"define d{i} as e and d{(i + 1) % length}\n" for i in range(length)]
    return rule("d0", "".join(lines))


def import_chain(folder: Path, length: int) -> Path:
    """A main file importing a chain of `length` files; the last declares a role."""
    for i in range(1, length + 1):
        body = f'import "f{i + 1}.rspl"\n' if i < length else 'role chief "Chief"\n'
        (folder / f"f{i}.rspl").write_text(body, encoding="utf-8")
    main = folder / "main.rspl"
    main.write_text(rule("D >= L1") + 'import "f1.rspl"\n', encoding="utf-8")
    return main


def load_module(name: str, source: str) -> types.ModuleType:
    """Exec a generated module in-process, under a name of its own."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def built(comp: Compilation) -> dict[str, str]:
    """The four outputs of an accepted program, checked to be well formed; its module
    exec'd in-process and run on `{}`."""
    assert comp.ok and comp.policy is not None
    files = render_outputs(comp.policy, TARGETS)
    stem = module_name(comp.policy)
    assert not keyword.iskeyword(stem) and stem not in sys.stdlib_module_names
    for name, text in files.items():
        if name.endswith(".json"):
            json.loads(text)
    module = load_module(f"_limits_{stem}", files[f"{stem}.py"])
    module.evaluate({}).to_dict()
    return files


IMPORT_AND_EVALUATE = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name).evaluate({}).to_dict()
print("ok")
"""


def import_in_subprocess(folder: Path, outputs: list[dict[str, str]]) -> None:
    """Write each program's outputs to a folder of its own, then import every module in one
    fresh interpreter and evaluate `{}` with it."""
    names = []
    for i, files in enumerate(outputs):
        sub = folder / f"build{i}"
        sub.mkdir()
        for name, text in files.items():
            (sub / name).write_text(text, encoding="utf-8")
        stem = next(n[:-3] for n in files if n.endswith(".py"))
        names.append(f"build{i}.{stem}")
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_EVALUATE, str(folder), *names],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def compiled(text: str) -> Compilation:
    return with_frames_in_use(MARGIN_FRAMES, lambda: compile_source("p.rspl", text))


def codes(comp: Compilation) -> list[str]:
    return [d.code for d in comp.diagnostics if d.severity.value == "error"]


# ------------------------------------------------------------------ at the limit


AT_LIMIT = {
    **{f"expression: {k}": rule(f(MAX_EXPRESSION_DEPTH)) for k, f in EXPRESSIONS.items()},
    "definition chain": definition_chain(MAX_DEFINITION_DEPTH),
    "nested definitions": nested_definitions(MAX_DEFINITION_DEPTH),
}
PAST_LIMIT = {
    **{
        f"expression: {k}": (rule(f(MAX_EXPRESSION_DEPTH + 1)), "E0601")
        for k, f in EXPRESSIONS.items()
    },
    "definition chain": (definition_chain(MAX_DEFINITION_DEPTH + 1), "E0602"),
    "nested definitions": (nested_definitions(MAX_DEFINITION_DEPTH + 1), "E0602"),
    "definition cycle": (definition_cycle(1000), "E0411"),
    "very deep expression": (rule(nots(20_000)), "E0601"),
    "very long chain": (definition_chain(1000), "E0602"),
}


def test_everything_at_the_limit_builds_and_runs(tmp_path: Path) -> None:
    outputs = []
    for kind, text in AT_LIMIT.items():
        comp = compiled(text)
        assert comp.ok, (kind, codes(comp))
        outputs.append(with_frames_in_use(MARGIN_FRAMES, lambda c=comp: built(c)))
        interpreted = with_frames_in_use(MARGIN_FRAMES, lambda c=comp: _interpret(c))
        assert interpreted is not None
    chain = tmp_path / "chain"
    chain.mkdir()
    comp = compile_file(str(import_chain(chain, MAX_IMPORT_DEPTH)))
    assert comp.ok, codes(comp)
    outputs.append(built(comp))
    import_in_subprocess(tmp_path, outputs)


def _interpret(comp: Compilation) -> Any:
    from rspl.interpreter import evaluate

    assert comp.policy is not None
    return evaluate(comp.policy, {}, explain=True)


@pytest.mark.parametrize("kind", sorted(PAST_LIMIT))
def test_one_past_the_limit_is_a_diagnostic(kind: str) -> None:
    text, code = PAST_LIMIT[kind]
    comp = compiled(text)
    assert code in codes(comp), (kind, codes(comp))
    found = next(d for d in comp.diagnostics if d.code == code)
    assert found.span.file == "p.rspl" and found.span.line > 1


def test_import_chain_one_past_the_limit(tmp_path: Path) -> None:
    main = import_chain(tmp_path, MAX_IMPORT_DEPTH + 1)
    comp = compile_file(str(main))
    found = [d for d in comp.diagnostics if d.code == "E0603"]
    assert len(found) == 1 and found[0].span.file.endswith(f"f{MAX_IMPORT_DEPTH}.rspl")
    long = tmp_path / "long"
    long.mkdir()
    comp = compile_file(str(import_chain(long, 2000)))  # used to raise RecursionError
    assert "E0603" in codes(comp)


@pytest.mark.parametrize("command", ["check", "build", "eval"])
def test_the_cli_reports_past_the_limit_without_a_traceback(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = {
        "expression": (rule(nots(5000)), "E0601"),
        "definitions": (definition_chain(1000), "E0602"),
        "cycle": (definition_cycle(1000), "E0411"),
    }
    assessment = tmp_path / "a.json"
    assessment.write_text("{}", encoding="utf-8")
    for name, (text, code) in cases.items():
        policy = tmp_path / f"{name}.rspl"
        policy.write_text(text, encoding="utf-8")
        args = {
            "check": ["check", str(policy)],
            "build": ["build", "-o", str(tmp_path / "out"), str(policy)],
            "eval": ["eval", str(policy), str(assessment)],
        }[command]
        assert rspl_main(args) == 1
        out = capsys.readouterr()
        assert code in out.out + out.err and "Traceback" not in out.out + out.err
        assert f"{name}.rspl:" in out.out + out.err  # with a location


# ------------------------------------------------------------------ numbers and names


def test_a_quantity_too_large_in_its_base_unit_is_e0007() -> None:
    text = HEADER + 'evidence age: duration "Age"\n' + rule("age >= 1e306 years")[len(HEADER):]
    comp = compiled(text)
    found = [d for d in comp.diagnostics if d.code == "E0007"]
    assert len(found) == 1
    assert text[found[0].span.start : found[0].span.end] == "1e306 years"
    assert compiled(text.replace("1e306", "1e300")).ok


@pytest.mark.parametrize("name", ["re", "json", "datetime", "typing", "math", "class", "rspl"])
def test_a_policy_named_like_python_builds_under_another_name(
    name: str, tmp_path: Path
) -> None:
    comp = compiled(rule("D >= L1").replace("policy gate", f"policy {name}"))
    assert [d.code for d in comp.diagnostics if d.code.startswith("E") or d.code == "W0010"] == [
        "W0010"
    ]
    files = built(comp)
    assert f"{name}_policy.py" in files
    if name == "json":  # the caller's own `import json` still finds Python's module
        (tmp_path / "json_policy.py").write_text(files["json_policy.py"], encoding="utf-8")
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); import json_policy, json; "
            "assert json.dumps(json_policy.evaluate({}).to_dict())"
        )
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=False,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC_0123456789", min_size=1, max_size=12))
@settings(max_examples=examples(200), deadline=None)
def test_file_names_are_never_keywords_or_stdlib_modules(policy_id: str) -> None:
    stem = limits.file_stem(policy_id)
    assert stem.isidentifier() and not keyword.iskeyword(stem)
    assert stem not in sys.stdlib_module_names
    assert limits.file_stem(stem) == stem
    assert limits.taken(policy_id) is None or stem.endswith(limits.RENAMED_SUFFIX)


def test_every_keyword_and_stdlib_module_is_renamed() -> None:
    for name in [*keyword.kwlist, *sys.stdlib_module_names]:
        stem = limits.file_stem(name)
        assert not keyword.iskeyword(stem) and stem not in sys.stdlib_module_names


def test_the_shipped_examples_keep_their_file_names() -> None:
    stems = {limits.file_stem(p) for p in (
        "anthropic_rsp", "anthropic_rsp_v3", "gdm_fsf", "openai_preparedness")}  # fmt: skip
    assert stems == {"anthropic_rsp", "anthropic_rsp_v3", "gdm_fsf", "openai_preparedness"}


# ------------------------------------------------------------------ the property


@st.composite
def deep_programs(draw: st.DrawFn) -> str:
    """The built-in seed policy with one rule's condition nested near a limit."""
    kind = draw(st.sampled_from([*EXPRESSIONS, "chain", "nested"]))
    limit = MAX_EXPRESSION_DEPTH if kind in EXPRESSIONS else MAX_DEFINITION_DEPTH
    depth = draw(st.one_of(st.integers(1, 8), st.integers(limit - 2, limit + 2)))
    if kind in EXPRESSIONS:
        text = rule(EXPRESSIONS[kind](depth))
    elif kind == "chain":
        text = definition_chain(depth)
    else:
        text = nested_definitions(max(depth, 3))
    if draw(st.booleans()):  # in a definition rather than the rule
        text = text.replace("  when ", "  when e or ")
    return text


@st.composite
def candidate_programs(draw: st.DrawFn) -> tuple[str, str]:
    """(path, text): grammar-generated, mutated, deep-nesting, or deep nesting spliced into
    the mutation seed."""
    source = draw(st.sampled_from(["grammar", "mutated", "deep", "deep seed"]))
    if source == "grammar":
        return "generated.rspl", draw(programs())
    if source == "mutated":
        path, text, _ = draw(mutated_sources())
        return path, text
    if source == "deep":
        return "deep.rspl", draw(deep_programs())
    depth = draw(st.integers(MAX_EXPRESSION_DEPTH - 3, MAX_EXPRESSION_DEPTH + 1))
    return "builtin.rspl", BUILTIN_POLICY.replace("when ", "when " + "not " * depth, 1)


def accepted_builds(path: str, text: str) -> dict[str, str] | None:
    comp = compile_source(path, text, corpus_reader)
    if not comp.ok:
        return None
    return built(comp)


@settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(candidate_programs())
def test_every_accepted_program_builds_and_evaluates(source: tuple[str, str]) -> None:
    accepted_builds(*source)


def test_accepted_programs_import_in_a_subprocess(tmp_path: Path) -> None:
    """A handful, in a fresh interpreter: the seed policy, and it nested at the limit."""
    texts = [
        BUILTIN_POLICY,
        BUILTIN_POLICY.replace("when ", "when " + "not " * MAX_EXPRESSION_DEPTH, 1),
        rule(mixed(MAX_EXPRESSION_DEPTH)),
    ]
    outputs = [accepted_builds("builtin.rspl", t) for t in texts]
    assert all(o is not None for o in outputs)
    import_in_subprocess(tmp_path, [o for o in outputs if o is not None])


@pytest.mark.parametrize(
    "condition", ["not (e and (e or D >= L1))", "not any of (e, any of (e, D >= L2))"]
)
def test_not_of_a_group_builds(condition: str) -> None:
    """The Markdown backend asserted that a rule not stated in one sentence is a group."""
    assert "not" in built(compiled(rule(condition)))["gate.md"]


def test_an_interval_too_large_to_represent_is_e0007() -> None:
    text = rule("e").replace(
        "  require s for deploy\n", "  must review every 1e400 days\n"
    ).replace("safeguard s", 'action review "Review"\nsafeguard s')
    found = [d for d in compiled(text).diagnostics if d.code == "E0007"]
    assert len(found) == 1 and text[found[0].span.start : found[0].span.end] == "1e400"


NUMBERS = st.one_of(
    st.sampled_from(["1e306", "1e308", "1.7e308", "1e400", "0", "1e-400", "9" * 400]),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(lambda x: f"{x:g}"),
)
UNITS = st.sampled_from(["years", "months", "weeks", "days", "hours", "%", "x", "FLOP", ""])


@settings(max_examples=examples(25), deadline=None)
@given(NUMBERS, UNITS, st.sampled_from(["compare", "within", "every"]))
def test_any_number_in_any_unit_is_a_diagnostic_or_builds(
    number: str, unit: str, where: str
) -> None:
    """Numbers at the edge of what a float holds, in every place a number is written."""
    quantity = f"{number}{unit}" if unit in ("%", "x") else f"{number} {unit}".strip()
    evidence = 'evidence age: duration "Age"\naction review "Review"\n'
    if where == "compare":
        text = HEADER + evidence + rule(f"age >= {quantity}")[len(HEADER):]
    else:
        clause = f"within {quantity}" if where == "within" else f"every {number} {unit or 'days'}"
        text = HEADER + evidence + rule("e").replace(
            "  require s for deploy\n", f"  must review {clause}\n"
        )[len(HEADER):]
    comp = compiled(text)
    if comp.ok:
        built(comp)
