"""Diagnostics as data: the codes, the `Diagnostic` record and the `Reporter`.

Each code is a module-level `Code` constant named after its slug (`UNKNOWN_NAME` is `E0201`,
`unknown-name`); `CODES` collects them by code, in the order they are defined here. The
words of every diagnostic live in `rspl.messages`, one constructor per situation, which is
the only place a `Diagnostic` is built (`tests/test_messages.py` checks it).

Passes never raise on bad input: they report with `reporter.add(msg.unknown_name(...))` and
carry on, so one run reports every independent problem. Rendering lives in `rspl.render`.
Every code is documented with a bad and a fixed example in `docs/diagnostics.md`; a test
keeps the two in step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from rspl.spans import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Code:
    """One kind of problem: `code` (`E0201`), `slug` (`unknown-name`), its severity and a
    one-line summary (what `rspl explain` falls back to)."""

    code: str
    slug: str
    severity: Severity
    summary: str


ERROR = Severity.ERROR
WARNING = Severity.WARNING

# The codes, one constant each, named after the slug. `CODES` below collects them in the order
# they are defined here, which is also the order of docs/diagnostics.md; a diagnostic is built
# only in `rspl.messages`, from one of these constants.

# syntax
UNEXPECTED_TOKEN = Code("E0001", "unexpected-token", ERROR, "something appears where the language does not allow it")
INVALID_CHARACTER = Code("E0002", "invalid-character", ERROR, "a character that is not part of the language")
UNEXPECTED_END = Code("E0003", "unexpected-end", ERROR, "the file ends before a construct is complete")
UNTERMINATED_TEXT = Code("E0004", "unterminated-text", ERROR, "a quoted text has no closing quote")
INVALID_DATE = Code("E0005", "invalid-date", ERROR, "a date that does not exist in the calendar")
DUPLICATE_CLAUSE = Code("E0006", "duplicate-clause", ERROR, "a clause that may appear once appears twice")
NUMBER_TOO_LARGE = Code("E0007", "number-too-large", ERROR, "a number too large to represent")

# header and modules
MISSING_POLICY_HEADER = Code("E0101", "missing-policy-header", ERROR, "the main file has no `policy` header")
MISPLACED_POLICY_HEADER = Code("E0102", "misplaced-policy-header", ERROR, "a second `policy` header, or one in an imported file")
IMPORT_NOT_FOUND = Code("E0103", "import-not-found", ERROR, "an imported module or file does not exist")
IMPORT_CYCLE = Code("E0104", "import-cycle", ERROR, "files import each other in a circle")
MISSING_HEADER_FIELD = Code("E0105", "missing-header-field", ERROR, "the policy header lacks a required field")
IMPORT_OUTSIDE_FOLDER = Code("E0106", "import-outside-folder", ERROR, "an imported file outside the policy's folder and the import path")
IMPORT_NOT_POLICY_FILE = Code("E0107", "import-not-policy-file", ERROR, "an import names something that is not a policy file")

# names
UNKNOWN_NAME = Code("E0201", "unknown-name", ERROR, "a name that is not declared")
DUPLICATE_DECLARATION = Code("E0202", "duplicate-declaration", ERROR, "two declarations share a name")
WRONG_KIND = Code("E0203", "wrong-kind", ERROR, "a name refers to the wrong kind of declaration")
UNKNOWN_LEVEL = Code("E0204", "unknown-level", ERROR, "a level that the domain does not have")
UNKNOWN_TYPE = Code("E0205", "unknown-type", ERROR, "an evidence type that does not exist")
UNKNOWN_UNIT = Code("E0206", "unknown-unit", ERROR, "a unit word that does not exist")
UNKNOWN_WORD = Code("E0207", "unknown-word", ERROR, "a status, category or similar word outside its fixed list")

# types
LEVEL_DOMAIN_MISMATCH = Code("E0301", "level-domain-mismatch", ERROR, "a level compared with a different domain")
UNIT_MISMATCH = Code("E0302", "unit-mismatch", ERROR, "quantities of different kinds compared")
NON_BOOLEAN_CONDITION = Code("E0303", "non-boolean-condition", ERROR, "a condition that is not true-or-false")
INCOMPARABLE = Code("E0304", "incomparable", ERROR, "two values that cannot be compared")
SINCE_NEEDS_DATE = Code("E0305", "since-needs-date", ERROR, "`since` applied to something that is not a date")
IMPOSSIBLE_COUNT = Code("E0306", "impossible-count", ERROR, "`at least N of` with N outside 1 to the number of items")

# standards, rules and obligations
EXTENDS_CYCLE = Code("E0401", "extends-cycle", ERROR, "standards that extend each other in a circle")
CROSS_FAMILY_EXTENDS = Code("E0402", "cross-family-extends", ERROR, "a standard extends one from another family")
REQUIRE_NON_SAFEGUARD = Code("E0403", "require-non-safeguard", ERROR, "a rule requires something that is not a safeguard or standard")
UNKNOWN_ROLE = Code("E0404", "unknown-role", ERROR, "a role that is not declared")
UNKNOWN_CONTEXT = Code("E0405", "unknown-context", ERROR, "a context that is not declared")
WARNING_WITHOUT_CONDITION = Code("E0406", "warning-without-condition", ERROR, "a warning with no `when`")
INVALID_RULES_OUT = Code("E0407", "invalid-rules-out", ERROR, "a `rules out` that is not `DOMAIN >= LEVEL` in a warning")
HOLE_WITH_CONTENTS = Code("E0408", "hole-with-contents", ERROR, "a standard both `not yet defined` and listing safeguards")
INVALID_DEADLINE = Code("E0409", "invalid-deadline", ERROR, "a deadline with the wrong kind of time or event")
JUDGEMENT_WITHOUT_DECIDER = Code("E0410", "judgement-without-decider", ERROR, "a judgement with no role that makes it")
DEFINITION_CYCLE = Code("E0411", "definition-cycle", ERROR, "definitions that refer to each other in a circle")
DOMAIN_WITHOUT_LEVELS = Code("E0412", "domain-without-levels", ERROR, "a domain that declares no levels")
IMPLEMENTED_IN_EFFICACY = Code("E0413", "implemented-in-efficacy", ERROR, "an efficacy criterion asks what is implemented")

# scenarios
SCENARIO_LEVEL_ORDER = Code("E0501", "scenario-level-order", ERROR, "a scenario's `cannot rule out` level is below its reached level")
SCENARIO_VALUE_TYPE = Code("E0502", "scenario-value-type", ERROR, "a scenario gives a value of the wrong type")
UNKNOWN_OBLIGATION = Code("E0503", "unknown-obligation", ERROR, "a scenario expects an obligation the rule does not have")
SCENARIO_CONFLICT = Code("E0504", "scenario-conflict", ERROR, "a scenario gives the same input twice")

# limits (docs/limits.md)
EXPRESSION_TOO_DEEP = Code("E0601", "expression-too-deep", ERROR, "an expression nested more deeply than the compiler allows")
DEFINITIONS_TOO_DEEP = Code("E0602", "definitions-too-deep", ERROR, "definitions that use definitions more deeply than the compiler allows")
IMPORTS_TOO_DEEP = Code("E0603", "imports-too-deep", ERROR, "files that import files more deeply than the compiler allows")

# numbers
NEGATIVE_QUANTITY = Code("E0701", "negative-quantity", ERROR, "a negative number for a quantity that has no sign")
INVALID_RATIO = Code("E0702", "invalid-ratio", ERROR, "a ratio `N in M` that is not a fraction from 0 to 1")
SCENARIO_VALUE_RANGE = Code("E0703", "scenario-value-range", ERROR, "a scenario gives a value outside its quantity's range")

# levels per setting and after mitigation (issue 10, item 1)
RESIDUAL_WITHOUT_MITIGATION = Code("E0801", "residual-without-mitigation", ERROR, "`residual` of a domain that is not assessed after mitigation")
SETTING_NOT_ASSESSED = Code("E0802", "setting-not-assessed", ERROR, "a rule reads a per-setting domain for a context it is not assessed for")
SETTING_UNDECIDED = Code("E0803", "setting-undecided", ERROR, "a per-setting domain read where no context is decided")
INVALID_ORDER = Code("E0804", "invalid-order", ERROR, "an `ordered` clause that does not order the domain's settings")
OVERLAPPING_SETTINGS = Code("E0805", "overlapping-settings", ERROR, "a context in two settings of a domain")
GIVEN_SETTING = Code("E0806", "given-setting", ERROR, "a scenario gives a level for a setting the domain does not have")
EXPECT_NOT_PER_CONTEXT = Code("E0807", "expect-not-per-context", ERROR, "a scenario expects a rule's status for a context it is not decided for")

# measurement families (evidence measured per member)
FAMILY_OF_DATES = Code("E0901", "family-of-dates", ERROR, "dates measured per member of a family")
FAMILY_AS_VALUE = Code("E0902", "family-as-value", ERROR, "a family of values used where one value is expected")
NOT_A_FAMILY = Code("E0903", "not-a-family", ERROR, "`all`, `any`, `at least`, `max` or `min` over evidence not measured per member")
FAMILY_MEMBER_KIND = Code("E0904", "family-member-kind", ERROR, "an aggregate that does not fit the kind of the family's values")
DUPLICATE_MEMBER = Code("E0905", "duplicate-member", ERROR, "a family lists the same member twice")
IMPOSSIBLE_MEMBER_COUNT = Code("E0906", "impossible-member-count", ERROR, "`at least N of` a family with N below 1 or above its members")
SCENARIO_MEMBER = Code("E0907", "scenario-member", ERROR, "a scenario gives a family's value in a way that does not fit it")

# criteria on standards and requirements (`counts when`)
CRITERION_SEVERAL_TARGETS = Code("E1001", "criterion-several-targets", ERROR, "a `counts when` on a `require` line that names several things")
CRITERION_NOT_BINDING = Code("E1002", "criterion-not-binding", ERROR, "a `counts when` on a requirement that does not bind")

# risk verdicts, provisional and carried-forward determinations, the policy's period
RISK_VERDICT_ONE_LEVEL = Code("E1101", "risk-verdict-one-level", ERROR, "a `risk verdict` domain with a single verdict")
SUPERSEDED_NOT_AFTER_EFFECTIVE = Code("E1102", "superseded-not-after-effective", ERROR, "a policy superseded on or before the date it takes effect")
CARRY_FORWARD_NOT_DURATION = Code("E1103", "carry-forward-not-duration", ERROR, "`carry forward within` with an amount that is not a duration")
CARRY_FORWARD_READS_ASSESSMENT = Code("E1104", "carry-forward-reads-assessment", ERROR, "a `carry forward when` condition reads a level or what is implemented")

# prohibitions (`must not ACTION`, `should not ACTION`)
PROHIBITION_MODALITY = Code("E1201", "prohibition-modality", ERROR, "`may not`, `recommend not` or `illustrative not`, which could mean two things")
PROHIBITION_DEADLINE = Code("E1202", "prohibition-deadline", ERROR, "a prohibition with a deadline (`within`, `before`, `every`, `due`)")
PROHIBITION_APPROVED = Code("E1203", "prohibition-approved", ERROR, "a prohibition with `approved by`")
PROHIBITION_DONE = Code("E1204", "prohibition-done", ERROR, "a scenario gives a prohibition as done")
PROHIBITION_STATUS = Code("E1205", "prohibition-status", ERROR, "a scenario expects a prohibition in a status it never has")
NOT_A_PROHIBITION = Code("E1206", "not-a-prohibition", ERROR, "`expect prohibited` names a duty that is not a prohibition")
PROHIBITION_CONTRADICTS = Code("E1207", "prohibition-contradicts", ERROR, "a rule both imposes and prohibits the same action on the same things")

# waivers, permissions and exemptions
WAIVER_WITHOUT_TARGET = Code("E1301", "waiver-without-target", ERROR, "a waiver that does not say what it waives")
WAIVER_WITHOUT_APPROVAL = Code("E1302", "waiver-without-approval", ERROR, "a waiver that does not say who approves it")
WAIVER_DUTY_WITHOUT_RULE = Code("E1303", "waiver-duty-without-rule", ERROR, "a waiver of an action that does not name the rule whose duty it waives")

# who acts and who receives: role alternatives, recipients, role groups (issue 11, item 3)
MIXED_ROLE_LIST = Code("E1401", "mixed-role-list", ERROR, "a list of roles that mixes `,` (all of them) and `or` (any one of them)")
ROLE_GROUP_INCLUDES_ITSELF = Code("E1402", "role-group-includes-itself", ERROR, "a role group that lists itself among its members")
ROLE_GROUP_CYCLE = Code("E1403", "role-group-cycle", ERROR, "role groups that include each other in a circle")
UNKNOWN_RECIPIENT = Code("E1404", "unknown-recipient", ERROR, "a recipient (`to R`) that is not a declared role")

# deadlines as policies write them: soft words, `due EVENT`, `due at CONTEXT`
SOFT_WITH_DEADLINE = Code("E1501", "soft-with-deadline", ERROR, "a soft time word (`promptly`, `regularly`) on a duty that has another deadline")
DUE_CONTEXT = Code("E1502", "due-context", ERROR, "`due` names a context, which needs `due at` or `before`")

# duty identity (`as NAME`) and escalation ladders (`if unmet in order`)
DUPLICATE_DUTY = Code("E1601", "duplicate-duty", ERROR, "two duties of one rule with the same name (the same action and no `as NAME`)")
FAILED_NOT_LADDER_STEP = Code("E1602", "failed-not-ladder-step", ERROR, "a scenario marks failed a duty that is not a step of an escalation ladder")
DONE_AND_FAILED = Code("E1603", "done-and-failed", ERROR, "a scenario gives the same ladder step as both done and failed")
DUTY_NAME_IS_ACTION = Code("E1604", "duty-name-is-action", ERROR, "an `as NAME` that is the name of another action")

# numbers written in a way the language does not read
FRACTION_WITH_SLASH = Code("E1701", "fraction-with-slash", ERROR, "a fraction written with `/`, such as `1/20`")
NUMBER_WITH_SEPARATOR = Code("E1702", "number-with-separator", ERROR, "a number written with a thousands separator or a decimal comma, such as `1,000` or `0,05`")

# how a declaration reads in the document
EMPTY_PHRASE = Code("E1801", "empty-phrase", ERROR, "a `phrase` with no words")

# profiles (`rspl lint --profile FILE`)
PROFILE_NOT_TOML = Code("E1911", "profile-not-toml", ERROR, "a profile file that is not valid TOML")
PROFILE_MISSING_FIELD = Code("E1912", "profile-missing-field", ERROR, "a profile, element or check lacks a required field")
PROFILE_UNKNOWN_CHECK = Code("E1913", "profile-unknown-check", ERROR, "a profile element uses a check that is not in the vocabulary")
PROFILE_BAD_VALUE = Code("E1914", "profile-bad-value", ERROR, "a profile field with a value of the wrong kind or outside its fixed list")
PROFILE_UNKNOWN_FIELD = Code("E1915", "profile-unknown-field", ERROR, "a profile field or check option that does not exist")
PROFILE_DUPLICATE_ELEMENT = Code("E1916", "profile-duplicate-element", ERROR, "two elements of a profile with the same id")

# bindings of evidence to evaluation logs (`rspl assess --bindings FILE`)
BINDINGS_NOT_TOML = Code("E2101", "bindings-not-toml", ERROR, "a bindings file that is not valid TOML")
BINDINGS_UNKNOWN_EVIDENCE = Code("E2102", "bindings-unknown-evidence", ERROR, "a bindings file names evidence the policy does not declare")
BINDINGS_UNIT_MISMATCH = Code("E2103", "bindings-unit-mismatch", ERROR, "a metric's unit does not fit the type of the evidence it measures")
BINDINGS_MISSING_FIELD = Code("E2104", "bindings-missing-field", ERROR, "a binding, or the `[assess]` table, lacks a required field")
BINDINGS_UNKNOWN_FIELD = Code("E2105", "bindings-unknown-field", ERROR, "a field the bindings format does not have")
BINDINGS_BAD_VALUE = Code("E2106", "bindings-bad-value", ERROR, "a bindings field with a value of the wrong kind or outside its fixed list")
BINDINGS_FACT_COMPARISON = Code("E2107", "bindings-fact-comparison", ERROR, "a yes-or-no evidence bound without `true_when`, or a quantity bound with one")
BINDINGS_BOUND_OUT_OF_RANGE = Code("E2108", "bindings-bound-out-of-range", ERROR, "a `true_when` bound outside the range of the metric's unit")
BINDINGS_MEMBERS = Code("E2109", "bindings-members", ERROR, "`members` on evidence that is not a measurement family, a family bound without them, or an undeclared member")
BINDINGS_AGGREGATE = Code("E2110", "bindings-aggregate", ERROR, "`tasks` without `aggregate`, `aggregate` without `tasks`, or both `task` and `tasks`")
BINDINGS_FILTER_METRIC = Code("E2111", "bindings-filter-metric", ERROR, "a sample filter on a metric that cannot be recomputed from the samples")
# the map from the version a policy supersedes (`renames`, `merges`; `rspl diff`)
RENAMED_TWICE = Code("E2201", "renamed-twice", ERROR, "a rename map that gives one old name two new names")
RENAME_SHAPE = Code("E2202", "rename-shape", ERROR, "a rename map between a level (`DOMAIN.LEVEL`) and a domain, standard or safeguard")
RENAMED_ONTO_SAME = Code("E2203", "renamed-onto-same", ERROR, "two entries of a rename map with the same new name")

# warnings
UNUSED_DECLARATION = Code("W0001", "unused-declaration", WARNING, "a declaration nothing uses")
RULE_NEVER_FIRES = Code("W0002", "rule-never-fires", WARNING, "a rule whose condition can never be true")
HOLE_REQUIRED = Code("W0003", "hole-required", WARNING, "a rule requires a standard that is not yet defined")
IMPLICIT_AGGREGATION = Code("W0004", "implicit-aggregation", WARNING, "the header does not say how requirements combine")
MISSING_SOURCE = Code("W0005", "missing-source", WARNING, "a rule, level or standard without a source anchor")
REDUNDANT_REQUIREMENT = Code("W0006", "redundant-requirement", WARNING, "a requirement already covered by another in the same rule")
REDUNDANT_SAFEGUARD = Code("W0007", "redundant-safeguard", WARNING, "a standard lists a safeguard it already inherits")
SCENARIO_WITHOUT_EXPECTATIONS = Code("W0008", "scenario-without-expectations", WARNING, "a scenario that checks nothing")
EMPTY_STANDARD = Code("W0009", "empty-standard", WARNING, "a defined standard with no safeguards of its own or inherited")
RENAMED_OUTPUT = Code("W0010", "renamed-output", WARNING, "the policy's name is taken by Python, so its output files get another name")
BOUND_OUT_OF_RANGE = Code("W0011", "bound-out-of-range", WARNING, "a fraction compared with a bound above 1 (100%), which no fraction passes")
UNUSED_IMPORT = Code("W0012", "unused-import", WARNING, "an import of which the importing file uses nothing")
CRITERION_NEVER_HOLDS = Code("W0025", "criterion-never-holds", WARNING, "a criterion of a standard or requirement that no input makes true")
CRITERION_ON_HOLE = Code("W0026", "criterion-on-hole", WARNING, "a `counts when` on a standard that is not yet defined")
CARRY_FORWARD_NEVER_ALLOWED = Code("W0030", "carry-forward-never-allowed", WARNING, "a scenario carries forward a determination the policy never lets be carried forward")
IN_FORCE_WITHOUT_DATE = Code("W0031", "in-force-without-date", WARNING, "a scenario expects the policy in force or not, but gives no `as of`")
PROHIBITION_CONTEXT_NOT_BLOCKED = Code("W0032", "prohibition-context-not-blocked", WARNING, "a `must not` names a context its action, not being blocking, does not block")
PROHIBITED_RESTRICTION = Code("W0033", "prohibited-restriction", WARNING, "a `must not` on a restriction of `std.actions` (pause, halt, ...), which blocks contexts while forbidden")
WAIVER_TARGET_NEVER_REQUIRED = Code("W0035", "waiver-target-never-required", WARNING, "a waiver of a standard or safeguard that no rule requires")
WAIVER_CONTEXT_NOT_REQUIRED = Code("W0036", "waiver-context-not-required", WARNING, "a waiver for a context where no rule requires what it waives")
WAIVER_DUTY_NOT_BINDING = Code("W0037", "waiver-duty-not-binding", WARNING, "a waiver of a duty that does not bind")
ONE_ROLE_CHOICE = Code("W0038", "one-role-choice", WARNING, "`any of (...)` or `all of (...)` with a single role")
REPEATED_ROLE = Code("W0039", "repeated-role", WARNING, "a role named twice in one role group or one list of roles")
DUE_AT_BLOCKING = Code("W0041", "due-at-blocking", WARNING, "`due at` on a binding duty whose action blocks anyway")
ONE_STEP_LADDER = Code("W0044", "one-step-ladder", WARNING, "an `if unmet in order` ladder with a single step")
REDUNDANT_DUTY_NAME = Code("W0045", "redundant-duty-name", WARNING, "an `as NAME` that repeats the duty's own action")
LADDER_STATUS_NOT_LADDER = Code("W0046", "ladder-status-not-ladder", WARNING, "a scenario expects `standby` or `failed` of a duty that is not a ladder step")
PROFILE_ELEMENT_MISSING = Code("W0050", "profile-element-missing", WARNING, "`rspl lint`: the policy has nothing that satisfies an element of the profile")
PROFILE_ELEMENT_NOT_BINDING = Code("W0051", "profile-element-not-binding", WARNING, "`rspl lint`: an element of the profile is satisfied only by duties that do not bind")
BINDINGS_UNBOUND_EVIDENCE = Code("W0060", "bindings-unbound-evidence", WARNING, "`rspl assess`: measurable evidence that no binding measures")
BINDINGS_JUDGEMENT_MEASURED = Code("W0061", "bindings-judgement-measured", WARNING, "`rspl assess`: a judgement, which a role decides, bound to an evaluation metric")
ASSERTION_ON_HOLE = Code("W0070", "assertion-on-hole", WARNING, "an assertion that a standard not yet defined is required, which `rspl verify` cannot check")


def _collect_codes() -> dict[str, Code]:
    codes: dict[str, Code] = {}
    for value in list(globals().values()):
        if isinstance(value, Code):
            if value.code in codes:
                raise ValueError(f"two constants define {value.code}")
            codes[value.code] = value
    return codes


CODES: dict[str, Code] = _collect_codes()
"""Every code by its name (`E0201`), in definition order."""


@attrs.frozen
class Label:
    """A secondary span with a short note (`first declared here`)."""

    span: Span
    message: str


@attrs.frozen
class Diagnostic:
    """One reported problem. Built only by the constructors of `rspl.messages`, which take
    `code` and `severity` from a `Code`."""

    code: str
    severity: Severity
    message: str
    span: Span
    labels: tuple[Label, ...] = ()
    help: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start, self.span.end, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "span": self.span.to_dict(),
            "labels": [{"span": lb.span.to_dict(), "message": lb.message} for lb in self.labels],
            "help": self.help,
        }


class Reporter:
    """Collects diagnostics for one compilation. Passes report with `add`; nothing raises."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, int, int, str, str]] = set()

    def add(self, diagnostic: Diagnostic) -> None:
        """Record `diagnostic`, built by a constructor in `rspl.messages`. The same diagnostic
        (file, place, code and message) found twice is kept once."""
        d = diagnostic
        key = (d.span.file, d.span.start, d.span.end, d.code, d.message)
        if key in self._seen:  # the same fact found twice (e.g. a definition used twice)
            return
        self._seen.add(key)
        self.diagnostics.append(d)

    def take(self, held: Reporter | Iterable[Diagnostic]) -> None:
        """Record every diagnostic another reporter held back (the builder holds its reports
        until the parse of a file ends), or that an earlier parse of the same text reported
        (reused by `rspl.loader.parse_module` and `rspl.incremental`), in order."""
        for d in held.diagnostics if isinstance(held, Reporter) else held:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)
