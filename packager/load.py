"""A course folder -> a :class:`Course` (with every problem found on the way).

Reading never stops at the first mistake: a broken ``course.yml`` key or lesson is reported and the
rest still loads, so an author sees everything at once. Parsed lessons are cached by content hash
(``cache.py``), so a rebuild after a one-lesson edit parses one lesson.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import cache, media, schema, yamlsrc
from .errors import Problem, error, warning
from .i18n.apply import Translation
from .lesson import LessonContext, lesson_id_for, parse_lesson, size_problem
from .model import Caption, Competency, Completion, Course, Lesson, Module, Provider
from .runner import LOCAL, Runner
from .strings import player_strings

log = logging.getLogger(__name__)

MAX_COURSE_YML = 1 << 20
MAX_FILES = 20_000
_FRONT_ID = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:.*\r?\n)*?id:[ \t]*['\"]?([^'\"\s#]+)", re.M)
_CAPTION = re.compile(r"^(?P<stem>.+?)(?:\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.(?:vtt|srt)$")


def load_course(
    root: str | os.PathLike[str], *, use_cache: bool = True, lang: str | None = None, runner: Runner = LOCAL
) -> Course:
    """Read the course in folder *root*. Problems are in ``course.problems``; it never raises on bad input.

    With *lang* other than the course's own language, the course comes back translated from
    ``translations/<lang>.po`` (untranslated text stays in the source language; see ``packager.i18n``)
    and with the media variants of that language (``media/x.hi.mp4`` for ``media/x.mp4``). *runner* runs
    ffprobe for the running time of video and audio.
    """
    return load_with_context(root, use_cache=use_cache, lang=lang, runner=runner)[0]


def load_with_context(
    root: str | os.PathLike[str], *, use_cache: bool = True, lang: str | None = None, runner: Runner = LOCAL
) -> tuple[Course, LessonContext]:
    """:func:`load_course`, and the context its lessons were parsed in (other lessons' ids, the course's
    files, captions, interface words, the translation): parse another text of a lesson in it to see that
    lesson exactly as the course would have it (the studio's live preview)."""
    root = Path(root)
    problems: list[Problem] = []
    files = file_index(root, problems)
    store = cache.LessonCache.open(root, files, lang) if use_cache else cache.LessonCache.disabled()
    raw, spec = _read_course_yml(root, problems, store)
    course = _course_from(root, raw, spec)
    course.problems = problems
    course.use_cache = use_cache
    outline = _outline(raw, spec, files, problems)
    translation, source_lang = None, course.language
    if lang is not None and lang != course.language:
        translation = Translation.open(root, lang, raw, problems)
        course = translation.course(course)
        titles = translation.modules([title.strip() for (title, _), _ in outline])
        outline = [((title, line), entries) for title, ((_, line), entries) in zip(titles, outline, strict=True)]
    course.listed = {path: line for _, entries in outline for path, line in entries}

    texts: dict[str, str] = {}
    for path in course.listed:
        if path in files:
            text = _read_lesson(root, path, problems)
            if text is not None:
                texts[path] = text
    lesson_ids = {path: _front_matter_id(text) or lesson_id_for(path) for path, text in texts.items()}
    for path, ident in lesson_ids.items():
        if not re.fullmatch(schema.LESSON_ID_PATTERN, ident) or len(ident) > 128:
            problems.append(
                error(
                    path,
                    1,
                    f"lesson id '{ident}' may use only letters, digits, '.', '_', '-' and '/': "
                    "rename the file or give an id: in its front matter",
                )
            )
    strings = dict(player_strings(course.language))
    ctx = LessonContext(
        lesson_ids=lesson_ids,
        resolve=lambda lesson, target: _localised(resolve_target(lesson, target, files), files, lang),
        captions=caption_finder(files, source_lang, lang),  # x.vtt is in the language the course is written in
        lang=course.language,
        strings=strings,
        translate=translation.lookup if translation else None,
    )
    ids_digest = store.ids_digest(lesson_ids)
    # the lesson HTML holds two interface words (a table's label, "Transcript") and the translations
    digest = f"{strings['table']}|{strings['transcript']}|{translation.digest if translation else ''}"
    keys = {path: store.key(path, course.language, ids_digest, text, digest) for path, text in texts.items()}
    results = {path: store.get(key) for path, key in keys.items()}
    misses = [path for path, hit in results.items() if hit is None]
    for path, result in zip(misses, _parse_many([(texts[p], p) for p in misses], ctx), strict=True):
        results[path] = result
        store.put(keys[path], result)
    parsed: dict[str, Lesson] = {}
    for path, (lesson, found) in results.items():
        parsed[path] = lesson
        problems += found
    store.save()
    for (title, line), entries in outline:
        module = Module(title, [_with_media_time(root, parsed[p], runner) for p, _ in entries if p in parsed], line)
        course.modules.append(module)
    log.debug("loaded %s: %d lessons, %d problems", course.id, len(parsed), len(problems))
    return course, ctx


PARALLEL_FROM = 48  # below this many lessons to parse, starting workers costs more than it saves
_WORK: LessonContext | None = None  # the context forked workers inherit (lambdas do not pickle)


def _parse_many(jobs: list[tuple[str, str]], ctx: LessonContext) -> list[tuple[Lesson, list[Problem]]]:
    """Parse (text, path) jobs, on every core when there are many and the platform can fork."""
    global _WORK
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [parse_lesson(text, path, ctx) for text, path in jobs]
    _WORK = ctx
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.starmap(_parse_job, jobs, chunksize=max(1, len(jobs) // (workers * 4)))
    finally:
        _WORK = None


def _parse_job(text: str, path: str) -> tuple[Lesson, list[Problem]]:
    assert _WORK is not None
    return parse_lesson(text, path, _WORK)


def resolve_target(lesson_path: str, target: str, files: set[str]) -> str | None:
    """A link/image target in a lesson -> a course-relative path; None when it leaves the course.

    Targets resolve against the lesson's folder when that file exists (as in a Markdown preview on a
    code-hosting site), else against the course folder (``media/x.png`` from ``lessons/a.md``).

    >>> resolve_target("lessons/a.md", "media/x.png", {"media/x.png"})
    'media/x.png'
    >>> resolve_target("lessons/a.md", "../media/x.png", {"media/x.png"})
    'media/x.png'
    >>> resolve_target("lessons/a.md", "../../etc/passwd", set()) is None
    True
    """
    if not target or target.startswith("/") or "\\" in target or "\x00" in target:
        return None
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(lesson_path), target))
    from_root = posixpath.normpath(target)
    for candidate in (beside, from_root) if beside in files else (from_root, beside):
        if candidate != ".." and not candidate.startswith("../") and candidate != ".":
            return candidate
    return None


def file_index(root: Path, problems: list[Problem]) -> set[str]:
    """Every regular file under *root* (course-relative, posix), skipping hidden folders and links."""
    found: set[str] = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(folder) / d).is_symlink())
        rel = Path(folder).relative_to(root).as_posix()
        for name in names:
            if name.startswith(".") or (Path(folder) / name).is_symlink():
                continue
            found.add(name if rel == "." else f"{rel}/{name}")
            if len(found) > MAX_FILES:
                problems.append(error(".", None, f"the course folder has more than {MAX_FILES} files"))
                return found
    return found


def _read_course_yml(
    root: Path, problems: list[Problem], store: cache.LessonCache
) -> tuple[Any, schema.CourseSpec | None]:
    path = root / "course.yml"
    if not path.is_file():
        problems.append(error("course.yml", None, f"no course.yml in {root}: is this a course folder?"))
        return None, None
    size = path.stat().st_size
    if size > MAX_COURSE_YML:
        kb, limit = -(-size // 1024), MAX_COURSE_YML // 1024
        problems.append(error("course.yml", 1, f"course.yml is {kb} KB; the limit is {limit} KB"))
        return None, None
    text = _decode(path.read_bytes(), "course.yml", problems)
    if text is None:
        return None, None
    key = store.key("course.yml", text)
    hit = store.get(key)
    if hit is None:
        doc = yamlsrc.parse(text, "course.yml")
        found = list(doc.problems)
        spec = None
        if not doc.problems:
            spec, invalid = schema.validate(schema.CourseSpec, doc, "course.yml")
            found += invalid
        hit = (doc, spec, found)
        store.put(key, hit)
    doc, spec, found = hit
    problems += found
    return doc, spec


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(error(file, line, "not valid UTF-8 text: save the file as UTF-8"))
        return None


def _course_from(root: Path, doc: Any, spec: schema.CourseSpec | None) -> Course:
    if spec is None:  # keep going with what can be read, so lesson problems are reported too
        raw = doc.value if doc is not None and isinstance(doc.value, dict) else {}
        return Course(
            root=root,
            id=str(raw.get("id") or root.name),
            version=str(raw.get("version") or "0.0.0"),
            title=str(raw.get("title") or root.name),
            summary=str(raw.get("summary") or ""),
            language=str(raw.get("language") or "en"),
            provider=Provider("unknown", "Unknown"),
        )
    lessons = spec.completion.lessons
    return Course(
        root=root,
        id=spec.id,
        version=spec.version,
        title=spec.title,
        summary=spec.summary,
        language=spec.language,
        provider=Provider(spec.provider.id, spec.provider.name),
        translations=list(spec.translations),
        authors=list(spec.authors),
        license=spec.license,
        level=spec.level,
        audience=list(spec.audience),
        competencies=[Competency(**c.model_dump()) for c in spec.competencies],
        keywords=list(spec.keywords),
        thumbnail=spec.thumbnail,
        activity_iri=spec.activity_iri,
        completion=Completion(100 if lessons == "all" else int(lessons[:-1]), spec.completion.pass_score),
    )


Outline = list[tuple[tuple[str, int], list[tuple[str, int]]]]


def _outline(doc: Any, spec: schema.CourseSpec | None, files: set[str], problems: list[Problem]) -> Outline:
    """(module title, line) -> [(lesson path, line in course.yml)], with listing problems reported."""
    raw = doc.value.get("modules") if doc is not None and isinstance(doc.value, dict) else None
    if not isinstance(raw, list):
        return []
    outline: Outline = []
    seen: dict[str, int] = {}
    for m, module in enumerate(raw):
        if not isinstance(module, dict):
            continue
        title = str(module.get("title") or f"Module {m + 1}")
        entries: list[tuple[str, int]] = []
        lessons = module.get("lessons")
        for n, listed in enumerate(lessons if isinstance(lessons, list) else []):
            line = doc.line_of(("modules", m, "lessons", n))
            if not isinstance(listed, str):
                continue
            path = posixpath.normpath(listed.strip())
            if listed.startswith("/") or path.startswith("../") or path == "..":
                problems.append(error("course.yml", line, f"lesson '{listed}' is outside the course folder"))
            elif not path.endswith(".md"):
                problems.append(error("course.yml", line, f"lesson '{listed}' must be a Markdown file (.md)"))
            elif path in seen:
                problems.append(
                    error("course.yml", line, f"lesson '{listed}' is listed twice (first on line {seen[path]})")
                )
            elif path not in files:
                problems.append(error("course.yml", line, f"lesson '{listed}' is listed but the file does not exist"))
                seen[path] = line
            else:
                seen[path] = line
                entries.append((path, line))
        outline.append(((title, doc.line_of(("modules", m))), entries))
    for path in sorted(files):
        if path.endswith(".md") and path not in seen and "/" in path:
            problems.append(warning(path, 1, "lesson file is not listed in course.yml, so it is not in the course"))
    return outline


def _read_lesson(root: Path, path: str, problems: list[Problem]) -> str | None:
    file = root / path
    too_big = size_problem(path, file.stat().st_size)
    if too_big:
        problems.append(too_big)
        return None
    return _decode(file.read_bytes(), path, problems)


def _with_media_time(root: Path, lesson: Lesson, runner: Runner) -> Lesson:
    """The lesson, its estimate grown by the running time of its video and audio (probes are cached by
    content, so an unchanged course runs no ffprobe). A copy: the parse cache keeps the text estimate."""
    if lesson.minutes is not None or not any(ref.kind in ("video", "audio") for ref in lesson.media):
        return lesson
    extra = media.running_minutes(root, lesson.media, runner)
    return replace(lesson, estimated_minutes=lesson.estimated_minutes + extra) if extra else lesson


def _front_matter_id(text: str) -> str | None:
    head = text[:4096]
    end = head.find("\n---", 3)
    match = _FRONT_ID.search(head[: end if end > 0 else len(head)])
    return match.group(1) if match else None


def _localised(path: str | None, files: set[str], lang: str | None) -> str | None:
    """*path*, or its variant in *lang* when the course has one (``media/x.hi.mp4`` for ``media/x.mp4``)."""
    if path is None or not lang or "." not in path.rsplit("/", 1)[-1] or path.endswith(".md"):
        return path
    stem, ext = path.rsplit(".", 1)
    variant = f"{stem}.{lang}.{ext}"
    return variant if variant in files else path


def caption_finder(files: set[str], course_lang: str, build_lang: str | None = None) -> Any:
    """A lookup from a video to its caption files among *files* (``x.vtt`` is in *course_lang*)."""
    by_stem: dict[str, list[Caption]] = {}
    for path in files:
        match = _CAPTION.match(path)
        if match:
            lang = match.group("lang") or course_lang
            by_stem.setdefault(match.group("stem"), []).append(Caption(lang, path))

    def captions(src: str) -> list[Caption]:
        stem = src.rsplit(".", 1)[0]
        if build_lang and stem.endswith(f".{build_lang}"):  # a language's variant has the original's captions
            stem = stem[: -len(build_lang) - 1]
        one_per_lang: dict[str, Caption] = {}
        for cap in sorted(by_stem.get(stem, []), key=lambda c: c.src):
            # x.en.vtt wins over x.vtt in an English course, and WebVTT over SRT: one track per language
            rank = (cap.src.endswith(".vtt"), f".{cap.lang}." in cap.src)
            held = one_per_lang.get(cap.lang)
            if held is None or rank > (held.src.endswith(".vtt"), f".{held.lang}." in held.src):
                one_per_lang[cap.lang] = cap
        return sorted(one_per_lang.values(), key=lambda c: c.lang)

    return captions
