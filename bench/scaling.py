"""Growth of the compiler's cost with the size of one dimension of a policy.

Run: python bench/scaling.py [--quick] [--cpu] [--only DIMENSION ...] [--sizes N ...]

For each dimension a synthetic policy is written at 3-4 sizes and compiled by `rspl check`
and `rspl build` (all targets), each in a fresh `python -m rspl` process, timing the wall
clock (`--cpu`: the child's CPU time, steadier on a shared machine) and reading the child's
peak memory (max RSS) from `wait4`:

- `levels`: one domain with N levels, one rule per level (mixed operators, some combined with
  a fact or a definition), so the never-true analysis meets a domain of N levels N times;
- `extends`: a chain of N standards, each extending the one before and adding one safeguard
  (`extends_none`: only the first has a safeguard);
- `domains_rules`: N domains of three levels and N rules, one per domain;
- `string`: one `means` text of N MB (with escapes) in an otherwise tiny policy.

Times are wall-clock seconds, or with `--cpu` the child's CPU time (user + system), which the
load of other processes on the machine inflates much less. The growth exponent of a dimension
is the log-log slope of the time between the two largest
sizes, after subtracting the fixed cost (the same command on a policy of size zero: start-up,
stdlib, parser). The memory measured is the peak resident memory of the `rspl` process (max
RSS, which includes the allocator's unused arenas) less that of the same command on the empty
policy, divided by the source size: `chk/src` for `rspl check`, `bld/src` for `rspl build`
(which also holds the outputs, one target at a time). Bars (issue 9): exponents at most 1.2;
memory at most 20x the source size. The final line gives every exponent (the larger of check
and build) and the worst memory ratios (check, and the larger of the two) at the largest
sizes.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HEADER = """policy scaling "Scaling benchmark policy" {
  organization "Bench"
  version "1.0"
  effective 2025-01-01
  combine highest standard per family
}
import std.contexts

role RSO "Responsible Scaling Officer" source "§1"
family security "Security standards" source "§1"
evidence passed: fact "An evaluation passed" source "§1"
safeguard base "Base safeguard" { category security source "§1" }
"""

_OPS = (">=", ">", "<=", "<", "==", "!=")


def levels_policy(n: int) -> str:
    parts = [HEADER, 'domain D "Domain" {\n  status tracked\n  decided by RSO\n  source "§2"\n']
    parts += [f'  level L{k} "Level {k}" source "§2"\n' for k in range(1, n + 1)]
    parts.append("}\n")
    if n:
        parts.append(f'define high "High" as D >= L{(n + 1) // 2} source "§3"\n')
    for k in range(1, n + 1):
        cond = f"D {_OPS[k % len(_OPS)]} L{k}"
        if k % 3 == 1:
            cond += " and passed"
        elif k % 3 == 2:
            cond += f" or (high and not D >= L{n - k + 1})"
        parts.append(f'rule r{k} "Rule {k}" {{\n  source "§4"\n  when {cond}\n  require base\n}}\n')
    return "".join(parts)


def _extends_policy(n: int, every: bool) -> str:
    parts = [HEADER]
    for k in range(n):
        if k == 0 or every:
            parts.append(f'safeguard s{k} "Safeguard {k}" {{ category security source "§2" }}\n')
        ext = f" extends Std{k - 1}" if k else ""
        inc = f"  includes s{k}\n" if k == 0 or every else ""
        parts.append(
            f'standard Std{k} "Standard {k}" in security{ext} {{\n{inc}  source "§3"\n}}\n'
        )
    if n:
        parts.append(f'rule top "Top" {{\n  source "§4"\n  when passed\n  require Std{n - 1}\n}}\n')
    return "".join(parts)


def extends_policy(n: int) -> str:
    return _extends_policy(n, every=True)


def extends_none_policy(n: int) -> str:
    return _extends_policy(n, every=False)


def domains_rules_policy(n: int) -> str:
    parts = [HEADER]
    for k in range(n):
        parts.append(
            f'domain D{k} "Domain {k}" {{\n  status tracked\n  decided by RSO\n  source "§2"\n'
            f'  level D{k}_L1 "Level 1" source "§2"\n  level D{k}_L2 "Level 2" source "§2"\n'
            f'  level D{k}_L3 "Level 3" source "§2"\n}}\n'
            f'safeguard s{k} "Safeguard {k}" {{ category security source "§2" }}\n'
            f'rule r{k} "Rule {k}" {{\n  source "§3"\n  when D{k} >= D{k}_L2\n'
            f"  require s{k} for external_deployment\n}}\n"
        )
    return "".join(parts)


def string_policy(megabytes: float) -> str:
    size = int(megabytes * 1024 * 1024)
    unit = 'Plain words, a \\"quoted\\" phrase and a backslash \\\\ here. '
    text = unit * max(1, size // len(unit))  # whole units: never ends inside an escape
    return (
        HEADER
        + f'rule r "Rule" {{\n  source "§2"\n  means "{text}"\n  when passed\n  require base\n}}\n'
    )


DIMENSIONS: dict[str, tuple[Callable[[int], str], list[float], list[float], str]] = {
    # name: (generator, sizes, quick sizes, unit)
    "levels": (levels_policy, [500, 1000, 2000, 4000], [250, 500, 1000], "levels"),
    "extends": (extends_policy, [500, 1000, 2000, 4000], [250, 500, 1000], "standards"),
    "extends_none": (extends_none_policy, [500, 1000, 2000, 4000], [250, 500, 1000], "standards"),
    "domains_rules": (
        domains_rules_policy,
        [500, 1000, 2000, 4000],
        [250, 500, 1000],
        "domains and rules",
    ),
    "string": (string_policy, [1, 2, 4, 8], [0.5, 1, 2], "MB"),
}


CPU = False  # `--cpu`: time the child's CPU, not the wall clock


def run(argv: list[str]) -> tuple[float, float]:
    """Seconds (wall, or with `CPU` the child's user + system CPU time) and peak memory (MB)
    of `python -m rspl ARGV` in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rspl", *argv], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if CPU:  # on a machine shared with other work the wall clock measures the neighbours
        seconds = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1) or "Traceback" in err:
        raise SystemExit(f"rspl {' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def measure(path: Path, out: Path, repeat: int) -> dict[str, float]:
    check = [run(["check", "--format", "concise", str(path)]) for _ in range(repeat)]
    build = [run(["build", "-o", str(out), str(path)]) for _ in range(repeat)]
    return {
        "bytes": path.stat().st_size,
        "out_bytes": sum(f.stat().st_size for f in out.iterdir()),
        "check": min(s for s, _ in check),
        "build": min(s for s, _ in build),
        "check_mb": max(m for _, m in check),
        "build_mb": max(m for _, m in build),
    }


def slope(x0: float, y0: float, x1: float, y1: float) -> float:
    return math.log(max(y1, 1e-3) / max(y0, 1e-3)) / math.log(x1 / x0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    ap.add_argument("--only", nargs="+", choices=sorted(DIMENSIONS), help="these dimensions")
    ap.add_argument("--sizes", nargs="+", type=float, help="override the sizes")
    ap.add_argument("--repeat", type=int, default=None, help="runs per size (best is kept)")
    ap.add_argument(
        "--cpu", action="store_true",
        help="time each run's CPU (user + system) instead of the wall clock: steadier when "
        "other processes load the machine",
    )  # fmt: skip
    args = ap.parse_args()
    global CPU
    CPU = args.cpu
    repeat = args.repeat or (1 if args.quick else 2)
    names = args.only or list(DIMENSIONS)
    exponents: dict[str, float] = {}
    worst_ratio = worst_check = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        base_path = Path(tmp) / "empty.rspl"
        base_path.write_text(HEADER, encoding="utf-8")
        base = measure(base_path, Path(tmp) / "out", max(repeat, 3))
        print(f"fixed cost (empty policy): check {base['check']:.3f} s, build "
              f"{base['build']:.3f} s, peak {base['check_mb']:.0f} / "
              f"{base['build_mb']:.0f} MB")  # fmt: skip
        print(f"{'dimension':<14} {'size':>6} {'source MB':>9} {'output MB':>9} {'check s':>8} "
              f"{'build s':>8} {'check MB':>8} {'build MB':>8} {'chk/src':>7} "
              f"{'bld/src':>7}")  # fmt: skip
        for name in names:
            gen, sizes, quick, _unit = DIMENSIONS[name]
            chosen = args.sizes or (quick if args.quick else sizes)
            rows: list[tuple[float, dict[str, float]]] = []
            for size in chosen:
                path = Path(tmp) / f"{name}-{size}.rspl"
                text = gen(size if name == "string" else int(size))  # type: ignore[arg-type]
                path.write_text(text, encoding="utf-8")
                r = measure(path, Path(tmp) / "out", repeat)
                mb = 1024 * 1024 / r["bytes"]
                r["ratio_check"] = (r["check_mb"] - base["check_mb"]) * mb
                r["ratio_build"] = (r["build_mb"] - base["build_mb"]) * mb
                r["ratio"] = max(r["ratio_check"], r["ratio_build"])
                rows.append((size, r))
                print(f"{name:<14} {size:>6g} {r['bytes'] / 1e6:>9.2f} "
                      f"{r['out_bytes'] / 1e6:>9.2f} {r['check']:>8.3f} "
                      f"{r['build']:>8.3f} {r['check_mb']:>8.1f} {r['build_mb']:>8.1f} "
                      f"{r['ratio_check']:>7.1f} {r['ratio_build']:>7.1f}", flush=True)  # fmt: skip
                path.unlink()
            worst_ratio = max(worst_ratio, rows[-1][1]["ratio"])
            worst_check = max(worst_check, rows[-1][1]["ratio_check"])
            if len(rows) < 2:
                continue  # one size: its memory, but no exponent
            (x0, r0), (x1, r1) = rows[-2], rows[-1]
            exps = [
                slope(x0, r0[cmd] - base[cmd], x1, r1[cmd] - base[cmd])
                for cmd in ("check", "build")
            ]
            out_exp = math.log(
                max(r1["build"] - base["build"], 1e-3) / max(r0["build"] - base["build"], 1e-3)
            ) / math.log(r1["out_bytes"] / r0["out_bytes"])
            growth = math.log(r1["out_bytes"] / r0["out_bytes"]) / math.log(x1 / x0)
            exponents[name] = max(exps)
            print(f"{name:<14} exponent: check {exps[0]:.2f}, build {exps[1]:.2f}; output grows "
                  f"with exponent {growth:.2f}, build time per output byte {out_exp:.2f}",
                  flush=True)  # fmt: skip
    summary = " ".join(f"{k}={v:.2f}" for k, v in exponents.items())
    print(f"{summary} check_mem_ratio={worst_check:.1f} peak_mem_ratio={worst_ratio:.1f}")


if __name__ == "__main__":
    main()
