"""A course folder -> a :class:`Course` (with every problem found on the way).

Reading never stops at the first mistake: a broken ``course.yml`` key or lesson is reported and the
rest still loads, so an author sees everything at once. Parsed lessons are cached by content hash
(``cache.py``), so a rebuild after a one-lesson edit parses one lesson.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import cache, parallel, yamlsrc
from .collector import fewer_collections
from .errors import Problem, error, warning
from .i18n.apply import Translation
from .igot.programme import CATEGORIES, framework_path_problem, structure_problems
from .lesson import LessonContext, lesson_id_for, parse_lesson, size_problem
from .model import Caption, Competency, Completion, Course, Lesson, Module, OfflineSession, ProgrammeCourse, Provider
from .patterns import (
    ID_PATTERN,
    IRI_PATTERN,
    LANG_PATTERN,
    LESSON_ID_PATTERN,
    LICENSE_PATTERN,
    PERCENT_PATTERN,
    PROVIDER_ID_PATTERN,
    SEMVER_PATTERN,
)
from .runner import LOCAL, Runner
from .strings import player_strings

log = logging.getLogger(__name__)

MAX_COURSE_YML = 1 << 20
MAX_FILES = 20_000
_FRONT_ID = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:.*\r?\n)*?id:[ \t]*['\"]?([^'\"\s#]+)", re.M)
_CAPTION = re.compile(r"^(?P<stem>.+?)(?:\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.(?:vtt|srt)$")


def load_course(
    root: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    lang: str | None = None,
    runner: Runner = LOCAL,
    meanwhile: Callable[[], object] | None = None,
) -> Course:
    """Read the course in folder *root*. Problems are in ``course.problems``; it never raises on bad input.

    With *lang* other than the course's own language, the course comes back translated from
    ``translations/<lang>.po`` (untranslated text stays in the source language; see ``packager.i18n``)
    and with the media variants of that language (``media/x.hi.mp4`` for ``media/x.mp4``). *runner* runs
    ffprobe for the running time of video and audio. *meanwhile* is work of the caller's own, done while
    the lessons are parsed on the other cores (``parallel.in_order``; a build prepares its renderer).
    """
    return load_with_context(root, use_cache=use_cache, lang=lang, runner=runner, meanwhile=meanwhile)[0]


@fewer_collections()
def load_with_context(
    root: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    lang: str | None = None,
    runner: Runner = LOCAL,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Course, LessonContext]:
    """:func:`load_course`, and the context its lessons were parsed in (other lessons' ids, the course's
    files, captions, interface words, the translation): parse another text of a lesson in it to see that
    lesson exactly as the course would have it (the studio's live preview)."""
    root = Path(root)
    problems: list[Problem] = []
    files = file_index(root, problems)
    store = cache.LessonCache.open(root, files, lang) if use_cache else cache.LessonCache.disabled()
    raw, fields = _read_course_yml(root, problems, store)
    if raw is not None:  # what the category asks of the other keys (a programme may have no modules)
        problems += structure_problems(root, raw.value, raw.line_of)
    course = _course_from(root, raw, fields)
    course.problems = problems
    course.use_cache = use_cache
    outline = _outline(raw, files, problems)
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
        if not re.fullmatch(LESSON_ID_PATTERN, ident) or len(ident) > 128:
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
    for path, result in zip(misses, _parse_many([(texts[p], p) for p in misses], ctx, meanwhile), strict=True):
        results[path] = result
        store.put(keys[path], result)
    parsed: dict[str, Lesson] = {}
    for path, (lesson, found) in results.items():
        lesson.source_key = f"{cache.PARSER_VERSION}:{store.context}:{keys[path]}"
        parsed[path] = lesson
        problems += found
    store.save()
    for (title, line), entries in outline:
        module = Module(title, [_with_media_time(root, parsed[p], runner) for p, _ in entries if p in parsed], line)
        course.modules.append(module)
    log.debug("loaded %s: %d lessons, %d problems", course.id, len(parsed), len(problems))
    return course, ctx


PARALLEL_FROM = 48  # below this many lessons to parse, starting workers costs more than it saves


def _parse_many(
    jobs: list[tuple[str, str]], ctx: LessonContext, meanwhile: Callable[[], object] | None = None
) -> list[tuple[Lesson, list[Problem]]]:
    """Parse (text, path) jobs, on every core when there are many (``parallel.py``)."""
    parse = parallel.in_order(lambda i: parse_lesson(*jobs[i], ctx), len(jobs), PARALLEL_FROM, meanwhile=meanwhile)
    return list(parse)


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
    folders = [("", str(root))]  # (course-relative prefix, folder), depth first, subfolders in name order
    while folders:
        rel, folder = folders.pop()
        try:
            with os.scandir(folder) as listing:  # an entry knows whether it is a link or folder: no stat
                entries = list(listing)
        except OSError:
            continue  # an unreadable folder holds nothing the course can use
        subfolders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                subfolders.append(entry)
                continue
            found.add(rel + entry.name)
            if len(found) > MAX_FILES:
                problems.append(error(".", None, f"the course folder has more than {MAX_FILES} files"))
                return found
        folders += [(f"{rel}{e.name}/", e.path) for e in sorted(subfolders, key=lambda e: e.name, reverse=True)]
    return found


def _read_course_yml(
    root: Path, problems: list[Problem], store: cache.LessonCache
) -> tuple[yamlsrc.YamlDoc | None, dict[str, Any] | None]:
    """The document and, when it is valid, the :class:`Course` fields it gives. Cached as plain values,
    so an unchanged course.yml neither parses nor imports the schema (pydantic)."""
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
        fields = None if doc.problems else _plain_course_fields(doc.value)
        if not doc.problems and fields is None:
            from . import schema

            spec, invalid = schema.validate(schema.CourseSpec, doc, "course.yml")
            found += invalid
            fields = _course_fields(spec) if spec is not None else None
        hit = (doc, fields, found)
        store.put(key, hit)
    doc, fields, found = hit
    problems += found
    return doc, fields


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(error(file, line, "not valid UTF-8 text: save the file as UTF-8"))
        return None


def _course_from(root: Path, doc: Any, fields: dict[str, Any] | None) -> Course:
    if fields is None:  # keep going with what can be read, so lesson problems are reported too
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
    # lists copied: the fields are the cache's, and a course is the caller's to change
    copied: dict[str, Any] = {key: list(v) if isinstance(v, list) else v for key, v in fields.items()}
    return Course(root=root, **copied)


def _course_fields(spec: Any) -> dict[str, Any]:
    """The :class:`Course` fields a valid ``schema.CourseSpec`` gives (all but the folder)."""
    lessons = spec.completion.lessons
    return dict(
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
        igot_assessment=spec.igot.assessment,
        category=spec.category,
        competency_framework=spec.competency_framework,
        courses=[ProgrammeCourse(c.path, c.id, c.title) for c in spec.courses],
        sessions=[OfflineSession(s.title, s.date, s.place, s.facilitator, s.minutes) for s in spec.sessions],
    )


_PLAIN_KEYS = {
    "id", "version", "title", "summary", "language", "translations", "provider", "authors", "license", "level",
    "audience", "competencies", "keywords", "thumbnail", "activity_iri", "completion", "modules", "category",
    "competency_framework",
}  # fmt: skip


def _plain_course_fields(value: Any) -> dict[str, Any] | None:
    """The :class:`Course` fields of a course.yml whose every key is known and every value plainly valid
    (strings of the right length and pattern, a percentage, non-empty modules), read without the schema,
    which costs a cold build more to import (pydantic) than the rest of its loading; None for anything
    else (nulls, numbers for strings, mistakes), which ``schema.CourseSpec`` reads. It
    accepts only what the schema accepts, and gives what :func:`_course_fields` would (tests)."""
    if not isinstance(value, dict) or not value.keys() <= _PLAIN_KEYS:
        return None
    v: dict[str, Any] = value
    provider: Any = v.get("provider")
    completion: Any = v.get("completion", {})
    if type(provider) is not dict or type(completion) is not dict:
        return None
    lessons: Any = completion.get("lessons", "all")
    pass_score: Any = completion.get("pass_score", 0)
    plain = (
        _matches(v.get("id"), ID_PATTERN)
        and _matches(v.get("version"), SEMVER_PATTERN)
        and _text(v.get("title"), 200)
        and _text(v.get("summary"))
        and _matches(v.get("language"), LANG_PATTERN)
        and _all(v.get("translations", []), lambda t: _matches(t, LANG_PATTERN))
        and provider.keys() == {"id", "name"}
        and _matches(provider["id"], PROVIDER_ID_PATTERN)
        and _text(provider["name"])
        and _all(v.get("authors", []), _text)
        and ("license" not in v or _matches(v["license"], LICENSE_PATTERN))
        and v.get("level", "beginner") in ("beginner", "intermediate", "advanced")
        and _all(v.get("audience", []), _text)
        and _all(v.get("competencies", []), _plain_competency)
        and _all(v.get("keywords", []), lambda k: _text(k, 100))
        and ("thumbnail" not in v or _text(v["thumbnail"]))
        and ("activity_iri" not in v or _matches(v["activity_iri"], IRI_PATTERN))
        and completion.keys() <= {"lessons", "pass_score"}
        and (lessons == "all" or _matches(lessons, PERCENT_PATTERN))
        and type(pass_score) is int
        and 0 <= pass_score <= 100
        and _all(v.get("modules"), _plain_module, empty=False)
        and v.get("category", CATEGORIES[0]) in CATEGORIES
        and (
            "competency_framework" not in v
            or (_text(v["competency_framework"]) and framework_path_problem(v["competency_framework"]) is None)
        )
    )
    if not plain:
        return None
    return dict(
        id=v["id"],
        version=v["version"],
        title=v["title"],
        summary=v["summary"],
        language=v["language"],
        provider=Provider(provider["id"], provider["name"]),
        translations=list(v.get("translations", [])),
        authors=list(v.get("authors", [])),
        license=v.get("license"),
        level=v.get("level"),
        audience=list(v.get("audience", [])),
        competencies=[
            Competency(c["area"], c["theme"], c.get("subtheme"), c.get("level")) for c in v.get("competencies", [])
        ],
        keywords=list(v.get("keywords", [])),
        thumbnail=v.get("thumbnail"),
        activity_iri=v.get("activity_iri"),
        completion=Completion(100 if lessons == "all" else int(lessons[:-1]), completion.get("pass_score")),
        igot_assessment=None,  # an 'igot:' key is not plain: the schema reads it
        category=v.get("category", CATEGORIES[0]),
        competency_framework=v.get("competency_framework"),
        courses=[],
        sessions=[],
    )


def _plain_competency(competency: Any) -> bool:
    return (
        type(competency) is dict
        and {"area", "theme"} <= competency.keys() <= {"area", "theme", "subtheme", "level"}
        and competency["area"] in ("Behavioural", "Functional", "Domain")
        and _text(competency["theme"])
        and ("subtheme" not in competency or _text(competency["subtheme"]))
        and ("level" not in competency or (type(competency["level"]) is int and 1 <= competency["level"] <= 5))
    )


def _plain_module(module: Any) -> bool:
    return (
        type(module) is dict
        and module.keys() == {"title", "lessons"}
        and _text(module["title"])
        and _all(module["lessons"], _text, empty=False)
    )


def _text(value: Any, longest: int = 2000) -> bool:
    return type(value) is str and 1 <= len(value) <= longest


def _matches(value: Any, pattern: str) -> bool:
    return type(value) is str and re.fullmatch(pattern, value) is not None


def _all(values: Any, plain: Any, *, empty: bool = True) -> bool:
    return type(values) is list and (empty or bool(values)) and all(plain(x) for x in values)


Outline = list[tuple[tuple[str, int], list[tuple[str, int]]]]


def _outline(doc: Any, files: set[str], problems: list[Problem]) -> Outline:
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
    with open(os.path.join(root, path), "rb") as file:  # plain strings: 500 lessons' paths add up
        too_big = size_problem(path, os.fstat(file.fileno()).st_size)
        if too_big:
            problems.append(too_big)
            return None
        data = file.read()
    return _decode(data, path, problems)


def _with_media_time(root: Path, lesson: Lesson, runner: Runner) -> Lesson:
    """The lesson, its estimate grown by the running time of its video and audio (probes are cached by
    content, so an unchanged course runs no ffprobe). A copy: the parse cache keeps the text estimate."""
    if lesson.minutes is not None or not any(ref.kind in ("video", "audio") for ref in lesson.media):
        return lesson
    from . import media  # the media pipeline: only for a course with video or audio

    extra = media.running_minutes(root, lesson.media, runner)
    return replace(lesson, estimated_minutes=lesson.estimated_minutes + extra, source_key="") if extra else lesson


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
