"""Problems an author can act on, and the exceptions the library raises.

Every problem names a file (relative to the course folder) and, where there is one, a line, so that
the CLI can print ``FILE:LINE: error: message`` and the studio can link to the place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a course, at a place in its source."""

    file: str
    """Path relative to the course folder, with forward slashes."""
    line: int | None
    """1-based line number, or None when the problem is about the whole file."""
    severity: Severity
    message: str

    def format(self, prefix: str = "") -> str:
        """``FILE:LINE: severity: message``; *prefix* is prepended to the file (e.g. the course folder).

        >>> Problem("course.yml", 3, "error", "unknown key 'titel'").format("my-course/")
        "my-course/course.yml:3: error: unknown key 'titel'"
        """
        where = f"{prefix}{self.file}" + (f":{self.line}" if self.line else "")
        return f"{where}: {self.severity}: {self.message}"

    def __str__(self) -> str:
        return self.format()


def error(file: str, line: int | None, message: str) -> Problem:
    return Problem(file, line, "error", message)


def warning(file: str, line: int | None, message: str) -> Problem:
    return Problem(file, line, "warning", message)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix, or "" when nothing is close.

    >>> did_you_mean("titel", ["title", "summary"])
    " (did you mean 'title'?)"
    """
    import difflib  # only when a problem is reported: every build imports this module

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class StudioError(Exception):
    """Base class of the errors this library raises on bad input."""


class CourseError(StudioError):
    """The course has errors; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = sum(p.severity == "error" for p in problems)
        super().__init__(f"the course has {count} error{'s' if count != 1 else ''}")


class ExportError(StudioError):
    """A package could not be written (unknown format, bad option, unrepresentable course)."""


class LessonTooComplex(StudioError):
    """Parsing a lesson ran past the CPU budget its caller gave it (the studio's live preview does)."""
