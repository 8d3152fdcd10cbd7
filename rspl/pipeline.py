"""The compiler, pass by pass. Reading `compile_source` explains the whole front end.

    parse -> build -> load imports -> resolve -> check -> lower

Each pass lives in its own module and reports problems to one `Reporter`; none raises on bad
input. The IR is produced only when no pass reported an error.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import attrs

from rspl.checker import check
from rspl.diagnostics import Diagnostic, Reporter
from rspl.loader import Program, Reader, load, read_file
from rspl.resolver import Resolution, resolve

if TYPE_CHECKING:  # the IR is imported only when it is built: `rspl check` starts faster
    from rspl import ir

PASSES = (
    ("parse", "rspl.parser"),
    ("build", "rspl.builder"),
    ("load", "rspl.loader"),
    ("resolve", "rspl.resolver"),
    ("check", "rspl.checker"),
    ("lower", "rspl.lower"),
)


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
    path: str, text: str, read: Reader = read_file, *, build_ir: bool = True
) -> Compilation:
    """Compile the policy whose main file is `path` with contents `text`. With
    `build_ir=False` (what `rspl check` needs) the passes stop after checking."""
    # The passes build large acyclic trees and free almost nothing; the cyclic collector
    # would rescan them again and again and make big policies quadratic. Pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        reporter = Reporter()
        program = load(path, text, reporter, read)  # parse + build every file it imports
        resolution = resolve(program, reporter)
        check(program, resolution, reporter)
        policy = None
        if build_ir and not reporter.has_errors:
            from rspl.lower import lower

            policy = lower(program, resolution)
    finally:
        if was_enabled:
            gc.enable()
    return Compilation(tuple(reporter.sorted()), program, resolution, policy)


def compile_file(path: str, *, build_ir: bool = True) -> Compilation:
    """Compile the policy in the file `path`. Raises OSError if it cannot be read."""
    return compile_source(path, read_file(path), build_ir=build_ir)
