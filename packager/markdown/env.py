"""What the render rules need to know about the lesson being parsed, and what they collect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import Problem, error, warning
from ..model import MediaRef

Resolver = Callable[[str], str | None]
"""Maps a link or image target written in a lesson to a course-relative path (None: outside the course)."""


@dataclass
class LessonEnv:
    file: str
    """Course-relative path of the lesson, for problems."""
    line_offset: int
    """Lines before the Markdown body (front matter), added to token line numbers."""
    resolve: Resolver
    lesson_ids: dict[str, str]
    """Course-relative lesson path -> lesson id, to turn links between lessons into player links."""
    lang: str = "en"
    strings: dict[str, str] = field(default_factory=dict)
    captions: Callable[[str], list] = lambda src: []
    media: list[MediaRef] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def line(self, zero_based: int) -> int:
        return zero_based + 1 + self.line_offset

    def error(self, zero_based_line: int, message: str) -> None:
        self.problems.append(error(self.file, self.line(zero_based_line), message))

    def error_at(self, line: int, message: str) -> None:
        """Like :meth:`error`, with a line already counted from the top of the file."""
        self.problems.append(error(self.file, line, message))

    def warning(self, zero_based_line: int, message: str) -> None:
        self.problems.append(warning(self.file, self.line(zero_based_line), message))
