"""``media/credits.yml``: who made each media file and under what licence (a format v1 extension), and
the criterion that every media file has one (a file without is advice; a malformed entry is an error).

Keys are course-relative paths of media files, or of folders (ending in ``/``) whose every file the
entry covers; a file's own entry wins over its folder's. A value is a mapping with ``license`` (an SPDX
id, required), ``source`` (where it came from: an address, or "made for this course") and ``author``;
or the word ``course``: the course made the file itself, so course.yml's ``license`` covers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import yamlsrc
from ..errors import Problem, error, warning
from ..model import Course
from ..patterns import LICENSE_PATTERN
from .report import Criterion, percent
from .scope import Scope, yml_lines

FILE = "media/credits.yml"
MAX_BYTES = 1 << 20
FIELDS = ("license", "source", "author")


@dataclass(frozen=True)
class Credit:
    license: str
    source: str = ""
    author: str = ""
    line: int | None = None


@dataclass
class Credits:
    entries: dict[str, Credit] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    found: bool = False
    """Whether the course has the file at all."""

    def of(self, path: str) -> Credit | None:
        """The credit covering the course-relative *path*: its own entry, else its nearest folder's."""
        if path in self.entries:
            return self.entries[path]
        parts = path.split("/")[:-1]
        for end in range(len(parts), 0, -1):
            folder = "/".join(parts[:end]) + "/"
            if folder in self.entries:
                return self.entries[folder]
        return None


def read(course: Course) -> Credits:
    """The course's credits; problems (with lines) for what the file gets wrong. Never raises."""
    path = course.root / FILE
    if path.is_symlink() or not path.is_file():  # the course folder's rule: symbolic links are not read
        return Credits()
    if path.stat().st_size > MAX_BYTES:
        return Credits(problems=[error(FILE, 1, f"credits file is larger than {MAX_BYTES >> 10} KB")], found=True)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        bad = path.read_bytes()[: exc.start].count(b"\n") + 1
        return Credits(problems=[error(FILE, bad, "not valid UTF-8 text")], found=True)
    doc = yamlsrc.parse(text, FILE)
    credits = Credits(problems=list(doc.problems), found=True)
    if doc.value is None or doc.problems:
        return credits
    if not isinstance(doc.value, dict):
        credits.problems.append(error(FILE, 1, "credits must be a mapping: media file -> license, source, author"))
        return credits
    for key, value in doc.value.items():
        line = doc.lines.get((key,))
        name = str(key).strip()
        if not name or name.startswith("/") or "\\" in name or ".." in name.split("/"):
            credits.problems.append(error(FILE, line, f"'{name[:60]}' is not a path inside the course"))
            continue
        credit = _credit(course, value, name, line, doc, credits.problems)
        if credit is not None:
            credits.entries[name] = credit
    return credits


def _credit(
    course: Course, value: object, name: str, line: int | None, doc: yamlsrc.YamlDoc, problems: list[Problem]
) -> Credit | None:
    if value == "course":
        if not course.license:
            problems.append(error(FILE, line, f"'{name}': 'course' needs a license in course.yml"))
            return None
        return Credit(course.license, "made for this course", ", ".join(course.authors), line)
    if not isinstance(value, dict):
        problems.append(error(FILE, line, f"'{name}': give license, source and author, or the word 'course'"))
        return None
    for key in value:
        if key not in FIELDS:
            problems.append(
                error(FILE, doc.lines.get((name, key), line), f"'{name}': unknown key '{key}' ({', '.join(FIELDS)})")
            )
    licence = value.get("license")
    if not isinstance(licence, str) or not re.fullmatch(LICENSE_PATTERN, licence):
        problems.append(error(FILE, line, f"'{name}': license must be an SPDX id such as CC-BY-4.0"))
        return None
    source, author = (str(value.get(k) or "")[:2000] for k in ("source", "author"))
    if not source:
        problems.append(warning(FILE, line, f"'{name}': say where it came from (source:)"))
    return Credit(licence, source, author, line)


# --- the criterion ------------------------------------------------------------------------------------


def media_licences(course: Course, scope: Scope) -> Criterion:
    found = read(course)
    problems = list(found.problems)
    first_use: dict[str, tuple[str, int | None]] = {}
    if course.thumbnail:
        first_use[course.thumbnail] = ("course.yml", yml_lines(course).get(("thumbnail",)))
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
        where, line = first_use.get(src, (FILE, None))
        problems.append(warning(where, line, f"'{src}' has no licence declared: add it to {FILE}"))
    for name, credit in found.entries.items():
        if not name.endswith("/") and not (course.root / name).is_file():
            problems.append(warning(FILE, credit.line, f"'{name}' is not a file of the course"))
    measured = f"{good} of {len(files)} media files have a licence declared" if files else "no media files"
    if files and not found.found:
        measured += f" (no {FILE})"
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
