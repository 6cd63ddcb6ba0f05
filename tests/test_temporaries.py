"""Temporaries a killed writer leaves (a package being zipped, a rendition being encoded) are swept;
nothing else is: not a live writer's, not a file without the owner tag."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from packager import temporaries

HALF_WRITTEN_ZIP = """
import sys, time
from pathlib import Path
from packager.export.core import ZipPackage
from packager.render import PackageFile
package = ZipPackage(Path(sys.argv[1]) / "course-1.0-en-scorm2004.zip")
package.add(PackageFile("index.html", data=b"<p>half a package</p>"))
print(package.tmp, flush=True)
time.sleep(600)
"""


def test_a_package_killed_while_zipping_leaves_a_temporary_that_the_sweep_removes(tmp_path):
    argv = [sys.executable, "-c", HALF_WRITTEN_ZIP, str(tmp_path)]
    writer = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    left = Path(writer.stdout.readline().strip())
    assert left.is_file() and f"~{writer.pid}-" in left.name  # its writer's pid, for the sweep
    assert temporaries.sweep(tmp_path, max_age=3600) == []  # the writer is alive: its file stays
    writer.send_signal(signal.SIGKILL)
    writer.wait(30)
    mine = tmp_path / f".x.zip.{temporaries.owner_tag()}.abc.tmp"  # this process's own: being written
    untagged = tmp_path / ".notes.tmp"
    mine.write_bytes(b"x")
    untagged.write_bytes(b"x")
    assert temporaries.sweep(tmp_path, max_age=3600) == [left]
    assert mine.exists() and untagged.exists() and not list(tmp_path.glob("*.zip"))


def test_another_machines_temporaries_go_only_once_old(tmp_path):
    other = tmp_path / "renditions" / ".tmp~1-00000000~.abc.mp4"  # pid 1 of another host: cannot be checked
    other.parent.mkdir()
    other.write_bytes(b"x")
    assert temporaries.sweep(tmp_path, max_age=60) == []
    old = time.time() - 120
    os.utime(other, (old, old))
    assert temporaries.sweep(tmp_path, max_age=60) == [other]
