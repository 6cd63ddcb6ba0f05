"""The player's interface text: English here, other languages from gettext catalogs in ``locales/player/``.

Each string has a key (the catalog's ``msgctxt``, the name ``player.js`` and the templates look up) and
English text (the ``msgid``); a pair of texts is a plural message, chosen by the language's CLDR plural rule
(Babel) from the count ``{n}``. The shell template's ``_("…")`` finds the same entries by English text.
Catalogs are read with Babel when a package is built. Numbers use the language's own digits and grouping
(Indian: 1,23,456) from Babel's locale data, in Python and, through ``course.js``, in the runtime. What a
package needs of that data (:func:`locale_facts`) is kept in the user's cache for each Babel install:
loading it (and Babel's date module, which looks up the local time zone) costs a build after a one-lesson
edit more than that edit's parse.

The printed handout's words are another domain, read the same way (:func:`catalog_strings`) from
``locales/handout/``; their English is in ``packager/pdf/strings.py``.
"""

from __future__ import annotations

import contextlib
import gettext
import importlib.util
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import cache_dir
from .files import write_atomic

if TYPE_CHECKING:
    from babel import Locale

LOCALES_ROOT = Path(__file__).resolve().parent.parent / "locales"
"""``locales/<domain>/<lang>.po``: one catalog per language and domain (``player``, ``handout``)."""
LOCALES = LOCALES_ROOT / "player"
"""``locales/player/<lang>.po``: one catalog per language, ``player.pot`` their template."""

Text = str | tuple[str, str]

PLAYER_STRINGS: dict[str, Text] = {
    "skip": "Skip to content",
    "contents": "Contents",
    "progress": "Progress",
    "progressText": ("{done} of {total} lesson", "{done} of {total} lessons"),
    "start": "Start",
    "resume": "Continue",
    "next": "Next",
    "previous": "Previous",
    "finish": "Finish",
    "home": "Course home",
    "submit": "Submit",
    "tryAgain": "Try again",
    "correct": "Correct",
    "incorrect": "Not quite",
    "chooseFirst": "Choose an answer first",
    "points": ("{n} point", "{n} points"),
    "quizScore": ("Score: {score} of {max} point ({percent}%)", "Score: {score} of {max} points ({percent}%)"),
    "quizPassed": "Passed",
    "quizFailed": "Not passed yet",
    "attemptsLeft": "Attempts left: {n}",
    "noAttemptsLeft": "No attempts left",
    "courseComplete": "You have completed this course.",
    "courseIncomplete": ("Visited {done} of {total} lesson.", "Visited {done} of {total} lessons."),
    "coursePassed": "You passed with {percent}%.",
    "courseFailed": "Your score is {percent}%; the pass mark is {pass}%.",
    "completedOn": "Completed on {date}.",
    "completed": "(completed)",
    "saved": "Saved",
    "choose": "Choose…",
    "lessonOf": "Lesson {n} of {total}",
    "loading": "Loading…",
    "loadError": "This lesson could not be loaded.",
    "noStorage": "Your browser is not keeping progress on this device; it will be lost when you close the page.",
    "lmsMissing": "This course could not connect to your learning platform, so your progress is kept on this "
    "device only.",
    "lmsError": "Your progress could not be saved to your learning platform just now. It is kept on this device, "
    "and the course keeps trying.",
    "lrsRejected": "Your learning record store refused part of your progress record, so that part was not saved "
    "there. Please tell your course administrator.",
    "exit": "Exit course",
    "languageOther": "This course is in {course}; it is not available here in {language}, your preferred language.",
    "reflectionCut": "Your learning platform keeps only the first {n} characters of this reflection; the whole text "
    "stays in this browser on this device.",
    "quiz": "Quiz",
    "check": "Knowledge check",
    "reflect": "Reflect",
    "yourAnswer": "Your answer",
    "explanation": "Explanation",
    "transcript": "Transcript",
    "table": "Table",
    "objectives": "In this lesson you will",
    "minutes": "{n} min",
    "passMark": "Pass mark {n}%.",
    "drawInfo": ("{n} question from a bank of {total}.", "{n} questions from a bank of {total}."),
    "attemptsInfo": ("{n} attempt.", "{n} attempts."),
    "module": "Module {n}: {title}",
    "callout_note": "Note",
    "callout_tip": "Tip",
    "callout_warning": "Warning",
    "callout_important": "Important",
    "mediaQuality": "Quality",
    "mediaStandard": "Standard",
    "mediaLow": "Low data",
    "mediaAudio": "Audio only",
    "provider": "Provider",
    "learningTime": "Learning time",
    "lessons": "Lessons",
    "level": "Level",
    "passMarkLabel": "Pass mark",
    "competencies": "Competencies",
    "competencyLevel": "level",
    "noscript": "This course needs JavaScript to show its lessons.",
    "level_beginner": "Beginner",
    "level_intermediate": "Intermediate",
    "level_advanced": "Advanced",
}
"""Keys are the ones ``themes/default/static/player.js``, ``media.js`` and the templates look up."""

PLURAL_COUNT = {"progressText": "total", "courseIncomplete": "total", "quizScore": "max"}
"""The field that chooses a plural message's form, where it is not ``{n}``."""

_SAFE_PLURAL = re.compile(r"^[n0-9\s()<>=!&|?:%+*/-]+$")
_FSI, _PDI = "\u2068", "\u2069"


class Strings(dict[str, Any]):
    """A language's interface strings (``{key: text or [plural forms]}``), and how to fill them in."""

    def __init__(
        self, values: dict[str, Any], lang: str, plural: str, rtl: bool, english: Mapping[str, Text] = PLAYER_STRINGS
    ):
        super().__init__(values)
        self.lang, self.plural, self.rtl, self.english = lang, plural, rtl, english
        self._choose = gettext.c2py(plural) if _SAFE_PLURAL.match(plural) else (lambda n: int(n != 1))
        self._by_text = {e: self[k] for k, e in english.items() if isinstance(e, str) and k in self}

    def text(self, key: str, count: int | None = None, **fields: Any) -> str:
        """The string *key*, its plural form chosen by *count*, with ``{field}`` filled in."""
        value = self.get(key, self.english.get(key, key))
        if count is not None:
            fields.setdefault("n", count)
        if isinstance(value, list | tuple):
            n = count if count is not None else fields.get(PLURAL_COUNT.get(key, "n"), 1)
            value = value[min(self._choose(int(n)), len(value) - 1)]
        return re.sub(r"\{(\w+)\}", lambda m: self._field(fields, m.group(1), m.group(0)), str(value))

    def _field(self, fields: dict[str, Any], name: str, raw: str) -> str:
        if name not in fields:
            return raw
        value = fields[name]
        if isinstance(value, int | float):
            return self.number(value)
        # the course's own words (a module title) may be in another script: isolate them in RTL text
        return f"{_FSI}{value}{_PDI}" if self.rtl else str(value)

    def number(self, value: float) -> str:
        return format_number(value, self.lang)

    def gettext(self, message: str) -> str:
        """The shell template's ``_("English")``: the translation of the entry with that English text."""
        return str(self._by_text.get(message, message))


def is_rtl(lang: str) -> bool:
    """Does *lang* run right to left (by CLDR, through Babel)?

    >>> is_rtl("ur"), is_rtl("hi"), is_rtl("ar-EG")
    (True, False, True)
    """
    return bool(locale_facts(lang)["rtl"])


@lru_cache(maxsize=64)
def locale_facts(lang: str) -> dict[str, Any]:
    """What a package shows of CLDR for *lang*: ``rtl``, ``numbers`` (:func:`number_format`) and
    ``dates`` (:func:`date_format`); from the user's cache when this Babel install made it before."""
    babel = importlib.util.find_spec("babel")
    data = Path(babel.origin).parent / "global.dat" if babel and babel.origin else None
    try:
        stat = data.stat() if data else None
    except OSError:
        stat = None
    stamp = f"{stat.st_mtime_ns}-{stat.st_size}" if stat else None
    file = cache_dir() / "locales" / f"{lang}.json"
    try:
        cached = json.loads(file.read_text("utf-8"))
        if stamp and cached.get("babel") == stamp:
            return dict(cached["facts"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass  # not made yet, or by another Babel: read Babel's data
    facts = {"rtl": _babel_rtl(lang), "numbers": _babel_numbers(lang), "dates": _babel_dates(lang)}
    if stamp:
        with contextlib.suppress(OSError):  # an unwritable cache only costs reading Babel's data again
            write_atomic(file, json.dumps({"babel": stamp, "facts": facts}, ensure_ascii=False).encode())
    return facts


def _babel_rtl(lang: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(lang.replace("-", "_")).character_order == "right-to-left")
    except (UnknownLocaleError, ValueError):
        return False


def catalog_langs(domain: str = "player") -> list[str]:
    """The languages with a catalog in *domain*."""
    return sorted(p.stem for p in (LOCALES_ROOT / domain).glob("*.po"))


@lru_cache(maxsize=32)
def player_strings(lang: str) -> Strings:
    """The interface strings in *lang*: its catalog's translations, English where it has none."""
    return catalog_strings("player", lang, PLAYER_STRINGS)


def catalog_strings(domain: str, lang: str, english: Mapping[str, Text]) -> Strings:
    """The strings of *domain* (keyed by ``msgctxt``, in *english*) in *lang*, from
    ``locales/<domain>/<lang>.po``; English where the catalog has no finished translation."""
    values: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in english.items()}
    plural = "(n != 1)"
    path = _catalog_for(domain, lang)
    if path is not None:
        from babel.messages.pofile import read_po

        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=None, abort_invalid=True)
        plural = catalog.plural_expr
        for message in catalog:
            key = message.context
            if not message.id or key is None or key not in english or message.fuzzy:
                continue
            strings = message.string
            if isinstance(strings, tuple | list):
                if all(strings):
                    values[key] = list(strings)
            elif strings:
                values[key] = strings
    return Strings(values, lang, plural, is_rtl(lang), english)


def _catalog_for(domain: str, lang: str) -> Path | None:
    for code in (lang, lang.split("-")[0]):
        path = LOCALES_ROOT / domain / f"{code.replace('-', '_')}.po"
        if path.is_file():
            return path
    return None


def number_format(lang: str) -> dict[str, Any]:
    """How the runtime groups numbers in *lang*, from Babel's data for the language in India (``hi_IN``,
    ``en_IN``), in Latin digits as Indian government sites write them (Babel does not transliterate digits).

    >>> number_format("hi"), number_format("kn")["sizes"]
    ({'sizes': [3, 2], 'group': ',', 'decimal': '.'}, [3, 3])
    """
    return dict(locale_facts(lang)["numbers"])


def _babel_numbers(lang: str) -> dict[str, Any]:
    locale = _locale(lang)
    if locale is None:
        return {"sizes": [3, 3], "group": ",", "decimal": "."}
    primary, secondary = locale.decimal_formats[None].grouping
    symbols = locale.number_symbols["latn"]
    return {"sizes": [primary, secondary], "group": symbols["group"], "decimal": symbols["decimal"]}


def format_number(value: float, lang: str) -> str:
    """*value* as *lang* writes it (Babel: Indian grouping where CLDR has it).

    >>> format_number(1234567, "hi"), format_number(1234567, "en"), format_number(1234567, "fr-FR")
    ('12,34,567', '12,34,567', '1\u202f234\u202f567')
    """
    if isinstance(value, int) and -1000 < value < 1000:
        return str(value)  # no grouping to do, in Latin digits: skip Babel (a build formats thousands)
    if isinstance(value, int) and value >= 0:  # grouped as Babel groups, from the cached locale facts
        numbers = locale_facts(lang)["numbers"]
        return _grouped(str(value), numbers["sizes"], numbers["group"])
    locale = _locale(lang)
    if locale is None:
        return f"{value:,}"
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale, numbering_system="latn")


def _grouped(digits: str, sizes: list[int], group: str) -> str:
    """*digits* in groups of ``sizes[0]`` from the right, then of ``sizes[1]`` (Babel's rule)."""
    size, out = sizes[0], ""
    while len(digits) > size:
        out, digits, size = group + digits[-size:] + out, digits[:-size], sizes[1]
    return digits + out


def date_format(lang: str) -> dict[str, Any]:
    """How the runtime writes a date in *lang*: CLDR's long date pattern and month names, from Babel.

    >>> date_format("hi")["pattern"], date_format("hi")["months"][0], date_format("ur")["pattern"]
    ('d MMMM y', 'जनवरी', 'd MMMM، y')
    """
    return dict(locale_facts(lang)["dates"])


def _babel_dates(lang: str) -> dict[str, Any]:
    from babel import Locale

    locale = _locale(lang) or Locale.parse("en_IN")
    return {
        "pattern": locale.date_formats["long"].pattern,
        "months": [locale.months["format"]["wide"][m] for m in range(1, 13)],
        "short": [locale.months["format"]["abbreviated"][m] for m in range(1, 13)],
    }


@lru_cache(maxsize=64)
def _locale(lang: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    code = lang.replace("-", "_")
    for candidate in (f"{code}_IN", code) if "_" not in code else (code,):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def plural_rule(strings: Strings) -> str:
    """The catalog's plural rule (a gettext C expression over ``n``) for the runtime, which evaluates it
    with a small parser of its own (no ``eval``: the package's CSP forbids it)."""
    return strings.plural if _SAFE_PLURAL.match(strings.plural) else "(n != 1)"
