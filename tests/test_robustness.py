"""Property-based "never a traceback" tests for the compiler front end.

Whatever text it is given, `compile_source` must return a `Compilation` (possibly full of
diagnostics) and never raise; every diagnostic must carry a known code and a span inside the
text it points at, and rendering it in every format must not raise either.

Two sources of input:

1. Grammar-driven: `hypothesis.extra.lark.from_lark` over `grammar/rspl.lark`, with `explicit=`
   strategies that pad every token with whitespace (`from_lark` joins tokens with nothing
   between them, so `when a >= b` would come out as `whena>=b`), keep generated names off
   the keyword list and produce hostile texts, dates, numbers and comments. Almost all
   generated programs parse, so they exercise the builder, resolver and checker rather than
   only the syntax-error path.
2. Mutation-based: every `.rspl` file under `examples/`, `stdlib/`, `tests/cases/` and
   `tests/policies/`, plus a small valid policy kept in this file, with tokens deleted,
   duplicated, swapped, replaced or respelled, spans of characters deleted, random characters
   (control characters, NUL, unicode) inserted, and truncation.

Inputs that are known to crash the compiler go in `KNOWN_CRASHERS` (with the exception they
raise) until the compiler is fixed; the property tests tolerate exactly those signatures, and
`test_known_crasher_still_crashes` fails as soon as one is fixed so that the entry is removed.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Callable
from pathlib import Path

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from profiles import examples

from rspl.diagnostics import CODES, Diagnostic
from rspl.pipeline import Compilation, compile_source
from rspl.render import FORMATS, render
from rspl.resources import grammar_text
from rspl.spans import Span

ROOT = Path(__file__).resolve().parent.parent

# Examples per test; the whole file must run >= 2,000 examples in well under 3 minutes.
# (Each × 20 under `--hypothesis-profile=deep`.)
GRAMMAR_PARSE_EXAMPLES = examples(300)
GRAMMAR_COMPILE_EXAMPLES = examples(2000)
MUTATION_EXAMPLES = examples(2000)
RAW_TEXT_EXAMPLES = examples(500)

# ------------------------------------------------------------------ known crashers
#
# (name, source text, exception type name, innermost rspl function in the traceback).
# The lead fixes these in rspl/; when one is fixed, `test_known_crasher_still_crashes` fails
# and the entry must be deleted here.
KNOWN_CRASHERS: list[tuple[str, str, str, str]] = []


def _crash_signature(err: BaseException) -> tuple[str, str]:
    """(exception type, innermost function inside rspl/) of an exception; for Lark's
    `VisitError` (an exception in a transformer callback), of the exception it wraps."""
    while isinstance(err, lark.exceptions.VisitError):
        err = err.orig_exc
    func = "?"
    for frame in traceback.extract_tb(err.__traceback__):
        if Path(frame.filename).resolve().parent == ROOT / "rspl":
            func = frame.name
    return type(err).__name__, func


_KNOWN_SIGNATURES = {(exc, func) for _, _, exc, func in KNOWN_CRASHERS}


# ------------------------------------------------------------------ the shared property


def no_files(path: str) -> str:
    """A reader for generated programs: imports never touch the filesystem."""
    raise OSError(f"robustness tests read no files ({path!r})")


def corpus_reader(path: str) -> str:
    """A reader for mutated corpus files: only `.rspl` files inside the repository."""
    try:
        resolved = Path(path).resolve()
    except (OSError, ValueError, RuntimeError) as err:
        raise OSError(str(err)) from err
    if resolved.suffix != ".rspl" or ROOT not in resolved.parents or not resolved.is_file():
        raise OSError(f"not a repository .rspl file: {path!r}")
    return resolved.read_text(encoding="utf-8")


def check_span(span: Span, texts: dict[str, str], what: str) -> None:
    assert span.file in texts, f"{what}: span in unknown file {span.file!r}"
    text = texts[span.file]
    lines = text.count("\n") + 1
    assert 1 <= span.line <= lines, f"{what}: line {span.line} outside 1..{lines}"
    assert span.line <= span.end_line <= lines, (
        f"{what}: end line {span.end_line} outside {span.line}..{lines}"
    )
    assert span.column >= 1, f"{what}: column {span.column}"
    assert 0 <= span.start <= span.end <= len(text), (
        f"{what}: offsets {span.start}..{span.end} outside 0..{len(text)}"
    )


def check_diagnostics(comp: Compilation) -> None:
    texts = comp.texts
    for d in comp.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.code in CODES, f"unknown code {d.code!r}"
        assert d.severity is CODES[d.code].severity
        assert d.message, f"{d.code}: empty message"
        check_span(d.span, texts, f"{d.code} {d.message!r}")
        for label in d.labels:
            check_span(label.span, texts, f"{d.code} label {label.message!r}")
    if comp.ok:
        assert not any(d.severity.value == "error" for d in comp.diagnostics)
    for fmt in FORMATS:
        out = render(comp.diagnostics, texts, fmt)
        assert isinstance(out, str)
    render(comp.diagnostics, texts, "snippet", color=True)


def compiles_without_traceback(path: str, text: str, read: Callable[[str], str]) -> None:
    """The property: compile, check the diagnostics, render them; tolerate known crashers."""
    try:
        comp = compile_source(path, text, read)
        check_diagnostics(comp)
    except AssertionError:
        raise
    except Exception as err:
        if _crash_signature(err) in _KNOWN_SIGNATURES:
            return
        raise


# ------------------------------------------------------------------ 1. grammar-driven


@functools.lru_cache(maxsize=1)
def grammar() -> lark.Lark:
    return lark.Lark(grammar_text(), parser="lalr")


@functools.lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """Every literal-string terminal that could lex as a name (`policy`, `when`, ...)."""
    return frozenset(
        t.pattern.value
        for t in grammar().terminals
        if isinstance(t.pattern, lark.lexer.PatternStr)
        and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", t.pattern.value)
    )


_SPACE = st.sampled_from([" ", " ", " ", "\n", "  ", "\t", "\r\n"])


def padded(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(_SPACE, inner, _SPACE).map("".join)


# Names that mean something to the checker (types, units, statuses, stdlib paths) plus a few
# that the generated programs declare and reference, so some references resolve.
_NAME_POOL = [
    "a", "b", "c", "x", "A", "B", "CBRN", "CBRN_3", "CBRN_4", "High", "Critical", "RSO",
    "CEO", "Board", "training", "external_deployment", "notify", "pause", "s1", "s2",
    "security", "Sec2", "Sec3", "growth", "last", "fact", "judgement", "date", "multiplier",
    "duration", "fraction", "count", "compute", "money", "months", "days", "week", "hours",
    "FLOP", "USD", "percent", "times", "tracked", "research", "exploratory", "watch",
    "robustness", "deployment", "open", "overdue", "std", "contexts", "actions", "_", "__",
    "Z9", "veryLongName_with_digits_0123456789",
]  # fmt: skip


def name_strategy() -> st.SearchStrategy[str]:
    pool = [n for n in _NAME_POOL if n not in keywords()]
    random_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
    return st.one_of(st.sampled_from(pool), random_names).filter(lambda s: s not in keywords())


# Pieces of hostile quoted text; the quotes and backslashes inside are escaped.
_STRING_PIECES = [
    r"\"", r"\\", r"\n", r"\t", r"\q", r"\u00e9", r"\x00", "\\\n", "{{", "}}", "{{ x }}",
    "{% if x %}", "{#", "\n", "\r\n", "\r", "\t", "\x00", "\x0b", "\x0c", "\x1c", "\x85",
    "\u2028", "\u2029", "\ufeff", "\u202e", "é", "§7.1", "🙂", "𝔘", "ﬁ", "ß", "İ", "'", "`",
    "%s", "{0}", "<script>", "&amp;", "ASL-3", "https://example.org/a?b=c#d", "../x.rspl",
    "/dev/null", "",
]  # fmt: skip

_PLAIN_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters='"\\'), max_size=12)


def string_strategy() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_STRING_PIECES), _PLAIN_TEXT)
    body = st.lists(piece, max_size=5).map("".join)
    return padded(body.map(lambda s: f'"{s}"'))


def date_strategy() -> st.SearchStrategy[str]:
    real = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
    odd = st.sampled_from(
        ["0000-00-00", "2025-02-29", "2024-02-29", "2025-13-01", "2025-04-31", "9999-99-99"]
    )
    return padded(
        st.one_of(real, odd, st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True))
    )


def number_strategy() -> st.SearchStrategy[str]:
    odd = st.sampled_from(
        ["0", "00", "007", "1", "2", "3", "4.5", "0.05", "25", "1e26", "1E+26", "1e-300",
         "1e999999", "2e308", "99999999999999999999999999999", "0.0000000000001", "1.5e0"]
    )  # fmt: skip
    return padded(
        st.one_of(
            odd, st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
        )
    )


def comment_strategy() -> st.SearchStrategy[str]:
    body = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=20)
    hostile = st.sampled_from(["", " policy {", ' "unclosed', "\x00\u2028\x85", "\r", "}}}"])
    return st.one_of(body, hostile).map(lambda s: f" #{s}\n")


def explicit_strategies() -> dict[str, st.SearchStrategy[str]]:
    explicit: dict[str, st.SearchStrategy[str]] = {
        "NAME": padded(name_strategy()),
        "STRING": string_strategy(),
        "DATE": date_strategy(),
        "NUMBER": number_strategy(),
        "COMMENT": comment_strategy(),
        "WS": _SPACE,
    }
    for term in grammar().terminals:
        if term.name in explicit:
            continue
        if isinstance(term.pattern, lark.lexer.PatternStr):
            explicit[term.name] = padded(st.just(term.pattern.value))
        else:  # e.g. COMPARE, or a regex terminal added later
            regex = term.pattern.to_regexp()
            explicit[term.name] = padded(st.from_regex(regex, fullmatch=True))
    return explicit


VALID_HEADER = 'policy generated "Generated" {\n  organization "Lab"\n  version "1"\n}\n'


@functools.lru_cache(maxsize=1)
def programs() -> st.SearchStrategy[str]:
    body = from_lark(grammar(), explicit=explicit_strategies())
    return st.tuples(st.sampled_from(["", VALID_HEADER]), body).map("".join)


def test_generated_programs_mostly_parse() -> None:
    """Sanity check of the generator: the padded tokens re-lex as generated."""
    outcomes: list[bool] = []
    failures: list[tuple[str, str]] = []

    @settings(
        max_examples=GRAMMAR_PARSE_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(programs())
    def run(text: str) -> None:
        try:
            grammar().parse(text)
        except lark.exceptions.UnexpectedInput as err:
            outcomes.append(False)
            failures.append((text, str(err)))
        else:
            outcomes.append(True)

    run()
    assert len(outcomes) >= GRAMMAR_PARSE_EXAMPLES // 2
    rate = sum(outcomes) / len(outcomes)
    shown = "\n\n".join(f"{t!r}\n{e}" for t, e in failures[:3])
    assert rate >= 0.9, f"only {rate:.0%} of generated programs parse; e.g.\n{shown}"


@settings(
    max_examples=GRAMMAR_COMPILE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs())
def test_generated_programs_compile_without_traceback(text: str) -> None:
    compiles_without_traceback("generated.rspl", text, no_files)


# ------------------------------------------------------------------ 2. mutation-based

# A small policy that compiles without errors and touches most of the language.
BUILTIN_POLICY = r"""# A small, self-contained policy used as a seed for mutation tests.
policy tiny "Tiny Scaling Policy" {
  organization "Example Lab"
  version "1.0"
  effective 2025-05-14
  supersedes "0.9"
  url "https://example.org/rsp"
  change 2025-03-31 "0.9" "first \"draft\" with {{ braces }} and a \\ backslash"
  combine highest standard per family
  source "§1"
}

role RSO "Responsible Scaling Officer" source "§7.1"
role CEO "Chief Executive Officer"

context training "Training"
context external_deployment "External deployment" means "General
  availability."

action notify "notify"
action publish "publish"
action pause "pause" blocking

domain CBRN "Chemical and biological weapons" {
  status tracked
  decided by CEO, RSO
  source "§2"
  level CBRN_3 "CBRN-3" {
    means "Uplift to novices." baseline "web search" actor "novices" source "§2.1"
  }
  level CBRN_4 "CBRN-4" { means "Uplift to states." source "§2.2" at "https://example.org" }
}

evidence growth: multiplier "Effective compute growth"
evidence last_assessment: date "Last assessment"
evidence serious: judgement "Serious concern" decided by RSO
evidence share: fraction "Share of staff"
evidence flops: compute "Training compute"

define large_jump "A large jump" as growth >= 4x or since last_assessment >= 6 months

safeguard s1 "Access control" {
  category security claim robustness counts when share <= 5% means "Two-party access."
}
safeguard s2 "Classifiers" { category deployment }

family security "Security Standards"

standard Sec2 "Security 2" in security { includes s2 source "§4" }
standard Sec3 "Security 3" in security extends Sec2 {
  includes s1 protects against "insiders" excludes "states" references "RAND SL3" source "§4.1"
}
standard Sec4 "Security 4" in security extends Sec3 { not yet defined source "§4.2" }

artifact report "Capability Report" { contains "results", "rationale" audience CEO, RSO }

rule cbrn_3 "CBRN-3 requires Sec3" {
  source "§3"
  when CBRN >= CBRN_3 or serious or flops > 1e26 FLOP
  require Sec3 for external_deployment
  must notify report by RSO approved by CEO within 30 days of last_assessment
  if unmet {
    must pause external_deployment by CEO until s1 is implemented
  }
}

cadence reassess "Reassess" {
  source "§5"
  when large_jump
  should publish report by RSO every 3 to 6 months since last_assessment
  may notify due 2026-04-01
}

warning cbrn_checkpoint "CBRN checkpoint" {
  source "§6"
  when not (any tracked domain >= CBRN_3) and at least 1 of (serious, large_jump)
    and all of (any domain of (CBRN) >= CBRN_3, all domains of (CBRN) >= CBRN_3)
  rules out CBRN >= CBRN_4
}

scenario high "High capability" {
  given CBRN at CBRN_3 cannot rule out CBRN_4
  given growth = 4.5x
  given serious = yes
  given last_assessment = 2025-01-01
  given as of 2025-06-01
  given implemented s2
  expect required Sec3
  expect missing s1
  expect triggered cbrn_3
  expect external_deployment blocked
  expect training permitted
  expect obligation notify of cbrn_3 is open
}
"""


def _rspl_files(*folders: str) -> list[tuple[str, str]]:
    return [
        (str(path), path.read_text(encoding="utf-8"))
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.rspl"))
    ]


# Seeds: the built-in policy, the shipped example policies (large, so drawn less often: each
# costs tens of milliseconds to compile), and the stdlib and test-case files (small, diverse).
BUILTIN_SEED = ("builtin.rspl", BUILTIN_POLICY)
EXAMPLE_SEEDS = _rspl_files("examples")
OTHER_SEEDS = _rspl_files("stdlib", "tests/cases", "tests/policies")
SEEDS = [BUILTIN_SEED, *EXAMPLE_SEEDS, *OTHER_SEEDS]


def seeds() -> st.SearchStrategy[tuple[str, str]]:
    groups = [st.just(BUILTIN_SEED), st.just(BUILTIN_SEED)]
    if OTHER_SEEDS:
        groups += [st.sampled_from(OTHER_SEEDS), st.sampled_from(OTHER_SEEDS)]
    if EXAMPLE_SEEDS:
        groups.append(st.sampled_from(EXAMPLE_SEEDS))
    return st.one_of(groups)


_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # a quoted text
    r"|#[^\n]*"  # a comment
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"  # a date
    r"|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"  # a number
    r"|[A-Za-z_][A-Za-z0-9_]*"  # a name or keyword
    r"|>=|<=|==|!="
    r"|\S",  # punctuation or any other character
    re.S,
)


def tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


# Characters to insert: control characters, NUL, quotes, braces, unicode line breaks, ...
_HOSTILE_CHARS = [
    "\x00", "\x01", "\x1b", "\x7f", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85",
    "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e", "\ufffd", '"', '\\"', "\\", "#", "{",
    "}", "(", ")", ",", ".", ":", "=", ">=", "%", "-", "é", "🙂", "𝔘", "{{", "}}",
]  # fmt: skip

_INSERTIONS = st.one_of(
    st.sampled_from(_HOSTILE_CHARS),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8),
    st.binary(min_size=1, max_size=8).map(lambda b: b.decode("utf-8", errors="replace")),
    st.binary(min_size=1, max_size=8).map(lambda b: b.decode("latin-1")),
)

_REPLACEMENTS = st.one_of(
    st.sampled_from(sorted(keywords())),
    st.sampled_from(_NAME_POOL),
    st.sampled_from(['""', '"x"', "0", "4x", "30 days", "2025-01-01", "5%", "1e26 FLOP"]),
)

Mutation = Callable[[st.DrawFn, str], str]


def _pick_token(draw: st.DrawFn, text: str) -> tuple[int, int] | None:
    toks = tokens(text)
    if not toks:
        return None
    return toks[draw(st.integers(0, len(toks) - 1))]


def delete_token(draw: st.DrawFn, text: str) -> str:
    tok = _pick_token(draw, text)
    return text if tok is None else text[: tok[0]] + text[tok[1] :]


def duplicate_token(draw: st.DrawFn, text: str) -> str:
    tok = _pick_token(draw, text)
    if tok is None:
        return text
    s, e = tok
    return text[:e] + " " + text[s:e] + text[e:]


def swap_tokens(draw: st.DrawFn, text: str) -> str:
    toks = tokens(text)
    if len(toks) < 2:
        return text
    i = draw(st.integers(0, len(toks) - 2))
    j = draw(st.integers(i + 1, min(len(toks) - 1, i + 1 + draw(st.integers(0, 30)))))
    (a0, a1), (b0, b1) = toks[i], toks[j]
    return text[:a0] + text[b0:b1] + text[a1:b0] + text[a0:a1] + text[b1:]


def replace_token(draw: st.DrawFn, text: str) -> str:
    tok = _pick_token(draw, text)
    if tok is None:
        return text
    return text[: tok[0]] + draw(_REPLACEMENTS) + text[tok[1] :]


def _kind(token: str) -> str:
    """A coarse token class, so that `respell_token` keeps most programs parsing."""
    if token[0] == '"':
        return "string"
    if token[0] == "#":
        return "comment"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", token):
        return "date"
    if token[0].isdigit():
        return "number"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token):
        return "keyword" if token in keywords() else "name"
    return "punctuation"


def respell_token(draw: st.DrawFn, text: str) -> str:
    """Replace a token with another of the same kind from the same text: the program usually
    still parses, so this reaches the resolver and checker (unknown names, wrong kinds, ...)."""
    toks = [(s, e, _kind(text[s:e])) for s, e in tokens(text)]
    toks = [t for t in toks if t[2] in ("name", "string", "number", "date")]
    if not toks:
        return text
    s, e, kind = toks[draw(st.integers(0, len(toks) - 1))]
    same = sorted({text[a:b] for a, b, k in toks if k == kind})
    return text[:s] + draw(st.sampled_from(same)) + text[e:]


def delete_span(draw: st.DrawFn, text: str) -> str:
    if not text:
        return text
    start = draw(st.integers(0, len(text) - 1))
    length = draw(st.integers(1, 80))
    return text[:start] + text[start + length :]


def insert_chars(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(_INSERTIONS) + text[at:]


def truncate(draw: st.DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


MUTATIONS: list[Mutation] = [
    delete_token,
    duplicate_token,
    swap_tokens,
    replace_token,
    respell_token,
    delete_span,
    insert_chars,
    truncate,
]

MUTATED_MODULE = "mutated_module.rspl"


@st.composite
def mutated_sources(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(path, mutated text, whether to compile it as an imported file)."""
    path, text = draw(seeds())
    # Some of the time only respell tokens, which mostly keeps the text parsing and so
    # exercises the later passes; otherwise mix every kind of mutation.
    choices: list[list[Mutation]] = [[respell_token], MUTATIONS, MUTATIONS]
    mutations = draw(st.sampled_from(choices))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 2, 3, 5]))):
        mutation = draw(st.sampled_from(mutations))
        text = mutation(draw, text)
    return path, text, draw(st.booleans())


def compile_mutated(path: str, text: str, as_import: bool) -> None:
    """Compile the mutated file as the main file, or as a file imported by a small valid main
    file, so that both the main-file and the imported-file paths of the loader see it."""
    if not as_import:
        compiles_without_traceback(path, text, corpus_reader)
        return
    main = str(Path(path).parent / "main_of_mutated.rspl")
    imported = str(Path(path).parent / MUTATED_MODULE)

    def read(wanted: str) -> str:
        return text if wanted == imported else corpus_reader(wanted)

    compiles_without_traceback(main, f'{VALID_HEADER}import "{MUTATED_MODULE}"\n', read)


def test_seeds_compile() -> None:
    """The built-in seed is a valid policy, so mutations start from the deep end."""
    comp = compile_source("builtin.rspl", BUILTIN_POLICY, no_files)
    assert comp.ok, render(comp.diagnostics, comp.texts, "concise")
    for path, text in SEEDS:
        compiles_without_traceback(path, text, corpus_reader)


@settings(
    max_examples=MUTATION_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_sources())
def test_mutated_sources_compile_without_traceback(source: tuple[str, str, bool]) -> None:
    compile_mutated(*source)


# ------------------------------------------------------------------ 3. arbitrary text


@settings(max_examples=RAW_TEXT_EXAMPLES, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8")),
        st.lists(st.sampled_from([*_HOSTILE_CHARS, *sorted(keywords()), " ", "a", "1"])).map(
            " ".join
        ),
        st.binary().map(lambda b: b.decode("utf-8", errors="replace")),
    )
)
def test_arbitrary_text_compiles_without_traceback(text: str) -> None:
    compiles_without_traceback("arbitrary.rspl", text, no_files)


# ------------------------------------------------------------------ known crashers


@pytest.mark.parametrize(
    ("name", "text", "exc", "func"),
    KNOWN_CRASHERS or [pytest.param("none", "", "", "", marks=pytest.mark.skip("none known"))],
)
def test_known_crasher_still_crashes(name: str, text: str, exc: str, func: str) -> None:
    """Each listed crasher still raises; once the compiler is fixed, delete its entry."""
    try:
        comp = compile_source(f"{name}.rspl", text, no_files)
        check_diagnostics(comp)
    except AssertionError:
        raise
    except Exception as err:  # noqa: BLE001 - a known crasher may raise anything
        assert _crash_signature(err) == (exc, func)
        return
    pytest.fail(f"known crasher {name!r} no longer crashes: remove it from KNOWN_CRASHERS")
