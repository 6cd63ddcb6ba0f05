"""Never lose work: every save a revision, stale saves refused with both texts, diff and restore,
edits made on disk kept, atomic writes."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from studio import revisions
from studio.storage import atomic_write
from tests.studio.conftest import LESSON

SAVE = "/api/o/inst/c/c1/save"


def lesson_file(app) -> Path:
    return Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)


def opened(who) -> int:
    page = who.get(f"/o/inst/c/c1/edit/{LESSON}").get_data(as_text=True)
    return int(page.split('data-base="')[1].split('"')[0])


def test_every_save_is_a_revision_with_who_and_when(app, author, person):
    base = opened(author)
    first = author.api(SAVE, {"path": LESSON, "text": "---\ntitle: One\n---\nA\n", "base": base}).get_json()["saved"]
    assert first["number"] == base + 1 and first["by"] == "author@inst.example"
    same = author.api(SAVE, {"path": LESSON, "text": "---\ntitle: One\n---\nA\n", "base": first["number"]}).get_json()
    assert same["saved"]["number"] == first["number"]  # an unchanged autosave adds nothing
    admin = person("admin@inst.example")
    second = admin.api(SAVE, {"path": LESSON, "text": "---\ntitle: One\n---\nB\n", "base": first["number"]})
    assert second.status_code == 200 and lesson_file(app).read_text() == "---\ntitle: One\n---\nB\n"
    history = author.get(f"/o/inst/c/c1/history/{LESSON}").get_data(as_text=True)
    assert "author@inst.example" in history and "admin@inst.example" in history
    assert "as found in the course folder" in history


def test_a_save_based_on_an_older_revision_is_refused_and_nothing_is_lost(app, author, person):
    other = person("admin@inst.example")
    base = opened(author)
    assert opened(other) == base  # two people (or two tabs) open the same revision
    mine = author.api(SAVE, {"path": LESSON, "text": "mine\n", "base": base})
    assert mine.status_code == 200
    theirs = other.api(SAVE, {"path": LESSON, "text": "theirs\n", "base": base})
    assert theirs.status_code == 409
    body = theirs.get_json()
    assert (
        body["error"] == "conflict"
        and body["theirs"]["text"] == "mine\n"
        and body["theirs"]["by"] == "author@inst.example"
    )
    assert lesson_file(app).read_text() == "mine\n"
    # the second person chooses to keep theirs, based on the revision they now have seen
    keep = other.api(SAVE, {"path": LESSON, "text": "theirs\n", "base": body["theirs"]["number"]})
    assert keep.status_code == 200 and lesson_file(app).read_text() == "theirs\n"
    numbers = [r.number for r in _history(app)]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 3


def test_racing_saves_on_one_base_cannot_both_win(app, person):
    people = [person("author@inst.example"), person("admin@inst.example")]
    base = opened(people[0])
    results: list[int] = []

    def save(who, text):
        results.append(who.api(SAVE, {"path": LESSON, "text": text, "base": base}).status_code)

    threads = [threading.Thread(target=save, args=(p, f"text {i}\n")) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]


def test_changes_made_on_disk_become_a_revision_before_a_save_can_overwrite_them(app, author):
    base = opened(author)
    lesson_file(app).write_text("edited in a text editor\n")
    response = author.api(SAVE, {"path": LESSON, "text": "from the studio\n", "base": base})
    assert response.status_code == 409 and response.get_json()["theirs"]["text"] == "edited in a text editor\n"
    assert any(r.note == "changed outside the studio" for r in _history(app))


def test_diff_and_restore(app, author):
    base = opened(author)
    author.api(SAVE, {"path": LESSON, "text": "line one\nline two\n", "base": base})
    author.api(SAVE, {"path": LESSON, "text": "line one\nline 2\n", "base": base + 1})
    diff = author.get(f"/o/inst/c/c1/diff/{LESSON}?a={base + 1}&b={base + 2}").get_data(as_text=True)
    assert '<span class="del"><span class="visually-hidden">removed: </span>-line two</span>' in diff
    assert '<span class="add"><span class="visually-hidden">added: </span>+line 2</span>' in diff
    stale = author.post(f"/o/inst/c/c1/restore/{LESSON}", {"number": base + 1, "base": base + 1})
    assert stale.status_code == 302 and "history" in stale.headers["Location"]
    restored = author.post(f"/o/inst/c/c1/restore/{LESSON}", {"number": base + 1, "base": base + 2})
    assert restored.status_code == 302 and lesson_file(app).read_text() == "line one\nline two\n"
    assert _history(app)[0].note == f"restored #{base + 1}"


def test_new_lesson_is_listed_in_course_yml_and_opens_in_the_editor(app, author):
    response = author.post("/o/inst/c/c1/lessons", {"title": 'Handling "grievances"'})
    assert response.headers["Location"].endswith("/edit/lessons/03-handling-grievances.md")
    yml = Path(app.config["COURSES_ROOT"], "inst", "c1", "course.yml").read_text()
    assert "lessons/03-handling-grievances.md" in yml and yml.startswith("# A starter course")
    page = author.get("/o/inst/c/c1/").get_data(as_text=True)
    assert 'Handling "grievances"' in page.replace("&#34;", '"') and "No problems found." in page


def test_media_upload_checks_names_and_types(app, author):
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, "PNG")

    def send(name, data, alt="A red square"):
        return author.client.post(
            "/api/o/inst/c/c1/media",
            data={"file": (io.BytesIO(data), name), "alt": alt},
            headers={"X-CSRFToken": author.token},
            content_type="multipart/form-data",
        )

    first = send("../../Red Square!.PNG", png.getvalue()).get_json()
    assert first["path"] == "media/red-square.png" and first["markdown"] == "![A red square](media/red-square.png)"
    assert send("red square.png", png.getvalue()).get_json()["path"] == "media/red-square-2.png"
    assert send("x.exe", b"MZ").status_code == 422
    assert send("fake.png", b"not an image").status_code == 422
    assert Path(app.config["COURSES_ROOT"], "inst", "c1", "media", "red-square.png").is_file()


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "a.md"
    target.write_text("old")

    def broken(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        atomic_write(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.md"]


def _history(app):
    from sqlalchemy import select

    from studio.db import session_for
    from studio.models import Course

    session = session_for(app)
    try:
        course = session.scalar(select(Course).where(Course.slug == "c1", Course.organisation.has(slug="inst")))
        return revisions.history(session, course, LESSON)
    finally:
        session.close()
