"""How many examples a property runs, under the hypothesis profile in force (see
tests/conftest.py): `examples(n)` is `n` under `ci` (the default) and 20 × `n` under `deep`.
Read when a test module is imported, after pytest has loaded the profile."""

from __future__ import annotations

from hypothesis import settings


def examples(n: int) -> int:
    """`n` examples scaled by the loaded profile (`ci`: as written)."""
    return max(1, n * settings.default.max_examples // 100)
