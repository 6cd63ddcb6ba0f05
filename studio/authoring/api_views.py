"""JSON calls made by the editor's scripts: save, live preview, question snippets, check report, and the
block editor's lesson as blocks.

Every call is a POST or GET under ``/api/``, guarded by the same policy table as the pages, and every
POST carries the CSRF token in the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from packager import check_course
from packager.blocks import BlockError
from packager.errors import LessonTooComplex
from packager.lesson import size_problem
from packager.markdown.quiz_writer import QuestionDraft, QuestionError, to_markdown
from packager.preview import NotInCourse

from ..accounts.policy import requires
from ..db import db, this_app
from ..jobs import queue
from . import lesson_blocks, library, media_files, media_library, revisions
from .editor_views import checked_path
from .live import render_lesson
from .storage import course_dir, course_file

bp = Blueprint("api", __name__, url_prefix="/api/o/<org>/c/<course>")
MAX_TEXT = 2 << 20  # the packager's own limit for a lesson


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


def _rev(rev: revisions.Revision) -> dict[str, Any]:
    return {
        "number": rev.number,
        "by": rev.user.email if rev.user else "",
        "at": rev.created_at.isoformat(timespec="seconds") + "Z",
        "note": rev.note,
    }


@bp.post("/save")
@requires("lesson.edit")
def save(org: str, course: str) -> Response | tuple[Response, int]:
    data = _body()
    path, text, base = data.get("path"), data.get("text"), data.get("base")
    if not isinstance(path, str) or not isinstance(text, str) or not isinstance(base, int):
        abort(400)
    if len(text.encode("utf-8")) > MAX_TEXT:
        return jsonify(error="the text is larger than 2 MB; split the lesson"), 413
    path = checked_path(path)
    too_big = size_problem(path, len(text.encode("utf-8", "surrogatepass"))) if path.endswith(".md") else None
    if too_big:  # refused, not saved: the author's text stays in the editor, the message says what to do
        return jsonify(error=too_big.message), 413
    before = media_files.saved_text(g.course, path)
    try:
        seen = data.get("seen") if isinstance(data.get("seen"), str) else None  # base not recorded yet
        rev = revisions.save(db(), g.course, path, text, base, current_user.id, seen=seen)
    except revisions.Conflict as conflict:
        theirs = conflict.theirs
        return jsonify(error="conflict", base=base, theirs={**_rev(theirs), "text": theirs.content}), 409
    media_files.queue_newly_shown(this_app(), db(), g.course, current_user.id, path, before, rev.content)
    return jsonify(saved=_rev(rev))


def _lesson_path(path: Any) -> str:
    """*path* if it names a lesson of this course the person may edit, else 400/403/404."""
    if not isinstance(path, str) or not path:
        abort(400)
    path = checked_path(path)
    if not path.endswith(".md") or not course_file(g.course, path).is_file():
        abort(404)
    return path


@bp.get("/blocks")
@requires("lesson.edit")
def blocks(org: str, course: str) -> Response:
    """The lesson ``?path=`` as blocks, with the revision to name as ``base`` (and ``seen``) when saving."""
    found, rev = lesson_blocks.opened(db(), g.course, _lesson_path(request.args.get("path")))
    seen = "" if revisions.recorded(rev) else rev.content_hash  # as the Markdown editor's page gives it
    return jsonify(**found, base=rev.number, seen=seen, revision=_rev(rev), text=rev.content)


@bp.post("/blocks")
@requires("lesson.edit")
def save_blocks(org: str, course: str) -> Response | tuple[Response, int]:
    """Blocks saved as the lesson's next revision: ``{path, base, seen?, format, blocks}``."""
    data = _body()
    path, base = _lesson_path(data.get("path")), data.get("base")
    if not isinstance(base, int):
        abort(400)
    seen = data.get("seen") if isinstance(data.get("seen"), str) and data.get("seen") else None
    before = media_files.saved_text(g.course, path)
    try:
        rev, saved = lesson_blocks.save(db(), g.course, path, data, base, current_user.id, seen)
    except BlockError as exc:
        return jsonify(error=str(exc)), 422
    except revisions.Conflict as conflict:
        newer = conflict.theirs
        them = {**_rev(newer), "text": newer.content, **lesson_blocks.theirs(newer)}
        return jsonify(error="conflict", base=base, theirs=them), 409
    media_files.queue_newly_shown(this_app(), db(), g.course, current_user.id, path, before, rev.content)
    return jsonify(saved=_rev(rev), text=rev.content, **saved)  # the Markdown, for the preview and its view


@bp.post("/preview")
@requires("course.view")
def preview(org: str, course: str) -> Response | tuple[Response, int]:
    data = _body()
    path, text = data.get("path"), data.get("text")
    if not isinstance(path, str) or not isinstance(text, str):
        abort(400)
    path = checked_path(path)
    too_big = size_problem(path, len(text.encode("utf-8", "surrogatepass")))
    if too_big:
        return jsonify(error=too_big.message), 413  # refused before any parsing: the editor shows why
    lang = data.get("lang")  # a translation's preview (device-preview.js); none: the course's own language
    started = time.perf_counter()
    try:
        html, problems = render_lesson(course_dir(g.course), path, text, lang)
    except (NotInCourse, LessonTooComplex) as exc:
        return jsonify(error=str(exc)), 422
    return jsonify(
        html=html,
        problems=[{"line": p.line, "severity": p.severity, "message": p.message} for p in problems],
        ms=round((time.perf_counter() - started) * 1000, 1),
    )


@bp.post("/question")
@requires("lesson.edit")
def question(org: str, course: str) -> Response | tuple[Response, int]:
    data = _body()
    try:
        q = QuestionDraft(
            kind=str(data.get("kind", "")),
            prompt=str(data.get("prompt", "")),
            options=[str(o) for o in data.get("options", [])][:50],
            correct=[int(i) for i in data.get("correct", [])][:50],
            id=str(data.get("id", "")),
        )
        wrap = data.get("wrap") if data.get("wrap") in ("quiz", "check") else None
        return jsonify(markdown=to_markdown(q, wrap=wrap))
    except (QuestionError, TypeError, ValueError) as exc:
        return jsonify(error=str(exc)), 422


@bp.get("/check")
@requires("course.view")
def check(org: str, course: str) -> Response:
    problems = check_course(library.load(g.course))
    return jsonify(
        problems=[
            {
                "file": p.file,
                "line": p.line,
                "severity": p.severity,
                "message": p.message,
                "edit": url_for("editor.edit", org=org, course=course, path=p.file, line=p.line)
                if p.file.endswith((".md", ".yml"))
                else None,
            }
            for p in problems
        ]
    )


@bp.post("/media")
@requires("media.upload")
def upload_media(org: str, course: str) -> Response | tuple[Response, int]:
    """One file into media/ (sent by XHR so the page can show its progress); returns the Markdown for it."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error="choose a file to upload"), 400
    app = this_app()
    try:
        added = media_library.upload(app, db(), g.course, current_user.id, upload.filename, upload.read())
    except media_files.MediaError as exc:
        return jsonify(error=str(exc)), 422
    path = added.path  # an identical file in media/ already: that one, not a copy named x-2
    job = added.job or queue.submit(app, db(), g.course, current_user.id, "media", {"path": path})
    return jsonify(
        path=path,
        reused=added.reused,
        markdown=media_files.snippet(path, request.form.get("alt", "")[:200]),
        job=url_for("jobs_api.status", org=org, course=course, job_id=job.id),
    )
