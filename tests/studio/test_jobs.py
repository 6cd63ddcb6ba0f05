"""Builds and media jobs through the real queue: the embedded one (SQLite) and Redis, with the worker
as a thread of this process and as a separate ``kstudio worker`` process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from studio.jobs import start_embedded_worker
from tests.studio.conftest import LESSON, Person, make_app, populate
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


def test_a_build_of_a_course_with_errors_fails_with_the_problems(studio):
    consumer = start_embedded_worker(studio)
    try:
        author = Person(studio, "author@inst.example")
        page = author.get(f"/o/inst/c/c1/edit/{LESSON}").get_data(as_text=True)
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
