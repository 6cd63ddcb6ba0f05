"""Categories and programmes: iGOT's ``primaryCategory`` of a course, and the hierarchy of a programme.

A programme (category ``Program``, ``Blended Program`` or ``Curated Program``) is a course whose
course.yml lists other courses (``courses:``, by folder or by their iGOT id) and, for a blended one,
offline sessions (``sessions:``); it may have lessons of its own too. Its igot export adds
``<package>-hierarchy.json``: the programme as iGOT's collection, with its courses and a placeholder
for each offline session as children (docs/igot.md). Nothing here imports pydantic: ``schema.py``
reads the lists below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ExportError, Problem, did_you_mean, error

log = logging.getLogger(__name__)

CATEGORIES = (
    "Course",
    "Learning Resource",
    "Program",
    "Blended Program",
    "Curated Program",
    "Moderated Course",
    "Standalone Assessment",
)
"""iGOT's ``primaryCategory`` values a course.yml may declare; the first is the default."""
PROGRAMMES = ("Program", "Blended Program", "Curated Program")
"""The categories that list other courses."""
BLENDED = "Blended Program"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$"
COLLECTION = "application/vnd.ekstep.content-collection"
HTML_ARCHIVE = "application/vnd.ekstep.html-archive"
OFFLINE_SESSION = "Offline Session"
_OBJECT = {"status": "Draft", "contentEncoding": "gzip", "contentDisposition": "inline", "mediaType": "content"}
"""What every object iGOT stores carries (the fields its schemas require), as a new upload has them."""


def category_problem(value: str) -> str | None:
    """Why *value* is not an iGOT category (with the nearest), or None when it is one.

    >>> category_problem("Blended Programme").split(";")[0]
    "'Blended Programme' is not an iGOT category (did you mean 'Blended Program'?)"
    """
    if value in CATEGORIES:
        return None
    hint = did_you_mean(value, CATEGORIES)
    return f"'{value}' is not an iGOT category{hint}; the categories are {', '.join(CATEGORIES)}"


def framework_path_problem(value: str) -> str | None:
    """Why *value* cannot name a framework file (``competency_framework:``), or None."""
    if not value.endswith((".yml", ".yaml")):
        return "must name a YAML file (.yml or .yaml) holding the competency framework"
    if value.startswith(("/", "~")) or "\\" in value or "\x00" in value or ":" in value:
        return "must be a path relative to the course folder, written with '/' (../shared/competencies.yml)"
    return None


def beside(root: Path, relative: str) -> Path | None:
    """*relative* (a path course.yml gives) from the course folder *root*, when it stays within the folder
    that holds the course (its own or a sibling: ``../shared/…``); None when it leaves it, so that a course
    in the studio reaches no other organisation's courses and no file of the server.

    >>> beside(Path("/data/org/course"), "../shared/f.yml"), beside(Path("/data/org/course"), "../../x/f.yml")
    (PosixPath('/data/org/shared/f.yml'), None)
    """
    holder = root.parent.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(holder) and path != holder else None


def structure_problems(root: Path, value: Any, line_of: Callable[[tuple[str | int, ...]], int | None]) -> list[Problem]:
    """What the category asks of course.yml's other keys: only a programme lists courses and sessions
    (sessions only a blended one) and may have no modules; a course folder it lists must be one.

    *value* is course.yml as read (any shape); *line_of* gives the line of a key path.
    """
    if not isinstance(value, dict):
        return []
    category = value.get("category", CATEGORIES[0])
    if category not in CATEGORIES:
        return []  # the schema reports it, with the nearest
    problems = []
    if category not in PROGRAMMES:
        for key in ("courses", "sessions"):
            if key in value:
                problems.append(
                    error(
                        "course.yml",
                        line_of((key,)),
                        f"'{key}' is for a programme: set category: to one of {', '.join(PROGRAMMES)}",
                    )
                )
        if "modules" not in value or value["modules"] == []:
            problems.append(error("course.yml", line_of(("modules",)) or 1, "missing required key 'modules'"))
        return problems
    if category != BLENDED and value.get("sessions"):
        problems.append(
            error("course.yml", line_of(("sessions",)), f"offline sessions are for a blended programme ({BLENDED})")
        )
    if not any(value.get(key) for key in ("courses", "sessions", "modules")):
        problems.append(
            error("course.yml", line_of(()) or 1, "a programme lists its courses: (or sessions:, or modules:)")
        )
    courses = value.get("courses")
    for n, entry in enumerate(courses if isinstance(courses, list) else []):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path:
            continue
        folder = beside(root, path)
        if folder is None or folder == root.resolve():
            why = f"'{path}' leaves the folder that holds this course" if folder is None else "a programme lists itself"
            problems.append(error("course.yml", line_of(("courses", n, "path")), why))
        elif not (folder / "course.yml").is_file():
            problems.append(error("course.yml", line_of(("courses", n, "path")), f"no course.yml in '{path}'"))
    return problems


def _course_node(course: Any, lang: str, metadata: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    langs = [course.language, *course.translations]
    version = lang if lang in langs else course.language
    node = metadata(course, version, None)
    node.pop("appIcon", None)  # the course's own upload carries its icon
    node.update(
        _OBJECT,
        code=f"{course.id}-{version}",
        mimeType=COLLECTION,
        contentType="Course",
        channel=course.provider.id,
    )
    return node


def hierarchy(
    course: Any,
    lang: str,
    metadata: Callable[..., dict[str, Any]],
    package: str | None,
    load: Callable[[Path], Any],
    icon: str | None = None,
) -> dict[str, Any]:
    """The programme as iGOT's collection: its own lessons (the html archive *package*, when it has
    lessons), then its courses in order, then a placeholder for each offline session by date.

    *metadata* is the export's ``metadata(course, lang, icon)``; *load* reads a listed course folder;
    *icon* is the programme's app icon file, if it has one.
    Raises ExportError for a listed course that cannot be read or that has errors.
    """
    root = {key: value for key, value in metadata(course, lang, icon).items() if value is not None}
    code = f"{course.id}-{lang}"
    root.update(_OBJECT, code=code, mimeType=COLLECTION, contentType="Course", channel=course.provider.id)
    children: list[dict[str, Any]] = []
    if package is not None:
        children.append(
            {
                **_OBJECT,
                "name": course.title,
                "code": f"{code}-lessons",
                "mimeType": HTML_ARCHIVE,
                "contentType": "Resource",
                "primaryCategory": "Learning Resource",
                "channel": course.provider.id,
                "language": root["language"],
                "duration": root["duration"],
                "artifact": package,
            }
        )
    for entry in course.courses:
        if entry.id is not None:
            children.append(
                {
                    **_OBJECT,
                    "identifier": entry.id,
                    "name": entry.title or entry.id,
                    "code": entry.id,
                    "status": "Live",  # a course already on iGOT
                    "mimeType": COLLECTION,
                    "contentType": "Course",
                    "primaryCategory": "Course",
                    "channel": course.provider.id,
                }
            )
            continue
        folder = beside(course.root, entry.path)
        if folder is None:  # check refuses it; a course built without check is refused here
            raise ExportError(f"'{entry.path}' leaves the folder that holds the programme")
        listed = load(folder)
        errors = [p for p in listed.problems if p.severity == "error"]
        if errors:
            raise ExportError(f"the course in '{entry.path}' that the programme lists has errors: {errors[0]}")
        children.append(_course_node(listed, lang, metadata))
    for n, session in enumerate(sorted(course.sessions, key=lambda s: s.date), 1):
        details = {
            "title": session.title,
            "sessionType": "Offline",
            "startDate": session.date,
            "venue": session.place,
            "facilitators": [session.facilitator],
            **({"sessionDuration": str(session.minutes * 60)} if session.minutes else {}),
        }
        children.append(
            {
                **_OBJECT,
                "name": session.title,
                "code": f"{code}-session-{n}",
                "description": f"{session.date}, {session.place}; facilitator: {session.facilitator}",
                "mimeType": "application/octet-stream",  # a placeholder: the session has no file
                "contentType": "Resource",
                "primaryCategory": OFFLINE_SESSION,
                "learningMode": "Classroom",
                "channel": course.provider.id,
                "sessionDetails": details,
                **({"duration": str(session.minutes * 60)} if session.minutes else {}),
            }
        )
    for index, child in enumerate(children, 1):
        child.update(index=index, depth=1, parent=code)
        if len(child["name"]) < 5:
            raise ExportError(f"'{child['name']}' is too short a name for iGOT, which needs at least 5 characters")
    duration = sum(int(child.get("duration") or 0) for child in children)
    root.update(depth=0, duration=str(duration), children=children, childNodes=[child["code"] for child in children])
    log.debug("programme %s: %d children", course.id, len(children))
    return root
