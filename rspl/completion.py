"""Completion at the cursor, for the language server: the keywords the grammar accepts there
and the declared names of the kinds the place takes.

The keywords come from the grammar itself: the enclosing declaration, up to the cursor, is fed
to Lark's interactive parser, which says which terminals may come next (so `require ` offers
no keywords but names, and `rule r "t" {` offers the clauses a rule may have). The kinds of
names come from the keyword the name follows (`require` takes standards and safeguards,
`approved by` roles, `CBRN >=` the levels of `CBRN`). Pure: no dependency on the server.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from lark.exceptions import LarkError

from rspl.index import LEVEL, Index
from rspl.parser import _terminal_texts, get_parser
from rspl.resources import stdlib_modules

_DECL = re.compile(
    r"^(policy|import|role|context|family|domain|evidence|define|safeguard|standard|artifact|"
    r"action|rule|warning|cadence|waiver|scenario)\b",
    re.MULTILINE,
)
_TOKEN = re.compile(r'#[^\n]*|"(?:[^"\\]|\\.)*"?|>=|<=|==|!=|[<>=(),{}:.]|[A-Za-z_][A-Za-z0-9_]*')
_CLOSED = re.compile(r'"(?:[^"\\]|\\.)*"')
_COMPARE = (">=", "<=", "==", "!=", ">", "<")
_VALUES = ("evidence", "definition", "domain")
_ROLES = ("role",)
_RULES = ("rule", "warning", "cadence")

# the keyword a name follows -> the kinds it may name (declaration keyword -> override)
_AFTER: dict[str, tuple[str, ...]] = {
    "require": ("standard", "safeguard"),
    "extends": ("standard",),
    "family": ("family",),
    "waives": ("standard", "safeguard", "action"),
    "by": _ROLES,
    "to": _ROLES,
    "audience": _ROLES,
    "decided": _ROLES,
    "for": ("context",),
    "context": ("context",),
    "before": ("evidence",),
    "since": ("evidence",),
    "when": _VALUES,
    "if": _VALUES,
    "and": _VALUES,
    "or": _VALUES,
    "not": _VALUES,
    "until": _VALUES,
    "(": _VALUES,
    "must": ("action",),
    "should": ("action",),
    "may": ("action",),
    "recommend": ("action",),
    "illustrative": ("action",),
    "given": ("domain", "evidence", "definition"),
    "implemented": ("safeguard", "standard"),
    "required": ("standard", "safeguard"),
    "missing": ("standard", "safeguard"),
    "recommended": ("standard", "safeguard"),
    "triggered": _RULES,
    "precautionary": _RULES,
    "alert": _RULES,
    "counted": ("standard", "safeguard"),
    "approved": _ROLES,
}
_INCLUDES = {"standard": ("safeguard",), "role": ("role",), "context": ("context",)}


@attrs.frozen
class Completion:
    label: str
    kind: str  # "keyword", "module", or a declaration kind (`standard`, `level`...)
    detail: str | None = None


def complete(index: Index, file: str, text: str, offset: int) -> list[Completion]:
    """What may be written at `offset` in `text` (the file `file` of `index`)."""
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    typed = text[start:offset]
    decls = list(_DECL.finditer(text, 0, start))
    head = decls[-1] if decls else None
    fragment = text[head.start() if head else 0 : start]
    tokens = _TOKEN.findall(fragment)
    if tokens and _unfinished(tokens[-1], fragment):
        return []  # inside a comment or a string: nothing to complete
    words = [w for w in tokens if not w.startswith(("#", '"'))]
    if head is not None and head.group(1) == "import":
        return [Completion(m, "module") for m in stdlib_modules() if m.startswith(typed)]
    accepts = _accepts(fragment)
    out: list[Completion] = []
    if accepts is None or "NAME" in accepts:
        out.extend(_names(index, file, words, head.group(1) if head else None))
    texts = _terminal_texts()
    keywords = sorted({texts[a] for a in accepts or ()
                       if a in texts and a != texts[a] and texts[a].isalpha()})  # fmt: skip
    out.extend(Completion(k, "keyword") for k in keywords)
    return [c for c in out if c.label.startswith(typed)]


def _unfinished(token: str, fragment: str) -> bool:
    """Whether the last token of `fragment` is a comment or string the cursor is still in."""
    if token.startswith("#"):
        return fragment.endswith(token)
    if token.startswith('"'):
        return _CLOSED.fullmatch(token) is None and fragment.endswith(token)
    return False


def _accepts(fragment: str) -> set[str] | None:
    """The terminals the grammar accepts after `fragment` (the text of the enclosing
    declaration up to the cursor), or None when that text does not parse so far."""
    try:
        ip: Any = get_parser().parse_interactive(fragment)
        ip.exhaust_lexer()
        accepted: set[str] = set(ip.accepts())
        return accepted
    except LarkError:
        return None


def _names(index: Index, file: str, words: list[str], decl: str | None) -> list[Completion]:
    visible = index.visible(file)
    kinds: tuple[str, ...] | None = None
    domain = None
    # the last keyword or operator before the cursor, skipping names and list separators
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w in _COMPARE or w in ("at", "below"):
            left = words[i - 1] if i > 0 else ""
            if w in ("at", "below") and i > 2 and words[i - 2] == "for":
                left = words[i - 3]  # `given D for C at L`
            sym = visible.get(left)
            if sym is not None and sym.kind == "domain":
                domain = sym
            kinds = (LEVEL,) if domain is not None else _VALUES
            break
        if w == "includes" and decl in _INCLUDES:
            kinds = _INCLUDES[decl]
            break
        if w == "of" and decl == "waiver":
            kinds = _RULES
            break
        if w in _AFTER:
            kinds = _AFTER[w]
            break
        if w in ("{", "}", "="):
            break
    if domain is not None:
        levels = getattr(domain.node, "levels", ())
        return [Completion(lv.name.text, LEVEL, f"level of {domain.name}") for lv in levels]
    return [
        Completion(name, sym.kind, getattr(sym.node, "title", None))
        for name, sym in sorted(visible.items())
        if kinds is None or sym.kind in kinds
    ]
