"""The symbol index: every declaration of a compiled policy and every place a name refers to
one, with spans, per file, across imports and the stdlib. Built from the resolver's results
(`Resolution.refs` says what each name node means), never by parsing again. The language
server (`rspl.lsp`) answers hover, go to definition, references, rename, completion and the
outline from it; it has no dependency on the server and is tested on its own.
"""

from __future__ import annotations

import bisect
import os
import re

import attrs

from rspl import nodes as n
from rspl.highlight import KEYWORDS, MODALITIES
from rspl.pipeline import Compilation
from rspl.resolver import Target
from rspl.spans import Span

LEVEL = "level"


@attrs.frozen(eq=False)
class Symbol:
    """A declaration: its name, kind (`standard`, `level`...), where its name is written, the
    node, the module and file it is in, and for a level its domain."""

    name: str
    kind: str
    span: Span
    node: Target
    module: str
    stdlib: bool
    domain: n.DomainDecl | None = None

    @property
    def file(self) -> str:
        return self.span.file


@attrs.frozen(eq=False)
class Occurrence:
    """A name as written: the declaration's own name (`is_decl`) or a reference to it."""

    span: Span
    symbol: Symbol
    is_decl: bool


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
RESERVED = frozenset(KEYWORDS) | frozenset(MODALITIES)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a declaration, or None when it can."""
    if not _NAME.match(name):
        return f"`{name}` is not a valid name (a letter or `_`, then letters, digits or `_`)"
    if name in RESERVED:
        return f"`{name}` is a keyword of RSPL"
    return None


class Index:
    """Declarations and references of one compilation. Offsets are 0-based character
    offsets into each file's text, as in `rspl.spans.Span`."""

    def __init__(self, compilation: Compilation) -> None:
        self.compilation = compilation
        program, res = compilation.program, compilation.resolution
        self.symbols: list[Symbol] = []
        self._by_node: dict[int, Symbol] = {}
        self._occurrences: dict[str, list[Occurrence]] = {}
        self._refs: dict[int, list[Occurrence]] = {}
        self.module_of_file: dict[str, n.Module] = {m.path: m for m in program.modules}
        self._texts = program.texts
        for module in program.modules:
            for item in module.items:
                if isinstance(item, n.PolicyHeader | n.Import):
                    continue
                self._declare(item, n.kind_of(item), module)
                if isinstance(item, n.DomainDecl):
                    for level in item.levels:
                        self._declare(level, LEVEL, module, item)
        if res is not None:
            seen: set[int] = set()
            for name in res.bound:
                symbol = self._by_node.get(id(res.target(name)))
                if symbol is not None and id(name) not in seen:
                    seen.add(id(name))
                    self._add(Occurrence(name.span, symbol, is_decl=False))
        for found in self._occurrences.values():
            found.sort(key=lambda o: o.span.start)
        self._starts = {f: [o.span.start for o in occ] for f, occ in self._occurrences.items()}

    def _declare(
        self, node: Target, kind: str, module: n.Module, domain: n.DomainDecl | None = None
    ) -> None:
        symbol = Symbol(node.name.text, kind, node.name.span, node, module.name,
                        module.is_stdlib, domain)  # fmt: skip
        self.symbols.append(symbol)
        self._by_node[id(node)] = symbol
        self._add(Occurrence(node.name.span, symbol, is_decl=True))

    def _add(self, occ: Occurrence) -> None:
        span = occ.span
        if self._texts.get(span.file, "")[span.start : span.end] != occ.symbol.name:
            return  # a name the compiler made up (the levels of `risk verdict`): not written
        self._occurrences.setdefault(occ.span.file, []).append(occ)
        self._refs.setdefault(id(occ.symbol.node), []).append(occ)

    # ------------------------------------------------------------------ queries

    def at(self, file: str, offset: int) -> Occurrence | None:
        """The name written at `offset` in `file` (its end counts: the cursor just after a
        name is on it)."""
        starts = self._starts.get(file, [])
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return None
        occ = self._occurrences[file][i]
        return occ if occ.span.start <= offset <= occ.span.end else None

    def import_at(self, file: str, offset: int) -> str | None:
        """The file label of the module imported by the import target written at `offset` in
        `file` (`std.contexts`, `"lib.rspl"`), or None."""
        module = self.module_of_file.get(file)
        if module is None:
            return None
        program = self.compilation.program
        paths = {m.name: m.path for m in program.modules}
        for key, target in program.imports.get(module.name, ()):
            if target.span.start <= offset <= target.span.end:
                return paths.get(key)
        return None

    def declared_at(self, real: str, start: int) -> Symbol | None:
        """The symbol whose name is declared at offset `start` of the file whose real path
        (symlinks resolved) is `real`: the same declaration seen from another compilation."""
        reals: dict[str, str] = {}
        for symbol in self.symbols:
            if symbol.span.start != start:
                continue
            path = reals.get(symbol.file)
            if path is None:
                path = reals[symbol.file] = os.path.realpath(symbol.file)
            if path == real:
                return symbol
        return None

    def symbol_of(self, node: Target) -> Symbol | None:
        return self._by_node.get(id(node))

    def occurrences(self, symbol: Symbol, *, include_decl: bool = True) -> list[Occurrence]:
        """Where `symbol` is written, its declaration first, then by file and place."""
        found = self._refs.get(id(symbol.node), [])
        return sorted(
            (o for o in found if include_decl or not o.is_decl),
            key=lambda o: (not o.is_decl, o.span.file, o.span.start),
        )

    def declarations(self, file: str) -> list[Symbol]:
        """The declarations of `file` in order, levels included."""
        return [s for s in self.symbols if s.file == file]

    def visible(self, file: str) -> dict[str, Symbol]:
        """The declarations a name written in `file` may refer to, by name (its own and those
        of the modules it imports)."""
        module = self.module_of_file.get(file)
        res = self.compilation.resolution
        if module is None or res is None:
            return {}
        scope = res.scopes.get(module.name, {})
        out = {}
        for name, decl in scope.items():
            symbol = self._by_node.get(id(decl))
            if symbol is not None:
                out[name] = symbol
        return out

    def rename_problem(self, symbol: Symbol, new: str) -> str | None:
        """Why `symbol` cannot be renamed to `new`, or None when it can."""
        if symbol.stdlib:
            return f"`{symbol.name}` is declared in the standard library, which cannot be edited"
        if not any(o.is_decl for o in self._refs.get(id(symbol.node), ())):
            return f"`{symbol.name}` is not declared by name in the policy (the compiler adds it)"
        problem = name_problem(new)
        if problem is not None:
            return problem
        if new == symbol.name:
            return None
        for other in self.symbols:
            if other.name != new:
                continue
            if symbol.kind == LEVEL and other.kind == LEVEL and other.domain is not symbol.domain:
                continue  # two domains may each have a level of that name
            where = f"in `{other.domain.name.text}`" if other.domain is not None else ""
            return (
                f"`{new}` is already the name of a {other.kind} {where}".rstrip()
                + f" ({self.compilation.program.names.get(other.file, other.file)}, line "
                f"{other.span.line})"
            )
        return None


# ---------------------------------------------------------------------------- descriptions


def describe(index: Index, symbol: Symbol) -> str:
    """Markdown for a hover over `symbol`: what it is, its title and `means`, where it comes
    from in the published policy; for a level its definition as written, for a standard its
    safeguards with `extends` expanded."""
    node = symbol.node
    title = getattr(node, "title", None)
    head = f"**{symbol.kind}** `{symbol.name}`"
    if symbol.domain is not None:
        head += f" of domain `{symbol.domain.name.text}`"
    if title:
        head += f": {title}"
    parts = [head]
    means = getattr(node, "means", None)
    if means:
        parts.append(f"*means* {means}")
    if isinstance(node, n.StandardDecl):
        parts.append(_standard(index, node))
    if isinstance(node, n.LevelDecl | n.DefinitionDecl):
        parts.append("```rspl\n" + _source(index, node.span) + "\n```")
    if isinstance(node, n.DomainDecl):
        parts.append(
            "levels, lowest first: " + ", ".join(f"`{lv.name.text}`" for lv in node.levels)
        )
    anchors = getattr(node, "anchors", ())
    if anchors:
        parts.append(
            "source: " + ", ".join(f"[{a.text}]({a.url})" if a.url else a.text for a in anchors)
        )
    where = index.compilation.program.names.get(symbol.file, symbol.file)
    parts.append(f"declared in `{where}`, line {symbol.span.line}")
    return "\n\n".join(parts)


def _source(index: Index, span: Span) -> str:
    text = index.compilation.program.texts.get(span.file, "")
    return text[span.start : span.end]


def _standard(index: Index, node: n.StandardDecl) -> str:
    from rspl.semantics import expand_standards

    rows: dict[str, tuple[str, str | None, tuple[str, ...], bool]] = {}
    for module in index.compilation.program.modules:
        for item in module.items:
            if isinstance(item, n.StandardDecl):
                rows.setdefault(
                    item.name.text,
                    (
                        item.family.text,
                        item.extends.text if item.extends is not None else None,
                        tuple(s.text for s in item.includes),
                        item.hole is not None,
                    ),
                )
    std = expand_standards(rows)[node.name.text]
    own = {s.text for s in node.includes}
    lines = [f"family `{std.family}`"]
    if std.ancestors:
        lines.append("extends " + " → ".join(f"`{a}`" for a in std.ancestors))
    if std.hole:
        lines.append("*not yet defined*")
    if std.safeguards:
        lines.append("safeguards:")
        lines.extend(f"- `{s}`" + ("" if s in own else " (inherited)") for s in std.safeguards)
    return "\n".join(lines)
