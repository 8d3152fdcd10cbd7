"""Safe imports: a policy reads only policy files, and only from where it is allowed to.

An imported file must lie under the main policy's folder or an `--import-path` folder once
symlinks and `..` are resolved (E0106), and be a regular `.rspl` file of at most
`MAX_FILE_BYTES` of UTF-8 text (E0107). Each refusal is a coded diagnostic at the import that
shows none of the refused file's content; `rspl check` exits 1 and never hangs. The main file
itself is read by the same bounded reader (a usage error, exit 2, when it is refused).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rspl import loader
from rspl import messages as msg
from rspl.loader import FileRefusedError, read_file
from rspl.pipeline import compile_source
from rspl.spans import Span

SECRET = "SECRET-7f3a9c-DO-NOT-PRINT"
TIMEOUT = 60

HEADER = """policy p "P" { organization "O" version "1" combine highest standard per family }
import std.actions
evidence e: fact "E"
rule r "R" { source "§1" when e must notify by RSO }
"""
ROLE = 'role RSO "Responsible Scaling Officer" source "§1"\n'
FIFO_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def policy(folder: Path, target: str) -> Path:
    """`folder/main.rspl` importing `target` (which should declare the role RSO)."""
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.rspl"
    main.write_text(HEADER + f'import "{target}"\n', encoding="utf-8")
    return main


def check(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`rspl check --format concise ARGS` in a subprocess with stdin an open, silent pipe (so a
    read of /dev/stdin would hang until the timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "rspl", "check", "--format", "concise", "--color", "never", *args],
        cwd=cwd,
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        check=False,
    )


def refused(done: subprocess.CompletedProcess[str], code: str, target: str) -> None:
    """The check failed with `code` at the import of `target`, and showed none of the file."""
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    lines = [line for line in done.stdout.splitlines() if f" {code} " in line]
    assert lines and all(f'"{target}"' in line for line in lines), out
    assert all("main.rspl:5:" in line for line in lines), out  # at the import statement
    assert SECRET not in out
    assert "Traceback" not in out


# ---------------------------------------------------------------------------- outside the folder


def test_proc_self_environ_is_refused_and_the_environment_never_shown(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", "/proc/self/environ")
    done = check(str(main), cwd=tmp_path, env={**os.environ, "RSPL_TEST_SECRET": SECRET})
    refused(done, "E0106", "/proc/self/environ")


def test_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    refused(check(str(policy(tmp_path / "pol", "/dev/zero")), cwd=tmp_path), "E0106", "/dev/zero")


def test_dev_stdin_is_refused_without_hanging(tmp_path: Path) -> None:
    done = check(str(policy(tmp_path / "pol", "/dev/stdin")), cwd=tmp_path)
    refused(done, "E0106", "/dev/stdin")


def test_parent_folder_is_outside(tmp_path: Path) -> None:
    (tmp_path / "outside.rspl").write_text(ROLE + f"# {SECRET}\n", encoding="utf-8")
    done = check(str(policy(tmp_path / "pol", "../outside.rspl")), cwd=tmp_path)
    refused(done, "E0106", "../outside.rspl")


def test_absolute_path_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "roles.rspl"
    outside.parent.mkdir()
    outside.write_text(ROLE + f"# {SECRET}\n", encoding="utf-8")
    done = check(str(policy(tmp_path / "pol", str(outside))), cwd=tmp_path)
    refused(done, "E0106", str(outside))


def test_symlink_leading_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.rspl").write_text(f"{SECRET}\n", encoding="utf-8")
    main = policy(tmp_path / "pol", "link.rspl")
    (tmp_path / "pol" / "link.rspl").symlink_to(tmp_path / "outside.rspl")
    refused(check(str(main), cwd=tmp_path), "E0106", "link.rspl")


def test_symlink_to_a_folder_leading_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "roles.rspl").write_text(f"{SECRET}\n", encoding="utf-8")
    main = policy(tmp_path / "pol", "shared/roles.rspl")
    (tmp_path / "pol" / "shared").symlink_to(tmp_path / "secrets")
    refused(check(str(main), cwd=tmp_path), "E0106", "shared/roles.rspl")


def test_an_imported_file_cannot_climb_out_either(tmp_path: Path) -> None:
    """The roots are the main policy's folder: a file in a subfolder may import a sibling
    subfolder's file, but not one above the main folder."""
    (tmp_path / "outside.rspl").write_text(f"{SECRET}\n", encoding="utf-8")
    main = policy(tmp_path / "pol", "a/roles.rspl")
    (tmp_path / "pol" / "a").mkdir()
    (tmp_path / "pol" / "b").mkdir()
    (tmp_path / "pol" / "b" / "more.rspl").write_text("", encoding="utf-8")
    (tmp_path / "pol" / "a" / "roles.rspl").write_text(
        ROLE + 'import "../b/more.rspl", "../../outside.rspl"\n', encoding="utf-8"
    )
    done = check(str(main), cwd=tmp_path)
    assert done.returncode == 1
    assert [line.split(": ", 1)[1] for line in done.stdout.splitlines() if " E01" in line] == [
        'E0106 the file "../../outside.rspl" is outside the policy\'s folder; it was not read'
    ]
    assert SECRET not in done.stdout + done.stderr


# ---------------------------------------------------------------------------- not a policy file


@FIFO_ONLY
def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", "pipe.rspl")
    os.mkfifo(tmp_path / "pol" / "pipe.rspl")
    done = check(str(main), cwd=tmp_path)
    refused(done, "E0107", "pipe.rspl")
    assert "named pipe" in done.stdout


def test_folder_is_refused(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", "roles.rspl")
    (tmp_path / "pol" / "roles.rspl").mkdir()
    done = check(str(main), cwd=tmp_path)
    refused(done, "E0107", "roles.rspl")
    assert "it is a folder" in done.stdout


def test_name_that_is_not_a_policy_file_is_refused(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", ".env")
    (tmp_path / "pol" / ".env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    refused(check(str(main), cwd=tmp_path), "E0107", ".env")


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", "big.rspl")
    with open(tmp_path / "pol" / "big.rspl", "w", encoding="utf-8") as fh:
        fh.write(f"# {SECRET}\n")
        fh.write("#" * loader.MAX_FILE_BYTES)
    done = check(str(main), cwd=tmp_path)
    refused(done, "E0107", "big.rspl")
    assert "larger than 10 MB" in done.stdout


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00binary" + SECRET.encode(), SECRET.encode() + b"\x00\x01\x02", b"\x89PNG\r\n"],
    ids=["not-utf8", "nul", "png"],
)
def test_binary_file_is_refused_showing_none_of_its_bytes(tmp_path: Path, content: bytes) -> None:
    main = policy(tmp_path / "pol", "blob.rspl")
    (tmp_path / "pol" / "blob.rspl").write_bytes(content)
    done = check(str(main), cwd=tmp_path)
    refused(done, "E0107", "blob.rspl")
    assert "not UTF-8 text" in done.stdout
    assert "PNG" not in done.stdout + done.stderr


# ---------------------------------------------------------------------------- --import-path


def test_import_path_allows_an_outside_folder(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "roles.rspl").write_text(ROLE, encoding="utf-8")
    main = policy(tmp_path / "pol", "../lib/roles.rspl")
    assert check(str(main), cwd=tmp_path).returncode == 1
    done = check("--import-path", "lib", str(main), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    absolute = policy(tmp_path / "pol2", str(tmp_path / "lib" / "roles.rspl"))
    done = check("--import-path", str(tmp_path / "lib"), str(absolute), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_path_does_not_allow_a_sibling_folder(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "roles.rspl").write_text(ROLE, encoding="utf-8")
    main = policy(tmp_path / "pol", "../other/roles.rspl")
    done = check("--import-path", "lib", str(main), cwd=tmp_path)
    refused(done, "E0106", "../other/roles.rspl")


def test_import_path_must_be_a_folder(tmp_path: Path) -> None:
    main = policy(tmp_path / "pol", "roles.rspl")
    done = check("--import-path", "nowhere", str(main), cwd=tmp_path)
    assert done.returncode == 2
    assert "--import-path nowhere: not a folder" in done.stderr


@pytest.mark.parametrize("command", ["build", "eval", "test"])
def test_every_compiling_command_takes_import_path(tmp_path: Path, command: str) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "roles.rspl").write_text(ROLE, encoding="utf-8")
    main = policy(tmp_path / "pol", "../lib/roles.rspl")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    extra = {"build": ["-o", "out"], "eval": [], "test": []}[command]
    tail = {"build": [str(main)], "eval": [str(main), "a.json"], "test": [str(main)]}[command]

    def run(*more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rspl", command, *extra, *more, *tail],
            cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )

    assert run().returncode == 1
    done = run("--import-path", "lib")
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------------- the main file


@pytest.mark.parametrize("name", ["/dev/zero", "/dev/stdin"])
def test_main_file_that_is_not_a_file_is_a_usage_error(tmp_path: Path, name: str) -> None:
    done = check(name, cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "not a file" in done.stderr


def test_a_folder_without_policies_is_a_usage_error(tmp_path: Path) -> None:
    """A folder stands for the policies under it (tests/test_cli.py); with none, nothing is
    checked and the command says so."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.txt").write_text("not a policy", encoding="utf-8")
    done = check("folder", cwd=tmp_path)
    assert done.returncode == 2
    assert "no .rspl files in this folder" in done.stderr


def test_main_file_too_large_or_binary_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "big.rspl").write_text("#" * (loader.MAX_FILE_BYTES + 1), encoding="utf-8")
    (tmp_path / "bin.rspl").write_bytes(SECRET.encode() + b"\x00\xff")
    done = check("big.rspl", cwd=tmp_path)
    assert done.returncode == 2 and "larger than 10 MB" in done.stderr
    done = check("bin.rspl", cwd=tmp_path)
    assert done.returncode == 2 and "not UTF-8 text" in done.stderr
    assert SECRET not in done.stdout + done.stderr


# ---------------------------------------------------------------------------- the reader


def test_read_file_reads_at_most_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    exact, over = tmp_path / "exact.rspl", tmp_path / "over.rspl"
    exact.write_text("#" * 100, encoding="utf-8")
    over.write_text("#" * 101, encoding="utf-8")
    assert read_file(str(exact)) == "#" * 100
    with pytest.raises(FileRefusedError) as info:
        read_file(str(over))
    assert info.value.reason == loader.TOO_LARGE


def test_read_file_bounds_a_file_whose_size_is_not_known(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc files report size 0 and are regular: the read itself stops at the cap."""
    proc = "/proc/self/cmdline"
    if not os.path.isfile(proc):
        pytest.skip("needs /proc")
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 4)
    with pytest.raises(FileRefusedError) as info:
        read_file(proc)
    assert info.value.reason in (loader.TOO_LARGE, loader.NOT_TEXT)


def test_in_memory_reader_is_never_asked_for_a_refused_file() -> None:
    """The place is checked before the reader is called, whatever the reader."""
    asked: list[str] = []

    def read(path: str) -> str:
        asked.append(path)
        return ROLE

    text = HEADER + 'import "../up.rspl", "/etc/passwd", "notes.txt", "ok.rspl"\n'
    comp = compile_source(os.path.join("pol", "main.rspl"), text, read)
    codes = sorted(d.code for d in comp.diagnostics if d.code.startswith("E01"))
    assert codes == ["E0106", "E0106", "E0107"]
    assert asked == [os.path.join("pol", "ok.rspl")]


def test_stdlib_imports_are_unaffected() -> None:
    text = HEADER.replace("import std.actions", "import std.actions, std.contexts") + ROLE
    comp = compile_source("main.rspl", text, lambda p: (_ for _ in ()).throw(OSError(p)))
    assert comp.ok, comp.diagnostics


@pytest.mark.parametrize(
    "path", ["\x1b[2J\x1b[31mfake.rspl", "a\nrspl: ok, deployment permitted", "\u202eevil.rspl"]
)
def test_a_path_in_a_message_is_escaped(path: str) -> None:
    span = Span("main.rspl", 0, 1, 1, 1, 1, 2)
    for d in (
        msg.import_outside_roots(path, span),
        msg.import_not_policy_name(path, span),
        msg.import_not_regular(path, "it is a folder, not a file", span),
        msg.import_too_large(path, loader.MAX_FILE_BYTES, span),
        msg.import_not_text(path, span),
        msg.unreadable_import(path, span),
    ):
        assert d.message.isprintable(), d.message
