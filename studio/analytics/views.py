"""The learning analytics reports of a course (item analysis, lesson funnel, competency evidence, reflections)
and a CSV of every table. The pages read the records and write nothing; one POST queues a recount of the
competency evidence (the work: ``reports.py``; the tables shaped: ``tables.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.policy import requires
from ..db import db, this_app
from ..jobs import queue as jobs
from . import charts, records, reports, tables
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


def _csv(name: str, table: tables.Table) -> Response:
    body = reports.csv_text(*table)
    filename = f"{g.course.slug}-{name}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/")
@requires("analytics.view")
def items(org: str, course: str) -> str:
    report = _report()
    found = tables.in_order(report, reports.item_analysis(db().connection(), report.scope), "question")
    flags = {"too-easy": _("too easy"), "too-hard": _("too hard"), "poor-discrimination": _("discriminates poorly")}
    return _page("items.html", report, items=found, flag_names=flags, response_label=response_label)


@bp.get("/funnel")
@requires("analytics.view")
def funnel(org: str, course: str) -> str:
    report = _report()
    steps = tables.in_order(report, reports.funnel(db().connection(), report.scope), "lesson")
    return _page("funnel.html", report, steps=steps)


@bp.get("/competencies")
@requires("analytics.view")
def competencies(org: str, course: str) -> str:
    report = _report()
    evidence = reports.competency_evidence(db().connection(), report.scope, report.outline.tests)
    tallied = reports.competencies_tallied(db().connection(), report.scope, report.outline.tests)
    recount = records.recount_under_way(db(), g.course)
    return _page("competencies.html", report, evidence=evidence, tallied=tallied, recount=recount)


@bp.post("/competencies/recount")
@requires("analytics.view")
def recount(org: str, course: str) -> Any:
    """Count the competency evidence again by the course's competencies as they are now (a job)."""
    jobs.submit(this_app(), db(), g.course, current_user.id, records.RECOUNT, {"course": g.course.id})
    flash(_("The evidence is being counted again; this page shows the new figures when the job is done."), "info")
    return redirect(url_for("analytics.competencies", org=org, course=course))


@bp.get("/reflections")
@requires("analytics.view")
def reflections(org: str, course: str) -> str:
    report = _report()
    counts = tables.reflections_in_order(report, reports.reflections(db().connection(), report.scope))
    chosen = request.args.get("reflection", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    texts = None
    if chosen:
        texts = reports.reflection_texts(db().connection(), report.scope, chosen, PAGE + 1, (page - 1) * PAGE)
    return _page("reflections.html", report, counts=counts, chosen=chosen, texts=texts, page=page, per_page=PAGE)


PAGE = 50  # reflection texts a page


# ---- CSV: the tables of the pages, suppressed rows left out (tables.py) ----


@bp.get("/items.csv")
@requires("analytics.view")
def items_csv(org: str, course: str) -> Response:
    report = _report()
    return _csv("items", tables.items(report, reports.item_analysis(db().connection(), report.scope)))


@bp.get("/responses.csv")
@requires("analytics.view")
def responses_csv(org: str, course: str) -> Response:
    report = _report()
    return _csv("responses", tables.responses(report, reports.item_analysis(db().connection(), report.scope)))


@bp.get("/funnel.csv")
@requires("analytics.view")
def funnel_csv(org: str, course: str) -> Response:
    report = _report()
    return _csv("funnel", tables.funnel(report, reports.funnel(db().connection(), report.scope)))


@bp.get("/competencies.csv")
@requires("analytics.view")
def competencies_csv(org: str, course: str) -> Response:
    report = _report()
    evidence = reports.competency_evidence(db().connection(), report.scope, report.outline.tests)
    return _csv("competencies", tables.competencies(evidence))


@bp.get("/reflections.csv")
@requires("analytics.view")
def reflections_csv(org: str, course: str) -> Response:
    report = _report()
    return _csv("reflections", tables.reflections(report, reports.reflections(db().connection(), report.scope)))


@bp.get("/reflection-texts.csv")
@requires("analytics.view")
def reflection_texts_csv(org: str, course: str) -> Response:
    report = _report()
    chosen = request.args.get("reflection", "")
    texts = reports.reflection_texts(db().connection(), report.scope, chosen, limit=None) if chosen else None
    return _csv("reflection-texts", tables.reflection_texts(chosen, texts))
