"""A package Karmayogi Studio made (any of its SCORM formats): the course comes back as it was written.

``course.js`` holds the outline, the quizzes' settings and points; each lesson script
(``KS.lesson(id, html, answers)``) holds the page the player shows and the answer key. The page's
blocks are the theme's templates (``themes/default/templates/blocks.html``), read back here: call-outs,
reflections, quizzes with every question's prompt, options, feedback and explanation, and media
renditions named back after their source (``welcome.mp4.main.mp4`` -> ``welcome.mp4``, captions from
the tracks). What cannot come back: fill-in answers are stored case-folded, and a media file's original
when the package holds only its rendition.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .html import Choice, Converter, Question, escape, parse_html, quiz_markdown
from .model import Lesson, Module

if TYPE_CHECKING:
    from . import Progress
    from .package import Reading
    from .scorm import Manifest

COURSE_JS = "course.js"
_PREFIX = "window.KS_COURSE = "
_RENDITION = re.compile(r"^(?P<stem>.+?)\.(?:mp4|webm|mov|mkv|mp3|m4a|ogg|wav)\.(?:main|low|audio)\.(?P<ext>\w+)$")


def read(reading: Reading, manifest: Manifest, progress: Progress) -> bool:
    package = reading.package
    if not package.has(COURSE_JS):
        return False
    text = package.text(COURSE_JS).strip()
    if not text.startswith(_PREFIX):
        return False
    data = json.loads(text[len(_PREFIX) :].rstrip(";"))
    course = reading.course
    course.title = data.get("title") or course.title
    course.language = data.get("lang") or course.language
    if package.has("index.html"):
        root = parse_html(package.read("index.html"))
        summary = root.xpath("//*[contains(@class, 'ks-summary')]") if root is not None else []
        course.summary = " ".join(summary[0].text_content().split()) if summary else ""
    quizzes: dict[str, list[dict[str, Any]]] = {q["lesson"]: [] for q in data.get("quizzes", [])}
    for quiz in data.get("quizzes", []):
        quizzes[quiz["lesson"]].append(quiz)
    modules = [Module(m.get("title", "")) for m in data.get("modules", [])]
    lessons = data.get("lessons", [])
    for n, entry in enumerate(lessons, start=1):
        progress(n / max(len(lessons), 1), f"lesson '{entry.get('title', '')}'")
        where = f"lesson '{entry.get('title', '')}'"
        script = package.text(entry["file"])
        start, end = script.find("("), script.rfind(")")
        lesson_id, html, answers = json.loads(f"[{script[start + 1 : end]}]")
        page = _Page(reading, entry["file"], {q["id"]: q for q in quizzes.get(lesson_id, [])}, answers)
        lesson, dropped = page.lesson(html, entry)
        modules[entry["module"]].lessons.append(lesson)
        course.note(where, "approximated" if dropped else "converted", "; ".join(dropped))
    course.modules = [m for m in modules if m.lessons]
    return True


class _Page:
    """One lesson script's page, read back block by block."""

    def __init__(self, reading: Reading, script: str, quizzes: dict[str, Any], answers: dict[str, Any]):
        self.reading, self.quizzes, self.answers = reading, quizzes, answers.get("questions", {})
        self.refused: list[str] = []
        self.page = "index.html"  # media paths in a lesson page are relative to the package's top
        self.converter = Converter(self._resolve, special=self._block)
        self.notes: list[str] = []

    def lesson(self, html: str, entry: dict[str, Any]) -> tuple[Lesson, list[str]]:
        root = parse_html(html)
        if root is None:
            return Lesson(entry.get("title", ""), ""), ["the lesson's page is empty"]
        objectives = [" ".join(li.text_content().split()) for li in root.xpath("//section[@class='ks-objectives']//li")]
        body = root.xpath("//div[@class='ks-body']")
        text = self.converter.markdown(body[0]) if body else ""
        minutes = entry.get("minutes")
        lesson = Lesson(
            entry.get("title", ""), text, round(minutes) if isinstance(minutes, (int, float)) else None, objectives
        )
        dropped = self.notes + self.converter.dropped + [f"'{r}' not in the package" for r in self.refused]
        return lesson, dropped

    def _resolve(self, ref: str) -> str | None:
        path = posixpath.normpath(unquote(ref.split("#")[0]))
        if path.startswith("..") or not self.reading.package.has(path):
            self.refused.append(ref)
            return None
        match = _RENDITION.match(posixpath.basename(path))
        wanted = f"{match['stem']}.{match['ext']}" if match else path
        return self.reading.media.add(
            path, self.reading.package.read(path, limit=self.reading.package.size(path)), wanted
        )

    # the theme's blocks -----------------------------------------------------------------------

    def _block(self, el: Any, converter: Converter) -> str | None:
        classes = set((el.get("class") or "").split())
        if "ks-callout" in classes:
            kind = next((c[3:] for c in classes if c.startswith("ks-") and c != "ks-callout"), "note")
            for title in el.xpath("./p[@class='ks-callout-title']"):
                title.drop_tree()
            return f"::: {kind}\n{self.converter.markdown(el).strip()}\n:::"
        if "ks-reflection" in classes:
            prompt = el.xpath(".//label[contains(@class, 'ks-reflection-prompt')]")
            return f"::: reflection\n{self.converter.markdown(prompt[0]).strip() if prompt else ''}\n:::"
        if "ks-quiz" in classes:
            return self._quiz(el)
        if "ks-media" in classes:
            return self._media(el)
        return None

    def _media(self, figure: Any) -> str:
        player = next(iter(figure.xpath(".//video | .//audio")), None)
        if player is None:
            return ""
        caption = figure.xpath("./figcaption")
        title = " ".join(caption[0].text_content().split()) if caption else ""
        target = self._resolve(player.get("src") or "")
        if target is None:
            return ""
        stem = posixpath.splitext(target)[0]
        for track in player.xpath(".//track[@kind='captions']"):
            lang, src = track.get("srclang") or "", track.get("src") or ""
            if lang and src.startswith("data:text/vtt") and ";base64," in src:
                try:
                    vtt = base64.b64decode(src.split(";base64,", 1)[1], validate=True)
                except binascii.Error:
                    continue
                name = f"{posixpath.basename(stem)}.{lang}.vtt"
                self.reading.media.add(f"\0track:{name}", vtt, name)
        return f"![{escape(title)}]({target})"

    def _quiz(self, section: Any) -> str:
        quiz_id = section.get("data-quiz") or ""
        settings = self.quizzes.get(quiz_id, {})
        graded = section.get("data-graded") == "true"
        options = [f"id={quiz_id}"] if quiz_id else []
        for key, word in (("pass", "pass"), ("draw", "draw"), ("attempts", "attempts")):
            if settings.get(key) is not None and (key != "pass" or graded):
                options.append(f"{word}={settings[key]}")
        points = {q["id"]: q.get("points", 1) for q in settings.get("questions", [])}
        intro_parts = []
        for el in section:
            classes = (el.get("class") or "").split()
            if el.tag == "div" and "ks-questions" in classes:
                break
            if el.tag != "h2" and "ks-quiz-rules" not in classes:
                intro_parts.extend(self.converter.blocks(el) if el.tag == "div" else self.converter.block(el, el.tag))
        forms = section.xpath(".//form[contains(@class, 'ks-q')]")
        questions = [self._question(form, points, f"{quiz_id}-q{n}") for n, form in enumerate(forms, start=1)]
        shuffles = section.xpath(".//div[contains(@class, 'ks-options')]/@data-shuffle")
        kinds = section.xpath(".//form[contains(@class, 'ks-q')]/@data-kind")
        if any(s == "false" for s, k in zip(shuffles, kinds, strict=False) if k != "order"):
            options.append("shuffle=no")
        return quiz_markdown(questions, graded=graded, options=" ".join(options), intro="\n\n".join(intro_parts))

    def _question(self, form: Any, points: dict[str, int], default_id: str) -> Question:
        qid, kind = form.get("data-q") or "", form.get("data-kind") or "single"
        key = self.answers.get(qid, {})
        prompt = form.xpath(".//h3[contains(@class, 'ks-prompt')]")
        more = form.xpath(".//div[contains(@class, 'ks-prompt-more')]")
        explanation = form.xpath(".//div[contains(@class, 'ks-explanation')]")
        q = Question(
            prompt=self.converter.inline_content(prompt[0]) if prompt else "",
            kind=kind,
            more=self.converter.markdown(more[0]) if more else "",
            explanation=self.converter.markdown(explanation[0]) if explanation else "",
            points=points.get(qid, key.get("points", 1)),
            id=qid if qid != default_id else "",
        )
        if kind in ("single", "multiple"):
            correct = set(key.get("correct", []))
            for opt in form.xpath(".//div[contains(@class, 'ks-opt')][@data-o]"):
                label = opt.xpath("./label")
                feedback = opt.xpath("./div[contains(@class, 'ks-opt-fb')]")
                q.choices.append(
                    Choice(
                        self.converter.inline_content(label[0]) if label else "",
                        opt.get("data-o") in correct,
                        self.converter.markdown(feedback[0]) if feedback else "",
                    )
                )
        elif kind == "fill":
            q.answers = list(key.get("answers", []))
            self.notes.append(
                f"fill-in answers of '{q.prompt[:40]}' come back in lower case (the package keeps them so)"
            )
        elif kind == "order":
            rows = {row.get("data-i"): row for row in form.xpath(".//div[contains(@class, 'ks-row')][@data-i]")}
            q.items = [
                self.converter.inline_content(rows[i].xpath("./label")[0]) for i in key.get("correct", []) if i in rows
            ]
        elif kind == "match":
            pairs = key.get("correct", {})
            for row in form.xpath(".//div[contains(@class, 'ks-row')][@data-l]"):
                wanted = pairs.get(row.get("data-l"))
                right = [o for o in row.iter("option") if wanted and o.get("value") == wanted]
                label = row.xpath("./label")
                if label and right:
                    q.pairs.append((self.converter.inline_content(label[0]), escape(right[0].text_content())))
        return q
