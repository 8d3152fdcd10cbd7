"""What a policy uses of the files it imports: the declarations the document shows, and the
imports nothing is used of (W0012).

Everything declared in the main file counts as used (an unused one gets W0001), and so does
what counts without being named, wherever it is declared: the policy header, rules, warnings,
cadences, waivers, scenarios, and contexts (a context is part of the policy's meaning even
when nothing names it: an assessment that lists no contexts is decided for every context the
policy declares or imports, and "in every context" covers each). From there, a declaration is
used when a used item names it (`Resolution.uses`): a standard brings the standards it extends,
its family and its safeguards; a safeguard's efficacy criterion what it reads; a role group its
roles; a context group its contexts; a definition the evidence and definitions it reads; and so
on. What is left, in imported files only, is what the document leaves out unless asked for the
full catalogue (`ir.Policy.imported_unused`).

An import is unused when nothing in the importing file names a declaration of the imported
one, and the imported file declares nothing that counts without being named. Like W0001 this
is decided file by file, so a file shared between policies gets the same warnings in each.
"""

from __future__ import annotations

import attrs

from rspl import nodes as n
from rspl.loader import Program
from rspl.resolver import Resolution
from rspl.spans import Span


def counts_unnamed(item: n.Item) -> bool:
    """Whether `item` is part of the policy wherever it is declared, named or not."""
    if isinstance(item, n.ContextDecl):
        return not item.includes  # a context; a context group is only a name for its members
    return isinstance(item, n.PolicyHeader | n.RuleDecl | n.WaiverDecl | n.ScenarioDecl)


def used_items(program: Program, res: Resolution) -> set[Span]:
    """The spans (the keys of `Resolution`'s tables) of the items the policy uses (see the
    module docstring), imports included."""
    todo = [item.span for item in program.main.items]
    todo += [item.span for m in program.modules for item in m.items if counts_unnamed(item)]
    seen = set(todo)
    while todo:
        for used in res.uses.get(todo.pop(), ()):
            if used not in seen:
                seen.add(used)
                todo.append(used)
    return seen


def imported_unused(program: Program, res: Resolution) -> tuple[str, ...]:
    """The names of the declarations of imported files the policy does not use, in module
    order (the order of the IR's tables)."""
    used = used_items(program, res)
    return tuple(
        item.name.text
        for m in program.modules
        if m is not program.main
        for item in m.items
        if not isinstance(item, n.PolicyHeader | n.Import) and item.span not in used
    )


@attrs.frozen
class UnusedImport:
    """`target`, written in `module`, names the file `imported` of which nothing is used."""

    module: n.Module
    target: n.ImportTarget
    imported: n.Module


def unused_imports(program: Program, res: Resolution) -> list[UnusedImport]:
    """Each import target, in a file of the user's, of which that file uses nothing."""
    modules = {m.name: m for m in program.modules}
    out = []
    for m in program.modules:
        if m.is_stdlib:
            continue
        named = {
            res.decl_module[decl].name
            for item in m.items
            for decl in res.uses.get(item.span, ())
            if decl in res.decl_module
        }
        for key, target in program.imports.get(m.name, ()):
            imported = modules[key]
            if key in named or any(counts_unnamed(item) for item in imported.items):
                continue
            out.append(UnusedImport(m, target, imported))
    return out
