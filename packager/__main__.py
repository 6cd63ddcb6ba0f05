"""The ``kstudio`` command line: a thin shell over the library. Only this module prints.

``main(argv)`` returns the exit code, so tests can call it. Other shells (the studio) add their own
sub-commands through :data:`EXTRA_COMMANDS` without this package importing them.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .build import build
from .checks import check_course
from .errors import ExportError, Problem, Severity, StudioError, has_errors
from .export import FORMATS, languages
from .files import write_atomic
from .i18n import course as i18n
from .i18n.catalog import read as read_catalog
from .i18n.catalog import read_once as read_catalogs_once
from .i18n.catalog import write as write_catalog
from .load import load_course
from .media import DEFAULT_BUDGET_MB, ProgressEvent, SizeReport
from .media.report import human
from .model import Course
from .runner import LOCAL
from .scaffold import new_course

Registrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]
EXTRA_COMMANDS: list[Registrar] = []


def _prefix(course: Path) -> str:
    return "" if str(course) in (".", "") else f"{course.as_posix().rstrip('/')}/"


def _print_problems(problems: Sequence[Problem], course: Path, *, quiet: bool = False) -> None:
    shown = [p for p in problems if not (quiet and p.severity == "warning")]
    for problem in shown:
        print(problem.format(_prefix(course)))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    if args.output and not args.quality:
        print("kstudio: error: -o is for --quality (where to write the self-certification draft)", file=sys.stderr)
        return 2
    with read_catalogs_once():  # the translation checks and the quality pre-check share each parsed catalog
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    course = load_course(args.course)
    problems = check_course(course)
    _print_problems(problems, args.course, quiet=args.quiet)
    failed = has_errors(problems)
    if args.quality and any(p.file == "course.yml" and p.severity == "error" for p in course.problems):
        print("kstudio: the quality pre-check needs a course.yml without errors: fix it first", file=sys.stderr)
    elif args.quality:
        failed = not _quality(course, args) or failed
    return 1 if failed else 0


def _quality(course: Course, args: argparse.Namespace) -> bool:
    """Print the quality pre-check's scores and items, write the self-certification draft; False on errors."""
    from .quality import certification, check_quality

    out = args.output or Path(QUALITY_DRAFT)
    if out.exists() and not args.force:  # the partner may have filled in the blanks of an earlier draft
        raise StudioError(f"{out} exists: pass --force to replace it, or -o another file")
    report = check_quality(course)
    print(f"quality pre-check of {report.course} ({', '.join(report.langs)}):")
    for line in report.lines(_prefix(args.course)):
        if not (args.quiet and ": warning: " in line):
            print(line)
    write_atomic(out.resolve(), certification(course, report))
    errors = sum(p.severity == "error" for p in report.problems)
    advice = len(report.problems) - errors
    print(f"wrote {out}: the self-certification draft; fill in its blanks and sign it")
    print(f"quality: {errors} error{'s' * (errors != 1)}, {advice} advice", file=sys.stderr)
    return report.ok


QUALITY_DRAFT = "quality-self-certification.md"


def cmd_new(args: argparse.Namespace) -> int:
    folder = new_course(args.folder, title=args.title)
    print(f"created {folder}: check it with 'kstudio check {folder}'")
    return 0


class ProgressBar:
    """One line on stderr, redrawn in place: ``[#####-----] 3/8 media/talk.mp4.low.mp4 42%``."""

    WIDTH = 24

    def __init__(self, stream: TextIO):
        self.stream, self.shown = stream, False

    def __call__(self, event: ProgressEvent) -> None:
        overall = (event.done + (event.fraction if event.fraction < 1 else 0)) / max(1, event.total)
        filled = round(overall * self.WIDTH)
        name = event.name if len(event.name) <= 40 else "…" + event.name[-39:]
        line = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {event.done}/{event.total} {name} {event.fraction:.0%}"
        self.stream.write(f"\r{line:<80}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _fallback_report(course: Course, langs: list[str], folder: Path, strict: bool) -> bool:
    """Print what each translated build shows in the source language; False when --strict forbids it."""
    ok = True
    for lang in langs:
        if lang == course.language:
            continue
        severity: Severity = "error" if strict else "warning"
        left = i18n.fallback_problems(course, lang, severity)
        if not left:
            continue
        print(
            f"{_prefix(folder)}translations/{lang}.po: {severity}: {len(left)} "
            f"{'segment is' if len(left) == 1 else 'segments are'} missing or fuzzy "
            f"and fall back to '{course.language}'{' (--strict)' if strict else ''}:",
            file=sys.stderr,
        )
        for problem in left[:FALLBACKS_SHOWN]:
            print(f"  {problem.format(_prefix(folder))}", file=sys.stderr)
        if len(left) > FALLBACKS_SHOWN:
            print(f"  … and {len(left) - FALLBACKS_SHOWN} more: see 'kstudio i18n status'", file=sys.stderr)
        ok = ok and not strict
    return ok


FALLBACKS_SHOWN = 20


def cmd_build(args: argparse.Namespace) -> int:
    with read_catalogs_once():  # the fallback report and the build share each parsed catalog
        return _build(args, time.perf_counter())


def _build(args: argparse.Namespace, started: float) -> int:
    course = load_course(args.course)
    langs = languages(course, args.lang)
    if not _fallback_report(course, langs, args.course, args.strict):
        return 1
    options: dict[str, Any] = {"answers": True} if args.answers else {}
    if args.au_per:
        if args.format != "cmi5":
            print("kstudio: error: --au-per is for --format cmi5", file=sys.stderr)
            return 2
        options["au_per"] = args.au_per
    if args.no_fonts:
        options["fonts"] = False
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        report = build(course, [args.format], langs, args.output, options=options, progress=bar, runner=LOCAL)
    finally:
        if bar:
            bar.close()
    for failure in report.failures:  # the first failed language, as a build that stops there would say
        if not failure.problems:
            raise ExportError(failure.message)
        _print_problems(report.problems[failure.lang], args.course)
        return 1
    for problem in report.warnings(course.language) or report.warnings(langs[0]):
        print(problem.format(_prefix(args.course)), file=sys.stderr)
    for package in report.packages:
        path = package.path
        print(f"wrote {path} ({package.bytes / 1024:.0f} KB: {package.summary})")
        if beside := package.beside:  # a listing of the folder: once
            print(f"  and beside it: {', '.join(p.name for p in beside)}")
        if SizeReport(total=package.bytes).over(args.budget):  # the package's size: no need to read it again
            print(
                f"{path}: warning: the package is {human(package.bytes)}, over the {args.budget:g} MB budget; "
                "shorten or split long videos, or raise --budget",
                file=sys.stderr,
            )
    count = len(report.packages)
    print(f"built {count} package{'s' * (count != 1)} in {time.perf_counter() - started:.2f} s")
    return 0


def _translated_course(folder: Path) -> Course:
    course = load_course(folder)
    bad = [p for p in course.problems if p.file == "course.yml" and p.severity == "error"]
    if bad:
        _print_problems(bad, folder)
        raise StudioError("fix course.yml first")
    return course


def cmd_i18n_update(args: argparse.Namespace) -> int:
    course = _translated_course(args.course)
    langs = args.lang or course.translations
    if not langs:
        raise StudioError("the course lists no languages: add e.g. 'translations: [hi, ur]' to course.yml")
    for lang, report in i18n.update(course, langs).items():
        print(
            f"{_prefix(args.course)}translations/{lang}.po: {report.added} new, {report.fuzzy} fuzzy, "
            f"{report.obsolete} obsolete" + (f", {report.revived} restored" if report.revived else "")
        )
    return 0


def cmd_i18n_status(args: argparse.Namespace) -> int:
    course = _translated_course(args.course)
    if not course.translations:
        print(f"{course.id}: no languages in 'translations:' of course.yml")
        return 0
    found = i18n.segments(course)
    for lang in course.translations:
        print(i18n.status(course, lang, found).line())
    return 0


def cmd_i18n_export_xliff(args: argparse.Namespace) -> int:
    course = _translated_course(args.course)
    po = i18n.require_catalog(course, args.lang)
    out = args.output or Path(f"{course.id}-{args.lang}.xlf")
    if out.exists() and not args.force:
        raise StudioError(f"{out} exists: pass --force to replace it, or -o another file")
    from .i18n import xliff  # lxml: loaded by the XLIFF commands only

    data = xliff.export(po, course.language, args.lang, f"translations/{args.lang}.po")
    write_atomic(out.resolve(), data)
    print(f"wrote {out} ({sum(1 for e in po if not e.obsolete)} units)")
    return 0


def cmd_i18n_import_xliff(args: argparse.Namespace) -> int:
    from .i18n import xliff

    course = _translated_course(args.course)
    file_lang, units = xliff.read(args.file)
    if args.lang and file_lang and args.lang != file_lang:
        raise StudioError(f"{args.file} is for '{file_lang}', not '{args.lang}'")
    lang = args.lang or file_lang
    if not lang:
        raise StudioError(f"{args.file}: no target-language; pass --lang")
    path = i18n.catalog_path(course, lang)
    i18n.require_catalog(course, lang)
    po = read_catalog(path)
    report = xliff.apply(po, units, args.file)
    for line in report.skipped:
        print(f"{line}", file=sys.stderr)
    if report.updated:
        write_catalog(po, path)
    print(
        f"{_prefix(args.course)}translations/{lang}.po: {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importing import ImportOptions, import_file  # python-docx, python-pptx: loaded by this command only

    options = ImportOptions(
        module_level=args.module_level, lesson_level=args.lesson_level, slides_per_lesson=args.slides_per_lesson
    )
    if not 1 <= options.module_level < options.lesson_level <= 9:
        raise StudioError("--module-level must be above --lesson-level (1 is the top heading): e.g. 1 and 2")
    if options.slides_per_lesson < 1:
        raise StudioError("--slides-per-lesson must be 1 or more")
    result = import_file(args.file, args.output, options=options)
    counts = ", ".join(f"{n} {result_name}" for result_name, n in result.counts.items())
    lessons = sum(len(m.lessons) for m in result.course.modules)
    modules = len(result.course.modules)
    print(
        f"imported {args.file.name} into {result.folder}: {modules} module{'s' * (modules != 1)}, "
        f"{lessons} lesson{'s' * (lessons != 1)}; {counts}: see {result.report}"
    )
    if result.problems:
        _print_problems(result.problems, result.folder)
    return 1 if has_errors(result.problems) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kstudio", description="Author, check and package Karmayogi courses.")
    parser.add_argument("--version", action="version", version=f"kstudio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the library does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="report every problem in a course (exit 1 on errors)")
    check.add_argument("course", type=Path, metavar="COURSE")
    check.add_argument("-q", "--quiet", action="store_true", help="show errors only")
    check.add_argument(
        "--quality",
        action="store_true",
        help="also score iGOT's content quality criteria and GIGW 3.0, and write the self-certification draft",
    )
    check.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help=f"--quality: where to write the draft (default: {QUALITY_DRAFT})",
    )
    check.add_argument("--force", action="store_true", help="--quality: replace FILE if it exists")
    check.set_defaults(run=cmd_check)

    new = sub.add_parser("new", help="create a starter course in a new folder")
    new.add_argument("folder", type=Path, metavar="DIR")
    new.add_argument("--title", help="the course title (default: from the folder name)")
    new.set_defaults(run=cmd_new)

    build = sub.add_parser("build", help="write a package of the course")
    build.add_argument("course", type=Path, metavar="COURSE")
    build.add_argument("--format", "-f", required=True, choices=sorted(FORMATS), help="package format")
    build.add_argument(
        "--lang", metavar="LANG", help="language to build, or 'all' (default: the course's own language)"
    )
    build.add_argument("--answers", action="store_true", help="pdf: add an answer key to the handout")
    build.add_argument(
        "--au-per", choices=["course", "module"], help="cmi5: one assignable unit per course (default) or per module"
    )
    build.add_argument("-o", "--output", type=Path, default=Path("dist"), metavar="OUTDIR", help="default: dist/")
    build.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_MB,
        metavar="MB",
        help=f"warn when a package is larger (default: {DEFAULT_BUDGET_MB} MB)",
    )
    build.add_argument(
        "--strict", action="store_true", help="fail when a translated build would show untranslated or fuzzy text"
    )
    build.add_argument("--no-fonts", action="store_true", help="leave out the subset webfonts for the course's script")
    build.set_defaults(run=cmd_build)

    i18n_cmd = sub.add_parser("i18n", help="translations: update catalogs, status, XLIFF for CAT tools")
    i18n_sub = i18n_cmd.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    update = i18n_sub.add_parser("update", help="write or refresh translations/<lang>.po for each language")
    update.add_argument("course", type=Path, metavar="COURSE")
    update.add_argument("--lang", action="append", metavar="LANG", help="only this language (repeatable)")
    update.set_defaults(run=cmd_i18n_update)
    status = i18n_sub.add_parser("status", help="translated, fuzzy and missing segments per language")
    status.add_argument("course", type=Path, metavar="COURSE")
    status.set_defaults(run=cmd_i18n_status)
    xout = i18n_sub.add_parser("export-xliff", help="write a language's catalog as XLIFF 1.2")
    xout.add_argument("course", type=Path, metavar="COURSE")
    xout.add_argument("--lang", required=True, metavar="LANG")
    xout.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: <course id>-<lang>.xlf")
    xout.add_argument("--force", action="store_true", help="replace FILE if it exists")
    xout.set_defaults(run=cmd_i18n_export_xliff)
    xin = i18n_sub.add_parser("import-xliff", help="read translations from an XLIFF 1.2 file into the catalog")
    xin.add_argument("course", type=Path, metavar="COURSE")
    xin.add_argument("file", type=Path, metavar="FILE")
    xin.add_argument("--lang", metavar="LANG", help="default: the file's target-language")
    xin.set_defaults(run=cmd_i18n_import_xliff)

    imp = sub.add_parser("import", help="make a course from a Word, PowerPoint, SCORM or H5P file")
    imp.add_argument("file", type=Path, metavar="FILE", help=".docx, .pptx, a SCORM .zip or an .h5p file")
    imp.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="the new course folder")
    imp.add_argument("--module-level", type=int, default=1, metavar="N", help="Word: heading level of modules (1)")
    imp.add_argument("--lesson-level", type=int, default=2, metavar="N", help="Word: heading level of lessons (2)")
    imp.add_argument(
        "--slides-per-lesson",
        type=int,
        default=10,
        metavar="N",
        help="PowerPoint without sections: slides in one lesson (10)",
    )
    imp.set_defaults(run=cmd_import)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # a command of its own (tests pass their argv and keep the default collector)
        # A command is short and allocates much (a course's lessons, unpickled from the cache) but makes
        # few cycles: with the default threshold CPython collects ~80 times in a 500-lesson build and
        # finds almost nothing. Imports done, their objects are never scanned again; cycles are still
        # collected, less often.
        gc.freeze()
        gc.set_threshold(20_000, 10, 10)
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    try:
        return int(args.run(args))
    except StudioError as exc:
        print(f"kstudio: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"kstudio: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
