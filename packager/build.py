"""The one build pipeline: a course folder -> packages in several formats and languages, with a report.

The source is loaded once; each language is applied once (its catalog read and parsed once for the
whole build), checked once and rendered once (its :class:`Rendering`, handed to every format). A
package that cannot be built is a failure in the report, not an exception: the others are still built.
Every outside program (ffprobe, ffmpeg, fc-list) goes through the *runner* passed in. The CLI, the
studio's jobs and submissions and the catalogue's gate all go through here.
"""

from __future__ import annotations

import glob
import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks import check_course
from .collector import fewer_collections
from .errors import CourseError, ExportError, Problem, StudioError, has_errors
from .export import FORMATS, languages
from .export.core import Rendering
from .i18n import catalog
from .i18n.apply import catalog_file
from .i18n.course import require_catalog
from .load import load_course
from .media import ProgressEvent, progress_to, size_report
from .media.progress import Listener
from .model import Course
from .render import prepare_pages
from .runner import LOCAL, Runner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Package:
    """A package the build wrote."""

    path: Path
    format: str
    lang: str
    bytes: int
    summary: str
    """Compressed size of each part: ``media 1.2 MB, player 40 KB, fonts 0 KB, text 95 KB``."""

    @property
    def beside(self) -> list[Path]:
        """The files its format wrote beside the package (iGOT's metadata and assessments), by name."""
        return sorted(p for p in self.path.parent.glob(glob.escape(self.path.stem) + "-*") if p.is_file())


@dataclass(frozen=True)
class Failure:
    """A (format, language) that could not be built, with a one-line reason and the course's errors."""

    format: str
    lang: str
    message: str
    problems: tuple[Problem, ...] = ()

    def line(self) -> str:
        return f"{self.format} ({self.lang}): {self.message}"


@dataclass
class BuildReport:
    packages: list[Package] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    """Each language's problems as its check found them (errors and warnings)."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def warnings(self, lang: str) -> list[Problem]:
        return [p for p in self.problems.get(lang, []) if p.severity == "warning"]

    def errors(self, lang: str) -> list[Problem]:
        return [p for p in self.problems.get(lang, []) if p.severity == "error"]


def checked(
    source: Course, langs: Sequence[str], runner: Runner = LOCAL
) -> Iterator[tuple[str, Course | None, list[Problem]]]:
    """(lang, the course in *lang*, its problems) for each of *langs*: each language applied and checked
    once, its probes run by *runner*. The course is None for a language the course does not have (its
    problems say why)."""
    available = languages(source, "all")
    for lang in langs:
        if lang not in available:
            yield lang, None, [Problem("course.yml", None, "error", f"the course has no '{lang}' version")]
            continue
        if lang == source.language:
            course = source
        else:
            try:
                require_catalog(source, lang)
            except (ExportError, catalog.CatalogError) as exc:
                yield lang, None, [Problem(catalog_file(lang), None, "error", str(exc))]
                continue
            course = load_course(source.root, lang=lang, runner=runner, use_cache=source.use_cache)
        # another language's catalog does not stop this build (kstudio check reports it)
        translations = [] if lang == source.language else [lang]
        yield lang, course, check_course(course, translations=translations, runner=runner)


def build(
    course_dir: str | os.PathLike[str] | Course,
    formats: Sequence[str],
    langs: str | Sequence[str] | None,
    out_dir: str | os.PathLike[str] | None,
    *,
    options: dict[str, Any] | None = None,
    progress: Listener | None = None,
    runner: Runner = LOCAL,
    use_cache: bool = True,
) -> BuildReport:
    """Build every format of *formats* in every language of *langs* into *out_dir*.

    *course_dir* is a course folder (or a course already loaded from one). *langs* is ``None`` (the
    course's own language), ``"all"``, one language, or a list; a listed language the course does not
    have fails its packages. *options* go to the format modules that take them (``answers``, ``au_per``;
    ``fonts=False`` leaves the webfonts out). *progress* gets a :class:`ProgressEvent` per package and
    the media pipeline's events. *runner* runs every outside program of the build: ffprobe and ffmpeg
    (loading, checks, renditions) and fc-list (webfonts, the handout's fonts). With no *formats* the
    build only loads and checks. *use_cache* False neither reads nor writes the lessons' cache (parsed
    and rendered lessons): everything is made afresh (``bench/build.py``'s cold build).

    Raises :class:`ExportError` for an unknown format or a single unknown language; a broken course
    or package is a failure in the report.
    """
    started = time.perf_counter()
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ExportError(f"unknown format '{unknown[0]}'; known formats: {', '.join(FORMATS)}")
    options = dict(options or {})
    fonts = options.pop("fonts", True)
    report = BuildReport()
    with fewer_collections(), catalog.read_once(), progress_to(progress) if progress else nullcontext():
        # the pages' templates are compiled while the lessons are parsed on the other cores
        meanwhile = prepare_pages if formats else None
        if isinstance(course_dir, Course):
            source = course_dir
        else:
            source = load_course(course_dir, runner=runner, use_cache=use_cache, meanwhile=meanwhile)
        chosen = languages(source, langs) if langs is None or isinstance(langs, str) else list(langs)
        out = Path(out_dir) if out_dir is not None else None
        steps, done = len(formats) * len(chosen), 0
        for lang, course, problems in checked(source, chosen, runner):
            report.problems[lang] = problems
            if course is None or has_errors(problems):
                # a language the course lacks is a message; a course with errors carries them
                message = problems[0].message if course is None else str(CourseError(problems))
                errors = () if course is None else tuple(p for p in problems if p.severity == "error")
                report.failures += [Failure(fmt, lang, message, errors) for fmt in formats]
                done += len(formats)
                continue
            if not fonts:
                course = replace(course, ship_fonts=False)
            rendering = Rendering(course, runner, keep=len(formats) > 1)  # one language's pages, for every format
            for fmt in formats:
                if progress:
                    progress(ProgressEvent(f"building {fmt} ({lang})", 0.0, done, steps))
                done += 1
                assert out is not None, "a build with formats needs an out_dir"
                out.mkdir(parents=True, exist_ok=True)  # not before: a course with errors leaves no folder
                try:
                    if not course.lessons and fmt != "igot":  # a programme of other courses only (igot/programme.py)
                        raise ExportError(f"'{course.id}' has no lessons of its own: build it with --format igot")
                    path = FORMATS[fmt](rendering, out, **_options_for(fmt, options))
                except (ExportError, ValueError) as exc:
                    report.failures.append(Failure(fmt, lang, str(exc).splitlines()[0]))
                    continue
                sizes = size_report(path)
                report.packages.append(Package(path, fmt, lang, path.stat().st_size, sizes.summary()))
            problems += [p for p in rendering.problems if p not in problems]  # the formats' own warnings
    report.seconds = time.perf_counter() - started
    log.debug("built %d packages, %d failed, in %.2f s", len(report.packages), len(report.failures), report.seconds)
    return report


def _options_for(fmt: str, options: dict[str, Any]) -> dict[str, Any]:
    """The options *fmt*'s module takes: ``answers`` is the handout's, ``au_per`` cmi5's."""
    taken = {"pdf": {"answers", "course_url"}, "cmi5": {"au_per"}}.get(fmt, set())
    return {key: value for key, value in options.items() if key in taken}


def export(
    course: Course,
    fmt: str,
    out_dir: str | os.PathLike[str],
    *,
    lang: str | None = None,
    fonts: bool = True,
    runner: Runner = LOCAL,
    **options: Any,
) -> Path:
    """Write *course* as one *fmt* package in language *lang* into *out_dir*; returns its path.

    A one-format, one-language :func:`build` that raises instead of reporting: :class:`ExportError` for
    an unknown format or language or a package that cannot be written, :class:`CourseError` when the
    course has errors. Another language than the course's own is built from ``translations/<lang>.po``;
    *runner* runs the outside programs, as in :func:`build`.
    """
    if lang == "all":
        raise ExportError("export() builds one language; call it once for each of languages(course, 'all')")
    for key in options:
        if key not in _options_for(fmt, options):
            raise ExportError(f"format '{fmt}' takes no option '{key}'")
    report = build(course, [fmt], lang, out_dir, options={**options, "fonts": fonts}, runner=runner)
    for failure in report.failures:
        if failure.problems:
            raise CourseError(report.problems[failure.lang])
        raise ExportError(failure.message)
    return report.packages[0].path


__all__ = ["BuildReport", "Failure", "Package", "StudioError", "build", "checked", "export"]
