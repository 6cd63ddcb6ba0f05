"""``xapi``: the player as one launchable xAPI activity, described by ``tincan.xml``.

An LMS or LRS launches ``index.html`` with Rustici's launch parameters (``endpoint``, ``auth``, ``actor``,
``registration``, ``activity_id``); the tracker (``xapi.js``) reports to that endpoint. There is no official
schema of ``tincan.xml``; tests check its shape.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from ..model import Course
from . import xapi_core
from .core import Rendering

NS = "http://projecttincan.com/tincan.xsd"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
E = ElementMaker(namespace=NS, nsmap={None: NS})


def tincan_xml(course: Course, lang: str) -> bytes:
    activity = E.activity(
        E.name(course.title, lang=lang),
        E.description(xapi_core.description(course), lang=lang),
        E.launch("index.html", lang=lang),
        id=xapi_core.Iris.of(course).base,
        type=COURSE_TYPE,
    )
    root = E.tincan(E.activities(activity))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build(rendering: Rendering, out_dir: Path) -> Path:
    course, lang = rendering.course, rendering.lang
    xapi_core.check_iri(course)
    return xapi_core.build(rendering, out_dir, "xapi", lambda names: ("tincan.xml", tincan_xml(course, lang)))
