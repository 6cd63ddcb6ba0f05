"""The learner preview inside an LMS page: the course's SCORM player in a frame, the LMS side played by
scorm-again, and a panel showing what the LMS records as the learner goes (cmi values, commits).

The studio's page holds only the chooser; the LMS wrapper (scorm-again's API object and the panel) and
the SCO it frames are served by the content origin (``content.py``), so the SCO, which finds the API
by climbing its parent frames, finds it there and never reaches the studio's page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from packager import load_course
from packager.export import languages
from packager.export.scorm import player as scorm_player

from ..accounts.policy import requires
from ..authoring.storage import course_dir
from . import content
from .preview import player_file, player_index

bp = Blueprint("lms", __name__, url_prefix="/o/<org>/c/<course>/lms")
APIS = {"scorm2004": "SCORM 2004 (4th edition)", "scorm12": "SCORM 1.2"}
# scorm-again, the LMS-side SCORM runtime the project's browser tests use; installed by ./dev setup (npm ci)
RUNTIME = Path(__file__).resolve().parents[2] / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"
WRAPPER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)


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
    frame = content.url("lms", c=g.course.id, a=api, l=lang) if RUNTIME.is_file() else ""
    return render_template("lms.html", api=api, lang=lang, apis=APIS, langs=langs, frame=frame)


def content_file(api: str, lang: str, path: str) -> BaseResponse:
    """For the content app: the LMS wrapper page (``""``), or the SCORM package's files under ``sco/``
    as the LMS would serve the unzipped package."""
    if api not in APIS:
        abort(404, "There is nothing here.")
    model = load_course(course_dir(g.course))
    if lang not in languages(model, "all"):
        abort(404, f"The course is not offered in {lang}.")
    if not path:
        response = Response(render_template("lms_frame.html", api=api, lang=lang), mimetype="text/html")
        response.headers["Content-Security-Policy"] = WRAPPER_CSP
        response.headers["Cache-Control"] = "no-store"
        return response
    if not path.startswith("sco/"):
        abort(404, f"{path} is not a file of the LMS preview.")
    if lang != model.language:  # the course as learners of that language get it, from its catalog
        model = load_course(course_dir(g.course), lang=lang)
    player = scorm_player(model, api)
    return player_index(player) if path == "sco/index.html" else player_file(player, path[4:])
