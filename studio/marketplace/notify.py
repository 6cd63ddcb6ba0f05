"""Notifications of submission state changes: a row per person (the badge and the list page,
``notify_views.py``), and an e-mail when an SMTP server is configured (``KSTUDIO_SMTP_HOST`` and
friends; see docs/catalogue.md).

Mail goes out after the database commit, outside the request's transaction, and a mail server that is
down, or a message that cannot be made, is logged, never shown as an error: the notification in the
studio is the record, and the move that sent the mail has happened.

A course title is the partner's text: it is made one line (control characters and line breaks become
spaces) before it goes into a notification or a mail's ``Subject``, so it can never start a header.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email import policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from flask import has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from ..db import this_app
from ..models import Notification, Submission, User

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
_PENDING = "studio.pending_mail"
# C0 and C1 controls (CR, LF, NUL, ESC, NEL...) and Unicode's line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def state_changed(session: Session, sub: Submission, what: str, people: list[User]) -> None:
    """Tell *people* that *sub* moved (*what*: the move in words, from the submissions' table);
    mail is queued on the session and sent after commit."""
    title = _title(sub)
    text = f"“{title}” (version {sub.version or '?'}): {what}"
    for person in people:
        partner = any(m.organisation_id == sub.course.organisation_id for m in person.memberships)
        url = f"/o/{sub.course.organisation.slug}/c/{sub.course.slug}/submissions" if partner else ""
        url = url or f"/o/{sub.catalogue.slug}/review/{sub.id}/"
        session.add(Notification(user_id=person.id, submission_id=sub.id, text=text[:4000], url=url))
        session.info.setdefault(_PENDING, []).append((person.email, f"Karmayogi Studio: {title}", text, url))


def _title(sub: Submission) -> str:
    return one_line(str(sub.meta.get("title") or sub.course.title or sub.course.slug))


def one_line(text: str) -> str:
    """*text* fit for a mail header: every run of control characters (a line break above all) is one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    app = session.info.get("app") or (this_app() if has_app_context() else None)
    if pending and app is not None:
        try:
            send_mail(app, pending)
        except Exception:  # the commit has happened: a mail problem must not undo the move in the caller's eyes
            log.exception("notification e-mail failed")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def send_mail(app: Flask, messages: list[tuple[str, str, str, str]]) -> None:
    """Send (to, subject, text, path) messages through ``SMTP_HOST`` when it is set."""
    host = app.config.get("SMTP_HOST")
    if not host:
        return
    base = str(app.config.get("PUBLIC_URL", "")).rstrip("/")
    try:
        with smtplib.SMTP(host, int(app.config.get("SMTP_PORT", 25)), timeout=10) as smtp:
            if str(app.config.get("SMTP_STARTTLS", "")).lower() in ("1", "true", "yes"):
                smtp.starttls()
            if app.config.get("SMTP_USER"):
                smtp.login(app.config["SMTP_USER"], app.config.get("SMTP_PASSWORD", ""))
            for to, subject, text, path in messages:
                try:
                    msg = EmailMessage(policy=policy.SMTP)
                    msg["From"] = one_line(str(app.config.get("SMTP_FROM", "studio@localhost")))
                    msg["To"] = one_line(to)
                    msg["Subject"] = one_line(subject)
                    msg.set_content(f"{text}\n\n{base}{path}\n" if path else f"{text}\n")
                except (ValueError, TypeError) as exc:  # an address the mail library refuses: skip that one
                    log.error("could not make the notification e-mail to %r: %s", to, exc)
                    continue
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send %d notification e-mail(s) through %s: %s", len(messages), host, exc)


def unread(session: Session, user: Any) -> int:
    """How many notifications *user* has not read (0 for someone not signed in)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return int(
        session.scalar(select(func.count()).where(Notification.user_id == user.id, Notification.read.is_(False))) or 0
    )


def latest(session: Session, user_id: int, limit: int = 200) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_read(session: Session, user_id: int) -> None:
    """Every notification of the person read."""
    session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read.is_(False)).values(read=True)
    )
