"""`rspl assess`: Inspect evaluation logs -> an assessment, with the provenance of every figure.

For each binding (`rspl.bindings`), the logs of its task for the model under assessment are
read with inspect_ai's own log API (`list_eval_logs`, `read_eval_log`); the latest successful
one gives the figure: the binding's metric, or for a sample filter the mean of the filtered
samples' scores, in the binding's unit, converted to the evidence's base unit (a yes-or-no
evidence is its `true_when` comparison). Fail-closed: when there is no successful log, when the
latest successful one is older than `max_age_days`, lacks the scorer or metric, gives a value
outside its unit's range, or when any task of an aggregate fails so, the evidence is left out
(unknown), and its `provenance` record says why. Nothing is ever filled in with a default,
and no determination is ever written: the roles' judgements may only be merged in, unchanged,
from a file they wrote (`--determinations`).

inspect_ai is imported only here, and only when logs are read: it is the `[inspect]` extra.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from rspl import ir
from rspl.bindings import FACTORS, Bindings, Measure, in_unit_range
from rspl.semantics import ASSESSMENT_KEYS, compare

INSTALL_HINT = "pip install 'rspl[inspect]'"


class AssessError(Exception):
    """`rspl assess` cannot run: inspect_ai missing, a log path that does not exist, a
    determinations file that clashes with the bindings. The message says what to do."""


def load_inspect() -> Any:
    """The `inspect_ai.log` module, or AssessError naming the extra to install."""
    try:
        import inspect_ai.log as log_api
    except ImportError as exc:
        raise AssessError(
            f"rspl assess reads Inspect logs with inspect_ai, which is not installed "
            f"({exc}); install it with: {INSTALL_HINT}"
        ) from None
    return log_api


@attrs.frozen
class Log:
    """One log file's header, as read: what selection and provenance need."""

    path: str  # as the user would name it
    sha256: str
    status: str
    task: str
    task_version: str | int | None
    model: str
    eval_id: str
    created: datetime.datetime | None
    created_text: str
    invalidated: bool
    header: Any  # the EvalLog read with header_only=True


@attrs.frozen
class Figure:
    """What one measure gave: a value (None: unknown), why not, and the runs consulted."""

    value: Any
    reason: str | None
    runs: tuple[dict[str, Any], ...]
    note: str  # one line for stderr


# ---------------------------------------------------------------------------- logs


def log_files(paths: Sequence[str], log_api: Any) -> list[str]:
    """The log files named: a folder stands for the Inspect logs under it
    (`list_eval_logs`, recursive), named by the folder as given."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            base = os.path.abspath(path)
            found = []
            for info in log_api.list_eval_logs(path, recursive=True):
                name = str(info.name)
                local = name[len("file://"):] if name.startswith("file://") else name
                found.append(os.path.join(path, os.path.relpath(local, base)))
            out += sorted(found)
        elif os.path.isfile(path):
            out.append(path)
        else:
            raise AssessError(f"{path}: no such log file or folder")
    return list(dict.fromkeys(out))


def _created(text: str) -> datetime.datetime | None:
    try:
        when = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def read_logs(paths: Sequence[str], log_api: Any) -> tuple[list[Log], list[str]]:
    """Every readable log's header, and a note for each file that could not be read."""
    logs: list[Log] = []
    notes: list[str] = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            header = log_api.read_eval_log(path, header_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable log is skipped, and said
            notes.append(f"{path}: not read as an Inspect log ({type(exc).__name__})")
            continue
        spec = header.eval
        logs.append(Log(
            path, digest, str(header.status), str(spec.task), spec.task_version,
            str(spec.model), str(spec.eval_id), _created(str(spec.created)), str(spec.created),
            bool(getattr(header, "invalidated", False)), header,
        ))  # fmt: skip
    return logs, notes


def run_record(log: Log, scorer: str, metric: str) -> dict[str, Any]:
    """A provenance run (`rspl.semantics.RUN_KEYS`)."""
    return {
        "log": log.path, "sha256": log.sha256, "eval_id": log.eval_id, "task": log.task,
        "task_version": log.task_version, "model": log.model, "scorer": scorer,
        "metric": metric, "created": log.created_text,
    }  # fmt: skip


def _incomplete(log: Log) -> str | None:
    """Why a log that says `success` still cannot be used, or None."""
    if log.invalidated:
        return "it has been invalidated"
    results = log.header.results
    if results is None:
        return "it has no results"
    if results.completed_samples < results.total_samples:
        return f"only {results.completed_samples} of {results.total_samples} samples completed"
    return None


def select(logs: Sequence[Log], task: str, m: Measure, model: str) -> tuple[Log | None, str]:
    """The latest successful, complete log of `task` (of the binding's version, if it names
    one) for `model`, or None and why there is none."""
    mine = [
        x for x in logs
        if x.task == task and x.model == model
        and (m.task_version is None or str(x.task_version) == str(m.task_version))
    ]  # fmt: skip
    version = f" version {m.task_version}" if m.task_version is not None else ""
    if not mine:
        others = sorted({x.model for x in logs if x.task == task})
        seen = f" (logs found for {', '.join(others)})" if others else ""
        return None, f"no log of task {task}{version} for {model}{seen}"
    earliest = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    mine.sort(key=lambda x: (x.created or earliest, x.path), reverse=True)
    refused: list[str] = []
    for x in mine:
        if x.status != "success":
            refused.append(f"{x.path} has status {x.status}")
            continue
        why = _incomplete(x)
        if why is not None:
            refused.append(f"{x.path}: {why}")
            continue
        return x, "; ".join(refused)
    return None, f"no successful log of task {task}{version} for {model}: " + "; ".join(refused)


# ---------------------------------------------------------------------------- values


def _score(log: Log, scorer: str) -> Any:
    results = log.header.results
    for score in results.scores if results is not None else ():
        if score.name == scorer:
            return score
    for score in results.scores if results is not None else ():
        if score.scorer == scorer:
            return score
    return None


def metric_value(log: Log, m: Measure, log_api: Any) -> tuple[float | None, str]:
    """The binding's metric in the log (recomputed over the filtered samples when the binding
    has a filter), or None and why."""
    score = _score(log, m.scorer)
    if score is None:
        return None, f"{log.path} has no scorer {m.scorer}"
    if m.samples is None:
        found = score.metrics.get(m.metric)
        if found is None:
            names = ", ".join(sorted(score.metrics)) or "none"
            return None, f"{log.path} has no metric {m.metric} of scorer {m.scorer} ({names})"
        return float(found.value), ""
    return _filtered_mean(log, m, score.name, log_api)


def _filtered_mean(log: Log, m: Measure, scorer: str, log_api: Any) -> tuple[float | None, str]:
    """The mean score of the samples the filter keeps (each sample's epochs reduced by the
    log's own reductions, or averaged when it has none)."""
    from inspect_ai.scorer import value_to_float

    assert m.samples is not None
    full = log_api.read_eval_log(log.path)
    to_float = value_to_float()
    keep: set[str] = set()
    for sample in full.samples or ():
        meta = sample.metadata or {}
        if m.samples.ids is not None and str(sample.id) not in m.samples.ids:
            continue
        if all(meta.get(k) == v for k, v in m.samples.metadata):
            keep.add(str(sample.id))
    if not keep:
        return None, f"{log.path}: no sample matches the filter of {m.metric}"
    values: dict[str, list[float]] = {}
    reduced = [r for r in full.reductions or () if r.scorer == scorer]
    if reduced:
        for item in reduced[0].samples:
            values.setdefault(str(item.sample_id), []).append(to_float(item.value))
    else:
        for sample in full.samples or ():
            got = (sample.scores or {}).get(scorer)
            if got is not None:
                values.setdefault(str(sample.id), []).append(to_float(got.value))
    per_sample = [sum(v) / len(v) for k, v in values.items() if k in keep and v]
    if len(per_sample) < len(keep):
        return None, f"{log.path}: a sample the filter keeps has no score from {scorer}"
    return sum(per_sample) / len(per_sample), ""


_AGGREGATE: dict[str, Callable[[Sequence[float]], float]] = {
    "mean": lambda xs: sum(xs) / len(xs),
    "max": max,
    "min": min,
}


def measure(
    logs: Sequence[Log], m: Measure, etype: str, bindings: Bindings, as_of: datetime.date,
    log_api: Any,
) -> Figure:
    """The figure a measure gives, fail-closed."""
    runs: list[dict[str, Any]] = []
    raw: list[float] = []
    sources: list[str] = []
    for task in m.tasks:
        log, why = select(logs, task, m, bindings.model)
        if log is None:
            return Figure(None, why, tuple(runs), why)
        runs.append(run_record(log, m.scorer, m.metric))
        sources.append(log.path)
        if bindings.max_age_days is not None:
            if log.created is None:
                why = f"{log.path} has no readable creation time ({log.created_text})"
                return Figure(None, why, tuple(runs), why)
            age = (as_of - log.created.date()).days
            if age > bindings.max_age_days:
                why = (f"{log.path} (created {log.created.date()}) is {age} days old, more "
                       f"than max_age_days {bindings.max_age_days:g}")  # fmt: skip
                return Figure(None, why, tuple(runs), why)
        value, why = metric_value(log, m, log_api)
        if value is None:
            return Figure(None, why, tuple(runs), why)
        if not math.isfinite(value) or not in_unit_range(value, m.unit):
            why = f"{log.path}: {m.metric} is {value:g}, outside the range of a {m.unit} metric"
            return Figure(None, why, tuple(runs), why)
        raw.append(value)
    value = _AGGREGATE[m.aggregate](raw) if m.aggregate is not None else raw[0]
    what = f"the {m.aggregate} of {m.metric} on {', '.join(m.tasks)}" if m.aggregate else m.metric
    where = ", ".join(sources)
    if m.true_when is not None:
        op, bound = m.true_when
        result = compare(op, value, bound)
        note = (f"{'true' if result else 'false'} ({what} {value:g}, true when {op} {bound:g}) "
                f"from {where}")  # fmt: skip
        return Figure(result, None, tuple(runs), note)
    converted = value * FACTORS.get(m.unit, 1.0)
    given = f" {value:g} {m.unit}" if m.unit in FACTORS else ""
    note = f"{converted:g} ({what}{given}) from {where}"
    return Figure(converted, None, tuple(runs), note)


# ---------------------------------------------------------------------------- assessment


def _record(figure: Figure) -> dict[str, Any]:
    status = "unknown" if figure.value is None else "measured"
    return {"status": status, "reason": figure.reason, "runs": list(figure.runs)}


def assess(
    policy: ir.Policy,
    bindings: Bindings,
    paths: Sequence[str],
    *,
    as_of: datetime.date | None = None,
    given: Mapping[str, Any] | None = None,
    log_api: Any = None,
) -> tuple[dict[str, Any], list[str]]:
    """The assessment the logs under `paths` give, and one line per evidence item (and per
    unreadable file) saying what was found. `given` is the roles' part (`--determinations`):
    merged in unchanged; it may not give bound evidence or provenance. `as_of` (else the
    given one's, else today, UTC) is what `max_age_days` counts up to, and is written as the
    assessment's `as_of` when given."""
    log_api = log_api if log_api is not None else load_inspect()
    given = dict(given or {})
    bad = sorted(k for k in given if k not in ASSESSMENT_KEYS or k == "provenance")
    if bad:
        raise AssessError(f"the determinations file has the key {bad[0]!r}: it may give only "
                          + ", ".join(k for k in ASSESSMENT_KEYS if k != "provenance"))
    evidence = dict(given.get("evidence") or {})
    clash = sorted({b.evidence for b in bindings.bindings} & set(evidence))
    if clash:
        raise AssessError(f"the determinations file gives evidence {clash[0]!r}, which the "
                          "bindings measure: an evaluated figure is taken from the logs only")
    if as_of is None and isinstance(given.get("as_of"), str):
        try:
            as_of = datetime.date.fromisoformat(given["as_of"])
        except ValueError:
            as_of = None  # the evaluator reports the malformed date
    elif as_of is not None:
        given["as_of"] = as_of.isoformat()
    today = as_of or datetime.datetime.now(datetime.timezone.utc).date()
    logs, notes = read_logs(log_files(paths, log_api), log_api)
    provenance: dict[str, Any] = {}
    for b in bindings.bindings:
        if b.measure is not None:
            figure = measure(logs, b.measure, b.type, bindings, today, log_api)
            provenance[b.evidence] = _record(figure)
            if figure.value is not None:
                evidence[b.evidence] = figure.value
                notes.append(f"{b.evidence} = {figure.note}")
            else:
                notes.append(f"{b.evidence} unknown: {figure.note}")
            continue
        family: dict[str, Any] = {}
        for member, m in b.members:
            figure = measure(logs, m, b.type, bindings, today, log_api)
            key = f"{b.evidence}.{member}"
            provenance[key] = _record(figure)
            if figure.value is not None:
                family[member] = figure.value
                notes.append(f"{key} = {figure.note}")
            else:
                notes.append(f"{key} unknown: {figure.note}")
        if family:
            evidence[b.evidence] = family
    out: dict[str, Any] = {k: v for k, v in given.items() if k != "evidence"}
    out["evidence"] = dict(sorted(evidence.items()))
    out["provenance"] = dict(sorted(provenance.items()))
    return out, notes
