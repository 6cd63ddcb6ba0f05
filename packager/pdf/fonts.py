"""Which system Noto font sets each language's script, found with fontconfig.

A handout in a script without a font is a PDF of empty boxes, so a missing font is an
:class:`ExportError` that names the Debian package to install instead.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ExportError

log = logging.getLogger(__name__)

PACKAGE = "fonts-noto-core"


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


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every font family fontconfig knows (each of a font's family names)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ExportError(f"fontconfig's fc-list is not installed, so no font can be found; install {PACKAGE}")
    out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def font_stack(lang: str) -> list[str]:
    """The CSS font families for a handout in *lang*: the script's font, then Latin for codes and names.

    Raises :class:`ExportError` naming the package to install when the script has no installed font.
    """
    script = script_for(lang)
    have = installed_families()
    found = [family for family in script.families if family in have]
    if not found:
        raise ExportError(
            f"missing font: no {script.name} font for language '{lang}' "
            f"(looked for {', '.join(script.families)}); install {PACKAGE} (apt-get install {PACKAGE})"
        )
    if LATIN.families[0] not in have:
        raise ExportError(f"missing font: {LATIN.families[0]} is not installed; install {PACKAGE}")
    stack = found[:1] if script is LATIN else [found[0], LATIN.families[0]]
    log.debug("fonts for %s: %s", lang, stack)
    return stack
