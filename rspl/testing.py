"""`rspl test`: run a policy's scenarios under the reference interpreter and the generated
Python evaluator, and check every expectation against both.

A scenario passes when both engines return the same decision and that decision meets every
`expect` line. Failures say where the scenario is and show expected against actual.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from rspl import ir
from rspl.backends.python import generate
from rspl.interpreter import AssessmentError, evaluate


@attrs.frozen
class Failure:
    """One failed expectation (or an engine problem) in one scenario."""

    scenario: str
    origin: ir.Origin
    expected: str
    actual: str


@attrs.frozen
class ScenarioResult:
    name: str
    origin: ir.Origin
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def load_module(policy: ir.Policy) -> types.ModuleType:
    """The generated evaluator for `policy`, executed in a fresh module object."""
    module = types.ModuleType(f"rspl_generated_{policy.id}")
    code = compile(generate(policy), f"<generated {policy.id}>", "exec")
    exec(code, module.__dict__)
    return module


def run_scenarios(policy: ir.Policy) -> list[ScenarioResult]:
    """Run every scenario of `policy`; one result per scenario, in policy order."""
    module = load_module(policy) if policy.scenarios else None
    results = []
    for scenario in policy.scenarios:
        assert module is not None
        results.append(_run(policy, scenario, module.evaluate))
    return results


def _run(
    policy: ir.Policy, scenario: ir.Scenario, generated: Callable[..., Any]
) -> ScenarioResult:
    failures: list[Failure] = []

    def fail(origin: ir.Origin, expected: str, actual: str) -> None:
        failures.append(Failure(scenario.name, origin, expected, actual))

    try:
        reference = evaluate(policy, scenario.assessment)
    except AssessmentError as exc:
        fail(scenario.origin, "a valid assessment", f"AssessmentError: {exc}")
        return ScenarioResult(scenario.name, scenario.origin, tuple(failures))
    try:
        compiled = generated(scenario.assessment).to_dict()
    except Exception as exc:  # noqa: BLE001 - any failure of the generated code is reported
        compiled = {"error": f"{type(exc).__name__}: {exc}"}
    if compiled != reference:
        keys = sorted(k for k in reference if compiled.get(k) != reference.get(k))
        fail(
            scenario.origin,
            "the generated evaluator to agree with the reference interpreter",
            "they differ in: " + ", ".join(keys or ["error"]),
        )
    for x in scenario.expectations:
        problem = check_expectation(policy, reference, x)
        if problem is not None:
            fail(x.origin, problem[0], problem[1])
    return ScenarioResult(scenario.name, scenario.origin, tuple(failures))


def _required_names(d: dict[str, Any]) -> set[str]:
    """The decision's `required_standards` (combined over every context asked about: a
    standard subsumed by a higher one it extends is not listed) and every required
    safeguard."""
    names: set[str] = set(d["required_safeguards"])
    for kept in d["required_standards"].values():
        names.update(kept)
    return names


def check_expectation(
    policy: ir.Policy, d: dict[str, Any], x: ir.Expectation
) -> tuple[str, str] | None:
    """None when the decision `d` meets `x`, else (expected, actual) in words."""
    what = x.what
    if what in ("required", "not_required"):
        required = _required_names(d)
        wrong = [n for n in x.names if (n in required) != (what == "required")]
        if wrong:
            word = "required" if what == "required" else "not required"
            return f"{word}: {', '.join(x.names)}", "required: " + (
                ", ".join(sorted(required)) or "nothing"
            )
        return None
    if what == "recommended":
        targets = sorted({r["target"] for r in d["recommended"]})
        if any(n not in targets for n in x.names):
            return f"recommended: {', '.join(x.names)}", "recommended: " + (
                ", ".join(targets) or "nothing"
            )
        return None
    if what == "missing":
        lacking = [n for n in x.names if n not in d["missing"]]
        if lacking:
            return f"missing: {', '.join(x.names)}", "missing: " + (
                ", ".join(d["missing"]) or "nothing"
            )
        return None
    if what == "not_counted":  # what does not count because of its criterion
        failing = sorted({c["target"] for c in d["criteria"]})
        if any(n not in failing for n in x.names):
            return f"not counted: {', '.join(x.names)}", "not counted: " + (
                ", ".join(failing) or "nothing"
            )
        return None
    if what in ("permitted", "blocked"):
        context = x.names[0]
        verdict = d["verdicts"].get(context)
        if verdict is None:
            return f"{context} {what}", f"{context} was not decided"
        actual = "permitted" if verdict["permitted"] else "blocked"
        if actual != what:
            reasons = "; ".join(verdict["reasons"])
            return f"{context} {what}", f"{context} {actual}" + (f" ({reasons})" if reasons else "")
        return None
    if what in ("waived", "not_waived"):
        return _check_waived(d, x)
    fired = {r["name"]: r["status"] for r in d["rules"]}
    if x.context is not None:  # the statuses for one context, of rules decided per context
        verdict = d["verdicts"].get(x.context)
        if verdict is None:
            return f"{', '.join(x.names)} {what.replace('_', ' ')} for {x.context}", (
                f"{x.context} was not decided"
            )
        fired = dict(verdict.get("context_rules", {}))
    if what in ("triggered", "not_triggered", "precautionary"):
        for name in x.names:
            status = fired.get(name, "not_triggered")
            ok = (
                status != "not_triggered" if what == "triggered"
                else status == "not_triggered" if what == "not_triggered"
                else status == "precautionary"
            )  # fmt: skip
            if not ok:
                return f"{name} {what.replace('_', ' ')}", f"{name} {status.replace('_', ' ')}"
        return None
    if what == "alert":
        alerts = {a["warning"] for a in d["alerts"]}
        lacking = [n for n in x.names if n not in alerts]
        if lacking:
            shown = ", ".join(sorted(alerts)) or "none"
            return f"alert: {', '.join(x.names)}", f"alerts: {shown}"
        return None
    if what in ("in_force", "not_in_force", "provisional", "carried_accepted",
                "carried_rejected"):  # fmt: skip
        return _check_lifecycle(d, x)
    action, rule = x.names
    if what == "prohibited":
        if any(p["rule"] == rule and p["key"] == action for p in d["prohibitions"]):
            return None
        found = [o for o in d["obligations"] if o["rule"] == rule and o["key"] == action]
        shown = "; ".join(f"{o['modality']} {action}: {o['status']}" for o in found)
        return f"prohibited {action} of {rule}", shown or f"{rule} imposes no {action} now"
    found = [o for o in d["obligations"] if o["rule"] == rule and o["key"] == action]
    if what == "obligation_roles":
        return _check_roles(found, action, rule, x.roles)
    if not found:
        return f"obligation {action} of {rule} is {x.status}", f"{rule} imposes no {action} now"
    due = x.due.isoformat() if x.due else None
    for o in found:
        if o["status"] == x.status and (due is None or o["due"] == due):
            return None
    shown = "; ".join(f"{o['status']}" + (f" (due {o['due']})" if o["due"] else "") for o in found)
    want = f"obligation {action} of {rule} is {x.status}" + (f" (due {due})" if due else "")
    return want, f"it is {shown}"


def _roles_text(key: str, roles: Sequence[str], any_one: bool) -> str:
    word = {"by": "by", "approved_by": "approved by", "to": "to"}[key]
    return f"{word} " + (" or " if any_one else ", ").join(roles) if roles else f"no {word}"


def _check_roles(
    found: list[dict[str, Any]], action: str, rule: str,
    roles: tuple[tuple[str, tuple[str, ...], bool], ...],
) -> tuple[str, str] | None:
    """`expect obligation A of R by X or Y ...`: some entry for the duty names exactly these
    roles (in any order) with the same any-or-all reading (docs/semantics.md §19)."""
    want = f"obligation {action} of {rule} " + " ".join(
        _roles_text(key, names, any_one) for key, names, any_one in roles)  # fmt: skip
    if not found:
        return want, f"{rule} imposes no {action} now"
    for o in found:
        if all(
            sorted(o[key]) == sorted(names)
            and (key == "to" or o[f"{key}_any"] == any_one)
            for key, names, any_one in roles
        ):
            return None
    shown = "; ".join(
        " ".join(_roles_text(key, o[key], key != "to" and o[f"{key}_any"]) for key, _, _ in roles)
        for o in found
    )
    return want, f"it is {shown}"
def _check_waived(d: dict[str, Any], x: ir.Expectation) -> tuple[str, str] | None:
    """`expect [not] waived W [for CONTEXT]`: whether each waiver is applied (in CONTEXT, or
    in some context asked about)."""
    entries = {w["name"]: w for w in d.get("waivers", [])}
    where = f" for {x.context}" if x.context is not None else ""
    for name in x.names:
        entry = entries.get(name)
        applied = entry["applied"] if entry is not None else []
        hit = x.context in applied if x.context is not None else bool(applied)
        if hit != (x.what == "waived"):
            want = f"{x.what.replace('_', ' ')} {name}{where}"
            why = entry["reason"] if entry is not None else "no such waiver"
            return want, f"{name} is {'applied' if hit else 'not applied'}{where} ({why})"
    return None


def _check_lifecycle(d: dict[str, Any], x: ir.Expectation) -> tuple[str, str] | None:
    """`expect in force`, `expect not in force`, `expect provisional D` and `expect carried
    forward D accepted|rejected`."""
    what = x.what
    if what in ("in_force", "not_in_force"):
        value = d["in_force"]["value"]
        actual = "in force" if value else "not in force" if value is False else "unknown"
        want = what.replace("_", " ")
        if actual != want:
            why = d["in_force"]["reason"]
            return want, actual + (f" ({why})" if why else "")
        return None
    qualified = d["qualified_determinations"]
    if what == "provisional":
        for name in x.names:
            if (qualified.get(name) or {}).get("provisional") is None:
                return f"{name} provisional", f"{name} is not provisional"
        return None
    name = x.names[0]
    want = what.removeprefix("carried_")
    carried = (qualified.get(name) or {}).get("carried_forward")
    if carried is None:
        return f"carried forward {name} {want}", f"{name} is not carried forward"
    actual = "accepted" if carried["accepted"] else "rejected"
    if actual != want:
        return f"carried forward {name} {want}", f"{actual}: {carried['reason']}"
    return None
