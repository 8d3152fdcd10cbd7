"""The message registry: every diagnostic the compiler reports is built here.

One function per situation (`unknown_name`, `import_cycle`, `scenario_conflict`, ...) takes
the facts of the problem (names, kinds, counts and the spans to point at) and returns a
`Diagnostic`: its code (a constant from `rspl.diagnostics`), its message, its labels and its
help. The wording of every diagnostic lives in this module and nowhere else; a pass decides
*that* something is wrong and where, then reports it with

    reporter.add(msg.unknown_level(level, domain, levels, name.span, domain_span))

`tests/test_messages.py` keeps it that way: only this module builds a `Diagnostic` or a
`Label`, no report site passes a code or a piece of text, and every code has a constructor
here. `docs/diagnostics.md` shows the output of each code, and `tests/cases/` asserts the
message of every expected diagnostic.

The helpers at the end (`did_you_mean`, `describe_type`, ...) phrase the parts that several
messages share.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from rspl import units
from rspl.diagnostics import (
    ASSERTION_ON_HOLE,
    BINDINGS_AGGREGATE,
    BINDINGS_BAD_VALUE,
    BINDINGS_BOUND_OUT_OF_RANGE,
    BINDINGS_FACT_COMPARISON,
    BINDINGS_FILTER_METRIC,
    BINDINGS_JUDGEMENT_MEASURED,
    BINDINGS_MEMBERS,
    BINDINGS_MISSING_FIELD,
    BINDINGS_NOT_TOML,
    BINDINGS_UNBOUND_EVIDENCE,
    BINDINGS_UNIT_MISMATCH,
    BINDINGS_UNKNOWN_EVIDENCE,
    BINDINGS_UNKNOWN_FIELD,
    BOUND_OUT_OF_RANGE,
    CARRY_FORWARD_NEVER_ALLOWED,
    CARRY_FORWARD_NOT_DURATION,
    CARRY_FORWARD_READS_ASSESSMENT,
    CRITERION_NEVER_HOLDS,
    CRITERION_NOT_BINDING,
    CRITERION_ON_HOLE,
    CRITERION_SEVERAL_TARGETS,
    CROSS_FAMILY_EXTENDS,
    DEFINITION_CYCLE,
    DEFINITIONS_TOO_DEEP,
    DOMAIN_WITHOUT_LEVELS,
    DONE_AND_FAILED,
    DUE_AT_BLOCKING,
    DUE_CONTEXT,
    DUPLICATE_CLAUSE,
    DUPLICATE_DECLARATION,
    DUPLICATE_DUTY,
    DUPLICATE_MEMBER,
    DUTY_NAME_IS_ACTION,
    EMPTY_PHRASE,
    EMPTY_STANDARD,
    EXPECT_NOT_PER_CONTEXT,
    EXPRESSION_TOO_DEEP,
    EXTENDS_CYCLE,
    FAILED_NOT_LADDER_STEP,
    FAMILY_AS_VALUE,
    FAMILY_MEMBER_KIND,
    FAMILY_OF_DATES,
    FRACTION_WITH_SLASH,
    GIVEN_SETTING,
    HOLE_REQUIRED,
    HOLE_WITH_CONTENTS,
    IMPLEMENTED_IN_EFFICACY,
    IMPLICIT_AGGREGATION,
    IMPORT_CYCLE,
    IMPORT_NOT_FOUND,
    IMPORT_NOT_POLICY_FILE,
    IMPORT_OUTSIDE_FOLDER,
    IMPORTS_TOO_DEEP,
    IMPOSSIBLE_COUNT,
    IMPOSSIBLE_MEMBER_COUNT,
    IN_FORCE_WITHOUT_DATE,
    INCOMPARABLE,
    INVALID_CHARACTER,
    INVALID_DATE,
    INVALID_DEADLINE,
    INVALID_ORDER,
    INVALID_RATIO,
    INVALID_RULES_OUT,
    JUDGEMENT_WITHOUT_DECIDER,
    LADDER_STATUS_NOT_LADDER,
    LEVEL_DOMAIN_MISMATCH,
    MISPLACED_POLICY_HEADER,
    MISSING_HEADER_FIELD,
    MISSING_POLICY_HEADER,
    MISSING_SOURCE,
    MIXED_ROLE_LIST,
    NEGATIVE_QUANTITY,
    NON_BOOLEAN_CONDITION,
    NOT_A_FAMILY,
    NOT_A_PROHIBITION,
    NUMBER_TOO_LARGE,
    NUMBER_WITH_SEPARATOR,
    ONE_ROLE_CHOICE,
    ONE_STEP_LADDER,
    OVERLAPPING_SETTINGS,
    PROFILE_BAD_VALUE,
    PROFILE_DUPLICATE_ELEMENT,
    PROFILE_ELEMENT_MISSING,
    PROFILE_ELEMENT_NOT_BINDING,
    PROFILE_MISSING_FIELD,
    PROFILE_NOT_TOML,
    PROFILE_UNKNOWN_CHECK,
    PROFILE_UNKNOWN_FIELD,
    PROHIBITED_RESTRICTION,
    PROHIBITION_APPROVED,
    PROHIBITION_CONTEXT_NOT_BLOCKED,
    PROHIBITION_CONTRADICTS,
    PROHIBITION_DEADLINE,
    PROHIBITION_DONE,
    PROHIBITION_MODALITY,
    PROHIBITION_STATUS,
    REDUNDANT_DUTY_NAME,
    REDUNDANT_REQUIREMENT,
    REDUNDANT_SAFEGUARD,
    RENAME_SHAPE,
    RENAMED_ONTO_SAME,
    RENAMED_OUTPUT,
    RENAMED_TWICE,
    REPEATED_ROLE,
    REQUIRE_NON_SAFEGUARD,
    RESIDUAL_WITHOUT_MITIGATION,
    RISK_VERDICT_ONE_LEVEL,
    ROLE_GROUP_CYCLE,
    ROLE_GROUP_INCLUDES_ITSELF,
    RULE_NEVER_FIRES,
    SCENARIO_CONFLICT,
    SCENARIO_LEVEL_ORDER,
    SCENARIO_MEMBER,
    SCENARIO_VALUE_RANGE,
    SCENARIO_VALUE_TYPE,
    SCENARIO_WITHOUT_EXPECTATIONS,
    SETTING_NOT_ASSESSED,
    SETTING_UNDECIDED,
    SINCE_NEEDS_DATE,
    SOFT_WITH_DEADLINE,
    SUPERSEDED_NOT_AFTER_EFFECTIVE,
    UNEXPECTED_END,
    UNEXPECTED_TOKEN,
    UNIT_MISMATCH,
    UNKNOWN_CONTEXT,
    UNKNOWN_LEVEL,
    UNKNOWN_NAME,
    UNKNOWN_OBLIGATION,
    UNKNOWN_RECIPIENT,
    UNKNOWN_ROLE,
    UNKNOWN_TYPE,
    UNKNOWN_UNIT,
    UNKNOWN_WORD,
    UNTERMINATED_TEXT,
    UNUSED_DECLARATION,
    UNUSED_IMPORT,
    WAIVER_CONTEXT_NOT_REQUIRED,
    WAIVER_DUTY_NOT_BINDING,
    WAIVER_DUTY_WITHOUT_RULE,
    WAIVER_TARGET_NEVER_REQUIRED,
    WAIVER_WITHOUT_APPROVAL,
    WAIVER_WITHOUT_TARGET,
    WARNING_WITHOUT_CONDITION,
    WRONG_KIND,
    Code,
    Diagnostic,
    Label,
)
from rspl.resources import grammar_text
from rspl.spans import Span


class TypeLike(Protocol):
    """What the messages need of the checker's `Type`: `kind` is bool, level, domain,
    quantity, number, date or error; `detail` the domain name or the quantity's dimension."""

    @property
    def kind(self) -> str: ...

    @property
    def detail(self) -> str: ...


class UnknownName(Protocol):
    """The signature shared by `unknown_name`, `unknown_role` and `unknown_context`, so the
    resolver can be told which one a lookup reports."""

    def __call__(
        self,
        name: str,
        kinds: Sequence[str],
        span: Span,
        *,
        candidates: Iterable[str],
        level_of: str | None = None,
        purpose: str = "",
    ) -> Diagnostic: ...


def _make(
    code: Code,
    message: str,
    span: Span,
    *,
    labels: Iterable[Label] = (),
    help: str | None = None,
) -> Diagnostic:
    return Diagnostic(code.code, code.severity, message, span, tuple(labels), help)


# ---------------------------------------------------------------------- parse (E0001-E0004)


def unexpected_token(
    token: str,
    token_type: str,
    span: Span,
    *,
    declaration: tuple[str, str] | None,
    expected: Sequence[str],
    declaration_clause: bool,
) -> Diagnostic:
    """E0001. `token_type` is the Lark terminal (NAME, STRING, ...); `declaration` the
    (keyword, name) of the innermost declaration being parsed; `expected` what could have come
    instead (see `expected_help`); `declaration_clause` when the token is `source` or `means`,
    written where only a requirement's own `per` citation can go."""
    help = expected_help(expected)
    if declaration_clause:
        help = (
            f"`{token}` belongs to a whole declaration; to cite the section behind one "
            'requirement or obligation, end its line with `per "§..."`'
        )
    return _make(
        UNEXPECTED_TOKEN,
        f"unexpected {_token(token, token_type)}{_inside(declaration)}",
        span,
        help=help,
    )


# Characters a word processor puts in for one the language has.
_LOOKALIKES = {
    "≥": ">=", "≤": "<=", "≠": "!=", "–": "-", "—": "-", "−": "-",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
}  # fmt: skip


def invalid_character(char: str, span: Span) -> Diagnostic:
    """E0002: a character outside the language (not a quote: see `unterminated_text`)."""
    shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
    help = "names use letters, digits and `_`; texts go between double quotes"
    if char in _LOOKALIKES:
        help = f"write `{_LOOKALIKES[char]}` instead; " + help
    return _make(INVALID_CHARACTER, f"unexpected character {shown}", span, help=help)


def unexpected_end(
    span: Span,
    *,
    declaration: tuple[str, str] | None,
    expected: Sequence[str],
    inside_block: bool,
) -> Diagnostic:
    """E0003: the file ends early; `inside_block` when a `}` could have come next."""
    context = _inside(declaration)
    message = f"the file ends before this is complete{context}"
    if inside_block:
        message = f"the file ends inside a `{{` block that is never closed{context}"
    return _make(
        UNEXPECTED_END,
        message,
        span,
        help=expected_help(expected) if expected else None,
    )


def unterminated_text(span: Span) -> Diagnostic:
    """E0004: a `"` with no closing quote."""
    return _make(
        UNTERMINATED_TEXT,
        "this quoted text is never closed",
        span,
        help='add a closing `"`; to put a quote inside a text, write `\\"`',
    )


def _token(token: str, token_type: str) -> str:
    if token_type == "NAME":
        return f"name `{token}`"
    if token_type == "STRING":
        return "a quoted text"
    return f"`{token}`"


def _inside(declaration: tuple[str, str] | None) -> str:
    """` in rule `cbrn_3``, or nothing."""
    if declaration is None:
        return ""
    return f" in {declaration[0]} `{declaration[1]}`"


# What may come next at a syntax error, in words. The parser gives the texts of the keywords
# and symbols it would accept there (`must`, `}`) and the names of value terminals (`NAME`,
# `NUMBER`); `expected_help` groups them. A keyword no table below knows (one added to the
# grammar later) is shown as written, among the other keywords: never dropped.
_VALUE_WORDS = {
    "NAME": "a name",
    "STRING": "a text in quotes",
    "NUMBER": "a number",
    "DATE": "a date like 2025-01-31",
    "COMPARE": "a comparison like `>=`",
}
# Where a whole condition can start: one phrase stands for all of these.
_CONDITION_STARTS = frozenset({
    "NAME", "NUMBER", "DATE", "(", "not", "any", "all", "at", "residual", "max", "min",
    "since", "about", "-",
})  # fmt: skip
# Where a value can start (after a comparison): a name, a number or a date and their forms.
_VALUE_STARTS = frozenset({"NAME", "NUMBER", "DATE", "residual", "max", "min", "since"})
# A keyword shown with the word(s) that always follow it.
_PHRASES = {
    "approved": "approved by", "rules": "rules out", "counts": "counts when",
    "if": "if unmet", "decided": "decided by", "risk": "risk verdict",
    "carry": "carry forward", "protects": "protects against", "carried": "carried forward",
    "cannot": "cannot rule out",
}  # fmt: skip
# Groups of keywords that start the same kind of thing: (tier, name, members in order of use,
# how many must be allowed for the group to be named). Tier 1 continues the line being
# written, tier 3 starts the next line of a block, tier 4 the rarer lines.
_KEYWORD_GROUPS: tuple[tuple[int, str, tuple[str, ...], int], ...] = (
    (1, "a deadline", ("within", "before", "every", "until", "due", "promptly", "regularly"), 2),
    (1, "who acts or receives", ("by", "approved", "to"), 2),
    (3, "a declaration", ("rule", "role", "domain", "evidence", "safeguard", "standard",
                          "context", "action", "define", "import", "scenario", "family",
                          "artifact", "warning", "cadence", "policy", "assert"), 2),
    (3, "a header field", ("organization", "version", "effective", "published", "supersedes",
                           "superseded", "url", "change", "combine", "renames", "merges"), 2),
    (3, "a requirement", ("require",), 1),
    (3, "an obligation", ("must", "should", "may", "recommend", "illustrative"), 1),
    (3, "a waiver", ("waiver",), 1),
    (3, "an assertion's claim", ("never", "always", "requires"), 1),
    (3, "a level", ("level",), 1),
    (3, "a safeguard clause", ("category", "claim", "counts"), 2),
    (3, "a domain clause", ("status", "decided", "assessed", "ordered", "risk"), 2),
    (3, "a standard clause", ("includes", "protects", "excludes", "references", "not",
                              "counts"), 3),
    (3, "an expectation", ("required", "missing", "triggered", "recommended", "precautionary",
                           "alert", "obligation", "provisional", "carried", "in", "not"), 3),
    (4, "a rule clause", ("when", "if", "rules", "source", "means"), 3),
)  # fmt: skip
# The tier of a keyword or symbol shown on its own (1 when not listed): the line's citations
# after what continues it, the declaration's clauses and the end of a block last.
_WORD_TIERS = {"per": 2, "note": 2, "carry": 4, "source": 5, "means": 5, "phrase": 5, "}": 6,
               "$END": 6}  # fmt: skip
_SYMBOL_ORDER = (",", "(", ")", ":", "=", ".", "%", "-", "{", "}", "$END")


def expected_help(expected: Sequence[str]) -> str:
    """`expected `,`, `for`, `per`, `note`, a requirement (`require`), an obligation (`must`,
    `should`, `may`, ...) or `}``: what may come next at a syntax error, grouped and in words,
    what continues the line first. `expected` holds keyword and symbol texts and the value
    terminals `NAME`, `STRING`, `NUMBER`, `DATE`, `COMPARE` and `$END` (the end of the file)."""
    left = list(dict.fromkeys(expected))
    phrases: list[tuple[int, int, str]] = []  # (tier, order within the tier, words)

    def take(words: Iterable[str]) -> None:
        for w in words:
            if w in left:
                left.remove(w)

    if {"NAME", "not", "("} <= set(left):
        phrases.append((0, 0, "a condition like `CBRN >= CBRN_3`"))
        take(_CONDITION_STARTS)
    elif {"NAME", "NUMBER", "DATE"} <= set(left):
        phrases.append((0, 0, "a value (a name, a number like `5%` or a date)"))
        take(_VALUE_STARTS | {"about", "-"})
    for i, (terminal, word) in enumerate(_VALUE_WORDS.items()):
        if terminal in left:
            phrases.append((0, i + 1, word))
            take([terminal])
            if terminal == "NUMBER":
                take(["about", "-"])  # `about 5`, `-0.1`: forms of a number
    for i, (tier, label, members, least) in enumerate(_KEYWORD_GROUPS):
        present = [m for m in members if m in left]
        if present and len(present) >= least:
            shown = [f"`{_keyword_phrase(m, expected)}`" for m in present[:3]]
            more = ", ..." if len(present) > 3 else ""
            phrases.append((tier, i, f"{label} ({', '.join(shown)}{more})"))
            take(present)
    for w in left:
        order = _SYMBOL_ORDER.index(w) if w in _SYMBOL_ORDER else 100
        order = {"per": 0, "note": 1}.get(w, order)  # a citation, then a note
        phrases.append((_WORD_TIERS.get(w, 1), 50 + order, _expected_word(w, expected)))
    if not phrases:
        return "check the line above for a missing word or bracket"
    ordered = sorted(phrases, key=lambda p: (p[0], p[1], p[2]))
    return "expected " + _or_list([p[2] for p in ordered])


def _keyword_phrase(word: str, expected: Sequence[str]) -> str:
    if word == "not" and "includes" in expected:
        return "not yet defined"  # in a standard
    return _PHRASES.get(word, word)


def _expected_word(word: str, expected: Sequence[str]) -> str:
    """One keyword, symbol or unknown value terminal in words."""
    if word == "$END":
        return "the end of the file"
    if word == "SOFT":
        return "a time word such as `promptly`"
    if word.startswith("__"):  # an anonymous terminal (a pattern written inline)
        return "another word"
    if word[:1].isupper() and word.replace("_", "").isalnum() and word.upper() == word:
        # a value terminal added to the grammar later: its name in words (`a soft deadline`)
        words = word.lower().replace("_", " ")
        return f"{_article(words)} {words}"
    return f"`{_keyword_phrase(word, expected)}`"


def _or_list(items: Sequence[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


# ---------------------------------------------------------------------- build (E0005-E0007)


def invalid_date(text: str, span: Span) -> Diagnostic:
    """E0005: a date the calendar does not have."""
    return _make(
        INVALID_DATE,
        f"`{text}` is not a date in the calendar",
        span,
        help="dates are written year-month-day, e.g. 2025-05-14",
    )


def duplicate_clause(word: str, what: str, span: Span, first: Span) -> Diagnostic:
    """E0006: a clause `word` given twice in a `what` (a rule, a standard, ...)."""
    return _make(
        DUPLICATE_CLAUSE,
        f"`{word}` is given twice in this {what}",
        span,
        labels=[Label(first, "first given here")],
        help=f"a {what} has at most one `{word}`; keep one",
    )


def two_deadlines(span: Span, first: Span) -> Diagnostic:
    """E0006: an obligation with a second deadline."""
    return _make(
        DUPLICATE_CLAUSE,
        "this obligation has two deadlines",
        span,
        labels=[Label(first, "first deadline here")],
        help="an obligation has one deadline: `within`, `before`, `every`, `until`, `due`, "
        "`due at` or a time word such as `promptly`",
    )


def soft_with_deadline(word: str, other: str, span: Span, first: Span) -> Diagnostic:
    """E1501: a soft time word and another deadline (`other`: the clause's first word) on one
    duty."""
    if other == "every":
        help = (f"`every` already says how often; keep it and drop `{word}`, or keep "
                f"`{word}` alone when the policy gives no interval")  # fmt: skip
    elif other == "before":
        help = (f"`before` already says when it is due (and blocks until it is done); "
                f"drop `{word}`, or put it in a `note` if the policy says both")  # fmt: skip
    else:
        help = (f"`{word}` means there is no fixed deadline; keep the fixed one and put "
                f"\"{word}\" in a `note`, or drop the fixed one")  # fmt: skip
    return _make(
        SOFT_WITH_DEADLINE,
        f"this duty has a time word, `{word}`, and another deadline, `{other}`",
        span,
        labels=[Label(first, "the other deadline")],
        help=help,
    )


def due_context(name: str, span: Span, declared: Span) -> Diagnostic:
    """E1502: `due CONTEXT`: `due` takes a date or dated evidence."""
    return _make(
        DUE_CONTEXT,
        f"`due {name}`: `{name}` is a context, not a date",
        span,
        labels=[Label(declared, "declared here")],
        help=f"write `due at {name}` (due when {name} is asked about, without blocking it) "
        f"or `before {name}` (blocks {name} until it is done)",
    )


def due_at_blocking(action: str, span: Span, declared: Span) -> Diagnostic:
    """W0041: `due at` on a `must` duty whose action is `blocking`."""
    return _make(
        DUE_AT_BLOCKING,
        f"`due at` does not block, but `{action}` is a blocking action, so this duty blocks "
        "while it is in force anyway",
        span,
        labels=[Label(declared, "declared blocking here")],
        help="use `before CONTEXT` if it should block until done, or an action that is "
        "not `blocking`",
    )


def number_too_large(number: str, span: Span) -> Diagnostic:
    """E0007: a number that is not finite as a float."""
    return _make(
        NUMBER_TOO_LARGE,
        f"the number `{number}` is too large",
        span,
        help="numbers must be finite; use a unit to keep them small, e.g. `1e26 FLOP`",
    )


def quantity_too_large(quantity: str, base_unit: str, span: Span) -> Diagnostic:
    """E0007: a finite number that is too large once converted to its dimension's base unit
    (`1e306 years` in days)."""
    return _make(
        NUMBER_TOO_LARGE,
        f"the quantity `{quantity}` is too large once converted to {base_unit}",
        span,
        help="every quantity is compared in its base unit and must stay finite there; "
        "write a smaller number",
    )


# ---------------------------------------------------------------------- header and modules (E01xx)


def missing_policy_header(span: Span) -> Diagnostic:
    """E0101: the main file has no `policy` header."""
    return _make(
        MISSING_POLICY_HEADER,
        "this file has no `policy` header",
        span,
        help='start the main file with `policy my_policy "Title" { organization "..." '
        'version "1.0" }`',
    )


def second_policy_header(span: Span, first: Span) -> Diagnostic:
    """E0102: a second header in the main file."""
    return _make(
        MISPLACED_POLICY_HEADER,
        "a file has at most one `policy` header",
        span,
        labels=[Label(first, "the first header")],
        help="merge the two headers into one",
    )


def policy_header_in_import(span: Span) -> Diagnostic:
    """E0102: a header in an imported file."""
    return _make(
        MISPLACED_POLICY_HEADER,
        "an imported file cannot have a `policy` header",
        span,
        help="only the main file says which policy this is; move the header there or drop it",
    )


def unknown_module(path: str, span: Span, *, stdlib_modules: Sequence[str]) -> Diagnostic:
    """E0103: `import std.x` of a module the stdlib does not have."""
    return _make(
        IMPORT_NOT_FOUND,
        f"there is no module `{path}`",
        span,
        help=did_you_mean(path, stdlib_modules, kind="module")
        or "stdlib modules are: " + ", ".join(f"`{m}`" for m in stdlib_modules)
        + "; a file beside this one is imported as `import \"name.rspl\"`",
    )


def unreadable_import(path: str, span: Span) -> Diagnostic:
    """E0103: `import "x.rspl"` of a file that cannot be read."""
    return _make(
        IMPORT_NOT_FOUND,
        f"cannot read the file {_path_text(path)}",
        span,
        help="file imports are relative to the importing file; check the path",
    )


def import_cycle(modules: Sequence[str], span: Span) -> Diagnostic:
    """E0104: `modules` import each other in a circle (the first is repeated at the end)."""
    return _make(
        IMPORT_CYCLE,
        "import cycle: " + " -> ".join(f"`{m}`" for m in modules),
        span,
        help="files cannot import each other in a circle; move what they share into a third "
        "file that both import",
    )


def missing_header_field(field: str, span: Span) -> Diagnostic:
    """E0105: the header lacks `organization` or `version`."""
    return _make(
        MISSING_HEADER_FIELD,
        f"the policy header has no `{field}`",
        span,
        help=f'add `{field} "..."` inside the header braces; every output cites it',
    )


def _path_text(path: str, limit: int = 120) -> str:
    """An import path as written, quoted, with every character that is not printable (line
    breaks, terminal escapes, bidi controls) or is a quote or backslash escaped, and shortened
    to `limit` characters: a path can never draw on the terminal."""
    shown = path if len(path) <= limit else path[: limit - 3] + "..."
    out = []
    for c in shown:
        if c in "\\\"":
            out.append("\\" + c)
        elif c.isprintable():
            out.append(c)
        else:
            out.append(c.encode("unicode_escape").decode("ascii"))
    return '"' + "".join(out) + '"'


_ALLOWED_FOLDERS = (
    "imports may read only files inside the main policy's folder, once symlinks and `..` are "
    "followed; allow another folder with `--import-path DIR`"
)


def import_outside_roots(path: str, span: Span) -> Diagnostic:
    """E0106: an import of a file outside the main policy's folder and the import path (after
    symlinks and `..` are resolved). The file is not read."""
    return _make(
        IMPORT_OUTSIDE_FOLDER,
        f"the file {_path_text(path)} is outside the policy's folder; it was not read",
        span,
        help=_ALLOWED_FOLDERS,
    )


def import_not_policy_name(path: str, span: Span) -> Diagnostic:
    """E0107: a file import whose name does not end in `.rspl`. The file is not read."""
    return _make(
        IMPORT_NOT_POLICY_FILE,
        f"{_path_text(path)} is not a policy file: its name does not end in `.rspl`",
        span,
        help='an imported file is a policy file named `NAME.rspl`: `import "roles.rspl"`',
    )


def import_not_regular(path: str, why: str, span: Span) -> Diagnostic:
    """E0107: an import of a folder, device, FIFO or socket (`why`: `it is a folder, not a
    file`). Nothing is read from it."""
    return _make(
        IMPORT_NOT_POLICY_FILE,
        f"cannot import {_path_text(path)}: {why}",
        span,
        help="an import names one policy file, such as `shared/roles.rspl`",
    )


def import_too_large(path: str, limit: int, span: Span) -> Diagnostic:
    """E0107: an imported file larger than the cap (`limit` bytes)."""
    return _make(
        IMPORT_NOT_POLICY_FILE,
        f"cannot import {_path_text(path)}: it is larger than {limit // (1024 * 1024)} MB",
        span,
        help="a policy file is at most that size; split it into files that import each other",
    )


def import_not_text(path: str, span: Span) -> Diagnostic:
    """E0107: an imported file that is not UTF-8 text (or holds a NUL); none of it is shown."""
    return _make(
        IMPORT_NOT_POLICY_FILE,
        f"cannot import {_path_text(path)}: it is not UTF-8 text",
        span,
        help="a policy file is UTF-8 text; none of this file's content is shown",
    )


# ---------------------------------------------------------------------- names (E02xx, E0403-E0405)


def unknown_name(
    name: str,
    kinds: Sequence[str],
    span: Span,
    *,
    candidates: Iterable[str],
    level_of: str | None = None,
    purpose: str = "",
) -> Diagnostic:
    """E0201: `name` is not declared; one of `kinds` was expected. `candidates` are the
    declared names of those kinds (for did-you-mean), `level_of` the domain that has a level
    of this name, if any."""
    return _unknown(UNKNOWN_NAME, name, kinds, span, candidates, level_of, purpose)


def unknown_role(
    name: str,
    kinds: Sequence[str],
    span: Span,
    *,
    candidates: Iterable[str],
    level_of: str | None = None,
    purpose: str = "",
) -> Diagnostic:
    """E0404: like `unknown_name`, where a role is expected."""
    return _unknown(UNKNOWN_ROLE, name, kinds, span, candidates, level_of, purpose)


def unknown_context(
    name: str,
    kinds: Sequence[str],
    span: Span,
    *,
    candidates: Iterable[str],
    level_of: str | None = None,
    purpose: str = "",
) -> Diagnostic:
    """E0405: like `unknown_name`, where a context is expected."""
    return _unknown(UNKNOWN_CONTEXT, name, kinds, span, candidates, level_of, purpose)


def _unknown(
    code: Code,
    name: str,
    kinds: Sequence[str],
    span: Span,
    candidates: Iterable[str],
    level_of: str | None,
    purpose: str,
) -> Diagnostic:
    wanted = _kinds_words(kinds)
    hint = did_you_mean(name, candidates, kind=" or ".join(kinds))
    if hint is None and level_of is not None:
        hint = f"`{name}` is a level of `{level_of}`, not {wanted}"
    return _make(
        code,
        f"unknown {' or '.join(kinds) if len(kinds) <= 2 else 'name'} `{name}`"
        + (f" {purpose}" if purpose else ""),
        span,
        help=hint or f"declare it first, or check the spelling; {wanted} is expected here",
    )


def duplicate_declaration(name: str, span: Span, other: Span, other_kind: str) -> Diagnostic:
    """E0202: `name` is declared again; `other` is the declaration that is kept."""
    elsewhere = other.file != span.file
    message = f"`{name}` is declared twice"
    if elsewhere:
        message = f"`{name}` is already declared in {other.file}"
    return _make(
        DUPLICATE_DECLARATION,
        message,
        span,
        labels=[Label(other, f"the other declaration ({other_kind})")],
        help="every name in a policy is declared once, imported files included; "
        "rename this one" + (" or drop the import" if elsewhere else " or remove one"),
    )


def wrong_kind(
    name: str, kind: str, kinds: Sequence[str], span: Span, declared: Span
) -> Diagnostic:
    """E0203: `name` is a `kind`, but one of `kinds` is expected here."""
    if tuple(kinds) == ("role",):
        help = "approvers, deciders and responsible parties must be declared with `role`"
    elif tuple(kinds) == ("context",):
        help = (
            "contexts such as `external_deployment` are declared with `context` "
            "(or imported from `std.contexts`)"
        )
    else:
        help = "check which declaration this name refers to"
    return _wrong_kind(WRONG_KIND, name, kind, kinds, span, declared, help)


def require_non_safeguard(
    name: str, kind: str, kinds: Sequence[str], span: Span, declared: Span
) -> Diagnostic:
    """E0403: a requirement (or `is implemented`) names a `kind` that is neither a safeguard
    nor a standard."""
    help = (
        "a rule can only require safeguards and standards; declare one with "
        "`safeguard` or `standard`, or use an obligation (`must ...`) for an action"
    )
    return _wrong_kind(REQUIRE_NON_SAFEGUARD, name, kind, kinds, span, declared, help)


def _wrong_kind(
    code: Code,
    name: str,
    kind: str,
    kinds: Sequence[str],
    span: Span,
    declared: Span,
    help: str,
) -> Diagnostic:
    return _make(
        code,
        f"`{name}` is {_article(kind)} {kind}, but {_kinds_words(kinds)} is expected here",
        span,
        labels=[Label(declared, f"`{name}` is declared here")],
        help=help,
    )


def context_group_not_single(
    name: str, where: str, members: Sequence[str], span: Span, group: Span
) -> Diagnostic:
    """E0203: a context group where `where` (a verdict, a context group) needs one context."""
    return _make(
        WRONG_KIND,
        f"`{name}` is a context group, but {where} needs a single context",
        span,
        labels=[Label(group, "the group is declared here")],
        help="name one of its contexts: " + ", ".join(f"`{m}`" for m in members),
    )


def unknown_level(
    level: str, domain: str, levels: Sequence[str], span: Span, domain_span: Span
) -> Diagnostic:
    """E0204: `domain` (whose levels are `levels`) has no level `level`."""
    return _make(
        UNKNOWN_LEVEL,
        f"`{domain}` has no level `{level}`",
        span,
        labels=[Label(domain_span, f"`{domain}` is declared here")],
        help=did_you_mean(level, levels, kind="level")
        or "its levels are " + (", ".join(f"`{lv}`" for lv in levels) or "not declared yet"),
    )


def level_missing_from_domains(level: str, domains: Sequence[str], span: Span) -> Diagnostic:
    """E0204: `any domain >= LEVEL` over domains some of which lack the level."""
    return _make(
        UNKNOWN_LEVEL,
        f"level `{level}` is missing from " + ", ".join(f"`{x}`" for x in domains),
        span,
        help="a level named in `any domain`/`all domains` must exist in every domain "
        "it ranges over; narrow the set with `of (...)`",
    )


def unknown_type(type: str, span: Span) -> Diagnostic:
    """E0205: an evidence type outside `units.EVIDENCE_TYPES`."""
    return _make(
        UNKNOWN_TYPE,
        f"`{type}` is not an evidence type",
        span,
        help=_choices(type, tuple(units.EVIDENCE_TYPES), "evidence type"),
    )


def unknown_unit(unit: str, span: Span, dimension: str | None = None) -> Diagnostic:
    """E0206: a unit word outside `units.UNITS`; `dimension` is the kind of quantity expected
    there (a `duration` for `within`), when it is known: only its units are suggested."""
    allowed = tuple(
        u for u, (dim, _) in units.UNITS.items() if dimension is None or dim == dimension
    )
    if not allowed:  # a dimension no unit word names (a score): every unit
        allowed, dimension = tuple(units.UNITS), None
    listing = ("the units of a " + dimension + " are " if dimension else "the choices are ")
    hint = did_you_mean(unit, allowed, kind="unit", dimension=dimension)
    listing += ", ".join(f"`{w}`" for w in allowed)
    return _make(
        UNKNOWN_UNIT,
        f"`{unit}` is not a unit",
        span,
        help=f"{hint} {listing}" if hint else listing,
    )


def unknown_word(word: str, what: str, allowed: Sequence[str], span: Span) -> Diagnostic:
    """E0207: `word` is not one of the `allowed` words for a `what` (a domain status, ...)."""
    return _make(
        UNKNOWN_WORD,
        f"`{word}` is not {'an' if what[0] in 'aeiou' else 'a'} {what}",
        span,
        help=_choices(word, allowed, what),
    )


# ---------------------------------------------------------------------- types (E03xx)


def level_of_other_domain(
    level: str,
    owner: str,
    domain: str,
    levels: Sequence[str],
    span: Span,
    domain_span: Span,
) -> Diagnostic:
    """E0301: `level` (a level of `owner`) compared with `domain`, whose levels are `levels`."""
    return _make(
        LEVEL_DOMAIN_MISMATCH,
        f"`{level}` is a level of `{owner}`, not of `{domain}`",
        span,
        labels=[Label(domain_span, f"`{domain}` is declared here")],
        help="each domain has its own scale; compare a domain only with its own levels: "
        + ", ".join(f"`{lv}`" for lv in levels),
    )


def unit_mismatch(
    left: TypeLike, right: TypeLike, span: Span, left_span: Span, right_span: Span
) -> Diagnostic:
    """E0302: two quantities of different dimensions compared."""
    return _make(
        UNIT_MISMATCH,
        f"cannot compare {describe_type(left)} with {describe_type(right)}",
        span,
        labels=[Label(left_span, describe_type(left)), Label(right_span, describe_type(right))],
        help=f"both sides must be measured in the same kind of unit; "
        f"a {left.detail} is in {units.DIMENSIONS.get(left.detail, '?')}",
    )


def number_without_unit(quantity: TypeLike, span: Span) -> Diagnostic:
    """E0302: a plain number compared with a quantity that needs a unit."""
    return _make(
        UNIT_MISMATCH,
        f"this number has no unit, but it is compared with {describe_type(quantity)}",
        span,
        help=f"add the unit, e.g. `4x` for a multiplier or `6 months` for a duration; "
        f"a {quantity.detail} is in {units.DIMENSIONS.get(quantity.detail, '?')}",
    )


def non_boolean_condition(where: str, got: TypeLike, span: Span) -> Diagnostic:
    """E0303: `where` (a `when` condition, each side of `and`, ...) is not true-or-false."""
    return _make(
        NON_BOOLEAN_CONDITION,
        f"{where} must be true or false, but this is {describe_type(got)}",
        span,
        help=_bool_help(got),
    )


def incomparable(left: TypeLike, right: TypeLike, span: Span) -> Diagnostic:
    """E0304: two values that no comparison applies to."""
    kinds = {left.kind, right.kind}
    if "domain" in kinds:
        dom = left if left.kind == "domain" else right
        help = f"compare `{dom.detail}` with one of its levels, e.g. `{dom.detail} >= LEVEL`"
    elif "bool" in kinds:
        help = "true-or-false conditions are combined with `and`, `or` and `not`, not compared"
    else:
        help = "only a domain and its levels, quantities of one kind, or two dates can be compared"
    return _make(
        INCOMPARABLE,
        f"cannot compare {describe_type(left)} with {describe_type(right)}",
        span,
        help=help,
    )


def since_needs_date(name: str, type: str, span: Span, declared: Span) -> Diagnostic:
    """E0305: `since NAME` where NAME is evidence of `type`, not a date."""
    return _make(
        SINCE_NEEDS_DATE,
        f"`since` needs a date, but `{name}` is {units.EVIDENCE_TYPES.get(type, type)}",
        span,
        labels=[Label(declared, "declared here")],
        help="`since X` measures the time from the date X to the assessment date; "
        "declare X as `evidence X: date`",
    )


def impossible_count(items: int, span: Span) -> Diagnostic:
    """E0306: `at least N of` over `items` items, with N not a whole number in 1..items."""
    return _make(
        IMPOSSIBLE_COUNT,
        f"`at least N of` needs a whole number N from 1 to {items}",
        span,
        help=f"the count must be a whole number from 1 to {items}",
    )


# ---------------------------------------------------------------------- standards and rules (E04xx)


def extends_cycle(standards: Sequence[str], span: Span) -> Diagnostic:
    """E0401: `standards` extend each other in a circle (the first is repeated at the end)."""
    return _make(
        EXTENDS_CYCLE,
        "standards extend each other in a circle: " + " -> ".join(f"`{s}`" for s in standards),
        span,
        help="`extends` must lead down to a base standard; remove one `extends`",
    )


def cross_family_extends(
    standard: str,
    family: str,
    parent: str,
    parent_family: str,
    span: Span,
    parent_family_span: Span,
) -> Diagnostic:
    """E0402: `standard` (in `family`) extends `parent` (in `parent_family`)."""
    return _make(
        CROSS_FAMILY_EXTENDS,
        f"`{standard}` is in family `{family}` but extends `{parent}` from family "
        f"`{parent_family}`",
        span,
        labels=[Label(parent_family_span, f"`{parent}` is in `{parent_family}`")],
        help="a standard can only extend a standard of its own family; "
        "list the other family's safeguards with `includes` instead",
    )


def warning_without_condition(kind: str, name: str, span: Span) -> Diagnostic:
    """E0406: a `kind` (a warning) with no `when`."""
    return _make(
        WARNING_WITHOUT_CONDITION,
        f"{kind} `{name}` has no `when` condition",
        span,
        help=f"add `when CONDITION` saying when this {kind} applies",
    )


def invalid_rules_out(span: Span) -> Diagnostic:
    """E0407: a `rules out` that is not `DOMAIN >= LEVEL`, or not in a warning."""
    return _make(
        INVALID_RULES_OUT,
        "`rules out` must be written `DOMAIN >= LEVEL` inside a `warning`",
        span,
        help="a checkpoint that is not reached rules out the levels above it, e.g. "
        "`rules out AI_RD >= AI_RD_4`",
    )


def hole_with_contents(standard: str, span: Span, listed: Span) -> Diagnostic:
    """E0408: `not yet defined` (at `span`) and safeguards (at `listed`) in one standard."""
    return _make(
        HOLE_WITH_CONTENTS,
        f"`{standard}` is `not yet defined` but lists safeguards",
        span,
        labels=[Label(listed, "safeguards listed here")],
        help="drop `not yet defined` once the standard is specified, or drop the list",
    )


def within_needs_duration(got: TypeLike, span: Span) -> Diagnostic:
    """E0409: `within` with an amount that is not a duration."""
    return _make(
        INVALID_DEADLINE,
        f"`within` needs a duration, not {describe_type(got)}",
        span,
        help="write a time such as `within 30 days` or `within 1 month`",
    )


def every_needs_time_unit(unit: str, unknown: bool, span: Span) -> Diagnostic:
    """E0409: `every` with a unit that is not a time unit (`unknown`: not a unit at all)."""
    hint = did_you_mean(unit, units.UNITS, kind="unit", dimension="duration") if unknown else None
    return _make(
        INVALID_DEADLINE,
        f"`every` needs a time unit, not `{unit}`",
        span,
        help=(f"{hint} " if hint else "") + "write e.g. `every 3 to 6 months` or `every 1 year`",
    )


def interval_reversed(low: float, high: float, unit: str, span: Span) -> Diagnostic:
    """E0409: `every LOW to HIGH UNIT` with HIGH below LOW."""
    return _make(
        INVALID_DEADLINE,
        "the interval's longest time is shorter than its shortest",
        span,
        help=f"write the shorter time first: `every {high:g} to {low:g} {unit}`",
    )


def event_not_dated(
    where: str, name: str, type: str, span: Span, declared: Span
) -> Diagnostic:
    """E0409: `where` (`within ... of`, `every ... since`) names evidence of `type`, not a
    date."""
    return _make(
        INVALID_DEADLINE,
        f"{where} needs a dated event, but `{name}` is a {type}",
        span,
        labels=[Label(declared, "declared here")],
        help="declare the event as `evidence NAME: date`",
    )


def judgement_without_decider(name: str, span: Span) -> Diagnostic:
    """E0410: a judgement with no `decided by`."""
    return _make(
        JUDGEMENT_WITHOUT_DECIDER,
        f"judgement `{name}` does not say who makes it",
        span,
        help="add `decided by ROLE` so the decision can name who must decide",
    )


def definition_cycle(definitions: Sequence[str], span: Span) -> Diagnostic:
    """E0411: `definitions` refer to each other in a circle (the first repeated at the end)."""
    return _make(
        DEFINITION_CYCLE,
        "definitions refer to each other in a circle: "
        + " -> ".join(f"`{x}`" for x in definitions),
        span,
        help="a definition cannot depend on itself; define one of them directly",
    )


def domain_without_levels(domain: str, span: Span) -> Diagnostic:
    """E0412: a domain with no `level`."""
    return _make(
        DOMAIN_WITHOUT_LEVELS,
        f"domain `{domain}` has no levels",
        span,
        help="a domain needs at least one `level`, listed from lowest to highest",
    )


def implemented_in_efficacy(safeguard: str, span: Span, safeguard_span: Span) -> Diagnostic:
    """E0413: `X is implemented` inside the efficacy criterion of `safeguard`."""
    return _make(
        IMPLEMENTED_IN_EFFICACY,
        "an efficacy criterion cannot ask what is implemented",
        span,
        labels=[Label(safeguard_span, f"the criterion of `{safeguard}`")],
        help="whether a safeguard counts is decided from measurements before "
        "anything counts as implemented; test a metric here, and put the "
        "dependency in a rule (`when X is implemented require ...`)",
    )


# --------------------------------- risk verdicts, carried-forward results, periods (E11xx)


def risk_verdict_one_level(domain: str, level: str, span: Span) -> Diagnostic:
    """E1101: a `risk verdict` domain that declares a single level."""
    return _make(
        RISK_VERDICT_ONE_LEVEL,
        f"the risk verdict of `{domain}` has only one verdict, `{level}`",
        span,
        help="a verdict needs at least two levels, lowest first, e.g. `level Acceptable` and "
        "`level Not_acceptable`; or declare no levels to get exactly those two",
    )


def superseded_not_after_effective(
    superseded: str, effective: str, span: Span, effective_span: Span
) -> Diagnostic:
    """E1102: `superseded DATE` on or before the header's `effective DATE`."""
    return _make(
        SUPERSEDED_NOT_AFTER_EFFECTIVE,
        f"the policy is superseded on {superseded}, not after it takes effect on {effective}",
        span,
        labels=[Label(effective_span, "the policy takes effect here")],
        help="the policy is in force from `effective` up to the day before `superseded`; "
        "give a later date, or fix `effective`",
    )


# ---------------------------------------------------------------------- waivers (E1301-E1303)


def renamed_twice(old: str, span: Span, first: Span) -> Diagnostic:
    """E2201: one old name given two new names in the header's rename map."""
    return _make(
        RENAMED_TWICE,
        f"`{old}` is renamed twice",
        span,
        labels=[Label(first, "first renamed here")],
        help="an old name has one new name; to split it, rename its levels one by one "
        "(`renames D.L1 as A.L1`, `renames D.L2 as B.L2`)",
    )


def rename_shape(old: str, new: str, span: Span) -> Diagnostic:
    """E2202: a level renamed as a domain, standard or safeguard, or the other way round."""
    return _make(
        RENAME_SHAPE,
        f"`{old}` and `{new}` are not the same kind of name",
        span,
        help="a level (`DOMAIN.LEVEL`) is renamed as a level; a domain, standard or safeguard "
        "as a domain, standard or safeguard",
    )


def renamed_onto_same(new: str, span: Span, first: Span) -> Diagnostic:
    """E2203: two entries of the rename map end in the same new name."""
    return _make(
        RENAMED_ONTO_SAME,
        f"two entries of the rename map are renamed as `{new}`",
        span,
        labels=[Label(first, "also renamed as it here")],
        help=f"write one `merges A, B as {new}` for names that became one",
    )


def waiver_without_target(name: str, span: Span) -> Diagnostic:
    """E1301: a waiver with no `waives` clause."""
    return _make(
        WAIVER_WITHOUT_TARGET,
        f"waiver `{name}` does not say what it waives",
        span,
        help="add `waives STANDARD` (or a safeguard) to lift a requirement, or "
        "`waives ACTION of RULE` to waive one duty of a rule",
    )


def waiver_without_approval(name: str, span: Span) -> Diagnostic:
    """E1302: a waiver with no `approved by` clause."""
    return _make(
        WAIVER_WITHOUT_APPROVAL,
        f"waiver `{name}` does not say who approves it",
        span,
        help="add `approved by ROLE, ...`: a waiver counts only once the roles it names have "
        "approved it (the assessment lists it under `approved`)",
    )


def waiver_duty_without_rule(action: str, span: Span) -> Diagnostic:
    """E1303: `waives ACTION` without `of RULE`."""
    return _make(
        WAIVER_DUTY_WITHOUT_RULE,
        f"`{action}` is an action: say whose duty is waived",
        span,
        help=f"write `waives {action} of RULE`, naming the rule whose obligation to "
        f"`{action}` the waiver lifts",
    )


def waiver_target_never_required(name: str, target: str, span: Span) -> Diagnostic:
    """W0035: a waiver of a standard or safeguard that no rule requires (binding)."""
    return _make(
        WAIVER_TARGET_NEVER_REQUIRED,
        f"no rule requires `{target}`, so waiver `{name}` lifts nothing",
        span,
        help=f"waive what a rule requires (`require {target}` in a rule), or remove the waiver",
    )


def waiver_context_not_required(
    name: str, target: str, contexts: Sequence[str], span: Span
) -> Diagnostic:
    """W0036: a waiver names contexts where no rule requires its target."""
    listed = ", ".join(f"`{c}`" for c in contexts)
    return _make(
        WAIVER_CONTEXT_NOT_REQUIRED,
        f"no rule requires `{target}` for {listed}, so waiver `{name}` lifts nothing there",
        span,
        help="name only the contexts where the requirement applies",
    )


def waiver_duty_not_binding(name: str, modality: str, action: str, rule: str,
                            span: Span) -> Diagnostic:  # fmt: skip
    """W0037: a waiver of a duty that does not bind (`should`, `may`, ...)."""
    return _make(
        WAIVER_DUTY_NOT_BINDING,
        f"`{action}` of `{rule}` is a `{modality}` duty that never blocks, so waiver `{name}` "
        "only changes its status",
        span,
        help="waive a `must` duty, or remove the waiver",
    )


def carry_forward_not_duration(got: TypeLike, span: Span) -> Diagnostic:
    """E1103: `carry forward within` an amount that is not a duration."""
    return _make(
        CARRY_FORWARD_NOT_DURATION,
        f"`carry forward within` needs a duration, not {describe_type(got)}",
        span,
        help="write how old a carried-forward determination may be, e.g. "
        "`carry forward within 6 months`",
    )


def carry_forward_reads_assessment(what: str, span: Span, clause_span: Span) -> Diagnostic:
    """E1104: a `carry forward when` condition that reads a level or what is implemented."""
    return _make(
        CARRY_FORWARD_READS_ASSESSMENT,
        f"a `carry forward when` condition cannot read {what}",
        span,
        labels=[Label(clause_span, "the condition for carrying a determination forward")],
        help="whether a carried-forward determination counts is decided before any level "
        "or safeguard is known; test evidence here (e.g. `compute_ratio <= 2x`)",
    )


def carry_forward_never_allowed(domain: str, span: Span, domain_span: Span) -> Diagnostic:
    """W0030: a scenario carries forward a determination of a domain that never allows it."""
    return _make(
        CARRY_FORWARD_NEVER_ALLOWED,
        f"`{domain}` never accepts a carried-forward determination, so this one is rejected",
        span,
        labels=[Label(domain_span, "no `carry forward` here or in the policy header")],
        help="add `carry forward within DURATION` (or `when CONDITION`) to the domain or the "
        "policy header, or expect `carried forward "
        f"{domain} rejected` to test the rejection",
    )


def in_force_without_date(span: Span) -> Diagnostic:
    """W0031: `expect in force` / `expect not in force` in a scenario with no `as of`."""
    return _make(
        IN_FORCE_WITHOUT_DATE,
        "whether the policy is in force depends on the assessment date, and this scenario "
        "gives none",
        span,
        help="add `given as of YYYY-MM-DD`; without it a policy with an `effective` or "
        "`superseded` date is neither in force nor out of force (unknown)",
    )


# ---------------------------------------------------------------------- duties and ladders (E16xx)


def duplicate_duty(kind: str, rule: str, key: str, action: str, span: Span,
                   first: Span) -> Diagnostic:  # fmt: skip
    """E1601: two duties of one rule (fallbacks included) with the same key."""
    return _make(
        DUPLICATE_DUTY,
        f"{kind} `{rule}` already has a duty called `{key}`, so `done {key} of {rule}` "
        "could not tell the two apart",
        span,
        labels=[Label(first, f"the first duty called `{key}`")],
        help=f"give this one its own name with `as NAME`, e.g. `... as {action}_2`; "
        "`done`, `failed` and scenarios then name it by that name",
    )


def failed_not_ladder_step(key: str, rule: str, span: Span) -> Diagnostic:
    """E1602: `given failed KEY of RULE` where the duty is not a step of a ladder."""
    return _make(
        FAILED_NOT_LADDER_STEP,
        f"`{key}` of `{rule}` is not a step of an escalation ladder, so it cannot be "
        "marked failed",
        span,
        help="only the steps of an `if unmet in order { ... }` block may be given as failed; "
        "write `given done` for a duty carried out",
    )


def done_and_failed(key: str, rule: str, span: Span, first: Span) -> Diagnostic:
    """E1603: a scenario gives the same ladder step as done and as failed."""
    return _make(
        DONE_AND_FAILED,
        f"`{key}` of `{rule}` is given both as done and as failed",
        span,
        labels=[Label(first, "given here first")],
        help="a step either succeeded (`given done`) or failed (`given failed`); keep one",
    )


def duty_name_is_action(name: str, action: str, span: Span) -> Diagnostic:
    """E1604: `as NAME` where NAME is another declared action."""
    return _make(
        DUTY_NAME_IS_ACTION,
        f"`{name}` is an action, so `as {name}` would make this `{action}` duty read as "
        f"a `{name}` duty",
        span,
        help=f"choose a name that is not an action, e.g. `as {action}_{name}`",
    )


def one_step_ladder(rule: str, span: Span) -> Diagnostic:
    """W0044: `if unmet in order` with fewer than two steps."""
    return _make(
        ONE_STEP_LADDER,
        f"the escalation ladder of `{rule}` has only one step, so its order says nothing",
        span,
        help="add the steps that follow when this one fails, or write `if unmet { ... }`",
    )


def redundant_duty_name(name: str, span: Span) -> Diagnostic:
    """W0045: `as NAME` where NAME is the duty's own action."""
    return _make(
        REDUNDANT_DUTY_NAME,
        f"`as {name}` repeats the duty's action: a duty without `as` is already called "
        f"`{name}`",
        span,
        help=f"remove `as {name}`, or give the duty a name of its own",
    )


def ladder_status_not_ladder(status: str, key: str, rule: str, span: Span) -> Diagnostic:
    """W0046: `expect obligation KEY of RULE is standby/failed` for a duty off any ladder."""
    return _make(
        LADDER_STATUS_NOT_LADDER,
        f"`{key}` of `{rule}` is not a step of an escalation ladder, so it is never "
        f"`{status}`",
        span,
        help="only the steps of an `if unmet in order { ... }` block are `standby` or "
        "`failed`; expect `open`, `due`, `overdue` or `done`",
    )


# ---------------------------------------------------------------------- prohibitions (E12xx)


def prohibition_modality(modality: str, action: str, span: Span) -> Diagnostic:
    """E1201: `may not`, `recommend not` or `illustrative not`."""
    reading = {
        "may": "\"is not allowed to\" (a prohibition) or \"need not\" (a permission)",
        "recommend": "\"is advised against\" or \"is not recommended\" (no advice at all)",
        "illustrative": "an example of something not to do, or no example",
    }[modality]
    return _make(
        PROHIBITION_MODALITY,
        f"`{modality} not {action}` could mean {reading}",
        span,
        help=f"write `must not {action}` for a prohibition that binds, or `should not "
        f"{action}` for one that is reported but never blocks",
    )


def prohibition_deadline(modality: str, action: str, clause: str, span: Span,
                         line_span: Span) -> Diagnostic:  # fmt: skip
    """E1202: a prohibition with `within`, `before`, `every` or `due`."""
    return _make(
        PROHIBITION_DEADLINE,
        f"`{modality} not {action}` cannot have a deadline (`{clause}`)",
        span,
        labels=[Label(line_span, "a prohibition: in force while its rule applies")],
        help="a prohibition is never carried out, so nothing falls due; write `until "
        "CONDITION` for when it ends, or a `must` obligation for a task with a deadline",
    )


def prohibition_approved(modality: str, action: str, span: Span, line_span: Span) -> Diagnostic:
    """E1203: a prohibition with `approved by`."""
    return _make(
        PROHIBITION_APPROVED,
        f"`{modality} not {action}` cannot be `approved by` anyone: nothing is carried out "
        "to approve",
        span,
        labels=[Label(line_span, "a prohibition")],
        help="drop `approved by`; if the action is allowed once someone approves it, make the "
        "approval a condition that lifts the prohibition (`until board_approved`)",
    )


def prohibition_done(action: str, rule: str, span: Span, line_span: Span) -> Diagnostic:
    """E1204: `given done ACTION of RULE` where that duty is a prohibition."""
    return _make(
        PROHIBITION_DONE,
        f"`{action}` of `{rule}` is a prohibition, not an obligation that can be done",
        span,
        labels=[Label(line_span, "the prohibition")],
        help="a prohibition ends only when its rule stops applying or its `until` condition "
        "holds; give the inputs that make that so instead of `done`",
    )


def prohibition_status(action: str, rule: str, status: str, span: Span,
                       line_span: Span) -> Diagnostic:  # fmt: skip
    """E1205: a scenario expects a prohibition open, due, overdue or done."""
    return _make(
        PROHIBITION_STATUS,
        f"`{action}` of `{rule}` is a prohibition, which is never `{status}`",
        span,
        labels=[Label(line_span, "the prohibition")],
        help="a prohibition is `in_force` while its rule applies and `lifted` once its "
        f"`until` condition holds; write `expect prohibited {action} of {rule}` or `expect "
        f"obligation {action} of {rule} is lifted`",
    )


def not_a_prohibition(action: str, rule: str, span: Span, line_span: Span) -> Diagnostic:
    """E1206: `expect prohibited ACTION of RULE` where RULE's ACTION is not a prohibition."""
    return _make(
        NOT_A_PROHIBITION,
        f"`{action}` of `{rule}` is an obligation, not a prohibition (`must not`)",
        span,
        labels=[Label(line_span, "the obligation")],
        help=f"write `expect obligation {action} of {rule} is STATUS` (open, due, overdue, "
        "done, lifted or in_force)",
    )


def prohibition_contradicts(action: str, rule: str, span: Span, other: Span) -> Diagnostic:
    """E1207: `must X` and `must not X` on the same things in one rule."""
    return _make(
        PROHIBITION_CONTRADICTS,
        f"`{rule}` both requires and prohibits `{action}` on the same things",
        span,
        labels=[Label(other, "the obligation it contradicts")],
        help="keep one of the two lines, or put them in rules whose conditions exclude each "
        "other",
    )


def prohibited_restriction(action: str, contexts: Sequence[str], span: Span,
                           decl_span: Span) -> Diagnostic:  # fmt: skip
    """W0033: `must not pause` and the like: a restriction of std.actions, forbidden."""
    blocked = ", ".join(f"`{c}`" for c in contexts) if contexts else "every context"
    return _make(
        PROHIBITED_RESTRICTION,
        f"`must not {action}` blocks {blocked} while it is in force: `{action}` is a "
        "restriction of std.actions, declared blocking because doing it stops work",
        span,
        labels=[Label(decl_span, "declared blocking here")],
        help=f"to forbid `{action}` without blocking anything, declare an action of your own "
        f"that is not blocking (`action no_{action} \"...\"`) or write `should not {action}`",
    )


def prohibition_context_not_blocked(action: str, contexts: Sequence[str], span: Span,
                                    decl_span: Span | None) -> Diagnostic:  # fmt: skip
    """W0032: `must not ACTION CONTEXT` where ACTION is not blocking."""
    named = ", ".join(f"`{c}`" for c in contexts)
    return _make(
        PROHIBITION_CONTEXT_NOT_BLOCKED,
        f"this prohibition names {named}, but `{action}` is not a blocking action, so it "
        "blocks nothing",
        span,
        labels=[Label(decl_span, "the action")] if decl_span is not None else [],
        help=f"declare the action `blocking` (`action {action} \"...\" blocking`) so the "
        "prohibition blocks the contexts it names, or leave the contexts out",
    )


# ---------------------------------------------------------------------- scenarios (E05xx)


def scenario_level_order(unsure: str, level: str, span: Span, level_span: Span) -> Diagnostic:
    """E0501: `cannot rule out UNSURE` not above the level reached."""
    return _make(
        SCENARIO_LEVEL_ORDER,
        f"`{unsure}` is not above `{level}`",
        span,
        labels=[Label(level_span, "the level reached")],
        help="`cannot rule out` names a level higher than the one reached",
    )


def scenario_value_type(
    name: str, type: str, given: TypeLike, span: Span, declared: Span
) -> Diagnostic:
    """E0502: evidence `name` of `type` given a value of type `given` (bool for yes/no)."""
    got = "yes/no" if given.kind == "bool" else describe_type(given)
    return _make(
        SCENARIO_VALUE_TYPE,
        f"`{name}` is {units.EVIDENCE_TYPES[type]}, but this gives {got}",
        span,
        labels=[Label(declared, "declared here")],
        help="give a value of the declared type: `yes`/`no` for facts and "
        "judgements, a date, or a number with the right unit",
    )


def unknown_obligation(
    kind: str,
    rule: str,
    action: str,
    actions: Sequence[str],
    span: Span,
    rule_span: Span,
) -> Diagnostic:
    """E0503: the `kind` (rule, warning, cadence) `rule`, whose obligations are `actions`,
    has none for `action`."""
    return _make(
        UNKNOWN_OBLIGATION,
        f"{kind} `{rule}` has no obligation `{action}`",
        span,
        labels=[Label(rule_span, f"`{rule}` is declared here")],
        help=("its obligations are " + ", ".join(f"`{a}`" for a in actions))
        if actions
        else f"`{rule}` has no obligations",
    )


def scenario_conflict(span: Span, first: Span) -> Diagnostic:
    """E0504: a scenario gives one input twice."""
    return _make(
        SCENARIO_CONFLICT,
        "this input is already given in this scenario",
        span,
        labels=[Label(first, "given first here")],
        help="give each domain, value and the date once per scenario",
    )


# ---------------------------------------------------------------------- limits (E06xx)


def expression_too_deep(limit: int, span: Span) -> Diagnostic:
    """E0601: operators nested more than `limit` deep in one expression (at the first
    operator past the limit)."""
    return _make(
        EXPRESSION_TOO_DEEP,
        f"this expression is nested more than {limit} levels deep",
        span,
        help=f"each `not`, `and`, `or`, `any of`, `all of` and `at least` inside another "
        f"counts one level, and at most {limit} are allowed; give inner parts a name with "
        "`define` and use the name",
    )


def definitions_too_deep(definition: str | None, limit: int, span: Span) -> Diagnostic:
    """E0602: a definition (or, for None, a condition) is more than `limit` levels deep with
    the definitions it uses counted in."""
    what = "this condition" if definition is None else f"definition `{definition}`"
    return _make(
        DEFINITIONS_TOO_DEEP,
        f"{what} is more than {limit} levels deep, counting the definitions it uses",
        span,
        help="each definition used counts one level plus the depth of its own expression; "
        "write part of the condition out directly instead of through a chain of definitions",
    )


def imports_too_deep(limit: int, span: Span) -> Diagnostic:
    """E0603: this import would read a file more than `limit` imports away from the main
    file."""
    return _make(
        IMPORTS_TOO_DEEP,
        f"this import is more than {limit} files deep: files import each other in a chain "
        f"longer than {limit}",
        span,
        help="import the file from a file nearer the main policy (the main file can import "
        "several files) rather than through a longer chain",
    )


# ---------------------------------------------------------------------- numbers (E07xx)


def negative_quantity(text: str, dimension: str, span: Span) -> Diagnostic:
    """E0701: the negative literal `text` stands for a `dimension` with no sign (every
    dimension but score): no assessment can give such a value."""
    return _make(
        NEGATIVE_QUANTITY,
        f"`{text}` is negative, but {_quantity_noun(dimension)} is never below 0",
        span,
        help="only a `score` (a signed number, such as a correlation or a difference) can be "
        "negative; write a bound of 0 or more, or declare the evidence as `score`",
    )


# The word before a `-` the grammar does not allow -> what cannot be negative and a fix.
_NO_SIGN = {
    "every": ("the period of `every`",
              "write a period of 0 or more, e.g. `every 6 months` or `every 3 to 6 months`"),
    "to": ("the period of `every`",
           "write a period of 0 or more, e.g. `every 3 to 6 months`"),
    "least": ("the count of `at least N of`", "write a whole number of at least 1"),
    "in": ("a part of a fraction `N in M`", "write a fraction as `1 in 20` or `5%`"),
}  # fmt: skip


def negative_number(text: str, after: str | None, span: Span) -> Diagnostic:
    """E0701: a `-` before a number where the grammar allows no sign (`every -5 days`,
    `at least -1 of`, `1 in -20`); `after` is the word before the `-`."""
    what, fix = _NO_SIGN.get(
        after or "",
        ("a quantity here",
         "only a `score` (a signed number) can be negative; write a number of 0 or more"),
    )  # fmt: skip
    return _make(
        NEGATIVE_QUANTITY,
        f"`{text}` is negative, but {what} is never below 0",
        span,
        help=fix,
    )


def fraction_with_slash(text: str, part: str, whole: str, span: Span) -> Diagnostic:
    """E1701: a fraction written `1/20`: the language reads `1 in 20` or a percentage."""
    example = f"{part} in {whole}"
    try:
        percent = float(part) / float(whole) * 100
        shown = f"{percent:.6g}%" if float(whole) != 0 and 0 <= percent <= 100 else None
    except (ValueError, ZeroDivisionError):
        shown = None
    return _make(
        FRACTION_WITH_SLASH,
        f"`{text}` is a fraction written with `/`, which the language does not read",
        span,
        help=f"write a fraction as `{example}`" + (f" or `{shown}`" if shown else "")
        + "; `/` is not division",
    )


def number_with_separator(text: str, span: Span) -> Diagnostic:
    """E1702: a number written with thousands separators (`1,000`)."""
    plain = text.replace(",", "")
    return _make(
        NUMBER_WITH_SEPARATOR,
        f"`{text}` is written with a thousands separator",
        span,
        help=f"write numbers without separators: `{plain}`, or with an exponent such as "
        "`1e3`; a `,` separates items of a list",
    )


def empty_phrase(what: str, span: Span) -> Diagnostic:
    """E1801: a `phrase` with nothing in it."""
    return _make(
        EMPTY_PHRASE,
        f"the `phrase` of this {what} has no words",
        span,
        help="give the words the document uses for it mid-sentence, such as "
        '`phrase "the plan for interim measures"`, or remove the clause to use the title',
    )


def decimal_comma(text: str, span: Span) -> Diagnostic:
    """E1702: a decimal written with a comma (`0,05`)."""
    return _make(
        NUMBER_WITH_SEPARATOR,
        f"`{text}` is written with a decimal comma",
        span,
        help=f"write decimals with a point: `{text.replace(',', '.')}`; a `,` separates items "
        "of a list",
    )


def _quantity_noun(dimension: str) -> str:
    """`a count`, `an amount of money`: a quantity of the dimension in running text."""
    if dimension in ("money", "compute"):
        return f"an amount of {dimension}"
    return f"{_article(dimension)} {dimension}"


def invalid_ratio(text: str, part: float, whole: float, span: Span) -> Diagnostic:
    """E0702: `N in M` with M = 0, a negative N, or N above M: not a fraction from 0 to 1."""
    reason = (
        "`in 0` divides by zero" if whole <= 0 else f"{part:g} is more than {whole:g}"
    )
    return _make(
        INVALID_RATIO,
        f"the ratio `{text}` is not a fraction from 0 to 1: {reason}",
        span,
        help="`N in M` means N out of every M (`1 in 20` is 5%), so M must be above 0 and N "
        "at most M",
    )


def scenario_value_range(
    name: str, type: str, text: str, expected: str, span: Span, declared: Span
) -> Diagnostic:
    """E0703: evidence `name` of dimension `type` given `text`, outside the dimension's range
    (`expected` says what it must be, as the engines' AssessmentError does)."""
    return _make(
        SCENARIO_VALUE_RANGE,
        f"`{name}` is {units.EVIDENCE_TYPES[type]}, but `{text}` is outside its range",
        span,
        labels=[Label(declared, "declared here")],
        help=f"an assessment must give {expected}; this scenario would be rejected",
    )


# ---------------------------------------------------------------------- warnings (W00xx)


def unused_declaration(kind: str, name: str, span: Span) -> Diagnostic:
    """W0001: a `kind` declaration that nothing refers to."""
    return _make(
        UNUSED_DECLARATION,
        f"{kind} `{name}` is never used",
        span,
        help=f"nothing in the policy refers to this {kind}; use it or remove it",
    )


def unused_import(kind: str, path: str, span: Span) -> Diagnostic:
    """W0012: an import of which the importing file uses nothing; `kind` is the import
    target's: "module" (`std.x`, `folder.file`) or "file" (a quoted path)."""
    shown = f"`{path}`" if kind == "module" else f"the file {_path_text(path)}"
    return _make(
        UNUSED_IMPORT,
        f"nothing from {shown} is used",
        span,
        help="this file names nothing the import declares, so it adds nothing to the policy "
        "or its document; remove it",
    )


def rule_never_fires(kind: str, name: str, span: Span) -> Diagnostic:
    """W0002: the `when` of a `kind` (rule, warning, cadence) that no input makes true."""
    return _make(
        RULE_NEVER_FIRES,
        f"{kind} `{name}` can never fire",
        span,
        help="no combination of inputs makes this condition true; "
        "check the levels and comparisons",
    )


def ranges_over_no_domains(quantifier: str, span: Span) -> Diagnostic:
    """W0002: `any`/`all STATUS domain` over an empty set of domains."""
    return _make(
        RULE_NEVER_FIRES,
        "this ranges over no domains, so it is never true"
        if quantifier == "any"
        else "this ranges over no domains",
        span,
        help="check the status word or list the domains with `of (...)`",
    )


def hole_required(target: str, hole: str | None, span: Span, hole_span: Span) -> Diagnostic:
    """W0003: a requirement of `target`, which is not yet defined (`hole` None) or extends
    the standard `hole`, which is not."""
    what = "is" if hole is None else f"extends `{hole}`, which is"
    return _make(
        HOLE_REQUIRED,
        f"`{target}` {what} not yet defined, so this requirement can never be met",
        span,
        labels=[Label(hole_span, "declared as not yet defined here")],
        help="every context this requirement covers stays blocked until the "
        "standard is defined; that may be what the policy intends",
    )


def assertion_on_hole(
    name: str, target: str, hole: str | None, span: Span, hole_span: Span
) -> Diagnostic:
    """W0070: `assert NAME { requires TARGET ... }` where TARGET is not yet defined (`hole`
    None) or extends the standard `hole`, which is not."""
    what = "is" if hole is None else f"extends `{hole}`, which is"
    return _make(
        ASSERTION_ON_HOLE,
        f"assertion `{name}` requires `{target}`, which {what} not yet defined: "
        "`rspl verify` cannot check it",
        span,
        labels=[Label(hole_span, "declared as not yet defined here")],
        help="a standard not yet defined includes no safeguard to require; assert what it "
        "means for the decision instead, e.g. `never permitted CONTEXT when ...`",
    )


def implicit_aggregation(span: Span) -> Diagnostic:
    """W0004: the header has no `combine` clause."""
    return _make(
        IMPLICIT_AGGREGATION,
        "the header does not say how required standards combine",
        span,
        help="add `combine highest standard per family` (the usual rule) or "
        "`combine all standards`; until then the highest per family is assumed",
    )


def missing_source(what: str, name: str, span: Span) -> Diagnostic:
    """W0005: a `what` (rule, level, standard, ...) with no `source`."""
    return _make(
        MISSING_SOURCE,
        f"{what} `{name}` cites no source",
        span,
        help='add `source "§..."` so every output can point back to the published text',
    )


def redundant_requirement(
    weaker: str, stronger: str, span: Span, stronger_span: Span
) -> Diagnostic:
    """W0006: `weaker` is required beside `stronger`, which extends it."""
    return _make(
        REDUNDANT_REQUIREMENT,
        f"`{weaker}` is already covered by `{stronger}`, which extends it",
        span,
        labels=[Label(stronger_span, f"`{stronger}` required here")],
        help="a standard includes everything it extends; remove the weaker one",
    )


def redundant_safeguard(standard: str, safeguard: str, parent: str, span: Span) -> Diagnostic:
    """W0007: `standard` lists `safeguard`, which it inherits from `parent`."""
    return _make(
        REDUNDANT_SAFEGUARD,
        f"`{standard}` already inherits `{safeguard}` from `{parent}`",
        span,
        help="safeguards of an extended standard are included automatically; "
        "remove this entry",
    )


def scenario_without_expectations(name: str, span: Span) -> Diagnostic:
    """W0008: a scenario with no `expect`."""
    return _make(
        SCENARIO_WITHOUT_EXPECTATIONS,
        f"scenario `{name}` expects nothing",
        span,
        help="add `expect` lines, e.g. `expect required STANDARD` or `expect CONTEXT blocked`",
    )


def empty_standard(standard: str, span: Span) -> Diagnostic:
    """W0009: a defined standard with no safeguards, listed or inherited."""
    return _make(
        EMPTY_STANDARD,
        f"standard `{standard}` has no safeguards",
        span,
        help="list its safeguards with `includes`, or mark it `not yet defined`",
    )


def renamed_output(policy: str, taken: str, stem: str, keyword: bool, span: Span) -> Diagnostic:
    """W0010: the policy's plain file name `taken` is a Python keyword or the name of a
    standard-library module, so its output files are named `stem` instead."""
    what = "a Python keyword" if keyword else "the name of a module of Python's standard library"
    return _make(
        RENAMED_OUTPUT,
        f"`{taken}` is {what}, so the output files of policy `{policy}` are named `{stem}`",
        span,
        help=f"the evaluator is `{stem}.py` (`import {stem}`); rename the policy to choose "
        "another file name",
    )


def bound_out_of_range(name: str, text: str, outcome: str, span: Span) -> Diagnostic:
    """W0011: the fraction `name` compared with `text`, a bound above 1 (100%), so the
    comparison is `outcome` (always true, never true) for every value an assessment gives."""
    return _make(
        BOUND_OUT_OF_RANGE,
        f"`{name}` is a fraction, never above 1 (100%), so comparing it with `{text}` is "
        f"{outcome}",
        span,
        help="a fraction is written `15%`, `0.15` or `3 in 20`; a plain `15` means 1500%",
    )


# ---------------------------------------------------------------------- shared phrasing


# ------------------------------------------------------------------ measurement families (E09xx)

_AGGREGATES = "`all {n} ...`, `any {n} ...`, `at least 2 of {n} ...`, `max {n}` or `min {n}`"


def family_of_dates(name: str, span: Span) -> Diagnostic:
    """E0901: date evidence declared `per` something."""
    return _make(
        FAMILY_OF_DATES,
        f"`{name}` cannot be a date measured per member",
        span,
        help="a family holds yes-or-no values or quantities; declare one date evidence per "
        "event instead",
    )


def family_as_value(name: str, dimension: str, span: Span, declared: Span) -> Diagnostic:
    """E0902: a family used where a single value is expected."""
    return _make(
        FAMILY_AS_VALUE,
        f"`{name}` is measured per {dimension}, so it has no single value here",
        span,
        labels=[Label(declared, "declared per member here")],
        help="say which of its values counts: " + _AGGREGATES.format(n=name),
    )


def not_a_family(word: str, name: str, span: Span) -> Diagnostic:
    """E0903: an aggregate (`all`, `any`, `at least`, `max`, `min`) over something that is
    not evidence measured per member."""
    return _make(
        NOT_A_FAMILY,
        f"`{word}` ranges over the members of a family, but `{name}` is one value",
        span,
        help=f"declare it per member (`evidence {name}: TYPE per WHAT`), or compare it "
        f"directly (`{name} >= VALUE`)",
    )


def family_member_kind(word: str, name: str, yes_no: bool, span: Span) -> Diagnostic:
    """E0904: an aggregate that does not fit the family's values: a comparison or `max`/`min`
    over yes-or-no members (`yes_no`), or no comparison over quantities."""
    if yes_no:
        return _make(
            FAMILY_MEMBER_KIND,
            f"the members of `{name}` are yes or no, so `{word}` cannot compare them",
            span,
            help=f"write `all {name}`, `any {name}` or `at least N of {name}`, without a "
            "comparison",
        )
    return _make(
        FAMILY_MEMBER_KIND,
        f"the members of `{name}` are quantities: `{word} {name}` needs a comparison",
        span,
        help=f"say what each member is compared with, e.g. `{word} {name} <= 5%`",
    )


def duplicate_member(member: str, name: str, span: Span, first: Span) -> Diagnostic:
    """E0905: a member listed twice in a family's declaration."""
    return _make(
        DUPLICATE_MEMBER,
        f"`{member}` is listed twice among the members of `{name}`",
        span,
        labels=[Label(first, "first listed here")],
        help="list each member once",
    )


def impossible_member_count(name: str, members: int | None, span: Span) -> Diagnostic:
    """E0906: `at least N of FAMILY` with N below 1, or above the declared members."""
    most = f"from 1 to {members}" if members is not None else "of at least 1"
    return _make(
        IMPOSSIBLE_MEMBER_COUNT,
        f"`at least N of {name}` needs a whole number N {most}",
        span,
        help=f"`{name}` has {members} declared members" if members is not None
        else "the count must be a whole number of at least 1",
    )


def scenario_family_whole(name: str, span: Span, declared: Span) -> Diagnostic:
    """E0907: a scenario gives a measurement family one value with `=`."""
    return _make(
        SCENARIO_MEMBER,
        f"`{name}` is measured per member: give each member's value",
        span,
        labels=[Label(declared, "declared here")],
        help=f"write `given {name} for MEMBER = VALUE`, once per member",
    )


def scenario_member_of_plain(name: str, span: Span, declared: Span) -> Diagnostic:
    """E0907: a scenario gives a member's value of evidence that is not a family."""
    return _make(
        SCENARIO_MEMBER,
        f"`{name}` is one value, not measured per member",
        span,
        labels=[Label(declared, "declared here")],
        help=f"write `given {name} = VALUE`",
    )


def scenario_unknown_member(
    name: str, member: str, members: Sequence[str], span: Span, declared: Span
) -> Diagnostic:
    """E0907: a scenario gives a member outside a family's declared members."""
    return _make(
        SCENARIO_MEMBER,
        f"`{name}` has no member `{member}`",
        span,
        labels=[Label(declared, "members declared here")],
        help="its members are " + ", ".join(f"`{m}`" for m in members),
    )


# Words whose meaning a near-spelling would turn around: never corrected into something else.
_NEGATIONS = frozenset({"not", "no", "never", "none", "non", "nor", "neither", "without"})
# Parts of a name that a one-letter change turns into their opposite.
_OPPOSITES = (
    ("internal", "external"), ("pre", "post"), ("before", "after"), ("min", "max"),
    ("minimum", "maximum"), ("upper", "lower"), ("input", "output"), ("open", "closed"),
    ("allow", "deny"), ("enable", "disable"), ("include", "exclude"), ("start", "end"),
    ("first", "last"), ("high", "low"), ("public", "private"), ("inbound", "outbound"),
    ("increase", "decrease"), ("above", "below"), ("more", "less"), ("safe", "unsafe"),
)  # fmt: skip
_NEGATING_PREFIXES = ("un", "non", "not", "no", "in", "im", "dis", "anti")


@functools.lru_cache(maxsize=1)
def _reserved_words() -> frozenset[str]:
    """The keywords of the grammar (`not`, `must`, `within`, ...)."""
    return frozenset(re.findall(r'"([a-z]+)"', grammar_text()))


def did_you_mean(
    word: str, candidates: Iterable[str], *, kind: str, dimension: str | None = None
) -> str | None:
    """A `help` text suggesting the closest of `candidates` for the misspelt `word`, or None.
    Every did-you-mean goes through here. `kind` is what the word should be (`role`,
    `context`, `level`, `unit`, ...): the caller passes only candidates of that kind. A
    suggestion must not change the meaning: a keyword or a negation (`not` -> `notify`) is
    never corrected; a name is never corrected into one with other numbers (`CBRN_5` ->
    `CBRN_4`), an opposite part (`internal` -> `external`) or a negating prefix (`safe` ->
    `unsafe`); a unit only into a unit of the same `dimension` (given, or else the
    dimension of the closest unit), and only when the spelling is close or an abbreviation
    (`mins` -> `minutes`, never `minutes` -> `months`)."""
    lowered = word.lower()
    if lowered in _NEGATIONS or (kind != "module" and lowered in _reserved_words()):
        return None
    pool = sorted({c for c in candidates if c != word and _same_meaning(word, c)})
    if kind == "unit":
        pool = [c for c in pool if c in units.UNITS]
        if dimension is not None:
            pool = [c for c in pool if units.UNITS[c][0] == dimension]
    scored = []
    for c in pool:
        ratio = difflib.SequenceMatcher(None, word, c).ratio()
        if kind == "unit":
            ok = ratio >= 0.75 or _abbreviates(word, c)
            ratio = max(ratio, 0.75) if ok else ratio
        else:
            ok = ratio >= (0.5 if len(word) <= 4 else 0.6)
        if ok:
            scored.append((ratio, c))
    # `minute` and `minutes`: one form, the plural when the word ends like one (`minuts`)
    forms: dict[str, tuple[float, str]] = {}
    plural = word[-1:] in ("s", "z")
    for ratio, c in scored:
        stem = c[:-1] if c.endswith("s") else c
        best, form = forms.get(stem, (ratio, c))
        if c.endswith("s") == plural and form.endswith("s") != plural:
            form = c
        forms[stem] = (max(best, ratio), form)
    scored = sorted(forms.values(), key=lambda rc: (-rc[0], rc[1]))
    if kind == "unit" and dimension is None and scored:
        closest = units.UNITS[scored[0][1]][0]
        scored = [rc for rc in scored if units.UNITS[rc[1]][0] == closest]
    close = [c for ratio, c in scored if ratio >= scored[0][0] - 0.1][:3]
    if not close:
        by_case = {c.lower(): c for c in pool}
        if lowered in by_case:
            close = [by_case[lowered]]
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"


def _parts(name: str) -> set[str]:
    """`largeScale_internal2` -> {`large`, `scale`, `internal`}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {p.lower() for p in re.split(r"[^A-Za-z]+", spaced) if p}


def _same_meaning(word: str, candidate: str) -> bool:
    """Whether correcting `word` into `candidate` keeps its meaning (see `did_you_mean`)."""
    digits_w, digits_c = re.findall(r"[0-9]+", word), re.findall(r"[0-9]+", candidate)
    if digits_w and digits_w != digits_c:
        return False
    pw, pc = _parts(word), _parts(candidate)
    for a, b in _OPPOSITES:
        if (a in pw and b in pc and b not in pw) or (b in pw and a in pc and a not in pw):
            return False
    w, c = word.lower(), candidate.lower()
    for prefix in _NEGATING_PREFIXES:
        for longer, shorter in ((w, c), (c, w)):
            rest = longer[len(prefix):].lstrip("_") if longer.startswith(prefix) else None
            if rest == shorter:
                return False
    return True


def _abbreviates(word: str, unit: str) -> bool:
    """`mins` for `minutes`, `hrs` for `hours`: the unit's first letter, then its letters in
    order."""
    if len(word) < 2 or word[0] != unit[0]:
        return False
    it = iter(unit)
    return all(ch in it for ch in word)


def describe_type(t: TypeLike) -> str:
    """A checker type in words: `a level of `CBRN``, `a duration`, `a date`, ..."""
    if t.kind == "bool":
        return "a true-or-false condition"
    if t.kind == "level":
        return f"a level of `{t.detail}`"
    if t.kind == "domain":
        return f"the domain `{t.detail}`"
    if t.kind == "quantity":
        return f"a {t.detail}"
    if t.kind == "number":
        return "a plain number"
    if t.kind == "date":
        return "a date"
    return "an unknown value"


# ------------------------------------------------------- levels per setting (E0801-E0806)


def residual_without_mitigation(name: str, span: Span, domain: Span | None) -> Diagnostic:
    """E0801: `residual NAME` where NAME is not a domain `assessed after mitigation`;
    `domain` is the domain's name when NAME is one."""
    if domain is None:
        return _make(
            RESIDUAL_WITHOUT_MITIGATION,
            f"`residual` needs a domain, and `{name}` is not one",
            span,
            help="write `residual DOMAIN <= LEVEL` with a domain that is `assessed after "
            "mitigation`",
        )
    return _make(
        RESIDUAL_WITHOUT_MITIGATION,
        f"the domain `{name}` has no level after mitigation",
        span,
        labels=[Label(domain, "declared here")],
        help=f"add `assessed after mitigation` to the domain `{name}`, or compare its level "
        f"before mitigation (`{name} >= LEVEL`)",
    )


def setting_not_assessed(
    domain: str, contexts: Sequence[str], assessed: Sequence[str], span: Span, where: Span
) -> Diagnostic:
    """E0802: a rule reads the per-setting domain `domain` (at `span`), and a requirement or
    a blocking obligation of it (at `where`) applies to `contexts`, which no setting of the
    domain covers (`assessed`: the settings' names)."""
    context = contexts[0]
    named = ", ".join(f"`{c}`" for c in contexts)
    return _make(
        SETTING_NOT_ASSESSED,
        f"`{domain}` is not assessed for the context{'s' if len(contexts) > 1 else ''} {named}",
        where,
        labels=[Label(span, f"this rule reads `{domain}`, assessed per context "
                            + ", ".join(f"`{a}`" for a in assessed))],
        help=f"limit the line to the contexts `{domain}` is assessed for (`for ...`), or add "
        f"`{context}` to the domain's `assessed per context`",
    )  # fmt: skip


_UNDECIDED = {
    "checkpoint": "a `rules out` checkpoint",
    "until": "an `until` condition",
    "efficacy": "an efficacy criterion",
    "criterion": "a `counts when` criterion",
    "waiver": "a waiver's condition",
    "assertion": "an assertion's condition",
}


def settings_disjoint(domains: Sequence[str], span: Span) -> Diagnostic:
    """E0802: a rule reads `domains`, each assessed per context, but no context is assessed
    for all of them: the rule could not be decided for any context."""
    named = ", ".join(f"`{d}`" for d in domains)
    return _make(
        SETTING_NOT_ASSESSED,
        f"no context is assessed for every domain this condition reads ({named})",
        span,
        help="a rule that reads domains assessed per context is decided for the contexts all "
        "of them are assessed for; split the condition into rules, or assess the domains for "
        "a common context",
    )


def setting_undecided(domain: str, where: str, span: Span) -> Diagnostic:
    """E0803: the per-setting domain `domain` is read where no context is decided: `where`
    is `checkpoint` (a rule with `rules out`), `until`, `efficacy` (a safeguard's `counts
    when`), `criterion` (a standard's or a requirement's), `waiver` (a waiver's `when`) or
    `assertion` (an `assert` block's `when`)."""
    what = _UNDECIDED[where]
    return _make(
        SETTING_UNDECIDED,
        f"`{domain}` is assessed per context and cannot be read in {what}",
        span,
        help=f"{what} is not decided for one context; only a rule's `when` can read a domain "
        "assessed per context (each context then reads its own level)",
    )


def ordered_not_le(op: str, span: Span) -> Diagnostic:
    """E0804: `ordered A OP B` with OP other than `<=`."""
    return _make(
        INVALID_ORDER,
        f"settings are ordered with `<=`, not `{op}`",
        span,
        help="write `ordered A <= B <= C`: the level for a later setting is never below the "
        "level for an earlier one",
    )


def invalid_order(name: str, repeated: bool, span: Span, settings: Sequence[str]) -> Diagnostic:
    """E0804: `ordered` names `name`, which is not a setting of the domain, or names it
    again (`repeated`); `settings` lists the domain's settings."""
    listed = ", ".join(f"`{s}`" for s in settings) if settings else "none"
    why = "is ordered twice" if repeated else "is not a setting of this domain"
    return _make(
        INVALID_ORDER,
        f"`{name}` {why}",
        span,
        help=f"`ordered` lists settings from `assessed per context` (here: {listed}), each "
        "once",
    )


def overlapping_settings(context: str, span: Span, first: Span) -> Diagnostic:
    """E0805: the context `context` is covered by two settings of one domain."""
    return _make(
        OVERLAPPING_SETTINGS,
        f"the context `{context}` is in two settings of this domain",
        span,
        labels=[Label(first, "first covered here")],
        help="each context gets one determination: list it, or a group holding it, once",
    )


def expect_not_per_context(rule: str, context: str, span: Span) -> Diagnostic:
    """E0807: `expect ... RULE for CONTEXT`, where `rule` is not decided for `context` (its
    condition reads no domain assessed per context, or none assessed for this context)."""
    return _make(
        EXPECT_NOT_PER_CONTEXT,
        f"`{rule}` is not decided for the context `{context}` on its own",
        span,
        help="only a rule whose condition reads a domain assessed per context has a status "
        "per context; expect its status for the whole assessment (without `for`), or the "
        "context's verdict (`expect CONTEXT blocked`)",
    )


def given_setting(
    domain: str, setting: str | None, residual: bool, span: Span, settings: Sequence[str]
) -> Diagnostic:
    """E0806: a scenario's `given` does not match how `domain` is assessed: `residual` for a
    domain without a level after mitigation (`residual` True), no setting for a domain
    assessed per context (`setting` None), or a setting it is not assessed for. `settings`
    lists its settings."""
    if residual:
        problem = "is not assessed after mitigation"
    elif setting is None:
        problem = "is assessed per context: say for which"
    elif settings:
        problem = f"is not assessed for `{setting}`"
    else:
        problem = "is not assessed per context"
    listed = ", ".join(f"`{s}`" for s in settings)
    help_ = (
        f"write `given {domain} for SETTING at LEVEL`; its settings are {listed}"
        if settings
        else f"write `given {domain} at LEVEL`"
    )
    return _make(GIVEN_SETTING, f"`{domain}` {problem}", span, help=help_)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _kinds_words(kinds: Sequence[str]) -> str:
    words = [f"{_article(k)} {k}" for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _choices(word: str, allowed: Sequence[str], kind: str) -> str:
    """`did you mean ...? the choices are ...` for a word outside a fixed list of `kind`."""
    listing = "the choices are " + ", ".join(f"`{w}`" for w in allowed)
    hint = did_you_mean(word, allowed, kind=kind)
    return f"{hint} {listing}" if hint else listing


def _bool_help(t: TypeLike) -> str:
    if t.kind == "domain":
        return f"compare the domain with one of its levels, e.g. `{t.detail} >= LEVEL`"
    if t.kind == "level":
        return f"a level on its own is not a condition; write `{t.detail} >= LEVEL`"
    if t.kind == "quantity":
        return "compare it with a bound, e.g. `>= 4x` or `>= 6 months`"
    if t.kind == "date":
        return "compare it, e.g. `since DATE >= 6 months`"
    return "use a comparison, a fact, a definition or `X is implemented`"


# ---------------------------------------------------------------------------- criteria


def criterion_several_targets(targets: Sequence[str], span: Span, line_span: Span) -> Diagnostic:
    """E1001: `require A, B counts when ...`: a criterion belongs to one requirement."""
    return _make(
        CRITERION_SEVERAL_TARGETS,
        "a `counts when` criterion belongs to a `require` line that names one thing",
        span,
        labels=[Label(line_span, "requires " + ", ".join(f"`{t}`" for t in targets))],
        help="write one `require` line per standard or safeguard, and put the criterion on "
        "the one it applies to (or on the standard itself, to apply it everywhere)",
    )


def criterion_not_binding(modality: str, span: Span, line_span: Span) -> Diagnostic:
    """E1002: `should require X counts when ...`: only a binding requirement can be met."""
    return _make(
        CRITERION_NOT_BINDING,
        f"a `{modality} require` line cannot have a `counts when` criterion",
        span,
        labels=[Label(line_span, "this requirement does not bind")],
        help="a criterion decides whether a binding (`must`) requirement is met; write "
        "`require ... counts when ...`, or drop the criterion",
    )


def criterion_never_holds(what: str, name: str, span: Span) -> Diagnostic:
    """W0025: the criterion of a standard or requirement that no input makes true."""
    return _make(
        CRITERION_NEVER_HOLDS,
        f"the criterion of {what} `{name}` can never hold",
        span,
        help="no combination of inputs makes this criterion true, so it never counts and "
        "every rule that requires it stays unmet; check the bound and the comparison",
    )


def criterion_on_hole(name: str, span: Span, hole_span: Span) -> Diagnostic:
    """W0026: `counts when` on a standard that is `not yet defined`."""
    return _make(
        CRITERION_ON_HOLE,
        f"standard `{name}` is not yet defined, so its criterion has no effect",
        span,
        labels=[Label(hole_span, "declared `not yet defined` here")],
        help="a standard that is not yet defined never counts, whatever its criterion; "
        "define its safeguards, or remove the criterion until then",
    )


# ---------------------------------------------------------------- who acts and who receives


def mixed_role_list(roles: Sequence[str], span: Span) -> Diagnostic:
    """E1401: `by A, B or C`: `,` (all of them) and `or` (any one of them) in one list."""
    first, rest = ", ".join(f"`{r}`" for r in roles[:-1]), f"`{roles[-1]}`"
    return _make(
        MIXED_ROLE_LIST,
        "this list of roles mixes `,` (all of them) and `or` (any one of them)",
        span,
        help=f"say which is meant: `{' or '.join(roles)}` if any one of {first} or {rest} "
        f"may, or `{', '.join(roles)}` if all of them must; for a group that acts together "
        "with another role, declare a role group (`role NAME includes ...`)",
    )


def one_role_choice(any_one: bool, role: str, span: Span) -> Diagnostic:
    """W0038: `approved by any of (A)` (`any_one`) or `all of (A)`: a choice among one role."""
    kind = "any" if any_one else "all"
    return _make(
        ONE_ROLE_CHOICE,
        f"`{kind} of` lists a single role, `{role}`",
        span,
        help=f"write `approved by {role}`, or list the other roles that may approve",
    )


def role_group_includes_itself(group: str, span: Span) -> Diagnostic:
    """E1402: `role g includes g`."""
    return _make(
        ROLE_GROUP_INCLUDES_ITSELF,
        f"role group `{group}` includes itself",
        span,
        help="a role group lists other roles (or other groups); remove it from its own list",
    )


def role_group_cycle(groups: Sequence[str], span: Span) -> Diagnostic:
    """E1403: role groups that include each other in a circle (the first repeated at the end)."""
    return _make(
        ROLE_GROUP_CYCLE,
        "role groups include each other in a circle: " + " -> ".join(f"`{g}`" for g in groups),
        span,
        help="a role group must lead down to single roles; remove one of the `includes`",
    )


def unknown_recipient(
    name: str,
    kinds: Sequence[str],
    span: Span,
    *,
    candidates: Iterable[str],
    level_of: str | None = None,
    purpose: str = "",
) -> Diagnostic:
    """E1404: `to R` where `R` is not declared; a recipient is a role (or a role group).
    Did-you-mean looks among the roles only."""
    return _make(
        UNKNOWN_RECIPIENT,
        f"unknown recipient `{name}`",
        span,
        help=did_you_mean(name, candidates, kind="role")
        or f"a recipient is a role: declare it (`role {name} \"...\"`) or check the spelling",
    )


def repeated_role(role: str, where: str, span: Span, first: Span | None = None) -> Diagnostic:
    """W0039: a role named twice in one role group or one list of roles, directly or
    through a group (`where` says which list and how)."""
    return _make(
        REPEATED_ROLE,
        f"`{role}` is named twice {where}",
        span,
        labels=[Label(first, "first named here")] if first is not None else [],
        help="name each role once; a group already stands for its members",
    )


# ---------------------------------------------------------------------- profiles (E1911-E1916)


def profile_not_toml(reason: str, span: Span) -> Diagnostic:
    """E1911: the profile file does not parse as TOML (`reason` is the TOML reader's)."""
    return _make(
        PROFILE_NOT_TOML,
        f"this profile is not valid TOML: {reason}",
        span,
        help="a profile is a TOML file: a `[profile]` table and `[[element]]` tables "
        "(see docs/lint.md)",
    )


def profile_missing_field(field: str, where: str, span: Span) -> Diagnostic:
    """E1912: a required field of the profile, an element or a check is missing."""
    return _make(
        PROFILE_MISSING_FIELD,
        f"{where} has no `{field}`",
        span,
        help=f"add `{field}`; docs/lint.md lists the fields of a profile, its elements and "
        "each check",
    )


def profile_unknown_check(kind: str, known: Sequence[str], span: Span) -> Diagnostic:
    """E1913: `kind = "..."` names no check of the vocabulary."""
    suggestion = did_you_mean(kind, known, kind="check")
    return _make(
        PROFILE_UNKNOWN_CHECK,
        f"unknown check `{kind}`",
        span,
        help=suggestion or "the checks are " + ", ".join(f"`{k}`" for k in known),
    )


def profile_bad_value(field: str, wanted: str, span: Span) -> Diagnostic:
    """E1914: a profile field whose value is of the wrong kind or outside its fixed list."""
    return _make(
        PROFILE_BAD_VALUE,
        f"{field} must be {wanted}",
        span,
        help="docs/lint.md lists the options of each check and their values",
    )


def profile_unknown_field(field: str, where: str, span: Span) -> Diagnostic:
    """E1915: a key the profile format does not have, in the file, an element or a check."""
    return _make(
        PROFILE_UNKNOWN_FIELD,
        f"{where} has an unknown field `{field}`",
        span,
        help="remove it, or check its spelling against docs/lint.md",
    )


def profile_duplicate_element(element: str, span: Span) -> Diagnostic:
    """E1916: two `[[element]]` tables with the same `id`."""
    return _make(
        PROFILE_DUPLICATE_ELEMENT,
        f"a second element with the id `{element}`",
        span,
        help="give each element of a profile its own id",
    )


def profile_element_missing(
    profile: str, element: str, title: str, citation: str, wanted: str, span: Span
) -> Diagnostic:
    """W0050: nothing in the policy satisfies an element of the profile."""
    return _make(
        PROFILE_ELEMENT_MISSING,
        f"{profile} {element} is missing: {title} ({citation})",
        span,
        help=f"it is satisfied by {wanted}",
    )


def profile_element_not_binding(
    profile: str, element: str, title: str, citation: str, found: str, wanted: str, span: Span
) -> Diagnostic:
    """W0051: an element is satisfied only by duties that do not bind (`should`, `may`)."""
    return _make(
        PROFILE_ELEMENT_NOT_BINDING,
        f"{profile} {element} is not binding: {title} ({citation}); found only {found}",
        span,
        help=f"it is satisfied by {wanted}",
    )


# ------------------------------------------------ bindings (`rspl assess`, E2101-E2111, W006x)

_BINDINGS_DOC = "docs/tutorial-evals.md describes the bindings file"


def bindings_not_toml(reason: str, span: Span) -> Diagnostic:
    """E2101: the bindings file does not parse as TOML (`reason` is the TOML reader's)."""
    return _make(
        BINDINGS_NOT_TOML,
        f"this bindings file is not valid TOML: {reason}",
        span,
        help="a bindings file is TOML: an `[assess]` table and one `[evidence.NAME]` table per "
        "evidence measured; " + _BINDINGS_DOC,
    )


def bindings_unknown_evidence(name: str, declared: Sequence[str], span: Span) -> Diagnostic:
    """E2102: a binding (or `not_measured`) names evidence the policy does not declare."""
    return _make(
        BINDINGS_UNKNOWN_EVIDENCE,
        f"the policy declares no evidence `{name}`",
        span,
        help=did_you_mean(name, declared, kind="evidence")
        or "the policy's evidence: " + ", ".join(f"`{d}`" for d in declared),
    )


def bindings_unit_mismatch(
    name: str, unit: str, etype: str, fits: Sequence[str], span: Span
) -> Diagnostic:
    """E2103: the metric's unit cannot give a value of the evidence's type."""
    help = (
        "a metric gives a number: a date cannot be measured by one; give it in the assessment"
        if not fits
        else "a metric for " + etype + " evidence is in " + ", ".join(f"`{f}`" for f in fits)
    )
    return _make(
        BINDINGS_UNIT_MISMATCH,
        f"`{name}` is {etype} evidence, but its metric is bound in `{unit}`",
        span,
        help=help,
    )


def bindings_metric_unit(name: str, metric: str, unit: str, span: Span) -> Diagnostic:
    """E2103: a metric whose unit Inspect fixes (`accuracy`, from 0 to 1) bound in another."""
    return _make(
        BINDINGS_UNIT_MISMATCH,
        f"`{metric}` of `{name}` is a fraction from 0 to 1, but it is bound in `{unit}`",
        span,
        help=f"Inspect's `{metric}` is never a percentage: remove `unit` (or write "
        '`unit = "fraction"`), and write any bound as a fraction (0.4 for 40%)',
    )


def bindings_missing_field(field: str, where: str, span: Span) -> Diagnostic:
    """E2104: a required field of a binding or of `[assess]` is missing."""
    return _make(
        BINDINGS_MISSING_FIELD,
        f"{where} has no `{field}`",
        span,
        help=f"add `{field}`; " + _BINDINGS_DOC,
    )


def bindings_unknown_field(field: str, where: str, known: Sequence[str], span: Span) -> Diagnostic:
    """E2105: a key the bindings format does not have."""
    return _make(
        BINDINGS_UNKNOWN_FIELD,
        f"{where} has an unknown field `{field}`",
        span,
        help=did_you_mean(field, known, kind="field")
        or "the fields here are " + ", ".join(f"`{k}`" for k in known),
    )


def bindings_bad_value(field: str, where: str, wanted: str, span: Span) -> Diagnostic:
    """E2106: a field whose value is of the wrong kind or outside its fixed list."""
    return _make(
        BINDINGS_BAD_VALUE,
        f"`{field}` of {where} must be {wanted}",
        span,
        help=_BINDINGS_DOC,
    )


def bindings_fact_comparison(name: str, etype: str, span: Span) -> Diagnostic:
    """E2107: a yes-or-no evidence without `true_when`, or a quantity with one."""
    if etype in units.BOOLEAN_TYPES:
        return _make(
            BINDINGS_FACT_COMPARISON,
            f"`{name}` is a {etype} (yes or no), but its binding does not say when the metric "
            "makes it true",
            span,
            help='add `true_when = ">= 0.5"` (a comparison and a bound in the metric\'s unit)',
        )
    return _make(
        BINDINGS_FACT_COMPARISON,
        f"`{name}` is {etype} evidence: the metric is its value, so `true_when` does not apply",
        span,
        help="remove `true_when`; the policy's rules compare the value themselves",
    )


def bindings_bound_out_of_range(name: str, bound: float, unit: str, span: Span) -> Diagnostic:
    """E2108: a `true_when` bound that no value of the metric's unit can be compared with
    sensibly (a fraction compared with 40, written for 40%)."""
    hint = f"; for {bound:g}% write {bound / 100:g}" if unit == "fraction" and bound > 1 else ""
    return _make(
        BINDINGS_BOUND_OUT_OF_RANGE,
        f"the bound {bound:g} of `{name}` is outside the range of a `{unit}` metric",
        span,
        help=f"a `{unit}` metric is {_UNIT_RANGES.get(unit, 'a number')}{hint}",
    )


_UNIT_RANGES = {"fraction": "from 0 to 1", "percent": "from 0 to 100"}


def bindings_members(name: str, problem: str, span: Span) -> Diagnostic:
    """E2109: `members` on plain evidence, a family bound without them, or an undeclared
    member (`problem` says which, in words)."""
    return _make(
        BINDINGS_MEMBERS,
        f"`{name}`: {problem}",
        span,
        help="a measurement family (`evidence F: TYPE per THING`) is bound member by member "
        "under `[evidence.F.members]`; plain evidence by one metric",
    )


def bindings_aggregate(name: str, problem: str, span: Span) -> Diagnostic:
    """E2110: `tasks` without `aggregate`, `aggregate` without `tasks`, or `task` and `tasks`."""
    return _make(
        BINDINGS_AGGREGATE,
        f"`{name}`: {problem}",
        span,
        help='one task: `task = "T"`; several: `tasks = ["T1", "T2"]` with `aggregate = '
        '"mean"`, `"max"` or `"min"`',
    )


def bindings_filter_metric(name: str, metric: str, span: Span) -> Diagnostic:
    """E2111: a sample filter on a metric other than `accuracy` or `mean`."""
    return _make(
        BINDINGS_FILTER_METRIC,
        f"`{name}` filters samples, but its metric `{metric}` cannot be recomputed from them",
        span,
        help="with `samples`, use `metric = \"accuracy\"` or `\"mean\"` (the mean of the "
        "filtered samples' scores), or bind a metric the task computes per group itself",
    )


def bindings_unbound_evidence(name: str, etype: str, span: Span) -> Diagnostic:
    """W0060: measurable evidence (a fact or a quantity) that no binding measures."""
    return _make(
        BINDINGS_UNBOUND_EVIDENCE,
        f"no binding measures the {etype} evidence `{name}`: `rspl assess` leaves it unknown",
        span,
        help=f"bind it under `[evidence.{name}]`, or list it in `not_measured` of `[assess]` "
        "when people give it (`--determinations`)",
    )


def bindings_judgement_measured(name: str, roles: Sequence[str], span: Span) -> Diagnostic:
    """W0061: a judgement is bound to a metric."""
    who = ", ".join(roles) if roles else "a role"
    return _make(
        BINDINGS_JUDGEMENT_MEASURED,
        f"`{name}` is a judgement ({who} decides it), but it is bound to an evaluation metric",
        span,
        help="declare it a `fact` if an evaluation decides it, or leave it to its role "
        "(`--determinations`)",
    )
