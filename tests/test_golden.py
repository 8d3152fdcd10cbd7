"""Golden outputs: every example built to every target, byte for byte. A change to a backend
shows up here as a diff to review; `pytest tests/test_golden.py --update-golden` rewrites them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from rspl.backends.python import (
    runtime_source,
    semantics_source,
    split_imports,
    whynot_source,
)
from rspl.build import render_outputs
from rspl.cli import TARGETS
from rspl.pipeline import compile_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(ROOT.glob("examples/*.rspl"))
COPIED = {
    "rspl/semantics.py": semantics_source,
    "rspl/backends/python_runtime.py": runtime_source,
    "rspl/whynot.py": whynot_source,
}


def golden_form(name: str, text: str) -> str:
    """What is kept of an output: a generated module without the semantics and the runtime
    it copies verbatim (the same in every module, and tested on their own), so a diff shows
    what was generated."""
    if not name.endswith(".py"):
        return text
    for path, source in COPIED.items():
        _, body = split_imports(source())
        assert text.count(body) == 1, f"{name} does not hold {path} verbatim"
        text = text.replace(body, f"# <<< {path}, copied here verbatim >>>")
    return text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_outputs_match_golden(
    example: Path, update_cases: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # file labels in the outputs are relative to the repository
    result = compile_file(str(example.relative_to(ROOT)))
    assert result.policy is not None
    files = {n: golden_form(n, t) for n, t in render_outputs(result.policy, TARGETS).items()}
    folder = GOLDEN / example.stem
    if update_cases:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", newline="\n")
        return
    assert folder.is_dir(), f"no golden outputs for {example.name}: run with --update-golden"
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    for name, text in files.items():
        expected = (folder / name).read_text(encoding="utf-8")
        assert text == expected, f"{name} changed: review, then run with --update-golden"


def test_every_golden_folder_has_an_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} <= stems


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_what_build_writes_is_what_render_gives(example: Path, tmp_path: Path) -> None:
    """`rspl build` writes some outputs in pieces as they are produced (`render_pieces`): the
    files hold exactly the text the goldens are made from."""
    from rspl.build import write_outputs

    result = compile_file(str(example))
    assert result.policy is not None
    texts = render_outputs(result.policy, TARGETS)
    paths = write_outputs(result.policy, str(tmp_path), TARGETS)
    assert sorted(Path(p).name for p in paths) == sorted(texts)
    for path in paths:
        assert Path(path).read_bytes() == texts[Path(path).name].encode("utf-8"), path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(texts)  # no temporary left


def test_a_build_that_fails_while_writing_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are written to temporaries and renamed only once all are written: a failure in
    the last target, after the other files and part of its own are written, leaves the old
    outputs and no temporary file."""
    from rspl import build

    result = compile_file(str(EXAMPLES[0]))
    assert result.policy is not None
    paths = build.write_outputs(result.policy, str(tmp_path), TARGETS)
    before = {p: Path(p).read_bytes() for p in paths}
    for p in paths:
        Path(p).write_bytes(b"old output")
    real = build.render_pieces

    def failing(policy: object, target: str, *args: object, **kwargs: object) -> object:
        files = real(policy, target, *args, **kwargs)  # type: ignore[arg-type]
        if target != "html":
            return files

        def broken(pieces: Iterable[str]) -> Iterator[str]:
            yield next(iter(pieces))
            raise OSError("no space left on device")

        return {name: broken(pieces) for name, pieces in files.items()}

    monkeypatch.setattr(build, "render_pieces", failing)
    with pytest.raises(OSError, match="no space"):
        build.write_outputs(result.policy, str(tmp_path), TARGETS)
    assert sorted(str(p) for p in tmp_path.iterdir()) == sorted(before)
    assert all(Path(p).read_bytes() == b"old output" for p in before)
