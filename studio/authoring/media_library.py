"""A course's media library: every file of its ``media/`` folder with its size, kind, renditions, the
places the course uses it (from the course as :mod:`packager.load` reads it: lesson, line, alt text,
captions), and the changes an author makes to it: add (an identical file is reused, not uploaded
again), replace (the name stays, so lessons follow; the old bytes are kept), restore and delete (only
when unused).

Media files are bytes, not text, so they are not revisions; the bytes a replace or a delete takes away are
kept in ``<DATA_DIR>/media-history/<org>/<course>/<path>/`` and listed for restoring.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session

from packager import Course as CourseModel
from packager.files import write_atomic
from packager.markdown.rules import media_kind
from packager.media.probe import content_error

from ..models import CourseRecord, Job
from . import library, media_files
from .media_files import MediaError
from .storage import PathError, clean_path, course_dir

MAX_KEPT = 20  # earlier versions kept per file; the oldest go first


@dataclass(frozen=True)
class Use:
    """One place the course uses a file: the file (a lesson, course.yml) and line, how (image, video,
    audio, attachment, captions, thumbnail) and the text it is given there (alt text, title, link text)."""

    file: str
    line: int | None
    how: str
    text: str = ""


@dataclass(frozen=True)
class Rendition:
    name: str
    made: bool


@dataclass
class MediaFile:
    path: str
    size: int
    kind: str
    uses: list[Use] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)
    """Language -> caption file, for video and audio as the lessons give them."""
    renditions: list[Rendition] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)
    """Kept versions (newest first), by the name :func:`restore` takes."""

    @property
    def needs_captions(self) -> bool:
        return self.kind == "video" and not self.captions

    @property
    def snippet(self) -> str:
        alt = next((use.text for use in self.uses if use.text and use.how in ("image", "video", "audio")), "")
        if self.kind not in ("image", "video", "audio"):  # captions, PDFs, credits: a link
            return f"[{Path(self.path).stem.replace('-', ' ')}]({self.path})"
        return media_files.snippet(self.path, alt)


@dataclass(frozen=True)
class Added:
    path: str
    reused: bool
    job: Job | None = None


def kind_of(path: str) -> str:
    try:
        return media_files.kind_of(path)
    except StopIteration:  # a file put in by other means than the upload, of a type it does not take
        return "other"


def _media_paths(folder: Path) -> list[str]:
    media = folder / "media"
    if not media.is_dir():
        return []
    found = (p.relative_to(folder).as_posix() for p in media.rglob("*") if p.is_file() and not p.is_symlink())
    return sorted(path for path in found if not any(part.startswith(".") for part in path.split("/")))


def uses(model: CourseModel) -> dict[str, list[Use]]:
    """Course-relative path -> the places the loaded course uses it, in course order."""
    found: dict[str, list[Use]] = {}
    if model.thumbnail:
        from packager.checks.mediafiles import thumbnail_line

        found.setdefault(model.thumbnail, []).append(Use("course.yml", thumbnail_line(model), "thumbnail"))
    for lesson in model.lessons:
        for ref in lesson.media:
            found.setdefault(ref.src, []).append(Use(lesson.path, ref.line, ref.kind, ref.text))
            for cap in ref.captions:
                found.setdefault(cap.src, []).append(Use(lesson.path, ref.line, "captions", cap.lang))
    return found


def _renditions(folder: Path, files: list[MediaFile]) -> None:
    """Each shown file's renditions, made or not, as the media cache holds them (probing reads the cache
    too; nothing is made here)."""
    shown = {f.path: f.kind for f in files if f.kind in ("image", "video", "audio") and media_kind(f.path)}
    if not shown:
        return
    from packager.media import MediaSet

    media = MediaSet(folder, shown)
    by_path = {f.path: f for f in files}
    for src, item in media.items.items():
        by_path[src].renditions = [
            Rendition(out.name, out.rendition == "copy" or media.cache_path(item, out).is_file())
            for out in item.outputs
            if out.name != src or out.rendition != "copy"
        ]


def files(course: CourseRecord) -> list[MediaFile]:
    """Every file of the course's media/ folder, with where it is used, its captions and renditions."""
    folder = course_dir(course)
    used = uses(library.load(course))
    out = []
    for path in _media_paths(folder):
        item = MediaFile(path, (folder / path).stat().st_size, kind_of(path), used.get(path, []))
        item.captions = _captions_of(path, used)
        item.earlier = earlier(course, path)
        out.append(item)
    _renditions(folder, out)
    return out


def _captions_of(path: str, used: dict[str, list[Use]]) -> dict[str, str]:
    """The caption files the lessons give *path*: language -> file."""
    places = {(use.file, use.line) for use in used.get(path, [])}
    return {
        use.text: src
        for src, found in used.items()
        for use in found
        if use.how == "captions" and (use.file, use.line) in places
    }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def identical(folder: Path, data: bytes) -> str | None:
    """The media file with exactly *data*'s bytes, if any (sizes compared first, then SHA-256)."""
    digest = None
    for path in _media_paths(folder):
        if (folder / path).stat().st_size != len(data):
            continue
        digest = digest or _digest(data)
        if _digest((folder / path).read_bytes()) == digest:
            return path
    return None


def upload(app: Flask, session: Session, course: CourseRecord, user_id: int, filename: str, data: bytes) -> Added:
    """Upload *data* into media/ (:func:`media_files.upload`), unless the folder holds the same bytes
    already: then that file's path, reused."""
    media_files.safe_name(filename)  # a type the studio takes, reused or not
    same = identical(course_dir(course), data)
    if same:
        return Added(same, reused=True)
    path, job = media_files.upload(app, session, course, user_id, filename, data)
    return Added(path, reused=False, job=job)


def _existing(course: CourseRecord, path: str) -> Path:
    try:
        norm = clean_path(path, suffixes=tuple(media_files.ALLOWED))
    except PathError as exc:
        raise MediaError(str(exc)) from None
    media = (course_dir(course) / "media").resolve()
    file = (course_dir(course) / norm).resolve()  # a symlink that leads out of media/ is not one of its files
    if not norm.startswith("media/") or not file.is_relative_to(media) or not file.is_file():
        raise MediaError(f"'{path}' is not a file of the course's media folder")
    return course_dir(course) / norm


def _history(course: CourseRecord, path: str) -> Path:
    return Path(current_app.config["DATA_DIR"]) / "media-history" / course.organisation.slug / course.slug / path


def earlier(course: CourseRecord, path: str) -> list[str]:
    folder = _history(course, path)
    return sorted((p.name for p in folder.iterdir() if p.is_file()), reverse=True) if folder.is_dir() else []


def deleted(course: CourseRecord) -> dict[str, list[str]]:
    """Files deleted from media/ whose bytes are kept: path -> versions (newest first)."""
    root = _history(course, "")
    if not root.is_dir():
        return {}
    folder = course_dir(course)
    gone = {p.parent.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return {path: earlier(course, path) for path in sorted(gone) if not (folder / path).exists()}


def _keep(course: CourseRecord, path: str, data: bytes) -> str:
    """Keep *data* as an earlier version of *path*; its name (``<UTC time>-<hash>.<ext>``)."""
    folder = _history(course, path)
    name = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{_digest(data)[:12]}{Path(path).suffix}"
    write_atomic(folder / name, data, durable=True)
    for old in earlier(course, path)[MAX_KEPT:]:
        (folder / old).unlink(missing_ok=True)
    return name


def replace(app: Flask, session: Session, course: CourseRecord, user_id: int, path: str, data: bytes) -> None:
    """New bytes for *path* under the same name (the lessons that use it follow); the old bytes are kept
    (:func:`earlier`) and its renditions are made again by a job."""
    file = _existing(course, path)
    rel = file.relative_to(course_dir(course)).as_posix()
    if problem := content_error(data, file.suffix[1:].lower()):
        raise MediaError(f"the new '{file.name}' {problem}")
    old = file.read_bytes()
    if old == data:
        raise MediaError(f"the file chosen is the same as '{rel}' already")
    _keep(course, rel, old)
    write_atomic(file, data, durable=True)
    if media_kind(rel):
        media_files.make_renditions(app, session, course, user_id, rel)


def restore(app: Flask, session: Session, course: CourseRecord, user_id: int, path: str, version: str) -> None:
    """Put the kept *version* of *path* back (the bytes it replaces are kept in turn)."""
    rel = clean_path(path, suffixes=tuple(media_files.ALLOWED))
    if not rel.startswith("media/") or version not in earlier(course, rel):
        raise MediaError(f"there is no earlier version '{version}' of '{path}'")
    data = (_history(course, rel) / version).read_bytes()
    file = course_dir(course) / rel
    if file.is_file():
        replace(app, session, course, user_id, rel, data)
        return
    write_atomic(file, data, durable=True)  # deleted, now back
    if media_kind(rel):
        media_files.make_renditions(app, session, course, user_id, rel)


def remove(course: CourseRecord, path: str) -> None:
    """Remove *path* from media/ if nothing in the course uses it (else MediaError naming the places);
    its bytes are kept for :func:`restore`."""
    file = _existing(course, path)
    rel = file.relative_to(course_dir(course)).as_posix()
    places = uses(library.load(course)).get(rel, [])
    if places:
        where = ", ".join(f"{use.file}" + (f" line {use.line}" if use.line else "") for use in places)
        raise MediaError(f"'{rel}' is used by {where}: remove it there first")
    _keep(course, rel, file.read_bytes())
    file.unlink()
