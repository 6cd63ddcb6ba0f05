"""The learning analytics reports of a course (item analysis, lesson funnel, competency evidence, reflections)
and a CSV of every table. GET only: the pages read the records and write nothing (the work: ``reports.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import gettext as _

from ..accounts.policy import requires
from ..db import db
from . import charts, reports
from .outline import response_label

bp = Blueprint("analytics", __name__, url_prefix="/o/<org>/c/<course>/analytics")


def _report() -> reports.Report:
    return reports.open_report(
        db(),
        g.course,
        request.args.get("version", ""),
        request.args.get("lang", ""),
        int(current_app.config["ANALYTICS_MIN_GROUP"]),
    )


def _page(template: str, report: reports.Report, **values: Any) -> str:
    args = {k: v for k, v in (("version", report.scope.version), ("lang", report.scope.lang)) if v}
    return render_template(
        f"analytics/{template}", report=report, few=report.scope.min_group, args=args, charts=charts, **values
    )


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    body = reports.csv_text(header, rows)
    filename = f"{g.course.slug}-{name}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _whole(*values: Any) -> bool:
    """A CSV row is written only when none of its numbers is suppressed."""
    return all(v is not None for v in values)


@bp.get("/")
@requires("analytics.view")
def items(org: str, course: str) -> str:
    report = _report()
    found = reports.item_analysis(db().connection(), report.scope)
    order = report.outline.order
    found.sort(key=lambda item: (order.get(item.question, len(order)), item.question))
    flags = {"too-easy": _("too easy"), "too-hard": _("too hard"), "poor-discrimination": _("discriminates poorly")}
    return _page("items.html", report, items=found, flag_names=flags, response_label=response_label)


@bp.get("/funnel")
@requires("analytics.view")
def funnel(org: str, course: str) -> str:
    report = _report()
    steps = reports.funnel(db().connection(), report.scope)
    order = report.outline.order
    steps.sort(key=lambda step: (order.get(step.lesson, len(order)), step.lesson))
    return _page("funnel.html", report, steps=steps)


@bp.get("/competencies")
@requires("analytics.view")
def competencies(org: str, course: str) -> str:
    report = _report()
    evidence = reports.competency_evidence(db().connection(), report.scope, report.outline.tests)
    return _page("competencies.html", report, evidence=evidence)


@bp.get("/reflections")
@requires("analytics.view")
def reflections(org: str, course: str) -> str:
    report = _report()
    counts = reports.reflections(db().connection(), report.scope)
    order = list(report.outline.reflections)
    counts.sort(key=lambda r: (order.index(r.reflection) if r.reflection in order else len(order), r.reflection))
    chosen = request.args.get("reflection", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    texts = None
    if chosen:
        texts = reports.reflection_texts(db().connection(), report.scope, chosen, PAGE + 1, (page - 1) * PAGE)
    return _page("reflections.html", report, counts=counts, chosen=chosen, texts=texts, page=page, per_page=PAGE)


PAGE = 50  # reflection texts a page


# ---- CSV: the tables of the pages, suppressed rows left out ----


@bp.get("/items.csv")
@requires("analytics.view")
def items_csv(org: str, course: str) -> Response:
    report = _report()
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
        for i in reports.item_analysis(db().connection(), report.scope)
        if _whole(i.facility)
    ]
    header = ["question", "text", "learners", "attempts", "facility", "discrimination", "upper group", "lower group"]
    return _csv("items", [*header, "median seconds", "flags"], rows)


@bp.get("/responses.csv")
@requires("analytics.view")
def responses_csv(org: str, course: str) -> Response:
    report = _report()
    places = report.outline.questions
    rows = [
        (i.question, response, response_label(places.get(i.question), response), count)
        for i in reports.item_analysis(db().connection(), report.scope)
        for response, count in i.responses
        if count is not None
    ]
    return _csv("responses", ["question", "response", "meaning", "learners (first answer)"], rows)


@bp.get("/funnel.csv")
@requires("analytics.view")
def funnel_csv(org: str, course: str) -> Response:
    report = _report()
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
        for s in reports.funnel(db().connection(), report.scope)
        if _whole(s.opened)
    ]
    header = ["lesson", "title", "opened", "completed", "left here", "median minutes", "declared minutes"]
    return _csv("funnel", header, rows)


@bp.get("/competencies.csv")
@requires("analytics.view")
def competencies_csv(org: str, course: str) -> Response:
    report = _report()
    rows = [
        (e.competency, e.org_unit or "", e.learners, e.mastered, _round(e.mastery))
        for e in reports.competency_evidence(db().connection(), report.scope, report.outline.tests)
        if _whole(e.learners)
    ]
    return _csv("competencies", ["competency", "organisation unit", "learners", "mastered", "mastery rate"], rows)


@bp.get("/reflections.csv")
@requires("analytics.view")
def reflections_csv(org: str, course: str) -> Response:
    report = _report()
    places = report.outline.reflections
    rows = [
        (r.reflection, places[r.reflection].title if r.reflection in places else "", r.learners, r.texts)
        for r in reports.reflections(db().connection(), report.scope)
        if _whole(r.learners)
    ]
    return _csv("reflections", ["reflection", "prompt", "learners", "texts"], rows)


@bp.get("/reflection-texts.csv")
@requires("analytics.view")
def reflection_texts_csv(org: str, course: str) -> Response:
    report = _report()
    chosen = request.args.get("reflection", "")
    texts = reports.reflection_texts(db().connection(), report.scope, chosen, limit=None) if chosen else None
    rows = [(chosen, t.learner, t.at.isoformat(timespec="seconds"), _yes(t.consent), t.text) for t in texts or []]
    return _csv("reflection-texts", ["reflection", "learner (pseudonym)", "when (UTC)", "consent", "text"], rows)


def _yes(consent: bool | None) -> str:
    return "" if consent is None else ("yes" if consent else "no")


def _round(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else round(value, digits)
