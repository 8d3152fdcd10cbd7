"""Shared pytest configuration.

`--update-cases` (also spelled `--update-golden`) makes the data-driven tests rewrite their
expectations from what the compiler produces instead of comparing: the inline
`# error: CODE MESSAGE` comments in `tests/cases/*.rspl` (`tests/test_cases.py`), the output
blocks in `docs/diagnostics.md` (`tests/test_diagnostics_doc.py`), the pass dumps in
`docs/architecture.md` and the golden outputs of every example in `tests/golden/`
(`tests/test_golden.py`). Review the rewritten files with `git diff` before committing them.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-cases",
        "--update-golden",
        dest="update_cases",
        action="store_true",
        default=False,
        help="rewrite expected diagnostics, documented outputs and golden files from the "
        "compiler's actual output",
    )


@pytest.fixture
def update_cases(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with `--update-cases`."""
    return bool(request.config.getoption("update_cases"))
