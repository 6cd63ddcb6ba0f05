"""Never lose work: every save a revision, stale saves refused with both texts, diff and restore,
edits made on disk kept, atomic writes."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from studio.authoring import revisions
from tests.studio.conftest import LESSON
from tests.studio.processes import HttpPerson, served

SAVE = "/api/o/inst/c/c1/save"


def lesson_file(app) -> Path:
    return Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)


def opened(who) -> int:
    page = who.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
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


def editor_page(who) -> tuple[int, str, str]:
    """The base revision and the digest of an unrecorded base (``seen``) the editor hands its script, and the page."""
    page = who.get(f"/o/inst/c/c1/edit/{LESSON}?view=markdown").get_data(as_text=True)
    return int(re.search(r'data-base="(\d+)"', page)[1]), re.search(r'data-seen="([^"]*)"', page)[1], page


def test_a_file_changed_on_disk_is_shown_by_the_reads_and_recorded_by_the_next_save(app, author):
    lesson_file(app).write_text("edited in a text editor\n")
    left = _rows(app)
    base, seen, page = editor_page(author)
    assert "edited in a text editor" in page and base == 2 and seen
    assert "changed outside the studio" in author.get(f"/o/inst/c/c1/history/{LESSON}").get_data(as_text=True)
    diff = author.get(f"/o/inst/c/c1/diff/{LESSON}?a=1&b=2").get_data(as_text=True)
    assert "+edited in a text editor" in diff
    assert _rows(app) == left  # the reads recorded nothing
    text = "edited in a text editor\nand in the studio\n"
    saved = author.api(SAVE, {"path": LESSON, "text": text, "base": base, "seen": seen})
    assert saved.status_code == 200 and saved.get_json()["saved"]["number"] == 3
    rows = _rows(app)
    assert [(n, who, note) for n, who, note, _ in rows] == [
        (1, "", "as found in the course folder"),
        (2, "", "changed outside the studio"),
        (3, "author@inst.example", ""),
    ]
    assert rows[1][3] == "edited in a text editor\n" and lesson_file(app).read_text() == text


def test_a_file_changed_on_disk_again_after_it_was_shown_is_a_conflict(app, author):
    lesson_file(app).write_text("first edit outside\n")
    base, seen, _page = editor_page(author)
    lesson_file(app).write_text("second edit outside\n")
    stale = author.api(SAVE, {"path": LESSON, "text": "from the studio\n", "base": base, "seen": seen})
    assert stale.status_code == 409 and stale.get_json()["theirs"]["text"] == "second edit outside\n"
    assert lesson_file(app).read_text() == "second edit outside\n"
    newest = _history(app)[0]
    assert (newest.number, newest.note, newest.content) == (base, "changed outside the studio", "second edit outside\n")


def test_restoring_over_a_file_changed_on_disk_keeps_that_change(app, author):
    base = opened(author)
    author.api(SAVE, {"path": LESSON, "text": "line one\n", "base": base})
    lesson_file(app).write_text("edited outside\n")
    history = author.get(f"/o/inst/c/c1/history/{LESSON}").get_data(as_text=True)
    form = dict(re.findall(r'name="(base|seen)" value="([^"]*)"', history))
    assert form["base"] == str(base + 2) and form["seen"]
    restored = author.post(f"/o/inst/c/c1/restore/{LESSON}", {"number": base + 1, **form})
    assert restored.status_code == 302 and lesson_file(app).read_text() == "line one\n"
    assert [(r.number, r.note) for r in _history(app)[:2]] == [
        (base + 3, f"restored #{base + 1}"),
        (base + 2, "changed outside the studio"),
    ]


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


def test_the_editor_service_reads_a_file_changed_on_disk_and_restores_without_losing_it(app, author):
    from sqlalchemy import select

    from studio.authoring import editor
    from studio.db import session_for
    from studio.models import CourseRecord, User

    base = opened(author)
    author.api(SAVE, {"path": LESSON, "text": "saved\n", "base": base})
    lesson_file(app).write_text("on disk\n")  # as a text editor or git pull would
    session = session_for(app)
    try:
        with app.app_context():
            course = session.scalar(
                select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation.has(slug="inst"))
            )
            user = session.scalar(select(User).where(User.email == "author@inst.example"))
            revs = editor.history(session, course, LESSON)
            assert [r.content for r in revs[:2]] == ["on disk\n", "saved\n"] and not revisions.recorded(revs[0])
            assert editor.revision(session, course, LESSON, revs[0].number).content == "on disk\n"
            assert editor.revision(session, course, LESSON, revs[0].number + 1) is None
            assert len(_history(app)) == len(revs) - 1  # reading recorded nothing
            newest, seen = revs[0].number, revs[0].content_hash
            assert editor.restore(session, course, LESSON, newest + 5, newest, user.id, seen) is None
            old = editor.restore(session, course, LESSON, base + 1, newest, user.id, seen)
            assert old is not None and old.content == "saved\n" and lesson_file(app).read_text() == "saved\n"
            history = _history(app)
            assert history[0].note == f"restored #{base + 1}" and history[1].content == "on disk\n"
    finally:
        session.close()


def test_new_lesson_is_listed_in_course_yml_and_opens_in_the_editor(app, author):
    response = author.post("/o/inst/c/c1/lessons", {"title": 'Handling "grievances"'})
    assert response.headers["Location"].endswith("/edit/lessons/03-handling-grievances.md")
    yml = Path(app.config["COURSES_ROOT"], "inst", "c1", "course.yml").read_text()
    assert "lessons/03-handling-grievances.md" in yml and yml.startswith("# A starter course")
    page = author.get("/o/inst/c/c1/").get_data(as_text=True)
    assert 'Handling "grievances"' in page.replace("&#34;", '"') and '<li class="error">' not in page


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
    other = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(other, "PNG")
    assert send("red square.png", other.getvalue()).get_json()["path"] == "media/red-square-2.png"  # other bytes
    assert send("x.exe", b"MZ").status_code == 422
    assert send("fake.png", b"not an image").status_code == 422
    assert Path(app.config["COURSES_ROOT"], "inst", "c1", "media", "red-square.png").is_file()


def _history(app):
    from sqlalchemy import select

    from studio.db import session_for
    from studio.models import CourseRecord

    session = session_for(app)
    try:
        course = session.scalar(
            select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation.has(slug="inst"))
        )
        return revisions.history(session, course, LESSON)
    finally:
        session.close()


# Racing saves and killed saves, against a real served studio ------------------------------------------


def served_base(who) -> int:
    status, page = who.request("GET", f"/o/inst/c/c1/edit/{LESSON}?view=markdown")
    assert status == 200
    return int(re.search(rb'data-base="(\d+)"', page).group(1))


def _rows(app) -> list[tuple[int, str, str, str]]:
    """(number, author's e-mail or "", note, text) of every revision of the lesson, oldest first."""
    from sqlalchemy import select

    from studio.db import session_for
    from studio.models import CourseRecord, Revision, User

    session = session_for(app)
    try:
        course = session.scalar(
            select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation.has(slug="inst"))
        )
        rows = session.execute(
            select(Revision.number, User.email, Revision.note, Revision.content)
            .outerjoin(User, User.id == Revision.user_id)
            .where(Revision.course_id == course.id, Revision.path == LESSON)
            .order_by(Revision.number)
        ).all()
        return [(n, email or "", note, text) for n, email, note, text in rows]
    finally:
        session.close()


def test_racing_saves_in_two_server_processes_record_exactly_the_accepted_saves(app, tmp_path):
    rounds = 20
    with served(app, tmp_path, workers=2) as (port, _):
        people = [HttpPerson(port, "author@inst.example"), HttpPerson(port, "admin@inst.example")]
        readers = [HttpPerson(port, "reviewer@inst.example") for _ in range(2)]
        base = served_base(people[0])
        found = lesson_file(app).read_text("utf-8")
        accepted: list[tuple[int, str, str, str]] = []
        for n in range(rounds):
            start = threading.Barrier(len(people) + len(readers))
            replies: dict[int, tuple[int, dict]] = {}

            def save(i, who, n=n, start=start, replies=replies, base=base):
                text = f"---\ntitle: Round {n}\n---\nSaved by {i}.\n"
                start.wait()
                replies[i] = who.api(SAVE, {"path": LESSON, "text": text, "base": base})

            def read(who, start=start):
                start.wait()  # a reader of the newest state, as the history page is
                assert who.request("GET", f"/o/inst/c/c1/history/{LESSON}")[0] == 200

            threads = [threading.Thread(target=save, args=(i, p)) for i, p in enumerate(people)]
            threads += [threading.Thread(target=read, args=(r,)) for r in readers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(status for status, _ in replies.values()) == [200, 409], replies
            [winner] = [i for i, (status, _) in replies.items() if status == 200]
            saved = replies[winner][1]["saved"]
            text = f"---\ntitle: Round {n}\n---\nSaved by {winner}.\n"
            theirs = replies[1 - winner][1]["theirs"]
            # the refused one is shown the file as it is: the winner's text, by the winner
            assert (theirs["text"], theirs["by"], theirs["number"]) == (text, saved["by"], saved["number"])
            assert lesson_file(app).read_text("utf-8") == text
            accepted.append((base + 1, saved["by"], "", text))
            assert saved["number"] == base + 1
            base = saved["number"]
    assert _rows(app) == [(1, "", "as found in the course folder", found), *accepted]


@pytest.mark.parametrize("step", ["before-replace", "after-replace"])
def test_a_save_killed_midway_leaves_the_files_text_in_the_history(app, tmp_path, person, step):
    old = lesson_file(app).read_text("utf-8")
    new = "---\ntitle: Killed\n---\nSaved just before the crash.\n"
    paused = Path(app.config["DATA_DIR"], f"save-paused-{step}")
    with served(app, tmp_path, KSTUDIO_TEST_SAVE_PAUSE=step) as (port, proc):
        author = HttpPerson(port, "author@inst.example")
        base = served_base(author)

        def save():
            with contextlib.suppress(OSError):  # the server dies under it
                author.api(SAVE, {"path": LESSON, "text": new, "base": base})

        threading.Thread(target=save, daemon=True).start()
        deadline = time.monotonic() + 30
        while not paused.exists():
            assert time.monotonic() < deadline, f"the save never reached {step}"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    text = lesson_file(app).read_text("utf-8")
    assert text == (old if step == "before-replace" else new)
    who = person("admin@inst.example")
    left = _rows(app)
    newest = opened(who)  # a reader shows the file's text as the newest revision, and writes nothing
    assert _rows(app) == left
    again = who.api(SAVE, {"path": LESSON, "text": "after the crash\n", "base": newest})  # settles what was left
    assert again.status_code == 200 and again.get_json()["saved"]["number"] == newest + 1
    rows = _rows(app)
    assert rows[-2][0] == newest and rows[-2][3] == text
    after = (newest + 1, "admin@inst.example", "", "after the crash\n")
    if step == "after-replace":
        assert rows == [(1, "", "as found in the course folder", old), (2, "author@inst.example", "", new), after]
    else:
        assert rows == [(1, "", "as found in the course folder", old), after]
