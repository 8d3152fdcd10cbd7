"""The Python backend: one standalone evaluator module per policy, from the IR.

The module is the hand-written runtime (`python_runtime.py`, copied verbatim) followed by the
policy's tables and one compiled function, `_conditions`, that decides every rule's condition
in three-valued logic with straight-line code. Every value from the policy reaches the code
through `quote` (or `comment` for comments): policy text can never become code. User names
never become Python names; generated locals are numbered.
"""

from __future__ import annotations

import datetime
import math
import pprint
from importlib import resources
from typing import Any

from rspl import __version__, ir
from rspl.wording import deadline_text, describe, module_name

# ---------------------------------------------------------------------------- quoting


def _check_literal(value: object) -> None:
    """Only plain data whose repr is Python source that rebuilds it may be quoted."""
    if value is None or isinstance(value, bool | int | str | datetime.date):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot quote the non-finite number {value!r}")
        return
    if isinstance(value, tuple | list):
        for item in value:
            _check_literal(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_literal(key)
            _check_literal(item)
        return
    raise TypeError(f"cannot quote {type(value).__name__}")


def quote(value: object, indent: int = 0, lead: int = 0) -> str:
    """Python source for a constant: the one way policy data enters generated code.

    Long values are laid out over several lines, each continuation indented by `indent`;
    `lead` is how much of the first line is already taken (`NAME: Any = `).
    """
    _check_literal(value)
    width = max(40, 99 - max(indent, lead))
    text = pprint.pformat(value, width=width, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def comment(text: str) -> str:
    """A one-line comment that shows `text` without letting it end the comment."""
    escaped = text.encode("unicode_escape").decode("ascii")
    return "# " + escaped


# ---------------------------------------------------------------------------- tables


def _anchors(anchors: tuple[ir.Anchor, ...]) -> tuple[dict[str, str | None], ...]:
    return tuple({"text": a.text, "url": a.url} for a in anchors)


def _value_node(v: ir.Value) -> tuple[Any, ...]:
    if isinstance(v, ir.Const):
        return ("const", v.value, v.text)
    if isinstance(v, ir.EvidenceValue):
        return ("ev", v.name)
    return ("since", v.name)


def expr_node(e: ir.Expr) -> tuple[Any, ...]:
    """The runtime's table form of an expression (see `python_runtime.Node`)."""
    if isinstance(e, ir.LevelCmp):
        return ("level", e.domain, e.op, e.rank, e.level)
    if isinstance(e, ir.Compare):
        return ("cmp", e.op, _value_node(e.left), _value_node(e.right))
    if isinstance(e, ir.Fact):
        return ("fact", e.name)
    if isinstance(e, ir.DefRef):
        return ("def", e.name)
    if isinstance(e, ir.Implemented):
        return ("impl", e.name)
    if isinstance(e, ir.Not):
        return ("not", expr_node(e.operand))
    if isinstance(e, ir.And):
        return ("and", tuple(expr_node(x) for x in e.operands))
    if isinstance(e, ir.Or):
        return ("or", tuple(expr_node(x) for x in e.operands))
    return ("atleast", e.count, tuple(expr_node(x) for x in e.operands))


def _deadline(d: ir.Deadline | None) -> tuple[Any, ...]:
    if isinstance(d, ir.Within):
        return ("within", (d.period.months, d.period.days), d.event, None)
    if isinstance(d, ir.Before):
        return ("before", d.contexts, None, None)
    if isinstance(d, ir.Every):
        return ("every", (d.low.months, d.low.days), (d.high.months, d.high.days), d.since)
    if isinstance(d, ir.Until):
        return ("until", expr_node(d.expr), None, None)
    if isinstance(d, ir.Due):
        return ("date", d.date, None, None)
    return ("none", None, None, None)


def _obligation(o: ir.Obligation) -> dict[str, Any]:
    return {
        "action": o.action,
        "modality": o.modality,
        "blocking": o.blocking,
        "objects": tuple(r.name for r in o.objects),
        "contexts": tuple(r.name for r in o.objects if r.kind == "context"),
        "by": o.by,
        "approved_by": o.approved_by,
        "deadline": _deadline(o.deadline),
        "text": deadline_text(o.deadline),
        "anchors": _anchors(o.anchors),
    }


def _rule(r: ir.Rule) -> dict[str, Any]:
    return {
        "name": r.name,
        "kind": r.kind,
        "title": r.title,
        "anchors": _anchors(r.anchors),
        "requirements": tuple(
            (q.target, q.kind, q.contexts) for q in r.requirements if q.modality == "must"
        ),
        "recommended": tuple(
            (q.target, q.kind, q.contexts, q.modality)
            for q in r.requirements
            if q.modality != "must"
        ),
        "obligations": tuple(_obligation(o) for o in r.obligations),
        "fallbacks": tuple(_obligation(o) for o in r.fallbacks),
        "condition": expr_node(r.condition) if r.condition is not None else None,
    }


# ---------------------------------------------------------------------------- conditions


class _Conditions:
    """Writes `_conditions`: straight-line three-valued code for every rule."""

    def __init__(self, policy: ir.Policy) -> None:
        self.policy = policy
        self.lines: list[str] = []
        self.counter = 0
        self.domain_index = {d.name: i for i, d in enumerate(policy.domains)}
        self.definitions = {d.name: d for d in policy.definitions}
        self.def_vars: dict[str, str] = {}

    def fresh(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, line: str) -> None:
        self.lines.append("    " + line)

    def value(self, v: ir.Value) -> tuple[str, bool]:
        """(expression, whether it may be None)."""
        if isinstance(v, ir.Const):
            return quote(v.value), False
        if isinstance(v, ir.EvidenceValue):
            var = self.fresh("v")
            self.emit(f"{var} = ev.get({quote(v.name)})")
            return var, True
        start = self.fresh("v")
        self.emit(f"{start} = ev.get({quote(v.name)})")
        var = self.fresh("v")
        self.emit(
            f"{var} = None if as_of is None or {start} is None "
            f"else float((as_of - {start}).days)"
        )
        return var, True

    def expr(self, e: ir.Expr) -> str:
        """Emit code computing `e`; return the local holding True, False or None."""
        if isinstance(e, ir.LevelCmp):
            i = self.domain_index[e.domain]
            lo, hi, r = f"lo[{i}]", f"hi[{i}]", e.rank
            var = self.fresh()
            if e.op in (">=", ">"):
                r = r + 1 if e.op == ">" else r
                self.emit(f"{var} = True if {lo} >= {r} else (False if {hi} < {r} else None)")
            elif e.op in ("<=", "<"):
                r = r - 1 if e.op == "<" else r
                self.emit(f"{var} = True if {hi} <= {r} else (False if {lo} > {r} else None)")
            else:
                same = (f"(True if {lo} == {r} == {hi} else "
                        f"(False if {r} < {lo} or {r} > {hi} else None))")  # fmt: skip
                if e.op == "==":
                    self.emit(f"{var} = {same}")
                else:
                    self.emit(f"{var} = {same}")
                    self.emit(f"{var} = None if {var} is None else not {var}")
            return var
        if isinstance(e, ir.Compare):
            left, lnull = self.value(e.left)
            right, rnull = self.value(e.right)
            checks = [f"{x} is None" for x, null in ((left, lnull), (right, rnull)) if null]
            var = self.fresh()
            test = f"{left} {e.op} {right}"
            if checks:
                self.emit(f"{var} = None if {' or '.join(checks)} else {test}")
            else:
                self.emit(f"{var} = {test}")
            return var
        if isinstance(e, ir.Fact):
            var = self.fresh()
            self.emit(f"{var} = ev.get({quote(e.name)})")
            return var
        if isinstance(e, ir.DefRef):
            if e.name not in self.def_vars:
                definition = self.definitions[e.name]
                self.emit(comment(f"definition {e.name} ({_where(definition.origin)})"))
                inner = self.expr(definition.expr)
                self.def_vars[e.name] = inner
            return self.def_vars[e.name]
        if isinstance(e, ir.Implemented):
            var = self.fresh()
            name = quote(e.name)
            self.emit(
                f"{var} = True if {name} in impl else (None if {name} in maybe else False)"
            )
            return var
        if isinstance(e, ir.Not):
            inner = self.expr(e.operand)
            var = self.fresh()
            self.emit(f"{var} = None if {inner} is None else not {inner}")
            return var
        parts = [self.expr(x) for x in e.operands]
        var = self.fresh()
        if not parts:  # an empty `all of` holds, an empty `any of` does not
            empty = isinstance(e, ir.And) or (isinstance(e, ir.AtLeast) and e.count <= 0)
            self.emit(f"{var} = {empty}")
            return var
        unknown = " or ".join(f"{p} is None" for p in parts)
        if isinstance(e, ir.And):
            false = " or ".join(f"{p} is False" for p in parts)
            self.emit(f"{var} = False if ({false}) else (None if ({unknown}) else True)")
        elif isinstance(e, ir.Or):
            true = " or ".join(f"{p} is True" for p in parts)
            self.emit(f"{var} = True if ({true}) else (None if ({unknown}) else False)")
        else:
            count = self.fresh("n")
            maybe = self.fresh("n")
            self.emit(f"{count} = " + " + ".join(f"({p} is True)" for p in parts))
            self.emit(f"{maybe} = " + " + ".join(f"({p} is None)" for p in parts))
            self.emit(
                f"{var} = True if {count} >= {e.count} else "
                f"(False if {count} + {maybe} < {e.count} else None)"
            )
        return var

    def function(self) -> str:
        rules = self.policy.rules
        # Checkpoints first: a warning whose condition is false rules out levels.
        for rule in rules:
            if rule.rules_out and rule.condition is not None:
                self.emit(comment(f"checkpoint {rule.name} ({_where(rule.origin)})"))
                var = self.expr(rule.condition)
                self.emit(f"if {var} is False:")
                for ro in rule.rules_out:
                    i = self.domain_index[ro.domain]
                    self.emit(f"    hi[{i}] = max(lo[{i}], min(hi[{i}], {ro.rank - 1}))")
        self.def_vars.clear()  # definitions are read again with the checkpoints applied
        outcomes = []
        for rule in rules:
            self.emit(comment(f"{rule.kind} {rule.name} ({_where(rule.origin)})"))
            if rule.condition is None:
                outcomes.append("True")
            else:
                outcomes.append(self.expr(rule.condition))
        self.emit(f"return ({', '.join(outcomes)}{',' if len(outcomes) == 1 else ''})")
        body = "\n".join(_reflow(line) for line in self.lines)
        return (
            "def _conditions(\n"
            "    lo: list[int],\n"
            "    hi: list[int],\n"
            "    ev: dict[str, Any],\n"
            "    impl: frozenset[str],\n"
            "    maybe: dict[str, frozenset[str]],\n"
            "    as_of: datetime.date | None,\n"
            ") -> tuple[Tri, ...]:\n"
            '    """Every rule\'s condition, in policy order: True, False or None."""\n'
            + body
            + "\n"
        )


def _walk(e: ir.Expr, definitions: dict[str, ir.Definition], seen: set[str]) -> list[ir.Expr]:
    """Every node of `e`, following definitions (each once)."""
    out: list[ir.Expr] = [e]
    if isinstance(e, ir.DefRef) and e.name not in seen:
        seen.add(e.name)
        out += _walk(definitions[e.name].expr, definitions, seen)
    elif isinstance(e, ir.Not):
        out += _walk(e.operand, definitions, seen)
    elif isinstance(e, ir.And | ir.Or | ir.AtLeast):
        for x in e.operands:
            out += _walk(x, definitions, seen)
    return out


def _flags(policy: ir.Policy) -> tuple[bool, bool]:
    """(levels_only, standards_tested): see `python_runtime.Evaluator`."""
    definitions = {d.name: d for d in policy.definitions}
    conditions = [r.condition for r in policy.rules if r.condition is not None]
    others = [s.efficacy for s in policy.safeguards if s.efficacy is not None] + [
        o.deadline.expr
        for r in policy.rules
        for o in (*r.obligations, *r.fallbacks)
        if isinstance(o.deadline, ir.Until)
    ]
    in_conditions = [n for e in conditions for n in _walk(e, definitions, set())]
    everywhere = in_conditions + [n for e in others for n in _walk(e, definitions, set())]
    levels_only = all(not isinstance(n, ir.Compare | ir.Fact | ir.Implemented)
                      for n in in_conditions)  # fmt: skip
    standards_tested = any(
        isinstance(n, ir.Implemented) and n.kind == "standard" for n in everywhere
    )
    return levels_only, standards_tested


_WIDTH = 100


def _reflow(line: str) -> str:
    """Fit one generated line in the line length. Comments wrap as comments; an assignment
    or return gets its right-hand side in parentheses, broken between words. (Conditions hold
    no string with a space: names are identifiers and constants are numbers and dates.)"""
    if len(line) <= _WIDTH:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    body = line.strip()
    if body.startswith("#"):
        text = body[2:]
        room = _WIDTH - len(indent) - 2
        return "\n".join(indent + "# " + text[i : i + room] for i in range(0, len(text), room))
    if body.startswith("return ("):
        head, rhs = "return (", body[len("return (") : -1]
    else:
        target, rhs = body.split(" = ", 1)
        head = target + " = ("
    inner = indent + "    "
    rows: list[str] = []
    current = inner
    for word in rhs.split(" "):
        if current.strip() and len(current) + 1 + len(word) > _WIDTH:
            rows.append(current.rstrip())
            current = inner
        current += ("" if not current.strip() else " ") + word
    rows.append(current.rstrip())
    return f"{indent}{head}\n" + "\n".join(rows) + f"\n{indent})"


def _where(origin: ir.Origin) -> str:
    return f"{origin.file}:{origin.line}"


# ---------------------------------------------------------------------------- the module


def runtime_source() -> str:
    """The text of the hand-written runtime, copied into every generated module."""
    return resources.files("rspl.backends").joinpath("python_runtime.py").read_text("utf-8")


def generate(policy: ir.Policy) -> str:
    """The evaluator module for `policy`, as Python source. Deterministic."""
    provenance = {
        "id": policy.id,
        "version": policy.version,
        "source_hash": policy.source_hash,
        "compiler": f"rspl {__version__}",
    }
    tables = {
        "_PROVENANCE": provenance,
        "_DOMAINS": tuple(
            (d.name, tuple(lv.name for lv in d.levels), d.deciders) for d in policy.domains
        ),
        "_EVIDENCE": {e.name: (e.type, e.deciders) for e in policy.evidence},
        "_SAFEGUARDS": {
            s.name: expr_node(s.efficacy) if s.efficacy is not None else None
            for s in policy.safeguards
        },
        "_STANDARDS": {
            s.name: (s.family, s.ancestors, s.safeguards, s.hole) for s in policy.standards
        },
        "_CONTEXTS": tuple(c.name for c in policy.contexts),
        "_DEFINITIONS": {d.name: expr_node(d.expr) for d in policy.definitions},
        "_RULES": tuple(_rule(r) for r in policy.rules),
    }
    out = [
        "# Generated by rspl " + __version__ + " from the policy below. Do not edit: change",
        "# the .rspl source and run `rspl build --target python` again.",
        comment(f"policy {policy.id} version {policy.version}"),
        *(_reflow(comment(f"source file: {name}")) for name in policy.files),
        comment(f"source sha256: {policy.source_hash}"),
        "",
        runtime_source().rstrip("\n"),
        "",
        "",
        "# " + "-" * 60 + " policy tables (generated)",
        "",
        f"POLICY_ID: str = {quote(policy.id)}",
        f"POLICY_VERSION: str | None = {quote(policy.version)}",
        f"SOURCE_HASH: str = {quote(policy.source_hash)}",
        "CONTEXTS: tuple[str, ...] = " + quote(tables["_CONTEXTS"], lead=28),
        "",
    ]
    for name, value in tables.items():
        lead = f"{name}: Any = "
        out.append(lead + quote(value, lead=len(lead)))
        out.append("")
    out.append("")
    out.append(_Conditions(policy).function())
    out.append("")
    levels_only, standards_tested = _flags(policy)
    out.append(
        "_EVALUATOR = Evaluator(\n"
        "    provenance=_PROVENANCE,\n"
        "    combine=" + quote(policy.combine) + ",\n"
        "    domains=_DOMAINS,\n"
        "    evidence=_EVIDENCE,\n"
        "    safeguards=_SAFEGUARDS,\n"
        "    standards=_STANDARDS,\n"
        "    contexts=_CONTEXTS,\n"
        "    definitions=_DEFINITIONS,\n"
        "    rules=_RULES,\n"
        "    conditions=_conditions,\n"
        f"    levels_only={levels_only},\n"
        f"    standards_tested={standards_tested},\n"
        ")\n"
        "\n"
        "# evaluate(assessment, *, explain=False) -> Decision; raises AssessmentError.\n"
        "evaluate = _EVALUATOR.fast\n"
        "\n"
        '__all__ = ["CONTEXTS", "POLICY_ID", "AssessmentError", "Decision", "Verdict", '
        '"evaluate"]\n'
    )
    return "\n".join(out)


def render(policy: ir.Policy) -> dict[str, str]:
    """File name -> contents: the policy's evaluator module."""
    return {module_name(policy) + ".py": generate(policy)}
