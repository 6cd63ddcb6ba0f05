"""The notifications page and the unread badge of every page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..db import db
from . import notify

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _badge() -> dict[str, Any]:
    return {"unread_notifications": lambda: notify.unread(db(), current_user)}


@bp.get("/")
@login_required
def index() -> str:
    return render_template("notifications.html", items=notify.latest(db(), current_user.id))


@bp.post("/read")
@login_required
def mark_read() -> Response:
    session = db()
    notify.mark_read(session, current_user.id)
    session.commit()
    return redirect(url_for("notify.index"))
