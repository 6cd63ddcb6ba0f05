"""Translation memory lookups with a large memory: 50,000 stored segments by default.

    .venv/bin/python bench/tm_lookup.py [--segments N] [--lookups N]

Fills the studio's ``tm_unit`` table (SQLite, as a fresh studio has) with synthetic sentences, builds the
organisation's index the way the workspace does (``studio.translation.translate_store.memory_for``),
then times fuzzy lookups of edited stored sentences and of unseen ones, each including the query that
brings the index up to date. Prints build time, median and p95 lookup time and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def vocabulary() -> list[str]:
    """The words of the sample courses' lessons, with their real frequencies (common words stay common)."""
    words = []
    for lesson in sorted((ROOT / "sample_courses").glob("*/lessons/**/*.md")):
        words += re.findall(r"[A-Za-z][a-z']+", lesson.read_text("utf-8"))
    return words


def sentences(rng: random.Random, count: int) -> list[str]:
    words = vocabulary()
    return [" ".join(rng.choice(words) for _ in range(rng.randint(5, 22))).capitalize() + "." for _ in range(count)]


def edited(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(words)
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args()

    from sqlalchemy import insert

    from studio import create_app
    from studio.accounts import accounts
    from studio.authoring import library
    from studio.db import session_for
    from studio.models import TmUnit
    from studio.translation import translate_store

    rng = random.Random(9)
    data = Path(tempfile.mkdtemp(prefix="kstudio-tm-bench-"))
    try:
        app = create_app({"DATA_DIR": str(data), "SECRET_KEY": "bench"})
        with app.test_request_context():
            session = session_for(app)
            org = accounts.create_org(session, "bench", "Bench")
            session.commit()
            course = library.create(session, org, "Bench course", None, slug="bench")
            texts = sentences(rng, args.segments)
            session.execute(
                insert(TmUnit),
                [
                    {
                        "organisation_id": org.id,
                        "course_id": course.id,
                        "lang": "hi",
                        "segment_id": f"l{n // 40}|paragraph|{n:08x}",
                        "source": text,
                        "translation": f"अनुवाद {n}",
                        "state": "translated",
                    }
                    for n, text in enumerate(texts)
                ],
            )
            session.commit()
            start = time.perf_counter()
            tm = translate_store.memory_for(session, org.id, "hi")
            build = time.perf_counter() - start
            queries = [edited(rng, rng.choice(texts)) for _ in range(args.lookups)]
            queries += sentences(rng, args.lookups // 3)  # unseen text: the worst case, little to prune
            times, found = [], 0
            for query in queries:
                start = time.perf_counter()
                matches = translate_store.memory_for(session, org.id, "hi").lookup(query)
                times.append(time.perf_counter() - start)
                found += bool(matches)
            session.close()
        times.sort()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"segments in memory: {len(tm)}")
        print(f"index build from the database: {build:.2f} s")
        print(
            f"fuzzy lookup ({len(queries)} queries, {found} with a match): "
            f"median {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, "
            f"max {times[-1] * 1000:.1f} ms"
        )
        print(f"peak memory: {peak:.0f} MB")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
