"""Notification e-mail is untrusted text in mail headers: a title can never add a header, and mail that
cannot be sent never stops the workflow that sent it (the studio's notification is the record)."""

from __future__ import annotations

import logging
import socket
import time

from sqlalchemy import select

from studio.accounts import accounts
from studio.db import session_for
from studio.models import CourseRecord, Notification, Submission
from tests.studio.conftest import PASSWORD, Person, make_app, populate
from tests.studio.test_catalog_workflow import add_thumbnail, folder, submit

HOSTILE = "x\r\nBcc: attacker@evil.example"


def _studio(tmp_path, **config):
    app = make_app(tmp_path / "data", SMTP_FROM="studio@market.example", **config)
    populate(app)
    session = session_for(app)
    org = accounts.create_org(session, "market", "Karmayogi Marketplace")
    org.is_catalogue = True
    accounts.create_user(session, "reviewer@market.example", PASSWORD, org, "reviewer")
    course = session.scalar(select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation_id == 1))
    course.title = HOSTILE
    session.commit()
    session.close()
    add_thumbnail(app)
    yml = folder(app) / "course.yml"
    text = yml.read_text("utf-8")
    assert 'title: "First course"' in text
    yml.write_text(text.replace('title: "First course"', r'title: "x\r\nBcc: attacker@evil.example"'), "utf-8")
    return app


def test_a_title_with_a_line_break_adds_no_header_and_the_submission_moves_on(tmp_path, smtp_sink):
    port, received = smtp_sink
    app = _studio(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    sub = submit(app, Person(app, "author@inst.example"))
    assert sub.state == "in_review", sub.gate
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(m["To"] == "reviewer@market.example" for m in received):
        time.sleep(0.05)
    assert any(m["To"] == "reviewer@market.example" for m in received)
    for message in received:
        assert message["Bcc"] is None and "attacker" not in message.get("X-RcptTo", "")
        assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
        assert message["Subject"] == "Karmayogi Studio: x Bcc: attacker@evil.example"


def test_mail_that_cannot_be_sent_is_logged_and_the_submission_moves_on(tmp_path, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the probe is closed
    app = _studio(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=closed)
    with caplog.at_level(logging.ERROR, logger="studio.marketplace.notify"):
        sub = submit(app, Person(app, "author@inst.example"))
    assert sub.state == "in_review"
    assert any("could not send" in r.getMessage() for r in caplog.records)
    session = session_for(app)
    assert session.scalars(select(Notification).where(Notification.submission_id == sub.id)).first() is not None
    assert session.get(Submission, sub.id).state == "in_review"
    session.close()
