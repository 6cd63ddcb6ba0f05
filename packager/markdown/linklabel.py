"""Label scans in linear time: markdown-it's link labels and the footnote plugin's ``[^…]`` references.

Every ``[`` may start a link, so markdown-it walks forward from it looking for the ``]`` that closes
the label, stepping over each inline token in between (``skipToken``). On text like ``[[[[…`` each
step recurses into the next ``[`` until markdown-it's nesting limit (20) cuts it off, and the walk
from every ``[`` re-treads the next 20 positions: about 18 µs per character, 39 s for 2 MB of ``[``.
The footnote plugin's reference rule is worse: from every ``[^`` it scans ahead for a ``]``, a space
or a line end, so ``[^[^[^…`` without any is quadratic (50 KB took minutes).

The label walk here is markdown-it's own (``markdown_it.helpers.parseLinkLabel``, same results) with
one early exit: a label nested ``level`` deep needs at least ``level`` more ``]`` (one more at a ``[``);
when fewer are left before the end of the inline text it cannot close, so the walk stops at once. The footnote rule is
the plugin's own, behind a guard that answers "cannot match" from the same kind of index. The positions
of ``]`` (and of the footnote scan's stops) are found once per inline text and searched by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from markdown_it.rules_inline import StateInline

InlineRule = Callable[[StateInline, bool], bool]
_CLOSE = re.compile(r"\]")
_REF_STOP = re.compile(r"[ \n\]]")  # where the footnote plugin's reference scan stops
MAX_LABEL = 999  # CommonMark's longest link label; footnote labels are held to it too


def parse_link_label(
    state: StateInline, start: int, disableNested: bool = False
) -> int:  # markdown-it's parameter name
    """The position of the ``]`` closing the label that opens at *start*, or -1."""
    closers = _positions(state, _CLOSE)
    last = bisect_left(closers, state.posMax)  # ']' at or after posMax do not count
    old_pos = state.pos
    state.pos = start + 1
    level = 1
    label_end = -1
    while state.pos < state.posMax:
        marker = state.src[state.pos]
        left = last - bisect_left(closers, state.pos)
        if left < level or (marker == "[" and left <= level):
            # not enough ']' left to close every open '[': the label cannot end. A '[' here needs one
            # more, whether it is plain text or opens a link (which uses up a ']' of its own)
            break
        if marker == "]":
            level -= 1
            if level == 0:
                label_end = state.pos
                break
        prev_pos = state.pos
        state.md.inline.skipToken(state)
        if marker == "[":
            if prev_pos == state.pos - 1:
                level += 1  # a '[' that is plain text, not part of a token
            elif disableNested:
                state.pos = old_pos
                return -1
    state.pos = old_pos
    return label_end


def guard_footnote_ref(rule: InlineRule) -> InlineRule:
    """The plugin's ``[^label]`` rule, called only where it will match: where its scan ends at a ``]``
    (found by bisection, not by walking the text) and the label is a defined footnote."""

    def footnote_ref(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not state.src.startswith("[^", start):
            return False
        stops = _positions(state, _REF_STOP)
        at = bisect_left(stops, start + 2)
        if at == len(stops) or stops[at] >= state.posMax or state.src[stops[at]] != "]":
            return False
        if stops[at] - start - 2 > MAX_LABEL:
            return False  # without this, building each candidate label copies the rest of the text
        refs = state.env.get("footnotes", {}).get("refs") or {}
        if f":{state.src[start + 2 : stops[at]]}" not in refs:
            return False  # not a defined footnote: the plugin would scan, then say no
        return rule(state, silent)

    return footnote_ref


def _positions(state: StateInline, pattern: re.Pattern[str]) -> list[int]:
    """Sorted positions of *pattern* in the inline text, found once per text (kept on the state)."""
    cache: dict[re.Pattern[str], tuple[str, list[int]]] = state.__dict__.setdefault("_ks_positions", {})
    held = cache.get(pattern)
    if held is not None and held[0] is state.src:
        return held[1]
    found = [m.start() for m in pattern.finditer(state.src)]
    cache[pattern] = (state.src, found)
    return found
