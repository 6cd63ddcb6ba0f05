"""An organisation's course list, creating and importing courses, the course page and its metadata form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from packager import check_course, metadata
from packager.archive import ArchiveRefused, Limits
from packager.igot.languages import NAMES
from packager.importing import ImportRefused
from packager.model import whole_minutes

from ..accounts.policy import requires
from ..db import db, this_app
from ..jobs import queue as jobs
from ..models import Job
from . import importing, library, media_files, media_library, outline
from .storage import editable_files

bp = Blueprint("courses", __name__, url_prefix="/o/<org>")


@bp.get("/")
@requires("org.view")
def index(org: str) -> str:
    return render_template("courses.html", courses=library.org_courses(db(), g.org))


@bp.post("/courses")
@requires("course.create")
def create(org: str) -> Response:
    title = request.form.get("title", "").strip()[:200]
    if not title:
        flash(_("Give the new course a title."), "error")
        return redirect(url_for("courses.index", org=org))
    try:
        course = library.create(db(), g.org, title, current_user.id)
    except library.CourseNameError as exc:
        flash(str(exc), "error")
        return redirect(url_for("courses.index", org=org))
    flash(_("Created “%(title)s” from the starter course.", title=course.title), "info")
    return redirect(url_for("courses.course", org=org, course=course.slug))


@bp.post("/import")
@requires("course.create")
def import_zip(org: str) -> Response | tuple[str, int]:
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        flash(_("Choose a .zip file of a course folder to import."), "error")
        return redirect(url_for("courses.index", org=org))
    cfg = current_app.config
    limits = Limits(cfg["IMPORT_MAX_FILES"], cfg["IMPORT_MAX_BYTES"], cfg["IMPORT_MAX_RATIO"])
    try:
        course = library.import_zip(db(), g.org, upload.stream, upload.filename, current_user.id, limits)
    except (ArchiveRefused, library.CourseNameError) as exc:
        flash(_("The course was not imported: %(reason)s", reason=str(exc)), "error")
        return render_template("courses.html", courses=library.org_courses(db(), g.org)), 400
    # its media's renditions, made by jobs now rather than when a preview first asks
    media_files.queue_renditions(this_app(), db(), course, current_user.id, media_files.course_media(course))
    flash(_("Imported “%(title)s”.", title=course.title), "info")
    return redirect(url_for("courses.course", org=org, course=course.slug))


@bp.post("/import-file")
@requires("course.create")
def import_file(org: str) -> Response | tuple[str, int]:
    """A Word, PowerPoint, SCORM or H5P file: recognised now, imported by a job whose page follows it."""
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        flash(_("Choose a Word, PowerPoint, SCORM or H5P file to import."), "error")
        return redirect(url_for("courses.index", org=org))
    try:
        job = importing.submit(this_app(), db(), g.org, upload.stream, upload.filename, current_user.id)
    except (ImportRefused, library.CourseNameError) as exc:
        flash(_("The file was not imported: %(reason)s", reason=str(exc)), "error")
        return render_template("courses.html", courses=library.org_courses(db(), g.org)), 400
    return redirect(url_for("courses.import_job", org=org, job_id=job.id))


def _import_job(org: str, job_id: int) -> dict[str, Any]:
    jobs.reap(this_app())  # a job whose worker died is queued again or failed before anyone sees it
    job = db().get(Job, job_id)
    if job is None or job.kind != importing.KIND or job.params.get("org") != g.org.id:
        abort(404)
    result = dict(job.result)
    if job.status == "done" and result.get("course"):
        result["course_url"] = url_for("courses.course", org=org, course=result["course"])
        result["report_url"] = url_for("editor.edit", org=org, course=result["course"], path=result["report"])
    return jobs.job_fields(this_app(), db(), job, result)


@bp.get("/imports/<int:job_id>")
@requires("course.create")
def import_job(org: str, job_id: int) -> str:
    return render_template("import_job.html", job=_import_job(org, job_id))


@bp.get("/imports/<int:job_id>/status")
@requires("course.create")
def import_status(org: str, job_id: int) -> Response:
    return jsonify(_import_job(org, job_id))


@bp.get("/c/<course>/")
@requires("course.view")
def course(org: str, course: str) -> str:
    model = library.load(g.course)
    plan = outline.view(db(), g.course, {lesson.path: lesson.title for lesson in model.lessons})
    return render_template(
        "course.html",
        model=model,
        problems=check_course(model),
        files=editable_files(g.course),
        minutes=whole_minutes,  # the player's rounding: the page and the player tell the same time
        outline=plan,
        lessons={lesson.path: lesson for lesson in model.lessons},
    )


@bp.route("/c/<course>/meta", methods=["GET", "POST"])
@requires("course.meta")
def meta(org: str, course: str) -> str | Response | tuple[str, int]:
    session = db()
    try:
        details = library.details(session, g.course)
    except metadata.MetadataError as exc:
        flash(str(exc), "error")
        return redirect(url_for("editor.edit", org=org, course=course, path="course.yml"))
    page: dict[str, Any] = {
        "fields": metadata.FIELDS,
        "details": details,
        "values": details.values,
        "base": details.base,
    }
    if request.method != "POST":  # GET and HEAD: the form only
        return render_template("meta.html", **page)
    form = _details_form(details)
    page["values"] = {**details.values, **form}
    try:
        if (image := request.files.get("thumbnail_file")) and image.filename:  # uploaded here: into the library
            added = media_library.upload(this_app(), session, g.course, current_user.id, image.filename, image.read())
            form["thumbnail"] = page["values"]["thumbnail"] = added.path
        started = library.save_details(session, g.course, form, int(request.form.get("base", "")), current_user.id)
    except library.DetailsConflict as conflict:
        flash(_("Someone changed course.yml since you opened this form; nothing was saved."), "error")
        page.update(base=conflict.base, theirs=conflict.theirs, changed=conflict.changed)
        return render_template("meta.html", **page), 409
    except (metadata.MetadataError, media_files.MediaError) as exc:
        flash(_("Nothing was saved: %(reason)s", reason=str(exc)), "error")
        return render_template("meta.html", **page), 400
    except ValueError:
        flash(_("The form was incomplete; reload the page and try again."), "error")
        return render_template("meta.html", **page), 400
    flash(_("Saved the course details."), "info")
    for lang in started:
        flash(
            _(
                "Started the %(language)s translation: translations/%(lang)s.po.",
                language=NAMES[lang.split("-")[0]],
                lang=lang,
            ),
            "info",
        )
    return redirect(url_for("courses.course", org=org, course=course))


def _details_form(details: library.Details) -> dict[str, str]:
    """The details form's values as :func:`packager.metadata.update` takes them (the pickers' several
    inputs joined)."""
    form = {key: request.form[key][:2000] for key in metadata.FIELDS if key in request.form}
    if "translations_shown" in request.form:  # checkboxes: none ticked sends nothing
        form["translations"] = ", ".join(request.form.getlist("translations")[:50])
    if details.competencies is not None and "competencies_shown" in request.form:
        form["competencies"] = "\n".join(c[:600] for c in request.form.getlist("competency")[:100])
    return form


@bp.post("/c/<course>/lessons")
@requires("course.meta")
def add_lesson(org: str, course: str) -> Response:
    """A new lesson file, listed at the end of the last module."""
    title = " ".join(request.form.get("title", "").split())[:200]
    if not title:
        flash(_("Give the new lesson a title."), "error")
        return redirect(url_for("courses.course", org=org, course=course))
    try:
        path = library.add_lesson(db(), g.course, title, current_user.id)
    except library.LessonError as exc:
        flash(_("The lesson was not added: %(reason)s", reason=str(exc) or _("course.yml changed meanwhile")), "error")
        return redirect(url_for("courses.course", org=org, course=course))
    return redirect(url_for("editor.edit", org=org, course=course, path=path))
