"""The one writer: an :class:`ImportedCourse` becomes a course folder, checked, with its import report.

The folder is made beside its final name and renamed into place once whole, so an import that fails
half-way leaves nothing; a folder that exists and is not empty is never written into.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from .. import metadata
from ..checks import check_course
from ..errors import Problem, StudioError
from ..load import load_course
from .model import ImportedCourse, Lesson, Result
from .text import slug

if TYPE_CHECKING:
    from . import ImportOptions, ImportResult

log = logging.getLogger(__name__)
REPORT = "import-report.md"
RESULTS: tuple[Result, ...] = ("converted", "approximated", "dropped")


def refuse_existing(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StudioError(f"{folder} already exists and is not empty; choose a new folder")


def course_id(title: str, fallback: str) -> str:
    """A course id (``^[a-z0-9][a-z0-9-]{2,63}$``) from the title, else from the file's name."""
    for text in (title, fallback):
        found = slug(text, "")[:64].strip("-")
        if len(found) >= 3:
            return found
    return "imported-course"


def _course_yml(course: ImportedCourse, paths: list[list[str]], options: ImportOptions) -> str:
    """course.yml through :mod:`packager.metadata` (the studio's form writer): quoting stays its job;
    the few values put in the text itself are JSON strings, which YAML reads as they are."""
    ident = course_id(course.title, Path(course.source).stem)
    provider = {"id": options.provider_id, "name": options.provider_name}
    base = (
        f"# Imported from {json.dumps(course.source, ensure_ascii=False)} by kstudio import: see import-report.md.\n"
        f"id: {ident}\nversion: 0.1.0\ntitle: x\nsummary: x\nlanguage: en\n"
        f"provider: {json.dumps(provider, ensure_ascii=False)}\n"
    )
    summary = course.summary or f"Imported from {course.source}."
    language = course.language or options.language
    text = metadata.update(base, {"title": course.title or ident, "summary": summary, "language": language})
    for module, lessons in zip(course.modules, paths, strict=True):
        if lessons:
            text = metadata.add_module(text, module.title or "Lessons", lessons)
    return text


def _front_matter(lesson: Lesson) -> str:
    # JSON strings are YAML double-quoted scalars: any title is safe as it is
    lines = ["---", f"title: {json.dumps(lesson.title or 'Untitled', ensure_ascii=False)}"]
    if lesson.minutes:
        lines.append(f"minutes: {lesson.minutes}")
    if lesson.objectives:
        lines.append("objectives:")
        lines += [f"  - {json.dumps(o, ensure_ascii=False)}" for o in lesson.objectives]
    return "\n".join([*lines, "---", ""])


def _lesson_paths(course: ImportedCourse) -> list[list[str]]:
    total = sum(len(m.lessons) for m in course.modules)
    width = max(2, len(str(total)))
    paths: list[list[str]] = []
    n, used = 0, set()
    for module in course.modules:
        paths.append([])
        for lesson in module.lessons:
            n += 1
            path = f"lessons/{n:0{width}d}-{slug(lesson.title)}.md"
            assert path not in used
            used.add(path)
            paths[-1].append(path)
    return paths


def write_course(course: ImportedCourse, folder: Path, options: ImportOptions) -> ImportResult:
    from . import ImportResult

    refuse_existing(folder)
    if not any(m.lessons for m in course.modules):
        raise StudioError(f"{course.source}: nothing to import (no text, slides or items were found)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.import")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        paths = _lesson_paths(course)
        (staging / "lessons").mkdir()
        for module, module_paths in zip(course.modules, paths, strict=True):
            for lesson, path in zip(module.lessons, module_paths, strict=True):
                (staging / path).write_text(_front_matter(lesson) + lesson.body.strip() + "\n", "utf-8")
        if course.media:
            (staging / "media").mkdir()
        for name, data in course.media.items():
            if "/" in name or "\\" in name or name.startswith("."):
                raise ValueError(f"a reader gave the media file an unsafe name: {name!r}")
            if isinstance(data, Path):
                shutil.copyfile(data, staging / "media" / name)
            else:
                (staging / "media" / name).write_bytes(data)
        (staging / "course.yml").write_text(_course_yml(course, paths, options), "utf-8")
        model = load_course(staging, use_cache=False)
        problems = sorted(set(check_course(model)))
        counts = Counter(o.result for o in course.outcomes)
        (staging / REPORT).write_text(report(course, problems, counts), "utf-8")
        if folder.exists():  # an empty folder given as the target: replaced by the whole course
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("imported %s into %s: %s", course.source, folder, dict(counts))
    return ImportResult(folder, course, problems, {r: counts.get(r, 0) for r in RESULTS})


def report(course: ImportedCourse, problems: list[Problem], counts: Counter[Result]) -> str:
    """``import-report.md``: the counts, a line per outcome, and what ``kstudio check`` says."""
    lessons = sum(len(m.lessons) for m in course.modules)
    lines = [
        f"# Import report: {_plain(course.source)}",
        "",
        f"{_count(len(course.modules), 'module')}, {_count(lessons, 'lesson')}, "
        f"{_count(len(course.media), 'media file')}.",
        "",
        "| Result | Count |",
        "|---|---|",
        *(f"| {r} | {counts.get(r, 0)} |" for r in RESULTS),
        "",
    ]
    for result in RESULTS:
        outcomes = [o for o in course.outcomes if o.result == result]
        if outcomes:
            lines += [f"## {result.capitalize()}", ""]
            lines += [f"- {_plain(o.item)}" + (f": {_plain(o.detail)}" if o.detail else "") for o in outcomes]
            lines.append("")
    lines += ["## Check", ""]
    if problems:
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        lines.append(f"`kstudio check` found {_count(errors, 'error')} and {_count(warnings, 'warning')}:")
        lines.append("")
        lines += [f"- {_plain(p.format())}" for p in problems]
    else:
        lines.append("`kstudio check` found no problems.")
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", " ".join(text.split()))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
