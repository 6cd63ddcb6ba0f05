"""Notifications of submission state changes: a row per person (the badge and the list page), and an
e-mail when an SMTP server is configured (``KSTUDIO_SMTP_HOST`` and friends; see docs/catalogue.md).

Mail goes out after the database commit, outside the request's transaction, and a mail server that is
down is logged, never shown as an error: the notification in the studio is the record.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, has_app_context, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .models import Notification, Submission, SubmissionEvent, User

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
bp = Blueprint("notify", __name__, url_prefix="/notifications")
_PENDING = "studio.pending_mail"


def state_changed(session: Session, sub: Submission, ev: SubmissionEvent, people: list[User]) -> None:
    """Tell *people* that *sub* moved (``ev``); mail is queued on the session and sent after commit."""
    from .submissions import ACTION_NAMES, STATES

    title = _title(sub)
    text = f"“{title}” (version {sub.version or '?'}): {ACTION_NAMES.get(ev.action, ev.action)}"
    text += f" ({STATES.get(ev.from_state, 'new')} → {STATES.get(ev.to_state, ev.to_state)})"
    if ev.why:
        text += f". Why: {ev.why}"
    for person in people:
        partner = any(m.organisation_id == sub.course.organisation_id for m in person.memberships)
        url = f"/o/{sub.course.organisation.slug}/c/{sub.course.slug}/submissions" if partner else ""
        url = url or f"/o/{sub.catalogue.slug}/review/{sub.id}/"
        session.add(Notification(user_id=person.id, submission_id=sub.id, text=text[:4000], url=url))
        session.info.setdefault(_PENDING, []).append((person.email, f"Karmayogi Studio: {title}", text, url))


def _title(sub: Submission) -> str:
    import json

    return str(json.loads(sub.meta or "{}").get("title") or sub.course.title or sub.course.slug)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    app = session.info.get("app") or (current_app._get_current_object() if has_app_context() else None)  # type: ignore[attr-defined]
    if pending and app is not None:
        send_mail(app, pending)


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
                msg = EmailMessage()
                msg["From"] = app.config.get("SMTP_FROM", "studio@localhost")
                msg["To"] = to
                msg["Subject"] = subject
                msg.set_content(f"{text}\n\n{base}{path}\n" if path else f"{text}\n")
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send %d notification e-mail(s) through %s: %s", len(messages), host, exc)


def unread(user: Any) -> int:
    from .db import db

    if not getattr(user, "is_authenticated", False):
        return 0
    return int(
        db().scalar(select(func.count()).where(Notification.user_id == user.id, Notification.read.is_(False))) or 0
    )


@bp.app_context_processor
def _badge() -> dict[str, Any]:
    return {"unread_notifications": lambda: unread(current_user)}


@bp.get("/")
@login_required
def index() -> str:
    from .db import db

    items = list(
        db().scalars(
            select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.id.desc())
            .limit(200)
        )
    )
    return render_template("notifications.html", items=items)


@bp.post("/read")
@login_required
def mark_read() -> Response:
    from .db import db

    session = db()
    session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read.is_(False))
        .values(read=True)
    )
    session.commit()
    return redirect(url_for("notify.index"))
