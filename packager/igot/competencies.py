"""Competency frameworks: iGOT's areas, themes and subthemes with their identifiers and reference ids.

iGOT's competencies v6 tag a course with ids from its framework (``competencyAreaIdentifier``,
``…RefId`` …), not only names. A course names competencies as before (area, theme, subtheme); the
framework file gives their ids: ``competencies.yml`` in the course folder, or a shared file that
course.yml names (``competency_framework: ../shared/competencies.yml``). Names match whatever their
case, and the framework's spelling is what iGOT gets.

A framework file is read once per change (by path, size and time), whichever of check, the igot
export and the xAPI tracker asks first.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import yamlsrc
from ..errors import Problem, error
from ..model import Competency, Course
from .programme import beside

DEFAULT_FILE = "competencies.yml"
MAX_SIZE = 1 << 20
LEVELS = ("Area", "Theme", "SubTheme")
"""iGOT's words for the three levels, as in ``competencySubThemeRefId``."""


@dataclass(frozen=True)
class Node:
    """One area, theme or subtheme of the framework."""

    name: str
    identifier: str
    ref_id: str


@dataclass(frozen=True)
class Framework:
    file: str
    """As course.yml names it (relative to the course folder), or ``competencies.yml``."""
    nodes: dict[tuple[str, ...], Node]
    """(area,), (area, theme) and (area, theme, subtheme), in lower case -> the node."""

    def path_of(self, c: Competency) -> list[Node] | None:
        """The area, theme (and subtheme) of *c* in the framework; None when one is not in it."""
        names = [c.area, c.theme] + ([c.subtheme] if c.subtheme else [])
        found = [self.nodes.get(tuple(n.casefold() for n in names[: depth + 1])) for depth in range(len(names))]
        return None if None in found else [n for n in found if n is not None]

    def v6(self, c: Competency) -> dict[str, str] | None:
        """*c* in iGOT's ``competencies_v6`` fields, or None when the framework does not have it.

        >>> fw = Framework("f", {("domain",): Node("Domain", "a1", "r1"), ("domain", "law"): Node("Law", "t1", "r2")})
        >>> fw.v6(Competency("Domain", "law"))["competencyThemeName"]
        'Law'
        """
        path = self.path_of(c)
        if path is None:
            return None
        entry: dict[str, str] = {}
        for level, node in zip(LEVELS, path, strict=False):
            entry[f"competency{level}Name"] = node.name
            entry[f"competency{level}Identifier"] = node.identifier
            entry[f"competency{level}RefId"] = node.ref_id
        return entry

    def problem(self, c: Competency) -> str | None:
        """Why *c* is not in the framework, with the nearest name at the level that differs; None if it is."""
        names = [c.area, c.theme] + ([c.subtheme] if c.subtheme else [])
        if (names[0].casefold(),) not in self.nodes:
            return f"area '{names[0]}' is not in {self.file}"
        for depth in range(1, len(names)):
            parent = tuple(n.casefold() for n in names[:depth])
            if (*parent, names[depth].casefold()) in self.nodes:
                continue
            siblings = [node.name for key, node in self.nodes.items() if key[:-1] == parent and len(key) == depth + 1]
            what = "theme" if depth == 1 else "subtheme"
            where = " / ".join(self.nodes[parent[: d + 1]].name for d in range(depth))
            by_case = {sibling.casefold(): sibling for sibling in siblings}
            close = difflib.get_close_matches(names[depth].casefold(), list(by_case), n=1, cutoff=0.6)
            hint = f" (did you mean '{by_case[close[0]]}'?)" if close else ""
            return f"{what} '{names[depth]}' of {where} is not in {self.file}{hint}"
        return None


_cache: dict[Path, tuple[tuple[int, int], Framework | None, list[Problem]]] = {}


def framework_of(course: Course) -> tuple[Framework | None, list[Problem]]:
    """The course's framework and the problems of its file; (None, []) when it has none."""
    name = course.competency_framework or DEFAULT_FILE
    path = beside(course.root, name)
    if path is None:
        line = course_yml_line(course, ("competency_framework",))
        return None, [
            error("course.yml", line, f"competency_framework: '{name}' leaves the folder that holds the course")
        ]
    try:
        stat = path.stat()
    except OSError:
        if course.competency_framework is None:
            return None, []
        line = course_yml_line(course, ("competency_framework",))
        return None, [error("course.yml", line, f"competency_framework: there is no file '{name}'")]
    key = (stat.st_size, stat.st_mtime_ns)
    held = _cache.get(path)
    if held is None or held[0] != key:
        held = (key, *_read(path, name, stat.st_size))
        _cache[path] = held
    return held[1], list(held[2])


def _read(path: Path, name: str, size: int) -> tuple[Framework | None, list[Problem]]:
    if size > MAX_SIZE:
        return None, [error(name, 1, f"{name} is {-(-size // 1024)} KB; the limit is {MAX_SIZE // 1024} KB")]
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None, [error(name, 1, "not readable as UTF-8 text: save the file as UTF-8")]
    doc = yamlsrc.parse(text, name)
    if doc.problems:
        return None, list(doc.problems)
    from .. import schema  # pydantic, only for a course that has a framework

    spec, problems = schema.validate(schema.FrameworkSpec, doc, name)
    if spec is None:
        return None, problems
    nodes: dict[tuple[str, ...], Node] = {}
    for a, area in enumerate(spec.areas):
        places: list[tuple[tuple[str | int, ...], tuple[str, ...], Any]] = [(("areas", a), (area.name,), area)]
        for t, theme in enumerate(area.themes):
            places.append((("areas", a, "themes", t), (area.name, theme.name), theme))
            for s, sub in enumerate(theme.subthemes):
                places.append((("areas", a, "themes", t, "subthemes", s), (area.name, theme.name, sub.name), sub))
        for where, names, item in places:
            key = tuple(n.casefold() for n in names)
            if key in nodes:
                problems.append(error(name, doc.line_of(where), f"'{' / '.join(names)}' is in the framework twice"))
            nodes[key] = Node(item.name, item.id, item.ref)
    return Framework(name, nodes), problems


def course_yml_line(course: Course, key: tuple[str | int, ...]) -> int | None:
    """The line of *key* in the course's course.yml (read again: the course keeps no lines of its keys)."""
    return _source_line(course.root / "course.yml", "course.yml", key, front_matter=False)


def lesson_line(course: Course, lesson_path: str, key: tuple[str | int, ...]) -> int | None:
    """The line of *key* in the front matter of a lesson."""
    return _source_line(course.root / lesson_path, lesson_path, key, front_matter=True)


def _source_line(path: Path, name: str, key: tuple[str | int, ...], *, front_matter: bool) -> int | None:
    try:
        text = path.read_bytes()[:MAX_SIZE].decode("utf-8", "replace").lstrip("\ufeff")
    except OSError:
        return None
    offset = 0
    if front_matter:
        lines = text.replace("\r\n", "\n").split("\n")
        if not lines or lines[0].strip() != "---":
            return None
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), len(lines))
        text, offset = "\n".join(lines[1:end]), 1
    doc = yamlsrc.parse(text, name, line_offset=offset)
    return None if doc.problems else doc.line_of(key)
