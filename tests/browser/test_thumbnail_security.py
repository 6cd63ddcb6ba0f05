"""Issue 20, finding 2, as an exploit in headless Chromium: a partner's cover image is an SVG that tries
every way to run script (``<script>``, ``onload``, ``javascript:`` links and the animations that make
them, XHTML meta refresh and forms in ``foreignObject``). Published, the catalogue serves it to anyone:
opened by an anonymous visitor and by a signed-in admin, on the course page and on its own, nothing runs,
nothing is fetched, and the SVG sent has none of those parts."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from studio.db import session_for
from studio.models import Submission
from tests.browser.conftest import phone, sign_in, submit_and_wait
from tests.studio.conftest import Person, create_market
from tests.studio.live import live_studio
from tests.studio.test_catalog_workflow import folder
from tests.test_svg_security import served_svg_is_inert

pytestmark = pytest.mark.browser

# Each payload asks for a URL with "pwned" in it, or marks the page: any sign of either is a failure.
# The retire request is a studio action a signed-in publisher or admin could be made to take.
ACTION = "fetch('/o/market/review/1/publish?pwned=action', {method: 'POST', body: 'action=retire&amp;why=x'})"
EXPLOIT = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="320" height="180" viewBox="0 0 320 180" onload="document.documentElement.dataset.pwned = 'onload'; {ACTION}">
<script>document.documentElement.dataset.pwned = 'script'; fetch('/catalogue/?pwned=script');</script>
<rect width="320" height="180" fill="#c85014"/>
<a href="javascript:fetch('/catalogue/?pwned=href')"><rect width="320" height="60" fill="#fff"/></a>
<a><set attributeName="href" to="javascript:fetch('/catalogue/?pwned=set')"/>
  <rect y="60" width="320" height="60" fill="#eee"/></a>
<a><animate attributeName="xlink:href" values="javascript:fetch('/catalogue/?pwned=animate')" dur="1s"/>
  <rect y="120" width="320" height="60" fill="#ddd"/></a>
<image href="/catalogue/?pwned=image" width="1" height="1"/>
<foreignObject width="320" height="180"><html xmlns="http://www.w3.org/1999/xhtml">
  <meta http-equiv="refresh" content="0;url=/catalogue/?pwned=refresh"/>
  <form action="/catalogue/?pwned=form" method="post"><button>Continue</button></form>
  <iframe src="/catalogue/?pwned=iframe"></iframe></html></foreignObject>
</svg>"""


@pytest.fixture
def published(browser, tmp_path):
    """The starter course, its cover the exploit, submitted, approved and published: (base, app, course page)."""
    with live_studio(tmp_path) as (base, app):
        create_market(app)
        (folder(app) / "media" / "cover.svg").write_text(EXPLOIT, "utf-8")
        yml = folder(app) / "course.yml"
        yml.write_text(yml.read_text("utf-8") + "thumbnail: media/cover.svg\n", "utf-8")
        submit_and_wait(sign_in(phone(browser), base, "author@inst.example"), base)  # the gate passes: it is cleanable
        review = "/o/market/review/1"
        assert Person(app, "reviewer@market.example").post(f"{review}/decide", {"action": "approve"}).status_code == 302
        publisher = Person(app, "publisher@market.example")
        assert publisher.post(f"{review}/publish", {"action": "publish"}).status_code == 302
        [entry] = Person(app, None).get("/api/catalogue/courses").get_json()["courses"]
        yield base, app, f"/catalogue/{entry['provider']['id']}/{entry['course_id']}/"


def still_live(app) -> bool:
    session = session_for(app)
    try:
        return [s.state for s in session.query(Submission)] == ["live"]
    finally:
        session.close()


def visit(page, base: str, course: str) -> list[str]:
    """Open the course page (its cover shown) and the cover on its own, clicking where its links were;
    return every request the page made."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base + course)
    cover = page.locator("img.cover")
    expect(cover).to_be_visible()
    page.wait_for_function("document.querySelector('img.cover').complete")
    assert page.evaluate("document.querySelector('img.cover').naturalWidth") == 320  # it is shown, as an image

    response = page.goto(base + course + "thumbnail")
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    for y in (30, 90, 150):  # where the javascript: links were
        page.mouse.click(160, y)
    # Clicks are handled before this round trip returns; a navigation they began would have replaced
    # the document this evaluation runs in.
    assert page.evaluate("document.documentElement.localName") == "svg"
    assert page.evaluate("document.documentElement.dataset.pwned || ''") == ""
    assert page.url == base + course + "thumbnail"
    return requests


def test_a_hostile_svg_cover_runs_nothing_for_visitors_or_admins(browser, published):
    base, app, course = published
    with urllib.request.urlopen(base + course + "thumbnail") as response:
        served = response.read().decode("utf-8")
        headers = response.headers
    served_svg_is_inert(served)
    assert "<rect" in served and "pwned" not in served  # the picture is kept, every payload is gone
    assert headers["Content-Type"] == "image/svg+xml"
    assert headers["Content-Security-Policy"] == "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert headers["X-Content-Type-Options"] == "nosniff"

    anonymous = browser.new_context().new_page()
    seen = visit(anonymous, base, course)
    admin = sign_in(browser.new_context(), base, "admin@market.example")  # the studio's own CSP, as for a real admin
    seen += visit(admin, base, course)
    assert [url for url in seen if "pwned" in url] == []
    assert still_live(app)
