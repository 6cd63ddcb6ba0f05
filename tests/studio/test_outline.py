"""The course page's outline: each operation a POST from the page, each file it touches a revision
(restorable), a concurrent edit of course.yml refused, and only authors and admins may change it."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from packager import check_course, load_course

PAGE = "/o/inst/c/c1/"
OP = "/o/inst/c/c1/outline/"


def folder(app: Any) -> Path:
    return Path(app.config["COURSES_ROOT"], "inst", "c1")


def shown(who: Any) -> dict[str, str]:
    """The course.yml revision the course page's outline forms carry."""
    page = who.get(PAGE).get_data(as_text=True)
    match = re.search(r'name="base" value="(\d+)"><input type="hidden" name="seen" value="([0-9a-f]+)"', page)
    assert match, "no outline forms on the course page"
    return {"base": match.group(1), "seen": match.group(2)}


def do(who: Any, operation: str, **form: Any) -> str:
    """POST an operation from the page as it is now; the message the course page then shows."""
    response = who.post(OP + operation, {**shown(who), **form})
    assert response.status_code == 303 and response.headers["Location"].endswith("/c/c1/#outline")
    return html.unescape(who.get(PAGE).get_data(as_text=True))


def problems(app: Any) -> list[str]:
    found = check_course(load_course(folder(app), use_cache=False))
    return [p.format() for p in found if "starter's placeholder" not in p.message]  # the starter's own warnings


def test_each_operation_from_the_course_page_is_saved_as_revisions(app, author) -> None:
    page = do(author, "add-module", title="Going further", lesson_title="Next steps")
    assert "Done: added module 'Going further' with lesson lessons/next-steps.md" in page
    do(author, "add-lesson", module="1", title="Practice")
    do(author, "move-module", module="1", to="0")
    do(author, "rename-module", module="0", title="First things")
    do(author, "move-lesson", path="lessons/01-welcome.md", step="-1")  # first of its module: into the previous
    page = do(author, "move-lesson", path="lessons/practice.md", module="1")
    assert re.search(r"First things.*Next steps.*Welcome.*Getting started.*Check your learning.*Practice", page, re.S)
    page = do(author, "rename-lesson", path="lessons/01-welcome.md", title="Hello there")
    root = folder(app)
    assert not (root / "lessons/01-welcome.md").exists()
    renamed = (root / "lessons/hello-there.md").read_text("utf-8")
    assert renamed.startswith("---\ntitle: Hello there\nid: lessons/01-welcome\n")
    assert "Move ‘Hello there’ up" in re.sub(r"<[^>]+>", "", page)  # the button's accessible name
    page = do(author, "rename-lesson", path="lessons/hello-there.md", title="Hello, there!")  # the same file name
    assert "Done: retitled lesson lessons/hello-there.md" in page
    assert problems(app) == []
    history = html.unescape(author.get("/o/inst/c/c1/history/course.yml").get_data(as_text=True))
    for note in ("added lesson lessons/practice.md", "renamed lesson lessons/01-welcome.md to lessons/hello-there.md"):
        assert note in history
    old = html.unescape(author.get("/o/inst/c/c1/history/lessons/01-welcome.md").get_data(as_text=True))
    assert "renamed lesson lessons/01-welcome.md" in old and "author@inst.example" in old

    assert "Deleted lessons" not in page  # a renamed lesson is not listed as deleted
    page = do(author, "delete-lesson", path="lessons/practice.md")
    assert not (root / "lessons/practice.md").exists() and "lessons/practice.md" in page.split("Deleted lessons")[1]
    page = do(author, "delete-module", module="0")
    assert not (root / "lessons/next-steps.md").exists() and "First things</h3>" not in page
    assert problems(app) == []

    # restored from its history: the text comes back as the newest revision
    revs = author.get("/o/inst/c/c1/history/lessons/practice.md").get_data(as_text=True)
    newest = max(int(n) for n in re.findall(r'name="base" value="(\d+)"', revs))
    restored = author.post("/o/inst/c/c1/restore/lessons/practice.md", {"number": newest - 1, "base": newest})
    assert restored.status_code == 302 and "title: Practice" in (root / "lessons/practice.md").read_text("utf-8")


def test_a_concurrent_edit_of_course_yml_is_refused_and_a_linked_lesson_stays(app, author, person) -> None:
    seen = shown(author)
    admin = person("admin@inst.example")
    do(admin, "rename-module", module="0", title="Renamed meanwhile")
    yml = (folder(app) / "course.yml").read_text("utf-8")
    response = author.post(OP + "add-lesson", {**seen, "module": "0", "title": "Late"})
    assert response.status_code == 303
    page = html.unescape(author.get(PAGE).get_data(as_text=True))
    assert "Someone changed course.yml since you opened this page; nothing was changed." in page
    assert (folder(app) / "course.yml").read_text("utf-8") == yml and not (folder(app) / "lessons/late.md").exists()

    lesson = folder(app) / "lessons/02-check-your-learning.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nBack to [the welcome](01-welcome.md).\n", "utf-8")
    page = do(author, "delete-lesson", path="lessons/01-welcome.md")
    assert "Nothing was changed: other lessons link to it: lessons/01-welcome.md from lessons/02-check" in page
    assert (folder(app) / "lessons/01-welcome.md").exists()
    page = do(author, "rename-lesson", path="lessons/01-welcome.md", title="Start")
    assert "[the welcome](start.md)" in lesson.read_text("utf-8") and problems(app) == []


def test_only_authors_and_admins_change_the_outline(app, person) -> None:
    author = person("author@inst.example")
    form = {**shown(author), "module": "0", "title": "Nope"}
    before = (folder(app) / "course.yml").read_text("utf-8")
    for email in ("translator@inst.example", "reviewer@inst.example", "admin@other.example"):
        who = person(email)
        assert who.post(OP + "rename-module", form).status_code in (403, 404), email
        assert 'name="seen"' not in who.get(PAGE).get_data(as_text=True)
    assert person(None).post(OP + "rename-module", form).status_code in (302, 401)
    assert author.post(OP + "nonsense", form).status_code == 404
    assert author.post(OP + "rename-module", {"module": "0", "title": "x"}).status_code == 400  # no base
    assert (folder(app) / "course.yml").read_text("utf-8") == before
