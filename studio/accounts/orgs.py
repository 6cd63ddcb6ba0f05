"""The home page (your organisations) and an organisation's members, managed by its admins."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..db import db
from ..models import ROLES, Membership, User
from . import accounts
from .policy import requires

bp = Blueprint("orgs", __name__)


@bp.get("/")
@login_required
def home() -> str | Response:
    memberships = db().scalars(select(Membership).where(Membership.user_id == current_user.id)).all()
    if len(memberships) == 1:
        return redirect(url_for("courses.index", org=memberships[0].organisation.slug))
    return render_template("home.html", memberships=memberships)


@bp.get("/o/<org>/members")
@requires("org.manage")
def members(org: str) -> str:
    rows = db().execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == g.org.id)
        .order_by(User.email)
    )
    return render_template("members.html", rows=rows.all(), roles=ROLES)


@bp.post("/o/<org>/members")
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
