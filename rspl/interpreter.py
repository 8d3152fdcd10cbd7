"""The reference interpreter: the evaluator's contract (`docs/semantics.md`) as plain code.

`evaluate(policy, assessment)` reads the IR directly and returns the decision as JSON data.
It is written for clarity, not speed; the generated Python evaluator must return exactly the
same data for every input (the differential tests check this).

Truth values are three-valued: True, False and None (unknown). Unknown conditions fire their
rule as *precautionary*: its requirements and obligations apply (fail-closed).
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from collections.abc import Mapping
from typing import Any

from rspl import __version__, ir

Tri = bool | None

ASSESSMENT_KEYS = ("as_of", "contexts", "determinations", "done", "evidence", "implemented")


class AssessmentError(ValueError):
    """The assessment is malformed. `field` names where (`determinations.CBRN.reached`),
    `expected` says what was wanted."""

    def __init__(self, field: str, expected: str, got: object = None) -> None:
        self.field = field
        self.expected = expected
        shown = _show(got)
        super().__init__(f"{field}: expected {expected}, got {shown}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------- input


class _Input:
    """A validated assessment."""

    def __init__(self, policy: ir.Policy, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise AssessmentError("assessment", "a JSON object", data)
        for key in sorted(data, key=str):
            if key not in ASSESSMENT_KEYS:
                raise AssessmentError(
                    str(key), "one of the keys " + ", ".join(ASSESSMENT_KEYS), key
                )
        self.as_of = _date(data.get("as_of"), "as_of")
        self.intervals = self._determinations(policy, data.get("determinations"))
        self.evidence = self._evidence(policy, data.get("evidence"))
        self.implemented_names = self._implemented(policy, data.get("implemented"))
        self.done = self._done(policy, data.get("done"))
        self.contexts = self._contexts(policy, data.get("contexts"))

    @staticmethod
    def _determinations(policy: ir.Policy, raw: object) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise AssessmentError("determinations", "an object mapping domains to levels", raw)
        domains = {d.name: d for d in policy.domains}
        for key in sorted(raw, key=str):
            field = f"determinations.{key}"
            domain = domains.get(key) if isinstance(key, str) else None
            if domain is None:
                raise AssessmentError(field, "a domain: " + ", ".join(sorted(domains)), key)
            value = raw[key]
            ranks = {lv.name: lv.rank for lv in domain.levels}
            if value is None:
                continue
            if isinstance(value, str):
                value = {"reached": value}
            if not isinstance(value, Mapping):
                raise AssessmentError(
                    field, 'an object {"reached": LEVEL, "cannot_rule_out": LEVEL}', value
                )
            for sub in sorted(value, key=str):
                if sub not in ("reached", "cannot_rule_out"):
                    raise AssessmentError(f"{field}.{sub}", "reached or cannot_rule_out", sub)
            lo = _rank(value.get("reached"), ranks, f"{field}.reached")
            hi_raw = value.get("cannot_rule_out")
            hi = lo if hi_raw is None else _rank(hi_raw, ranks, f"{field}.cannot_rule_out")
            if hi < lo:
                raise AssessmentError(
                    f"{field}.cannot_rule_out", "a level at or above the level reached", hi_raw
                )
            out[key] = (lo, hi)
        return out

    @staticmethod
    def _evidence(policy: ir.Policy, raw: object) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise AssessmentError("evidence", "an object mapping evidence names to values", raw)
        decls = {e.name: e for e in policy.evidence}
        for key in sorted(raw, key=str):
            field = f"evidence.{key}"
            decl = decls.get(key) if isinstance(key, str) else None
            if decl is None:
                raise AssessmentError(field, "declared evidence: " + ", ".join(sorted(decls)), key)
            value = raw[key]
            if value is None:
                continue
            if decl.type in ("fact", "judgement"):
                if not isinstance(value, bool):
                    raise AssessmentError(field, "true or false", value)
                out[key] = value
            elif decl.type == "date":
                out[key] = _date(value, field)
            else:
                out[key] = _number(value, field, decl.type)
        return out

    @staticmethod
    def _implemented(policy: ir.Policy, raw: object) -> frozenset[str]:
        if raw is None:
            return frozenset()
        if not isinstance(raw, list | tuple):
            raise AssessmentError("implemented", "a list of safeguard or standard names", raw)
        known = {s.name for s in policy.safeguards} | {s.name for s in policy.standards}
        for i, name in enumerate(raw):
            if not isinstance(name, str) or name not in known:
                raise AssessmentError(f"implemented[{i}]", "a safeguard or standard name", name)
        return frozenset(raw)

    @staticmethod
    def _done(policy: ir.Policy, raw: object) -> frozenset[tuple[str, str]]:
        if raw is None:
            return frozenset()
        if not isinstance(raw, list | tuple):
            raise AssessmentError("done", 'a list of {"rule": R, "action": A}', raw)
        known = {(r.name, o.action) for r in policy.rules for o in (*r.obligations, *r.fallbacks)}
        out = set()
        for i, item in enumerate(raw):
            field = f"done[{i}]"
            if not isinstance(item, Mapping) or set(item) != {"rule", "action"}:
                raise AssessmentError(field, 'an object {"rule": R, "action": A}', item)
            pair = (item["rule"], item["action"])
            if not all(isinstance(x, str) for x in pair) or pair not in known:
                raise AssessmentError(field, "an obligation of the policy", dict(item))
            out.add(pair)
        return frozenset(out)

    @staticmethod
    def _contexts(policy: ir.Policy, raw: object) -> tuple[str, ...]:
        every = tuple(c.name for c in policy.contexts)
        if raw is None:
            return every
        if not isinstance(raw, list | tuple):
            raise AssessmentError("contexts", "a list of context names", raw)
        for i, name in enumerate(raw):
            if not isinstance(name, str) or name not in every:
                raise AssessmentError(
                    f"contexts[{i}]", "a context: " + ", ".join(sorted(every)), name
                )
        return tuple(c for c in every if c in raw)


def _rank(name: object, ranks: dict[str, int], field: str) -> int:
    if name is None:
        return 0
    if not isinstance(name, str) or name not in ranks:
        raise AssessmentError(field, "a level: " + ", ".join(ranks), name)
    return ranks[name]


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object, field: str) -> datetime.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AssessmentError(field, "a date written YYYY-MM-DD", value)
    try:
        if not _DATE_RE.fullmatch(value):  # fromisoformat also reads "2025-W01-1"
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise AssessmentError(field, "a date written YYYY-MM-DD", value) from None


def _number(value: object, field: str, dimension: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssessmentError(field, f"a number ({dimension})", value)
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise AssessmentError(field, f"a finite number ({dimension})", value)
    return number


# ---------------------------------------------------------------------------- logic


def tri_not(a: Tri) -> Tri:
    return None if a is None else not a


def at_least(count: int, values: list[Tri]) -> Tri:
    """Kleene `at least count of`: `and` is at_least(n), `or` is at_least(1)."""
    true = sum(v is True for v in values)
    unknown = sum(v is None for v in values)
    if true >= count:
        return True
    if true + unknown < count:
        return False
    return None


def compare(op: str, a: Any, b: Any) -> bool:
    if op == ">=":
        return bool(a >= b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == "<":
        return bool(a < b)
    if op == "==":
        return bool(a == b)
    return bool(a != b)


def level_cmp(op: str, lo: int, hi: int, rank: int) -> Tri:
    """`DOMAIN op LEVEL` when the domain is somewhere in [lo, hi]."""
    if op == ">":
        op, rank = ">=", rank + 1
    elif op == "<":
        op, rank = "<=", rank - 1
    if op == ">=":
        return True if lo >= rank else False if hi < rank else None
    if op == "<=":
        return True if hi <= rank else False if lo > rank else None
    if op == "==":
        return True if lo == hi == rank else False if rank < lo or rank > hi else None
    inner = level_cmp("==", lo, hi, rank)
    return tri_not(inner)


# ---------------------------------------------------------------------------- evaluation


class _Evaluation:
    def __init__(self, policy: ir.Policy, inp: _Input, explain: bool) -> None:
        self.policy = policy
        self.inp = inp
        self.explain = explain
        self.domains = {d.name: d for d in policy.domains}
        self.definitions = {d.name: d for d in policy.definitions}
        self.safeguards = {s.name: s for s in policy.safeguards}
        self.standards = {s.name: s for s in policy.standards}
        self.evidence = {e.name: e for e in policy.evidence}
        self.intervals = dict(inp.intervals)
        self.def_cache: dict[str, tuple[Tri, frozenset[str], Any]] = {}
        # What is in place: `implemented` for sure; `maybe` listed but with an efficacy
        # criterion that cannot be decided, each with the unknown inputs behind it.
        # Efficacy criteria themselves see nothing as implemented.
        self.implemented: frozenset[str] = frozenset()
        self.maybe: dict[str, frozenset[str]] = {}
        self.implemented, self.maybe = self._implemented()
        self.def_cache.clear()  # definitions read while deciding efficacy saw nothing in place

    # ------------------------------------------------------------------ inputs

    def interval(self, domain: str) -> tuple[int, int]:
        """Where the domain may be: [lo, hi] in ranks; absent means anywhere."""
        found = self.intervals.get(domain)
        return found if found is not None else (0, len(self.domains[domain].levels))

    def _implemented(self) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """(safeguards and standards in place, those that may be) for the assessment.

        A listed standard stands for its safeguards (a `not yet defined` one for nothing). A
        safeguard with an efficacy criterion is in place when the criterion is true, may be
        when it is unknown, and is not when it is false. A standard is in place when all its
        safeguards are, and may be when all of them are or may be.
        """
        named: set[str] = set()
        for name in self.inp.implemented_names:
            std = self.standards.get(name)
            if std is None:
                named.add(name)
            elif not std.hole:
                named.update(std.safeguards)
        sure: set[str] = set()
        maybe: dict[str, frozenset[str]] = {}
        for name in sorted(named):
            sg = self.safeguards[name]
            if sg.efficacy is None:
                sure.add(name)
                continue
            value, unknown, _ = self.expr(sg.efficacy)
            if value is True:
                sure.add(name)
            elif value is None:
                maybe[name] = unknown
        for std in self.policy.standards:
            if std.hole:
                continue
            if all(s in sure for s in std.safeguards):
                sure.add(std.name)
            elif all(s in sure or s in maybe for s in std.safeguards):
                maybe[std.name] = frozenset().union(
                    *(maybe[s] for s in std.safeguards if s in maybe)
                )
        return frozenset(sure), maybe

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr) -> tuple[Tri, frozenset[str], Any]:
        """(value, unknown inputs it read, explanation node or None)."""
        value: Tri
        unknown: frozenset[str] = frozenset()
        children: list[Any] = []
        inputs: list[str] = []
        if isinstance(e, ir.LevelCmp):
            inputs = [e.domain]
            lo, hi = self.interval(e.domain)
            value = level_cmp(e.op, lo, hi, e.rank)
            if value is None:
                unknown = frozenset([e.domain])
        elif isinstance(e, ir.Compare):
            left, lu, lin = self.value(e.left)
            right, ru, rin = self.value(e.right)
            inputs = lin + rin
            unknown = lu | ru
            value = None if left is None or right is None else compare(e.op, left, right)
        elif isinstance(e, ir.Fact):
            inputs = [e.name]
            value = self.inp.evidence.get(e.name)
            if value is None:
                unknown = frozenset([e.name])
        elif isinstance(e, ir.DefRef):
            if e.name not in self.def_cache:
                self.def_cache[e.name] = self.expr(self.definitions[e.name].expr)
            value, unknown, node = self.def_cache[e.name]
            children = [node] if node is not None else []
        elif isinstance(e, ir.Implemented):
            inputs = ["implemented"]
            value = True if e.name in self.implemented else None if e.name in self.maybe else False
            if value is None:
                unknown = self.maybe[e.name]
        elif isinstance(e, ir.Not):
            inner, unknown, node = self.expr(e.operand)
            value = tri_not(inner)
            children = [node]
        else:
            count = (
                len(e.operands) if isinstance(e, ir.And)
                else 1 if isinstance(e, ir.Or)
                else e.count
            )  # fmt: skip
            values = []
            for sub in e.operands:
                v, u, node = self.expr(sub)
                values.append(v)
                unknown |= u
                children.append(node)
            value = at_least(count, values)
        if value is not None:
            unknown = frozenset()
        node = None
        if self.explain:
            node = {
                "expr": describe(e),
                "value": _tri_word(value),
                "inputs": sorted(set(inputs)),
                "children": [c for c in children if c is not None],
            }
        return value, unknown, node

    def value(self, v: ir.Value) -> tuple[Any, frozenset[str], list[str]]:
        if isinstance(v, ir.Const):
            return v.value, frozenset(), []
        if isinstance(v, ir.EvidenceValue):
            got = self.inp.evidence.get(v.name)
            return got, frozenset([v.name]) if got is None else frozenset(), [v.name]
        start = self.inp.evidence.get(v.name)
        missing = {v.name} if start is None else set()
        if self.inp.as_of is None:
            missing.add("as_of")
        if missing:
            return None, frozenset(missing), [v.name, "as_of"]
        assert self.inp.as_of is not None and start is not None
        days = (self.inp.as_of - start).days
        return float(days), frozenset(), [v.name, "as_of"]

    # ------------------------------------------------------------------ the decision

    def run(self) -> dict[str, Any]:
        policy = self.policy
        explanation: list[Any] = []
        # 1. Checkpoints: a warning whose condition is false rules out the levels it names.
        for rule in policy.rules:
            if rule.rules_out and rule.condition is not None:
                reached, _, _ = self.expr(rule.condition)
                if reached is False:
                    for ro in rule.rules_out:
                        lo, hi = self.interval(ro.domain)
                        self.intervals[ro.domain] = (lo, max(lo, min(hi, ro.rank - 1)))
        self.def_cache.clear()
        # 2. Rules.
        active: list[tuple[ir.Rule, str, frozenset[str]]] = []
        for rule in policy.rules:
            if rule.condition is None:
                value: Tri = True
                unknown: frozenset[str] = frozenset()
                node: Any = None
            else:
                value, unknown, node = self.expr(rule.condition)
            status = (
                "triggered" if value is True
                else "precautionary" if value is None
                else "not_triggered"
            )  # fmt: skip
            if self.explain:
                explanation.append({"rule": rule.name, "status": status, "condition": node})
            if value is not False:
                active.append((rule, status, unknown))
        # 3. Requirements, per context. A safeguard is owned by every rule that requires it
        #    or a standard containing it; a rule is unmet when a standard it requires is not
        #    yet defined or a safeguard it requires is not implemented.
        verdicts: dict[str, Any] = {}
        all_standards: set[str] = set()
        safeguard_rules: dict[str, set[str]] = {}
        missing_all: set[str] = set()
        unmet_rules: set[str] = set()
        for context in self.inp.contexts:
            required: set[str] = set()
            owners: dict[str, set[str]] = {}
            for rule, _, _ in active:
                for req in rule.requirements:
                    if req.modality != "must" or (req.contexts and context not in req.contexts):
                        continue
                    if req.kind == "standard":
                        std = self.standards[req.target]
                        required.add(req.target)
                        needs = set(std.safeguards)
                        if std.hole:
                            unmet_rules.add(rule.name)
                    else:
                        needs = {req.target}
                    for sg in needs:
                        owners.setdefault(sg, set()).add(rule.name)
                    if not needs <= self.implemented:
                        unmet_rules.add(rule.name)
            kept = self.combine(required)
            missing = sorted(
                [s for s in kept if self.standards[s].hole]
                + [sg for sg in owners if sg not in self.implemented]
            )
            all_standards.update(kept)
            for sg, rules in owners.items():
                safeguard_rules.setdefault(sg, set()).update(rules)
            missing_all.update(missing)
            verdicts[context] = {
                "required_standards": self.by_family(kept),
                "missing": missing,
            }
        # 4. Obligations (fallbacks apply when a rule's own requirements are unmet).
        obligations: list[dict[str, Any]] = []
        blocks: dict[str, list[str]] = {c: [] for c in self.inp.contexts}
        for rule, _, _ in active:
            steps = [(o, False) for o in rule.obligations]
            if rule.name in unmet_rules:
                steps += [(o, True) for o in rule.fallbacks]
            for ob, fallback in steps:
                item = self.obligation(rule, ob, fallback)
                obligations.append(item)
                for context in item["blocks"]:
                    if context in blocks:
                        blocks[context].append(f"{rule.name}.{ob.action}")
        # 5. Verdicts.
        for context, verdict in verdicts.items():
            reasons = [f"missing {name}" for name in verdict["missing"]]
            reasons += [f"obligation {key} is not done" for key in sorted(set(blocks[context]))]
            verdict["permitted"] = not reasons
            verdict["reasons"] = reasons
        needed = self.needed(active)
        decision: dict[str, Any] = {
            "policy": {
                "id": policy.id,
                "version": policy.version,
                "source_hash": policy.source_hash,
                "compiler": f"rspl {__version__}",
            },
            "as_of": self.inp.as_of.isoformat() if self.inp.as_of else None,
            "rules": [
                {
                    "name": rule.name,
                    "kind": rule.kind,
                    "title": rule.title,
                    "status": status,
                    "missing_evidence": sorted(unknown),
                    "anchors": [_anchor(a) for a in rule.anchors],
                }
                for rule, status, unknown in active
            ],
            "required_standards": self.by_family(self.combine(all_standards)),
            "required_safeguards": {k: sorted(v) for k, v in sorted(safeguard_rules.items())},
            "missing": sorted(missing_all),
            "recommended": self.recommended(active),
            "obligations": obligations,
            "alerts": [
                {"warning": rule.name, "title": rule.title, "precautionary": status != "triggered"}
                for rule, status, _ in active
                if rule.kind == "warning"
            ],
            "needed": needed,
            "verdicts": verdicts,
        }
        if self.explain:
            decision["explanation"] = explanation
        return decision

    def recommended(self, active: list[tuple[ir.Rule, str, frozenset[str]]]) -> list[Any]:
        """Requirements that do not bind (`should require`, `recommend require`, ...) of the
        rules that apply, for the contexts asked about, and whether each is in place."""
        out = []
        for rule, _, _ in active:
            for req in rule.requirements:
                if req.modality == "must":
                    continue
                contexts = [c for c in self.inp.contexts if not req.contexts or c in req.contexts]
                if not contexts:
                    continue
                if req.kind == "standard":
                    std = self.standards[req.target]
                    in_place = not std.hole and all(s in self.implemented for s in std.safeguards)
                else:
                    in_place = req.target in self.implemented
                out.append({
                    "rule": rule.name, "target": req.target, "kind": req.kind,
                    "modality": req.modality, "contexts": contexts, "in_place": in_place,
                })  # fmt: skip
        return out

    def combine(self, names: set[str]) -> set[str]:
        """Keep the highest standard per family: drop any standard another one extends."""
        if self.policy.combine == "all":
            return set(names)
        covered = {a for n in names for a in self.standards[n].ancestors}
        return {n for n in names if n not in covered}

    def by_family(self, names: set[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for std in self.policy.standards:
            if std.name in names:
                out.setdefault(std.family, []).append(std.name)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def obligation(self, rule: ir.Rule, ob: ir.Obligation, fallback: bool) -> dict[str, Any]:
        done = (rule.name, ob.action) in self.inp.done
        due: datetime.date | None = None
        status = "open"
        in_force = True
        deadline = ob.deadline
        as_of = self.inp.as_of
        if isinstance(deadline, ir.Until):
            value, _, _ = self.expr(deadline.expr)
            in_force = value is not True
        elif isinstance(deadline, ir.Within | ir.Due):
            if isinstance(deadline, ir.Due):
                due = deadline.date
            elif deadline.event is not None:
                start = self.inp.evidence.get(deadline.event)
                if start is not None:
                    due = add_period(start, deadline.period)
            if due is not None:
                status = "overdue" if as_of is not None and as_of > due else "due"
        elif isinstance(deadline, ir.Every):
            start = self.inp.evidence.get(deadline.since) if deadline.since else None
            if start is None:
                status = "due"
            else:
                opens = add_period(start, deadline.low)
                due = add_period(start, deadline.high)
                if as_of is None:
                    status = "due"
                elif as_of > due:
                    status = "overdue"
                elif as_of >= opens:
                    status = "due"
        if done or not in_force:
            status = "done"
        blocks: list[str] = []
        if ob.modality == "must" and status != "done":
            if ob.blocking:
                named = [r.name for r in ob.objects if r.kind == "context"]
                blocks = named or list(self.inp.contexts)
            if isinstance(deadline, ir.Before):
                blocks += deadline.contexts
        return {
            "rule": rule.name,
            "action": ob.action,
            "modality": ob.modality,
            "objects": [r.name for r in ob.objects],
            "by": list(ob.by),
            "approved_by": list(ob.approved_by),
            "deadline": deadline_text(deadline),
            "due": due.isoformat() if due else None,
            "status": status,
            "fallback": fallback,
            "blocks": sorted(set(b for b in blocks if b in self.inp.contexts)),
            "anchors": [_anchor(a) for a in ob.anchors],
        }

    def needed(self, active: list[tuple[ir.Rule, str, frozenset[str]]]) -> list[dict[str, Any]]:
        """Inputs still to be determined, for the precautionary rules, and who decides them."""
        names: set[str] = set()
        for _, status, unknown in active:
            if status == "precautionary":
                names |= unknown
        out = []
        for name in sorted(names):
            if name in self.domains:
                out.append({"input": name, "kind": "determination",
                            "decided_by": list(self.domains[name].deciders)})
            elif name in self.evidence:
                out.append({"input": name, "kind": "evidence",
                            "decided_by": list(self.evidence[name].deciders)})
            else:
                out.append({"input": name, "kind": "assessment", "decided_by": []})
        return out


def add_period(start: datetime.date, period: ir.Period) -> datetime.date:
    """`start` plus whole calendar months (clamped to the month's last day), plus days."""
    month = start.month - 1 + period.months
    year, month = start.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 28
    day = min(start.day, last)
    try:
        moved = datetime.date(year, month, day)
        return moved + datetime.timedelta(days=period.days)
    except (ValueError, OverflowError):
        return datetime.date.max  # beyond the calendar: never reached


def _tri_word(value: Tri) -> str:
    return "unknown" if value is None else "true" if value else "false"


def _anchor(a: ir.Anchor) -> dict[str, str | None]:
    return {"text": a.text, "url": a.url}


def deadline_text(d: ir.Deadline | None) -> str | None:
    """A deadline in the policy's own words (`within 30 days of x`)."""
    if d is None:
        return None
    if isinstance(d, ir.Within):
        return f"within {d.text}" + (f" of {d.event}" if d.event else "")
    if isinstance(d, ir.Before):
        return "before " + ", ".join(d.contexts)
    if isinstance(d, ir.Every):
        return f"every {d.text}" + (f" since {d.since}" if d.since else "")
    if isinstance(d, ir.Until):
        return f"until {describe(d.expr)}"
    return f"due {d.date.isoformat()}"


def describe(e: ir.Expr) -> str:
    """An expression in RSPL syntax, for explanations and documents."""
    if isinstance(e, ir.LevelCmp):
        return f"{e.domain} {e.op} {e.level}"
    if isinstance(e, ir.Compare):
        return f"{_value_text(e.left)} {e.op} {_value_text(e.right)}"
    if isinstance(e, ir.Fact | ir.DefRef):
        return e.name
    if isinstance(e, ir.Implemented):
        return f"{e.name} is implemented"
    if isinstance(e, ir.Not):
        return f"not ({describe(e.operand)})"
    if isinstance(e, ir.And):
        return " and ".join(f"({describe(x)})" for x in e.operands) or "all of ()"
    if isinstance(e, ir.Or):
        return " or ".join(f"({describe(x)})" for x in e.operands) or "any of ()"
    return f"at least {e.count} of (" + ", ".join(describe(x) for x in e.operands) + ")"


def _value_text(v: ir.Value) -> str:
    if isinstance(v, ir.Const):
        return v.text
    if isinstance(v, ir.EvidenceValue):
        return v.name
    return f"since {v.name}"


def evaluate(
    policy: ir.Policy, assessment: Mapping[str, Any], *, explain: bool = False
) -> dict[str, Any]:
    """The decision for `assessment` under `policy`, as JSON data.

    Raises AssessmentError, naming the field, when the assessment is malformed.
    """
    return _Evaluation(policy, _Input(policy, assessment), explain).run()
