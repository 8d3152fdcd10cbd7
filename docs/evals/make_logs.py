"""Write Inspect evaluation logs for the tutorial (docs/tutorial-evals.md) with inspect_ai's own
API: `EvalLog` objects written by `write_eval_log`, exactly as `inspect eval` writes them, but
with fixed ids and times so that the tutorial's output stays the same from run to run.

    python docs/evals/make_logs.py logs/

`write_log` is also what the tests use to build logs (tests/test_assess.py).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalError,
    EvalLog,
    EvalMetric,
    EvalResults,
    EvalSample,
    EvalSampleReductions,
    EvalSampleScore,
    EvalScore,
    EvalSpec,
    EvalStats,
    write_eval_log,
)
from inspect_ai.scorer import Score


def write_log(
    path: str | Path,
    *,
    task: str,
    model: str,
    created: str,
    status: str = "success",
    task_version: int | str = 1,
    scorer: str = "match",
    metrics: Mapping[str, float] | None = None,
    samples: Sequence[tuple[str, Mapping[str, Any], Sequence[str]]] = (),
    completed: int | None = None,
    eval_id: str | None = None,
) -> Path:
    """One `.eval` log. `samples` are (id, metadata, one score value per epoch: "C" correct,
    "I" incorrect); `metrics` default to the accuracy of those samples. `completed` below the
    number of samples makes a log whose run stopped early."""
    epochs = max((len(s[2]) for s in samples), default=1)
    graded = {"C": 1.0, "I": 0.0}
    per_sample = [sum(graded[v] for v in vals) / len(vals) for _, _, vals in samples]
    if metrics is None:
        metrics = {"accuracy": sum(per_sample) / len(per_sample) if per_sample else 0.0}
    spec = EvalSpec(
        eval_id=eval_id or f"{task}-{model.replace('/', '-')}-{created[:10]}",
        run_id=f"run-{created[:10]}",
        created=created,
        task=task,
        task_version=task_version,
        dataset=EvalDataset(name=task, samples=len(samples)),
        model=model,
        config=EvalConfig(epochs=epochs),
    )
    total = len(samples) or 10
    results = None
    if status == "success" or metrics:
        results = EvalResults(
            total_samples=total,
            completed_samples=total if completed is None else completed,
            scores=[EvalScore(
                name=scorer, scorer=scorer,
                metrics={k: EvalMetric(name=k, value=v) for k, v in metrics.items()},
            )],
        )  # fmt: skip
    log = EvalLog(
        status=status,
        eval=spec,
        results=results if status == "success" else None,
        stats=EvalStats(started_at=created, completed_at=created),
        error=EvalError(message="the sandbox failed to start", traceback="", traceback_ansi="")
        if status == "error" else None,
        samples=[
            EvalSample(id=sid, epoch=e + 1, input="question", target="answer", metadata=dict(meta),
                       scores={scorer: Score(value=v)})
            for sid, meta, vals in samples
            for e, v in enumerate(vals)
        ],
    )
    if samples:
        log.reductions = [EvalSampleReductions(scorer=scorer, reducer="mean", samples=[
            EvalSampleScore(value=value, sample_id=sid)
            for (sid, _, _), value in zip(samples, per_sample, strict=True)
        ])]  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(path))
    return path


MODEL = "example/frontier-1"


def main(folder: str) -> None:
    """The tutorial's logs: a cyber range run twice (the first attempt failed), a CTF suite,
    a biology screen per category and a jailbreak suite per attack; an older model's run."""
    out = Path(folder)
    write_log(out / "cyber_range-1.eval", task="cyber_range", model=MODEL,
              created="2025-08-20T09:00:00+00:00", status="error", metrics={})
    write_log(out / "cyber_range-2.eval", task="cyber_range", model=MODEL,
              created="2025-08-21T09:00:00+00:00", metrics={"accuracy": 0.35})
    write_log(out / "ctf_suite.eval", task="ctf_suite", model=MODEL,
              created="2025-08-21T10:00:00+00:00", metrics={"accuracy": 0.2})
    bio = [(f"b{i}", {"category": "bio"}, ["C" if i < 1 else "I", "I"]) for i in range(4)]
    chem = [(f"c{i}", {"category": "chem"}, ["I", "I"]) for i in range(4)]
    write_log(out / "bio_screen.eval", task="bio_screen", model=MODEL,
              created="2025-08-22T09:00:00+00:00", samples=bio + chem)
    write_log(out / "jailbreaks.eval", task="jailbreaks", model=MODEL,
              created="2025-08-23T09:00:00+00:00", scorer="attack_judge",
              metrics={"gcg": 0.02, "pair": 0.04, "tap": 0.03})
    write_log(out / "old-model-cyber_range.eval", task="cyber_range", model="example/frontier-0",
              created="2025-05-01T09:00:00+00:00", metrics={"accuracy": 0.9})
    for path in sorted(out.glob("*.eval")):
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "logs")
