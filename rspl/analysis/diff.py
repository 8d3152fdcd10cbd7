"""`rspl diff OLD NEW`: the semantic difference of two versions of a policy (docs/analysis.md).

For every context both versions declare, the solver looks for assessments where NEW is
*looser* than OLD (OLD blocks and NEW permits, or a safeguard OLD requires NEW does not) and
where it is *stricter* (the other way round). Both decisions are encoded by
`rspl.analysis.encode` over two symbolic assessments tied together on every input both
versions declare alike (a domain with the same levels, evidence of the same type, a safeguard,
standard, duty or waiver of the same name); an input only one version reads is free. Each
model is turned into one concrete assessment per version (the same values on the shared
inputs) and both are decided by the reference interpreter, which must confirm the
difference; otherwise the finding is an internal error, never a difference. Each version is
decided while in force (its `effective` and `superseded` dates are set aside), and each
witness is then made smaller with the interpreter alone (`Differ.smaller`).

Distinct regions are listed by blocking what a witness showed (the context's verdict
changing, or each safeguard no longer or newly required) and asking again, at most
`MAX_REGIONS` times per context and direction.

Obligations added, removed or weakened are compared on the IR, by rule name and duty key
(`obligation_changes`); no solver is needed for them. Declarations (levels, standards,
safeguards) are matched by name and through the rename map NEW declares in its header
(`renames OLD as NEW`, `merges A, B as NEW`; `RenameMap`): an assessment of OLD is carried
over to NEW's names, and what the map renames is listed as renamed, not removed and added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs

from rspl import interpreter, ir
from rspl.analysis.encode import Assessment, Decision, Encoder, NotEncodedError
from rspl.semantics import AssessmentError

MAX_REGIONS = 4
MODALITY_RANK = {"must": 4, "should": 3, "recommend": 2, "may": 1, "illustrative": 0}
DIRECTIONS = ("looser", "stricter")


@attrs.define
class Region:
    context: str
    direction: str  # looser or stricter
    what: list[str]  # how the decision changes: verdict and safeguards
    where: list[str]  # the witness's inputs that matter, in words
    witness: dict[str, Any]  # {"old": assessment, "new": assessment}
    result: str = "found"  # found, error

    def json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.define
class ContextResult:
    context: str
    looser: str = "none"  # none, found, unknown
    stricter: str = "none"
    regions: list[Region] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)

    def json(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "looser": self.looser,
            "stricter": self.stricter,
            "regions": [r.json() for r in self.regions],
            "notes": self.notes,
        }


@attrs.define
class Change:
    kind: str  # added, removed, weakened, strengthened, changed
    rule: str
    duty: str
    detail: str

    def json(self) -> dict[str, str]:
        return attrs.asdict(self)


@attrs.define
class Diff:
    old: str
    new: str
    contexts: list[ContextResult]
    obligations: list[Change]
    names: dict[str, dict[str, list[str]]]  # kind -> {"removed": [...], "added": [...]}
    notes: list[str]

    def found(self, kind: str) -> bool:
        """Whether a change of `kind` (looser, stricter, any) was found."""
        looser = any(c.looser == "found" for c in self.contexts) or any(
            o.kind in ("removed", "weakened") for o in self.obligations
        )
        stricter = any(c.stricter == "found" for c in self.contexts) or any(
            o.kind in ("added", "strengthened") for o in self.obligations
        )
        if kind == "looser":
            return looser
        if kind == "stricter":
            return stricter
        return looser or stricter or any(o.kind == "changed" for o in self.obligations)

    def errors(self) -> bool:
        return any(r.result == "error" for c in self.contexts for r in c.regions)

    def json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "contexts": [c.json() for c in self.contexts],
            "obligations": [o.json() for o in self.obligations],
            "names": self.names,
            "notes": self.notes,
        }


# ---------------------------------------------------------------------------- the decisions


def _levels(d: ir.Domain) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(lv.name for lv in d.levels), tuple(s.name for s in d.settings)


class RenameMap:
    """NEW's map from OLD's names (`renames`, `merges` in NEW's header,
    docs/language.md), checked against OLD: an entry naming what OLD does not declare, or a
    name of another kind than its new name, is left out with a note.

    `names`: each old standard or safeguard and its new name (`inverse`: the other way, a
    merge listing several). A domain of NEW is `translated` when every one of its levels is
    fed by levels of OLD: a level renamed (`renames D.L as N.M`), or the level of the same
    name of a domain renamed or merged into it (or of the same name): NEW's determination is
    then OLD's carried over level by level, the highest level fed winning (a merge takes the
    highest of its domains). The level before mitigation is translated, and the one after
    mitigation too when both versions assess it; a domain assessed per setting is not
    translated."""

    def __init__(self, old: ir.Policy, new: ir.Policy) -> None:
        self.notes: list[str] = []
        self.names: dict[str, str] = {}
        self.domains: dict[str, str] = {}
        self.rules: dict[str, str] = {}  # old rule -> new rule (its duties compared as one)
        self.shown: dict[str, list[str]] = {"levels": [], "domains": [], "standards": [],
                                            "safeguards": [], "rules": []}  # fmt: skip

        def kinds(p: ir.Policy) -> dict[str, str]:
            out = {d.name: "domains" for d in p.domains}
            out.update({s.name: "standards" for s in p.standards})
            out.update({s.name: "safeguards" for s in p.safeguards})
            out.update({r.name: "rules" for r in p.rules})
            return out

        old_kind, new_kind = kinds(old), kinds(new)
        old_levels = {f"{d.name}.{lv.name}" for d in old.domains for lv in d.levels}
        levels: dict[tuple[str, str], tuple[str, str]] = {}
        for r in new.renames:
            valid = []
            for o in r.old:
                if "." in o:
                    if o not in old_levels:
                        self.notes.append(f"the rename map names level {o}, which OLD does "
                                          "not declare: left out")  # fmt: skip
                        continue
                    domain, level = o.split(".", 1)
                    new_domain, new_level = r.new.split(".", 1)
                    levels[domain, level] = (new_domain, new_level)
                else:
                    kind = old_kind.get(o)
                    if kind is None or kind != new_kind.get(r.new):
                        what = "which OLD does not declare" if kind is None else (
                            f"a {kind[:-1]} in OLD but not in NEW")
                        self.notes.append(f"the rename map names {o}, {what}: left out")
                        continue
                    into = {"domains": self.domains, "rules": self.rules}.get(kind, self.names)
                    into[o] = r.new
                valid.append(o)
            if valid:
                kind = "levels" if "." in r.new else new_kind.get(r.new, "safeguards")
                self.shown[kind].append(f"{', '.join(valid)} -> {r.new}")
        self.new_rules = set(self.rules.values())  # rules of NEW that OLD called otherwise
        self.inverse: dict[str, list[str]] = {}
        for o, name in self.names.items():
            self.inverse.setdefault(name, []).append(o)

        def plain(d: ir.Domain) -> bool:
            return not d.settings

        nd_ = {d.name: d for d in new.domains}
        od_ = {d.name: d for d in old.domains}
        self.residual: set[str] = set()  # translated domains whose level after mitigation is
        feeds: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for od in old.domains:
            if not plain(od):
                continue
            target = self.domains.get(od.name, od.name if od.name in nd_ else None)
            for rank, lv in enumerate(od.levels, 1):
                to = levels.get((od.name, lv.name))
                if to is None and target is not None:
                    to = (target, lv.name)
                if to is not None:
                    feeds.setdefault(to, []).append((od.name, rank))
        self.translated: dict[str, list[list[tuple[str, int]]]] = {}
        # the domains the map names, and a domain of both versions whose levels differ (its
        # levels are then matched by name)
        named = {n for n, _ in levels.values()} | set(self.domains.values())
        for name in sorted(nd_.keys() & od_.keys() - named - set(self.domains)):
            if (plain(nd_[name]) and plain(od_[name])
                    and [x.name for x in nd_[name].levels] != [x.name for x in od_[name].levels]
                    and all(feeds.get((name, lv.name)) for lv in nd_[name].levels)):
                named.add(name)
        for name in sorted(named):
            dom = nd_.get(name)
            if dom is None or not plain(dom):
                self.notes.append(f"domain {name} is assessed per setting: its rename map is "
                                  "left out")  # fmt: skip
                continue
            sources = [feeds.get((name, lv.name), []) for lv in dom.levels]
            unfed = [lv.name for lv, src in zip(dom.levels, sources, strict=True) if not src]
            if unfed:
                self.notes.append(f"domain {name}: level {', '.join(unfed)} has no level of OLD "
                                  "renamed into it: compared as a separate input")  # fmt: skip
                continue
            self.translated[name] = sources
            # after mitigation too, when NEW and every domain feeding it have that level
            fed = {src for level in sources for src, _ in level}
            if dom.residual and all(od_[x].residual for x in fed):
                self.residual.add(name)

    def forward(self, old_name: str) -> list[str]:
        """What NEW calls a standard or safeguard of OLD."""
        return [self.names.get(old_name, old_name)]

    def backward(self, new_name: str) -> list[str]:
        """What OLD called a standard or safeguard of NEW (several, for a merge)."""
        same = [] if new_name in self.names else [new_name]
        return self.inverse.get(new_name, []) + same

    def counterparts(self, key: str, item: Any) -> tuple[set[Any], set[Any]]:
        """The inputs of OLD's and NEW's assessments that stand for `item` (under `key`):
        taken out of a witness together."""
        olds, news = {item}, {item}
        if key == "determinations":
            for name, sources in self.translated.items():
                fed = {d for level in sources for d, _ in level}
                if name in news or fed & olds:
                    news.add(name)
                    olds |= fed
        elif key == "implemented":
            olds |= set(self.inverse.get(item, ()))
            news |= {self.names[o] for o in olds if o in self.names}
        elif key in ("done", "failed"):
            rule, action = item
            news.add((self.rules.get(rule, rule), action))
            olds |= {(o, action) for o, n in self.rules.items() if n == rule}
        return olds, news


class Differ:
    def __init__(self, old: ir.Policy, new: ir.Policy, timeout: float = 10.0) -> None:
        # each version is compared while in force: its period (`effective`, `superseded`),
        # which would make every context differ on dates only one version covers, is dropped
        old = attrs.evolve(old, effective=None, superseded=None)
        new = attrs.evolve(new, effective=None, superseded=None)
        self.old, self.new = old, new
        self.timeout = timeout
        self.eo, self.en = Encoder(old), Encoder(new)
        self.z3 = self.eo.z3
        self.notes: list[str] = []
        self.renames = RenameMap(old, new)
        self.notes += self.renames.notes
        od = {d.name: d for d in old.domains}
        nd = {d.name: d for d in new.domains}
        self.shared_domains = set()
        for name in sorted(od.keys() & nd.keys()):
            if name in self.renames.domains or name in self.renames.translated:
                continue  # renamed away, or reached through the map
            if _levels(od[name]) == _levels(nd[name]):
                self.shared_domains.add(name)
            else:
                self.notes.append(
                    f"domain {name} has other levels or settings in NEW: compared as two "
                    "separate inputs"
                )

    def tie(self, a: Assessment, b: Assessment) -> list[Any]:
        """Equalities making `a` (OLD's) and `b` (NEW's) one assessment on shared inputs:
        NEW's assessment is OLD's translated through the rename map (`RenameMap`)."""
        z3 = self.z3
        out = [a.asof_known == b.asof_known, a.asof == b.asof]
        for slot in sorted(a.lo.keys() & b.lo.keys()):
            domain = slot.split(" for ")[0].removeprefix("residual ")
            if domain in self.shared_domains:
                out += [a.lo[slot] == b.lo[slot], a.hi[slot] == b.hi[slot]]
        for name, sources in sorted(self.renames.translated.items()):
            prefixes = ("", "residual ") if name in self.renames.residual else ("",)
            for prefix in prefixes:
                for bound, new in ((a.lo, b.lo), (a.hi, b.hi)):
                    term: Any = z3.IntVal(0)
                    for k, level in enumerate(sources, 1):  # the highest level fed wins
                        fed = z3.Or(*[bound[prefix + d] >= rank for d, rank in level])
                        term = z3.If(fed, k, term)
                    out.append(new[prefix + name] == term)
        for name in sorted(a.known.keys() & b.known.keys()):
            out.append(a.known[name] == b.known[name])
            if a.value[name].sort() == b.value[name].sort():
                out.append(a.value[name] == b.value[name])
        renamed = self.renames.names
        for new_name, olds in sorted(self.renames.inverse.items()):
            if new_name in b.implemented and all(o in a.implemented for o in olds):
                out.append(b.implemented[new_name] == z3.And(*[a.implemented[o] for o in olds]))
        out += [a.implemented[k] == b.implemented[k]
                for k in sorted(a.implemented.keys() & b.implemented.keys())
                if k not in renamed and k not in self.renames.inverse]  # fmt: skip
        rules = self.renames.rules
        for x, y in ((a.done, b.done), (a.failed, b.failed)):
            for (rule, key), v in sorted(x.items()):
                if (rules.get(rule, rule), key) in y and (rule in rules or rule not in
                                                          self.renames.new_rules):
                    out.append(v == y[rules.get(rule, rule), key])
        out += [a.approved[k] == b.approved[k]
                for k in sorted(a.approved.keys() & b.approved.keys())]  # fmt: skip
        return out

    def symptoms(self, do: Decision, dn: Decision, direction: str) -> dict[str, Any]:
        """Each way NEW's decision can be `direction` than OLD's, as a z3 term: permitted
        where the other blocks, or a safeguard the other requires (through the rename map)
        no longer required."""
        z3 = self.z3
        a, b = (do, dn) if direction == "looser" else (dn, do)
        out: dict[str, Any] = {}
        out["permitted"] = z3.And(b.permitted, z3.Not(a.permitted))
        for s, req in sorted(a.required.items()):
            names = (self.renames.forward(s) if direction == "looser"
                     else self.renames.backward(s))  # fmt: skip
            other = z3.Or(*[b.required[x] for x in names if x in b.required])
            out[s] = z3.And(req, z3.Not(other))
        return out

    def context(self, context: str) -> ContextResult:
        z3 = self.z3
        res = ContextResult(context)
        so, sn = self.eo.assessment("o."), self.en.assessment("n.")
        do, dn = self.eo.decide(so, context), self.en.decide(sn, context)
        base = [*so.constraints, *sn.constraints, *self.tie(so, sn)]
        for direction in DIRECTIONS:
            terms = self.symptoms(do, dn, direction)
            blocked: list[Any] = []
            for _ in range(MAX_REGIONS):
                s = z3.Solver()
                s.set("timeout", max(1, int(self.timeout * 1000)))
                s.add(*base, *blocked, z3.Or(*terms.values()))
                got = s.check()
                if got == z3.unsat:
                    break
                if got != z3.sat:
                    setattr(res, direction, "unknown")
                    res.notes.append(f"{direction}: solver: {s.reason_unknown()}")
                    break
                s.add(*self.eo.plausible(so), *self.en.plausible(sn))
                model = s.model() if s.check() == z3.sat else None
                if model is None:  # the plausible dates made it unsat: take the first model
                    s2 = z3.Solver()
                    s2.add(*base, *blocked, z3.Or(*terms.values()))
                    s2.check()
                    model = s2.model()
                region = self.region(model, so, sn, context, direction)
                res.regions.append(region)
                if region.result == "error":
                    break
                setattr(res, direction, "found")
                # block what this witness showed; the next one must differ in another way
                hit = [k for k, t in terms.items() if z3.is_true(model.eval(t, True))]
                blocked += [z3.Not(terms[k]) for k in hit]
                for k in hit:
                    del terms[k]
                if not terms:
                    break
            else:
                res.notes.append(f"{direction}: stopped after {MAX_REGIONS} regions; there "
                                 "may be more")  # fmt: skip
        return res

    def change(self, wo: dict[str, Any], wn: dict[str, Any], context: str,
               direction: str) -> list[str]:  # fmt: skip
        """How NEW's decision on `wn` is `direction` than OLD's on `wo`, as the interpreter
        decides them (empty: it is not)."""
        got_o, got_n = interpreter.evaluate(self.old, wo), interpreter.evaluate(self.new, wn)
        a, b = (got_o, got_n) if direction == "looser" else (got_n, got_o)
        what = []
        if b["verdicts"][context]["permitted"] and not a["verdicts"][context]["permitted"]:
            what.append(f"{context} " + ("becomes permitted" if direction == "looser"
                                         else "becomes blocked"))  # fmt: skip
        move = self.renames.forward if direction == "looser" else self.renames.backward
        kept = set(b["required_safeguards"])
        gone = sorted(x for x in a["required_safeguards"] if not set(move(x)) & kept)
        if gone:
            verb = "no longer required" if direction == "looser" else "newly required"
            what.append(f"{verb}: " + ", ".join(gone))
        return what

    def region(
        self, model: Any, so: Assessment, sn: Assessment, context: str, direction: str
    ) -> Region:
        wo = self.eo.concrete(model, so, context)
        wn = self.en.concrete(model, sn, context)
        what = self.change(wo, wn, context, direction)
        if not what:
            return Region(context, direction,
                          ["internal error: the interpreter does not confirm the witness"],
                          _words(wo, wn), {"old": wo, "new": wn}, "error")  # fmt: skip
        wo, wn = self.smaller(wo, wn, context, direction, what)
        return Region(context, direction, what, _words(wo, wn), {"old": wo, "new": wn})

    def smaller(self, wo: dict[str, Any], wn: dict[str, Any], context: str, direction: str,
                what: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
        """The witness with every input that does not matter taken out, one at a time, in
        both versions' assessments alike: a determination lowered below every level, a piece
        of evidence or `as_of` left out, a name no longer implemented, done, failed or
        approved; kept only when the interpreter still shows exactly the same change."""
        for key, item in _candidates(wo, wn):
            olds, news = self.renames.counterparts(key, item)
            to, tn = _without(wo, key, olds), _without(wn, key, news)
            if (to, tn) == (wo, wn):
                continue
            try:
                same = self.change(to, tn, context, direction) == what
            except AssessmentError:
                same = False
            if same:
                wo, wn = to, tn
        return wo, wn


def _lowest(v: Any) -> Any:
    """A determination (of any shape: plain, per setting, before and after mitigation) with
    every level below the lowest."""
    if not isinstance(v, dict) or not v or "reached" in v or "cannot_rule_out" in v:
        return {}
    return {k: _lowest(x) for k, x in v.items()}


def _candidates(wo: dict[str, Any], wn: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key in ("determinations", "evidence"):
        names = sorted({*wo.get(key, {}), *wn.get(key, {})})
        out += [(key, n) for n in names]
    out.append(("as_of", None))
    for key in ("implemented", "approved"):
        out += [(key, n) for n in sorted({*wo.get(key, []), *wn.get(key, [])})]
    for key in ("done", "failed"):
        seen = {(d["rule"], d["action"]) for w in (wo, wn) for d in w.get(key, [])}
        out += [(key, d) for d in sorted(seen)]
    return out


def _without(w: dict[str, Any], key: str, items: set[Any]) -> dict[str, Any]:
    """`w` with each of `items` (under `key`) taken out or, a determination, lowered."""
    out = dict(w)
    if key == "as_of":
        out.pop("as_of", None)
    elif key == "determinations":
        out[key] = {k: _lowest(v) if k in items else v for k, v in w.get(key, {}).items()}
        if not w.get(key):
            out.pop(key, None)
    elif key == "evidence" and w.get(key):
        out[key] = {k: v for k, v in w[key].items() if k not in items}
    elif key in ("implemented", "approved") and w.get(key):
        out[key] = [x for x in w[key] if x not in items]
    elif key in ("done", "failed"):
        out[key] = [d for d in w.get(key, []) if (d["rule"], d["action"]) not in items]
    for k in ("evidence", "implemented", "approved", "done", "failed"):
        if k in out and not out[k]:
            del out[k]
    return out


def _det(v: dict[str, Any]) -> str:
    """One determination in words: `reached X`, `cannot rule out Y`, `none`."""
    if "before" in v or "after" in v:
        return f"before mitigation {_det(v.get('before', {}))}, after {_det(v.get('after', {}))}"
    got = []
    if "reached" in v:
        got.append(f"reached {v['reached']}")
    if "cannot_rule_out" in v:
        got.append(f"cannot rule out {v['cannot_rule_out']}")
    return " and ".join(got) or "below every level"


def _words(wo: dict[str, Any], wn: dict[str, Any]) -> list[str]:
    """The witness's inputs, in words: determinations above the lowest, what is implemented,
    evidence given, duties done (a name both versions read has the same value in both)."""
    out: list[str] = []
    dets: dict[str, str] = {}
    for tag, w in (("OLD", wo), ("NEW", wn)):
        for name, v in sorted(w.get("determinations", {}).items()):
            said = _det(v)
            if "reached" not in said and "cannot" not in said:
                continue
            if dets.get(name, said) != said:
                name = f"{name} ({tag})"
            dets.setdefault(name, said)
    out += [f"{name} {said}" for name, said in sorted(dets.items())]
    if not dets:
        out.append("every determination below every level")
    ev: dict[str, Any] = {}
    for w in (wo, wn):
        ev.update(w.get("evidence", {}))
    out += [f"{name} = {json.dumps(v, sort_keys=True)}" for name, v in sorted(ev.items())]
    impl = sorted(set(wo.get("implemented", [])) | set(wn.get("implemented", [])))
    out.append("implemented: " + (", ".join(impl) if impl else "nothing"))
    done = sorted({f"{d['rule']}.{d['action']}" for w in (wo, wn) for d in w.get("done", [])})
    if done:
        out.append("done: " + ", ".join(done))
    if "as_of" in wo:
        out.append(f"as_of {wo['as_of']}")
    return out


# ---------------------------------------------------------------------------- the IR


def _days(p: ir.Period) -> float:
    return p.months * 30.44 + p.days


def _deadline(d: ir.Deadline | None) -> str:
    if d is None:
        return "no deadline"
    if isinstance(d, ir.Within):
        return f"within {d.text}"
    if isinstance(d, ir.Every):
        return f"every {d.text}"
    if isinstance(d, ir.Before):
        return "before " + ", ".join(d.written or d.contexts)
    return ir.deadline_kind(d) + " " + str(getattr(d, "date", getattr(d, "text", ""))).strip()


def _compare_duty(rule: str, o: ir.Obligation, n: ir.Obligation) -> list[Change]:
    out: list[Change] = []
    key = o.key
    ro, rn = MODALITY_RANK[o.modality], MODALITY_RANK[n.modality]
    if ro != rn:
        kind = "weakened" if rn < ro else "strengthened"  # `must not` -> `should not` too
        out.append(Change(kind, rule, key, f"{o.modality} -> {n.modality}"))
    if o.prohibited != n.prohibited:
        out.append(Change("changed", rule, key, "now a prohibition" if n.prohibited
                          else "no longer a prohibition"))  # fmt: skip
    if o.blocking != n.blocking:
        kind = "weakened" if o.blocking else "strengthened"
        out.append(Change(kind, rule, key, "no longer blocks" if o.blocking else "now blocks"))
    if isinstance(o.deadline, ir.Within) and isinstance(n.deadline, ir.Within):
        a, b = _days(o.deadline.period), _days(n.deadline.period)
        if a != b:
            kind = "weakened" if b > a else "strengthened"
            out.append(Change(kind, rule, key, f"deadline {_deadline(o.deadline)} -> "
                                               f"{_deadline(n.deadline)}"))  # fmt: skip
    elif _deadline(o.deadline) != _deadline(n.deadline):
        was, now = _deadline(o.deadline), _deadline(n.deadline)
        out.append(Change("changed", rule, key, f"deadline {was} -> {now}"))
    dropped = sorted(set(o.approved_by) - set(n.approved_by))
    if dropped:
        out.append(Change("weakened", rule, key, "approver dropped: " + ", ".join(dropped)))
    added = sorted(set(n.approved_by) - set(o.approved_by))
    if added:
        out.append(Change("strengthened", rule, key, "approver added: " + ", ".join(added)))
    return out


def obligation_changes(
    old: ir.Policy, new: ir.Policy, renames: dict[str, str] | None = None
) -> list[Change]:
    """Duties added, removed, weakened or strengthened, by rule name (OLD's rules renamed as
    NEW's rename map says: `renames`) and duty key."""

    def duties(p: ir.Policy, names: dict[str, str]) -> dict[tuple[str, str], ir.Obligation]:
        return {(names.get(r.name, r.name), o.key): o
                for r in p.rules for o in (*r.obligations, *r.fallbacks)}  # fmt: skip

    do, dn = duties(old, renames or {}), duties(new, {})
    out: list[Change] = []
    for k in sorted(do.keys() | dn.keys()):
        if k not in dn:
            o = do[k]
            out.append(Change("removed", *k, f"{o.modality}{' not' if o.prohibited else ''} "
                                             f"{o.action}"))  # fmt: skip
        elif k not in do:
            n = dn[k]
            out.append(Change("added", *k, f"{n.modality}{' not' if n.prohibited else ''} "
                                           f"{n.action}"))  # fmt: skip
        else:
            out += _compare_duty(k[0], do[k], dn[k])
    return out


def name_changes(
    old: ir.Policy, new: ir.Policy, renames: RenameMap | None = None
) -> dict[str, dict[str, list[str]]]:
    """Levels, standards, safeguards and contexts declared in only one version, by name;
    with NEW's rename map, what it renames (`OLD -> NEW`) is listed apart, not as removed
    and added (a renamed domain's levels with it)."""

    def names(p: ir.Policy) -> dict[str, set[str]]:
        return {
            "levels": {f"{d.name}.{lv.name}" for d in p.domains for lv in d.levels},
            "standards": {s.name for s in p.standards},
            "safeguards": {s.name for s in p.safeguards},
            "contexts": {c.name for c in p.contexts},
        }

    a, b = names(old), names(new)
    out = {k: {"removed": sorted(a[k] - b[k]), "added": sorted(b[k] - a[k])} for k in a}
    if renames is None or not new.renames:
        return out
    gone: dict[str, set[str]] = {k: set() for k in a}
    came: dict[str, set[str]] = {k: set() for k in a}
    for o, n in renames.names.items():
        kind = "standards" if n in b["standards"] else "safeguards"
        gone[kind].add(o)
        came[kind].add(n)
    for kind, pairs in renames.shown.items():
        for pair in pairs:
            olds, new_name = pair.split(" -> ")
            if kind == "levels":
                gone["levels"] |= set(olds.split(", "))
                came["levels"].add(new_name)
            elif kind == "domains":  # its levels go with it, those of the same name
                for o in olds.split(", "):
                    for x in a["levels"]:
                        domain, level = x.split(".", 1)
                        if domain == o and f"{new_name}.{level}" in b["levels"]:
                            gone["levels"].add(x)
                            came["levels"].add(f"{new_name}.{level}")
    for k in out:
        out[k]["removed"] = [x for x in out[k]["removed"] if x not in gone[k]]
        out[k]["added"] = [x for x in out[k]["added"] if x not in came[k]]
    for kind, pairs in renames.shown.items():
        if pairs:
            out.setdefault(kind, {"removed": [], "added": []})["renamed"] = pairs
    return out


def diff(
    old: ir.Policy, new: ir.Policy, contexts: Sequence[str] | None = None, timeout: float = 10.0
) -> Diff:
    if new.renames:
        notes = [f"declarations are matched by name and through NEW's rename map "
                 f"({len(new.renames)} entries): an assessment of OLD is carried over to NEW's "
                 "names"]  # fmt: skip
    else:
        notes = ["declarations are matched by name: NEW declares no renaming map, so a renamed "
                 "level, standard or safeguard shows as one removed and one added"]  # fmt: skip
    shared = [c.name for c in old.contexts if c.name in {x.name for x in new.contexts}]
    names = list(contexts) if contexts else shared
    results: list[ContextResult] = []
    try:
        differ = Differ(old, new, timeout)
        notes += differ.notes
        for c in names:
            try:
                results.append(differ.context(c))
            except NotEncodedError as e:
                why = f"construct {e.construct} not encoded"
                results.append(ContextResult(c, "unknown", "unknown", notes=[why]))
    except NotEncodedError as e:
        why = f"construct {e.construct} not encoded"
        results = [ContextResult(c, "unknown", "unknown", notes=[why]) for c in names]
    def label(p: ir.Policy) -> str:
        return p.id if p.version is None else f"{p.id} {p.version}"

    renames = RenameMap(old, new)
    return Diff(label(old), label(new), results, obligation_changes(old, new, renames.rules),
                name_changes(old, new, renames), notes)  # fmt: skip


# ---------------------------------------------------------------------------- output


def report_markdown(d: Diff) -> str:
    """The "what changed" document."""
    import z3  # present: the diff itself needed it

    lines = [f"# What changed: {d.old} -> {d.new}", "",
             f"Generated by `rspl diff` (z3 {z3.get_version_string()}). Every witness below is "
             "a pair of assessments (one per version, equal on every input both declare) that "
             "the reference interpreter decides as stated; another version of z3 may find "
             "other witnesses of the same changes.", ""]  # fmt: skip
    for n in d.notes:
        lines.append(f"- Note: {n}.")
    lines += ["", "## Decisions, per context", ""]
    lines += ["| context | looser | stricter |", "|---|---|---|"]
    for c in d.contexts:
        lines.append(f"| {c.context} | {c.looser} | {c.stricter} |")
    for c in d.contexts:
        if not c.regions and not c.notes:
            continue
        lines += ["", f"### {c.context}", ""]
        for n in c.notes:
            lines.append(f"- Note: {n}.")
        for i, r in enumerate(c.regions, 1):
            head = "NEW is " + r.direction if r.result == "found" else "internal error"
            lines += ["", f"**{i}. {head}**: " + "; ".join(r.what), ""]
            lines.append("Where: " + "; ".join(r.where) + ".")
            lines += ["", "```json"]
            lines.append(json.dumps(r.witness, sort_keys=True))
            lines.append("```")
    lines += ["", "## Obligations", ""]
    if not d.obligations:
        lines.append("No duty added, removed or changed.")
    else:
        lines += ["| change | rule | duty | detail |", "|---|---|---|---|"]
        for o in d.obligations:
            lines.append(f"| {o.kind} | {o.rule} | {o.duty} | {o.detail} |")
    lines += ["", "## Declarations (by name)", ""]
    for kind, ch in d.names.items():
        for verb in ("renamed", "removed", "added"):
            if ch.get(verb):
                lines.append(f"- {kind} {verb}: " + ", ".join(f"`{x}`" for x in ch[verb]))
    if not any(ch.get(v) for ch in d.names.values() for v in ("renamed", "removed", "added")):
        lines.append("The same levels, standards, safeguards and contexts.")
    return "\n".join(lines) + "\n"
