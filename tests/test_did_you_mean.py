"""Every did-you-mean goes through `rspl.messages.did_you_mean`, which suggests only a thing of
the same kind and never one that changes the meaning. A table: (word, candidates, kind,
dimension, the help or None)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rspl import messages as msg
from rspl import units

UNITS = tuple(units.UNITS)

CASES = [
    # plain misspellings are corrected
    ("RSOO", ["RSO", "CEO"], "role", None, "did you mean `RSO`?"),
    ("notfy", ["notify", "publish"], "action", None, "did you mean `notify`?"),
    ("external_deploy", ["external_deployment", "large_scale_internal_deployment"], "context",
     None, "did you mean `external_deployment`?"),
    ("rso", ["RSO"], "role", None, "did you mean `RSO`?"),
    # a keyword or a negation is never corrected into a name
    ("not", ["notify", "note_taker"], "action", None, None),
    ("no", ["notify"], "action", None, None),
    ("must", ["muster"], "action", None, None),
    # another number, an opposite, a negating prefix: another thing, not a typo
    ("CBRN_5", ["CBRN_3", "CBRN_4"], "level", None, None),
    ("ASL4_security", ["ASL3_security"], "standard", None, None),
    ("internal_deploy", ["external_deployment"], "context", None, None),
    ("pre_deployment", ["post_deployment"], "context", None, None),
    ("safe_release", ["unsafe_release"], "action", None, None),
    ("approved", ["unapproved"], "action", None, None),
    # units: the same dimension, and only a close spelling or an abbreviation
    ("minuts", UNITS, "unit", "duration", "did you mean `minutes`?"),
    ("minuts", UNITS, "unit", None, "did you mean `minutes`?"),
    ("mins", UNITS, "unit", "duration", "did you mean `minutes`?"),
    ("hrs", UNITS, "unit", "duration", "did you mean `hours`?"),
    ("mnths", UNITS, "unit", "duration", "did you mean `months`?"),
    ("minutes", ["months", "month"], "unit", "duration", None),
    ("dayz", UNITS, "unit", "multiplier", None),
    ("dayz", UNITS, "unit", "duration", "did you mean `days`?"),
    ("tims", UNITS, "unit", None, "did you mean `times`?"),
    ("precent", UNITS, "unit", "fraction", "did you mean `percent`?"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "candidates", "kind", "dimension", "help"), CASES)
def test_did_you_mean(
    word: str, candidates: list[str], kind: str, dimension: str | None, help: str | None
) -> None:
    assert msg.did_you_mean(word, candidates, kind=kind, dimension=dimension) == help


def test_one_function_makes_every_suggestion() -> None:
    """No other module words a did-you-mean, and `difflib` is used only by `did_you_mean`
    (and by `rspl.fmt.unified_diff`, for `rspl fmt --diff`, which suggests nothing)."""
    package = Path(msg.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "messages.py":
            assert "did you mean" not in text.lower(), path
        if path.name not in ("messages.py", "fmt.py"):
            assert "difflib" not in text, path
    tree = ast.parse(Path(msg.__file__).read_text(encoding="utf-8"))
    users = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(sub, ast.Name) and sub.id == "difflib" for sub in ast.walk(node))
    }
    assert users == {"did_you_mean"}
