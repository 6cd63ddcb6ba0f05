"""The studio in headless Chromium (it lives here to share this folder's one Playwright instance).

An author's day in the studio, in headless Chromium: sign in, create a course, write two lessons with
a quiz, upload an image, preview, fix a check error, export SCORM 2004 and download it; and two
sessions editing one lesson, where the second save is refused and nothing is lost."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, sign_in
from tests.studio.conftest import LESSON
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser
INSTITUTE = "Courses of Training Institute"  # the heading an institute member lands on


@pytest.fixture
def live(tmp_path):
    with live_studio(tmp_path) as running:
        yield running


def wait_saved(page):
    expect(page.locator("#status")).to_contain_text("saved at", timeout=15000)


def write_lesson(page, title, body):
    page.get_by_label("New lesson title").fill(title)
    page.get_by_role("button", name="Add a lesson").click()
    expect(page.locator("#file-path")).to_contain_text(".md")
    page.get_by_role("link", name="Markdown view").click()  # a new lesson opens in the block view
    page.locator("#text").fill(f"---\ntitle: {title}\n---\n{body}\n")
    wait_saved(page)


def test_the_authors_day(browser, live, tmp_path):
    base, _app = live
    context = browser.new_context(accept_downloads=True)
    page = sign_in(context, base, "author@inst.example", heading=INSTITUTE)

    # create a course
    page.get_by_label("Title").fill("Citizen Charter Basics")
    page.get_by_role("button", name="Create from the starter course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Citizen Charter Basics")
    course_url = page.url

    # two lessons, the second with a quiz from the question editor
    write_lesson(page, "What a charter promises", "A citizen's charter lists the services and their **standards**.")
    page.goto(course_url)
    write_lesson(page, "Check the charter", "Answer the quiz.\n")
    page.locator("#text").press("Control+End")
    page.get_by_text("Add a question").click()
    page.get_by_label("Question type").select_option("single")
    page.get_by_label("Question", exact=True).fill("What does a charter list?")
    page.get_by_label(re.compile("^Options, one a line")).fill("*Services and standards\nHoliday dates")
    page.get_by_role("button", name="Insert the question at the cursor").click()
    expect(page.locator("#q-status")).to_have_text("Question inserted.")
    expect(page.locator("#text")).to_have_value(
        re.compile(r"::: quiz\n\n### What does a charter list\?\n- \[x\] Services")
    )
    wait_saved(page)

    # upload an image: progress, then the media pipeline's results
    page.get_by_text("Insert an image, video or audio file").click()
    from PIL import Image

    png = tmp_path / "charter.png"
    Image.new("RGB", (1800, 900), "navy").save(png)
    page.get_by_label("File", exact=True).set_input_files(str(png))
    page.locator("#media").get_by_label("Alt text (images) or title (video, audio)").fill("The charter poster")
    page.get_by_role("button", name="Upload and insert at the cursor").click()
    expect(page.locator("#m-status")).to_contain_text("Made for learners", timeout=30000)
    expect(page.locator("#text")).to_have_value(re.compile(r"!\[The charter poster\]\(media/charter.png\)"))
    wait_saved(page)

    # live preview, rendered by the player
    frame = page.frame_locator("#preview")
    expect(frame.locator("article.ks-lesson h1")).to_have_text("Check the charter", timeout=10000)
    expect(frame.locator("img[alt='The charter poster']")).to_be_visible()
    expect(frame.locator("form, .ks-quiz").first).to_be_attached()

    # a check error: an image without alt text; the report links to the line, the author fixes it
    text = page.locator("#text").input_value()
    page.locator("#text").fill(text + "\n![](media/charter.png)\n")
    wait_saved(page)
    page.goto(course_url)
    problem = page.locator(".problems li.error").filter(has_text="has no alt text")
    expect(problem).to_be_visible()
    problem.get_by_role("link").click()
    expect(page.locator("#text")).to_be_focused()
    line = int(page.url.rsplit("line=", 1)[1])
    lines = page.locator("#text").input_value().split("\n")
    assert lines[line - 1] == "![](media/charter.png)"
    lines[line - 1] = "![The charter poster, again](media/charter.png)"
    page.locator("#text").fill("\n".join(lines))
    wait_saved(page)
    page.goto(course_url)
    expect(page.get_by_text("is the starter's placeholder").first).to_be_visible()  # warnings only
    expect(page.locator(".problems li.error")).to_have_count(0)

    # the learner player shows the course
    page.get_by_role("link", name="Open in the learner player").click()
    expect(page.locator("#ks-home-title")).to_have_text("Citizen Charter Basics")
    page.go_back()

    # export SCORM 2004 and download it
    page.get_by_role("link", name="Packages").click()
    page.get_by_label("Format").select_option("scorm2004")
    page.get_by_role("button", name="Build the package").click()
    download_link = page.get_by_role("link", name=re.compile(r"Download .*scorm2004\.zip"))
    expect(download_link).to_be_visible(timeout=60000)
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert "imsmanifest.xml" in names and any(n.startswith("lessons/") for n in names)
    context.close()


def test_two_sessions_edit_one_lesson_and_nothing_is_lost(browser, live):
    base, app = live
    first_ctx, second_ctx = browser.new_context(), browser.new_context()
    first = sign_in(first_ctx, base, "author@inst.example", heading=INSTITUTE)
    second = sign_in(second_ctx, base, "admin@inst.example", heading=INSTITUTE)
    editor = f"{base}/o/inst/c/c1/edit/{LESSON}?view=markdown"
    first.goto(editor)
    second.goto(editor)

    first.locator("#text").fill("---\ntitle: Welcome\n---\nThe first author's words.\n")
    wait_saved(first)
    second.locator("#text").fill("---\ntitle: Welcome\n---\nThe second author's words.\n")
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible(timeout=15000)
    expect(second.locator("#status")).to_contain_text("Not saved: someone saved a newer version")
    expect(second.locator("#theirs")).to_have_value(re.compile("The first author's words"))
    expect(second.locator("#yours")).to_have_value(re.compile("The second author's words"))
    lesson = Path(app.config["COURSES_ROOT"], "inst", "c1", LESSON)
    assert "first author's" in lesson.read_text()

    # the second author merges by hand and saves; both texts are in the history
    second.locator("#yours").fill("---\ntitle: Welcome\n---\nThe first author's words.\nThe second author's words.\n")
    second.get_by_role("button", name="Save yours as the newest version").click()
    wait_saved(second)
    assert "first author's words.\nThe second" in lesson.read_text()
    second.goto(f"{base}/o/inst/c/c1/history/{LESSON}")
    history = second.locator("table").inner_text()
    assert "author@inst.example" in history and "admin@inst.example" in history
    first_ctx.close()
    second_ctx.close()


@pytest.mark.parametrize("width", [320, 1024])
def test_studio_pages_pass_axe(browser, live, width):
    base, _app = live
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = sign_in(context, base, "admin@inst.example")
    pages = [
        "/o/inst/",
        "/o/inst/members",
        "/o/inst/c/c1/",
        "/o/inst/c/c1/meta",
        "/o/inst/c/c1/media/",
        f"/o/inst/c/c1/edit/{LESSON}",
        f"/o/inst/c/c1/history/{LESSON}",
        "/o/inst/c/c1/builds",
        "/account/password",
    ]
    failures = []
    for address in pages:
        page.goto(base + address)
        failures += axe_failures(page, f"{address} @{width}")
    context.close()
    assert failures == []


def test_lms_preview_shows_what_the_lms_records(browser, live):
    base, _app = live
    context = browser.new_context()
    page = sign_in(context, base, "reviewer@inst.example", heading=INSTITUTE)
    page.goto(f"{base}/o/inst/c/c1/lms/?api=scorm2004")
    lms = page.frame_locator("#lms-frame")  # the LMS side: scorm-again and its panel, on the content origin
    values = lms.locator("#lms-values")
    expect(lms.locator("#lms-log")).to_contain_text("Initialize", timeout=15000)
    course = lms.frame_locator("#sco")
    course.locator("body").evaluate("() => { location.hash = '#/lessons/01-welcome'; }")  # the learner opens a lesson
    expect(course.locator("article.ks-lesson")).to_be_visible()
    expect(values.locator("tr", has_text="cmi.location")).to_contain_text("lessons/01-welcome", timeout=15000)
    expect(lms.locator("#lms-summary")).to_contain_text("cmi.completion_status")
    context.close()


def test_editor_toolbar_works_from_the_keyboard(browser, live):
    base, _app = live
    context = browser.new_context()
    page = sign_in(context, base, "author@inst.example", heading=INSTITUTE)
    page.goto(f"{base}/o/inst/c/c1/edit/{LESSON}?view=markdown")
    page.locator("#text").evaluate("t => t.setSelectionRange(0, 0)")
    page.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("button", name="Note")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#text")).to_have_value(re.compile(r"^::: note\nText of the note\.\n:::\n"))
    expect(page.locator("#text")).to_be_focused()
    wait_saved(page)
    context.close()
