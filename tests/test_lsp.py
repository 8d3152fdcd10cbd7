"""`rspl lsp` end to end: a real client (pytest-lsp) starts the server over stdio and drives
every feature on the fixtures in tests/lsp/ (main.rspl imports lib.rspl and std.contexts)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as t  # noqa: E402
from pygls.exceptions import JsonRpcException  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "lsp"
MAIN = HERE / "main.rspl"
LIB = HERE / "lib.rspl"
MAIN_URI = from_fs_path(str(MAIN))
LIB_URI = from_fs_path(str(LIB))
CONTEXTS = ROOT / "stdlib" / "std" / "contexts.rspl"

pytestmark = pytest.mark.asyncio

_env = dict(os.environ, PYTHONPATH=str(ROOT))


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "rspl", "lsp"], server_env=_env
    ),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = t.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[t.WorkspaceFolder(from_fs_path(str(HERE)), "lsp")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def _published(client: LanguageClient) -> None:
    """Wait for the next diagnostics (a server that never sends them fails, not hangs)."""
    await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)


async def _open(client: LanguageClient, uri: str = MAIN_URI, text: str | None = None) -> str:
    path = MAIN if uri == MAIN_URI else LIB
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "rspl", 1, text))
    )
    await _published(client)
    return text


def _pos(text: str, needle: str, nth: int = 0, into: int = 1, at_end: bool = False) -> t.Position:
    """The position `into` characters into the `nth` occurrence of `needle` in `text` (with
    `at_end`, `needle` is a prefix of `text` and the position is just after it)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += len(needle) if at_end else into
    line = text.count("\n", 0, at)
    return t.Position(line, at - (text.rfind("\n", 0, at) + 1))


def _doc(uri: str = MAIN_URI) -> t.TextDocumentIdentifier:
    return t.TextDocumentIdentifier(uri)


# ---------------------------------------------------------------------------- diagnostics


async def test_diagnostics_on_open_with_code_range_and_related(client: LanguageClient) -> None:
    text = (
        MAIN.read_text(encoding="utf-8")
        .replace("rule cbrn_3_security", 'role CBRN "dup"\nrule cbrn_3_security')
        .replace("require ASL3_Security", "require ASL3_Securty")
    )
    await _open(client, text=text)
    diags = {d.code: d for d in client.diagnostics[MAIN_URI]}
    unknown = diags["E0201"]
    assert unknown.severity == t.DiagnosticSeverity.Error
    assert unknown.source == "rspl"
    assert unknown.range.start == _pos(text, "ASL3_Securty", into=0)
    assert unknown.range.end == _pos(text, "ASL3_Securty", into=len("ASL3_Securty"))
    assert "ASL3_Security" in unknown.message  # did you mean
    dup = diags["E0202"]
    assert dup.related_information
    related = dup.related_information[0]
    assert related.location.uri == MAIN_URI
    assert related.location.range.start == _pos(text, "CBRN", into=0)


async def test_diagnostics_as_you_type_debounced(client: LanguageClient) -> None:
    text = await _open(client)
    assert not client.diagnostics[MAIN_URI]
    # two quick edits: one check, after the pause, of the latest text
    line = _pos(text, "when CBRN", into=len("when CBRN")).line
    for version, word in ((2, "CBRX"), (3, "CBRZ")):
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=version),
                [
                    t.TextDocumentContentChangePartial(
                        t.Range(t.Position(line, 7), t.Position(line, 11)), word
                    )
                ],
            )
        )
    start = time.monotonic()
    await _published(client)
    assert time.monotonic() - start >= 0.1  # debounced
    messages = [d.message for d in client.diagnostics[MAIN_URI]]
    assert any("CBRZ" in m for m in messages) and not any("CBRX" in m for m in messages)
    client.text_document_did_save(t.DidSaveTextDocumentParams(_doc()))
    await _published(client)
    assert any("CBRZ" in d.message for d in client.diagnostics[MAIN_URI])


# ---------------------------------------------------------------------------- hover


async def test_hover_level_standard_role_and_diagnostic(client: LanguageClient) -> None:
    text = await _open(client)
    level = await client.text_document_hover_async(
        t.HoverParams(_doc(), _pos(text, "CBRN_3", nth=1))
    )
    assert level is not None and isinstance(level.contents, t.MarkupContent)
    assert "level" in level.contents.value and "Significant help" in level.contents.value
    assert 'level CBRN_3 "CBRN-3"' in level.contents.value  # its source
    std = await client.text_document_hover_async(
        t.HoverParams(_doc(), _pos(text, "require ASL3_Security", into=9))
    )
    assert std is not None and isinstance(std.contents, t.MarkupContent)
    value = std.contents.value
    assert "extends `ASL2_Security`" in value
    assert value.index("asl2_supply_chain` (inherited)") < value.index("asl3_perimeters")
    role = await client.text_document_hover_async(
        t.HoverParams(_doc(), _pos(text, "decided by RSO", into=12))
    )
    assert role is not None and isinstance(role.contents, t.MarkupContent)
    assert "Responsible Scaling Officer" in role.contents.value
    assert "decides capability levels" in role.contents.value
    bad = text.replace("when CBRN >=", "when CBRX >=")
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=2),
            [t.TextDocumentContentChangeWholeDocument(bad)],
        )
    )
    diag = await client.text_document_hover_async(t.HoverParams(_doc(), _pos(bad, "CBRX", into=2)))
    assert diag is not None and isinstance(diag.contents, t.MarkupContent)
    assert diag.contents.value.startswith("## E0201")


# ---------------------------------------------------------------------------- navigation


async def test_definition_across_imports_and_stdlib(client: LanguageClient) -> None:
    text = await _open(client)
    lib = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, "includes asl2_supply_chain", into=10))
    )
    assert isinstance(lib, t.Location) and lib.uri == LIB_URI
    assert lib.range.start == _pos(LIB.read_text(encoding="utf-8"), "asl2_supply_chain", into=0)
    std = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, "for training", into=5))
    )
    assert isinstance(std, t.Location)
    assert std.uri == from_fs_path(str(CONTEXTS.resolve()))
    assert Path(CONTEXTS).is_file()
    here = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, "CBRN >= CBRN_3", into=10))
    )
    assert isinstance(here, t.Location) and here.uri == MAIN_URI
    assert here.range.start == _pos(text, "level CBRN_3", into=6)
    nothing = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, "organization", into=2))
    )
    assert nothing is None
    imported = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, '"lib.rspl"', into=3))
    )
    assert isinstance(imported, t.Location) and imported.uri == LIB_URI
    module = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), _pos(text, "std.contexts", into=5))
    )
    assert isinstance(module, t.Location) and module.uri == std.uri


async def test_references_across_files(client: LanguageClient) -> None:
    text = await _open(client)
    found = await client.text_document_references_async(
        t.ReferenceParams(
            context=t.ReferenceContext(include_declaration=True),
            text_document=_doc(),
            position=_pos(text, "by RSO", into=4),
        )
    )
    assert found is not None
    assert {(loc.uri, loc.range.start.line) for loc in found} == {
        (LIB_URI, _pos(LIB.read_text(encoding="utf-8"), "RSO").line),
        (MAIN_URI, _pos(text, "by RSO").line),
    }
    refs = await client.text_document_references_async(
        t.ReferenceParams(
            context=t.ReferenceContext(include_declaration=False),
            text_document=_doc(),
            position=_pos(text, "CBRN_3", nth=1),
        )
    )
    assert refs is not None and len(refs) == 2  # the rule's `when`, the scenario's `given`
    assert all(loc.uri == MAIN_URI for loc in refs)


async def test_rename_and_its_refusals(client: LanguageClient) -> None:
    text = await _open(client)
    edit = await client.text_document_rename_async(
        t.RenameParams(_doc(), _pos(text, "ASL2_Security", nth=1), "ASL2_Sec")
    )
    assert edit is not None and edit.changes is not None
    assert len(edit.changes[MAIN_URI]) == 3  # declaration, `extends`, the scenario
    assert all(e.new_text == "ASL2_Sec" for e in edit.changes[MAIN_URI])
    cross = await client.text_document_rename_async(
        t.RenameParams(_doc(), _pos(text, "by RSO", into=4), "Officer")
    )
    assert cross is not None and cross.changes is not None
    assert set(cross.changes) == {MAIN_URI, LIB_URI}
    for bad, why in (
        ("ASL3_Security", "already the name"),
        ("9lives", "not a valid name"),
        ("rule", "keyword"),
    ):
        with pytest.raises(JsonRpcException, match=why):
            await client.text_document_rename_async(
                t.RenameParams(_doc(), _pos(text, "ASL2_Security", nth=1), bad)
            )
    with pytest.raises(JsonRpcException, match="standard library"):
        await client.text_document_rename_async(
            t.RenameParams(_doc(), _pos(text, "for training", into=5), "teaching")
        )
    # a level may share its name with a level of another domain, not of its own
    with pytest.raises(JsonRpcException, match="already the name of a level"):
        await client.text_document_rename_async(
            t.RenameParams(_doc(), _pos(text, "CBRN_3", nth=1), "CBRN_4")
        )


# ---------------------------------------------------------------------------- completion


async def _complete(client: LanguageClient, text: str, at: str) -> dict[str, t.CompletionItem]:
    """Completion just after `at`, in `text` with `at` inserted (the first `«»` marks it)."""
    doc = text.replace("«»", at, 1)
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=2),
            [t.TextDocumentContentChangeWholeDocument(doc)],
        )
    )
    result = await client.text_document_completion_async(
        t.CompletionParams(
            _doc(), _pos(doc, doc[: text.index("«»") + len(at)], into=0, nth=0, at_end=True)
        )
    )
    assert isinstance(result, t.CompletionList)
    return {item.label: item for item in result.items}


async def test_completion_by_kind(client: LanguageClient) -> None:
    text = await _open(client)
    rule = text.replace("  require ASL3_Security", "  «»\n  require ASL3_Security")
    req = await _complete(client, rule, "require ")
    assert {"ASL2_Security", "ASL3_Security", "asl3_perimeters"} <= set(req)
    assert "RSO" not in req and "CBRN" not in req and "rule" not in req
    assert req["ASL3_Security"].kind == t.CompletionItemKind.Struct
    by = await _complete(client, rule, "must notify by ")
    assert set(by) == {"RSO"}
    when = await _complete(client, rule, "rules out CBRN >= ")
    assert {k for k, v in when.items() if v.kind != t.CompletionItemKind.Keyword} == {
        "CBRN_3",
        "CBRN_4",
    }
    assert when["CBRN_3"].kind == t.CompletionItemKind.EnumMember
    assert "NUMBER" not in when
    val = await _complete(client, text.replace("when CBRN >= CBRN_3 or uplift", "«»"), "when up")
    assert set(val) == {"uplift"}
    assert await _complete(client, rule, 'source "req') == {}  # in a string
    assert await _complete(client, rule, "# require ") == {}  # in a comment
    clauses = await _complete(client, rule, "")
    assert {"require", "when", "source"} <= set(clauses)  # the grammar's keywords here
    assert clauses["require"].kind == t.CompletionItemKind.Keyword
    assert "policy" not in clauses  # not a rule clause
    imports = await _complete(
        client, text.replace("import std.contexts", "import std.contexts\n«»"), "import std."
    )
    assert {"std.actions", "std.contexts"} <= set(imports)


# ---------------------------------------------------------------------------- outline, tokens


async def test_document_symbols(client: LanguageClient) -> None:
    await _open(client)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(_doc()))
    assert symbols is not None
    names = [(s.name, s.kind) for s in symbols if isinstance(s, t.DocumentSymbol)]
    assert names == [
        ("CBRN", t.SymbolKind.Enum),
        ("uplift", t.SymbolKind.Variable),
        ("ASL2_Security", t.SymbolKind.Struct),
        ("ASL3_Security", t.SymbolKind.Struct),
        ("cbrn_3_security", t.SymbolKind.Method),
        ("cannot_rule_out", t.SymbolKind.Module),
    ]
    domain = symbols[0]
    assert isinstance(domain, t.DocumentSymbol) and domain.children is not None
    assert [c.name for c in domain.children] == ["CBRN_3", "CBRN_4"]
    assert domain.detail == "domain: CBRN weapons"


async def test_semantic_tokens(client: LanguageClient) -> None:
    text = await _open(client)
    result = await client.text_document_semantic_tokens_full_async(t.SemanticTokensParams(_doc()))
    assert result is not None
    legend = client.capabilities  # the server's legend is fixed: read it from the module
    del legend
    from rspl.lsp import TOKEN_MODIFIERS, TOKEN_TYPES

    tokens = {}
    line = col = 0
    data = result.data
    lines = text.split("\n")
    for i in range(0, len(data), 5):
        dl, dc, length, kind, mods = data[i : i + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        word = lines[line][col : col + length]
        flags = {m for j, m in enumerate(TOKEN_MODIFIERS) if mods & (1 << j)}
        tokens.setdefault(word, (TOKEN_TYPES[kind], flags))
    assert tokens["rule"] == ("keyword", set())
    assert tokens["CBRN"] == ("enum", {"declaration"})
    assert tokens["CBRN_3"][0] == "enumMember"
    assert tokens["ASL3_Security"][0] == "struct"
    assert tokens["uplift"][0] == "variable"
    assert tokens["training"] == ("namespace", {"defaultLibrary"})
    assert tokens['"CBRN weapons"'][0] == "string"
    assert tokens[">="][0] == "operator"
    assert (
        tokens[
            "# The language server tests' policy: declarations here, in lib.rspl and in the stdlib."
        ][0]
        == "comment"
    )


# ---------------------------------------------------------------------------- formatting


async def test_formatting_through_rspl_fmt(client: LanguageClient) -> None:
    from rspl import fmt
    text = await _open(client)
    messy = text.replace("  decided by RSO", "      decided   by RSO")
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=2),
            [t.TextDocumentContentChangeWholeDocument(messy)],
        )
    )
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(_doc(), t.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert edits and edits[0].new_text == fmt.format_source(messy, str(MAIN))
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=3),
            [t.TextDocumentContentChangeWholeDocument("rule {")],
        )
    )
    unparsable = await client.text_document_formatting_async(
        t.DocumentFormattingParams(_doc(), t.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert unparsable is not None and len(unparsable) == 0  # no edits: left as it is


async def test_open_imported_file_is_read_from_the_editor(client: LanguageClient) -> None:
    await _open(client, LIB_URI, LIB.read_text(encoding="utf-8").replace("role RSO", "role CSO"))
    text = MAIN.read_text(encoding="utf-8")
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(MAIN_URI, "rspl", 1, text))
    )
    await _published(client)
    assert any("RSO" in d.message for d in client.diagnostics[MAIN_URI])


async def test_a_library_needs_no_policy_header(client: LanguageClient) -> None:
    """An imported file has no `policy` header: E0101 is not reported for a file another
    policy imports (main.rspl imports lib.rspl), only for one nothing imports."""
    await _open(client, LIB_URI)
    assert "E0101" not in {d.code for d in client.diagnostics[LIB_URI]}
    orphan = from_fs_path(str(HERE / "orphan.rspl"))
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(orphan, "rspl", 1, 'role X "x"\n'))
    )
    await _published(client)
    assert "E0101" in {d.code for d in client.diagnostics[orphan]}


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "rspl", "lsp"], server_env=_env
    ),
)
async def client_with_import_path(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = t.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        initialization_options={"importPath": [str(HERE)]},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def test_import_path_from_initialization_options(
    client: LanguageClient, client_with_import_path: LanguageClient
) -> None:
    """`importPath` is `rspl check --import-path`: without it, a file outside the policy's
    folder may not be imported (E0106), as `rspl check` says."""
    uri = from_fs_path(str(HERE / "sub" / "policy.rspl"))
    text = (
        'policy p "P" {\n  organization "T"\n  version "1"\n}\n'
        'import "../lib.rspl"\nrole T "t" { includes RSO }\n'
    )
    for each, refused in ((client, True), (client_with_import_path, False)):
        each.text_document_did_open(
            t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "rspl", 1, text))
        )
        await _published(each)
        errors = {d.code for d in each.diagnostics[uri] if d.severity == t.DiagnosticSeverity.Error}
        assert ("E0106" in errors) == refused and (refused or not errors), errors


def _utf16(text: str, needle: str) -> t.Position:
    """The position of `needle` in `text` in UTF-16 code units, as VS Code counts them."""
    at = text.index(needle)
    line = text.count("\n", 0, at)
    before = text[text.rfind("\n", 0, at) + 1 : at]
    return t.Position(line, len(before.encode("utf-16-le")) // 2)


async def test_positions_are_in_the_clients_units(client: LanguageClient) -> None:
    """A character outside the BMP counts two UTF-16 units: ranges and positions agree."""
    text = MAIN.read_text(encoding="utf-8").replace(
        "evidence uplift",
        'standard S3 "\U0001f512 lock" in securty { includes asl3_perimeters source "x" }\n'
        "evidence uplift",
    )
    await _open(client, text=text)
    diag = next(d for d in client.diagnostics[MAIN_URI] if d.code == "E0201")
    start = _utf16(text, "securty")
    assert diag.range.start == start
    assert diag.range.end == t.Position(start.line, start.character + len("securty"))
    fixed = text.replace("securty", "security")
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=MAIN_URI, version=2),
            [t.TextDocumentContentChangeWholeDocument(fixed)],
        )
    )
    where = _utf16(fixed, "security { includes asl3")
    found = await client.text_document_definition_async(
        t.DefinitionParams(_doc(), t.Position(where.line, where.character + 1))
    )
    assert isinstance(found, t.Location) and found.uri == LIB_URI


async def test_references_and_rename_from_an_imported_file(client: LanguageClient) -> None:
    """From lib.rspl (checked on its own), the uses in main.rspl count too once main.rspl is
    open: its policy has lib.rspl."""
    text = await _open(client)
    lib = await _open(client, LIB_URI)
    at = _pos(lib, "role RSO", into=6)
    found = await client.text_document_references_async(
        t.ReferenceParams(
            context=t.ReferenceContext(include_declaration=True),
            text_document=_doc(LIB_URI),
            position=at,
        )
    )
    assert found is not None
    assert {(loc.uri, loc.range.start.line) for loc in found} == {
        (LIB_URI, at.line),
        (MAIN_URI, _pos(text, "by RSO").line),
    }
    edit = await client.text_document_rename_async(t.RenameParams(_doc(LIB_URI), at, "CRO"))
    assert edit is not None and edit.changes is not None
    assert {uri: len(edits) for uri, edits in edit.changes.items()} == {LIB_URI: 1, MAIN_URI: 1}
    # a name taken in main.rspl, which lib.rspl alone does not see, collides too
    with pytest.raises(JsonRpcException, match="already the name"):
        await client.text_document_rename_async(t.RenameParams(_doc(LIB_URI), at, "CBRN"))
