"""``kstudio import``: a Word file, a PowerPoint deck, a SCORM or H5P package becomes a format-v1 course.

    result = import_file(Path("handout.docx"), Path("handout"))

One reader per kind of file turns it into plain data (:mod:`.model`); one writer (:mod:`.write`) makes
the course folder, its ``import-report.md``, and runs the course's check. Readers are found in
:data:`READERS`, a table of named entries in the order they are tried: a new kind of file is one more
entry (its module is imported only when a file of its kind is read). Every kind is a zip, so the file is
recognised by what the zip holds, never by its name alone, and the zip is vetted with the limits of the
studio's course import (:func:`packager.archive.vet`) before any library reads it.
"""

from __future__ import annotations

import importlib
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..archive import ArchiveRefused, Limits, vet
from ..errors import Problem, StudioError
from .model import ImportedCourse, Result

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
"""Called with the fraction done (0..1) and what is being done; the studio's job row takes it as is."""


class ImportRefused(StudioError):
    """The file was not imported; the message says why (nothing was written)."""


@dataclass(frozen=True)
class ImportOptions:
    module_level: int = 1
    """Word: the heading level that starts a module (``Heading 1``)."""
    lesson_level: int = 2
    """Word: the heading level that starts a lesson; deeper headings stay inside the lesson."""
    slides_per_lesson: int = 10
    """PowerPoint without sections: this many slides make one lesson."""
    limits: Limits = field(default_factory=Limits)
    """The zip's limits: entries, bytes unpacked, compression ratio (as the studio's course import)."""
    max_media_bytes: int = 50 * 1024 * 1024
    """One image, audio or video file; a larger one is dropped and reported."""
    language: str = "en"
    provider_id: str = "my-institute"
    provider_name: str = "My Training Institute"


@dataclass(frozen=True)
class Reader:
    """One entry of :data:`READERS`: a kind of file and the function that reads it."""

    name: str
    label: str
    """What people call the file: "Word document"."""
    suffixes: tuple[str, ...]
    recognise: Callable[[frozenset[str]], bool]
    """Whether a zip with these member names is of this kind (its content, not its name)."""
    target: str
    """``module:function`` of the reader: (path, options, progress) -> ImportedCourse."""

    def read(self, path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
        module, _, func = self.target.partition(":")
        reader: Callable[[Path, ImportOptions, Progress], ImportedCourse] = getattr(
            importlib.import_module(module, __name__), func
        )
        return reader(path, options, progress)


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> None:
    READERS[reader.name] = reader


register(
    Reader(
        "docx",
        "Word document",
        (".docx",),
        lambda names: "word/document.xml" in names and "[Content_Types].xml" in names,
        ".docx:read",
    )
)
register(
    Reader(
        "pptx",
        "PowerPoint deck",
        (".pptx",),
        lambda names: "ppt/presentation.xml" in names and "[Content_Types].xml" in names,
        ".pptx:read",
    )
)
register(Reader("scorm", "SCORM package", (".zip",), lambda names: _at_top(names, "imsmanifest.xml"), ".scorm:read"))
register(Reader("h5p", "H5P file", (".h5p",), lambda names: _at_top(names, "h5p.json"), ".h5p:read"))


def _at_top(names: frozenset[str], marker: str) -> bool:
    """Whether *marker* is at the zip's top or in its one top folder (as when a folder is zipped)."""
    return marker in names or any(n.endswith("/" + marker) and n.count("/") == 1 for n in names)


@dataclass
class ImportResult:
    folder: Path
    course: ImportedCourse
    problems: list[Problem] = field(default_factory=list)
    """What ``kstudio check`` says of the new course (also listed in its report)."""
    counts: dict[Result, int] = field(default_factory=dict)

    @property
    def report(self) -> Path:
        return self.folder / "import-report.md"


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .ppt: the binary formats before 2007


def recognise(path: Path, limits: Limits | None = None) -> Reader:
    """The reader for *path*, from what its zip holds; the zip is vetted first. ImportRefused otherwise."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except IsADirectoryError:
        raise ImportRefused(f"{path} is a folder; give a .docx, .pptx, SCORM .zip or .h5p file") from None
    kinds = ", ".join(r.label for r in READERS.values())
    if head == _OLE:
        raise ImportRefused(
            f"{path.name} is an old binary Office file (.doc or .ppt): save it as .docx or .pptx and import that"
        )
    if not zipfile.is_zipfile(path):
        raise ImportRefused(f"{path.name} is not a file that can be imported ({kinds})")
    try:
        with zipfile.ZipFile(path) as archive:
            vet(archive, limits or Limits())
            names = frozenset(archive.namelist())
    except ArchiveRefused as exc:
        raise ImportRefused(f"{path.name}: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{path.name} is a damaged zip: {exc}") from None
    for reader in READERS.values():
        if reader.recognise(names):
            return reader
    raise ImportRefused(f"{path.name} is a zip, but not one that can be imported ({kinds})")


def import_file(
    path: Path, out_dir: Path, *, options: ImportOptions = ImportOptions(), progress: Progress | None = None
) -> ImportResult:
    """Read *path* and write the course folder *out_dir* (which must not exist, or be empty)."""
    from .write import refuse_existing, write_course

    report: Progress = progress or (lambda fraction, message: None)
    refuse_existing(out_dir)
    reader = recognise(path, options.limits)
    report(0.0, f"reading the {reader.label}")
    try:
        course = reader.read(path, options, lambda f, m: report(0.8 * f, m))
    except (ImportRefused, ArchiveRefused, MemoryError):
        raise
    except Exception as exc:  # a damaged or unusual file: the person gets the reason, not a traceback
        log.debug("reading %s failed", path, exc_info=True)
        raise ImportRefused(f"{path.name} could not be read as a {reader.label}: {type(exc).__name__}: {exc}") from None
    report(0.8, "writing the course")
    result = write_course(course, out_dir, options)
    report(1.0, "imported")
    return result
