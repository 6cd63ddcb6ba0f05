"""A translator's session in headless Chromium: filter to fuzzy and fix one with the diff, accept a memory
match, use a glossary term, break a link and see the QA error, preview in Hindi and Urdu (RTL, webfonts),
upload an XLIFF file edited elsewhere; the workspace passes axe at 320 px and 1024 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from studio.authoring import library
from studio.db import session_for
from studio.models import Organisation
from tests.browser.conftest import axe_failures, sign_in
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser
SAMPLE = Path(__file__).resolve().parents[2] / "sample_courses" / "karmayogi-prarambh"
WELCOME = "lessons/01-getting-started/01-welcome.md"


@pytest.fixture
def live(tmp_path):
    """The studio with the sample course, whose author has since edited one paragraph and added one."""
    with live_studio(tmp_path) as (base, app):
        session = session_for(app)
        with app.test_request_context():
            org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
            library.adopt(session, org, SAMPLE)
        session.close()
        lesson = Path(app.config["COURSES_ROOT"]) / "inst" / "karmayogi-prarambh" / WELCOME
        text = lesson.read_text("utf-8").replace("description of good public", "description of excellent public")
        text = text.replace(
            "final assessment.\n\n::: important",
            "final assessment.\n\nTo finish the course, open every lesson and score at least 70% in the final test.\n\n"
            "::: important",
        )
        lesson.write_text(text, "utf-8")
        yield base, app


def open_segment(page, query):
    page.get_by_label("Search").fill(query)
    page.locator("#tr-segments li:not([hidden]) a").first.click()


def test_a_translators_session(browser, live):
    base, app = live
    context = browser.new_context(bypass_csp=True)  # bypass_csp: axe is injected at the end
    page = sign_in(context, base, "translator@inst.example")
    workspace = f"{base}/o/inst/c/karmayogi-prarambh/translate/hi/"

    # a glossary term for the session
    page.goto(f"{base}/o/inst/glossary/hi")
    page.get_by_label("Term (source language)").fill("final test")
    page.get_by_label("Translation", exact=True).fill("अंतिम परीक्षा")
    page.get_by_role("button", name="Save the term").click()
    expect(page.locator("tbody")).to_contain_text("अंतिम परीक्षा")

    page.goto(base + "/o/inst/translate/")
    page.get_by_role("link", name="Translate into hi").click()
    expect(page.locator(".tr-editor")).to_be_visible()

    # filter to fuzzy: the edited paragraph, with the difference highlighted; fix it from the keyboard
    page.get_by_label("Show").select_option("fuzzy")
    expect(page.locator("#tr-count")).to_have_text(re.compile(r"^1 / "))
    page.locator("#tr-segments li:not([hidden]) a").click()
    expect(page.locator("#tr-diff del")).to_have_text("good")
    expect(page.locator("#tr-diff ins")).to_have_text("excellent")
    text = page.get_by_label("Translation (hi)")
    old = text.input_value()
    assert "अच्छी लोक सेवा" in old and page.get_by_label("Needs work (fuzzy)").is_checked()
    text.fill(old.replace("अच्छी", "उत्कृष्ट"))
    text.press("Control+Enter")
    expect(page.locator("#tr-status")).to_contain_text("Saved", timeout=15000)
    page.get_by_label("Show").select_option("fuzzy")
    expect(page.locator("#tr-count")).to_have_text(re.compile(r"^0 / "))

    # the Hindi preview shows the new text
    frame = page.frame_locator("#tr-frame")
    expect(frame.locator("html")).to_have_attribute("lang", "hi")
    # the new word brings new Devanagari letters: the preview's font holds the whole script, so it is not
    # cut again (a cut took over 20 s on two busy cores with the rest of the suite)
    expect(frame.locator("body")).to_contain_text("उत्कृष्ट लोक सेवा", timeout=15000)

    # a new paragraph: accept the memory's match, see the glossary term, use it
    page.get_by_label("Show").select_option("missing")
    # while this segment's matches are on their way, the previous segment's are gone (a "Use" clicked
    # then put the other segment's translation in the box): hold the answer to see it
    held: list = []
    page.route("**/memory?*", lambda route: held.append(route))
    open_segment(page, "final test")
    expect(page.locator("#tr-source mark.term")).to_have_text("final test")
    expect(page.locator("#tr-memory")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#tr-memory li")).to_have_count(0)
    for route in held:
        route.continue_()
    page.unroute("**/memory?*")
    match = page.locator("#tr-memory li").first
    expect(match).to_contain_text("%")
    match.get_by_role("button", name=re.compile("^Use the")).click()
    expect(text).to_have_value(re.compile("अंतिम मूल्यांकन"))
    expect(page.locator("#tr-qa")).to_contain_text(
        timeout=15000, expected="glossary: translate 'final test' as 'अंतिम परीक्षा'"
    )
    text.fill(text.input_value().replace("अंतिम मूल्यांकन", "अंतिम परीक्षा"))
    expect(page.locator("#tr-qa")).not_to_contain_text("glossary", timeout=15000)
    text.press("Control+Enter")
    expect(page.locator("#tr-status")).to_contain_text("Saved", timeout=15000)

    # break a link: the QA error shows as one types; the placeholder chip puts it back
    page.get_by_label("Show").select_option("all")
    open_segment(page, "igotkarmayogi.gov.in")
    good = text.input_value()
    text.fill(good.replace("]({1})", "]"))
    expect(page.locator("#tr-qa")).to_contain_text("placeholder {1} is missing", timeout=15000)
    text.fill(good.replace("]({1})", "]"))
    text.press("Control+i")
    expect(page.locator("#tr-qa")).not_to_contain_text("placeholder", timeout=15000)

    # upload an XLIFF file edited elsewhere; it is merged
    xlf = page.request.get(workspace + "download.xlf").text()
    unit = re.search(
        r'id="lessons/01-getting-started/01-welcome\|paragraph\|7da8ae0c".*?<target state="[^"]*">(.*?)</target>',
        xlf,
        re.S,
    )
    edited = xlf.replace(unit.group(0), unit.group(0).replace(unit.group(1), "मिशन को कई संस्थाएँ चलाती हैं:"))
    page.goto(workspace)
    page.get_by_label(re.compile("^Upload a PO or XLIFF file")).set_input_files(
        {"name": "hi-edited.xlf", "mimeType": "application/xliff+xml", "buffer": edited.encode()}
    )
    page.get_by_role("button", name="Upload and merge").click()
    expect(page.get_by_role("status")).to_contain_text("1 segments updated")
    po = (Path(app.config["COURSES_ROOT"]) / "inst/karmayogi-prarambh/translations/hi.po").read_text("utf-8")
    assert "मिशन को कई संस्थाएँ चलाती हैं:" in po and "उत्कृष्ट" in po and "अंतिम परीक्षा" in po

    # the Urdu preview: right to left, with the player's own Nastaliq webfont
    page.goto(f"{base}/o/inst/c/karmayogi-prarambh/translate/ur/")
    frame = page.frame_locator("#tr-frame")
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    loaded = (
        page.frame_locator("#tr-frame")
        .locator("html")
        .evaluate(
            """async () => { await document.fonts.ready;
             return [...document.fonts].filter(f => f.status === "loaded").map(f => f.family); }"""
        )
    )
    assert loaded, "no webfont loaded in the Urdu preview"
    assert_accessible(page, base)
    context.close()


def assert_accessible(page, base):
    """WCAG 2.1 AA by axe, and no sideways scrolling, at 320 px and 1024 px (one server: test time)."""
    failures = []
    for width in (320, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for address in [
            "/o/inst/translate/",
            "/o/inst/c/karmayogi-prarambh/translate/hi/",
            "/o/inst/glossary/hi",
            "/o/inst/c/karmayogi-prarambh/questions",
        ]:
            page.goto(base + address, wait_until="domcontentloaded")
            failures += axe_failures(page, f"{address} @{width}", iframes=False)
    assert failures == []
