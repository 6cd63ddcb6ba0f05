"""The catalogue in the studio: submitting (build, gate, freeze), review, publishing, the audit log,
notifications (in the studio and by e-mail through a real SMTP server), and the public catalogue."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from studio.accounts import accounts
from studio.db import session_for
from studio.jobs.queue import execute
from studio.marketplace.submissions import MOVES
from studio.models import Submission, SubmissionEvent, User
from tests.studio.conftest import LESSON, PASSWORD, Person, create_market

SUB = "/o/market/review"


@pytest.fixture
def market(app):
    """'market' runs the catalogue: a reviewer, a publisher and an admin."""
    create_market(app)
    return app


def folder(app) -> Path:
    return Path(app.config["COURSES_ROOT"]) / "inst" / "c1"


def add_thumbnail(app) -> None:
    Image.new("RGB", (64, 36), (200, 80, 20)).save(folder(app) / "media" / "cover.png")
    yml = folder(app) / "course.yml"
    yml.write_text(yml.read_text("utf-8") + "thumbnail: media/cover.png\n", "utf-8")


def submit(app, who: Person) -> Submission:
    """Submit inst/c1 (SCORM 2004 and iGOT, English) and run the submit job to its end."""
    response = who.post("/o/inst/c/c1/submissions/", {"format": ["scorm2004", "igot"], "lang": ["en"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    session = session_for(app)
    sub = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    execute(app, sub.job_id)  # the job runner itself, in this thread (the queue is tested in test_jobs.py)
    session.refresh(sub)
    session.close()
    return sub


def log_of(app, sub_id: int) -> list[tuple[str, str, str, str, str]]:
    session = session_for(app)
    events = session.scalars(
        select(SubmissionEvent).where(SubmissionEvent.submission_id == sub_id).order_by(SubmissionEvent.id)
    )
    out = [(e.user.email if e.user else "", e.action, e.from_state, e.to_state, e.why) for e in events]
    session.close()
    return out


def store_files(app) -> dict[str, str]:
    """Every file of the snapshot store (manifests and objects; not the player's work copies) by hash."""
    root = Path(app.config["DATA_DIR"]) / "catalogue"
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] != "work"
    }


def test_submit_review_return_resubmit_publish(market, person):
    app = market
    author, reviewer, publisher = (
        person("author@inst.example"),
        person("reviewer@market.example"),
        person("publisher@market.example"),
    )

    # The starter course has no cover image, and a quiz here has no correct answer: the gate says so,
    # with what to do and links to the file and line; nothing enters review.
    lesson = folder(app) / LESSON
    original = lesson.read_text("utf-8")
    lesson.write_text(original + "\n::: quiz\n### Which?\n- [ ] a\n- [ ] b\n:::\n", "utf-8")
    first = submit(app, author)
    assert first.state == "draft" and not first.snapshot
    page = author.get("/o/inst/c/c1/submissions/").get_data(as_text=True)
    assert "FAIL metadata" in page and "thumbnail: add a cover image" in page
    assert "FAIL check" in page and f'href="/o/inst/c/c1/edit/{LESSON}?line=' in page
    assert author.get("/o/inst/c/c1/builds").status_code == 200
    assert author.get(f"/o/inst/c/c1/jobs/{first.job_id}").status_code == 200
    lesson.write_text(original, "utf-8")
    assert reviewer.get(f"{SUB}/").get_data(as_text=True).count(f"{SUB}/{first.id}/") == 1  # listed, not waiting

    add_thumbnail(app)
    sub = submit(app, author)
    assert sub.id == first.id and sub.state == "in_review" and len(sub.digest) == 64
    queue = reviewer.get(f"{SUB}/").get_data(as_text=True)
    assert "First course" in queue and "In review" in queue
    review = reviewer.get(f"{SUB}/{sub.id}/").get_data(as_text=True)
    assert "first version: every file is new" in review and "course.yml" in review
    assert "pass quality</strong>: no errors" in review and "<summary>Details of quality</summary>" in review
    assert "<code>100% personal-data: " in review  # the quality pre-check's scores reach the reviewer
    player = reviewer.content(f"{SUB}/{sub.id}/player/en/")  # on the content origin
    assert player.status_code == 200 and b"course.js" in player.data
    assert reviewer.content(f"{SUB}/{sub.id}/player/en/course.js").status_code == 200
    assert reviewer.get(f"{SUB}/{sub.id}/player/hi/").status_code == 404  # not a language it was built in

    # Wrong people cannot move it; a return needs reasons.
    assert publisher.post(f"{SUB}/{sub.id}/decide", {"action": "approve"}).status_code == 403
    assert reviewer.post(f"{SUB}/{sub.id}/publish", {"action": "publish"}).status_code == 403
    assert author.post(f"{SUB}/{sub.id}/decide", {"action": "approve"}).status_code == 404
    assert reviewer.post(f"{SUB}/{sub.id}/decide", {"action": "publish"}).status_code == 409
    assert reviewer.post(f"{SUB}/{sub.id}/decide", {"action": "return"}).status_code == 409
    assert (
        reviewer.post(
            f"{SUB}/{sub.id}/comment", {"lesson": LESSON, "text": "Say what a grievance is first."}
        ).status_code
        == 302
    )
    assert (
        reviewer.post(
            f"{SUB}/{sub.id}/decide", {"action": "return", "why": "See the comment on the welcome."}
        ).status_code
        == 302
    )
    page = author.get("/o/inst/c/c1/submissions/").get_data(as_text=True)
    assert "Returned for changes" in page and "Say what a grievance is first." in page
    assert f'href="/o/inst/c/c1/edit/{LESSON}"><code>{LESSON}</code>' in page  # the comment's lesson, in the editor
    review = reviewer.get(f"{SUB}/{sub.id}/").get_data(as_text=True)
    assert f'/o/market/review/{sub.id}/player/en/#/lessons/01-welcome"><code>{LESSON}</code>' in review

    # The partner edits: the frozen snapshot does not change; resubmitting freezes a new one.
    frozen = store_files(app)
    (folder(app) / LESSON).write_text("---\ntitle: Welcome\n---\nA grievance is a complaint.\n", "utf-8")
    assert store_files(app) == frozen
    again = submit(app, author)
    assert again.id == sub.id and again.state == "in_review" and again.digest != sub.digest
    assert set(frozen.items()) <= set(store_files(app).items())  # the old snapshot is still there, unchanged
    review = reviewer.get(f"{SUB}/{sub.id}/").get_data(as_text=True)
    assert "A grievance is a complaint." in review  # the diff shows the change (no published version yet: all new)

    assert reviewer.post(f"{SUB}/{sub.id}/decide", {"action": "approve"}).status_code == 302
    assert publisher.post(f"{SUB}/{sub.id}/publish", {"action": "publish"}).status_code == 302

    assert log_of(app, sub.id) == [
        ("author@inst.example", "submit", "", "draft", ""),
        ("author@inst.example", "gate_failed", "draft", "draft", log_of(app, sub.id)[1][4]),
        ("author@inst.example", "resubmit", "draft", "draft", ""),
        ("author@inst.example", "enter_review", "draft", "in_review", ""),
        ("reviewer@market.example", "return", "in_review", "returned", "See the comment on the welcome."),
        ("author@inst.example", "resubmit", "returned", "draft", ""),
        ("author@inst.example", "enter_review", "draft", "in_review", ""),
        ("reviewer@market.example", "approve", "in_review", "reviewed", ""),
        ("publisher@market.example", "publish", "reviewed", "live", ""),
    ]
    assert (
        log_of(app, sub.id)[1][4].startswith("check: 1 error(s)")
        and "metadata: 1 field(s)" in log_of(app, sub.id)[1][4]
    )

    # Notifications: the partner heard of every move made by others, with a badge.
    home = author.get("/o/inst/").get_data(as_text=True)
    assert 'class="unread-count"' in home
    notes = author.get("/notifications/").get_data(as_text=True)
    assert "Published" in notes and "Returned for changes" in notes
    assert author.post("/notifications/read").status_code == 302
    assert 'class="unread-count"' not in author.get("/o/inst/").get_data(as_text=True)

    # The public catalogue: no sign-in.
    anyone = person()
    listing = anyone.get("/catalogue/?area=Behavioural&lang=en").get_data(as_text=True)
    assert "First course" in listing
    assert "First course" not in anyone.get("/catalogue/?lang=hi").get_data(as_text=True)
    assert "First course" not in anyone.get("/catalogue/?max_minutes=0").get_data(as_text=True)
    data = anyone.get("/api/catalogue/courses?q=first").get_json()
    [entry] = data["courses"]
    detail = anyone.get(f"/api/catalogue/courses/{entry['provider']['id']}/{entry['course_id']}").get_json()
    assert {(p["format"], p["lang"]) for p in detail["packages"]} == {("scorm2004", "en"), ("igot", "en")}
    package = detail["packages"][0]
    download = anyone.get(package["url"].replace("http://localhost", ""))
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == package["sha256"]
    assert download.headers["ETag"].strip('"') == package["sha256"]
    assert download.headers["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(download.data).digest()).decode()
    sheet = list(csv.DictReader(io.StringIO(anyone.get("/catalogue/sheet.csv").get_data(as_text=True))))
    assert [row["name"] for row in sheet] == ["First course"] and sheet[0]["status"] == "Live"
    meta = anyone.get(f"/catalogue/{entry['provider']['id']}/{entry['course_id']}/igot-metadata.json").get_json()
    assert meta and json.dumps(meta)
    course_page = anyone.get(f"/catalogue/{entry['provider']['id']}/{entry['course_id']}/").get_data(as_text=True)
    assert package["name"] in course_page and "igot-metadata.json" in course_page

    # Retiring takes it out of the catalogue.
    assert publisher.post(f"{SUB}/{sub.id}/publish", {"action": "retire"}).status_code == 409  # needs reasons
    assert publisher.post(f"{SUB}/{sub.id}/publish", {"action": "retire", "why": "superseded"}).status_code == 302
    assert anyone.get("/api/catalogue/courses").get_json() == {"courses": []}
    assert anyone.get(package["url"].replace("http://localhost", "")).status_code == 404


def test_no_route_alters_a_submitted_snapshot(market, person):
    """Every route, every method, as every kind of person, with form values that name the snapshot's files:
    the store's bytes stay the same; and a snapshot changed on disk is refused, never served."""
    app = market
    author = person("author@inst.example")
    add_thumbnail(app)
    sub = submit(app, author)
    assert sub.state == "in_review"
    before = store_files(app)
    values = {
        "sub": str(sub.id),
        "lang": "en",
        "path": LESSON,
        "name": "x.zip",
        "job_id": str(sub.job_id),
        "course": "c1",
    }
    form = {"text": "changed", "path": LESSON, "base": "1", "why": "x", "action": "approve", "title": "T"}
    people = [
        person(e)
        for e in ("author@inst.example", "admin@inst.example", "reviewer@market.example", "admin@market.example")
    ]
    calls = 0
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            url = "/" + "/".join(
                values.get(part[1:-1].split(":")[-1], "market" if "review" in rule.rule else "inst")
                if part.startswith("<")
                else part
                for part in rule.rule.strip("/").split("/")
            )
            for who in people:
                if method == "GET":
                    who.get(url)
                elif url.startswith("/api/"):
                    who.api(url, form)
                else:
                    who.post(url, form)
                calls += 1
    assert calls > 100
    assert store_files(app) == before

    # Tampering on disk is found: the reviewer is told, the package is not served.
    session = session_for(app)
    sub = session.get(Submission, sub.id)
    manifest = json.loads((Path(app.config["DATA_DIR"]) / "catalogue" / sub.snapshot / "snapshot.json").read_text())
    packages = manifest["packages"]
    sub.state = "live"  # as if published, so the public download routes serve it
    session.commit()
    session.close()
    anyone = person()
    entry = anyone.get("/api/catalogue/courses").get_json()["courses"][0]
    base = f"/catalogue/{entry['provider']['id']}/{entry['course_id']}/v/{sub.id}/"
    assert anyone.get(base + packages[1]["path"]).status_code == 200
    obj = Path(app.config["DATA_DIR"]) / "catalogue" / "objects" / packages[0]["sha256"][:2] / packages[0]["sha256"]
    os.chmod(obj, 0o644)
    obj.write_bytes(b"tampered")
    assert anyone.get(base + packages[0]["path"]).status_code == 404
    assert anyone.get(base + packages[1]["path"]).status_code == 200  # the intact one still is
    page = person("reviewer@market.example").get(f"{SUB}/{sub.id}/").get_data(as_text=True)
    assert "does not match its checksums" in page and packages[0]["path"] in page


def test_only_the_table_of_moves_moves_a_submission(market, person):
    """For each state, each action, as each role on each side: the answer is what MOVES says."""
    from studio.marketplace.submissions import MoveError, move

    app = market
    add_thumbnail(app)
    sub = submit(app, person("author@inst.example"))
    session = session_for(app)
    item = session.get(Submission, sub.id)
    user = session.scalar(select(User).where(User.email == "reviewer@market.example"))
    actions = {m.action for m in MOVES}
    for state in ("draft", "in_review", "reviewed", "live", "returned", "retired"):
        for action in actions:
            for side in ("partner", "catalogue"):
                for role in ("admin", "author", "translator", "reviewer", "publisher"):
                    item.state = state
                    expected = next(
                        (m for m in MOVES if (m.before, m.action, m.side) == (state, action, side) and role in m.roles),
                        None,
                    )
                    try:
                        ev = move(session, item, action, user, side, role, "because")
                    except MoveError:
                        assert expected is None, (state, action, side, role)
                    else:
                        assert expected is not None and (ev.from_state, ev.to_state) == (state, expected.after)
    session.rollback()
    session.close()


def test_state_changes_are_mailed_through_a_real_smtp_server(tmp_path, smtp_sink):
    from tests.studio.conftest import make_app, populate

    port, received = smtp_sink
    app = make_app(tmp_path / "data", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="studio@market.example")
    populate(app)
    session = session_for(app)
    org = accounts.create_org(session, "market", "Karmayogi Marketplace")
    org.is_catalogue = True
    accounts.create_user(session, "reviewer@market.example", PASSWORD, org, "reviewer")
    session.commit()
    session.close()
    add_thumbnail(app)
    submit(app, Person(app, "author@inst.example"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(m["To"] == "reviewer@market.example" for m in received):
        time.sleep(0.05)
    to_reviewer = [m for m in received if m["To"] == "reviewer@market.example"]
    assert to_reviewer and "First course" in to_reviewer[-1]["Subject"]
    assert "In review" in to_reviewer[-1].get_payload(decode=True).decode()
    assert to_reviewer[-1]["From"] == "studio@market.example"


def test_admin_makes_the_catalogue_organisation(tmp_path, capsys, monkeypatch):
    from studio.cli import main

    monkeypatch.delenv("KSTUDIO_DATA_DIR", raising=False)
    assert (
        main(
            ["admin", "create-org", "market", "--name", "Karmayogi Marketplace", "--catalogue", "--data", str(tmp_path)]
        )
        == 0
    )
    assert "created organisation market (Karmayogi Marketplace), which runs the catalogue" in capsys.readouterr().out
