"""The studio's database: organisations, people, courses and every saved revision (SQLAlchemy 2).

The schema is created and changed only by the Alembic migrations in ``studio/migrations``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .roles import ROLES  # noqa: F401  (re-exported: models say what a membership may hold)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as naive UTC on every backend


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """A declarative class's table, for Core queries: typed as the Table it is (SQLAlchemy says FromClause)."""
    return cast(Table, model.__table__)


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    is_catalogue: Mapped[bool] = mapped_column(default=False)  # runs the marketplace catalogue (catalogue.md)
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")
    courses: Mapped[list[CourseRecord]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    # Flask-Login's user protocol
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class CourseRecord(Base):
    """A course folder under ``COURSES_ROOT/<org slug>/<slug>``, owned by one organisation."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    organisation: Mapped[Organisation] = relationship(back_populates="courses")


class Revision(Base):
    """One saved state of one file of a course. ``number`` counts from 1 per file; the unique key
    makes two saves based on the same revision impossible: the database refuses the second."""

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("course_id", "path", "number"),
        Index("ix_revision_course_path", "course_id", "path"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(512))
    number: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")
    # True from just before the file is replaced until just after: a save killed in between leaves it,
    # and the next reader keeps it if the file holds its text, else drops it (revisions.py)
    pending: Mapped[bool] = mapped_column(default=False)
    user: Mapped[User | None] = relationship()


class Job(Base):
    """A build or a media transcode run by a worker; progress and results are read by any process."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a job that makes a course (an import: its organisation is in params)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # build | media | submission | import
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued running done failed
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # files, report
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    finished_at: Mapped[dt.datetime | None]
    # the lease of the worker running it: renewed while it runs; once expired the job is abandoned
    # and the reaper queues it again or fails it (jobs/queue.py)
    worker: Mapped[str] = mapped_column(String(200), default="")  # host:pid
    heartbeat_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class Worker(Base):
    """A running ``kstudio worker`` (or a server's embedded one), as its last heartbeat says."""

    __tablename__ = "worker"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # host:pid
    started_at: Mapped[dt.datetime] = mapped_column(default=now)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(default=now)


class LoginAttempt(Base):
    """A failed sign-in; counted per e-mail and per client address to slow down guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(default=now)


class UserSession(Base):
    """A signed-in browser. The signed cookie carries a random key; only its SHA-256 is stored here, and a
    request is signed in only while this row exists: signing out deletes it, so a copy of the cookie is
    worth nothing afterwards (Django's database sessions), and a new password deletes all of them."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_seen: Mapped[dt.datetime] = mapped_column(default=now)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    user: Mapped[User] = relationship()


# The translator's workspace (studio/translation/) -----------------------------------------------


class MemberLanguage(Base):
    """A language a translator or reviewer works in, in one organisation (their course list shows these)."""

    __tablename__ = "member_language"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "lang"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(35))


class TmUnit(Base):
    """One segment's translation as the translation memory keeps it: the newest text per course segment.

    It also says who last changed the translation and who reviewed it, so a review is by a second person.
    """

    __tablename__ = "tm_unit"
    __table_args__ = (
        UniqueConstraint("course_id", "lang", "segment_id"),
        Index("ix_tm_unit_org_lang_updated", "organisation_id", "lang", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(35))
    segment_id: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    translation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="translated")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)


class GlossaryTerm(Base):
    __tablename__ = "glossary_term"
    __table_args__ = (UniqueConstraint("organisation_id", "lang", "term"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(35))
    term: Mapped[str] = mapped_column(String(200))
    translation: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    dnt: Mapped[bool] = mapped_column(default=False)


class SegmentComment(Base):
    """A translator's question or remark on one segment, for the course's authors; open until resolved."""

    __tablename__ = "segment_comment"
    __table_args__ = (Index("ix_segment_comment_course", "course_id", "resolved"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(35))
    segment_id: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    resolved: Mapped[bool] = mapped_column(default=False)
    user: Mapped[User | None] = relationship()


# The catalogue (studio/marketplace/: submissions.py, review.py, listing.py, notify.py) -----------


class Submission(Base):
    """One course version offered to the catalogue, and where it is in the review workflow
    (``studio/marketplace/submissions.py`` has the states and the table of moves)."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_state", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[str] = mapped_column(String(64), default="")
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)  # the formats the partner chose
    langs: Mapped[list[str]] = mapped_column(JSON, default=list)  # the languages the partner chose
    snapshot: Mapped[str] = mapped_column(String(300), default="")  # folder under the snapshot store
    digest: Mapped[str] = mapped_column(String(64), default="")  # the snapshot's identity
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the catalogue lists and searches
    gate: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # the last gate report
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)
    course: Mapped[CourseRecord] = relationship()
    catalogue: Mapped[Organisation] = relationship()


class SubmissionEvent(Base):
    """The audit log: every move of every submission (who, when, from, to, why). Rows are only added."""

    __tablename__ = "submission_event"
    __table_args__ = (Index("ix_submission_event_submission", "submission_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    why: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User | None] = relationship()


class ReviewComment(Base):
    """A reviewer's (or partner's) comment on one lesson of one submitted snapshot."""

    __tablename__ = "review_comment"
    __table_args__ = (Index("ix_review_comment_submission", "submission_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))  # the snapshot commented on
    lesson: Mapped[str] = mapped_column(String(512))  # lesson path, or "" for the course as a whole
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    text: Mapped[str] = mapped_column(Text)
    user: Mapped[User | None] = relationship()


class Notification(Base):
    """A state change told to one person inside the studio (and by e-mail when SMTP is configured)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500), default="")
    read: Mapped[bool] = mapped_column(default=False)


# Learning records (studio/analytics/: records.py stores them, reports.py reads them) ----------------


class LearningRecord(Base):
    """One xAPI statement about one course, as received (``statement``) and normalised for SQL reports.

    The learner is a pseudonym (an HMAC of the actor with the installation's key, records.py); no e-mail,
    name or account is kept, neither in the columns nor in the stored statement, whose actor is replaced by
    the pseudonym. ``statement_id`` is unique: the same statement stored twice is stored once (xAPI 2.2).
    """

    __tablename__ = "learning_record"
    __table_args__ = (
        UniqueConstraint("statement_id", name="uq_learning_record_statement"),
        Index("ix_learning_record_item", "course_id", "course_version", "lang", "object_kind", "object_id"),
        Index("ix_learning_record_learner", "course_id", "learner"),
        Index("ix_learning_record_timestamp", "timestamp"),
        Index("ix_learning_record_stored", "course_id", "stored"),
        Index("ix_learning_record_timeline", "course_id", "learner", "timestamp", "id"),  # reports (0008)
        Index("ix_learning_record_kind", "course_id", "object_kind", "object_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36))  # the statement's UUID, lower case
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    course_version: Mapped[str] = mapped_column(String(64), default="")  # "" when no source says which
    lang: Mapped[str] = mapped_column(String(35), default="")  # the package's language (context.language)
    learner: Mapped[str] = mapped_column(String(64))  # pseudonym: hex HMAC-SHA256 of the actor
    org_unit: Mapped[str] = mapped_column(String(200), default="")  # "" when the records carry none
    registration: Mapped[str] = mapped_column(String(36), default="")  # one attempt (xAPI/cmi5 registration)
    verb: Mapped[str] = mapped_column(String(40))  # answered, experienced, completed, passed, ... (records.py VERBS)
    object_kind: Mapped[str] = mapped_column(String(20))  # course module lesson quiz question reflection other
    object_id: Mapped[str] = mapped_column(String(512), default="")  # our package's id: "<quiz>/<question>", ...
    success: Mapped[bool | None]
    score: Mapped[float | None] = mapped_column(Float)  # scaled, 0..1
    response: Mapped[str | None] = mapped_column(Text)  # as the statement's result.response (a reflection's text)
    duration: Mapped[float | None] = mapped_column(Float)  # seconds
    consent: Mapped[bool | None]  # the learner's consent to share a reflection, when the statement carries it
    timestamp: Mapped[dt.datetime]  # when it happened (naive UTC)
    stored: Mapped[dt.datetime] = mapped_column(default=now)  # when the studio stored it: the LRS's `since`
    source: Mapped[str] = mapped_column(String(80))  # studio-lrs, lrs:<name>, moodle-csv, igot-sheet
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)  # the statement, actor replaced by the pseudonym


class AnswerSummary(Base):
    """A learner's first answer to a question, kept up to date as records arrive (analytics/summary.py), so
    that the reports count learners × questions rows instead of statements.

    One row per scope a report can have (``level``): 0 the whole course, 1 one version, 2 one language, 3 one
    version in one language; a column the level does not split by is "". The values are those of the first
    answer within that scope, with the time it took reckoned from the learner's previous record in that scope.
    """

    __tablename__ = "answer_summary"
    __table_args__ = (
        UniqueConstraint(
            "course_id", "level", "course_version", "lang", "question", "learner", name="uq_answer_summary"
        ),
        Index("ix_answer_summary_learner", "course_id", "learner"),  # a learner's rows, for the tallies (0013)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    level: Mapped[int]  # 0 course, 1 version, 2 language, 3 version and language
    course_version: Mapped[str] = mapped_column(String(64), default="")
    lang: Mapped[str] = mapped_column(String(35), default="")
    question: Mapped[str] = mapped_column(String(512))  # LearningRecord.object_id
    learner: Mapped[str] = mapped_column(String(64))
    first_id: Mapped[int]  # the LearningRecord of the first answer
    first_at: Mapped[dt.datetime]
    success: Mapped[bool]
    response: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[float | None] = mapped_column(Float)  # the statement's, seconds
    seconds: Mapped[float | None] = mapped_column(Float)  # time to answer: the duration, else since the record before
    org_unit: Mapped[str] = mapped_column(String(200), default="")  # the first answer's
    answers: Mapped[int]  # all the learner's answers to the question in the scope


class LessonSummary(Base):
    """A learner's time in a lesson, kept up to date as records arrive (analytics/summary.py); a row means
    the learner opened the lesson. ``level`` as in :class:`AnswerSummary`."""

    __tablename__ = "lesson_summary"
    __table_args__ = (
        UniqueConstraint("course_id", "level", "course_version", "lang", "lesson", "learner", name="uq_lesson_summary"),
        Index("ix_lesson_summary_learner", "course_id", "learner"),  # a learner's rows, for the tallies (0013)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    level: Mapped[int]
    course_version: Mapped[str] = mapped_column(String(64), default="")
    lang: Mapped[str] = mapped_column(String(35), default="")
    lesson: Mapped[str] = mapped_column(String(512))
    learner: Mapped[str] = mapped_column(String(64))
    seconds: Mapped[float] = mapped_column(Float)  # time spent in its visits
    completed: Mapped[bool]  # a ``completed`` record of the lesson
    last: Mapped[bool]  # the learner's last lesson record is a visit of this one
    finished: Mapped[bool]  # the learner completed or passed the course


class RecordScope(Base):
    """The versions and languages a course's records carry (the reports' filters), kept as records arrive."""

    __tablename__ = "record_scope"
    __table_args__ = (UniqueConstraint("course_id", "course_version", "lang", name="uq_record_scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    course_version: Mapped[str] = mapped_column(String(64), default="")
    lang: Mapped[str] = mapped_column(String(35), default="")


class _Tally:
    """The columns every tally shares: the course and the scope a report reads (``level`` as in
    :class:`AnswerSummary`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    level: Mapped[int]
    course_version: Mapped[str] = mapped_column(String(64), default="")
    lang: Mapped[str] = mapped_column(String(35), default="")


TALLY_KEY = ("course_id", "level", "course_version", "lang")


class AnswerTally(_Tally, Base):
    """Learners' first answers to a question, counted per *share* of the learner: ``right`` of their
    ``answered`` first answers in the scope were correct (analytics/tallies.py). The reports add these up
    instead of reading a row a learner."""

    __tablename__ = "answer_tally"
    __table_args__ = (UniqueConstraint(*TALLY_KEY, "question", "right", "answered", name="uq_answer_tally"),)
    question: Mapped[str] = mapped_column(String(512))
    right: Mapped[int]
    answered: Mapped[int]
    learners: Mapped[int]
    correct: Mapped[int]  # of those learners, how many answered this question right first
    attempts: Mapped[int]  # all their answers to it


class ResponseTally(_Tally, Base):
    """Learners whose first answer to a question was ``response`` (its first 200 characters)."""

    __tablename__ = "response_tally"
    __table_args__ = (UniqueConstraint(*TALLY_KEY, "question", "response", name="uq_response_tally"),)
    question: Mapped[str] = mapped_column(String(512))
    response: Mapped[str] = mapped_column(String(200))
    learners: Mapped[int]


class TimeTally(_Tally, Base):
    """How many first answers (``kind`` "question") or lesson stays ("lesson") took ``second`` whole seconds,
    and their exact sum: a histogram the medians are read from."""

    __tablename__ = "time_tally"
    __table_args__ = (UniqueConstraint(*TALLY_KEY, "kind", "item", "second", name="uq_time_tally"),)
    kind: Mapped[str] = mapped_column(String(20))
    item: Mapped[str] = mapped_column(String(512))  # the question or the lesson
    second: Mapped[int]
    count: Mapped[int]
    total: Mapped[float] = mapped_column(Float)


class LessonTally(_Tally, Base):
    """Learners who opened a lesson, went on from it, and left the course at it (the funnel)."""

    __tablename__ = "lesson_tally"
    __table_args__ = (UniqueConstraint(*TALLY_KEY, "lesson", name="uq_lesson_tally"),)
    lesson: Mapped[str] = mapped_column(String(512))
    opened: Mapped[int]
    completed: Mapped[int]
    left: Mapped[int]


class CompetencyTally(_Tally, Base):
    """Learners with evidence of a competency, and how many mastered it, per organisation unit ("" none),
    by the questions :class:`CompetencyMap` says test it."""

    __tablename__ = "competency_tally"
    __table_args__ = (UniqueConstraint(*TALLY_KEY, "competency", "org_unit", name="uq_competency_tally"),)
    competency: Mapped[str] = mapped_column(String(300))
    org_unit: Mapped[str] = mapped_column(String(200), default="")
    learners: Mapped[int]
    mastered: Mapped[int]


class CompetencyMap(Base):
    """Which competencies each question of a course tests, as :class:`CompetencyTally` counted them; the
    report compares it with the course as it is now."""

    __tablename__ = "competency_map"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), unique=True)
    tests: Mapped[list[list[str]]] = mapped_column(JSON)  # [[question, competency], ...], sorted


class RecordSource(Base):
    """An LRS the studio pulls a course's statements from (GET /statements), with where it stopped."""

    __tablename__ = "record_source"
    __table_args__ = (UniqueConstraint("course_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))  # records from it have source "lrs:<name>"
    endpoint: Mapped[str] = mapped_column(String(500))  # the LRS's xAPI base, ending in /
    username: Mapped[str] = mapped_column(String(200), default="")
    password: Mapped[str] = mapped_column(String(500), default="")  # kept server-side, never shown again
    course_version: Mapped[str] = mapped_column(String(64), default="")  # what its records are of, if known
    since: Mapped[str] = mapped_column(String(64), default="")  # the newest `stored` pulled so far
    more: Mapped[str] = mapped_column(String(2000), default="")  # the page to resume from, mid-pull
    pulled_at: Mapped[dt.datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")  # the last pull's failure, for the owner
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class LrsCredential(Base):
    """A key and secret a course's packages send to the studio's own LRS (Basic auth, lrs_views.py).

    Only the secret's SHA-256 is stored; the owner sees the secret once, when it is made.
    """

    __tablename__ = "lrs_credential"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the Basic auth user name
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    course_version: Mapped[str] = mapped_column(String(64), default="")  # its statements' version, if known
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked: Mapped[bool] = mapped_column(default=False)


class LrsDocument(Base):
    """A State API document of the studio's own LRS (the player's resume state, a cmi5 LMS's launch data),
    for one activity of a course, one learner (by pseudonym) and one registration."""

    __tablename__ = "lrs_document"
    __table_args__ = (
        UniqueConstraint("course_id", "activity_id", "agent", "registration", "state_id", name="uq_lrs_document"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    activity_id: Mapped[str] = mapped_column(String(500))
    agent: Mapped[str] = mapped_column(String(64))  # the learner's pseudonym
    registration: Mapped[str] = mapped_column(String(36), default="")
    state_id: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    updated: Mapped[dt.datetime] = mapped_column(default=now)


class LrsAgentProfile(Base):
    """An Agent Profile API document of the studio's own LRS (a cmi5 LMS's ``cmi5LearnerPreferences``), for one
    learner (by pseudonym) as a course's credentials see it: each course's LMS keeps its own."""

    __tablename__ = "lrs_agent_profile"
    __table_args__ = (UniqueConstraint("course_id", "agent", "profile_id", name="uq_lrs_agent_profile"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    agent: Mapped[str] = mapped_column(String(64))  # the learner's pseudonym
    profile_id: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    updated: Mapped[dt.datetime] = mapped_column(default=now)  # the `since` of GET profileIds
