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
    if isinstance(d, ir.DueEvent):
        return f"due {d.event}"
    if isinstance(d, ir.DueAt):
        return "due at " + ", ".join(d.contexts)
    if isinstance(d, ir.Soft):
        return d.text
    return f"due {d.date.isoformat()}"


def role_choice(count: int, any_one: bool, approval: bool = False) -> tuple[str, str]:
    """How a list of `count` roles reads in a sentence (docs/semantics.md §19): the words
    before the list and the word before its last item. `by A, B` is "A and B" (all of
    them); `by A or B` is "A or B"; `approved by any of (A, B, C)` is "any one of A, B or C"
    (with two roles, "A or B")."""
    if not any_one or count < 2:
        return "", "and"
    if approval and count > 2:
        return "any one of ", "or"
    return "", "or"


def describe(e: ir.Expr) -> str:
    """An expression in RSPL syntax, for explanations and documents; an amount of money is
    followed by its reading (`cost >= 1e9 USD (USD 1 billion)`). Without recursion: each
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
            text = f"{'residual ' if x.residual else ''}{x.domain} {x.op} {x.level}"
        elif isinstance(x, ir.Compare):
            text = f"{_value_text(x.left)} {x.op} {_value_text(x.right)}"
        elif isinstance(x, ir.Implemented):
            text = f"{x.name} is implemented"
        elif isinstance(x, ir.MemberTest):
            text = _member_test_text(x)
        else:  # a fact or a definition, by name
            text = x.name
        done[id(x)] = text
    return done[id(e)]


def _member_test_text(x: ir.MemberTest) -> str:
    head = f"at least {x.count} of {x.name}" if x.quantifier == "at least" else (
        f"{x.quantifier} {x.name}")  # fmt: skip
    if x.op is None or x.right is None:
        return head
    return f"{head} {x.op} {_value_text(x.right)}"


def _value_text(v: ir.Value) -> str:
    if isinstance(v, ir.MemberBound):
        return f"{v.bound} {v.name}"
    if isinstance(v, ir.Const):
        if v.dimension == "money" and isinstance(v.value, float):
            return f"{v.text} ({money_text(v.value)})"  # `1e11 USD (USD 100 billion)`
        return v.text
    if isinstance(v, ir.EvidenceValue):
        return v.name
    return f"since {v.name}"


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def money_text(usd: float) -> str:
    """An amount of money as a reader writes it: `USD 1 billion`, `USD 40 million`,
    `USD 2.5 billion`, `USD 250,000`, `USD 0.50`. A scale word is used only when it says the
    amount exactly (with at most three decimals); otherwise every digit is shown, grouped."""
    sign, amount = ("-", -usd) if usd < 0 else ("", usd)
    for scale, word in _SCALES:
        if amount >= scale and amount < 1e18:
            short = round(amount / scale, 3)
            exact = short * scale == amount or round(short * scale) == round(amount)
            if exact and (short < 1000 or word == "trillion"):
                return f"USD {sign}{short:,.3f}".rstrip("0").rstrip(".") + f" {word}"
    if amount >= 1e18:
        return f"USD {sign}{amount:g}"
    if float(amount).is_integer():
        return f"USD {sign}{int(amount):,}"
    return f"USD {sign}{amount:,.2f}"


def module_name(policy: ir.Policy) -> str:
    """A file name for the policy's outputs: its id, made a valid Python module name that is
    neither a keyword nor a standard-library module (`rspl.limits.file_stem`; W0010)."""
    return file_stem(policy.id)


def level_text(e: ir.LevelCmp, slot: str) -> str:
    """A level comparison as read for one determination (`rspl.semantics.level_slot`):
    `Cyber for api >= High`, `residual Cyber <= Moderate`."""
    return f"{slot} {e.op} {e.level}"
def figure_spec(e: ir.Expr, levels: dict[str, tuple[str, ...]]) -> dict[str, Any] | None:
    """What `rspl.semantics.figure` needs to show one leaf of a criterion with its figures:
    a comparison (its operator and operands, a constant with the unit it was written in), a
    level test (with the domain's level names, from `levels`) or a fact. None for anything
    else."""
    if isinstance(e, ir.Compare):
        if isinstance(e.left, ir.MemberBound) or isinstance(e.right, ir.MemberBound):
            return None  # a family's highest or lowest member: no one figure shows it
        return {"kind": "cmp", "op": e.op, "left": _operand_spec(e.left),
                "right": _operand_spec(e.right)}  # fmt: skip
    if isinstance(e, ir.LevelCmp):
        domain = "residual " + e.domain if e.residual else e.domain  # semantics.level_slot
        return {"kind": "level", "domain": domain, "op": e.op, "level": e.level,
                "levels": levels[e.domain]}  # fmt: skip
    if isinstance(e, ir.Fact):
        return {"kind": "fact", "name": e.name}
    return None


def _operand_spec(v: ir.Value) -> dict[str, Any]:
    if isinstance(v, ir.EvidenceValue):
        return {"evidence": v.name}
    if isinstance(v, ir.SinceValue):
        return {"since": v.name}
    if isinstance(v, ir.MemberBound):  # never: `figure_spec` gives no figure for a family
        return {"family": v.name, "bound": v.bound}
    match = re.fullmatch(r"(?:about )?[0-9.eE+-]+ ?(.*)", v.text)
    unit = match.group(1) if match and match.group(1) in UNITS else None
    factor = UNITS[unit][1] if unit is not None else 1.0
    plural = unit + "s" if unit is not None and unit + "s" in UNITS else unit
    return {"const": v.value, "text": v.text, "unit": unit, "plural": plural, "factor": factor}
