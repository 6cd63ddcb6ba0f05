"""The reports, as SQL over the learner records: one function a report, each returning plain data.

Everything is computed in the database (GROUP BY and the window functions SQLite 3.25+ and PostgreSQL both
have), so a report reads a few hundred rows back however many statements there are. The item analysis, the
funnel, the competency evidence and the filters read the summary rows kept as records arrive (summary.py:
one a learner and question or lesson), so their work grows with learners, not statements; the reflections
read the records of reflections themselves (an index finds them). Each report is for
one course, optionally one version and one language (``Scope``). Learners appear only as the pseudonyms
the records carry. A group smaller than ``Scope.min_group`` learners is *suppressed*: its numbers are None
and the page and the CSV say "fewer than N" instead.

Item analysis follows classical test theory, on each learner's *first* answer to a question (later tries
after seeing the feedback say little about the question): facility is the share correct; discrimination
is the facility in the upper 27 % of learners by their share of first answers correct minus that in the
lower 27 % (Kelley's groups). The thresholds that flag a question are ``TOO_EASY``, ``TOO_HARD`` and
``POOR_DISCRIMINATION`` (docs/analytics.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Float,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ..models import CourseRecord, LearningRecord
from . import summary
from .outline import Outline, outline
from .summary import ENDINGS, TIME_CAP  # noqa: F401  (the funnel's rules, kept where the summaries are made)

S = LearningRecord.__table__
A, L, RS = summary.ANSWERS, summary.LESSONS, summary.SCOPES

TOO_EASY = 0.9
TOO_HARD = 0.3
POOR_DISCRIMINATION = 0.2
GROUP_SHARE = 27  # percent of learners in each of the upper and lower groups
MASTERY = 0.8  # share of a competency's first answers correct that counts as mastery


@dataclass(frozen=True)
class Scope:
    course: int
    """The course's id in the studio (``CourseRecord.id``)."""
    version: str | None = None
    lang: str | None = None
    min_group: int = 5

    def where(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = [S.c.course_id == self.course]
        if self.version:
            out.append(S.c.course_version == self.version)
        if self.lang:
            out.append(S.c.lang == self.lang)
        return out

    def summary(self, table: Any) -> list[ColumnElement[bool]]:
        """The rows of a summary table (summary.py) this scope reads: its level, version and language."""
        return [
            table.c.course_id == self.course,
            table.c.level == summary.level(self.version, self.lang),
            table.c.course_version == (self.version or ""),
            table.c.lang == (self.lang or ""),
        ]

    def shown(self, learners: int, value: Any) -> Any:
        """*value* if the group is big enough to show, else None (suppressed)."""
        return value if learners >= self.min_group else None


def filters(conn: Connection, course: int) -> tuple[list[str], list[str]]:
    """The versions and languages the records of *course* carry, for the page's filter."""
    rows = conn.execute(select(RS.c.course_version, RS.c.lang).where(RS.c.course_id == course)).all()
    return sorted({v for v, _ in rows if v}), sorted({lang for _, lang in rows if lang})


# ---- item analysis ----


@dataclass
class Item:
    question: str
    """The object id's last part: ``<quiz>/<question>``."""
    learners: int
    attempts: int
    facility: float | None
    discrimination: float | None
    upper: float | None
    lower: float | None
    median_seconds: float | None
    responses: list[tuple[str, int | None]] = field(default_factory=list)
    """(response, learners who chose it first) most chosen first; None: fewer than the threshold."""

    @property
    def flags(self) -> list[str]:
        out = []
        if self.facility is not None and self.facility > TOO_EASY:
            out.append("too-easy")
        if self.facility is not None and self.facility < TOO_HARD:
            out.append("too-hard")
        if self.discrimination is not None and self.discrimination < POOR_DISCRIMINATION:
            out.append("poor-discrimination")
        return out


WORK_MEM = "64MB"
"""PostgreSQL's memory for each sort and hash of a report (the default, 4 MB, sends a sort of a million summary
rows to disk and makes it several times slower); for the report's transaction only."""


def _roomy(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")


def _medians(conn: Connection, key: Any, value: Any, where: list[ColumnElement[bool]]) -> Any:
    """The median of *value* per *key* (NULLs left out; of an even count, the mean of the middle two), as a
    subquery of (key, median). PostgreSQL has it as an aggregate (PERCENTILE_CONT), which sorts each key's
    values alone; SQLite numbers the values in order (a window) and averages the middle ones."""
    if conn.dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(value)
        return select(key, median.label("median")).where(*where).group_by(key).subquery()
    numbered = (
        select(
            key.label("key"),
            value.label("value"),
            func.row_number().over(partition_by=key, order_by=value).label("i"),
            func.count().over(partition_by=key).label("m"),
        )
        .where(*where, value.is_not(None))
        .subquery()
    )
    t = numbered.c
    return (
        select(t.key.label(key.name), func.avg(t.value).label("median"))
        .where(t.i * 2 >= t.m, t.i * 2 <= t.m + 2)
        .group_by(t.key)
        .subquery()
    )


def _table(query: Select[Any], name: str) -> Any:
    """*query* as a CTE computed once (SQLite and PostgreSQL would otherwise inline it where it is used)."""
    return query.cte(name).prefix_with("MATERIALIZED")


def _item_stats_hashed(conn: Connection, scope: Scope) -> Select[Any]:
    """Per question (PostgreSQL): the learners' shares correct (GROUP BY learner) ranked once to find the upper
    and lower groups, joined back for the per-question sums (GROUP BY question), and the median of the
    answers' times alone (``_medians``). Aggregates over hashes; the only sorts are of the learners and of
    (question, seconds): a sort of whole rows of millions of answers is what made it slow."""
    a = A.c
    correct = cast(case((a.success, 1), else_=0), Float)
    shares = select(a.learner, func.avg(correct).label("share")).where(*scope.summary(A)).group_by(a.learner).subquery()
    ranked = select(
        shares.c.learner,
        func.row_number().over(order_by=(shares.c.share.desc(), shares.c.learner)).label("r"),
        func.count().over().label("total"),
    ).subquery()
    r = ranked.c
    upper, lower = r.r * 100 <= GROUP_SHARE * r.total, (r.total - r.r + 1) * 100 <= GROUP_SHARE * r.total
    groups = select(r.learner, upper.label("upper"), lower.label("lower")).where(or_(upper, lower)).subquery()
    medians = _medians(conn, a.question, a.seconds, scope.summary(A))
    sums = (
        select(
            a.question,
            func.count().label("learners"),
            func.sum(a.answers).label("attempts"),
            func.avg(correct).label("facility"),
            func.avg(case((groups.c.upper, correct))).label("upper"),
            func.avg(case((groups.c.lower, correct))).label("lower"),
        )
        .select_from(A)
        .outerjoin(groups, groups.c.learner == a.learner)
        .where(*scope.summary(A))
        .group_by(a.question)
        .subquery()
    )
    m = sums.c
    return select(
        literal_column("'item'").label("kind"),
        m.question.label("object_id"),
        cast(null(), Text).label("response"),
        m.learners,
        m.attempts,
        m.facility,
        m.upper,
        m.lower,
        medians.c.median,
    ).outerjoin_from(sums, medians, medians.c.question == m.question)


def _item_stats_windowed(scope: Scope) -> Select[Any]:
    """Per question (SQLite, which joins a computed table by scanning it for every row): every first answer
    carries its learner's share correct, their rank by it and its rank by time taken, all window functions
    over the one scan, so nothing is joined."""
    a = A.c
    correct = cast(case((a.success, 1), else_=0), Float)
    first = _table(
        select(
            a.learner,
            a.question.label("object_id"),
            a.answers,
            a.seconds,
            correct.label("correct"),
            func.avg(correct).over(partition_by=a.learner).label("share"),
            func.row_number().over(partition_by=a.question, order_by=(a.seconds.is_(None), a.seconds)).label("i"),
            func.count(a.seconds).over(partition_by=a.question).label("m"),
        ).where(*scope.summary(A)),
        "first",
    )
    f = first.c
    ranked = _table(select(first, func.dense_rank().over(order_by=(f.share.desc(), f.learner)).label("r")), "ranked")
    grouped = select(ranked, func.max(ranked.c.r).over().label("total")).cte("grouped")
    g = grouped.c
    upper = g.r * 100 <= GROUP_SHARE * g.total
    lower = (g.total - g.r + 1) * 100 <= GROUP_SHARE * g.total
    middle = and_(g.i * 2 >= g.m, g.i * 2 <= g.m + 2)
    return select(
        literal_column("'item'").label("kind"),
        g.object_id,
        cast(null(), Text).label("response"),
        func.count().label("learners"),
        func.sum(g.answers).label("attempts"),
        func.avg(g.correct).label("facility"),
        func.avg(case((upper, g.correct))).label("upper"),
        func.avg(case((lower, g.correct))).label("lower"),
        func.avg(case((middle, g.seconds))).label("median"),
    ).group_by(g.object_id)


def item_analysis(conn: Connection, scope: Scope, top_responses: int = 6) -> list[Item]:
    """One statement over the first answers (summary rows, one a learner and question): the per-question
    numbers (each database the way its planner does best: ``_item_stats_hashed`` on PostgreSQL,
    ``_item_stats_windowed`` on SQLite; the same numbers) and the responses chosen, in one result
    (``UNION ALL``)."""
    _roomy(conn)
    a = A.c
    stats = _item_stats_hashed(conn, scope) if conn.dialect.name == "postgresql" else _item_stats_windowed(scope)
    # a response fewer learners than the threshold chose is left out, never shown by itself
    counted = (
        select(a.question.label("object_id"), a.response, func.count().label("k"))
        .where(*scope.summary(A))
        .group_by(a.question, a.response)
        .cte("counted")
    )
    c = counted.c
    order = func.row_number().over(partition_by=c.object_id, order_by=(c.k.desc(), c.response)).label("r")
    top = select(counted, order).cte("top_responses")
    tr = top.c
    chosen = select(
        literal_column("'response'").label("kind"),
        tr.object_id,
        tr.response,
        tr.k,
        *(cast(null(), Float) for _ in range(5)),
    ).where(tr.r <= top_responses, tr.k >= scope.min_group)
    items: dict[str, Item] = {}
    responses: dict[str, list[tuple[str, int | None]]] = {}
    for row in conn.execute(union_all(stats, chosen)):
        if row.kind == "response":
            responses.setdefault(row.object_id, []).append((row.response or "", int(row.learners)))
            continue
        n = row.learners
        upper_v, lower_v = row.upper, row.lower
        items[row.object_id] = Item(
            question=row.object_id,
            learners=n,
            attempts=int(row.attempts),
            facility=scope.shown(n, row.facility),
            discrimination=scope.shown(n, None if upper_v is None or lower_v is None else upper_v - lower_v),
            upper=scope.shown(n, upper_v),
            lower=scope.shown(n, lower_v),
            median_seconds=scope.shown(n, row.median),
        )
    for key, chosen_first in responses.items():
        if key in items and items[key].learners >= scope.min_group:
            items[key].responses = sorted(chosen_first, key=lambda rc: (-(rc[1] or 0), rc[0]))
    return [items[key] for key in sorted(items)]


# ---- lesson funnel ----


@dataclass
class Step:
    lesson: str
    """The lesson's id (the part of its IRI after ``/lesson/``)."""
    opened: int | None
    completed: int | None
    left: int | None
    """Learners whose last lesson this was, without completing the course."""
    median_minutes: float | None


def funnel(conn: Connection, scope: Scope) -> list[Step]:
    """Per lesson: learners who opened it, who completed it (a ``completed`` record of the lesson, or they
    opened another lesson after it or finished the course), whose last lesson it was, and the median time they
    spent in it (a visit lasts until they open another lesson or end the session, at most ``TIME_CAP``): one
    row a learner and lesson (summary.py), counted per lesson, and the median of their times (``_medians``)."""
    _roomy(conn)
    v = L.c
    went_on = case((or_(v.completed, v.finished, not_(v.last)), 1), else_=0)
    left = case((and_(v.last, not_(v.finished)), 1), else_=0)
    counts = (
        select(
            v.lesson,
            func.count().label("opened"),
            func.sum(went_on).label("completed"),
            func.sum(left).label("left"),
        )
        .where(*scope.summary(L))
        .group_by(v.lesson)
        .subquery()
    )
    medians = _medians(conn, v.lesson, v.seconds, scope.summary(L))
    query = (
        select(counts.c.lesson.label("object_id"), counts.c.opened, counts.c.completed, counts.c.left, medians.c.median)
        .outerjoin_from(counts, medians, medians.c.lesson == counts.c.lesson)
        .order_by(counts.c.lesson)
    )
    steps = []
    for row in conn.execute(query):
        steps.append(
            Step(
                lesson=row.object_id,
                opened=scope.shown(row.opened, row.opened),
                completed=scope.shown(row.opened, int(row.completed or 0)),
                left=scope.shown(row.opened, int(row.left or 0)),
                median_minutes=scope.shown(row.opened, None if row.median is None else row.median / 60.0),
            )
        )
    return steps


# ---- competency evidence ----


@dataclass
class Evidence:
    competency: str
    """``area / theme / subtheme`` as course.yml names it."""
    org_unit: str | None
    """None: all learners together."""
    learners: int | None
    mastered: int | None

    @property
    def mastery(self) -> float | None:
        return None if not self.learners or self.mastered is None else self.mastered / self.learners


def _mapping(pairs: Sequence[tuple[str, str]]) -> Any:
    """(question, competency) pairs as a table in the query itself (UNION ALL of literal rows: both
    databases read it; VALUES with column names is PostgreSQL's only)."""
    rows = [select(literal(q).label("object_id"), literal(c).label("competency")) for q, c in pairs]
    return (
        union_all(*rows).cte("tests").prefix_with("MATERIALIZED")
        if len(rows) > 1
        else rows[0].cte("tests").prefix_with("MATERIALIZED")
    )


def competency_evidence(conn: Connection, scope: Scope, tests: Sequence[tuple[str, str]]) -> list[Evidence]:
    """Per competency (and per organisation unit, where the records carry one): the learners with evidence
    (a first answer to a question testing it) and how many mastered it (``MASTERY`` of those answers right).

    *tests* maps question object ids to the competencies they test (the course says which: its lessons'
    and questions' ``competency=``, ``outline.py``)."""
    _roomy(conn)
    if not tests:
        return []
    first = (
        select(A.c.question.label("object_id"), A.c.learner, A.c.org_unit, A.c.success)
        .where(*scope.summary(A))
        .cte("first")
    )
    mapping = _mapping(tests)
    correct = cast(case((first.c.success, 1), else_=0), Float)
    per_learner = (
        select(
            mapping.c.competency,
            first.c.learner,
            func.max(first.c.org_unit).label("org_unit"),
            func.avg(correct).label("share"),
        )
        .join_from(first, mapping, mapping.c.object_id == first.c.object_id)
        .group_by(mapping.c.competency, first.c.learner)
        .cte("per_learner")
        .prefix_with("MATERIALIZED")
    )
    p = per_learner.c
    mastered = func.sum(case((p.share >= MASTERY, 1), else_=0))
    overall = select(p.competency, cast(null(), String).label("unit"), func.count(), mastered).group_by(p.competency)
    units = (
        select(p.competency, p.org_unit, func.count(), mastered)
        .where(p.org_unit != "")
        .group_by(p.competency, p.org_unit)
    )
    rows = sorted(conn.execute(union_all(overall, units)), key=lambda r: (r[1] is not None, r[0], r[1] or ""))
    return [Evidence(c, unit, scope.shown(n, n), scope.shown(n, int(k))) for c, unit, n, k in rows]


# ---- reflections ----


@dataclass
class ReflectionCount:
    reflection: str
    learners: int | None
    texts: int | None


@dataclass
class ReflectionText:
    learner: str
    """The pseudonym the records carry."""
    at: Any
    text: str
    consent: bool | None
    """As the record carries it; None when the record says nothing."""


def reflections(conn: Connection, scope: Scope) -> list[ReflectionCount]:
    query = (
        select(S.c.object_id, func.count(func.distinct(S.c.learner)), func.count())
        .where(*scope.where(), S.c.object_kind == "reflection")
        .group_by(S.c.object_id)
        .order_by(S.c.object_id)
    )
    return [ReflectionCount(rid, scope.shown(n, n), scope.shown(n, k)) for rid, n, k in conn.execute(query)]


def reflection_texts(
    conn: Connection, scope: Scope, reflection: str, limit: int | None = 50, offset: int = 0
) -> list[ReflectionText] | None:
    """The texts written for one reflection, newest first, a page at a time; None when fewer learners than
    the threshold wrote (a handful of texts could tell who wrote them)."""
    where = [*scope.where(), S.c.object_kind == "reflection", S.c.object_id == reflection]
    learners = conn.execute(select(func.count(func.distinct(S.c.learner))).where(*where)).scalar_one()
    if learners < scope.min_group:
        return None
    query = (
        select(S.c.learner, S.c.timestamp, S.c.response, S.c.consent)
        .where(*where)
        .order_by(S.c.timestamp.desc(), S.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [ReflectionText(*row) for row in conn.execute(query)]


# ---- CSV ----

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


# ---- what a report page starts from ----


@dataclass
class Report:
    """A report's scope, checked against what the records hold, and the course's outline to name things."""

    scope: Scope
    versions: list[str]
    langs: list[str]
    outline: Outline


def open_report(session: Session, course: CourseRecord, version: str, lang: str, min_group: int) -> Report:
    """The scope of a report page: a version or language the records do not carry is ignored (all of them)."""
    from ..authoring import library

    conn = session.connection()
    versions, langs = filters(conn, course.id)
    scope = Scope(
        course.id, version if version in versions else None, lang if lang in langs else None, max(1, min_group)
    )
    return Report(scope, versions, langs, outline(library.load(course)))
