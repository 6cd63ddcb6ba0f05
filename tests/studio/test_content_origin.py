"""Course content on its own origin (issue 20, findings 1, 9, 10): what each host serves, the capability
URLs and their checks, the sandbox on every content response, missing files, and no media made in a request.

The browser test of the exploit itself (a course's script acting for a reviewer, a publisher, an admin)
is tests/browser/test_content_origin.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask, request
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.test import Client

from packager.media import store
from studio.authoring.live import player_for
from studio.db import session_for
from studio.models import Job, Membership, User
from studio.preview import content
from studio.preview.preview import player_file
from tests.studio.conftest import CONTENT, LESSON

PLAYER = "/o/inst/c/c1/player/"


def folder(app) -> Path:
    return Path(app.config["COURSES_ROOT"]) / "inst" / "c1"


def add_to_lesson(app, text: str, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder(app) / name).write_bytes(data)
    lesson = folder(app) / LESSON
    lesson.write_text(lesson.read_text("utf-8") + "\n" + text + "\n", "utf-8")


@pytest.fixture
def hostile(app):
    add_to_lesson(
        app,
        "Read [the handout](media/x.html), [its script](media/x.js) and [the notes](media/notes.pdf).",
        {
            "media/x.html": b'<!doctype html><script src="x.js"></script>',
            "media/x.js": b"fetch('/o/inst/members')",
            "media/notes.pdf": b"%PDF-1.4\n",
        },
    )
    return app


@pytest.mark.parametrize("name", ["media/x.html", "media/x.js", "media/notes.pdf"])
def test_a_course_file_that_is_not_media_the_player_shows_is_only_a_download(hostile, author, name):
    got = author.content(PLAYER, name)
    assert got.status_code == 200
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.mimetype == "application/octet-stream"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "Set-Cookie" not in got.headers


def test_media_the_player_shows_is_inline_and_sandboxed(hostile, author):
    svg = author.content(PLAYER, "media/diagram.svg")  # the starter lesson's image
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "Content-Disposition" not in svg.headers
    assert svg.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    page = author.content(PLAYER)
    csp = page.headers["Content-Security-Policy"]
    assert csp.startswith(content.PAGE_SANDBOX + "; default-src 'none'; script-src 'self'")
    assert csp.endswith("frame-ancestors http://localhost 'self'")  # only the studio frames its content
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token never leaves in a Referer


def test_the_studio_serves_no_course_content_and_frames_only_the_content_origin(hostile, author):
    moved = author.get(PLAYER + "media/x.html")
    assert moved.status_code == 302 and moved.headers["Location"].startswith(CONTENT + "/t/")
    token_path = moved.headers["Location"][len(CONTENT) :]
    assert author.get(token_path).status_code == 404  # the capability URL means nothing on the studio's host
    assert author.get("/o/inst/c/c1/lms/runtime.js").status_code == 404
    studio_csp = author.get("/o/inst/").headers["Content-Security-Policy"]
    assert f"frame-src {CONTENT};" in studio_csp and "script-src 'self';" in studio_csp


@pytest.mark.parametrize("path", ["/login", "/o/inst/", "/o/inst/members", "/api/o/inst/c/c1/preview", "/static/x"])
def test_the_content_origin_reaches_no_studio_route(app, author, path):
    got = author.client.get(CONTENT + path)
    assert got.status_code == 404 and got.mimetype == "text/plain" and "Set-Cookie" not in got.headers
    assert author.client.post(CONTENT + path).status_code in (404, 405)


def test_the_content_app_never_sees_the_studios_cookies():
    seen: list[dict[str, str]] = []
    inner = Flask("probe")
    inner.config["CONTENT_ORIGIN"] = "https://usercontent.example"
    inner.add_url_rule("/", "probe", lambda: seen.append(dict(request.cookies)) or "ok")

    def studio(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"studio"]

    client = Client(content.HostDispatcher(studio, inner))
    got = client.get("/", base_url="https://usercontent.example", headers={"Cookie": "session=secret"})
    assert got.data == b"ok" and seen == [{}]
    assert client.get("/", base_url="https://studio.example").data == b"studio"


def _token_url(author) -> str:
    return author.get(PLAYER).headers["Location"]


def test_a_content_url_checks_the_person_on_every_use(app, author):
    address = _token_url(author)
    assert author.client.get(address).status_code == 200
    token = address.split("/t/")[1].rstrip("/")
    assert author.client.get(f"{CONTENT}/t/{token[:-2]}xx/").status_code == 404  # forged
    session = session_for(app)
    user = session.scalar(select(User).where(User.email == "author@inst.example"))
    member = session.scalar(select(Membership).where(Membership.user_id == user.id))
    session.delete(member)  # removed from the organisation: the URL it holds stops working at once
    session.commit()
    session.close()
    cut = author.client.get(address)
    assert cut.status_code == 403 and b"no longer" in cut.data


def test_a_content_url_ends_with_the_session_that_made_it(app, person):
    author, other = person("author@inst.example"), person("author@inst.example")  # two browsers, one person
    address, kept = _token_url(author), _token_url(other)
    assert author.client.get(address).status_code == 200
    assert author.post("/logout").status_code == 302
    ended = other.client.get(address)  # a copy of the link, opened anywhere, after its session ended
    assert ended.status_code == 403 and b"signed out" in ended.data
    assert other.client.get(kept).status_code == 200  # the other browser's session, and its links, go on


def test_a_content_url_expires(app, author):
    address = _token_url(author)
    app.config["CONTENT_TOKEN_SECONDS"] = -1
    expired = author.client.get(address)
    assert expired.status_code == 403 and b"expired" in expired.data


def test_a_review_url_stops_when_the_role_no_longer_allows_it(app, person):
    from tests.studio.test_authz import _submission_in_review

    _submission_in_review(app)
    reviewer = person("reviewer@inst.example")
    address = reviewer.get("/o/inst/review/1/player/en/").headers["Location"]
    assert reviewer.client.get(address).status_code == 200
    session = session_for(app)
    user = session.scalar(select(User).where(User.email == "reviewer@inst.example"))
    session.scalar(select(Membership).where(Membership.user_id == user.id)).role = "translator"
    session.commit()
    session.close()
    assert reviewer.client.get(address).status_code == 403


def test_a_file_a_lesson_names_but_the_course_lacks_is_a_404_with_a_message(app, author):
    add_to_lesson(app, "![A missing picture](media/image.png)", {})
    with app.test_request_context(), pytest.raises(NotFound) as missing:
        player_file(player_for(folder(app)), "media/image.png")
    assert "media/image.png" in str(missing.value.description)
    got = author.content(PLAYER, "media/image.png")
    assert got.status_code == 404 and b"media/image.png is used by a lesson but is not in the course folder" in got.data


def _cache_files() -> set[Path]:
    return {p for p in store.media_dir().rglob("*") if p.is_file() and "out" in p.parts}


def test_an_unknown_path_is_answered_at_once_and_makes_no_media(app, tiny_media):
    add_to_lesson(app, "![A clip](media/v.mp4)", {"media/v.mp4": tiny_media["mp4"]})
    before = _cache_files()
    with app.test_request_context():
        player = player_for(folder(app))
        start = time.monotonic()
        with pytest.raises(NotFound):
            player_file(player, "no/such/file.js")
        assert time.monotonic() - start < 1
        assert "media" not in player.__dict__  # not even probed
    assert _cache_files() == before


def _media_jobs(app) -> list[str]:
    session = session_for(app)
    try:
        return [job.params["path"] for job in session.scalars(select(Job).where(Job.kind == "media"))]
    finally:
        session.close()


def test_a_missing_rendition_has_its_source_stand_in_and_no_page_queues_it(app, author, tiny_media):
    add_to_lesson(app, "![A clip](media/v.mp4)", {"media/v.mp4": tiny_media["mp4"]})  # changed outside the studio
    before = _cache_files()
    with app.test_request_context():
        served = player_file(player_for(folder(app)), "media/v.mp4.main.mp4")
        assert served.status_code == 200 and served.mimetype == "video/mp4"
        served.close()
    poster = author.content(PLAYER, "media/v.mp4.poster.jpg")  # a poster has no stand-in
    assert poster.status_code == 404 and b"still being made" in poster.data
    assert author.content(PLAYER, "media/v.mp4.main.mp4").status_code == 200
    assert _media_jobs(app) == [] and _cache_files() == before  # nothing transcoded, nothing queued by a GET


def test_the_save_that_first_shows_a_file_queues_its_renditions_once(app, author, tiny_media):
    (folder(app) / "media/v.mp4").write_bytes(tiny_media["mp4"])
    text = (folder(app) / LESSON).read_text("utf-8")
    shown = text + "\n![A clip](media/v.mp4)\n\n![Missing](media/nothing.png)\n"
    assert author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": shown, "base": 1}).status_code == 200
    assert _media_jobs(app) == ["media/v.mp4"]  # a file the course lacks makes no job
    again = shown + "\nMore text.\n"
    assert author.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": again, "base": 2}).status_code == 200
    assert _media_jobs(app) == ["media/v.mp4"]  # already shown before this save: no second job


def test_the_block_editors_save_that_first_shows_a_file_queues_its_renditions_too(app, author, tiny_media):
    (folder(app) / "media/v.mp4").write_bytes(tiny_media["mp4"])
    blocks = "/api/o/inst/c/c1/blocks"
    lesson = author.get(f"{blocks}?path={LESSON}").get_json()
    lesson["blocks"].append({"type": "video", "src": "media/v.mp4", "title": "A clip"})
    assert author.api(blocks, {"path": LESSON, **lesson}).status_code == 200
    assert _media_jobs(app) == ["media/v.mp4"]
    lesson = author.get(f"{blocks}?path={LESSON}").get_json()
    lesson["blocks"].append({"type": "heading", "level": 2, "text": "More"})
    assert author.api(blocks, {"path": LESSON, **lesson}).status_code == 200
    assert _media_jobs(app) == ["media/v.mp4"]
