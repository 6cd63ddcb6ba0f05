"""An organisation's glossary: terms found in a source segment and checked in its translation.

A term is matched as a whole word or phrase, ignoring case; longer terms win over terms inside them
("Mission Karmayogi" over "Karmayogi"). A translation must contain the term's agreed translation, or
the term itself, unchanged, when it is marked "do not translate" (a brand, a portal's name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    term: str
    translation: str = ""
    note: str = ""
    dnt: bool = False
    """Do not translate: the translation keeps the term as it is."""

    @property
    def expected(self) -> str:
        return self.term if self.dnt else self.translation


@dataclass(frozen=True)
class Hit:
    term: Term
    start: int
    end: int


def _pattern(term: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def find(terms: Iterable[Term], source: str) -> list[Hit]:
    """The glossary terms in *source*, in order, never overlapping (the longest term wins).

    >>> [(h.term.term, h.start) for h in find([Term("iGOT"), Term("iGOT portal")], "Open the iGOT portal.")]
    [('iGOT portal', 9)]
    """
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for term in sorted((t for t in terms if t.term.strip()), key=lambda t: -len(t.term)):
        for m in _pattern(term.term).finditer(source):
            if not any(m.start() < b and a < m.end() for a, b in taken):
                taken.append((m.start(), m.end()))
                hits.append(Hit(term, m.start(), m.end()))
    return sorted(hits, key=lambda h: h.start)


def check(terms: Iterable[Term], source: str, translation: str) -> list[str]:
    """What the translation misses of the glossary, one message per term (empty: all used)."""
    if not translation.strip():
        return []
    messages = []
    seen: set[str] = set()
    folded = translation.casefold()
    for hit in find(terms, source):
        term = hit.term
        if term.term.casefold() in seen or not term.expected.strip():
            continue
        seen.add(term.term.casefold())
        if term.expected.casefold() not in folded:
            if term.dnt:
                messages.append(f"glossary: keep '{term.term}' untranslated")
            else:
                messages.append(f"glossary: translate '{term.term}' as '{term.translation}'")
    return messages
