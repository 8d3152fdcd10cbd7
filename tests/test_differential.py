"""Differential tests: the generated Python evaluator against the reference interpreter.

Hypothesis draws random well-typed policies as RSPL source text (`tests/strategies.py`), so
that the whole compiler runs on them, and a batch of assessments for each, about one in ten
malformed. Each policy is compiled with `compile_source` (it must compile without errors),
its standalone evaluator module is generated with `rspl.backends.python.generate` and loaded
with `exec` into a fresh module object, and for every assessment both engines must give the
same decision data, with and without `explain`, or both reject the assessment with an
`AssessmentError` naming the same field and expectation. The module's `Decision.verdicts` and
`Decision.permitted()`, read on a fresh decision before `to_dict()`, must say the same too, and
neither engine may modify the assessment it is given.

The assessments of one policy go through one loaded module in turn, as in production, so the
evaluator's caches (decisions by determinations, requirement tables by rule outcomes) are
warm for all but the first.

Every scenario of every policy under `examples/` is run through both engines as well.
"""

from __future__ import annotations

import copy
import math
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import PolicySpec, any_assessment, compile_policy, load_module, policies

from rspl import interpreter, ir
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))

# Random policies per property (× 20 under `--hypothesis-profile=deep`).
POLICIES = examples(200)
ASSESSMENTS_PER_POLICY = 60
MIN_PAIRS = min(10_000, POLICIES * ASSESSMENTS_PER_POLICY)

# (policy, assessment) pairs compared by `test_engines_agree_on_random_policies`.
PAIRS = {"checked": 0, "rejected": 0, "failures": 0}

SETTINGS = settings(max_examples=POLICIES)


# ---------------------------------------------------------------------------- helpers


def outcome(run: Callable[[], Any], error_type: type[Exception]) -> tuple[str, Any]:
    """("ok", decision) or ("error", (field, expected))."""
    try:
        return "ok", run()
    except error_type as e:
        return "error", (e.field, e.expected)  # type: ignore[attr-defined]


def both(policy: ir.Policy, module: types.ModuleType, assessment: Any, explain: bool
         ) -> tuple[tuple[str, Any], tuple[str, Any]]:  # fmt: skip
    """What the interpreter and the generated module make of one assessment."""
    ref = outcome(
        lambda: interpreter.evaluate(policy, assessment, explain=explain),
        interpreter.AssessmentError,
    )
    gen = outcome(
        lambda: module.evaluate(assessment, explain=explain).to_dict(), module.AssessmentError
    )
    return ref, gen


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as `path: a != b` lines (for failure messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'generated' if key in b else 'reference'}")
            else:
                out += differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]")]  # fmt: skip
    same = a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a)
                      and math.isnan(b))  # fmt: skip
    return [] if same else [f"{path}: reference {a!r} != generated {b!r}"]


def assert_agree(policy: ir.Policy, module: types.ModuleType, assessment: Any,
                 text: str = "") -> bool:  # fmt: skip
    """Both engines agree on `assessment` (plain and explained); True if it was accepted.
    Neither may change the assessment it is given."""
    accepted = False
    for explain in (False, True):
        before = copy.deepcopy(assessment)
        ref, gen = both(policy, module, assessment, explain)
        assert assessment == before, f"an engine modified the assessment {before!r}"
        if ref != gen:
            detail = (
                differences(ref[1], gen[1]) if ref[0] == gen[0] == "ok" else [f"{ref} / {gen}"]
            )
            PAIRS["failures"] += 1
            fresh = both(policy, load_module(policy), assessment, explain)
            if fresh[0] == fresh[1]:
                detail.insert(0, "(a freshly loaded module agrees: the generated evaluator's "
                                 "answer depends on the assessments it decided before)")
            pytest.fail(
                f"the engines disagree (explain={explain}) on\n{assessment!r}\n"
                + "\n".join(detail[:20])
                + (f"\n--- policy ---\n{text}" if text else "")
            )
        accepted = ref[0] == "ok"
        if accepted and not explain:
            assert_verdicts_agree(ref[1], module.evaluate(assessment), assessment)
    return accepted


def assert_verdicts_agree(reference: dict[str, Any], decision: Any, assessment: Any) -> None:
    """The module's `verdicts` and `permitted()`, read before `to_dict()` (they may be
    computed by a different path), say what the reference's verdicts say."""
    got = {
        context: {
            "required_standards": {k: list(v) for k, v in verdict.required_standards.items()},
            "missing": sorted(verdict.missing),
            "permitted": decision.permitted(context),
            "reasons": verdict.reasons,
        }
        for context, verdict in decision.verdicts.items()
    }
    for context, verdict in decision.verdicts.items():  # rules decided per context
        if verdict.context_rules is not None:
            got[context]["context_rules"] = dict(verdict.context_rules)
        if verdict.waived is not None:  # the waivers applied there
            got[context]["waived"] = list(verdict.waived)
    # `criteria` is not part of a `Verdict` object: `to_dict()` adds it (compared whole)
    expected = {
        context: {k: v for k, v in verdict.items() if k != "criteria"}
        for context, verdict in reference["verdicts"].items()
    }
    if got != expected:
        PAIRS["failures"] += 1
        pytest.fail(
            f"Decision.verdicts disagrees with the reference on\n{assessment!r}\n"
            + "\n".join(differences(expected, got)[:20])
        )


# ---------------------------------------------------------------------------- random policies


@st.composite
def policy_cases(draw: st.DrawFn) -> tuple[PolicySpec, list[Any]]:
    spec = draw(policies())
    batch = draw(
        st.lists(any_assessment(spec), min_size=ASSESSMENTS_PER_POLICY,
                 max_size=ASSESSMENTS_PER_POLICY)
    )  # fmt: skip
    return spec, batch


def test_engines_agree_on_random_policies() -> None:
    """The property, then its volume: enough pairs were compared, malformed ones among
    them (one test, so it holds however the tests are scheduled)."""
    _engines_agree_on_random_policies()
    print(f"\ndifferential: {PAIRS['checked']} (policy, assessment) pairs, "
          f"{PAIRS['rejected']} of them malformed")  # fmt: skip
    assert PAIRS["checked"] >= MIN_PAIRS
    assert PAIRS["rejected"] >= PAIRS["checked"] // 40  # malformed input is exercised too


@SETTINGS
@given(case=policy_cases())
def _engines_agree_on_random_policies(case: tuple[PolicySpec, list[Any]]) -> None:
    spec, batch = case
    policy = compile_policy(spec.text)
    module = load_module(policy)
    for assessment in batch:
        accepted = assert_agree(policy, module, assessment, spec.text)
        PAIRS["checked"] += 1
        PAIRS["rejected"] += not accepted


# ---------------------------------------------------------------------------- examples


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_engines_agree_on_example_scenarios(path: Path) -> None:
    result = compile_file(str(path))
    assert result.policy is not None, [d.message for d in result.diagnostics]
    policy = result.policy
    assert policy.scenarios, f"{path.name} has no scenarios"
    module = load_module(policy)
    for scenario in policy.scenarios:
        assert assert_agree(policy, module, scenario.assessment), scenario.name
        # the same assessment again, now with the generated evaluator's caches warm, and
        # with every context asked about explicitly
        again = {**scenario.assessment, "contexts": list(module.CONTEXTS)}
        assert assert_agree(policy, module, again), scenario.name


# ---------------------------------------------------------------------------- regressions

_HEADER = 'policy p { organization "O" version "1" combine highest standard per family }\n'

# Minimal reproducers of disagreements the random test found, each: a policy and assessments
# decided in order by one loaded module (the generated evaluator keeps caches between calls).
REGRESSIONS: list[tuple[str, str, list[Any]]] = [
    (
        # A levels-only policy caches decisions by determinations; a falsy non-object
        # `determinations` hit the cache entry of `{}` and skipped validation.
        "falsy_determinations_on_the_levels_cache",
        _HEADER + "context c\ndomain D { level L1 }\nrule r { when D >= L1 }\n",
        [{}, {"determinations": []}, {"determinations": ""}, {"determinations": 0},
         {"determinations": False}, {"determinations": ()}],
    ),
    (
        # The two engines worded `expected` differently.
        "cannot_rule_out_below_reached",
        _HEADER + "context c\ndomain D { level L1 level L2 }\nrule r { when D >= L1 }\n",
        [{"determinations": {"D": {"reached": "L2", "cannot_rule_out": "L1"}}}],
    ),
    (
        # A standard with no safeguards is met trivially, so `is implemented` is true for
        # it; the generated module said false when `implemented` was left out or null.
        "empty_standard_without_implemented",
        _HEADER + "context c\nfamily f\nstandard S in f { }\n"
        "rule r { when S is implemented }\nrule q { when not (S is implemented) }\n",
        [{}, {"implemented": None}, {"implemented": []}, {}],
    ),
    (
        # A cached decision gave efficacy criteria the levels after the checkpoints.
        "efficacy_sees_levels_before_checkpoints_on_a_cached_call",
        _HEADER + "context c\ndomain D1 { level L1 level L2 }\ndomain D2 { level L1 level L2 }\n"
        "safeguard sg { counts when D2 < L2 }\n"
        "warning w { when D1 >= L2 rules out D2 >= L2 }\nrule r { when D2 >= L1 require sg }\n",
        [{"determinations": {"D1": "L1"}, "implemented": ["sg"]}] * 2,
    ),
]


@pytest.mark.parametrize(("text", "batch"), [(t, b) for _, t, b in REGRESSIONS],
                         ids=[name for name, _, _ in REGRESSIONS])  # fmt: skip
def test_engines_agree_on_regressions(text: str, batch: list[Any]) -> None:
    policy = compile_policy(text)
    module = load_module(policy)
    for assessment in batch:
        assert_agree(policy, module, assessment, text)
