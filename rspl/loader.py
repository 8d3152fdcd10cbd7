"""Pass 3, load: read the main file and, transitively, everything it imports.

`import std.contexts` reads a shipped stdlib module; `import "shared/roles.rspl"` reads a file
relative to the importing file; `import team.roles` reads `team/roles.rspl` beside it.
Missing modules (E0103), cycles (E0104) and a `policy` header in an imported file (E0102) are
reported here. Parsing and building are called per file.

What a compilation may read is decided here, in one place (`ImportRoots`, `read_file`,
`MAX_FILE_BYTES`): an imported file must lie, once symlinks and `..` are resolved, under the main
policy's folder or under a folder given with `--import-path` (E0106); it must be named `*.rspl`,
be a regular file (no folder, device, FIFO or socket), at most `MAX_FILE_BYTES` long, and UTF-8
text without NUL characters (E0107). A refused file is never shown: its diagnostic points at
the import statement. Imported files are parsed once per process and content
(`parse_module`, keyed by the SHA-256 of their text): `rspl check` of many files and the
language server's re-checks reuse the stdlib's and shared files' modules. Build outputs name
files by `Program.names`, relative to the main
policy's folder, so they do not depend on where or how the policy was compiled.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from rspl import messages as msg
from rspl import nodes as n
from rspl.builder import ItemBuilder
from rspl.diagnostics import Diagnostic, Label, Reporter
from rspl.limits import MAX_IMPORT_DEPTH
from rspl.parser import parse
from rspl.resources import stdlib_module, stdlib_modules


@attrs.frozen
class Program:
    """Every module of one policy, the main one first, then imports in the order first met.

    `imports[m]` lists the modules that module `m` imports directly, each with the import
    target that names it.
    `texts` maps each file label to its source text, for snippets and hashing.
    `names` maps each file label (the path as typed, for diagnostics) to the name build
    outputs use: the main file by its base name, an imported file by its path relative to the
    main file's folder (symlinks resolved, `/`-separated), a stdlib module as
    `<stdlib>/std/x.rspl`.
    """

    main: n.Module
    modules: tuple[n.Module, ...]
    imports: dict[str, tuple[tuple[str, n.ImportTarget], ...]]
    texts: dict[str, str]
    names: dict[str, str]

    def without_declarations(self) -> Program:
        """The same files (texts, names, imports), each module without its declarations:
        what a compilation keeps once lowering has let the declarations go."""
        modules = tuple(attrs.evolve(m, items=()) for m in self.modules)
        return attrs.evolve(self, main=modules[0], modules=modules)


Reader = Callable[[str], str]
"""Returns the text of a file, given its path; raises `OSError` when it is missing or
unreadable and `FileRefusedError` when it is not a policy file. `read_file` reads the disk; tests
pass in-memory readers."""

MAX_FILE_BYTES = 10 * 1024 * 1024
"""The largest policy file, main or imported, that is read (10 MB)."""

POLICY_SUFFIX = ".rspl"

# Why a file is refused (`FileRefusedError.reason`).
FOLDER, DEVICE, FIFO, SOCKET, SPECIAL, TOO_LARGE, NOT_TEXT = (
    "folder", "device", "fifo", "socket", "special", "too-large", "not-text"
)


class FileRefusedError(ValueError):
    """A path that is not a policy file; raised before any byte of it could be shown."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path!r}: {reason}")
        self.path = path
        self.reason = reason

    @property
    def why(self) -> str:
        """Why, in words: `it is a folder`."""
        return refusal_words(self.reason)


def refusal_words(reason: str) -> str:
    return {
        FOLDER: "it is a folder, not a file",
        DEVICE: "it is a device, not a file",
        FIFO: "it is a named pipe (FIFO), not a file",
        SOCKET: "it is a socket, not a file",
        SPECIAL: "it is not a regular file",
        TOO_LARGE: f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
        NOT_TEXT: "it is not UTF-8 text",
    }.get(reason, "it is not a policy file")


def _file_kind(mode: int) -> str | None:
    """None for a regular file, else the refusal reason."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return FOLDER
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return DEVICE
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISSOCK(mode):
        return SOCKET
    return SPECIAL


def read_file(path: str) -> str:
    """The text of the policy file `path`. Only a regular file is opened (checked with
    `os.stat` before opening, and again on the open descriptor, which is opened non-blocking
    so that a FIFO swapped in cannot hang); at most `MAX_FILE_BYTES` are read; the bytes must
    be UTF-8 text without NUL. Raises `OSError` (missing, unreadable) or `FileRefusedError`."""
    kind = _file_kind(os.stat(path).st_mode)
    if kind is not None:
        raise FileRefusedError(path, kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        kind = _file_kind(info.st_mode)
        if kind is not None:
            raise FileRefusedError(path, kind)
        if info.st_size > MAX_FILE_BYTES:
            raise FileRefusedError(path, TOO_LARGE)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:  # bounded: a file that grows is cut at the cap + 1
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise FileRefusedError(path, TOO_LARGE)
    return decode_policy(b"".join(chunks), path)


def decode_policy(data: bytes, path: str) -> str:
    """`data` as text, or `FileRefusedError(NOT_TEXT)`: not UTF-8, or holding a NUL."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefusedError(path, NOT_TEXT) from None
    if "\0" in text:
        raise FileRefusedError(path, NOT_TEXT)
    return text


@attrs.frozen
class ImportRoots:
    """The folders imported files may come from: the main policy's folder and each
    `--import-path` folder, symlinks resolved."""

    folders: tuple[str, ...]

    @classmethod
    def of(cls, main: str, import_path: Sequence[str] = ()) -> ImportRoots:
        folders = [os.path.dirname(main) or os.curdir, *import_path]
        return cls(tuple(dict.fromkeys(os.path.realpath(f) for f in folders)))

    def contain(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(
            real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in self.folders
        )


def build_module(
    name: str, label: str, text: str, reporter: Reporter, stdlib: bool
) -> n.Module:
    """Parse and build one file, uncached; a file with a syntax error yields a module with no
    items. (`rspl.pipeline` pauses the cyclic collector around the whole compilation.)"""
    builder = ItemBuilder(label, reporter)
    tree = parse(text, label, reporter, builder.build_item)
    items = builder.finish(tree) if tree is not None else ()
    return n.Module(name=name, path=label, items=items, is_stdlib=stdlib)


MODULE_CACHE_SIZE = 64
"""How many parsed imported files `parse_module` keeps (least recently used dropped first).
The main file is not cached: it is the one being edited, and `rspl check` of many files would
keep them all."""

_module_cache: OrderedDict[tuple[str, str, bool, bytes], tuple[n.Module, tuple[Diagnostic, ...]]]
_module_cache = OrderedDict()


def parse_module(name: str, label: str, text: str, reporter: Reporter, stdlib: bool) -> n.Module:
    """`build_module`, cached by content: a file whose name, label and text (its SHA-256) were
    parsed before is not parsed again; the module (nodes are immutable) and what parsing
    reported are reused. Invalidated by content only, never by time: an edited file misses."""
    key = (name, label, stdlib, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())
    hit = _module_cache.get(key)
    if hit is None:
        held = Reporter()
        hit = (build_module(name, label, text, held, stdlib), tuple(held.diagnostics))
        _module_cache[key] = hit
        if len(_module_cache) > MODULE_CACHE_SIZE:
            _module_cache.popitem(last=False)
    else:
        _module_cache.move_to_end(key)
    reporter.take(hit[1])
    return hit[0]


ModuleParser = Callable[[str, str, str, Reporter, bool], n.Module]
"""Parses one file: `parse_module`'s signature (name, label, text, reporter, stdlib)."""


def load(
    path: str,
    text: str,
    reporter: Reporter,
    read: Reader = read_file,
    import_path: Sequence[str] = (),
    *,
    parse_main: ModuleParser = build_module,
) -> Program:
    """Load the policy in `path` (whose text is `text`) and all it imports; imported files
    may come only from under `path`'s folder or an `import_path` folder. `parse_main` parses
    the main file (the language server passes an incremental parser, `rspl.incremental`)."""
    path = os.path.normpath(path)
    roots = ImportRoots.of(path, import_path)
    home = roots.folders[0]
    main = parse_main(path, path, text, reporter, False)
    modules: dict[str, n.Module] = {path: main}
    imports: dict[str, tuple[tuple[str, n.ImportTarget], ...]] = {}
    texts = {path: text}
    names = {path: os.path.basename(path)}
    stack: list[str] = []

    # `visit` is handed itself to recurse, not found in its own closure: a function in its own
    # closure is a reference cycle, and with the cyclic collector paused while the compiler
    # runs (`rspl.pipeline`) the cycle would keep every module alive until the compilation
    # ends, whoever had let go of the program (`compile_source(keep_program=False)`).
    def visit(module: n.Module, again: Callable[[n.Module, Any], None]) -> None:
        stack.append(module.name)
        found: dict[str, n.ImportTarget] = {}
        for item in module.items:
            if isinstance(item, n.PolicyHeader) and module is not main:
                reporter.add(msg.policy_header_in_import(item.span))
            if not isinstance(item, n.Import):
                continue
            for target in item.targets:
                located = _locate(module, target, read, roots)
                if isinstance(located, _Refusal):
                    _report_refused(target, located, reporter)
                    continue
                key, label, source = located
                if source is None:
                    _report_missing(target, reporter)
                    continue
                if key in stack:
                    cycle = [*stack[stack.index(key):], key]
                    reporter.add(msg.import_cycle([_short(m) for m in cycle], target.span))
                    continue
                if key not in modules and len(stack) > MAX_IMPORT_DEPTH:  # one import too deep
                    reporter.add(msg.imports_too_deep(MAX_IMPORT_DEPTH, target.span))
                    continue
                found.setdefault(key, target)
                if key in modules:
                    continue
                texts[label] = source
                is_std = target.kind == "module" and label.startswith("<stdlib>")
                names[label] = label if is_std else _build_name(label, home)
                child = parse_module(key, label, source, reporter, stdlib=is_std)
                modules[key] = child
                again(child, again)
        imports[module.name] = tuple(found.items())
        stack.pop()

    visit(main, visit)
    return Program(main, tuple(modules.values()), imports, texts, names)


def _build_name(label: str, home: str) -> str:
    """The name build outputs give an imported file: its path relative to the main file's
    folder `home` (both with symlinks resolved), `/`-separated."""
    return os.path.relpath(os.path.realpath(label), home).replace(os.sep, "/")


def _short(name: str) -> str:
    return os.path.basename(name) if os.sep in name else name


@attrs.frozen
class _Refusal:
    """An import refused before reading: outside the roots, or not a policy file."""

    path: str  # as written in the import
    reason: str  # OUTSIDE, NOT_POLICY_NAME or a `FileRefusedError` reason


OUTSIDE, NOT_POLICY_NAME = "outside", "not-policy-name"


def _locate(
    module: n.Module, target: n.ImportTarget, read: Reader, roots: ImportRoots
) -> tuple[str, str, str | None] | _Refusal:
    """(module key, file label, text or None) for one import target, or why it is refused.
    The place is checked before the file is read: a refused file is never opened."""
    base = os.path.dirname(module.path) if not module.is_stdlib else ""
    if target.kind == "module":
        std = stdlib_module(target.path)
        if std is not None:
            return target.path, std[0], std[1]
        if module.is_stdlib:
            return target.path, target.path, None
        rel = os.path.join(base, *target.path.split(".")) + POLICY_SUFFIX
    else:
        if module.is_stdlib:
            return target.path, target.path, None
        if "\0" in target.path:
            return _Refusal(target.path, NOT_POLICY_NAME)
        rel = os.path.join(base, target.path)
    key = os.path.normpath(rel)
    if not roots.contain(key):
        return _Refusal(target.path, OUTSIDE)
    if not key.endswith(POLICY_SUFFIX):
        return _Refusal(target.path, NOT_POLICY_NAME)
    try:
        return key, key, read(key)
    except FileRefusedError as refused:
        return _Refusal(target.path, refused.reason)
    except UnicodeDecodeError:  # from a reader other than `read_file`
        return _Refusal(target.path, NOT_TEXT)
    except (OSError, ValueError):
        return key, key, None


def _report_refused(target: n.ImportTarget, refusal: _Refusal, reporter: Reporter) -> None:
    if refusal.reason == OUTSIDE:
        reporter.add(msg.import_outside_roots(refusal.path, target.span))
    elif refusal.reason == NOT_POLICY_NAME:
        reporter.add(msg.import_not_policy_name(refusal.path, target.span))
    elif refusal.reason == TOO_LARGE:
        reporter.add(msg.import_too_large(refusal.path, MAX_FILE_BYTES, target.span))
    elif refusal.reason == NOT_TEXT:
        reporter.add(msg.import_not_text(refusal.path, target.span))
    else:
        why = refusal_words(refusal.reason)
        reporter.add(msg.import_not_regular(refusal.path, why, target.span))


def _report_missing(target: n.ImportTarget, reporter: Reporter) -> None:
    if target.kind == "module":
        modules = stdlib_modules()
        reporter.add(msg.unknown_module(target.path, target.span, stdlib_modules=modules))
    else:
        reporter.add(msg.unreadable_import(target.path, target.span))


__all__ = [
    "MAX_FILE_BYTES",
    "FileRefusedError",
    "ImportRoots",
    "Label",
    "ModuleParser",
    "Program",
    "Reader",
    "build_module",
    "load",
    "parse_module",
    "read_file",
]
