"""Sign-in and sign-out (``/login``, ``/logout``); sessions live in signed cookies, not in memory."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from . import accounts
from .db import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a person somewhere else after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("orgs.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
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
    session.commit()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
