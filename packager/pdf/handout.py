"""One handout: cover, contents, lessons, questions and an optional answer key, as one HTML document.

Lesson bodies are the sanitised HTML the parser already made (``Html`` and ``Callout`` blocks); only the
player-only parts (``<video>``, ``<audio>``) are swapped for print equivalents. Questions come from the
``Quiz`` model, not from the player's forms. WeasyPrint fetches images and styles only through
:class:`CourseFetcher`, which serves files inside the course folder and the theme and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html

from ..errors import ExportError
from ..files import atomic_path
from ..model import Callout, Course, Html, Item, Lesson
from ..render import template_env, theme_dir
from ..runner import LOCAL, Runner
from ..strings import Strings
from ..svg import sanitize_svg
from .fonts import font_stack, script_for
from .strings import handout_strings
from .text import text_layer

log = logging.getLogger(__name__)


def qr_svg(data: str) -> str:
    """A QR code of *data* as a ``data:`` URL of an SVG image, made locally."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _shuffled(items: list[Item], salt: str) -> list[Item]:
    """A fixed scrambled order (the model keeps the right order, which a printed question must hide)."""
    ranked = sorted(items, key=lambda item: hashlib.sha256(f"{salt}:{item.id}".encode()).digest())
    if len(ranked) > 1 and ranked == items:
        ranked = ranked[1:] + ranked[:1]
    return ranked


@dataclass
class Handout:
    """The handout of *course* in *lang*; ``answers`` adds an answer key appendix."""

    course: Course
    lang: str
    answers: bool = False
    course_url: str | None = None
    """Where the course is online; video QR codes point to its lessons. Default: ``activity_iri``."""
    theme: Path = field(default_factory=theme_dir)
    runner: Runner = LOCAL
    """Runs fc-list, to find each script's font."""

    @property
    def direction(self) -> str:
        return "rtl" if script_for(self.lang).rtl else "ltr"

    @cached_property
    def strings(self) -> Strings:
        return handout_strings(self.lang)

    @property
    def base_url(self) -> str | None:
        url = self.course_url or self.course.activity_iri
        return url if url and urlsplit(url).scheme in ("http", "https") else None

    def minutes(self, minutes: float) -> str:
        return self.strings.text("minutes", max(1, math.ceil(minutes)))

    # The document ------------------------------------------------------------------------------

    def html(self) -> str:
        course = self.course
        numbers = {lesson.id: n for n, lesson in enumerate(course.lessons, start=1)}
        bodies = {lesson.id: self.lesson_body(lesson, numbers) for lesson in course.lessons}
        return (
            template_env(self.theme)
            .get_template("handout.html")
            .render(
                course=course,
                lang=self.lang,
                dir=self.direction,
                fonts=font_stack(self.lang, self.runner),
                line_height=script_for(self.lang).line_height,
                s=self.strings,
                numbers=numbers,
                bodies=bodies,
                minutes=self.minutes,
                answers=self.answers,
                shuffled=_shuffled,
                letters="ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                thumbnail=course.thumbnail,
            )
        )

    def lesson_body(self, lesson: Lesson, numbers: dict[str, int]) -> dict[str, str]:
        """The lesson's ``Html`` and ``Callout`` blocks made printable, by block index."""
        return {
            str(i): self.printable(block.html, lesson, numbers)
            for i, block in enumerate(lesson.blocks)
            if isinstance(block, Html | Callout)
        }

    def printable(self, html: str, lesson: Lesson, numbers: dict[str, int]) -> str:
        """Video and audio become a box with a QR code or where to find them; images with a telling alt
        text get it as a caption; ids get a lesson prefix (footnote ``fn1`` is in many lessons) and links
        to lessons point into the handout."""
        number = numbers[lesson.id]
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        for element in root.iter():
            if element.get("id"):
                element.set("id", f"l{number}-{element.get('id')}")
            href = element.get("href") or ""
            if href.startswith("#/"):
                target = numbers.get(href[2:])
                element.set("href", f"#l-{target}" if target else "#")
            elif href.startswith("#"):
                element.set("href", f"#l{number}-{href[1:]}")
        for figure in list(root.iter("figure")):
            classes = figure.get("class", "").split()
            caption = figure.find("figcaption")
            title = caption.text_content() if caption is not None else ""
            if "ks-video" in classes or "ks-audio" in classes:
                kind = "video" if "ks-video" in classes else "audio"
                replacement = lxml.html.fragment_fromstring(self.media_box(kind, title, lesson, number))
                figure.getparent().replace(figure, replacement)  # type: ignore[union-attr]
            elif "ks-figure" in classes and caption is None:
                img = figure.find("img")
                alt = img.get("alt", "") if img is not None else ""
                if len(alt.split()) >= 3:  # a caption that says something, not "Logo"
                    new = lxml.html.Element("figcaption")
                    new.text = alt
                    figure.append(new)
        return _inner_html(root)

    def media_box(self, kind: str, title: str, lesson: Lesson, number: int) -> str:
        from markupsafe import escape

        s = self.strings
        label = escape(s[kind])
        if kind == "video" and self.base_url:
            link = f"{self.base_url.rstrip('/')}#/{lesson.id}"
            return (
                f'<div class="ks-print-media ks-print-video"><img class="ks-qr" src="{qr_svg(link)}" '
                f'alt="{escape(s.text("qrCode", url=link))}"><p><strong>{label}: {escape(title)}</strong><br>'
                f"{escape(s['watchOnline'])}<br>"
                f'<a class="ks-plain" dir="ltr" href="{escape(link)}">{escape(link)}</a></p></div>'
            )
        where = s.text("watchInCourse" if kind == "video" else "listenInCourse", number)
        return (
            f'<div class="ks-print-media ks-print-{kind}"><p><strong>{label}: {escape(title)}</strong><br>'
            f"{escape(where)}</p></div>"
        )

    # Writing -----------------------------------------------------------------------------------

    def write(self, path: Path) -> Path:
        """Render the PDF to *path*, atomically: a failed render leaves nothing behind."""
        import weasyprint

        fetcher = CourseFetcher(self.course.root, self.theme)
        html = weasyprint.HTML(
            string=self.html(), base_url=self.course.root.resolve().as_uri() + "/", url_fetcher=fetcher
        )
        css = weasyprint.CSS(filename=str(self.theme / "static" / "print.css"), url_fetcher=fetcher)
        with atomic_path(path) as tmp, _missing_glyphs() as missing, text_layer():
            html.write_pdf(tmp, stylesheets=[css], pdf_variant="pdf/ua-1")
            if missing:
                raise ExportError(
                    f"missing font: no installed font has {', '.join(sorted(missing)[:5])} for language "
                    f"'{self.lang}'; install fonts-noto-core (apt-get install fonts-noto-core)"
                )
        return path


def _inner_html(root: Any) -> str:
    from markupsafe import escape

    head = str(escape(root.text)) if root.text else ""
    return head + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


@contextmanager
def _missing_glyphs() -> Iterator[set[str]]:
    """Collect the characters WeasyPrint drew as empty boxes (it only logs them)."""
    found: set[str] = set()

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.msg.startswith(".notdef glyph") and record.args:
                found.add(f"U+{record.args[1]:04X}")  # type: ignore[index]

    handler = Catch(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


class CourseFetcher:
    """WeasyPrint's URL fetcher for untrusted lesson HTML: files in the course folder or theme only.

    Anything else (web addresses, ``file:`` paths outside those folders, symlinks out of them) is
    refused; WeasyPrint then logs it and leaves the image out. SVGs are sanitised as in the player.
    """

    def __init__(self, *roots: Path):
        self.roots = [root.resolve() for root in roots]

    def __call__(self, url: str, headers: Any = None) -> Any:
        return self.fetch(url, headers)

    def fetch(self, url: str, headers: Any = None) -> Any:
        from weasyprint.urls import URLFetcherResponse

        parts = urlsplit(url)
        if parts.scheme == "data":
            from weasyprint.urls import URLFetcher

            return URLFetcher(allowed_protocols={"data"}).fetch(url)
        if parts.scheme != "file":
            raise ValueError(f"handouts do not fetch from the network: {url[:80]}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"handouts only use files inside the course folder: {path}")
        data = path.read_bytes()
        if path.suffix.lower() == ".svg":
            data = sanitize_svg(data)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})


def write_handout(
    course: Course,
    path: Path,
    *,
    lang: str,
    answers: bool = False,
    course_url: str | None = None,
    runner: Runner = LOCAL,
) -> Path:
    """Write the handout of *course* in *lang* to *path*; *runner* runs the programs it needs (fc-list)."""
    return Handout(course, lang, answers=answers, course_url=course_url, runner=runner).write(path)
