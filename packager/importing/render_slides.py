"""Pictures of chosen slides of a deck, drawn by LibreOffice: one ``soffice`` run per deck, never per slide.

    pictures = render(Path("deck.pptx"), [3, 7], visible=[1, 2, 3, 5, 7], runner=LOCAL)

LibreOffice (headless, with a private user profile in a temporary folder) makes a PDF of the wanted
slides; ``pdftoppm`` (poppler, ten pages a run) and Pillow make its pages PNGs. The deck is read only
after :func:`packager.archive.vet` passed it, and a copy under a fixed name is converted (a file named
``-x`` is no option). ``soffice`` starts ``soffice.bin`` as its own child, which outlives a killed
``soffice``: it runs under coreutils' ``timeout``, which kills its whole process group when time is up.
Failures raise :class:`NotRendered` with a reason a person can act on; the caller keeps the slide's text.
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..runner import Runner

log = logging.getLogger(__name__)

SECONDS = 120.0
"""The longest one deck's conversion may take; a deck that makes LibreOffice hang is stopped there."""
WIDTH = 1280
"""The picture's longest side, in pixels (the slide's aspect is kept)."""
_BATCH = 10  # pages a pdftoppm run draws: 10 PPMs of 1280 x 960 are 37 MB of temporary files
_PAGES = re.compile(rb"^Pages:\s+(\d+)", re.M)


class NotRendered(Exception):
    """The slides could not be drawn; the message says why (LibreOffice missing, too slow, failed)."""


def render(
    deck: Path, wanted: Sequence[int], *, visible: Sequence[int], runner: Runner, seconds: float = SECONDS
) -> dict[int, bytes]:
    """PNG bytes of each slide numbered in *wanted* (1-based, as in the deck). *visible* lists the slides
    LibreOffice can export (it leaves hidden slides out); a wanted hidden slide is not drawn."""
    numbers = sorted(set(wanted) & set(visible))
    if not numbers:
        return {}
    with tempfile.TemporaryDirectory(prefix="kstudio-slides-") as tmp:
        folder = Path(tmp)
        source = folder / "deck.pptx"
        shutil.copyfile(deck, source)
        pdf = _pdf(source, numbers, folder, runner, seconds)  # only those slides: the export is most of the time
        count = _page_count(pdf, runner)
        if count != len(numbers):
            raise NotRendered(f"LibreOffice made {count} pages of the {len(numbers)} slides asked for")
        return dict(zip(numbers, _pngs(pdf, count, folder, runner), strict=True))


def _run(runner: Runner, argv: list[str], seconds: float, what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        # the runner's own limit is a backstop: timeout(1) ends the group first
        return runner.run(argv, timeout=seconds + 15)
    except FileNotFoundError:
        raise NotRendered(f"{what} is not installed") from None
    except subprocess.TimeoutExpired:
        raise NotRendered(f"{what} did not finish within {seconds:g} s") from None


# The private profile's settings: a hostile deck's macros never run and its links to pictures on other
# machines are not fetched (the deck is in no trusted location)
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def _pdf(source: Path, numbers: list[int], folder: Path, runner: Runner, seconds: float) -> Path:
    # a private profile: no lock, no settings shared with a person's LibreOffice
    (folder / "profile" / "user").mkdir(parents=True)
    (folder / "profile" / "user" / "registrymodifications.xcu").write_text(_SETTINGS, "utf-8")
    profile = (folder / "profile").as_uri()
    # the PDF filter's page range counts every slide, hidden or not, as the deck numbers them
    pages = json.dumps({"PageRange": {"type": "string", "value": ",".join(map(str, numbers))}})
    argv = ["timeout", "-s", "KILL", f"{seconds:g}", "soffice", "--headless", "--norestore", "--nolockcheck"]
    argv += [f"-env:UserInstallation={profile}", "--convert-to", f"pdf:impress_pdf_Export:{pages}"]
    done = _run(runner, [*argv, "--outdir", str(folder), str(source)], seconds, "LibreOffice")
    pdf = folder / "deck.pdf"
    if done.returncode in (-9, 124, 137):
        raise NotRendered(f"LibreOffice did not finish within {seconds:g} s")
    if done.returncode == 127:
        raise NotRendered("LibreOffice is not installed")
    if done.returncode != 0 or not pdf.is_file():
        log.debug("soffice said: %s", done.stderr.decode("utf-8", "replace")[-2000:])
        raise NotRendered(f"LibreOffice could not convert the deck (exit status {done.returncode})")
    return pdf


def _page_count(pdf: Path, runner: Runner) -> int:
    done = _run(runner, ["pdfinfo", str(pdf)], 30, "pdfinfo (poppler-utils)")
    found = _PAGES.search(done.stdout)
    return int(found.group(1)) if done.returncode == 0 and found else 0


def _pngs(pdf: Path, count: int, folder: Path, runner: Runner) -> list[bytes]:
    """Every page of *pdf* as a PNG, in order. pdftoppm draws ten pages a run as PPM (its own PNG encoder
    took two thirds of the time) and Pillow writes each PNG; a run's PPMs are deleted before the next."""
    from PIL import Image

    pictures = []
    for first in range(1, count + 1, _BATCH):
        last = min(count, first + _BATCH - 1)
        argv = ["pdftoppm", "-f", str(first), "-l", str(last), "-scale-to", str(WIDTH), str(pdf), str(folder / "page")]
        done = _run(runner, argv, 30 + 3 * _BATCH, "pdftoppm (poppler-utils)")
        pages = sorted(folder.glob("page-*.ppm"), key=lambda p: int(p.stem.rpartition("-")[2]))
        if done.returncode != 0 or len(pages) != last - first + 1:
            raise NotRendered(f"pdftoppm could not draw the slides (exit status {done.returncode})")
        for page in pages:
            out = io.BytesIO()
            with Image.open(page) as image:
                image.save(out, "PNG")
            page.unlink()
            pictures.append(out.getvalue())
    return pictures
