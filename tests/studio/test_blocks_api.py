"""The block editor's API: a lesson as blocks, saved through the same revisioned save as the Markdown
editor (one revisioned text, the same conflict refusal), for the roles that may edit lessons only."""

from __future__ import annotations

from pathlib import Path

from packager.blocks import from_json, read
from studio.accounts.policy import ACTIONS
from tests.studio.conftest import LESSON

BLOCKS = "/api/o/inst/c/c1/blocks"
SAVE = "/api/o/inst/c/c1/save"


def lesson_file(app) -> Path:
    return Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)


def opened(who) -> dict:
    response = who.get(f"{BLOCKS}?path={LESSON}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_an_author_reads_a_lesson_as_blocks_and_saves_blocks_as_its_next_revision(app, author):
    lesson = opened(author)
    assert lesson["blocks"][0]["type"] == "front" and from_json(lesson) == read(lesson_file(app).read_text())
    lesson["blocks"] += [
        {"type": "heading", "level": 2, "text": "Check yourself"},
        {
            "type": "quiz",
            "kind": "check",
            "questions": [{"kind": "fill", "prompt": "Which register?", "answers": ["Grievance register"]}],
        },
    ]
    saved = author.api(BLOCKS, {"path": LESSON, **lesson})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["saved"]["number"] == lesson["base"] + 1 and body["saved"]["by"] == "author@inst.example"
    text = lesson_file(app).read_text()
    assert body["text"] == text == opened(author)["text"]
    assert text.endswith("## Check yourself\n\n::: check\n\n### Which register?\n= Grievance register\n:::\n")
    assert body["blocks"] == opened(author)["blocks"] and from_json(body) == from_json(lesson)  # defaults filled
    assert opened(author)["base"] == body["saved"]["number"]
    history = author.get(f"/o/inst/c/c1/history/{LESSON}").get_data(as_text=True)
    assert "block editor" in history


def test_the_block_and_markdown_views_edit_one_revisioned_text(app, author, person):
    lesson = opened(author)
    other = person("admin@inst.example")
    theirs_text = "---\ntitle: Theirs\n---\nTheir text.\n"
    assert other.api(SAVE, {"path": LESSON, "text": theirs_text, "base": lesson["base"]}).status_code == 200
    lesson["blocks"][0]["title"] = "Mine"
    refused = author.api(BLOCKS, {"path": LESSON, **lesson})
    assert refused.status_code == 409
    theirs = refused.get_json()["theirs"]
    assert theirs["text"] == "---\ntitle: Theirs\n---\nTheir text.\n" and theirs["by"] == "admin@inst.example"
    assert [b["type"] for b in theirs["blocks"]] == ["front", "text"] and theirs["blocks"][0]["title"] == "Theirs"
    assert lesson_file(app).read_text() == "---\ntitle: Theirs\n---\nTheir text.\n"  # nothing overwritten
    again = opened(author)
    again["blocks"][0]["title"] = "Mine"
    assert author.api(BLOCKS, {"path": LESSON, **again}).status_code == 200
    assert lesson_file(app).read_text() == "---\ntitle: Mine\n---\nTheir text.\n"


def test_a_lesson_changed_on_disk_is_saved_over_only_as_seen(app, author):
    lesson_file(app).write_text("---\ntitle: From git\n---\nPulled.\n")
    lesson = opened(author)
    assert lesson["seen"] and lesson["blocks"][1] == {"type": "text", "markdown": "Pulled."}
    lesson_file(app).write_text("---\ntitle: From git again\n---\nPulled twice.\n")
    assert author.api(BLOCKS, {"path": LESSON, **lesson}).status_code == 409  # the text shown is gone
    lesson = opened(author)
    lesson["blocks"][1]["markdown"] = "Edited."
    assert author.api(BLOCKS, {"path": LESSON, **lesson}).status_code == 200
    assert lesson_file(app).read_text() == "---\ntitle: From git again\n---\nEdited.\n"


def test_bad_blocks_are_a_clear_error_and_nothing_is_saved(app, author):
    before = lesson_file(app).read_text()
    lesson = opened(author)
    for blocks, message in [
        ([{"type": "essay"}], "blocks[0].type"),
        ([{"type": "heading", "level": "2", "text": "x"}], "blocks[0].level"),
        ([{"type": "text", "markdown": "x" * (300 * 1024)}], "larger than 256 KB"),
    ]:
        response = author.api(BLOCKS, {"path": LESSON, "base": lesson["base"], "format": 1, "blocks": blocks})
        assert response.status_code == 422 and message in response.get_json()["error"]
    assert author.api(BLOCKS, {"path": LESSON, "format": 1, "blocks": []}).status_code == 400  # no base
    assert author.get(BLOCKS).status_code == 400
    assert author.get(f"{BLOCKS}?path=course.yml").status_code == 404  # not a lesson
    assert author.get(f"{BLOCKS}?path=../../other/c1/{LESSON}").status_code == 404
    assert author.get(f"{BLOCKS}?path=lessons/none.md").status_code == 404
    assert lesson_file(app).read_text() == before


def test_only_roles_that_edit_lessons_use_the_block_editor(person):
    """As the policy table says (``lesson.edit``): translators and reviewers neither read nor save blocks."""
    for role in ("translator", "reviewer", "publisher", "author", "admin"):
        who = person(f"{role}@inst.example")
        allowed = role in ACTIONS["lesson.edit"]
        assert allowed == (role in ("author", "admin")), role
        assert who.get(f"{BLOCKS}?path={LESSON}").status_code == (200 if allowed else 403), role
        base = opened(who)["base"] if allowed else 1
        front = {"format": 1, "blocks": [{"type": "front", "title": role}]}
        assert who.api(BLOCKS, {"path": LESSON, "base": base, **front}).status_code == (200 if allowed else 403)
