"""Hostile media in the studio (issue 20, findings 2, 6 and 8): uploads judged by content with a clear
message (never a 500), a bad file in a course answers for itself only, and SVG is served sanitised under
a sandboxing CSP."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from studio.preview.content import FILE_CSP
from tests.studio.conftest import LESSON
from tests.test_svg_security import HOSTILE, bomb, png, served_svg_is_inert

MEDIA = "/api/o/inst/c/c1/media"
PLAYER = "/o/inst/c/c1/player/"  # followed to the content origin


def send(author, name: str, data: bytes):
    return author.client.post(
        MEDIA,
        data={"file": (io.BytesIO(data), name), "alt": "A picture"},
        headers={"X-CSRFToken": author.token},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("renamed.svg", png(), "'renamed.svg' is not an SVG image (it is a PNG)"),
        ("broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'>\n<g>\n</svg>", "'broken.svg' is not well-formed XML"),
        (
            "dtd.svg",
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg/>',
            "'dtd.svg' has a DTD (<!DOCTYPE …>), which is not allowed",
        ),
        ("huge.png", bomb(), "'huge.png' declares far more pixels than the 40 megapixels images may have"),
        ("page.png", b"<html><script>alert(1)</script></html>", "'page.png' is not a PNG, JPEG, WebP or GIF image"),
        ("talk.mp4", png(), "'talk.mp4' is not a video file (it is a PNG)"),
    ],
)
def test_upload_refuses_bad_media_by_content_with_a_clear_message(app, author, name, data, message):
    response = send(author, name, data)
    assert response.status_code == 422 and response.get_json()["error"].startswith(message)
    assert not (Path(app.config["COURSES_ROOT"], "inst", "c1", "media") / name).exists()


def test_upload_takes_a_hostile_but_cleanable_svg_and_a_real_png(author):
    assert send(author, "chart.svg", HOSTILE.encode()).get_json()["path"] == "media/chart.svg"
    assert send(author, "photo.png", png()).get_json()["path"] == "media/photo.png"


def add_lesson_media(app, files: dict[str, bytes]) -> None:
    """Files put into the course by other means than the upload (git, an import), used by the lesson."""
    folder = Path(app.config["COURSES_ROOT"], "inst", "c1")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    lesson = folder / LESSON
    uses = "".join(f"\n![Picture {n}]({name})\n" for n, name in enumerate(files))
    lesson.write_text(lesson.read_text("utf-8") + uses, "utf-8")


def test_a_bad_file_in_the_course_answers_for_itself_only(app, author):
    add_lesson_media(
        app,
        {
            "media/diagram.svg": png(),
            "media/good.png": png(),
            "media/chart.svg": HOSTILE.encode(),
            "media/huge.png": bomb(),
        },
    )
    bad = author.content(PLAYER, "media/diagram.svg")
    assert bad.status_code == 415 and bad.get_data(as_text=True) == (
        "media/diagram.svg is not an SVG image (it is a PNG)"
    )
    huge = author.content(PLAYER, "media/huge.png")  # never sent for a browser to decode
    assert huge.status_code == 415 and huge.get_data(as_text=True) == (
        "media/huge.png declares far more pixels than the 40 megapixels images may have"
    )
    good = author.content(PLAYER, "media/good.png")
    assert good.status_code == 200 and good.headers["X-Content-Type-Options"] == "nosniff"
    chart = author.content(PLAYER, "media/chart.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert chart.headers["Content-Security-Policy"] == FILE_CSP  # served from the content origin, sandboxed
    assert chart.headers["X-Content-Type-Options"] == "nosniff"
    served_svg_is_inert(chart.get_data(as_text=True))
    assert author.content(PLAYER, "course.js").status_code == 200
