"""The learner preview inside an LMS page: the course's SCORM player in a frame, the LMS side played by
scorm-again, and a panel showing what the LMS records as the learner goes (cmi values, commits).

The studio's page holds only the chooser; the LMS wrapper (scorm-again's API object and the panel) and
the SCO it frames are served by the content origin (``content.py``), so the SCO, which finds the API
by climbing its parent frames, finds it there and never reaches the studio's page. The pages are in
``views.py``; here are the runtimes, the languages offered and the course as the SCO shows it.
"""

from __future__ import annotations

from pathlib import Path

from packager import Course, load_course
from packager.export import languages

from ..authoring.storage import course_dir
from ..models import CourseRecord

APIS = {"scorm2004": "SCORM 2004 (4th edition)", "scorm12": "SCORM 1.2"}
# scorm-again, the LMS-side SCORM runtime the project's browser tests use; installed by ./dev setup (npm ci)
RUNTIME = Path(__file__).resolve().parents[2] / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"
WRAPPER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)


def offered(course: CourseRecord) -> list[str]:
    """The languages the course is offered in, its own first."""
    return languages(load_course(course_dir(course)), "all")


def course_in(course: CourseRecord, lang: str) -> Course | None:
    """The course as learners of *lang* get it (from its catalog), or None when it is not offered in *lang*."""
    model = load_course(course_dir(course))
    if lang not in languages(model, "all"):
        return None
    return model if lang == model.language else load_course(course_dir(course), lang=lang)
