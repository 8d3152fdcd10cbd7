"""How IR things are written as text, for every backend: an expression in RSPL syntax, a
deadline in the policy's own words, a module name for a policy. Backends import these from
here rather than from each other.
"""

from __future__ import annotations

import re
from typing import Any

from rspl import ir
from rspl.limits import file_stem
from rspl.units import UNITS


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
    """An expression in RSPL syntax, for explanations and documents. Without recursion: each
    operator is written once its operands are."""
    done: dict[int, str] = {}
    stack: list[tuple[ir.Expr, bool]] = [(e, False)]
    while stack:
        x, ready = stack.pop()
        if isinstance(x, ir.Not | ir.And | ir.Or | ir.AtLeast):
            subs = (x.operand,) if isinstance(x, ir.Not) else x.operands
            if not ready:
                stack.append((x, True))
                stack.extend((sub, False) for sub in subs)
                continue
            parts = [done[id(sub)] for sub in subs]
            if isinstance(x, ir.Not):
                text = f"not ({parts[0]})"
            elif isinstance(x, ir.And):
                text = " and ".join(f"({p})" for p in parts) or "all of ()"
            elif isinstance(x, ir.Or):
                text = " or ".join(f"({p})" for p in parts) or "any of ()"
            else:
                text = f"at least {x.count} of (" + ", ".join(parts) + ")"
        elif isinstance(x, ir.LevelCmp):
            text = f"{x.domain} {x.op} {x.level}"
        elif isinstance(x, ir.Compare):
            text = f"{_value_text(x.left)} {x.op} {_value_text(x.right)}"
        elif isinstance(x, ir.Implemented):
            text = f"{x.name} is implemented"
        else:  # a fact or a definition, by name
            text = x.name
        done[id(x)] = text
    return done[id(e)]


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


def figure_spec(e: ir.Expr, levels: dict[str, tuple[str, ...]]) -> dict[str, Any] | None:
    """What `rspl.semantics.figure` needs to show one leaf of a criterion with its figures:
    a comparison (its operator and operands, a constant with the unit it was written in), a
    level test (with the domain's level names, from `levels`) or a fact. None for anything
    else."""
    if isinstance(e, ir.Compare):
        return {"kind": "cmp", "op": e.op, "left": _operand_spec(e.left),
                "right": _operand_spec(e.right)}  # fmt: skip
    if isinstance(e, ir.LevelCmp):
        return {"kind": "level", "domain": e.domain, "op": e.op, "level": e.level,
                "levels": levels[e.domain]}  # fmt: skip
    if isinstance(e, ir.Fact):
        return {"kind": "fact", "name": e.name}
    return None


def _operand_spec(v: ir.Value) -> dict[str, Any]:
    if isinstance(v, ir.EvidenceValue):
        return {"evidence": v.name}
    if isinstance(v, ir.SinceValue):
        return {"since": v.name}
    match = re.fullmatch(r"(?:about )?[0-9.eE+-]+ ?(.*)", v.text)
    unit = match.group(1) if match and match.group(1) in UNITS else None
    factor = UNITS[unit][1] if unit is not None else 1.0
    plural = unit + "s" if unit is not None and unit + "s" in UNITS else unit
    return {"const": v.value, "text": v.text, "unit": unit, "plural": plural, "factor": factor}
