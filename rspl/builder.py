"""Pass 2, build: Lark parse tree to frozen `rspl.nodes`.

The grammar shapes the tree; this Transformer only builds nodes, one method per grammar rule.
Declaration bodies arrive as a list of clauses; `_Body` sorts them into fields and reports a
clause given twice where it may appear once (E0006). `ItemBuilder` builds each top-level
declaration while the file is being parsed (`rspl.parser.parse`'s `on_item`), so only one
declaration's parse tree is alive at a time; `build` builds a whole tree.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
from typing import Any

import attrs
import lark
from lark import Token, Transformer, v_args

from rspl import messages as msg
from rspl import nodes as n
from rspl.diagnostics import Reporter
from rspl.limits import MAX_EXPRESSION_DEPTH, too_deep_expression
from rspl.spans import Span, span_of

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_WRAP_RE = re.compile(r"[ \t]*\r?\n\s*")


def unquote(raw: str) -> str:
    """The text of a STRING token: quotes removed, line wraps joined, escapes applied."""
    body = _WRAP_RE.sub(" ", raw[1:-1])
    # An unknown escape keeps its backslash: `\x00` stays four characters, as written.
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


@attrs.frozen
class _Clause:
    """One clause of a declaration body before it is sorted into a field."""

    key: str
    value: Any
    span: Span


@attrs.frozen
class _Claim:
    """The claim of an `assert` block before it is put into its declaration."""

    kind: n.AssertKind
    target: n.Name
    contexts: tuple[n.Name, ...]
    when: n.Expr | None


class _Body:
    """The clauses of one declaration, sorted by key."""

    def __init__(self, clauses: list[Any], reporter: Reporter, what: str) -> None:
        self.by_key: dict[str, list[_Clause]] = {}
        self.reporter = reporter
        self.what = what
        for c in clauses:
            if isinstance(c, _Clause):
                self.by_key.setdefault(c.key, []).append(c)

    def one(self, key: str, word: str | None = None) -> Any:
        found = self.by_key.get(key, [])
        if len(found) > 1:
            self.reporter.add(
                msg.duplicate_clause(word or key, self.what, found[1].span, found[0].span)
            )
        return found[0].value if found else None

    def one_clause(self, key: str, word: str | None = None) -> _Clause | None:
        self.one(key, word)
        found = self.by_key.get(key, [])
        return found[0] if found else None

    def many(self, key: str) -> tuple[Any, ...]:
        return tuple(c.value for c in self.by_key.get(key, []))

    def flat(self, key: str) -> tuple[Any, ...]:
        return tuple(v for c in self.by_key.get(key, []) for v in c.value)


def _word(tok: Token) -> str:
    """A keyword or operator as written (`rule`, `>=`), interned: one string per spelling,
    where `str(tok)` would make one per use."""
    return sys.intern(str(tok))


def _first_span(meta: Any, file: str) -> Span:
    return span_of(file, meta)


@v_args(meta=True)
class Builder(Transformer[Token, Any]):
    """Builds the nodes of one file. `file` labels every span; problems go to `reporter`."""

    def __init__(self, file: str, reporter: Reporter) -> None:
        super().__init__(visit_tokens=True)
        self.file = file
        self.reporter = reporter

    # ------------------------------------------------------------------ tokens

    # Names and short strings are interned: a name is written again at every use, and short
    # strings (citations such as "§2", titles) repeat; one copy each keeps the program small.

    def NAME(self, tok: Token) -> n.Name:  # noqa: N802 (Lark's terminal naming)
        return n.Name(sys.intern(str(tok)), span_of(self.file, tok))

    def STRING(self, tok: Token) -> str:  # noqa: N802
        text = unquote(str(tok))
        return sys.intern(text) if len(text) <= 64 else text

    def DATE(self, tok: Token) -> n.DateLit:  # noqa: N802
        span = span_of(self.file, tok)
        text = str(tok)
        try:
            value: datetime.date | None = datetime.date.fromisoformat(text)
        except ValueError:
            value = None
            self.reporter.add(msg.invalid_date(text, span))
        return n.DateLit(text, value, span)

    # ------------------------------------------------------------------ helpers

    def _span(self, meta: Any) -> Span:
        return span_of(self.file, meta)

    def _clause(self, key: str, value: Any, meta: Any) -> _Clause:
        return _Clause(key, value, self._span(meta))

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        raise AssertionError(f"no builder for grammar rule {data!r}")  # pragma: no cover

    # ------------------------------------------------------------------ module level

    def start(self, meta: Any, children: list[Any]) -> tuple[n.Item, ...]:
        return tuple(children)

    def policy_header(self, meta: Any, c: list[Any]) -> n.PolicyHeader:
        body = _Body(c[2:], self.reporter, "policy header")
        return n.PolicyHeader(
            name=c[0],
            title=c[1],
            organization=body.one("organization"),
            version=body.one("version"),
            effective=body.one("effective"),
            published=body.one("published"),
            supersedes=body.one("supersedes"),
            url=body.one("url"),
            changes=body.many("change"),
            combine=body.one("combine"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            span=self._span(meta),
            superseded=(body.one("superseded") or (None, None))[0],
            successor=(body.one("superseded") or (None, None))[1],
            carry_forward=body.one("carry_forward", "carry forward"),
            renames=body.many("renames"),
        )

    def renames(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("renames", n.Rename((c[0],), c[1], False, self._span(meta)), meta)

    def merges(self, meta: Any, c: list[Any]) -> _Clause:
        rename = n.Rename(tuple(c[:-1]), c[-1], True, self._span(meta))
        return self._clause("renames", rename, meta)

    def renamed(self, meta: Any, c: list[Any]) -> n.Renamed:
        return n.Renamed(c[0], c[1], self._span(meta))

    def superseded(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("superseded", (c[0], c[1]), meta)

    def carry_forward(self, meta: Any, c: list[Any]) -> _Clause:
        within = next((x[1] for x in c if isinstance(x, tuple) and x[0] == "within"), None)
        when = next((x[1] for x in c if isinstance(x, tuple) and x[0] == "when"), None)
        return self._clause("carry_forward", n.CarryForward(within, when, self._span(meta)), meta)

    def carry_within(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("within", c[0])

    def carry_when(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("when", c[0])

    def organization(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("organization", c[0], meta)

    def version(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("version", c[0], meta)

    def effective(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("effective", c[0], meta)

    def published(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("published", c[0], meta)

    def supersedes(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("supersedes", c[0], meta)

    def url(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("url", c[0], meta)

    def change(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("change", n.Change(c[0], c[1], c[2], self._span(meta)), meta)

    def combine_highest(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("combine", "highest", meta)

    def combine_all(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("combine", "all", meta)

    def import_decl(self, meta: Any, c: list[Any]) -> n.Import:
        return n.Import(tuple(c), self._span(meta))

    def module_path(self, meta: Any, c: list[n.Name]) -> n.ImportTarget:
        return n.ImportTarget("module", ".".join(x.text for x in c), self._span(meta))

    def file_path(self, meta: Any, c: list[str]) -> n.ImportTarget:
        return n.ImportTarget("file", c[0], self._span(meta))

    # ------------------------------------------------------------------ shared clauses

    def anchor(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("anchor", n.Anchor(c[0], c[1], self._span(meta)), meta)

    def citation(self, meta: Any, c: list[Any]) -> _Clause:
        return self.anchor(meta, c)

    def note(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("note", c[0], meta)

    def means(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("means", c[0], meta)

    def phrase(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("phrase", c[0], meta)

    def _phrase(self, body: _Body) -> str | None:
        """The declaration's `phrase`; E1801 when it has no words."""
        found = body.one_clause("phrase")
        if found is None:
            return None
        if not str(found.value).split():
            self.reporter.add(msg.empty_phrase(body.what, found.span))
            return None
        return " ".join(str(found.value).split())

    def names(self, meta: Any, c: list[n.Name]) -> tuple[n.Name, ...]:
        return tuple(c)

    def decided_by(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("decided_by", c[0], meta)

    # ------------------------------------------------------------------ declarations

    def _simple(self, cls: Any, what: str, meta: Any, c: list[Any]) -> Any:
        body = _Body(c[2:], self.reporter, what)
        return cls(
            name=c[0],
            title=c[1],
            anchors=body.many("anchor"),
            means=body.one("means"),
            span=self._span(meta),
        )

    def role_decl(self, meta: Any, c: list[Any]) -> n.RoleDecl:
        body = _Body(c[2:], self.reporter, "role")
        return n.RoleDecl(
            name=c[0],
            title=c[1],
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
            includes=body.flat("includes"),
        )

    def context_decl(self, meta: Any, c: list[Any]) -> n.ContextDecl:
        body = _Body(c[2:], self.reporter, "context")
        return n.ContextDecl(
            name=c[0],
            title=c[1],
            includes=body.flat("includes"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
        )

    def family_decl(self, meta: Any, c: list[Any]) -> n.FamilyDecl:
        return self._simple(n.FamilyDecl, "family", meta, c)  # type: ignore[no-any-return]

    def domain_decl(self, meta: Any, c: list[Any]) -> n.DomainDecl:
        body = _Body(c[2:], self.reporter, "domain")
        return n.DomainDecl(
            name=c[0],
            title=c[1],
            status=body.one("status"),
            deciders=body.flat("decided_by"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            levels=self._levels(c[2:], body),
            span=self._span(meta),
            settings=body.flat("assessed_per"),
            residual=(found.span if (found := body.one_clause("assessed_after", "assessed after "
                      "mitigation")) is not None else None),
            order=body.one("ordered") or (),
            risk=body.one("risk", "risk verdict") is not None,
            carry_forward=body.one("carry_forward", "carry forward"),
        )

    def assessed_per(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("assessed_per", c[0], meta)

    def assessed_after(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("assessed_after", True, meta)

    def ordered(self, meta: Any, c: list[Any]) -> _Clause:
        """`ordered A <= B <= C`: only `<=` orders settings (E0804 otherwise)."""
        for op in c[1::2]:
            if str(op) != "<=":
                self.reporter.add(msg.ordered_not_le(str(op), span_of(self.file, op)))
        return self._clause("ordered", tuple(c[0::2]), meta)

    def _levels(self, items: list[Any], body: _Body) -> tuple[n.LevelDecl, ...]:
        """The domain's levels; a `risk verdict` domain that declares none has the two
        verdicts `Acceptable` < `Not_acceptable`, placed at the `risk verdict` clause."""
        levels = tuple(x for x in items if isinstance(x, n.LevelDecl))
        found = body.by_key.get("risk")
        if levels or not found:
            return levels
        risk = found[0]
        return tuple(
            n.LevelDecl(n.Name(name, risk.span), title, None, None, (), (), risk.span)
            for name, title in (("Acceptable", "Acceptable"), ("Not_acceptable", "Not acceptable"))
        )

    def risk_verdict(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("risk", True, meta)

    def status(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("status", c[0], meta)

    def level_decl(self, meta: Any, c: list[Any]) -> n.LevelDecl:
        body = _Body(c[2:], self.reporter, "level")
        return n.LevelDecl(
            name=c[0],
            title=c[1],
            means=body.one("means"),
            baseline=body.one("baseline"),
            actors=body.many("actor"),
            anchors=body.many("anchor"),
            span=self._span(meta),
        )

    def baseline(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("baseline", c[0], meta)

    def actor(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("actor", c[0], meta)

    def evidence_decl(self, meta: Any, c: list[Any]) -> n.EvidenceDecl:
        body = _Body(c[4:], self.reporter, "evidence")
        return n.EvidenceDecl(
            name=c[0],
            type=c[1],
            title=c[3],
            deciders=body.flat("decided_by"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
            per=c[2],
        )

    def per_member(self, meta: Any, c: list[Any]) -> n.PerMember:
        return n.PerMember(c[0], c[1], self._span(meta))

    def definition_decl(self, meta: Any, c: list[Any]) -> n.DefinitionDecl:
        body = _Body(c[3:], self.reporter, "definition")
        return n.DefinitionDecl(
            name=c[0],
            title=c[1],
            expr=c[2],
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
        )

    def safeguard_decl(self, meta: Any, c: list[Any]) -> n.SafeguardDecl:
        body = _Body(c[2:], self.reporter, "safeguard")
        return n.SafeguardDecl(
            name=c[0],
            title=c[1],
            category=body.one("category"),
            claim=body.one("claim"),
            efficacy=body.one("efficacy", "counts when"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
        )

    def category(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("category", c[0], meta)

    def claim(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("claim", c[0], meta)

    def efficacy(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("efficacy", c[0], meta)

    def standard_decl(self, meta: Any, c: list[Any]) -> n.StandardDecl:
        body = _Body(c[4:], self.reporter, "standard")
        hole = body.one_clause("hole", "not yet defined")
        return n.StandardDecl(
            name=c[0],
            title=c[1],
            family=c[2],
            extends=c[3],
            includes=body.flat("includes"),
            hole=hole.span if hole else None,
            protects=body.many("protects"),
            excludes=body.many("excludes"),
            references=body.many("reference"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
            efficacy=body.one("efficacy", "counts when"),
        )

    def extends(self, meta: Any, c: list[Any]) -> n.Name:
        return c[0]  # type: ignore[no-any-return]

    def includes(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("includes", c[0], meta)

    def hole(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("hole", True, meta)

    def protects(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("protects", c[0], meta)

    def excludes(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("excludes", c[0], meta)

    def reference(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("reference", c[0], meta)

    def artifact_decl(self, meta: Any, c: list[Any]) -> n.ArtifactDecl:
        body = _Body(c[2:], self.reporter, "artifact")
        return n.ArtifactDecl(
            name=c[0],
            title=c[1],
            contains=body.flat("contains"),
            audience=body.flat("audience"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
        )

    def contains(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("contains", tuple(c), meta)

    def audience(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("audience", c[0], meta)

    def action_decl(self, meta: Any, c: list[Any]) -> n.ActionDecl:
        body = _Body(c[3:], self.reporter, "action")
        return n.ActionDecl(
            name=c[0],
            title=c[1],
            blocking=c[2] is not None,
            anchors=body.many("anchor"),
            means=body.one("means"),
            phrase=self._phrase(body),
            span=self._span(meta),
        )

    def blocking(self, meta: Any, c: list[Any]) -> bool:
        return True

    # ------------------------------------------------------------------ rules

    def rule_kind(self, meta: Any, c: list[Any]) -> str:
        return _word(c[0])

    def rule_decl(self, meta: Any, c: list[Any]) -> n.RuleDecl:
        kind: str = c[0]
        items = [y for x in c[3:] for y in (x if isinstance(x, list) else [x])]
        body = _Body(items, self.reporter, kind)
        fallbacks = body.by_key.get("fallback", [])
        if len(fallbacks) > 1:
            body.one("fallback", "if unmet")
        ladders = body.by_key.get("ladder", [])
        ladder = ladders[0].value if ladders else None
        return n.RuleDecl(
            kind=kind,
            name=c[1],
            title=c[2],
            when=body.one("when"),
            requirements=body.many("requirement"),
            obligations=body.many("obligation"),
            fallbacks=body.flat("fallback"),
            rules_out=body.many("rules_out"),
            anchors=body.many("anchor"),
            means=body.one("means"),
            span=self._span(meta),
            ladder=ladder,
        )

    def when(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("when", c[0], meta)

    def requirement(self, meta: Any, c: list[Any]) -> _Clause:
        clauses = [x for x in c[3:] if isinstance(x, _Clause)]
        req = n.Requirement(
            targets=c[1],
            contexts=c[2] or (),
            anchors=tuple(x.value for x in clauses if x.key == "anchor"),
            note=next((x.value for x in clauses if x.key == "note"), None),
            modality=c[0] or "must",
            span=self._span(meta),
            efficacy=next((x.value for x in clauses if x.key == "efficacy"), None),
        )
        return self._clause("requirement", req, meta)

    def for_contexts(self, meta: Any, c: list[Any]) -> tuple[n.Name, ...]:
        return c[0]  # type: ignore[no-any-return]

    def fallback(self, meta: Any, c: list[Any]) -> list[_Clause]:
        steps = self._clause("fallback", tuple(x.value for x in c[1:]), meta)
        if c[0] is None:
            return [steps]
        return [steps, self._clause("ladder", c[0], meta)]

    def in_order(self, meta: Any, c: list[Any]) -> Span:
        return self._span(meta)

    def duty_name(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("duty_name", c[0], meta)

    def rules_out(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("rules_out", c[0], meta)

    def modality(self, meta: Any, c: list[Any]) -> str:
        return _word(c[0])

    def negated(self, meta: Any, c: list[Any]) -> Span:
        return self._span(meta)

    def obligation(self, meta: Any, c: list[Any]) -> _Clause:
        negated = c.pop(1)
        body = _Body(c[3:], self.reporter, "obligation")
        deadlines = [x for x in c[3:] if isinstance(x, _Clause) and x.key == "deadline"]
        if len(deadlines) > 1:
            soft = next((x for x in deadlines[:2] if isinstance(x.value, n.Soft)), None)
            if soft is not None:
                other = deadlines[1] if soft is deadlines[0] else deadlines[0]
                self.reporter.add(msg.soft_with_deadline(
                    soft.value.text, n.deadline_word(other.value), soft.span, other.span
                ))  # fmt: skip
            else:
                self.reporter.add(msg.two_deadlines(deadlines[1].span, deadlines[0].span))
        by, by_any = self._roles(body, "by", "by")
        approved, approved_any = self._roles(body, "approved_by", "approved by")
        ob = n.Obligation(
            modality=c[0],
            action=c[1],
            objects=c[2] or (),
            by=by,
            approved_by=approved,
            deadline=deadlines[0].value if deadlines else None,
            anchors=body.many("anchor"),
            note=body.one("note"),
            span=self._span(meta),
            by_any=by_any,
            approved_by_any=approved_any,
            to=body.flat("to"),
            name=body.one("duty_name", "as"),
            negated=negated,
        )
        return self._clause("obligation", ob, meta)

    @staticmethod
    def _roles(body: _Body, key: str, word: str) -> tuple[tuple[n.Name, ...], bool]:
        """The roles of a `by` or `approved by` clause and whether any one of them suffices
        (a second clause of the same kind is E0006)."""
        found = body.one(key, word)
        return found if found is not None else ((), False)

    def by_roles(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("by", c[0], meta)

    def approved_by(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("approved_by", c[0], meta)

    def role_choice(self, meta: Any, c: list[Any]) -> tuple[tuple[n.Name, ...], bool]:
        """`A, B` (all of them) or `A or B` (any one of them); both separators in one list
        is ambiguous (E1401), read as `or` after reporting it."""
        names = tuple(x for x in c if isinstance(x, n.Name))
        seps = [str(x) for x in c if not isinstance(x, n.Name)]
        if "," in seps and "or" in seps:
            self.reporter.add(msg.mixed_role_list([x.text for x in names], self._span(meta)))
        return names, "or" in seps

    def any_roles(self, meta: Any, c: list[Any]) -> tuple[tuple[n.Name, ...], bool]:
        if len(c[0]) == 1:
            self.reporter.add(msg.one_role_choice(True, c[0][0].text, self._span(meta)))
        return tuple(c[0]), True

    def all_roles(self, meta: Any, c: list[Any]) -> tuple[tuple[n.Name, ...], bool]:
        if len(c[0]) == 1:
            self.reporter.add(msg.one_role_choice(False, c[0][0].text, self._span(meta)))
        return tuple(c[0]), False

    def to_roles(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("to", c[0], meta)

    def within(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.Within(c[0], c[1], self._span(meta)), meta)

    def before(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.Before(tuple(c[0]), self._span(meta)), meta)

    def about(self, meta: Any, c: list[Any]) -> bool:
        return True

    def every(self, meta: Any, c: list[Any]) -> _Clause:
        approximate = c[0] is True
        low, high = self._finite(c[1]), self._finite(c[2]) if c[2] is not None else None
        every = n.Every(low, high, c[3], c[4], approximate, self._span(meta))
        return self._clause("deadline", every, meta)

    def _finite(self, number: Token) -> float:
        """The value of a NUMBER token; E0007 (and 0) when it is not finite."""
        value = float(number)
        if not math.isfinite(value):
            self.reporter.add(msg.number_too_large(str(number), span_of(self.file, number)))
            return 0.0
        return value

    def until(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.Until(c[0], self._span(meta)), meta)

    def due(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.Due(c[0], self._span(meta)), meta)

    # ------------------------------------------------------------------ waivers

    def waiver_decl(self, meta: Any, c: list[Any]) -> n.WaiverDecl:
        body = _Body(c[2:], self.reporter, "waiver")
        waives = body.one("waives")
        approved, approved_any = self._roles(body, "approved_by", "approved by")
        return n.WaiverDecl(
            name=c[0],
            title=c[1],
            target=waives[0] if waives else None,
            rule=waives[1] if waives else None,
            contexts=body.flat("for"),
            when=body.one("when"),
            approved_by=approved,
            anchors=body.many("anchor"),
            means=body.one("means"),
            span=self._span(meta),
            approved_by_any=approved_any,
        )

    def waives(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("waives", (c[0], c[1]), meta)

    def waiver_for(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("for", c[0], meta)
    def due_event(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.DueEvent(c[0], self._span(meta)), meta)

    def due_at(self, meta: Any, c: list[Any]) -> _Clause:
        return self._clause("deadline", n.DueAt(tuple(c[0]), self._span(meta)), meta)

    def soft(self, meta: Any, c: list[Any]) -> _Clause:
        text = " ".join(str(c[0]).split())
        return self._clause("deadline", n.Soft(text, self._span(meta)), meta)

    # ------------------------------------------------------------------ expressions

    def or_expr(self, meta: Any, c: list[Any]) -> n.Or:
        return n.Or(tuple(c), self._span(meta))

    def and_expr(self, meta: Any, c: list[Any]) -> n.And:
        return n.And(tuple(c), self._span(meta))

    def negation(self, meta: Any, c: list[Any]) -> n.Not:
        return n.Not(c[0], self._span(meta))

    def name_ref(self, meta: Any, c: list[Any]) -> n.NameRef:
        return n.NameRef(c[0], c[0].span)  # `name_ref: NAME`: the name's own span, shared

    def implemented(self, meta: Any, c: list[Any]) -> n.Implemented:
        return n.Implemented(c[0], self._span(meta))

    def any_of(self, meta: Any, c: list[Any]) -> n.AtLeast:
        return n.AtLeast(1, tuple(c), "any", self._span(meta))

    def all_of(self, meta: Any, c: list[Any]) -> n.AtLeast:
        return n.AtLeast(None, tuple(c), "all", self._span(meta))

    def at_least(self, meta: Any, c: list[Any]) -> n.AtLeast:
        count = float(c[0])
        whole = int(count) if count.is_integer() and count < 1e9 else -1
        return n.AtLeast(whole, tuple(c[1:]), "at least", self._span(meta))

    def _domain_quant(self, quantifier: str, meta: Any, c: list[Any]) -> n.DomainQuant:
        return n.DomainQuant(
            quantifier, c[1], c[2], _word(c[3]), c[4], self._span(meta), residual=c[0] is True
        )

    def any_domain(self, meta: Any, c: list[Any]) -> n.DomainQuant:
        return self._domain_quant("any", meta, c)

    def all_domains(self, meta: Any, c: list[Any]) -> n.DomainQuant:
        return self._domain_quant("all", meta, c)

    def _member_test(self, quantifier: str, count: int | None, meta: Any,
                     c: list[Any]) -> n.MemberTest:  # fmt: skip
        c = [*c, None, None][:3]  # no comparison: a yes-or-no family
        op = None if c[1] is None else _word(c[1])
        return n.MemberTest(quantifier, count, c[0], op, c[2], self._span(meta))

    def members_all(self, meta: Any, c: list[Any]) -> n.MemberTest:
        return self._member_test("all", None, meta, c)

    def members_any(self, meta: Any, c: list[Any]) -> n.MemberTest:
        return self._member_test("any", 1, meta, c)

    def members_at_least(self, meta: Any, c: list[Any]) -> n.MemberTest:
        count = float(c[0])
        whole = int(count) if count.is_integer() and count < 1e9 else -1
        return self._member_test("at least", whole, meta, c[1:])

    def member_max(self, meta: Any, c: list[Any]) -> n.MemberBound:
        return n.MemberBound("max", c[0], self._span(meta))

    def member_min(self, meta: Any, c: list[Any]) -> n.MemberBound:
        return n.MemberBound("min", c[0], self._span(meta))

    def domain_set(self, meta: Any, c: list[Any]) -> tuple[n.Name, ...]:
        return c[0]  # type: ignore[no-any-return]

    def residual_ref(self, meta: Any, c: list[Any]) -> n.NameRef:
        return n.NameRef(c[0], self._span(meta), residual=True)

    def comparison(self, meta: Any, c: list[Any]) -> n.Compare:
        return n.Compare(c[0], _word(c[1]), c[2], self._span(meta))

    def since(self, meta: Any, c: list[Any]) -> n.Since:
        return n.Since(c[0], self._span(meta))

    def date(self, meta: Any, c: list[Any]) -> n.DateLit:
        return c[0]  # type: ignore[no-any-return]

    def unit(self, meta: Any, c: list[Any]) -> n.Name:
        unit = c[0]
        if isinstance(unit, Token):  # the `%` sign
            return n.Name("%", span_of(self.file, unit))
        return unit  # type: ignore[no-any-return]

    def quantity(self, meta: Any, c: list[Any]) -> n.Quantity:
        approximate, negative, number, unit = c[0] is True, c[1] is True, c[2], c[3]
        text = ("about " if approximate else "") + ("-" if negative else "") + str(number)
        if unit is not None:
            text += unit.text if unit.text in ("%", "x") else " " + unit.text
        value = float(number)
        if not math.isfinite(value):
            self.reporter.add(msg.number_too_large(str(number), span_of(self.file, number)))
            value = 0.0
        value = -value if negative else value
        return n.Quantity(value, text, unit, approximate, self._span(meta))

    def minus(self, meta: Any, c: list[Any]) -> bool:
        return True

    def ratio(self, meta: Any, c: list[Any]) -> n.Quantity:
        """`N in M`: the fraction N / M, with its text kept as written (`1 in 20`). The
        checker rejects M = 0 and N > M (E0702); the value is then 0."""
        approximate = c[0] is True
        part, whole = self._finite(c[1]), self._finite(c[2])
        text = ("about " if approximate else "") + f"{c[1]} in {c[2]}"
        value = part / whole if 0 <= part <= whole and whole > 0 else 0.0
        return n.Quantity(value, text, None, approximate, self._span(meta), (part, whole))

    # ------------------------------------------------------------------ assertions

    def assert_decl(self, meta: Any, c: list[Any]) -> n.AssertDecl:
        body = _Body(c[2:], self.reporter, "assertion")
        claim = next(x for x in c[2:] if isinstance(x, _Claim))
        return n.AssertDecl(
            name=c[0],
            title=c[1],
            kind=claim.kind,
            target=claim.target,
            contexts=claim.contexts,
            when=claim.when,
            anchors=body.many("anchor"),
            means=body.one("means"),
            span=self._span(meta),
        )

    def claim_never(self, meta: Any, c: list[Any]) -> _Claim:
        return _Claim("never_permitted", c[0], (), c[1])

    def claim_always(self, meta: Any, c: list[Any]) -> _Claim:
        return _Claim("always_permitted", c[0], (), c[1])

    def claim_requires(self, meta: Any, c: list[Any]) -> _Claim:
        return _Claim("requires", c[0], tuple(c[1] or ()), c[2])

    # ------------------------------------------------------------------ scenarios

    def scenario_decl(self, meta: Any, c: list[Any]) -> n.ScenarioDecl:
        body = _Body(c[2:], self.reporter, "scenario")
        givens = tuple(x for x in c[2:] if isinstance(x, n.GivenLevel | n.GivenValue |
                       n.GivenImplemented | n.GivenDone | n.GivenAsOf | n.GivenMember
                       | n.GivenProvisional | n.GivenCarried | n.GivenFailed
                       | n.GivenApproved))
        expects = tuple(x for x in c[2:] if isinstance(x, n.Expect | n.ExpectVerdict |
                        n.ExpectObligation | n.ExpectRoles))
        return n.ScenarioDecl(c[0], c[1], givens, expects, body.one("means"), self._span(meta))

    def given_level(self, meta: Any, c: list[Any]) -> n.GivenLevel:
        return n.GivenLevel(c[1], c[3], c[4], None, self._span(meta), c[2], c[0] is True)

    def given_below(self, meta: Any, c: list[Any]) -> n.GivenLevel:
        return n.GivenLevel(c[1], None, None, c[3], self._span(meta), c[2], c[0] is True)

    def given_unsure(self, meta: Any, c: list[Any]) -> n.GivenLevel:
        return n.GivenLevel(c[1], None, c[3], None, self._span(meta), c[2], c[0] is True)

    def residual(self, meta: Any, c: list[Any]) -> bool:
        return True

    def setting(self, meta: Any, c: list[Any]) -> n.Name:
        return c[0]  # type: ignore[no-any-return]

    def given_value(self, meta: Any, c: list[Any]) -> n.GivenValue:
        return n.GivenValue(c[0], c[1], self._span(meta))

    def given_member(self, meta: Any, c: list[Any]) -> n.GivenMember:
        return n.GivenMember(c[0], c[1], c[2], self._span(meta))

    def yes(self, meta: Any, c: list[Any]) -> bool:
        return True

    def no(self, meta: Any, c: list[Any]) -> bool:
        return False

    def given_implemented(self, meta: Any, c: list[Any]) -> n.GivenImplemented:
        return n.GivenImplemented(c[0], self._span(meta))

    def given_done(self, meta: Any, c: list[Any]) -> n.GivenDone:
        return n.GivenDone(c[0], c[1], self._span(meta))

    def given_failed(self, meta: Any, c: list[Any]) -> n.GivenFailed:
        return n.GivenFailed(c[0], c[1], self._span(meta))
    def given_approved(self, meta: Any, c: list[Any]) -> n.GivenApproved:
        return n.GivenApproved(c[0], self._span(meta))

    def given_as_of(self, meta: Any, c: list[Any]) -> n.GivenAsOf:
        return n.GivenAsOf(c[0], self._span(meta))

    def given_provisional(self, meta: Any, c: list[Any]) -> n.GivenProvisional:
        return n.GivenProvisional(c[0], c[1], self._span(meta))

    def given_carried(self, meta: Any, c: list[Any]) -> n.GivenCarried:
        return n.GivenCarried(c[0], c[1], c[2], self._span(meta))

    def expect_provisional(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("provisional", meta, c)

    def carry_result(self, meta: Any, c: list[Any]) -> str:
        return _word(c[0])

    def expect_carried(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("carried_" + c[1], (c[0],), self._span(meta))

    def expect_in_force(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("in_force", (), self._span(meta))

    def expect_not_in_force(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("not_in_force", (), self._span(meta))

    def _expect(self, what: str, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect(what, c[0], self._span(meta))

    def expect_required(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("required", meta, c)

    def expect_not_required(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("not_required", meta, c)

    def expect_missing(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("missing", meta, c)

    def expect_recommended(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("recommended", meta, c)

    def expect_not_counted(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("not_counted", meta, c)

    def expect_triggered(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("triggered", c[0], self._span(meta), c[1])

    def expect_not_triggered(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("not_triggered", c[0], self._span(meta), c[1])

    def expect_precautionary(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("precautionary", c[0], self._span(meta), c[1])

    def expect_waived(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("waived", c[0], self._span(meta), c[1])

    def expect_not_waived(self, meta: Any, c: list[Any]) -> n.Expect:
        return n.Expect("not_waived", c[0], self._span(meta), c[1])

    def expect_alert(self, meta: Any, c: list[Any]) -> n.Expect:
        return self._expect("alert", meta, c)

    def verdict(self, meta: Any, c: list[Any]) -> str:
        return _word(c[0])

    def expect_verdict(self, meta: Any, c: list[Any]) -> n.ExpectVerdict:
        return n.ExpectVerdict(c[0], c[1], self._span(meta))

    def expect_obligation_roles(self, meta: Any, c: list[Any]) -> n.ExpectRoles:
        clauses = []
        for x in c[2:]:
            names, any_one = x.value if x.key != "to" else (x.value, False)
            clauses.append((x.key, tuple(names), any_one))
        return n.ExpectRoles(c[0], c[1], tuple(clauses), self._span(meta))

    def expect_obligation(self, meta: Any, c: list[Any]) -> n.ExpectObligation:
        return n.ExpectObligation(c[0], c[1], c[2], c[3], self._span(meta))

    def expect_prohibited(self, meta: Any, c: list[Any]) -> n.ExpectObligation:
        status = n.Name("in_force", self._span(meta))
        return n.ExpectObligation(c[0], c[1], status, None, self._span(meta), prohibited=True)


def build(tree: lark.Tree[Any], file: str, reporter: Reporter) -> tuple[n.Item, ...]:
    """The items of one file, as nodes. An expression nested deeper than the limit (E0601)
    is reported before anything is built (the Transformer recurses once per level of the
    tree), and the file then yields no items, as after a syntax error."""
    deep = too_deep_expression(tree)
    if deep is not None:
        reporter.add(msg.expression_too_deep(MAX_EXPRESSION_DEPTH, span_of(file, deep.meta)))
        return ()
    result: tuple[n.Item, ...] = Builder(file, reporter).transform(tree)
    return result


class ItemBuilder:
    """Builds one file's declarations one at a time, as the parser completes them: pass
    `build_item` as `rspl.parser.parse`'s `on_item`, then call `finish` on the tree it
    returned. The same items and diagnostics as `build` on the whole tree: what the builder
    reports is held back until `finish` (a file with a syntax error reports none of it), and
    from the first expression nested deeper than the limit on, nothing more is built and the
    file yields no items, only E0601."""

    def __init__(self, file: str, reporter: Reporter) -> None:
        self.file = file
        self.reporter = reporter
        self.held = Reporter()
        self.builder = Builder(file, self.held)
        self.deep: lark.Tree[Any] | None = None

    def build_item(self, tree: lark.Tree[Any]) -> n.Item | None:
        if self.deep is not None:
            return None
        self.deep = too_deep_expression(tree)
        if self.deep is not None:
            return None
        item: n.Item = self.builder.transform(tree)
        return item

    def finish(self, tree: lark.Tree[Any]) -> tuple[n.Item, ...]:
        if self.deep is not None:
            span = span_of(self.file, self.deep.meta)
            self.reporter.add(msg.expression_too_deep(MAX_EXPRESSION_DEPTH, span))
            return ()
        self.reporter.take(self.held)
        items: list[n.Item] = tree.children  # type: ignore[assignment]  # built by build_item
        return tuple(items)
