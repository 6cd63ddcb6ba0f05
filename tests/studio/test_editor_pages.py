"""The editor's page and its neighbours say what they should (issue 15's small things): the lesson's
title as the heading, messages in the interface's language, a favicon, the player's minutes, job words."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from studio.db import session_for
from studio.models import CourseRecord, Job, Organisation, now
from tests.studio.conftest import LESSON


def test_the_editor_heads_with_the_lesson_title_and_offers_only_existing_files(author):
    page = author.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
    title = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "Welcome" in title and LESSON not in title
    assert f'<code id="file-path">{LESSON}</code>' in page  # the path stays in sight
    assert "media/image.png" not in page  # the Image button opens the choice of the course's own files
    assert '<option value="media/diagram.svg">' in page
    strings = json.loads(page.split('<script type="application/json" id="editor-strings">', 1)[1].split("</script>")[0])
    assert strings["unsaved"] == "Unsaved changes…" and strings["uploading"] == "Uploading… {percent}%"


def test_course_yml_keeps_its_path_as_the_heading(author):
    page = author.get("/o/inst/c/c1/edit/course.yml").get_data(as_text=True)
    assert "<code>course.yml</code></h1>" in page and 'id="media-panel"' not in page


def test_every_page_links_the_studios_favicon(author):
    page = author.get("/o/inst/").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    icon = author.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_the_course_page_and_the_player_agree_on_minutes(author, app):
    # 14.2 minutes (a video's running time makes such estimates): the player says 15, rounding up so it
    # never promises less time than a lesson takes; the course page rounded to 14
    lesson = Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)
    lesson.write_text(lesson.read_text("utf-8").replace("minutes: 3\n", "minutes: 14.2\n"), "utf-8")
    page = author.get("/o/inst/c/c1/").get_data(as_text=True)
    player = author.content("/o/inst/c/c1/player/", "course.js").get_data(as_text=True)
    assert f"15 min · <code>{LESSON}</code>" in page and " · 19 min</p>" in page  # 14.2 + 4
    home = author.content("/o/inst/c/c1/player/").get_data(as_text=True)
    assert "<dt>Learning time</dt><dd>19 min</dd>" in home
    assert '"minutes": 14.2' in player or '"minutes":14.2' in player


def test_a_finished_job_says_finished_not_done_finished(author, app):
    session = session_for(app)
    try:
        inst = CourseRecord.organisation.has(Organisation.slug == "inst")
        course = session.scalars(select(CourseRecord).where(CourseRecord.slug == "c1", inst)).one()
        job = Job(course_id=course.id, kind="build", params={"format": "html"}, status="done", progress=100)
        job.message, job.finished_at = "finished", now()
        session.add(job)
        session.commit()
        job_id = job.id
    finally:
        session.close()
    page = author.get(f"/o/inst/c/c1/jobs/{job_id}").get_data(as_text=True)
    state = page.split('id="job-state"', 1)[1].split("</p>", 1)[0]
    assert state.endswith(">Finished") and "done" not in state.split(">", 1)[1]
