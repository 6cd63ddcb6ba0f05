"""Build everything in one click: every chosen format in every chosen language, as one job.

One :func:`packager.build` call does it all (the course loaded once, each language checked and
rendered once for every format), so one job is quicker than a job per package; its progress counts
packages ("package 3 of 14"), and its result lists every download (name, format, language, size) and
every (format, language) that could not be built, with the reason. A build where some packages fail
still offers the others; only a build where none could be built is a failed job.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from packager import build, load_course
from packager.build import Package
from packager.export import languages
from packager.markdown.rules import language_name
from packager.media import ProgressEvent
from packager.runner import LOCAL

from ..models import CourseRecord, Job
from . import queue

KIND = "build-all"


class Refused(ValueError):
    """The form asked for nothing to build (*reason* ``formats``, ``langs``) or for a language the course
    does not have (``unknown``, *lang*): the view says it in the interface's language."""

    def __init__(self, reason: str, lang: str = ""):
        super().__init__(f"{reason} {lang}".strip())
        self.reason, self.lang = reason, lang


def offered(app: Flask, course: CourseRecord) -> dict[str, str]:
    """The course's languages (its own first) with their names, as the form offers them."""
    return {lang: language_name(lang) for lang in languages(load_course(queue.course_folder(app, course)), "all")}


def submit(
    app: Flask, session: Session, course: CourseRecord, user_id: int | None, formats: list[str], langs: list[str]
) -> Job:
    """Queue one job building every format of *formats* in every language of *langs*, in the form's
    order; raises :class:`Refused` when either is empty or names something the course lacks."""
    formats = [f for f in queue.BUILD_FORMATS if f in formats]  # the studio's order, each once
    if not formats:
        raise Refused("formats")
    available = list(offered(app, course))
    unknown = [lang for lang in langs if lang not in available]
    if unknown:
        raise Refused("unknown", unknown[0])
    langs = [lang for lang in available if lang in langs]
    if not langs:
        raise Refused("langs")
    return queue.submit(app, session, course, user_id, KIND, {"formats": formats, "langs": langs})


class _PackageProgress:
    """The build's events as the job's progress: which package of how many, and the media file being
    made for it (the media pipeline reports through the same listener)."""

    def __init__(self, app: Flask, job_id: int):
        self.bar = queue.progress(app, job_id)
        self.done, self.total, self.current = 0, 1, ""

    def __call__(self, event: ProgressEvent) -> None:
        if event.name.startswith("building "):  # packager.build's own event, one per package
            self.done, self.total, self.current = event.done, max(1, event.total), event.name[9:]
            self.bar.set(self.done / self.total, f"package {self.done + 1} of {self.total}: {self.current}", True)
        else:
            where = f"package {self.done + 1} of {self.total}: {self.current}" if self.current else "preparing media"
            self.bar.set(self.done / self.total, f"{where}, {event.name} {event.fraction:.0%}")


def _names(fmt: str, lang: str) -> dict[str, str]:
    named = {"format_name": queue.FORMAT_NAMES.get(fmt, fmt), "language": language_name(lang)}
    return {"format": fmt, "lang": lang, **named}


def _listed(package: Package) -> list[dict[str, Any]]:
    """The package, then the files its format wrote beside it (iGOT's metadata and assessments)."""
    names, path = _names(package.format, package.lang), package.path
    return [
        {"name": file.name, **names, "bytes": file.stat().st_size, "summary": package.summary if file == path else ""}
        for file in [path, *package.beside]
    ]


def run(app: Flask, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The job: build, then list what was built and what failed (the queue records it)."""
    formats = [f for f in params.get("formats", []) if f in queue.BUILD_FORMATS]
    langs = [str(lang) for lang in params.get("langs", [])]
    listener = _PackageProgress(app, job_id)
    listener.bar.set(0, "loading the course", force=True)
    out = queue.builds_dir(app, job_id)
    shutil.rmtree(out, ignore_errors=True)
    report = build(folder, formats, langs, out, progress=listener, runner=LOCAL)
    packages = [row for p in report.packages for row in _listed(p)]
    failures = [
        {
            **_names(f.format, f.lang),
            "message": f.message.splitlines()[0] if f.message else "",
            "problems": [p.format() for p in f.problems],
        }
        for f in report.failures
    ]
    warnings = [f"{lang}: {p.format()}" for lang in langs for p in report.warnings(lang)]
    result: dict[str, Any] = {
        "formats": formats,
        "langs": langs,
        "built": len(report.packages),
        "packages": packages,
        "failures": failures,
        "warnings": warnings,
    }
    if not report.packages:
        shutil.rmtree(out, ignore_errors=True)  # every package failed: the result says why each did
        raise queue.JobFailed(f"none of the {len(failures)} packages could be built", result)
    built = f"{len(report.packages)} package{'' if len(report.packages) == 1 else 's'}"
    result["message"] = f"{built}, {len(failures)} failed" if failures else built
    return result
