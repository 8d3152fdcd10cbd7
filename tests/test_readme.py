"""The README: it opens with exactly the two commands, and its example policy is real."""

from __future__ import annotations

import re
from pathlib import Path

from rspl.pipeline import compile_source
from rspl.testing import run_scenarios

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quickstart_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```(\w*)\n(.*?)```", README, re.DOTALL)
    assert blocks[0][1].strip().startswith("pip install . && rspl build -o out examples/")
    assert blocks[1][1].strip() == "pip install '.[test]' && pytest"


def test_example_policy_checks_and_passes_its_scenario() -> None:
    block = re.search(r"```rspl\n(.*?)```", README, re.DOTALL)
    assert block is not None
    result = compile_source("README.rspl", block.group(1))
    assert result.policy is not None and result.diagnostics == ()
    assert [s.ok for s in run_scenarios(result.policy)] == [True]
