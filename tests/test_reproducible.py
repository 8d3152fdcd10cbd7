"""Reproducible builds: the same sources build to the same bytes, whatever the path spelling.

Build outputs name files relative to the main policy's folder (the main file by its base name,
imports by their path relative to it, the stdlib as `<stdlib>/std/x.rspl`), so building
`examples/x.rspl`, `/abs/.../examples/x.rspl` from another working directory, or `./x.rspl`
through a symlinked folder gives byte-identical outputs that leak no path of the build machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rspl.cli import main as rspl_main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.rspl"))


def build(cwd: Path, source: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.chdir(cwd)
    assert rspl_main(["build", "-o", str(out), source]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def spellings(folder: Path, name: str, tmp_path: Path) -> list[tuple[Path, str]]:
    """(working directory, path as typed): relative from the folder's parent, `./` from the
    folder, absolute from elsewhere, and through a symlink to the folder."""
    link = tmp_path / "link"
    link.symlink_to(folder, target_is_directory=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return [
        (folder.parent, f"{folder.name}/{name}"),
        (folder, f"./{name}"),
        (elsewhere, str(folder / name)),
        (link, name),
        (tmp_path, "./link//" + name),
    ]


def assert_same_everywhere(
    folder: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, bytes]:
    builds = [
        build(cwd, source, tmp_path / f"out{i}", monkeypatch)
        for i, (cwd, source) in enumerate(spellings(folder, name, tmp_path))
    ]
    first = builds[0]
    assert len(first) == 5, sorted(first)  # .py, .md, .html and the two schemas
    for other in builds[1:]:
        assert other.keys() == first.keys()
        for file in first:
            assert other[file] == first[file], f"{file} differs between path spellings"
    for file, data in first.items():
        text = data.decode("utf-8")
        for leak in (str(folder), str(tmp_path), str(ROOT)):
            assert leak not in text, f"{file} names the build path {leak}"
    return first


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_build_identically_from_every_path_spelling(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = assert_same_everywhere(example.parent, example.name, tmp_path, monkeypatch)
    module = next(data for file, data in outputs.items() if file.endswith(".py"))
    assert f"# source file: {example.name}\n".encode() in module


def test_imported_files_are_named_relative_to_the_main_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policy"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "roles.rspl").write_text(
        'role RSO "Responsible Scaling Officer" source "§1"\n', encoding="utf-8"
    )
    (folder / "main.rspl").write_text(
        'policy p "P" { organization "O" version "1" combine highest standard per family }\n'
        'import std.actions, "shared/roles.rspl"\n'
        'evidence e: fact "E"\n'
        'rule r "R" { source "§1" when e must notify by RSO }\n',
        encoding="utf-8",
    )
    outputs = assert_same_everywhere(folder, "main.rspl", tmp_path, monkeypatch)
    module = outputs["p.py"].decode("utf-8")
    assert "# source file: main.rspl\n" in module
    assert "# source file: shared/roles.rspl\n" in module
    assert "# source file: <stdlib>/std/actions.rspl\n" in module
    assert "(main.rspl:4)" in module
