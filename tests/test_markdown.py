"""The Markdown policy document: policy text cannot break it (no HTML, no foreign links, no
broken tables, hostile text shown literally), it says what the evaluator decides, its
templates can be overridden, and it is deterministic."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import strategies
from markdown_it import MarkdownIt
from markdown_it.token import Token

from rspl import ir
from rspl.backends import markdown
from rspl.backends.markdown import TemplateError, escape, one_line, render, used_only
from rspl.interpreter import evaluate
from rspl.pipeline import compile_file, compile_source

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "policies" / "hostile.rspl"
PATHS = [*sorted(ROOT.glob("examples/*.rspl")), HOSTILE]

# Text that tries to break out of Markdown, HTML, tables, Jinja and Mermaid, including
# block markers that only act at the start of a line.
PAYLOADS = (
    "a | b <script>alert(1)</script> `tick` *star* _under_ [x](javascript:alert(1)) "
    "{{ 7*7 }} {% if x %} &amp; &#60; ~~del~~ $x$ <!-- c --> ![i](javascript:x) "
    "<https://evil.example> end\\",
    "- list item",
    "1. ordered | cell",
    "# heading #",
    "> quote",
    "---",
    "    indented code",
    "```\nfenced\n```",
    "line one\nline two\n\n| new | row |\n|---|---|",
    "==",
    "<div>html block</div>",
    "[ref]: javascript:alert(1)",
    "*",
    "+ plus",
    '<span onclick="x">y</span> "quotes" #quot; %% ;',
    "tab\there ]] [[ \\| \\\\ end",
    "subgraph end click x call y()",
    "[click](https://evil.example/phish) [ref][1] ![img](https://evil.example/i.png)",
    "\n\n[1]: https://evil.example/ref",
)


def rspl_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def hostile_markdown_source() -> str:
    """A policy with a hostile string in every text position the document shows."""
    count = iter(range(10_000))

    def s() -> str:
        return rspl_string(PAYLOADS[next(count) % len(PAYLOADS)])

    return f"""
policy hostile_md {s()} {{
  organization {s()}
  version {s()}
  effective 2025-01-01
  supersedes {s()}
  url "javascript:alert(1)"
  change 2024-12-01 {s()} {s()}
  combine highest standard per family
  source {s()} at "javascript:alert(2)"
  source {s()} at "https://example.com/a)b(c]<d>\\"e\\"`f`"
  means {s()}
}}
import std.contexts, std.actions
role R1 {s()} {{ source {s()} means {s()} }}
role R2 {s()} source {s()}
context C1 {s()} {{ source {s()} means {s()} }}
domain D1 {s()} {{
  status tracked
  decided by R1
  source {s()}
  means {s()}
  level L1 {s()} {{ means {s()} baseline {s()} actor {s()} actor {s()} source {s()} }}
  level L2 {s()} {{ means {s()} source {s()} }}
}}
domain D2 {s()} {{ status watch decided by R2 source {s()} level M1 {s()} {{ source {s()} }} }}
evidence F1: fact {s()} {{ source {s()} means {s()} }}
evidence J1: judgement {s()} decided by R1 source {s()}
evidence E1: multiplier {s()} source {s()}
evidence T1: date {s()} source {s()}
define Def1 {s()} as D1 >= L1 and (F1 or not J1) source {s()} means {s()}
safeguard S1 {s()} {{ category security claim robustness source {s()} means {s()} }}
safeguard S2 {s()} {{ counts when E1 >= 2x source {s()} }}
family Fam {s()} {{ source {s()} means {s()} }}
standard St1 {s()} in Fam {{
  includes S1 protects against {s()} excludes {s()} references {s()} source {s()} means {s()}
  counts when F1
}}
standard St2 {s()} in Fam extends St1 {{ includes S2 source {s()} }}
standard St3 {s()} in Fam extends St2 {{ not yet defined source {s()} }}
artifact A1 {s()} {{ contains {s()}, {s()} audience R1, R2 source {s()} means {s()} }}
action act1 {s()} blocking source {s()}
rule Rule1 {s()} {{
  source {s()}
  means {s()}
  when Def1 or D2 >= M1
  require St2 for C1 per {s()}
  require S1 counts when E1 >= 2x per {s()} at "https://example.com/ok"
  must act1 C1 by R1 approved by R2 within 30 days of T1 per {s()}
  should notify R2 before C1 per {s()}
  may share A1, R1 every 3 to 6 months since T1
  recommend share A1 as share_recommended
  illustrative share A1 due 2026-01-01 as share_example
  if unmet in order {{
    must act1 until St2 is implemented per {s()} as act1_fallback
    must pause C1 as last_resort
  }}
}}
rule Rule2 {s()} {{
  source {s()}
  when at least 2 of (F1, J1, since T1 >= 1 week, D1 >= L2) or (F1 and E1 > 3x)
  require St3
}}
warning W1 {s()} {{ source {s()} when D2 >= M1 rules out D1 >= L2 must share A1 }}
cadence Cad1 {s()} {{ source {s()} must review A1 every 1 year }}
"""


def compiled(path: Path) -> ir.Policy:
    result = compile_file(str(path))
    assert result.policy is not None, [d.message for d in result.diagnostics]
    return result.policy


def hostile_markdown_policy() -> ir.Policy:
    result = compile_source("hostile_md.rspl", hostile_markdown_source())
    assert result.policy is not None, [d.message for d in result.diagnostics]
    return result.policy


POLICY_IDS = [p.name for p in PATHS] + ["hostile_md"]


@pytest.fixture(scope="module", params=POLICY_IDS)
def policy(request: pytest.FixtureRequest) -> ir.Policy:
    if request.param == "hostile_md":
        return hostile_markdown_policy()
    return compiled(next(p for p in PATHS if p.name == request.param))


def document_of(
    policy: ir.Policy, templates: str | None = None, *, full_catalogue: bool = False
) -> str:
    (text,) = render(policy, templates, full_catalogue=full_catalogue).values()
    return text


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from walk(tok.children)


def plain(inline: Token) -> str:
    """The text an inline token shows, markup removed."""
    out = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def all_anchors(node: object) -> Iterator[ir.Anchor]:
    if isinstance(node, ir.Anchor):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from all_anchors(item)
    elif attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            yield from all_anchors(getattr(node, field.name))


def declared_urls(policy: ir.Policy) -> set[str]:
    urls = {a.url for a in all_anchors(policy) if a.url}
    if policy.url:
        urls.add(policy.url)
    return urls


def slug(text: str) -> str:
    """GitHub's heading anchor for plain ASCII headings."""
    kept = "".join(c for c in text.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


# ---------------------------------------------------------------------------- escaping


def test_no_html_and_no_foreign_links(policy: ir.Policy) -> None:
    tokens = parse(document_of(policy))
    allowed = {urllib.parse.unquote(u) for u in declared_urls(policy)}
    headings = {
        slug(plain(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag in ("h2", "h4")  # h4: a standard's entry
    }
    for tok in walk(tokens):
        assert tok.type not in ("html_block", "html_inline"), tok
        assert tok.type != "image", tok
        if tok.type == "link_open":
            href = str(tok.attrs["href"])
            if href.startswith("#"):
                assert href[1:] in headings, href
            else:
                assert href.startswith(("https://", "http://")), href
                assert urllib.parse.unquote(href) in allowed, href


def table_cells(line: str) -> int:
    """Cells in a table row: pipes not escaped by a backslash, minus the outer two."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count - 1


def test_tables_keep_their_shape(policy: ir.Policy) -> None:
    text = document_of(policy)
    lines = text.splitlines()
    tokens = parse(text)
    in_tables: set[int] = set()
    tables = [t for t in tokens if t.type == "table_open"]
    assert tables
    for table in tables:
        assert table.map is not None
        start, end = table.map
        rows = lines[start:end]
        in_tables.update(range(start, end))
        width = table_cells(rows[0])
        assert width >= 2
        for row in rows:
            assert table_cells(row) == width, row
    fenced = set()
    for tok in tokens:
        if tok.type == "fence" and tok.map:
            fenced.update(range(*tok.map))
    for number, line in enumerate(lines):
        if line.startswith("|") and number not in fenced:
            assert number in in_tables, line


def test_hostile_text_is_shown_literally() -> None:
    policy = hostile_markdown_policy()
    text = document_of(policy)
    shown = [plain(t) for t in walk(parse(text)) if t.type == "inline"]
    for payload in PAYLOADS:
        wanted = one_line(payload)
        assert any(wanted in s for s in shown), payload
    assert not any("49" in s for s in shown)  # {{ 7*7 }} was not evaluated
    # Block markers at the start of a value did not start a block.
    kinds = Counter(t.type for t in walk(parse(text)))
    assert kinds["blockquote_open"] == 0
    assert kinds["code_block"] == 0
    assert kinds["fence"] == 1  # the diagram
    assert kinds["hr"] == 1  # before the footer


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    "layout",
    ["{}\n", "para\n{}\n", "- {}\n", "1. {}\n", "## {}\n", "**x** {} *y*\n",
     "| a | b |\n|---|---|\n| {} | z |\n", "> {}\n"],
)  # fmt: skip
def test_escape_in_every_layout(payload: str, layout: str) -> None:
    """Wherever a template puts escaped text, it stays one piece of inline text."""
    text = layout.format(escape(payload))
    tokens = parse(text)
    blocks = [t.type for t in tokens if t.type != "inline" and not t.type.endswith("_close")]
    empty = parse(layout.format("placeholder"))
    assert blocks == [t.type for t in empty if t.type != "inline" and not t.type.endswith("_close")]
    shown = [plain(t) for t in tokens if t.type == "inline"]
    assert any(one_line(payload) in s for s in shown), shown
    assert not any(t.type.startswith("html") or t.type == "link_open" for t in walk(tokens))


def test_hostile_policy_file_is_shown_literally() -> None:
    policy = compiled(HOSTILE)
    shown = [plain(t) for t in walk(parse(document_of(policy))) if t.type == "inline"]
    texts = [c.summary for c in policy.changes] + [r.title or "" for r in policy.rules]
    texts += [policy.organization or "", policy.title or "", policy.url or ""]
    for text in texts:
        assert any(one_line(text) in s for s in shown), text


def test_mermaid_labels_are_escaped(policy: ir.Policy) -> None:
    import re

    label = r'"(?:[\w .,:/\'+\-?!§()]|#[0-9]+;)*"'
    node = r"[A-Z][A-Z0-9]*"
    line_forms = [
        r"flowchart LR",
        rf"  subgraph {node}\[{label}\]",
        r"  end",
        rf"    {node}\[{label}\]",
        rf"  {node}\(\[{label}\]\)",
        rf"  {node}\{{\{{{label}\}}\}}",
        rf"  {node} (-->|-\.->|-\. extends \.->|-\. precaution \.->) {node}",
    ]
    pattern = re.compile("|".join(f"(?:{f})" for f in line_forms))
    fences = [t for t in parse(document_of(policy)) if t.type == "fence"]
    assert [f.info for f in fences] == ["mermaid"]
    for line in fences[0].content.splitlines():
        assert pattern.fullmatch(line), line


# ---------------------------------------------------------------------------- agreement


def required_standards(policy: ir.Policy, domain: str | None, level: str | None) -> set[str]:
    """Titles of the standards a fresh evaluation requires, in any context, when only
    `level` of `domain` is reached (every other domain below its first level)."""

    def at(d: ir.Domain, reached: str | None) -> dict[str, Any]:
        """The determination in the form the domain takes: per setting, before mitigation."""
        one: dict[str, Any] = {"reached": reached}
        if d.residual:
            one = {"before": one}
        if d.settings:
            one = {s.name: one for s in d.settings}
        return one

    assessment: dict[str, Any] = {
        "determinations": {
            d.name: at(d, level if d.name == domain else None) for d in policy.domains
        }
    }
    decision = evaluate(policy, assessment)
    names = {
        name
        for verdict in decision["verdicts"].values()
        for family in verdict["required_standards"].values()
        for name in family
    }
    titles = {s.name: one_line(s.title) if s.title and one_line(s.title) else s.name
              for s in policy.standards}  # fmt: skip
    return {titles[n] for n in names}


def strong_texts(inline: Token) -> Counter[str]:
    out: Counter[str] = Counter()
    depth, current = 0, []
    for child in inline.children or []:
        if child.type == "strong_open":
            depth, current = depth + 1, []
        elif child.type == "strong_close":
            depth -= 1
            out["".join(current)] += 1
        elif depth and child.type in ("text", "code_inline"):
            current.append(child.content)
    return out


def threshold_rows(tokens: list[Token]) -> dict[tuple[str, str], list[Token]]:
    """(domain, level) -> the inline tokens of its row in the threshold tables."""
    rows: dict[tuple[str, str], list[Token]] = {}
    domain = None
    section = None
    row: list[Token] | None = None
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            if tok.tag == "h2":
                section = plain(inline)
                domain = None
            elif tok.tag == "h3" and section == "Capability thresholds":
                codes = [c.content for c in inline.children or [] if c.type == "code_inline"]
                domain = codes[-1] if codes else None  # the table of numeric bounds
        elif section == "Capability thresholds" and domain is not None:
            if tok.type == "tr_open":
                row = []
            elif tok.type == "inline" and row is not None:
                row.append(tok)
            elif tok.type == "tr_close" and row is not None:
                if plain(row[0]) != "Level":
                    codes = [c.content for c in row[0].children or [] if c.type == "code_inline"]
                    rows[(domain, codes[-1])] = row
                row = None
    return rows


def test_threshold_rows_agree_with_the_evaluator(policy: ir.Policy) -> None:
    """The baseline paragraph names exactly what the evaluator requires below every level;
    each row names what its level requires that the baseline does not, and nothing that
    neither the level nor the baseline requires (a baseline standard only as no longer
    required)."""
    tokens = parse(document_of(policy))
    rows = threshold_rows(tokens)
    expected_keys = {(d.name, lv.name) for d in policy.domains for lv in d.levels}
    assert set(rows) == expected_keys
    base = required_standards(policy, None, None)
    # standards in bold; safeguards required on their own are bold labels too, not checked here
    standards = {one_line(s.title) if s.title and one_line(s.title) else s.name
                 for s in policy.standards}  # fmt: skip
    for (domain, level), row in rows.items():
        assert len(row) == 6
        shown = set(strong_texts(row[3])) & standards
        needed = required_standards(policy, domain, level)
        assert needed - base <= shown <= needed | base, (domain, level)
    start = next(
        i for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
        and plain(tokens[i + 1]) == "Capability thresholds"
    )  # fmt: skip
    baseline = tokens[start + 4]  # heading_open, inline, heading_close, paragraph_open
    assert plain(baseline).startswith(("Below every level", "When nothing else is known"))
    # the baseline: its paragraph and, when there are several precautions, their list
    end = next(i for i in range(start + 4, len(tokens)) if tokens[i].type == "inline"
               and plain(tokens[i]).startswith("This is the baseline"))  # fmt: skip
    said: set[str] = set()
    for tok in tokens[start + 4:end]:
        if tok.type == "inline":
            said |= set(strong_texts(tok))
    assert said & standards == base


@pytest.mark.parametrize("full", [False, True], ids=["used", "full_catalogue"])
def test_every_declaration_appears(policy: ir.Policy, full: bool) -> None:
    """Every declaration the policy uses, and with the full catalogue every one (the
    declarations of imported files the policy does not use are left out: test_catalogue)."""
    tokens = parse(document_of(policy, full_catalogue=full))
    codes = {t.content for t in walk(tokens) if t.type == "code_inline"}
    names = [r.name for r in policy.roles] + [c.name for c in policy.contexts]
    names += [d.name for d in policy.domains]
    names += [lv.name for d in policy.domains for lv in d.levels]
    names += [e.name for e in policy.evidence] + [d.name for d in policy.definitions]
    names += [s.name for s in policy.safeguards] + [s.name for s in policy.standards]
    names += [a.name for a in policy.artifacts] + [r.name for r in policy.rules]
    names += [g.name for g in policy.context_groups]
    left_out = () if full else policy.imported_unused
    assert [n for n in names if n not in codes and n not in left_out] == []


@pytest.mark.parametrize("full", [False, True], ids=["used", "full_catalogue"])
def test_every_source_is_listed(policy: ir.Policy, full: bool) -> None:
    tokens = parse(document_of(policy, full_catalogue=full))
    start = next(
        i for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2" and plain(tokens[i + 1]) == "Sources"
    )  # fmt: skip
    listed: Counter[str] = Counter()
    for tok in walk(tokens[start:]):
        if tok.type == "inline":
            listed += strong_texts(tok)
    for anchor in all_anchors(policy if full else used_only(policy)):
        assert one_line(anchor.text) in listed, anchor


def test_rsp_reads_as_sentences() -> None:
    """Spot checks of the wording on the driving example."""
    path = ROOT / "examples" / "anthropic-rsp-v2.2.rspl"
    if not path.exists():
        pytest.skip("the RSP example is not there")
    shown = [plain(t) for t in walk(parse(document_of(compiled(path)))) if t.type == "inline"]
    text = "\n".join(shown)
    assert ", or CBRN-3 cannot be ruled out, then:" in text
    assert "Responsible Scaling Officer must " in text or "Responsible Scaling Officer " in text
    assert "Only must commitments are enforced by the evaluator" in text
    assert "Includes everything in ASL-2 Security Standard, and these safeguards:" in text
    assert "not yet defined" in text


# ---------------------------------------------------------------------------- templates


def test_templates_folder_overrides_shipped_templates(tmp_path: Path) -> None:
    policy = compiled(HOSTILE)
    (tmp_path / "header.md.j2").write_text(
        "# Custom header: {{ doc.title|md }}\n", encoding="utf-8"
    )
    text = document_of(policy, str(tmp_path))
    assert text.startswith("# Custom header: Title with")
    assert text != document_of(policy)
    assert "## Capability thresholds" in text  # the other templates are still the shipped ones


def test_template_cannot_print_unescaped_policy_text(tmp_path: Path) -> None:
    policy = compiled(HOSTILE)
    (tmp_path / "footer.md.j2").write_text("{{ doc.title }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="md"):
        document_of(policy, str(tmp_path))
    (tmp_path / "footer.md.j2").write_text("{{ doc.no_such_field|md }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="no_such_field"):
        document_of(policy, str(tmp_path))


def _tidy_whole(text: str) -> str:
    """What the document's layout is, on the whole text at once (what `_tidy` does a piece
    at a time)."""
    out: list[str] = []
    for line in (x.rstrip() for x in text.splitlines()):
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("size", [1, 3, 8])
def test_tidy_cuts_lines_where_the_whole_text_would(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_tidy` lays out the text as it comes: wherever the chunks end (even within `\r\n`),
    its lines are those of the whole text."""
    monkeypatch.setattr(markdown, "_CHUNK", size)
    text = "\n\n  a  \r\nb\r\r\n\n \t\n\nc\x0bd\u2028\x1c e \x85\n\n\nf\r"
    for cut in range(len(text) + 1):
        for step in (1, 2, 5):
            chunks = [text[:cut], *(text[i:i + step] for i in range(cut, len(text), step))]
            assert "".join(markdown._tidy(chunks)) == _tidy_whole(text)
    assert "".join(markdown._tidy([])) == "".join(markdown._tidy(["  \n\n"])) == "\n"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_streamed_document_is_the_template_output(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rspl build` writes the document as the templates produce it (`render_pieces`), with
    its long sequences built an item at a time: the text is the templates' whole output,
    laid out, with the shipped templates and with overridden ones (a rule listed twice,
    the sequences' lengths and items read)."""
    monkeypatch.setattr(markdown, "_CHUNK", 100)  # many pieces, cut anywhere
    (tmp_path / "rules.md.j2").write_text(
        "{% for r in doc.rules %}{% include 'rule.md.j2' %}{% endfor %}\n"
        "{% for r in doc.rules %}{{ loop.index }}/{{ loop.length }} {{ r.title }}\n"
        "{% endfor %}{{ doc.rules|length }} {{ doc.rules[-1:]|length }}\n"
        "{{ doc.diagram|length }} {{ doc.diagram[0] }} {{ doc.diagram[-2:]|length }}\n",
        encoding="utf-8",
    )  # fmt: skip
    policy = compiled(path)
    for templates in (None, str(tmp_path)):
        whole = markdown.environment(templates).get_template("policy.md.j2").render(
            doc=markdown.document(policy)
        )
        (pieces,) = markdown.render_pieces(policy, templates).values()
        assert "".join(pieces) == _tidy_whole(whole) == document_of(policy, templates)


def test_a_failing_template_fails_before_the_first_piece(tmp_path: Path) -> None:
    """A template folder is tried on the whole document before `render_pieces` returns, so
    `rspl build` reports a failing template before it has opened a file."""
    (tmp_path / "footer.md.j2").write_text("{{ doc.title }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="md"):
        markdown.render_pieces(compiled(HOSTILE), str(tmp_path))


# ---------------------------------------------------------------------------- determinism


def test_deterministic(policy: ir.Policy) -> None:
    assert render(policy) == render(policy)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_deterministic_across_hash_seeds(path: Path) -> None:
    code = (
        "import sys; from rspl.pipeline import compile_file; "
        "from rspl.backends.markdown import render; "
        "sys.stdout.write(''.join(render(compile_file(sys.argv[1]).policy).values()))"
    )
    outputs = set()
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_notes_are_printed_after_their_sentence_and_escaped(tmp_path: Path) -> None:
    path = tmp_path / "p.rspl"
    path.write_text(
        'policy p "P" { organization "O" version "1" combine highest standard per family }\n'
        "import std.contexts, std.actions\n"
        'role Board "Board" source "s"\n'
        'evidence f: fact "f" source "x"\n'
        'safeguard s "S" source "x"\n'
        'rule r "r" { source "x" when f\n'
        '  require s for external_deployment per "a" note "Promptly | <b>bold</b> *x*"\n'
        '  must notify Board before external_deployment note "[x](javascript:alert(1))"\n'
        "}\n",
        encoding="utf-8",
    )
    text = document_of(compiled(path))
    assert "(a). *Note:* Promptly \\| \\<b\\>bold\\</b\\> \\*x\\*" in text
    for line in (x for x in text.splitlines() if "*Note:*" in x):
        tokens = parse(line)
        kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
        assert not kinds & {"html_inline", "html_block", "link_open"}, line


# ------------------------------------------------------------- standards that extend others

CHAIN = """policy p "P" { organization "O" version "1" effective 2025-01-01 }
family sec "Security" source "§1"
safeguard a "Alpha" { category security source "§1" }
safeguard b "Beta" { category security source "§1" }
safeguard c "Gamma" { category security source "§1" }
standard Top "Top Standard" in sec extends Mid { includes c, a source "§2" }
standard Mid "Mid Standard" in sec extends Base { includes b source "§2" }
standard Base "Base Standard" in sec { includes a source "§2" }
standard Same "Same Standard" in sec extends Base { includes a source "§2" }
"""


def test_a_standard_that_extends_another_lists_what_it_adds() -> None:
    """Each safeguard is listed once, at the standard that adds it; a standard that extends
    another says it includes everything in it, linking to that standard's entry."""
    from rspl.pipeline import compile_source

    policy = compile_source("chain.rspl", CHAIN).policy
    assert policy is not None
    text = document_of(policy)
    section = text[text.index("## Safeguard standards") :]
    section = section[: section.index("\n## ", 1)]
    for name in ("a", "b", "c"):
        assert section.count(f"(`{name}`)") == 1, name
    assert (
        "Includes everything in [Mid Standard](#mid-standard-mid), and these safeguards:\n\n"
        "- **Gamma** (`c`)"
    ) in section
    assert "Includes everything in [Base Standard](#base-standard-base), and these" in section
    assert (
        "Includes everything in [Base Standard](#base-standard-base), and adds no safeguards"
    ) in section
    headings = {
        slug(plain(tokens[i + 1]))
        for tokens in [parse(text)]
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    }
    assert {"mid-standard-mid", "base-standard-base"} <= headings


def test_a_chain_of_standards_makes_a_document_linear_in_the_chain() -> None:
    bench = strategies.bench_scaling()
    from rspl.pipeline import compile_source

    sizes = {}
    for n in (100, 400):
        policy = compile_source("chain.rspl", bench.extends_policy(n)).policy
        assert policy is not None
        sizes[n] = len(document_of(policy))
    assert sizes[400] < 5 * sizes[100]  # quadratic: ~16 times


DEADLINES = """policy p "P" { organization "Example Labs" version "1"
  combine highest standard per family }
import std.contexts, std.actions
role Board "Board"
evidence flag: fact "F"
evidence filing: date "The legal filing deadline"
evidence effective_on: date "Effective date of the new version"
rule r "R" {
  source "§1"
  when flag
  must notify Board promptly
  should review in a timely manner
  must update regularly
  must report due filing
  must publish due effective_on
  must document due at external_deployment, open_weights
}
"""


def test_deadlines_in_words() -> None:
    """Soft deadlines say there is none; `due EVENT` names the event's date; `due at` the
    contexts (section 20 of docs/semantics.md)."""
    policy = compile_source("deadlines.rspl", DEADLINES).policy
    assert policy is not None
    text = document_of(policy)
    assert "**must** notify Board promptly (no fixed deadline)" in text
    assert "*should* review in a timely manner (no fixed deadline)" in text
    assert "**must** update regularly (no fixed interval)" in text
    assert "**must** report by the date of the legal filing deadline" in text
    assert "**must** publish by the effective date of the new version" in text
    assert "**must** document at external deployment or open-weight release" in text
    assert "within 0 days" not in text


def test_one_line_breaks_at_what_split_breaks_at() -> None:
    """`one_line` collapses whitespace with a regular expression (no list of the words): it
    gives what `" ".join(text.split())` gives when `\\s` matches exactly the code points
    `isspace()` accepts (what `split()` breaks at and `strip()` strips)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = [c for c in every if c.isspace()]
    assert re.findall(r"\s", every) == spaces
    control = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
    for c in (*spaces, "\x00", "\x1b", "x"):
        for text in (f"a{c}b", f"{c}a{c}{c}b {c}", c, f"{c} {c}", f"a {c}b", f"a{c} b c"):
            assert one_line(text) == " ".join(control.sub("\ufffd", text).split()), repr(c)


def test_escape_of_a_text_with_no_ampersand_is_one_translation() -> None:
    """`escape` backslashes a text with no `&` by `str.translate` (no object per match):
    the same as `_SPECIAL`, whose only match that reads past its character is an `&`."""
    text = "".join(chr(c) for c in range(0x20, 0x3000) if chr(c) != "&") * 2
    assert text.translate(markdown._BACKSLASHED) == markdown._SPECIAL.sub(r"\\\g<0>", text)
