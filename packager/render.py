"""A checked course -> the learner player's files (HTML shell, course data, lesson scripts, assets, media).

Files are produced one at a time (:meth:`Player.files`) so an exporter can stream them into a package
without holding a whole course's output in memory; the studio's preview asks for single files.
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import pickle
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape, unescape
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import parallel
from .cache import LessonCache, cache_dir
from .errors import ExportError
from .fonts import WebFont, font_css, webfonts
from .markdown.context import slug
from .markdown.quiz import normalise_answer
from .model import Course, Lesson, Question, Quiz, whole_minutes
from .runner import LOCAL, Runner
from .scripts import LATIN, script_for
from .strings import Strings, date_format, is_rtl, number_format, player_strings, plural_rule

if TYPE_CHECKING:
    import jinja2

    from .media import MediaSet

DEFAULT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' data:; "
    "font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'"
)
ASSETS = ("player.css", "player.js", "media.js", "core.js")
RUNTIME_GLYPHS = "0123456789%.,:;·()-–—✓✗"
"""Characters the runtime and the theme's CSS may show beyond the text of the pages (scores, marks)."""
_TRACK_SRC = re.compile(r'(<track kind="captions" src=")([^"]+)(")')
_URL_ATTR = re.compile(r'\b(src|href|poster|srcset)="([^"]*)"')
# The media markup of markdown/rules.py (raw HTML in lessons is escaped, so only it can match)
_MEDIA_TAG = re.compile(
    r'<img src="(?P<img>[^"]*)" alt="(?P<alt>[^"]*)" loading="lazy" decoding="async">'
    r'|<figure class="ks-media ks-video"><video controls preload="metadata" playsinline src="(?P<video>[^"]*)">'
    r'|<audio controls preload="metadata" src="(?P<audio>[^"]*)">'
    r'|<a href="(?P<link>[^"]*)">'
)


@dataclass(frozen=True)
class PackageFile:
    """One file of a package: its name in the package and either its bytes or the file to copy."""

    name: str
    data: bytes | None = None
    source: Path | None = None
    deflated: bytes | None = None
    """*data* as a raw deflate stream (:func:`deflate`), when the player made it already: rendered lessons
    are compressed on every core with their rendering and kept so in the cache."""


def deflate(data: bytes) -> bytes:
    """*data* compressed as a zip entry's deflate stream (zlib's default level, as ``zipfile`` writes)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@lru_cache(maxsize=8)
def template_env(theme: Path) -> jinja2.Environment:
    """One Jinja environment per theme, compiled templates cached on disk between runs of the CLI."""
    import jinja2  # only when a page is rendered: a build whose lessons are all cached never needs it

    bytecode_dir = cache_dir() / "templates"
    try:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        bytecode: jinja2.BytecodeCache | None = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    except OSError:
        bytecode = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(theme / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        bytecode_cache=bytecode,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: message, ngettext=lambda s, p, n: s if n == 1 else p, newstyle=True
    )
    return env


def theme_dir(name: str = "default") -> Path:
    return Path(str(resources.files("themes") / name))


def prepare_pages(theme: Path | None = None) -> None:
    """Import the template engine and compile *theme*'s page templates (default: the default theme's)
    ahead of its first player: a build does it while its lessons are parsed (``load_course``'s
    *meanwhile*), instead of between the parse and the pages. A template that does not compile is left
    to fail where a page needs it, as it would without this."""
    try:
        env = template_env(theme or theme_dir())
        for name in ("lesson.html", "blocks.html", "shell.html"):
            env.get_template(name)
    except Exception:  # only a head start: the page that needs the template raises it again
        return


@dataclass
class Player:
    """The learner player for one course in one language."""

    course: Course
    theme: Path = field(default_factory=theme_dir)
    strings: Strings = None  # type: ignore[assignment]
    """The interface strings; default: the player catalog of the course's language (``strings.py``)."""
    csp: str = DEFAULT_CSP
    head_scripts: tuple[str, ...] = ()
    """Extra scripts (package paths) loaded before the runtime, e.g. an LMS adapter."""
    inline_captions: bool = True
    """Put caption tracks into the lesson as data: URLs. Browsers refuse <track> files from file://
    (each file is its own origin), so an offline package needs this; a web server does not."""
    whole_script_fonts: bool = False
    """Cut the script's webfont whole, not to the letters shown (``fonts.webfonts``' *whole_script*): the
    studio's previews, so a translation's new letter does not cut the font again."""
    assets: tuple[str, ...] = ASSETS
    """Files of the theme's ``static/`` folder the package carries, as ``assets/<name>``."""
    lms: dict[str, Any] | None = None
    """Settings of the LMS adapter among the assets, passed to it as ``KS_COURSE.lms``."""
    renames: dict[str, str] = field(default_factory=dict)
    """Course file -> name in the package, for packages whose entry names are restricted."""
    process_media: bool = True
    """Ship renditions from the media pipeline (``packager.media``); False ships the files as they are."""
    runner: Runner = LOCAL
    """Runs the programs the player needs: ffprobe and ffmpeg for the media, fc-list for the webfonts."""

    def __post_init__(self) -> None:
        if self.strings is None:
            self.strings = player_strings(self.lang)
        elif not isinstance(self.strings, Strings):  # a plain dict of overrides over the language's own
            base = player_strings(self.lang)
            self.strings = Strings({**base, **self.strings}, self.lang, base.plural, base.rtl)

    @property
    def env(self) -> jinja2.Environment:
        return template_env(self.theme)

    @property
    def lang(self) -> str:
        return self.course.language

    @property
    def direction(self) -> str:
        return "rtl" if is_rtl(self.lang) else "ltr"

    @cached_property
    def lesson_files(self) -> dict[str, str]:
        """Lesson id -> the package path of its script, unique even when slugs collide."""
        files: dict[str, str] = {}
        used: set[str] = set()
        for lesson in self.course.lessons:
            name = slug(lesson.id)
            while name in used:
                name += "-"
            used.add(name)
            files[lesson.id] = f"lessons/{name}.js"
        return files

    # The files --------------------------------------------------------------------------------

    def files(self) -> Iterator[PackageFile]:
        """Every file of the player, in a fixed order (so packages are reproducible)."""
        # the lessons are started first: the workers render them while this process makes the files
        # that come before them (parallel.py hands the workers more lessons meanwhile)
        scripts = self.lesson_scripts()
        try:
            first = next(scripts, None)
            yield PackageFile("index.html", self.index_html())
            yield PackageFile("course.js", self.course_js())
            for name in self.assets:
                yield PackageFile(f"assets/{name}", self.asset(name))
            if self.webfonts:
                yield PackageFile("assets/fonts.css", font_css(self.lang, self.webfonts).encode())
                yield from (PackageFile(font.name, font.data) for font in self.webfonts)
            if first is not None:
                yield first[1]
            for _, script in scripts:
                yield script
        finally:
            getattr(scripts, "close", lambda: None)()  # a reader that stops early stops the workers
        yield from self.media_files()

    def lesson_scripts(self) -> Iterator[tuple[Lesson, PackageFile]]:
        """Every lesson with its script (:meth:`lesson_js`, deflated too), in course order. A lesson rendered
        before on the same page (same lesson, place in the course, strings and templates) comes from the
        user's cache; the rest are rendered, on every core when there are many."""
        lessons = self.course.lessons
        store = (
            LessonCache.of_kind(f"rendered-{self.lang}", self.course.root, self._page_digest)
            if self.course.use_cache
            else LessonCache.disabled()
        )
        keys = [self._render_key(lesson) if store.file else None for lesson in lessons]
        hits = [store.get(key) if key else None for key in keys]
        made = _render_many(self, [lesson for lesson, hit in zip(lessons, hits, strict=True) if hit is None])
        for lesson, key, hit in zip(lessons, keys, hits, strict=True):
            script, deflated = hit if hit is not None else next(made)
            if hit is None and key:
                store.put(key, (script, deflated))
            yield lesson, PackageFile(self.lesson_files[lesson.id], script, deflated=deflated)
        store.save()

    @cached_property
    def _page_digest(self) -> str:
        """What every lesson page of this player shares: templates, strings and the player's settings."""
        digest = hashlib.sha256()
        for template in sorted((self.theme / "templates").iterdir()):
            digest.update(template.name.encode() + b"\0" + template.read_bytes() + b"\0")
        settings = [self.strings, self.renames, self.inline_captions, self.process_media, len(self.course.lessons)]
        digest.update(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()

    def _render_key(self, lesson: Lesson) -> str | None:
        """The rendered-lesson cache key of *lesson*; None for a lesson with media (its page depends on
        the media files and their renditions, which the key does not cover)."""
        if lesson.media:
            return None
        index, module_no, module_title = self.positions[lesson.id]
        where = json.dumps([index, module_no, module_title], ensure_ascii=False).encode()
        # a loaded lesson is named by what it was parsed from; another is hashed whole
        what = lesson.source_key.encode() if lesson.source_key else pickle.dumps(lesson, protocol=5)
        return hashlib.sha256(where + b"\0" + what).hexdigest()

    def index_html(self) -> bytes:
        course = self.course
        modules = [{"title": m.title, "lessons": m.lessons} for m in course.modules]
        html = self.env.get_template("shell.html").render(
            course=course,
            modules=modules,
            lessons=course.lessons,
            lang=self.lang,
            dir=self.direction,
            csp=self.csp,
            head_scripts=self.head_scripts,
            thumbnail=course.thumbnail and self.renames.get(course.thumbnail, course.thumbnail),
            minutes_text=self.minutes_text(course.learning_minutes),
            level_text=self.level_text,
            s=self.strings,
            _=self.strings.gettext,
            fonts_css=bool(self.webfonts),
        )
        return html.encode("utf-8")

    def course_js(self) -> bytes:
        course = self.course
        data = {
            "id": course.id,
            "version": course.version,
            "lang": self.lang,
            "dir": self.direction,
            "title": course.title,
            "storageKey": f"ks:{course.id}:{course.version.split('.')[0]}",
            "completion": {"lessons": course.completion.lessons_percent, "passScore": course.completion.pass_score},
            "modules": [{"title": m.title} for m in course.modules],
            "lessons": [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "module": m,
                    "file": self.lesson_files[lesson.id],
                    "minutes": lesson.learning_minutes,
                }
                for m, module in enumerate(course.modules)
                for lesson in module.lessons
            ],
            "quizzes": [
                {
                    "id": quiz.id,
                    "lesson": lesson.id,
                    "graded": quiz.graded,
                    "pass": quiz.pass_mark,
                    "draw": quiz.draw,
                    "attempts": quiz.attempts,
                    "questions": [{"id": q.id, "kind": q.kind, "points": q.points} for q in quiz.questions],
                }
                for lesson in course.lessons
                for quiz in lesson.quizzes
            ],
            "reflections": [r.id for lesson in course.lessons for r in lesson.reflections],
            "strings": self.strings,
            "numbers": number_format(self.lang),
            "dates": date_format(self.lang),
            "plural": plural_rule(self.strings),
        }
        if self.lms is not None:
            data["lms"] = self.lms
        return f"window.KS_COURSE = {_json(data)};\n".encode()

    def lesson_js(self, lesson: Lesson) -> bytes:
        html = self.lesson_html(lesson)
        data = {"questions": {q.id: answer_key(q) for quiz in lesson.quizzes for q in quiz.questions}}
        return f"KS.lesson({_json(lesson.id)}, {_json(html)}, {_json(data)});\n".encode()

    @cached_property
    def positions(self) -> dict[str, tuple[int, int, str]]:
        """Lesson id -> (0-based index in the course, 1-based module number, module title)."""
        out: dict[str, tuple[int, int, str]] = {}
        for module_no, module in enumerate(self.course.modules, start=1):
            for lesson in module.lessons:
                out[lesson.id] = (len(out), module_no, module.title)
        return out

    @cached_property
    def lesson_count(self) -> int:
        """The course's lessons (``course.lessons`` lists them anew at each call: once, not per lesson)."""
        return len(self.course.lessons)

    @cached_property
    def webfonts(self) -> list[WebFont]:
        """Subsets of the fonts for the text the package shows (none for Latin text, or when told not to)."""
        if not self.course.ship_fonts:
            return []
        strings = [v for value in self.strings.values() for v in (value if isinstance(value, list) else [value])]
        dates = date_format(self.lang)
        extra = [*strings, *dates["months"], dates["pattern"], RUNTIME_GLYPHS, self.level_text]
        # Latin text needs a font only for what it quotes from other scripts: any character of the markup
        # will do (tags are ASCII), which spares stripping every lesson's HTML
        texts = (
            course_text(self.course) if script_for(self.lang) is LATIN else map(_visible_text, course_text(self.course))
        )
        return webfonts(self.lang, chain(texts, extra), self.runner, whole_script=self.whole_script_fonts)

    @property
    def level_text(self) -> str:
        level = self.course.level or ""
        return str(self.strings.get(f"level_{level}", level.capitalize()))

    def lesson_html(self, lesson: Lesson) -> str:
        index, module_no, module_title = self.positions[lesson.id]
        s = self.strings
        crumb = (
            s.text("module", n=module_no, title=module_title)
            + " · "
            + s.text("lessonOf", n=index + 1, total=self.lesson_count)
        )
        html = self._lesson_template.render(
            lesson=lesson, crumb=crumb, minutes_text=self.minutes_text(lesson.learning_minutes), s=s
        )
        if self.process_media and lesson.media:
            html = _MEDIA_TAG.sub(self._media_markup, html)
        html = _TRACK_SRC.sub(self._track, html)
        return _URL_ATTR.sub(self._rename, html) if self.renames else html

    @cached_property
    def _lesson_template(self) -> jinja2.Template:
        """lesson.html, looked up once a player (each lookup checks the file's time on disk)."""
        return self.env.get_template("lesson.html")

    def _rename(self, match: re.Match[str]) -> str:
        value = unescape(match.group(2))
        if match.group(1) == "srcset":
            parts = [p.strip().split(" ", 1) for p in value.split(",")]
            value = ", ".join(" ".join([self.renames.get(p[0], p[0]), *p[1:]]) for p in parts)
        else:
            path, hash_, fragment = value.partition("#")
            value = self.renames.get(path, path) + hash_ + fragment
        return f'{match.group(1)}="{escape(value)}"'

    def _track(self, match: re.Match[str]) -> str:
        from .media import captions  # the media pipeline, for a lesson with video only

        src = htmllib.unescape(match.group(2))
        if self.inline_captions:
            data = base64.b64encode(captions.to_webvtt(self.course.root / src, src)).decode("ascii")
            return f"{match.group(1)}data:text/vtt;charset=utf-8;base64,{data}{match.group(3)}"
        return match.group(0) if not src.lower().endswith(".srt") else f"{match.group(1)}{src}.vtt{match.group(3)}"

    @cached_property
    def media(self) -> MediaSet:
        """The course's video, audio and images (probed, cached) and the renditions made of them."""
        sources = {
            ref.src: ref.kind for lesson in self.course.lessons for ref in lesson.media if ref.kind != "attachment"
        }
        if self.course.thumbnail:
            sources[self.course.thumbnail] = "image"
        from .media import MediaSet

        return MediaSet(self.course.root, sources, runner=self.runner)

    def _media_markup(self, match: re.Match[str]) -> str:
        """Lesson media markup -> the theme's markup for the renditions (``blocks.html``)."""
        kind = match.lastgroup if match.lastgroup != "alt" else "img"
        item = self.media.items.get(htmllib.unescape(match.group(kind or "")))
        if item is None or item.info.error or (kind == "link" and item.kind == "image"):
            return match.group(0)
        macros = self.env.get_template("blocks.html").module
        if kind == "img":
            if item.outputs[0].rendition == "copy":
                return match.group(0)
            return str(macros.picture(item, htmllib.unescape(match.group("alt")), self.strings))  # type: ignore[attr-defined]
        main = item.get("video") or item.get("speech")
        if kind == "link":
            return match.group(0) if main is None else f'<a href="{htmllib.escape(main.name)}">'
        return str(getattr(macros, kind or "")(item, self.strings))

    def asset(self, name: str) -> bytes:
        return (self.theme / "static" / name).read_bytes()

    def media_names(self) -> list[str]:
        """The package path of every file the lessons use (renditions in place of videos, audio and
        images; converted captions beside SRT files), sorted."""
        wanted: set[str] = set()
        for lesson in self.course.lessons:
            for ref in lesson.media:
                wanted.add(ref.src)
                wanted.update(c.src for c in ref.captions)
                wanted.update(f"{c.src}.vtt" for c in ref.captions if c.src.lower().endswith(".srt"))
        if self.course.thumbnail:
            wanted.add(self.course.thumbnail)
        if self.process_media and wanted:  # (a course without media never loads the media pipeline)
            attachments = {
                ref.src for lesson in self.course.lessons for ref in lesson.media if ref.kind == "attachment"
            }
            for src, item in self.media.items.items():
                if src not in attachments:
                    wanted.discard(src)  # shipped as its renditions, unless a link also offers the file itself
                wanted.update(out.name for out in item.outputs)
        return sorted(wanted)

    def media_files(self, names: list[str] | None = None) -> Iterator[PackageFile]:
        """The files *names* (default: :meth:`media_names`), in order, streamed from the course folder or the
        media cache. Renditions missing from the cache are made on every core while earlier files stream."""
        names = self.media_names() if names is None else names
        if not names:
            return
        from .media import MediaError

        made = [n for n in names if n in self.media.by_name] if self.process_media else []
        renditions = self.media.files(list(made)) if made else iter(())
        try:
            for name in names:
                if made and name == made[0]:
                    made.pop(0)
                    unusable = self.media.by_name[name][0].info.error  # never shipped for a player to choke on
                    if unusable:
                        raise ExportError(f"{name} {unusable}")
                    yield self._raw_file(name, next(renditions)[1])
                else:
                    yield self.media_file(name)
        except MediaError as exc:
            raise ExportError(str(exc)) from exc
        finally:
            getattr(renditions, "close", lambda: None)()

    def media_file(self, name: str) -> PackageFile:
        """A file from the course folder as it is shipped (SVG sanitised, SRT converted to WebVTT)."""
        if name.lower().endswith(".srt.vtt"):
            from .media import captions

            vtt = captions.to_webvtt(self.course.root / name[:-4], name[:-4])
            return PackageFile(self.renames.get(name, name), vtt)
        return self._raw_file(name, self.course.root / name)

    def _raw_file(self, name: str, source: Path) -> PackageFile:
        from .media.probe import SNIFF_BYTES, content_problem

        packaged = self.renames.get(name, name)
        # by content, not by name; kstudio check reports these at the lesson line, a build stops here, named
        with source.open("rb") as f:  # a file gone since the check fails as any copy would (OSError)
            head = f.read(SNIFF_BYTES)
        if problem := content_problem(head, source.suffix):
            raise ExportError(f"{name} {problem}")
        if name.lower().endswith(".svg"):
            from .svg import UnsafeSvg, sanitize_svg  # a course with SVG images only

            try:
                return PackageFile(packaged, sanitize_svg(source.read_bytes()))
            except UnsafeSvg as exc:
                raise ExportError(f"{name} {exc}") from None
        return PackageFile(packaged, source=source)

    def minutes_text(self, minutes: float) -> str:
        return self.strings.text("minutes", whole_minutes(minutes))


def answer_key(question: Question) -> dict[str, Any]:
    """What the runtime needs to score *question* (see docs/theme.md)."""
    key: dict[str, Any] = {"kind": question.kind, "points": question.points}
    if question.kind in ("single", "multiple"):
        key["correct"] = [o.id for o in question.options if o.correct]
    elif question.kind == "fill":
        key["answers"] = [normalise_answer(a) for a in question.answers]
    elif question.kind == "order":
        key["correct"] = [item.id for item in question.items]
    else:
        key["correct"] = {pair.left.id: pair.right.id for pair in question.pairs}
    return key


_TAG = re.compile(r"<[^>]*>")
_SHOWN_ATTR = re.compile(r'\b(?:alt|aria-label|title|placeholder)="([^"]*)"')


def course_text(course: Course) -> Iterator[str]:
    """Every piece of the course's own text a player shows (HTML fragments and plain text)."""
    yield from (course.title, course.summary, course.provider.name)
    for c in course.competencies:
        yield from (c.area, c.theme, c.subtheme or "")
    for module in course.modules:
        yield module.title
        for lesson in module.lessons:
            yield from (lesson.title, *lesson.objectives)
            for block in lesson.blocks:
                yield from _block_text(block)


def _block_text(block: Any) -> Iterator[str]:
    if isinstance(block, Quiz):
        yield block.intro_html
        for q in block.questions:
            yield from (q.prompt_html, q.prompt_more_html, q.explanation_html)
            yield from (x for o in q.options for x in (o.html, o.feedback_html))
            yield from (i.html for i in q.items)
            yield from (x.html for p in q.pairs for x in (p.left, p.right))
    else:
        yield getattr(block, "html", "") or getattr(block, "prompt_html", "")


def _visible_text(html: str) -> str:
    """The text of *html* a reader may see: the text between tags and the alt and label attributes."""
    return unescape(_TAG.sub(" ", html)) + " " + " ".join(unescape(v) for v in _SHOWN_ATTR.findall(html))


PARALLEL_FROM = 48  # below this many lessons to render, starting workers costs more than it saves


def _render_many(player: Player, lessons: list[Lesson]) -> Iterator[tuple[bytes, bytes]]:
    """The scripts of *lessons* in order, each with its :func:`deflate`, rendered on every core when
    there are many (``parallel.py``, as ``load`` parses)."""
    if parallel.forked_workers(len(lessons), PARALLEL_FROM):
        _ = player._lesson_template  # looked up once, before the fork: every worker inherits it

    def job(index: int) -> tuple[bytes, bytes]:
        script = player.lesson_js(lessons[index])
        return script, deflate(script)

    return parallel.in_order(job, len(lessons), PARALLEL_FROM)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_player(course: Course, **options: Any) -> Iterator[PackageFile]:
    """The learner player's files for *course*; *options* are :class:`Player` fields."""
    return Player(course, **options).files()
