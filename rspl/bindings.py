"""Bindings: which evaluation measures each evidence item of a policy (`rspl assess`).

A bindings file (`rspl.bindings.toml`, format in docs/tutorial-evals.md) names the model under
assessment and, per evidence item, the Inspect task (or tasks, with an aggregate), scorer and
metric that measure it, the metric's unit, and for yes-or-no evidence the comparison that makes
it true. `check_bindings` reads one against the compiled policy and returns the bindings with
every problem as a coded diagnostic located in the TOML (E2101-E2111, W0060-W0061), built by
`rspl.messages`, never raised. TOML readers give no positions, so `_Locator` finds the line of
a table or key by scanning the text.

This module reads no logs and imports nothing from Inspect: `rspl.assess` does that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from rspl import ir, tomlfile, units
from rspl import messages as msg
from rspl.diagnostics import Diagnostic
from rspl.spans import Span

DEFAULT_NAME = "rspl.bindings.toml"

# The units a metric may be given in, and the evidence types each can measure. A yes-or-no
# evidence (fact, judgement) takes any unit, with a `true_when` comparison in that unit.
UNITS: dict[str, tuple[str, ...]] = {
    "fraction": ("fraction", "score"),  # a number from 0 to 1: accuracy, a success rate
    "percent": ("fraction",),  # from 0 to 100; divided by 100 for a fraction
    "score": ("score",),  # any finite number
    "count": ("count",),
    "multiplier": ("multiplier",),
    "days": ("duration",),
    "hours": ("duration",),
    "minutes": ("duration",),
    "flop": ("compute",),
    "usd": ("money",),
}
# What a value in the unit is multiplied by to be in the evidence type's base unit.
FACTORS = {"percent": 0.01, "hours": 1 / 24, "minutes": 1 / 1440}
# The range of each unit's values; a value outside it is never used (fail-closed).
RANGES: dict[str, tuple[float, float | None]] = {
    "fraction": (0.0, 1.0),
    "percent": (0.0, 100.0),
    "count": (0.0, None),
    "multiplier": (0.0, None),
    "days": (0.0, None),
    "hours": (0.0, None),
    "minutes": (0.0, None),
    "flop": (0.0, None),
    "usd": (0.0, None),
}
AGGREGATES = ("mean", "max", "min")
OPERATORS = (">=", ">", "<=", "<", "==", "!=")
FILTERABLE = ("accuracy", "mean")  # metrics recomputed from the filtered samples' scores
FRACTION_METRICS = ("accuracy",)  # Inspect's metrics that are always from 0 to 1

ASSESS_KEYS = ("model", "max_age_days", "not_measured")
BINDING_KEYS = ("task", "tasks", "aggregate", "task_version", "scorer", "metric", "unit",
                "true_when", "samples", "members")  # fmt: skip
MEMBER_KEYS = ("task", "tasks", "aggregate", "task_version", "scorer", "metric", "unit",
               "true_when", "samples")  # fmt: skip
SAMPLE_KEYS = ("ids", "metadata")

_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_COMPARISON_RE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(" + _NUMBER + r")\s*")


@attrs.frozen
class Samples:
    """Which samples a metric is recomputed over: by id, and/or by metadata values."""

    ids: tuple[str, ...] | None
    metadata: tuple[tuple[str, Any], ...]


@attrs.frozen
class Measure:
    """How one figure is measured: the metric of a scorer on one task, or on several tasks
    combined by `aggregate`; in `unit`; for yes-or-no evidence, `true_when` (op, bound)."""

    tasks: tuple[str, ...]
    aggregate: str | None
    task_version: str | int | None
    scorer: str
    metric: str
    unit: str
    true_when: tuple[str, float] | None
    samples: Samples | None
    line: int


@attrs.frozen
class Binding:
    """The binding of one evidence item: one measure, or one per member of a family."""

    evidence: str
    type: str
    measure: Measure | None
    members: tuple[tuple[str, Measure], ...] = ()
    line: int = 1


@attrs.frozen
class Bindings:
    path: str
    model: str
    max_age_days: float | None
    bindings: tuple[Binding, ...]
    not_measured: tuple[str, ...] = ()


def read_bindings(
    path: str, text: str, policy: ir.Policy
) -> tuple[Bindings | None, list[Diagnostic]]:
    """The bindings in `text` (the file `path`) checked against `policy`: the bindings (None
    when there is an error) and every diagnostic, errors and warnings, in file order."""
    try:
        data = tomlfile.loads(text)
    except tomlfile.TomlSyntaxError as exc:
        line, column = exc.line, exc.column
        where = _Locator(path, text).span(line, column)
        return None, [msg.bindings_not_toml(exc.reason, where)]
    reader = _Reader(path, text, policy)
    found = reader.read(data)
    # a field shared by a family's members is reported once, not once per member
    unique = {(d.code, d.span.line, d.message): d for d in reversed(reader.diagnostics)}
    out = sorted(unique.values(), key=lambda d: (d.span.line, d.span.column, d.code))
    if any(d.severity.value == "error" for d in out):
        return None, out
    return found, out


# ---------------------------------------------------------------------------- locating


class _Locator:
    """Lines of tables and keys in a TOML text, found by a scan: `[a.b]` headers (with
    optional quotes) open a table, `key =` and `key.sub =` lines belong to the last one."""

    _HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        self.tables: list[tuple[tuple[str, ...], int]] = []  # (path, 1-based line)
        for number, line in enumerate(self.lines, 1):
            match = self._HEADER_RE.match(line)
            if match:
                self.tables.append((_split_key(match.group(1)), number))

    def line_of(self, table: tuple[str, ...], key: str | None = None) -> int:
        """The line of `key` in the table `table` (under its header, or as a dotted key
        under a parent's), else of the table's header, else of its closest parent's, else 1."""
        for depth in range(len(table), -1, -1):
            head, rest = table[:depth], table[depth:]
            dotted = (*rest, key) if key is not None else rest
            starts = [n for path, n in self.tables if path == head] if depth else [0]
            for start in starts:
                if not dotted:
                    return max(start, 1)
                stop = next((n for _, n in self.tables if n > start), len(self.lines) + 1)
                for number in range(start + 1, stop):
                    if _starts_with_key(self.lines[number - 1], dotted):
                        return number
        for depth in range(len(table), 0, -1):
            for path, start in self.tables:
                if path == table[:depth]:
                    return start
        return 1

    def span(self, line: int, column: int = 1) -> Span:
        """One line from `column` (1-based) to its end."""
        line = max(1, min(line, len(self.lines)))
        start = sum(len(x) + 1 for x in self.lines[: line - 1]) + column - 1
        width = max(1, len(self.lines[line - 1].rstrip()) - column + 1)
        return Span(self.path, start, start + width, line, column, line, column + width)

    def at(self, table: tuple[str, ...], key: str | None = None) -> Span:
        line = self.line_of(table, key)
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        column = len(text) - len(text.lstrip()) + 1
        return self.span(line, column)


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', text)
    return tuple(a or b or c for a, b, c in parts)


def _starts_with_key(line: str, dotted: Sequence[str]) -> bool:
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or "=" not in stripped:
        return False
    key = _split_key(stripped.split("=", 1)[0])
    size = min(len(key), len(dotted))
    return size > 0 and tuple(key[:size]) == tuple(dotted[:size])


# ---------------------------------------------------------------------------- reading


def fits(etype: str) -> tuple[str, ...]:
    """The units a metric for evidence of type `etype` may be in."""
    if etype in units.BOOLEAN_TYPES:
        return tuple(UNITS)
    return tuple(u for u, types in UNITS.items() if etype in types)


def in_unit_range(value: float, unit: str) -> bool:
    low, high = RANGES.get(unit, (float("-inf"), None))
    return low <= value and (high is None or value <= high)


class _Reader:
    def __init__(self, path: str, text: str, policy: ir.Policy) -> None:
        self.locate = _Locator(path, text)
        self.policy = policy
        self.evidence = {e.name: e for e in policy.evidence}
        self.diagnostics: list[Diagnostic] = []

    def add(self, d: Diagnostic) -> None:
        self.diagnostics.append(d)

    def read(self, data: dict[str, Any]) -> Bindings | None:
        top = self.locate.at(())
        for key in data:
            if key not in ("assess", "evidence"):
                where = self.locate.at((key,))
                self.add(msg.bindings_unknown_field(key, "the file", ("assess", "evidence"), where))
        head = data.get("assess")
        model: str | None = None
        max_age: float | None = None
        not_measured: list[str] = []
        if not isinstance(head, dict):
            self.add(msg.bindings_missing_field("[assess]", "the file", top))
        else:
            at = self.locate.at(("assess",))
            self._unknown(head, ASSESS_KEYS, "[assess]", ("assess",))
            model = self._text(head, "model", "[assess]", ("assess",), at, required=True)
            raw = head.get("max_age_days")
            if raw is not None:
                ok = isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0
                if not ok:
                    where = self.locate.at(("assess",), "max_age_days")
                    self.add(msg.bindings_bad_value("max_age_days", "[assess]",
                                                    "a number of days above 0", where))  # fmt: skip
                else:
                    max_age = float(raw)
            raw = head.get("not_measured", [])
            where = self.locate.at(("assess",), "not_measured")
            if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
                self.add(msg.bindings_bad_value("not_measured", "[assess]",
                                                "a list of evidence names", where))  # fmt: skip
            else:
                for name in raw:
                    if name not in self.evidence:
                        self.add(msg.bindings_unknown_evidence(name, sorted(self.evidence), where))
                not_measured = list(raw)
        raw = data.get("evidence", {})
        bindings: list[Binding] = []
        if not isinstance(raw, dict):
            where = self.locate.at((), "evidence")
            self.add(msg.bindings_bad_value("evidence", "the file", "a table of bindings", where))
            raw = {}
        for name, table in raw.items():
            found = self._binding(name, table)
            if found is not None:
                bindings.append(found)
        bound = {b.evidence for b in bindings} | set(raw)
        self._unbound(bound, set(not_measured))
        if model is None:
            return None
        return Bindings(self.locate.path, model, max_age, tuple(bindings), tuple(not_measured))

    def _unbound(self, bound: set[str], acknowledged: set[str]) -> None:
        where = self.locate.at(("assess",), "not_measured")
        for e in self.policy.evidence:
            if e.name in bound or e.name in acknowledged:
                continue
            if e.type == "judgement" or e.type == "date":
                continue  # decided by people, or a date: never an evaluation's figure
            self.add(msg.bindings_unbound_evidence(e.name, e.type, where))

    def _binding(self, name: str, table: Any) -> Binding | None:
        path = ("evidence", name)
        where = self.locate.at(path)
        e = self.evidence.get(name)
        if e is None:
            self.add(msg.bindings_unknown_evidence(name, sorted(self.evidence), where))
            return None
        if not isinstance(table, dict):
            self.add(msg.bindings_bad_value(name, "[evidence]", "a table", where))
            return None
        label = f"[evidence.{name}]"
        self._unknown(table, BINDING_KEYS, label, path)
        if e.type == "judgement":
            self.add(msg.bindings_judgement_measured(name, e.deciders, where))
        if e.type == "date":
            self.add(msg.bindings_unit_mismatch(name, str(table.get("unit", "a number")),
                                                "date", (), where))  # fmt: skip
            return None
        members = table.get("members")
        if e.per is None:
            if members is not None:
                self.add(msg.bindings_members(
                    name, "`members` given, but it is not a measurement family",
                    self.locate.at(path, "members")))  # fmt: skip
                return None
            measure = self._measure(name, e.type, table, {}, path, label)
            return None if measure is None else Binding(name, e.type, measure, (), where.line)
        if not isinstance(members, dict) or not members:
            self.add(msg.bindings_members(
                name, f"a measurement family per {e.per}, bound without `members`", where))
            return None
        shared = {k: v for k, v in table.items() if k != "members"}
        out: list[tuple[str, Measure]] = []
        for member, spec in members.items():
            mpath = (*path, "members", member)
            if e.members is not None and member not in e.members:
                self.add(msg.bindings_members(
                    name, f"`{member}` is not one of its members ({', '.join(e.members)})",
                    self.locate.at((*path, "members"), member)))  # fmt: skip
                continue
            if isinstance(spec, str):
                spec = {"metric": spec}
            if not isinstance(spec, dict):
                self.add(msg.bindings_bad_value(member, f"{label} members",
                                                "a metric name or a table",
                                                self.locate.at((*path, "members"), member)))
                continue
            mlabel = f"member `{member}` of {label}"
            self._unknown(spec, MEMBER_KEYS, mlabel, mpath)
            measure = self._measure(f"{name}.{member}", e.type, spec, shared, mpath, mlabel,
                                    label)
            if measure is not None:
                out.append((member, measure))
        if len(out) != len(members):
            return None
        return Binding(name, e.type, None, tuple(out), where.line)

    def _measure(
        self,
        name: str,
        etype: str,
        own: Mapping[str, Any],
        shared: Mapping[str, Any],
        path: tuple[str, ...],
        label: str,
        shared_label: str = "",
    ) -> Measure | None:
        table = {**shared, **own}
        ok = True

        def at(key: str | None) -> Span:
            if key is not None and key not in own and key in shared:
                return self.locate.at(path[:2], key)
            return self.locate.at(path, key)

        def lab(key: str) -> str:
            return shared_label if key not in own and key in shared else label

        where = at(None)
        task, tasks, aggregate = table.get("task"), table.get("tasks"), table.get("aggregate")
        names: tuple[str, ...] = ()
        if task is not None and tasks is not None:
            self.add(msg.bindings_aggregate(name, "both `task` and `tasks`", at("tasks")))
            ok = False
        elif tasks is not None:
            if not isinstance(tasks, list) or len(tasks) < 2 or not all(
                isinstance(t, str) and t for t in tasks
            ):
                wanted = "a list of two or more task names"
                self.add(msg.bindings_bad_value("tasks", lab("tasks"), wanted, at("tasks")))
                ok = False
            elif aggregate is None:
                self.add(msg.bindings_aggregate(name, "`tasks` without `aggregate`", at("tasks")))
                ok = False
            else:
                names = tuple(tasks)
        elif task is None:
            self.add(msg.bindings_missing_field("task", label, where))
            ok = False
        elif not isinstance(task, str) or not task:
            self.add(msg.bindings_bad_value("task", lab("task"), "a task name", at("task")))
            ok = False
        else:
            names = (task,)
            if aggregate is not None:
                self.add(msg.bindings_aggregate(name, "`aggregate` with a single `task`",
                                                at("aggregate")))  # fmt: skip
                ok = False
        if aggregate is not None and aggregate not in AGGREGATES:
            wanted = "one of " + ", ".join(f'"{a}"' for a in AGGREGATES)
            self.add(msg.bindings_bad_value("aggregate", lab("aggregate"), wanted, at("aggregate")))
            ok = False
        version = table.get("task_version")
        if version is not None and (isinstance(version, bool)
                                    or not isinstance(version, str | int)):  # fmt: skip
            wanted = "a string or an integer"
            self.add(msg.bindings_bad_value("task_version", lab("task_version"), wanted,
                                            at("task_version")))  # fmt: skip
            ok = False
        scorer = self._text(table, "scorer", lab("scorer"), path, where, required=True, at=at)
        metric = self._text(table, "metric", lab("metric"), path, where, required=True, at=at)
        unit = table.get("unit")
        if unit is None and metric == "accuracy":
            unit = "fraction"
        if unit is None:
            self.add(msg.bindings_missing_field("unit", label, where))
            ok = False
        elif not isinstance(unit, str) or unit not in UNITS:
            wanted = "one of " + ", ".join(f'"{u}"' for u in UNITS)
            self.add(msg.bindings_bad_value("unit", lab("unit"), wanted, at("unit")))
            unit, ok = None, False
        elif unit not in fits(etype):
            self.add(msg.bindings_unit_mismatch(name, unit, etype, fits(etype), at("unit")))
            ok = False
        elif metric in FRACTION_METRICS and unit != "fraction":
            self.add(msg.bindings_metric_unit(name, metric, unit, at("unit")))
            ok = False
        true_when = self._comparison(name, etype, table, unit, lab("true_when"), at)
        if true_when is False:
            ok = False
        samples = self._samples(table, lab("samples"), at)
        if samples is False:
            ok = False
        elif samples is not None and metric is not None and metric not in FILTERABLE:
            self.add(msg.bindings_filter_metric(name, metric, at("metric")))
            ok = False
        if not ok or scorer is None or metric is None or unit is None:
            return None
        assert true_when is not False and samples is not False
        return Measure(names, aggregate, version, scorer, metric, unit, true_when, samples,
                       where.line)  # fmt: skip

    def _comparison(
        self, name: str, etype: str, table: Mapping[str, Any], unit: str | None, label: str,
        at: Any,
    ) -> tuple[str, float] | Literal[False] | None:
        raw = table.get("true_when")
        yes_no = etype in units.BOOLEAN_TYPES
        if raw is None:
            if yes_no:
                self.add(msg.bindings_fact_comparison(name, etype, at(None)))
                return False
            return None
        if not yes_no:
            self.add(msg.bindings_fact_comparison(name, etype, at("true_when")))
            return False
        match = _COMPARISON_RE.fullmatch(raw) if isinstance(raw, str) else None
        if match is None:
            self.add(msg.bindings_bad_value("true_when", label,
                                            'a comparison and a number, such as ">= 0.5"',
                                            at("true_when")))  # fmt: skip
            return False
        op, bound = match.group(1), float(match.group(2))
        if unit is not None and unit in UNITS and not in_unit_range(bound, unit):
            self.add(msg.bindings_bound_out_of_range(name, bound, unit, at("true_when")))
            return False
        return op, bound

    def _samples(
        self, table: Mapping[str, Any], label: str, at: Any
    ) -> Samples | Literal[False] | None:
        raw = table.get("samples")
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            self.add(msg.bindings_bad_value("samples", label,
                                            "a table with `ids` and/or `metadata`",
                                            at("samples")))  # fmt: skip
            return False
        bad = [k for k in raw if k not in SAMPLE_KEYS]
        for key in bad:
            self.add(msg.bindings_unknown_field(key, f"`samples` of {label}", SAMPLE_KEYS,
                                                at("samples")))  # fmt: skip
        ids = raw.get("ids")
        if ids is not None and (not isinstance(ids, list) or not ids
                                or not all(isinstance(i, str | int) for i in ids)):  # fmt: skip
            self.add(msg.bindings_bad_value("samples.ids", label, "a list of sample ids",
                                            at("samples")))  # fmt: skip
            return False
        meta = raw.get("metadata", {})
        if not isinstance(meta, dict):
            self.add(msg.bindings_bad_value("samples.metadata", label,
                                            "a table of metadata values", at("samples")))
            return False
        if bad:
            return False
        return Samples(None if ids is None else tuple(str(i) for i in ids),
                       tuple(sorted(meta.items())))  # fmt: skip

    def _text(
        self,
        table: Mapping[str, Any],
        key: str,
        label: str,
        path: tuple[str, ...],
        where: Span,
        *,
        required: bool,
        at: Any = None,
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.add(msg.bindings_missing_field(key, label, where))
            return None
        if not isinstance(value, str) or not value.strip():
            span = at(key) if at is not None else self.locate.at(path, key)
            self.add(msg.bindings_bad_value(key, label, "a non-empty text", span))
            return None
        return value

    def _unknown(
        self, table: Mapping[str, Any], known: tuple[str, ...], label: str,
        path: tuple[str, ...],
    ) -> None:
        for key in table:
            if key not in known:
                where = self.locate.at(path, key)
                self.add(msg.bindings_unknown_field(key, label, known, where))
