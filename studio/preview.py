"""The learner player, served file by file straight from the course folder (no build step), and the
page the editor's live preview draws into."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from packager import ExportError
from packager.fonts import font_css
from packager.render import Player
from packager.svg import HEADERS as SVG_HEADERS

from .live import player_for
from .policy import requires
from .storage import course_dir

bp = Blueprint("preview", __name__, url_prefix="/o/<org>/c/<course>/player")

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@bp.get("/")
@requires("course.view")
def index(org: str, course: str) -> Response:
    return player_index(player_for(course_dir(g.course)))


@bp.get("/live")
@requires("course.view")
def live(org: str, course: str) -> str:
    """An empty lesson page with the player's stylesheet; the editor puts the rendered lesson in it."""
    return render_template("live.html")


@bp.get("/lesson/<path:lesson_id>")
@requires("course.view")
def lesson(org: str, course: str, lesson_id: str) -> BaseResponse:
    """A stable address for one lesson's preview: the player opened at that lesson."""
    return redirect(url_for("preview.index", org=org, course=course) + "#/" + lesson_id)


@bp.get("/<path:path>")
@requires("course.view")
def file(org: str, course: str, path: str) -> BaseResponse:
    return player_file(player_for(course_dir(g.course)), path)


def player_index(player: Player) -> Response:
    """*player*'s page, under the player's own CSP, never cached (the course changes as it is edited)."""
    response = Response(player.index_html(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = player.csp
    response.headers["Cache-Control"] = "no-store"
    return response


def player_file(player: Player, path: str) -> BaseResponse:
    """One file of *player*'s package, by its package path; anything else is 404."""
    if path == "course.js":
        return _text(player.course_js(), ".js")
    if path.startswith("assets/") and path[7:] in player.assets:
        return _text(player.asset(path[7:]), "." + path.rsplit(".", 1)[-1])
    if path == "assets/fonts.css" and player.webfonts:  # non-Latin players ship subset webfonts
        return _text(font_css(player.lang, player.webfonts).encode(), ".css")
    fonts = {font.name: font for font in player.webfonts} if path.startswith("assets/fonts/") else {}
    if path in fonts:
        return Response(fonts[path].data, mimetype="font/woff2")
    by_file = {player.lesson_files[lesson.id]: lesson for lesson in player.course.lessons}
    if path in by_file:
        return _text(player.lesson_js(by_file[path]), ".js")
    if path in player.media_names():  # only files lessons use: no path is joined blindly
        try:  # this file only: a bad file answers for itself, not for every media file of the course
            item = next(player.media_files([path]))
        except ExportError as exc:
            return Response(str(exc), status=415, mimetype="text/plain")
        if item.data is not None:
            return Response(item.data, headers=SVG_HEADERS)
        assert item.source is not None
        response = send_file(item.source, conditional=True)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    abort(404)


def _text(data: bytes, ext: str) -> Response:
    response = Response(data, content_type=_TYPES[ext])
    response.headers["Cache-Control"] = "no-store"
    return response
