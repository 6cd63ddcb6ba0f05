"""Render time, peak memory and size of the sample course's handouts in English, Hindi and Urdu (the last two
from its translation catalogs): ``.venv/bin/python bench/pdf.py``.

Each handout renders in a fresh process, so peak memory (ru_maxrss) is that handout's alone; the time
includes loading the course (and, for a translation, applying its catalog).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_courses" / "karmayogi-prarambh"
LANGS = ["en", "hi", "ur"]


def one(lang: str, out: str) -> None:
    from packager import export
    from packager.load import load_course

    started = time.perf_counter()
    path = export(load_course(SAMPLE), "pdf", out, lang=lang, answers=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    print(f"{path.name:40} {count:>5} {seconds:7.2f} {peak:8.0f} {path.stat().st_size / 1024:8.0f}")


def main() -> None:
    if len(sys.argv) == 3:
        one(sys.argv[1], sys.argv[2])
        return
    print(f"{'handout':40} {'pages':>5} {'seconds':>7} {'peak MB':>8} {'size KB':>8}")
    with tempfile.TemporaryDirectory() as out:
        for lang in LANGS:
            subprocess.run([sys.executable, __file__, lang, out], check=True)


if __name__ == "__main__":
    main()
