"""``scorm2004``: a SCORM 2004 4th edition package, one SCO for the whole course, with LOM metadata.

The package carries the official schemas at its root and maps every namespace it uses in
``xsi:schemaLocation``, as ADL's conformance test suite requires.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from ..model import Course
from . import scorm
from .core import Rendering

CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = " ".join(
    f"{ns} {file}"
    for ns, file in [
        (CP, "imscp_v1p1.xsd"),
        (ADLCP, "adlcp_v1p3.xsd"),
        (ADLSEQ, "adlseq_v1p3.xsd"),
        (ADLNAV, "adlnav_v1p3.xsd"),
        (IMSSS, "imsss_v1p0.xsd"),
        (LOM, "lom.xsd"),
    ]
)
NSMAP = {None: CP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "lom": LOM, "xsi": XSI}

E = ElementMaker(namespace=CP, nsmap=NSMAP)
L = ElementMaker(namespace=LOM)
S = ElementMaker(namespace=IMSSS)


def manifest(course: Course, lang: str, files: list[str]) -> bytes:
    """``imsmanifest.xml`` for *course* in *lang*, listing *files* as the SCO's files."""
    ids = scorm.Identifiers.of(course)

    def text(value: str) -> etree._Element:
        return L.string(value, language=lang)

    lom = L.lom(
        L.general(
            L.identifier(L.catalog("karmayogi-studio"), L.entry(course.id)),
            L.title(text(course.title)),
            L.language(lang),
            L.description(text(course.summary)),
            *[L.keyword(text(keyword)) for keyword in course.keywords],
        ),
        L.lifeCycle(L.version(L.string(course.version, language="x-none"))),
        L.educational(L.typicalLearningTime(L.duration(scorm.iso_duration(scorm.learning_seconds(course))))),
    )
    # The content reports completion and success itself; without these the LMS may set them on exit.
    sequencing = S.sequencing(S.deliveryControls(completionSetByContent="true", objectiveSetByContent="true"))
    root = E.manifest(
        {"identifier": ids.manifest, "version": course.version, f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("2004 4th Edition"), lom),
        *scorm.outline(
            E,
            ids,
            course,
            files,
            {f"{{{ADLCP}}}scormType": "sco"},
            sequencing,
            **{f"{{{ADLSEQ}}}objectivesGlobalToSystem": "false"},
        ),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build(rendering: Rendering, out_dir: Path) -> Path:
    return scorm.build(rendering, out_dir, "scorm2004", manifest)
