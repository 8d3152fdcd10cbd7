"""Where a compilation's memory goes: the front end, the IR it leaves, and each backend.

Run: python bench/memory.py [--size N] [DIMENSION ...]

`bench/scaling.py` measures the peak resident memory of whole `rspl check` and `rspl build`
processes; this script says which part of the compiler holds it. For each dimension of
`bench/scaling.py` (default: all, at their largest size) it compiles the synthetic policy in
this process under `tracemalloc` and prints, in MB of Python allocations (the allocator's
unused arenas, which RSS includes, are not counted):

- `check peak`: the most held while parsing, resolving and checking (`rspl check`), less
  what was held before (the modules imported, Lark's parser tables);
- `lowering peak`: the same with lowering to the IR, compiled as `rspl build` compiles
  (`keep_program=False`: lowering frees each declaration once lowered);
- `IR`: what the IR holds once the program and its resolution are freed;
- for each backend: the size of its output and the most it held above the IR while
  writing it as `rspl build` does (`rspl.build.write_outputs`, one target at a time).

Each figure is also given per byte of source (the bar of issue 9 is 20 bytes of memory per
byte of source). The figures do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling import DIMENSIONS

from rspl import pipeline
from rspl.build import write_outputs

TARGETS = ("python", "markdown", "jsonschema", "html")


def measure(name: str, size: float) -> list[tuple[str, float, float | None]]:
    """(what, MB held, MB written or None) for the policy of dimension `name` at `size`."""
    generate = DIMENSIONS[name][0]
    text = generate(size if name == "string" else int(size))  # type: ignore[arg-type]
    for target in TARGETS:  # the backends' modules, imported before measuring
        __import__(f"rspl.backends.{target}")
    __import__("rspl.lower")
    pipeline.compile_source("<warm-up>", "policy w \"W\" { organization \"B\" version \"1\" "
                            "effective 2025-01-01 }\n")  # fmt: skip
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    checked = pipeline.compile_source(f"{name}.rspl", text, build_ir=False)
    _, check = tracemalloc.get_traced_memory()
    del checked
    gc.collect()
    tracemalloc.reset_peak()
    result = pipeline.compile_source(f"{name}.rspl", text, keep_program=False)
    if not result.ok:
        raise SystemExit(f"{name}: the synthetic policy does not compile")
    _, front = tracemalloc.get_traced_memory()
    policy = result.policy
    assert policy is not None
    del result
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    rows: list[tuple[str, float, float | None]] = [
        ("check peak", (check - before) / 1e6, None),
        ("lowering peak", (front - before) / 1e6, None),
        ("IR", (held - before) / 1e6, None),
    ]
    for target in TARGETS:
        with tempfile.TemporaryDirectory() as folder:
            tracemalloc.reset_peak()
            paths = write_outputs(policy, folder, [target])  # as `rspl build` writes them
            _, peak = tracemalloc.get_traced_memory()
            written = sum(Path(p).stat().st_size for p in paths)
        gc.collect()
        rows.append((target, (peak - held) / 1e6, written / 1e6))
    tracemalloc.stop()
    rows.insert(0, ("source", len(text.encode()) / 1e6, None))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dimensions", nargs="*", help=f"of {', '.join(DIMENSIONS)} (default: all)")
    ap.add_argument("--size", type=float, help="this size for every dimension asked")
    args = ap.parse_args()
    unknown = [d for d in args.dimensions if d not in DIMENSIONS]
    if unknown:
        ap.error(f"unknown dimension {unknown[0]!r}: choose from {', '.join(DIMENSIONS)}")
    print(f"{'dimension':<14} {'size':>6} {'part':<15} {'held MB':>8} {'per src B':>9} "
          f"{'output MB':>9}")  # fmt: skip
    for name in args.dimensions or list(DIMENSIONS):
        size = args.size if args.size is not None else DIMENSIONS[name][1][-1]
        rows = measure(name, size)
        source = rows[0][1]
        for part, mb, out in rows[1:]:
            shown = f"{out:9.2f}" if out is not None else " " * 9
            print(f"{name:<14} {size:>6g} {part:<15} {mb:8.2f} {mb / source:9.1f} {shown}")
        print(f"{name:<14} {size:>6g} {'source':<15} {source:8.2f}")


if __name__ == "__main__":
    main()
