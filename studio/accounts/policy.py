"""Who may do what: one table of role -> actions, and the one decorator every studio route goes through.

A route names its action; the decorator signs the person in, finds the organisation in the URL (and
the course, when there is one; the lookups are ``accounts.role_in`` and ``accounts.course_of``) and
checks the person's role there. Someone outside the organisation
gets 404, so other organisations' names and courses are not even confirmed; a member whose role lacks
the action gets 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from ..db import db
from . import accounts

ACTIONS: dict[str, set[str]] = {
    # action             roles allowed
    "org.view": {"admin", "author", "translator", "reviewer", "publisher"},
    "org.manage": {"admin"},  # members and their roles
    # outline, check report, revisions, preview
    "course.view": {"admin", "author", "translator", "reviewer", "publisher"},
    "course.create": {"admin", "author"},  # from the starter or an imported zip
    "course.meta": {"admin", "author"},  # course.yml
    "lesson.edit": {"admin", "author"},  # lesson text, questions, restoring revisions (not translators: source)
    "translation.view": {"admin", "author", "translator", "reviewer"},  # workspace, progress, glossary, preview
    "translation.edit": {"admin", "translator", "reviewer"},  # translations/<lang>.po, segment by segment or upload
    "translation.review": {"reviewer"},  # mark a translation reviewed (never one's own: translate_store)
    "translation.comment": {"admin", "author", "translator", "reviewer"},  # questions on segments, answering them
    "glossary.edit": {"admin", "translator", "reviewer"},
    "media.upload": {"admin", "author"},
    "course.build": {"admin", "author", "reviewer"},  # build packages, download them
    # the marketplace catalogue (studio/marketplace/submissions.py has the table of moves between states)
    "submission.submit": {"admin", "author"},  # offer a course version to the catalogue
    "catalogue.queue": {"admin", "reviewer", "publisher"},  # in the catalogue's organisation: the queue, previews
    "catalogue.review": {"reviewer"},  # comment, approve, return
    "catalogue.publish": {"publisher"},  # publish, return, retire
    # learning analytics (studio/analytics/): the reports over learners' records, pseudonymous and suppressed
    # under the group threshold; not reviewers or publishers, who judge content, not learners
    "analytics.view": {"admin", "author"},
    "analytics.manage": {"admin"},  # record sources, LRS credentials, sheet uploads
}

F = TypeVar("F", bound=Callable[..., Any])


def allowed(role: str | None, action: str) -> bool:
    return role is not None and role in ACTIONS[action]


def requires(action: str) -> Callable[[F], F]:
    """Guard a view whose URL has ``<org>`` (and maybe ``<course>``) by *action* of the table above."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path))
            session = db()
            place = accounts.role_in(session, kwargs.get("org"), current_user.id)
            if place is None:
                abort(404)
            org, role = place
            if not allowed(role, action):
                abort(403)
            g.org, g.role = org, role
            if "course" in kwargs:
                course = accounts.course_of(session, org, kwargs["course"])
                if course is None:
                    abort(404)
                g.course = course
            return view(*args, **kwargs)

        guarded.studio_action = action  # type: ignore[attr-defined]  # read by the authorisation tests
        return guarded  # type: ignore[return-value]  # wraps keeps the signature

    return wrap


def can(action: str) -> bool:
    """For templates: show a control only when the person's role allows it (the route checks again)."""
    return allowed(g.get("role"), action)
