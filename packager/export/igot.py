"""``igot``: a SCORM 1.2 package as the iGOT Karmayogi creation portal takes it (an HTML archive), plus
``<package>-metadata.json`` (``…-igot-metadata.json``) beside it with the portal's fields for a course,
and ``…-igot-assessments.zip`` with the quizzes as iGOT question sets (``packager.igot.questions``).

The portal opens ``index.html`` at the zip root, accepts zip entry names only within ``[A-Za-z0-9_.-/]``
and packages under 200 MB. Its SCORM 1.2 adapter has quirks the player's adapter knows about
(``KS_COURSE.lms.igot``; see docs/lms.md).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from ..errors import ExportError
from ..files import atomic_path
from ..igot import questions
from ..model import Course
from ..render import PackageFile
from . import scorm, scorm12
from .core import Rendering, ZipPackage, package_name

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
    """The portal's language names: "English", "Hindi", "Urdu"…

    >>> language_name("hi"), language_name("ur"), language_name("en-IN")
    ('Hindi', 'Urdu', 'English')
    """
    try:
        name = Locale.parse(lang.split("-")[0]).get_language_name("en")
    except (ValueError, UnknownLocaleError):
        name = None
    return name or lang


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
    """The iGOT creation portal's fields for a course, filled from course.yml."""
    return {
        "name": course.title,
        "description": course.summary,
        "instructions": instructions(course),
        "appIcon": app_icon,
        "language": [language_name(lang)],
        "duration": str(scorm.learning_seconds(course)),
        "license": license_name(course.license),
        "keywords": list(course.keywords),
        "primaryCategory": "Course",
        "source": course.provider.name,
        "competencies_v5": [
            {
                "competencyArea": c.area,
                "competencyTheme": c.theme,
                **({"competencySubTheme": c.subtheme} if c.subtheme else {}),
            }
            for c in course.competencies
        ],
        "mimeType": "application/vnd.ekstep.html-archive",
    }


def build(rendering: Rendering, out_dir: Path) -> Path:
    course, lang = rendering.course, rendering.lang
    scorm.check_size(course, SIZE_LIMIT, "an iGOT upload")
    renames = safe_names(rendering.pages_player.media_names())  # the names change the pages: its own player
    player = rendering.player(**scorm.adapter("scorm12", igot=True), renames=renames)
    path = out_dir / package_name(course, lang, "igot")
    scorm.write(path, player, lambda files: scorm12.manifest(course, lang, files), "scorm12")
    size = path.stat().st_size
    if size > SIZE_LIMIT:
        path.unlink()
        raise ExportError(
            f"the igot package of '{course.id}' is {size / 2**20:.0f} MB; iGOT takes at most 200 MB. "
            "Make the media smaller or split the course"
        )
    icon = None
    if course.thumbnail:
        icon = f"{path.stem}-appicon{Path(course.thumbnail).suffix.lower()}"
        with atomic_path(out_dir / icon) as tmp:
            shutil.copyfile(course.root / course.thumbnail, tmp)
    with atomic_path(out_dir / f"{path.stem}-metadata.json") as tmp:
        tmp.write_text(json.dumps(metadata(course, lang, icon), ensure_ascii=False, indent=2) + "\n", "utf-8")
    write_assessments(rendering, out_dir)
    return path


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
