"""The benchmark policy, written three ways from one description: RSPL source, and the data the
hand-written, Cedar and Rego versions use. 5 domains x 4 ordered levels; each level requires
its family's standard for that level, which extends the one below and adds 2 safeguards
(40 safeguards in all); 2 early warnings each combine two domains."""

from __future__ import annotations

DOMAINS = [f"D{d}" for d in range(5)]
LEVELS = 4


def level(d: int, k: int) -> str:
    return f"D{d}_L{k}"


def safeguards(d: int, k: int) -> list[str]:
    """The two safeguards standard k of domain d adds."""
    return [f"s{d}_{k}a", f"s{d}_{k}b"]


def cumulative(d: int, k: int) -> frozenset[str]:
    """Every safeguard required when domain d is at level k (0 = below every level)."""
    return frozenset(s for j in range(1, k + 1) for s in safeguards(d, j))


ALL_SAFEGUARDS = sorted(s for d in range(5) for k in range(1, LEVELS + 1) for s in safeguards(d, k))
WARNINGS = [(0, 1, 2), (2, 3, 3)]  # (domain a, domain b, level both reach)


def rspl_source() -> str:
    out = [
        'policy bench "Evaluator benchmark policy" {',
        '  organization "RSPL" version "1.0" combine highest standard per family',
        "}",
        'context deployment "Deployment"',
    ]
    for d in range(5):
        out.append(f'family F{d} "Family {d}"')
        levels = " ".join(f'level {level(d, k)} "{k}" source "§{d}"' for k in range(1, 5))
        out.append(f'domain D{d} "Domain {d}" {{ {levels} }}')
        for k in range(1, LEVELS + 1):
            for s in safeguards(d, k):
                out.append(f'safeguard {s} "{s}"')
            ext = f" extends S{d}_{k - 1}" if k > 1 else ""
            inc = ", ".join(safeguards(d, k))
            out.append(
                f'standard S{d}_{k} "S{d}.{k}" in F{d}{ext} {{ includes {inc} source "§{d}" }}'
            )
            out.append(
                f'rule r{d}_{k} "D{d} at {k}" {{ source "§{d}" '
                f"when D{d} >= {level(d, k)} require S{d}_{k} }}"
            )
    for i, (a, b, k) in enumerate(WARNINGS):
        out.append(
            f'warning w{i} "early warning {i}" {{ source "§w" '
            f"when D{a} >= {level(a, k)} and D{b} >= {level(b, k)} }}"
        )
    return "\n".join(out) + "\n"
