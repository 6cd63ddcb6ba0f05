"""The summary rows the reports read (studio/analytics/summary.py) stay equal to a recount from the statements,
whichever way the statements came in (the studio's LRS, a pull, a sheet), in whatever order, and however often
the same statement is sent; on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import delete, select

from studio.analytics import lrs, records, reports, summary, tallies
from studio.analytics.generator import Cohort
from studio.db import session_for
from studio.models import (
    AnswerSummary,
    AnswerTally,
    CompetencyMap,
    CompetencyTally,
    LearningRecord,
    LessonSummary,
    LessonTally,
    RecordScope,
    ResponseTally,
    TimeTally,
)
from tests.studio.conftest import adopt_sample

KEY = b"summary test key"
VERSION_EXT = records.VERSION_EXT


class Others(Cohort):
    """Learners of their own (not the first cohort's), in another language."""

    def actor(self, n: int) -> dict[str, Any]:
        return {"objectType": "Agent", "account": {"homePage": "https://other.example", "name": f"other-{n}"}}


def mixed_statements(seed: int = 3) -> tuple[Any, list[dict[str, Any]]]:
    """(the sample course, statements) from two cohorts, made untidy: some learners move to another version
    half-way, some answers carry no duration (the time is then reckoned from the record before), some
    statements say no version at all (the source's is taken), and the whole is shuffled."""
    from packager import load_course
    from tests.conftest import SAMPLE

    course = load_course(SAMPLE)
    rng = random.Random(seed)
    statements = list(Cohort(course, 30, seed=seed, org_units=("Revenue", "Health")).statements())
    statements += list(Others(course, 8, seed=seed + 1, lang="hi").statements())
    moved: dict[str, int] = {}
    for st in statements:
        who = json.dumps(st["actor"], sort_keys=True)
        context = st["context"]
        count = moved[who] = moved.get(who, 0) + 1
        if sum(map(ord, who)) % 3 == 0 and count > 20:  # this learner goes on in the next version
            context["revision"] = context["extensions"][VERSION_EXT] = "2.0.0"
        if rng.random() < 0.1:
            del context["revision"], context["extensions"][VERSION_EXT]
        if "duration" in st.get("result", {}) and rng.random() < 0.5:
            del st["result"]["duration"]
    rng.shuffle(statements)
    return course, statements


def ingest_every_way(app: Any, course: Any, statements: list[dict[str, Any]]) -> None:
    """A third through a pull's way (records.store), a third put and posted to the studio's LRS, a third from
    a sheet; then a quarter of them all again, both ways."""
    third = len(statements) // 3
    with app.app_context():
        session = session_for(app)
        base = records.course_iri(course)
        pulled = records.Target(course.id, base, "lrs:elsewhere")
        sheet = records.Target(course.id, base, "igot-sheet", version="1.0.0", org_unit="Sheet unit")
        assert records.store(session, pulled, statements[:third], KEY).added == third
        session.commit()
        credential = lrs.create_credential(session, course, None, version="1.0.0").credential
        put = statements[third]
        lrs.put(session, credential, put["id"], json.dumps(put).encode(), KEY)
        for i in range(third + 1, 2 * third, 100):
            lrs.post(session, credential, json.dumps(statements[i : min(i + 100, 2 * third)]).encode(), KEY)
            session.commit()
        assert records.store(session, sheet, statements[2 * third :], KEY).added == len(statements) - 2 * third
        session.commit()
        again = statements[: len(statements) // 4]
        assert records.store(session, sheet, copy.deepcopy(again), KEY).added == 0
        lrs.post(session, credential, json.dumps(again[-50:]).encode(), KEY)
        session.commit()
        session.close()


def _plain(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else json.dumps(value) if isinstance(value, list) else value


TALLIES = (AnswerTally, ResponseTally, TimeTally, LessonTally, CompetencyTally)


def snapshot(app: Any) -> dict[str, set[tuple[Any, ...]]]:
    """Every summary row and every tally's row, without its id (the rows are the same whatever order they were
    written in); a tally's row of zeros (its learners counted away) is as good as none, and sums of seconds
    are compared to the microsecond (a sum made by adding and taking away differs in the last bits)."""
    out = {}
    with app.app_context():
        session = session_for(app)
        for model in (AnswerSummary, LessonSummary, RecordScope, *TALLIES, CompetencyMap):
            columns = [c for c in model.__table__.columns if c.name != "id"]
            rows = {tuple(map(_plain, row)) for row in session.execute(select(*columns))}
            if model in TALLIES:
                key = tallies._key(model.__table__)
                counts = [i for i, c in enumerate(columns) if c.name not in key and c.name != "course_id"]
                rows = {row for row in rows if any(row[i] for i in counts)}
            out[model.__tablename__] = rows
        session.close()
    return out


@pytest.fixture(autouse=True)
def _in_app(app: Any) -> Any:
    with app.app_context():
        yield


@pytest.fixture
def course(app: Any) -> Any:
    return adopt_sample(app)


def test_the_summaries_equal_a_recount_from_the_statements_after_every_way_in(app, course):
    _model, statements = mixed_statements()
    ingest_every_way(app, course, statements)
    kept = snapshot(app)
    assert all(kept.values())

    # the same INSERT … SELECT over all the records at once (migration 0012's backfill) gives the same rows, and
    # the tallies counted at once from them are those kept by difference as the records came
    with app.app_context():
        session = session_for(app)
        for model in (AnswerSummary, LessonSummary, RecordScope, *TALLIES):
            session.execute(delete(model))
        summary.rebuild(session.connection(), course.id)
        session.commit()
        session.close()
    assert snapshot(app) == kept

    # and a recount in Python, of the whole course (level 0): each learner's first answer to each question
    # (by time), their answers, the lessons they opened and completed
    first: dict[tuple[str, str], tuple[str, bool, str | None]] = {}
    answers: dict[tuple[str, str], int] = defaultdict(int)
    lessons: dict[tuple[str, str], bool] = {}
    base = records.course_iri(course)
    for st in statements:
        learner = records.pseudonym(KEY, st["actor"])
        kind, object_id = records.place(base, st["object"]["id"]) or ("", "")
        verb = records.verb_name(st["verb"]["id"])
        when = records.timestamp(st["timestamp"]).isoformat()
        if kind == "question" and verb == "answered" and isinstance(st["result"].get("success"), bool):
            key = (learner, object_id)
            answers[key] += 1
            seen = first.get(key)
            if seen is None or when < seen[0]:
                first[key] = (when, st["result"]["success"], st["result"].get("response"))
        if kind == "lesson":
            lessons[(learner, object_id)] = lessons.get((learner, object_id), False) or verb == "completed"
    with app.app_context():
        session = session_for(app)
        a, lsn = AnswerSummary, LessonSummary
        chosen = select(a.learner, a.question, a.success, a.response, a.answers)
        rows = session.execute(chosen.where(a.level == 0, a.course_id == course.id))
        assert {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows} == {
            key: (success, response, answers[key]) for key, (_when, success, response) in first.items()
        }
        rows = session.execute(select(lsn.learner, lsn.lesson, lsn.completed).where(lsn.level == 0))
        assert {(r[0], r[1]): r[2] for r in rows} == lessons
        scopes = set(session.execute(select(RecordScope.course_version, RecordScope.lang)))
        carried = set(session.execute(select(LearningRecord.course_version, LearningRecord.lang).distinct()))
        session.close()
    assert scopes == carried and len(scopes) >= 3  # versions 1.0.0, 2.0.0 and the pull's "" in two languages

    # the reports, read from the tallies on this database, say the same of the whole course
    with app.app_context():
        session = session_for(app)
        conn = session.connection()
        scope = reports.Scope(course.id, min_group=1)
        items = {i.question: i for i in reports.item_analysis(conn, scope)}
        steps = {s.lesson: s for s in reports.funnel(conn, scope)}
        session.close()
    by_question: dict[str, list[bool]] = defaultdict(list)
    for (_learner, question), (_when, success, _response) in first.items():
        by_question[question].append(success)
    assert {q: (i.learners, i.facility) for q, i in items.items()} == {
        q: (len(right), pytest.approx(sum(right) / len(right))) for q, right in by_question.items()
    }
    opened: dict[str, int] = defaultdict(int)
    for _learner, lesson in lessons:
        opened[lesson] += 1
    assert {lesson: s.opened for lesson, s in steps.items()} == opened


def test_two_writers_at_once_keep_the_summaries_and_tallies_exact(app, course):
    """Two processes' worth of requests storing records of the same learners at the same time (each its own
    connection and transactions): the tallies kept by difference equal those counted afresh afterwards."""
    import threading

    _model, statements = mixed_statements(seed=5)
    halves = (statements[0::2], statements[1::2])  # every learner's records split between the two writers
    target = records.Target(course.id, records.course_iri(course), "studio-lrs", version="1.0.0")
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def write(some: list[dict[str, Any]]) -> None:
        try:
            with app.app_context():
                session = session_for(app)
                start.wait()
                for i in range(0, len(some), 40):
                    records.store(session, target, some[i : i + 40], KEY)
                    session.commit()
                session.close()
        except BaseException as e:  # the test thread reports it
            failures.append(e)

    writers = [threading.Thread(target=write, args=(half,)) for half in halves]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
    assert not failures, failures
    kept = snapshot(app)
    with app.app_context():
        session = session_for(app)
        summary.rebuild(session.connection(), course.id)
        session.commit()
        session.close()
    assert snapshot(app) == kept and kept["answer_tally"] and kept["competency_tally"]


def test_the_same_statement_twice_is_counted_once(app, course):
    _model, statements = mixed_statements(seed=8)
    half = len(statements) // 2
    target = records.Target(course.id, records.course_iri(course), "studio-lrs", version="1.0.0")
    with app.app_context():
        session = session_for(app)
        records.store(session, target, statements[:half], KEY)
        session.commit()
        before = snapshot(app)
        tally = records.store(session, target, statements[:half], KEY)  # all of them again
        session.commit()
        assert (tally.added, tally.duplicates) == (0, half)
        assert snapshot(app) == before
        twice = statements[half:] + statements[half:]  # the rest, each twice in one go
        tally = records.store(session, target, twice, KEY)
        session.commit()
        assert (tally.added, tally.duplicates) == (len(statements) - half, len(statements) - half)
        total = sum(
            session.execute(
                select(AnswerSummary.answers).where(AnswerSummary.level == 0, AnswerSummary.course_id == course.id)
            ).scalars()
        )
        session.close()
    answered = [
        st
        for st in statements
        if "/question/" in st["object"]["id"]
        and st["verb"]["id"].endswith("/answered")
        and isinstance(st["result"].get("success"), bool)
    ]
    assert total == len(answered) > 0


def test_migrations_0012_and_0013_count_the_records_stored_before_them(app, course):
    from alembic import command
    from alembic.config import Config

    from studio.db import MIGRATIONS, upgrade

    _model, statements = mixed_statements(seed=4)
    ingest_every_way(app, course, statements)
    kept = snapshot(app)
    engine = app.extensions["studio.engine"]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011_lrs_agent_profiles")  # the summary tables gone, the records kept
    upgrade(engine)
    # 0012 and 0013 count everything again but the competency evidence, which needs the course's files: the
    # next records to arrive count it (records.summarise), as here
    now = snapshot(app)
    assert now["competency_tally"] == now["competency_map"] == set()
    assert {k: v for k, v in now.items() if not k.startswith("competency")} == {
        k: v for k, v in kept.items() if not k.startswith("competency")
    }
    with app.app_context():
        session = session_for(app)
        assert records.adopt_competencies(session, course.id)
        session.commit()
        session.close()
    assert snapshot(app) == kept
