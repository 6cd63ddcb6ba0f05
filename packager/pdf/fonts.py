"""Which system Noto font sets each language's script, found with fontconfig.

A handout in a script without a font is a PDF of empty boxes, so a missing font is an
:class:`ExportError` that names the Debian package to install instead.
"""

from __future__ import annotations

import logging
import shutil
from functools import lru_cache

from ..errors import ExportError
from ..runner import LOCAL, Runner
from ..scripts import LATIN, SCRIPTS, Script, script_for

log = logging.getLogger(__name__)

PACKAGE = "fonts-noto-core"
__all__ = ["LATIN", "PACKAGE", "SCRIPTS", "Script", "font_stack", "installed_families", "script_for"]


@lru_cache(maxsize=1)
def installed_families(runner: Runner = LOCAL) -> frozenset[str]:
    """Every font family fontconfig knows (each of a font's family names)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ExportError(f"fontconfig's fc-list is not installed, so no font can be found; install {PACKAGE}")
    out = runner.run([fc_list, ":", "family"]).stdout.decode("utf-8", "replace")
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def font_stack(lang: str, runner: Runner = LOCAL) -> list[str]:
    """The CSS font families for a handout in *lang*: the script's font, then Latin for codes and names;
    *runner* runs fc-list.

    Raises :class:`ExportError` naming the package to install when the script has no installed font.
    """
    script = script_for(lang)
    have = installed_families(runner)
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
