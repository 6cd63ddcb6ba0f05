"""The author's day in the block editor only (issue 15): no Markdown typed. A text block with bold by the
button, an uploaded image with its alt text, a quiz with all five question kinds from their forms, a block
moved with the keyboard, one deleted and brought back by Undo; after a reload the lesson's Markdown on
disk is what the blocks say and ``kstudio check`` passes; axe at 320 and 1280 px. The test counts the
author's clicks and keystrokes (reported in the issue's closing note)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from packager import blocks
from studio.cli import main
from tests.browser.conftest import axe_failures, sign_in
from tests.browser.hands import Author, png
from tests.browser.test_studio import INSTITUTE, live  # noqa: F401 (live: the fixture)

pytestmark = pytest.mark.browser
LESSON = "lessons/01-welcome.md"


def test_the_authors_day_in_the_block_editor(browser, live, capsys):  # noqa: F811
    base, app = live
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = sign_in(context, base, "author@inst.example", heading=INSTITUTE)
    page.goto(f"{base}/o/inst/c/c1/edit/{LESSON}")  # the block view is the default
    status = page.locator("#blocks-status")
    expect(status).to_have_text(re.compile(r"^Revision \d+, saved\.$"))
    me = Author(page)
    count = page.locator(".block").count()  # the starter's lesson: details, text, image, tip, reflection, check
    assert count == 6

    # a text block at the end, bold by the button
    me.click(page.get_by_role("button", name=f"Add a block after block {count}"))
    me.click(page.get_by_role("button", name=f"Add a Text block after block {count}"))
    text = me.block(7).get_by_label("Text", exact=True)
    expect(text).to_be_focused()
    me.type(text, "Answer every grievance within ")
    me.click(me.block(7).get_by_role("button", name="Bold"))
    page.keyboard.type("thirty days")
    me.keys += len("thirty days")
    expect(text).to_have_value("Answer every grievance within **thirty days**")

    # an image, uploaded, with its alt text
    me.click(page.get_by_role("button", name="Add a block after block 7"))
    me.click(page.get_by_role("button", name="Add a Image block after block 7"))
    me.block(8).get_by_label("Or upload a new file").set_input_files(
        {"name": "desk.png", "mimeType": "image/png", "buffer": png()}
    )
    me.clicks += 2  # the file chooser: open it, pick the file
    me.type(me.block(8).get_by_label(re.compile("^Alt text")), "A clear desk")
    me.click(page.get_by_role("button", name="Upload the file for block 8"))
    expect(me.block(8).locator(".upload-status")).to_contain_text("Uploaded media/desk")
    expect(me.block(8).get_by_label("A file already in the course")).to_have_value(re.compile(r"^media/desk"))

    # a quiz with the five kinds of question, each from its form
    me.click(page.get_by_role("button", name="Add a block after block 8"))
    me.click(page.get_by_role("button", name="Add a Quiz or check block after block 8"))
    quiz = me.block(9)
    me.type(quiz.get_by_label("Pass mark (%)"), "70")
    me.type(quiz.get_by_label("Attempts allowed"), "2")

    def add(kind: str, prompt: str):
        me.click(quiz.get_by_role("button", name=f"Add a question '{kind}' to block 9"))
        q = quiz.locator(".bq").last
        me.type(q.get_by_label("Question", exact=True), prompt)
        return q

    q = add("One correct answer", "Who replies first?")
    me.type(q.get_by_label("Option text").nth(0), "The officer")
    me.type(q.get_by_label("Option text").nth(1), "Nobody")
    q = add("Several correct answers", "What goes in a reply?")
    me.type(q.get_by_label("Option text").nth(0), "The decision")
    me.type(q.get_by_label("Option text").nth(1), "The reasons")
    me.click(q.get_by_label("Correct").nth(1))
    me.type(q.get_by_label("Feedback when chosen").nth(1), "Yes, always the reasons.")
    q = add("Fill in the answer", "How many days at most?")
    me.type(q.get_by_label("Accepted answers, one a line"), "30")
    q = add("Put in order", "Order the steps.")
    items = q.get_by_label("Items in the right order, one a line")
    me.type(items, "Register")
    page.keyboard.press("Enter")
    page.keyboard.type("Decide")
    me.keys += 1 + len("Decide")
    q = add("Match pairs", "Match each to its office.")
    for k, (left, right) in enumerate([("Pension", "Finance"), ("Transfer", "Personnel")]):
        pair = q.locator(".bq-pair").nth(k)
        me.type(pair.get_by_label("Left"), left)
        me.type(pair.get_by_label("Right"), right)
    me.type(q.get_by_label("Explanation"), "Each office answers for its own rules.")

    # the text block moved up with the keyboard; focus stays on it
    me.click(me.block(7).locator("h3"))
    me.press(me.block(7), "Alt+ArrowUp")
    expect(me.block(6).get_by_label("Text", exact=True)).to_have_value(re.compile("thirty days"))
    expect(me.block(6)).to_be_focused()
    expect(page.locator("#blocks-said")).to_contain_text("to place 6")

    # the reflection deleted, then brought back by Undo (no confirm dialog)
    me.click(page.get_by_role("button", name=re.compile(r"^Delete block 5 'Reflection: ")))
    expect(page.locator(".block-reflection")).to_have_count(0)
    expect(page.locator("#blocks-said")).to_contain_text("Undo brings it back")
    me.click(page.get_by_role("button", name="Undo"))
    expect(page.locator(".block-reflection")).to_have_count(1)
    me.click(page.get_by_role("button", name="Save now"))
    expect(status).to_contain_text("saved at", timeout=15000)

    # reloaded: the blocks as left; the Markdown on disk is what they say, and the course checks clean
    page.reload()
    expect(status).to_have_text(re.compile(r"^Revision \d+, saved\.$"))
    expect(page.locator(".block")).to_have_count(9)
    served = page.request.get(f"{base}/api/o/inst/c/c1/blocks?path={LESSON}").json()
    course = Path(app.config["COURSES_ROOT"]) / "inst" / "c1"
    on_disk = (course / LESSON).read_text("utf-8")
    assert blocks.write(blocks.from_json(served)) == on_disk
    assert "**thirty days**" in on_disk and "![A clear desk](media/desk" in on_disk
    marks = (
        "### Who replies first?",
        "{multiple}",
        "= 30",
        "1. Register\n2. Decide",
        "{match}",
        "- Pension -> Finance",
    )
    for mark in marks:
        assert mark in on_disk, mark
    capsys.readouterr()
    assert main(["check", str(course)]) == 0
    assert "error" not in capsys.readouterr().out.lower().replace("0 errors", "")

    failures = axe_failures(page, "blocks @1280")
    page.set_viewport_size({"width": 320, "height": 800})
    failures += axe_failures(page, "blocks @320")
    context.close()
    print(f"the author's day in the block editor: {me.clicks} clicks, {me.keys} keystrokes")
    assert failures == []
