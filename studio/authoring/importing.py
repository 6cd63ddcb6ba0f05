"""A Word, PowerPoint, SCORM or H5P file made into a course of the organisation, as a job ("import").

The upload is kept under ``DATA_DIR/imports/`` and recognised at once (a file of no known kind, or a
hostile zip, is refused before anything is queued); the job runs ``kstudio import`` into a new course
folder, then the course enters the organisation as one made from the starter does. The job's result
names the course and its ``import-report.md``.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import IO, Any

from flask import Flask
from sqlalchemy.orm import Session

from packager.archive import Limits
from packager.importing import READERS, ImportOptions, import_file, recognise

from ..jobs import queue
from ..models import Job, Organisation
from . import library, media_files

KIND = "import"
SUFFIXES = tuple(s for reader in READERS.values() for s in reader.suffixes)
CHUNK = 1 << 16


class ImportFailed(ValueError):
    """The file was not taken; the message says why."""


def limits(app: Flask) -> Limits:
    cfg = app.config
    return Limits(cfg["IMPORT_MAX_FILES"], cfg["IMPORT_MAX_BYTES"], cfg["IMPORT_MAX_RATIO"])


def uploads_dir(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"]) / "imports"


def submit(
    app: Flask, session: Session, org: Organisation, upload: IO[bytes], filename: str, user_id: int | None
) -> Job:
    """Keep the upload, recognise its kind, check the course's name is free, and queue the import."""
    # the author's own name (the report names it), less what a file system would read as a path
    name = re.sub(r"[\x00-\x1f\x7f]", "", Path(filename.replace("\\", "/")).name).strip(" .")[-120:] or "upload"
    slug = library.slug_for(Path(name).stem)
    library.check_new(session, org, slug)  # CourseNameError now, rather than a failed job later
    folder = uploads_dir(app) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / name
    try:
        with open(path, "xb") as out:
            shutil.copyfileobj(upload, out, CHUNK)
        reader = recognise(path, limits(app))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    params = {"org": org.id, "upload": path.relative_to(uploads_dir(app)).as_posix(), "filename": filename[:200]}
    params |= {"slug": slug, "reader": reader.name}
    return queue.submit(app, session, None, user_id, KIND, params)


def run_job(app: Flask, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The "import" job kind: import the upload into a new course folder and register the course."""
    progress = queue.progress(app, job_id, 0, 95)
    upload = uploads_dir(app) / params["upload"]
    org = session.get(Organisation, params["org"])
    job = session.get(Job, job_id)
    try:
        if org is None:
            raise ImportFailed("the organisation no longer exists")
        with app.app_context():
            target = library.check_new(session, org, params["slug"])
            # the importing organisation is the course's provider (not the starter's placeholder, a warning)
            options = ImportOptions(limits=limits(app), provider_id=org.slug, provider_name=org.name)
            result = import_file(upload, target, options=options, progress=lambda f, m: progress.set(f, m))
            user_id = job.user_id if job else None
            course = library.register_imported(session, org, params["slug"], user_id)
            # its media's renditions, made by jobs now rather than when a preview first asks
            media_files.queue_renditions(app, session, course, user_id, media_files.course_media(course))
    finally:
        shutil.rmtree(upload.parent, ignore_errors=True)
    return {
        "course": course.slug,
        "title": course.title,
        "report": "import-report.md",
        "counts": result.counts,
        "problems": [p.format() for p in result.problems],
    }
