"""The course outline by keyboard alone, in headless Chromium: reorder two lessons, rename one, delete
one, each with Tab and Enter from the course page; the page axe-clean at 320 px with a lesson's
controls open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, sign_in
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser
MAX_TABS = 80


def tab_to(page, name: str) -> None:
    """Press Tab until the focused control's text (a button's or summary's accessible name) or label is
    *name*."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                 const label = e.labels && e.labels.length ? e.labels[0].textContent : e.textContent;
                 return (label || '').replace(/\\s+/g, ' ').trim(); }"""
        )
        if focused == name:
            return
    raise AssertionError(f"no control named {name!r} within {MAX_TABS} presses of Tab")


def test_the_outline_by_keyboard(browser, tmp_path):
    with live_studio(tmp_path) as (base, _app):
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 740})
        page = sign_in(context, base, "author@inst.example")
        page.goto(base + "/o/inst/c/c1/")
        lessons = page.locator(".outline-module .lessons > li > a")
        expect(lessons).to_have_text(["Welcome", "Check your learning"])

        tab_to(page, "Move ‘Check your learning’ up")
        page.keyboard.press("Enter")
        expect(page.locator(".flash.info")).to_contain_text("moved lesson lessons/02-check-your-learning.md")
        expect(lessons).to_have_text(["Check your learning", "Welcome"])

        tab_to(page, "Rename, move or delete ‘Welcome’")
        page.keyboard.press("Enter")  # opens the lesson's controls
        tab_to(page, "New title for ‘Welcome’")
        assert axe_failures(page, "course page, 320 px, a lesson's controls open") == []
        page.keyboard.press("Control+A")
        page.keyboard.type("Before you start")
        page.keyboard.press("Enter")
        expect(page.locator(".flash.info")).to_contain_text("to lessons/before-you-start.md")
        expect(lessons).to_have_text(["Check your learning", "Before you start"])

        tab_to(page, "Rename, move or delete ‘Check your learning’")
        page.keyboard.press("Enter")
        tab_to(page, "Delete ‘Check your learning’")
        page.keyboard.press("Enter")
        expect(page.locator(".flash.info")).to_contain_text("deleted lesson lessons/02-check-your-learning.md")
        expect(lessons).to_have_text(["Before you start"])
        context.close()
