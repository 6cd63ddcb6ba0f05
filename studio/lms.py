"""The learner preview inside an LMS page: the course's SCORM player in a frame, the LMS side played by
scorm-again, and a panel showing what the LMS records as the learner goes (cmi values, commits)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, g, render_template, request, send_file
from werkzeug.wrappers import Response as BaseResponse

from packager import load_course
from packager.export import languages
from packager.export.scorm import player as scorm_player

from .policy import requires
from .preview import player_file, player_index
from .storage import course_dir

bp = Blueprint("lms", __name__, url_prefix="/o/<org>/c/<course>/lms")
APIS = {"scorm2004": "SCORM 2004 (4th edition)", "scorm12": "SCORM 1.2"}
# scorm-again, the LMS-side SCORM runtime the project's browser tests use; installed by ./dev setup (npm ci)
RUNTIME = Path(__file__).resolve().parent.parent / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"


def _choice() -> tuple[str, str, list[str]]:
    """The runtime and language asked for, and the languages the course offers."""
    api = request.args.get("api", "scorm2004")
    if api not in APIS:
        abort(404)
    available = languages(load_course(course_dir(g.course)), "all")
    lang = request.args.get("lang") or available[0]
    if lang not in available:
        abort(404)
    return api, lang, available


@bp.get("/")
@requires("course.view")
def page(org: str, course: str) -> str:
    api, lang, langs = _choice()
    return render_template("lms.html", api=api, lang=lang, apis=APIS, langs=langs, runtime=RUNTIME.is_file())


@bp.get("/runtime.js")
@requires("course.view")
def runtime(org: str, course: str) -> BaseResponse:
    if not RUNTIME.is_file():
        abort(404)
    return send_file(RUNTIME, mimetype="text/javascript")


@bp.get("/<api>/<lang>/<path:path>")
@requires("course.view")
def sco(org: str, course: str, api: str, lang: str, path: str) -> BaseResponse:
    """The SCORM package's files, served as the LMS would serve the unzipped package."""
    if api not in APIS:
        abort(404)
    model = load_course(course_dir(g.course))
    if lang not in languages(model, "all"):
        abort(404)
    if lang != model.language:  # the course as learners of that language get it, from its catalog
        model = load_course(course_dir(g.course), lang=lang)
    player = scorm_player(model, api)
    return player_index(player) if path == "index.html" else player_file(player, path)
