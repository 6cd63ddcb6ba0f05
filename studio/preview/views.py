"""The preview room's pages on the studio's origin: the learner player's addresses (each a redirect
through a freshly signed content URL, ``content.py``) and the LMS preview's chooser; and, for the
content origin, the LMS wrapper page and the SCO's files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from packager.export.scorm import player as scorm_player

from ..accounts.policy import requires
from . import content, lms
from .preview import player_file, player_index

preview = Blueprint("preview", __name__, url_prefix="/o/<org>/c/<course>/player")
lms_page = Blueprint("lms", __name__, url_prefix="/o/<org>/c/<course>/lms")


@preview.get("/")
@requires("course.view")
def index(org: str, course: str) -> BaseResponse:
    return content.redirect_to("course", c=g.course.id)


@preview.get("/live")
@requires("course.view")
def live(org: str, course: str) -> BaseResponse:
    """An empty lesson page with the player's stylesheet; the editor posts the rendered lesson into it."""
    return content.redirect_to("course", "live", c=g.course.id)


@preview.get("/lesson/<path:lesson_id>")
@requires("course.view")
def lesson(org: str, course: str, lesson_id: str) -> BaseResponse:
    """A stable address for one lesson's preview: the player opened at that lesson."""
    return content.redirect_to("course", anchor="/" + lesson_id, c=g.course.id)


@preview.get("/<path:path>")
@requires("course.view")
def file(org: str, course: str, path: str) -> BaseResponse:
    return content.redirect_to("course", path, c=g.course.id)


@lms_page.get("/")
@requires("course.view")
def page(org: str, course: str) -> str:
    """The chooser of runtime and language, and the frame of the LMS preview on the content origin."""
    api = request.args.get("api", "scorm2004")
    if api not in lms.APIS:
        abort(404)
    langs = lms.offered(g.course)
    lang = request.args.get("lang") or langs[0]
    if lang not in langs:
        abort(404)
    frame = content.url("lms", c=g.course.id, a=api, l=lang) if lms.RUNTIME.is_file() else ""
    return render_template("lms.html", api=api, lang=lang, apis=lms.APIS, langs=langs, frame=frame)


def lms_content(api: str, lang: str, path: str) -> BaseResponse:
    """For the content app: the LMS wrapper page (``""``), or the SCORM package's files under ``sco/``
    as the LMS would serve the unzipped package."""
    if api not in lms.APIS:
        abort(404, "There is nothing here.")
    model = lms.course_in(g.course, lang)
    if model is None:
        abort(404, f"The course is not offered in {lang}.")
    if not path:
        response = Response(render_template("lms_frame.html", api=api, lang=lang), mimetype="text/html")
        response.headers["Content-Security-Policy"] = lms.WRAPPER_CSP
        response.headers["Cache-Control"] = "no-store"
        return response
    if not path.startswith("sco/"):
        abort(404, f"{path} is not a file of the LMS preview.")
    player = scorm_player(model, api)
    return player_index(player) if path == "sco/index.html" else player_file(player, path[4:])
