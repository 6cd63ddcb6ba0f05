"""``cmi5``: the player as cmi5 assignable units (AUs), described by ``cmi5.xml`` at the zip root.

By default the course is one AU. With ``au_per="module"`` each module is a block holding its own AU
(``index.html?module=N``), judged on that module's lessons and graded quizzes; a block needs at least one
AU, so the one-AU structure has no blocks. The course's competencies are the course structure's
objectives, and each AU and block refers to the ones its lessons test. ``moveOn`` and ``masteryScore`` come
from the course's ``completion`` rules. ``cmi5.xml`` is validated against the cmi5 XSD (spec §14) on
every build.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from ..errors import ExportError
from ..model import Competency, Course, Lesson
from . import xapi_core
from .core import Rendering
from .xsd import SCHEMAS

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
SCHEMA = SCHEMAS / "cmi5" / "CourseStructure.xsd"
AU_PER = ("course", "module")
E = ElementMaker(namespace=NS, nsmap={None: NS})


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def validate(xml: bytes) -> list[str]:
    """Schema errors of a ``cmi5.xml`` as ``line N: message``; empty when valid."""
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    checker = schema()
    if checker.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]  # type: ignore[attr-defined]


def _text(tag: str, value: str, lang: str) -> etree._Element:
    return E(tag, E.langstring(value, lang=lang))


def _tested(course: Course, lessons: list[Lesson]) -> list[Competency]:
    """What the lessons test, their questions' own competencies included (the objectives statements name)."""
    out: list[Competency] = []
    for lesson in lessons:
        questions = [q for quiz in lesson.quizzes for q in quiz.questions]
        for c in [*course.competencies_of(lesson), *(c for q in questions for c in course.competencies_of(lesson, q))]:
            if c not in out:
                out.append(c)
    return out


def _au(course: Course, lang: str, lessons: list[Lesson], module: int | None, title: str) -> etree._Element:
    iris = xapi_core.Iris.of(course)
    graded = any(q.graded for lesson in lessons for q in lesson.quizzes)
    mastery = xapi_core.mastery_score(course) if graded else None
    attrs = {"id": iris.au(module), "moveOn": "CompletedAndPassed" if mastery is not None else "Completed"}
    if mastery is not None:
        attrs["masteryScore"] = f"{mastery:g}"
    refs = [E.objective(idref=xapi_core.competency_iri(c)) for c in _tested(course, lessons)]
    return E.au(
        _text("title", title, lang),
        _text("description", xapi_core.description(course) if module is None else title, lang),
        *([E.objectives(*refs)] if refs else []),
        E.url("index.html" if module is None else f"index.html?module={module}"),
        attrs,
    )


def cmi5_xml(course: Course, lang: str, au_per: str = "course") -> bytes:
    """``cmi5.xml`` for *course* in *lang*, one AU for the course or one per module (*au_per*)."""
    iris = xapi_core.Iris.of(course)
    competencies = _tested(course, course.lessons)
    parts: list[etree._Element] = []
    if competencies:
        parts.append(
            E.objectives(
                *[
                    E.objective(
                        _text("title", " / ".join(p for p in (c.area, c.theme, c.subtheme) if p), lang),
                        _text("description", f"{c.area} competency" + (f", level {c.level}" if c.level else ""), lang),
                        id=xapi_core.competency_iri(c),
                    )
                    for c in competencies
                ]
            )
        )
    if au_per == "course":
        parts.append(_au(course, lang, course.lessons, None, course.title))
    else:
        for n, module in enumerate(course.modules, start=1):
            refs = [E.objective(idref=xapi_core.competency_iri(c)) for c in _tested(course, module.lessons)]
            parts.append(
                E.block(
                    _text("title", module.title, lang),
                    _text("description", module.title, lang),
                    *([E.objectives(*refs)] if refs else []),
                    _au(course, lang, module.lessons, n, module.title),
                    id=iris.module(n),
                )
            )
    root = E.courseStructure(
        E.course(_text("title", course.title, lang), _text("description", xapi_core.description(course), lang)),
        *parts,
    )
    root[0].set("id", iris.base)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    errors = validate(xml)
    if errors:
        raise ExportError("cmi5.xml does not validate against the cmi5 schema:\n  " + "\n  ".join(errors))
    return xml


def build(rendering: Rendering, out_dir: Path, *, au_per: str = "course") -> Path:
    if au_per not in AU_PER:
        raise ExportError(f"unknown --au-per '{au_per}'; use one of: {', '.join(AU_PER)}")
    xapi_core.check_iri(rendering.course)
    xml = cmi5_xml(rendering.course, rendering.lang, au_per)  # before the player, so a bad structure fails fast
    return xapi_core.build(rendering, out_dir, "cmi5", lambda names: ("cmi5.xml", xml))
