"""Render time, peak memory and size of each sample handout: ``.venv/bin/python bench/pdf.py``.

Each handout renders in a fresh process, so peak memory (ru_maxrss) is that handout's alone.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSES = [
    ROOT / "sample_courses" / "karmayogi-prarambh",
    ROOT / "tests" / "fixtures" / "courses" / "shikayat-hi",
    ROOT / "tests" / "fixtures" / "courses" / "shikayat-ur",
]


def one(course: str, out: str) -> None:
    from packager.export import export
    from packager.load import load_course

    started = time.perf_counter()
    path = export(load_course(course), "pdf", out, answers=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{path.name:45} {seconds:7.2f} {peak:8.0f} {path.stat().st_size / 1024:8.0f}")


def main() -> None:
    if len(sys.argv) == 3:
        one(sys.argv[1], sys.argv[2])
        return
    print(f"{'handout':45} {'seconds':>7} {'peak MB':>8} {'size KB':>8}")
    with tempfile.TemporaryDirectory() as out:
        for course in COURSES:
            subprocess.run([sys.executable, __file__, str(course), out], check=True)


if __name__ == "__main__":
    main()
