"""The Markdown backend: the policy as a document that people review, approve and publish.

`render(policy, templates)` returns one file, `{module}.md`. This module builds a *view* of
the policy: plain values from the IR, and sentences it composes from the IR (conditions,
requirements, obligations, deadlines). Jinja2 templates in `rspl/templates/` lay the view out;
a folder passed as `templates` overrides them file by file.

Policy text can never break the document, because of two rules:

- `escape` is the one function that turns policy text into Markdown: it backslash-escapes
  every character with inline meaning, joins lines, and defuses block markers at the start.
  `cell` (table cells), `code` (identifiers) and `link` (http(s) URLs) are built on it, and
  Mermaid labels have their own escape, `mermaid_label`.
- Every value a template prints must be `Md`, Markdown made by those functions: the
  environment's `finalize` rejects anything else. A template that forgets the `md` or `cell`
  filter fails loudly instead of printing raw policy text.

`edition` returns the text together with the view it was laid out from, and
`edition_pieces` the same with the text in pieces as the templates produce it; the HTML
backend builds its page from both (the capability diagram from the view's `Graph`), so this
module is the one place the document's wording lives.

What each capability level requires is not re-derived here: `rspl.backends.thresholds` asks
the reference interpreter, for the baseline (every domain below its first level, nothing else
known) and for each level reached alone, so the threshold tables say exactly what the
evaluator does. This module only words it: the baseline once above the tables, and in each
row what the level adds to it or drops from it.
"""

from __future__ import annotations

import collections
import datetime
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeGuard, TypeVar, overload

import attrs
import jinja2

from rspl import __version__, ir, prose
from rspl.backends import thresholds
from rspl.backends.thresholds import Outcome
from rspl.wording import module_name, money_text, role_choice

# ---------------------------------------------------------------------------- escaping


class Md(str):
    """Markdown source that is safe to print: escaped policy text, or markup this module
    wrote around escaped text. Only the functions of this section make one."""

    __slots__ = ()


# Characters with inline meaning anywhere in a line (emphasis, code, links, HTML, tables,
# headings' closing #, strikethrough and math on common forges); `\` itself first of all.
_ALWAYS = frozenset("\\`*_[]<>|#~$")
# `&` only starts something when it reads as an entity or character reference.
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# What `escape` puts a backslash before: a character of `_ALWAYS`, or an `&` that starts an
# entity.
_SPECIAL = re.compile(
    "[" + re.escape("".join(sorted(_ALWAYS))) + "]|&(?=" + _ENTITY.pattern[1:] + ")"
)
# Every character of `_ALWAYS` with its backslash: `escape` of a text with no `&`, in one
# pass and no object per match (`_SPECIAL.sub` holds a list of both, several times the text).
_BACKSLASHED = {ord(c): "\\" + c for c in _ALWAYS}
# A run of whitespace that is not one space (which it would be replaced by): one space
# between words is left as it is, so the words are not copied one by one.
_SPACES = re.compile(r"\s{2,}|[^\S ]")
# Control characters (Unicode category Cc) that are not whitespace.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# A value printed at the start of a line must not start a list or a thematic break, nor
# underline the line before it.
_LIST_NUMBER = re.compile(r"[0-9]{1,9}(?=[.)]( |$))")
_RULE_LINE = re.compile(r"[-= ]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def one_line(text: str) -> str:
    """`text` on one line: whitespace runs become one space, other control characters the
    replacement character, and the ends are stripped. What `escape` shows, unescaped."""
    # `\s` matches exactly the characters `isspace()` accepts (what `split()` breaks at and
    # `strip()` strips; a test checks every code point), so `_SPACES` gives what joining
    # the words of `split()` gives; the other control characters (category Cc) are
    # replaced. One pass each, and no object per word: a list of the words of a long text,
    # or of the parts between its spaces, holds 9 times its size (bench/memory.py).
    text = str(text)  # an undefined template value raises here, naming itself
    return _SPACES.sub(" ", _CONTROL.sub("\ufffd", text)).strip()


def escape(text: str) -> Md:
    """Policy text as inline Markdown that renders as exactly that text (on one line).

    The one escape of this backend: everything else that prints policy text calls it.
    """
    line = one_line(text)
    body = _SPECIAL.sub(r"\\\g<0>", line) if "&" in line else line.translate(_BACKSLASHED)
    if body[:1] in ("-", "+", "=") and (body[1:2] in ("", " ") or _RULE_LINE.fullmatch(body)):
        body = "\\" + body
    else:
        number = _LIST_NUMBER.match(body)
        if number:
            body = body[: number.end()] + "\\" + body[number.end() :]
    return Md(body)


def cell(text: str | None) -> Md:
    """A table cell: escaped like any text (so `|` and line breaks cannot split the row),
    and an em dash for nothing."""
    if isinstance(text, Md):
        return text if text else Md("—")
    shown = escape(text or "")
    return shown if shown else Md("—")


def code(name: str) -> Md:
    """An identifier as a code span; anything that is not a plain identifier is escaped."""
    return Md(f"`{name}`") if _IDENTIFIER.match(name) else escape(name)


def _http_target(url: str) -> str | None:
    """A link target for an http(s) URL with a host, percent-encoded so that it cannot end
    the link; None for any other URL, which is then shown as text."""
    if one_line(url) != url or " " in url:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    target = urllib.parse.quote(url, safe="/:?#@!$&'*+,;=%-._~")
    # `&amp;` would be read as an entity: escape such an `&` (link targets allow it).
    return _ENTITY.sub(lambda m: "\\" + m.group(0), target)


def link(text: Md, url: str | None) -> Md:
    """`text` linked to `url` when it is an http(s) URL, else `text` followed by the URL as
    plain text."""
    if url is None:
        return text
    target = _http_target(url)
    if target is None:
        return fmt("{} at {}", text, escape(url))
    return Md(f"[{text}]({target})")


def url_text(url: str) -> Md:
    """A URL on its own: a link to itself when it is http(s), else plain text."""
    return link(escape(url), url) if _http_target(url) is not None else escape(url)


def fmt(pattern: str, *parts: Md) -> Md:
    """Fill this module's own markup `pattern` (`{}` slots) with Markdown parts."""
    for part in parts:
        if not isinstance(part, Md):
            raise TypeError(f"unescaped text reached the document: {part!r}")
    return Md(pattern.format(*parts))


def join(parts: Iterable[Md], sep: str = ", ") -> Md:
    """Markdown parts joined by this module's own separator."""
    items = list(parts)
    return fmt(sep.join("{}" for _ in items), *items)


def words(parts: Sequence[Md], last: str = "and") -> Md:
    """`a`, `a and b`, `a, b and c` (`rspl.prose.listing`, filled with Markdown parts)."""
    return fmt(prose.listing(["{}"] * len(parts), last), *parts)


_MERMAID_KEEP = frozenset(" .,:/'+-?!§_()")


def mermaid_label(text: str) -> Md:
    """A quoted Mermaid label. Everything but letters, digits and harmless punctuation
    becomes a Mermaid entity (`#34;`), so no text can end the label, inject HTML or close
    the Markdown code fence around the diagram."""
    shown = "".join(
        ch if ch.isalnum() or ch in _MERMAID_KEEP else f"#{ord(ch)};" for ch in one_line(text)
    )
    return Md(f'"{shown}"')


class TemplateError(Exception):
    """A template could not be rendered (a user's `--templates` override, usually): says
    which template and why, for the command line to report without a traceback."""


class UnescapedTextError(TypeError):
    """A template printed policy text that did not go through the `md` or `cell` filter."""


def _finalize(value: object) -> object:
    """Jinja2 `finalize`: only escaped Markdown (and numbers) may be printed."""
    if isinstance(value, Md) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise UnescapedTextError(
        f"template printed {type(value).__name__} {value!r}: pass policy text through the "
        "`md` or `cell` filter"
    )


def _md_filter(value: str | None) -> Md:
    if value is None:
        return Md("")
    return value if isinstance(value, Md) else escape(value)


def _code_filter(value: str) -> Md:
    return value if isinstance(value, Md) else code(value)


# ---------------------------------------------------------------------------- plain words

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_MODAL = {"must": "**must**", "should": "*should*", "may": "*may*"}
_MODAL_NOT = {"must": "**must not**", "should": "*should not*"}
# How roles follow other objects of an action: `share X with Board`.
_RECIPIENT = {"share": "with", "consult": "with", "document": "for", "request": "from"}
# Actions whose recipient is their direct object: `notify to regulator` reads "notify the
# regulator", not "notify to the regulator".
_DIRECT = frozenset({"notify", "inform", "brief", "alert", "consult", "tell", "warn"})
# Kinds of declaration that read as things after a verb, with `the` when singular.
_THINGS = frozenset({"artifact", "safeguard", "standard", "evidence"})
_COMPARE = {">=": "is at least", ">": "is more than", "<=": "is at most", "<": "is less than",
            "==": "is", "!=": "is not"}  # fmt: skip
_COMPARE_DATE = {">=": "is on or after", ">": "is after", "<=": "is on or before",
                 "<": "is before", "==": "is", "!=": "is not"}  # fmt: skip
_LEVEL_CMP = {">=": "reaches", ">": "goes beyond", "<=": "is at or below", "<": "is below",
              "==": "is exactly at", "!=": "is not at"}  # fmt: skip
_KIND_WORD = {"rule": "Rule", "warning": "Early warning", "cadence": "Cadence"}
_STATUS = {"tracked": "tracked", "research": "under research", "exploratory": "exploratory",
           "watch": "on the watch list"}  # fmt: skip


def date_text(d: datetime.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _has_text(title: str | None) -> TypeGuard[str]:
    return bool(title and one_line(title))


class _Words:
    """Turns IR into plain sentences, every name shown by its title."""

    def __init__(self, policy: ir.Policy) -> None:
        self.policy = policy
        # kind -> name -> title: one table per kind, keyed by the IR's own name strings,
        # costs no key of its own per declaration (bench/memory.py); a level's title is in
        # `levels`, by domain
        self.titles: dict[str, dict[str, str | None]] = {}
        self.phrases: dict[tuple[str, str], str] = {}
        for kind, decls in (
            ("role", policy.roles), ("context", policy.contexts),
            ("group", policy.context_groups), ("domain", policy.domains),
            ("evidence", policy.evidence), ("definition", policy.definitions),
            ("safeguard", policy.safeguards), ("standard", policy.standards),
            ("family", policy.families), ("artifact", policy.artifacts),
            ("action", policy.actions), ("rule", policy.rules),
        ):  # fmt: skip
            table = self.titles[kind] = {}
            for d in decls:
                table[d.name] = d.title
                phrase = getattr(d, "phrase", None)
                if isinstance(phrase, str) and phrase:
                    self.phrases[(kind, d.name)] = phrase
        self.levels = {d.name: {lv.name: lv.title for lv in d.levels} for d in policy.domains}
        self.evidence = {e.name: e for e in policy.evidence}
        self.risk = {d.name: len(d.levels) for d in policy.domains if d.risk}
        self.standards = {s.name: s for s in policy.standards}
        self.criterion_memo: dict[str, tuple[str, ...]] = {}
        self.rules = {r.name: r for r in policy.rules}  # built once: not once per lookup
        self.carries_forward = any(x.carry_forward for x in policy.domains)
        self.contexts = tuple(c.name for c in policy.contexts)
        self.role_groups = {r.name: r.members for r in policy.roles if r.members}
        self.subject = escape(policy.organization) if _has_text(policy.organization) else None
        org = one_line(policy.organization or "")
        # the organisation's name stays a name wherever it stands (`Anthropic will ...`)
        self.proper = frozenset({org, org.split(" ", 1)[0]} if org else ())

    # ------------------------------------------------------------------ names

    def raw(self, kind: str, name: str) -> str | None:
        title = self.titles[kind].get(name)
        return title if _has_text(title) else None

    def raw_level(self, domain: str, level: str) -> str | None:
        title = self.levels.get(domain, {}).get(level)
        return title if _has_text(title) else None

    def title(self, kind: str, name: str) -> Md:
        title = self.raw(kind, name)
        return escape(title) if title is not None else code(name)

    def mid(self, kind: str, name: str) -> Md:
        """A declaration mid-sentence: its `phrase`, else its title by the rule of
        `rspl.prose.mid` (a name as written, anything else lower-cased at its first letter)."""
        return self._placed(kind, name, prose.mid)

    def thing(self, kind: str, name: str) -> Md:
        """A declared thing as the object of a verb: its `phrase`, else its title with `the`
        when singular (`the plan for interim measures`, `interim measures`)."""
        return self._placed(kind, name, prose.definite)

    def _placed(self, kind: str, name: str, rule: Callable[[str, frozenset[str]], str]) -> Md:
        """A declaration in running text: its `phrase` verbatim, else its title placed by
        `rule`, else its name as code."""
        phrase = self.phrases.get((kind, name))
        if phrase is not None:
            return escape(phrase)
        title = self.raw(kind, name)
        if title is None:
            return code(name)
        return escape(rule(title, self.proper))

    def plural(self, kind: str, name: str) -> bool:
        """Whether a declaration's title (or phrase) is plural, from its head noun."""
        text = self.phrases.get((kind, name)) or self.raw(kind, name)
        return text is not None and prose.is_plural(text)

    def roles(
        self, names: Sequence[str], start: bool = False, any_one: bool = False,
        approval: bool = False,
    ) -> Md:
        """Role titles, mid-sentence unless `start`: "A and B" (all of them), "A or B" or
        "any one of A, B or C" (`any_one`, see `rspl.wording.role_choice`). A role group is
        named with its members: "Leadership (the CEO and the RSO)"."""
        shown = [self.role(n, start and i == 0) for i, n in enumerate(names)]
        lead, last = role_choice(len(names), any_one, approval)
        return fmt(lead + "{}", words(shown, last)) if lead else words(shown, last)

    def role(self, name: str, start: bool = False) -> Md:
        """A role as an office (`the Board of Directors`) or a common noun (`law
        enforcement`), by `rspl.prose.office`; its `phrase` when it has one. `start`: at the
        start of a sentence (a capital first letter)."""
        phrase = self.phrases.get(("role", name))
        title = self.raw("role", name)
        if phrase is not None:
            shown = phrase
        elif title is not None:
            shown = prose.office(title, self.proper)
        else:
            shown = ""
        if start and shown:
            shown = shown[0].upper() + shown[1:]
        text = escape(shown) if shown else code(name)
        members = self.role_groups.get(name)
        if not members:
            return text
        return fmt("{} ({})", text, words([self.mid("role", m) for m in members]))

    def context_list(self, names: Sequence[str], written: Sequence[str] = ()) -> Md:
        """`for external deployment and open-weight release`, `in every context`, or `in
        every context except training`; `for any external deployment` when the policy named
        a context group (`written`: the contexts as written)."""
        missing = [c for c in self.contexts if c not in names]
        if not names or not missing:
            return Md("in every context")
        if written:
            listed = words([self.context_word(c) for c in written])
            return fmt(("in {}" if listed.startswith("every ") else "for {}"), listed)
        if len(missing) < len(names) and len(names) > 2:
            return fmt("in every context except {}",
                       words([self.mid("context", c) for c in missing]))  # fmt: skip
        return fmt("for {}", words([self.mid("context", c) for c in names]))

    def context_word(self, name: str) -> Md:
        """A context or a context group mid-sentence."""
        kind = "group" if name in self.titles["group"] else "context"
        return self.mid(kind, name)

    def contexts_written(self, names: Sequence[str], written: Sequence[str], last: str) -> Md:
        """Contexts in a deadline or a list of objects: as the policy wrote them when it
        named a group (`before any external deployment`), else each one."""
        return words([self.context_word(c) for c in (written or names)], last)

    def level(self, domain: str, level: str) -> Md:
        title = self.raw_level(domain, level)
        return escape(title) if title is not None else code(f"{domain}.{level}")

    def level_mid(self, domain: str, level: str, the: bool = False) -> Md:
        """A level mid-sentence: a one-word title is the level's name (`High`), a longer one
        reads by the rule of `rspl.prose.mid` (`CBRN-4 threshold`, `sandbagging threshold`);
        with `the`, as the object of `reaches` or `at`, with the article a threshold takes
        (`the non-novel chem/bio weapons threshold`, but `Bio High`, `Cyber uplift level 1`;
        `rspl.prose.level`)."""
        title = self.raw_level(domain, level)
        if title is None or " " not in title.strip():
            return self.level(domain, level)
        return escape((prose.level if the else prose.mid)(title, self.proper))

    # ------------------------------------------------------------------ conditions

    @staticmethod
    def compound(e: ir.Expr) -> bool:
        return isinstance(e, ir.And | ir.Or | ir.AtLeast) and len(e.operands) > 1

    def value(self, v: ir.Value) -> Md:
        if isinstance(v, ir.MemberBound):
            word = "highest" if v.bound == "max" else "lowest"
            found = self.evidence.get(v.name)
            per = escape(found.per if found is not None and found.per else "member")
            return fmt("the " + word + " {} of any {}", self.noun(v.name), per)
        if isinstance(v, ir.Const):
            if isinstance(v.value, datetime.date):
                return escape(date_text(v.value))
            if v.dimension == "money":  # `1e9 USD` reads `USD 1 billion`
                about = "about " if v.text.startswith("about ") else ""
                return escape(about + money_text(v.value))
            return escape(v.text)
        if isinstance(v, ir.EvidenceValue):
            return self.mid("evidence", v.name)
        return fmt("the time since {}", self.mid("evidence", v.name))

    def _is_date(self, v: ir.Value) -> bool:
        if isinstance(v, ir.Const):
            return isinstance(v.value, datetime.date)
        if isinstance(v, ir.EvidenceValue):
            found = self.evidence.get(v.name)
            return found is not None and found.type == "date"
        return False

    def condition(self, e: ir.Expr) -> Md:
        """A condition as one clause; nested groups in parentheses."""
        if isinstance(e, ir.LevelCmp) and e.residual and e.domain in self.risk:
            return self.verdict(e, after=True)
        if isinstance(e, ir.LevelCmp) and e.residual:
            return fmt(
                "the level in {} after mitigation " + _LEVEL_CMP[e.op] + " {}",
                self.mid("domain", e.domain), self.level_mid(e.domain, e.level, the=True),
            )  # fmt: skip
        if isinstance(e, ir.LevelCmp):
            if e.domain in self.risk:
                return self.verdict(e)
            return fmt(
                "capability in {} " + _LEVEL_CMP[e.op] + " {}",
                self.mid("domain", e.domain), self.level_mid(e.domain, e.level, the=True),
            )  # fmt: skip
        if isinstance(e, ir.Compare):
            table = _COMPARE_DATE if self._is_date(e.left) else _COMPARE
            return fmt("{} " + table[e.op] + " {}", self.value(e.left), self.value(e.right))
        if isinstance(e, ir.Fact):
            if self.raw("evidence", e.name) is None:
                return fmt("{} is true", code(e.name))
            return self.mid("evidence", e.name)
        if isinstance(e, ir.DefRef):
            return fmt("“{}” holds", self.title("definition", e.name))
        if isinstance(e, ir.Implemented):
            verb = prose.be(self.plural(e.kind, e.name)) + " implemented"
            return fmt("{} " + verb, self.thing(e.kind, e.name))
        if isinstance(e, ir.Not):
            return fmt("it is not the case that {}", self.nested(e.operand))
        if isinstance(e, ir.MemberTest):
            return self.member_test(e)
        if not e.operands:
            holds = isinstance(e, ir.And) or (isinstance(e, ir.AtLeast) and e.count <= 0)
            return Md("always" if holds else "never")
        if len(e.operands) == 1 and not isinstance(e, ir.AtLeast):
            return self.condition(e.operands[0])
        parts = [self.nested(x) for x in e.operands]
        if isinstance(e, ir.And):
            return words(parts, "and")
        if isinstance(e, ir.Or):
            return fmt("either {}", words(parts, "or")) if len(parts) == 2 else words(parts, "or")
        return fmt("at least " + str(e.count) + " of: {}", join(parts, "; "))

    def members_of(self, name: str, quantifier: str, count: int) -> Md:
        """`every attack`, `some attack`, `at least 2 attacks`: the members a test is over."""
        found = self.evidence.get(name)
        per = found.per if found is not None and found.per else "member"
        if quantifier == "all":
            head = escape(f"every {per}")
        elif quantifier == "any":
            head = escape(f"some {per}")
        else:
            head = escape(f"at least {count} {prose.plural(per) if count != 1 else per}")
        if found is None or found.members is None:
            return head
        listed = words([code(m) for m in found.members], "and" if quantifier == "all" else "or")
        return fmt("{} ({})", head, listed)

    def noun(self, name: str) -> Md:
        """A family's title after `the`: `attack success rate` (an acronym left alone)."""
        title = self.raw("evidence", name)
        if title is None:
            return code(name)
        text = prose.mid(title, self.proper)
        if text[:1].isupper() and text[1:2].islower() and not text.startswith(tuple(self.proper)):
            text = text[0].lower() + text[1:]  # after `the`: `the attack success rate`
        return escape(text)

    def member_test(self, e: ir.MemberTest) -> Md:
        """`the attack success rate of every attack is at most 5%`; for yes-or-no members
        `the body deems the report redacted, for some body (RSO or CEO)`."""
        which = self.members_of(e.name, e.quantifier, e.count)
        if e.op is None or e.right is None:
            return fmt("{}, for {}", self.mid("evidence", e.name), which)
        return fmt("the {} of {} " + _COMPARE[e.op] + " {}",
                   self.noun(e.name), which, self.value(e.right))  # fmt: skip
    def verdict(self, e: ir.LevelCmp, after: bool = False) -> Md:
        """A comparison with a risk verdict, as a verdict (`the risk is judged not acceptable
        (Misuse)`), never as a capability reaching a level."""
        level = self.raw_level(e.domain, e.level)
        shown = escape(prose.mid(level).lower() if " " not in level.strip() else prose.mid(level)
                       ) if level is not None else code(e.level)  # fmt: skip
        top, bottom = e.rank == self.risk[e.domain], e.rank == 1
        phrase = {
            ">=": "is judged {}" + ("" if top else " or worse"),
            ">": "is judged worse than {}",
            "<=": "is judged {}" + ("" if bottom else " or better"),
            "<": "is judged better than {}",
            "==": "is judged {}",
            "!=": "is not judged {}",
        }[e.op]
        risk = "the risk after mitigation " if after else "the risk "
        return fmt(risk + phrase + " ({})", shown, self.title("domain", e.domain))

    def nested(self, e: ir.Expr) -> Md:
        inner = self.condition(e)
        return fmt("({})", inner) if self.compound(e) else inner

    def simple(self, e: ir.Expr) -> bool:
        """Whether a condition reads well as one sentence."""
        if isinstance(e, ir.Not):
            return not self.compound(e.operand)
        if isinstance(e, ir.And | ir.Or | ir.AtLeast):
            return len(e.operands) <= 3 and not any(
                self.compound(x) or isinstance(x, ir.Not) for x in e.operands
            )
        return True

    def tree(self, e: ir.Expr, depth: int = 0) -> list[tuple[int, Md]]:
        """A condition as nested list items: (depth, text)."""
        if not self.compound(e) or not isinstance(e, ir.And | ir.Or | ir.AtLeast):
            return [(depth, self.condition(e))]
        out = [(depth, self.group_head(e))]
        for x in e.operands:
            out += self.tree(x, depth + 1)
        return out

    @staticmethod
    def group_head(e: ir.And | ir.Or | ir.AtLeast) -> Md:
        if isinstance(e, ir.And):
            return Md("all of the following:")
        if isinstance(e, ir.Or):
            return Md("any of the following:")
        return Md(f"at least {e.count} of the following:")

    # ------------------------------------------------------------------ duties

    def deadline(self, d: ir.Deadline | None) -> Md | None:
        if d is None:
            return None
        if isinstance(d, ir.Within):
            since = self.thing("evidence", d.event) if d.event else Md(
                "this rule starting to apply")
            if prose.period_is_zero(d.text):  # `within 0 days of x`: at once
                return fmt("immediately upon {}", since) if d.event else Md("immediately")
            return fmt("within {} of {}", escape(d.text), since)
        if isinstance(d, ir.Before):
            return fmt("before {}", self.contexts_written(d.contexts, d.written, "or"))
        if isinstance(d, ir.Every):
            text = escape(prose.every(d.text))
            if d.since:
                return fmt("{}, counted from {}", text, self.thing("evidence", d.since))
            return text
        if isinstance(d, ir.Until):
            return fmt("until {}", self.condition(d.expr))
        if isinstance(d, ir.DueEvent):
            # "by the date of the filing deadline"; a title that is already a date ("Date the
            # change takes effect", "Effective date of ...") reads "by the date ..."
            title = self.raw("evidence", d.event)
            if title is not None and re.match(r"(?i)(\w+ )?date\b", title):
                return fmt("by the {}", escape(title[0].lower() + title[1:]))
            return fmt("by the date of {}", self.mid("evidence", d.event))
        if isinstance(d, ir.DueAt):
            return fmt("at {}", self.contexts_written(d.contexts, d.written, "or"))
        if isinstance(d, ir.Soft):
            return fmt("{} (no fixed {})", escape(d.text),
                       Md("interval" if d.recurring else "deadline"))  # fmt: skip
        return fmt("by {}", escape(date_text(d.date)))

    def objects(self, ob: ir.Obligation) -> Md:
        """What the action is about, then who receives it: objects that are roles and the
        recipients of `to` ("report the incident to the regulator")."""
        things: list[Md] = []
        groups: set[str] = set()
        for r in ob.objects:
            if r.kind == "role":
                continue
            if r.kind == "context" and r.group is not None:
                if r.group not in groups:  # a group the policy named: by its own name
                    groups.add(r.group)
                    things.append(self.context_word(r.group))
                continue
            things.append(self.thing(r.kind, r.name) if r.kind in _THINGS
                          else self.mid(r.kind, r.name))  # fmt: skip
        named = [r.name for r in ob.objects if r.kind == "role"]
        people = [self.role(x) for x in dict.fromkeys([*named, *ob.to])]
        prep = _RECIPIENT.get(ob.action, "to")
        if things and people:
            return fmt("{} " + prep + " {}", words(things), words(people))
        if people and ob.to and ob.action not in _DIRECT:
            return fmt(prep + " {}", words(people))
        return words(things or people)

    def obligation(self, ob: ir.Obligation, cites: Md) -> Md:
        """One obligation as a sentence, its modality marked."""
        verb = self.mid("action", ob.action)
        objects = self.objects(ob)
        phrase = fmt("{} {}", verb, objects) if objects else verb
        if ob.approved_by:
            approvers = self.roles(ob.approved_by, any_one=ob.approved_by_any, approval=True)
            phrase = fmt("{}, approved by {}", phrase, approvers)
        deadline = self.deadline(ob.deadline)
        if deadline is not None:  # after an approval, a comma: the deadline is the duty's
            phrase = fmt("{}, {}" if ob.approved_by else "{} {}", phrase, deadline)
        subject = (
            self.roles(ob.by, start=True, any_one=ob.by_any) if ob.by
            else self.subject if self.subject
            else Md("The organisation")
        )  # fmt: skip
        if ob.prohibited:  # `must not`, `should not`: only these two can be negated
            sentence = fmt("{} " + _MODAL_NOT[ob.modality] + " {}", subject, phrase)
        elif ob.modality in _MODAL:
            sentence = fmt("{} " + _MODAL[ob.modality] + " {}", subject, phrase)
        elif ob.modality == "recommend":
            sentence = fmt("*Recommended:* {}{}", phrase,
                           fmt(", by {}", self.roles(ob.by, any_one=ob.by_any)) if ob.by
                           else Md(""))  # fmt: skip
        else:
            sentence = fmt("*Illustrative example, not a commitment:* {} would {}", subject, phrase)
        if ob.modality == "must" and ob.blocking:
            contexts = [r.name for r in ob.objects if r.kind == "context"]
            blocked = (
                words([self.mid("context", c) for c in contexts]) if contexts
                else Md("every context")
            )  # fmt: skip
            sentence = fmt("{}; while this is in force, it blocks {}", sentence, blocked)
        return _sentence(sentence, cites, ob.note)

    def requirement(self, group: Sequence[ir.Requirement], cites: Md) -> Md:
        """`**ASL-3 Security Standard** is required in every context`, `The safeguards
        **A** and **B** are required for external deployment`: what is required is named
        by its title as a bold label; the verb agrees with how many are named, and with
        the title of a single standard (`**ASL-3 deployment protections** are required`).
        Each modality has its own sentence, with a verb: `should be in place`, `is permitted but not
        required`, `*Recommended:* ... should be in place`, `*Illustrative example, not a
        commitment:* ... would be in place`."""
        kind, modality = group[0].kind, group[0].modality
        contexts = self.context_list(group[0].contexts, group[0].written)
        if kind == "standard":
            label = words([self.standard(r.target) for r in group])
            # one standard reads as its title does: "**ASL-3 deployment protections** are"
            title = self.raw("standard", group[0].target)
            plural = len(group) > 1 or (title is not None and prose.is_plural(title))
        else:
            names = words([fmt("**{}**", self.title("safeguard", r.target)) for r in group])
            plural = len(group) > 1
            label = fmt("the safeguard" + ("s" if plural else "") + " {}", names)
        be = prose.be(plural)
        if modality == "must":
            text = fmt("{} " + be + " required {}", label, contexts)
        elif modality == "recommend":
            text = fmt("*Recommended:* {} should be in place {}", label, contexts)
        elif modality == "illustrative":
            text = fmt("*Illustrative example, not a commitment:* {} would be in place {}",
                       label, contexts)  # fmt: skip
        elif modality == "should":
            text = fmt("{} *should* be in place {}", label, contexts)
        else:  # may: permitted, never required (reported, never enforced)
            text = fmt("{} " + be + " permitted, but not required, {}", label, contexts)
        text = _capital(text)
        if group[0].criterion is not None:
            text = fmt("{}, and counts only while {}", text, self.condition(group[0].criterion))
        return _sentence(text, cites, group[0].note)

    def precaution(self, unknown: Sequence[str]) -> Md:
        """` (as a precaution, until X is known)`, or nothing for a certain requirement."""
        if not unknown:
            return Md("")
        shown = []
        for name in unknown:
            evidence = self.evidence.get(name)
            if name in self.titles["domain"]:
                shown.append(fmt("the {} level", self.mid("domain", name)))
            elif evidence is not None and evidence.type in ("fact", "judgement"):
                shown.append(fmt("whether {}", self.mid("evidence", name)))
            elif evidence is not None:
                shown.append(self.mid("evidence", name))
            elif name.partition(".")[0] in self.evidence:
                owner, _, member = name.partition(".")
                fact = self.evidence[owner].type in ("fact", "judgement")
                shown.append(fmt("whether {} for {}" if fact else "the {} of {}",
                                 self.noun(owner), code(member)))  # fmt: skip
            elif name == "as_of":
                shown.append(Md("the assessment date"))
            else:
                shown.append(code(name))
        if len(shown) > 1:
            return fmt(" (as a precaution, until these are known: {})", join(shown, "; "))
        if shown[0].startswith("whether "):
            return fmt(" (as a precaution, until it is known {})", shown[0])
        sole = self.evidence.get(unknown[0])
        plural = sole is not None and self.plural("evidence", sole.name)
        return fmt(" (as a precaution, until {} " + prose.be(plural) + " known)", shown[0])

    def criteria_of(self, name: str, contexts: Sequence[str], rules: Sequence[str]) -> list[Md]:
        """The criteria `name` counts under where it is required: those of a standard and
        of the standards it extends, and those of the `require` lines of `rules` that ask
        for it in one of `contexts`; each `while ...` with its citations."""
        found: list[tuple[ir.Expr, tuple[ir.Anchor, ...]]] = []
        std = self.standards.get(name)
        if std is not None and std.hole:
            return []  # never met, whatever its criteria
        if std is not None:
            for n in self.criterion_owners(name):
                owner = self.standards[n]
                found.append((owner.criterion, owner.anchors))  # type: ignore[arg-type]
        by_name = self.rules
        for rule in rules:
            for q in by_name[rule].requirements:
                applies = not q.contexts or any(c in q.contexts for c in contexts)
                if q.target == name and q.criterion is not None and applies:
                    found.append((q.criterion, q.anchors))
        out = []
        for expr, anchors in found:
            cites = citations(anchors)
            shown = fmt("while {} ({})", self.condition(expr), cites) if cites else fmt(
                "while {}", self.condition(expr))
            if shown not in out:
                out.append(shown)
        return out

    def criterion_owners(self, name: str) -> tuple[str, ...]:
        """The standard `name` and those it extends that have a criterion, nearest first.
        Each standard's from its parent's (iteratively, memoised, and shared when it adds no
        criterion), so a chain of N standards costs N, not the N(N-1)/2 of its ancestors."""
        memo = self.criterion_memo
        path: list[str] = []  # name, then its ancestors not yet known, nearest first
        on_path: set[str] = set()
        cur: str | None = name
        while cur is not None and cur not in memo and cur in self.standards:
            path.append(cur)
            on_path.add(cur)
            cur = self.standards[cur].parent
            if cur in on_path:  # a cycle (rejected by the checker): stop here
                cur = None
        for n in reversed(path):
            parent = self.standards[n].parent
            up = memo.get(parent, ()) if parent else ()
            memo[n] = (n, *up) if self.standards[n].criterion is not None else up
        return memo.get(name, ())

    def counts_only(self, name: str, contexts: Sequence[str], rules: Sequence[str]) -> Md:
        """` (counts only while ... (§4))` after a requirement, or nothing."""
        found = self.criteria_of(name, contexts, rules)
        return fmt(" (counts only {})", words(found, "and")) if found else Md("")

    def standard(self, name: str) -> Md:
        """A standard in bold, marked when it is not yet defined."""
        shown = fmt("**{}**", self.title("standard", name))
        std = self.standards.get(name)
        if std is not None and std.hole:
            return fmt("{} (not yet defined, so never met)", shown)
        return shown


def _capital(text: Md) -> Md:
    """A sentence with a capital first letter (after any emphasis marker)."""
    lead = len(text) - len(text.lstrip("*"))
    if lead and text[lead:lead + 1].isalpha():
        return Md(text[:lead] + text[lead].upper() + text[lead + 1:])
    return Md(text[:1].upper() + text[1:])


def _sentence(text: Md, cites: Md, note: str | None = None) -> Md:
    out = fmt("{} ({}).", text, cites) if cites else fmt("{}.", text)
    return fmt("{} *Note:* {}", out, escape(one_line(note))) if note else out


def citations(anchors: Sequence[ir.Anchor]) -> Md:
    """`§2; App. C`, http(s) URLs as links."""
    return join((link(escape(a.text), a.url) for a in anchors), "; ")


# ---------------------------------------------------------------------------- thresholds


def _required_parts(w: _Words, out: Outcome, cautious: bool = True) -> list[Md]:
    """Each group of standards, then of safeguards, required in the same contexts with the
    same certainty, in words; precautionary ones say what evidence they wait for (unless not
    `cautious`: the caller says it once for all)."""
    parts = []
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for req in out.standards:
        groups.setdefault((req.contexts, req.unknown), []).append(req.name)
    for (contexts, missing), names in groups.items():
        shown = [fmt("{}{}", w.standard(n), w.counts_only(n, contexts, out.criteria_rules))
                 for n in names]  # fmt: skip
        why = w.precaution(missing) if cautious else Md("")
        parts.append(fmt("{} {}{}", words(shown), w.context_list(contexts), why))
    groups = {}
    for req in out.safeguards:
        groups.setdefault((req.contexts, req.unknown), []).append(req.name)
    for (contexts, missing), names in groups.items():
        label = "the safeguard" if len(names) == 1 else "the safeguards"
        shown = [fmt("**{}**{}", w.title("safeguard", n),
                     w.counts_only(n, contexts, out.criteria_rules)) for n in names]  # fmt: skip
        why = w.precaution(missing) if cautious else Md("")
        parts.append(fmt(label + " {} {}{}", words(shown), w.context_list(contexts), why))
    return parts


def _alert_parts(w: _Words, out: Outcome) -> list[Md]:
    return [fmt("alert: *{}*{}", w.title("rule", a.name), w.precaution(a.unknown))
            for a in out.alerts]  # fmt: skip


def _requires_cell(w: _Words, result: thresholds.Level, base: Outcome, policy: ir.Policy) -> Md:
    """What a level requires beyond the baseline (`Outcome.beyond`), then what of the
    baseline it no longer requires (`Outcome.dropped`)."""
    added = result.outcome.beyond(base)
    parts = _required_parts(w, added) + _alert_parts(w, added)
    gone = result.outcome.dropped(base, policy)
    if gone:
        dropped = Outcome(
            tuple(r for r in gone if r.name in w.standards),
            tuple(r for r in gone if r.name not in w.standards),
            (),
        )  # fmt: skip
        parts.append(fmt("no longer: {}", join(_required_parts(w, dropped), "; ")))
    return join(parts, "; ") if parts else Md("nothing beyond the baseline")


def _baseline_text(w: _Words, base: Outcome) -> Md:
    """The baseline in words: what is required below every level for certain, then, for
    each set of missing evidence, what only as a precaution until it is known."""
    sure = _required_parts(w, Outcome(
        tuple(r for r in base.standards if not r.unknown),
        tuple(r for r in base.safeguards if not r.unknown),
        (), base.criteria_rules,
    ))  # fmt: skip
    sentences = []
    if sure:
        sentences.append(fmt("Below every level the evaluator requires {}.", join(sure, "; ")))
    alerts = [a for a in base.alerts if not a.unknown]
    if alerts:
        sentences.append(fmt("It raises {}.", join(_alert_parts(w, attrs.evolve(
            base, alerts=tuple(alerts))), "; ")))  # fmt: skip
    unknowns = dict.fromkeys(r.unknown for r in (*base.standards, *base.safeguards, *base.alerts)
                             if r.unknown)  # fmt: skip
    steps = []
    for missing in unknowns:
        maybe = _required_parts(w, Outcome(
            tuple(r for r in base.standards if r.unknown == missing),
            tuple(r for r in base.safeguards if r.unknown == missing),
            (), base.criteria_rules,
        ), cautious=False)  # fmt: skip
        raised = [fmt("*{}*", w.title("rule", a.name)) for a in base.alerts
                  if a.unknown == missing]  # fmt: skip
        verbs = [fmt("requires {}", join(maybe, "; "))] if maybe else []
        if raised:
            label = "alert" if len(raised) == 1 else "alerts"
            verbs.append(fmt("raises the " + label + " {}", words(raised)))
        steps.append(fmt("{}{}", join(verbs, ", and "), w.precaution(missing)))
    also = " also" if sentences else ""
    if len(steps) == 1:
        sentences.append(fmt("When nothing else is known, the evaluator" + also + " {}.", steps[0]))
    elif steps:
        items = join([fmt("- It {}.", step) for step in steps], "\n")
        sentences.append(fmt("When nothing else is known, the evaluator" + also + " takes these "
                             "precautions, each until the evidence it names is known:\n\n{}",
                             items))  # fmt: skip
    if not sentences:
        return Md("Below every level, and when nothing else is known, the evaluator requires "
                  "no standard or safeguard.")  # fmt: skip
    return join(sentences, " ")


def _numeric(e: ir.Expr) -> list[ir.Expr]:
    """The comparisons of quantities, dates and measurement families in `e`, in order,
    without entering definitions (each definition has a row of its own)."""
    out: list[ir.Expr] = []
    stack = [e]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ir.Compare) or (isinstance(cur, ir.MemberTest) and cur.op):
            out.append(cur)
        elif isinstance(cur, ir.Not):
            stack.append(cur.operand)
        elif isinstance(cur, ir.And | ir.Or | ir.AtLeast):
            stack.extend(reversed(cur.operands))
    return out


def _bounds(w: _Words, policy: ir.Policy) -> tuple[BoundView, ...]:
    """Every numeric bound a rule or definition decides on, and every acceptance criterion
    (a safeguard's efficacy criterion, a standard's or a `require` line's `counts when`),
    where the reader looks for thresholds."""
    out: list[BoundView] = []

    def bounds(e: ir.Expr) -> Md:
        return _capital(join([w.condition(x) for x in _numeric(e)], "; "))

    for d in policy.definitions:
        if _numeric(d.expr):
            where = fmt("The definition “{}” ({})", w.title("definition", d.name), code(d.name))
            out.append(BoundView(bounds(d.expr), where, citations(d.anchors)))
    for r in policy.rules:
        if r.condition is not None and _numeric(r.condition):
            where = fmt("The condition of the rule *{}* ({})", w.title("rule", r.name),
                        code(r.name))  # fmt: skip
            out.append(BoundView(bounds(r.condition), where, citations(r.anchors)))
    for sg in policy.safeguards:
        if sg.efficacy is not None:
            where = fmt("The safeguard **{}** counts as implemented only while this holds",
                        w.title("safeguard", sg.name))  # fmt: skip
            out.append(BoundView(_capital(w.condition(sg.efficacy)), where,
                                 citations(sg.anchors)))  # fmt: skip
    for std in policy.standards:
        if std.criterion is not None:
            where = fmt("The standard {} counts only while this holds", w.standard(std.name))
            out.append(BoundView(_capital(w.condition(std.criterion)), where,
                                 citations(std.anchors)))  # fmt: skip
    for r in policy.rules:
        for q in r.requirements:
            if q.criterion is not None:
                target = (w.standard(q.target) if q.target in w.standards
                          else fmt("the safeguard **{}**",
                                   w.title("safeguard", q.target)))  # fmt: skip
                where = _capital(fmt("{}, as the rule *{}* requires it, counts only while this "
                                     "holds", target,
                                     w.title("rule", r.name)))  # fmt: skip
                cites = citations(q.anchors) if q.anchors else citations(r.anchors)
                out.append(BoundView(_capital(w.condition(q.criterion)), where, cites))
    return tuple(out)


def _rules_cell(w: _Words, level: thresholds.Level) -> Md:
    """The rules that apply for certain from this level on, and those that stop."""
    parts = [w.title("rule", n) for n in level.started]
    if level.stopped:
        parts.append(fmt("no longer: {}", join([w.title("rule", n) for n in level.stopped],
                                               "; ")))  # fmt: skip
    return join(parts, "; ")


# ---------------------------------------------------------------------------- the view

_S = TypeVar("_S")
_V = TypeVar("_V")


class Lazy(Sequence[_V], Generic[_S, _V]):
    """The views of `items`, each made by `build` when a template reaches it and not kept.

    A policy's rules, levels, standards and terms are as many as its lines, and each view
    holds its sentences: made all at once, before the first line of the document, they
    would take several times the size of the source (bench/memory.py). A template reads
    them in order, and a view read again (the contents, then the sections) is made again:
    the same view, since the document is deterministic. Its length costs nothing."""

    __slots__ = ("_build", "_items")

    def __init__(self, items: Sequence[_S], build: Callable[[_S], _V]) -> None:
        self._items = items
        self._build = build

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[_V]:
        return map(self._build, self._items)

    @overload
    def __getitem__(self, index: int) -> _V: ...

    @overload
    def __getitem__(self, index: slice) -> Lazy[_S, _V]: ...

    def __getitem__(self, index: int | slice) -> _V | Lazy[_S, _V]:
        if isinstance(index, slice):
            return Lazy(self._items[index], self._build)
        return self._build(self._items[index])


@attrs.frozen
class LevelView:
    """A row of a threshold table. `who` names the threat actors and the baseline;
    `requires` is what the evaluator requires when only this level is reached."""

    name: str
    title: Md
    means: str | None
    who: Md
    requires: Md
    rules: Md
    citations: Md


@attrs.frozen
class DomainView:
    name: str
    title: Md
    status: Md
    deciders: Md
    means: str | None
    citations: Md
    levels: Sequence[LevelView]
    assessed: Md | None = None  # how it is assessed: per setting, after mitigation
    risk: bool = False
    carry_forward: Md | None = None


@attrs.frozen
class SafeguardView:
    """A safeguard in a standard's list; `note` holds its category, claim, efficacy
    criterion and citations."""

    name: str
    title: Md
    means: str | None
    note: Md


@attrs.frozen
class StandardView:
    name: str
    title: Md
    hole: bool
    extends: Md | None
    protects: tuple[str, ...]
    excludes: tuple[str, ...]
    references: tuple[str, ...]
    means: str | None
    citations: Md
    safeguards: Sequence[SafeguardView]
    criterion: Md | None = None  # `counts only while ...`, its own and inherited criteria


@attrs.frozen
class FamilyView:
    name: str
    title: Md
    means: str | None
    citations: Md
    standards: Sequence[StandardView]


@attrs.frozen
class TreeItem:
    """A line of a condition shown as a nested list; `indent` lays out its depth."""

    indent: Md
    text: Md


@attrs.frozen
class RuleView:
    """A rule in sentences. `lead` introduces it; `tree` (depth, text) is its condition when
    too complex for one sentence, followed by `then`; `items` are requirements and
    obligations; `fallbacks` apply when its requirements are not met."""

    kind: str
    kind_word: Md
    name: str
    title: Md
    means: str | None
    citations: Md
    lead: Md
    tree: tuple[TreeItem, ...]
    then: Md | None
    items: tuple[Md, ...]
    fallbacks: tuple[Md, ...]
    checkpoint: Md | None
    ladder: bool = False  # the fallbacks are an escalation ladder (`if unmet in order`)


@attrs.frozen
class TermView:
    """A row of a reference table: roles, contexts, evidence, definitions, artifacts."""

    name: str
    title: Md
    text: Md
    extra: Md
    means: str | None
    citations: Md
    items: tuple[str, ...] = ()


@attrs.frozen
class ChangeView:
    date: Md
    version: str
    summary: str


@attrs.frozen
class SourceView:
    anchor: Md
    cited_by: Md


@attrs.frozen
class Document:
    """Everything the templates see. `period` says when the policy is in force."""

    id: str
    title: str
    organization: str | None
    version: str | None
    effective: Md | None
    published: Md | None
    supersedes: str | None
    url: Md | None
    means: str | None
    citations: Md
    combine_all: bool
    changes: tuple[ChangeView, ...]
    baseline: Md
    domains: Sequence[DomainView]
    diagram: Sequence[Md]
    graph: Graph
    families: Sequence[FamilyView]
    other_safeguards: Sequence[SafeguardView]
    rules: Sequence[RuleView]
    warnings: Sequence[RuleView]
    cadences: Sequence[RuleView]
    definitions: Sequence[TermView]
    evidence: Sequence[TermView]
    roles: Sequence[TermView]
    artifacts: Sequence[TermView]
    contexts: Sequence[TermView]
    context_groups: Sequence[TermView]
    blocking_actions: Md
    sources: tuple[SourceView, ...]
    compiler: Md
    source_hash: Md
    superseded: Md | None = None
    period: Md | None = None
    role_groups: Sequence[TermView] = ()
    role_choices: bool = False  # some duty has role alternatives or recipients, or a group
    prohibitions: bool = False  # the policy has a `must not` or `should not`
    waivers: Sequence[WaiverView] = ()
    bounds: tuple[BoundView, ...] = ()
    assertions: Sequence[AssertView] = ()


@attrs.frozen
class BoundView:
    """A row of the table of numeric thresholds and criteria: `what` holds the bound or
    criterion in words, `where` what it decides, `citations` its sources."""

    what: Md
    where: Md
    citations: Md


@attrs.frozen
class WaiverView:
    """A waiver: its title, name, sources and the sentence that states it."""

    name: str
    title: Md
    citations: Md
    means: str | None
    text: Md


def _waiver_text(w: _Words, waiver: ir.Waiver, full: bool = True) -> Md:
    """"The requirement for X in external deployment may be waived when ..., with the
    approval of the CEO and the Board." """
    if waiver.kind == "duty":
        assert waiver.rule is not None
        duty = next(
            (o for r in w.policy.rules if r.name == waiver.rule
             for o in (*r.obligations, *r.fallbacks) if o.key == waiver.target),
            None,
        )  # the duty: the key is its `as` name when it has one
        verb = w.mid("action", duty.action if duty is not None else waiver.target)
        objects = w.objects(duty) if duty is not None else Md("")
        what = fmt("The duty of rule “{}” to {}", w.title("rule", waiver.rule),
                   fmt("{} {}", verb, objects) if objects else verb)  # fmt: skip
    else:
        what = fmt("The requirement for {}", w.thing(waiver.kind, waiver.target))
    where = w.context_list(waiver.contexts, waiver.written)
    when = (
        fmt(" when {}", w.condition(waiver.condition)) if waiver.condition is not None
        else Md("")
    )  # fmt: skip
    text = fmt("{} {} may be waived{}, with the approval of {}.", what, where, when,
               w.roles(waiver.approved_by, any_one=waiver.approved_by_any,
                       approval=True))  # fmt: skip
    if not full:
        return fmt("{} (see “Waivers and exemptions”)", Md(text[:-1]))
    noun = "duty" if waiver.kind == "duty" else "requirement"
    return fmt("{} It counts only once that approval is recorded and while its condition is "
               "known to hold; otherwise the " + noun + " stands.", text)  # fmt: skip


def _waiver_views(w: _Words, policy: ir.Policy) -> Lazy[ir.Waiver, WaiverView]:
    return _titled_views(policy.waivers, WaiverView, lambda x: _waiver_text(w, x))


@attrs.frozen
class AssertView:
    """An assertion: its title, name, sources and the sentence that states its claim."""

    name: str
    title: Md
    citations: Md
    means: str | None
    text: Md


def _assertion_text(w: _Words, a: ir.Assertion) -> Md:
    """"Never permitted for open-weight release when ...", "Whenever ..., the policy requires
    the ASL-3 standard in every context." """
    where = w.context_list(a.contexts, a.written)
    if a.kind == "requires":
        assert a.condition is not None  # the grammar's
        return fmt("Whenever {}, the policy requires {} {}.", w.condition(a.condition),
                   w.thing(a.target_kind, a.target), where)  # fmt: skip
    word = "Never" if a.kind == "never_permitted" else "Always"
    when = fmt(" when {}", w.condition(a.condition)) if a.condition is not None else Md("")
    return fmt(word + " permitted {}{}.", where, when)


_T = TypeVar("_T", ir.Waiver, ir.Assertion)
_TV = TypeVar("_TV", WaiverView, AssertView)


def _titled_views(
    items: Sequence[_T], view: Callable[..., _TV], text: Callable[[_T], Md]
) -> Lazy[_T, _TV]:
    """The views of waivers or assertions: each its name, title, sources, note and the
    sentence `text` states it in."""
    return Lazy(items, lambda x: view(
        name=x.name,
        title=escape(x.title) if _has_text(x.title) else code(x.name),
        citations=citations(x.anchors),
        means=x.means,
        text=text(x),
    ))  # fmt: skip


def _assert_views(w: _Words, policy: ir.Policy) -> Lazy[ir.Assertion, AssertView]:
    return _titled_views(policy.assertions, AssertView, lambda x: _assertion_text(w, x))


def _safeguard_note(w: _Words, sg: ir.Safeguard) -> Md:
    parts: list[Md] = []
    if sg.category:
        parts.append(fmt("category: {}", escape(sg.category.replace("_", " "))))
    if sg.claim:
        parts.append(fmt("claim: {}", escape(sg.claim.replace("_", " "))))
    if sg.efficacy is not None:
        parts.append(fmt("counts as implemented only when {}", w.condition(sg.efficacy)))
    if sg.anchors:
        parts.append(citations(sg.anchors))
    return join(parts, "; ")


def _safeguard_view(w: _Words, sg: ir.Safeguard) -> SafeguardView:
    return SafeguardView(
        name=sg.name,
        title=w.title("safeguard", sg.name),
        means=sg.means,
        note=_safeguard_note(w, sg),
    )


def _standard_link(w: _Words, name: str) -> Md:
    """The standard's title, linked to its entry in "Safeguard standards": the anchor a
    Markdown renderer such as GitHub's gives the heading `Title (name)`."""
    shown = f"{one_line(w.raw('standard', name) or name)} ({name})"
    kept = "".join(c for c in shown.lower() if c.isalnum() or c in " -_")
    return Md(f"[{w.title('standard', name)}](#{kept.replace(' ', '-')})")


def _families(w: _Words, policy: ir.Policy) -> Lazy[ir.Family, FamilyView]:
    safeguards = {s.name: s for s in policy.safeguards}
    standards = {s.name: s for s in policy.standards}
    in_family: dict[str, list[ir.Standard]] = {}
    for std in policy.standards:
        in_family.setdefault(std.family, []).append(std)

    def safeguard(name: str) -> SafeguardView:
        return _safeguard_view(w, safeguards[name])

    def standard(std: ir.Standard) -> StandardView:
        # A standard that extends another lists only the safeguards it adds (its expanded
        # list is its parent's, then those): "includes everything in" says the rest, so
        # the section is as long as the policy, not the sum of every chain's length.
        parent = standards[std.parent] if std.parent else None
        return StandardView(
            name=std.name,
            title=w.title("standard", std.name),
            hole=std.hole,
            extends=_standard_link(w, parent.name) if parent else None,
            protects=std.protects,
            excludes=std.excludes,
            references=std.references,
            means=std.means,
            citations=citations(std.anchors),
            safeguards=Lazy(std.added_safeguards if parent else std.safeguards, safeguard),
            criterion=_standard_criterion(w, std),
        )

    return Lazy(policy.families, lambda fam: FamilyView(
        name=fam.name,
        title=w.title("family", fam.name),
        means=fam.means,
        citations=citations(fam.anchors),
        standards=Lazy(in_family.get(fam.name, ()), standard),
    ))  # fmt: skip


def _standard_criterion(w: _Words, std: ir.Standard) -> Md | None:
    found = w.criteria_of(std.name, (), ())
    return fmt("It counts only {}.", words(found, "and")) if found else None


def _rule_views(w: _Words, policy: ir.Policy, kind: str) -> Lazy[ir.Rule, RuleView]:
    return Lazy(tuple(r for r in policy.rules if r.kind == kind), lambda r: _rule_view(w, r))


def _rule_view(w: _Words, rule: ir.Rule) -> RuleView:
    items: list[Md] = []
    groups: list[list[ir.Requirement]] = []
    for req in rule.requirements:
        last = groups[-1][0] if groups else None
        if last and (last.kind, last.contexts, last.anchors, last.note, last.modality) == (
            req.kind, req.contexts, req.anchors, req.note, req.modality
        ) and last.criterion is None and req.criterion is None:  # fmt: skip
            groups[-1].append(req)
        else:
            groups.append([req])
    items += [w.requirement(g, citations(g[0].anchors)) for g in groups]
    items += [w.obligation(o, citations(o.anchors)) for o in rule.obligations]
    fallbacks = tuple(w.obligation(o, citations(o.anchors)) for o in rule.fallbacks)
    targets = {q.target for q in rule.requirements if q.modality == "must"}
    items += [
        fmt("*Waiver:* {}.", _waiver_text(w, x, full=False))
        for x in w.policy.waivers
        if (x.kind != "duty" and x.target in targets) or x.rule == rule.name
    ]
    warning = rule.kind == "warning"
    tree: list[TreeItem] = []
    then = None
    if rule.condition is None and warning:
        lead = Md("This alert is always raised" + (", and:" if items else "."))
    elif rule.condition is None:
        lead = Md("Always in force:" if items else "Always in force.")
    elif w.simple(rule.condition) or not isinstance(rule.condition, ir.And | ir.Or | ir.AtLeast):
        e = rule.condition  # one sentence (also `not` of a group, which is no list of items)
        if isinstance(e, ir.LevelCmp) and e.op == ">=" and e.domain in w.risk:
            clause = fmt("If {}, or that verdict cannot be ruled out", w.condition(e))
        elif isinstance(e, ir.LevelCmp) and e.op == ">=":
            clause = fmt("If {}, or {} cannot be ruled out", w.condition(e),
                         w.level_mid(e.domain, e.level, the=True))  # fmt: skip
        else:
            clause = fmt("If {}, or if this cannot be ruled out", w.condition(e))
        if warning:
            lead = fmt("{}, this alert is raised" + (", and:" if items else "."), clause)
        else:
            lead = fmt("{}, then:" if items else "{}, this rule applies.", clause)
    else:
        e = rule.condition
        assert isinstance(e, ir.And | ir.Or | ir.AtLeast)
        noun = "alert" if warning else "rule"
        head = w.group_head(e).replace(" the following:", "")
        lead = Md(f"This {noun} applies when {head} the following hold, or when that cannot "
                  "be ruled out:")  # fmt: skip
        tree = [TreeItem(Md("  " * (depth - 1)), text) for depth, text in w.tree(e)[1:]]
        if warning:
            then = Md("Then the alert is raised" + (", and:" if items else "."))
        else:
            then = Md("Then:") if items else None
    if rule.contexts:
        lead = fmt(
            "Decided for each context separately ({}), each reading its own determination; "
            "the requirements and blocking duties for a context follow from its decision. {}",
            words([w.mid("context", c) for c in rule.contexts]), lead,
        )  # fmt: skip
    checkpoint = None
    if rule.rules_out:
        ruled = [_ruled_out(w, ro) for ro in rule.rules_out]
        what = (
            fmt("{} is ruled out", ruled[0]) if len(ruled) == 1
            else fmt("each of these is ruled out: {}", join(ruled, "; "))
        )  # fmt: skip
        checkpoint = fmt(
            "Checkpoint: when this condition is definitely not met, {}, unless the assessment "
            "determines that such a level is reached.", what,
        )  # fmt: skip
    return RuleView(
        kind=rule.kind,
        kind_word=Md(_KIND_WORD.get(rule.kind, "Rule")),
        name=rule.name,
        title=w.title("rule", rule.name),
        means=rule.means,
        citations=citations(rule.anchors),
        lead=lead,
        tree=tuple(tree),
        then=then,
        items=tuple(items),
        fallbacks=fallbacks,
        ladder=rule.ladder,
        checkpoint=checkpoint,
    )


def _ruled_out(w: _Words, ro: ir.RuleOut) -> Md:
    """What a checkpoint rules out: `capability in Cyber at High or above`, or for a risk
    verdict `a verdict of not acceptable or worse (Misuse risk)`, as `_Words.verdict` says
    a verdict (never "capability ... at Not acceptable")."""
    level = w.level_mid(ro.domain, _level_name(w.policy, ro.domain, ro.rank))
    if ro.domain in w.risk:
        top = ro.rank == w.risk[ro.domain]
        return fmt("a verdict of {}" + ("" if top else " or worse") + " ({})", level,
                   w.title("domain", ro.domain))  # fmt: skip
    level = w.level_mid(ro.domain, _level_name(w.policy, ro.domain, ro.rank), the=True)
    return fmt("capability in {} at {} or above", w.mid("domain", ro.domain), level)


def _level_name(policy: ir.Policy, domain: str, rank: int) -> str:
    for d in policy.domains:
        if d.name == domain:
            for lv in d.levels:
                if lv.rank == rank:
                    return lv.name
    return str(rank)


def _measured(e: ir.Evidence) -> Md:
    """`, measured per attack: gcg, pair, tap` for a measurement family; else nothing."""
    if e.per is None:
        return Md("")
    if e.members is None:
        return escape(f", measured per {e.per} (each {e.per} the assessment lists)")
    return fmt(", measured per {}: {}", escape(e.per), join([code(m) for m in e.members]))


def _evidence_kind(e: ir.Evidence) -> Md:
    if e.type in ("fact", "judgement"):
        return escape(f"{e.type} (yes or no)")
    if e.type == "date":
        return Md("date")
    unit = {"multiplier": "×", "fraction": "%", "compute": "FLOP", "money": "USD",
            "duration": "days, weeks, months or years"}.get(e.type)  # fmt: skip
    return escape(f"{e.type} ({unit})" if unit else e.type)


def _domains(
    w: _Words, policy: ir.Policy, found: thresholds.Levels
) -> Lazy[ir.Domain, DomainView]:
    def level(d: ir.Domain, lv: ir.Level) -> LevelView:
        result = found.levels[(d.name, lv.name)]
        who = []
        if lv.actors:
            who.append(fmt("Threat actors: {}.", join([escape(a) for a in lv.actors], "; ")))
        if _has_text(lv.baseline):
            who.append(fmt("Baseline: {}", escape(lv.baseline or "")))
        return LevelView(
            name=lv.name,
            title=w.level(d.name, lv.name),
            means=lv.means,
            who=join(who, " "),
            requires=_requires_cell(w, result, found.baseline, policy),
            rules=_rules_cell(w, result),
            citations=citations(lv.anchors),
        )

    return Lazy(policy.domains, lambda d: DomainView(
        name=d.name,
        title=w.title("domain", d.name),
        status=escape(_STATUS.get(d.status, d.status)),
        deciders=w.roles(d.deciders),
        means=d.means,
        citations=citations(d.anchors),
        levels=Lazy(d.levels, lambda lv: level(d, lv)),
        assessed=_assessed(w, d),
        risk=d.risk,
        carry_forward=_carry_forward(w, d),
    ))  # fmt: skip


def _assessed(w: _Words, d: ir.Domain) -> Md | None:
    """How a domain assessed per setting or after mitigation is determined, in words."""
    parts = []
    if d.settings:
        settings = words([w.mid("context", s.name) for s in d.settings])
        text = "The level is determined separately for {}; a setting without a determination "
        parts.append(fmt(text + "is unknown, never taken from another.", settings))
    if d.order:
        order = join([w.mid("context", s) for s in d.order], " ≤ ")
        parts.append(fmt("The levels are ordered {}: a level reached in one setting is reached "
                         "in every later one.", order))  # fmt: skip
    if d.residual:
        parts.append(Md("It is determined before mitigation and again after mitigation; the "
                        "level after is never above the level before. The table below is for "
                        "the level before mitigation."))  # fmt: skip
    return join(parts, " ") if parts else None


def _carry_forward(w: _Words, d: ir.Domain) -> Md | None:
    """When a determination of `d` carried forward from an earlier assessment counts (None
    when the policy never speaks of carrying determinations forward)."""
    if not w.carries_forward:
        return None
    parts: list[Md] = []
    for c in d.carry_forward:
        if c.text is not None:
            parts.append(fmt("it was made at most {} before the assessment date", escape(c.text)))
        if c.condition is not None:
            parts.append(fmt("{}", w.condition(c.condition)))
    if not parts:
        return Md(
            "A determination carried forward from an earlier assessment is not accepted: it "
            "counts as not determined."
        )
    return fmt(
        "A determination carried forward from an earlier assessment (of this or another model) "
        "counts only if {}; otherwise it counts as not determined.",
        words(parts, "and"),
    )


@attrs.frozen
class GraphNode:
    """A box of the capability diagram: a generated id and its label (plain policy text:
    each backend escapes it for its own format)."""

    id: str
    label: str


@attrs.frozen
class GraphGroup:
    """A framed group of boxes: a family and its standards, or a domain and its levels."""

    id: str
    label: str
    nodes: tuple[GraphNode, ...]


@attrs.frozen
class GraphEdge:
    """An arrow: `dotted` for alerts, `extends` and precautions; `label` (`extends`,
    `precaution`) is markup, never policy text."""

    source: str
    target: str
    dotted: bool = False
    label: str | None = None


@attrs.frozen
class Graph:
    """The capability diagram as data: each level to the standards (and alerts) it adds to
    what is required below every level (`baseline`, with its own edges). The Markdown
    backend writes it as Mermaid, the HTML backend as SVG."""

    families: tuple[GraphGroup, ...]
    baseline: GraphNode | None
    domains: tuple[GraphGroup, ...]
    alerts: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def _arrows(
    source: str, required: Sequence[thresholds.Required], ids: dict[str, str]
) -> list[GraphEdge]:
    """An arrow from `source` to each standard required: solid when required for certain in
    some context, dotted and marked `precaution` when only as a precaution."""
    certain: dict[str, bool] = {}
    for r in required:
        if not r.unknown or r.name not in certain:
            certain[r.name] = not r.unknown
    return [
        GraphEdge(source, ids[n]) if sure else GraphEdge(source, ids[n], True, "precaution")
        for n, sure in certain.items()
    ]


def _graph(w: _Words, policy: ir.Policy, found: thresholds.Levels) -> Graph:
    """The capability diagram's data: each level to the standards (and alerts) it adds to
    what is required below every level. Node ids are generated, never policy names."""
    std_ids: dict[str, str] = {}
    families: list[GraphGroup] = []
    for i, fam in enumerate(policy.families, 1):
        nodes: list[GraphNode] = []
        for j, std in enumerate((s for s in policy.standards if s.family == fam.name), 1):
            node = std_ids[std.name] = f"F{i}S{j}"
            label = w.raw("standard", std.name) or std.name
            if std.hole:
                label += " (not yet defined)"
            nodes.append(GraphNode(node, label))
        families.append(GraphGroup(f"F{i}", w.raw("family", fam.name) or fam.name, tuple(nodes)))
    baseline = found.baseline
    base_alerts = {a.name for a in baseline.alerts}
    edges: list[GraphEdge] = []
    base_node = None
    if baseline.standards:
        base_node = GraphNode("B0", "Below every level, nothing else known")
        edges += _arrows("B0", baseline.standards, std_ids)
    alerts: dict[str, GraphNode] = {}
    domains: list[GraphGroup] = []
    for i, d in enumerate(policy.domains, 1):
        levels: list[GraphNode] = []
        for j, lv in enumerate(d.levels, 1):
            node = f"D{i}L{j}"
            levels.append(GraphNode(node, lv.title or lv.name))
            result = found.levels[(d.name, lv.name)].outcome.beyond(baseline)
            edges += _arrows(node, result.standards, std_ids)
            for name in dict.fromkeys(a.name for a in result.alerts):
                if name in base_alerts:
                    continue
                if name not in alerts:
                    label = "Alert: " + (w.raw("rule", name) or name)
                    alerts[name] = GraphNode(f"A{len(alerts) + 1}", label)
                edges.append(GraphEdge(node, alerts[name].id, dotted=True))
        domains.append(GraphGroup(f"D{i}", w.raw("domain", d.name) or d.name, tuple(levels)))
    for std in policy.standards:
        if std.extends and std.extends in std_ids:
            edges.append(GraphEdge(std_ids[std.name], std_ids[std.extends], True, "extends"))
    return Graph(tuple(families), base_node, tuple(domains), tuple(alerts.values()), tuple(edges))


class Diagram(Sequence[Md]):
    """The Mermaid flowchart lines of the capability diagram, written again each time a
    template reads them (`_diagram`): there are as many as levels and standards, so they
    are never all held. Their number and an indexed line cost writing them all."""

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def __iter__(self) -> Iterator[Md]:
        return _diagram(self._graph)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @overload
    def __getitem__(self, index: int) -> Md: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Md, ...]: ...

    def __getitem__(self, index: int | slice) -> Md | tuple[Md, ...]:
        return tuple(self)[index]


def _diagram(graph: Graph) -> Iterator[Md]:
    """Mermaid flowchart lines of the capability diagram. Labels go through
    `mermaid_label`; an alert's box is written where it is first pointed at."""
    yield Md("flowchart LR")
    for fam in graph.families:
        yield fmt(f"  subgraph {fam.id}[{{}}]", mermaid_label(fam.label))
        yield from (fmt(f"    {n.id}[{{}}]", mermaid_label(n.label)) for n in fam.nodes)
        yield Md("  end")
    if graph.baseline is not None:
        yield fmt(f"  {graph.baseline.id}([{{}}])", mermaid_label(graph.baseline.label))
        yield from (_edge(e) for e in graph.edges if e.source == "B0")
    for d in graph.domains:
        yield fmt(f"  subgraph {d.id}[{{}}]", mermaid_label(d.label))
        yield from (fmt(f"    {n.id}[{{}}]", mermaid_label(n.label)) for n in d.nodes)
        yield Md("  end")
    alerts = {a.id: a for a in graph.alerts}
    for e in graph.edges:
        if graph.baseline is not None and e.source == "B0":
            continue  # written with the baseline
        if e.target in alerts:
            alert = alerts.pop(e.target)
            yield fmt("  " + alert.id + "{{{{{}}}}}", mermaid_label(alert.label))
        yield _edge(e)


def _edge(e: GraphEdge) -> Md:
    """One Mermaid arrow: solid, dotted, or dotted with its label (`-. extends .->`)."""
    if e.label:
        return Md(f"  {e.source} -. {e.label} .-> {e.target}")
    return Md(f"  {e.source} {'-.->' if e.dotted else '-->'} {e.target}")


def _sources(w: _Words, policy: ir.Policy) -> tuple[SourceView, ...]:
    """Every anchor, with what cites it, sections (§) first, then in natural order."""
    cited: dict[tuple[str, str | None], dict[Md, None]] = {}  # each citer once, in order

    def add(anchors: Iterable[ir.Anchor], who: Md) -> None:
        for a in anchors:
            cited.setdefault((a.text, a.url), {})[who] = None

    add(policy.anchors, Md("the policy"))
    for kind, word, decls in (
        ("role", "role", policy.roles), ("context", "context", policy.contexts),
        ("group", "context group", policy.context_groups),
    ):  # fmt: skip
        for decl in decls:
            add(decl.anchors, fmt(word + " “{}”", w.title(kind, decl.name)))
    for dom in policy.domains:
        add(dom.anchors, fmt("domain “{}”", w.title("domain", dom.name)))
        for lv in dom.levels:
            add(lv.anchors, fmt("level “{}”", w.level(dom.name, lv.name)))
    for ev in policy.evidence:
        add(ev.anchors, fmt("evidence “{}”", w.title("evidence", ev.name)))
    for df in policy.definitions:
        add(df.anchors, fmt("definition “{}”", w.title("definition", df.name)))
    for sg in policy.safeguards:
        add(sg.anchors, fmt("safeguard “{}”", w.title("safeguard", sg.name)))
    for fam in policy.families:
        add(fam.anchors, fmt("family “{}”", w.title("family", fam.name)))
    for std in policy.standards:
        add(std.anchors, fmt("standard “{}”", w.title("standard", std.name)))
    for art in policy.artifacts:
        add(art.anchors, fmt("artifact “{}”", w.title("artifact", art.name)))
    for act in policy.actions:
        add(act.anchors, fmt("action “{}”", w.title("action", act.name)))
    for rule in policy.rules:
        word = _KIND_WORD.get(rule.kind, "Rule").lower()
        title = w.title("rule", rule.name)
        add(rule.anchors, fmt(word + " “{}”", title))
        for req in rule.requirements:
            add(req.anchors, fmt("a requirement of " + word + " “{}”", title))
        for ob in (*rule.obligations, *rule.fallbacks):
            add(ob.anchors, fmt("an obligation of " + word + " “{}”", title))
    for waiver in policy.waivers:
        shown = escape(waiver.title) if _has_text(waiver.title) else code(waiver.name)
        add(waiver.anchors, fmt("waiver “{}”", shown))

    def key(item: tuple[tuple[str, str | None], dict[Md, None]]) -> tuple[Any, ...]:
        text, url = item[0]
        parts = re.split(r"(\d+)", one_line(text).lower())
        natural = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)
        return (not text.startswith("§"), natural, text, url or "")

    return tuple(
        SourceView(anchor=link(escape(text), url), cited_by=join(list(who), "; "))
        for (text, url), who in sorted(cited.items(), key=key)
    )


_NOTHING = Md("")


def _term(w: _Words, kind: str, decl: Any, text: Md = _NOTHING, extra: Md = _NOTHING) -> TermView:
    return TermView(
        name=decl.name,
        title=w.title(kind, decl.name),
        text=text,
        extra=extra,
        means=decl.means,
        citations=citations(decl.anchors),
        items=getattr(decl, "contains", ()),
    )


def _terms(w: _Words, policy: ir.Policy) -> dict[str, Lazy[Any, TermView]]:
    return {
        "roles": Lazy(tuple(r for r in policy.roles if not r.members),
                      lambda r: _term(w, "role", r)),
        "role_groups": Lazy(tuple(r for r in policy.roles if r.members), lambda r: _term(
            w, "role", r, words([w.role(m, i == 0) for i, m in enumerate(r.members)]))),
        "contexts": Lazy(policy.contexts, lambda c: _term(w, "context", c)),
        "context_groups": Lazy(policy.context_groups, lambda g: _term(
            w, "group", g, words([w.title("context", m) for m in g.members]))),
        "evidence": Lazy(policy.evidence, lambda e: _term(
            w, "evidence", e, fmt("{}{}", _evidence_kind(e), _measured(e)),
            words([w.title("role", r) for r in e.deciders]))),  # a cell: labels
        "definitions": Lazy(policy.definitions,
                            lambda d: _term(w, "definition", d, w.condition(d.expr))),
        "artifacts": Lazy(policy.artifacts, lambda a: _term(w, "artifact", a, w.roles(a.audience))),
    }  # fmt: skip


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_D = TypeVar("_D", bound=_Named)


def used_only(policy: ir.Policy) -> ir.Policy:
    """`policy` without the declarations of imported files that it does not use
    (`ir.Policy.imported_unused`). Nothing it keeps names one it drops, and none it drops
    changes a decision, so the document says the same of everything it shows."""
    if not policy.imported_unused:
        return policy
    drop = frozenset(policy.imported_unused)

    def kept(items: tuple[_D, ...]) -> tuple[_D, ...]:
        return tuple(x for x in items if x.name not in drop)

    return attrs.evolve(
        policy,
        roles=kept(policy.roles), contexts=kept(policy.contexts),
        context_groups=kept(policy.context_groups), domains=kept(policy.domains),
        evidence=kept(policy.evidence), definitions=kept(policy.definitions),
        safeguards=kept(policy.safeguards), families=kept(policy.families),
        standards=kept(policy.standards), artifacts=kept(policy.artifacts),
        actions=kept(policy.actions),
    )  # fmt: skip


def document(policy: ir.Policy, *, full_catalogue: bool = False) -> Document:
    """The view of `policy` that the templates lay out: of the declarations of imported
    files, only those the policy uses, unless `full_catalogue`."""
    if not full_catalogue:
        policy = used_only(policy)
    w = _Words(policy)
    found = thresholds.levels(policy)
    graph = _graph(w, policy, found)
    terms = _terms(w, policy)
    blocking = [w.title("action", a.name) for a in policy.actions if a.blocking]
    in_standards = {x for s in policy.standards for x in s.own_safeguards}
    return Document(
        id=policy.id,
        title=policy.title if _has_text(policy.title) else policy.id,
        organization=policy.organization,
        version=policy.version,
        effective=escape(date_text(policy.effective)) if policy.effective else None,
        published=escape(date_text(policy.published)) if policy.published else None,
        supersedes=policy.supersedes,
        url=url_text(policy.url) if policy.url else None,
        means=policy.means,
        citations=citations(policy.anchors),
        combine_all=policy.combine == "all",
        changes=tuple(
            ChangeView(escape(date_text(c.date)) if c.date else Md(""), c.version, c.summary)
            for c in policy.changes
        ),
        baseline=_baseline_text(w, found.baseline),
        domains=_domains(w, policy, found),
        diagram=Diagram(graph),
        graph=graph,
        families=_families(w, policy),
        other_safeguards=Lazy(
            tuple(sg for sg in policy.safeguards if sg.name not in in_standards),
            lambda sg: _safeguard_view(w, sg),
        ),
        rules=_rule_views(w, policy, "rule"),
        warnings=_rule_views(w, policy, "warning"),
        cadences=_rule_views(w, policy, "cadence"),
        definitions=terms["definitions"],
        evidence=terms["evidence"],
        roles=terms["roles"],
        artifacts=terms["artifacts"],
        contexts=terms["contexts"],
        context_groups=terms["context_groups"],
        blocking_actions=words(blocking),
        sources=_sources(w, policy),
        compiler=escape(f"rspl {__version__}"),
        source_hash=code(policy.source_hash),
        superseded=_superseded(policy),
        period=_period(policy),
        role_groups=terms["role_groups"],
        role_choices=any(r.members for r in policy.roles) or any(
            o.by_any or o.approved_by_any or o.to
            for r in policy.rules for o in (*r.obligations, *r.fallbacks)
        ),
        prohibitions=any(
            o.prohibited for r in policy.rules for o in (*r.obligations, *r.fallbacks)
        ),
        waivers=_waiver_views(w, policy),
        bounds=_bounds(w, policy),
        assertions=_assert_views(w, policy),
    )


def _superseded(policy: ir.Policy) -> Md | None:
    if policy.superseded is None:
        return None
    by = fmt(" by {}", escape(policy.successor)) if _has_text(policy.successor) else Md("")
    return fmt("{}{}", escape(date_text(policy.superseded)), by)


def _period(policy: ir.Policy) -> Md | None:
    """The policy's period, as the evaluator applies it."""
    start, end = policy.effective, policy.superseded
    if start is None and end is None:
        return None
    if start is not None and end is not None:
        span = fmt("from {} up to the day before {}", escape(date_text(start)),
                   escape(date_text(end)))  # fmt: skip
    elif start is not None:
        span = fmt("from {}", escape(date_text(start)))
    else:
        assert end is not None
        span = fmt("up to the day before {}", escape(date_text(end)))
    return fmt(
        "The policy is in force {}. For an assessment dated outside that period the evaluator "
        "says the policy is not in force and permits nothing; for an undated assessment it "
        "reports that this is unknown.",
        span,
    )


# ---------------------------------------------------------------------------- rendering


def environment(templates: str | None = None) -> jinja2.Environment:
    """The Jinja2 environment: the shipped templates, overridden file by file by those in
    the folder `templates`. Undefined names are errors; printed values must be `Md`."""
    shipped = jinja2.PackageLoader("rspl", "templates")
    loader: jinja2.BaseLoader = shipped
    if templates is not None:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates), shipped])
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one render: never stat a template file again per include
    )
    filters: dict[str, Callable[..., Md]] = {"md": _md_filter, "cell": cell, "code": _code_filter}
    env.filters.update(filters)
    return env


_CHUNK = 1 << 14
"""About how much template output `_tidy` gathers before it cuts lines and passes them on."""


def _tidy(chunks: Iterable[str]) -> Iterator[str]:
    """The text of `chunks` with no spaces at the ends of lines, at most one blank line in a
    row, none first or last, and one newline at the end; in pieces of whole lines as the text
    comes, so it is never held whole. (Never inside the diagram: its lines are never blank.)
    Lines are those of `str.splitlines`, wherever the chunks end: an unfinished last line, or
    one that ends in `\\r` (maybe half of a `\\r\\n`), waits for more."""
    started = blank = False  # a line was written; a blank line is due before the next one

    def tidied(lines: Iterable[str]) -> Iterator[str]:
        nonlocal started, blank
        for line in lines:
            line = line.rstrip()  # the line break too: every one is whitespace
            if not line:
                blank = started
                continue
            if blank:
                yield "\n"
                blank = False
            started = True
            yield line + "\n"

    batch: list[str] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= _CHUNK:
            lines = "".join(batch).splitlines(keepends=True)
            last = lines[-1]
            batch = [lines.pop()] if last[-1] == "\r" or last.splitlines()[0] == last else []
            size = len(batch[0]) if batch else 0
            yield "".join(tidied(lines))
    text = "".join(tidied("".join(batch).splitlines()))
    yield text if started else "\n"


def _events(env: jinja2.Environment, doc: Document) -> Iterator[str]:
    """The output of `policy.md.j2` on `doc` as Jinja produces it, a failure of a template
    raised as a `TemplateError`."""
    try:
        yield from env.get_template("policy.md.j2").generate(doc=doc)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except (jinja2.TemplateError, UnescapedTextError) as exc:
        raise TemplateError(f"{type(exc).__name__}: {exc}") from exc


def edition_pieces(
    policy: ir.Policy, templates: str | None = None, **options: Any
) -> tuple[Iterator[str], Document]:
    """The document's Markdown text, in pieces of whole lines laid out as they are read, and
    the view it is laid out from: the HTML backend reads both. The view builds its long
    sequences an item at a time (`Lazy`) and the text is never held whole, so neither costs
    the size of the document (bench/memory.py). `options` go to `document`."""
    env = environment(templates)
    doc = document(policy, **options)
    return _tidy(_events(env, doc)), doc


def edition(
    policy: ir.Policy, templates: str | None = None, **options: Any
) -> tuple[str, Document]:
    """The document's Markdown text, whole, and the view it was laid out from
    (`edition_pieces`)."""
    pieces, doc = edition_pieces(policy, templates, **options)
    return "".join(pieces), doc


def render_pieces(
    policy: ir.Policy, templates: str | None = None, **options: Any
) -> dict[str, Iterator[str]]:
    """`{module}.md` as the pieces of its text, laid out as they are read (`rspl build`
    writes each to the file as it comes). A folder of `templates` is first run over the
    whole document, its text thrown away as it comes: a template that fails does so here,
    before `rspl build` has opened a file, as it did when the text came whole."""
    env = environment(templates)
    doc = document(policy, **options)
    if templates is not None:
        collections.deque(_events(env, doc), maxlen=0)
    return {module_name(policy) + ".md": _tidy(_events(env, doc))}


def render(policy: ir.Policy, templates: str | None = None, **options: Any) -> dict[str, str]:
    """`{module}.md`: the policy document. Deterministic.

    `templates` is a folder whose files replace the shipped templates of the same name
    (`policy.md.j2` is the entry point). Of the declarations of imported files (stdlib
    modules included) the document shows only those the policy uses; the option
    `full_catalogue=True` shows every one."""
    text, _ = edition(policy, templates, **options)
    return {module_name(policy) + ".md": text}
