"""A decision as text for a terminal (`rspl eval`): verdicts first, then why."""

from __future__ import annotations

from typing import Any


def decision_text(d: dict[str, Any], explain: bool = False) -> str:
    """The decision `d` (the evaluator's JSON data) as readable text."""
    out: list[str] = []
    p = d["policy"]
    out.append(f"policy {p['id']} version {p['version']} (as of {d['as_of'] or 'unknown date'})")
    out += _lifecycle(d)
    out.append("")
    out.append("verdicts:")
    for context, v in d["verdicts"].items():
        word = "permitted" if v["permitted"] else "BLOCKED"
        out.append(f"  {context}: {word}")
        for family, names in v["required_standards"].items():
            out.append(f"    requires {', '.join(names)} ({family})")
        for reason in v["reasons"]:
            out.append(f"    - {reason}")
        for rule, status in v.get("context_rules", {}).items():
            if status != "not_triggered":
                out.append(f"    {rule} for {context}: {status}")
    out.append("")
    out.append("rules that apply:" if d["rules"] else "no rule applies")
    for r in d["rules"]:
        title = f" ({r['title']})" if r["title"] else ""
        line = f"  {r['name']}{title}: {r['status']}"
        if r["missing_evidence"]:
            line += ", undecided: " + ", ".join(r["missing_evidence"])
        cites = ", ".join(a["text"] for a in r["anchors"])
        out.append(line + (f" [{cites}]" if cites else ""))
    if d["missing"]:
        out.append("")
        out.append("not in place: " + ", ".join(d["missing"]))
    if explain and d.get("criteria"):
        out.append("")
        out.append("criteria that do not hold:")
        out += ["  " + criterion_text(c) for c in d["criteria"]]
    if d["obligations"]:
        out.append("")
        out.append("obligations:")
        for o in d["obligations"]:
            objects = " " + ", ".join(o["objects"]) if o["objects"] else ""
            objects += _roles(" to", o["to"], False)
            when = f" {o['deadline']}" if o["deadline"] else ""
            when += _roles(" by", o["by"], o["by_any"])
            when += _roles(" approved by", o["approved_by"], o["approved_by_any"])
            due = f" (due {o['due']})" if o["due"] else ""
            tag = " [if unmet]" if o["fallback"] else ""
            blocks = f", blocks {', '.join(o['blocks'])}" if o["blocks"] else ""
            status = o["status"].replace("_", " ")
            if o.get("deadline_kind") == "soft":  # the time word says when, not a date
                when = ""
                if status == "open":
                    status = f"open, no fixed deadline: {o['deadline']}"
            out.append(
                f"  {o['modality']} {o['action']}{objects}{when}{due}: {status}{blocks}"
                f" ({o['rule']}){tag}"
            )
    if d.get("prohibitions"):
        out.append("")
        out.append("prohibited now:")
        for p in d["prohibitions"]:
            objects = " " + ", ".join(p["objects"]) if p["objects"] else ""
            blocks = f", blocks {', '.join(p['blocks'])}" if p["blocks"] else ""
            out.append(f"  {p['modality']} {p['action']}{objects}{blocks} ({p['rule']})")
    if d["alerts"]:
        out.append("")
        out.append("alerts: " + ", ".join(a["warning"] for a in d["alerts"]))
    if d["needed"]:
        out.append("")
        out.append("still to be determined:")
        for n in d["needed"]:
            who = " by " + ", ".join(n["decided_by"]) if n["decided_by"] else ""
            out.append(f"  {n['input']}{who}")
    if explain and "explanation" in d:
        out.append("")
        out.append("explanation (each condition's value, and after <- the inputs it read):")
        for item in d["explanation"]:
            out.append(f"  {item['rule']}: {item['status']}")
            if item["condition"] is not None:
                _tree(item["condition"], 2, out, _marks(d))
            for each in item.get("contexts", ()):  # a rule decided per context
                out.append(f"    for {each['context']}: {each['status']}")
                _tree(each["condition"], 3, out, _marks(d))
    return "\n".join(out) + "\n"


def _roles(word: str, roles: list[str], any_one: bool) -> str:
    """` by ceo or rso` (any one of them), ` by ceo, rso` (all of them), or nothing."""
    return f"{word} " + (" or " if any_one else ", ").join(roles) if roles else ""


def _lifecycle(d: dict[str, Any]) -> list[str]:
    """Whether the policy is in force, and the provisional and carried-forward
    determinations with what was made of them."""
    out: list[str] = []
    in_force = d["in_force"]
    if in_force["value"] is False:
        out.append(f"NOT IN FORCE: {in_force['reason']}; every context is blocked")
    elif in_force["value"] is None:
        out.append(f"in force: unknown ({in_force['reason']})")
    for name, q in d["qualified_determinations"].items():
        if q["provisional"] is not None:
            out.append(f"{name}: provisional until {q['provisional']} (nothing above it ruled out)")
        carried = q["carried_forward"]
        if carried is not None:
            word = "accepted" if carried["accepted"] else "REJECTED, counted as unknown"
            out.append(
                f"{name}: carried forward from {carried['model']} ({carried['date']}), "
                f"{word}: {carried['reason']}"
            )
    return out


def _marks(d: dict[str, Any]) -> dict[str, str]:
    """Inputs the explanation tags: provisional and carried-forward determinations."""
    marks: dict[str, str] = {}
    for name, q in d["qualified_determinations"].items():
        tags = []
        if q["provisional"] is not None:
            tags.append("provisional")
        if q["carried_forward"] is not None:
            tags.append("carried forward, " + (
                "accepted" if q["carried_forward"]["accepted"] else "rejected"))
        marks[name] = f"{name} ({'; '.join(tags)})"
    return marks


def _tree(
    node: dict[str, Any], depth: int, out: list[str], marks: dict[str, str] | None = None
) -> None:
    marks = marks or {}
    shown = [marks.get(name, name) for name in node["inputs"]]
    inputs = f"  <- {', '.join(shown)}" if shown else ""
    out.append("  " * depth + f"{node['value']}: {node['expr']}{inputs}")
    if node.get("measured"):
        out.append("  " * (depth + 1) + "(" + "; ".join(node["measured"]) + ")")
    for child in node["children"]:
        _tree(child, depth + 1, out, marks)


def criterion_text(c: dict[str, Any]) -> str:
    """An entry of `criteria` as a sentence: `classifiers does not count: jailbreak_rate 12%
    is not at most 5% (§4)`; a requirement's entry names its rule."""
    subject = c["target"]
    if c["kind"] == "requirement":
        subject += f", as rule {c['rule']} requires it,"
    verdict = "does not count" if c["holds"] is False else "may not count"
    figures = "; ".join(b["text"] for b in c["because"]) or c["criterion"]
    cites = ", ".join(a["text"] for a in c["anchors"])
    return f"{subject} {verdict}: {figures}" + (f" ({cites})" if cites else "")

