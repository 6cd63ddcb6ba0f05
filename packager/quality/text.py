"""Criteria over the text in every language: no personal data (an error for what identifies a person:
mobile numbers, Aadhaar, PAN, personal e-mail; advice for office numbers and addresses), and the reading
level of the source text (advice)."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, warning
from ..model import Course
from . import personal, reading
from .report import Criterion, percent
from .scope import Scope

MAX_FILE_BYTES = 4 << 20
"""Text files scanned for personal data beyond this size are scanned up to it (lessons stop at 256 KB)."""
WORDS_PER_SENTENCE = 25
FLESCH_AT_LEAST = 50


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
            for entry in po
            if not entry.obsolete
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
