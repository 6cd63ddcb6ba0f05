"""Builds and media transcodes as background jobs on a real queue (Huey).

The queue is embedded by default (``SqliteHuey`` in ``DATA_DIR/jobs.db``: no other server), or Redis
when ``QUEUE_URL`` is ``redis://…`` (``RedisHuey``). Workers are ``kstudio worker`` processes on any
machine sharing the database and the data folder; ``kstudio serve`` runs one in itself for the
embedded queue. A job's state, progress and results live in the ``job`` table, so any studio process
can show them; the queue only carries the job's id.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from packager import FORMATS, CourseError, check_course, export, load_course
from packager.media import MediaSet, ProgressEvent, progress_to, size_report

from .db import session_for
from .media_files import kind_of
from .models import Course, Job, now

log = logging.getLogger(__name__)
FORMAT_NAMES = {
    "scorm2004": "SCORM 2004 (4th edition)",
    "scorm12": "SCORM 1.2",
    "igot": "iGOT Karmayogi",
    "xapi": "xAPI (tincan.xml)",
    "cmi5": "cmi5",
    "html": "Offline site (HTML)",
    "pdf": "PDF handout",
}
BUILD_FORMATS = tuple(sorted(FORMATS, key=lambda f: list(FORMAT_NAMES).index(f) if f in FORMAT_NAMES else 99))


def make_queue(app: Flask) -> Huey:
    """The app's queue, with the one task every worker runs (registered by name, so any process that
    made the same app can run jobs another process queued)."""
    url = app.config.get("QUEUE_URL")
    if url and str(url).startswith(("redis://", "rediss://", "unix://")):
        huey: Huey = RedisHuey("kstudio", url=url)
    elif url:
        raise ValueError(f"unknown queue {url!r}: give redis://HOST:PORT/DB, or nothing for the embedded queue")
    else:
        huey = SqliteHuey("kstudio", filename=str(Path(app.config["DATA_DIR"]) / "jobs.db"))

    @huey.task(name="studio.run_job")
    def run_job(job_id: int) -> None:
        execute(app, job_id)

    app.extensions["studio.queue"] = huey
    app.extensions["studio.run_job"] = run_job
    return huey


def builds_dir(app: Flask, job_id: int) -> Path:
    return Path(app.config["DATA_DIR"]) / "builds" / str(job_id)


def submit(app: Flask, session: Any, course: Course, user_id: int | None, kind: str, params: dict[str, Any]) -> Job:
    job = Job(course_id=course.id, user_id=user_id, kind=kind, params=json.dumps(params))
    session.add(job)
    session.commit()
    try:
        app.extensions["studio.run_job"](job.id)
    except Exception as exc:  # the queue is down (Redis unreachable): say so on the job, not as a 500
        log.error("could not queue job %s: %s", job.id, exc)
        job.status, job.message, job.finished_at = "failed", f"the job queue cannot be reached: {exc}", now()
        session.commit()
    return job


class _Progress:
    """Writes progress to the job's row, at most a few times a second (the page polls it)."""

    def __init__(self, app: Flask, job_id: int, start: int = 0, span: int = 100):
        self.app, self.job_id, self.start, self.span = app, job_id, start, span
        self.last = 0.0
        self.lock = threading.Lock()

    def set(self, percent: float, message: str, force: bool = False) -> None:
        with self.lock:
            if not force and time.monotonic() - self.last < 0.3:
                return
            self.last = time.monotonic()
            session = session_for(self.app)
            try:
                job = session.get(Job, self.job_id)
                if job is not None:
                    job.progress = int(self.start + self.span * max(0.0, min(1.0, percent)))
                    job.message = message[:500]
                    session.commit()
            finally:
                session.close()

    def __call__(self, event: ProgressEvent) -> None:
        overall = (event.done + (event.fraction if event.fraction < 1 else 0)) / max(1, event.total)
        self.set(overall, f"{event.done}/{event.total} {event.name} {event.fraction:.0%}")


def execute(app: Flask, job_id: int) -> None:
    """Run one job; every outcome, failure included, ends up in its row (never only in a log)."""
    session = session_for(app)
    try:
        job = session.get(Job, job_id)
        if job is None or job.status not in ("queued", "running"):
            return
        course = session.get(Course, job.course_id)
        assert course is not None
        folder = Path(app.config["COURSES_ROOT"]) / course.organisation.slug / course.slug
        job.status, job.progress, job.message = "running", 0, "started"
        session.commit()
        params = json.loads(job.params or "{}")
        try:
            if job.kind == "build":
                result = _build(app, job.id, folder, params)
            elif job.kind == "media":
                result = _media(app, job.id, folder, params)
            elif job.kind == "submission":  # the catalogue's submit job: build, gate, freeze
                from .submissions import run

                result = run(app, session, job.id, folder, params, _Progress(app, job.id, 5, 90))
            else:
                raise ValueError(f"unknown job kind {job.kind!r}")
            job.status, job.progress, job.message = "done", 100, "finished"
        except CourseError as exc:
            result = {"problems": [p.format() for p in exc.problems if p.severity == "error"]}
            job.status, job.message = "failed", str(exc)
        except Exception as exc:  # a job must never vanish: the error is the job's result
            log.exception("job %s failed", job_id)
            result = {}
            job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
        job.result = json.dumps(result)
        job.finished_at = now()
        session.commit()
    finally:
        session.close()


def _build(app: Flask, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    fmt = params.get("format")
    if fmt not in BUILD_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    progress = _Progress(app, job_id, 5, 90)
    progress.set(0, "loading the course", force=True)
    course = load_course(folder)
    problems = check_course(course)
    out = builds_dir(app, job_id)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    options = {"answers": True} if params.get("answers") else {}
    with progress_to(progress):
        path = export(course, fmt, out, lang=params.get("lang") or None, **options)
    report = size_report(path)
    return {
        "files": [{"name": path.name, "bytes": path.stat().st_size}],
        "report": report.summary(),
        "warnings": [p.format() for p in problems if p.severity == "warning"],
    }


def _media(app: Flask, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    src = str(params.get("path", ""))
    if not src.startswith("media/") or ".." in src.split("/"):
        raise ValueError(f"{src!r} is not a media file of the course")
    kind = kind_of(src)
    if kind not in ("image", "video", "audio"):
        return {"path": src, "kind": kind, "outputs": []}
    progress = _Progress(app, job_id)
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


def start_embedded_worker(app: Flask, workers: int = 1) -> Any:
    """A consumer running in this process's threads (``kstudio serve`` with the embedded queue)."""
    huey = app.extensions["studio.queue"]
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, check_worker_health=False, max_delay=0.5
    )
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for sig, handler in saved.items():  # the web server keeps its own Ctrl-C and TERM handling
        signal.signal(sig, handler)
    return consumer


def run_worker(app: Flask, workers: int = 1) -> None:
    """``kstudio worker``: run jobs until interrupted."""
    huey = app.extensions["studio.queue"]
    huey.create_consumer(workers=workers, worker_type="thread", periodic=False, max_delay=0.5).run()
