"""What changed in a segment's source: the old and new text as word spans, for a fuzzy entry's review."""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def spans(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: kind ``same``, ``del`` (only in *old*) or ``add`` (only in *new*), word by word.

    >>> spans("Open the portal.", "Open the new portal!")
    [('same', 'Open the '), ('add', 'new '), ('same', 'portal'), ('del', '.'), ('add', '!')]
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []

    def put(kind: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            put("same", "".join(a[i1:i2]))
        else:
            put("del", "".join(a[i1:i2]))
            put("add", "".join(b[j1:j2]))
    return out
