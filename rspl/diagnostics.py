"""Diagnostics as data: the code registry, the `Diagnostic` record and the `Reporter`.

Passes never raise on bad input: they call `reporter.error(...)`/`reporter.warning(...)` and
carry on, so one run reports every independent problem. Rendering lives in `rspl.render`.
Every code is documented with a bad and a fixed example in `docs/diagnostics.md`; a test
keeps the two in step.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from typing import Any

import attrs

from rspl.spans import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Code:
    code: str
    slug: str
    severity: Severity
    summary: str


_E, _W = Severity.ERROR, Severity.WARNING

CODES: dict[str, Code] = {
    c.code: c
    for c in [
        # syntax
        Code("E0001", "unexpected-token", _E, "something appears where the language does not allow it"),
        Code("E0002", "invalid-character", _E, "a character that is not part of the language"),
        Code("E0003", "unexpected-end", _E, "the file ends before a construct is complete"),
        Code("E0004", "unterminated-text", _E, "a quoted text has no closing quote"),
        Code("E0005", "invalid-date", _E, "a date that does not exist in the calendar"),
        Code("E0006", "duplicate-clause", _E, "a clause that may appear once appears twice"),
        Code("E0007", "number-too-large", _E, "a number too large to represent"),
        # header and modules
        Code("E0101", "missing-policy-header", _E, "the main file has no `policy` header"),
        Code("E0102", "misplaced-policy-header", _E, "a second `policy` header, or one in an imported file"),
        Code("E0103", "import-not-found", _E, "an imported module or file does not exist"),
        Code("E0104", "import-cycle", _E, "files import each other in a circle"),
        Code("E0105", "missing-header-field", _E, "the policy header lacks a required field"),
        # names
        Code("E0201", "unknown-name", _E, "a name that is not declared"),
        Code("E0202", "duplicate-declaration", _E, "two declarations share a name"),
        Code("E0203", "wrong-kind", _E, "a name refers to the wrong kind of declaration"),
        Code("E0204", "unknown-level", _E, "a level that the domain does not have"),
        Code("E0205", "unknown-type", _E, "an evidence type that does not exist"),
        Code("E0206", "unknown-unit", _E, "a unit word that does not exist"),
        Code("E0207", "unknown-word", _E, "a status, category or similar word outside its fixed list"),
        # types
        Code("E0301", "level-domain-mismatch", _E, "a level compared with a different domain"),
        Code("E0302", "unit-mismatch", _E, "quantities of different kinds compared"),
        Code("E0303", "non-boolean-condition", _E, "a condition that is not true-or-false"),
        Code("E0304", "incomparable", _E, "two values that cannot be compared"),
        Code("E0305", "since-needs-date", _E, "`since` applied to something that is not a date"),
        Code("E0306", "impossible-count", _E, "`at least N of` with N outside 1 to the number of items"),
        # standards, rules and obligations
        Code("E0401", "extends-cycle", _E, "standards that extend each other in a circle"),
        Code("E0402", "cross-family-extends", _E, "a standard extends one from another family"),
        Code("E0403", "require-non-safeguard", _E, "a rule requires something that is not a safeguard or standard"),
        Code("E0404", "unknown-role", _E, "a role that is not declared"),
        Code("E0405", "unknown-context", _E, "a context that is not declared"),
        Code("E0406", "warning-without-condition", _E, "a warning with no `when`"),
        Code("E0407", "invalid-rules-out", _E, "a `rules out` that is not `DOMAIN >= LEVEL` in a warning"),
        Code("E0408", "hole-with-contents", _E, "a standard both `not yet defined` and listing safeguards"),
        Code("E0409", "invalid-deadline", _E, "a deadline with the wrong kind of time or event"),
        Code("E0410", "judgement-without-decider", _E, "a judgement with no role that makes it"),
        Code("E0411", "definition-cycle", _E, "definitions that refer to each other in a circle"),
        Code("E0412", "domain-without-levels", _E, "a domain that declares no levels"),
        Code("E0413", "implemented-in-efficacy", _E, "an efficacy criterion asks what is implemented"),
        # scenarios
        Code("E0501", "scenario-level-order", _E, "a scenario's `cannot rule out` level is below its reached level"),
        Code("E0502", "scenario-value-type", _E, "a scenario gives a value of the wrong type"),
        Code("E0503", "unknown-obligation", _E, "a scenario expects an obligation the rule does not have"),
        Code("E0504", "scenario-conflict", _E, "a scenario gives the same input twice"),
        # warnings
        Code("W0001", "unused-declaration", _W, "a declaration nothing uses"),
        Code("W0002", "rule-never-fires", _W, "a rule whose condition can never be true"),
        Code("W0003", "hole-required", _W, "a rule requires a standard that is not yet defined"),
        Code("W0004", "implicit-aggregation", _W, "the header does not say how requirements combine"),
        Code("W0005", "missing-source", _W, "a rule, level or standard without a source anchor"),
        Code("W0006", "redundant-requirement", _W, "a requirement already covered by another in the same rule"),
        Code("W0007", "redundant-safeguard", _W, "a standard lists a safeguard it already inherits"),
        Code("W0008", "scenario-without-expectations", _W, "a scenario that checks nothing"),
        Code("W0009", "empty-standard", _W, "a defined standard with no safeguards of its own or inherited"),
    ]
}


@attrs.frozen
class Label:
    """A secondary span with a short note (`first declared here`)."""

    span: Span
    message: str


@attrs.frozen
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    labels: tuple[Label, ...] = ()
    help: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start, self.span.end, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "span": self.span.to_dict(),
            "labels": [{"span": lb.span.to_dict(), "message": lb.message} for lb in self.labels],
            "help": self.help,
        }


class Reporter:
    """Collects diagnostics for one compilation. Passes report; nothing raises."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, int, int, str, str]] = set()

    def report(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        labels: Iterable[Label] = (),
        help: str | None = None,
    ) -> None:
        key = (span.file, span.start, span.end, code, message)
        if key in self._seen:  # the same fact found twice (e.g. a definition used twice)
            return
        self._seen.add(key)
        entry = CODES[code]
        self.diagnostics.append(
            Diagnostic(code, entry.severity, message, span, tuple(labels), help)
        )

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A `help` text suggesting the closest candidate names, or None."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not close and len(word) <= 4:  # short names differ by a character more often
        close = difflib.get_close_matches(word, pool, n=3, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
