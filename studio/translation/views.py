"""The translator's workspace: course list with progress, the segment editor and its JSON calls,
the translated player, PO/XLIFF download and upload, the glossary and the author's open questions.

Views only: catalogs, memory, glossary and checks are ``translate_store`` over ``packager.i18n``; the
translated player is ``players``; what the room keeps between requests is in ``caches`` (per app, made
by ``translate_store.init_app``). GETs write nothing.
"""

from __future__ import annotations

import os
import re
from typing import Any

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from packager.i18n import catalog, sync
from packager.model import Course as CourseModel
from packager.patterns import LANG_PATTERN

from ..accounts.policy import allowed, requires
from ..authoring import library, revisions
from ..db import db
from ..models import SegmentComment
from ..preview import content
from ..preview.preview import player_file, player_index
from . import translate_store as store
from .players import translated_player

bp = Blueprint("translate", __name__)
MAX_TEXT = 64 << 10  # one segment
MAX_UPLOAD = 16 << 20


@bp.errorhandler(catalog.CatalogError)
def _broken_catalog(exc: catalog.CatalogError) -> tuple[Any, int]:
    """A catalog broken outside the studio (by hand, a bad merge): say where, never a traceback."""
    message = _("The catalog cannot be read: %(reason)s. Fix it in the file or restore a revision.", reason=str(exc))
    if request.path.startswith("/api/"):
        return jsonify(error=message), 409
    return render_template("error.html", code=409, message=message), 409


def _model() -> CourseModel:
    return library.load(g.course)


def _lang(model: CourseModel, lang: str) -> str:
    try:
        return store.check_lang(model, lang)
    except store.UnknownLanguage:
        abort(404)


def _model_in(lang: str) -> CourseModel:
    """The URL's course, when *lang* is one of its translations (404 otherwise)."""
    model = _model()
    _lang(model, lang)
    return model


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


def _str(data: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > limit:
        abort(400)
    return value


# Pages -----------------------------------------------------------------------------------------


@bp.get("/o/<org>/translate/")
@requires("translation.view")
def home(org: str) -> str:
    session = db()
    mine = store.member_languages(session, g.org.id, current_user.id)
    rows = store.courses_progress(session, g.org, mine)
    return render_template("translate_home.html", rows=rows, mine=mine)


@bp.post("/o/<org>/translate/languages")
@requires("translation.view")
def languages(org: str) -> BaseResponse:
    langs = [x for x in request.form.get("langs", "").replace(",", " ").split() if re.fullmatch(LANG_PATTERN, x)][:20]
    store.set_member_languages(db(), g.org.id, current_user.id, langs)
    flash(_("Saved your languages."), "info")
    return redirect(url_for("translate.home", org=org))


@bp.get("/o/<org>/c/<course>/translate/<lang>/")
@requires("translation.view")
def workspace(org: str, course: str, lang: str) -> str:
    session = db()
    model = _model_in(lang)
    editing = allowed(g.role, "translation.edit")
    opened = store.open_catalog(session, g.course, model, lang)
    found_terms = store.terms(session, g.org.id, lang)
    counts: dict[str, int] = {}
    for comment in store.open_comments(session, g.course, lang):
        counts[comment.segment_id] = counts.get(comment.segment_id, 0) + 1
    rows = store.segment_rows(opened, found_terms, counts)
    lessons = {lesson.id: lesson.title for lesson in model.lessons}
    return render_template(
        "translate.html",
        model=model,
        lang=lang,
        rows=rows,
        lessons=lessons,
        progress=store.progress(model, opened.po, opened.segments),
        revision=opened.revision.number,
        editing=editing,
    )


@bp.get("/o/<org>/c/<course>/questions")
@requires("course.view")
def questions(org: str, course: str) -> str:
    """The author's view: every open translator question on this course, with the segment it is about."""
    comments = store.open_comments(db(), g.course)
    sources = {segment.id: segment for segment in store.course_segments(_model())} if comments else {}
    return render_template("translate_questions.html", comments=comments, sources=sources)


@bp.post("/o/<org>/c/<course>/questions/<int:comment_id>/resolve")
@requires("translation.comment")
def resolve(org: str, course: str, comment_id: int) -> BaseResponse:
    if not store.resolve_comment(db(), g.course, comment_id):
        abort(404)
    flash(_("Marked the question answered."), "info")
    return redirect(url_for("translate.questions", org=org, course=course))


def _glossary_lang(lang: str) -> str:
    if not re.fullmatch(LANG_PATTERN, lang):
        abort(404)
    return lang


@bp.get("/o/<org>/glossary/<lang>")
@requires("translation.view")
def glossary_page(org: str, lang: str) -> str:
    rows = store.glossary_rows(db(), g.org.id, _glossary_lang(lang))
    return render_template("translate_glossary.html", lang=lang, terms=rows)


@bp.post("/o/<org>/glossary/<lang>")
@requires("glossary.edit")
def glossary_edit(org: str, lang: str) -> BaseResponse:
    """Add or change a term (the same term again replaces it), or delete one."""
    lang = _glossary_lang(lang)
    session = db()
    if term_id := request.form.get("delete", type=int):
        store.delete_term(session, g.org.id, term_id)
        return redirect(url_for("translate.glossary_page", org=org, lang=lang))
    text = " ".join(request.form.get("term", "").split())[:200]
    if not text:
        flash(_("Write the term."), "error")
        return redirect(url_for("translate.glossary_page", org=org, lang=lang))
    translation = request.form.get("translation", "").strip()[:200]
    note = request.form.get("note", "").strip()[:500]
    store.set_term(session, g.org.id, lang, text, translation, note, bool(request.form.get("dnt")))
    flash(_("Saved the term “%(term)s”.", term=text), "info")
    return redirect(url_for("translate.glossary_page", org=org, lang=lang))


# JSON calls of the segment editor ----------------------------------------------------------------

API = "/api/o/<org>/c/<course>/translate/<lang>"


def _segment(model: CourseModel, segment_id: str) -> Any:
    found = next((s for s in store.course_segments(model) if s.id == segment_id), None)
    if found is None:
        abort(404)
    return found


@bp.post(API + "/save")
@requires("translation.edit")
def save(org: str, course: str, lang: str) -> Response | tuple[Response, int]:
    data = _body()
    model = _model_in(lang)
    segment_id, text, expected = _str(data, "id", 300), _str(data, "text"), _str(data, "expected")
    fuzzy = bool(data.get("fuzzy"))
    session = db()
    try:
        entry, rev = store.save_segment(
            session, g.course, model, lang, segment_id, text, fuzzy, expected, current_user.id
        )
    except KeyError:
        abort(404)
    except store.SegmentChanged as changed:
        return jsonify(error="conflict", theirs=changed.theirs), 409
    except catalog.CatalogError as exc:
        return jsonify(error=str(exc)), 409
    terms = store.terms(session, g.org.id, lang)
    return jsonify(
        state=sync.state(entry, entry.msgid),
        translation=entry.msgstr,
        revision=rev.number,
        problems=store.qa(entry.msgid, entry.msgstr, segment_id, terms),
    )


@bp.post(API + "/review")
@requires("translation.review")
def review(org: str, course: str, lang: str) -> Response | tuple[Response, int]:
    data = _body()
    model = _model_in(lang)
    try:
        rev = store.review_segment(db(), g.course, model, lang, _str(data, "id", 300), current_user.id)
    except KeyError:
        abort(404)
    except (PermissionError, ValueError) as exc:
        return jsonify(error=str(exc)), 409
    except revisions.Conflict:
        return jsonify(error="the catalog changed meanwhile; try again"), 409
    return jsonify(state="reviewed", revision=rev.number)


@bp.post(API + "/qa")
@requires("translation.view")
def qa(org: str, course: str, lang: str) -> Response:
    data = _body()
    model = _model_in(lang)
    segment = _segment(model, _str(data, "id", 300))
    text = _str(data, "text")
    return jsonify(problems=store.qa(segment.source, text, segment.id, store.terms(db(), g.org.id, lang)))


@bp.get(API + "/memory")
@requires("translation.view")
def memory(org: str, course: str, lang: str) -> Response:
    model = _model_in(lang)
    segment_id = request.args.get("id", "")
    segment = next((s for s in store.course_segments(model) if s.id == segment_id), None)
    if segment is None:
        return jsonify(matches=[])
    return jsonify(matches=store.matches(db(), g.course, lang, segment))


@bp.post(API + "/comment")
@requires("translation.comment")
def comment(org: str, course: str, lang: str) -> Response:
    data = _body()
    model = _model_in(lang)
    segment = _segment(model, _str(data, "id", 300))
    body = _str(data, "body", 4000).strip()
    if not body:
        abort(400)
    session = db()
    store.add_comment(session, g.course, lang, segment.id, current_user.id, body)
    return jsonify(
        comments=[_comment(c) for c in store.open_comments(session, g.course, lang) if c.segment_id == segment.id]
    )


@bp.get(API + "/comments")
@requires("translation.view")
def comments(org: str, course: str, lang: str) -> Response:
    segment_id = request.args.get("id", "")
    found = [_comment(c) for c in store.open_comments(db(), g.course, lang) if c.segment_id == segment_id]
    return jsonify(comments=found)


def _comment(c: SegmentComment) -> dict[str, Any]:
    return {"by": c.user.email if c.user else "", "at": c.created_at.isoformat(timespec="minutes"), "body": c.body}


# Files: download, upload, translated player -------------------------------------------------


@bp.get("/o/<org>/c/<course>/translate/<lang>/download.<fmt>")
@requires("translation.view")
def download(org: str, course: str, lang: str, fmt: str) -> Response:
    model = _model()
    path = _lang(model, lang)
    if fmt not in ("po", "xlf"):
        abort(404)
    opened = store.open_catalog(db(), g.course, model, lang)
    number = opened.revision.number  # the next one if the file changed outside: the upload's save records it
    if fmt == "po":
        data, mime = sync.export_po(opened.po, number), "text/x-gettext-translation; charset=utf-8"
    else:
        data, mime = sync.export_xliff(opened.po, model.language, lang, path, number), "application/xliff+xml"
    response = Response(data, mimetype=mime)
    name = f"{g.course.slug}-{lang}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/o/<org>/c/<course>/translate/<lang>/upload")
@requires("translation.edit")
def upload(org: str, course: str, lang: str) -> str | BaseResponse | tuple[str, int]:
    model = _model_in(lang)
    file = request.files.get("file")
    back = redirect(url_for("translate.workspace", org=org, course=course, lang=lang))
    if file is None or not file.filename:
        flash(_("Choose a .po or .xlf file to upload."), "error")
        return back
    name = os.path.basename(file.filename.replace("\\", "/"))[:100]
    data = file.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash(_("The file is larger than 16 MB."), "error")
        return back
    try:
        report, rev = store.merge_upload(db(), g.course, model, lang, name, data, current_user.id)
    except store.UploadUnreadable as exc:
        flash(_("The file was not merged: %(reason)s", reason=str(exc)), "error")
        return back
    except revisions.Conflict:
        flash(_("The catalog changed while merging; upload the file again."), "error")
        return back
    return render_template("translate_upload.html", lang=lang, name=name, report=report, revision=rev.number)


@bp.post("/o/<org>/c/<course>/translate/<lang>/take")
@requires("translation.edit")
def take(org: str, course: str, lang: str) -> BaseResponse:
    """After an upload: take the file's text of a conflicting segment, if the studio's is still what was shown."""
    model = _model_in(lang)
    segment_id, text, expected = (request.form.get(key) for key in ("id", "text", "expected"))
    if not segment_id or text is None or expected is None or len(text) > MAX_TEXT:
        abort(400)
    try:
        store.save_segment(db(), g.course, model, lang, segment_id, text, False, expected, current_user.id)
        flash(_("Took the file's text for that segment."), "info")
    except KeyError:
        abort(404)
    except store.SegmentChanged:
        flash(_("That segment changed again in the studio; nothing was replaced."), "error")
    return redirect(url_for("translate.workspace", org=org, course=course, lang=lang))


@bp.get("/o/<org>/c/<course>/translate/<lang>/player/")
@requires("translation.view")
def player(org: str, course: str, lang: str) -> BaseResponse:
    """The translated player, on the content origin (a course's files never run on the studio's)."""
    _model_in(lang)
    return content.redirect_to("translate", c=g.course.id, l=lang)


@bp.get("/o/<org>/c/<course>/translate/<lang>/player/<path:path>")
@requires("translation.view")
def player_files(org: str, course: str, lang: str, path: str) -> BaseResponse:
    _model_in(lang)
    return content.redirect_to("translate", path, c=g.course.id, l=lang)


def serve_content(claims: dict[str, Any], path: str) -> BaseResponse:
    """The translated player's page or file on the content origin (registered as its "translate" kind)."""
    _model_in(claims["l"])
    player = translated_player(g.course, claims["l"])
    return player_index(player) if not path else player_file(player, path)
