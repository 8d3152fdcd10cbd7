"""`rspl build`: run the backends over one policy's IR and write their files."""

from __future__ import annotations

import os
from collections.abc import Sequence

from rspl import ir
from rspl.backends.markdown import TemplateError

__all__ = ["TemplateError", "render_outputs", "write_outputs"]


def render_outputs(
    policy: ir.Policy,
    targets: Sequence[str],
    templates: str | None = None,
    *,
    full_catalogue: bool = False,
) -> dict[str, str]:
    """File name -> contents, for each target asked for. Deterministic. The document shows
    every declaration of the imported files with `full_catalogue`, else only those used."""
    files: dict[str, str] = {}
    if "python" in targets:
        from rspl.backends import python

        files.update(python.render(policy))
    if "markdown" in targets:
        from rspl.backends import markdown

        files.update(markdown.render(policy, templates, full_catalogue=full_catalogue))
    if "jsonschema" in targets:
        from rspl.backends import jsonschema

        files.update(jsonschema.render(policy))
    if "html" in targets:
        from rspl.backends import html

        files.update(html.render(policy, templates, full_catalogue=full_catalogue))
    return files


def write_outputs(
    policy: ir.Policy,
    output: str,
    targets: Sequence[str],
    templates: str | None = None,
    *,
    full_catalogue: bool = False,
) -> list[str]:
    """Write every output into the folder `output` (created if needed); the paths written,
    sorted. One target at a time, each target's files written and let go before the next is
    rendered, so the build holds one target's text at a time; Markdown first, since only its
    templates can fail (`TemplateError`), and then nothing has been written."""
    os.makedirs(output, exist_ok=True)
    written = []
    order = sorted(targets, key=lambda t: t != "markdown")
    for target in order:
        files = render_outputs(policy, [target], templates, full_catalogue=full_catalogue)
        for name, text in sorted(files.items()):
            path = os.path.join(output, name)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            written.append(path)
    return sorted(written)
