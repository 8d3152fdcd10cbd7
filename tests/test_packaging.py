"""The wheel carries the grammar, the stdlib and the diagnostics reference, and a
non-editable install works from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("rspl-*.whl")
    return found


def test_wheel_holds_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rspl/_data/grammar/rspl.lark" in names
    stdlib = {p.relative_to(ROOT).as_posix() for p in (ROOT / "stdlib").rglob("*.rspl")}
    assert stdlib, "the stdlib is empty"
    for rel in stdlib:
        assert f"rspl/_data/{rel}" in names
    assert "rspl/_data/docs/diagnostics.md" in names
    profiles = {p.name for p in (ROOT / "rspl" / "profiles").glob("*.toml")}
    assert {"seoul.toml", "metr.toml", "sb53.toml"} <= profiles
    for name in profiles:
        assert f"rspl/profiles/{name}" in names, "the lint profiles ship with the package"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "rspl = rspl.cli:main" in text
    assert "rspl = rspl.highlight:RsplLexer" in text
    # `rspl build` writes the HTML edition by default: its converter is a core dependency
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [
        line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]  # fmt: skip
    assert any("markdown-it-py" in line for line in requires), requires
    # profiles are TOML: `tomllib` from 3.11, the `tomli` backport before
    assert any("tomli" in line and "python_version < " in line for line in requires), requires


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    policy = elsewhere / "p.rspl"
    policy.write_text(
        'policy p "P" { organization "O" version "1" combine highest standard per family }\n'
        "import std.contexts\n"
        "domain D { level D1 source \"§1\" }\n"
        "rule r { source \"§2\" when D >= D1 }\n",
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    code = (
        "import rspl, sys; from rspl.cli import main; "
        "assert rspl.__file__.startswith(sys.argv[1]), rspl.__file__; "
        "sys.exit(main(['check', '--format', 'concise', 'p.rspl']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    explain = subprocess.run(
        [sys.executable, "-c", "from rspl.cli import main; main(['explain', 'E0201'])"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "E0201" in explain.stdout
    lint = subprocess.run(
        [sys.executable, "-c", "from rspl.cli import main; main(['lint', '--profile', "
         "'seoul', '--format', 'concise', 'p.rspl'])"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert "p.rspl: seoul: " in lint.stdout, lint.stdout + lint.stderr
