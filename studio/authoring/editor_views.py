"""The file editor's pages (lessons, course.yml, captions): editing, a file's history, diffs and
restoring a revision (the work: ``editor.py`` over ``revisions``). The pages only read."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from packager.markdown.quiz_writer import KINDS

from ..accounts.policy import allowed, requires
from ..db import db
from . import editor, library, media_files, revisions
from .storage import REVISIONED, PathError, clean_path, course_file

bp = Blueprint("editor", __name__, url_prefix="/o/<org>/c/<course>")


def readable_path(path: str) -> str:
    """*path* if it is a file of this course the studio keeps revisions of, else 404."""
    try:
        path = clean_path(path, suffixes=REVISIONED)
        course_file(g.course, path)
    except PathError:
        abort(404)
    return path


def checked_path(path: str) -> str:
    """*path* if it is an editable file of this course that the person's role may change, else 404/403."""
    try:
        path = clean_path(path)
        course_file(g.course, path)
    except PathError:
        abort(404)
    if path == "course.yml" and not allowed(g.role, "course.meta"):
        abort(403)
    return path


def is_lesson(path: str) -> bool:
    """A lesson's file, which the block view edits (an import report or a page elsewhere is text)."""
    return path.startswith("lessons/") and path.endswith(".md")


def view_of(path: str, asked: str | None, line: int | None) -> str:
    """The editor a lesson opens in: blocks, unless the Markdown view is asked for, or a line of the text
    (a problem's link) is; course.yml, captions and other Markdown files are text only."""
    if not is_lesson(path) or asked == "markdown" or (line and asked != "blocks"):
        return "markdown"
    return "blocks"


@bp.get("/edit/<path:path>")
@requires("lesson.edit")
def edit(org: str, course: str, path: str) -> str:
    path = checked_path(path)
    if not course_file(g.course, path).is_file():
        abort(404)
    rev = revisions.peek(db(), g.course, path)
    line = request.args.get("line", type=int)
    title = editor.lesson_title(path, rev.content)
    if view_of(path, request.args.get("view"), line) == "blocks":  # the blocks load by the API's GET
        return render_template(
            "blocks_editor.html",
            path=path,
            title=title,
            media=media_files.existing(g.course),
            competencies=library.competency_choices(g.course),
        )
    seen = "" if revisions.recorded(rev) else rev.content_hash  # the save must find this text on disk still
    return render_template(
        "editor.html",
        path=path,
        rev=rev,
        seen=seen,
        line=line,
        kinds=KINDS,
        title=title,
        media=media_files.existing(g.course) if path.endswith(".md") else [],
    )


@bp.get("/history/<path:path>")
@requires("course.view")
def history(org: str, course: str, path: str) -> str:
    revs = editor.history(db(), g.course, readable_path(path))
    if not revs:
        abort(404)
    return render_template("history.html", path=path, revs=revs)


@bp.get("/diff/<path:path>")
@requires("course.view")
def diff(org: str, course: str, path: str) -> str:
    path = readable_path(path)
    session = db()
    new = editor.revision(session, g.course, path, request.args.get("b", type=int) or 0)
    old = editor.revision(session, g.course, path, request.args.get("a", type=int) or 0)
    if new is None or old is None:
        abort(404)
    lines = revisions.diff(old.content, new.content, f"{path} #{old.number}", f"{path} #{new.number}")
    return render_template("diff.html", path=path, old=old, new=new, lines=lines)


@bp.post("/restore/<path:path>")
@requires("lesson.edit")
def restore(org: str, course: str, path: str) -> Response | tuple[str, int]:
    """Restoring is a save of the old text: it becomes the newest revision and nothing is dropped."""
    path = checked_path(path)
    number, base = request.form.get("number", type=int) or 0, request.form.get("base", type=int)
    if base is None:
        abort(400)
    seen = request.form.get("seen") or None  # set when the newest shown was not recorded yet
    try:
        old = editor.restore(db(), g.course, path, number, base, current_user.id, seen)
    except revisions.Conflict:
        flash(_("The file changed since you opened its history; look again before restoring."), "error")
        return redirect(url_for("editor.history", org=org, course=course, path=path))
    if old is None:
        abort(400)
    flash(_("Restored revision %(n)d as the newest revision.", n=old.number), "info")
    return redirect(url_for("editor.edit", org=org, course=course, path=path))
