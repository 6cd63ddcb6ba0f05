"""The handout's own words (headings, labels, instructions): English here, other languages from the
gettext domain ``handout`` (``locales/handout/<lang>.po``, template ``handout.pot``).

They are read like the player's strings (:func:`packager.strings.catalog_strings`): keys are the catalogs'
``msgctxt``, a pair of texts is a plural message chosen by the language's CLDR rule, and numbers filled into
``{n}`` use the language's grouping (Babel: Indian 1,23,456).
"""

from __future__ import annotations

from functools import lru_cache

from ..strings import Strings, Text, catalog_strings

HANDOUT_STRINGS: dict[str, Text] = {
    "contents": "Contents",
    "provider": "Provider",
    "version": "Version",
    "license": "Licence",
    "learningTime": "Learning time",
    "minutes": ("{n} minute", "{n} minutes"),
    "competencies": "Competencies",
    "objectives": "In this lesson you will",
    "module": "Module {n}",
    "lesson": "Lesson {n}",
    "video": "Video",
    "audio": "Audio",
    "qrCode": "QR code: {url}",
    "watchOnline": "Watch it in the online course:",
    "watchInCourse": "Watch it in the online course, lesson {n}.",
    "listenInCourse": "Listen to it in the online course, lesson {n}.",
    "quiz": "Quiz",
    "check": "Knowledge check",
    "reflect": "Reflect",
    "passMark": "Pass mark {n}%.",
    "points": ("{n} point", "{n} points"),
    "chooseOne": "Choose one.",
    "chooseAll": "Choose all that apply.",
    "writeAnswer": "Write your answer.",
    "putInOrder": "Number the steps in the right order.",
    "matchItems": "Write the letter of the matching meaning.",
    "answerKey": "Answer key",
    "note": "Note",
    "tip": "Tip",
    "warning": "Warning",
    "important": "Important",
}
"""Keys are the ones ``templates/handout.html`` and :mod:`packager.pdf.handout` look up; ``note`` to
``important`` are the callout kinds."""


@lru_cache(maxsize=32)
def handout_strings(lang: str) -> Strings:
    """The handout's words in *lang*, English where its catalog has no translation."""
    return catalog_strings("handout", lang, HANDOUT_STRINGS)
