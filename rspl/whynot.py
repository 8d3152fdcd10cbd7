"""What would permit a blocked context: `rspl eval --why-not CONTEXT` (docs/semantics.md,
section 22). Standard library and `rspl.semantics` only: every generated Python module carries
this file verbatim (after its imports, with `rspl.semantics` already in it) and calls
`why_not_search` with its own `evaluate`, so the interpreter and the module give the same
answer.

The search is exact within its bounds. Candidate changes (atoms) are derived from the
decision of each set tried: a required standard's missing safeguards, a safeguard required on
its own, a duty that blocks the context marked done, a waiver of the context approved, an
unknown piece of evidence supplied (a fact true or false; a quantity or date in each region
the policy's thresholds cut), and a determination ruling levels out above what is reached.
Nothing is ever removed from the assessment and no given value is changed. Sets are tried by
size, smallest first; a set is kept only when the evaluator permits the context under the
changed assessment and permits it under no proper subset (every subset is evaluated).
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

from rspl.semantics import Standard, expand_standards

Atom = tuple[Any, ...]
Decide = Callable[[Mapping[str, Any]], Mapping[str, Any]]

_KIND_ORDER = {"implement": 0, "done": 1, "approve": 2, "evidence": 3, "determination": 4}
_QUANTITY_RANGE = {"fraction": (0.0, 1.0), "score": (-math.inf, math.inf)}


def _determination_interval(value: Any, levels: tuple[str, ...]) -> tuple[int, int] | None:
    """The interval of a (valid) determination, or None for a shape the search leaves alone."""
    if value is None:
        return 0, len(levels)
    if isinstance(value, str):
        rank = levels.index(value) + 1
        return rank, rank
    if isinstance(value, dict):
        reached = value.get("reached")
        top = value.get("cannot_rule_out")
        low = levels.index(reached) + 1 if isinstance(reached, str) else 0
        high = levels.index(top) + 1 if isinstance(top, str) else low
        return low, high
    return None


def _cut(points: list[float], low: float, high: float) -> list[tuple[float, float, bool]]:
    """The regions the thresholds `points` cut [low, high], in order, as (from, to, point):
    a threshold itself (from == to), or the open interval between two neighbours (closed at
    `low` or `high` when that end is not a threshold)."""
    cuts = sorted({p for p in points if low <= p <= high})
    edges = [low, *cuts, high]
    out: list[tuple[float, float, bool]] = []
    for i in range(len(edges) - 1):
        if edges[i] < edges[i + 1]:
            out.append((edges[i], edges[i + 1], False))
        if i < len(cuts):
            out.append((cuts[i], cuts[i], True))
    return out


def _regions(points: list[float], low: float, high: float
             ) -> list[tuple[str, float, tuple[float, float, bool]]]:
    """A sample value, its words and the region itself for each region the thresholds
    `points` cut [low, high]."""
    out: list[tuple[str, float, tuple[float, float, bool]]] = []
    for a, b, point in _cut(points, low, high):
        if point:
            sample = a
        elif math.isinf(a) and math.isinf(b):
            sample = 0.0
        elif math.isinf(a):
            sample = b - max(1.0, abs(b))
        elif math.isinf(b):
            sample = a + max(1.0, abs(a))
        else:
            sample = (a + b) / 2
        out.append((_span_words(a, b, point, point, low, high), sample, (a, b, point)))
    return out


def _span_words(a: float, b: float, a_in: bool, b_in: bool, low: float, high: float) -> str:
    """Words for the values from a to b (`a_in`, `b_in`: the ends included; an end of the
    dimension's range is included when it is finite)."""
    a_in = a_in or (a == low and not math.isinf(a))
    b_in = b_in or (b == high and not math.isinf(b))
    if a == b:
        return f"exactly {a:g}"
    from_low = math.isinf(a) or (a == low and a_in)
    to_high = math.isinf(b) or (b == high and b_in)
    if from_low and to_high:
        return "any value"
    if from_low:
        return f"at most {b:g}" if b_in else f"below {b:g}"
    if to_high:
        return f"at least {a:g}" if a_in else f"above {a:g}"
    return (f"{'at least' if a_in else 'above'} {a:g} and "
            f"{'at most' if b_in else 'below'} {b:g}")


def _day_regions(points: list[float]) -> list[tuple[str, int]]:
    """Whole days since a dated event, one in each region the thresholds cut [0, inf)."""
    out: list[tuple[str, int]] = []
    for a, b, point in _cut(points, 0.0, math.inf):
        if point:
            if a == int(a):
                out.append((f"exactly {a:g} days before as_of", int(a)))
            continue
        day = 0 if a == 0.0 and 0.0 not in points else math.floor(a) + 1
        if day < b:
            if math.isinf(b):
                words = f"more than {a:g} days before as_of" if day else "any date up to as_of"
            elif day:
                words = f"between {a:g} and {b:g} days before as_of"
            else:
                words = f"fewer than {b:g} days before as_of"
            out.append((words, day))
    return out


class _Search:
    def __init__(
        self, decide: Decide, table: Mapping[str, Any], assessment: Mapping[str, Any],
        context: str, max_size: int, max_evaluations: int,
    ) -> None:
        self.decide = decide
        self.table = table
        self.assessment = assessment
        self.context = context
        self.max_size = max_size
        self.max_evaluations = max_evaluations
        self.evaluations = 0
        self.cache: dict[frozenset[Atom], Mapping[str, Any]] = {}
        self.standards = expand_standards(table["standards"])

    # ------------------------------------------------------------------ applying atoms

    def apply(self, atoms: frozenset[Atom]) -> dict[str, Any]:
        a = dict(self.assessment)
        # Provenance records where the given figures came from; a change of evidence is no
        # measurement, and the records (which must agree with the evidence) never decide.
        a.pop("provenance", None)
        implemented = list(a.get("implemented") or [])
        done = list(a.get("done") or [])
        approved = list(a.get("approved") or [])
        evidence = dict(a.get("evidence") or {})
        determinations = dict(a.get("determinations") or {})
        for atom in sorted(atoms, key=_atom_order):
            kind = atom[0]
            if kind == "implement":
                implemented += [s for s in atom[1] if s not in implemented]
            elif kind == "done":
                done.append({"rule": atom[1], "action": atom[2]})
            elif kind == "approve":
                approved.append(atom[1])
            elif kind == "evidence":
                evidence[atom[1]] = atom[2]
            else:
                _set_at(determinations, atom[1], self.determination(atom[1], atom[2]))
        for key, value in (
            ("implemented", implemented), ("done", done), ("approved", approved),
            ("evidence", evidence), ("determinations", determinations),
        ):
            if value or key in a:
                a[key] = value
        a["contexts"] = [self.context]
        return a

    def determination(self, path: tuple[str, ...], high: int) -> Any:
        levels = tuple(self.table["domains"][path[0]][0])
        given = _get_at(self.assessment.get("determinations") or {}, path)
        interval = _determination_interval(given, levels)
        low = interval[0] if interval else 0
        value: dict[str, Any] = {
            k: v for k, v in (given.items() if isinstance(given, dict) else ())
            if k not in ("reached", "cannot_rule_out")
        }
        if low:
            value["reached"] = levels[low - 1]
        if high > low:
            value["cannot_rule_out"] = levels[high - 1]
        return value

    def evaluate(self, atoms: frozenset[Atom]) -> Mapping[str, Any]:
        hit = self.cache.get(atoms)
        if hit is None:
            try:
                hit = self.decide(self.apply(atoms))
            except Exception:  # a change the evaluator rejects is no answer
                if not atoms:
                    raise
                hit = {"rules": [], "verdicts": {self.context: {
                    "permitted": False, "reasons": ["not a valid assessment"]}}}
            self.evaluations += 1
            self.cache[atoms] = hit
        return hit

    def permits(self, atoms: frozenset[Atom]) -> bool:
        verdict = self.evaluate(atoms)["verdicts"].get(self.context)
        return bool(verdict and verdict["permitted"])

    # ------------------------------------------------------------------ deriving atoms

    def atoms(self, decision: Mapping[str, Any]) -> list[Atom]:
        t = self.table
        c = self.context
        verdict = decision["verdicts"][c]
        missing = list(verdict.get("missing") or [])
        out: list[Atom] = []
        covered: set[str] = set()
        rules: set[str] = set()
        required = [s for names in (verdict.get("required_standards") or {}).values()
                    for s in names]
        for name in required:
            group = tuple(sorted(s for s in self.standards[name].safeguards if s in missing))
            if group:
                out.append(("implement", group))
                covered.update(group)
        for name in missing:
            if name in t["safeguards"] and name not in covered:
                out.append(("implement", (name,)))
        for name, users in (decision.get("required_safeguards") or {}).items():
            if name in missing:
                rules.update(users)
        for name in missing:
            rules.update(self.causes(name, decision))
        for ob in decision.get("obligations") or ():
            if c in ob["blocks"] and not ob["modality"].endswith(" not"):
                out.append(("done", ob["rule"], ob["key"]))
                rules.add(ob["rule"])
        for pr in decision.get("prohibitions") or ():
            if c in pr["blocks"]:
                rules.add(pr["rule"])
        waivers = [w["name"] for w in decision.get("waivers") or () if c in w["contexts"]]
        for w in decision.get("waivers") or ():
            if c in w["contexts"] and not w["approved"]:
                out.append(("approve", w["name"]))
        evidence: set[str] = set()
        domains: set[str] = set()
        for name in rules:
            evidence.update(t["rules"][name][0])
            domains.update(t["rules"][name][2])
        for name in waivers:
            evidence.update(t["waivers"][name][0])
            domains.update(t["waivers"][name][1])
        for name in missing:
            evidence.update(t["criteria"].get(name, ()))
        out += self.evidence_atoms(evidence)
        out += self.determination_atoms(domains)
        return sorted(set(out), key=_atom_order)

    def evidence_atoms(self, names: set[str]) -> list[Atom]:
        given = self.assessment.get("evidence") or {}
        out: list[Atom] = []
        for name in sorted(names):
            if given.get(name) is not None or name not in self.table["evidence"]:
                continue
            kind, points, since = self.table["evidence"][name]
            if kind in ("fact", "judgement"):
                out += [("evidence", name, True, "true"), ("evidence", name, False, "false")]
            elif kind == "date":
                out += self.date_atoms(name, points, since)
            elif kind != "members":
                low, high = _QUANTITY_RANGE.get(kind, (0.0, math.inf))
                if points:
                    for words, sample, region in _regions(list(points), low, high):
                        out.append(("evidence", name, sample, words, region))
        return out

    def date_atoms(self, name: str, points: Any, since: Any) -> list[Atom]:
        out: list[Atom] = []
        as_of = self.assessment.get("as_of")
        if since and isinstance(as_of, str):
            today = datetime.date.fromisoformat(as_of)
            for words, days in _day_regions(list(since)):
                shown = (today - datetime.timedelta(days=days)).isoformat()
                out.append(("evidence", name, shown, words))
        if points:
            ordinals = [float(datetime.date.fromisoformat(p).toordinal()) for p in points]
            for a, b, point in _cut(ordinals, 1.0, 3652059.0):
                if point:
                    day, words = int(a), f"on {datetime.date.fromordinal(int(a))}"
                elif a == 1.0:
                    day, words = int(b) - 1, f"before {datetime.date.fromordinal(int(b))}"
                elif b == 3652059.0:
                    day, words = int(a) + 1, f"after {datetime.date.fromordinal(int(a))}"
                elif a + 1 < b:
                    day = int(a) + 1
                    words = (f"after {datetime.date.fromordinal(int(a))} and before "
                             f"{datetime.date.fromordinal(int(b))}")
                else:
                    continue
                out.append(("evidence", name, datetime.date.fromordinal(day).isoformat(), words))
        return out

    def determination_atoms(self, domains: set[str]) -> list[Atom]:
        """Levels ruled out in each determination of the domains (per setting, before and
        after mitigation: each is a determination of its own)."""
        given = self.assessment.get("determinations") or {}
        out: list[Atom] = []
        for name in sorted(domains):
            if name not in self.table["domains"]:
                continue
            levels, settings, residual = self.table["domains"][name]
            # per setting, only the setting holding the context decides its verdict
            held = [s for s, contexts in settings if self.context in contexts]
            parts: list[tuple[str, ...]] = [(s,) for s in held or
                                            [s for s, _ in settings]] or [()]
            if residual:
                parts = [(*p, m) for p in parts for m in ("before", "after")]
            for part in parts:
                path = (name, *part)
                interval = _determination_interval(_get_at(given, path), tuple(levels))
                if interval is not None:
                    low, high = interval
                    out += [("determination", path, h) for h in range(low, high)]
        return out

    def causes(self, name: str, decision: Mapping[str, Any]) -> set[str]:
        """The rules whose requirements in the context may make `name` required."""
        t = self.table
        out = set((decision.get("required_safeguards") or {}).get(name, ()))
        for rule, (_, requires, _) in t["rules"].items():
            for target, contexts in requires:
                if contexts and self.context not in contexts:
                    continue
                std = self.standards.get(target)
                within = std is not None and name in (*std.safeguards, *std.ancestors)
                if target == name or within:
                    out.add(rule)
        return out

    def obstacles(self, atoms: frozenset[Atom]) -> list[tuple[str, str | None]]:
        """What stands in the way: each reason, once per active rule it comes from (a
        reason two rules cause needs both dealt with)."""
        decision = self.evaluate(atoms)
        active = _active(decision, self.context)
        out: list[tuple[str, str | None]] = []
        for reason in self.reasons(atoms):
            if reason.startswith("missing "):
                rules = self.causes(reason[len("missing "):], decision) & active
            elif reason.startswith("obligation "):
                rules = {reason.split()[1].rsplit(".", 1)[0]} & active
            elif reason.endswith(")") and "(rule " in reason:
                rules = {reason[reason.rindex("(rule ") + 6:-1]} & active
            else:
                rules = set()
            out += [(reason, r) for r in sorted(rules)] or [(reason, None)]
        return out

    # ------------------------------------------------------------------ the search

    def weakest(self, atoms: frozenset[Atom]) -> frozenset[Atom]:
        """`atoms` with each level ruled out only as far as the set needs: each determination
        change is replaced by the weakest one (fewest levels ruled out) that still permits."""
        given = self.assessment.get("determinations") or {}
        for atom in sorted(atoms, key=_atom_order):
            if atom[0] != "determination":
                continue
            levels = tuple(self.table["domains"][atom[1][0]][0])
            interval = _determination_interval(_get_at(given, atom[1]), levels)
            top = interval[1] if interval else atom[2] + 1
            for high in range(top - 1, atom[2], -1):
                weaker = (atoms - {atom}) | {("determination", atom[1], high)}
                if self.permits(weaker):
                    atoms = weaker
                    break
        return atoms

    def minimal(self, atoms: frozenset[Atom]) -> list[frozenset[Atom]]:
        """The inclusion-minimal permitting subsets of a permitting set `atoms` (after
        weakening it)."""
        atoms = self.weakest(atoms)
        smaller = [frozenset(s) for n in range(len(atoms))
                   for s in itertools.combinations(sorted(atoms, key=_atom_order), n)]
        found: list[frozenset[Atom]] = []
        for s in smaller:  # by size: a permitting subset with no permitting subset found
            if not any(f <= s for f in found) and self.permits(s):
                found.append(s)
        return found or [atoms]

    def reasons(self, atoms: frozenset[Atom]) -> list[str]:
        verdict = self.evaluate(atoms)["verdicts"][self.context]
        return [] if verdict["permitted"] else list(verdict["reasons"])

    def moves(self, atoms: frozenset[Atom]) -> list[frozenset[Atom]]:
        """The changes to try next from `atoms`: each candidate atom, and each safeguard or
        waiver atom together with a value for an input its criterion or condition reads (a
        waiver whose condition is unknown needs both)."""
        slots = {_slot(a) for a in atoms} - {None}
        fresh = [a for a in self.atoms(self.evaluate(atoms))
                 if a not in atoms and _slot(a) not in slots]
        out = [frozenset([a]) for a in fresh]
        t = self.table
        for a in fresh:
            inputs: set[str] = set()
            if a[0] == "approve":
                inputs.update(*t["waivers"][a[1]])
            elif a[0] == "implement":
                for name in a[1]:
                    inputs.update(t["criteria"].get(name, ()))
            out += [frozenset([a, b]) for b in fresh
                    if (b[0] == "evidence" and b[1] in inputs)
                    or (b[0] == "determination" and b[1][0] in inputs)]
        # a rule that reads several determinations stops applying only when they are all
        # ruled out together: one move rules each out as far as it can be (`minimal` then
        # weakens each as far as the set still permits)
        lowest: dict[tuple[str, ...], Atom] = {}
        for a in fresh:
            if a[0] == "determination" and (a[1] not in lowest or a[2] < lowest[a[1]][2]):
                lowest[a[1]] = a
        for rule in sorted(_active(self.evaluate(atoms), self.context)):
            domains = set(t["rules"][rule][2]) if rule in t["rules"] else set()
            # before mitigation suffices: the level after is never above it
            move = frozenset(a for path, a in lowest.items() if path[0] in domains
                             and not (path[-1] == "after" and (*path[:-1], "before") in lowest))
            if len(move) > 1 and move not in out:
                out.append(move)
        return out

    def run(self) -> dict[str, Any]:
        empty: frozenset[Atom] = frozenset()
        base = self.evaluate(empty)
        verdict = base["verdicts"][self.context]
        result: dict[str, Any] = {
            "context": self.context,
            "permitted": bool(verdict["permitted"]),
            "reasons": list(verdict["reasons"]),
            "sets": [],
            "bound": {"max_size": self.max_size, "max_evaluations": self.max_evaluations,
                      "hit": None},
            "exhaustive": True,
            "unremovable": [],
            "still_blocked_by": [],
        }
        if verdict["permitted"]:
            result["evaluations"] = self.evaluations
            return result
        solutions: list[frozenset[Atom]] = []
        queue: list[tuple[Any, frozenset[Atom]]] = [(_set_order(empty), empty)]
        queued: set[frozenset[Atom]] = {empty}
        hit: str | None = None
        while queue:
            _, here = heapq.heappop(queue)
            if len(here) > self.max_size:
                hit = "size"
                break
            if any(s <= here for s in solutions):
                continue
            if self.evaluations >= self.max_evaluations:
                hit = "evaluations"
                break
            reasons = self.obstacles(here)
            if not reasons:
                for s in self.minimal(here):
                    if s not in solutions:
                        solutions.append(s)
                continue
            # Hitting sets: every reason must go. Branch on the reason the fewest changes
            # remove (each tried from here); a reason none removes ends this branch.
            removing: dict[tuple[str, str | None], list[frozenset[Atom]]] = {
                r: [] for r in reasons}
            for move in self.moves(here):
                if self.evaluations >= self.max_evaluations:
                    hit = "evaluations"
                    break
                left = set(self.reasons(here | move))
                active = _active(self.evaluate(here | move), self.context)
                for r in reasons:
                    if r[0] not in left or (r[1] is not None and r[1] not in active):
                        removing[r].append(move)
            if hit is not None:
                break
            reason = min(reasons, key=lambda r: len(removing[r]))
            if not removing[reason]:
                if not here:
                    result["unremovable"] = sorted({r[0] for r in reasons if not removing[r]})
                continue
            for move in removing[reason]:
                grown = here | move
                if grown not in queued:
                    queued.add(grown)
                    heapq.heappush(queue, (_set_order(grown), grown))
        result["bound"]["hit"] = hit
        result["exhaustive"] = hit is None
        ordered = sorted(solutions, key=_set_order)
        result["sets"] = self.merged(ordered)
        if not ordered:
            result["still_blocked_by"] = self.closure()
        result["evaluations"] = self.evaluations
        return result

    def merged(self, ordered: list[frozenset[Atom]]) -> list[list[dict[str, Any]]]:
        """The sets described; sets that differ only in the region of one quantity, regions
        next to each other, are one set whose value is stated as a bound ("at most 5%")."""
        groups: dict[Any, list[tuple[frozenset[Atom], Atom | None]]] = {}
        for s in ordered:
            quantities = [a for a in s if a[0] == "evidence" and len(a) == 5]
            if len(quantities) == 1:
                key: Any = (s - {quantities[0]}, quantities[0][1])
                groups.setdefault(key, []).append((s, quantities[0]))
            else:
                groups.setdefault((s, None), []).append((s, None))
        out: list[list[dict[str, Any]]] = []
        for members in groups.values():
            pieces = sorted((m[1][4] for m in members if m[1] is not None),
                            key=lambda r: (r[0], r[1]))
            joined = all(p[1] == q[0] for p, q in itertools.pairwise(pieces))
            if len(members) == 1 or not joined:
                out += [[self.describe(a) for a in sorted(m[0], key=_atom_order)]
                        for m in members]
                continue
            first, atom = members[0]
            assert atom is not None
            low, high = _QUANTITY_RANGE.get(self.table["evidence"][atom[1]][0], (0.0, math.inf))
            words = _span_words(pieces[0][0], pieces[-1][1], pieces[0][2], pieces[-1][2],
                                low, high)
            described = [self.describe(a) for a in sorted(first, key=_atom_order)]
            for x in described:
                if x["change"] == "evidence" and x["evidence"] == atom[1]:
                    x["region"] = words
                    x["text"] = f"establish {atom[1]} {words} (e.g. {x['value']:g})"
            out.append(described)
        return out

    def closure(self) -> list[str]:
        """The reasons left after every change that is not a choice of evidence: the missing
        safeguards implemented, blocking duties done, waivers approved, levels ruled out."""
        atoms: frozenset[Atom] = frozenset()
        for _ in range(8):
            if self.evaluations >= self.max_evaluations + 8:
                break
            new = [a for a in self.atoms(self.evaluate(atoms)) if a[0] != "evidence"]
            lowest: dict[Any, Atom] = {}
            for a in new:
                slot = _slot(a)
                if slot is None:
                    continue
                if any(_slot(b) == slot for b in atoms):
                    continue
                if slot not in lowest or a[2] < lowest[slot][2]:
                    lowest[slot] = a
            grown = atoms | {a for a in new if _slot(a) is None} | set(lowest.values())
            if grown == atoms:
                break
            atoms = frozenset(grown)
        verdict = self.evaluate(atoms)["verdicts"][self.context]
        return [] if verdict["permitted"] else list(verdict["reasons"])

    def describe(self, atom: Atom) -> dict[str, Any]:
        kind = atom[0]
        t = self.table
        if kind == "implement":
            names = list(atom[1])
            standard = _owner(self.standards, names)
            out: dict[str, Any] = {"change": "implement", "safeguards": names,
                                   "standard": standard}
            listed = _and(names)
            if standard is not None:
                title = t["titles"][standard]
                noun = "safeguards" if len(names) > 1 else "safeguard"
                owner = f"{title}'" if title.endswith("s") else f"{title}'s"
                if owner[:4].lower() != "the ":
                    owner = "the " + owner
                out["text"] = f"implement {owner} missing {noun} {listed}"
            else:
                out["text"] = f"implement {listed}"
            return out
        if kind == "done":
            return {"change": "done", "rule": atom[1], "action": atom[2],
                    "text": f"mark obligation {atom[1]}.{atom[2]} done"}
        if kind == "approve":
            return {"change": "approve", "waiver": atom[1],
                    "text": f"approve waiver {atom[1]}"}
        if kind == "evidence":
            value = atom[2]
            shown = "true" if value is True else "false" if value is False else (
                value if isinstance(value, str) else f"{value:g}")
            if len(atom) == 5:  # a quantity: its region, and the value that stands for it
                text = f"establish {atom[1]} {atom[3]} (e.g. {shown})"
            elif atom[3] in ("true", "false"):
                text = f"establish {atom[1]} = {shown}"
            else:
                text = f"establish {atom[1]} = {shown} ({atom[3]})"
            return {"change": "evidence", "evidence": atom[1], "value": value,
                    "region": atom[3], "text": text}
        path, high = atom[1], atom[2]
        levels = t["domains"][path[0]][0]
        out = {"change": "determination", "domain": path[0], "path": list(path),
               "value": self.determination(path, high),
               "rules_out": list(levels[high:])}
        where = "".join(
            " after mitigation" if p == "after" else " before mitigation" if p == "before"
            else f" for {p}" for p in path[1:])
        out["text"] = f"determine {path[0]}{where} below {levels[high]}" + (
            f" (rule out {_and(list(levels[high:]))})" if high + 1 < len(levels) else "")
        return out


def _get_at(root: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = root
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _set_at(root: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set the determination at `path`, copying the objects on the way (never the caller's)."""
    for key in path[:-1]:
        child = root.get(key)
        child = dict(child) if isinstance(child, dict) else {}
        root[key] = child
        root = child
    root[path[-1]] = value


def _active(decision: Mapping[str, Any], context: str) -> set[str]:
    """The rules that apply, a rule decided per context as it is for `context`."""
    status = {r["name"]: r["status"] for r in decision.get("rules") or ()}
    verdict = (decision.get("verdicts") or {}).get(context) or {}
    status.update(verdict.get("context_rules") or {})
    return {name for name, s in status.items() if s in ("triggered", "precautionary")}


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _owner(standards: Mapping[str, Standard], names: list[str]) -> str | None:
    """The first standard, in policy order, whose safeguards include all of `names` and that
    is not a typed hole; None for a single safeguard required on its own."""
    if len(names) == 1 and not any(names[0] in s.safeguards for s in standards.values()):
        return None
    for name, std in standards.items():
        if not std.hole and set(names) <= set(std.safeguards):
            return str(name)
    for name, std in standards.items():
        if set(names) <= set(std.safeguards):
            return str(name)
    return None


def _slot(atom: Atom) -> Any:
    """Atoms that set the same input exclude each other."""
    return (atom[0], atom[1]) if atom[0] in ("evidence", "determination") else None


def _atom_order(atom: Atom) -> tuple[Any, ...]:
    return (_KIND_ORDER[atom[0]], repr(atom[1:]))


def _set_order(atoms: frozenset[Atom]) -> tuple[Any, ...]:
    return (len(atoms), [_atom_order(a) for a in sorted(atoms, key=_atom_order)])


def why_not_search(
    decide: Decide, table: Mapping[str, Any], assessment: Mapping[str, Any], context: str,
    *, max_size: int = 8, max_evaluations: int = 2000,
) -> dict[str, Any]:
    """The minimal sets of changes that would permit `context` (module docstring). `decide`
    maps an assessment to its decision as JSON data and raises on a malformed one; the first
    call decides the assessment as given (restricted to `context`), so a bad assessment is
    rejected exactly as evaluating it is."""
    if type(assessment) is not dict:  # exactly a dict, or the evaluator says why not
        decide(assessment)  # a malformed assessment is rejected here, as `evaluate` does
        assessment = dict(assessment)
    decide({**assessment, "contexts": [context]})  # the same for the fields and the context
    return _Search(decide, table, assessment, context, max_size, max_evaluations).run()


def _changes(n: int) -> str:
    return "1 change" if n == 1 else f"{n} changes"


def why_not_text(result: Mapping[str, Any], title: str) -> str:
    """The answer in words, for people."""
    c = title
    if result["permitted"]:
        return f"{c} is already permitted: nothing to change.\n"
    lines: list[str] = []
    sets = result["sets"]
    if sets:
        lines.append(f"To permit {c}, do one of:")
        for i, changes in enumerate(sets, 1):
            lead = f"  ({i}) "
            lines.append(lead + changes[0]["text"])
            lines += [" " * len(lead) + "and " + x["text"] for x in changes[1:]]
    elif result["exhaustive"]:
        lines.append(f"Nothing can permit {c}: no combination of the changes derived from")
        lines.append("its decision permits it (all were tried).")
    else:
        lines.append(f"No set of at most {_changes(result['bound']['max_size'])} permits {c}.")
    if result["still_blocked_by"]:
        lines.append("Still in the way with every missing safeguard implemented, every blocking")
        lines.append("duty done, every waiver approved and every level ruled out that can be:")
        lines += [f"  - {r}" for r in result["still_blocked_by"]]
    hit = result["bound"]["hit"]
    if hit == "size":
        lines.append(f"The search stopped at its bound of {_changes(result['bound']['max_size'])} "
                     "per set: larger sets may also permit.")
    elif hit == "evaluations":
        lines.append(f"The search stopped at its bound of "
                     f"{result['bound']['max_evaluations']} evaluations: other sets may "
                     "also permit.")
    if sets:
        lines.append("Each set is minimal (no part of it permits alone) and was confirmed by")
        lines.append("deciding the changed assessment; smallest sets first.")
    return "\n".join(lines) + "\n"
