"""Learning analytics at scale: the ingest rate and each report's time, on SQLite and PostgreSQL.

    .venv/bin/python bench/analytics.py [--sizes 100000,1000000] [--db sqlite,postgresql] [--ingest 20000] [--runs 3]

For each database, a fresh studio (all migrations) with the sample course. The ingest rate is measured on
``--ingest`` statements from the learner simulation (studio/analytics/generator.py) stored the way the
studio's LRS stores them (``records.store``: normalise, pseudonymise, skip known ids, insert). The table is
then filled to each size with copies of those rows under new learners (INSERT … SELECT in the database:
filling is not what is measured), the summary rows the reports read rebuilt for the whole course with one
INSERT … SELECT a table, and the tallies counted from them (migrations 0012 and 0013's backfill; its time
is printed), the tables ANALYZEd, and every
report timed for the whole course (best of 3 runs, after one warm-up).
PostgreSQL is a throwaway server as the tests start it (tests/studio/servers.py).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = b"bench key"
COPY_ROWS = 400_000  # statements a transaction when filling


@contextlib.contextmanager
def database(kind: str) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    from tests.studio.servers import postgres_server

    with postgres_server() as url:
        yield url


def studio(data: Path, url: str | None) -> tuple[Any, Any]:
    """A studio with the sample course adopted by an organisation: (app, its CourseRecord)."""
    from sqlalchemy import select

    from studio import create_app
    from studio.accounts import accounts
    from studio.authoring import library
    from studio.db import session_for
    from studio.models import Organisation
    from tests.conftest import SAMPLE

    config: dict[str, Any] = {"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "bench"}
    if url:
        config["DATABASE_URL"] = url
    app = create_app(config)
    session = session_for(app)
    accounts.create_org(session, "inst", "Training Institute")
    session.commit()
    with app.app_context():
        inst = session.scalars(select(Organisation).where(Organisation.slug == "inst")).one()
        course = library.adopt(session, inst, SAMPLE)
        session.commit()
    session.close()
    return app, course


def ingest(app: Any, course: Any, count: int) -> tuple[float, list[int]]:
    """Store *count* simulated statements the LRS's way (records and their summary rows); (statements a second,
    the ids of the records stored)."""
    from sqlalchemy import select

    from packager import load_course
    from studio.analytics import records
    from studio.analytics.generator import Cohort
    from studio.db import session_for
    from studio.models import LearningRecord
    from tests.conftest import SAMPLE

    cohort = Cohort(load_course(SAMPLE), max(1, count // 25), seed=5, org_units=("Revenue", "Health", "Education"))
    statements = []
    for st in cohort.statements():
        statements.append(st)
        if len(statements) >= count:
            break
    with app.app_context():
        session = session_for(app)
        target = records.Target(course.id, records.course_iri(course), "studio-lrs", version="1.0.0")
        start = time.perf_counter()
        for i in range(0, len(statements), records.BATCH):
            records.store(session, target, statements[i : i + records.BATCH], KEY)
            session.commit()
        rate = len(statements) / (time.perf_counter() - start)
        ids = list(session.scalars(select(LearningRecord.id).order_by(LearningRecord.id)))
        session.close()
    return rate, ids


def fill(app: Any, course: Any, template: list[int], have: int, size: int) -> None:
    """Copies of the stored records (*template*: their ids) under new learners and statement ids, statement
    JSON and all, until the table holds *size*; then the summary rows recomputed for the whole course (the
    INSERT … SELECT of migration 0012's backfill, timed) and the tables ANALYZEd.

    The copies are made in the database (INSERT … SELECT over the template times a run of copy numbers), a
    few hundred thousand rows a transaction: filling is not what is measured, and 10 million rows sent
    from here would take longer than the measuring."""
    from sqlalchemy import Integer, Text, cast, func, literal, select, union_all
    from sqlalchemy import insert as insert_

    from studio.analytics import summary, tallies
    from studio.models import LearningRecord

    engine = app.extensions["studio.engine"]
    table = LearningRecord.__table__
    r = table.c
    columns = [c.name for c in table.columns if c.name != "id"]
    per = max(1, COPY_ROWS // len(template))  # copies a transaction
    done = (have - len(template)) // len(template)  # copies made before
    start = time.perf_counter()
    while have < size:
        copies = min(per, -(-(size - have) // len(template)))
        first = done + 1
        numbers = union_all(*(select(literal(k, Integer).label("k")) for k in range(first, first + copies)))
        runs = numbers.subquery("copies")
        k = runs.c.k
        left = size - have - (copies - 1) * len(template)  # rows of the last copy
        last_id = template[min(left, len(template)) - 1]
        if engine.dialect.name == "postgresql":
            tail = func.lpad(cast(k, Text), 12, "0")
        else:
            tail = func.printf("%012d", k)
        values = {name: r[name] for name in columns}
        values["statement_id"] = func.substr(r.statement_id, 1, 24).op("||")(tail)
        values["learner"] = func.substr(r.learner, 1, 52).op("||")("-").op("||")(cast(k, Text))
        rows = (
            select(*(values[name].label(name) for name in columns))
            .select_from(table)
            .join(runs, literal(True))
            .where(r.id <= template[-1], (k < first + copies - 1) | (r.id <= last_id))
        )
        with engine.begin() as conn:
            conn.execute(insert_(table).from_select(columns, rows))
        have += (copies - 1) * len(template) + min(left, len(template))
        done += copies
    filled = time.perf_counter() - start
    start = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")  # the backfill's sorts in memory: it runs once
        summary.rebuild(conn, course.id)
    rebuilt = time.perf_counter() - start
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (table, summary.ANSWERS, summary.LESSONS, *tallies.TALLIES)
        }
    tallied = sum(counts[t.name] for t in tallies.TALLIES)
    print(
        f"  filled to {size:,} in {filled:,.0f} s; summaries and tallies of the whole course rebuilt in "
        f"{rebuilt:,.1f} s ({counts['answer_summary']:,} answer rows, {counts['lesson_summary']:,} lesson rows, "
        f"{tallied:,} tally rows, all levels)",
        flush=True,
    )


def timed(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(wall, CPU of this process) seconds of the best of *runs* runs after a warm-up. SQLite runs in this
    process, so its CPU time is the work without the waits of a busy machine; PostgreSQL's is the server's."""
    run()
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu))
    return best


def reports_times(app: Any, course: Any, runs: int) -> dict[str, tuple[float, float]]:
    from studio.analytics import reports
    from studio.analytics.outline import outline
    from studio.authoring import library

    with app.app_context():
        tests = outline(library.load(course)).tests
    scope = reports.Scope(course.id)
    engine = app.extensions["studio.engine"]
    out = {}
    with engine.connect() as conn:
        reflection = next(iter(r.reflection for r in reports.reflections(conn, scope)), "")
        jobs: dict[str, Callable[[], Any]] = {
            "item analysis": lambda: reports.item_analysis(conn, scope),
            "lesson funnel": lambda: reports.funnel(conn, scope),
            "competency evidence": lambda: reports.competency_evidence(conn, scope, tests),
            "reflections": lambda: reports.reflections(conn, scope),
            "reflection texts": lambda: reports.reflection_texts(conn, scope, reflection),
            "filters": lambda: reports.filters(conn, course.id),
        }
        for name, run in jobs.items():
            out[name] = timed(run, runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000", help="statements in the table, comma-separated")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--ingest", type=int, default=20_000, help="statements stored through records.store")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each report (the best is shown)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    for kind in args.db.split(","):
        with database(kind) as url, tempfile.TemporaryDirectory() as tmp:
            app, course = studio(Path(tmp) / "data", url)
            rate, template = ingest(app, course, min(args.ingest, sizes[0]))
            print(f"{kind}: ingest {rate:,.0f} statements/s ({len(template):,} statements through records.store)")
            have = len(template)
            for size in sizes:
                fill(app, course, template, have, size)
                have = size
                times = reports_times(app, course, args.runs)
                cpu = kind == "sqlite"
                line = ", ".join(
                    f"{name} {wall * 1000:,.0f} ms" + (f" (CPU {used * 1000:,.0f} ms)" if cpu else "")
                    for name, (wall, used) in times.items()
                )
                print(f"{kind} {size:>10,} statements: {line}", flush=True)
            app.extensions["studio.engine"].dispose()


if __name__ == "__main__":
    main()
