"""Summary rows the reports read instead of the statements: per learner and question (the first answer) and per
learner and lesson (opened, completed, time spent), and the versions and languages the records carry.

:func:`refresh` recomputes the rows of some learners from their records, with one ``INSERT … SELECT … ON
CONFLICT DO UPDATE`` a table (SQLite and PostgreSQL both have it). It is called by ``records.add_rows``, which
every way in of statements goes through (the studio's LRS, pulls, sheets, the simulation), after the new
records are inserted; :func:`rebuild` does the same for a whole course (migration 0012, the benchmark).
Recomputing a learner whole, rather than adding a record to the counts, keeps the rows right when records
arrive out of time order or twice: an earlier answer becomes the first one, a record in between changes the
time the next answer took. Records are never changed or deleted one by one (only with their course, which
cascades), so a learner's rows only ever grow in number and an upsert is all it takes.

Each report can be for the whole course, one version, one language, or both (``reports.Scope``), and the
first answer and the time between records depend on which records are in scope; so each row is kept once
per *level*: 0 the whole course, 1 per version, 2 per language, 3 per version and language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from ..models import AnswerSummary, LearningRecord, LessonSummary, RecordScope, table_of
from . import tallies

R, ANSWERS = table_of(LearningRecord), table_of(AnswerSummary)
LESSONS, SCOPES = table_of(LessonSummary), table_of(RecordScope)

ENDINGS = ("terminated", "exited", "suspended")  # verbs that end a session (xAPI, cmi5, the ADL vocabulary)
TIME_CAP = 3600.0  # seconds: a gap longer than this is a learner who walked away, not time spent
LEVELS: dict[int, tuple[str, ...]] = {0: (), 1: ("course_version",), 2: ("lang",), 3: ("course_version", "lang")}
"""The columns each level splits the records by."""


def level(version: str | None, lang: str | None) -> int:
    """The level of the rows a report scoped to *version* and *lang* (None or "": all of them) reads."""
    return (1 if version else 0) + (2 if lang else 0)


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """Seconds from *start* to *end*, two timestamps, in this database's words."""
    if dialect == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def least(dialect: str, value: Any, cap: float) -> ColumnElement[Any]:
    """The smaller of *value* and *cap* (NULL stays NULL): LEAST in PostgreSQL, two-argument MIN in SQLite."""
    return func.least(value, cap) if dialect == "postgresql" else func.min(value, cap)


def _mine(course_id: int, learners: Sequence[str] | None) -> list[ColumnElement[bool]]:
    where = [R.c.course_id == course_id]
    if learners is not None:
        where.append(R.c.learner.in_(list(learners)))
    return where


def _split(source: Any, lvl: int) -> list[Any]:
    """The level's key columns of *source*: the learner, and the version and language where it splits by them."""
    return [source.c.learner, *(source.c[name] for name in LEVELS[lvl])]


def _keys(source: Any, lvl: int) -> list[ColumnElement[Any]]:
    """(level, course_version, lang) as the row stores them: "" for a column the level does not split by."""
    return [
        literal(lvl, Integer).label("level"),
        (source.c.course_version if "course_version" in LEVELS[lvl] else literal("", String)).label("course_version"),
        (source.c.lang if "lang" in LEVELS[lvl] else literal("", String)).label("lang"),
    ]


def _answer_rows(dialect: str, course_id: int, learners: Sequence[str] | None, lvl: int) -> Select[Any]:
    """The first answers of a level: what ``reports.item_analysis`` once computed from the statements."""
    split = _split(R, lvl)
    timeline = (
        select(
            R.c.id,
            R.c.timestamp,
            R.c.learner,
            R.c.course_version,
            R.c.lang,
            R.c.org_unit,
            R.c.verb,
            R.c.object_kind,
            R.c.object_id,
            R.c.success,
            R.c.response,
            R.c.score,
            R.c.duration,
            func.lag(R.c.timestamp).over(partition_by=split, order_by=(R.c.timestamp, R.c.id)).label("before"),
        )
        .where(*_mine(course_id, learners))
        .subquery(f"timeline{lvl}")
    )
    t = timeline.c
    took = func.coalesce(t.duration, least(dialect, seconds_between(dialect, t.before, t.timestamp), TIME_CAP))
    by_question = [*_split(timeline, lvl), t.object_id]
    answers = (
        select(
            timeline,
            took.label("seconds"),
            func.count().over(partition_by=by_question).label("answers"),
            func.row_number().over(partition_by=by_question, order_by=(t.timestamp, t.id)).label("n"),
        )
        .where(t.object_kind == "question", t.verb == "answered", t.success.is_not(None))
        .subquery(f"answers{lvl}")
    )
    a = answers.c
    return select(
        literal(course_id, Integer).label("course_id"),
        *_keys(answers, lvl),
        a.object_id.label("question"),
        a.learner,
        a.id.label("first_id"),
        a.timestamp.label("first_at"),
        a.success,
        a.response,
        a.score,
        a.duration,
        cast(a.seconds, Float).label("seconds"),
        a.org_unit,
        a.answers,
    ).where(a.n == 1)


def _lesson_rows(dialect: str, course_id: int, learners: Sequence[str] | None, lvl: int) -> Select[Any]:
    """The lesson visits of a level: what ``reports.funnel`` once computed from the statements. A visit lasts
    until the learner moves (opens a lesson or ends a session), else until their last record."""
    split = _split(R, lvl)
    finish = case((and_(R.c.object_kind == "course", R.c.verb.in_(("completed", "passed"))), 1), else_=0)
    records = (
        select(
            R.c.id,
            R.c.learner,
            R.c.course_version,
            R.c.lang,
            R.c.object_kind,
            R.c.object_id,
            R.c.verb,
            R.c.timestamp,
            func.max(R.c.timestamp).over(partition_by=split).label("last_at"),
            func.max(finish).over(partition_by=split).label("finished"),
        )
        .where(*_mine(course_id, learners))
        .subquery(f"records{lvl}")
    )
    r = records.c
    moves = or_(r.object_kind == "lesson", r.verb.in_(ENDINGS))
    timeline = (
        select(
            r.learner,
            r.course_version,
            r.lang,
            r.object_kind,
            r.object_id,
            r.verb,
            r.timestamp,
            r.finished,
            func.coalesce(
                func.lead(r.timestamp).over(partition_by=_split(records, lvl), order_by=(r.timestamp, r.id)),
                r.last_at,
            ).label("next_at"),
            func.row_number()
            .over(partition_by=[*_split(records, lvl), r.object_kind], order_by=(r.timestamp.desc(), r.id.desc()))
            .label("from_end"),
        )
        .where(moves)
        .subquery(f"moves{lvl}")
    )
    t = timeline.c
    is_visit = t.verb != "completed"
    spent = func.coalesce(least(dialect, seconds_between(dialect, t.timestamp, t.next_at), TIME_CAP), 0.0)
    return (
        select(
            literal(course_id, Integer).label("course_id"),
            *_keys(timeline, lvl),
            t.object_id.label("lesson"),
            t.learner,
            cast(func.sum(case((is_visit, spent), else_=0.0)), Float).label("seconds"),
            (func.max(case((t.verb == "completed", 1), else_=0)) == 1).label("completed"),
            (func.max(case((and_(is_visit, t.from_end == 1), 1), else_=0)) == 1).label("last"),
            (func.max(t.finished) == 1).label("finished"),
        )
        .where(t.object_kind == "lesson")
        .group_by(*_split(timeline, lvl), t.object_id)
    )


def _upsert(conn: Connection, table: Table, rows: Select[Any], key: Sequence[str]) -> None:
    """INSERT … SELECT, a row already there (same key) taking the new values."""
    columns = [c.name for c in rows.selected_columns]
    dialect = conn.dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table).from_select(columns, rows)
    changed = [name for name in columns if name not in key]
    if changed:
        query = insert.on_conflict_do_update(
            index_elements=list(key), set_={name: insert.excluded[name] for name in changed}
        )
    else:
        query = insert.on_conflict_do_nothing(index_elements=list(key))
    conn.execute(query)


def _levels(rows: Any, dialect: str, course_id: int, learners: Sequence[str] | None) -> Select[Any]:
    parts = [rows(dialect, course_id, learners, lvl) for lvl in LEVELS]
    # SQLite reads "ON CONFLICT" after a bare FROM as a join's; a WHERE clause ends the SELECT unambiguously
    return select(union_all(*parts).subquery("all_levels")).where(literal(True))


def refresh(
    conn: Connection, course_id: int, learners: Iterable[str] | None, *, tallied: bool = True
) -> list[tuple[str, str]] | None:
    """Recompute the summary rows of *learners* in a course (None: all of them) from their records, and with
    them the course's tallies (tallies.py: what the learners' old rows counted taken away, their new rows'
    counted; ``tallied=False`` only for migration 0012, which comes before the tallies). Returns the
    competency mapping the tallies are kept by (``tallies.kept_map``; None: none is kept yet, or not tallied).

    On PostgreSQL the course is locked first (a transaction-scoped advisory lock), so two transactions storing
    records of one course refresh one after the other: the second sees the first's records and tallies.
    SQLite has one writer at a time anyway."""
    chosen = None if learners is None else sorted(set(learners))
    if chosen == []:
        return None
    dialect = conn.dialect.name
    tallies.lock_course(conn, course_id)
    tests = tallies.kept_map(conn, course_id) if tallied else None
    if tallied:
        tallies.count(conn, course_id, chosen, -1, tests)
    key = ("course_id", "level", "course_version", "lang")
    _upsert(conn, ANSWERS, _levels(_answer_rows, dialect, course_id, chosen), (*key, "question", "learner"))
    _upsert(conn, LESSONS, _levels(_lesson_rows, dialect, course_id, chosen), (*key, "lesson", "learner"))
    scopes = (
        select(literal(course_id, Integer).label("course_id"), R.c.course_version, R.c.lang)
        .where(*_mine(course_id, chosen))
        .group_by(R.c.course_version, R.c.lang)
    )
    _upsert(conn, SCOPES, select(scopes.subquery("scopes")).where(literal(True)), key[:1] + key[2:])
    if tallied:
        tallies.count(conn, course_id, chosen, 1, tests)
    return tests


def rebuild(conn: Connection, course_id: int | None = None, *, tallied: bool = True) -> None:
    """Recompute the summary rows and the tallies of one course, or of every course, from all their records
    (its rows are deleted first: inserting into an empty table is several times quicker than updating row
    by row). The competency tally is counted by the mapping it was counted with, if any (tallies.py)."""
    ids = [course_id] if course_id is not None else list(conn.execute(select(R.c.course_id).distinct()).scalars())
    for one in ids:
        for table in (ANSWERS, LESSONS, SCOPES):
            conn.execute(delete(table).where(table.c.course_id == one))
        if tallied:
            tallies.clear(conn, one)
        refresh(conn, one, None, tallied=tallied)
