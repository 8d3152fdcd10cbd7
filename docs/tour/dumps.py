"""Real dumps of every compiler pass on docs/tour/tour.rspl, for docs/architecture.md.

`python docs/tour/dumps.py` prints them; `tests/test_architecture_doc.py` checks that the
blocks in the doc are exactly these (and rewrites them with `--update-cases`).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent
TOUR = HERE / "tour.rspl"
LABEL = "tour.rspl"


def _text() -> str:
    return TOUR.read_text(encoding="utf-8")


def compact(value: Any) -> str:
    if attrs.has(type(value)):
        fields = [f for f in attrs.fields(type(value)) if f.name != "span"]
        inner = ", ".join(f"{f.name}={compact(getattr(value, f.name))}" for f in fields)
        return f"{type(value).__name__}({inner})"
    if isinstance(value, tuple):
        return "(" + ", ".join(compact(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return repr(value)


def pretty(value: Any, indent: int = 0) -> str:
    """attrs nodes and IR as indented `Class(field=...)`, spans left out; short parts on one
    line."""
    one_line = compact(value)
    if len(one_line) + 2 * indent <= 88:
        return one_line
    pad = "  " * (indent + 1)
    if attrs.has(type(value)):
        fields = [f for f in attrs.fields(type(value)) if f.name != "span"]
        inner = [f"{pad}{f.name}={pretty(getattr(value, f.name), indent + 1)}" for f in fields]
        return f"{type(value).__name__}(\n" + ",\n".join(inner) + "\n" + "  " * indent + ")"
    if isinstance(value, tuple) and value:
        inner = [pad + pretty(v, indent + 1) for v in value]
        return "(\n" + ",\n".join(inner) + ",\n" + "  " * indent + ")"
    return one_line


def _rule_source() -> str:
    text = _text()
    start = text.index("rule cbrn_3_security")
    end = text.index("}\n", start) + 2
    return text[start:end]


def dump_parse() -> str:
    from rspl.parser import get_parser

    return str(get_parser().parse(_rule_source()).pretty()).rstrip()


def _compilation() -> Any:
    from rspl.pipeline import compile_source

    return compile_source(LABEL, _text())


def dump_build() -> str:
    from rspl import nodes

    program = _compilation().program
    rule = next(i for i in program.main.items if isinstance(i, nodes.RuleDecl))
    return pretty(rule)


def dump_load() -> str:
    program = _compilation().program
    lines = []
    for module in program.modules:
        kinds: dict[str, int] = {}
        for item in module.items:
            kinds[type(item).__name__] = kinds.get(type(item).__name__, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        imports = [name for name, _ in program.imports.get(module.name, ())]
        lines.append(f"{module.path}: {summary}")
        lines.append(f"  imports: {', '.join(imports) or '-'}")
    return "\n".join(lines)


def dump_resolve() -> str:
    from rspl import nodes

    result = _compilation()
    res = result.resolution
    rule = next(i for i in result.program.main.items if isinstance(i, nodes.RuleDecl))
    names: list[nodes.Name] = []
    assert isinstance(rule.when, nodes.Compare)
    for op in (rule.when.left, rule.when.right):
        assert isinstance(op, nodes.NameRef)
        names.append(op.name)
    for req in rule.requirements:
        names += [*req.targets, *req.contexts]
    lines = []
    for name in names:
        target = res.target(name)
        kind = "level" if isinstance(target, nodes.LevelDecl) else nodes.kind_of(target)
        where = f"{target.span.file}:{target.span.line}"
        lines.append(f"{name.span.line}:{name.span.column:<3} {name.text:<20} -> {kind} at {where}")
    return "\n".join(lines)


def dump_check() -> str:
    from rspl.pipeline import compile_source
    from rspl.render import render

    broken = _text().replace("when CBRN >= CBRN_3", "when CBRN >= CBRN_5")
    result = compile_source(LABEL, broken)
    return render(result.diagnostics, result.texts, "snippet").rstrip()


def dump_lower() -> str:
    policy = _compilation().policy
    rule = next(r for r in policy.rules if r.name == "cbrn_3_security")
    standard = next(s for s in policy.standards if s.name == "ASL3_Security")
    return pretty(rule) + "\n\n" + pretty(standard)


def dump_python() -> str:
    from rspl.backends.python import generate

    source = generate(_compilation().policy)
    nodes = source.index("_NODES: Any = ")
    start = source.index("def _conditions(")
    end = source.index("\n\n", start)
    return source[nodes : source.index("\n\n", nodes)] + "\n\n" + source[start:end]


def dump_eval() -> str:
    from rspl.interpreter import evaluate

    policy = _compilation().policy
    scenario = policy.scenarios[0]
    assessment = {**scenario.assessment, "contexts": ["training", "external_deployment"]}
    decision = evaluate(policy, assessment)
    shown = {k: decision[k] for k in ("rules", "required_standards", "missing", "verdicts")}
    return (
        "assessment: " + json.dumps(assessment, sort_keys=True) + "\n"
        + json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)
    )  # fmt: skip


DUMPS = {
    "parse": dump_parse,
    "build": dump_build,
    "load": dump_load,
    "resolve": dump_resolve,
    "check": dump_check,
    "lower": dump_lower,
    "python": dump_python,
    "eval": dump_eval,
}

if __name__ == "__main__":
    for name, fn in DUMPS.items():
        print(f"==== {name}\n{fn()}\n")
