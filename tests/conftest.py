"""Shared pytest configuration.

`--update-cases` makes the data-driven tests rewrite their expectations from what the compiler
reports instead of comparing: the inline `# error: CODE` comments in `tests/cases/*.rspl`
(`tests/test_cases.py`) and the output blocks in `docs/diagnostics.md`
(`tests/test_diagnostics_doc.py`). Review the rewritten files with `git diff` before
committing them.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-cases",
        action="store_true",
        default=False,
        help="rewrite expected diagnostics in tests/cases/*.rspl and the example outputs in "
        "docs/diagnostics.md from the compiler's actual output",
    )


@pytest.fixture
def update_cases(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with `--update-cases`."""
    return bool(request.config.getoption("--update-cases"))
