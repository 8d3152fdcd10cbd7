"""Language server speed: re-checking an edited policy, as `rspl lsp` does after each change.

Run: python bench/lsp_recheck.py [--file F] [-n N] [--runs R]

A re-check is what the server does once the typing pauses: compile the document from its new
text (parse only what the edit touched, `rspl.incremental`; imported modules from the
content-hash cache of `rspl.loader.parse_module`; resolve; check) and index its symbols
(`rspl.index`). Each timed re-check follows a one-character edit (a space inserted at, then
removed from, the start of a random line). The bar (issue 14): under 50 ms warm on the OpenAI
example. For comparison it also times the same re-check without the incremental parser (the
whole document parsed again, imports cached), and a cold check (nothing cached, as
`rspl check` of one file in a fresh process pays besides start-up).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from rspl import loader
from rspl.incremental import DocumentParser
from rspl.index import Index
from rspl.loader import build_module
from rspl.pipeline import compile_source

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "examples" / "openai-preparedness-v2.rspl"


def _edits(text: str, n: int, seed: int) -> list[str]:
    """`n` versions of `text`, each one character away from the one before."""
    rng = random.Random(seed)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text)]
    out = []
    for _ in range(n // 2 + 1):
        at = rng.choice(starts)
        out.append(text[:at] + " " + text[at:])
        out.append(text)
    return out[:n]


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def recheck_times(path: Path, n: int, seed: int, *, incremental: bool = True) -> list[float]:
    """Milliseconds of `n` re-checks, each after a one-character edit."""
    text = path.read_text(encoding="utf-8")
    label = str(path)
    doc = DocumentParser()
    parse = doc.parse if incremental else build_module
    versions = _edits(text, n + 5, seed)
    times = []
    for i, version in enumerate(versions):
        start = time.perf_counter()
        comp = compile_source(label, version, build_ir=False, parse_main=parse)
        Index(comp)
        if i >= 5:  # the first re-checks warm up (the document's first parse among them)
            times.append((time.perf_counter() - start) * 1000)
    if incremental:
        assert doc.reused >= n, "every timed re-check was incremental"
    return times


def cold_time(path: Path) -> float:
    loader._module_cache.clear()
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    compile_source(str(path), text, build_ir=False, parse_main=build_module)
    loader._module_cache.clear()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("-n", type=int, default=100, help="timed re-checks per run")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    lines = args.file.read_text(encoding="utf-8").count("\n")
    print(f"{args.file.name}: {lines} lines, {args.n} re-checks per run")
    for run in range(args.runs):
        inc = recheck_times(args.file, args.n, seed=run)
        full = recheck_times(args.file, max(10, args.n // 5), seed=run, incremental=False)
        cold = statistics.median(cold_time(args.file) for _ in range(5))
        print(
            f"run {run + 1}: re-check median {statistics.median(inc):.1f} ms, "
            f"p95 {_p95(inc):.1f} ms | whole document re-parsed: median "
            f"{statistics.median(full):.1f} ms | cold check {cold:.1f} ms"
        )


if __name__ == "__main__":
    main()
