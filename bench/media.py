"""Media benchmark: the sample course built cold (empty cache) and warm, and its package before/after.

    .venv/bin/python scripts/make_sample_media.py   # if the sample media are missing
    .venv/bin/python bench/media.py

Each build runs in a fresh interpreter with its own cache folder; peak memory is the max RSS of the
build process and, separately, of the ffmpeg processes it ran. "Before" is the package with media
shipped as they are (``Player(process_media=False)``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_courses" / "karmayogi-prarambh"


def run_phase(phase: str, course: Path, out: Path) -> None:
    from packager import export, load_course
    from packager.export.core import ZipPackage
    from packager.render import Player

    started = time.perf_counter()
    loaded = load_course(course)
    if phase == "before":
        path = out / "before.zip"
        with ZipPackage(path) as package:
            for file in Player(loaded, process_media=False).files():
                package.add(file)
        made = 0
    else:
        path = export(loaded, "html", out)
        made = sum(1 for _ in (Path(os.environ["XDG_CACHE_HOME"]) / "karmayogi-studio/media/out").rglob("*.*"))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak, "ffmpeg_mb": children, "size": path.stat().st_size, "cached": made}
        )
    )


def measure(phase: str, course: Path, out: Path, cache: Path) -> dict[str, float]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(course), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, Path(args.paths[0]), Path(args.paths[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for name in ("before", "cold", "warm"):
            (t / name).mkdir()
        before = measure("before", SAMPLE, t / "before", t / "cache-before")
        cold = measure("cold", SAMPLE, t / "cold", t / "cache")
        warm = measure("warm", SAMPLE, t / "warm", t / "cache")
    kb = 1024
    print(f"sample course: {SAMPLE.relative_to(ROOT)}")
    print(f"{'':28}{'seconds':>9}{'peak MB':>9}{'ffmpeg MB':>11}")
    for label, r in (("cold build (empty cache)", cold), ("warm rebuild", warm)):
        print(f"{label:28}{r['seconds']:9.3f}{r['peak_mb']:9.0f}{r['ffmpeg_mb']:11.0f}")
    print(f"{'warm / cold':28}{warm['seconds'] / cold['seconds']:9.1%}   (goal < 5%)")
    print(f"files in the media cache: {cold['cached']:.0f} after cold, {warm['cached']:.0f} after warm (no new ones)")
    print(f"package before the pipeline: {before['size'] / kb:.0f} KB; after: {cold['size'] / kb:.0f} KB")


if __name__ == "__main__":
    main()
