"""What every criterion of the quality pre-check is given (:class:`Scope`), and the source lines the model
does not keep (front matter keys, course.yml keys), read again where a finding needs one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import yamlsrc
from ..model import Course, Lesson

KeyLines = dict[tuple[str | int, ...], int]


@dataclass
class Scope:
    """The languages built, and the catalogs several criteria read."""

    langs: list[str]
    catalogs: dict[str, Any] = field(default_factory=dict)
    """Each translation's parsed catalog (``polib.POFile``) that could be read."""

    def entries(self) -> list[tuple[str, Any]]:
        """Every entry in use of every catalog, as (lang, ``polib.POEntry``)."""
        return [(lang, e) for lang, po in self.catalogs.items() for e in po if not e.obsolete]


def front_lines(course: Course, lesson: Lesson) -> KeyLines:
    """The line of each key path of *lesson*'s front matter (the model keeps none for objectives)."""
    from ..lesson import split_front_matter

    try:
        text = (course.root / lesson.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    front, _, _ = split_front_matter(text, lesson.path, [])
    return yamlsrc.parse(front, lesson.path, line_offset=1).lines if front is not None else {}


def yml_lines(course: Course) -> KeyLines:
    """The line of each key path of course.yml."""
    try:
        return yamlsrc.parse((course.root / "course.yml").read_text("utf-8"), "course.yml").lines
    except (OSError, UnicodeDecodeError):
        return {}
