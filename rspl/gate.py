"""`rspl gate`: a release gate over one decision, for CI pipelines.

The gate decides the assessment (the reference interpreter) for the contexts asked and says
whether every one is permitted: exit 0 when all are, 1 when one is blocked, with its reasons;
the command line maps an invalid policy or assessment to 2. It also writes a JUnit XML report,
so a CI system shows each unmet requirement as a failed test case: per context, one case per
required standard (passed or failed), per reason the verdict gives (failed: a missing
safeguard, a blocking duty, a prohibition, the policy not in force) and per input still to
be determined (skipped, with the reason its provenance gives), or one passing case when the
context needs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET


def gate_result(decision: Mapping[str, Any], contexts: Sequence[str]) -> dict[str, Any]:
    """The gate's answer as JSON data: `permitted` overall, and per context the verdict's
    `permitted`, `reasons` and `missing`; `needed` inputs with the reason each is unknown."""
    verdicts = decision["verdicts"]
    provenance = decision.get("provenance") or {}
    needed = []
    for item in decision["needed"]:
        record = provenance.get(item["input"])
        needed.append({**item, "reason": record["reason"] if record else None})
    return {
        "permitted": all(verdicts[c]["permitted"] for c in contexts),
        "contexts": {
            c: {
                "permitted": verdicts[c]["permitted"],
                "reasons": list(verdicts[c]["reasons"]),
                "missing": list(verdicts[c]["missing"]),
            }
            for c in contexts
        },
        "needed": needed,
        "policy": dict(decision["policy"]),
    }


def gate_text(result: Mapping[str, Any]) -> str:
    """The gate's answer for people: one line per context, its reasons, then what is needed."""
    lines = []
    for context, verdict in result["contexts"].items():
        word = "permitted" if verdict["permitted"] else "BLOCKED"
        lines.append(f"{context}: {word}")
        lines += [f"  - {reason}" for reason in verdict["reasons"]]
    if result["needed"]:
        lines.append("still to be determined:")
        for item in result["needed"]:
            who = ", ".join(item["decided_by"])
            by = f" (decided by {who})" if who else ""
            why = f": {item['reason']}" if item.get("reason") else ""
            lines.append(f"  - {item['input']}{by}{why}")
    overall = "permitted" if result["permitted"] else "blocked"
    lines.append(f"gate: {overall}")
    return "\n".join(lines) + "\n"


def junit_xml(result: Mapping[str, Any], decision: Mapping[str, Any]) -> str:
    """The JUnit XML report: one `testsuite` per context."""
    policy = result["policy"]["id"]
    suites = ET.Element("testsuites", name=f"rspl gate {policy}")
    total = failed = skipped = 0
    for context, verdict in result["contexts"].items():
        suite = ET.SubElement(suites, "testsuite", name=f"{policy}: {context}")
        cases: list[tuple[str, str | None, str | None]] = []  # (name, failure, skipped)
        families = decision["verdicts"][context].get("required_standards") or {}
        missing = set(verdict["missing"])
        for names in families.values():
            for name in names:
                if name not in missing:
                    cases.append((f"requirement {name}", None, None))
        for reason in verdict["reasons"]:
            cases.append((reason, reason, None))
        for item in result["needed"]:
            why = item.get("reason") or "not given in the assessment"
            cases.append((f"input {item['input']}", None, f"unknown: {why}"))
        if not cases:
            cases.append((f"{context} needs nothing", None, None))
        for name, failure, skip in cases:
            case = ET.SubElement(suite, "testcase", classname=f"{policy}.{context}", name=name)
            if failure is not None:
                ET.SubElement(case, "failure", message=failure, type="blocked").text = failure
            if skip is not None:
                ET.SubElement(case, "skipped", message=skip)
        n_failed = sum(1 for _, f, _ in cases if f is not None)
        n_skipped = sum(1 for _, _, s in cases if s is not None)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(n_failed))
        suite.set("errors", "0")
        suite.set("skipped", str(n_skipped))
        total, failed, skipped = total + len(cases), failed + n_failed, skipped + n_skipped
    suites.set("tests", str(total))
    suites.set("failures", str(failed))
    suites.set("errors", "0")
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
