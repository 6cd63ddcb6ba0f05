"""The learning analytics reports in headless Chromium at 320 px: axe finds nothing serious, nothing
scrolls sideways, and the charts are images with their names (the data tables beside them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_failures, phone, sign_in
from tests.studio.conftest import adopt_sample
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser


def test_report_pages_pass_axe_at_320px(browser, tmp_path):
    from packager import load_course
    from studio.analytics.generator import Cohort
    from studio.db import session_for
    from tests.conftest import SAMPLE
    from tests.studio.test_analytics_reports import insert_statements

    with live_studio(tmp_path) as (base, app):
        course = adopt_sample(app)
        with app.app_context():
            session = session_for(app)
            cohort = Cohort(load_course(SAMPLE), 40, seed=3, org_units=("Revenue Department", "Health Department"))
            insert_statements(session, course, list(cohort.statements()))
            session.commit()
            session.close()
        context = phone(browser)
        page = sign_in(context, base, "author@inst.example")
        failures = []
        for report in ("", "funnel", "competencies", "reflections"):
            page.goto(f"{base}/o/inst/c/karmayogi-prarambh/analytics/{report}")
            expect(page.get_by_role("img").first).to_be_visible()  # the chart, named by its <title>
            failures += axe_failures(page, f"analytics/{report} @320")
        page.get_by_role("link", name="Read the texts").first.click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("Texts written for")
        failures += axe_failures(page, "analytics/reflections texts @320")

        # the course's competencies changed since the evidence was counted: the page says so and offers a
        # recount, by keyboard
        from studio.analytics import tallies

        with app.app_context():
            session = session_for(app)
            tallies.adopt_map(session.connection(), course.id, [("no-such-quiz/q1", "Behavioural / Other")])
            session.commit()
            session.close()
        competencies = f"{base}/o/inst/c/karmayogi-prarambh/analytics/competencies"
        page.goto(competencies)
        expect(page.get_by_role("status").filter(has_text="counted afresh")).to_be_visible()
        failures += axe_failures(page, "analytics/competencies, to be counted again @320")
        page.get_by_role("button", name="Count the evidence again").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("The evidence is being counted again")).to_be_visible()
        failures += axe_failures(page, "analytics/competencies, recount queued @320")
        # the studio's worker runs the job (at once or a moment later): then the page no longer says so
        for _ in range(100):
            page.goto(competencies)
            if not page.get_by_text("counted afresh").count():
                break
            page.wait_for_timeout(200)
        expect(page.get_by_text("counted afresh")).to_have_count(0)
        context.close()
    assert failures == []
