"""Text from a document, made into Markdown that says only what the document says.

A Word paragraph reading ``### Who signs?`` or ``- [x] yes`` or ``:::`` must stay text: every reader
passes what it read through :func:`escape` (inline) and builds the syntax itself.
"""

from __future__ import annotations

import re
import unicodedata

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that can start
# syntax anywhere in a line (emphasis, links, images, code, HTML, tables, footnotes, entities, attributes)
_INLINE = re.compile(r"([\\`*_\[\]<>|~{}&$])")
# ...and these only at the start of a line: headings, quotes, lists, fill-in answers, call-out fences
_LINE_START = re.compile(r"^(\s*)([#>+=:-]|\d+[.)])")


def inline(text: str) -> str:
    """*text* as Markdown inline text: line breaks and runs of spaces become one space (edges kept)."""
    return _INLINE.sub(r"\\\1", re.sub(r"\s+", " ", text))


def line(markdown: str) -> str:
    """A block's text (built from :func:`inline` pieces), trimmed, its first character made plain text
    where it would start a heading, quote, list, answer or call-out."""
    return _LINE_START.sub(_plain_start, markdown.strip())


def escape(text: str) -> str:
    """Plain *text* as one line of Markdown that shows exactly that text."""
    return line(inline(text))


def _plain_start(match: re.Match[str]) -> str:
    sign = match.group(2)
    return match.group(1) + sign[:-1] + "\\" + sign[-1]


def slug(text: str, fallback: str = "lesson") -> str:
    """A file-name part from a title: ascii letters and digits joined by '-', at most 40 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return part or fallback


def emphasise(text: str, bold: bool, italic: bool) -> str:
    """Escaped *text* in ``**`` / ``*``, with its edge spaces kept outside (``** x**`` is no emphasis)."""
    core = inline(text.strip())
    if not core or not (bold or italic):
        return inline(text)
    mark = ("**" if bold else "") + ("*" if italic else "")
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{core}{mark[::-1]}{trail}"
