"""Build everything in one click: one job builds every chosen format in every chosen language, lists each
download (name, format, language, size) and each package that failed with its reason; only members who
may build start it, and showing the form or the job writes nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from studio.db import session_for
from studio.jobs.queue import start_embedded_worker
from studio.models import Job
from tests.studio.conftest import LESSON, Person, adopt_sample, make_app, populate
from tests.studio.test_jobs import wait_for

COURSE = "/o/inst/c/karmayogi-prarambh"


def jobs_count(app) -> int:
    session = session_for(app)
    try:
        return session.scalar(select(func.count()).select_from(Job)) or 0
    finally:
        session.close()


@pytest.fixture
def sample(tmp_path):
    """The sample course (English, Hindi, Urdu) in a studio on SQLite only: the build is the slow part,
    and the job's rows are the same on PostgreSQL (test_jobs.py runs builds on both)."""
    app = make_app(tmp_path / "data")
    populate(app)
    adopt_sample(app)
    return app, Path(app.config["COURSES_ROOT"]) / "inst" / "karmayogi-prarambh"


def files_under(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_one_job_builds_every_format_in_every_language_and_lists_the_downloads(sample):
    app, folder = sample
    (folder / "translations/ur.po").write_text('msgid "unclosed\n', encoding="utf-8")  # Urdu cannot be built
    author = Person(app, "author@inst.example")
    form = author.get(f"{COURSE}/builds").get_data(as_text=True)
    assert form.count('type="checkbox" name="format"') == 7 and form.count('type="checkbox" name="lang"') == 3
    assert form.count("checked") == 10, "every format and every language is chosen at first"
    assert 'value="hi" checked' in form and "हिन्दी" in form

    consumer = start_embedded_worker(app)
    try:
        response = author.post(f"{COURSE}/build-all", {"format": ["scorm12", "html"], "lang": ["hi", "en", "ur"]})
        assert response.status_code == 302
        location = response.headers["Location"]
        job = wait_for(author, "/api" + location)
    finally:
        consumer.stop(graceful=True)

    assert job["status"] == "done" and job["progress"] == 100, job
    assert job["message"] == "4 packages, 2 failed"
    assert job["params"] == {"formats": ["scorm12", "html"], "langs": ["en", "hi", "ur"]}  # the studio's order
    built = {(p["format"], p["lang"]): p for p in job["result"]["packages"]}
    assert set(built) == {("scorm12", "en"), ("html", "en"), ("scorm12", "hi"), ("html", "hi")}
    assert built["html", "hi"]["language"] == "हिन्दी" and built["scorm12", "en"]["format_name"] == "SCORM 1.2"
    failed = {(f["format"], f["lang"]): f["message"] for f in job["result"]["failures"]}
    assert set(failed) == {("scorm12", "ur"), ("html", "ur")}
    assert all("ur.po" in message for message in failed.values()), failed

    download = author.get(built["scorm12", "hi"]["url"])
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert len(download.data) == built["scorm12", "hi"]["bytes"]
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()

    page = author.get(location).get_data(as_text=True)
    assert "Finished: 4 packages, 2 failed" in page
    assert "4 packages built, 2 failed" in page and "Not built" in page
    for package in built.values():
        assert f'href="{package["url"]}"' in page
    assert page.count("<tr>") == 5  # the heading row and one row a package
    assert "Offline site (HTML), اردو" in page


def test_a_build_where_nothing_can_be_built_fails_with_each_reason(app, author):
    page = author.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
    base = int(page.split('data-base="')[1].split('"')[0])
    broken = "---\ntitle: A\n---\n![](media/gone.png)\n"
    author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": broken, "base": base})
    consumer = start_embedded_worker(app)
    try:
        response = author.post("/o/inst/c/c1/build-all", {"format": ["html", "pdf"], "lang": ["en"]})
        location = response.headers["Location"]
        job = wait_for(author, "/api" + location)
    finally:
        consumer.stop(graceful=True)
    assert job["status"] == "failed" and job["message"] == "none of the 2 packages could be built", job
    assert [f["format"] for f in job["result"]["failures"]] == ["html", "pdf"]
    assert all(any("missing image file" in p for p in f["problems"]) for f in job["result"]["failures"])
    assert not Path(app.config["DATA_DIR"], "builds", str(job["id"])).exists()
    assert "0 packages built, 2 failed" in author.get(location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"lang": ["en"]}, "Choose at least one format."),
        ({"format": ["html"]}, "Choose at least one language."),
        ({"format": ["html", "nope"], "lang": ["en", "xx"]}, "The course has no &#39;xx&#39; version."),
    ],
)
def test_a_form_asking_for_nothing_or_unknown_languages_is_refused_with_a_reason(app, author, form, said):
    response = author.post("/o/inst/c/c1/build-all", form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/o/inst/c/c1/builds")
    assert said in author.get(response.headers["Location"]).get_data(as_text=True)
    assert jobs_count(app) == 0


def test_only_members_who_may_build_start_it_and_showing_writes_nothing(app, person):
    everything = {"format": ["html"], "lang": ["en"]}
    assert person("translator@inst.example").post("/o/inst/c/c1/build-all", everything).status_code == 403
    assert person("admin@other.example").post("/o/inst/c/c1/build-all", everything).status_code in (403, 404)
    assert person(None).post("/o/inst/c/c1/build-all", everything).status_code in (302, 401)
    translator = person("translator@inst.example")
    assert 'action="/o/inst/c/c1/build-all"' not in translator.get("/o/inst/c/c1/builds").get_data(as_text=True)
    author = person("author@inst.example")
    assert author.get("/o/inst/c/c1/build-all").status_code == 405
    before = files_under(Path(app.config["DATA_DIR"]))
    assert author.get("/o/inst/c/c1/builds").status_code == 200
    assert jobs_count(app) == 0 and files_under(Path(app.config["DATA_DIR"])) == before
