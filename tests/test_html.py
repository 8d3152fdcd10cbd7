"""The HTML edition: a self-contained page whose markup is only what the backend writes.

Every example and the hostile policy are built to HTML and parsed with `html.parser`: every
element and attribute must be one the backend writes, attribute values must be the backend's
own (classes, numbers, SVG paths), slugs or http(s)/fragment links, and the hostile policy's
strings must come back as text, never as markup. The page must fetch nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rspl.backends import html as html_backend
from rspl.backends import markdown
from rspl.backends.html import body, css_string, diagram_svg, pieces, render, slug
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))
HOSTILE = ROOT / "tests" / "policies" / "hostile.rspl"

# What the backend writes (markdown-it for CommonMark and tables, the page and the SVG).
TAGS = {
    "html", "head", "meta", "title", "style", "body", "main",
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "a", "span", "strong", "em",
    "code", "pre", "blockquote", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "svg", "defs", "marker", "path", "rect", "text", "tspan",
}  # fmt: skip
ATTRS = {
    "html": {"lang"}, "meta": {"charset", "http-equiv", "content", "name"},
    "a": {"href"}, "ol": {"start"}, "th": {"style"}, "td": {"style"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "div": {"class"}, "figure": {"class"},
    "svg": {"xmlns", "role", "viewbox", "width", "height"},
    "marker": {"id", "viewbox", "refx", "refy", "markerwidth", "markerheight", "orient"},
    "path": {"d", "class", "marker-end"},
    "rect": {"class", "x", "y", "width", "height", "rx"},
    "text": {"class", "x", "y"}, "tspan": {"x", "dy"},
}  # fmt: skip
CLASSES = {"table", "diagram", "group", "level", "standard", "base", "alert", "label",
           "group-label", "edge", "edge dotted", "edge-label"}  # fmt: skip
# Attribute values the backend writes itself, other than classes, ids and links.
OWN_VALUE = re.compile(
    r"-?[0-9.]+|[0-9 .-]+|[MCLz0-9., -]+|url\(#arrow\)|auto-start-reverse|img|"
    r"http://www\.w3\.org/2000/svg|en|utf-8|viewport|generator|Content-Security-Policy|"
    r"width=device-width, initial-scale=1|rspl [0-9A-Za-z.+-]+|"
    r"default-src 'none'; style-src 'unsafe-inline'|text-align:(left|right|center)"
)
SLUG = re.compile(r"[\w-]+")
# Strings of tests/policies/hostile.rspl that must never become markup.
HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    "Org {{ jinja }} {% block %} # not a comment",
    'Domain "import"',
    "__import__('os')",
    "eval(\"1+1\")",
]


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))
        if tag not in {"meta", "br", "hr", "path", "rect"}:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        (self.styles if self.open and self.open[-1] == "style" else self.text).append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment in the page: {data!r}")


def build(path: Path) -> tuple[str, str, Page]:
    result = compile_file(str(path))
    assert result.policy is not None
    [(name, page)] = render(result.policy).items()
    [(_, md)] = markdown.render(result.policy).items()
    parser = Page()
    parser.feed(page)
    parser.close()
    assert not parser.open, f"{name}: elements left open: {parser.open}"
    return md, page, parser


@pytest.mark.parametrize("path", [*EXAMPLES, HOSTILE], ids=lambda p: p.stem)
def test_every_element_and_attribute_is_the_backends_own(path: Path) -> None:
    md, _, page = build(path)
    ids = [v for _, attrs in page.elements for k, v in attrs if k == "id"]
    assert len(ids) == len(set(ids)), "ids repeat"
    for tag, attrs in page.elements:
        assert tag in TAGS, f"<{tag}> is not written by the backend"
        for key, value in attrs:
            assert key in ATTRS.get(tag, set()), f"<{tag} {key}> is not written by the backend"
            assert value is not None
            if key == "href":
                assert re.match(r"https?://|#", value), value
                assert not value.startswith("#") or value[1:] in ids, f"dangling {value}"
            elif key == "id":
                assert SLUG.fullmatch(value), value
            elif key == "class":
                assert value in CLASSES, value
            else:
                assert OWN_VALUE.fullmatch(value), f"<{tag} {key}={value!r}>"
    # nothing to fetch: no src, no CSS url() or @import, and a policy that forbids fetches
    style = "".join(page.styles)
    assert "url(" not in style and "@import" not in style
    assert not any(k in {"src", "srcset", "style"} and t != "td" and t != "th"
                   for t, attrs in page.elements for k, _ in attrs)  # fmt: skip
    # the same headings as the Markdown document, each with the id its links assume
    headings = [h for h in md.splitlines() if re.match(r"#{1,6} ", h)]
    shown = [(t, dict(a).get("id")) for t, a in page.elements if re.fullmatch(r"h[1-6]", t)]
    assert len(shown) == len(headings)
    for (tag, anchor), line in zip(shown, headings, strict=True):
        assert tag == f"h{line.index(' ')}" and anchor


def test_hostile_strings_are_only_text() -> None:
    _, source, page = build(HOSTILE)
    text = "".join(page.text)
    for s in HOSTILE_TEXT:
        assert s in text, s
    assert "<script" not in source
    assert source.count("javascript:") == text.count("javascript:") >= 1  # as text only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    # the diagram's labels are SVG text, escaped
    assert "<tspan" in source and "Domain &quot;import&quot;" in source
    # the running header holds the title only as CSS escapes
    style = "".join(page.styles)
    assert 'content: "Title with \\000022quotes\\000022' in style and '"quotes"' not in style
    for _, attrs in page.elements:
        for key, value in attrs:
            if key not in {"href", "id"}:  # links and slugs are checked above
                assert not any(s in (value or "") for s in ("import", "alert", "{{", "λ")), value


@pytest.mark.parametrize("path", [*EXAMPLES, HOSTILE], ids=lambda p: p.stem)
def test_the_diagram_draws_every_box_and_arrow_of_the_graph(path: Path) -> None:
    result = compile_file(str(path))
    assert result.policy is not None
    _, doc = markdown.edition(result.policy)
    graph = doc.graph
    svg = diagram_svg(graph)
    page = Page()
    page.feed(svg)
    rects = [dict(a).get("class") for t, a in page.elements if t == "rect"]
    boxes = [n for g in (*graph.families, *graph.domains) for n in g.nodes]
    assert rects.count("group") == len(graph.families) + len(graph.domains)
    assert len(rects) - rects.count("group") == len(boxes) + len(graph.alerts) + (
        graph.baseline is not None
    )
    paths = [a for t, a in page.elements if t == "path" and dict(a).get("class")]
    assert len(paths) == len(graph.edges) and graph.edges
    assert sum(dict(a)["class"] == "edge dotted" for a in paths) == sum(
        e.dotted for e in graph.edges
    )
    labels = "".join("".join(page.text).split())
    for node in (*boxes, *graph.alerts, *graph.families, *graph.domains):
        assert "".join(node.label.split()) in labels, node.label


def test_a_link_that_is_not_http_becomes_text() -> None:
    from rspl.backends.html import body

    out = body("[a](#x) [b](https://e.org/) [c](mailto:x@e.org) [d](ftp://e.org/)\n", None)
    assert out.count("<a ") == 2 and "mailto" not in out and "ftp" not in out
    assert "<span>c</span>" in out and "<span>d</span>" in out


def test_no_raw_html_or_images_pass() -> None:
    from rspl.backends.html import body

    out = body('<div onclick="x">hi</div>\n\n<b>x</b> ![i](https://e.org/i.png)\n', None)
    assert "<div" not in out and "<b>" not in out and "<img" not in out


@pytest.mark.parametrize(
    "value",
    ['plain', 'a "quoted" \\ title', "}</style><script>x</script>", "ünï\ncode", "a\\000022b"],
)
def test_css_string_holds_only_letters_digits_spaces_and_escapes(value: str) -> None:
    out = css_string(value)
    inner = out[1:-1]
    assert out[0] == out[-1] == '"' and re.fullmatch(r"([A-Za-z0-9 ]|\\[0-9a-f]{6})*", inner)
    decoded = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), inner)
    assert decoded == markdown.one_line(value)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Capability thresholds", "capability-thresholds"),
        ("High security standard (High_Security)", "high-security-standard-high_security"),
        ("Automated R&D: step 1.5", "automated-rd-step-15"),
    ],
)
def test_slugs_are_the_forges(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def sections(source: str) -> list[str]:
    """`source` cut before each heading (`pieces` with no table long enough to cut)."""
    cut = list(pieces(source, rows=len(source)))
    assert all(opens and closes for _, opens, closes in cut)
    return [text for text, _, _ in cut]


@pytest.mark.parametrize("path", [*EXAMPLES, HOSTILE], ids=lambda p: p.stem)
def test_rendering_by_section_is_rendering_the_whole(path: Path) -> None:
    """`body` renders one section at a time to bound its memory; the page must be the one
    markdown-it gives for the whole document at once."""
    result = compile_file(str(path))
    assert result.policy is not None
    source, doc = markdown.edition(result.policy)
    parts = sections(source)
    assert "".join(parts) == source and len(parts) > 5
    md = html_backend._parser()
    tokens = md.parse(source)
    html_backend._prepare(tokens, {})
    whole = html_backend._Renderer(md, doc.graph).render(tokens, md.options, {})
    assert body(source, doc.graph) == whole
    # and with every table and list cut into pieces of one or two rows (`pieces`,
    # `list_parts`), and the plain end of every paragraph written from its text
    # (`paragraph_parts`)
    assert body(source, doc.graph, rows=1) == whole
    assert body(source, doc.graph, rows=2) == whole
    assert body(source, doc.graph, rows=2, long=1) == whole
    # and from the Markdown as it comes, in pieces of whole lines, as `render` reads it
    chunks = [line + "\n" for line in source[:-1].split("\n")]
    assert body(chunks, doc.graph, rows=2) == whole
    assert list(pieces(chunks, 2)) == list(pieces(source, 2))


def test_a_long_table_is_cut_between_rows_with_its_header_again() -> None:
    head = "| a | b |\n|---|--:|\n"
    source = "text\n\n" + head + "| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |\nafter\n"
    assert list(pieces(source, 2)) == [
        ("text\n\n" + head + "| 1 | 2 |\n| 3 | 4 |\n", True, False),
        (head + "| 5 | 6 |\nafter\n", False, True),
    ]
    assert body(source, None, rows=1) == body(source, None)
    fenced = "```\n| a |\n|---|\n| 1 |\n| 2 |\n```\n"  # not a table: never cut
    assert list(pieces(fenced, 1)) == [(fenced, True, True)]


def test_a_heading_inside_a_fence_does_not_split() -> None:
    source = "# A\n\ntext\n```\n# not a heading\n```\n#hashtag text\n## B\n"
    assert sections(source) == [
        "# A\n\ntext\n```\n# not a heading\n```\n#hashtag text\n", "## B\n"
    ]


def whole_html(source: str) -> str:
    """`source` rendered by markdown-it at once, as `body` must render it in parts."""
    md = html_backend._parser()
    tokens = md.parse(source)
    html_backend._prepare(tokens, {})
    return html_backend._Renderer(md, None).render(tokens, md.options, {})


def test_a_long_list_of_one_line_items_is_cut_between_items() -> None:
    items = "".join(f"- **§{i}**: item {i}\n" for i in range(5))
    source = "## S\n\nEvery item.\n\n" + items + "\nGenerated.\n"
    parts = list(html_backend.list_parts(source, 2))
    assert [(within, continued) for _, within, continued in parts] == [
        (False, True), (True, True), (True, False)
    ]
    assert "".join(text for text, _, _ in parts) == source
    assert body(source, None, rows=2) == whole_html(source)
    # a list that a blank line between items makes loose, a list continued after it, an
    # item that is not a paragraph, a list after another one: never cut
    for other in (
        source.replace("- **§3**", "\n- **§3**"),
        source.replace("\nGenerated.", "\n- more"),
        source.replace("\nGenerated.", "\n  more"),
        source.replace("- **§3**: item 3", "- 1. item 3"),
        source.replace("Every item.", "- an item before"),
    ):
        assert len(list(html_backend.list_parts(other, 2))) == 1, other
        assert body(other, None, rows=2) == whole_html(other)


@pytest.mark.parametrize(
    "head",
    ["x", "x *a", "x _a", "x [a", "x [a](b", "x `a", "x <http://a", "x &amp", "x \\\\", "x **a**"],
)
def test_the_plain_end_of_a_long_paragraph_is_written_from_its_text(head: str) -> None:
    """Whatever the start of the line opens, the plain end (`_PLAIN`) neither closes nor
    continues it: the paragraph renders as markdown-it renders it whole."""
    for tail in ("b c", "b \\* c", 'b "q" (c', "b\\\\ c d"):
        source = f"# H\n\n{head} {tail}\n\nafter\n"
        cut = [t for t, _, _ in pieces(source) for _, t in html_backend.paragraph_parts(t, 1)]
        assert any(cut), source
        assert body(source, None, long=1) == whole_html(source)
    for end in ("b c ", "b ) c", "b * c", "b ` c", "b > c", "b & c"):  # not plain: not cut
        source = f"# H\n\n{head} {end}\n"
        assert not any(t for _, t in html_backend.paragraph_parts(source, 1)), source
        assert body(source, None, long=1) == whole_html(source)


def test_the_diagram_text_is_left_out_where_the_page_draws_it() -> None:
    source = "# D\n\n```mermaid\n  A --> B\n~~~\n  B --> C\n```\n\n## E\n"
    drawn = "".join(t for t, _, _ in pieces(source, drawn=True))
    assert drawn == "# D\n\n```mermaid\n~~~\n```\n\n## E\n"
    assert "".join(t for t, _, _ in pieces(source)) == source
    graph = markdown.Graph((), None, (), (), ())
    assert body(source, graph) == body_whole(source, graph)
    assert "A --&gt; B" in body(source, None)


def body_whole(source: str, graph: markdown.Graph) -> str:
    md = html_backend._parser()
    tokens = md.parse(source)
    html_backend._prepare(tokens, {})
    return html_backend._Renderer(md, graph).render(tokens, md.options, {})
