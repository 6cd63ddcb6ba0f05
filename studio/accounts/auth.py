"""Sign-in and sign-out (``/login``, ``/logout``).

The signed session cookie carries the person's id and the random key of their session's row
(``UserSession``); a request is signed in only while that row exists, so signing out, a new password or
two weeks unused end the session on the server, for every copy of the cookie. Rows live in the
database, never in a process's memory: any worker process knows every session.

Failed sign-ins are counted per account *and* client address, and per address (``accounts.attempt_keys``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import db, session_for
from ..models import User
from . import accounts

bp = Blueprint("auth", __name__)
SESSION_KEY = "_studio_session"  # in the signed cookie: the key of this browser's UserSession row


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the person only while the cookie's session row exists. A remember-me
    cookie (the studio sets none) names a person but no session, so it signs no one in."""
    key = cookie.get(SESSION_KEY)
    if not isinstance(key, str) or not user_id.isdigit():
        return None
    row = accounts.live_session(db(), key, int(user_id), current_app.config["SESSION_IDLE_SECONDS"])
    if row is None:
        return None
    with session_for(current_app) as own:  # its own transaction: the request's work commits (or not) apart
        if accounts.touch_session(own, row):
            own.commit()
    g.user_session_id = row.id  # content URLs made in this request live only as long as this session
    return row.user


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a person somewhere else after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("orgs.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated and request.method != "POST":
        return redirect(_safe_next(request.args.get("next")))
    if request.method != "POST":  # GET and HEAD: the page only
        return render_template("login.html", email="")
    email = request.form.get("email", "").strip().lower()[:254]
    password = request.form.get("password", "")[:1024]
    cfg = current_app.config
    pair, address = accounts.attempt_keys(email, request.remote_addr or "")
    session = db()
    limits = {pair: cfg["LOGIN_ATTEMPTS"], address: cfg["LOGIN_ATTEMPTS_PER_ADDRESS"]}
    if accounts.too_many_attempts(session, limits, cfg["LOGIN_WINDOW_SECONDS"]):
        minutes = max(1, cfg["LOGIN_WINDOW_SECONDS"] // 60)
        flash(_("Too many failed sign-ins. Wait %(minutes)d minutes and try again.", minutes=minutes), "error")
        return render_template("login.html", email=email), 429
    user = accounts.authenticate(session, email, password)
    if user is None:
        accounts.record_failure(session, list(limits), cfg["LOGIN_WINDOW_SECONDS"])
        session.commit()
        flash(_("That e-mail address and password do not match."), "error")
        return render_template("login.html", email=email), 401
    accounts.forget_failures(session, pair)
    if isinstance(previous := cookie.get(SESSION_KEY), str):  # signing in again: the old session ends
        accounts.end_session(session, previous)
    key = accounts.start_session(session, user, request.user_agent.string, cfg["SESSION_IDLE_SECONDS"])
    session.commit()
    cookie[SESSION_KEY] = key
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout() -> Response:
    if isinstance(key := cookie.pop(SESSION_KEY, None), str):
        session = db()
        accounts.end_session(session, key)  # every copy of this cookie is signed out with it
        session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
