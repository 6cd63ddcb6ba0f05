"""Learning analytics at scale: the ingest rate and each report's time, on SQLite and PostgreSQL.

    .venv/bin/python bench/analytics.py [--sizes 100000,1000000] [--db sqlite,postgresql] [--ingest 20000] [--runs 3]

For each database, a fresh studio (all migrations) with the sample course. The ingest rate is measured on
``--ingest`` statements from the learner simulation (studio/analytics/generator.py) stored the way the
studio's LRS stores them (``records.store``: normalise, pseudonymise, skip known ids, insert). The table is
then filled to each size with copies of those rows under new learners (bulk INSERT: filling is not what is
measured), ANALYZEd, and every report is timed for the whole course (best of 3 runs, after one warm-up).
PostgreSQL is a throwaway server as the tests start it (tests/studio/servers.py).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = b"bench key"
BATCH = 5000


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


def ingest(app: Any, course: Any, count: int) -> tuple[float, list[dict[str, Any]]]:
    """Store *count* simulated statements the LRS's way; (statements a second, the rows as stored)."""
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
        columns = [c for c in LearningRecord.__table__.columns if c.name != "id"]
        rows = [dict(row._mapping) for row in session.execute(select(*columns))]
        session.close()
    return rate, rows


def fill(app: Any, template: list[dict[str, Any]], have: int, size: int) -> None:
    """Copies of the stored rows under new learners (and new statement ids) until the table holds *size*."""
    from sqlalchemy import insert

    from studio.models import LearningRecord

    engine = app.extensions["studio.engine"]
    copy = 0
    while have < size:
        copy += 1
        batch = []
        for row in template[: size - have]:
            batch.append(
                {**row, "statement_id": str(uuid.uuid4()), "learner": f"{row['learner'][:56]}-{copy}", "statement": {}}
            )
        for i in range(0, len(batch), BATCH):
            with engine.begin() as conn:
                conn.execute(insert(LearningRecord), batch[i : i + BATCH])
        have += len(batch)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


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
            rate, rows = ingest(app, course, min(args.ingest, sizes[0]))
            print(f"{kind}: ingest {rate:,.0f} statements/s ({len(rows):,} statements through records.store)")
            have = len(rows)
            for size in sizes:
                fill(app, rows, have, size)
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
