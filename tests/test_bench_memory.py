"""`bench/memory.py` (where a compilation's memory goes) runs and measures every part."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_part_is_measured_on_a_small_policy() -> None:
    spec = importlib.util.spec_from_file_location("bench_memory", ROOT / "bench" / "memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rows = {part: (held, out) for part, held, out in module.measure("domains_rules", 40)}
    assert list(rows) == ["source", "check peak", "lowering peak", "IR", *module.TARGETS]
    assert rows["source"][0] > 0
    assert 0 < rows["IR"][0] < rows["lowering peak"][0]
    for target in module.TARGETS:
        held, written = rows[target]
        assert held > 0 and written is not None and written > 0, target
