"""The accounts room's pages: sign-in and sign-out (``/login``, ``/logout``), one's own password
(``/account/password``), the home page (your
organisations) and an organisation's members, managed by its admins.

The signed session cookie carries the person's id and the random key of their session's row
(``UserSession``); a request is signed in only while that row exists, so signing out, a new password or
two weeks unused end the session on the server, for every copy of the cookie. Rows live in the
database, never in a process's memory: any worker process knows every session.

Failed sign-ins are counted per account *and* client address, and per address (``accounts.sign_in``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import db, session_for
from ..models import ROLES, User
from . import accounts
from .policy import requires

auth = Blueprint("auth", __name__)
orgs = Blueprint("orgs", __name__)
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
        if accounts.touch_session(own, row, current_app.config["SESSION_TOUCH_SECONDS"]):
            own.commit()
    g.user_session_id = row.id  # content URLs made in this request live only as long as this session
    return row.user


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a person somewhere else after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("orgs.home")


def _limits() -> accounts.SignInLimits:
    cfg = current_app.config
    return accounts.SignInLimits(cfg["LOGIN_ATTEMPTS"], cfg["LOGIN_ATTEMPTS_PER_ADDRESS"], cfg["LOGIN_WINDOW_SECONDS"])


def _say_paused(limits: accounts.SignInLimits) -> None:
    minutes = max(1, limits.window // 60)
    flash(_("Too many failed sign-ins. Wait %(minutes)d minutes and try again.", minutes=minutes), "error")


@auth.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated and request.method != "POST":
        return redirect(_safe_next(request.args.get("next")))
    if request.method != "POST":  # GET and HEAD: the page only
        return render_template("login.html", email="")
    email = request.form.get("email", "").strip().lower()[:254]
    cfg = current_app.config
    limits = _limits()
    previous = cookie.get(SESSION_KEY)  # signing in again: the old session ends
    try:
        user, key = accounts.sign_in(
            db(),
            email,
            request.form.get("password", "")[:1024],
            address=request.remote_addr or "",
            user_agent=request.user_agent.string,
            previous=previous if isinstance(previous, str) else None,
            limits=limits,
            idle_seconds=cfg["SESSION_IDLE_SECONDS"],
        )
    except accounts.SignInRefused as refused:
        if refused.paused:
            _say_paused(limits)
            return render_template("login.html", email=email), 429
        flash(_("That e-mail address and password do not match."), "error")
        return render_template("login.html", email=email), 401
    cookie[SESSION_KEY] = key
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@auth.post("/logout")
@login_required
def logout() -> Response:
    if isinstance(key := cookie.pop(SESSION_KEY, None), str):
        session = db()
        accounts.end_session(session, key)  # every copy of this cookie is signed out with it
        session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@auth.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response | tuple[str, int]:
    """One's own password: the current one, then the new one twice."""

    def page(status: int = 200) -> tuple[str, int]:
        return render_template("password.html", min_length=accounts.MIN_PASSWORD), status

    if request.method != "POST":
        return page()
    new = request.form.get("new_password", "")[:1024]
    if new != request.form.get("confirm_password", "")[:1024]:
        flash(_("The two new passwords are not the same."), "error")
        return page(400)
    cfg = current_app.config
    limits = _limits()
    session = db()
    try:
        key = accounts.change_password(
            session,
            current_user,
            request.form.get("current_password", "")[:1024],
            new,
            address=request.remote_addr or "",
            user_agent=request.user_agent.string,
            limits=limits,
            idle_seconds=cfg["SESSION_IDLE_SECONDS"],
        )
    except accounts.SignInRefused as refused:
        if refused.paused:
            _say_paused(limits)
            return page(429)
        flash(_("Your current password is not right."), "error")
        return page(403)
    except accounts.AccountError:
        session.rollback()
        flash(_("The new password needs at least %(n)d characters.", n=accounts.MIN_PASSWORD), "error")
        return page(400)
    cookie[SESSION_KEY] = key  # this browser stays signed in; every other session has ended
    flash(_("Your password is changed. You are signed out everywhere else."), "info")
    return redirect(url_for("orgs.home"))


@orgs.get("/")
@login_required
def home() -> str | Response:
    memberships = accounts.memberships(db(), current_user.id)
    if len(memberships) == 1:
        return redirect(url_for("courses.index", org=memberships[0].organisation.slug))
    return render_template("home.html", memberships=memberships)


@orgs.get("/o/<org>/members")
@requires("org.manage")
def members(org: str) -> str:
    return render_template("members.html", rows=accounts.members(db(), g.org), roles=ROLES)


@orgs.post("/o/<org>/members")
@requires("org.manage")
def add_member(org: str) -> Response | tuple[str, int]:
    session = db()
    try:
        user = accounts.create_user(
            session,
            request.form.get("email", ""),
            request.form.get("password", ""),
            g.org,
            request.form.get("role", ""),
        )
    except accounts.AccountError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("orgs.members", org=org))
    session.commit()
    flash(_("%(email)s is now a member.", email=user.email), "info")
    return redirect(url_for("orgs.members", org=org))
