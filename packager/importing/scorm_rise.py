"""Articulate Rise 360: its SCORM export's page (``scormcontent/index.html``) carries the whole course
as data, ``courseData``: a base64 JSON string the player deserialises.

The course's lessons are a flat list where a ``section`` lesson starts a module; each lesson's
``items`` are blocks (``text``, ``list``, ``image``, ``multimedia``, ``quote``, ``interactive``,
``knowledgeCheck``); a ``quiz`` lesson's items are its questions. Media files sit in ``assets/``
beside the page, named by the block's ``media.*.key``.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from typing import TYPE_CHECKING, Any

from .html import Choice, Converter, Question, escape, fragment, plain, quiz_markdown
from .model import Lesson, Module

if TYPE_CHECKING:
    from . import Progress
    from .package import Reading
    from .scorm import Manifest

PAGES = ("scormcontent/index.html", "index.html")
KINDS = {"MULTIPLE_CHOICE": "single", "MULTIPLE_RESPONSE": "multiple", "FILL_IN_THE_BLANK": "fill", "MATCHING": "match"}


def course_data(reading: Reading) -> tuple[str, Any] | None:
    """(page, the course's data) when the package is a Rise export."""
    for page in PAGES:
        if not reading.package.has(page):
            continue
        text = reading.package.text(page)
        for marker in ("courseData", "deserialize("):
            blob = js_string(text, marker)
            if blob is None:
                continue
            try:
                data = decode_blob(blob)
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("course"), dict):
                return page, data
    return None


def read(reading: Reading, manifest: Manifest, progress: Progress) -> bool:
    found = course_data(reading)
    if found is None:
        return False
    page, data = found
    info = data["course"]
    course = reading.course
    course.title = plain(str(info.get("title") or "")) or course.title
    course.summary = plain(str(info.get("description") or ""))
    lessons = [x for x in info.get("lessons") or [] if isinstance(x, dict)]
    module: Module | None = None
    for n, lesson in enumerate(lessons, start=1):
        title = plain(str(lesson.get("title") or "")) or f"Lesson {n}"
        progress(n / max(len(lessons), 1), f"lesson '{title}'")
        if lesson.get("type") == "section":
            module = Module(title)
            course.modules.append(module)
            course.note(f"section '{title}'", "converted", "a module")
            continue
        if module is None:
            module = Module(course.title)
            course.modules.append(module)
        module.lessons.append(_Lesson(reading, page).read(lesson, title))
    course.modules = [m for m in course.modules if m.lessons]
    return True


class _Lesson:
    def __init__(self, reading: Reading, page: str):
        self.reading, self.page = reading, page
        self.refused: list[str] = []
        self.converter = Converter(reading.resolver(page, self.refused))

    def read(self, lesson: dict[str, Any], title: str) -> Lesson:
        course = self.reading.course
        blocks: list[str] = []
        if lesson.get("description"):
            blocks.append(self.html(str(lesson["description"])))
        items = [x for x in lesson.get("items") or [] if isinstance(x, dict)]
        if lesson.get("type") == "quiz":
            questions = [q for item in items for q in self.questions(item, title)]
            if questions:
                blocks.append(quiz_markdown(questions, graded=True))
        else:
            for n, item in enumerate(items, start=1):
                blocks.append(self.block(item, f"lesson '{title}', block {n}"))
        for ref in self.refused:
            course.note(f"lesson '{title}'", "dropped", f"'{ref}' is not in the package")
        course.note(f"lesson '{title}'", "converted", f"{len(items)} block(s)")
        return Lesson(title, "\n\n".join(b for b in blocks if b.strip()) + "\n")

    def html(self, text: str) -> str:
        return self.converter.markdown(fragment(text)).strip()

    def media(self, media: Any, alt: str = "") -> str:
        """A block's ``media`` ({"image": {"key": …}} or {"video": …}) as a media line."""
        if not isinstance(media, dict):
            return ""
        for kind in ("image", "video", "audio"):
            entry = media.get(kind)
            if isinstance(entry, dict) and entry.get("key"):
                key = str(entry["key"])
                folder = posixpath.dirname(self.page)
                path = posixpath.join(folder, "assets", key) if folder else posixpath.join("assets", key)
                if not self.reading.package.has(path) or ".." in key.split("/"):
                    self.refused.append(key)
                    return ""
                target = self.reading.file(path, self.refused)
                label = alt or plain(str(entry.get("altText") or entry.get("alt") or "")) or posixpath.splitext(key)[0]
                return f"![{escape(label)}]({target})" if target else ""
        return ""

    def block(self, item: dict[str, Any], where: str) -> str:
        kind = item.get("type")
        subs = [x for x in item.get("items") or [] if isinstance(x, dict)]
        course = self.reading.course
        if kind == "text":
            parts = []
            for sub in subs:
                if sub.get("heading"):
                    parts.append("## " + escape(plain(str(sub["heading"]))))
                if sub.get("paragraph"):
                    parts.append(self.html(str(sub["paragraph"])))
            return "\n\n".join(p for p in parts if p)
        if kind == "list":
            lines = [self.html(str(sub.get("paragraph") or "")).replace("\n\n", " ") for sub in subs]
            return "\n".join(f"- {line}" for line in lines if line)
        if kind in ("image", "multimedia"):
            parts = [self.media(sub.get("media"), plain(str(sub.get("caption") or ""))) for sub in subs]
            parts.append(self.media(item.get("media")))
            return "\n\n".join(p for p in parts if p)
        if kind == "quote":
            text = "\n\n".join(self.html(str(sub.get("paragraph") or "")) for sub in subs)
            return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
        if kind == "knowledgeCheck":
            questions = self.questions(item, where)
            return quiz_markdown(questions, graded=False) if questions else ""
        if kind == "interactive" and subs:  # accordion, tabs, flashcards: each panel's title and text
            parts = []
            for sub in subs:
                heading = plain(str(sub.get("title") or sub.get("heading") or ""))
                if heading:
                    parts.append("### " + escape(heading))
                for side in (sub.get("front"), sub.get("back")):
                    if isinstance(side, dict) and side.get("description"):
                        parts.append(self.html(str(side["description"])))
                if sub.get("description") or sub.get("paragraph"):
                    parts.append(self.html(str(sub.get("description") or sub.get("paragraph"))))
            course.note(where, "approximated", f"the {item.get('variant') or 'interactive'} block became headed text")
            return "\n\n".join(p for p in parts if p)
        course.note(where, "dropped", f"a '{kind}' block has no text form")
        return ""

    def questions(self, item: dict[str, Any], where: str) -> list[Question]:
        out = []
        for sub in [x for x in item.get("items") or [] if isinstance(x, dict)]:
            kind = KINDS.get(str(sub.get("type")))
            prompt = self.html(str(sub.get("title") or "")).replace("\n\n", " ")
            answers = [a for a in sub.get("answers") or [] if isinstance(a, dict)]
            q = Question(prompt=prompt, kind=kind or "single", explanation=self.html(str(sub.get("feedback") or "")))
            if kind in ("single", "multiple"):
                q.choices = [Choice(escape(plain(str(a.get("title") or ""))), bool(a.get("correct"))) for a in answers]
                if kind == "single" and sum(c.correct for c in q.choices) > 1:
                    q.kind = "multiple"
            elif kind == "fill":
                q.answers = [plain(str(a.get("title") or "")) for a in answers]
            elif kind == "match":
                q.pairs = [
                    (escape(plain(str(a.get("title") or ""))), escape(plain(str(a.get("matchTitle") or ""))))
                    for a in answers
                ]
            if kind and q.usable():
                out.append(q)
                self.reading.course.note(f"{where}: question '{plain(str(sub.get('title') or ''))[:50]}'", "converted")
            else:
                self.reading.course.note(
                    f"{where}: question '{plain(str(sub.get('title') or ''))[:50]}'",
                    "dropped",
                    f"a {sub.get('type')} question without answers this format can hold",
                )
        return out


def decode_blob(text: str) -> Any:
    """A JSON value written into a page as a string: plain JSON or base64 of it (Rise's ``courseData``)."""
    text = text.strip()
    if text.startswith(("{", "[")):
        return json.loads(text)
    try:
        return json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not JSON or base64 JSON: {exc}") from None


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def js_string(text: str, after: str) -> str | None:
    """The JavaScript string literal that follows *after* in *text* (decoded), or None."""
    at = text.find(after)
    if at < 0:
        return None
    match = _STRING.search(text, at + len(after))
    if match is None or text[at + len(after) : match.start()].strip(" =(:\n\t"):
        return None
    return json.loads(f'"{match.group(1)}"')
