"""Golden outputs: every example built to every target, byte for byte. A change to a backend
shows up here as a diff to review; `pytest tests/test_golden.py --update-golden` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rspl.build import render_outputs
from rspl.cli import TARGETS
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_outputs_match_golden(
    example: Path, update_cases: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # file labels in the outputs are relative to the repository
    result = compile_file(str(example.relative_to(ROOT)))
    assert result.policy is not None
    files = render_outputs(result.policy, TARGETS)
    folder = GOLDEN / example.stem
    if update_cases:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", newline="\n")
        return
    assert folder.is_dir(), f"no golden outputs for {example.name}: run with --update-golden"
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    for name, text in files.items():
        expected = (folder / name).read_text(encoding="utf-8")
        assert text == expected, f"{name} changed: review, then run with --update-golden"


def test_every_golden_folder_has_an_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} <= stems
