"""Build everything in one click, and the editor's preview on device sizes and in each language, in
headless Chromium: the sample course in two formats x two languages, its downloads listed; the device
switch sizing the preview's frame; the Hindi preview; axe at 320 px on the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, phone, sign_in
from tests.studio.conftest import adopt_sample
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser
COURSE = "/o/inst/c/karmayogi-prarambh"
LESSON = "lessons/01-getting-started/01-welcome.md"


@pytest.fixture
def live(tmp_path):
    with live_studio(tmp_path) as (base, app):
        adopt_sample(app)
        yield base, app


def test_build_all_in_one_click_and_preview_on_devices_and_languages(browser, live):
    base, _app = live
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = sign_in(context, base, "author@inst.example")

    page.goto(base + COURSE + "/builds")
    form = page.locator("form.build-all")
    for name in ("SCORM 2004 (4th edition)", "iGOT Karmayogi", "xAPI (tincan.xml)", "cmi5", "PDF handout"):
        form.get_by_label(name).uncheck()
    form.get_by_label("اردو").uncheck()
    form.get_by_role("button", name="Build all").click()  # the one click
    expect(page.locator("#built-h")).to_have_text("4 packages built", timeout=90000)
    expect(page.locator("#job-state")).to_have_text("Finished: 4 packages")
    job = page.url
    rows = page.locator("table.downloads tbody tr")
    expect(rows).to_have_count(4)
    for lang, language in (("en", "English"), ("hi", "हिन्दी")):
        for fmt, name in (("scorm12", "SCORM 1.2"), ("html", "Offline site (HTML)")):
            row = rows.filter(has_text=f"-{lang}-{fmt}.zip")
            expect(row).to_contain_text(name)
            expect(row).to_contain_text(language)
    with page.expect_download() as download:
        rows.filter(has_text="-hi-html.zip").get_by_role("link").click()
    assert download.value.suggested_filename.endswith("-hi-html.zip")

    page.goto(f"{base}{COURSE}/edit/{LESSON}?view=markdown")  # the device and language switch: the Markdown view's pane
    frame = page.locator("#preview")
    expect(page.frame_locator("#preview").locator("article.ks-lesson")).to_be_visible(timeout=15000)
    fit = frame.evaluate("f => f.offsetWidth")  # the pane's width
    phone_button = page.get_by_role("button", name="Phone 360×740")
    phone_button.focus()
    page.keyboard.press("Enter")  # real buttons: the keyboard works them
    expect(phone_button).to_have_attribute("aria-pressed", "true")
    assert frame.evaluate("f => [f.clientWidth, f.clientHeight]") == [360, 740]  # the phone's screen
    page.get_by_role("button", name="Desktop 1280×800").click()
    assert frame.evaluate("f => f.clientWidth") == 1280
    shown = frame.bounding_box()
    assert shown is not None and shown["width"] <= fit + 1  # scaled to fit the pane
    assert abs(shown["width"] / shown["height"] - 1280 / 800) < 0.02

    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("#preview-translated")).to_be_visible()
    expect(frame).to_be_hidden()
    hindi = page.frame_locator("#preview-translated")
    expect(hindi.locator(".ks-crumb")).to_contain_text("मॉड्यूल", timeout=15000)
    expect(hindi.locator("html")).to_have_attribute("lang", "hi")
    assert page.locator("#preview-translated").evaluate("f => f.clientWidth") == 1280  # the device holds
    page.locator("#text").press("Control+End")
    page.locator("#text").type("\n\nनया अनुच्छेद।\n")  # the translated preview follows the text
    expect(hindi.locator("article")).to_contain_text("नया अनुच्छेद।", timeout=15000)
    page.get_by_role("button", name="English").click()
    expect(frame).to_be_visible()
    context.close()

    small = phone(browser)
    page = sign_in(small, base, "author@inst.example")
    failures = []
    for address in (base + COURSE + "/builds", job, f"{base}{COURSE}/edit/{LESSON}?view=markdown"):
        page.goto(address)
        failures += axe_failures(page, f"{address} @320", iframes=False)
    small.close()
    assert failures == []
