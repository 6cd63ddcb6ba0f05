"""The lesson editor's buttons cannot make the silent traps (issue 15): questions stay inside their quiz,
media stand as their own paragraph, the Image button offers only files that exist, Ctrl+Z undoes an
insert, and the problem list shows what the course page's check shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, sign_in
from tests.browser.test_studio import INSTITUTE, live, wait_saved  # noqa: F401 (live: the fixture)

pytestmark = pytest.mark.browser
LESSON_TEXT = "---\ntitle: Answering a grievance\n---\nA first paragraph.\n"


def add_question(page, prompt: str, options: str, wrap: str, kind: str = "single") -> None:
    page.get_by_label("Question type").select_option(kind)
    page.get_by_label("Question", exact=True).fill(prompt)
    page.get_by_label(re.compile("^Options, one a line")).fill(options)
    page.get_by_label("Put it in").select_option(wrap)
    page.get_by_role("button", name="Insert the question at the cursor").click()


def test_editor_inserts_keep_quizzes_and_media_whole_and_undo_works(browser, live):  # noqa: F811
    base, _app = live
    context = browser.new_context()
    page = sign_in(context, base, "author@inst.example", heading=INSTITUTE)
    page.goto(f"{base}/o/inst/c/c1/edit/lessons/01-welcome.md?view=markdown")
    text = page.locator("#text")
    text.fill(LESSON_TEXT)
    wait_saved(page)
    page.reload()
    # the heading is the lesson's title; the file's path stays in sight
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Answering a grievance$"))
    expect(page.locator("#file-path")).to_have_text("lessons/01-welcome.md")

    # a new quiz, then two questions for "the quiz around the cursor": all three inside the quiz
    text.press("Control+End")
    page.get_by_text("Add a question").click()
    add_question(page, "First?", "*yes\nno", "quiz")
    expect(page.locator("#q-status")).to_have_text("Question inserted.")
    add_question(page, "Second?", "*a\n*b\nc", "", "multiple")
    expect(page.locator("#text")).to_have_value(re.compile(r"### Second\?"))
    add_question(page, "Third?", "*x\ny", "")
    expect(text).to_have_value(
        "---\ntitle: Answering a grievance\n---\nA first paragraph.\n\n::: quiz\n\n"
        "### First?\n- [x] yes\n- [ ] no\n\n### Second? {multiple}\n- [x] a\n- [x] b\n- [ ] c\n\n"
        "### Third?\n- [x] x\n- [ ] y\n:::\n\n"
    )
    # outside any quiz, the question is refused with the reason, not inserted as text
    text.evaluate("t => t.setSelectionRange(t.value.indexOf('A first'), t.value.indexOf('A first'))")
    before = text.input_value()
    add_question(page, "Lost?", "*a\nb", "")
    expect(page.locator("#q-status")).to_contain_text("the cursor is not inside a quiz")
    assert text.input_value() == before

    # Ctrl+Z undoes a toolbar insert; back at the saved text the status says so, not "Unsaved changes…"
    wait_saved(page)
    text.evaluate("t => t.setSelectionRange(t.value.indexOf('first'), t.value.indexOf('first') + 5)")
    page.get_by_role("button", name="Bold").click()
    expect(text).to_have_value(re.compile(r"A \*\*first\*\* paragraph"))
    expect(page.locator("#status")).to_have_text("Unsaved changes…")
    text.press("Control+z")
    expect(text).to_have_value(before)
    expect(page.locator("#status")).to_have_text(re.compile(r"^Revision \d+, saved\.$"))
    # with nothing selected, Italic's placeholder is selected: typing replaces it (it went after it)
    text.evaluate("t => t.setSelectionRange(t.value.indexOf('first'), t.value.indexOf('first'))")
    page.get_by_role("button", name="Italic").click()
    page.keyboard.type("very")
    expect(text).to_have_value(re.compile(r"A _very_first paragraph"))
    for _ in range(8):  # the typing, then the insert, are undone (in as many steps as the browser made)
        if text.input_value() == before:
            break
        text.press("Control+z")
    expect(text).to_have_value(before)

    # the Image button opens the choice of the course's own files; the file goes in as its own paragraph
    text.evaluate("t => t.setSelectionRange(t.value.indexOf('first'), t.value.indexOf('first'))")
    page.get_by_role("button", name="Image").click()
    expect(page.get_by_label("A file already in the course")).to_be_focused()
    assert "media/image.png" not in page.content()
    page.get_by_label("A file already in the course").select_option("media/diagram.svg")
    page.locator("#m-existing-alt").fill("The steps")
    page.get_by_role("button", name="Insert it at the cursor").click()
    expect(text).to_have_value(re.compile(r"A first paragraph\.\n\n!\[The steps\]\(media/diagram\.svg\)\n\n::: quiz"))
    expect(page.locator("#m-status")).to_have_text("Inserted media/diagram.svg at the cursor.")

    # the problem list shows a missing file and a trap, as the course page's check does
    value = text.input_value().replace("A first paragraph.", "A first paragraph.\n![Gone](media/gone.png)")
    text.fill(value + "\n### Outside {multiple}\n- [x] a\n- [x] b\n")
    problems = page.locator("#preview-problems")
    expect(problems).to_contain_text("missing image file 'media/gone.png'", timeout=10000)
    expect(problems).to_contain_text("question outside a quiz")
    expect(problems).to_contain_text("is one line from the text around it")
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_editor_with_its_panels_open_and_a_job_page_pass_axe(browser, live, width):  # noqa: F811
    base, _app = live
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = sign_in(context, base, "author@inst.example", heading=INSTITUTE)
    page.goto(f"{base}/o/inst/c/c1/edit/lessons/01-welcome.md?view=markdown")
    page.get_by_role("button", name="Image").click()
    page.get_by_text("Add a question").click()
    expect(page.locator("#m-existing")).to_be_visible()
    failures = axe_failures(page, f"editor @{width}")
    # a job's page: the status in words
    page.goto(f"{base}/o/inst/c/c1/builds")
    page.get_by_role("button", name="Build the package").click()
    expect(page.locator("#job-state")).to_have_text("Finished", timeout=60000)
    page.reload()  # the page reloads itself once the job ends: scan the page it settles on
    expect(page.locator("#job-state")).to_have_text("Finished")
    expect(page.get_by_role("link", name=re.compile(r"^Download "))).to_be_visible()
    failures += axe_failures(page, f"job @{width}")
    context.close()
    assert failures == []
