"""`rspl verify` on every example: the result of each property and the time per example.

Run: python bench/verify.py [--timeout S]

Each example under `examples/` is compiled, then verified in every context (monotone,
fail-closed and its two documented exceptions, never and always permitted), every rule is
checked for being dead, every level, standard and includable requirement for adding nothing,
and every `assert` block in each context it names, as `rspl verify POLICY` does. Every
refutation has been confirmed by the reference interpreter (an unconfirmed one is an
`error`). Prints one row per example: the time (the median of 3 runs, compilation excluded),
then per property how many contexts were proved (P), refuted (R), unknown (U) or errors (E);
the whole-policy properties are counted over the rules, levels, standards and requirements,
assertions per context. The last line is machine-readable: `verify_max_seconds=T errors=N
unknown=M`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rspl.analysis.verify import PROPERTIES, WHOLE, verify  # noqa: E402
from rspl.pipeline import compile_file  # noqa: E402

LETTER = {"proved": "P", "refuted": "R", "unknown": "U", "error": "E"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per solver call")
    args = parser.parse_args()
    props = (*PROPERTIES, "dead-rule", *WHOLE, "assert")
    print("| example | seconds | " + " | ".join(props) + " |")
    print("|---|---:|" + "---|" * len(props))
    worst, errors, unknown = 0.0, 0, 0
    for path in sorted((ROOT / "examples").glob("*.rspl")):
        policy = compile_file(str(path)).policy
        assert policy is not None, path
        times = []
        for _ in range(3):
            start = time.perf_counter()
            results = verify(policy, timeout=args.timeout)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        worst = max(worst, seconds)
        counts = Counter((r.prop, r.result) for r in results)
        errors += sum(v for (_, res), v in counts.items() if res == "error")
        unknown += sum(v for (_, res), v in counts.items() if res == "unknown")
        cells = []
        for prop in props:
            got = [f"{n}{LETTER[res]}" for (p, res), n in sorted(counts.items()) if p == prop]
            cells.append(" ".join(got) or "-")
        print(f"| {path.name} | {seconds:.2f} | " + " | ".join(cells) + " |")
    print(f"verify_max_seconds={worst:.2f} errors={errors} unknown={unknown}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
