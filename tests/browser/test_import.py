"""Importing a Word file from the courses page, on a 320 px screen and by keyboard alone: the job's
page follows the progress to the end, passes axe, and leads to the import report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, sign_in
from tests.office_files import make_docx
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser


def test_import_a_word_file_by_keyboard_on_a_phone(browser, tmp_path):
    source = make_docx(tmp_path / "grievances.docx")
    with live_studio(tmp_path / "studio") as (base, _app):
        context = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
        page = sign_in(context, base, "author@inst.example")
        field = page.get_by_label("A .docx, .pptx, SCORM .zip or .h5p file")
        field.set_input_files(str(source))
        field.focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Import as a new course")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Importing grievances.docx")
        report = page.get_by_role("link", name="Read the import report")
        expect(report).to_be_visible(timeout=60000)  # job.js reloads the page when the job ends
        expect(page.locator("#job-result")).to_contain_text("12 converted, 2 approximated, 0 dropped")
        assert axe_failures(page, "import job @320") == []
        report.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#text")).to_contain_text("# Import report: grievances.docx")
        context.close()
