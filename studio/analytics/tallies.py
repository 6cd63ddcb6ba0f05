"""Tallies: the counts the reports add up, kept as records arrive, so that a report reads a few thousand rows
however many learners and statements there are.

The summary rows (summary.py) are one a learner and question or lesson; a report over them still grows with
the learners (millions of rows for a big course). A tally is the summary rows grouped by what a report
needs: per question and per *share* of the learner (how many of their first answers were right, of how many:
enough to find the upper and lower groups of the item analysis), per response chosen, per whole second
taken (a histogram for the medians), per lesson, and per competency and organisation unit.

They are kept by difference: when a learner's summary rows are recomputed (``summary.refresh``), what their
old rows added to each tally is taken away first (:func:`count` with ``sign=-1``) and what the new rows add
is counted after (``sign=1``), each one ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE SET n = n +
excluded.n`` a tally, over those learners' rows only. A count that falls to zero stays as a row of zeros;
the reports skip it.

The competency tally needs to know which questions test which competency, which the course says, not the
records; the mapping it was counted with is kept (``CompetencyMap``): :func:`adopt_map` counts the tally
again for a new mapping, and the report falls back to counting from the summary rows while the course's
mapping differs from the kept one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    Table,
    UniqueConstraint,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from ..models import (
    AnswerSummary,
    AnswerTally,
    CompetencyMap,
    CompetencyTally,
    LessonSummary,
    LessonTally,
    ResponseTally,
    TimeTally,
    table_of,
)

A, L = table_of(AnswerSummary), table_of(LessonSummary)
ANSWERS, RESPONSES, TIMES = table_of(AnswerTally), table_of(ResponseTally), table_of(TimeTally)
LESSONS, COMPETENCIES, MAPS = table_of(LessonTally), table_of(CompetencyTally), table_of(CompetencyMap)
TALLIES = (ANSWERS, RESPONSES, TIMES, LESSONS, COMPETENCIES)

MASTERY = 0.8  # share of a competency's first answers correct that counts as mastery
RESPONSE_CHARS = 200  # responses are told apart by this many characters (longer ones are free text)
SCOPE = ("level", "course_version", "lang")


def _of(table: Table, course_id: int, learners: Sequence[str] | None) -> list[ColumnElement[bool]]:
    where = [table.c.course_id == course_id]
    if learners is not None:
        where.append(table.c.learner.in_(list(learners)))
    return where


def _scope(source: Any) -> list[Any]:
    return [source.c[name] for name in SCOPE]


def whole_seconds(dialect: str, seconds: Any) -> ColumnElement[Any]:
    """*seconds* rounded down to a whole number, in both databases (PostgreSQL's CAST rounds to the nearest)."""
    if dialect == "postgresql":
        return cast(func.floor(seconds), Integer)
    return cast(seconds, Integer)  # SQLite's CAST truncates, and the seconds are never negative


def correct(source: Any) -> ColumnElement[Any]:
    return case((source.c.success, 1), else_=0)


def _answers(dialect: str, course_id: int, learners: Sequence[str] | None) -> Select[Any]:
    where = _of(A, course_id, learners)
    shares = (
        select(*_scope(A), A.c.learner, func.sum(correct(A)).label("right"), func.count().label("answered"))
        .where(*where)
        .group_by(*_scope(A), A.c.learner)
        .subquery("shares")
    )
    s = shares.c
    joined = [getattr(s, name) == A.c[name] for name in (*SCOPE, "learner")]
    return (
        select(
            *_scope(A),
            A.c.question,
            s.right,
            s.answered,
            func.count().label("learners"),
            func.sum(correct(A)).label("correct"),
            func.sum(A.c.answers).label("attempts"),
        )
        .join_from(A, shares, and_(*joined))
        .where(*where)
        .group_by(*_scope(A), A.c.question, s.right, s.answered)
    )


def _responses(dialect: str, course_id: int, learners: Sequence[str] | None) -> Select[Any]:
    response = func.substr(func.coalesce(A.c.response, ""), 1, RESPONSE_CHARS)
    return (
        select(*_scope(A), A.c.question, response.label("response"), func.count().label("learners"))
        .where(*_of(A, course_id, learners))
        .group_by(*_scope(A), A.c.question, response)
    )


def _times(dialect: str, course_id: int, learners: Sequence[str] | None) -> Select[Any]:
    parts = []
    for kind, table, item in (("question", A, A.c.question), ("lesson", L, L.c.lesson)):
        second = whole_seconds(dialect, table.c.seconds)
        parts.append(
            select(
                *_scope(table),
                literal(kind, String).label("kind"),
                item.label("item"),
                second.label("second"),
                func.count().label("count"),
                cast(func.sum(table.c.seconds), Float).label("total"),
            )
            .where(*_of(table, course_id, learners), table.c.seconds.is_not(None))
            .group_by(*_scope(table), item, second)
        )
    return select(union_all(*parts).subquery("times"))


def _lessons(dialect: str, course_id: int, learners: Sequence[str] | None) -> Select[Any]:
    v = L.c
    went_on = case((v.completed | v.finished | ~v.last, 1), else_=0)
    left = case((v.last & ~v.finished, 1), else_=0)
    return (
        select(
            *_scope(L),
            v.lesson,
            func.count().label("opened"),
            func.sum(went_on).label("completed"),
            func.sum(left).label("left"),
        )
        .where(*_of(L, course_id, learners))
        .group_by(*_scope(L), v.lesson)
    )


def mapping_table(tests: Sequence[tuple[str, str]]) -> Any:
    """(question, competency) pairs as a table in the query itself (UNION ALL of literal rows: both
    databases read it; VALUES with column names is PostgreSQL's only)."""
    rows = [select(literal(q).label("question"), literal(c).label("competency")) for q, c in tests]
    query = union_all(*rows) if len(rows) > 1 else rows[0]
    return query.cte("tests").prefix_with("MATERIALIZED")


def _per_learner(tests: Sequence[tuple[str, str]], where: list[ColumnElement[bool]]) -> Any:
    """Each learner's share of first answers right to the questions testing each competency, and their
    organisation unit (of those answers, the greatest: a learner is counted in one unit)."""
    mapping = mapping_table(tests)
    share = func.avg(cast(correct(A), Float))
    return (
        select(
            *_scope(A),
            mapping.c.competency,
            A.c.learner,
            func.max(A.c.org_unit).label("org_unit"),
            share.label("share"),
        )
        .join_from(A, mapping, mapping.c.question == A.c.question)
        .where(*where)
        .group_by(*_scope(A), mapping.c.competency, A.c.learner)
        .subquery("per_learner")
    )


def competency_counts(tests: Sequence[tuple[str, str]], where: list[ColumnElement[bool]]) -> Select[Any]:
    """Per scope, competency and organisation unit, of the summary rows *where* picks: the learners with
    evidence and how many mastered it (the competency tally's rows; the report counts the same way when
    the tally was counted by another mapping)."""
    p = _per_learner(tests, where).c
    return select(
        p.level,
        p.course_version,
        p.lang,
        p.competency,
        p.org_unit,
        func.count().label("learners"),
        func.sum(case((p.share >= MASTERY, 1), else_=0)).label("mastered"),
    ).group_by(p.level, p.course_version, p.lang, p.competency, p.org_unit)


def _key(table: Table) -> list[str]:
    """The columns of *table*'s unique key after the course: what a count is kept per."""
    (unique,) = (c for c in table.constraints if isinstance(c, UniqueConstraint))
    return [c.name for c in unique.columns if c.name != "course_id"]


def _add(conn: Connection, table: Table, course_id: int, rows: Select[Any], sign: int) -> None:
    """Add *rows*' counts (times *sign*) to *table*'s rows with the same key, making the rows missing."""
    source = rows.subquery("counted")
    key = _key(table)
    values = [c.name for c in source.c if c.name not in key]
    chosen = (
        select(
            literal(course_id, Integer).label("course_id"),
            *(source.c[name] for name in key),
            *((source.c[name] * sign).label(name) for name in values),
        )
        .where(literal(True))  # SQLite reads "ON CONFLICT" after a bare FROM as a join's; WHERE ends the SELECT
        .order_by(*(source.c[name] for name in key))  # two writers lock a tally's rows in one order: no deadlock
    )
    dialect = conn.dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    statement = insert.from_select(["course_id", *key, *values], chosen)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["course_id", *key],
            set_={name: table.c[name] + statement.excluded[name] for name in values},
        )
    )


COURSE_LOCK = 0x4B53  # the advisory lock's first key ("KS"); the second is the course's id


def lock_course(conn: Connection, course_id: int) -> None:
    """Hold the course's tallies until the transaction ends (PostgreSQL: an advisory lock, taken again at no
    cost by the same transaction), so two transactions counting the same course take turns; SQLite has one
    writer at a time anyway."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(COURSE_LOCK, course_id)))


def kept_map(conn: Connection, course_id: int) -> list[tuple[str, str]] | None:
    """The (question, competency) pairs the course's competency tally was counted with; None: none yet."""
    tests = conn.execute(select(MAPS.c.tests).where(MAPS.c.course_id == course_id)).scalar_one_or_none()
    return None if tests is None else [(q, c) for q, c in tests]


def same_map(kept: Sequence[tuple[str, str]] | None, tests: Sequence[tuple[str, str]]) -> bool:
    return kept is not None and sorted(set(kept)) == sorted(set(tests))


def count(
    conn: Connection, course_id: int, learners: Sequence[str] | None, sign: int, tests: Sequence[tuple[str, str]] | None
) -> None:
    """Add what the summary rows of *learners* (None: all of the course's) count in every tally, or take it
    away (``sign=-1``, before their rows are recomputed); the competency tally by *tests*, the mapping it
    was counted with (``kept_map``; None or empty: it is not kept)."""
    dialect = conn.dialect.name
    for table, rows in (
        (ANSWERS, _answers),
        (RESPONSES, _responses),
        (TIMES, _times),
        (LESSONS, _lessons),
    ):
        _add(conn, table, course_id, rows(dialect, course_id, learners), sign)
    if tests:
        _add(conn, COMPETENCIES, course_id, competency_counts(tests, _of(A, course_id, learners)), sign)


def adopt_map(conn: Connection, course_id: int, tests: Sequence[tuple[str, str]]) -> None:
    """Count the course's competency tally again, from all its summary rows, by *tests*, and keep *tests*
    as the mapping it was counted with."""
    pairs = sorted({(q, c) for q, c in tests})
    lock_course(conn, course_id)  # records stored meanwhile are counted after this, by the new mapping
    conn.execute(delete(COMPETENCIES).where(COMPETENCIES.c.course_id == course_id))
    conn.execute(delete(MAPS).where(MAPS.c.course_id == course_id))
    conn.execute(MAPS.insert().values(course_id=course_id, tests=[list(p) for p in pairs]))
    if pairs:
        _add(conn, COMPETENCIES, course_id, competency_counts(pairs, _of(A, course_id, None)), 1)


def clear(conn: Connection, course_id: int) -> None:
    """Empty the course's tallies (before counting them from all its summary rows); the mapping stays."""
    for table in TALLIES:
        conn.execute(delete(table).where(table.c.course_id == course_id))
