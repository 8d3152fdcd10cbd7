"""docs/architecture.md shows real dumps of every pass: each `<!-- dump: NAME -->` block is
exactly what docs/tour/dumps.py produces today. `--update-cases` rewrites the blocks."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
BLOCK = re.compile(r"(<!-- dump: (\w+) -->\n```text\n)(.*?)(```)", re.DOTALL)


def _dumps() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tour_dumps", ROOT / "docs/tour/dumps.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dumps_are_current(request: pytest.FixtureRequest) -> None:
    dumps = _dumps().DUMPS
    text = DOC.read_text(encoding="utf-8")
    names = [m.group(2) for m in BLOCK.finditer(text)]
    assert names == list(dumps), "every pass has exactly one dump block, in order"

    def fill(m: re.Match[str]) -> str:
        return m.group(1) + dumps[m.group(2)]() + "\n" + m.group(4)

    fresh = BLOCK.sub(fill, text)
    if request.config.getoption("update_cases"):
        DOC.write_text(fresh, encoding="utf-8")
        return
    assert fresh == text, "run: pytest tests/test_architecture_doc.py --update-cases"


def test_tour_policy_passes_its_scenario() -> None:
    from rspl.pipeline import compile_file
    from rspl.testing import run_scenarios

    result = compile_file(str(ROOT / "docs/tour/tour.rspl"))
    assert result.policy is not None and not result.diagnostics
    assert all(s.ok for s in run_scenarios(result.policy))
