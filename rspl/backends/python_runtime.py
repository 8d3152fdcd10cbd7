"""The runtime of every generated Python evaluator.

`rspl build --target python` copies this file verbatim into each generated module, then
appends the policy's tables and its compiled condition function. It uses the standard library
only. Nothing here knows a particular policy: `Evaluator` is built from the tables.

The fast path (`Evaluator.evaluate`) validates the assessment, runs the compiled conditions
once, and finds each context's requirements in a table keyed by the rules' outcomes, so a
decision costs a few dictionary lookups and set differences. Everything else in the decision
(obligations, alerts, explanations) is computed when asked for, by `Decision.to_dict()`.
The reference interpreter in the compiler defines the same semantics independently; the
differential tests keep the two in agreement.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

Tri = bool | None
# An expression table node: ("level", domain, op, rank, level_name), ("cmp", op, left, right),
# ("fact", name), ("def", name), ("impl", name), ("not", node), ("and", nodes),
# ("or", nodes), ("atleast", count, nodes). Values: ("ev", name), ("const", v, text),
# ("since", name).
Node = tuple[Any, ...]
class EvaluateFn(Protocol):
    def __call__(self, assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
        ...


ConditionsFn = Callable[
    [
        list[int],
        list[int],
        dict[str, Any],
        frozenset[str],
        dict[str, frozenset[str]],
        "datetime.date | None",
    ],
    tuple[Tri, ...],
]

_EMPTY: frozenset[str] = frozenset()
_NO_MAYBE: dict[str, frozenset[str]] = {}
_NO_DONE: frozenset[tuple[str, str]] = frozenset()
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEYS = frozenset({"as_of", "contexts", "determinations", "done", "evidence", "implemented"})
_KEY_LIST = "as_of, contexts, determinations, done, evidence, implemented"


class AssessmentError(ValueError):
    """The assessment is malformed. `field` names where (`determinations.CBRN.reached`),
    `expected` says what was wanted. A malformed assessment is never permitted."""

    def __init__(self, field: str, expected: str, got: object = None) -> None:
        self.field = field
        self.expected = expected
        text = repr(got)
        shown = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(f"{field}: expected {expected}, got {shown}")


def _date(value: object, field: str) -> datetime.date | None:
    if value is None:
        return None
    if type(value) is not str or not _DATE_RE.fullmatch(value):
        raise AssessmentError(field, "a date written YYYY-MM-DD", value)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise AssessmentError(field, "a date written YYYY-MM-DD", value) from None


def _add(start: datetime.date, period: tuple[int, int]) -> datetime.date:
    """`start` plus (whole calendar months, clamped to the month's end; then days)."""
    months, days = period
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = 29 if leap else 28
    else:
        last = 30 if month in (4, 6, 9, 11) else 31
    try:
        return datetime.date(year, month, min(start.day, last)) + datetime.timedelta(days)
    except (ValueError, OverflowError):
        return datetime.date.max  # beyond the calendar: never reached


def _tri(value: Tri) -> str:
    return "unknown" if value is None else "true" if value else "false"


class Verdict:
    """Whether one context may proceed, and why not. `missing` and `required` are sets of
    safeguard and standard names; `reasons` lists what blocks the context."""

    __slots__ = ("blocks", "context", "missing", "permitted", "required", "required_standards")

    def __init__(
        self,
        context: str,
        missing: frozenset[str],
        blocks: tuple[str, ...],
        required: frozenset[str],
        required_standards: dict[str, list[str]],
    ) -> None:
        self.context = context
        self.permitted = not missing and not blocks
        self.missing = missing
        self.blocks = blocks
        self.required = required
        self.required_standards = required_standards

    @property
    def reasons(self) -> list[str]:
        return [f"missing {m}" for m in sorted(self.missing)] + [
            f"obligation {k} is not done" for k in self.blocks
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "required_standards": {k: list(v) for k, v in self.required_standards.items()},
            "missing": sorted(self.missing),
            "permitted": self.permitted,
            "reasons": self.reasons,
        }


class Decision:
    """The decision for one assessment. `verdicts` maps each context asked about to a
    `Verdict`; `permitted(context)` answers one; `to_dict()` gives the whole decision as plain
    JSON data (computed when first asked for)."""

    __slots__ = (
        "_dict", "_verdicts", "contexts", "evaluator", "explain", "inputs", "outcomes", "table",
    )  # fmt: skip

    def __init__(
        self,
        evaluator: Evaluator,
        inputs: tuple[
            list[int],
            list[int],
            dict[str, Any],
            frozenset[str],
            frozenset[tuple[str, str]],
            datetime.date | None,
            dict[str, frozenset[str]],
        ],
        contexts: tuple[str, ...],
        outcomes: tuple[Tri, ...],
        table: dict[str, Any],
        explain: bool,
    ) -> None:
        # `inputs` is (lo, hi, evidence, implemented, done, as_of, maybe): one slot, so making
        # a decision stays cheap; the properties below name its parts.
        self.evaluator = evaluator
        self.inputs = inputs
        self.contexts = contexts
        self.outcomes = outcomes
        self.table = table
        self.explain = explain
        self._verdicts: dict[str, Verdict] | None = None
        self._dict: dict[str, Any] | None = None

    lo = property(lambda self: self.inputs[0], doc="lowest level rank per domain")
    hi = property(lambda self: self.inputs[1], doc="highest level rank not ruled out")
    ev = property(lambda self: self.inputs[2], doc="evidence values given")
    impl = property(lambda self: self.inputs[3], doc="safeguards and standards in place")
    done = property(lambda self: self.inputs[4], doc="(rule, action) obligations done")
    as_of = property(lambda self: self.inputs[5], doc="the assessment date")

    @property
    def verdicts(self) -> dict[str, Verdict]:
        if self._verdicts is None:
            self._verdicts = self._decide()
        return self._verdicts

    def permitted(self, context: str) -> bool:
        return self.verdicts[context].permitted

    def to_dict(self) -> dict[str, Any]:
        if self._dict is None:
            self._dict = self.full()
        return self._dict

    def _decide(self) -> dict[str, Verdict]:
        table, impl = self.table, self.inputs[3]
        blocks = self.blocking() if self.evaluator.may_block else {}
        out: dict[str, Verdict] = {}
        for context in self.contexts:
            _, required, holes, families = table[context]
            missing = required.difference(impl)
            if holes:
                missing = missing | holes
            out[context] = Verdict(context, missing, blocks.get(context, ()), required, families)
        return out

    def unmet_rules(self) -> set[int]:
        """Active rules whose requirements are unmet in some context asked about: a standard
        they require is not yet defined, or a safeguard they require is not implemented."""
        e = self.evaluator
        unmet: set[int] = set()
        for i, needs in enumerate(e.rule_needs):
            for context in self.contexts:
                safeguards, hole = needs[context]
                if hole or not safeguards.issubset(self.impl):
                    unmet.add(i)
                    break
        return unmet

    def blocking(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        for item in self.obligations():
            for context in item["blocks"]:
                found.setdefault(context, set()).add(f"{item['rule']}.{item['action']}")
        return {c: tuple(sorted(v)) for c, v in found.items()}

    def obligations(self) -> list[dict[str, Any]]:
        e = self.evaluator
        unmet = self.unmet_rules() if e.has_fallbacks else set()
        out = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is False:
                continue
            rule = e.rules[i]
            for ob in rule["obligations"]:
                out.append(self.obligation(rule["name"], ob, False))
            if i in unmet:
                for ob in rule["fallbacks"]:
                    out.append(self.obligation(rule["name"], ob, True))
        return out

    def obligation(self, rule: str, ob: Mapping[str, Any], fallback: bool) -> dict[str, Any]:
        kind, a, b, c = ob["deadline"]
        as_of = self.as_of
        due: datetime.date | None = None
        status = "open"
        in_force = True
        if kind == "until":
            in_force = self.evaluator.tri(a, self) is not True
        elif kind == "date":
            due = a
        elif kind == "within" and b is not None:
            start = self.ev.get(b)
            if start is not None:
                due = _add(start, a)
        if kind in ("date", "within") and due is not None:
            status = "overdue" if as_of is not None and as_of > due else "due"
        elif kind == "every":
            start = self.ev.get(c) if c is not None else None
            if start is None:
                status = "due"
            else:
                opens = _add(start, a)
                due = _add(start, b)
                if as_of is None or opens <= as_of <= due:
                    status = "due"
                elif as_of > due:
                    status = "overdue"
        if (rule, ob["action"]) in self.done or not in_force:
            status = "done"
        blocks: set[str] = set()
        if ob["modality"] == "must" and status != "done":
            if ob["blocking"]:
                blocks.update(ob["contexts"] or self.contexts)
            if kind == "before":
                blocks.update(a)
        return {
            "rule": rule,
            "action": ob["action"],
            "modality": ob["modality"],
            "objects": list(ob["objects"]),
            "by": list(ob["by"]),
            "approved_by": list(ob["approved_by"]),
            "deadline": ob["text"],
            "due": due.isoformat() if due is not None else None,
            "status": status,
            "fallback": fallback,
            "blocks": sorted(x for x in blocks if x in self.contexts),
            "anchors": [dict(x) for x in ob["anchors"]],
        }

    def recommended(self) -> list[dict[str, Any]]:
        """The requirements that do not bind, of the rules that apply, and whether each is
        in place."""
        e, impl = self.evaluator, self.inputs[3]
        out: list[dict[str, Any]] = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is False:
                continue
            rule = e.rules[i]
            for target, kind, only, modality in rule["recommended"]:
                contexts = [c for c in self.contexts if not only or c in only]
                if not contexts:
                    continue
                if kind == "standard":
                    _, _, safeguards, hole = e.standards[target]
                    in_place = not hole and all(s in impl for s in safeguards)
                else:
                    in_place = target in impl
                out.append({
                    "rule": rule["name"], "target": target, "kind": kind,
                    "modality": modality, "contexts": contexts, "in_place": in_place,
                })  # fmt: skip
        return out

    def full(self) -> dict[str, Any]:
        e, outcomes, table, explain = self.evaluator, self.outcomes, self.table, self.explain
        verdicts = self.verdicts
        rules, alerts, explanation = [], [], []
        unknown_inputs: set[str] = set()
        safeguard_rules: dict[str, set[str]] = {}
        kept_all: set[str] = set()
        for context in self.contexts:
            kept_all.update(table[context][0])
            for sg, owners in e.safeguard_owners(outcomes, context).items():
                safeguard_rules.setdefault(sg, set()).update(owners)
        for i, outcome in enumerate(outcomes):
            rule = e.rules[i]
            status = _STATUS[outcome]
            if explain:
                node = None
                if rule["condition"] is not None:
                    node = e.explain(rule["condition"], self)
                explanation.append({"rule": rule["name"], "status": status, "condition": node})
            if outcome is False:
                continue
            unknown: list[str] = []
            if outcome is None:
                unknown = sorted(e.unknowns(rule["condition"], self))
                unknown_inputs.update(unknown)
            rules.append({
                "name": rule["name"],
                "kind": rule["kind"],
                "title": rule["title"],
                "status": status,
                "missing_evidence": unknown,
                "anchors": [dict(x) for x in rule["anchors"]],
            })  # fmt: skip
            if rule["kind"] == "warning":
                alerts.append({
                    "warning": rule["name"],
                    "title": rule["title"],
                    "precautionary": outcome is not True,
                })  # fmt: skip
        missing: set[str] = set()
        for v in verdicts.values():
            missing.update(v.missing)
        decision: dict[str, Any] = {
            "policy": dict(e.provenance),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rules": rules,
            "required_standards": e.by_family(e.combine(kept_all)),
            "required_safeguards": {k: sorted(v) for k, v in sorted(safeguard_rules.items())},
            "missing": sorted(missing),
            "recommended": self.recommended(),
            "obligations": self.obligations(),
            "alerts": alerts,
            "needed": [e.needed_entry(name) for name in sorted(unknown_inputs)],
            "verdicts": {c: v.to_dict() for c, v in verdicts.items()},
        }
        if explain:
            decision["explanation"] = explanation
        return decision


_STATUS: dict[Tri, str] = {True: "triggered", None: "precautionary", False: "not_triggered"}


class Evaluator:
    """Decides assessments for one policy, from its tables and compiled conditions."""

    def __init__(
        self,
        *,
        provenance: Mapping[str, Any],
        combine: str,
        domains: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...],
        evidence: Mapping[str, tuple[str, tuple[str, ...]]],
        safeguards: Mapping[str, Node | None],
        standards: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...], bool]],
        contexts: tuple[str, ...],
        definitions: Mapping[str, Node],
        rules: tuple[Mapping[str, Any], ...],
        conditions: ConditionsFn,
        levels_only: bool,
        standards_tested: bool,
    ) -> None:
        """`levels_only`: the conditions read nothing but the domains' levels, so their
        outcomes can be looked up by the determinations given. `standards_tested`: some
        condition asks whether a whole standard `is implemented`."""
        self.provenance = provenance
        self.combine_mode = combine
        self.domain_names = tuple(d[0] for d in domains)
        self.domain_index = {d[0]: i for i, d in enumerate(domains)}
        self.level_ranks = tuple({lv: r + 1 for r, lv in enumerate(d[1])} for d in domains)
        self.level_lists = tuple(", ".join(d[1]) for d in domains)
        self.tops = tuple(len(d[1]) for d in domains)
        self.deciders = {d[0]: d[2] for d in domains}
        self.evidence = evidence
        self.safeguards = safeguards
        self.standards = standards
        self.contexts = contexts
        self.context_set = frozenset(contexts)
        self.definitions = definitions
        self.rules = rules
        self.conditions = conditions
        self.known_names = frozenset(safeguards) | frozenset(standards)
        self.efficacy = any(v is not None for v in safeguards.values())
        self.done_pairs = frozenset(
            (r["name"], ob["action"]) for r in rules for ob in (*r["obligations"], *r["fallbacks"])
        )
        self.may_block = any(
            ob["modality"] == "must" and (ob["blocking"] or ob["deadline"][0] == "before")
            for r in rules
            for ob in (*r["obligations"], *r["fallbacks"])
        )
        self.has_fallbacks = any(r["fallbacks"] for r in rules)
        self.rule_needs = tuple(self._needs(r) for r in rules)
        self.levels_only = levels_only
        self.standard_names = frozenset(standards)
        self.safeguard_names = frozenset(safeguards)
        self.simple_impl = not self.efficacy and not standards_tested
        self._cache: dict[tuple[Tri, ...], dict[str, Any]] = {}
        self._by_levels: dict[
            Any, tuple[list[int], list[int], list[int], tuple[Tri, ...], Any]
        ] = {}
        self._no_evidence: dict[str, Any] = {}
        self._fast: dict[Any, tuple[Any, ...]] = {}
        self.fast = self._fast_path()

    # ------------------------------------------------------------------ tables

    def _needs(self, rule: Mapping[str, Any]) -> dict[str, tuple[frozenset[str], bool]]:
        """Per context: the safeguards this rule requires (directly or through standards)
        and whether one of the standards it requires is not yet defined."""
        out: dict[str, tuple[frozenset[str], bool]] = {}
        for context in self.contexts:
            names: set[str] = set()
            hole = False
            for target, kind, contexts in rule["requirements"]:
                if contexts and context not in contexts:
                    continue
                if kind == "standard":
                    names.update(self.standards[target][2])
                    hole = hole or self.standards[target][3]
                else:
                    names.add(target)
            out[context] = (frozenset(names), hole)
        return out

    def combine(self, names: set[str] | frozenset[str]) -> frozenset[str]:
        if self.combine_mode == "all":
            return frozenset(names)
        covered = {a for n in names for a in self.standards[n][1]}
        return frozenset(n for n in names if n not in covered)

    def by_family(self, names: frozenset[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in sorted(names):
            out.setdefault(self.standards[name][0], []).append(name)
        return dict(sorted(out.items()))

    def requirements_for(self, outcomes: tuple[Tri, ...]) -> dict[str, Any]:
        """Per context: (standards kept, safeguards required, holes required, kept standards
        by family), for the rules these outcomes make active. Cached: it depends on nothing
        else."""
        found = self._cache.get(outcomes)
        if found is not None:
            return found
        table: dict[str, Any] = {}
        for context in self.contexts:
            standards: set[str] = set()
            safeguards: set[str] = set()
            for i, outcome in enumerate(outcomes):
                if outcome is False:
                    continue
                for target, kind, contexts in self.rules[i]["requirements"]:
                    if contexts and context not in contexts:
                        continue
                    (standards if kind == "standard" else safeguards).add(target)
            kept = self.combine(standards)
            for name in standards:
                safeguards.update(self.standards[name][2])
            holes = frozenset(n for n in kept if self.standards[n][3])
            table[context] = (kept, frozenset(safeguards), holes, self.by_family(kept))
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[outcomes] = table
        return table

    def safeguard_owners(self, outcomes: tuple[Tri, ...], context: str) -> dict[str, set[str]]:
        """Each required safeguard, with the active rules requiring it or a standard
        containing it."""
        out: dict[str, set[str]] = {}
        for i, outcome in enumerate(outcomes):
            if outcome is False:
                continue
            rule = self.rules[i]
            for target, kind, contexts in rule["requirements"]:
                if contexts and context not in contexts:
                    continue
                names = self.standards[target][2] if kind == "standard" else (target,)
                for sg in names:
                    out.setdefault(sg, set()).add(rule["name"])
        return out

    def needed_entry(self, name: str) -> dict[str, Any]:
        if name in self.domain_index:
            return {"input": name, "kind": "determination", "decided_by": list(self.deciders[name])}
        if name in self.evidence:
            return {"input": name, "kind": "evidence", "decided_by": list(self.evidence[name][1])}
        return {"input": name, "kind": "assessment", "decided_by": []}

    # ------------------------------------------------------------------ the fast path

    def _fast_path(self) -> EvaluateFn:
        """`evaluate` for the most common call: a policy whose conditions read only levels,
        asked about its one context, with determinations and a list of safeguards and
        nothing else. Everything it needs is bound to local names; any other call goes to
        `evaluate`, which decides it the same way with every check."""
        full = self.evaluate
        if not (self.levels_only and self.simple_impl and not self.may_block):
            return full
        if len(self.contexts) != 1:
            return full
        context = self.contexts[0]
        contexts = self.contexts
        by_levels = self._fast.get
        names_ok = self.safeguard_names.issuperset
        no_evidence = self._no_evidence
        new = Decision.__new__
        evaluator = self

        def evaluate(assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
            if type(assessment) is dict and len(assessment) == 2:
                try:  # exactly these two keys, or the full path says what is wrong
                    raw = assessment["determinations"]
                    impl = assessment["implemented"]
                except KeyError:
                    return full(assessment, explain=explain)
                if type(raw) is dict and type(impl) is list:
                    try:
                        hit = by_levels(tuple(raw.items()))
                        simple = hit is not None and names_ok(impl)
                    except TypeError:
                        simple = False
                    if simple:
                        required, holes, families, lo, hi, outcomes, table = hit  # type: ignore[misc]
                        missing = required.difference(impl)
                        if holes:
                            missing = missing | holes
                        d = new(Decision)
                        d.evaluator, d.contexts, d.outcomes = evaluator, contexts, outcomes
                        d.inputs = (lo, hi, no_evidence, impl, _NO_DONE, None, _NO_MAYBE)  # type: ignore[assignment]
                        d.table, d.explain, d._dict = table, explain, None
                        d._verdicts = {
                            context: Verdict(context, missing, (), required, families)
                        }
                        return d
            return full(assessment, explain=explain)

        return evaluate

    def evaluate(self, assessment: Mapping[str, Any], *, explain: bool = False) -> Decision:
        """The decision for `assessment`. Raises AssessmentError when it is malformed.

        Validation runs in the order of the assessment's fields (keys, as_of, determinations,
        evidence, implemented, done, contexts), so the first problem is the one reported.
        """
        if type(assessment) is not dict and not isinstance(assessment, Mapping):
            raise AssessmentError("assessment", "a JSON object", assessment)
        if not _KEYS.issuperset(assessment):
            bad = min((k for k in assessment if k not in _KEYS), key=str)
            raise AssessmentError(str(bad), "one of the keys " + _KEY_LIST, bad)
        get = assessment.get
        as_of = get("as_of")
        if as_of is not None:
            as_of = _date(as_of, "as_of")
        raw = get("determinations")
        hit = None
        if self.levels_only:
            # Outcomes depend on the determinations alone: look them up by what was given.
            # Only validated inputs are ever stored, so a hit needs no validation.
            key: tuple[Any, ...] | None = None
            if raw is None:
                key = ()
            elif type(raw) is dict:
                key = tuple(raw.items())  # anything else takes the validating path
            try:
                hit = self._by_levels.get(key) if key is not None else None
            except TypeError:  # an unhashable level: validated below, never stored
                key = None
        if hit is None:
            lo = [0] * len(self.tops)
            hi = list(self.tops)
            if raw is not None:
                self._determinations(raw, lo, hi)
            given = hi  # checkpoints narrow `hi` below; efficacy reads the levels as given
        else:
            lo, given, hi, outcomes, table = hit
        raw = get("evidence")
        ev = self._evidence(raw) if raw is not None else self._no_evidence
        raw = get("implemented")
        maybe = _NO_MAYBE
        if raw is None and self.simple_impl:
            impl: frozenset[str] = _EMPTY
        elif type(raw) is list and self.simple_impl:
            # Common case: only safeguards listed, nothing to expand. Checked, not trusted;
            # the list itself serves as the set (membership and differences read it as is).
            try:
                simple = self.safeguard_names.issuperset(raw)
            except TypeError:  # something unhashable: rejected below
                simple = False
            if simple:
                impl = raw  # type: ignore[assignment]
            else:  # a standard, or a name to reject
                impl, maybe = self._implemented(raw, lo, given, ev, as_of)
        else:  # standards to complete (an empty one is complete), or efficacy to decide
            impl, maybe = self._implemented(raw if raw is not None else [], lo, given, ev, as_of)
        raw = get("done")
        done = self._done(raw) if raw is not None else _NO_DONE
        raw = get("contexts")
        contexts = self.contexts if raw is None else self._contexts(raw)
        if hit is None:
            hi = list(given)  # the checkpoints in `conditions` may narrow this copy
            outcomes = self.conditions(lo, hi, ev, impl, maybe, as_of)
            table = self.requirements_for(outcomes)
            if self.levels_only and key is not None:
                if len(self._by_levels) > 4096:
                    self._by_levels.clear()
                    self._fast.clear()
                self._by_levels[key] = (lo, given, hi, outcomes, table)
                if len(self.contexts) == 1:  # what the shortcut in `_fast_path` reads
                    _, required, holes, families = table[self.contexts[0]]
                    self._fast[key] = (required, holes, families, lo, hi, outcomes, table)
        inputs = (lo, hi, ev, impl, done, as_of, maybe)
        return Decision(self, inputs, contexts, outcomes, table, explain)

    def _determinations(self, raw: Any, lo: list[int], hi: list[int]) -> None:
        if not isinstance(raw, Mapping):
            raise AssessmentError("determinations", "an object mapping domains to levels", raw)
        for name in sorted(raw, key=str):
            i = self.domain_index.get(name) if type(name) is str else None
            field = f"determinations.{name}"
            if i is None:
                raise AssessmentError(
                    field, "a domain: " + ", ".join(sorted(self.domain_names)), name
                )
            value = raw[name]
            if value is None:
                continue
            ranks = self.level_ranks[i]
            if type(value) is str:
                r = ranks.get(value)
                if r is None:
                    raise AssessmentError(field + ".reached", "a level: " + self.level_lists[i],
                                          value)  # fmt: skip
                lo[i] = hi[i] = r
                continue
            if not isinstance(value, Mapping):
                raise AssessmentError(
                    field, 'an object {"reached": LEVEL, "cannot_rule_out": LEVEL}', value
                )
            for sub in sorted(value, key=str):
                if sub != "reached" and sub != "cannot_rule_out":
                    raise AssessmentError(f"{field}.{sub}", "reached or cannot_rule_out", sub)
            low = 0
            reached = value.get("reached")
            if reached is not None:
                got = ranks.get(reached) if type(reached) is str else None
                if got is None:
                    raise AssessmentError(field + ".reached", "a level: " + self.level_lists[i],
                                          reached)  # fmt: skip
                low = got
            high = low
            unsure = value.get("cannot_rule_out")
            if unsure is not None:
                got = ranks.get(unsure) if type(unsure) is str else None
                if got is None:
                    raise AssessmentError(field + ".cannot_rule_out",
                                          "a level: " + self.level_lists[i], unsure)  # fmt: skip
                if got < low:
                    raise AssessmentError(
                        field + ".cannot_rule_out", "a level at or above the level reached", unsure
                    )
                high = got
            lo[i], hi[i] = low, high

    def _evidence(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise AssessmentError("evidence", "an object mapping evidence names to values", raw)
        out: dict[str, Any] = {}
        for name in sorted(raw, key=str):
            field = f"evidence.{name}"
            decl = self.evidence.get(name) if type(name) is str else None
            if decl is None:
                raise AssessmentError(
                    field, "declared evidence: " + ", ".join(sorted(self.evidence)), name
                )
            value = raw[name]
            if value is None:
                continue
            kind = decl[0]
            if kind == "fact" or kind == "judgement":
                if type(value) is not bool:
                    raise AssessmentError(field, "true or false", value)
                out[name] = value
            elif kind == "date":
                out[name] = _date(value, field)
            else:
                if type(value) is bool or not isinstance(value, int | float):
                    raise AssessmentError(field, f"a number ({kind})", value)
                try:
                    number = float(value)
                except OverflowError:  # an integer too large for a float
                    number = math.inf
                if not math.isfinite(number):
                    raise AssessmentError(field, f"a finite number ({kind})", value)
                out[name] = number
        return out

    def _implemented(
        self,
        raw: Any,
        lo: list[int],
        hi: list[int],
        ev: dict[str, Any],
        as_of: datetime.date | None,
    ) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """(what is in place, what may be, with the unknown inputs behind each).

        A listed standard stands for its safeguards (a `not yet defined` one for nothing). A
        safeguard with an efficacy criterion is in place when the criterion is true, may be
        when it is unknown. A standard is in place when all its safeguards are, and may be
        when all of them are or may be.
        """
        if type(raw) is not list and type(raw) is not tuple:
            raise AssessmentError("implemented", "a list of safeguard or standard names", raw)
        try:
            listed = frozenset(raw)
        except TypeError:
            listed = frozenset([None])  # something unhashable: find it below
        if not listed <= self.known_names:
            for i, name in enumerate(raw):
                if type(name) is not str or name not in self.known_names:
                    raise AssessmentError(
                        f"implemented[{i}]", "a safeguard or standard name", name
                    )
        standards = self.standards
        named: set[str] = set()
        for name in listed:
            std = standards.get(name)
            if std is None:
                named.add(name)
            elif not std[3]:
                named.update(std[2])
        maybe: dict[str, frozenset[str]] = {}
        if self.efficacy:
            inputs = (lo, hi, ev, _EMPTY, frozenset[tuple[str, str]](), as_of, _NO_MAYBE)
            probe = Decision(self, inputs, self.contexts, (), {}, False)
            for name in sorted(named):
                criterion = self.safeguards[name]
                if criterion is None:
                    continue
                value, unknown, _ = self._eval(criterion, probe, {})
                if value is not True:
                    named.discard(name)
                    if value is None:
                        maybe[name] = frozenset(unknown)
        for name, (_, _, safeguards, hole) in standards.items():
            if hole:
                continue
            if named.issuperset(safeguards):
                named.add(name)
            elif all(s in named or s in maybe for s in safeguards):
                maybe[name] = frozenset().union(*(maybe[s] for s in safeguards if s in maybe))
        return frozenset(named), maybe

    def _done(self, raw: Any) -> frozenset[tuple[str, str]]:
        if type(raw) is not list and type(raw) is not tuple:
            raise AssessmentError("done", 'a list of {"rule": R, "action": A}', raw)
        out = set()
        for i, item in enumerate(raw):
            field = f"done[{i}]"
            if not isinstance(item, Mapping) or set(item) != {"rule", "action"}:
                raise AssessmentError(field, 'an object {"rule": R, "action": A}', item)
            pair = (item["rule"], item["action"])
            if type(pair[0]) is not str or type(pair[1]) is not str or pair not in self.done_pairs:
                raise AssessmentError(field, "an obligation of the policy", dict(item))
            out.add(pair)
        return frozenset(out)

    def _contexts(self, raw: Any) -> tuple[str, ...]:
        if type(raw) is not list and type(raw) is not tuple:
            raise AssessmentError("contexts", "a list of context names", raw)
        for i, name in enumerate(raw):
            if type(name) is not str or name not in self.context_set:
                raise AssessmentError(
                    f"contexts[{i}]", "a context: " + ", ".join(sorted(self.contexts)), name
                )
        return tuple(c for c in self.contexts if c in raw)

    # ------------------------------------------------------------------ the slow path

    def tri(self, node: Node, run: Decision) -> Tri:
        return self._eval(node, run, {})[0]

    def unknowns(self, node: Node | None, run: Decision) -> set[str]:
        if node is None:
            return set()
        return set(self._eval(node, run, {})[1])

    def explain(self, node: Node, run: Decision) -> dict[str, Any]:
        return self._eval(node, run, {}, explain=True)[2]  # type: ignore[no-any-return]

    def _value(self, v: Node, run: Decision) -> tuple[Any, set[str], list[str]]:
        kind = v[0]
        if kind == "const":
            return v[1], set(), []
        if kind == "ev":
            got = run.ev.get(v[1])
            return got, ({v[1]} if got is None else set()), [v[1]]
        start = run.ev.get(v[1])
        missing = set()
        if start is None:
            missing.add(v[1])
        if run.as_of is None:
            missing.add("as_of")
        if missing:
            return None, missing, [v[1], "as_of"]
        return float((run.as_of - start).days), set(), [v[1], "as_of"]

    def _eval(
        self, node: Node, run: Decision, memo: dict[str, Any], explain: bool = False
    ) -> tuple[Tri, set[str], Any]:
        kind = node[0]
        inputs: list[str] = []
        children: list[Any] = []
        unknown: set[str] = set()
        value: Tri
        if kind == "level":
            i = self.domain_index[node[1]]
            value = _level(node[2], run.lo[i], run.hi[i], node[3])
            inputs = [node[1]]
            if value is None:
                unknown = {node[1]}
        elif kind == "cmp":
            left, lu, li = self._value(node[2], run)
            right, ru, ri = self._value(node[3], run)
            inputs = li + ri
            unknown = lu | ru
            value = None if left is None or right is None else _OPS[node[1]](left, right)
        elif kind == "fact":
            inputs = [node[1]]
            value = run.ev.get(node[1])
            if value is None:
                unknown = {node[1]}
        elif kind == "def":
            key = node[1] + ("?" if explain else "")
            if key not in memo:
                memo[key] = self._eval(self.definitions[node[1]], run, memo, explain)
            value, unknown, child = memo[key]
            unknown = set(unknown)
            if child is not None:
                children = [child]
        elif kind == "impl":
            inputs = ["implemented"]
            may_be = run.inputs[6]
            value = True if node[1] in run.impl else None if node[1] in may_be else False
            if value is None:
                unknown = set(may_be[node[1]])
        elif kind == "not":
            inner, unknown, child = self._eval(node[1], run, memo, explain)
            value = None if inner is None else not inner
            children = [child]
        else:
            items = node[2] if kind == "atleast" else node[1]
            need = node[1] if kind == "atleast" else len(items) if kind == "and" else 1
            true = maybe = 0
            for sub in items:
                v, u, child = self._eval(sub, run, memo, explain)
                children.append(child)
                if v is True:
                    true += 1
                elif v is None:
                    maybe += 1
                    unknown |= u
            value = True if true >= need else False if true + maybe < need else None
        if value is not None:
            unknown = set()
        node_out = None
        if explain:
            node_out = {
                "expr": _describe(node),
                "value": _tri(value),
                "inputs": sorted(set(inputs)),
                "children": [c for c in children if c is not None],
            }
        return value, unknown, node_out


def _level(op: str, lo: int, hi: int, rank: int) -> Tri:
    if op == ">=":
        return True if lo >= rank else False if hi < rank else None
    if op == ">":
        return True if lo > rank else False if hi <= rank else None
    if op == "<=":
        return True if hi <= rank else False if lo > rank else None
    if op == "<":
        return True if hi < rank else False if lo >= rank else None
    same = True if lo == hi == rank else False if rank < lo or rank > hi else None
    if op == "==":
        return same
    return None if same is None else not same


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: bool(a >= b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    "<": lambda a, b: bool(a < b),
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
}


def _describe(node: Node) -> str:
    kind = node[0]
    if kind == "level":
        return f"{node[1]} {node[2]} {node[4]}"
    if kind == "cmp":
        return f"{_value_text(node[2])} {node[1]} {_value_text(node[3])}"
    if kind in ("fact", "def"):
        return str(node[1])
    if kind == "impl":
        return f"{node[1]} is implemented"
    if kind == "not":
        return f"not ({_describe(node[1])})"
    if kind == "and":
        return " and ".join(f"({_describe(x)})" for x in node[1]) or "all of ()"
    if kind == "or":
        return " or ".join(f"({_describe(x)})" for x in node[1]) or "any of ()"
    return f"at least {node[1]} of (" + ", ".join(_describe(x) for x in node[2]) + ")"


def _value_text(v: Node) -> str:
    if v[0] == "const":
        return str(v[2])
    if v[0] == "ev":
        return str(v[1])
    return f"since {v[1]}"
