"""The evaluator benchmark's engines (bench/evaluator.py) decide the same policy alike: the
generated RSPL evaluator, the hand-written gate and, when installed (the `bench` extra),
Cedar and Rego."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_evaluator", ROOT / "bench" / "evaluator.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
INPUTS = bench.make_inputs(50, seed=7)


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    hand = bench.HandWritten()
    return {
        "hand-written": (hand.decide, hand.explain),
        "RSPL": bench.rspl_engines(bench.load_rspl()),
    }


def test_inputs_are_deterministic_and_mixed() -> None:
    assert bench.make_inputs(50, seed=7) == INPUTS
    verdicts = {bench.HandWritten().decide(a)[2] for a in INPUTS}
    assert verdicts == {True, False}


def test_rspl_agrees_with_handwritten(base: dict[str, Any]) -> None:
    assert bench.disagreements(base, INPUTS, explain_every=2) == []


def test_disagreement_is_reported(base: dict[str, Any]) -> None:
    def wrong(a: Any) -> Any:
        return base["RSPL"][0](a)[0], frozenset(), True

    broken = {**base, "RSPL": (wrong, base["RSPL"][1])}
    assert bench.disagreements(broken, INPUTS, explain_every=1000)


def test_cedar_agrees(base: dict[str, Any]) -> None:
    pytest.importorskip("cedarpy")
    engines = {**base, "Cedar": bench.cedar_engines()}
    assert bench.disagreements(engines, INPUTS, explain_every=5) == []


def test_rego_agrees(base: dict[str, Any]) -> None:
    pytest.importorskip("regopy")
    engines = {**base, "Rego": bench.rego_engines()}
    assert bench.disagreements(engines, INPUTS, explain_every=5) == []


GOOD = {"determinations": {f"D{d}": f"D{d}_L1" for d in range(5)}, "implemented": ["s0_1a"]}


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {**GOOD, "extra": 1},
        {**GOOD, "determinations": {**GOOD["determinations"], "D9": "D9_L1"}},
        {**GOOD, "determinations": {**GOOD["determinations"], "D0": "D1_L1"}},
        {**GOOD, "determinations": {**GOOD["determinations"], "D0": ["D0_L1"]}},
        {**GOOD, "implemented": ["nope"]},
        {**GOOD, "implemented": [["s0_1a"]]},
        {**GOOD, "implemented": "s0_1a"},
    ],
)
def test_malformed_assessments_are_rejected(base: dict[str, Any], bad: Any) -> None:
    base["hand-written"][0](GOOD)
    base["RSPL"][0](GOOD)
    for name in ("hand-written", "RSPL"):
        with pytest.raises(ValueError):
            base[name][0](bad)
