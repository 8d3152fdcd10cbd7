"""`rspl build`: run the backends over one policy's IR and write their files."""

from __future__ import annotations

import contextlib
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
    """File name -> its text in pieces, for one target. Every file comes as it is produced
    (the Python module, the Markdown, the JSON Schemas, the HTML page), so that writing it
    holds a piece at a time, not the file (bench/memory.py)."""
    if target == "python":
        from rspl.backends import python

        return dict(python.render_pieces(policy))
    if target == "markdown":
        from rspl.backends import markdown

        return dict(markdown.render_pieces(policy, templates, full_catalogue=full_catalogue))
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
    and let go before the next. Every file goes first to a hidden temporary file beside it,
    and the temporary files take their names only once all are written: a build that fails
    while writing (a template that raises, a full disk) leaves the folder as it was, with no
    half-written file and no mix of old and new outputs."""
    os.makedirs(output, exist_ok=True)
    done: list[tuple[str, str]] = []  # (temporary file, its name once all are written)
    try:
        for target in sorted(targets, key=lambda t: t != "markdown"):  # templates first
            files = render_pieces(policy, target, templates, full_catalogue=full_catalogue)
            for name in sorted(files):
                path = os.path.join(output, name)
                temporary = os.path.join(output, f".{name}.{os.getpid()}.tmp")
                done.append((temporary, path))
                with open(temporary, "w", encoding="utf-8", newline="\n") as fh:
                    for piece in files[name]:
                        fh.write(piece)
            del files
        for temporary, path in done:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    return sorted(path for _, path in done)
