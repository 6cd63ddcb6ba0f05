"""Courses offered to the marketplace catalogue: the review workflow, its audit log, and the submit job.

iGOT Karmayogi's workflow is Draft → In review → Reviewed → Live, with Returned (for changes) and
Retired. :data:`MOVES` is the one table of every move: from which state, by which action, to which
state, and who may make it: a *side* (the partner's organisation or the catalogue's) and the roles
there. :func:`move` is the only code that changes a submission's state, and it writes the audit log
(who, when, from, to, why) and the notifications in the same transaction.

Submitting builds the packages the partner chose as a background job (:func:`run`), runs the gate
(``packager.marketplace.gate``) and, when it passes, freezes source and packages into the snapshot store
(``DATA_DIR/catalogue``) before the submission enters review. No code here or in any view writes into
a snapshot once frozen; readers call :func:`open_verified`, which re-hashes it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager import build, load_course
from packager.export import languages
from packager.marketplace import Built, GateReport, Result, Snapshot, SnapshotError, freeze, gate, open_snapshot

from ..authoring.storage import course_dir
from ..jobs import queue
from ..models import (
    CourseRecord,
    Job,
    Membership,
    Organisation,
    ReviewComment,
    Submission,
    SubmissionEvent,
    User,
    now,
)
from . import notify

log = logging.getLogger(__name__)

STATES = {
    "draft": "Draft",
    "in_review": "In review",
    "reviewed": "Reviewed",
    "live": "Live",
    "returned": "Returned for changes",
    "retired": "Retired",
}
PARTNER = frozenset({"admin", "author"})


@dataclass(frozen=True)
class Move:
    before: str
    action: str
    after: str
    side: str  # "partner": the course's organisation; "catalogue": the catalogue's organisation
    roles: frozenset[str]
    needs_reason: bool = False


MOVES: tuple[Move, ...] = (
    # before       action          after        side         roles
    Move("", "submit", "draft", "partner", PARTNER),  # a new submission: the submit job starts
    Move("draft", "enter_review", "in_review", "partner", PARTNER),  # the job: the gate passed, frozen
    Move("draft", "gate_failed", "draft", "partner", PARTNER, True),  # the job: the partner acts on the report
    Move("draft", "resubmit", "draft", "partner", PARTNER),  # after a failed gate
    Move("returned", "resubmit", "draft", "partner", PARTNER),  # after changes the reviewers asked for
    Move("in_review", "approve", "reviewed", "catalogue", frozenset({"reviewer"})),
    Move("in_review", "return", "returned", "catalogue", frozenset({"reviewer"}), True),
    Move("reviewed", "return", "returned", "catalogue", frozenset({"publisher"}), True),
    Move("reviewed", "publish", "live", "catalogue", frozenset({"publisher"})),
    Move("live", "retire", "retired", "catalogue", frozenset({"publisher"}), True),
)
ACTION_NAMES = {
    "submit": "Submitted",
    "enter_review": "Passed the gate; in review",
    "gate_failed": "Did not pass the gate",
    "resubmit": "Submitted again",
    "approve": "Approved",
    "return": "Returned for changes",
    "publish": "Published",
    "retire": "Retired",
}
OPEN = ("draft", "in_review", "reviewed")  # a course has at most one submission in these states


class MoveError(Exception):
    """A move the table does not allow; ``status`` is 403 (wrong role) or 409 (wrong state)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def moves_from(state: str, side: str, role: str | None) -> list[Move]:
    """The moves *role* on *side* may make from *state* (what a page offers as buttons)."""
    return [m for m in MOVES if m.before == state and m.side == side and role in m.roles]


def move(
    session: Session,
    sub: Submission,
    action: str,
    user: User | None,
    side: str,
    role: str | None,
    why: str = "",
) -> SubmissionEvent:
    """Make one move of :data:`MOVES` and record it; raises :class:`MoveError` for any other."""
    rows = [m for m in MOVES if m.before == sub.state and m.action == action]
    if not rows:
        label = STATES.get(sub.state, sub.state or "new")
        raise MoveError(f"a submission that is {label} cannot be {ACTION_NAMES.get(action, action).lower()}")
    allowed = [m for m in rows if m.side == side and role in m.roles]
    if not allowed:
        raise MoveError(f"your role ({role or 'none'}) may not do this", 403)
    why = why.strip()[:4000]
    if allowed[0].needs_reason and not why:
        raise MoveError("say why: the partner acts on your reasons")
    event = SubmissionEvent(
        submission_id=sub.id,
        user_id=user.id if user else None,
        action=action,
        from_state=sub.state,
        to_state=allowed[0].after,
        why=why,
    )
    sub.state, sub.updated_at = allowed[0].after, now()
    session.add(event)
    session.flush()
    notify.state_changed(session, sub, describe(event), recipients(session, sub, user))
    return event


def describe(ev: SubmissionEvent) -> str:
    """A move in words, as people are told of it: "Approved (In review → Approved). Why: ..."."""
    text = f"{ACTION_NAMES.get(ev.action, ev.action)}"
    text += f" ({STATES.get(ev.from_state, 'new')} → {STATES.get(ev.to_state, ev.to_state)})"
    return text + (f". Why: {ev.why}" if ev.why else "")


def recipients(session: Session, sub: Submission, actor: User | None) -> list[User]:
    """Who hears of a move: the partner's admins and authors, and on the catalogue's side the roles that
    act next (reviewers when it enters review, publishers once reviewed)."""
    next_roles = {r for m in MOVES if m.before == sub.state and m.side == "catalogue" for r in m.roles}
    people = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            ((Membership.organisation_id == sub.course.organisation_id) & Membership.role.in_(PARTNER))
            | ((Membership.organisation_id == sub.catalogue_id) & Membership.role.in_(next_roles or {""}))
        )
    )
    return sorted({p for p in people if actor is None or p.id != actor.id}, key=lambda p: p.id)


def history(session: Session, sub: Submission) -> list[SubmissionEvent]:
    return list(
        session.scalars(
            select(SubmissionEvent).where(SubmissionEvent.submission_id == sub.id).order_by(SubmissionEvent.id)
        )
    )


def catalogue_org(session: Session) -> Organisation | None:
    """The organisation that runs the catalogue (``kstudio admin create-org … --catalogue``)."""
    return session.scalar(select(Organisation).where(Organisation.is_catalogue.is_(True)).order_by(Organisation.id))


def for_course(session: Session, course: CourseRecord) -> list[Submission]:
    return list(
        session.scalars(select(Submission).where(Submission.course_id == course.id).order_by(Submission.id.desc()))
    )


def start(
    session: Session,
    course: CourseRecord,
    user: User,
    role: str,
    formats: list[str],
    langs: list[str],
) -> Submission:
    """Offer *course* to the catalogue (or offer a returned or gate-failed submission again); the caller
    queues the submit job for the returned submission."""
    catalogue = catalogue_org(session)
    if catalogue is None:
        raise MoveError("no organisation runs a catalogue in this studio; ask its administrator")
    if not formats:
        raise MoveError("choose at least one package format")
    if not langs:
        raise MoveError("choose at least one language")
    current = session.scalar(
        select(Submission)
        .where(Submission.course_id == course.id, Submission.state.in_((*OPEN, "returned")))
        .order_by(Submission.id.desc())
    )
    if current is not None and current.state in ("in_review", "reviewed"):
        raise MoveError(f"this course is {STATES[current.state].lower()} already; wait for the reviewers")
    if current is not None and current.state == "draft" and job_running(session, current):
        raise MoveError("this course's submission is still being built and checked")
    sub = current or Submission(course_id=course.id, catalogue_id=catalogue.id, state="", submitted_by=user.id)
    sub.course = course
    sub.formats, sub.langs, sub.gate, sub.submitted_by = list(formats), list(langs), [], user.id
    if current is None:
        session.add(sub)
        session.flush()
    move(session, sub, "submit" if current is None else "resubmit", user, "partner", role)
    return sub


def offer(
    app: Flask,
    session: Session,
    course: CourseRecord,
    user: User,
    role: str,
    formats: list[str],
    langs: list[str],
) -> Submission:
    """:func:`start`, committed, and its submit job queued. A dead submit job is reaped first, so it
    blocks nothing. :class:`MoveError` (nothing committed) when the course cannot be offered now."""
    queue.reap(app)
    sub = start(session, course, user, role, formats, langs)
    session.commit()
    sub.job_id = queue.submit(app, session, course, user.id, "submission", {"submission": sub.id}).id
    session.commit()
    return sub


def page(app: Flask, session: Session, course: CourseRecord) -> dict[str, Any]:
    """What the partner's submissions page shows of *course*: each submission with its reviewers'
    comments, audit log, gate report and whether its job still runs; the languages it may be offered in."""
    queue.reap(app)  # a dead submit job blocks nothing
    subs = for_course(session, course)
    comments = {
        s.id: list(
            session.scalars(select(ReviewComment).where(ReviewComment.submission_id == s.id).order_by(ReviewComment.id))
        )
        for s in subs
    }
    return {
        "subs": subs,
        "comments": comments,
        "events": {s.id: history(session, s) for s in subs},
        "reports": {s.id: report_of(s) for s in subs},
        "running": {s.id: job_running(session, s) for s in subs},
        "langs": languages(load_course(course_dir(course)), "all"),
        "catalogue": catalogue_org(session),
    }


def job_running(session: Session, sub: Submission) -> bool:
    """Whether the submit job is queued or running (callers reap abandoned jobs first: ``jobs.reap``)."""
    job = session.get(Job, sub.job_id) if sub.job_id else None
    return job is not None and job.status in ("queued", "running")


def report_of(sub: Submission) -> list[Result]:
    return [Result(r["rule"], r["ok"], r["message"], tuple(r["details"])) for r in sub.gate]


# --- the snapshot store -------------------------------------------------------------------------------


def store(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"]) / "catalogue"


def open_verified(app: Flask, sub: Submission, *, files: bool = True) -> Snapshot:
    """The submission's snapshot, checked: its manifest is the one the submission froze and (with
    *files*) every stored file re-hashes to its checksum. A changed snapshot raises; it is never served.
    Listings pass ``files=False`` and downloads re-hash the one file they send (``Snapshot.verify_entry``)."""
    if not sub.snapshot:
        raise SnapshotError("this submission has no snapshot yet")
    snap = open_snapshot(store(app) / sub.snapshot, store(app))
    if snap.digest != sub.digest:
        raise SnapshotError(f"{sub.snapshot}: is not the snapshot this submission froze")
    problems = snap.verify() if files else snap.verify_manifest()
    if problems:
        log.error("snapshot %s of submission %s is damaged: %s", sub.snapshot, sub.id, problems)
        raise SnapshotError("; ".join(problems))
    return snap


def source_folder(app: Flask, sub: Submission) -> Path:
    """The snapshot's source tree, written once (after verifying) to a work folder for the player and
    the diff. The work copy is rebuilt from the store whenever it is missing."""
    folder = store(app) / "work" / sub.digest
    if not folder.is_dir():
        snap = open_verified(app, sub)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".in-"))
        snap.materialise(tmp / "src")
        for path in (tmp / "src").rglob("*"):  # the work copy is for reading, like the store
            if path.is_file():
                path.chmod(0o444)
        with contextlib.suppress(OSError):  # another process made it first: theirs is the same content
            (tmp / "src").rename(folder)
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


# --- the submit job -----------------------------------------------------------------------------------


def run(
    app: Flask, session: Session, job_id: int, folder: Path, params: dict[str, Any], progress: Any
) -> dict[str, Any]:
    """The submit job: build every chosen package, gate, freeze, and move the submission on."""
    session.info["app"] = app  # notify's mail goes out after commit, outside a request
    sub = session.get(Submission, int(params["submission"]))
    if sub is None or sub.state != "draft":
        raise ValueError("the submission is gone or not a draft any more")
    user = session.get(User, sub.submitted_by) if sub.submitted_by else None
    role = session.scalar(
        select(Membership.role).where(
            Membership.organisation_id == sub.course.organisation_id, Membership.user_id == sub.submitted_by
        )
    )
    formats, langs = sub.formats, sub.langs
    course = load_course(folder)
    out = Path(app.config["DATA_DIR"]) / "builds" / str(job_id)
    shutil.rmtree(out, ignore_errors=True)
    built = build(course, formats, langs, out, progress=progress)
    progress.set(1, "checking against the catalogue's gate", force=True)
    packages = [Built(p.path, p.format, p.lang) for p in built.packages]
    report = gate(course, packages, langs=langs, problems=built.problems)
    if built.failures:
        failures = tuple(f.line() for f in built.failures)
        report.results.append(Result("build", False, f"{len(failures)} package(s) could not be built", failures))
    sub.gate = [asdict(r) for r in report.results]
    sub.version = course.version
    if report.ok:
        snap = freeze(
            course,
            store(app),
            [(b.path, b.format, b.lang) for b in packages],
            meta={"submission": sub.id, "by": user.email if user else ""},
        )
        sub.snapshot = snap.folder.relative_to(store(app)).as_posix()
        sub.digest = snap.digest
        sub.meta = listing_meta(course, langs)
        move(session, sub, "enter_review", user, "partner", role)
    else:
        move(session, sub, "gate_failed", user, "partner", role, _summary(report))
    session.commit()
    shutil.rmtree(out, ignore_errors=True)  # the packages live on in the snapshot store
    return {"submission": sub.id, "gate": sub.gate, "ok": report.ok}


def run_job(app: Flask, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """:func:`run` as the "submission" job kind (registered by the app factory)."""
    return run(app, session, job_id, folder, params, queue.progress(app, job_id, 5, 90))


def _summary(report: GateReport) -> str:
    return "; ".join(f"{r.rule}: {r.message}" for r in report.failed)


def listing_meta(course: Any, langs: list[str]) -> dict[str, Any]:
    """What the catalogue lists and searches, read once from the frozen course."""
    return {
        "course_id": course.id,
        "version": course.version,
        "title": course.title,
        "summary": course.summary,
        "provider": {"id": course.provider.id, "name": course.provider.name},
        "competencies": [{"area": c.area, "theme": c.theme} for c in course.competencies],
        "languages": langs,
        "level": course.level or "",
        "minutes": round(course.learning_minutes),
        "license": course.license or "",
        "audience": list(course.audience),
        "keywords": list(course.keywords),
        "thumbnail": course.thumbnail or "",
        "lessons": [{"path": lesson.path, "id": lesson.id, "title": lesson.title} for lesson in course.lessons],
    }
