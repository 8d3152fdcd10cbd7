"""How the language server is installed and started, without pygls needed: `rspl` works
without the `lsp` extra and says how to get it; the extras and CI install what the server and
its tests need; the VS Code extension starts the command the CLI has."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from rspl.cli import _parser

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
_ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=_ENV, cwd=ROOT, timeout=120)  # fmt: skip


def test_rspl_runs_without_pygls_and_lsp_says_how_to_get_it() -> None:
    hide = "import sys; sys.modules['pygls'] = None; from rspl.cli import main; "
    done = _run(hide + "raise SystemExit(main(['lsp']))")
    assert done.returncode == 2
    assert "pip install 'rspl[lsp]'" in done.stderr
    assert "Traceback" not in done.stderr
    checked = _run(hide + "raise SystemExit(main(['check', 'tests/lsp/main.rspl']))")
    assert checked.returncode == 0, checked.stderr


def test_check_does_not_import_the_server() -> None:
    done = _run("import sys; from rspl.cli import main; main(['check', 'tests/lsp/main.rspl']);"
                " print(sorted(m for m in sys.modules if m.split('.')[0] in "
                "('pygls', 'lsprotocol') or m == 'rspl.lsp'))")  # fmt: skip
    assert done.stdout.strip().endswith("[]"), done.stdout


def test_extras_and_ci_install_the_server_and_its_test_client() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    assert any(d.startswith("pygls>=2") for d in extras["lsp"])
    assert any(d.startswith("lsprotocol") for d in extras["lsp"])
    assert any(d.startswith("pytest-lsp") for d in extras["test"])
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = re.search(r"pip install --quiet '\.\[([a-z,]+)\]'", ci)
    assert installs is not None and "lsp" in installs.group(1).split(",")


def test_vscode_extension_starts_rspl_lsp() -> None:
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    main = VSCODE / package["main"]
    assert main.is_file()
    languages = [lang["id"] for lang in package["contributes"]["languages"]]
    assert package["activationEvents"] == [f"onLanguage:{lang}" for lang in languages]
    assert "vscode-languageclient" in package["dependencies"]
    setting = package["contributes"]["configuration"]["properties"]["rspl.server.command"]
    command = setting["default"]
    # the command is the console script the package installs, with a subcommand it has
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert command[0] in project["project"]["scripts"]
    assert _parser().parse_args(command[1:]).command == "lsp"
    assert _parser().parse_args([*command[1:], "--stdio"]).command == "lsp"  # what clients add
    script = main.read_text(encoding="utf-8")
    assert 'require("vscode-languageclient/node")' in script
    assert f'.get("server.command", {json.dumps(command)})' in script
    assert f'language: "{languages[0]}"' in script
    # the grammar the package points to exists
    for grammar in package["contributes"]["grammars"]:
        assert (VSCODE / grammar["path"]).is_file()
