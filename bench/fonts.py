"""Webfont benchmark: what the subset Noto fonts add to a package, per language, and what cutting them costs.

    .venv/bin/python bench/fonts.py

Builds the sample course (``html``) in each of its languages with and without fonts, in a fresh process
each, with an empty font cache (cold) and again with it (warm), and prints the fonts' bytes in the
package, the build times and the peak memory (max RSS).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_courses" / "karmayogi-prarambh"

CHILD = """
import json, sys, time, resource
from packager import export, load_course
lang, out, fonts = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
course = load_course(sys.argv[4])
started = time.perf_counter()
path = export(course, "html", out, lang=lang, fonts=fonts)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"path": str(path), "seconds": elapsed, "rss_mb": peak}))
"""


def build(lang: str, out: Path, fonts: bool, env: dict[str, str]) -> dict:
    cmd = [sys.executable, "-c", CHILD, lang, str(out), "1" if fonts else "0", str(SAMPLE)]
    result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout)
    with zipfile.ZipFile(result["path"]) as z:
        result["fonts"] = {i.filename: i.file_size for i in z.infolist() if i.filename.startswith("assets/fonts")}
    result["size"] = Path(result["path"]).stat().st_size
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}  # a cold font and media cache
        head = f"{'lang':5} {'fonts added':>12} {'package':>10} {'cold s':>7} {'warm s':>7} {'no-fonts s':>10}"
        print(f"{head} {'peak MB':>8}")
        for lang in ("en", "hi", "ur"):
            cold = build(lang, Path(tmp) / "cold", True, env)
            warm = build(lang, Path(tmp) / "warm", True, env)
            bare = build(lang, Path(tmp) / "bare", False, env)
            added = sum(cold["fonts"].values())
            print(
                f"{lang:5} {added:>10,} B {cold['size'] / 1024:>7.0f} KB {cold['seconds']:>7.2f} "
                f"{warm['seconds']:>7.2f} {bare['seconds']:>10.2f} {max(cold['rss_mb'], warm['rss_mb']):>8.0f}"
            )
            for name, size in sorted(cold["fonts"].items()):
                print(f"      {name}: {size:,} B")


if __name__ == "__main__":
    main()
