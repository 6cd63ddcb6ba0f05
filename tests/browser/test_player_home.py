"""The player's home page puts Start (or Continue, with the lesson it opens) above the fold of a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import course_data

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def test_start_and_continue_are_above_the_fold_on_a_phone(browser, sample_site):
    course = course_data(sample_site)
    lessons = course["lessons"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto((sample_site / "index.html").as_uri())
    start = page.get_by_role("link", name="Start")
    expect(start).to_be_visible()
    box = start.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    # the lesson Start opens is named beside it, and describes the link to screen readers
    expect(page.locator("#ks-start-lesson")).to_have_text(lessons[0]["title"])
    expect(start).to_have_attribute("aria-describedby", "ks-start-lesson")

    # back after the third lesson: Continue, with that lesson's name, still above the fold
    page.goto((sample_site / "index.html").as_uri() + f"#/{lessons[2]['id']}")
    page.wait_for_selector("article.ks-lesson")
    page.goto((sample_site / "index.html").as_uri() + "#ks-home")
    resume = page.locator("a.ks-start")
    expect(resume).to_have_text("Continue")
    expect(page.locator("#ks-start-lesson")).to_have_text(lessons[2]["title"])
    box = resume.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    context.close()
