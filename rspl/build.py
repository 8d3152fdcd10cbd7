"""`rspl build`: run the backends over one policy's IR and write their files."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from rspl import ir
from rspl.backends.markdown import TemplateError

__all__ = ["TemplateError", "render_outputs", "render_pieces", "write_outputs"]


_ORDER = ("python", "markdown", "jsonschema", "html")


def render_outputs(
    policy: ir.Policy,
    targets: Sequence[str],
    templates: str | None = None,
    *,
    full_catalogue: bool = False,
) -> dict[str, str]:
    """File name -> contents, for each target asked for (`render_pieces`, joined).
    Deterministic. The document shows every declaration of the imported files with
    `full_catalogue`, else only those used."""
    files: dict[str, str] = {}
    for target in (t for t in _ORDER if t in targets):
        pieces = render_pieces(policy, target, templates, full_catalogue=full_catalogue)
        files.update((name, "".join(parts)) for name, parts in pieces.items())
    return files


def render_pieces(
    policy: ir.Policy,
    target: str,
    templates: str | None = None,
    *,
    full_catalogue: bool = False,
) -> dict[str, Iterable[str]]:
    """File name -> its text in pieces, for one target. The Python module, the JSON Schemas
    and the HTML page come as they are produced, so that writing them holds a piece at a
    time, not the file (bench/memory.py); the Markdown comes whole, as one piece."""
    if target == "python":
        from rspl.backends import python

        return dict(python.render_pieces(policy))
    if target == "markdown":
        from rspl.backends import markdown

        files = markdown.render(policy, templates, full_catalogue=full_catalogue)
        return {name: (text,) for name, text in files.items()}
    if target == "jsonschema":
        from rspl.backends import jsonschema

        return dict(jsonschema.render_pieces(policy))
    if target == "html":
        from rspl.backends import html

        return dict(html.render_pieces(policy, templates, full_catalogue=full_catalogue))
    raise ValueError(f"unknown target {target!r}: one of {', '.join(_ORDER)}")


def write_outputs(
    policy: ir.Policy,
    output: str,
    targets: Sequence[str],
    templates: str | None = None,
    *,
    full_catalogue: bool = False,
) -> list[str]:
    """Write every output into the folder `output` (created if needed); the paths written,
    sorted. One target at a time, each file written as its pieces come (`render_pieces`)
    and let go before the next; Markdown first, since only its templates can fail
    (`TemplateError`), and then nothing has been written."""
    os.makedirs(output, exist_ok=True)
    written = []
    order = sorted(targets, key=lambda t: t != "markdown")
    for target in order:
        files = render_pieces(policy, target, templates, full_catalogue=full_catalogue)
        for name in sorted(files):
            path = os.path.join(output, name)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                for piece in files[name]:
                    fh.write(piece)
            written.append(path)
        del files
    return sorted(written)
