"""Charts drawn on the server as SVG a person reads at a glance, and a screen reader reads too.

Each chart is an ``<svg role="img">`` named by its own ``<title>`` and ``<desc>`` (aria-labelledby), with
a text label and value beside every bar, so the numbers do not hide in a hover. The page puts the same
numbers in a table beside the chart (the table is the record; the chart is the glance). No script, no
styles of its own (the studio's CSP allows none inline): presentation attributes only, colours with 4.5:1
contrast on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

INK = "#1b1f24"
BAR = "#0b5cad"  # the studio's accent: 6.6:1 on white
FLAG = "#a4001d"  # a bar that needs the author's attention
GUIDE = "#6b7785"  # a mark such as a threshold or the declared minutes
ROW = 28
LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """None: suppressed (a group under the privacy threshold), drawn as a note instead of a bar."""
    shown: str
    """The value as the page writes it (``"84 %"``, ``"fewer than 5"``)."""
    flagged: bool = False
    mark: float | None = None
    """A second value drawn as a tick on the bar's track (declared minutes against time spent)."""


def _clip(text: str, width: int) -> str:
    """Labels longer than the column are cut with an ellipsis (the table beside it has them whole)."""
    room = max(4, width // 7)
    return text if len(text) <= room else text[: room - 1] + "…"


def bars(chart_id: str, title: str, desc: str, items: Sequence[Bar], scale: float | None = None) -> Markup:
    """A horizontal bar chart: one row a bar, its label before it and its value after it.

    *scale* is the value of a full bar (1.0 for shares); else the largest value.
    """
    top = scale or max([b.value or 0 for b in items] + [b.mark or 0 for b in items] + [1e-9])
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW * max(1, len(items)) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, b in enumerate(items):
        y = 4 + i * ROW
        middle = y + ROW / 2 + 5
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" font-size="13" fill="{INK}">'
            f"{escape(_clip(b.label, LABEL_WIDTH))}</text>"
        )
        out.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{BAR_WIDTH}" height="{ROW - 8}" fill="none" '
            f'stroke="{GUIDE}" stroke-width="1"/>'
        )
        if b.value is not None:
            length = BAR_WIDTH * min(1.0, max(0.0, b.value / top))
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" '
                f'fill="{FLAG if b.flagged else BAR}"/>'
            )
        if b.mark is not None:
            at = LABEL_WIDTH + BAR_WIDTH * min(1.0, max(0.0, b.mark / top))
            out.append(
                f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{y + 1}" y2="{y + ROW - 1}" stroke="{INK}" '
                f'stroke-width="3" stroke-dasharray="4 2"/>'
            )
        out.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{middle:.0f}" font-size="13" fill="{INK}">'
            f"{escape(b.shown)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


# ---- the reports' charts: the data of a report as bars (titles and words come from the page, translated) ----


def _pct(value: float | None, few: str) -> str:
    return few if value is None else f"{value * 100:.0f} %"


def facility(chart_id: str, title: str, desc: str, items: Sequence[Any], names: dict[str, Any], few: str) -> Markup:
    """Item analysis: each question's facility, flagged questions in the warning colour."""
    return bars(
        chart_id,
        title,
        desc,
        [Bar(_name(names, i.question), i.facility, _pct(i.facility, few), flagged=bool(i.flags)) for i in items],
        scale=1.0,
    )


def funnel(chart_id: str, title: str, desc: str, steps: Sequence[Any], names: dict[str, Any], few: str) -> Markup:
    """The lesson funnel: learners who opened each lesson, in the course's order."""
    return bars(
        chart_id,
        title,
        desc,
        [Bar(_name(names, s.lesson), s.opened, few if s.opened is None else str(s.opened)) for s in steps],
    )


def minutes(chart_id: str, title: str, desc: str, steps: Sequence[Any], names: dict[str, Any], few: str) -> Markup:
    """Median minutes spent in each lesson, with its declared minutes as a dashed mark."""
    items = []
    for s in steps:
        declared = names[s.lesson].minutes if s.lesson in names else None
        shown = few if s.median_minutes is None else f"{s.median_minutes:.1f} / {declared or 0:.0f} min"
        items.append(Bar(_name(names, s.lesson), s.median_minutes, shown, mark=declared))
    return bars(chart_id, title, desc, items)


def mastery(chart_id: str, title: str, desc: str, evidence: Sequence[Any], few: str) -> Markup:
    """Mastery rate of each competency, all learners together."""
    rows = [e for e in evidence if e.org_unit is None]
    return bars(chart_id, title, desc, [Bar(e.competency, e.mastery, _pct(e.mastery, few)) for e in rows], scale=1.0)


def _name(names: dict[str, Any], key: str) -> str:
    return names[key].title if key in names else key


def written(chart_id: str, title: str, desc: str, counts: Sequence[Any], names: dict[str, Any], few: str) -> Markup:
    """Reflections: the learners who wrote each one."""
    return bars(
        chart_id,
        title,
        desc,
        [Bar(_name(names, r.reflection), r.learners, few if r.learners is None else str(r.learners)) for r in counts],
    )
