"""The catalogue in headless Chromium: a partner submits a course, a reviewer returns it with a comment,
the partner fixes and resubmits, a reviewer approves and a publisher publishes; the course is then found
by the public catalogue's search and is in the content partner sheet (CSV)."""

from __future__ import annotations

import csv
import io
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from studio.accounts import accounts
from studio.db import session_for
from tests.browser.conftest import axe_failures, phone, sign_in, submit_and_wait
from tests.studio.conftest import LESSON, PASSWORD
from tests.studio.live import live_studio
from tests.studio.test_catalog_workflow import add_thumbnail

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path):
    with live_studio(tmp_path) as (base, app):
        session = session_for(app)
        org = accounts.create_org(session, "market", "Karmayogi Marketplace")
        org.is_catalogue = True
        accounts.create_user(session, "reviewer@market.example", PASSWORD, org, "reviewer")
        accounts.create_user(session, "publisher@market.example", PASSWORD, org, "publisher")
        session.commit()
        session.close()
        add_thumbnail(app)
        yield base, app


def axe_failures_at(page, base, addresses):
    """What axe and the 320 px screen find wrong on each of *addresses*."""
    failures = []
    for address in addresses:
        page.goto(base + address)
        failures += axe_failures(page, f"{address} @320")
    return failures


def test_partner_reviewer_and_publisher(browser, live):
    base, app = live
    partner = sign_in(phone(browser), base, "author@inst.example")
    reviewer = sign_in(phone(browser), base, "reviewer@market.example")
    publisher = sign_in(phone(browser), base, "publisher@market.example")

    partner.goto(base + "/o/inst/c/c1/")
    partner.get_by_role("link", name="Offer to the catalogue").click()
    submit_and_wait(partner, base)

    reviewer.goto(base + "/o/market/review/")
    reviewer.get_by_role("link", name="First course").click()
    reviewer.get_by_label("On", exact=True).select_option(LESSON)
    reviewer.get_by_label("Comment", exact=True).fill("Say what a grievance is before the steps.")
    reviewer.get_by_role("button", name="Add comment").click()
    reviewer.get_by_label("Reasons").fill("Please see the comment on the welcome lesson.")
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(reviewer.locator("strong.state")).to_have_text("Returned for changes")

    partner.goto(base + "/o/inst/c/c1/submissions/")
    expect(partner.locator(".comments")).to_contain_text("Say what a grievance is before the steps.")
    expect(partner.locator(".submission .state").first).to_have_text("Returned for changes")
    expect(partner.locator("a", has_text="Notifications")).to_contain_text("unread")
    lesson = Path(app.config["COURSES_ROOT"]) / "inst" / "c1" / LESSON
    lesson.write_text(lesson.read_text("utf-8") + "\nA grievance is a complaint about a public service.\n", "utf-8")
    submit_and_wait(partner, base)

    reviewer.goto(base + "/o/market/review/")
    reviewer.get_by_role("link", name="First course").click()
    expect(reviewer.locator("pre.diff").first).to_be_attached()
    expect(reviewer.locator("details[open] summary", has_text="Details of quality")).to_be_visible()
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.locator("strong.state")).to_have_text("Reviewed")

    publisher.goto(base + "/o/market/review/")
    publisher.get_by_role("link", name="First course").click()
    publisher.get_by_role("button", name="Publish", exact=True).click()
    expect(publisher.locator("strong.state")).to_have_text("Live")

    anyone = phone(browser).new_page()  # the public catalogue: no sign-in
    anyone.goto(base + "/catalogue/")
    anyone.get_by_label("Search", exact=True).fill("first")
    anyone.get_by_label("Competency area").select_option("Behavioural")
    anyone.get_by_role("button", name="Search").click()
    anyone.get_by_role("link", name="First course").click()
    expect(anyone.get_by_role("heading", level=1)).to_have_text("First course")
    expect(anyone.locator("table")).to_contain_text("SCORM 2004")
    with urllib.request.urlopen(base + "/catalogue/sheet.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    assert [(r["name"], r["status"]) for r in rows] == [("First course", "Live")]

    # Every catalogue page passes axe (WCAG 2.1 AA) and fits a 320 px screen.
    failures = axe_failures_at(partner, base, ["/o/inst/c/c1/submissions/", "/notifications/"])
    failures += axe_failures_at(reviewer, base, ["/o/market/review/", "/o/market/review/1/"])
    entry = anyone.url.split("/catalogue/")[1]
    failures += axe_failures_at(anyone, base, ["/catalogue/", f"/catalogue/{entry}"])
    assert failures == []
