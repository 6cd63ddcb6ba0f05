"""The tables of the report pages, shaped: the reports' rows in the course's order, and as CSV (a header and
rows, numbers rounded, a row with a suppressed number left out). The views read the reports (reports.py)
and hand what they return here; nothing here queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import reports
from .outline import response_label

Table = tuple[list[str], list[tuple[Any, ...]]]


def _whole(*values: Any) -> bool:
    """A CSV row is written only when none of its numbers is suppressed."""
    return all(v is not None for v in values)


def _round(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else round(value, digits)


def _yes(consent: bool | None) -> str:
    return "" if consent is None else ("yes" if consent else "no")


def in_order(report: reports.Report, rows: list[Any], key: str) -> list[Any]:
    """*rows* (items or steps) in the course's order of their *key* (question or lesson), unknown ones last."""
    order = report.outline.order
    return sorted(rows, key=lambda row: (order.get(getattr(row, key), len(order)), getattr(row, key)))


def reflections_in_order(report: reports.Report, counts: list[reports.ReflectionCount]) -> list[Any]:
    order = {reflection: n for n, reflection in enumerate(report.outline.reflections)}
    return sorted(counts, key=lambda r: (order.get(r.reflection, len(order)), r.reflection))


def items(report: reports.Report, found: Sequence[reports.Item]) -> Table:
    places = report.outline.questions
    rows = [
        (
            i.question,
            places[i.question].title if i.question in places else "",
            i.learners,
            i.attempts,
            _round(i.facility),
            _round(i.discrimination),
            _round(i.upper),
            _round(i.lower),
            _round(i.median_seconds, 1),
            "; ".join(i.flags),
        )
        for i in found
        if _whole(i.facility)
    ]
    header = ["question", "text", "learners", "attempts", "facility", "discrimination", "upper group", "lower group"]
    return [*header, "median seconds", "flags"], rows


def responses(report: reports.Report, found: Sequence[reports.Item]) -> Table:
    places = report.outline.questions
    rows = [
        (i.question, response, response_label(places.get(i.question), response), count)
        for i in found
        for response, count in i.responses
        if count is not None
    ]
    return ["question", "response", "meaning", "learners (first answer)"], rows


def funnel(report: reports.Report, steps: Sequence[reports.Step]) -> Table:
    lessons = report.outline.lessons
    rows = [
        (
            s.lesson,
            lessons[s.lesson].title if s.lesson in lessons else "",
            s.opened,
            s.completed,
            s.left,
            _round(s.median_minutes, 1),
            _round(lessons[s.lesson].minutes, 1) if s.lesson in lessons else "",
        )
        for s in steps
        if _whole(s.opened)
    ]
    return ["lesson", "title", "opened", "completed", "left here", "median minutes", "declared minutes"], rows


def competencies(evidence: Sequence[reports.Evidence]) -> Table:
    rows = [
        (e.competency, e.org_unit or "", e.learners, e.mastered, _round(e.mastery))
        for e in evidence
        if _whole(e.learners)
    ]
    return ["competency", "organisation unit", "learners", "mastered", "mastery rate"], rows


def reflections(report: reports.Report, counts: Sequence[reports.ReflectionCount]) -> Table:
    places = report.outline.reflections
    rows = [
        (r.reflection, places[r.reflection].title if r.reflection in places else "", r.learners, r.texts)
        for r in counts
        if _whole(r.learners)
    ]
    return ["reflection", "prompt", "learners", "texts"], rows


def reflection_texts(chosen: str, texts: Sequence[reports.ReflectionText] | None) -> Table:
    rows = [(chosen, t.learner, t.at.isoformat(timespec="seconds"), _yes(t.consent), t.text) for t in texts or []]
    return ["reflection", "learner (pseudonym)", "when (UTC)", "consent", "text"], rows
