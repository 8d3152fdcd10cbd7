"""Data files the compiler needs at run time: the grammar, the stdlib and the lint profiles.

In a wheel they live in `rspl/_data/` (mapped there by `pyproject.toml`) and are read with
`importlib.resources`; in a source checkout they are the top-level `grammar/` and `stdlib/`.
The lint profiles are package data in both: `rspl/profiles/NAME.toml`.
"""

from __future__ import annotations

import functools
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Traversable:
    packaged = resources.files("rspl") / "_data" / name
    if packaged.is_dir():
        return packaged
    return _SOURCE_ROOT / name


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    """The text of `grammar/rspl.lark`."""
    return (_data_dir("grammar") / "rspl.lark").read_text(encoding="utf-8")


def stdlib_module(dotted: str) -> tuple[str, str] | None:
    """(display path, text) of a stdlib module such as `std.contexts`, or None if absent."""
    parts = dotted.split(".")
    node = _data_dir("stdlib")
    for part in parts[:-1]:
        node = node / part
    node = node / f"{parts[-1]}.rspl"
    if not node.is_file():
        return None
    return f"<stdlib>/{'/'.join(parts)}.rspl", node.read_text(encoding="utf-8")


def stdlib_modules() -> list[str]:
    """Dotted names of every shipped stdlib module, sorted."""
    found: list[str] = []

    def walk(node: Traversable, prefix: list[str]) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, [*prefix, child.name])
            elif child.name.endswith(".rspl"):
                found.append(".".join([*prefix, child.name[: -len(".rspl")]]))

    walk(_data_dir("stdlib"), [])
    return sorted(found)


def doc_text(name: str) -> str:
    """The text of a shipped document in `docs/`, such as `diagnostics.md`."""
    return (_data_dir("docs") / name).read_text(encoding="utf-8")


def profile_names() -> list[str]:
    """The names of the shipped lint profiles (`rspl/profiles/NAME.toml`), sorted."""
    return sorted(
        child.name[: -len(".toml")]
        for child in (resources.files("rspl") / "profiles").iterdir()
        if child.name.endswith(".toml")
    )


def profile_text(name: str) -> tuple[str, str] | None:
    """(display path, text) of the shipped profile `name`, or None if there is none."""
    node = resources.files("rspl") / "profiles" / f"{name}.toml"
    if not node.is_file():
        return None
    return f"<profiles>/{name}.toml", node.read_text(encoding="utf-8")


def stdlib_path(label: str) -> Path | None:
    """The file on disk of the stdlib module labelled `<stdlib>/std/x.rspl` (see
    `stdlib_module`), or None when the stdlib is not a folder of files (a zipped install)."""
    prefix = "<stdlib>/"
    if not label.startswith(prefix):
        return None
    node = _data_dir("stdlib")
    for part in label[len(prefix):].split("/"):
        node = node / part
    return node if isinstance(node, Path) and node.is_file() else None
