"""Adapt Framework: a built course keeps its content as JSON in ``course/<lang>/``.

``contentObjects.json`` holds menus and pages, ``articles.json`` -> ``blocks.json`` ->
``components.json`` what is on a page, each linked to its parent by ``_parentId``. Pages become
lessons (a sub-menu's pages one module; pages directly under the course one module named after it).
Components: ``text`` and every component's title, body and instruction become text; ``graphic`` an
image, ``media`` its video or audio file; ``mcq`` and ``gmcq`` choice questions, ``textinput``
fill-in, ``matching`` match. Questions in an article with ``_assessment`` enabled are a graded quiz,
the others knowledge checks.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .html import Choice, Converter, Question, escape, fragment, plain, quiz_markdown
from .model import Lesson, Module

if TYPE_CHECKING:
    from . import Progress
    from .package import Reading
    from .scorm import Manifest

QUESTIONS = {"mcq", "gmcq", "textinput", "matching"}


def language_folder(reading: Reading) -> str | None:
    """``course/<lang>/`` holding the course's JSON (the default language's when there are several)."""
    folders = sorted(
        n[: -len("contentObjects.json")]
        for n in reading.package.names()
        if n.startswith("course/") and n.endswith("/contentObjects.json") and n.count("/") == 2
    )
    if not folders:
        return None
    if reading.package.has("course/config.json"):
        config = reading.package.json("course/config.json")
        lang = config.get("_defaultLanguage") if isinstance(config, dict) else None
        if f"course/{lang}/" in folders:
            return f"course/{lang}/"
    return "course/en/" if "course/en/" in folders else folders[0]


def read(reading: Reading, manifest: Manifest, progress: Progress) -> bool:
    folder = language_folder(reading)
    if folder is None:
        return False
    package, course = reading.package, reading.course

    def load(name: str) -> list[dict[str, Any]]:
        path = folder + name
        data = package.json(path) if package.has(path) else []
        return [x for x in data if isinstance(x, dict)] if isinstance(data, list) else []

    info = package.json(folder + "course.json") if package.has(folder + "course.json") else {}
    info = info if isinstance(info, dict) else {}
    course.title = plain(str(info.get("displayTitle") or info.get("title") or "")) or course.title
    course.summary = plain(str(info.get("description") or info.get("body") or ""))
    course.language = folder.split("/")[1].split("-")[0].split("_")[0] or course.language
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in load("contentObjects.json") + load("articles.json") + load("blocks.json") + load("components.json"):
        children[str(entry.get("_parentId"))].append(entry)
    course_id = str(info.get("_id") or "course")
    pages = _pages(children, course_id, course.title)
    total = sum(len(p) for _, p in pages)
    done = 0
    for module_title, module_pages in pages:
        module = Module(module_title)
        for page in module_pages:
            done += 1
            title = plain(str(page.get("displayTitle") or page.get("title") or "")) or f"Page {done}"
            progress(done / max(total, 1), f"page '{title}'")
            module.lessons.append(_Page(reading, folder, title).read(page, children))
        course.modules.append(module)
    course.modules = [m for m in course.modules if m.lessons]
    return True


def _pages(
    children: dict[str, list[dict[str, Any]]], parent: str, title: str
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(module title, pages) under *parent*: its own pages first, then each sub-menu's."""
    objects = [c for c in children.get(parent, []) if c.get("_type") in ("page", "menu")]
    out = [(title, [c for c in objects if c.get("_type") == "page"])]
    for menu in (c for c in objects if c.get("_type") == "menu"):
        menu_title = plain(str(menu.get("displayTitle") or menu.get("title") or "")) or title
        out += _pages(children, str(menu.get("_id")), menu_title)
    return [(t, p) for t, p in out if p]


class _Page:
    def __init__(self, reading: Reading, folder: str, title: str):
        self.reading, self.title = reading, title
        self.refused: list[str] = []
        # media paths in Adapt's JSON are relative to the package's index.html (course/en/images/…)
        self.converter = Converter(reading.resolver("index.html", self.refused))

    def html(self, text: Any) -> str:
        return self.converter.markdown(fragment(str(text or ""))).strip()

    def read(self, page: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> Lesson:
        course = self.reading.course
        parts = [self.html(page.get("body"))]
        for article in children.get(str(page.get("_id")), []):
            graded = bool((article.get("_assessment") or {}).get("_isEnabled"))
            parts.append(self._heading(article, "##"))
            parts.append(self.html(article.get("body")))
            pending: list[Question] = []
            for block in children.get(str(article.get("_id")), []):
                parts.append(self._heading(block, "###") if not pending else "")
                for component in children.get(str(block.get("_id")), []):
                    where = (
                        f"page '{self.title}': component '{plain(str(component.get('title') or component.get('_id')))}'"
                    )
                    kind = component.get("_component")
                    if kind in QUESTIONS:
                        q = self.question(component, kind)
                        if q is not None and q.usable():
                            pending.append(q)
                            course.note(where, "converted", f"{kind} question")
                        else:
                            course.note(where, "dropped", f"a {kind} question without a right answer marked")
                        continue
                    if pending:
                        parts.append(quiz_markdown(pending, graded=graded))
                        pending = []
                    parts.append(self.component(component, kind, where))
            if pending:
                parts.append(quiz_markdown(pending, graded=graded))
        for ref in self.refused:
            course.note(f"page '{self.title}'", "dropped", f"'{ref}' is not in the package")
        course.note(f"page '{self.title}'", "converted", "a lesson")
        return Lesson(self.title, "\n\n".join(p for p in parts if p.strip()) + "\n")

    def _heading(self, entry: dict[str, Any], marks: str) -> str:
        title = plain(str(entry.get("displayTitle") or ""))
        return f"{marks} {escape(title)}" if title else ""

    def component(self, component: dict[str, Any], kind: Any, where: str) -> str:
        parts = [self._heading(component, "###"), self.html(component.get("body"))]
        if kind == "graphic":
            parts.append(self.graphic(component.get("_graphic")))
        elif kind == "media":
            parts.append(self.video(component))
        elif kind not in ("text", None):
            items = [i for i in component.get("_items") or [] if isinstance(i, dict)]
            for item in items:  # accordion, narrative, hotgraphic…: each item's title and body
                title = plain(str(item.get("title") or item.get("displayTitle") or ""))
                parts += ["#### " + escape(title) if title else "", self.html(item.get("body"))]
                parts.append(self.graphic(item.get("_graphic")))
            detail = f"a '{kind}' component" + (" became text" if items else "")
            self.reading.course.note(where, "approximated" if items else "dropped", detail)
        return "\n\n".join(p for p in parts if p)

    def video(self, component: dict[str, Any]) -> str:
        """A ``media`` component's file (``_media.mp4``, else ``.ogv``, ``.mp3``), titled by the component."""
        media = component["_media"] if isinstance(component.get("_media"), dict) else {}
        src = str(media.get("mp4") or media.get("ogv") or media.get("mp3") or "")
        target = self.converter.resolve(src) if src else None
        if target is None:
            if src:
                self.reading.course.note(f"page '{self.title}'", "dropped", f"the video '{src[:60]}' (not fetched)")
            return ""
        title = plain(str(component.get("displayTitle") or component.get("title") or "")) or "Video"
        return f"![{escape(title)}]({target})"

    def graphic(self, graphic: Any) -> str:
        if not isinstance(graphic, dict):
            return ""
        src = str(graphic.get("large") or graphic.get("src") or graphic.get("small") or "")
        if not src:
            return ""
        target = self.converter.resolve(src)
        if target is None:
            return ""
        alt = plain(str(graphic.get("alt") or "")) or posixpath.splitext(posixpath.basename(src))[0]
        return f"![{escape(alt)}]({target})"

    def question(self, component: dict[str, Any], kind: str) -> Question | None:
        prompt = plain(str(component.get("body") or "")) or plain(str(component.get("displayTitle") or ""))
        prompt = prompt or plain(str(component.get("title") or ""))
        feedback = component["_feedback"] if isinstance(component.get("_feedback"), dict) else {}
        q = Question(prompt=escape(prompt), explanation=self.html(feedback.get("correct")))
        items = [i for i in component.get("_items") or [] if isinstance(i, dict)]
        if kind in ("mcq", "gmcq"):
            q.choices = [
                Choice(escape(plain(str(i.get("text") or ""))), bool(i.get("_shouldBeSelected"))) for i in items
            ]
            right = sum(c.correct for c in q.choices)
            q.kind = "multiple" if right > 1 or (component.get("_selectable") or 1) > 1 else "single"
            if kind == "gmcq":
                q.more = "\n\n".join(g for g in (self.graphic(i.get("_graphic")) for i in items) if g)
        elif kind == "textinput":
            q.kind = "fill"
            if len(items) != 1:
                return None  # several boxes in one question: the format's fill-in has one
            q.answers = [plain(str(a)) for a in items[0].get("_answers") or [] if isinstance(a, str)]
        else:
            q.kind = "match"
            for item in items:
                rights = [o for o in item.get("_options") or [] if isinstance(o, dict) and o.get("_isCorrect")]
                if not rights:
                    return None
                q.pairs.append(
                    (escape(plain(str(item.get("text") or ""))), escape(plain(str(rights[0].get("text") or ""))))
                )
        return q
