"""The compiler, pass by pass. `PASSES` lists them in order and `compile_source` runs that
list, so reading this module explains the whole front end:

    load (parse + build each file, following imports) -> resolve -> check -> lower

Each pass lives in its own module and reports problems to the one `Reporter` of the
compilation; none raises on bad input. The IR is produced only when no pass reported an error.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import attrs

from rspl.checker import check
from rspl.diagnostics import Diagnostic, Reporter
from rspl.loader import ModuleParser, Program, Reader, build_module, load, read_file
from rspl.resolver import Resolution, resolve

if TYPE_CHECKING:  # the IR is imported only when it is built: `rspl check` starts faster
    from rspl import ir


@attrs.define
class Unit:
    """One compilation in progress: its input, its reporter, and what each pass has made."""

    path: str
    text: str
    read: Reader
    import_path: tuple[str, ...] = ()
    parse_main: ModuleParser = build_module
    keep_program: bool = True
    reporter: Reporter = attrs.field(factory=Reporter)
    program: Program | None = None
    resolution: Resolution | None = None
    policy: ir.Policy | None = None


def _load(unit: Unit) -> None:
    unit.program = load(
        unit.path, unit.text, unit.reporter, unit.read, unit.import_path,
        parse_main=unit.parse_main,
    )


def _resolve(unit: Unit) -> None:
    assert unit.program is not None
    unit.resolution = resolve(unit.program, unit.reporter)


def _check(unit: Unit) -> None:
    assert unit.program is not None and unit.resolution is not None
    check(unit.program, unit.resolution, unit.reporter)


def _lower(unit: Unit) -> None:
    from rspl.lower import Lowering  # only when the IR is built

    assert unit.program is not None and unit.resolution is not None
    lowering = Lowering(unit.program, unit.resolution)
    if not unit.keep_program:  # then the lowering holds the last references: see `rspl.lower`
        unit.program = unit.program.without_declarations()
        unit.resolution = None
    unit.policy = lowering.policy()


@attrs.frozen
class Pass:
    """A pass: its name, its module, what it does to a `Unit`, and whether it runs only when
    no earlier pass reported an error (lowering needs a checked program)."""

    name: str
    module: str
    run: Callable[[Unit], None]
    needs_clean: bool = False


PASSES: tuple[Pass, ...] = (
    Pass("load", "rspl.loader", _load),  # calls rspl.parser and rspl.builder per file
    Pass("resolve", "rspl.resolver", _resolve),
    Pass("check", "rspl.checker", _check),
    Pass("lower", "rspl.lower", _lower, needs_clean=True),
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. The passes build large acyclic trees and
    free almost nothing; the collector would rescan them again and again and make big
    policies quadratic. The one place the compiler pauses it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@attrs.frozen
class Compilation:
    """Everything one compilation produced: sorted diagnostics, the program, and the IR
    (None when there were errors)."""

    diagnostics: tuple[Diagnostic, ...]
    program: Program
    resolution: Resolution | None
    policy: ir.Policy | None

    @property
    def ok(self) -> bool:
        """No errors were reported."""
        return not any(d.severity.value == "error" for d in self.diagnostics)

    @property
    def texts(self) -> dict[str, str]:
        return self.program.texts


def compile_source(
    path: str,
    text: str,
    read: Reader = read_file,
    *,
    build_ir: bool = True,
    import_path: Sequence[str] = (),
    parse_main: ModuleParser = build_module,
    keep_program: bool = True,
) -> Compilation:
    """Compile the policy whose main file is `path` with contents `text`: run `PASSES` in
    order. With `build_ir=False` (what `rspl check` needs) the passes stop before lowering.
    `parse_main` parses the main file (`rspl.incremental` re-parses only what an edit touched).
    `read` reads imported files; they may come only from under `path`'s folder or one of the
    `import_path` folders (see `rspl.loader`). With `keep_program=False` (what `rspl build`
    needs: the IR, not the program), lowering lets each declaration go once lowered, and
    when the IR is built the compilation's program keeps only its files (texts, names,
    imports) and its resolution is None."""
    unit = Unit(path, text, read, tuple(import_path), parse_main, keep_program)
    with collector_paused():
        for step in PASSES:
            if step.needs_clean and (unit.reporter.has_errors or not build_ir):
                break  # only lowering needs a clean program, and only it builds the IR
            step.run(unit)
    assert unit.program is not None
    return Compilation(tuple(unit.reporter.sorted()), unit.program, unit.resolution, unit.policy)


def compile_file(
    path: str,
    *,
    build_ir: bool = True,
    import_path: Sequence[str] = (),
    keep_program: bool = True,
) -> Compilation:
    """Compile the policy in the file `path` (`compile_source`). Raises OSError if it cannot
    be read and `rspl.loader.FileRefusedError` if it is not a policy file (not a regular file,
    too large, not UTF-8 text)."""
    return compile_source(
        path, read_file(path), build_ir=build_ir, import_path=import_path,
        keep_program=keep_program,
    )  # fmt: skip
