"""Units and evidence types: the fixed vocabulary of measured quantities.

Each quantity has a *dimension*. Values are normalised to the dimension's base unit
(days for durations, a plain ratio for fractions, `x` for multipliers), so `6 months` and
`183 days` compare on one scale. Only quantities of one dimension can be compared.
"""

from __future__ import annotations

# dimension -> base unit, as shown to authors
DIMENSIONS: dict[str, str] = {
    "multiplier": "x",
    "duration": "days",
    "fraction": "fraction (0 to 1)",
    "count": "count",
    "compute": "FLOP",
    "money": "USD",
    "score": "a signed number",
}

# unit word -> (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {
    "x": ("multiplier", 1.0),
    "times": ("multiplier", 1.0),
    "minute": ("duration", 1.0 / 1440.0),
    "minutes": ("duration", 1.0 / 1440.0),
    "hour": ("duration", 1.0 / 24.0),
    "hours": ("duration", 1.0 / 24.0),
    "day": ("duration", 1.0),
    "days": ("duration", 1.0),
    "week": ("duration", 7.0),
    "weeks": ("duration", 7.0),
    "month": ("duration", 365.2425 / 12.0),
    "months": ("duration", 365.2425 / 12.0),
    "year": ("duration", 365.2425),
    "years": ("duration", 365.2425),
    "%": ("fraction", 0.01),
    "percent": ("fraction", 0.01),
    "FLOP": ("compute", 1.0),
    "FLOPs": ("compute", 1.0),
    "USD": ("money", 1.0),
    "dollars": ("money", 1.0),
    "people": ("count", 1.0),
    "employees": ("count", 1.0),
    "actors": ("count", 1.0),
}

# A number written without a unit: a count, a fraction written as a ratio (0.05), or a score.
PLAIN_DIMENSIONS = frozenset({"count", "fraction", "score"})

# Units that are a whole number of parts of their base unit: a value is divided by the number
# of parts rather than multiplied by its (inexact) reciprocal, so `7%` is exactly the float
# 0.07 an assessment writes, and `30 minutes` exactly 30 / 1440 days.
PARTS: dict[str, float] = {
    "%": 100.0, "percent": 100.0,
    "minute": 1440.0, "minutes": 1440.0, "hour": 24.0, "hours": 24.0,
}  # fmt: skip

# The dimensions whose values are never negative (a score is signed); a fraction is also at
# most 1. `rspl.semantics.RANGES` holds the same rule for assessments.
UNSIGNED_DIMENSIONS = frozenset(DIMENSIONS) - {"score"}
# The dimensions that no unit word names: a score is written as a plain number.
UNITLESS_DIMENSIONS = frozenset({"score"})


def to_base(value: float, unit: str) -> tuple[str, float]:
    """The dimension of `unit` and `value` (written in it) in the dimension's base unit."""
    dim, factor = UNITS[unit]
    parts = PARTS.get(unit)
    return dim, (value / parts if parts is not None else value * factor)


# evidence type word -> what it is; "fact" and "judgement" are true-or-false.
EVIDENCE_TYPES: dict[str, str] = {
    "fact": "a true-or-false fact",
    "judgement": "a true-or-false judgement made by a named role",
    "date": "a calendar date",
    **{dim: f"a {dim} ({base})" for dim, base in DIMENSIONS.items()},
}
BOOLEAN_TYPES = frozenset({"fact", "judgement"})

DOMAIN_STATUSES = ("tracked", "research", "exploratory", "watch")
SAFEGUARD_CATEGORIES = (
    "deployment", "security", "misalignment", "control", "internal_deployment",
    "governance", "transparency", "evaluation",
)  # fmt: skip
CLAIM_TYPES = (
    "robustness", "usage_monitoring", "trust_based_access", "lack_of_autonomous_capability",
    "value_alignment", "instruction_alignment", "system_oversight", "system_architecture",
)  # fmt: skip
OBLIGATION_STATUSES = (
    "open", "due", "overdue", "done", "lifted", "in_force", "standby", "failed", "waived"
)
DEADLINE_KINDS = (
    "none", "fixed", "event", "within", "recurring", "soft", "until", "before", "context",
)  # fmt: skip
# The soft time words (grammar terminal SOFT), each with whether it says how often (a
# recurring duty) rather than how soon.
SOFT_WORDS = {
    "promptly": False, "immediately": False, "without delay": False,
    "in a timely manner": False, "regularly": True, "periodically": True,
}  # fmt: skip
MODALITIES = ("must", "should", "may", "recommend", "illustrative")
# The modalities a prohibition can have (`must not ACTION`), as a decision reports them.
PROHIBITIONS = ("must not", "should not")
