"""iGOT's language names, a closed list, and the link between the language versions of a course.

The portal names languages in English ("Hindi", "Odia"), not by code. Its list (the portal's master list
of languages, and the ``language`` enumeration of its content schema) is English, the 22 languages of
the Eighth Schedule, and Ho, Munda and Juang; a package in any other language cannot be uploaded. The
names are written out here rather than taken from CLDR, which now says "Bangla" where iGOT says
"Bengali" and has no name for some of these.
"""

from __future__ import annotations

from typing import Any

from .. import yamlsrc
from ..errors import ExportError, did_you_mean
from ..model import Course

NAMES: dict[str, str] = {
    "en": "English",
    "as": "Assamese",
    "bn": "Bengali",
    "brx": "Bodo",
    "doi": "Dogri",
    "gu": "Gujarati",
    "hi": "Hindi",
    "kn": "Kannada",
    "ks": "Kashmiri",
    "gom": "Konkani",
    "kok": "Konkani",  # the macrolanguage; Goan Konkani (gom) is what is written in Goa
    "mai": "Maithili",
    "ml": "Malayalam",
    "mni": "Manipuri",
    "mr": "Marathi",
    "ne": "Nepali",
    "or": "Odia",
    "pa": "Punjabi",
    "sa": "Sanskrit",
    "sat": "Santali",
    "sd": "Sindhi",
    "ta": "Tamil",
    "te": "Telugu",
    "ur": "Urdu",
    "hoc": "Ho",
    "unr": "Munda",  # Mundari
    "jun": "Juang",
}
"""BCP 47 primary language subtag -> iGOT's name."""

LANGUAGES: tuple[str, ...] = tuple(sorted(set(NAMES.values())))
"""iGOT's closed list of languages, in alphabetical order."""

BASE_STATUS = "Draft"
"""A new version's status on the portal: Draft until it is reviewed and published (then Live)."""


def igot_name(lang: str) -> str:
    """iGOT's name of the language of BCP 47 code *lang*; ExportError for a language iGOT does not have.

    >>> igot_name("hi"), igot_name("en-IN"), igot_name("sat"), igot_name("or")
    ('Hindi', 'English', 'Santali', 'Odia')
    """
    name = NAMES.get(lang.split("-")[0].lower())
    if name is None:
        codes = ", ".join(f"{code} ({name})" for code, name in sorted(NAMES.items(), key=lambda item: item[1]))
        raise ExportError(f"iGOT has no language '{lang}'{did_you_mean(lang, NAMES)}: its languages are {codes}")
    return name


def language_map(course_id: str, lang: str, langs: list[str], base: str) -> dict[str, dict[str, Any]]:
    """``languageMapV1`` of the *lang* version of a course available in *langs* (*base* first written):
    each version by iGOT's name in lower case, with its id, status and whether it is the base language.

    The ids are the versions' codes (``<course id>-<lang>``, the ``code`` of each version's metadata)
    until the portal gives each its do_ identifier, which then replaces them.

    >>> language_map("c", "hi", ["en", "hi"], "en")["hindi"]
    {'id': 'c-hi', 'status': 'Draft', 'isBaseLang': False}
    """
    versions: dict[str, dict[str, Any]] = {}
    for code in dict.fromkeys([base, *langs, lang]):
        versions[igot_name(code).lower()] = {
            "id": f"{course_id}-{code}",
            "status": BASE_STATUS,
            "isBaseLang": code == base,
        }
    return versions


def source_language(course: Course) -> str:
    """The language *course* is written in: a translated course carries its build's language, so that of a
    translation is read from course.yml again (the base language of ``languageMapV1``)."""
    if course.language not in course.translations:
        return course.language
    try:
        doc = yamlsrc.parse((course.root / "course.yml").read_text("utf-8"), "course.yml")
    except (OSError, UnicodeDecodeError):
        return course.language
    written = doc.value.get("language") if isinstance(doc.value, dict) else None
    return written if isinstance(written, str) else course.language
