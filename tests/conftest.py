"""Shared pytest configuration.

`--update-cases` (also spelled `--update-golden`) makes the data-driven tests rewrite their
expectations from what the compiler produces instead of comparing: the inline
`# error: CODE MESSAGE` comments in `tests/cases/*.rspl` (`tests/test_cases.py`), the output
blocks in `docs/diagnostics.md` (`tests/test_diagnostics_doc.py`), the pass dumps in
`docs/architecture.md` and the golden outputs of every example in `tests/golden/`
(`tests/test_golden.py`). Review the rewritten files with `git diff` before committing them.
"""

from __future__ import annotations

import os

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


# ---------------------------------------------------------------------------- hypothesis
#
# Two profiles. `ci` (the default) runs every property with the example counts written in
# the tests; `deep` runs each with DEEP times as many, for a long search before a release:
#
#     pytest --hypothesis-profile=deep tests/test_differential.py
#
# (or HYPOTHESIS_PROFILE=deep). Tests size themselves with `examples(n)` from
# tests/profiles.py, which reads the loaded profile.

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=100,  # the scale `examples()` reads: 100 means "as written"
    deadline=None,  # timing varies too much on a shared 2-core machine to fail a test on it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,  # a failure prints the line that replays it
)
settings.register_profile("deep", settings.get_profile("ci"), max_examples=100 * 20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
