"""Which script each language is written in, and the Noto fonts that set it (handouts and webfonts).

Kept apart from ``packager.pdf`` so that the player's webfonts (``packager.fonts``) need not import the
PDF machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    name: str
    families: tuple[str, ...]
    """Text families, best first; the first installed one sets the body text."""
    rtl: bool = False
    line_height: float = 1.5
    """Nastaliq's tall, sloping words need far more leading than Latin or Indic text."""


LATIN = Script("Latin", ("Noto Sans",))
DEVANAGARI = Script("Devanagari", ("Noto Sans Devanagari", "Noto Serif Devanagari"), line_height=1.6)
BENGALI = Script("Bengali", ("Noto Sans Bengali", "Noto Serif Bengali"), line_height=1.6)
SCRIPTS: dict[str, Script] = {
    "en": LATIN,
    "hi": DEVANAGARI,
    "mr": DEVANAGARI,
    "ne": DEVANAGARI,
    "sa": DEVANAGARI,
    "kok": DEVANAGARI,
    "bn": BENGALI,
    "as": BENGALI,
    "ta": Script("Tamil", ("Noto Sans Tamil", "Noto Serif Tamil"), line_height=1.6),
    "te": Script("Telugu", ("Noto Sans Telugu", "Noto Serif Telugu"), line_height=1.7),
    "kn": Script("Kannada", ("Noto Sans Kannada", "Noto Serif Kannada"), line_height=1.7),
    "ml": Script("Malayalam", ("Noto Sans Malayalam", "Noto Serif Malayalam"), line_height=1.6),
    "gu": Script("Gujarati", ("Noto Sans Gujarati", "Noto Serif Gujarati"), line_height=1.6),
    "pa": Script("Gurmukhi", ("Noto Sans Gurmukhi", "Noto Serif Gurmukhi"), line_height=1.6),
    "or": Script("Oriya", ("Noto Sans Oriya", "Noto Serif Oriya"), line_height=1.7),
    "ur": Script("Arabic (Nastaliq)", ("Noto Nastaliq Urdu",), rtl=True, line_height=2.3),
    "ks": Script("Arabic (Nastaliq)", ("Noto Nastaliq Urdu",), rtl=True, line_height=2.3),
    "sd": Script("Arabic", ("Noto Naskh Arabic",), rtl=True, line_height=1.9),
}


def script_for(lang: str) -> Script:
    """The script of *lang* (a BCP 47 code); Latin for languages this table does not list.

    >>> script_for("hi-IN").name, script_for("ur").rtl, script_for("fr").name
    ('Devanagari', True, 'Latin')
    """
    return SCRIPTS.get(lang.split("-")[0].lower(), LATIN)
