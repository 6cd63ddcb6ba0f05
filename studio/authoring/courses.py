"""An organisation's course list, creating and importing courses, the course page and its metadata form."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from packager import check_course, metadata
from packager.files import write_atomic

from ..accounts.policy import requires
from ..db import db
from . import library, revisions
from .importer import ImportError_, Limits
from .storage import course_file, editable_files

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
    except (ImportError_, library.CourseNameError) as exc:
        flash(_("The course was not imported: %(reason)s", reason=str(exc)), "error")
        return render_template("courses.html", courses=library.org_courses(db(), g.org)), 400
    flash(_("Imported “%(title)s”.", title=course.title), "info")
    return redirect(url_for("courses.course", org=org, course=course.slug))


@bp.get("/c/<course>/")
@requires("course.view")
def course(org: str, course: str) -> str:
    model = library.load(g.course)
    return render_template("course.html", model=model, problems=check_course(model), files=editable_files(g.course))


@bp.route("/c/<course>/meta", methods=["GET", "POST"])
@requires("course.meta")
def meta(org: str, course: str) -> str | Response | tuple[str, int]:
    session = db()
    rev = revisions.peek(session, g.course, "course.yml")
    try:
        values = metadata.read(rev.content)
    except metadata.MetadataError as exc:
        flash(str(exc), "error")
        return redirect(url_for("editor.edit", org=org, course=course, path="course.yml"))
    if request.method != "POST":  # GET and HEAD: the form only
        return render_template("meta.html", fields=metadata.FIELDS, values=values, base=rev.number)
    form = {key: request.form[key][:2000] for key in metadata.FIELDS if key in request.form}
    try:
        base = int(request.form.get("base", ""))
        text = metadata.update(rev.content, form)  # seen: saved only over the text it was made from
        revisions.save(session, g.course, "course.yml", text, base, current_user.id, seen=rev.content_hash)
    except ValueError:
        flash(_("The form was incomplete; reload the page and try again."), "error")
        return render_template("meta.html", fields=metadata.FIELDS, values={**values, **form}, base=rev.number), 400
    except revisions.Conflict as conflict:
        theirs = metadata.read(conflict.theirs.content)
        changed = [key for key in form if theirs.get(key, "") != form[key].strip()]
        flash(_("Someone changed course.yml since you opened this form; nothing was saved."), "error")
        return render_template(
            "meta.html",
            fields=metadata.FIELDS,
            values={**values, **form},
            base=conflict.theirs.number,
            theirs=theirs,
            changed=changed,
        ), 409
    g.course.title = library.load(g.course).title or g.course.slug
    session.commit()
    flash(_("Saved the course details."), "info")
    return redirect(url_for("courses.course", org=org, course=course))


@bp.post("/c/<course>/lessons")
@requires("course.meta")
def add_lesson(org: str, course: str) -> Response:
    """A new lesson file, listed at the end of the last module; both writes are revisions."""
    title = " ".join(request.form.get("title", "").split())[:200]
    if not title:
        flash(_("Give the new lesson a title."), "error")
        return redirect(url_for("courses.course", org=org, course=course))
    session = db()
    model = library.load(g.course)
    path = f"lessons/{len(model.listed) + 1:02d}-{library.slug_for(title)}.md"
    file = course_file(g.course, path)
    yml = revisions.peek(session, g.course, "course.yml")
    try:
        if file.exists():
            raise metadata.MetadataError(f"{path} exists already")
        text = metadata.add_lesson(yml.content, path)
        write_atomic(file, f"---\ntitle: {_yaml_str(title)}\n---\nWrite the lesson here.\n", durable=True)
        revisions.record(session, g.course, path)
        note, seen = f"added {path}", yml.content_hash
        revisions.save(session, g.course, "course.yml", text, yml.number, current_user.id, note=note, seen=seen)
    except (metadata.MetadataError, revisions.Conflict) as exc:
        flash(_("The lesson was not added: %(reason)s", reason=str(exc) or _("course.yml changed meanwhile")), "error")
        return redirect(url_for("courses.course", org=org, course=course))
    return redirect(url_for("editor.edit", org=org, course=course, path=path))


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
