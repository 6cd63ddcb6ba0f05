"""H5P files (``.h5p``) -> :class:`ImportedCourse`.

An H5P file is a zip: ``h5p.json`` names the main content type (``mainLibrary``) and
``content/content.json`` holds its parameters; media sit under ``content/``. Read here, recursively
(a Question Set, Column, Course Presentation or Interactive Video holds other content types):
Multiple Choice, True/False, Single Choice Set, Fill in the Blanks (``*answer*``, ``*a/b*``, one
fill-in question per blank), Drag the Words (each gap a choice among the words), Summary, text and
images; an Interactive Video's video file (when it is in the package) and its questions; a Course
Presentation's slides as text with their questions. Everything else is listed as dropped.

H5P text is HTML: it goes through :mod:`.html` (nothing passes as markup). The same reader takes
H5P's SCORM export (:func:`packager.importing.scorm.read` finds ``h5p.json`` inside it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .html import Choice, Converter, Question, escape, escape_keep_edges, fragment, plain, quiz_markdown
from .model import ImportedCourse, Lesson, Module
from .package import UNEXPECTED, Package, PackageError, Reading, resolve_in

if TYPE_CHECKING:
    from . import ImportOptions, Progress

CONTENT = "content/content.json"
Piece = str | Question
"""A lesson is built of Markdown blocks and questions (runs of questions become one quiz)."""
_BLANK = re.compile(r"\*([^*]+)\*")


def read(path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
    package = Package.open(path, options.limits, "h5p.json")
    try:
        course = ImportedCourse(title=path.stem, source=path.name, language=options.language)
        try:
            read_into(Reading(package, course, options), progress, tool="H5P")
        except PackageError:
            raise
        except UNEXPECTED as exc:
            raise PackageError(f"{path.name}: its H5P content is not as expected ({exc!r:.120})") from None
        return course
    finally:
        package.close()


def read_into(reading: Reading, progress: Progress, tool: str) -> None:
    """Fill *reading*'s course from the H5P content at its package's top."""
    package, course = reading.package, reading.course
    meta = package.json("h5p.json")
    meta = meta if isinstance(meta, dict) else {}
    params = package.json(CONTENT)
    course.title = plain(str(meta.get("title") or "")) or course.title
    lang = str(meta.get("language") or "")
    if re.fullmatch(r"[a-z]{2,3}", lang) and lang != "und":  # H5P writes "und" when none was chosen
        course.language = lang
    library = str(meta.get("mainLibrary") or "")
    progress(0.1, f"{tool}: {library}")
    reader = _Reader(reading)
    if library == "H5P.CoursePresentation":
        lessons = reader.presentation(params if isinstance(params, dict) else {})
    else:
        lessons = [Lesson(course.title, reader.body(reader.item(library, params, course.title)))]
    for ref in reader.refused:
        course.note(f"file '{ref}'", "dropped", "not in the package (web addresses are not fetched)")
    course.modules.append(Module(course.title, [lesson for lesson in lessons if lesson.body.strip()]))
    if not course.modules[0].lessons:
        course.note(course.title, "dropped", f"the {library or 'content'} has nothing this format can hold")


def _lib(value: Any) -> str:
    return str(value or "").split(" ")[0]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Reader:
    def __init__(self, reading: Reading):
        self.reading = reading
        self.refused: list[str] = []
        self.converter = Converter(reading.resolver(CONTENT, self.refused))

    def note(self, where: str, result: Any, detail: str = "") -> None:
        self.reading.course.note(where, result, detail)

    def html(self, text: Any) -> str:
        return self.converter.markdown(fragment(str(text or ""))).strip()

    def inline(self, text: Any) -> str:
        """An HTML field as one line of Markdown (a prompt, an option)."""
        return " ".join(self.html(text).split())

    def body(self, pieces: list[Piece], graded: bool = True) -> str:
        out: list[str] = []
        run: list[Question] = []
        for piece in [*pieces, ""]:
            if isinstance(piece, Question):
                run.append(piece)
                continue
            if run:
                out.append(quiz_markdown(run, graded=graded))
                run = []
            if piece.strip():
                out.append(piece)
        return "\n\n".join(out) + "\n"

    # content types -----------------------------------------------------------------------------

    def item(self, library: str, params: Any, where: str) -> list[Piece]:
        kind, p = _lib(library), _dict(params)
        name = kind.removeprefix("H5P.")
        method = CONTENT_TYPES.get(kind)
        if method is None:
            self.note(f"{where}: {name or 'content'}", "dropped", "a content type this format has no form for")
            return []
        pieces: list[Piece] = getattr(self, method)(p, f"{where}: {name}")
        return pieces

    def _sub(self, entry: Any, where: str) -> list[Piece]:
        entry = _dict(entry)
        return self.item(entry.get("library"), entry.get("params"), where)

    def _questionset(self, p: dict[str, Any], where: str) -> list[Piece]:
        intro = _dict(p.get("introPage"))
        pieces: list[Piece] = [self.html(intro.get("introduction"))] if intro.get("showIntroPage") else []
        for n, entry in enumerate(_list(p.get("questions")), start=1):
            pieces += self._sub(entry, f"{where}, question {n}")
        return pieces

    def _column(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        for n, entry in enumerate(_list(p.get("content")), start=1):
            pieces += self._sub(_dict(entry).get("content"), f"{where}, part {n}")
        return pieces

    def _advancedtext(self, p: dict[str, Any], where: str) -> list[Piece]:
        return [self.html(p.get("text"))]

    def _accordion(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        for panel in _list(p.get("panels")):
            panel = _dict(panel)
            pieces.append("### " + escape(plain(str(panel.get("title") or ""))))
            pieces += self._sub(panel.get("content"), where)
        self.note(where, "approximated", "its panels became headed text")
        return pieces

    def _image(self, p: dict[str, Any], where: str) -> list[Piece]:
        path = str(_dict(p.get("file")).get("path") or "")
        target = self.converter.resolve(path) if path else None
        if target is None:
            return []
        alt = plain(str(p.get("alt") or p.get("title") or "")) or "Image"
        if not p.get("alt"):
            self.note(where, "approximated", "the image has no alt text; write one")
        return [f"![{escape(alt)}]({target})"]

    def _media_of(self, p: dict[str, Any], where: str) -> str:
        media = _dict(_dict(p.get("media")).get("type"))
        if _lib(media.get("library")) == "H5P.Image":
            return "\n\n".join(str(x) for x in self._image(_dict(media.get("params")), where))
        return ""

    def _multichoice(self, p: dict[str, Any], where: str) -> list[Piece]:
        q = Question(prompt=self.inline(p.get("question")), more=self._media_of(p, where))
        for answer in _list(p.get("answers")):
            answer = _dict(answer)
            tips = _dict(answer.get("tipsAndFeedback"))
            q.choices.append(
                Choice(
                    self.inline(answer.get("text")), bool(answer.get("correct")), self.html(tips.get("chosenFeedback"))
                )
            )
        right = sum(c.correct for c in q.choices)
        q.kind = "multiple" if right > 1 or _dict(p.get("behaviour")).get("type") == "multi" else "single"
        return self._usable(q, where)

    def _truefalse(self, p: dict[str, Any], where: str) -> list[Piece]:
        l10n = _dict(p.get("l10n"))
        true_text, false_text = plain(str(l10n.get("trueText") or "True")), plain(str(l10n.get("falseText") or "False"))
        right = str(p.get("correct")).lower() == "true"
        q = Question(prompt=self.inline(p.get("question")), more=self._media_of(p, where))
        q.choices = [Choice(escape(true_text), right), Choice(escape(false_text), not right)]
        behaviour = _dict(p.get("behaviour"))
        q.explanation = self.html(behaviour.get("feedbackOnCorrect"))
        return self._usable(q, where)

    def _singlechoiceset(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        for choice in _list(p.get("choices")):
            choice = _dict(choice)
            answers = [self.inline(a) for a in _list(choice.get("answers"))]
            q = Question(prompt=self.inline(choice.get("question")))
            q.choices = [Choice(a, n == 0) for n, a in enumerate(answers)]  # H5P keeps the right one first
            pieces += self._usable(q, where)
        return pieces

    def _summary(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        intro = self.inline(p.get("intro")) or "Choose the correct statement."
        for group in _list(p.get("summaries")):
            statements = [self.inline(s) for s in _list(_dict(group).get("summary"))]
            q = Question(prompt=intro, choices=[Choice(s, n == 0) for n, s in enumerate(statements)])
            pieces += self._usable(q, where)
        return pieces

    def _blanks(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        for number, sentence in enumerate(_list(p.get("questions")), start=1):
            text = plain(str(sentence))
            blanks = _BLANK.findall(text)
            for n, blank in enumerate(blanks, start=1):
                answers = [a.strip() for a in _unescape_colon(blank)[0].split("/") if a.strip()]
                q = Question(prompt=_gapped(text, n, len(blanks)), kind="fill", answers=answers)
                pieces += self._usable(q, f"{where}, sentence {number} blank {n}", approximate=len(blanks) > 1)
        _describe(pieces, self.html(p.get("text")))
        if any(len(_BLANK.findall(plain(str(s)))) > 1 for s in _list(p.get("questions"))):
            self.note(where, "approximated", "a sentence with several blanks became one question per blank")
        return pieces

    def _dragtext(self, p: dict[str, Any], where: str) -> list[Piece]:
        pieces: list[Piece] = []
        text = str(p.get("textField") or "")
        words = [_unescape_colon(w)[0].strip() for w in _BLANK.findall(text)]
        distractors = [_unescape_colon(w)[0].strip() for w in _BLANK.findall(str(p.get("distractors") or ""))]
        options = list(dict.fromkeys([*words, *distractors]))
        lines = [part for part in text.splitlines() if _BLANK.search(part)]
        for number, line in enumerate(lines, start=1):
            gaps = _BLANK.findall(line)
            for n, gap in enumerate(gaps, start=1):
                word = _unescape_colon(gap)[0].strip()
                q = Question(prompt=_gapped(line, n, len(gaps)))
                q.choices = [Choice(escape(o), o == word) for o in options]
                pieces += self._usable(q, f"{where}, line {number} gap {n}", approximate=True)
        _describe(pieces, self.html(p.get("taskDescription")))
        self.note(where, "approximated", "each gap became a choice among the words to drag")
        return pieces

    def _interactivevideo(self, p: dict[str, Any], where: str) -> list[Piece]:
        iv = _dict(p.get("interactiveVideo"))
        video = _dict(iv.get("video"))
        title = plain(str(_dict(video.get("startScreenOptions")).get("title") or "")) or "Video"
        pieces: list[Piece] = []
        files = [_dict(f) for f in _list(video.get("files"))]
        path = str(files[0].get("path") or "") if files else ""
        local = resolve_in(CONTENT, path) if path else None
        target = self.converter.resolve(path) if local else None
        if target:
            pieces.append(f"![{escape(title)}]({target})")
            self.note(f"{where}: video", "converted", "the video file")
        else:
            self.note(f"{where}: video", "dropped", f"'{path[:60]}' is not a file in the package (not fetched)")
        interactions = [_dict(i) for i in _list(_dict(iv.get("assets")).get("interactions"))]
        interactions.sort(key=_start)  # in time order (H5P lists them in the order they were added)
        for n, interaction in enumerate(interactions, start=1):
            at = _dict(interaction.get("duration")).get("from")
            label = f"{where}, interaction {n}" + (f" at {_clock(at)}" if isinstance(at, (int, float)) else "")
            pieces += self._sub(interaction.get("action"), label)
        summary = _dict(_dict(iv.get("summary")).get("task"))
        if summary:
            pieces += self._sub(summary, f"{where}, summary")
        return pieces

    def presentation(self, p: dict[str, Any]) -> list[Lesson]:
        """A Course Presentation: one lesson, a section per slide (text, images, questions)."""
        title = self.reading.course.title
        pieces: list[Piece] = []
        for n, slide in enumerate(_list(_dict(p.get("presentation")).get("slides")), start=1):
            slide = _dict(slide)
            keywords = [plain(str(_dict(k).get("main") or "")) for k in _list(slide.get("keywords"))]
            pieces.append(f"## {escape(keywords[0]) if keywords and keywords[0] else f'Slide {n}'}")
            for element in _list(slide.get("elements")):
                pieces += self._sub(_dict(element).get("action"), f"slide {n}")
        return [Lesson(title, self.body(pieces, graded=False))]

    def _usable(self, q: Question, where: str, approximate: bool = False) -> list[Piece]:
        if q.usable():
            self.note(f"{where}: '{_short(q.prompt)}'", "approximated" if approximate else "converted")
            return [q]
        self.note(f"{where}: '{_short(q.prompt)}'", "dropped", "no right answer this format can hold")
        return []


def _describe(pieces: list[Piece], description: str) -> None:
    """A task's description goes with its first question (so a Question Set stays one quiz)."""
    first = next((p for p in pieces if isinstance(p, Question)), None)
    if first is not None and description:
        first.more = "\n\n".join(x for x in (description, first.more) if x)
    elif description:
        pieces.insert(0, description)


CONTENT_TYPES = {
    "H5P.QuestionSet": "_questionset",
    "H5P.Column": "_column",
    "H5P.AdvancedText": "_advancedtext",
    "H5P.Text": "_advancedtext",
    "H5P.Accordion": "_accordion",
    "H5P.Image": "_image",
    "H5P.MultiChoice": "_multichoice",
    "H5P.TrueFalse": "_truefalse",
    "H5P.SingleChoiceSet": "_singlechoiceset",
    "H5P.Summary": "_summary",
    "H5P.Blanks": "_blanks",
    "H5P.DragText": "_dragtext",
    "H5P.InteractiveVideo": "_interactivevideo",
}
"""The content types read, by machine name (``h5p.json``'s ``mainLibrary``, a sub-content's
``library`` without its version), and the method that reads each. A Course Presentation is
read at the top only (:meth:`_Reader.presentation`): it is a whole lesson, not a part of one."""


def _unescape_colon(blank: str) -> tuple[str, str]:
    """``answer:tip`` (``\\:`` is a colon of the answer) -> (answer, tip)."""
    parts = re.split(r"(?<!\\):", blank, maxsplit=1)
    return parts[0].replace("\\:", ":"), parts[1] if len(parts) > 1 else ""


def _gapped(text: str, which: int, count: int) -> str:
    """*text* with its blanks as gaps, escaped; with several, the one asked for is marked."""
    out, last = [], 0
    for n, match in enumerate(_BLANK.finditer(text), start=1):
        out.append(escape_keep_edges(text[last : match.start()]))
        out.append("\\_\\_\\_\\_\\_" + (f" ({n})" if count > 1 else ""))
        last = match.end()
    out.append(escape_keep_edges(text[last:]))
    line = " ".join("".join(out).split())
    return f"{line} (blank {which})" if count > 1 else line


def _start(interaction: dict[str, Any]) -> float:
    """When an interaction shows, in seconds (one without a time goes last)."""
    at = _dict(interaction.get("duration")).get("from")
    return float(at) if isinstance(at, (int, float)) else float("inf")


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _short(markdown: str) -> str:
    return " ".join(markdown.replace("\\", "").split())[:50]
