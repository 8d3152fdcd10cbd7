"""The HTML edition in a real browser: headless Chromium renders every example to a PNG and to
a PDF. The PNG must not be blank; the PDF must have several pages, each with the running
header (the policy's title and version) and its page number. Skipped where Chromium is absent
(`.ci/run` installs it)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from pathlib import Path

import pytest

from rspl.backends.html import render
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))
HOSTILE = ROOT / "tests" / "policies" / "hostile.rspl"
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)
WIDTH, HEIGHT = 1000, 1200


def chromium(tmp_path: Path, page: Path, *flags: str) -> None:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         "--hide-scrollbars", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         *flags, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def build(tmp_path: Path, path: Path) -> tuple[Path, str]:
    result = compile_file(str(path))
    assert result.policy is not None
    [(name, text)] = render(result.policy).items()
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    title = result.policy.title or result.policy.id
    header = f"{title}, version {result.policy.version}" if result.policy.version else title
    return page, squeeze(header)


def squeeze(text: str) -> str:
    """Text without spaces and ligatures: PDF positions words rather than writing spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def png_ink(data: bytes) -> tuple[int, int, float]:
    """Width, height and the share of bytes that are not zero in the PNG's filtered scanlines
    (a page of one colour filters to zeros almost everywhere)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        (size,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + size])
        at += 12 + size
    raw = zlib.decompress(b"".join(chunks))
    return width, height, 1 - raw.count(0) / len(raw)


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF written by Chromium (Skia), `squeeze`d: content streams
    are Flate compressed and show glyphs as hex strings, mapped by each font's ToUnicode CMap."""
    objects: dict[int, bytes] = {}  # number -> dictionary
    streams: dict[int, bytes] = {}  # number -> decoded stream
    for m in re.finditer(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", data, re.DOTALL):
        number, head = int(m.group(1)), m.group(2)
        objects[number] = head
        if m.group(3).startswith(b"stream"):
            length = re.search(rb"/Length (\d+)(?! \d+ R)", head)
            assert length is not None, head
            raw = data[m.end() : m.end() + int(length.group(1))]
            streams[number] = zlib.decompress(raw) if b"FlateDecode" in head else raw

    def stream(number: int) -> bytes:
        return streams[number]

    def cmap(number: int) -> dict[int, str]:
        text, out = stream(number), {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start = int(dst, 16)
                for i in range(int(lo, 16), int(hi, 16) + 1):
                    out[i] = chr(start + i - int(lo, 16))
        return out

    pages = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b(?!s)", body):
            continue
        fonts: dict[bytes, dict[int, str]] = {}
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            fonts[name] = cmap(int(unicode.group(1))) if unicode else {}
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        assert contents is not None
        font: dict[int, str] = {}
        shown = []
        for op in re.finditer(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]*)> ?Tj|(BT)", stream(
                int(contents.group(1)))):  # fmt: skip
            if op.group(1):
                font = fonts.get(op.group(1), {})
            elif op.group(3):
                shown.append("\n")
            else:
                hexes = op.group(2).decode()
                shown += [font.get(int(hexes[i : i + 4], 16), "?") for i in range(0, len(hexes), 4)]
        pages.append(squeeze("".join(shown)))
    return pages


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_renders_to_png_and_pdf(tmp_path: Path, path: Path) -> None:
    page, header = build(tmp_path, path)
    chromium(tmp_path, page, f"--window-size={WIDTH},{HEIGHT}",
             f"--screenshot={tmp_path / 'page.png'}")  # fmt: skip
    width, height, ink = png_ink((tmp_path / "page.png").read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert ink > 0.02, f"the screenshot is blank ({ink:.2%} ink)"
    chromium(tmp_path, page, f"--print-to-pdf={tmp_path / 'page.pdf'}")
    pages = pdf_pages((tmp_path / "page.pdf").read_bytes())
    assert len(pages) >= 5, f"{len(pages)} pages: each major section should start a page"
    for text in pages:
        assert header in text, f"no running header {header!r} in {text[:200]!r}"
        assert re.search(rf"Page\d+of{len(pages)}", text), text[:200]


def test_hostile_title_is_the_running_header_as_text(tmp_path: Path) -> None:
    page, header = build(tmp_path, HOSTILE)
    chromium(tmp_path, page, f"--print-to-pdf={tmp_path / 'page.pdf'}")
    pages = pdf_pages((tmp_path / "page.pdf").read_bytes())
    assert pages and all(header in text for text in pages), header
