"""Pass 3, load: read the main file and, transitively, everything it imports.

`import std.contexts` reads a shipped stdlib module; `import "shared/roles.rspl"` reads a file
relative to the importing file; `import team.roles` reads `team/roles.rspl` beside it.
Missing modules (E0103), cycles (E0104) and a `policy` header in an imported file (E0102) are
reported here. Parsing and building are called per file.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import attrs

from rspl import messages as msg
from rspl import nodes as n
from rspl.builder import build
from rspl.diagnostics import Label, Reporter
from rspl.parser import parse
from rspl.resources import stdlib_module, stdlib_modules


@attrs.frozen
class Program:
    """Every module of one policy, the main one first, then imports in the order first met.

    `imports[m]` lists the modules that module `m` imports directly, each with the import
    target that names it.
    `texts` maps each file label to its source text, for snippets and hashing.
    """

    main: n.Module
    modules: tuple[n.Module, ...]
    imports: dict[str, tuple[tuple[str, n.ImportTarget], ...]]
    texts: dict[str, str]


Reader = Callable[[str], str]


def read_file(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def parse_module(name: str, label: str, text: str, reporter: Reporter, stdlib: bool) -> n.Module:
    """Parse and build one file; a file with a syntax error yields a module with no items.
    (`rspl.pipeline` pauses the cyclic collector around the whole compilation.)"""
    tree = parse(text, label, reporter)
    items = build(tree, label, reporter) if tree is not None else ()
    return n.Module(name=name, path=label, items=items, is_stdlib=stdlib)


def load(path: str, text: str, reporter: Reporter, read: Reader = read_file) -> Program:
    """Load the policy in `path` (whose text is `text`) and all it imports."""
    path = os.path.normpath(path)
    main = parse_module(path, path, text, reporter, stdlib=False)
    modules: dict[str, n.Module] = {path: main}
    imports: dict[str, tuple[tuple[str, n.ImportTarget], ...]] = {}
    texts = {path: text}
    stack: list[str] = []

    def visit(module: n.Module) -> None:
        stack.append(module.name)
        found: dict[str, n.ImportTarget] = {}
        for item in module.items:
            if isinstance(item, n.PolicyHeader) and module is not main:
                reporter.add(msg.policy_header_in_import(item.span))
            if not isinstance(item, n.Import):
                continue
            for target in item.targets:
                key, label, source = _locate(module, target, read)
                if source is None:
                    _report_missing(target, reporter)
                    continue
                if key in stack:
                    cycle = [*stack[stack.index(key):], key]
                    reporter.add(msg.import_cycle([_short(m) for m in cycle], target.span))
                    continue
                found.setdefault(key, target)
                if key in modules:
                    continue
                texts[label] = source
                is_std = target.kind == "module" and label.startswith("<stdlib>")
                child = parse_module(key, label, source, reporter, stdlib=is_std)
                modules[key] = child
                visit(child)
        imports[module.name] = tuple(found.items())
        stack.pop()

    visit(main)
    return Program(main, tuple(modules.values()), imports, texts)


def _short(name: str) -> str:
    return os.path.basename(name) if os.sep in name else name


def _locate(
    module: n.Module, target: n.ImportTarget, read: Reader
) -> tuple[str, str, str | None]:
    """(module key, file label, text or None) for one import target."""
    base = os.path.dirname(module.path) if not module.is_stdlib else ""
    if target.kind == "module":
        std = stdlib_module(target.path)
        if std is not None:
            return target.path, std[0], std[1]
        if module.is_stdlib:
            return target.path, target.path, None
        rel = os.path.join(base, *target.path.split(".")) + ".rspl"
    else:
        if module.is_stdlib:
            return target.path, target.path, None
        rel = os.path.join(base, target.path)
    key = os.path.normpath(rel)
    try:
        return key, key, read(key)
    except (OSError, UnicodeDecodeError, ValueError):
        return key, key, None


def _report_missing(target: n.ImportTarget, reporter: Reporter) -> None:
    if target.kind == "module":
        modules = stdlib_modules()
        reporter.add(msg.unknown_module(target.path, target.span, stdlib_modules=modules))
    else:
        reporter.add(msg.unreadable_import(target.path, target.span))


__all__ = ["Label", "Program", "load", "parse_module"]
