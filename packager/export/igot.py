"""``igot``: a SCORM 1.2 package as the iGOT Karmayogi creation portal takes it (an HTML archive), plus
``<package>-metadata.json`` (``…-igot-metadata.json``) beside it with the portal's fields for a course,
``…-igot-assessments.zip`` with the quizzes as iGOT question sets (``packager.igot.questions``), and for a
programme ``<package>-hierarchy.json`` (``packager.igot.programme``).

The portal opens ``index.html`` at the zip root, accepts zip entry names only within ``[A-Za-z0-9_.-/]``
and packages under 200 MB. Its SCORM 1.2 adapter has quirks the player's adapter knows about
(``KS_COURSE.lms.igot``; see docs/lms.md).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import ExportError
from ..files import atomic_path
from ..igot import languages, programme, questions
from ..igot.competencies import framework_of
from ..load import load_course
from ..model import Course
from ..render import PackageFile
from . import scorm, scorm12
from .core import Rendering, ZipPackage, package_name

log = logging.getLogger(__name__)

SIZE_LIMIT = 200 * 2**20
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_.\-/]+")


def safe_names(names: list[str]) -> dict[str, str]:
    """Course file -> a name the portal accepts, for every name that needs renaming.

    >>> safe_names(["media/a b.png", "media/ok.png", "media/दृश्य 1.jpg"])
    {'media/a b.png': 'media/a_b.png', 'media/दृश्य 1.jpg': 'media/_1.jpg'}

    Raises ExportError when two files would end up with one name.
    """
    renames: dict[str, str] = {}
    taken = {name: name for name in names if SAFE_NAME.match(name)}
    for name in names:
        if name in taken and taken[name] == name:
            continue
        new = _UNSAFE_RUN.sub("_", name)
        if new in taken:
            raise ExportError(
                f"'{name}' and '{taken[new]}' both become '{new}' in an igot package, whose file names may "
                "use only A-Z, a-z, 0-9, '_', '.', '-' and '/'; rename one of them"
            )
        taken[new] = name
        renames[name] = new
    return renames


def language_name(lang: str) -> str:
    """The portal's language names: "English", "Hindi", "Urdu"… (a closed list: ``packager.igot.languages``).

    >>> language_name("hi"), language_name("ur"), language_name("en-IN")
    ('Hindi', 'Urdu', 'English')
    """
    return languages.igot_name(lang)


def license_name(spdx: str | None) -> str:
    """SPDX ``CC-BY-SA-4.0`` -> the portal's ``CC BY-SA 4.0``; the portal's default when none is given.

    >>> license_name("CC-BY-4.0"), license_name("CC-BY-NC-SA-4.0"), license_name("CC0-1.0"), license_name(None)
    ('CC BY 4.0', 'CC BY-NC-SA 4.0', 'CC0 1.0', 'CC BY 4.0')
    """
    if not spdx:
        return "CC BY 4.0"
    parts = spdx.split("-")
    if parts[0] == "CC" and len(parts) > 2:
        return f"CC {'-'.join(parts[1:-1])} {parts[-1]}"
    if parts[0] == "CC0":
        return f"CC0 {'-'.join(parts[1:])}"
    return spdx


def instructions(course: Course) -> str:
    if course.category in programme.PROGRAMMES and (course.courses or course.sessions):
        return (
            "Complete each course of this programme"
            + (" and attend its offline sessions" if course.sessions else "")
            + ". Your progress in each course is saved when you leave, and you can continue where you stopped."
        )
    lessons = len(course.lessons)
    needed = course.completion.lessons_needed(lessons)
    text = (
        f"Work through all {lessons} lessons"
        if needed >= lessons
        else f"Work through {needed} of the {lessons} lessons"
    )
    if course.completion.pass_score is not None and any(q.graded for q in course.quizzes):
        text += f" and score at least {course.completion.pass_score}% in the graded quizzes"
    return text + ". Your progress is saved when you leave, and you can continue where you stopped."


def metadata(course: Course, lang: str, app_icon: str | None) -> dict[str, Any]:
    """The iGOT creation portal's fields for a course, filled from course.yml: competencies by name (v5)
    and, when the course has a competency framework, with iGOT's ids (v6); the language versions of the
    course (``languageMapV1``)."""
    framework, _ = framework_of(course)  # its problems are check's to report; a build stops on them
    v6 = [entry for entry in (framework.v6(c) for c in course.competencies) if entry] if framework else []
    return {
        "name": course.title,
        "code": f"{course.id}-{lang}",
        "description": course.summary,
        "instructions": instructions(course),
        "appIcon": app_icon,
        "language": [language_name(lang)],
        "languageMapV1": languages.language_map(
            course.id, lang, course.translations, languages.source_language(course)
        ),
        "duration": str(scorm.learning_seconds(course) if course.lessons else 0),  # a programme's: its hierarchy's
        "license": license_name(course.license),
        "keywords": list(course.keywords),
        "primaryCategory": course.category,
        "source": course.provider.name,
        "competencies_v5": [
            {
                "competencyArea": c.area,
                "competencyTheme": c.theme,
                **({"competencySubTheme": c.subtheme} if c.subtheme else {}),
            }
            for c in course.competencies
        ],
        **({"competencies_v6": v6} if v6 else {}),
        "mimeType": "application/vnd.ekstep.html-archive",
    }


def build(rendering: Rendering, out_dir: Path) -> Path:
    course, lang = rendering.course, rendering.lang
    language_name(lang)  # a language iGOT does not have is refused before anything is written
    if course.competencies and framework_of(course)[0] is None:
        log.warning(
            "%s: no competency framework (competencies.yml): iGOT's competencies v6 need the ids of each area, "
            "theme and subtheme, so the metadata carries the names only (competencies_v5); see docs/igot.md",
            course.id,
        )
    path = out_dir / package_name(course, lang, "igot")
    if course.lessons:
        _write_archive(rendering, path)
    icon = None
    if course.thumbnail:
        icon = f"{path.stem}-appicon{Path(course.thumbnail).suffix.lower()}"
        with atomic_path(out_dir / icon) as tmp:
            shutil.copyfile(course.root / course.thumbnail, tmp)
    with atomic_path(out_dir / f"{path.stem}-metadata.json") as tmp:
        tmp.write_text(json.dumps(metadata(course, lang, icon), ensure_ascii=False, indent=2) + "\n", "utf-8")
    write_assessments(rendering, out_dir)
    if course.category not in programme.PROGRAMMES:
        return path
    # a programme: its hierarchy, which is its package when it has no lessons of its own
    loader = partial(load_course, use_cache=course.use_cache, lang=None)
    tree = programme.hierarchy(course, lang, metadata, path.name if course.lessons else None, loader, icon)
    hierarchy = out_dir / f"{path.stem}-hierarchy.json"
    with atomic_path(hierarchy) as tmp:
        tmp.write_text(json.dumps(tree, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path if course.lessons else hierarchy


def _write_archive(rendering: Rendering, path: Path) -> None:
    course, lang = rendering.course, rendering.lang
    scorm.check_size(course, SIZE_LIMIT, "an iGOT upload")
    renames = safe_names(rendering.pages_player.media_names())  # the names change the pages: its own player
    player = rendering.player(**scorm.adapter("scorm12", igot=True), renames=renames)
    scorm.write(path, player, lambda files: scorm12.manifest(course, lang, files), "scorm12")
    size = path.stat().st_size
    if size > SIZE_LIMIT:
        path.unlink()
        raise ExportError(
            f"the igot package of '{course.id}' is {size / 2**20:.0f} MB; iGOT takes at most 200 MB. "
            "Make the media smaller or split the course"
        )


def write_assessments(rendering: Rendering, out_dir: Path) -> Path | None:
    """``<package>-assessments.zip`` beside the archive: each quiz as an iGOT question set (docs/igot.md).
    Not inside the archive, which learners' browsers download: it holds every answer. None (and an
    earlier build's file removed) when no quiz becomes a question set."""
    course, lang = rendering.course, rendering.lang
    made = questions.assessments(course, language_name(lang), license_name(course.license))
    rendering.problems += made.problems
    path = out_dir / package_name(course, lang, "igot-assessments")
    if not made.sets:
        path.unlink(missing_ok=True)
        return None
    with ZipPackage(path) as package:
        for name, data in questions.files(made, course.level):
            package.add(PackageFile(name, data))
    return path
