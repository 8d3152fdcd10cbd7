"""Automatic checks for the classes of bad prose issue 12 found in generated documents: a
capital after a lower-case article ("the Plan"), `a` before a vowel sound or `an` before a
consonant sound, doubled words ("the the"), empty clauses ("( )", ", ,", "for ."), and
"within 0". `problems(text)` returns one line per finding; tests/test_prose.py runs it over the
prose corpus and over every example's document.

A capital mid-sentence is a finding when it is a declared title in sentence case pasted
with its capital (what `rspl.prose.mid` lower-cases): "the Plan for interim measures",
"whether There is clear evidence", "notify Law enforcement". Names (`rspl.prose.is_name`:
"the Board of Directors", "the ASL-3 Standard") and the policy's own notes ("the Board") are
not: the check knows the titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rspl import prose

# Markdown emphasis and escapes do not change how a sentence reads.
_MARKUP = re.compile(r"\*\*|\*|`|\\(?=[^\w\s])")
# A bold label (`**ASL-3 Standard**`), an italic one (an alert: `the alert *Cybersecurity:
# indicative thresholds crossed*`) or a quoted one (`“Highly capable” holds`).
_LABEL = re.compile(r"\*\*[^*]+\*\*|(?<!\*)\*[^*]+\*(?!\*)|“[^”]*”|\"[^\"]*\"")
_NOT_NOUN = frozenset({"and", "or", "to", "is", "of"})
_A_AN = re.compile(r"(?<![\w-])(a|an|A|An) ([\w][\w.'&-]*)")
_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
_EMPTY = re.compile(r"\(\s*\)|, ,|,,|\b(?:for|of|to|by|with|in|at) [.,;:)]|\s[,.;](?=\s|$)")
_WITHIN_ZERO = re.compile(r"\bwithin 0\b")
# Words that may rightly be repeated ("that that" is rare but grammatical; numbers in lists).
_DOUBLE_OK = frozenset({"that", "had", "is"})


def _plain(line: str) -> str:
    return _MARKUP.sub("", line)


def problems(
    text: str, titles: Iterable[str] = (), proper: frozenset[str] = frozenset(),
    authored: Iterable[str] = (),
) -> list[str]:
    """Every finding in `text`, as `line N: what: the words`. `titles`: the declared titles
    of the policy, `proper` its organisation's names (`rspl.prose.mid`); a title in sentence
    case that appears mid-sentence with its capital (after a
    lower-case word, "the Plan for interim measures") is a finding. Table rows, headings,
    bold labels, quoted labels and code blocks are checked for doubled words and empty
    clauses only: they are labels, not running text."""
    titles = list(titles)
    # Text the policy's authors wrote (descriptions, notes) and titles that contain another
    # title: masked before the title check, which is about how the generator places titles.
    mask = sorted(
        {one for t in titles for one in (t, prose.mid(t, proper))}
        | {" ".join(a.split()) for a in authored if a and a.split()},
        key=len, reverse=True,
    )
    common = sorted(
        {t for t in titles if prose.mid(t, proper) != t},
        key=len, reverse=True,
    )
    pasted = (
        re.compile(r"(?<=[a-z,] )(?<!\*\*)(" + "|".join(re.escape(t) for t in common) + r")\b")
        if common else None
    )
    out: list[str] = []
    fenced = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        line = raw.replace("\\", "")
        where = f"line {number}"
        for match in _DOUBLED.finditer(line):
            if match.group(1).lower() not in _DOUBLE_OK and not match.group(1).isdigit():
                out.append(f"{where}: doubled word: {match.group(0)!r}")
        for match in _EMPTY.finditer(line):
            out.append(f"{where}: empty clause: {match.group(0)!r} in {line.strip()[:80]!r}")
        if _WITHIN_ZERO.search(line):
            out.append(f"{where}: zero period: {line.strip()[:80]!r}")
        if line.lstrip().startswith(("|", "#")):
            continue
        running = _LABEL.sub("", line)  # bold and quoted labels keep their titles' capitals
        for match in _A_AN.finditer(_MARKUP.sub("", running)):
            word, follower = match.group(1).lower(), match.group(2)
            if follower.lower() in _NOT_NOUN:
                continue  # `"A and B"`: letters standing for names
            expected = prose.article(follower)
            if word != expected:
                out.append(f"{where}: {word!r} before {follower!r} (expected {expected!r})")
        if pasted is not None:
            masked = _MARKUP.sub("", running)
            for t in mask:
                if t in masked and any(c in t and c != t for c in common):
                    masked = masked.replace(t, "\u2026")
            for match in pasted.finditer(masked):
                out.append(f"{where}: title with its capital mid-sentence: {match.group(0)!r}")
    return out
