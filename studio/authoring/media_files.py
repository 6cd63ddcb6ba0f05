"""Files an author uploads into a course's ``media/`` folder: safe names, known types checked by content
(``packager.media.probe.content_error``), atomic writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager.files import write_atomic
from packager.load import file_index, resolve_target
from packager.markdown.rules import media_kind
from packager.media import MediaSet, progress_to
from packager.media.probe import content_error

from ..jobs import queue
from ..models import CourseRecord, Job
from .storage import course_dir, course_file

KINDS = {
    "image": {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"},
    "video": {".mp4", ".webm", ".mov", ".mkv"},
    "audio": {".mp3", ".m4a", ".ogg", ".wav"},
    "other": {".vtt", ".pdf"},
}
ALLOWED = set().union(*KINDS.values())


class MediaError(ValueError):
    pass


def safe_name(filename: str) -> str:
    """A file name any LMS and file system takes: lower-case letters, digits, '-', '_' and one '.ext'."""
    stem, dot, ext = Path(filename.replace("\\", "/")).name.lower().rpartition(".")
    if not dot or f".{ext}" not in ALLOWED:
        raise MediaError(f"'{filename}' is not a file type the studio takes ({', '.join(sorted(ALLOWED))})")
    stem = re.sub(r"[^a-z0-9_.-]+", "-", stem).strip("-.")[:80] or "file"
    return f"{stem}.{ext}"


def kind_of(name: str) -> str:
    ext = Path(name).suffix
    return next(kind for kind, exts in KINDS.items() if ext in exts)


def store(folder: Path, filename: str, data: bytes) -> str:
    """Write *data* as ``media/<safe name>`` (``-2``, ``-3`` … when taken); return the course-relative path."""
    name = safe_name(filename)
    if problem := content_error(data, name.rsplit(".", 1)[1]):  # by content, not by name; bombs never decoded
        raise MediaError(f"'{filename}' {problem}")
    media = folder / "media"
    stem, ext = name.rsplit(".", 1)
    target, n = media / name, 1
    while target.exists():
        n += 1
        target = media / f"{stem}-{n}.{ext}"
    write_atomic(target, data, durable=True)
    return target.relative_to(folder).as_posix()


def upload(
    app: Flask, session: Session, course: CourseRecord, user_id: int, filename: str, data: bytes
) -> tuple[str, Job]:
    """Store an uploaded file in the course's media/ (:func:`store`) and queue the job that makes its
    renditions; (its course-relative path, the job)."""
    path = store(course_dir(course), filename, data)
    return path, queue.submit(app, session, course, user_id, "media", {"path": path})


# The image syntax's target (images, video and audio all use it: docs/format.md); a lesson's text only
# ever adds to what a job makes, so a target this misses is made by the next build instead
_SHOWN = re.compile(r"!\[[^\]\n]{0,2000}\]\(\s*<?([^\s)>]{1,500})")


def saved_text(course: CourseRecord, path: str) -> str | None:
    """Lesson *path*'s text as saved (None for a file that is not there yet): what a save compares the
    media its new text shows with (:func:`queue_newly_shown`); read before the save."""
    try:
        return course_file(course, path).read_text("utf-8", errors="replace")
    except (OSError, ValueError):
        return None


def shown_media(course: CourseRecord, path: str, *texts: str) -> list[set[str]]:
    """For each of *texts* (lesson *path*'s Markdown), the course's image, video and audio files it shows,
    course-relative. The course's files are listed once for all of them, and not at all when no text
    shows anything."""
    targets = [_SHOWN.findall(text) for text in texts]
    if not any(targets):
        return [set() for _ in texts]
    files = file_index(course_dir(course), [])
    found = [{resolve_target(path, target, files) for target in each} for each in targets]
    return [{src for src in each if src in files and media_kind(src)} for each in found]


def queue_newly_shown(
    app: Flask, session: Session, course: CourseRecord, user_id: int | None, path: str, before: str | None, text: str
) -> None:
    """Renditions (a "media" job each) for the files lesson *path* shows in its saved *text* and did not
    in *before*: both editors' saves call it, so a file first shown by either gets its renditions."""
    if not path.endswith(".md"):
        return
    was, now = shown_media(course, path, before or "", text)
    queue_renditions(app, session, course, user_id, now - was)


def queue_renditions(app: Flask, session: Session, course: CourseRecord, user_id: int | None, srcs: set[str]) -> None:
    """A "media" job for each of *srcs* (a lesson's save that shows them for the first time, a course
    imported whole): their renditions are made after the request, never while a page is served."""
    for src in sorted(srcs):
        make_renditions(app, session, course, user_id, src)


def course_media(course: CourseRecord) -> set[str]:
    """Every image, video and audio file in the course's ``media/`` folder, course-relative."""
    folder = course_dir(course)
    media = folder / "media"
    found = (p.relative_to(folder).as_posix() for p in media.rglob("*") if p.is_file()) if media.is_dir() else ()
    return {src for src in found if media_kind(src)}


def make_renditions(app: Flask, session: Session, course: CourseRecord, user_id: int | None, src: str) -> None:
    """Queue a "media" job for *src*'s missing renditions, unless one is already queued or running for it."""
    waiting = session.scalars(
        select(Job).where(Job.course_id == course.id, Job.kind == "media", Job.status.in_(("queued", "running")))
    )
    if any(job.params.get("path") == src for job in waiting):
        return
    queue.submit(app, session, course, user_id, "media", {"path": src})


def existing(course: CourseRecord) -> list[str]:
    """The course's files in media/ a lesson can show or link (captions belong to their video, not here)."""
    media = course_dir(course) / "media"
    if not media.is_dir():
        return []
    return sorted(f"media/{f.name}" for f in media.iterdir() if f.is_file() and f.suffix.lower() in ALLOWED - {".vtt"})


def snippet(path: str, alt: str = "") -> str:
    """The Markdown that uses the file in a lesson."""
    kind = kind_of(path)
    label = alt or Path(path).stem.replace("-", " ")
    # images, video and audio share the image syntax (docs/format.md); anything else is a link
    return f"![{label}]({path})" if kind in ("image", "video", "audio") else f"[{label}]({path})"


def transcode(app: Flask, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The media job: probe one uploaded file and make its web versions (registered as the "media" kind)."""
    src = str(params.get("path", ""))
    if not src.startswith("media/") or ".." in src.split("/"):
        raise ValueError(f"{src!r} is not a media file of the course")
    kind = kind_of(src)
    if kind not in ("image", "video", "audio"):
        return {"path": src, "kind": kind, "outputs": []}
    progress = queue.progress(app, job_id)
    progress.set(0, f"probing {src}", force=True)
    media = MediaSet(folder, {src: kind})
    item = media.items.get(src)
    if item is None:
        raise ValueError(f"{src} is not in the course folder")
    if item.info.error:
        return {"path": src, "kind": kind, "error": item.info.error, "outputs": []}
    with progress_to(progress):
        made = [(name, file.stat().st_size) for name, file in media.files([o.name for o in item.outputs])]
    info = item.info
    return {
        "path": src,
        "kind": kind,
        "info": {"duration": info.duration, "width": info.width, "height": info.height},
        "outputs": [{"name": name, "bytes": size} for name, size in made],
    }
