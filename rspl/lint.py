"""`rspl lint`: the completeness of a policy against a profile (`rspl.profile`).

Each check of the vocabulary looks for something in the IR and returns what it found, in
words, as `Match`es: `must publish `rsp_document``, `keyword "incident" in artifact
`incident_procedures``. A match is binding when it comes from a `must` (or from a
declaration, which binds by existing; a declaration imported from a library, such as the
stdlib's catalogue of security controls, counts only when the policy uses it); a `should`,
`may` or `recommend` duty matches without binding, and an `illustrative` one does not match
at all.

An element is present when its checks match bindingly (any one of them, or all of them when
the element says `require = "all"`); not binding when they match only through non-binding
duties (W0051); missing otherwise (W0050). Both diagnostics point at the policy header and
carry the element's citation and what would satisfy it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import attrs

from rspl import ir
from rspl import messages as msg
from rspl.diagnostics import Diagnostic
from rspl.profile import Check, Element, Profile
from rspl.spans import Span

SHOWN = 3  # matches shown per check; the rest are counted


@attrs.frozen
class Match:
    text: str
    binding: bool


@attrs.frozen
class Outcome:
    """An element's result: `status` present, not_binding or missing; `matches` in words."""

    element: Element
    status: str
    matches: tuple[Match, ...]


def lint(
    policy: ir.Policy, profile: Profile, header: Span
) -> tuple[list[Outcome], list[Diagnostic]]:
    """Every element's outcome, and a diagnostic for each one not present."""
    outcomes: list[Outcome] = []
    diagnostics: list[Diagnostic] = []
    for element in profile.elements:
        per_check = [list(run_check(policy, c)) for c in element.checks]
        found = [m for ms in per_check for m in ms]
        if element.require == "all":
            matched = all(per_check)
            binding = all(any(m.binding for m in ms) for ms in per_check)
        else:
            matched = any(per_check)
            binding = any(m.binding for m in found)
        wanted = describe_element(element)
        if matched and binding:
            status = "present"
        elif matched:
            status = "not_binding"
            shown = "; ".join(m.text for m in found[:SHOWN])
            diagnostics.append(
                msg.profile_element_not_binding(
                    profile.id, element.id, element.title, element.citation, shown, wanted,
                    header,
                )
            )  # fmt: skip
        else:
            status = "missing"
            diagnostics.append(
                msg.profile_element_missing(
                    profile.id, element.id, element.title, element.citation, wanted, header
                )
            )
        kept = [m for m in found if m.binding] if status == "present" else found
        outcomes.append(Outcome(element, status, tuple(kept)))
    return outcomes, diagnostics


# ---------------------------------------------------------------------------- words


def words(name: str, title: str | None = None) -> list[str]:
    """The lower-case words of a name (split at `_` and case changes) and of its title."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    text = f"{spaced} {title or ''}".lower()
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


def keyword_hit(keywords: Sequence[str], name: str, title: str | None) -> str | None:
    """The first keyword that begins a word of `name` or `title` (`incident` matches
    `incidents`), or None."""
    found = words(name, title)
    for keyword in keywords:
        low = keyword.lower()
        if any(w.startswith(low) for w in found):
            return keyword
    return None


def _titles(policy: ir.Policy) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    groups: Iterable[Iterable[object]] = (
        policy.roles, policy.contexts, policy.context_groups, policy.domains, policy.evidence,
        policy.definitions, policy.safeguards, policy.standards, policy.artifacts,
        policy.actions, policy.waivers,
    )  # fmt: skip
    groups = (*groups, policy.rules)
    for group in groups:
        for decl in group:
            table[getattr(decl, "name")] = getattr(decl, "title", None)  # noqa: B009
    return table


# ---------------------------------------------------------------------------- checks


def run_check(policy: ir.Policy, check: Check) -> Iterator[Match]:
    """What `check` finds in `policy`, in policy order."""
    if check.kind == "obligation":
        yield from _obligations(policy, check)
    elif check.kind == "halt":
        yield from _halts(policy, check)
    elif check.kind == "requirement":
        yield from _requirements(policy, check)
    elif check.kind == "domain":
        yield from _domains(policy, check)
    elif check.kind == "safeguard":
        yield from _safeguards(policy, check)
    elif check.kind == "declared":
        yield from _declared(policy, check)
    elif check.kind == "header":
        yield from _header(policy, check)
    elif check.kind == "rule":
        kind = check.options["rule_kind"]
        for rule in policy.rules:
            if rule.kind == kind:
                yield Match(f"{kind} `{rule.name}`", True)


def _duties(policy: ir.Policy) -> Iterator[tuple[ir.Rule, ir.Obligation]]:
    for rule in policy.rules:
        for ob in (*rule.obligations, *rule.fallbacks):
            if ob.modality != "illustrative" and not ob.prohibited:
                yield rule, ob


def _duty_text(ob: ir.Obligation) -> str:
    objects = ", ".join(f"`{r.name}`" for r in ob.objects)
    text = f"{ob.modality} {ob.action}" + (f" {objects}" if objects else "")
    return text + (" to " + ", ".join(f"`{n}`" for n in ob.to) if ob.to else "")


def _obligations(policy: ir.Policy, check: Check) -> Iterator[Match]:
    actions = check.words("actions")
    keywords = check.words("objects")
    deadlines = check.words("deadline")
    kinds = check.words("object_kinds")
    titles = _titles(policy)
    for rule, ob in _duties(policy):
        if actions and ob.action not in actions:
            continue
        # the recipients of `to ROLE, ...` count as role objects
        refs = [*((r.kind, r.name) for r in ob.objects), *(("role", n) for n in ob.to)]
        if kinds and not any(kind in kinds for kind, _ in refs):
            continue
        if deadlines and ir.deadline_kind(ob.deadline) not in deadlines:
            continue
        if check.flag("approved") and not ob.approved_by:
            continue
        why = ""
        if keywords:
            names = [name for kind, name in refs if not kinds or kind in kinds]
            names += [ob.name] if ob.name and not kinds else []
            hits = [(k, n) for n in names if (k := keyword_hit(keywords, n, titles.get(n)))]
            if not hits:
                continue
            keyword, name = hits[0]
            why = f' (keyword "{keyword}" in `{name}`)'
        yield Match(f"{_duty_text(ob)} in rule `{rule.name}`{why}", ob.modality == "must")


def _context_hit(
    keywords: Sequence[str], contexts: Sequence[str], titles: dict[str, str | None]
) -> str | None:
    for name in contexts:
        keyword = keyword_hit(keywords, name, titles.get(name))
        if keyword is not None:
            return f'keyword "{keyword}" in context `{name}`'
    return None


def _halts(policy: ir.Policy, check: Check) -> Iterator[Match]:
    keywords = check.words("contexts")
    titles = _titles(policy)
    for rule, ob in _duties(policy):
        if not ob.blocking or ob.modality != "must":
            continue
        contexts = [r.name for r in ob.objects if r.kind == "context"]
        why = ""
        if keywords:
            if not contexts:
                why = "every context"
            else:
                hit = _context_hit(keywords, contexts, titles)
                if hit is None:
                    continue
                why = hit
        yield Match(
            f"{_duty_text(ob)} in rule `{rule.name}`" + (f" ({why})" if why else ""), True
        )


def _required_safeguards(policy: ir.Policy, req: ir.Requirement) -> tuple[str, ...]:
    if req.kind == "safeguard":
        return (req.target,)
    for standard in policy.standards:
        if standard.name == req.target:
            return standard.safeguards
    return ()


def _requirements(policy: ir.Policy, check: Check) -> Iterator[Match]:
    keywords = check.words("contexts")
    categories = check.words("categories")
    titles = _titles(policy)
    category = {s.name: s.category for s in policy.safeguards}
    for rule in policy.rules:
        if check.flag("conditional") and rule.condition is None:
            continue
        for req in rule.requirements:
            notes: list[str] = []
            if keywords:
                if not req.contexts:
                    notes.append("every context")
                else:
                    hit = _context_hit(keywords, req.contexts, titles)
                    if hit is None:
                        continue
                    notes.append(hit)
            if categories:
                kinds = [
                    (s, category.get(s))
                    for s in _required_safeguards(policy, req)
                    if category.get(s) in categories
                ]
                if not kinds:
                    continue
                notes.append(f"safeguard `{kinds[0][0]}`, category {kinds[0][1]}")
            text = f"{req.modality} require {req.kind} `{req.target}` in rule `{rule.name}`"
            yield Match(text + (f" ({'; '.join(notes)})" if notes else ""), req.modality == "must")


def _domains(policy: ir.Policy, check: Check) -> Iterator[Match]:
    statuses = check.words("status") or ("tracked",)
    least = int(check.options.get("min_levels", 1))
    count = int(check.options.get("min_count", 1))
    found = [d for d in policy.domains if d.status in statuses and len(d.levels) >= least]
    if len(found) >= count:
        for d in found:
            n = len(d.levels)
            yield Match(f"{d.status} domain `{d.name}` with {n} level{'s' * (n != 1)}", True)


def _required_names(policy: ir.Policy) -> set[str]:
    names: set[str] = set()
    for rule in policy.rules:
        for req in rule.requirements:
            if req.modality == "must":
                names.update(_required_safeguards(policy, req))
    return names


def _safeguards(policy: ir.Policy, check: Check) -> Iterator[Match]:
    categories = check.words("categories")
    required = _required_names(policy) if check.flag("required") else None
    unused = set(policy.imported_unused)
    for s in policy.safeguards:
        if s.name in unused:
            continue
        if categories and s.category not in categories:
            continue
        if required is not None and s.name not in required:
            continue
        how = ", required by a rule" if required is not None else ""
        yield Match(f"safeguard `{s.name}` ({s.category or 'no category'}{how})", True)


def _declarations(policy: ir.Policy, kind: str) -> Sequence[object]:
    table: dict[str, Sequence[object]] = {
        "role": policy.roles, "context": policy.contexts, "artifact": policy.artifacts,
        "evidence": policy.evidence, "safeguard": policy.safeguards,
        "standard": policy.standards, "action": policy.actions,
        "definition": policy.definitions, "domain": policy.domains, "waiver": policy.waivers,
        "rule": policy.rules,
    }  # fmt: skip
    return table[kind]


def _declared(policy: ir.Policy, check: Check) -> Iterator[Match]:
    keywords = check.words("keywords")
    unused = set(policy.imported_unused)
    for kind in check.words("kinds"):
        for decl in _declarations(policy, kind):
            name = str(getattr(decl, "name"))  # noqa: B009
            if name in unused:  # an imported catalogue entry the policy never uses
                continue
            keyword = keyword_hit(keywords, name, getattr(decl, "title", None))
            if keyword is not None:
                yield Match(f'{kind} `{name}` (keyword "{keyword}")', True)


def _header(policy: ir.Policy, check: Check) -> Iterator[Match]:
    fields = check.words("fields")
    values = {f: getattr(policy, f) for f in fields}
    if all(v not in (None, ()) for v in values.values()):
        shown = ", ".join(
            f"{f} {len(v)} entries" if f == "changes" else f"{f} {v}" for f, v in values.items()
        )
        yield Match(f"header: {shown}", True)


# ---------------------------------------------------------------------------- descriptions


def describe_element(element: Element) -> str:
    """What would satisfy `element`, in words (the diagnostics' help)."""
    parts = [describe(c) for c in element.checks]
    joiner = "; and " if element.require == "all" else "; or "
    return joiner.join(parts)


def _either(values: Sequence[str], word: str = "or") -> str:
    quoted = [f"`{v}`" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {word} " + quoted[-1]


def _kw(values: Sequence[str]) -> str:
    return " or ".join(f'"{v}"' for v in values)


def describe(check: Check) -> str:
    """One check in words."""
    o = check.options
    if check.kind == "obligation":
        text = "a `must` duty"
        if "actions" in o:
            text += f" to {_either(o['actions'])}"
        kinds = _either(o["object_kinds"]) if "object_kinds" in o else ""
        if "objects" in o:
            text += f" on {f'a {kinds}' if kinds else 'something'} named with {_kw(o['objects'])}"
        elif kinds:
            text += f" on a {kinds}"
        if "deadline" in o:
            text += f" with a deadline of kind {_either(o['deadline'])}"
        if o.get("approved"):
            text += " that needs an approval"
        return text
    if check.kind == "halt":
        text = "a `must` duty with a blocking action (pause, halt, ...)"
        if "contexts" in o:
            text += f" on a context named with {_kw(o['contexts'])}"
        return text
    if check.kind == "requirement":
        text = "a rule" + (" with a condition" if o.get("conditional") else "")
        text += " that requires a standard or safeguard"
        if "categories" in o:
            text += f" with a safeguard of category {_either(o['categories'])}"
        if "contexts" in o:
            text += f" in a context named with {_kw(o['contexts'])}"
        return text
    if check.kind == "domain":
        count = int(o.get("min_count", 1))
        text = f"{count} domain{'s' * (count != 1)} with status "
        text += _either(o.get("status", ["tracked"]))
        levels = int(o.get("min_levels", 1))
        return text + f" and at least {levels} level{'s' * (levels != 1)}"
    if check.kind == "safeguard":
        text = "a safeguard"
        if "categories" in o:
            text += f" of category {_either(o['categories'])}"
        return text + (" that a rule requires" if o.get("required") else "")
    if check.kind == "declared":
        return f"a {_either(o['kinds'])} named with {_kw(o['keywords'])}"
    if check.kind == "header":
        return f"the header's {_either(o['fields'], 'and')}"
    return f"a `{o['rule_kind']}` rule"
