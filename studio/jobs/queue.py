"""Builds, media transcodes and submissions as background jobs on a real queue (Huey).

Each area registers the kinds of job it runs (:func:`register_kind`, from the app factory); the queue
runs builds itself and imports no area.

The queue is embedded by default (``SqliteHuey`` in ``DATA_DIR/jobs.db``: no other server), or Redis
when ``QUEUE_URL`` is ``redis://…`` (``RedisHuey``). Workers are ``kstudio worker`` processes on any
machine sharing the database and the data folder; ``kstudio serve`` runs one in itself for the
embedded queue. A job's state, progress and results live in the ``job`` table, so any studio process
can show them; the queue only carries the job's id.

A worker can die at any moment (``kill -9``, the machine reboots), so a running job holds a *lease*:
the worker that claimed it renews ``lease_until`` from a heartbeat thread while the job runs. A job
whose lease has expired was abandoned; :func:`reap` queues it again (``JOB_MAX_ATTEMPTS`` runs in
all) or fails it with a message saying so. Every worker reaps when it starts and then periodically,
and the studio reaps when it shows jobs, so a dead job never blocks a course. Each worker also keeps
a row in the ``worker`` table fresh, so the studio can say when no worker is running at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from sqlalchemy import CursorResult, Result, delete, func, or_, select, update
from sqlalchemy.orm import Session

from packager import FORMATS, CourseError, ExportError, build, temporaries
from packager.media import ProgressEvent
from packager.media.store import media_dir
from packager.runner import LOCAL

from ..db import session_for
from ..models import CourseRecord, Job, Worker, now

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
LEASE_SECONDS = 60  # JOB_LEASE_SECONDS: how long a running job survives its worker's silence
MAX_ATTEMPTS = 2  # JOB_MAX_ATTEMPTS: runs of a job whose worker keeps dying, before it fails
ABANDONED = "the worker stopped while running this job"


def lease_seconds(app: Flask) -> float:
    return float(app.config.get("JOB_LEASE_SECONDS", LEASE_SECONDS))


def max_attempts(app: Flask) -> int:
    return int(app.config.get("JOB_MAX_ATTEMPTS", MAX_ATTEMPTS))


def worker_name() -> str:
    """``host:pid`` of this process, as jobs and the worker table name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
    app.extensions["studio.job_kinds"] = {}
    register_kind(app, "build", lambda app, session, job_id, folder, params: _build(app, job_id, folder, params))
    from .build_all import KIND, run  # every format x chosen languages, one job (it imports this module)

    register_kind(app, KIND, run)
    return huey


# A job kind's runner: (app, session, job id, the course's folder, the job's params) -> the job's result
# (its "message", if any, becomes the job's message); it raises JobFailed to fail with a result
Runner = Callable[[Flask, Session, int, Path, dict[str, Any]], dict[str, Any]]


class JobFailed(Exception):
    """A runner's outcome that is a failure with a result to show (why each part failed)."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.result = result


def register_kind(app: Flask, kind: str, runner: Runner) -> None:
    """Let *app*'s workers run jobs of *kind*: each area registers its own kinds (the queue imports none)."""
    app.extensions["studio.job_kinds"][kind] = runner


def progress(app: Flask, job_id: int, start: int = 0, span: int = 100) -> _Progress:
    """A runner's progress, written to the job's row (*start*..*start* + *span* percent)."""
    return _Progress(app, job_id, start, span)


def recent(session: Session, course: CourseRecord, limit: int = 30) -> list[Job]:
    """The course's newest jobs, newest first."""
    return list(session.scalars(select(Job).where(Job.course_id == course.id).order_by(Job.id.desc()).limit(limit)))


def course_folder(app: Flask, course: CourseRecord) -> Path:
    return Path(app.config["COURSES_ROOT"]) / course.organisation.slug / course.slug


def builds_dir(app: Flask, job_id: int) -> Path:
    return Path(app.config["DATA_DIR"]) / "builds" / str(job_id)


def submit(
    app: Flask, session: Any, course: CourseRecord | None, user_id: int | None, kind: str, params: dict[str, Any]
) -> Job:
    """Queue a job of *course* (None for a job that makes a course: an import)."""
    job = Job(course_id=course.id if course else None, user_id=user_id, kind=kind, params=params)
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


def _rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE matched (``Session.execute`` is typed as returning a ``Result``; for an UPDATE
    it is a ``CursorResult``, which has the count)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def claim(app: Flask, session: Session, job_id: int) -> Job | None:
    """Take *job_id* for this worker: only a queued job (or a running one whose lease has expired) is
    taken, in one conditional UPDATE, so a job delivered twice still runs once at a time."""
    at = now()
    taken = _rowcount(
        session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                or_(
                    Job.status == "queued",
                    (Job.status == "running") & (or_(Job.lease_until.is_(None), Job.lease_until < at)),
                ),
            )
            .values(
                status="running",
                progress=0,
                message="started",
                worker=worker_name(),
                heartbeat_at=at,
                lease_until=at + dt.timedelta(seconds=lease_seconds(app)),
                attempts=Job.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    return session.get(Job, job_id) if taken else None


class _Lease(threading.Thread):
    """Renews the lease of the job this worker runs, until stopped (the job ended) or the process dies."""

    def __init__(self, app: Flask, job_id: int):
        super().__init__(name=f"lease-{job_id}", daemon=True)
        self.app, self.job_id, self.done = app, job_id, threading.Event()

    def run(self) -> None:
        seconds = lease_seconds(self.app)
        while not self.done.wait(max(0.2, seconds / 4)):
            try:
                _renew(self.app, self.job_id, seconds)
            except Exception as exc:  # the database is away for a moment: the next beat tries again
                log.warning("could not renew the lease of job %s: %s", self.job_id, exc)

    def stop(self) -> None:
        self.done.set()
        self.join()


def _renew(app: Flask, job_id: int, seconds: float) -> None:
    session = session_for(app)
    try:
        at = now()
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running", Job.worker == worker_name())
            .values(heartbeat_at=at, lease_until=at + dt.timedelta(seconds=seconds))
            .execution_options(synchronize_session=False)
        )
        session.commit()
    finally:
        session.close()


def execute(app: Flask, job_id: int) -> None:
    """Run one job; every outcome, failure included, ends up in its row (never only in a log)."""
    session = session_for(app)
    try:
        job = claim(app, session, job_id)
        if job is None:
            return
        lease = _Lease(app, job_id)
        lease.start()
        try:
            course = session.get(CourseRecord, job.course_id) if job.course_id is not None else None
            if course is not None:
                folder = Path(app.config["COURSES_ROOT"]) / course.organisation.slug / course.slug
                temporaries.sweep(folder, lease_seconds(app))  # what an earlier, killed job of this course left
            else:  # a job that makes a course (an import) gets the root of the course folders
                folder = Path(app.config["COURSES_ROOT"])
            params = job.params
            runner = app.extensions["studio.job_kinds"].get(job.kind)
            if runner is None:
                raise ValueError(f"unknown job kind {job.kind!r}")
            with app.app_context():  # as a request has: what a runner calls may read the app's config
                result = runner(app, session, job.id, folder, params)
            status, message = "done", str(result.pop("message", "finished"))  # a runner may say more ("14 packages")
        except JobFailed as exc:
            session.rollback()
            result, status, message = exc.result, "failed", str(exc)
        except CourseError as exc:
            session.rollback()
            result = {"problems": [p.format() for p in exc.problems if p.severity == "error"]}
            status, message = "failed", str(exc)
        except Exception as exc:  # a job must never vanish: the error is the job's result
            log.exception("job %s failed", job_id)
            session.rollback()
            result, status, message = {}, "failed", f"{type(exc).__name__}: {exc}"
        finally:
            lease.stop()
        _finish(app, session, job_id, status, message, result)
    finally:
        session.close()


def _finish(app: Flask, session: Session, job_id: int, status: str, message: str, result: dict[str, Any]) -> None:
    """Record the outcome. If that fails (the disk is full, the database is away), record at least that
    the job failed and why, in a fresh session with the smallest write; a job never stays running."""
    values = {"status": status, "message": message, "result": result, "finished_at": now()}
    if status == "done":
        values["progress"] = 100
    try:
        _end(session, job_id, values)
        return
    except Exception as exc:
        log.exception("could not record the outcome of job %s", job_id)
        session.rollback()
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    values = {"status": "failed", "message": f"the job's result could not be recorded: {reason}", "finished_at": now()}
    fresh = session_for(app)
    try:
        _end(fresh, job_id, values)
    except Exception:  # even that failed: the lease expires and the reaper ends the job
        log.exception("could not record that job %s failed", job_id)
    finally:
        fresh.close()


def _end(session: Session, job_id: int, values: dict[str, Any]) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.worker == worker_name())
        .values(**values, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def reap(app: Flask) -> list[int]:
    """Queue again, or fail, every running job whose lease has expired; returns their ids.

    Each job is moved by a conditional UPDATE on the lease it had, so two reapers (two workers starting
    together) never both queue it again.
    """
    session = session_for(app)
    requeue: list[int] = []
    try:
        at = now()
        limit = max_attempts(app)
        stale = session.execute(
            select(Job.id, Job.attempts, Job.lease_until, Job.worker).where(
                Job.status == "running", or_(Job.lease_until.is_(None), Job.lease_until < at)
            )
        ).all()
        failed: list[int] = []
        for job_id, attempts, lease_until, worker in stale:
            same_lease = Job.lease_until.is_(None) if lease_until is None else Job.lease_until == lease_until
            if attempts < limit:
                values: dict[str, Any] = {
                    "status": "queued",
                    "progress": 0,
                    "message": f"{ABANDONED} ({worker or 'unknown'}); queued again",
                }
            else:
                retried = attempts - 1
                values = {
                    "status": "failed",
                    "message": f"{ABANDONED}; it was retried {retried} time{'' if retried == 1 else 's'}",
                    "finished_at": at,
                }
            moved = _rowcount(
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == "running", same_lease)
                    .values(**values, lease_until=None, worker="")
                    .execution_options(synchronize_session=False)
                )
            )
            session.commit()
            if moved:
                log.warning("job %s: %s", job_id, values["message"])
                (requeue if values["status"] == "queued" else failed).append(job_id)
        for job_id in failed:  # a failed build offers no files: what it left is removed
            shutil.rmtree(builds_dir(app, job_id), ignore_errors=True)
    finally:
        session.close()
    for job_id in requeue:
        try:
            app.extensions["studio.run_job"](job_id)
        except Exception as exc:  # the queue is away: the job fails with the reason instead
            log.error("could not queue job %s again: %s", job_id, exc)
            _fail_queued(app, job_id, f"the job queue cannot be reached: {exc}")
    return requeue + failed


def _fail_queued(app: Flask, job_id: int, message: str) -> None:
    session = session_for(app)
    try:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="failed", message=message, finished_at=now())
            .execution_options(synchronize_session=False)
        )
        session.commit()
    finally:
        session.close()


def sweep_temporaries(app: Flask) -> list[Path]:
    """Remove the temporaries (half-written packages and renditions) of processes that are gone."""
    age = lease_seconds(app)
    return temporaries.sweep(Path(app.config["DATA_DIR"]) / "builds", age) + temporaries.sweep(media_dir(), age)


def job_fields(app: Flask, session: Session, job: Job, result: dict[str, Any]) -> dict[str, Any]:
    """What a job's page and its status poll show of *job* (with *result* as the page shapes it); the
    pages add their own addresses."""
    return {
        "id": job.id,
        "kind": job.kind,
        "params": job.params,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": result,
        "no_worker": job.status == "queued" and not worker_running(app, session),
    }


def worker_running(app: Flask, session: Session) -> bool:
    """Whether some worker's heartbeat is fresh (within one lease)."""
    since = now() - dt.timedelta(seconds=lease_seconds(app))
    return session.scalar(select(func.count()).select_from(Worker).where(Worker.heartbeat_at >= since)) != 0


def waiting_without_worker(app: Flask, session: Session, course_id: int | None = None) -> bool:
    """Whether jobs wait in the queue (of one course, or any) while no worker runs to take them."""
    queued = select(func.count()).select_from(Job).where(Job.status == "queued")
    if course_id is not None:
        queued = queued.where(Job.course_id == course_id)
    return session.scalar(queued) != 0 and not worker_running(app, session)


class Heartbeat(threading.Thread):
    """A worker's own beat: keeps its ``worker`` row fresh, and reaps abandoned jobs and temporaries
    when it starts and then once per lease."""

    def __init__(self, app: Flask):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.app, self.done = app, threading.Event()
        self.name_ = worker_name()

    def beat(self) -> None:
        session = session_for(self.app)
        try:
            at = now()
            row = session.scalar(select(Worker).where(Worker.name == self.name_))
            if row is None:
                session.add(Worker(name=self.name_, started_at=at, heartbeat_at=at))
            else:
                row.heartbeat_at = at
            # rows of workers silent for a day are gone for good
            session.execute(delete(Worker).where(Worker.heartbeat_at < at - dt.timedelta(days=1)))
            session.commit()
        finally:
            session.close()

    def housekeeping(self) -> None:
        reap(self.app)
        sweep_temporaries(self.app)

    def run(self) -> None:
        seconds = lease_seconds(self.app)
        last_reap = time.monotonic()
        while not self.done.wait(max(0.2, seconds / 4)):
            try:
                self.beat()
                if time.monotonic() - last_reap >= seconds:
                    last_reap = time.monotonic()
                    self.housekeeping()
            except Exception as exc:  # the database is away for a moment: the next beat tries again
                log.warning("worker heartbeat failed: %s", exc)

    def start(self) -> None:
        self.beat()
        try:
            self.housekeeping()
        except Exception as exc:
            log.warning("could not reap abandoned jobs: %s", exc)
        super().start()

    def stop(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join()
        session = session_for(self.app)
        try:
            session.execute(delete(Worker).where(Worker.name == self.name_))
            session.commit()
        except Exception as exc:
            log.warning("could not remove the worker row %s: %s", self.name_, exc)
        finally:
            session.close()


def _build(app: Flask, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    fmt = params.get("format")
    if fmt not in BUILD_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    progress = _Progress(app, job_id, 5, 90)
    progress.set(0, "loading the course", force=True)
    out = builds_dir(app, job_id)
    shutil.rmtree(out, ignore_errors=True)
    options = {"answers": True} if params.get("answers") else {}
    report = build(folder, [fmt], params.get("lang") or None, out, options=options, progress=progress, runner=LOCAL)
    for failure in report.failures:
        if failure.problems:
            raise CourseError(report.problems[failure.lang])
        raise ExportError(failure.message)
    package = report.packages[0]
    return {  # the package, then what its format wrote beside it (iGOT's metadata and assessments)
        "files": [{"name": f.name, "bytes": f.stat().st_size} for f in [package.path, *package.beside]],
        "report": package.summary,
        "warnings": [p.format() for p in report.warnings(package.lang)],
    }


class EmbeddedWorker:
    """The consumer and heartbeat of a worker running in this process's threads."""

    def __init__(self, consumer: Any, heartbeat: Heartbeat):
        self.consumer, self.heartbeat = consumer, heartbeat

    def stop(self, graceful: bool = True) -> None:
        self.consumer.stop(graceful=graceful)
        self.heartbeat.stop()


def start_embedded_worker(app: Flask, workers: int = 1) -> EmbeddedWorker:
    """A consumer running in this process's threads (``kstudio serve`` with the embedded queue)."""
    huey = app.extensions["studio.queue"]
    heartbeat = Heartbeat(app)
    heartbeat.start()
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, check_worker_health=False, max_delay=0.5
    )
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for sig, handler in saved.items():  # the web server keeps its own Ctrl-C and TERM handling
        signal.signal(sig, handler)
    return EmbeddedWorker(consumer, heartbeat)


def run_worker(app: Flask, workers: int = 1) -> None:
    """``kstudio worker``: run jobs until interrupted (its heartbeat first reaps what dead workers left)."""
    huey = app.extensions["studio.queue"]
    heartbeat = Heartbeat(app)
    heartbeat.start()
    try:
        huey.create_consumer(workers=workers, worker_type="thread", periodic=False, max_delay=0.5).run()
    finally:
        heartbeat.stop()
