"""Server time of the editor's live preview: a typical lesson's unsaved text rendered by the player.

    .venv/bin/python bench/studio_preview.py [--runs N]

Times the work behind POST /api/.../preview (load the course through the parse cache, parse the edited
lesson, render it with the player's templates) for each sample lesson, through the Flask test client so
routing, the policy check and JSON encoding are included. Prints the median and p95 per lesson and
peak memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    from studio import create_app
    from studio.seed import seed_demo

    data = Path(tempfile.mkdtemp(prefix="kstudio-bench-"))
    try:
        app = create_app({"DATA_DIR": str(data), "SECRET_KEY": "bench"})
        email, password = seed_demo(app)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        course = data / "courses" / "demo" / "karmayogi-prarambh"
        url = "/api/o/demo/c/karmayogi-prarambh/preview"
        print(f"{'lesson':58} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7}")
        all_times: list[float] = []
        all_cpu: list[float] = []
        for lesson in sorted(course.glob("lessons/*/*.md")):
            path = lesson.relative_to(course).as_posix()
            text = lesson.read_text("utf-8")
            client.post(url, json={"path": path, "text": text}, headers={"X-CSRFToken": token})  # warm up
            times, cpu = [], []
            for i in range(args.runs):
                edited = text + f"\n\nAn edit {i}.\n"  # a fresh text each time, as when typing
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.post(url, json={"path": path, "text": edited}, headers={"X-CSRFToken": token})
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)  # this process's own work, load aside
                assert response.status_code == 200, response.get_data(as_text=True)
            all_times += times
            all_cpu += cpu
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{path:58} {statistics.median(times):9.1f} {p95:7.1f} {statistics.median(cpu):7.1f}")
        p95 = statistics.quantiles(all_times, n=20)[-1]
        print(
            f"all lessons: median {statistics.median(all_times):.1f} ms, p95 {p95:.1f} ms, "
            f"median CPU {statistics.median(all_cpu):.1f} ms, {len(all_times)} previews"
        )
        print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
