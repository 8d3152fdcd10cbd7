"""Completeness profiles: published checklists (the Seoul commitments, METR's common elements,
California's SB 53, ...) as data, read from TOML files.

A profile names its source and lists elements; each element carries an id, a title, the
citation of the section of the published text it comes from, and one or more checks from a
fixed vocabulary (`CHECKS`, documented in `docs/lint.md`) that `rspl.lint` runs over the IR.
The shipped profiles live in the package folder `rspl/profiles/` (read through
`rspl.resources`); a user passes their own with `--profile FILE.toml`.

Bad profile files are reported as diagnostics located in the profile (E1911-E1914), built by
`rspl.messages`, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from rspl import messages as msg
from rspl import tomlfile
from rspl.diagnostics import Diagnostic
from rspl.spans import Span

DEADLINE_KINDS = ("none", "fixed", "event", "within", "recurring", "soft", "until", "before",
                  "context")  # fmt: skip
DECLARATION_KINDS = ("role", "context", "artifact", "evidence", "safeguard", "standard",
                     "action", "definition", "domain", "waiver", "rule")  # fmt: skip
SAFEGUARD_CATEGORIES = ("deployment", "security", "misalignment", "control",
                        "internal_deployment", "governance", "transparency",
                        "evaluation")  # fmt: skip
OBJECT_KINDS = ("role", "context", "family", "domain", "evidence", "definition", "safeguard",
                "standard", "artifact", "action", "rule", "warning", "cadence")  # fmt: skip
DOMAIN_STATUSES = ("tracked", "research", "exploratory", "watch")
HEADER_FIELDS = ("organization", "version", "effective", "published", "supersedes",
                 "superseded", "successor", "url", "changes")  # fmt: skip
RULE_KINDS = ("rule", "warning", "cadence")

# The check vocabulary: each check's options, with their type (`words`: a list of strings;
# `word`: one string; `bool`; `int`) and, for options with a fixed list, the allowed values.
_WORDS, _WORD, _BOOL, _INT = "words", "word", "bool", "int"
CHECKS: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "obligation": {
        "actions": (_WORDS, None),
        "objects": (_WORDS, None),
        "object_kinds": (_WORDS, OBJECT_KINDS),
        "deadline": (_WORDS, DEADLINE_KINDS),
        "approved": (_BOOL, None),
    },
    "halt": {"contexts": (_WORDS, None)},
    "requirement": {
        "contexts": (_WORDS, None),
        "categories": (_WORDS, SAFEGUARD_CATEGORIES),
        "conditional": (_BOOL, None),
    },
    "domain": {
        "status": (_WORDS, DOMAIN_STATUSES),
        "min_levels": (_INT, None),
        "min_count": (_INT, None),
    },
    "safeguard": {"categories": (_WORDS, SAFEGUARD_CATEGORIES), "required": (_BOOL, None)},
    "declared": {"kinds": (_WORDS, DECLARATION_KINDS), "keywords": (_WORDS, None)},
    "header": {"fields": (_WORDS, HEADER_FIELDS)},
    "rule": {"rule_kind": (_WORD, RULE_KINDS)},
}
REQUIRED_OPTIONS = {
    "declared": ("kinds", "keywords"),
    "header": ("fields",),
    "rule": ("rule_kind",),
}


@attrs.frozen
class Check:
    """One check of the vocabulary with its options (`kind` is a key of `CHECKS`)."""

    kind: str
    options: Mapping[str, Any] = attrs.field(eq=False)

    def words(self, name: str) -> tuple[str, ...]:
        value = self.options.get(name, ())
        return tuple(value)

    def flag(self, name: str) -> bool:
        return bool(self.options.get(name, False))


@attrs.frozen
class Element:
    id: str
    title: str
    citation: str
    checks: tuple[Check, ...]
    require: str  # "any" (one check suffices) or "all"
    note: str | None = None


@attrs.frozen
class Profile:
    id: str
    title: str
    source: str
    elements: tuple[Element, ...]
    path: str


def is_path(name: str) -> bool:
    """A `--profile` argument names a file (rather than a shipped profile) when it ends with
    `.toml` or contains a path separator."""
    return name.endswith(".toml") or "/" in name or "\\" in name


def parse_profile(path: str, text: str) -> tuple[Profile | None, list[Diagnostic]]:
    """The profile in `text` (the file `path`), or None with the diagnostics that say why."""
    try:
        data = tomlfile.loads(text)
    except tomlfile.TomlSyntaxError as exc:
        line, column = exc.line, exc.column
        return None, [msg.profile_not_toml(exc.reason, _span(path, text, line, column))]
    return _Reader(path, text).profile(data)


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.lines = text.split("\n")

    def profile(self, data: dict[str, Any]) -> tuple[Profile | None, list[Diagnostic]]:
        head = data.get("profile")
        top = self._span(1)
        if not isinstance(head, dict):
            self.diagnostics.append(msg.profile_missing_field("profile", "the file", top))
            head = {}
        else:
            top = self._span(self._line_of(r"^\s*\[profile\]"))
        fields = {k: self._text(head, k, "[profile]", top) for k in ("id", "title", "source")}
        self._unknown(head, ("id", "title", "source"), "[profile]", top)
        for key in data:
            if key not in ("profile", "element"):
                self.diagnostics.append(msg.profile_unknown_field(key, "the file", top))
        raw = data.get("element")
        elements: list[Element] = []
        if not isinstance(raw, list) or not raw:
            self.diagnostics.append(msg.profile_missing_field("element", "the file", top))
            raw = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            element = self._element(index, item)
            if element is None:
                continue
            if element.id in seen:
                where = self._span(self._element_line(index))
                self.diagnostics.append(msg.profile_duplicate_element(element.id, where))
                continue
            seen.add(element.id)
            elements.append(element)
        if self.diagnostics or any(v is None for v in fields.values()):
            return None, self.diagnostics
        return (
            Profile(
                str(fields["id"]), str(fields["title"]), str(fields["source"]),
                tuple(elements), self.path,
            ),
            [],
        )  # fmt: skip

    def _element(self, index: int, item: Any) -> Element | None:
        where = self._span(self._element_line(index))
        if not isinstance(item, dict):
            self.diagnostics.append(msg.profile_bad_value("element", "a table", where))
            return None
        label = f"element {index + 1}"
        ident = self._text(item, "id", label, where)
        if ident is not None:
            label = f"element `{ident}`"
        title = self._text(item, "title", label, where)
        citation = self._text(item, "citation", label, where)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            self.diagnostics.append(msg.profile_bad_value(f"{label}: note", "a text", where))
            note = None
        require = item.get("require", "any")
        if require not in ("any", "all"):
            self.diagnostics.append(
                msg.profile_bad_value(f"{label}: require", "`any` or `all`", where)
            )
        self._unknown(item, ("id", "title", "citation", "note", "require", "check"), label, where)
        raw = item.get("check")
        if not isinstance(raw, list) or not raw:
            self.diagnostics.append(msg.profile_missing_field("check", label, where))
            return None
        checks = [self._check(label, c, where) for c in raw]
        if ident is None or title is None or citation is None or None in checks:
            return None
        return Element(
            ident, title, citation, tuple(c for c in checks if c is not None), require, note
        )

    def _check(self, label: str, raw: Any, where: Span) -> Check | None:
        if not isinstance(raw, dict):
            self.diagnostics.append(msg.profile_bad_value(f"{label}: check", "a table", where))
            return None
        kind = raw.get("kind")
        if kind is None:
            self.diagnostics.append(msg.profile_missing_field("kind", f"a check of {label}", where))
            return None
        if not isinstance(kind, str) or kind not in CHECKS:
            self.diagnostics.append(msg.profile_unknown_check(str(kind), list(CHECKS), where))
            return None
        spec = CHECKS[kind]
        options: dict[str, Any] = {}
        ok = True
        for key, value in raw.items():
            if key == "kind":
                continue
            if key not in spec:
                self.diagnostics.append(
                    msg.profile_unknown_field(key, f"the `{kind}` check of {label}", where)
                )
                ok = False
                continue
            shape, allowed = spec[key]
            good = _fits(value, shape, allowed)
            if not good:
                wanted = _wanted(shape, allowed)
                self.diagnostics.append(
                    msg.profile_bad_value(f"{label}: `{kind}` option `{key}`", wanted, where)
                )
                ok = False
                continue
            options[key] = value
        for key in REQUIRED_OPTIONS.get(kind, ()):
            if key not in raw:
                self.diagnostics.append(
                    msg.profile_missing_field(key, f"the `{kind}` check of {label}", where)
                )
                ok = False
        return Check(kind, options) if ok else None

    def _text(self, table: dict[str, Any], key: str, label: str, where: Span) -> str | None:
        value = table.get(key)
        if value is None:
            self.diagnostics.append(msg.profile_missing_field(key, label, where))
            return None
        if not isinstance(value, str) or not value.strip():
            self.diagnostics.append(msg.profile_bad_value(f"{label}: {key}", "a text", where))
            return None
        return value

    def _unknown(
        self, table: dict[str, Any], known: tuple[str, ...], label: str, where: Span
    ) -> None:
        for key in table:
            if key not in known:
                self.diagnostics.append(msg.profile_unknown_field(key, label, where))

    def _line_of(self, pattern: str, nth: int = 0) -> int:
        found = [i + 1 for i, line in enumerate(self.lines) if re.match(pattern, line)]
        return found[nth] if nth < len(found) else 1

    def _element_line(self, index: int) -> int:
        return self._line_of(r"^\s*\[\[element\]\]", index)

    def _span(self, line: int) -> Span:
        return _span(self.path, self.text, line, 1)


def _fits(value: Any, shape: str, allowed: tuple[str, ...] | None) -> bool:
    if shape == _BOOL:
        return isinstance(value, bool)
    if shape == _INT:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if shape == _WORD:
        return isinstance(value, str) and (allowed is None or value in allowed)
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and v for v in value)
        and (allowed is None or all(v in allowed for v in value))
    )


def _wanted(shape: str, allowed: tuple[str, ...] | None) -> str:
    if shape == _BOOL:
        return "`true` or `false`"
    if shape == _INT:
        return "a whole number, 0 or more"
    if allowed is not None:
        choices = ", ".join(f"`{a}`" for a in allowed)
        return f"one of {choices}" if shape == _WORD else f"a list of some of {choices}"
    return "a text" if shape == _WORD else "a non-empty list of texts"


def _span(path: str, text: str, line: int, column: int) -> Span:
    """A span of one character at `line`:`column` (1-based) of `text`, the file `path`."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    start = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
    width = max(1, len(lines[line - 1]) - column + 1)
    return Span(path, start, start + width, line, column, line, column + width)
