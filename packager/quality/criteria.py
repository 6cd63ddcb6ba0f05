"""The measured criteria of the quality pre-check: one function each, ``(Course, Scope) -> Criterion``.

Which findings are errors (the pre-check fails, and so does the catalogue's gate) and which are advice is
decided here, criterion by criterion, and documented in docs/igot.md: an error is what breaks a law or a
level-A success criterion of WCAG 2.1 (which GIGW 3.0 adopts) and the partner can always fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import yamlsrc
from ..errors import ExportError, Problem, error, warning
from ..model import Competency, Course, Lesson, MediaRef, Question
from . import credits, personal, reading
from .report import Criterion, percent

MAX_LESSON_MINUTES = 15
"""Micro-learning: the limit of docs/format.md (``checks/timing.py`` warns on it too)."""
MAX_FILE_BYTES = 4 << 20
"""Text files scanned for personal data beyond this size are scanned up to it (lessons stop at 256 KB)."""
WORDS_PER_SENTENCE = 25
FLESCH_AT_LEAST = 50
GENERIC_ALT = frozenset(
    {
        "image", "picture", "photo", "photograph", "figure", "fig", "chart", "graph", "diagram", "graphic", "icon",
        "logo", "img", "screenshot", "illustration", "banner", "placeholder", "untitled",
    }
)  # fmt: skip
MEDIA_EXT = r"\.(?:png|jpe?g|webp|gif|svg|mp4|webm|mov|mkv|mp3|m4a|ogg|wav)"
_FILE_NAME = re.compile(rf"^[\w .()-]{{0,200}}{MEDIA_EXT}$", re.IGNORECASE)


@dataclass
class Scope:
    """What the pre-check looks at: the languages built and what several criteria share."""

    langs: list[str]
    catalogs: dict[str, object] = field(default_factory=dict)
    """Each translation's parsed catalog (``polib.POFile``), or None where it cannot be read."""


# --- captions and transcripts ---------------------------------------------------------------------------


def captions(course: Course, scope: Scope) -> Criterion:
    videos = _uses(course, "video")
    problems = list(_missing_tracks(course, videos, scope.langs, "has no captions", "a caption track"))
    good = sum(1 for lesson, ref in videos if not _missing_langs(ref, scope.langs))
    langs = ", ".join(scope.langs)
    measured = (
        f"{good} of {len(videos)} videos have captions in every language built ({langs})" if videos else "no videos"
    )
    return Criterion(
        "captions",
        "Captions on every video",
        "WCAG 2.1 SC 1.2.2 (A), GIGW 3.0",
        percent(good, len(videos)),
        measured,
        tuple(problems),
    )


def transcripts(course: Course, scope: Scope) -> Criterion:
    audios, videos = _uses(course, "audio"), _uses(course, "video")
    problems = list(_missing_tracks(course, audios, scope.langs, "has no transcript", "a transcript (a caption file)"))
    good = sum(1 for lesson, ref in audios if not _missing_langs(ref, scope.langs))
    for lesson, ref in videos:
        if _video_transcript(lesson, ref):
            good += 1
        else:
            stem = ref.src.rsplit(".", 1)[0]
            problems.append(
                warning(
                    lesson.path,
                    ref.line,
                    f"video '{ref.src}' has no transcript: link one in this lesson, e.g. "
                    f"[Transcript of the video (PDF)]({stem}.transcript.pdf)",
                )
            )
    total = len(audios) + len(videos)
    measured = f"{good} of {total} audio and video files have a transcript" if total else "no audio or video"
    return Criterion(
        "transcripts",
        "Transcripts for audio and video",
        "WCAG 2.1 SC 1.2.1 and 1.2.3 (A), GIGW 3.0",
        percent(good, total),
        measured,
        tuple(problems),
    )


def _uses(course: Course, kind: str) -> list[tuple[Lesson, MediaRef]]:
    return [(lesson, ref) for lesson in course.lessons for ref in lesson.media if ref.kind == kind]


def _missing_langs(ref: MediaRef, langs: list[str]) -> list[str]:
    have = {c.lang for c in ref.captions}
    return [lang for lang in langs if lang not in have]


def _missing_tracks(
    course: Course, uses: list[tuple[Lesson, MediaRef]], langs: list[str], says: str, what: str
) -> Iterator[Problem]:
    """The source language's missing track is an error (no learner has one); a translation's is advice:
    its learners get the other languages' tracks meanwhile."""
    for lesson, ref in uses:
        missing = _missing_langs(ref, langs)
        if not missing:
            continue
        stem = ref.src.rsplit(".", 1)[0]
        files = ", ".join(f"{stem}.{lang}.vtt" for lang in missing)
        text = f"{ref.kind} '{ref.src}' {says} in {', '.join(missing)}: add {what} ({files})"
        if course.language in missing or not ref.captions:
            yield error(lesson.path, ref.line, text)
        else:
            yield warning(lesson.path, ref.line, text)


def _video_transcript(lesson: Lesson, ref: MediaRef) -> bool:
    """A video's transcript: an attachment linked in the same lesson whose file name or link text says
    transcript (in the lesson's own words only English is recognised; the file name works in any)."""
    return any(
        m.kind == "attachment" and ("transcript" in m.src.lower() or "transcript" in m.text.lower())
        for m in lesson.media
    )


# --- alt text ---------------------------------------------------------------------------------------------


def alt_text(course: Course, scope: Scope) -> Criterion:
    problems: list[Problem] = []
    images = _uses(course, "image")
    good = 0
    for lesson, ref in images:
        alt = ref.text.strip()
        name = ref.src.rsplit("/", 1)[-1]
        if not alt:
            problems.append(
                error(lesson.path, ref.line, f"image '{ref.src}' has no alt text: say what it shows and why")
            )
        elif _is_file_name(alt, name):
            problems.append(
                error(lesson.path, ref.line, f"image '{ref.src}' has its file name as alt text: say what it shows")
            )
        elif alt.lower().strip(".") in GENERIC_ALT:
            problems.append(
                warning(lesson.path, ref.line, f"image '{ref.src}' has the alt text '{alt}': say what it shows")
            )
        else:
            good += 1
    for lang, po in scope.catalogs.items():
        for entry in _entries(po):
            if "|alt|" in (entry.msgctxt or "") and entry.msgstr and _FILE_NAME.match(entry.msgstr.strip()):
                problems.append(
                    error(
                        f"translations/{lang}.po",
                        entry.linenum,
                        "alt text translated as a file name: say what it shows",
                    )
                )
    measured = f"{good} of {len(images)} images have meaningful alt text" if images else "no images"
    return Criterion(
        "alt-text",
        "Alt text on every image",
        "WCAG 2.1 SC 1.1.1 (A), GIGW 3.0",
        percent(good, len(images)),
        measured,
        tuple(problems),
    )


def _is_file_name(alt: str, name: str) -> bool:
    lowered, stem = alt.lower(), name.lower().rsplit(".", 1)[0]
    return lowered in (name.lower(), stem) or bool(_FILE_NAME.match(alt)) or re.sub(r"[-_ ]+", " ", stem) == lowered


# --- durations ------------------------------------------------------------------------------------------


def durations(course: Course, scope: Scope) -> Criterion:
    from ..export.scorm import learning_seconds  # the same rule the iGOT export's `duration` uses

    problems: list[Problem] = []
    lessons = course.lessons
    for lesson in lessons:
        if lesson.learning_minutes > MAX_LESSON_MINUTES:
            problems.append(
                warning(
                    lesson.path,
                    lesson.minutes_line or 1,
                    f"lesson takes {round(lesson.learning_minutes, 1):g} minutes; micro-learning lessons take at most "
                    f"{MAX_LESSON_MINUTES}: split it",
                )
            )
    good = len(lessons) - len(problems)
    total = f"course total {round(course.learning_minutes)} min"
    try:
        total += f" (iGOT duration {learning_seconds(course)} s)"
    except ExportError as exc:
        problems.append(error("course.yml", None, str(exc)))
        total += " does not fit iGOT's duration field"
    measured = f"{good} of {len(lessons)} lessons within {MAX_LESSON_MINUTES} minutes; {total}"
    return Criterion(
        "durations",
        "Micro-learning durations",
        "iGOT duration field; lessons of at most 15 minutes",
        percent(good, len(lessons)),
        measured,
        tuple(problems),
    )


# --- assessment items per objective and per competency ----------------------------------------------------

_STOP = frozenset(
    {
        "the", "and", "for", "with", "from", "into", "onto", "about", "what", "when", "where", "which", "while", "who",
        "whom", "whose", "how", "why", "your", "yours", "you", "their", "they", "them", "this", "that", "these",
        "those", "its", "are", "was", "were", "been", "being", "have", "has", "had", "not", "but", "all", "any", "each",
        "every", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "can", "may", "might",
        "must", "should", "would", "could", "will", "shall", "own", "out", "over", "under", "apart", "upon", "our",
        "ours", "his", "her", "hers", "him", "she", "let", "lets", "get", "gets", "got", "also", "than", "then",
        "there", "here", "such", "describe", "explain", "name", "state", "find", "decide", "recognise", "recognize",
        "apply", "tell", "follow", "write", "plan", "list", "identify", "sort", "set", "use", "understand", "know",
        "define", "compare", "choose", "give", "show", "outline", "summarise", "summarize", "discuss", "demonstrate",
        "distinguish", "select", "prepare", "draft", "complete", "learner", "learners", "able", "asks", "ask", "course",
        "lesson",
    }
)  # fmt: skip
_TAG = re.compile(r"<[^>]*>")


def _stems(text: str) -> set[str]:
    """Content words of *text*, folded: lower case, a plural ``s`` off, the first six letters.

    >>> sorted(_stems("Name the three kinds of competency in the framework"))
    ['compet', 'framew', 'kind']
    """
    out = set()
    for word in reading.words(_TAG.sub(" ", text).lower()):
        word = word.strip("'’")
        if len(word) < 3 or word in _STOP or word.isdigit():
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word[:6])
    return out


def _question_text(q: Question) -> str:
    parts = [q.prompt_text, q.prompt_more_html, q.explanation_html, *q.answers]
    parts += [o.html for o in q.options] + [i.html for i in q.items]
    parts += [p.left.html + " " + p.right.html for p in q.pairs]
    return " ".join(parts)


def objectives(course: Course, scope: Scope) -> Criterion:
    """Heuristic (the format has no link from a question to an objective): an objective is assessed when
    its lesson has questions and that one objective, or when a question of its lesson, or of any graded
    quiz of the course, shares two of its content words (one, if it has only one)."""
    graded = [(q, _stems(_question_text(q))) for quiz in course.quizzes if quiz.graded for q in quiz.questions]
    problems, good, total = [], 0, 0
    for lesson in course.lessons:
        own = [(q, _stems(_question_text(q))) for quiz in lesson.quizzes for q in quiz.questions]
        for objective in lesson.objectives:
            total += 1
            words = _stems(objective)
            need = min(2, len(words))
            alone = len(lesson.objectives) == 1 and bool(own)
            if alone or (need and any(len(words & s) >= need for _, s in own + graded)):
                good += 1
            else:
                line = _front_lines(course, lesson).get(("objectives", lesson.objectives.index(objective)), 1)
                problems.append(
                    warning(
                        lesson.path,
                        line,
                        f"no question assesses the objective '{objective[:80]}': add one that uses its words",
                    )
                )
    measured = f"{good} of {total} objectives have an assessment item" if total else "no objectives stated"
    return Criterion(
        "objectives",
        "An assessment item per objective",
        "iGOT content quality: assessment",
        percent(good, total),
        measured,
        tuple(problems),
    )


def competencies(course: Course, scope: Scope) -> Criterion:
    stated: dict[tuple[str, str, str | None], tuple[str, int | None]] = {}
    lines = _yml_lines(course)
    for i, c in enumerate(course.competencies):
        stated.setdefault((c.area, c.theme, c.subtheme), ("course.yml", lines.get(("competencies", i))))
    for lesson in course.lessons:
        for i, c in enumerate(lesson.competencies):
            stated.setdefault(
                (c.area, c.theme, c.subtheme), (lesson.path, _front_lines(course, lesson).get(("competencies", i), 1))
            )
    tested = [
        t
        for lesson in course.lessons
        for quiz in lesson.quizzes
        for q in quiz.questions
        for t in course.competencies_of(lesson, q)
    ]
    problems, good = [], 0
    for (area, theme, sub), (file, line) in stated.items():
        if any(_same(Competency(area, theme, sub), t) for t in tested):
            good += 1
        else:
            name = " / ".join(x for x in (area, theme, sub) if x)
            problems.append(warning(file, line, f"no question tests the competency {name}: add one (competency=)"))
    measured = f"{good} of {len(stated)} competencies have an assessment item" if stated else "no competencies stated"
    return Criterion(
        "competencies",
        "An assessment item per competency",
        "iGOT content quality: assessment",
        percent(good, len(stated)),
        measured,
        tuple(problems),
    )


def _same(stated: Competency, tested: Competency) -> bool:
    """A question tests a stated competency when area and theme agree and, where both name one, the subtheme."""
    return (
        stated.area == tested.area
        and stated.theme == tested.theme
        and (not stated.subtheme or not tested.subtheme or stated.subtheme == tested.subtheme)
    )


def _front_lines(course: Course, lesson: Lesson) -> dict[tuple[str | int, ...], int]:
    """The line of each key path of *lesson*'s front matter (the model keeps none for objectives)."""
    from ..lesson import split_front_matter

    try:
        text = (course.root / lesson.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    front, _, _ = split_front_matter(text, lesson.path, [])
    return yamlsrc.parse(front, lesson.path, line_offset=1).lines if front is not None else {}


def _yml_lines(course: Course) -> dict[tuple[str | int, ...], int]:
    try:
        return yamlsrc.parse((course.root / "course.yml").read_text("utf-8"), "course.yml").lines
    except (OSError, UnicodeDecodeError):
        return {}


# --- licences of media files -------------------------------------------------------------------------------


def media_licences(course: Course, scope: Scope) -> Criterion:
    found = credits.read(course)
    problems = list(found.problems)
    first_use: dict[str, tuple[str, int | None]] = {}
    if course.thumbnail:
        first_use[course.thumbnail] = ("course.yml", _yml_lines(course).get(("thumbnail",)))
    for lesson in course.lessons:
        for ref in lesson.media:
            first_use.setdefault(ref.src, (lesson.path, ref.line))
    files = [src for src in first_use if (course.root / src).is_file()]
    files += _variants(course, files)
    good = 0
    for src in files:
        if found.of(src) is not None:
            good += 1
            continue
        where, line = first_use.get(src, (credits.FILE, None))
        problems.append(warning(where, line, f"'{src}' has no licence declared: add it to {credits.FILE}"))
    for name, credit in found.entries.items():
        if not name.endswith("/") and not (course.root / name).is_file():
            problems.append(warning(credits.FILE, credit.line, f"'{name}' is not a file of the course"))
    measured = f"{good} of {len(files)} media files have a licence declared" if files else "no media files"
    if files and not found.found:
        measured += f" (no {credits.FILE})"
    return Criterion(
        "media-licences",
        "Licence of every media file",
        "iGOT content partner terms: rights to all content",
        percent(good, len(files)),
        measured,
        tuple(problems),
    )


def _variants(course: Course, files: list[str]) -> list[str]:
    """The translations' own copies of media files (``media/x.hi.png``)."""
    out = []
    for src in files:
        if "." in src.rsplit("/", 1)[-1]:
            stem, ext = src.rsplit(".", 1)
            out += [
                f"{stem}.{lang}.{ext}"
                for lang in course.translations
                if (course.root / f"{stem}.{lang}.{ext}").is_file()
            ]
    return out


# --- personal data -------------------------------------------------------------------------------------------


def personal_data(course: Course, scope: Scope) -> Criterion:
    problems: list[Problem] = []
    scanned = 0
    clean = 0
    for file in _source_files(course):
        scanned += 1
        found = list(_scan_file(course, file))
        clean += not found
        problems += found
    for lang, po in scope.catalogs.items():
        scanned += 1
        file = f"translations/{lang}.po"
        found = [
            _problem(file, entry.linenum, f)
            for entry in _entries(po)
            for text in (entry.msgstr, *entry.msgstr_plural.values())
            for f in personal.find(text)
        ]
        clean += not found
        problems += found
    measured = (
        f"{clean} of {scanned} files have no personal data patterns (source and {len(scope.catalogs)} translations)"
    )
    return Criterion(
        "personal-data",
        "No personal data",
        "Digital Personal Data Protection Act 2023; Aadhaar Act 2016, s. 29",
        percent(clean, scanned),
        measured,
        tuple(problems),
    )


def _source_files(course: Course) -> list[str]:
    files = ["course.yml", *(lesson.path for lesson in course.lessons)]
    files += sorted({c.src for lesson in course.lessons for ref in lesson.media for c in ref.captions})
    return files


def _scan_file(course: Course, file: str) -> Iterator[Problem]:
    try:
        with open(course.root / file, "rb") as fh:
            text = fh.read(MAX_FILE_BYTES).decode("utf-8", "replace")
    except OSError:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        for f in personal.find(line):
            yield _problem(file, number, f)


def _problem(file: str, line: int | None, f: personal.Finding) -> Problem:
    return Problem(file, line, f.severity, f"{f.why} ({f.text}): remove it, or use an invented example")


def _entries(po: object) -> list:  # type: ignore[type-arg]
    return [e for e in po if not e.obsolete] if po is not None else []  # type: ignore[attr-defined]


# --- reading level --------------------------------------------------------------------------------------------


def reading_level(course: Course, scope: Scope) -> Criterion:
    english = course.language.split("-")[0] == "en"
    problems, good, measured_lessons = [], 0, 0
    texts = []
    for lesson in course.lessons:
        text = reading.prose(lesson)
        texts.append(text)
        level = reading.level(text, course.language)
        if level is None:
            continue
        measured_lessons += 1
        hard = []
        if english and level.flesch is not None and level.flesch < FLESCH_AT_LEAST:
            hard.append(f"Flesch reading ease {level.flesch:.0f} (grade {level.grade:.1f}), below {FLESCH_AT_LEAST}")
        if level.words_per_sentence > WORDS_PER_SENTENCE:
            hard.append(f"{level.words_per_sentence:.1f} words a sentence, over {WORDS_PER_SENTENCE}")
        if hard:
            problems.append(
                warning(
                    lesson.path, lesson.body_line, f"hard to read: {'; '.join(hard)}: use shorter sentences and words"
                )
            )
        else:
            good += 1
    whole = reading.level("\n".join(texts), course.language)
    if whole is None:
        measured = "too little text to measure"
    elif english and whole.flesch is not None:
        measured = (
            f"Flesch reading ease {whole.flesch:.0f}, Flesch-Kincaid grade {whole.grade:.1f} "
            f"({whole.words} words, {whole.words_per_sentence:.1f} words a sentence)"
        )
    else:
        measured = (
            f"{whole.words_per_sentence:.1f} words a sentence, {whole.letters_per_word:.1f} letters a word "
            f"({whole.words} words in '{course.language}'; no reading-ease formula is validated for it)"
        )
    return Criterion(
        "reading-level",
        "Reading level of the source text",
        "WCAG 2.1 SC 3.1.5 (AAA), plain language",
        percent(good, measured_lessons),
        measured,
        tuple(problems),
    )
