"""The studio's interface languages: catalogs as data in ``locales/studio/<lang>.po``, compiled on start.

Flask-Babel reads compiled ``.mo`` files. Compiling them from the ``.po`` sources when the app starts,
into the data folder and atomically, keeps binaries out of the repository, keeps a fresh checkout
working, and lets several processes start at once (each writes whole files under new names).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from packager.files import atomic_path


def compile_catalogs(source: Path, dest: Path) -> list[str]:
    """Compile every ``<lang>.po`` of *source* that is newer than its ``.mo`` under *dest*; its languages."""
    langs = []
    for po in sorted(source.glob("*.po")):
        lang = po.stem
        mo = dest / lang / "LC_MESSAGES" / "messages.mo"
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang, abort_invalid=True)
            with atomic_path(mo) as tmp, tmp.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)  # a fuzzy entry is a guess: show English instead
        langs.append(lang)
    return langs
