"""Course list, creating from the starter, the course page and its check links, metadata, preview."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.studio.conftest import CONTENT, LESSON


def test_lists_only_the_organisations_own_courses(author):
    page = author.get("/o/inst/").get_data(as_text=True)
    assert "First course" in page and "Their course" not in page


def test_create_from_the_starter(author, app):
    response = author.post("/o/inst/courses", {"title": "Grievance Redress Basics"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/o/inst/c/grievance-redress-basics/")
    page = author.get("/o/inst/c/grievance-redress-basics/").get_data(as_text=True)
    assert "Grievance Redress Basics" in page and '<li class="error">' not in page
    assert "provider name is the starter&#39;s placeholder" in page  # a warning until the author puts theirs
    again = author.post("/o/inst/courses", {"title": "Grievance Redress Basics"}, follow_redirects=True)
    assert "already" in again.get_data(as_text=True)


def test_check_report_links_to_the_editor_at_the_line(author):
    lesson = author.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
    assert 'id="text"' in lesson
    base = int(lesson.split('data-base="')[1].split('"')[0])
    broken = "---\ntitle: Welcome\n---\nIntro.\n\n![](media/missing.png)\n"
    assert author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": broken, "base": base}).status_code == 200
    page = author.get("/o/inst/c/c1/").get_data(as_text=True)
    assert f"/o/inst/c/c1/edit/{LESSON}?line=6" in page and "has no alt text" in page
    problems = author.get("/api/o/inst/c/c1/check").get_json()["problems"]
    assert any(p["line"] == 6 and p["edit"].endswith(f"{LESSON}?line=6") for p in problems)
    editor = author.get(f"/o/inst/c/c1/edit/{LESSON}?line=6").get_data(as_text=True)
    assert 'data-line="6"' in editor


def test_metadata_form_keeps_comments_and_order(author, app):
    form = author.get("/o/inst/c/c1/meta").get_data(as_text=True)
    assert 'name="title"' in form
    base = int(form.split('name="base" value="')[1].split('"')[0])
    values = {"title": "Renamed course", "summary": "New summary.", "keywords": "starter, grievance", "base": base}
    assert author.post("/o/inst/c/c1/meta", values).status_code == 302
    yml = Path(app.config["COURSES_ROOT"], "inst", "c1", "course.yml").read_text()
    assert yml.startswith("# A starter course made by `kstudio new`")
    assert 'title: "Renamed course"\n' in yml and "keywords: [starter, grievance]" in yml
    assert yml.index("id:") < yml.index("title:") < yml.index("summary:") < yml.index("modules:")
    assert "Renamed course" in author.get("/o/inst/").get_data(as_text=True)
    stale = author.post("/o/inst/c/c1/meta", {**values, "title": "Stale", "base": base})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Their values and yours" in page
    assert "<td>Renamed course</td><td>Stale</td>" in page  # theirs and yours side by side
    assert 'title: "Renamed course"' in Path(app.config["COURSES_ROOT"], "inst", "c1", "course.yml").read_text()


def test_live_preview_renders_the_unsaved_lesson_with_the_player(author):
    text = "---\ntitle: Draft title\n---\nSome **bold** text.\n\n<script>alert(1)</script>\n"
    data = author.api("/api/o/inst/c/c1/preview", {"path": LESSON, "text": text}).get_json()
    assert '<article class="ks-lesson"' in data["html"] and "Draft title" in data["html"]
    assert "<strong>bold</strong>" in data["html"] and "<script>" not in data["html"]
    assert data["ms"] < 1000
    unlisted = author.api("/api/o/inst/c/c1/preview", {"path": "lessons/zz.md", "text": "x"})
    assert unlisted.status_code in (404, 422)


def test_preview_serves_the_player_files(author):
    index = author.content("/o/inst/c/c1/player/")
    assert index.status_code == 200 and index.headers["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert 'src="course.js"' in index.get_data(as_text=True)
    assert author.content("/o/inst/c/c1/player/course.js").status_code == 200
    assert author.content("/o/inst/c/c1/player/assets/player.js").status_code == 200
    assert author.content("/o/inst/c/c1/player/assets/player.css").status_code == 200
    redirect = author.get("/o/inst/c/c1/player/lesson/lessons/01-welcome")
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(CONTENT + "/t/")
    assert redirect.headers["Location"].endswith("/#/lessons/01-welcome")


@pytest.mark.parametrize(
    "path", ["../../course.yml", "course.yml", "lessons/01-welcome.md", "assets/../../../pyproject.toml", "secret_key"]
)
def test_the_player_serves_no_file_but_its_own(author, path):
    response = author.content("/o/inst/c/c1/player/", path)
    assert response.status_code == 404 and response.mimetype == "text/plain"


@pytest.mark.parametrize(
    "url",
    [
        "/o/inst/c/..%2f..%2fetc/",
        "/o/inst/c/c1/edit/../other/c1/course.yml",
        "/o/inst/c/c1/edit/..%2f..%2f..%2fsecret_key",
        "/o/inst/c/c1/edit/media/diagram.svg",
        "/o/inst/c/nope/",
    ],
)
def test_no_file_outside_the_course_is_served(author, url):
    assert author.get(url).status_code == 404


def test_question_editor_writes_the_quiz_syntax(author):
    body = {"kind": "single", "prompt": "Who hears grievances?", "options": ["The officer", "Nobody"], "correct": [0]}
    md = author.api("/api/o/inst/c/c1/question", {**body, "wrap": "quiz"}).get_json()["markdown"]
    assert md == "::: quiz\n\n### Who hears grievances?\n- [x] The officer\n- [ ] Nobody\n:::\n"
    bad = author.api("/api/o/inst/c/c1/question", {**body, "correct": []})
    assert bad.status_code == 422 and "correct" in bad.get_json()["error"]


def test_questions_written_by_the_editor_pass_the_check(author):
    lesson = author.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
    base = int(lesson.split('data-base="')[1].split('"')[0])
    quiz = author.api(
        "/api/o/inst/c/c1/question",
        {
            "kind": "multiple",
            "prompt": "Which are channels?",
            "options": ["CPGRAMS", "Rumour", "Helpline"],
            "correct": [0, 2],
            "wrap": "quiz",
        },
    ).get_json()["markdown"]
    text = "---\ntitle: Welcome\n---\nIntro.\n\n" + quiz
    assert author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": text, "base": base}).status_code == 200
    assert [p for p in author.get("/api/o/inst/c/c1/check").get_json()["problems"] if p["file"] == LESSON] == []


def test_lms_preview_serves_the_scorm_player_and_the_runtime(author):
    page = author.get("/o/inst/c/c1/lms/?api=scorm12").get_data(as_text=True)
    frame = re.search(r'id="lms-frame" src="([^"]+)"', page)[1]
    assert frame.startswith(CONTENT + "/t/")
    wrapper = author.client.get(frame).get_data(as_text=True)
    assert "What the LMS records" in wrapper and 'data-api="scorm12"' in wrapper
    assert author.client.get(CONTENT + "/static/scorm-again.js").status_code == 200
    sco = author.client.get(frame + "sco/index.html")
    assert sco.status_code == 200 and "assets/scorm.js" in sco.get_data(as_text=True)
    assert author.client.get(frame + "sco/assets/scorm.js").status_code == 200
    assert author.get("/o/inst/c/c1/lms/?api=scorm12&lang=xx").status_code == 404
    assert author.get("/o/inst/c/c1/lms/?api=aicc").status_code == 404
    assert author.get("/o/inst/c/c1/lms/scorm12/en/index.html").status_code == 404  # not on the studio's origin


def test_preview_refuses_a_lesson_over_the_size_limit_naming_it(author):
    text = "---\ntitle: Big\n---\n" + "[" * (300 << 10)
    response = author.api("/api/o/inst/c/c1/preview", {"path": LESSON, "text": text})
    assert response.status_code == 413
    assert response.get_json()["error"] == "lesson is 301 KB; the limit is 256 KB: split it into shorter lessons"


def test_save_refuses_a_lesson_over_the_size_limit_and_keeps_the_file(app, author):
    lesson = Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)
    before = lesson.read_text("utf-8")
    text = "---\ntitle: Big\n---\n" + "word " * (60 << 10)
    response = author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": text, "base": 1})
    assert response.status_code == 413
    assert response.get_json()["error"] == "lesson is 301 KB; the limit is 256 KB: split it into shorter lessons"
    assert lesson.read_text("utf-8") == before


def test_preview_stops_a_lesson_that_costs_more_than_its_cpu_budget(author):
    # under the size limit, yet many seconds of parsing: the preview gives up at its budget
    text = "---\ntitle: Slow\n---\n[^1]: x\n\n" + "[^" * (120 << 10) + "]"
    started = time.thread_time()
    response = author.api("/api/o/inst/c/c1/preview", {"path": LESSON, "text": text})
    assert time.thread_time() - started < 4  # the budget is 1 s; encoding and the request add a little
    assert response.status_code == 422
    assert "more than 1 s" in response.get_json()["error"]
    fine = author.api("/api/o/inst/c/c1/preview", {"path": LESSON, "text": "---\ntitle: Quick\n---\nText.\n"})
    assert fine.status_code == 200 and "Quick" in fine.get_json()["html"]
