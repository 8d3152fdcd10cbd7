"""Evaluator speed: the generated RSPL evaluator against hand-written Python, Cedar and Rego,
all deciding the same policy (bench/policy.py: 5 domains x 4 levels x 40 safeguards, 2 early
warnings) in one process.

Run: python bench/evaluator.py [--quick]

1. RSPL: `policy.rspl_source()` compiled by `rspl build --target python`'s code path, imported.
2. Hand-written: what a careful engineer would write for a release gate: per-(domain, level)
   precomputed frozensets, input validation (ValueError on anything unknown), the 2 alerts.
3. Cedar (cedarpy): one `forbid` per safeguard (`context.levels.Dd >= k && !(implemented
   contains s)`, @id = the safeguard) plus one `permit`; parsed `PolicySet` and `Entities`
   handles reused across calls. Missing = the forbid policies among the response's reasons.
4. Rego (regopy): a module reading per-(domain, level) tables from `data`; one bundle built
   once, then per input `set_input_term` and `query_bundle_entrypoint`.

First every engine decides 1,000 seeded random assessments and must agree on missing and
permitted (RSPL, hand-written and Rego also on the required set; explain mode on a subset,
alerts included); any disagreement exits 1. Then each engine is timed in decision mode and
in explain mode: rounds interleaved between engines (rotating order) so they share machine
noise; each round times a batch sized to a target duration; the result is the median of the
per-round means. The last line is machine-readable:
`evaluator_vs_handwritten=R cedar_over_evaluator=C rego_over_evaluator=G`.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import policy  # bench/policy.py, next to this file

CONTEXT = "deployment"
Outcome = tuple[AbstractSet[str] | None, AbstractSet[str], bool]  # (required or None, missing, ok)
Engine = Callable[[Mapping[str, Any]], Any]

# ---------------------------------------------------------------------------- inputs


def make_inputs(n: int, seed: int = 20250514) -> list[dict[str, Any]]:
    """`n` assessments: every domain at a random level 1..4; implemented safeguards biased so
    that about a third of the decisions are permitted (all required in place)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        ranks = [rng.randint(1, policy.LEVELS) for _ in range(5)]
        needed = frozenset().union(*(policy.cumulative(d, k) for d, k in enumerate(ranks)))
        complete = rng.random() < 0.35
        impl = [
            s
            for s in policy.ALL_SAFEGUARDS
            if (s in needed and (complete or rng.random() < 0.92))
            or (s not in needed and rng.random() < 0.5)
        ]
        rng.shuffle(impl)
        out.append({
            "determinations": {f"D{d}": policy.level(d, k) for d, k in enumerate(ranks)},
            "implemented": impl,
        })  # fmt: skip
    return out


# ---------------------------------------------------------------------------- 1. RSPL


def load_rspl() -> ModuleType:
    """Compile the benchmark policy and import the generated evaluator module."""
    from rspl.backends.python import generate
    from rspl.pipeline import compile_source

    result = compile_source("bench.rspl", policy.rspl_source())
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors or result.policy is None:
        raise SystemExit(f"the benchmark policy does not compile: {errors}")
    source = generate(result.policy)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_rspl_evaluator.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("bench_rspl_evaluator", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


def rspl_engines(module: ModuleType) -> tuple[Engine, Engine]:
    """(decision, explain) callables for the generated evaluator."""
    evaluate = module.evaluate

    def decide(a: Mapping[str, Any]) -> Outcome:
        v = evaluate(a).verdicts[CONTEXT]
        return v.required, v.missing, v.permitted

    def explain(a: Mapping[str, Any]) -> dict[str, Any]:
        return evaluate(a, explain=True).to_dict()  # type: ignore[no-any-return]

    return decide, explain


def rspl_unmemoized(module: ModuleType) -> Engine | None:
    """Decision mode with the evaluator's memo tables emptied before every call: the cost
    of a first-seen assessment. Informational; None if the runtime has no such tables.
    `module` must be a copy of its own, not the one the "RSPL" engine decides with."""
    evaluator = getattr(module, "_EVALUATOR", None)
    names = ("_by_levels", "_cache", "_fast")
    memos = [getattr(evaluator, n) for n in names if hasattr(evaluator, n)]
    if not memos:
        return None
    clears = [m.clear for m in memos]
    decide = rspl_engines(module)[0]

    def run(a: Mapping[str, Any]) -> Outcome:
        for clear in clears:
            clear()
        return decide(a)  # type: ignore[no-any-return]

    return run


# ---------------------------------------------------------------------------- 2. hand-written


class HandWritten:
    """The release gate as a careful engineer would write it for this one policy."""

    KEYS = frozenset({"determinations", "implemented"})

    def __init__(self) -> None:
        # domain -> level name -> (domain index, rank, cumulative required safeguards)
        self.table: dict[str, dict[str, tuple[int, int, frozenset[str]]]] = {
            f"D{d}": {policy.level(d, k): (d, k, policy.cumulative(d, k))
                      for k in range(1, policy.LEVELS + 1)}
            for d in range(5)
        }  # fmt: skip
        self.domains = frozenset(self.table)
        self.known = frozenset(policy.ALL_SAFEGUARDS)
        self.warnings = tuple((f"w{i}", a, b, k) for i, (a, b, k) in enumerate(policy.WARNINGS))
        self.rules = tuple(
            (f"r{d}_{k}", d, k, policy.level(d, k))
            for d in range(5)
            for k in range(1, policy.LEVELS + 1)
        )

    def _validate(self, a: Any) -> tuple[list[int], set[str], frozenset[str]]:
        """(rank per domain, required, implemented), or ValueError."""
        if type(a) is not dict:
            raise ValueError("assessment: expected an object")
        if not self.KEYS.issuperset(a):
            raise ValueError(f"assessment: unknown keys {sorted(set(a) - self.KEYS)}")
        dets = a.get("determinations")
        if type(dets) is not dict or len(dets) != len(self.domains):
            raise ValueError("determinations: expected a level for every domain")
        ranks = [0] * 5
        required: set[str] = set()
        table = self.table
        for domain, name in dets.items():
            levels = table.get(domain)
            if levels is None:
                raise ValueError(f"determinations: unknown domain {domain!r}")
            entry = levels.get(name) if type(name) is str else None
            if entry is None:
                raise ValueError(f"determinations.{domain}: unknown level {name!r}")
            ranks[entry[0]] = entry[1]
            required |= entry[2]
        impl = a.get("implemented", ())
        if type(impl) is not list:
            raise ValueError("implemented: expected a list of safeguard names")
        try:
            done = frozenset(impl)
        except TypeError:
            raise ValueError("implemented: expected a list of safeguard names") from None
        if not done <= self.known:
            unknown = sorted(map(str, done - self.known))
            raise ValueError(f"implemented: unknown safeguards {unknown}")
        return ranks, required, done

    def decide(self, a: Any) -> tuple[set[str], set[str], bool, list[str]]:
        ranks, required, done = self._validate(a)
        missing = required - done
        alerts = [w for w, x, y, k in self.warnings if ranks[x] >= k and ranks[y] >= k]
        return required, missing, not missing, alerts

    def explain(self, a: Any) -> dict[str, Any]:
        ranks, required, done = self._validate(a)
        missing = required - done
        dets = a["determinations"]
        rules = []
        for name, d, k, threshold in self.rules:
            hit = ranks[d] >= k
            rules.append({
                "rule": name,
                "triggered": hit,
                "because": f"D{d} at {dets[f'D{d}']} {'>=' if hit else '<'} {threshold}",
            })  # fmt: skip
        alerts = []
        for w, x, y, k in self.warnings:
            if ranks[x] >= k and ranks[y] >= k:
                alerts.append({
                    "warning": w,
                    "because": f"D{x} at {dets[f'D{x}']} and D{y} at {dets[f'D{y}']}, "
                    f"both >= level {k}",
                })  # fmt: skip
        return {
            "permitted": not missing,
            "required": sorted(required),
            "missing": sorted(missing),
            "alerts": alerts,
            "rules": rules,
        }


# ---------------------------------------------------------------------------- 3. Cedar

RANKS = {f"D{d}": {policy.level(d, k): k for k in range(1, policy.LEVELS + 1)} for d in range(5)}


def cedar_policies() -> tuple[str, list[tuple[str, str]]]:
    """Cedar text, and per policy in order (Cedar names them policy0, policy1, ...) the
    safeguard it stands for and its condition. One forbid per safeguard, at the level whose
    standard adds it (the same decisions as one forbid per (level, cumulative safeguard),
    with 40 policies instead of 100)."""
    text, meta = [], []
    for d in range(5):
        for k in range(1, policy.LEVELS + 1):
            for s in policy.safeguards(d, k):
                cond = f'context.levels.D{d} >= {k} && !(context.implemented.contains("{s}"))'
                text.append(f'@id("{s}")\nforbid (principal, action, resource)\n'
                            f"when {{ {cond} }};")  # fmt: skip
                meta.append((s, cond))
    text.append('@id("permit")\npermit (principal, action, resource);')
    meta.append(("permit", "true"))
    return "\n\n".join(text) + "\n", meta


def cedar_engines() -> tuple[Engine, Engine] | None:
    try:
        import cedarpy
    except ImportError:
        print("cedarpy is not installed: skipping Cedar (pip install cedarpy)")
        return None
    text, meta = cedar_policies()
    policies = cedarpy.PolicySet.from_str(text)  # parsed once
    entities = cedarpy.Entities.from_json_str("[]")  # parsed once
    conditions = {f"policy{i}": m for i, m in enumerate(meta)}
    is_authorized = cedarpy.is_authorized
    ranks = RANKS

    def run(a: Mapping[str, Any]) -> Any:
        levels = {d: ranks[d][name] for d, name in a["determinations"].items()}
        request = {
            "principal": 'Gate::"release"',
            "action": 'Action::"deploy"',
            "resource": 'Model::"candidate"',
            "context": {"levels": levels, "implemented": a["implemented"]},
        }
        result = is_authorized(request, policies, entities)
        if result.diagnostics.errors:
            raise RuntimeError(f"cedar: {result.diagnostics.errors}")
        return result

    def decide(a: Mapping[str, Any]) -> Outcome:
        result = run(a)
        named = result.diagnostics.id_annotations_by_reason
        missing = frozenset(s for s in named.values() if s != "permit")
        return None, missing, result.allowed

    def explain(a: Mapping[str, Any]) -> dict[str, Any]:
        result = run(a)
        reasons = sorted(result.diagnostics.reasons)
        missing = sorted({conditions[r][0] for r in reasons if conditions[r][0] != "permit"})
        return {
            "permitted": result.allowed,
            "missing": missing,
            "reasons": [
                {"policy": r, "safeguard": conditions[r][0], "when": conditions[r][1]}
                for r in reasons
            ],
        }

    return decide, explain


# ---------------------------------------------------------------------------- 4. Rego

REGO_MODULE = """package rsp

import rego.v1

# data.cum[domain][level]: every safeguard required at that level (cumulative).
required contains s if {
  some d, name in input.determinations
  some s in data.cum[d][name]
}

missing := required - {s | some s in input.implemented}

permitted := count(missing) == 0

decision := {"required": required, "missing": missing, "permitted": permitted}

rank[d] := data.ranks[d][name] if some d, name in input.determinations

alerts contains w.name if {
  some w in data.warnings
  rank[w.a] >= w.rank
  rank[w.b] >= w.rank
}

rules contains {"rule": r.name, "triggered": hit, "domain": r.domain,
                "at": input.determinations[r.domain], "threshold": r.level} if {
  some r in data.rules
  hit := rank[r.domain] >= r.rank
}

explain := {"required": required, "missing": missing, "permitted": permitted,
            "alerts": alerts, "rules": rules}
"""


def rego_data() -> dict[str, Any]:
    return {
        "cum": {f"D{d}": {policy.level(d, k): sorted(policy.cumulative(d, k))
                          for k in range(1, policy.LEVELS + 1)} for d in range(5)},
        "ranks": RANKS,
        "rules": [{"name": f"r{d}_{k}", "domain": f"D{d}", "rank": k, "level": policy.level(d, k)}
                  for d in range(5) for k in range(1, policy.LEVELS + 1)],
        "warnings": [{"name": f"w{i}", "a": f"D{a}", "b": f"D{b}", "rank": k}
                     for i, (a, b, k) in enumerate(policy.WARNINGS)],
    }  # fmt: skip


def rego_engines() -> tuple[Engine, Engine] | None:
    try:
        import regopy
    except ImportError:
        print("regopy is not installed: skipping Rego (pip install regopy)")
        return None
    builder = regopy.Interpreter()
    builder.add_data(rego_data())
    builder.add_module("rsp.rego", REGO_MODULE)
    bundle = builder.build(None, ["rsp/decision", "rsp/explain"])  # compiled once
    if not bundle.ok():
        raise SystemExit("rego: the bundle did not build")
    rego = regopy.Interpreter()
    dumps = json.dumps

    def query(a: Mapping[str, Any], entrypoint: str) -> Any:
        rego.set_input_term(dumps(a))
        out = rego.query_bundle_entrypoint(bundle, entrypoint)
        if not out.ok() or not out.results or not out.results[0].expressions:
            raise RuntimeError(f"rego: {out}")
        return out.results[0].expressions[0]

    def decide(a: Mapping[str, Any]) -> Outcome:
        got = query(a, "rsp/decision")
        return frozenset(got["required"]), frozenset(got["missing"]), got["permitted"]

    def explain(a: Mapping[str, Any]) -> dict[str, Any]:
        return query(a, "rsp/explain")  # type: ignore[no-any-return]

    # keep the builder and the bundle alive as long as the closures
    decide.keep = explain.keep = (builder, bundle, rego)  # type: ignore[attr-defined]
    return decide, explain


# ---------------------------------------------------------------------------- agreement


def build_engines() -> dict[str, tuple[Engine, Engine]]:
    """name -> (decision, explain); Cedar and Rego only if installed."""
    hand = HandWritten()
    engines: dict[str, tuple[Engine, Engine]] = {
        "hand-written": (hand.decide, hand.explain),
        "RSPL": rspl_engines(load_rspl()),
    }
    cedar = cedar_engines()
    if cedar is not None:
        engines["Cedar"] = cedar
    rego = rego_engines()
    if rego is not None:
        engines["Rego"] = rego
    return engines


def _decision_view(name: str, got: Any) -> Outcome:
    if name == "hand-written":
        return got[0], got[1], got[2]
    return got  # type: ignore[no-any-return]


def _explain_view(name: str, got: Any) -> tuple[AbstractSet[str], bool, AbstractSet[str] | None]:
    """(missing, permitted, alerts or None) from an engine's explain output."""
    if name == "RSPL":
        verdict = got["verdicts"][CONTEXT]
        alerts = frozenset(x["warning"] for x in got["alerts"])
        return frozenset(verdict["missing"]), verdict["permitted"], alerts
    if name == "hand-written":
        alerts = frozenset(x["warning"] for x in got["alerts"])
        return frozenset(got["missing"]), got["permitted"], alerts
    if name == "Rego":
        return frozenset(got["missing"]), got["permitted"], frozenset(got["alerts"])
    return frozenset(got["missing"]), got["permitted"], None


def disagreements(
    engines: Mapping[str, tuple[Engine, Engine]],
    inputs: list[dict[str, Any]],
    explain_every: int = 5,
) -> list[str]:
    """Every difference between the engines, one line each (empty: all agree). Decision mode
    on every input; explain mode on every `explain_every`-th input."""
    problems: list[str] = []
    for i, a in enumerate(inputs):
        got = {name: _decision_view(name, fns[0](a)) for name, fns in engines.items()}
        ref_name = "hand-written"
        ref = got[ref_name]
        for name, (required, missing, permitted) in got.items():
            if missing != ref[1] or permitted != ref[2] or permitted != (not missing):
                problems.append(
                    f"input {i}: {name} says missing={sorted(missing)} permitted={permitted}; "
                    f"{ref_name} says missing={sorted(ref[1])} permitted={ref[2]}"
                )
            if required is not None and required != ref[0]:
                problems.append(
                    f"input {i}: {name} requires {sorted(required)}; "
                    f"{ref_name} requires {sorted(ref[0])}"
                )
        if i % explain_every:
            continue
        alerts = engines[ref_name][0](a)[3]
        for name, fns in engines.items():
            missing, permitted, said = _explain_view(name, fns[1](a))
            if missing != ref[1] or permitted != ref[2]:
                problems.append(f"input {i}: {name} (explain mode) says missing="
                                f"{sorted(missing)} permitted={permitted}")  # fmt: skip
            if said is not None and said != frozenset(alerts):
                problems.append(f"input {i}: {name} (explain mode) alerts {sorted(said)}; "
                                f"hand-written alerts {sorted(alerts)}")  # fmt: skip
        if len(problems) > 20:
            break
    return problems


# ---------------------------------------------------------------------------- timing


def _batch(fn: Engine, batch: list[dict[str, Any]]) -> tuple[float, float]:
    """(wall, CPU) seconds per call over `batch`, collector paused (as timeit does). CPU time
    (`process_time`) leaves out the time slices other processes take from this one."""
    gc.collect()
    gc.disable()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        for a in batch:
            fn(a)
        t1, c1 = time.perf_counter(), time.process_time()
    finally:
        gc.enable()
    return (t1 - t0) / len(batch), (c1 - c0) / len(batch)


Rounds = dict[str, list[tuple[float, float]]]


def measure(
    engines: Mapping[str, Engine],
    inputs: list[dict[str, Any]],
    rounds: int,
    target: float,
) -> Rounds:
    """Per engine, the (wall, CPU) mean seconds per decision of each round. Each engine's
    batch is sized to take about `target` seconds (cycling through the inputs; at least 20
    calls); slow engines' windows move through the inputs from round to round. Rounds are
    interleaved across engines, in an order rotated every round."""
    sizes = {}
    for name, fn in engines.items():
        warm = inputs[:20]
        _batch(fn, warm)  # warm caches and lazy imports
        per_call = min(_batch(fn, warm)[0] for _ in range(3))
        sizes[name] = max(20, min(200_000, int(target / max(per_call, 1e-9))))
    names = list(engines)
    out: Rounds = {name: [] for name in names}
    n = len(inputs)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            size = sizes[name]
            start = (r * size) % n
            batch = [inputs[(start + j) % n] for j in range(size)]
            out[name].append(_batch(engines[name], batch))
    return out


def _us(seconds: float) -> str:
    return "nan" if math.isnan(seconds) else f"{seconds * 1e6:,.2f}"


def report(mode: str, results: Rounds) -> dict[str, float]:
    """Print the table; return each engine's median wall time per decision."""
    wall = {name: [w for w, _ in v] for name, v in results.items()}
    cpu = {name: [c for _, c in v] for name, v in results.items()}
    med = {name: statistics.median(v) for name, v in wall.items()}
    hand, rspl = med.get("hand-written", math.nan), med.get("RSPL", math.nan)
    rounds = len(next(iter(results.values())))
    print(f"\n{mode} mode: µs per decision, median of {rounds} interleaved rounds "
          "(wall = perf_counter; cpu = process_time)")  # fmt: skip
    print(f"  {'engine':<20} {'wall':>10} {'wall min':>10} {'wall max':>10} {'cpu':>10} "
          f"{'/ hand':>8} {'/ RSPL':>8}")  # fmt: skip
    for name in results:
        w = wall[name]
        print(f"  {name:<20} {_us(med[name]):>10} {_us(min(w)):>10} {_us(max(w)):>10} "
              f"{_us(statistics.median(cpu[name])):>10} {med[name] / hand:>8.2f} "
              f"{med[name] / rspl:>8.2f}")  # fmt: skip
    if "RSPL" in results and "hand-written" in results:
        pairs = [
            (statistics.median(a / b for a, b in zip(t["RSPL"], t["hand-written"], strict=True)))
            for t in (wall, cpu)
        ]
        print(f"  RSPL / hand-written, median of per-round ratios: {pairs[0]:.2f} (wall), "
              f"{pairs[1]:.2f} (cpu)")  # fmt: skip
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer, shorter rounds (< 45 s)")
    args = ap.parse_args()
    rounds, target = (9, 0.04) if args.quick else (31, 0.15)

    t0 = time.perf_counter()
    engines = build_engines()
    inputs = make_inputs(1000)
    permitted = sum(HandWritten().decide(a)[2] for a in inputs)
    problems = disagreements(engines, inputs)
    if problems:
        print("DISAGREEMENT between the engines:")
        for p in problems[:20]:
            print("  " + p)
        raise SystemExit(1)
    print(f"agreement: {', '.join(engines)} agree on all {len(inputs)} inputs "
          f"({permitted} permitted); explain mode checked on every 5th "
          f"[{time.perf_counter() - t0:.1f} s]")  # fmt: skip
    sizes = {name: len(json.dumps(f[1](inputs[0]), default=sorted)) for name, f in engines.items()}
    print("explain output size (JSON bytes, input 0): "
          + ", ".join(f"{k} {v}" for k, v in sizes.items()))  # fmt: skip

    decision = {name: fns[0] for name, fns in engines.items()}
    # its own copy of the module: emptying the memos of the one "RSPL" uses would make every
    # RSPL round after it start cold
    extra = rspl_unmemoized(load_rspl())
    if extra is not None:
        decision["RSPL, memo cleared"] = extra
    dec = report("decision", measure(decision, inputs, rounds, target))
    if extra is not None:
        print("  ('RSPL, memo cleared' empties the evaluator's per-levels memo before each call:"
              " the cost of a first-seen assessment; informational)")  # fmt: skip
    report("explain", measure({n: f[1] for n, f in engines.items()}, inputs, rounds, target))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")

    nan = math.nan
    r = dec["RSPL"] / dec["hand-written"]
    c = dec.get("Cedar", nan) / dec["RSPL"]
    g = dec.get("Rego", nan) / dec["RSPL"]
    print(f"evaluator_vs_handwritten={r:.2f} cedar_over_evaluator={c:.2f} "
          f"rego_over_evaluator={g:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
