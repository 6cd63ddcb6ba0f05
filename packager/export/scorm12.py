"""``scorm12``: a SCORM 1.2 package, one SCO for the whole course, with IMS metadata in the manifest."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from ..model import Course
from . import scorm
from .core import Rendering

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{CP} imscp_rootv1p1p2.xsd {IMSMD} imsmd_rootv1p2p1.xsd {ADLCP} adlcp_rootv1p2.xsd"

E = ElementMaker(namespace=CP, nsmap={None: CP, "adlcp": ADLCP, "imsmd": IMSMD, "xsi": XSI})
M = ElementMaker(namespace=IMSMD)


def manifest(course: Course, lang: str, files: list[str]) -> bytes:
    """``imsmanifest.xml`` for *course* in *lang*, listing *files* as the SCO's files."""
    ids = scorm.Identifiers.of(course)

    def text(value: str) -> etree._Element:
        return M.langstring(value, {XML_LANG: lang})

    lom = M.lom(
        M.general(
            M.title(text(course.title)),
            M.catalogentry(M.catalog("karmayogi-studio"), M.entry(text(course.id))),
            M.language(lang),
            M.description(text(course.summary)),
            *[M.keyword(text(keyword)) for keyword in course.keywords],
        ),
        M.lifecycle(M.version(text(course.version))),
        M.educational(
            M.typicallearningtime(M.datetime(scorm.iso_duration(scorm.learning_seconds(course)))),
        ),
    )
    root = E.manifest(
        {"identifier": ids.manifest, "version": course.version, f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("1.2"), lom),
        *scorm.outline(E, ids, course, files, {f"{{{ADLCP}}}scormtype": "sco"}),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build(rendering: Rendering, out_dir: Path) -> Path:
    return scorm.build(rendering, out_dir, "scorm12", manifest)
