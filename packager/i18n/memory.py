"""Translation memory: earlier translations of like sources, found by a character-trigram index.

Exact matches come from a dictionary of normalised sources. Fuzzy matches are found in two steps: a
trigram inverted index proposes candidates (prefix filtering: only the query's rarest trigrams are read,
so a trigram common to half the memory costs nothing), then RapidFuzz scores the best few hundred.
Lookups touch a few thousand postings at most, so they stay well under 100 ms with 50,000 segments
(``bench/tm_lookup.py``). The index lives in memory; the studio fills it from its database and adds
each saved translation to it.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

MIN_SCORE = 60.0
"""Matches below this similarity (0-100) are not worth a translator's reading time."""
CANDIDATES = 200
"""How many best-overlapping candidates are scored exactly."""
POSTINGS_BUDGET = 20_000
"""At most this many postings are read per lookup (beyond the rarest trigram): bounded time, however common."""


@dataclass(frozen=True)
class Unit:
    """One remembered translation."""

    key: str
    """Unique in the memory, e.g. ``<course>|<segment id>``: adding the same key again replaces it."""
    source: str
    translation: str
    course: str = ""
    state: str = "translated"


@dataclass(frozen=True)
class Match:
    unit: Unit
    score: float
    """Similarity of the sources, 0-100 (100: the same text, ignoring case and spacing)."""

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


def normalise(text: str) -> str:
    """Case and spacing do not make a different sentence.

    >>> normalise("  The   Portal\\n")
    'the portal'
    """
    return " ".join(text.split()).casefold()


def trigrams(norm: str) -> set[str]:
    """The character trigrams of a normalised text, padded so short words count too.

    >>> sorted(trigrams("ab"))
    ['  a', ' ab', 'ab ']
    """
    padded = f"  {norm} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Memory:
    """The translations of one language, searchable by source."""

    def __init__(self, units: Iterable[Unit] = ()):
        self._units: list[Unit | None] = []  # None: replaced or removed (postings are not rewritten)
        self._norms: list[str] = []
        self._slot: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._postings: dict[str, array[int]] = {}
        for unit in units:
            self.add(unit)

    def __len__(self) -> int:
        return len(self._slot)

    def add(self, unit: Unit) -> None:
        """Remember *unit* (replacing any unit with its key); an empty translation forgets the key."""
        self.remove(unit.key)
        if not unit.translation.strip() or not unit.source.strip():
            return
        slot = len(self._units)
        norm = normalise(unit.source)
        self._units.append(unit)
        self._norms.append(norm)
        self._slot[unit.key] = slot
        self._exact.setdefault(norm, set()).add(slot)
        for gram in trigrams(norm):
            postings = self._postings.get(gram)
            if postings is None:
                postings = self._postings[gram] = array("I")
            postings.append(slot)

    def remove(self, key: str) -> None:
        slot = self._slot.pop(key, None)
        if slot is not None:
            self._units[slot] = None
            self._exact[self._norms[slot]].discard(slot)

    def lookup(self, source: str, limit: int = 5, min_score: float = MIN_SCORE, exclude: str = "") -> list[Match]:
        """The best matches for *source*, best first; *exclude* is a key not to return (the segment itself)."""
        norm = normalise(source)
        if not norm:
            return []
        found: dict[int, float] = {slot: 100.0 for slot in self._exact.get(norm, ())}
        grams = sorted(trigrams(norm), key=lambda g: len(self._postings.get(g, ())))
        # a unit scoring min_score shares roughly that share of trigrams; one sharing fewer than `need`
        # must appear among the rarest len(grams) - need + 1 lists (prefix filtering)
        need = max(1, int(len(grams) * min_score / 100 * 0.5))
        # a near match shares most trigrams, rare ones included: reading the rarest lists up to a budget
        # finds it, and a common trigram (' th', 'the') costs nothing
        counts: Counter[int] = Counter()
        read = 0
        for gram in grams[: len(grams) - need + 1]:
            postings = self._postings.get(gram, ())
            if read and read + len(postings) > POSTINGS_BUDGET:
                break
            read += len(postings)
            counts.update(postings)
        # only units sharing at least half as many of these trigrams as the best one are worth scoring
        cutoff = max(counts.values(), default=0) // 2
        likely = [(count, slot) for slot, count in counts.items() if count >= cutoff]
        for _count, slot in heapq.nlargest(CANDIDATES, likely) if len(likely) > CANDIDATES else likely:
            if slot in found or self._units[slot] is None:
                continue
            score = fuzz.ratio(norm, self._norms[slot], score_cutoff=min_score)
            if score:
                found[slot] = min(score, 99.9)  # only the same text is a 100% match
        matches = [
            Match(unit, round(score, 1))
            for slot, score in found.items()
            if (unit := self._units[slot]) is not None and unit.key != exclude
        ]
        matches.sort(key=lambda m: (-m.score, m.unit.state != "reviewed", m.unit.key))
        return _distinct(matches)[:limit]


def _distinct(matches: list[Match]) -> list[Match]:
    """One match per (source, translation): the same sentence translated alike in ten courses is one."""
    seen: set[tuple[str, str]] = set()
    out = []
    for match in matches:
        pair = (normalise(match.unit.source), match.unit.translation)
        if pair not in seen:
            seen.add(pair)
            out.append(match)
    return out
