"""The studio shell: course list, check report, lesson preview through the real player."""

from __future__ import annotations

import pytest

from studio import create_app
from tests.conftest import SAMPLE


@pytest.fixture
def client(make_course):
    root = make_course({"lessons/a.md": "---\ntitle: Lesson A\n---\n![](media/missing.png)\n"})
    app = create_app({"TESTING": True, "COURSES_DIR": str(root.parent)})
    return app.test_client()


def test_lists_courses(client):
    page = client.get("/").get_data(as_text=True)
    assert "Test course" in page and "2 errors" in page


def test_course_page_has_check_report_and_preview_links(client):
    page = client.get("/courses/course/").get_data(as_text=True)
    assert "lessons/a.md:4" in page and "has no alt text" in page
    assert "/courses/course/player/lesson/lessons/a" in page


def test_preview_serves_the_player_files(client):
    index = client.get("/courses/course/player/")
    assert index.status_code == 200 and "Content-Security-Policy" in index.headers
    assert 'src="course.js"' in index.get_data(as_text=True)
    assert client.get("/courses/course/player/course.js").status_code == 200
    assert client.get("/courses/course/player/assets/player.js").status_code == 200
    lesson = client.get("/courses/course/player/lessons/lessons-a.js")
    assert lesson.status_code == 200 and "Lesson A" in lesson.get_data(as_text=True)
    redirect = client.get("/courses/course/player/lesson/lessons/a")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith("/player/#/lessons/a")


@pytest.mark.parametrize(
    "url",
    [
        "/courses/..%2f..%2fetc/",
        "/courses/course/player/../../course.yml",
        "/courses/course/player/course.yml",
        "/courses/course/player/lessons/a.md",
        "/courses/course/player/assets/../../../pyproject.toml",
        "/courses/nope/",
    ],
)
def test_no_file_outside_the_player_is_served(client, url):
    assert client.get(url).status_code == 404


def test_default_app_lists_the_sample_course():
    app = create_app({"TESTING": True, "COURSES_DIR": str(SAMPLE.parent)})
    page = app.test_client().get("/").get_data(as_text=True)
    assert "Karmayogi Prarambh" in page
