"""Reading level of a lesson's prose.

English: Flesch reading ease (206.835 − 1.015 × words per sentence − 84.6 × syllables per word) and the
Flesch–Kincaid grade (0.39 × words per sentence + 11.8 × syllables per word − 15.59), with syllables
counted as groups of vowels (a final silent ``e`` dropped). Other languages have no formula validated
for them, so what is measured there is what both formulas rest on and any script shows: words per
sentence, and letters per word (grapheme clusters: a consonant with its vowel signs is one letter).

Sentences end at ``. ! ?``, the danda ``।`` and ``॥``, the Urdu full stop ``۔`` and ``؟``, and at the end
of a paragraph, list item or table cell (a list item with no full stop is still a sentence).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from ..model import Callout, Html, Lesson

_BLOCK_END = re.compile(r"</(?:p|li|td|th|h[1-6]|figcaption|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
# Headings and code are cut out in two linear steps: their tags become marks, then a mark-to-mark run
# with no mark inside goes (a lazy ".*?" between tags would be quadratic on unclosed ones).
_MARKS = re.compile(r"[\x00\x01]")
_OPEN = re.compile(r"<(?:h[1-6]|pre)\b[^<>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:h[1-6]|pre)>", re.IGNORECASE)
_MARKED = re.compile(r"\x00[^\x00\x01]*\x01")
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: a stray "<" ends a try at once (linear)
_SENTENCE_END = re.compile(r"[.!?।॥۔؟]+(?=\s|$)|\n")
# not \w: Python's \w leaves out combining marks, so it would cut Hindi words at every vowel sign
_WORD = re.compile(r"[^\s!\"#$%&()*+,./:;<=>?@\[\\\]^_`{|}~।॥۔؟،“”…—–]+")
_VOWELS = re.compile(r"[aeiouy]+")

MIN_WORDS = 30
"""Fewer words than this in a lesson give no meaningful figure; such a lesson is not measured."""


@dataclass(frozen=True)
class Level:
    words: int
    sentences: int
    words_per_sentence: float
    letters_per_word: float
    flesch: float | None = None
    """Flesch reading ease (English only): 60–70 is plain English, below 50 is hard."""
    grade: float | None = None
    """Flesch–Kincaid grade (English only): years of schooling a reader needs."""


def prose(lesson: Lesson) -> str:
    """The lesson's own text, one block per line: paragraphs, lists, tables and call-outs; not headings,
    code, quizzes or reflections (a question's prompt is not reading matter)."""
    parts = [b.html for b in lesson.blocks if isinstance(b, Html | Callout)]
    text = _CLOSE.sub("\x01", _OPEN.sub("\x00", _MARKS.sub("", "\n".join(parts))))
    text = _MARKS.sub("", _MARKED.sub("\n", text))
    return html.unescape(_TAG.sub(" ", _BLOCK_END.sub("\n", text)))


def level(text: str, lang: str) -> Level | None:
    """The reading level of *text* in *lang*; None when it has fewer than :data:`MIN_WORDS` words.

    >>> round(level("The cat sat on the mat. " * 10, "en").flesch)
    116
    """
    sentences = [found for found in (words(s) for s in _SENTENCE_END.split(text)) if found]
    every = [w for s in sentences for w in s]
    if len(every) < MIN_WORDS:
        return None
    wps = len(every) / len(sentences)
    lpw = sum(_letters(w) for w in every) / len(every)
    if lang.split("-")[0] != "en":
        return Level(len(every), len(sentences), wps, lpw)
    spw = sum(syllables(w) for w in every) / len(every)
    return Level(
        len(every),
        len(sentences),
        wps,
        lpw,
        flesch=206.835 - 1.015 * wps - 84.6 * spw,
        grade=0.39 * wps + 11.8 * spw - 15.59,
    )


def words(text: str) -> list[str]:
    """The words of *text* in any script: runs between spaces and punctuation, holding a letter or digit.

    >>> words("शिकायत मिलते ही, पावती दें। Don't wait - 30 days.")
    ['शिकायत', 'मिलते', 'ही', 'पावती', 'दें', "Don't", 'wait', '30', 'days']
    """
    return [w for w in _WORD.findall(text) if any(c.isalnum() for c in w)]


def syllables(word: str) -> int:
    """English syllables, by vowel groups.

    >>> [syllables(w) for w in ("cat", "office", "grievance", "integrity", "the")]
    [1, 2, 2, 4, 1]
    """
    w = word.lower().strip("'’-")
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def _letters(word: str) -> int:
    """Grapheme clusters, roughly: characters that are not combining marks (vowel signs, viramas, nuktas)."""
    return max(1, sum(1 for c in word if not unicodedata.category(c).startswith("M")))
