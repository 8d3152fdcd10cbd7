"""The generated Python evaluator: standalone, typed, lint-clean, deterministic, and safe
against hostile policy text (every string reaches the code through one quoting function)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import strategies

from rspl import ir
from rspl.backends.python import comment, generate, quote
from rspl.interpreter import evaluate
from rspl.pipeline import compile_file
from rspl.testing import load_module
from rspl.wording import module_name

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "policies" / "hostile.rspl"
POLICIES = [*sorted(ROOT.glob("examples/*.rspl")), HOSTILE]


def policy_of(path: Path) -> ir.Policy:
    result = compile_file(str(path))
    assert result.policy is not None, [d.message for d in result.diagnostics]
    return result.policy


@pytest.fixture(scope="module", params=POLICIES, ids=lambda p: p.name)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    policy = policy_of(request.param)
    out = tmp_path_factory.mktemp("gen") / (module_name(policy) + ".py")
    out.write_text(generate(policy), encoding="utf-8")
    return out


def test_runs_without_rspl_installed(built: Path) -> None:
    """`-I -S`: no site-packages, no environment, no current folder: standard library only."""
    script = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('m', sys.argv[1])\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "assert 'rspl' not in sys.modules and 'attrs' not in sys.modules\n"
        "d = m.evaluate({}, explain=True).to_dict()\n"
        "print(json.dumps(d, sort_keys=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(built)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["policy"]["compiler"].startswith("rspl ")


def test_mypy_strict(built: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(built)],
        capture_output=True, text=True, cwd=built.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout


def test_ruff(built: Path) -> None:
    for extra in (["--isolated"], ["--config", str(ROOT / "pyproject.toml")]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", "check", *extra, str(built)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_deterministic_across_hash_seeds(path: Path) -> None:
    code = (
        "import sys; from rspl.pipeline import compile_file; "
        "from rspl.backends.python import generate; "
        "sys.stdout.write(generate(compile_file(sys.argv[1]).policy))"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_hostile_text_round_trips_exactly() -> None:
    policy = policy_of(HOSTILE)
    source = generate(policy)
    tree = ast.parse(source)
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    texts = [policy.version]
    texts += [r.title for r in policy.rules] + [a.text for r in policy.rules for a in r.anchors]
    texts += [a.url for r in policy.rules for a in r.anchors]
    for text in texts:
        if text is not None:
            assert text in strings, text
    decision = load_module(policy).evaluate({}).to_dict()
    rule = next(r for r in decision["rules"] if r["name"] == "evaluate")
    assert rule["title"] == 'Rule "evaluate" \'\'\' """ \\'
    assert rule["anchors"] == [{"text": "§10", "url": 'https://example.com/"quoted"'}]
    assert decision == evaluate(policy, {})


def test_hostile_text_cannot_add_code() -> None:
    """The generated module imports only what the runtime imports, and every statement of the
    generated part is an assignment, a function definition or `__all__`."""
    source = generate(policy_of(HOSTILE))
    tree = ast.parse(source)
    imports = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [node])
    }
    assert imports <= {
        "__future__", "datetime", "heapq", "itertools", "math", "re", "reprlib",
        "collections.abc", "types", "typing",
    }  # fmt: skip
    assert "pwned" not in [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert not calls & {"eval", "exec", "__import__", "compile", "open"}


def test_quote_and_comment() -> None:
    for value in ['a"b', "'''", '"""', "\\", "line\nbreak", "{{ x }}", "# c", "ü", "\u2028"]:
        assert ast.literal_eval(quote(value)) == value
        assert "\n" not in comment(value) and "\u2028" not in comment(value)
    with pytest.raises(ValueError):
        quote(float("inf"))
    with pytest.raises(TypeError):
        quote(object())


def test_fast_path_agrees_with_the_full_path_and_the_interpreter() -> None:
    """The generated `evaluate` takes a shortcut for the common gate call (levels only, one
    context, a list of safeguards). It must decide exactly as the full path and the reference
    interpreter, on first and repeated (memoised) inputs, and reject what they reject."""
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location("bench_policy", ROOT / "bench" / "policy.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from rspl.interpreter import AssessmentError as RefError
    from rspl.pipeline import compile_source

    policy = compile_source("bench.rspl", bench.rspl_source()).policy
    assert policy is not None
    module = load_module(policy)
    assert module.evaluate is not module._EVALUATOR.evaluate  # the shortcut is in use
    rng = random.Random(7)
    inputs: list[object] = []
    for _ in range(150):
        dets = {f"D{d}": bench.level(d, rng.randint(1, 4)) for d in range(5)}
        impl = [s for s in bench.ALL_SAFEGUARDS if rng.random() < 0.6]
        inputs.append({"determinations": dets, "implemented": impl})
    inputs += [
        {"determinations": {"D0": "D0_L9"}, "implemented": []},
        {"determinations": {"D0": "D0_L1"}, "implemented": ["nope"]},
        {"determinations": {"D0": "D0_L1"}, "implemented": [["unhashable"]]},
        {"determinations": {"D0": "D0_L1"}, "implemented": ["S0_1"]},  # a standard
        {"determinations": {"D0": {"reached": "D0_L1"}}, "implemented": []},
        {"determinations": [], "implemented": []},
    ]
    for a in inputs * 2:  # the second round hits the memo
        outcomes = []
        for engine in (module.evaluate, module._EVALUATOR.evaluate):
            try:
                d = engine(a)
                outcomes.append(("ok", d.to_dict(), d.permitted("deployment")))
            except module.AssessmentError as exc:
                outcomes.append(("error", exc.field, exc.expected))
        try:
            ref = evaluate(policy, a)  # type: ignore[arg-type]
            outcomes.append(("ok", ref, ref["verdicts"]["deployment"]["permitted"]))
        except RefError as exc:
            outcomes.append(("error", exc.field, exc.expected))
        assert outcomes[0] == outcomes[1] == outcomes[2], a


# ------------------------------------------------- the standards table, expanded at load

OUT_OF_ORDER = """policy p "P" { organization "O" version "1" effective 2025-01-01 }
role R "R" source "§1"
family sec "Security" source "§1"
safeguard a "A" { category security source "§1" }
safeguard b "B" { category security source "§1" }
safeguard c "C" { category security source "§1" }
standard Top "Top" in sec extends Mid { includes c, a, c source "§2" }
standard Mid "Mid" in sec extends Base { includes b, a source "§2" }
standard Base "Base" in sec { includes a source "§2" }
standard Gap "Gap" in sec extends Base { not yet defined source "§2" }
standard Under "Under" in sec extends Gap { includes c source "§2" }
"""


def assert_expanded_as_lowered(policy: ir.Policy) -> None:
    """The generated module writes each standard as (family, parent, own safeguards, hole)
    and expands it when loaded: exactly as `rspl/lower.py` expands it for the IR."""
    module = load_module(policy)
    loaded = module._EVALUATOR.standards
    assert list(loaded) == [s.name for s in policy.standards]
    for s in policy.standards:
        assert tuple(loaded[s.name]) == (s.family, s.ancestors, s.safeguards, s.hole), s.name


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_standards_expand_as_lowered_in_the_examples(path: Path) -> None:
    assert_expanded_as_lowered(policy_of(path))


def test_standards_expand_as_lowered_out_of_order_with_repeats_and_holes() -> None:
    from strategies import compile_policy

    policy = compile_policy(OUT_OF_ORDER)
    std = {s.name: s for s in policy.standards}
    assert std["Top"].safeguards == ("a", "b", "c") and std["Under"].hole
    assert_expanded_as_lowered(policy)


def test_standards_expand_as_lowered_on_random_policies() -> None:
    from hypothesis import given, settings
    from strategies import compile_policy, policies

    @settings(max_examples=25, deadline=None)
    @given(spec=policies())
    def check(spec: object) -> None:
        assert_expanded_as_lowered(compile_policy(spec.text))  # type: ignore[attr-defined]

    check()


def test_a_chain_of_standards_is_written_once_each() -> None:
    """A chain of N standards, each extending the one before and adding a safeguard: the
    module grows linearly (it used to repeat every ancestor and inherited safeguard)."""
    bench = strategies.bench_scaling()
    from rspl.pipeline import compile_source

    sizes = {}
    for n in (100, 400):
        policy = compile_source("chain.rspl", bench.extends_policy(n)).policy
        assert policy is not None
        sizes[n] = len(generate(policy))
        if n == 400:
            assert_expanded_as_lowered(policy)
    assert sizes[400] < 5 * sizes[100]  # quadratic: ~16 times


def test_tables_written_in_pieces_are_quoted_whole() -> None:
    """`quote_pieces` lays a table out a row at a time (rows made as they are written, or
    laid out ahead by the compiler) and must give `quote`'s text exactly: random nested
    tables with long and short strings, long keys, one-item tuples, at every lead."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from profiles import examples

    from rspl.backends.python import Formatted, Rows, layout, quote_pieces

    text = st.text(st.sampled_from("ab 'é\n"), max_size=130)
    leaf = st.none() | st.booleans() | st.integers() | text | st.dates()
    value = st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=5).map(tuple)
        | st.lists(inner, max_size=4)
        | st.dictionaries(st.text("kx", max_size=90), inner, max_size=4),
        max_leaves=40,
    )

    @settings(max_examples=examples(300), deadline=None)
    @given(table=value, lead=st.integers(0, 70), rows=st.sampled_from(["plain", "rows", "laid"]),
           chunk=st.integers(1, 3))  # fmt: skip
    def check(table: object, lead: int, rows: str, chunk: int) -> None:
        given_ = table
        width = max(40, 99 - lead)
        if rows == "rows" and isinstance(table, tuple | dict):
            items = table.items() if isinstance(table, dict) else table
            given_ = Rows(len(table), lambda: iter(items), keyed=isinstance(table, dict))
        elif rows == "laid" and isinstance(table, tuple) and len(table) > 1:
            laid = [layout(v, width, 1, 1) for v in table]  # the compiler lays out its nodes so
            if len(repr(table)) > width:  # and joins them in chunks, the last row left out
                body, last = laid[:-1], laid[-1]
                laid = [",\n ".join(body[i : i + chunk]) for i in range(0, len(body), chunk)]
                laid.append(last)
            given_ = Rows(len(laid), lambda: map(Formatted, laid))
        assert "".join(quote_pieces(given_, lead)) == quote(table, lead=lead)

    check()
