"""A course's own files never act with the studio's authority (issue 20, finding 1).

An author ships ``media/x.html`` with ``<script src="x.js">`` and links it from a lesson. The script
tries everything a hostile page could: read studio pages for their CSRF token, approve and publish the
submission, make the author an admin, reach into ``parent``/``opener``, read ``document.cookie``. A
reviewer, a publisher and the organisation's admin each open the learner player and follow the link;
the submission's state, the members' roles and the audit log must stay as they were. Then a script
running in the player itself (the content origin) tries the same requests: it can neither read a studio
page nor make a POST the studio accepts.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from studio.db import session_for
from studio.models import Membership, Submission, SubmissionEvent
from tests.browser.conftest import sign_in
from tests.studio.conftest import LESSON, Person, create_market
from tests.studio.live import live_studio

ATTACK = """(async function () {
  var S = %(studio)s, SUB = %(sub)d, seen = [];
  var token = function (html) {
    var m = /name="csrf[-_]token" (?:value|content)="([^"]+)"/.exec(html || "");
    return m ? m[1] : "";
  };
  var read = async function (url) {
    try { return await (await fetch(S + url, { credentials: "include" })).text(); }
    catch (e) { seen.push("read " + url + ": " + e); return ""; }
  };
  var post = async function (url, body) {
    try {
      await fetch(S + url, { method: "POST", credentials: "include", mode: "no-cors",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    } catch (e) { seen.push("post " + url + ": " + e); }
  };
  var review = token(await read("/o/market/review/" + SUB + "/"));
  await post("/o/market/review/" + SUB + "/decide", { csrf_token: review, action: "approve" });
  review = token(await read("/o/market/review/" + SUB + "/")) || review;
  await post("/o/market/review/" + SUB + "/publish", { csrf_token: review, action: "publish" });
  var members = token(await read("/o/inst/members")) || review;
  await post("/o/inst/members", { csrf_token: members, email: "author@inst.example", role: "admin", password: "" });
  try { seen.push("parent: " + parent.document.cookie + parent.document.body.innerHTML.length); } catch (e) {}
  try { seen.push("opener: " + (opener && opener.document.cookie)); } catch (e) {}
  seen.push("cookie: " + document.cookie);
  window.ATTACK_DONE = seen;
  document.title = "attack finished";
})();
"""


def _hostile_course(app, base: str, sub_id: int) -> None:
    """inst/c1 with a cover image, and the hostile attachment linked from its first lesson."""
    from PIL import Image

    folder = Path(app.config["COURSES_ROOT"]) / "inst" / "c1"
    Image.new("RGB", (64, 36), (200, 80, 20)).save(folder / "media" / "cover.png")
    yml = folder / "course.yml"
    yml.write_text(yml.read_text("utf-8") + "thumbnail: media/cover.png\n", "utf-8")
    (folder / "media" / "x.html").write_text(
        '<!doctype html><title>handout</title><p>Handout</p><script src="x.js"></script>\n', "utf-8"
    )
    (folder / "media" / "x.js").write_text(ATTACK % {"studio": repr(base), "sub": sub_id}, "utf-8")
    lesson = folder / LESSON
    lesson.write_text(
        lesson.read_text("utf-8") + "\nRead [the handout](media/x.html) ([its script](media/x.js)).\n", "utf-8"
    )


def _submit(app) -> int:
    """Submit inst/c1 as its author and wait (on the job's outcome) until it is in review."""
    author = Person(app, "author@inst.example")
    response = author.post("/o/inst/c/c1/submissions/", {"format": ["scorm2004"], "lang": ["en"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    deadline = time.monotonic() + 120
    while True:
        session = session_for(app)
        sub = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
        session.close()
        if sub is not None and sub.state == "in_review":
            return sub.id
        assert time.monotonic() < deadline, f"the submission did not enter review: {sub and sub.state}"
        time.sleep(0.1)  # polling the job's outcome in the database, not waiting for time to pass


def _state(app, sub_id: int) -> tuple[str, list[tuple[str, str]], list[tuple[str, str, str]]]:
    session = session_for(app)
    sub = session.get(Submission, sub_id)
    roles = sorted((m.user.email, m.role) for m in session.scalars(select(Membership)))
    events = [
        (e.action, e.from_state, e.to_state)
        for e in session.scalars(
            select(SubmissionEvent).where(SubmissionEvent.submission_id == sub_id).order_by(SubmissionEvent.id)
        )
    ]
    session.close()
    assert sub is not None
    return sub.state, roles, events


def _follow_the_link(context, page) -> str:
    """Open the lesson's link to x.html in a new tab, as a person may with any link (the player's
    ``download`` attribute is only a hint); returns 'download' or 'ran' (its script finished)."""
    from playwright.sync_api import Error

    link = page.get_by_role("link", name="the handout")
    expect(link).to_be_visible(timeout=20000)
    href = link.evaluate("a => a.href")
    tab = context.new_page()
    outcome: list[str] = []
    tab.on("download", lambda d: outcome.append("download"))
    try:
        tab.goto(href)
    except Error as exc:  # Chromium ends a navigation that turns into a download with this error
        assert "Download is starting" in str(exc), exc
    deadline = time.monotonic() + 30
    while not outcome and time.monotonic() < deadline:
        if tab.title() == "attack finished":
            outcome.append("ran")
        tab.wait_for_timeout(50)
    assert outcome, "opening the link neither downloaded the file nor ran its script"
    tab.close()
    return outcome[0]


@pytest.fixture
def live(tmp_path):
    with live_studio(tmp_path) as (base, app):
        create_market(app)
        yield base, app


@pytest.mark.parametrize(
    "email, opens",
    [
        ("reviewer@market.example", "review"),
        ("publisher@market.example", "review"),
        ("admin@inst.example", "course"),
    ],
)
def test_a_course_file_cannot_act_for_whoever_opens_it(browser, live, email, opens):
    base, app = live
    # the submission number is known before submitting: it is the first
    _hostile_course(app, base, 1)
    sub_id = _submit(app)
    assert sub_id == 1
    if email.startswith("publisher"):  # what a publisher can do: publish a reviewed submission
        session = session_for(app)
        session.get(Submission, sub_id).state = "reviewed"
        session.commit()
        session.close()
    before = _state(app, sub_id)

    context = browser.new_context(accept_downloads=True)
    page = sign_in(context, base, email)
    start = (
        f"{base}/o/market/review/{sub_id}/player/en/#/lessons/01-welcome"
        if opens == "review"
        else f"{base}/o/inst/c/c1/player/lesson/lessons/01-welcome"
    )
    page.goto(start)
    player = page.url
    outcome = _follow_the_link(context, page)
    assert _state(app, sub_id) == before  # no move, no new admin, nothing in the audit log
    assert outcome == "download", "the course's HTML file was shown as a page"

    # a script in the player's own page (the content origin) gets no further
    if page.url != player:
        page.goto(player)
    expect(page.get_by_role("link", name="the handout")).to_be_visible(timeout=20000)
    tried = page.evaluate(_in_page(base, sub_id))
    assert _state(app, sub_id) == before
    assert not page.url.startswith(base + "/"), "the player is served from the studio's own origin"
    assert any("read /o/" in line for line in tried), tried  # CORS: the studio's pages cannot be read
    assert "cookie: " in tried and not any("session=" in line for line in tried), tried
    context.close()


def _in_page(base: str, sub_id: int) -> str:
    """The attack as a function for page.evaluate, returning what it saw."""
    body = ATTACK % {"studio": repr(base), "sub": sub_id}
    body = body.replace("(async function () {", "async () => {", 1)
    body = body.replace("window.ATTACK_DONE = seen;", "return seen;")
    return body.rstrip().removesuffix("})();") + "}"
