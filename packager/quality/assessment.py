"""Durations and assessment: lessons within the micro-learning limit, a course total iGOT's duration
field takes, and an assessment item per stated objective and per competency. Only a total iGOT cannot
take is an error; the rest is advice (docs/igot.md)."""

from __future__ import annotations

import re

from ..errors import ExportError, Problem, error, warning
from ..model import Competency, Course, Question
from . import reading
from .report import Criterion, percent
from .scope import Scope, front_lines, yml_lines

MAX_LESSON_MINUTES = 15
"""Micro-learning: the limit of docs/format.md (``checks/timing.py`` warns on it too)."""


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
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: a stray "<" ends a try at once (linear)


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
                line = front_lines(course, lesson).get(("objectives", lesson.objectives.index(objective)), 1)
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
    lines = yml_lines(course)
    for i, c in enumerate(course.competencies):
        stated.setdefault((c.area, c.theme, c.subtheme), ("course.yml", lines.get(("competencies", i))))
    for lesson in course.lessons:
        for i, c in enumerate(lesson.competencies):
            stated.setdefault(
                (c.area, c.theme, c.subtheme), (lesson.path, front_lines(course, lesson).get(("competencies", i), 1))
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
