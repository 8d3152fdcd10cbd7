"""pre-commit: the hooks this repository publishes (`.pre-commit-hooks.yaml`), tried with
`pre-commit try-repo` the way a policy repository would use them, and the local configuration
`rspl init` writes. Skipped with a reason where pre-commit or git is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rspl.cli import main

ROOT = Path(__file__).resolve().parent.parent

_NO_PRE_COMMIT = subprocess.run(
    [sys.executable, "-m", "pre_commit", "--version"], capture_output=True
).returncode != 0
pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(_NO_PRE_COMMIT, reason="pre-commit is not installed (test extra)"),
]


def _env(home: Path) -> dict[str, str]:
    """pre-commit with its cache in `home`, finding this venv's `rspl` first on PATH."""
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(home / "cache")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")  # fmt: skip
    return env


def _repo(tmp_path: Path) -> Path:
    """A git repository holding the policy `rspl init` writes, committed."""
    repo = tmp_path / "policies"
    assert main(["init", str(repo)]) == 0
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    return repo


def _pre_commit(
    args: list[str], repo: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)  # fmt: skip


def test_the_init_configuration_runs_check_and_test(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = _env(tmp_path)
    done = _pre_commit(["run", "--all-files"], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rspl check" in done.stdout and "rspl test" in done.stdout
    assert "rspl fmt" in done.stdout
    policy = repo / "policy.rspl"
    policy.write_text(policy.read_text().replace("Bio >= Bio_high", "Bio >= Bio_higher"))
    done = _pre_commit(["run", "--all-files"], repo, env)
    assert done.returncode == 1
    assert "E0204" in done.stdout


def test_the_published_hooks_pass_with_try_repo(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs this repository's hooks (pip, from the working tree)
    and runs them on a policy repository, as a user's `repos:` entry would."""
    repo = _repo(tmp_path)
    env = _env(tmp_path)
    for hook in ("rspl-check", "rspl-fmt", "rspl-test"):
        done = _pre_commit(["try-repo", str(ROOT), hook, "--all-files"], repo, env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Passed" in done.stdout


def test_the_published_fmt_hook_formats_and_fails_on_an_untidy_policy(tmp_path: Path) -> None:
    """`rspl-fmt` rewrites a policy that is not formatted and fails (files were modified),
    as formatter hooks do; run again on the result, it passes."""
    repo = _repo(tmp_path)
    env = _env(tmp_path)
    policy = repo / "policy.rspl"
    tidy = policy.read_text()
    policy.write_text(tidy.replace("  status tracked\n", "      status    tracked\n"))
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    done = _pre_commit(["try-repo", str(ROOT), "rspl-fmt", "--all-files"], repo, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "files were modified by this hook" in done.stdout
    assert policy.read_text() == tidy
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    done = _pre_commit(["try-repo", str(ROOT), "rspl-fmt", "--all-files"], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
