"""Webfonts for the player: a subset of the right Noto font, cut to the characters a package shows.

A phone without a Devanagari, Tamil or Nastaliq font shows boxes; a package that carries its own font
does not. The script's font comes first (it sets the text), then Noto Sans and Noto's symbol fonts for
what the script font lacks, each subset with fontTools to the characters it is the first to have, with
all its layout features (Indic conjuncts and Nastaliq joining need them). WOFF2 when Brotli is there,
else TrueType. Subsets are cached by font and characters, so a rebuild does not subset again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cache import cache_dir
from .errors import ExportError
from .runner import LOCAL, Runner
from .scripts import LATIN, script_for

PACKAGE = "fonts-noto-core"
log = logging.getLogger(__name__)

FALLBACKS = ("Noto Sans", "Noto Sans Symbols2", "Noto Sans Symbols", "Noto Sans Math")
# Scripts a phone may lack a font for. Latin text needs no webfont: every device has one.
_NEEDS_FONT = ((0x0590, 0x08FF), (0x0900, 0x0DFF), (0x1CD0, 0x1CFF), (0xA8E0, 0xA8FF), (0xFB1D, 0xFEFF))
_NEEDS_FONT_CHAR = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _NEEDS_FONT) + "]")
_KEEP = "\u200c\u200d\u25cc"  # ZWNJ, ZWJ and the dotted circle: shaping uses them around marks


@dataclass(frozen=True)
class WebFont:
    family: str
    """The CSS family name (``KS Devanagari``)."""
    name: str
    """Package path (``assets/fonts/ks-devanagari.woff2``)."""
    data: bytes
    source: str
    """The system font it was cut from (family name)."""
    chars: frozenset[str]


def brotli_available() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def system_fonts(runner: Runner = LOCAL) -> dict[str, Path]:
    """Family -> file of each installed regular-weight font, from fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ExportError(f"fontconfig's fc-list is not installed, so no font can be found; install {PACKAGE}")
    out = runner.run([fc_list, "--format", "%{family}\t%{style}\t%{file}\n"]).stdout.decode("utf-8", "replace")
    found: dict[str, Path] = {}
    for line in out.splitlines():
        families, _, rest = line.partition("\t")
        styles, _, file = rest.partition("\t")
        if "Regular" in styles.split(",") and file.lower().endswith((".ttf", ".otf")):
            for family in families.split(","):
                found.setdefault(family.strip(), Path(file))
    return found


@lru_cache(maxsize=32)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # fontTools costs a tenth of a second to import: only when needed

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def shown(char: str) -> bool:
    """Does *char* need a glyph (not a space, control or invisible format character)?"""
    if 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF:  # variation selectors pick a glyph
        return False
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"))


def chain(lang: str, runner: Runner = LOCAL) -> list[str]:
    """The font families a page in *lang* uses, in CSS order: the script's font, then the fallbacks."""
    script = script_for(lang)
    latin = script is LATIN
    have = system_fonts(runner)
    main = [f for f in script.families if f in have][:1] if not latin else []
    if not latin and not main:
        raise ExportError(
            f"missing font: no {script.name} font for language '{lang}' (looked for {', '.join(script.families)}); "
            f"install {PACKAGE}, or build with --no-fonts"
        )
    return main + [f for f in FALLBACKS if f in have]


def webfonts(lang: str, text: Iterable[str], runner: Runner = LOCAL, *, whole_script: bool = False) -> list[WebFont]:
    """The subset fonts a page in *lang* showing *text* needs (none for Latin text); *runner* runs fc-list.

    *whole_script* keeps every character of the script's font, not only those *text* shows: the studio's
    previews, where a translator's edit that adds a letter would otherwise cut the font again (seconds
    each time); the cut is then made once per font and kept in the cache. A package carries only what
    it shows."""
    latin = script_for(lang) is LATIN
    seen: set[str] = set()
    for part in text:  # one piece at a time: a long course's text is never held whole
        if latin:  # a scan, not a set of it all; ASCII text (most of it) needs none, and says so at C speed
            if not part.isascii():
                seen.update(_NEEDS_FONT_CHAR.findall(part))
        else:
            seen.update(part)
    chars = {c for c in seen if shown(c)}
    if latin:  # only what a phone may lack
        chars = {c for c in chars if any(a <= ord(c) <= b for a, b in _NEEDS_FONT)}
    if not chars:
        return []
    have = system_fonts(runner)
    families = chain(lang, runner) if not latin else [f for f in _script_fonts_for(chars) if f in have]
    left, fonts = set(chars), []
    for n, family in enumerate(families):
        mine = {c for c in left if ord(c) in _cmap(have[family])}
        if not mine:
            continue
        left -= mine
        if n == 0 and not latin:
            keep = {chr(c) for c in _cmap(have[family])} if whole_script else _KEEP
            mine |= {c for c in keep if ord(c) in _cmap(have[family])}
        fonts.append(_subset(family, have[family], frozenset(mine)))
    if left:
        log.warning("no installed font has %s", ", ".join(f"U+{ord(c):04X}" for c in sorted(left)[:10]))
    return fonts


_BLOCKS = (
    (0x0600, 0x08FF, "ur"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B00, 0x0B7F, "or"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
)


def _script_fonts_for(chars: set[str]) -> list[str]:
    """For Latin-script courses quoting other scripts: the fonts of the scripts their characters are in."""
    families: list[str] = []
    for low, high, code in _BLOCKS:
        if any(low <= ord(c) <= high for c in chars):
            families += [f for f in script_for(code).families if f not in families]
    return families


def _subset(family: str, path: Path, chars: frozenset[str]) -> WebFont:
    flavor = "woff2" if brotli_available() else None
    ext = "woff2" if flavor else "ttf"
    slug = "ks-" + family.lower().removeprefix("noto ").replace(" ", "-")
    stat = path.stat()
    key = hashlib.sha256(
        f"{path}\n{stat.st_size}\n{stat.st_mtime_ns}\n{ext}\n{''.join(sorted(chars))}".encode()
    ).hexdigest()[:32]
    cached = cache_dir() / "fonts" / f"{key}.{ext}"
    if cached.is_file():
        data = cached.read_bytes()
    else:
        from fontTools import subset

        options = subset.Options()
        options.layout_features = ["*"]  # conjuncts, matras, Nastaliq joining and kerning all need theirs
        options.hinting = False
        options.desubroutinize = True
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and OFL licence notice
        options.flavor = flavor
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        data = out.getvalue()
        from .media.store import write_cache

        write_cache(cached, data)  # a unique temporary name: parallel builds (studio jobs) may cut the same font
    css_family = "KS " + family.removeprefix("Noto ").removeprefix("Sans ")
    return WebFont(css_family, f"assets/fonts/{slug}.{ext}", data, family, chars)


def font_css(lang: str, fonts: list[WebFont]) -> str:
    """``assets/fonts.css``: the @font-face rules and the body's font stack (script font first)."""
    fmt = {"woff2": "woff2", "ttf": "truetype"}
    rules = [
        f'@font-face{{font-family:"{f.family}";src:url({f.name.removeprefix("assets/")}) '
        f'format("{fmt[f.name.rsplit(".", 1)[1]]}");font-display:swap}}'
        for f in fonts
    ]
    stack = ",".join(f'"{f.family}"' for f in fonts)
    script = script_for(lang)
    rules.append(f'body.ks{{font-family:{stack},system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}}')
    if script.line_height > 1.6:
        rules.append(f"body.ks{{line-height:{script.line_height}}}")
    return "\n".join(rules) + "\n"
