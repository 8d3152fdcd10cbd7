"""How a declared title reads inside a sentence, and the small word choices every sentence of
the document makes: the article before a word (`a`/`an` by sound), whether a title is plural
(from its head noun), the verb that agrees with it, a noun's plural, and lists (`A, B and
C`).

The rule (docs/language.md, "How titles read in the document"):

- a declaration's `phrase` is used mid-sentence verbatim;
- otherwise a title that reads as a *name* is kept as written: its first word is an acronym
  or has a digit or a capital inside (`ASL-3 Deployment Standard`, `LTBT`, `OpenAI
  employees`), or it is in Title Case (`Board of Directors`, `Responsible Scaling Officer`);
- any other title is in sentence case and is lower-cased at its first letter (`Plan for
  interim measures` -> `plan for interim measures`, `There is clear evidence` -> `there is
  clear evidence`).

These are plain-text functions: the Markdown backend escapes what they return. Hand-rolled on
purpose (docs/architecture.md, "Words"): `inflect` takes 1.4 s to import and gets `a 8-bit`
and the singular of `analysis` wrong; the rules here are few and tested by the prose corpus
(tests/prose/corpus.rspl).
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are not capitalised in a Title Case name ("Board of Directors").
_SMALL = _set(
    "a an and as at but by for from in into nor of on or per the to vs via with"
)
# Words that end the head noun phrase of a title: its head noun is the word before.
_BREAK = _set(
    "about above across after against among at before below beyond by during for from in "
    "including into of on over per since than that through to toward towards under until "
    "upon via where which who whose with within without"
)
# Determiners a title may start with: such a title needs no article of its own.
_DETERMINERS = _set(
    "a an the any all each every some this that these those its their our his her no "
    "other another"
)
# Nouns ending in s that are singular, and plurals that do not end in s.
_SINGULAR_S = _set(
    "analysis basis crisis thesis hypothesis diagnosis emphasis synopsis status process "
    "access address progress success business class loss stress mass bias gas lens news "
    "series ethics physics economics mathematics politics logistics consensus census "
    "corpus virus campus apparatus means compass plus bus"
)
_PLURAL = _set("people children criteria phenomena data men women staff personnel")
# Consonant sounds spelt with a vowel letter, vowel sounds spelt with a consonant letter.
_YOU_ONE = re.compile(r"(?i)(one\b|once\b|one-|uni[^mnd]|use|usa|usu|uti|ubiq|ura|uro|eu|ewe)")
_SILENT_H = re.compile(r"(?i)(hour|honest|honou?r|heir)")
# Letters whose name starts with a vowel sound: "an MRI", "an LTBT", "an X", but "a UK".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")


def _letters(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word)


def is_acronym(word: str) -> bool:
    """`LTBT`, `ASL-3`, `CBRN`, `U.S.`, `OpenAI`, `iPhone`, `8-bit`: a word read letter by
    letter or as a name because of a digit or a capital after its first letter."""
    core = _letters(word)
    if not core:
        return False
    return any(ch.isdigit() for ch in core) or any(ch.isupper() for ch in core[1:])


def _head_phrase(title: str) -> list[str]:
    """The words of the title's noun phrase before any parenthesis, comma, colon or dash; a
    quoted name at its start counts as one word (`"Eyes on everything" for ...`)."""
    quoted = re.match(r"[\"“]([^\"”]*)[\"”]", title)
    if quoted:
        rest = title[quoted.end():].split()
        if not rest or rest[0].lower() in _BREAK:
            return ["Name"]  # the quoted name is the head: singular
        title = title[quoted.end():]
    main = re.split(r"\s[(\u2014\u2013]|[,:;(]", title, maxsplit=1)[0]
    return main.split()


def is_name(title: str) -> bool:
    """Whether a title reads as a name and keeps its capitals mid-sentence (see above)."""
    words = _head_phrase(title) or title.split()
    if not words:
        return False
    if is_acronym(words[0]):
        return True
    # `Effective Compute of the model`, `Risk Report as shared`: a term; but not `Autonomous
    # AI research`, sentence case with an acronym second
    two = words[:2] if len(words) >= 2 else []
    if two and all(w[:1].isupper() and w.lower() not in _SMALL for w in two) and not is_acronym(
        two[1]
    ):
        return True
    if numbered(title):
        return True
    big = [w for w in words if w.lower() not in _SMALL]
    if len(big) < 2:
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in big)


def _head_words(title: str) -> list[str]:
    """The words up to the head noun: those before the first preposition or relative word."""
    head: list[str] = []
    for word in _head_phrase(title):
        if word.lower() in _BREAK and head:
            break
        head.append(word)
    return head


def numbered(title: str) -> bool:
    """Whether the title's noun phrase ends in a number or a numbered code: `Security level
    4`, `Phase 2`, `AI R&D-4`, `Tier 2b` (such a title is a name: it takes no article)."""
    words = _head_words(title)
    if not words:
        return False
    last = words[-1].rstrip(".")
    return last.isdigit() or bool(re.search(r"[-.][0-9]+[a-z]?$|^[0-9]+[a-z]$", last))


def _unstop(title: str) -> str:
    """A title without the full stop, colon or semicolon it ends with (`There is clear
    evidence of harm.`): mid-sentence it would end the sentence. An abbreviation's stop
    (`U.S.`) stays."""
    last = title.rsplit(" ", 1)[-1]
    if title.endswith((":", ";", ",")) or (title.endswith(".") and "." not in last[:-1]):
        return title[:-1].rstrip()
    return title


def mid(title: str, proper: frozenset[str] = frozenset()) -> str:
    """A title mid-sentence: a name kept as written, anything else lower-cased at its first
    letter (`There is clear evidence` -> `there is clear evidence`). `proper`: words that
    are names wherever they stand (the organisation: `Anthropic will ...` stays)."""
    title = _unstop(title)
    if not title or is_name(title):
        return title
    first = title.split(" ", 1)[0]
    bare = re.sub(r"('s|’s|[^\w-])+$", "", first)
    if first == "I" or not first[:1].isupper() or bare in proper:
        return title
    return title[0].lower() + title[1:]


def head_noun(title: str) -> str:
    """The last word before a preposition or relative word: `plan` in `Plan for interim
    measures`, `measures` in `Interim measures`, `Board` in `Board of Directors`."""
    head = _head_words(title)
    return _letters(head[-1]) if head else ""


def is_plural(title: str) -> bool:
    """Whether a title is plural, from its head noun (`Interim measures`, `LLMs`,
    `Children`), an `s` ending that is not singular (`analysis`, `access`)."""
    word = head_noun(title)
    low = word.lower()
    if not low or low in _SINGULAR_S:
        return False
    if low in _PLURAL:
        return True
    if word.isupper():  # `LTBT`, `CBRN`: an acronym, singular
        return False
    if low.endswith(("ss", "us", "is", "'s", "ics")) and low not in ("metrics", "topics"):
        return False
    return low.endswith("s") and len(low) > 2


def starts_with_determiner(text: str) -> bool:
    first = text.split(" ", 1)[0].lower()
    return first in _DETERMINERS or first.endswith("'s")


def article(text: str) -> str:
    """`a` or `an` before `text`, by the sound of its first word: "an MRI", "a UK", "an
    8-bit", "an 18-month", "an hour", "a one-off", "a user", "an umbrella"."""
    word = text.lstrip("\"'(*`“").split(" ", 1)[0]
    if not word:
        return "a"
    if word[0].isdigit():
        digits = re.match(r"[0-9,]+", word)
        run = (digits.group(0) if digits else word).replace(",", "")
        if run.startswith("8"):
            return "an"
        if run[:2] in ("11", "18") and len(run) % 3 == 2:  # eleven, eighteen (thousand, ...)
            return "an"
        return "a"
    core = _letters(word)
    letters = core.split("-", 1)[0].replace("'", "")  # `MRI-style`: its first part
    if letters.isupper() and (len(letters) > 1 or len(word) == 1) and letters.isalpha():
        return "an" if letters[0] in _VOWEL_LETTERS else "a"  # read letter by letter
    if _SILENT_H.match(core):
        return "an"
    if _YOU_ONE.match(core):
        return "a"
    return "an" if core[:1].lower() in "aeiou" else "a"


def with_article(text: str) -> str:
    """`text` after its indefinite article: `an hour`."""
    return f"{article(text)} {text}"


def every(text: str) -> str:
    """A recurring period: `every 6 months`, `every year` (not `every 1 year`), `about every
    3 to 6 months` (not `every about ...`)."""
    about = text.startswith("about ")
    rest = text[len("about "):] if about else text
    one = re.fullmatch(r"1 (\w+)", rest)
    shown = "every " + (one.group(1) if one else rest)
    return ("about " + shown) if about else shown


def plural(word: str) -> str:
    """The plural of a simple noun (`attack` -> `attacks`, `category` -> `categories`,
    `batch` -> `batches`)."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def be(plural: bool) -> str:
    return "are" if plural else "is"


def listing(items: Sequence[str], last: str = "and") -> str:
    """`A`, `A and B`, `A, B and C` (`last` "or": `A, B or C`)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def definite(title: str, proper: frozenset[str] = frozenset()) -> str:
    """A declared thing as the object of a verb: a singular thing with `the` (`the plan for
    interim measures`, `the ASL-3 Security Standard`); as they are a plural one, a numbered
    one (`Security level 4`), one that starts with a proper name and one that starts with a
    determiner (`interim measures`, `the public`)."""
    shown = mid(title, proper)
    if starts_with_determiner(shown):
        first, _, rest = shown.partition(" ")
        return first.lower() + (" " + rest if rest else "") if first.istitle() else shown
    if is_plural(title) or numbered(title) or (shown[:1].isupper() and not is_name(title)):
        return shown
    return "the " + shown


# Head nouns of a capability level's title that make it a thing reached, read with `the`
# ("reaches the CBRN-4 threshold"); any other level title is a grade ("reaches Bio High").
_LEVEL_NOUNS = _set(
    "threshold thresholds level capability capabilities checkpoint propensity tier stage "
    "category point line limit mark uplift"
)


def level(title: str, proper: frozenset[str] = frozenset()) -> str:
    """A capability level as the object of `reaches` or `at`: with `the` when its head noun
    names a threshold-like thing (`the non-novel chem/bio weapons threshold`, `the Model
    Autonomy checkpoint`); as written when it is a grade (`Bio High`, `High`) or numbered
    (`Cyber uplift level 1`, `AI R&D-4`)."""
    if head_noun(title).lower() in _LEVEL_NOUNS:
        return definite(title, proper)
    return mid(title, proper)


def office(title: str, proper: frozenset[str] = frozenset()) -> str:
    """A role mid-sentence: a name reads as an office, with `the` (`the Responsible Scaling
    Officer`, `the CEO`, `the Board of Directors`) unless it is plural (`AI Safety
    Institutes`) or one word that is not an acronym (`Anthropic`); any other title is a
    common noun (`law enforcement`, `external experts`, `the public`). `proper`: the
    organisation's names (a role that is the organisation reads without `the`)."""
    shown = mid(title, proper)
    if title in proper:
        return title
    if starts_with_determiner(shown):
        first, _, rest = shown.partition(" ")
        return first.lower() + (" " + rest if rest else "") if first.istitle() else shown
    if not is_name(title) or is_plural(title):
        if len(title.split()) == 1 and not is_plural(title) and title[:1].isupper():
            return title  # one capitalised word: a proper name (`Anthropic`)
        return shown
    return "the " + shown


def period_is_zero(text: str) -> bool:
    """Whether a period in the policy's words is no time at all (`0 days`, `0.0 hours`)."""
    match = re.match(r"\s*(?:about\s+)?([0-9.]+)", text)
    if not match:
        return False
    try:
        return float(match.group(1)) == 0.0
    except ValueError:
        return False
