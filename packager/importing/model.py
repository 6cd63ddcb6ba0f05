"""What an importer reads out of a Word file, a PowerPoint deck, a SCORM or H5P package: plain data.

Each reader (``docx``, ``pptx``, ``scorm``, ``h5p``) turns one file into an :class:`ImportedCourse`;
one writer turns that into a format-v1 course folder and its ``import-report.md``. Readers never
write files and never decide the folder's layout, so every source gets the same names, the same
front matter and the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Result = Literal["converted", "approximated", "dropped"]


@dataclass
class Lesson:
    title: str
    body: str
    """The lesson's Markdown in format v1 (no front matter); media as ``media/<name>``."""
    minutes: int | None = None
    objectives: list[str] = field(default_factory=list)


@dataclass
class Module:
    title: str
    lessons: list[Lesson] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """One line of the import report: what became of one thing in the source."""

    item: str
    """Where in the source, as its author knows it: "slide 4", "heading 'Scope'", "item 'Quiz 2'"."""
    result: Result
    detail: str = ""


@dataclass
class ImportedCourse:
    title: str
    source: str
    """The imported file's name, for the report."""
    language: str = "en"
    summary: str = ""
    modules: list[Module] = field(default_factory=list)
    media: dict[str, bytes | Path] = field(default_factory=dict)
    """File name under ``media/`` -> its bytes, or a file already extracted (safely) to a temporary folder."""
    outcomes: list[Outcome] = field(default_factory=list)

    def note(self, item: str, result: Result, detail: str = "") -> None:
        self.outcomes.append(Outcome(item, result, detail))
