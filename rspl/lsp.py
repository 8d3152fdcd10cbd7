"""`rspl lsp`: the language server, over standard input and output, on pygls (the `lsp`
extra: `pip install 'rspl[lsp]'`).

Each open document is compiled as the main file of a policy (open documents it imports are
read from the editor, other files from disk), incrementally (`rspl.incremental`) and with
imported files cached by content (`rspl.loader.parse_module`), 150 ms after the last change,
at once on open and save, and before answering any request about it. The answers come from
the symbol index of the last compilation that parsed (`rspl.index`; while the text does not
parse, mid-typing, it keeps serving): hover, go to definition, references and rename (also
through every other open policy that has the declaring file), completion (`rspl.completion`),
the outline and semantic tokens (`rspl.tokens`); formatting is `rspl.fmt.format_source`.
Diagnostics are `rspl check`'s, except that a file another policy imports is a library: its
missing `policy` header (E0101) is not reported. `initializationOptions.importPath` gives the
folders of `rspl check --import-path`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Sequence
from typing import Any

import attrs
from lsprotocol import types as t
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from rspl import __version__
from rspl import nodes as n
from rspl.diagnostics import MISSING_POLICY_HEADER, Diagnostic, Severity
from rspl.fmt import FormatError, format_source
from rspl.incremental import SYNTAX_ERRORS, DocumentParser
from rspl.index import LEVEL, Index, Occurrence, Symbol, describe
from rspl.loader import read_file
from rspl.pipeline import Compilation, compile_source
from rspl.resources import stdlib_path
from rspl.spans import Span

DEBOUNCE_SECONDS = 0.15
logger = logging.getLogger(__name__)
_NO_HEADER = MISSING_POLICY_HEADER.code

# declaration kinds in the outline
_SYMBOL_KINDS: dict[str, t.SymbolKind] = {
    "role": t.SymbolKind.Class,
    "context": t.SymbolKind.Namespace,
    "family": t.SymbolKind.Package,
    "domain": t.SymbolKind.Enum,
    LEVEL: t.SymbolKind.EnumMember,
    "evidence": t.SymbolKind.Variable,
    "definition": t.SymbolKind.Function,
    "safeguard": t.SymbolKind.Property,
    "standard": t.SymbolKind.Struct,
    "artifact": t.SymbolKind.File,
    "action": t.SymbolKind.Event,
    "rule": t.SymbolKind.Method,
    "warning": t.SymbolKind.Method,
    "cadence": t.SymbolKind.Method,
    "waiver": t.SymbolKind.Key,
    "scenario": t.SymbolKind.Module,
}
_SEVERITIES = {
    Severity.ERROR: t.DiagnosticSeverity.Error,
    Severity.WARNING: t.DiagnosticSeverity.Warning,
}


@attrs.define
class Document:
    """An open document: where it is, and its last compilation and index."""

    uri: str
    path: str
    compilation: Compilation | None = None  # the last that parsed: the index's
    index: Index | None = None
    latest: Compilation | None = None  # the last, parsed or not: the diagnostics'
    pending: asyncio.TimerHandle | None = None
    lines: dict[str, list[str]] = attrs.field(factory=dict)


class RsplServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("rspl", __version__)
        self.documents: dict[str, Document] = {}
        self.parser = DocumentParser()
        # `--import-path` folders, from the client's `initializationOptions.importPath`
        self.import_path: list[str] = []

    # ------------------------------------------------------------------ compiling

    def document(self, uri: str) -> Document:
        doc = self.documents.get(uri)
        if doc is None:
            path = to_fs_path(uri) if uri.startswith("file:") else None
            doc = self.documents[uri] = Document(uri, os.path.normpath(path or "untitled.rspl"))
        return doc

    def read(self, path: str) -> str:
        """An imported file: the editor's text when it is open, else the disk's."""
        uri = from_fs_path(os.path.abspath(path))
        if uri is not None and uri in self.workspace.text_documents:
            return self.workspace.get_text_document(uri).source
        return read_file(path)

    def check(self, uri: str) -> Document:
        """Compile the document now and publish its diagnostics."""
        doc = self.document(uri)
        if doc.pending is not None:
            doc.pending.cancel()
            doc.pending = None
        text = self.workspace.get_text_document(uri).source
        try:
            comp = compile_source(
                doc.path,
                text,
                self.read,
                build_ir=False,
                import_path=self.import_path,
                parse_main=self.parser.parse,
            )
        except Exception:  # an internal error: say so, keep serving from the last compilation
            logger.exception("rspl: internal error while checking %s", doc.path)
            self.window_log_message(
                t.LogMessageParams(
                    t.MessageType.Error, f"rspl: internal error while checking {doc.path}"
                )
            )
            return doc
        # while the text does not parse (mid-typing), names keep coming from the last
        # compilation that did: completion and navigation go on working
        unparsed = any(d.code in SYNTAX_ERRORS and d.span.file == doc.path
                       for d in comp.diagnostics)  # fmt: skip
        if doc.index is None or not unparsed:
            doc.compilation, doc.index, doc.lines = comp, Index(comp), {}
        doc.latest = comp
        shown = [d for d in comp.diagnostics if d.span.file == doc.path]
        if any(d.code == _NO_HEADER for d in shown) and self.imported_elsewhere(doc):
            shown = [d for d in shown if d.code != _NO_HEADER]  # a library, not a policy
        latest = Document(doc.uri, doc.path, comp)
        self.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(
                uri=uri, diagnostics=[self.diagnostic(latest, d) for d in shown]
            )
        )
        return doc

    def imported_elsewhere(self, doc: Document) -> bool:
        """Whether another policy imports the file of `doc`: an open document whose program
        has it, or a `.rspl` file in the same folder whose text names it in an `import` (a
        file without a `policy` header is then a library, and E0101 is not reported)."""
        real = os.path.realpath(doc.path)
        for other in self.documents.values():
            comp = other.latest
            if other is doc or comp is None:
                continue
            if any(os.path.realpath(m.path) == real for m in comp.program.modules[1:]):
                return True
        folder = os.path.dirname(real)
        stem = os.path.splitext(os.path.basename(real))[0]
        pattern = re.compile(
            rf"^\s*import\b[^\n]*(\"{re.escape(stem)}\.rspl\"|\b{re.escape(stem)}\b)",
            re.MULTILINE,
        )
        try:
            siblings = [f for f in os.listdir(folder) if f.endswith(".rspl")]
        except OSError:
            return False
        for name in siblings:
            path = os.path.join(folder, name)
            if os.path.realpath(path) == real:
                continue
            try:
                text = read_file(path)
            except (OSError, ValueError):
                continue
            if pattern.search(text):
                return True
        return False

    def schedule(self, uri: str) -> None:
        doc = self.document(uri)
        if doc.pending is not None:
            doc.pending.cancel()
        loop = asyncio.get_running_loop()
        doc.pending = loop.call_later(DEBOUNCE_SECONDS, self.check, uri)

    def ready(self, uri: str) -> Document:
        """The document compiled from its current text (a pending check runs now)."""
        doc = self.document(uri)
        if doc.compilation is None or doc.pending is not None:
            return self.check(uri)
        return doc

    # ------------------------------------------------------------------ positions

    def _lines(self, doc: Document, file: str) -> list[str]:
        found = doc.lines.get(file)
        if found is None:
            assert doc.compilation is not None
            text = doc.compilation.texts.get(file, "")
            found = doc.lines[file] = text.split("\n")  # lines as the compiler counts them
        return found

    def range(self, doc: Document, span: Span) -> t.Range:
        lines = self._lines(doc, span.file)
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(
            lines, ServerTextPosition(span.line - 1, span.column - 1)
        )
        end = codec.position_to_client_units(
            lines, ServerTextPosition(span.end_line - 1, span.end_column - 1)
        )
        return t.Range(t.Position(start.line, start.character), t.Position(end.line, end.character))

    def uri_of(self, doc: Document, file: str) -> str | None:
        if file == doc.path:
            return doc.uri
        if file.startswith("<stdlib>/"):
            real = stdlib_path(file)
            return _uri(str(real)) if real is not None else None
        return _uri(os.path.abspath(file))

    def location(self, doc: Document, span: Span) -> t.Location | None:
        uri = self.uri_of(doc, span.file)
        return t.Location(uri, self.range(doc, span)) if uri is not None else None

    def offset(self, uri: str, position: t.Position) -> int:
        return self.workspace.get_text_document(uri).offset_at_position(position)

    def diagnostic(self, doc: Document, d: Diagnostic) -> t.Diagnostic:
        related = []
        for label in d.labels:
            where = self.location(doc, label.span)
            if where is not None:
                related.append(t.DiagnosticRelatedInformation(where, label.message))
        message = d.message if d.help is None else f"{d.message}\nhelp: {d.help}"
        return t.Diagnostic(
            range=self.range(doc, d.span),
            message=message,
            severity=_SEVERITIES.get(d.severity, t.DiagnosticSeverity.Information),
            code=d.code,
            source="rspl",
            related_information=related or None,
        )

    def everywhere(
        self, doc: Document, symbol: Symbol, *, include_decl: bool = True
    ) -> list[tuple[Document, Symbol, Occurrence]]:
        """Where `symbol` is written: in `doc`'s compilation, and in that of every other open
        document whose policy has the file that declares it (a file several policies import),
        each place once."""
        key = (os.path.realpath(symbol.file), symbol.span.start)
        seen: set[tuple[str, int]] = set()
        out = []
        for each in [doc, *(d for d in self.documents.values() if d is not doc)]:
            if each.index is None:
                continue
            same = symbol if each is doc else each.index.declared_at(*key)
            if same is None:
                continue
            for o in each.index.occurrences(same, include_decl=include_decl):
                where = (os.path.realpath(o.span.file), o.span.start)
                if where not in seen:
                    seen.add(where)
                    out.append((each, same, o))
        return out

    def at(self, uri: str, position: t.Position) -> tuple[Document, Any]:
        doc = self.ready(uri)
        assert doc.index is not None
        return doc, doc.index.at(doc.path, self.offset(uri, position))


def _uri(path: str) -> str | None:
    uri: str | None = from_fs_path(path)
    return uri


server = RsplServer()


@server.feature(t.INITIALIZE)
def initialize(ls: RsplServer, params: t.InitializeParams) -> None:
    options = params.initialization_options
    folders = options.get("importPath") if isinstance(options, dict) else None
    if isinstance(folders, list):
        ls.import_path = [str(f) for f in folders]


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RsplServer, params: t.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RsplServer, params: t.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RsplServer, params: t.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RsplServer, params: t.DidCloseTextDocumentParams) -> None:
    doc = ls.documents.pop(params.text_document.uri, None)
    if doc is not None:
        ls.parser.forget(doc.path)
        if doc.pending is not None:
            doc.pending.cancel()
    ls.text_document_publish_diagnostics(
        t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: RsplServer, params: t.HoverParams) -> t.Hover | None:
    doc, occ = ls.at(params.text_document.uri, params.position)
    assert doc.index is not None
    if occ is not None:
        text = describe(doc.index, occ.symbol)
        return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, text), ls.range(doc, occ.span))
    latest = Document(doc.uri, doc.path, doc.latest)
    assert latest.compilation is not None
    offset = ls.offset(params.text_document.uri, params.position)
    for d in latest.compilation.diagnostics:
        if d.span.file == doc.path and d.span.start <= offset <= d.span.end:
            from rspl.explain import explain

            entry = explain(d.code) or d.code
            return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, entry), ls.range(latest, d.span))
    return None


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: RsplServer, params: t.DefinitionParams) -> t.Location | None:
    doc, occ = ls.at(params.text_document.uri, params.position)
    if occ is not None:
        return ls.location(doc, occ.symbol.span)
    assert doc.index is not None  # an import target: the file it imports
    imported = doc.index.import_at(doc.path, ls.offset(params.text_document.uri, params.position))
    uri = ls.uri_of(doc, imported) if imported is not None else None
    return t.Location(uri, t.Range(t.Position(0, 0), t.Position(0, 0))) if uri else None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: RsplServer, params: t.ReferenceParams) -> list[t.Location]:
    doc, occ = ls.at(params.text_document.uri, params.position)
    if occ is None:
        return []
    found = ls.everywhere(doc, occ.symbol, include_decl=params.context.include_declaration)
    return [loc for each, _, o in found if (loc := ls.location(each, o.span)) is not None]


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: RsplServer, params: t.PrepareRenameParams) -> t.Range | None:
    doc, occ = ls.at(params.text_document.uri, params.position)
    if occ is None:
        return None
    if occ.symbol.stdlib:
        raise JsonRpcInvalidParams(
            f"`{occ.symbol.name}` is declared in the standard library, which cannot be edited"
        )
    return ls.range(doc, occ.span)


@server.feature(t.TEXT_DOCUMENT_RENAME)
def rename(ls: RsplServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    doc, occ = ls.at(params.text_document.uri, params.position)
    if occ is None:
        raise JsonRpcInvalidParams("there is no declared name here to rename")
    found = ls.everywhere(doc, occ.symbol)
    for each, same, _ in found:  # no collision in any policy that has the declaration
        assert each.index is not None
        problem = each.index.rename_problem(same, params.new_name)
        if problem is not None:
            raise JsonRpcInvalidParams(f"cannot rename `{occ.symbol.name}`: {problem}")
    changes: dict[str, list[t.TextEdit]] = {}
    for each, _, o in found:
        uri = ls.uri_of(each, o.span.file)
        if uri is not None:
            edit = t.TextEdit(ls.range(each, o.span), params.new_name)
            changes.setdefault(uri, []).append(edit)
    return t.WorkspaceEdit(changes=changes)


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: RsplServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    doc = ls.ready(params.text_document.uri)
    assert doc.index is not None
    out: list[t.DocumentSymbol] = []
    for sym in doc.index.declarations(doc.path):
        entry = _document_symbol(ls, doc, sym)
        children = out[-1].children if out else None
        if sym.kind == LEVEL and isinstance(children, list):
            children.append(entry)
        else:
            out.append(entry)
    return out


def _document_symbol(ls: RsplServer, doc: Document, sym: Symbol) -> t.DocumentSymbol:
    title = getattr(sym.node, "title", None)
    return t.DocumentSymbol(
        name=sym.name,
        detail=f"{sym.kind}: {title}" if title else sym.kind,
        kind=_SYMBOL_KINDS.get(sym.kind, t.SymbolKind.Object),
        range=ls.range(doc, sym.node.span),
        selection_range=ls.range(doc, sym.span),
        children=[] if isinstance(sym.node, n.DomainDecl) else None,
    )


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", "(", ","]))
def completion(ls: RsplServer, params: t.CompletionParams) -> t.CompletionList:
    from rspl.completion import complete

    doc = ls.ready(params.text_document.uri)
    assert doc.index is not None
    text = ls.workspace.get_text_document(params.text_document.uri).source
    offset = ls.offset(params.text_document.uri, params.position)
    items = [
        t.CompletionItem(
            label=c.label,
            kind=t.CompletionItemKind.Keyword
            if c.kind == "keyword"
            else _COMPLETION_KINDS.get(c.kind, t.CompletionItemKind.Reference),
            detail=c.detail,
        )
        for c in complete(doc.index, doc.path, text, offset)
    ]
    return t.CompletionList(is_incomplete=False, items=items)


_COMPLETION_KINDS: dict[str, t.CompletionItemKind] = {
    "role": t.CompletionItemKind.Class,
    "context": t.CompletionItemKind.Module,
    "family": t.CompletionItemKind.Folder,
    "domain": t.CompletionItemKind.Enum,
    LEVEL: t.CompletionItemKind.EnumMember,
    "evidence": t.CompletionItemKind.Variable,
    "definition": t.CompletionItemKind.Function,
    "safeguard": t.CompletionItemKind.Property,
    "standard": t.CompletionItemKind.Struct,
    "action": t.CompletionItemKind.Event,
    "rule": t.CompletionItemKind.Method,
    "module": t.CompletionItemKind.Module,
}


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: RsplServer, params: t.DocumentFormattingParams) -> list[t.TextEdit]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    doc = ls.document(params.text_document.uri)
    try:
        formatted = format_source(document.source, doc.path)
    except FormatError:
        return []  # a file that does not parse is left as it is; its diagnostics say why
    if formatted == document.source:
        return []
    lines = document.lines
    end = t.Position(len(lines), 0)
    return [t.TextEdit(t.Range(t.Position(0, 0), end), formatted)]


# ---------------------------------------------------------------------------- semantic tokens

TOKEN_TYPES: Sequence[str] = (
    "keyword", "string", "number", "comment", "operator", "type", "enum", "enumMember",
    "function", "variable", "class", "namespace", "property", "event", "method", "struct",
    "parameter", "macro",
)  # fmt: skip
TOKEN_MODIFIERS: Sequence[str] = ("declaration", "defaultLibrary")


@server.feature(
    t.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
    t.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS)),
)
def semantic_tokens(ls: RsplServer, params: t.SemanticTokensParams) -> t.SemanticTokens:
    from rspl.tokens import semantic_tokens as classify

    doc = ls.ready(params.text_document.uri)
    assert doc.index is not None
    document = ls.workspace.get_text_document(params.text_document.uri)
    codec = ls.workspace.position_codec
    lines = document.source.split("\n")  # as the lexer's tokens count them
    data: list[int] = []
    last_line = last_col = 0
    for tok in classify(doc.index, doc.path, document.source):
        start = codec.position_to_client_units(lines, ServerTextPosition(tok.line, tok.column))
        end = codec.position_to_client_units(
            lines, ServerTextPosition(tok.line, tok.column + tok.length)
        )
        line, col = start.line, start.character
        delta_col = col - last_col if line == last_line else col
        mods = sum(1 << TOKEN_MODIFIERS.index(m) for m in tok.modifiers)
        data += [line - last_line, delta_col, end.character - col, TOKEN_TYPES.index(tok.type),
                 mods]  # fmt: skip
        last_line, last_col = line, col
    return t.SemanticTokens(data=data)


def main() -> int:
    """Serve over standard input and output until the client exits."""
    server.start_io()
    return 0


__all__ = ["DEBOUNCE_SECONDS", "TOKEN_MODIFIERS", "TOKEN_TYPES", "RsplServer", "main", "server"]
