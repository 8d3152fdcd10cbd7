"""The Python backend: one standalone evaluator module per policy, from the IR.

The module is the hand-written runtime (`python_runtime.py`, copied verbatim) followed by the
policy's tables and one compiled function, `_conditions`, that decides every rule's condition
in three-valued logic with straight-line code. Every value from the policy reaches the code
through `quote` (or `comment` for comments): policy text can never become code. User names
never become Python names; generated locals are numbered.
"""

from __future__ import annotations

import ast
import datetime
import functools
import math
import pprint
from array import array
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from itertools import repeat
from typing import Any

import attrs

from rspl import __version__, ir
from rspl.semantics import level_slot
from rspl.whynot_table import table as whynot_table
from rspl.wording import deadline_text, describe, figure_spec, level_text, module_name

# ---------------------------------------------------------------------------- quoting


def _check_literal(value: object) -> None:
    """Only plain data whose repr is Python source that rebuilds it may be quoted."""
    if value is None or isinstance(value, bool | int | str | datetime.date):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot quote the non-finite number {value!r}")
        return
    if isinstance(value, tuple | list):
        for item in value:
            _check_literal(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_literal(key)
            _check_literal(item)
        return
    raise TypeError(f"cannot quote {type(value).__name__}")


def quote(value: object, indent: int = 0, lead: int = 0) -> str:
    """Python source for a constant: the one way policy data enters generated code.

    Long values are laid out over several lines, each continuation indented by `indent`;
    `lead` is how much of the first line is already taken (`NAME: Any = `).
    """
    _check_literal(value)
    width = max(40, 99 - max(indent, lead))
    text = pprint.pformat(value, width=width, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


@attrs.frozen
class Rows:
    """A table's tuple (or, `keyed`, its dict: `make` then gives (key, value) pairs) made a
    row at a time as `quote_pieces` writes it, so that a table of a row per rule is never
    held whole."""

    count: int
    make: Callable[[], Iterable[Any]]
    keyed: bool = False


@attrs.frozen
class Formatted:
    """A row of a table already laid out by `quote_pieces`'s rules (`layout`), or several
    joined as the table joins them (then never all of a table's rows): the compiler keeps
    its nodes so, a fraction of the size of their dicts."""

    text: str


# A table, or a value in a table, whose items `quote_pieces` lays out one at a time: the first
# two levels. Deeper values are rows (a rule, a node), each laid out whole by `pprint`.
_STREAMED_DEPTH = 2


def quote_pieces(value: object, lead: int = 0) -> Iterator[str]:
    """`quote(value, lead=lead)` in pieces: a table (`Rows`, or a tuple, list or dict) that
    does not fit its line is laid out a row at a time, as `pprint` lays out each, so that
    the text of a whole table is never held; one that fits comes whole."""
    yield from _layout(value, max(40, 99 - lead), 0, 0, 0)


def _layout(value: object, width: int, indent: int, allowance: int, depth: int) -> Iterator[str]:
    """What `pprint.PrettyPrinter._format` writes for `value` at `indent` with `allowance`
    characters kept free after it: a tuple, list or dict of two items or more that does not
    fit is opened and each item laid out in turn, as `pprint` does it
    (`_format_items`, `_format_dict_items`); anything else is laid out whole (`layout`)."""
    if isinstance(value, Formatted):
        yield value.text
        return
    keyed = value.keyed if isinstance(value, Rows) else isinstance(value, dict)
    count = value.count if isinstance(value, Rows) else _count(value)
    room = width - indent - allowance
    inner = indent + 1
    if (
        depth >= _STREAMED_DEPTH
        or count < 2
        or _width_of(value, room) <= room
        or inner + _widest_key(value) >= width  # where `layout` could not place an item
    ):
        yield _flat(value, width, indent, allowance)
        return
    opening, closing = ("{", "}") if keyed else ("[", "]") if type(value) is list else ("(", ")")
    yield opening
    for i, item in enumerate(_items(value)):
        last = i == count - 1
        free = allowance + 1 if last else 1  # the closing bracket, or the comma
        if keyed:
            key, item = item
            _check_literal(key)
            shown = repr(key)
            yield shown + ": "
            yield from _layout(item, width, inner + len(shown) + 2, free, depth + 1)
        else:
            yield from _layout(item, width, inner, free, depth + 1)
        if not last:
            yield ",\n" + " " * inner
    yield closing


def _count(value: object) -> int:
    """The items of a tuple, list or dict that `pprint` opens (none for anything else)."""
    return len(value) if type(value) in (tuple, list, dict) else 0  # type: ignore[arg-type]


def _widest_key(value: object) -> int:
    """For a dict, the most its keys take before their values (`'key': `)."""
    keyed = value.keyed if isinstance(value, Rows) else isinstance(value, dict)
    return max((len(repr(key)) + 2 for key, _ in _items(value)), default=0) if keyed else 0


def _flat(value: object, width: int, indent: int, allowance: int) -> str:
    """`value` laid out whole; rows already laid out (`Formatted`) only when they fit on one
    line, where each row is its `repr`."""
    if not isinstance(value, Rows):
        return layout(value, width, indent, allowance)
    rows = list(value.make())
    if any(isinstance(r, Formatted) for r in rows):
        return "(" + ", ".join(r.text for r in rows) + ("," if len(rows) == 1 else "") + ")"
    return layout(dict(rows) if value.keyed else tuple(rows), width, indent, allowance)


def _items(value: object) -> Iterable[Any]:
    if isinstance(value, Rows):
        return value.make()
    if isinstance(value, dict):
        return value.items()
    assert isinstance(value, tuple | list)
    return value


def _width_of(value: object, limit: int) -> int:
    """The length of the one-line `repr` of `value` (as `pprint` writes it), or some length
    over `limit` once it exceeds it: only as much of a table is looked at as fits a line."""
    if isinstance(value, Formatted):
        return len(value.text) if "\n" not in value.text else limit + 1
    if not isinstance(value, Rows) and not _count(value):
        return len(repr(value))
    keyed = value.keyed if isinstance(value, Rows) else isinstance(value, dict)
    total = 0
    count = 0
    for item in _items(value):
        if keyed:
            key, item = item
            total += len(repr(key)) + 2
        total += _width_of(item, limit - total) + (2 if count else 0)
        count += 1
        if total + 2 > limit:
            return limit + 1
    single = count == 1 and isinstance(value, tuple | Rows) and not keyed
    return total + 2 + single


def layout(value: object, width: int, indent: int, allowance: int) -> str:
    """What `pprint` writes for `value` laid out in a table at `indent` (the margin of its
    first line, which the caller has written) with `allowance` characters after it, `width`
    in all. Only `pprint.pformat` is used: `allowance` nested lists around `value` put it at
    that margin and allowance, and since `pprint` measures every line from its margin, the
    text at margin `allowance` shifted right is the text at `indent`."""
    _check_literal(value)
    if not allowance:
        return pprint.pformat(value, width=width, sort_dicts=False)
    wrapped = value
    for _ in range(allowance):
        wrapped = [wrapped]
    text = pprint.pformat(wrapped, width=width - indent + allowance, sort_dicts=False)
    return text[allowance:-allowance].replace("\n", "\n" + " " * (indent - allowance))


def comment(text: str) -> str:
    """A one-line comment that shows `text` without letting it end the comment."""
    escaped = text.encode("unicode_escape").decode("ascii")
    return "# " + escaped


# ---------------------------------------------------------------------------- tables


def _anchors(anchors: tuple[ir.Anchor, ...]) -> tuple[dict[str, str | None], ...]:
    return tuple({"text": a.text, "url": a.url} for a in anchors)


def _deadline(d: ir.Deadline | None, until: int | None) -> dict[str, Any]:
    """An obligation's deadline as the runtime reads it: its `kind` (`ir.deadline_kind`) and
    only the fields that kind has. `until` is the slot of an `until` condition in the values
    of `_conditions`."""
    kind = ir.deadline_kind(d)
    if isinstance(d, ir.Within):
        return {"kind": kind, "period": (d.period.months, d.period.days), "event": d.event}
    if isinstance(d, ir.Before | ir.DueAt):
        return {"kind": kind, "contexts": d.contexts}
    if isinstance(d, ir.Every):
        return {"kind": kind, "opens": (d.low.months, d.low.days),
                "period": (d.high.months, d.high.days), "event": d.since}  # fmt: skip
    if isinstance(d, ir.Until):
        return {"kind": kind, "slot": until}
    if isinstance(d, ir.Due):
        return {"kind": kind, "date": d.date}
    if isinstance(d, ir.DueEvent):
        return {"kind": kind, "event": d.event}
    return {"kind": kind}


def _obligation(o: ir.Obligation, until: int | None) -> dict[str, Any]:
    # a prohibition (`must not`) is marked; other duties leave the key out
    marked: dict[str, Any] = {"prohibited": True} if o.prohibited else {}
    return {
        "action": o.action,
        "modality": o.modality,
        "blocking": o.blocking,
        "objects": tuple(r.name for r in o.objects),
        "contexts": tuple(r.name for r in o.objects if r.kind == "context"),
        "by": o.by,
        "approved_by": o.approved_by,
        "by_any": o.by_any,
        "approved_by_any": o.approved_by_any,
        "to": o.to,
        "deadline": _deadline(o.deadline, until),
        "text": deadline_text(o.deadline),
        "anchors": _anchors(o.anchors),
        "key": o.key,
        **marked,
    }


def _rule(r: ir.Rule, condition: int | None, until: dict[int, int]) -> dict[str, Any]:
    """A rule's table entry. `condition` is the slot of its condition in the values of
    `_conditions`; `until` the slot of each `until` deadline, by `id` of the obligation."""
    return {
        "name": r.name,
        "kind": r.kind,
        "title": r.title,
        "anchors": _anchors(r.anchors),
        "requirements": tuple(
            (q.target, q.kind, q.contexts) for q in r.requirements if q.modality == "must"
        ),
        "recommended": tuple(
            (q.target, q.kind, q.contexts, q.modality)
            for q in r.requirements
            if q.modality != "must"
        ),
        "obligations": tuple(_obligation(o, until.get(id(o))) for o in r.obligations),
        "fallbacks": tuple(_obligation(o, until.get(id(o))) for o in r.fallbacks),
        "condition": condition,
        "ladder": r.ladder,
    }


def _domain_row(d: ir.Domain) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (d.name, tuple(lv.name for lv in d.levels), d.deciders)


def _evidence_row(e: ir.Evidence) -> tuple[str, tuple[Any, ...]]:
    if e.per is not None:
        return e.name, (e.type, e.deciders, e.members)
    return e.name, (e.type, e.deciders)


def _standard_row(s: ir.Standard) -> tuple[str, tuple[Any, ...]]:
    return s.name, (s.family, s.parent, s.own_safeguards, s.hole)


# ---------------------------------------------------------------------------- conditions


# The compiler keeps its lines, and its nodes' rows, joined by this many: a string each would
# take about as much as their text.
_CHUNK = 64


@attrs.frozen
class _Names:
    """What the compilers of a module look up, made once for the three of them."""

    domain_index: dict[str, int]  # every determination's index in `lo` and `hi`
    domains: dict[str, ir.Domain]
    definitions: dict[str, ir.Definition]
    evidence: dict[str, ir.Evidence]

    @classmethod
    def of(cls, policy: ir.Policy) -> _Names:
        index = {d.name: i for i, d in enumerate(policy.domains)}
        # the determinations beyond one per domain (per setting, after mitigation) follow
        for j, (name, _) in enumerate(ir.level_slots(policy)):
            index[name] = len(policy.domains) + j
        return cls(
            index,
            {d.name: d for d in policy.domains},
            {d.name: d for d in policy.definitions},
            {e.name: e for e in policy.evidence},
        )


class _Compiler:
    """Writes one condition function: straight-line code that decides every node of the
    expressions it is given once, by calling the rules of `rspl.semantics`, and returns their
    values. `nodes` describes each value (see `python_runtime.Node`), so that the runtime
    reads missing evidence and explanations off the values instead of deciding again."""

    def __init__(self, policy: ir.Policy, table: str, names: _Names) -> None:
        # The function's body as written (lines reflowed), in chunks of _CHUNK lines
        self.lines: list[str] = []
        self.pending: list[str] = []
        # Each node as its row of the table `table` (`_NODES`, ...) is written: laid out at
        # once, the text being a third of the size of the dict; the first also as a dict,
        # which a table of one row needs (`table`).
        self.nodes: list[str] = []  # rows, and past _CHUNK of them, chunks of _CHUNK rows
        self.loose = 0  # the rows at the end of `nodes` not yet in a chunk
        self.first: dict[str, Any] | None = None
        self.width = max(40, 99 - len(f"{table}: Any = "))
        self.held: array[int] = array("l")  # for each node, the slot `N` of its local `tN`
        self.policy = policy
        self.domain_index = names.domain_index
        self.domains = names.domains
        self.definitions = names.definitions
        self.def_slots: dict[tuple[str, str | None], int] = {}
        self.context: str | None = None  # the context a per-context rule is compiled for
        self.evidence = names.evidence
        # Criteria (`efficacy`): each leaf's node also carries what `figure` shows of it.
        self.figures = False
        self.criteria: list[dict[str, Any]] = []  # the rows of `_CRITERIA`

    def emit(self, line: str) -> None:
        self.pending.append(_reflow("    " + line))
        if len(self.pending) == _CHUNK:
            self.lines.append("\n".join(self.pending) + "\n")
            self.pending.clear()

    @functools.cached_property
    def levels(self) -> dict[str, tuple[str, ...]]:
        """The level names of each domain, which criteria's figures show."""
        return {d.name: tuple(lv.name for lv in d.levels) for d in self.policy.domains}

    def var(self, slot: int) -> str:
        """The local that holds the value of node `slot`."""
        return f"t{self.held[slot]}"

    def node(self, e: ir.Expr, kind: str, code: str | None, inputs: Iterable[str] = (),
             children: tuple[int, ...] = (), detail: Any = None,
             text: str | None = None) -> int:  # fmt: skip
        """A new node computed by `code` (or, for None, the value of its one child), shown
        as `text` (by default, `e` in RSPL syntax)."""
        slot = len(self.held)
        row = {
            "kind": kind, "text": describe(e) if text is None else text,
            "inputs": tuple(sorted(set(inputs))), "children": children, "detail": detail,
        }  # fmt: skip
        spec = figure_spec(e, self.levels) if self.figures else None
        if spec is not None:
            row["figure"] = spec
        self.nodes.append(layout(row, self.width, 1, 1))
        self.loose += 1
        if self.loose > _CHUNK:  # the last row stays loose: a table of chunks has two items
            self.nodes[-self.loose : -1] = [",\n ".join(self.nodes[-self.loose : -1])]
            self.loose = 1
        if self.first is None:
            self.first = row
        if code is None:
            self.held.append(self.held[children[0]])
        else:
            self.held.append(slot)
            self.emit(f"t{slot} = {code}")
        return slot

    def slot(self, e: ir.LevelCmp) -> str:
        """The determination a level comparison reads (`rspl.semantics.level_slot`): per
        setting, the one holding the context being compiled for; `residual`: after
        mitigation."""
        return self.domains[e.domain].slot_read(e.residual, self.context)

    def slots_of(self, domain: str) -> list[int]:
        """The indexes of every determination of `domain`."""
        return [self.domain_index[domain]] + [
            self.domain_index[level_slot(domain, setting, residual)]
            for setting, residual in self.domains[domain].slots()
        ]

    @staticmethod
    def value(v: ir.Value) -> str:
        if isinstance(v, ir.Const):
            return quote(v.value)
        if isinstance(v, ir.EvidenceValue):
            return f"ev.get({quote(v.name)})"
        return f"days_since(ev.get({quote(v.name)}), as_of)"

    def over_members(self, e: ir.MemberTest | ir.Compare) -> int:
        """A test over a family's members, or a comparison with `max`/`min` of one: a
        `members` node whose detail is (evidence names, whether it reads as_of, and per
        family (name, type, declared members, `each`/`max`/`min`))."""
        names: list[str] = []
        families: list[tuple[str, str, tuple[str, ...] | None, str]] = []
        as_of = False

        def span(v: ir.Value | None) -> str:
            nonlocal as_of
            if v is None:
                return "(None, None)"
            if isinstance(v, ir.MemberBound):
                members = self.evidence[v.name].members
                families.append((v.name, self.evidence[v.name].type, members, v.bound))
                return (f"member_bound({quote(v.bound)}, ev.get({quote(v.name)}), "
                        f"{quote(members)})")  # fmt: skip
            if not isinstance(v, ir.Const):
                names.append(v.name)
                as_of = as_of or isinstance(v, ir.SinceValue)
            return f"point({self.value(v)})"

        if isinstance(e, ir.Compare):
            left = span(e.left)
            code = f"compare_range({quote(e.op)}, {left}, {span(e.right)})"
        else:
            members = self.evidence[e.name].members
            families.append((e.name, self.evidence[e.name].type, members, "each"))
            code = (f"member_test({e.count}, {quote(e.op)}, ev.get({quote(e.name)}), "
                    f"{quote(members)}, {span(e.right)})")  # fmt: skip
        inputs = [*(f[0] for f in families), *names, *(["as_of"] if as_of else [])]
        detail = (tuple(names), as_of, tuple(families))
        return self.node(e, "members", code, inputs, detail=detail)

    def expr(self, e: ir.Expr) -> int:
        """Emit code computing `e`; return its slot."""
        if isinstance(e, ir.MemberTest) or (isinstance(e, ir.Compare) and _bounded(e)):
            return self.over_members(e)
        if isinstance(e, ir.LevelCmp):
            slot = self.slot(e)
            i = self.domain_index[slot]
            code = f"level_cmp({quote(e.op)}, lo[{i}], hi[{i}], {e.rank})"
            text = level_text(e, slot) if slot != e.domain else None
            return self.node(e, "level", code, [slot], detail=slot, text=text)
        if isinstance(e, ir.Compare):
            names = tuple(v.name for v in (e.left, e.right) if not isinstance(v, ir.Const))
            reads_as_of = any(isinstance(v, ir.SinceValue) for v in (e.left, e.right))
            inputs = (*names, "as_of") if reads_as_of else names
            code = f"compare({quote(e.op)}, {self.value(e.left)}, {self.value(e.right)})"
            return self.node(e, "cmp", code, inputs, detail=(names, reads_as_of))
        if isinstance(e, ir.Fact):
            return self.node(e, "fact", f"ev.get({quote(e.name)})", [e.name], detail=e.name)
        if isinstance(e, ir.Implemented):
            code = f"in_place({quote(e.name)}, impl, maybe)"
            return self.node(e, "impl", code, ["implemented"], detail=e.name)
        if isinstance(e, ir.DefRef):
            key = (e.name, self.context)
            if key not in self.def_slots:
                definition = self.definitions[e.name]
                self.emit(comment(f"definition {e.name} ({_where(definition.origin)})"))
                inner = self.expr(definition.expr)
                self.def_slots[key] = self.node(e, "def", None, children=(inner,))
            return self.def_slots[key]
        if isinstance(e, ir.Not):
            inner = self.expr(e.operand)
            return self.node(e, "not", f"tri_not({self.var(inner)})", children=(inner,))
        parts = tuple(self.expr(x) for x in e.operands)
        locals_ = [self.var(p) for p in parts]
        items = "(" + ", ".join(locals_) + ("," if len(locals_) == 1 else "") + ")"
        if isinstance(e, ir.And):
            return self.node(e, "and", f"tri_all({items})", children=parts)
        if isinstance(e, ir.Or):
            return self.node(e, "or", f"tri_any({items})", children=parts)
        return self.node(e, "atleast", f"at_least({e.count}, {items})", children=parts)

    def conditions(
        self, policy: ir.Policy
    ) -> tuple[Iterator[str], list[int | None], dict[int, int]]:
        """`_conditions`, the slot of each rule's condition (None: always) and the slot of
        each `until` deadline (by `id` of its obligation)."""
        # Checkpoints first: a warning whose condition is false rules out levels.
        for rule in policy.rules:
            if rule.rules_out and rule.condition is not None:
                self.emit(comment(f"checkpoint {rule.name} ({_where(rule.origin)})"))
                slot = self.expr(rule.condition)
                self.emit(f"if {self.var(slot)} is False:")
                for ro in rule.rules_out:
                    for i in self.slots_of(ro.domain):
                        self.emit(f"    hi[{i}] = rule_out(lo[{i}], hi[{i}], {ro.rank})")
        self.def_slots.clear()  # definitions are decided again with the checkpoints applied
        slots: list[int | None] = []
        outcome_code: list[str] = []
        self.instances: list[dict[str, int] | None] = []
        for rule in policy.rules:
            self.emit(comment(f"{rule.kind} {rule.name} ({_where(rule.origin)})"))
            if rule.contexts:
                assert rule.condition is not None
                per: dict[str, int] = {}
                for context in rule.contexts:
                    self.context = context
                    self.emit(comment(f"  for {context}"))
                    per[context] = self.expr(rule.condition)
                self.context = None
                self.instances.append(per)
                slots.append(None)
                # the rule's own value: the strictest over its contexts
                local = f"r{len(outcome_code)}"
                items = ", ".join(self.var(x) for x in per.values())
                comma = "," if len(per) == 1 else ""
                self.emit(f"{local} = tri_any(({items}{comma}))")
                outcome_code.append(local)
                continue
            self.instances.append(None)
            slots.append(None if rule.condition is None else self.expr(rule.condition))
            outcome_code.append("True" if slots[-1] is None else self.var(slots[-1]))
        until: dict[int, int] = {}
        for rule in policy.rules:
            for ob in (*rule.obligations, *rule.fallbacks):
                if isinstance(ob.deadline, ir.Until):
                    self.emit(comment(f"until, of {rule.name}.{ob.action} ({_where(ob.origin)})"))
                    until[id(ob)] = self.expr(ob.deadline.expr)
        self.waiver_slots: dict[str, int] = {}
        for w in policy.waivers:
            if w.condition is not None:
                self.emit(comment(f"waiver {w.name} ({_where(w.origin)})"))
                self.waiver_slots[w.name] = self.expr(w.condition)
        outcomes = outcome_code
        self.emit(f"outcomes = ({', '.join(outcomes)}{',' if len(outcomes) == 1 else ''})")
        doc = "Every rule's outcome, in policy order, and the value of every node in `_NODES`."
        code = self.function("_conditions", doc, "tuple[Values, Values]", "outcomes, ")
        return code, slots, until

    def efficacy(self, policy: ir.Policy) -> tuple[Iterator[str], dict[str, int | None]]:
        """`_efficacy` and the slot of each safeguard's criterion (None: it has none)."""
        slots: dict[str, int | None] = {}
        self.figures = True
        for sg in policy.safeguards:
            slots[sg.name] = None
            if sg.efficacy is not None:
                self.emit(comment(f"efficacy of {sg.name} ({_where(sg.origin)})"))
                slots[sg.name] = self.expr(sg.efficacy)
                self.criteria.append({
                    "kind": "safeguard", "target": sg.name, "rule": None,
                    "slot": slots[sg.name], "anchors": _anchors(sg.anchors),
                })  # fmt: skip
        self.criteria_of(policy)
        doc = "The value of every node in `_EFFICACY_NODES`: each safeguard's criterion."
        return self.function("_efficacy", doc, "Values", ""), slots

    def criteria_of(self, policy: ir.Policy) -> None:
        """The criteria of standards and of requirements, after the safeguards': each a row
        of `_CRITERIA` (a requirement's with its rule and its place among the rule's binding
        requirements)."""
        for std in policy.standards:
            if std.criterion is not None:
                self.emit(comment(f"criterion of {std.name} ({_where(std.origin)})"))
                self.criteria.append({"kind": "standard", "target": std.name, "rule": None,
                                      "slot": self.expr(std.criterion),
                                      "anchors": _anchors(std.anchors)})  # fmt: skip
        for i, rule in enumerate(policy.rules):
            binding = [q for q in rule.requirements if q.modality == "must"]
            for j, req in enumerate(binding):
                if req.criterion is not None:
                    self.emit(comment(f"criterion of {rule.name}: require {req.target}"))
                    self.criteria.append({
                        "kind": "requirement", "target": req.target, "rule": rule.name,
                        "slot": self.expr(req.criterion), "anchors": _anchors(req.anchors),
                        "place": (i, j),
                    })  # fmt: skip
    def carry(
        self, policy: ir.Policy
    ) -> tuple[Iterator[str], dict[str, tuple[tuple[str, Any, str], ...]]]:
        """`_carry_values` and, per domain, the conditions a carried-forward determination
        of it must meet (see `python_runtime.Evaluator`). Conditions read evidence only."""
        table: dict[str, tuple[tuple[str, Any, str], ...]] = {}
        for d in policy.domains:
            steps: list[tuple[str, Any, str]] = []
            for c in d.carry_forward:
                if c.within is not None:
                    steps.append(("within", (c.within.months, c.within.days), c.text or ""))
                if c.condition is not None:
                    self.emit(comment(f"carry forward, {c.scope} condition for {d.name}"))
                    steps.append(("when", self.expr(c.condition), describe(c.condition)))
            if steps:
                table[d.name] = tuple(steps)
        doc = "The value of every node in `_CARRY_NODES`: the carry-forward conditions."
        return self.function("_carry_values", doc, "Values", ""), table

    def function(self, name: str, doc: str, returns: str, prefix: str) -> Iterator[str]:
        """The function's text, as it is written (its last line, the return, emitted
        now)."""
        count = len(self.held)
        values = "(" + ", ".join(map(self.var, range(count))) + ("," if count == 1 else "") + ")"
        self.emit(f"return ({prefix}{values})" if prefix else f"return {values}")
        return self._text(name, doc, returns)

    def _text(self, name: str, doc: str, returns: str) -> Iterator[str]:
        yield (
            f"def {name}(\n"
            "    lo: list[int],\n"
            "    hi: list[int],\n"
            "    ev: Mapping[str, Any],\n"
            "    impl: Collection[str],\n"
            "    maybe: Mapping[str, frozenset[str]],\n"
            "    as_of: datetime.date | None,\n"
            f") -> {returns}:\n"
            f'    """{doc}"""\n'
        )
        yield from self.lines
        for line in self.pending:
            yield line + "\n"

    def table(self) -> object:
        """The nodes as the value of their table: its rows as laid out (`Formatted`), or for
        a table of one row, the row (whose layout then leaves room for `,)`)."""
        if len(self.held) < 2:
            return (self.first,) if self.first is not None else ()
        return Rows(len(self.nodes), lambda: map(Formatted, self.nodes))


def _flags(policy: ir.Policy) -> tuple[bool, bool]:
    """(levels_only, standards_tested): see `python_runtime.Evaluator`. What `_conditions`
    decides (rule conditions and `until` deadlines) must read only levels for the first."""
    definitions = {d.name: d for d in policy.definitions}
    decided = [r.condition for r in policy.rules if r.condition is not None] + [
        o.deadline.expr
        for r in policy.rules
        for o in (*r.obligations, *r.fallbacks)
        if isinstance(o.deadline, ir.Until)
    ] + [w.condition for w in policy.waivers if w.condition is not None]
    efficacy = [s.efficacy for s in policy.safeguards if s.efficacy is not None]
    in_conditions = [n for e in decided for n in ir.walk(e, definitions)]
    everywhere = in_conditions + [n for e in efficacy for n in ir.walk(e, definitions)]
    levels_only = all(not isinstance(n, ir.Compare | ir.Fact | ir.Implemented | ir.MemberTest)
                      for n in in_conditions)  # fmt: skip
    standards_tested = any(
        isinstance(n, ir.Implemented) and n.kind == "standard" for n in everywhere
    )
    return levels_only, standards_tested


def _bounded(e: ir.Compare) -> bool:
    """Whether a comparison reads `max` or `min` of a measurement family."""
    return isinstance(e.left, ir.MemberBound) or isinstance(e.right, ir.MemberBound)


_WIDTH = 100


def _reflow(line: str) -> str:
    """Fit one generated line in the line length. Comments wrap as comments; an assignment
    or return gets its right-hand side in parentheses, broken between words. (Conditions hold
    no string with a space: names are identifiers and constants are numbers and dates.)"""
    if len(line) <= _WIDTH:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    body = line.strip()
    if body.startswith("#"):
        text = body[2:]
        room = _WIDTH - len(indent) - 2
        return "\n".join(indent + "# " + text[i : i + room] for i in range(0, len(text), room))
    if body.startswith("return ("):
        head, rhs = "return (", body[len("return (") : -1]
    else:
        target, rhs = body.split(" = ", 1)
        head = target + " = ("
    inner = indent + "    "
    rows: list[str] = []
    current = inner
    for word in rhs.split(" "):
        if current.strip() and len(current) + 1 + len(word) > _WIDTH:
            rows.append(current.rstrip())
            current = inner
        current += ("" if not current.strip() else " ") + word
    rows.append(current.rstrip())
    return f"{indent}{head}\n" + "\n".join(rows) + f"\n{indent})"


def _where(origin: ir.Origin) -> str:
    return f"{origin.file}:{origin.line}"


# ---------------------------------------------------------------------------- the module


def _source(module: str) -> str:
    """The text of a copied file, read each time it is copied: holding the three (160 KB) for
    the life of the process would outweigh what a small policy's build holds."""
    return resources.files("rspl").joinpath(module).read_text("utf-8")


_COPIED = ("semantics.py", "backends/python_runtime.py", "whynot.py")


def semantics_source() -> str:
    """The text of `rspl/semantics.py`, whose body every generated module copies."""
    return _source(_COPIED[0])


def runtime_source() -> str:
    """The text of the hand-written runtime, whose body every generated module copies."""
    return _source(_COPIED[1])


def whynot_source() -> str:
    """The text of `rspl/whynot.py`, the why-not search every generated module copies."""
    return _source(_COPIED[2])


@functools.cache
def _copied_heads() -> tuple[tuple[list[ast.Import | ast.ImportFrom], int], ...]:
    """The imports of `semantics.py`, the runtime and the why-not search, and the line each
    one's copied body starts after, found once."""
    return tuple(_head(_source(name)) for name in _COPIED)


def split_imports(text: str) -> tuple[list[ast.Import | ast.ImportFrom], str]:
    """A module's leading imports (after its docstring) and the text after them: the part
    of `semantics.py` and of the runtime that is copied verbatim."""
    imports, end = _head(text)
    return imports, _body(text, end)


def _head(text: str) -> tuple[list[ast.Import | ast.ImportFrom], int]:
    """A module's leading imports and the number of the line they end on. Only the text
    before the first statement after them is parsed: the syntax tree of a whole copied file
    is forty times its text."""
    lines = text.split("\n")
    starts = (
        k for k, line in enumerate(lines)
        if line[:1].isalpha() and not line.startswith(("import ", "from "))
    )  # fmt: skip
    tree = None
    for k in starts:  # a line at the margin that, unless in a string, begins a statement
        try:
            tree = ast.parse("\n".join(lines[:k]))
        except SyntaxError:  # inside the docstring
            continue
        break
    imports: list[ast.Import | ast.ImportFrom] = []
    end = 0
    for stmt in (tree or ast.parse(text)).body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            imports.append(stmt)
            end = stmt.end_lineno or stmt.lineno
        elif imports or not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            break
    return imports, end


def _body(text: str, end: int) -> str:
    """The text after line `end`, without the blank lines around it."""
    return "\n".join(text.split("\n")[end:]).strip("\n")


def _import_block(imports: Iterable[ast.Import | ast.ImportFrom]) -> list[str]:
    """The imports of the copied parts, merged and sorted as isort would; imports of `rspl`
    itself are dropped (what they import is copied in)."""
    plain: set[str] = set()
    names: dict[str, set[str]] = {}
    for stmt in imports:
        if isinstance(stmt, ast.Import):
            plain.update(alias.name for alias in stmt.names)
        elif stmt.module is not None and stmt.module.split(".")[0] != "rspl":
            names.setdefault(stmt.module, set()).update(alias.name for alias in stmt.names)
    future = names.pop("__future__", set())
    out = [f"from __future__ import {', '.join(sorted(future))}", ""] if future else []
    out += [f"import {name}" for name in sorted(plain)]
    for module in sorted(names):
        listed = sorted(names[module], key=lambda x: (not x.isupper(), x.lower()))
        out.append(f"from {module} import {', '.join(listed)}")
    return out


def generate(policy: ir.Policy) -> str:
    """The evaluator module for `policy`, as Python source. Deterministic."""
    return "".join(generate_pieces(policy))


def generate_pieces(policy: ir.Policy) -> Iterator[str]:
    """`generate`'s text in pieces, as they are made (`rspl build` writes them as they
    come): the copied files one at a time, each table a row at a time (`quote_pieces`, its
    rows made then too) and the functions a line at a time. What is held is the compiled
    conditions (their lines and nodes), not the module's text."""
    provenance = {
        "id": policy.id,
        "version": policy.version,
        "source_hash": policy.source_hash,
        "compiler": f"rspl {__version__}",
    }
    names = _Names.of(policy)
    conditions = _Compiler(policy, "_NODES", names)
    conditions_code, rule_slots, until = conditions.conditions(policy)
    efficacy = _Compiler(policy, "_EFFICACY_NODES", names)
    efficacy_code, efficacy_slots = efficacy.efficacy(policy)
    carry = _Compiler(policy, "_CARRY_NODES", names)
    carry_code, carry_table = carry.carry(policy)
    tables: dict[str, Any] = {
        "_PROVENANCE": provenance,
        "_DOMAINS": Rows(len(policy.domains), lambda: map(_domain_row, policy.domains)),
        "_EVIDENCE": Rows(len(policy.evidence), lambda: map(_evidence_row, policy.evidence),
                          keyed=True),
        "_SAFEGUARDS": efficacy_slots,
        # each standard as (family, parent, own safeguards, hole): the runtime expands the
        # ancestors and safeguards when the module loads, so the table is linear in a chain
        "_STANDARDS": Rows(len(policy.standards), lambda: map(_standard_row, policy.standards),
                           keyed=True),
        "_CONTEXTS": tuple(c.name for c in policy.contexts),
        "_RULES": Rows(len(policy.rules), lambda: map(_rule, policy.rules, rule_slots,
                                                      repeat(until))),
        "_NODES": conditions.table(),
        "_EFFICACY_NODES": efficacy.table(),
        "_CRITERIA": tuple(efficacy.criteria),
        "_CARRY": carry_table,
        "_CARRY_NODES": carry.table(),
        "_PERIOD": (policy.effective, policy.superseded),
    }
    # levels per setting and after mitigation: only in the policies that have them
    assessed = {
        d.name: (tuple(x.name for x in d.settings), d.residual, d.order)
        for d in policy.domains
        if d.settings or d.residual
    }
    extra = ""
    if assessed:
        tables["_SLOTS"] = ir.level_slots(policy)
        tables["_ASSESSED"] = assessed
        extra += "    slots=_SLOTS,\n    assessed=_ASSESSED,\n"
    if policy.waivers:
        tables["_WAIVERS"] = tuple(
            {
                "name": w.name, "title": w.title, "kind": w.kind, "target": w.target,
                "rule": w.rule, "contexts": w.contexts, "approved_by": w.approved_by,
                "condition": conditions.waiver_slots.get(w.name),
            }
            for w in policy.waivers
        )  # fmt: skip
        extra += "    waivers=_WAIVERS,\n"
    if any(conditions.instances):
        tables["_INSTANCES"] = tuple(conditions.instances)
        extra += "    instances=_INSTANCES,\n"
    yield (
        "# Generated by rspl " + __version__ + " from the policy below. Do not edit: change\n"
        "# the .rspl source and run `rspl build --target python` again.\n"
    )
    yield comment(f"policy {policy.id} version {policy.version}") + "\n"
    for name in policy.files:
        yield _reflow(comment(f"source file: {name}")) + "\n"
    yield comment(f"source sha256: {policy.source_hash}") + "\n\n"
    heads = _copied_heads()
    yield "\n".join(_import_block(i for imports, _ in heads for i in imports)) + "\n\n"
    for file, (_, end) in zip(_COPIED, heads, strict=True):
        shown = "rspl/" + file
        yield "# " + "-" * 40 + f" {shown} (copied verbatim)\n\n"
        yield _body(_source(file), end)
        yield "\n\n\n"
    yield "# " + "-" * 60 + " policy tables (generated)\n\n"
    yield f"POLICY_ID: str = {quote(policy.id)}\n"
    yield f"POLICY_VERSION: str | None = {quote(policy.version)}\n"
    yield f"SOURCE_HASH: str = {quote(policy.source_hash)}\n"
    yield "CONTEXTS: tuple[str, ...] = "
    yield from quote_pieces(tables["_CONTEXTS"], lead=28)
    yield "\n\n"
    # the why-not table last, made once the others are written
    tables["_WHY_NOT"] = None
    for name, value in tables.items():
        lead = f"{name}: Any = "
        yield lead
        yield from quote_pieces(value if value is not None else whynot_table(policy), len(lead))
        yield "\n\n"
    yield "\n"
    for code in (conditions_code, efficacy_code, carry_code):
        yield from code
        yield "\n\n"
    levels_only, standards_tested = _flags(policy)
    yield (
        "_EVALUATOR = Evaluator(\n"
        "    provenance=_PROVENANCE,\n"
        "    combine=" + quote(policy.combine) + ",\n"
        "    domains=_DOMAINS,\n"
        "    evidence=_EVIDENCE,\n"
        "    safeguards=_SAFEGUARDS,\n"
        "    standards=_STANDARDS,\n"
        "    contexts=_CONTEXTS,\n"
        "    rules=_RULES,\n"
        "    nodes=_NODES,\n"
        "    conditions=_conditions,\n"
        "    efficacy_nodes=_EFFICACY_NODES,\n"
        "    efficacy=_efficacy,\n"
        "    criteria=_CRITERIA,\n"
        f"    levels_only={levels_only},\n"
        f"    standards_tested={standards_tested},\n"
        "    period=_PERIOD,\n"
        "    carry=_CARRY,\n"
        "    carry_nodes=_CARRY_NODES,\n"
        "    carry_values=_carry_values,\n"
        f"{extra})\n"
        "\n"
        "# evaluate(assessment, *, explain=False) -> Decision; raises AssessmentError.\n"
        "evaluate = _EVALUATOR.fast\n"
        "\n"
        "\n"
        "def why_not(\n"
        "    assessment: Mapping[str, Any], context: str, *, max_size: int = 8,\n"
        "    max_evaluations: int = 2000,\n"
        ") -> dict[str, Any]:\n"
        '    """Opt-in: the minimal sets of changes that would permit `context`, each confirmed\n'
        "    by `evaluate` (the same answer as `rspl eval --why-not`). Raises AssessmentError\n"
        '    as `evaluate` does."""\n'
        "    return why_not_search(\n"
        "        lambda a: evaluate(a).to_dict(), _WHY_NOT, assessment, context,\n"
        "        max_size=max_size, max_evaluations=max_evaluations,\n"
        "    )\n"
        "\n"
        "\n"
        "__all__ = [\n"
        '    "CONTEXTS", "POLICY_ID", "AssessmentError", "Decision", "Verdict", "evaluate",\n'
        '    "why_not",\n'
        "]\n"
    )


def render_pieces(policy: ir.Policy) -> dict[str, Iterator[str]]:
    """File name -> its text in pieces, made as they are read (`generate_pieces`)."""
    return {module_name(policy) + ".py": generate_pieces(policy)}


def render(policy: ir.Policy) -> dict[str, str]:
    """File name -> contents: the policy's evaluator module."""
    return {module_name(policy) + ".py": generate(policy)}
