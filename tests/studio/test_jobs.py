"""Builds and media jobs through the real queue: the embedded one (SQLite) and Redis, with the worker
as a thread of this process and as a separate ``kstudio worker`` process."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from studio.jobs.queue import start_embedded_worker
from studio.models import now
from tests.studio.conftest import LESSON, Person, make_app, populate
from tests.studio.processes import studio_env
from tests.studio.servers import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["embedded", "redis"])
def queue(request, redis_url):
    return None if request.param == "embedded" else redis_url


@pytest.fixture
def studio(tmp_path, queue):
    app = make_app(tmp_path / "data", QUEUE_URL=queue)
    populate(app)
    return app


def wait_for(who, url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = who.get(url).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job not finished: {job}")


def test_build_job_runs_reports_progress_and_offers_the_package(studio):
    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        response = author.post("/o/inst/c/c1/build", {"format": "scorm2004"})
        assert response.status_code == 302
        page = author.get(response.headers["Location"]).get_data(as_text=True)
        assert 'id="job-progress"' in page
        job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        job = wait_for(author, f"/api/o/inst/c/c1/jobs/{job_id}")
        assert job["status"] == "done" and job["progress"] == 100, job
        [package] = job["result"]["files"]
        assert package["name"].endswith("scorm2004.zip") and "player" in job["result"]["report"]
        download = author.get(package["url"])
        assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
        assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()
        assert package["name"] in author.get(f"/o/inst/c/c1/jobs/{job_id}").get_data(as_text=True)
    finally:
        consumer.stop(graceful=True)


def test_an_igot_build_offers_the_files_written_beside_its_package(studio):
    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        location = author.post("/o/inst/c/c1/build", {"format": "igot"}).headers["Location"]
        job_id = int(location.rstrip("/").rsplit("/", 1)[1])
        job = wait_for(author, f"/api/o/inst/c/c1/jobs/{job_id}")
    finally:
        consumer.stop(graceful=True)
    assert job["status"] == "done", job
    names = [f["name"] for f in job["result"]["files"]]
    assert names[0].endswith("-igot.zip") and any(n.endswith("-igot-metadata.json") for n in names), names
    for file in job["result"]["files"]:  # each listed, and each one downloads (they were 404 before)
        assert author.get(file["url"]).status_code == 200, file


def test_a_build_of_a_course_with_errors_fails_with_the_problems(studio):
    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        page = author.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
        base = int(page.split('data-base="')[1].split('"')[0])
        author.api(
            "/api/o/inst/c/c1/save", {"path": LESSON, "text": "---\ntitle: A\n---\n![](media/gone.png)\n", "base": base}
        )
        location = author.post("/o/inst/c/c1/build", {"format": "html"}).headers["Location"]
        job = wait_for(author, "/api" + location)
        assert job["status"] == "failed" and any("missing image file" in p for p in job["result"]["problems"])
        assert author.get(location).status_code == 200
    finally:
        consumer.stop(graceful=True)


def test_media_upload_runs_the_pipeline_as_a_job(studio):
    from PIL import Image

    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        png = io.BytesIO()
        Image.new("RGB", (2000, 1000), "teal").save(png, "PNG")
        response = author.client.post(
            "/api/o/inst/c/c1/media",
            data={"file": (io.BytesIO(png.getvalue()), "wide.png"), "alt": "Teal"},
            headers={"X-CSRFToken": author.token},
            content_type="multipart/form-data",
        ).get_json()
        job = wait_for(author, response["job"])
        assert job["status"] == "done", job
        names = [o["name"] for o in job["result"]["outputs"]]
        assert "media/wide.png" in names and any(n.endswith(".webp") for n in names)
        assert job["result"]["info"]["width"] == 2000
    finally:
        consumer.stop(graceful=True)


def test_kstudio_worker_process_runs_jobs_queued_on_redis(tmp_path, redis_url, backend):
    app = make_app(tmp_path / "data", QUEUE_URL=redis_url)
    populate(app)
    env = {**os.environ, "KSTUDIO_SECRET_KEY": "test", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env["KSTUDIO_DATABASE_URL"] = app.config["DATABASE_URL"]  # the worker shares the studio's database
    worker = subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "worker", "--data", str(tmp_path / "data"), "--queue", redis_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        author = Person(app, "author@inst.example")
        location = author.post("/o/inst/c/c1/build", {"format": "html"}).headers["Location"]
        job = wait_for(author, "/api" + location)
        assert job["status"] == "done", job
        assert Path(tmp_path, "data", "builds", str(job["id"]), job["result"]["files"][0]["name"]).is_file()
    finally:
        worker.terminate()
        worker.wait(30)


def test_a_queue_that_cannot_be_reached_fails_the_job_with_a_message(tmp_path):
    from tests.studio.servers import free_port

    app = make_app(tmp_path / "data", QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0")
    populate(app)
    author = Person(app, "author@inst.example")
    location = author.post("/o/inst/c/c1/build", {"format": "html"}).headers["Location"]
    job = author.get("/api" + location).get_json()
    assert job["status"] == "failed" and "job queue cannot be reached" in job["message"]


# Workers that die, jobs that must not stay running, children and temporaries left behind ----------------

LEASE = 3  # seconds: short, so an abandoned job is noticed quickly


@pytest.fixture(scope="module")
def slow_video(tmp_path_factory):
    """A 20 s 720p video: encoding it with the pipeline's settings keeps ffmpeg busy for a while."""
    path = tmp_path_factory.mktemp("video") / "big.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi"),
            *("-i", "sine=frequency=440:sample_rate=48000", "-t", "20", "-c:v", "libx264", "-preset", "ultrafast"),
            *("-c:a", "aac", "-shortest", str(path)),
        ],
        check=True,
    )
    return path


def until(check, seconds, what):
    """*check*'s first true value, polled until *seconds* have passed."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def _stat(pid: int) -> tuple[str, str, int] | None:
    """(command, state, parent pid) of a live process, None if gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm, rest = raw.split("(", 1)[1].rsplit(")", 1)
    state, ppid = rest.split()[:2]
    return None if state in ("Z", "X") else (comm, state, int(ppid))


def ffmpeg_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _stat(int(entry.name))) and info[0] == "ffmpeg" and info[2] == parent:
            found.append(int(entry.name))
    return found


def start_worker(app, tmp_path, queue):
    argv = [sys.executable, "-m", "studio.cli", "worker", "--data", app.config["DATA_DIR"]]
    env = studio_env(app, tmp_path, KSTUDIO_JOB_LEASE_SECONDS=str(LEASE))
    return subprocess.Popen(
        argv + (["--queue", queue] if queue else []), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def queue_job(app, kind, params) -> int:
    from sqlalchemy import select

    from studio.db import session_for
    from studio.jobs import queue as jobs
    from studio.models import CourseRecord

    session = session_for(app)
    try:
        course = session.scalar(
            select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation.has(slug="inst"))
        )
        return jobs.submit(app, session, course, None, kind, params).id
    finally:
        session.close()


def kill_mid_transcode(worker, cache: Path) -> list[Path]:
    """Kill -9 *worker* while its ffmpeg writes a rendition; returns the temporaries it left. The
    worker's ffmpeg must be gone within a few seconds."""
    encoders = until(lambda: ffmpeg_children(worker.pid), 120, "the worker's ffmpeg")
    left = until(
        lambda: [p for p in cache.rglob(".tmp*") if p.is_file() and p.stat().st_size > 0],
        60,
        "ffmpeg's temporary rendition",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    until(lambda: not any(_stat(pid) for pid in encoders), 5, "ffmpeg to die with its worker")
    return left


def test_a_worker_killed_mid_transcode_takes_ffmpeg_along_and_its_job_is_retried_then_failed(
    tmp_path, queue, slow_video, backend
):
    app = make_app(tmp_path / "data", QUEUE_URL=queue, JOB_LEASE_SECONDS=LEASE)
    populate(app)
    media = Path(app.config["COURSES_ROOT"], "inst", "c1", "media")
    shutil.copy(slow_video, media / "big.mp4")
    author = Person(app, "author@inst.example")
    job_id = queue_job(app, "media", {"path": "media/big.mp4"})
    api, page = f"/api/o/inst/c/c1/jobs/{job_id}", f"/o/inst/c/c1/jobs/{job_id}"
    cache = tmp_path / "cache"

    first = start_worker(app, tmp_path, queue)
    try:
        left = kill_mid_transcode(first, cache)
    finally:
        first.kill()
        first.wait(30)
    # once its lease has expired, reading the job queues it again, and the page says no worker runs
    job = until(lambda: (j := author.get(api).get_json())["status"] == "queued" and j, 30, "the job queued again")
    assert job["message"].startswith("the worker stopped while running this job"), job
    until(lambda: "No job worker is running" in author.get(page).get_data(as_text=True), 30, "the warning")

    second = start_worker(app, tmp_path, queue)
    try:
        until(lambda: not any(p.exists() for p in left), 30, "the dead worker's temporaries to be swept")
        kill_mid_transcode(second, cache)
    finally:
        second.kill()
        second.wait(30)
    job = until(lambda: (j := author.get(api).get_json())["status"] == "failed" and j, 30, "the job failed")
    assert job["message"] == "the worker stopped while running this job; it was retried 1 time"
    assert job["message"] in author.get(page).get_data(as_text=True)


def test_a_job_runs_in_its_apps_context(tmp_path):
    """A worker has no request: the runner still finds the app's config (the analytics' pull job, storing
    records, loads the course's competencies from the course folders it names)."""
    from flask import current_app

    from studio.db import session_for
    from studio.jobs import queue as jobs
    from studio.models import Job

    app = make_app(tmp_path / "data")
    jobs.register_kind(app, "probe", lambda app, session, job_id, folder, params: {"message": current_app.name})
    session = session_for(app)
    job = Job(course_id=None, kind="probe", params={})
    session.add(job)
    session.commit()
    jobs.execute(app, job.id)  # here, outside any app context
    session.expire_all()
    assert (session.get(Job, job.id).status, session.get(Job, job.id).message) == ("done", app.name)
    session.close()


def test_a_job_whose_outcome_cannot_be_recorded_still_ends_failed(studio):
    from sqlalchemy import event

    engine = studio.extensions["studio.engine"]
    refused: list[str] = []

    def disk_full(conn, cursor, statement, parameters, context, executemany):
        # the outcome's write fails once, as on a full disk; the job must still not stay running
        if not refused and statement.lstrip().upper().startswith("UPDATE JOB") and "result" in statement:
            refused.append(statement)
            raise OSError(28, "No space left on device")

    event.listen(engine, "before_cursor_execute", disk_full)
    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        location = author.post("/o/inst/c/c1/build", {"format": "html"}).headers["Location"]
        job = wait_for(author, "/api" + location)
    finally:
        consumer.stop(graceful=True)
        event.remove(engine, "before_cursor_execute", disk_full)
    assert refused and job["status"] == "failed", job
    assert job["message"] == "the job's result could not be recorded: OSError: [Errno 28] No space left on device"


def test_a_submission_whose_job_died_can_be_submitted_again(tmp_path, backend):
    from sqlalchemy import select, update

    from studio.db import session_for
    from studio.models import Job, Submission
    from tests.studio.test_catalog_workflow import market

    app = make_app(tmp_path / "data", JOB_LEASE_SECONDS=LEASE, JOB_MAX_ATTEMPTS=1)
    populate(app)
    market.__wrapped__(app)
    author = Person(app, "author@inst.example")
    form = {"format": ["html"], "lang": ["en"]}
    assert author.post("/o/inst/c/c1/submissions/", form).status_code == 302
    assert author.post("/o/inst/c/c1/submissions/", form).status_code == 409  # its job waits: not twice
    # a worker took the job and was killed: its lease ran out and nobody renews it
    dead = subprocess.Popen(["true"])
    dead.wait()
    session = session_for(app)
    sub = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    session.execute(
        update(Job)
        .where(Job.id == sub.job_id)
        .values(status="running", worker=f"elsewhere:{dead.pid}", attempts=1, lease_until=now() - timedelta(seconds=1))
    )
    session.commit()
    session.close()
    assert author.get("/o/inst/c/c1/submissions/").status_code == 200
    again = author.post("/o/inst/c/c1/submissions/", form)
    assert again.status_code == 302, again.get_data(as_text=True)
    session = session_for(app)
    first = session.get(Job, sub.job_id)
    assert (
        first.status == "failed"
        and first.message == "the worker stopped while running this job; it was retried 0 times"
    )
    session.close()


def test_the_course_pages_say_when_jobs_wait_and_no_worker_runs(studio):
    author = Person(studio, "author@inst.example")
    warning = "No job worker is running: start one with <code>kstudio worker</code>"
    assert warning not in author.get("/o/inst/c/c1/").get_data(as_text=True)  # nothing waits
    location = author.post("/o/inst/c/c1/build", {"format": "html"}).headers["Location"]
    for url in ("/o/inst/c/c1/", "/o/inst/c/c1/builds", location):
        assert warning in author.get(url).get_data(as_text=True), url
    assert author.get("/api" + location).get_json()["no_worker"] is True
    consumer = start_embedded_worker(studio)
    try:
        assert warning not in author.get(location).get_data(as_text=True)  # a worker beats: no warning
        assert wait_for(author, "/api" + location)["status"] == "done"
    finally:
        consumer.stop(graceful=True)
