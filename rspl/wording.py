"""How IR things are written as text, for every backend: an expression in RSPL syntax, a
deadline in the policy's own words, a module name for a policy. Backends import these from
here rather than from each other.
"""

from __future__ import annotations

from rspl import ir
from rspl.limits import file_stem


def deadline_text(d: ir.Deadline | None) -> str | None:
    """A deadline in the policy's own words (`within 30 days of x`)."""
    if d is None:
        return None
    if isinstance(d, ir.Within):
        return f"within {d.text}" + (f" of {d.event}" if d.event else "")
    if isinstance(d, ir.Before):
        return "before " + ", ".join(d.contexts)
    if isinstance(d, ir.Every):
        return f"every {d.text}" + (f" since {d.since}" if d.since else "")
    if isinstance(d, ir.Until):
        return f"until {describe(d.expr)}"
    return f"due {d.date.isoformat()}"


def describe(e: ir.Expr) -> str:
    """An expression in RSPL syntax, for explanations and documents."""
    if isinstance(e, ir.LevelCmp):
        return f"{e.domain} {e.op} {e.level}"
    if isinstance(e, ir.Compare):
        return f"{_value_text(e.left)} {e.op} {_value_text(e.right)}"
    if isinstance(e, ir.Fact | ir.DefRef):
        return e.name
    if isinstance(e, ir.Implemented):
        return f"{e.name} is implemented"
    if isinstance(e, ir.Not):
        return f"not ({describe(e.operand)})"
    if isinstance(e, ir.And):
        return " and ".join(f"({describe(x)})" for x in e.operands) or "all of ()"
    if isinstance(e, ir.Or):
        return " or ".join(f"({describe(x)})" for x in e.operands) or "any of ()"
    return f"at least {e.count} of (" + ", ".join(describe(x) for x in e.operands) + ")"


def _value_text(v: ir.Value) -> str:
    if isinstance(v, ir.Const):
        return v.text
    if isinstance(v, ir.EvidenceValue):
        return v.name
    return f"since {v.name}"


def module_name(policy: ir.Policy) -> str:
    """A file name for the policy's outputs: its id, made a valid Python module name that is
    neither a keyword nor a standard-library module (`rspl.limits.file_stem`; W0010)."""
    return file_stem(policy.id)
