"""The "New course" page imports a Word file as a job: its page follows the progress and ends with
links to the new course and its import report; a hostile file is refused before anything is queued."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from studio.jobs.queue import start_embedded_worker
from tests.office_files import make_docx
from tests.studio.conftest import Person


def wait_for(who: Person, url: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = who.get(url).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the import did not finish: {job}")


def send(author: Person, data: bytes, name: str):
    form = {"document": (io.BytesIO(data), name)}
    return author.post("/o/inst/import-file", form, content_type="multipart/form-data")


def test_a_word_file_becomes_a_course_through_a_job(app, author, tmp_path):
    page = author.get("/o/inst/").get_data(as_text=True)
    assert "Import a Word, PowerPoint, SCORM or H5P file" in page and 'for="document"' in page
    worker = start_embedded_worker(app)
    try:
        response = send(author, make_docx(tmp_path / "Grievance handout.docx").read_bytes(), "Grievance handout.docx")
        assert response.status_code == 302 and "/o/inst/imports/" in response.headers["Location"]
        job_page = response.headers["Location"]
        assert 'id="job-progress"' in author.get(job_page).get_data(as_text=True)
        job = wait_for(author, job_page + "/status")
        assert job["status"] == "done", job
        assert job["result"]["counts"] == {"converted": 12, "approximated": 2, "dropped": 0}
        assert job["result"]["course_url"] == "/o/inst/c/grievance-handout/"
        page = author.get(job_page).get_data(as_text=True)
        assert "Read the import report" in page and "has no alt text" in page
        report = author.get(job["result"]["report_url"])
        assert report.status_code == 200 and "Import report: Grievance handout.docx" in report.get_data(as_text=True)
        course = author.get(job["result"]["course_url"]).get_data(as_text=True)
        assert "Handling Public Grievances" in course
        folder = Path(app.config["DATA_DIR"]) / "courses" / "inst" / "grievance-handout"
        course_yml = (folder / "course.yml").read_text()
        assert 'provider: {"id": "inst", "name": "Training Institute"}' in course_yml  # the importing organisation
    finally:
        worker.stop(graceful=True)
    uploads = Path(app.config["DATA_DIR"]) / "imports"
    assert not any(uploads.iterdir())  # the upload is removed once imported
    other = Person(app, "admin@other.example")  # another organisation's admin cannot see the job
    assert other.get(job_page.replace("/o/inst/", "/o/other/")).status_code == 404


def test_a_hostile_or_unknown_file_is_refused_before_a_job(app, author):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"\0" * (8 * 2**20))
    response = send(author, bomb.getvalue(), "bomb.docx")
    assert response.status_code == 400
    assert "expands" in response.get_data(as_text=True)
    response = send(author, b"just text", "notes.docx")
    assert response.status_code == 400 and "not a file that can be imported" in response.get_data(as_text=True)
    uploads = Path(app.config["DATA_DIR"]) / "imports"
    assert not uploads.exists() or not any(uploads.iterdir())
