"""`rspl explain CODE`: the entry for one code from `docs/diagnostics.md`, the single source of
every code's documentation."""

from __future__ import annotations

import re

from rspl.diagnostics import CODES
from rspl.resources import doc_text


def explain(code: str) -> str | None:
    """The documentation of `code` (its heading to the next heading), or None if unknown."""
    if code not in CODES:
        return None
    text = doc_text("diagnostics.md")
    match = re.search(rf"^## {code}\b.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if match is None:
        entry = CODES[code]
        return f"{code} {entry.slug} ({entry.severity.value}): {entry.summary}\n"
    return match.group(0).rstrip() + "\n"
