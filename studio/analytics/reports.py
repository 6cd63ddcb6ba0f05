"""The reports, as SQL over the learner records: one function a report, each returning plain data.

The item analysis, the funnel and the competency evidence read the tallies kept as records arrive
(tallies.py: rows a question and learner share, a response, a whole second, a lesson, a competency), so
their work grows with the course's questions and lessons, not with its learners or statements; the filters
read the versions and languages kept (summary.py); the reflections read the records of reflections
themselves (an index finds them). Each report is for one course, optionally one version and one language
(``Scope``). Learners appear only as the pseudonyms
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
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ..models import CourseRecord, LearningRecord, table_of
from . import summary, tallies
from .outline import Outline, outline

S = table_of(LearningRecord)
A, RS = summary.ANSWERS, summary.SCOPES

TOO_EASY = 0.9
TOO_HARD = 0.3
POOR_DISCRIMINATION = 0.2
GROUP_SHARE = 27  # percent of learners in each of the upper and lower groups


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


def _tally(conn: Connection, table: Any, scope: Scope, *columns: Any, where: Sequence[Any] = ()) -> list[Any]:
    """The rows of a tally (tallies.py) in *scope*."""
    return list(conn.execute(select(*columns).where(*scope.summary(table), *where)))


def median(histogram: Iterable[tuple[int, int, float]]) -> float | None:
    """The median of values kept as (whole second, how many, their sum): the middle value's second's mean (of
    an even count, the mean of the two middle ones'), so within that second of the exact median."""
    buckets = sorted((second, n, total) for second, n, total in histogram if n > 0)
    count = sum(n for _, n, _ in buckets)
    if not count:
        return None
    wanted = {(count + 1) // 2, count // 2 + 1}  # the middle position, or the two middle ones
    means, seen = [], 0
    for _second, n, total in buckets:
        hit = [w for w in wanted if seen < w <= seen + n]
        means += [total / n] * len(hit)
        seen += n
    return sum(means) / len(means)


def _medians(conn: Connection, scope: Scope, kind: str) -> dict[str, float | None]:
    t = tallies.TIMES.c
    rows = _tally(conn, tallies.TIMES, scope, t.item, t.second, t.count, t.total, where=[t.kind == kind, t.count > 0])
    histograms: dict[str, list[tuple[int, int, float]]] = {}
    for item, second, n, total in rows:
        histograms.setdefault(item, []).append((second, n, total))
    return {item: median(h) for item, h in histograms.items()}


@dataclass
class Group:
    """The learners of the upper or the lower group, by their share of first answers right: every share
    wholly in the group (``weights`` 1.0) and, where the group's edge falls among learners of one share, that
    share in part (the part of its learners the group takes: as if they were drawn at random)."""

    weights: dict[tuple[int, int], float]

    @classmethod
    def of(cls, learners: dict[Fraction, list[tuple[tuple[int, int], int]]], size: int, top: bool) -> Group:
        weights: dict[tuple[int, int], float] = {}
        room = size
        for share in sorted(learners, reverse=top):
            if room <= 0:
                break
            here = sum(n for _, n in learners[share])
            part = 1.0 if here <= room else room / here
            for key, _n in learners[share]:
                weights[key] = part
            room -= here
        return cls(weights)

    def facility(self, counts: dict[tuple[int, int], tuple[int, int]]) -> float | None:
        """The group's facility on one question from its (learners, correct) per share."""
        learners = sum(self.weights.get(key, 0.0) * n for key, (n, _) in counts.items())
        right = sum(self.weights.get(key, 0.0) * k for key, (_, k) in counts.items())
        return right / learners if learners else None


def item_analysis(conn: Connection, scope: Scope, top_responses: int = 6) -> list[Item]:
    """The item analysis from the tallies (tallies.py), whatever the number of learners: a row a question
    and share of the learner, a row a response, a row a whole second taken.

    The upper and lower groups are ``GROUP_SHARE`` percent of the learners each, by their share of first
    answers right; a share's learners are all counted the same (``Group``), and the learners of a share are
    found without a row of their own: each learner with *right* of *answered* answers right has *answered*
    rows in the tally's (question, right, answered) rows."""
    t = tallies.ANSWERS.c
    rows = _tally(
        conn,
        tallies.ANSWERS,
        scope,
        t.question,
        t.right,
        t.answered,
        t.learners,
        t.correct,
        t.attempts,
        where=[t.learners > 0],
    )
    per_question: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
    attempts: dict[str, int] = {}
    rows_of_share: dict[tuple[int, int], int] = {}
    for question, right, answered, learners, right_first, tries in rows:
        per_question.setdefault(question, {})[(right, answered)] = (learners, right_first)
        attempts[question] = attempts.get(question, 0) + tries
        rows_of_share[(right, answered)] = rows_of_share.get((right, answered), 0) + learners
    by_share: dict[Fraction, list[tuple[tuple[int, int], int]]] = {}
    for (right, answered), n in rows_of_share.items():
        by_share.setdefault(Fraction(right, answered), []).append(((right, answered), n // answered))
    total = sum(n for shares in by_share.values() for _, n in shares)
    size = total * GROUP_SHARE // 100
    upper, lower = Group.of(by_share, size, top=True), Group.of(by_share, size, top=False)
    medians = _medians(conn, scope, "question")
    items: dict[str, Item] = {}
    for question, counts in per_question.items():
        n = sum(learners for learners, _ in counts.values())
        up, low = upper.facility(counts), lower.facility(counts)
        items[question] = Item(
            question=question,
            learners=n,
            attempts=attempts[question],
            facility=scope.shown(n, sum(k for _, k in counts.values()) / n),
            discrimination=scope.shown(n, None if up is None or low is None else up - low),
            upper=scope.shown(n, up),
            lower=scope.shown(n, low),
            median_seconds=scope.shown(n, medians.get(question)),
        )
    # the responses chosen: the most chosen first; one fewer learners than the threshold chose is left out,
    # never shown by itself
    r = tallies.RESPONSES.c
    order = func.row_number().over(partition_by=r.question, order_by=(r.learners.desc(), r.response)).label("k")
    ranked = select(r.question, r.response, r.learners, order).where(*scope.summary(tallies.RESPONSES)).subquery()
    chosen = select(ranked.c.question, ranked.c.response, ranked.c.learners).where(
        ranked.c.k <= top_responses, ranked.c.learners >= scope.min_group
    )
    for question, response, learners in conn.execute(chosen):
        item = items.get(question)
        if item is not None and item.learners >= scope.min_group:
            item.responses.append((response, int(learners)))
    for item in items.values():
        item.responses.sort(key=lambda rc: (-(rc[1] or 0), rc[0]))
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
    spent in it (a visit lasts until they open another lesson or end the session, at most
    ``summary.TIME_CAP``): the lesson tally and the lessons' histograms of seconds (tallies.py)."""
    t = tallies.LESSONS.c
    rows = _tally(conn, tallies.LESSONS, scope, t.lesson, t.opened, t.completed, t.left, where=[t.opened > 0])
    medians = _medians(conn, scope, "lesson")
    steps = []
    for lesson, opened, completed, left in sorted(rows):
        minutes = medians.get(lesson)
        steps.append(
            Step(
                lesson=lesson,
                opened=scope.shown(opened, opened),
                completed=scope.shown(opened, int(completed)),
                left=scope.shown(opened, int(left)),
                median_minutes=scope.shown(opened, None if minutes is None else minutes / 60.0),
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


def competency_evidence(conn: Connection, scope: Scope, tests: Sequence[tuple[str, str]]) -> list[Evidence]:
    """Per competency (and per organisation unit, where the records carry one): the learners with evidence
    (a first answer to a question testing it) and how many mastered it (``tallies.MASTERY`` of those answers right).

    *tests* maps question object ids to the competencies they test (the course says which: its lessons'
    and questions' ``competency=``, ``outline.py``). The competency tally answers when it was counted with
    the same mapping (tallies.py); otherwise (the course's competencies changed since) the summary rows are
    counted here, which takes longer on a big course, until the tally is counted again (``recount``)."""
    if not tests:
        return []
    if tallies.same_map(tallies.kept_map(conn, scope.course), tests):
        t = tallies.COMPETENCIES.c
        rows = _tally(
            conn,
            tallies.COMPETENCIES,
            scope,
            t.competency,
            t.org_unit,
            t.learners,
            t.mastered,
            where=[t.learners > 0],
        )
    else:
        rows = _counted(conn, scope, tests)
    overall: dict[str, list[int]] = {}
    units = []
    for competency, unit, learners, mastered in rows:
        sums = overall.setdefault(competency, [0, 0])
        sums[0] += learners
        sums[1] += mastered
        if unit:
            units.append(Evidence(competency, unit, scope.shown(learners, learners), scope.shown(learners, mastered)))
    together = [Evidence(c, None, scope.shown(n, n), scope.shown(n, k)) for c, (n, k) in sorted(overall.items())]
    return together + sorted(units, key=lambda e: (e.competency, e.org_unit or ""))


def competencies_tallied(conn: Connection, scope: Scope, tests: Sequence[tuple[str, str]]) -> bool:
    """Whether the competency evidence comes from its tally (counted with *tests*, the course's mapping now)."""
    return not tests or tallies.same_map(tallies.kept_map(conn, scope.course), tests)


def _counted(conn: Connection, scope: Scope, tests: Sequence[tuple[str, str]]) -> list[Any]:
    """(competency, organisation unit, learners, mastered) counted from the summary rows in *scope*, as the
    competency tally counts them (one scope: its columns are the same in every row)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
    c = tallies.competency_counts(tests, scope.summary(A)).subquery("counted").c
    query = select(c.competency, c.org_unit, c.learners, c.mastered)
    return [(competency, unit, n, int(k)) for competency, unit, n, k in conn.execute(query)]


WORK_MEM = "64MB"
"""PostgreSQL's memory for each sort and hash of a count from the summary rows (the default, 4 MB, sends a
sort of a million rows to disk and makes it several times slower); for the report's transaction only."""


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
