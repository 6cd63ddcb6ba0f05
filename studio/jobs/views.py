"""Builds and media jobs in the page: start a build, follow its progress, download the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from packager.strings import is_rtl

from ..accounts.policy import requires
from ..db import db, this_app
from ..models import Job
from . import build_all
from . import queue as jobs

bp = Blueprint("jobs", __name__, url_prefix="/o/<org>/c/<course>")
api = Blueprint("jobs_api", __name__, url_prefix="/api/o/<org>/c/<course>")


@bp.app_context_processor
def _course_helpers() -> dict[str, Any]:
    """``no_job_worker()`` for the course pages: jobs of this course wait and no worker's heartbeat is fresh;
    ``course_languages()``: the languages it builds in (``is_rtl(code)``: which run right to left)."""

    def no_job_worker() -> bool:
        course = g.get("course")
        return course is not None and jobs.waiting_without_worker(this_app(), db(), course.id)

    def job_words() -> dict[str, str]:
        """A job's status in words (job.html, import_job.html and job.js, which reads them from the page)."""
        return {
            "queued": _("Waiting for the worker"),
            "running": _("Working"),
            "done": _("Finished"),
            "failed": _("Failed"),
        }

    def course_languages() -> dict[str, str]:
        """The course's languages and their names, its own first (the build form, the preview's switch)."""
        return build_all.offered(this_app(), g.course)

    return {
        "no_job_worker": no_job_worker,
        "job_words": job_words,
        "course_languages": course_languages,
        "is_rtl": is_rtl,
    }


def course_job(job_id: int) -> Job:
    jobs.reap(this_app())  # a job whose worker died is queued again or failed before anyone sees it
    job = db().get(Job, job_id)
    if job is None or job.course_id != g.course.id:
        abort(404)
    return job


def job_dict(job: Job, org: str, course: str) -> dict[str, Any]:
    result = job.result
    for item in result.get("files", []) + result.get("packages", []):
        item["url"] = url_for("jobs.download", org=org, course=course, job_id=job.id, name=item["name"])
    return {
        **jobs.job_fields(this_app(), db(), job, result),
        "url": url_for("jobs.show", org=org, course=course, job_id=job.id),
    }


@bp.get("/builds")
@requires("course.view")
def builds(org: str, course: str) -> str:
    jobs.reap(this_app())
    return render_template(
        "builds.html",
        jobs=[job_dict(j, org, course) for j in jobs.recent(db(), g.course)],
        formats={f: jobs.FORMAT_NAMES.get(f, f) for f in jobs.BUILD_FORMATS},
    )


@bp.post("/build-all")
@requires("course.build")
def build_everything(org: str, course: str) -> Response:
    try:
        job = build_all.submit(
            this_app(), db(), g.course, current_user.id, request.form.getlist("format"), request.form.getlist("lang")
        )
    except build_all.Refused as exc:
        reasons = {
            "formats": _("Choose at least one format."),
            "langs": _("Choose at least one language."),
            "unknown": _("The course has no '%(lang)s' version.", lang=exc.lang[:20]),
        }
        flash(reasons[exc.reason], "error")
        return redirect(url_for("jobs.builds", org=org, course=course))
    return redirect(url_for("jobs.show", org=org, course=course, job_id=job.id))


@bp.post("/build")
@requires("course.build")
def build(org: str, course: str) -> Response:
    fmt = request.form.get("format", "")
    if fmt not in jobs.BUILD_FORMATS:
        abort(400)
    params = {
        "format": fmt,
        "lang": request.form.get("lang", "").strip()[:20],
        "answers": bool(request.form.get("answers")),
    }
    job = jobs.submit(this_app(), db(), g.course, current_user.id, "build", params)
    return redirect(url_for("jobs.show", org=org, course=course, job_id=job.id))


@bp.get("/jobs/<int:job_id>")
@requires("course.view")
def show(org: str, course: str, job_id: int) -> str:
    return render_template("job.html", job=job_dict(course_job(job_id), org, course))


@bp.get("/jobs/<int:job_id>/files/<name>")
@requires("course.build")
def download(org: str, course: str, job_id: int, name: str) -> Response:
    job = course_job(job_id)
    files = {f["name"] for f in job.result.get("files", []) + job.result.get("packages", [])}
    if job.status != "done" or name not in files:  # only the files the job reported: no path is joined blindly
        abort(404)
    path = jobs.builds_dir(this_app(), job.id) / Path(name).name
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=name)


@api.get("/jobs/<int:job_id>")
@requires("course.view")
def status(org: str, course: str, job_id: int) -> Response:
    return jsonify(job_dict(course_job(job_id), org, course))
