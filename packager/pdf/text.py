"""A searchable text layer for Indic and Arabic-script handouts: ``/ActualText`` for shaped text.

Why WeasyPrint's text layer is wrong for these scripts (measured with WeasyPrint 70, Pango 1.50 and
Debian's Noto fonts; see docs/developers.md): a PDF maps each *glyph* to text once, in the font's
``ToUnicode`` CMap, and WeasyPrint fills that map from the first cluster it sees each glyph in. Complex
scripts break the one-glyph-one-meaning assumption three ways:

- a cluster of several glyphs (a Devanagari ``रि`` is the glyphs ``ि`` ``र``, drawn in that visual
  order) gives its whole text to one glyph and nothing to the others, so the vowel sign goes missing
  (``परिचय`` extracts as ``प रचय``) and ``र`` later extracts as ``रि``;
- a glyph shared by many letters cannot map to one: Noto Nastaliq Urdu draws ``ت`` as a dotless
  *rasm* glyph plus a two-dots glyph, the same rasm serves ``ب ت ث ن``, so no ``ToUnicode`` map can
  be right;
- reordered glyphs (pre-base matras, reph) come out in visual order even when each map is right.

No font build or font feature avoids this; the PDF's own remedy (ISO 32000, 14.9.4) is a marked-content
span with ``/ActualText`` giving the text in logical order. A left-to-right line with Indic text gets
one span for the whole line (extraction then matches the source exactly).

Right-to-left Nastaliq needs more: its glyphs cascade (each cluster raised or lowered with text rise),
so extractors that group characters by baseline and gap (Poppler) break words wherever a cluster
moves, and they lay a multi-character span out left to right before reordering right-to-left text,
which reverses it. So a line with right-to-left text is drawn twice: the shaped glyphs, silenced by an
empty ``/ActualText``, and an invisible layer (render mode 3) on the baseline with one span per
character, in visual order, each an invisible glyph stretched (``Tz``) to its share of its cluster's
advance. Every extractor then sees plain characters on one line, as an OCR text layer offers them.
Latin text is untouched.

:func:`text_layer` swaps WeasyPrint's line drawer for one that does this while a handout renders; lines
without complex-script characters, and ones needing features this drawer leaves out (ellipses, colour or
bitmap fonts), go to WeasyPrint's own drawer unchanged.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# Hebrew, Arabic, Syriac, Thaana, NKo…, all Indic blocks to Sinhala, Tibetan, Myanmar; Arabic forms.
COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0f00-\u109f\ufb1d-\ufdff\ufe70-\ufeff]")
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
TESTED_WEASYPRINT = ("70.",)
_lock = threading.Lock()
_renders = 0  # handouts being rendered now: the drawer is swapped in while there is at least one
_original: Any = None


@contextmanager
def text_layer() -> Iterator[bool]:
    """WeasyPrint's line drawing routed through :func:`draw_first_line` for the renders inside the block,
    WeasyPrint's own drawer put back after the last one; yields False if this version is untested.

    WeasyPrint draws through a module attribute, so the swap is seen by the whole process while a
    handout renders (other lines go to the original drawer unchanged); outside renders, nothing is patched.
    """
    global _renders, _original
    import weasyprint
    from weasyprint.draw import text as wtext

    if not weasyprint.__version__.startswith(TESTED_WEASYPRINT):
        log.warning("WeasyPrint %s is untested: Indic and Urdu text may not extract from PDFs", weasyprint.__version__)
        yield False
        return
    with _lock:
        if _renders == 0:
            _original = wtext.draw_first_line
            wtext.draw_first_line = _drawer(_original)
        _renders += 1
    try:
        yield True
    finally:
        with _lock:
            _renders -= 1
            if _renders == 0:
                wtext.draw_first_line = _original


def _drawer(original: Any) -> Any:
    def draw_first_line(stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str, matrix: Any) -> Any:
        text = textbox.text
        if not COMPLEX.search(text):
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        if text_overflow == "ellipsis" or block_ellipsis != "none" or not RTL.search(text):
            stream.begin_marked_content("Span", _actual_text(text))
            try:
                return original(stream, textbox, text_overflow, block_ellipsis, matrix)
            finally:
                stream.end_marked_content()
        # Right-to-left: the glyphs as drawn say nothing; an invisible layer on the baseline says the text.
        stream.begin_marked_content("Span", _actual_text(""))
        try:
            drawn = original(stream, textbox, text_overflow, block_ellipsis, matrix)
        finally:
            stream.end_marked_content()
        _text_layer(stream, textbox, matrix)
        return drawn

    return draw_first_line


def _actual_text(text: str) -> Any:
    import pydyf

    return pydyf.Dictionary({"ActualText": pydyf.String(text)})


def _text_layer(stream: Any, textbox: Any, matrix: Any) -> None:
    """An invisible copy of the line for text extraction: one character per span, on the baseline.

    Each cluster's advance (as Pango laid it out) is shared by its characters, drawn in visual order as
    an invisible glyph stretched to that width (``Tz``) and spoken by ``/ActualText``. Extractors then
    see single characters, left to right, on one baseline with no gaps inside a word, and put them in
    logical order themselves; the shaped glyphs above are silenced by an empty ``/ActualText``.
    """
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    stream.set_text_matrix(*matrix.values)
    stream.set_text_rendering(3)
    previous_font = None
    run = first_line.runs[0]
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        run = run.next
        if item.analysis.font != previous_font:
            previous_font = item.analysis.font
            font, font_size = stream.add_font(item.analysis.font)
            if pango.pango_version() < 14802:  # https://gitlab.gnome.org/GNOME/pango/-/issues/530
                font_size = textbox.style["font_size"]
            stream.set_font_size(font.hash, font_size)
        count = glyphs.num_glyphs
        clusters = [glyphs.log_clusters[i] for i in range(count)]
        starts = sorted(set(clusters))
        ends = dict(zip(starts, [*starts[1:], item.length], strict=True))
        rtl = item.analysis.level % 2
        cells: list[list[Any]] = []  # [logical start, text, glyph, advance] per cluster, in visual order
        i = 0
        while i < count:
            j = i
            while j < count and clusters[j] == clusters[i]:
                j += 1
            text = utf8[item.offset + clusters[i] : item.offset + ends[clusters[i]]].decode()
            # advance in thousandths of the font size, as the visible glyphs moved the pen
            advance = sum(glyphs.glyphs[k].geometry.width for k in range(i, j)) * 1000 * FROM_UNITS / font_size
            glyph = next((g for g in (glyphs.glyphs[k].glyph for k in range(i, j)) if font.widths.get(g)), None)
            cells.append([clusters[i], text, glyph, advance])
            i = j
        # A cluster that takes no room (a mark HarfBuzz keeps apart, such as a zer) has nothing to stretch:
        # its text joins the cluster before it in reading order, which holds the letter it sits on.
        for cell in cells:
            if (cell[2] is None or cell[3] <= 0) and cell[1].strip():
                base = max(
                    (c for c in cells if c[0] < cell[0] and c[2] is not None and c[3] > 0),
                    default=None,
                    key=lambda c: c[0],
                )
                if base is not None:
                    base[1], cell[1] = base[1] + cell[1], ""
        for _, text, glyph, advance in cells:
            chars = [c for c in text if c not in "\u200c\u200d"]
            if glyph is None or advance <= 0 or not chars:
                if advance:
                    stream.show_text(f"{-advance:.1f}")
            else:
                share = advance / len(chars)
                stream.stream.append(f"{100 * share / font.widths[glyph]:.2f} Tz".encode())
                for char in reversed(chars) if rtl else chars:
                    stream.begin_marked_content("Span", _actual_text(char))
                    stream.show_text(f"<{glyph:04x}>")
                    stream.end_marked_content()
    stream.stream.append(b"100 Tz")
    stream.set_text_rendering(0)
