"""Compiler speed: `rspl check` on synthetic policies of 1k, 10k and 100k lines, and the
start-up time of `rspl check` on the shipped example.

Run: python bench/compile.py [--quick]

Each size is compiled in a fresh child process, which reports the time of the front end
(parse, build, load, resolve, check, lower) and its peak memory (max RSS). Lines per second
should stay roughly constant as the size grows (linear cost). Bars (brief.md): 10k lines under
1 s, linear up to 100k, start-up under 250 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "anthropic-rsp-v2.2.rspl"

HEADER = """policy synthetic "Synthetic benchmark policy" {
  organization "Bench"
  version "1.0"
  effective 2025-01-01
  combine highest standard per family
}
import std.contexts, std.actions

role RSO "Responsible Scaling Officer" source "§1"
role CEO "Chief Executive Officer" source "§1"
family deployment "Deployment standards" source "§2"
family security "Security standards" source "§2"
evidence compute_growth: multiplier "Effective compute growth" source "§3"
evidence last_assessment: date "Last comprehensive assessment" source "§3"
"""

BLOCK = """
# ---- block {i}
domain D{i} "Domain {i}" {{
  status tracked
  decided by RSO
  source "§{i}.1"
  level D{i}_L1 "Level 1" {{ means "A first capability level for domain {i}." source "§{i}.1" }}
  level D{i}_L2 "Level 2" {{ means "A second capability level for domain {i}." source "§{i}.1" }}
  level D{i}_L3 "Level 3" {{ means "A third capability level for domain {i}." source "§{i}.1" }}
}}
safeguard S{i}_a "Safeguard {i} a" {{ category security source "§{i}.2" }}
safeguard S{i}_b "Safeguard {i} b" {{ category security source "§{i}.2" }}
safeguard S{i}_c "Safeguard {i} c" {{ category deployment source "§{i}.2" }}
standard Std{i}_1 "Standard {i}.1" in security {{
  includes S{i}_a
  source "§{i}.3"
}}
standard Std{i}_2 "Standard {i}.2" in security extends Std{i}_1 {{
  includes S{i}_b
  source "§{i}.3"
}}
standard Dep{i} "Deployment standard {i}" in deployment {{
  includes S{i}_c
  source "§{i}.3"
}}
define hot{i} "Domain {i} is hot" as D{i} >= D{i}_L2 or compute_growth >= 4x
rule r{i}_1 "Domain {i} level 2" {{
  source "§{i}.4"
  when hot{i} and not (D{i} >= D{i}_L3)
  require Std{i}_1
  require Dep{i} for external_deployment
  must notify CEO before external_deployment by RSO
}}
rule r{i}_2 "Domain {i} level 3" {{
  source "§{i}.4"
  when D{i} >= D{i}_L3 or since last_assessment >= 6 months
  require Std{i}_2
  must complete S{i}_a within 30 days by RSO
  if unmet {{
    may apply Std{i}_1 approved by CEO, RSO
    must pause training until Std{i}_2 is implemented
  }}
}}
scenario s{i} "Domain {i} at level 3" {{
  given D{i} at D{i}_L3
  given as of 2025-06-01
  expect required Std{i}_2
  expect external_deployment blocked
}}
"""


def synthetic(lines: int) -> str:
    parts = [HEADER]
    count = HEADER.count("\n")
    i = 0
    while count < lines:
        block = BLOCK.format(i=i)
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts)


CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from rspl.pipeline import compile_source
text = open(sys.argv[1], encoding="utf-8").read()
t1 = time.perf_counter()
result = compile_source(sys.argv[1], text)
t2 = time.perf_counter()
errors = [d for d in result.diagnostics if d.severity.value == "error"]
print(json.dumps({
    "lines": text.count("\n"), "seconds": t2 - t1, "import_seconds": t1 - t0,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "errors": len(errors), "diagnostics": len(result.diagnostics),
}))
"""


def measure(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def startup(runs: int) -> float:
    """Median wall time of `python -m rspl check EXAMPLE`, in seconds."""
    target = EXAMPLE if EXAMPLE.exists() else None
    if target is None:
        raise SystemExit(f"missing {EXAMPLE}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rspl", "check", "--format", "concise", str(target)],
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip the 100k-line policy")
    args = ap.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"synthetic-{size}.rspl"
            path.write_text(synthetic(size), encoding="utf-8")
            best = min((measure(path) for _ in range(3 if size <= 10_000 else 1)),
                       key=lambda r: r["seconds"])  # fmt: skip
            if best["errors"]:
                raise SystemExit(f"synthetic policy of {size} lines has errors")
            rows.append(best)
    print(f"{'lines':>8} {'seconds':>9} {'lines/s':>9} {'peak MB':>8}")
    for r in rows:
        print(f"{int(r['lines']):>8} {r['seconds']:>9.3f} {r['lines'] / r['seconds']:>9.0f} "
              f"{r['peak_mb']:>8.1f}")  # fmt: skip
    # Compare per-line cost from 10k lines up (1k lines is dominated by fixed costs).
    first, last = (rows[1], rows[-1]) if len(rows) > 2 else (rows[0], rows[-1])
    ratio = (last["seconds"] / last["lines"]) / (first["seconds"] / first["lines"])
    start = startup(7)
    print(f"per-line cost, {int(last['lines'])} vs {int(first['lines'])} lines: "
          f"{ratio:.2f}x (1.0 = linear)")
    print(f"start-up of `rspl check` on {EXAMPLE.name}: {start * 1000:.0f} ms (median of 7)")
    ten_k = next(r for r in rows if r["lines"] >= 10_000)
    print(f"check_10k_seconds={ten_k['seconds']:.3f} linearity={ratio:.2f} "
          f"startup_ms={start * 1000:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
