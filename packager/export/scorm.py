"""What the SCORM formats share: stable identifiers, learning time, the player with its LMS adapter, and a
package writer that puts the manifest (checked against the official schemas) after the player's files.

``scorm12``, ``scorm2004`` and ``igot`` are small modules over this one; each brings its manifest.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import ExportError
from ..model import Course
from ..render import ASSETS, PackageFile, Player
from . import xsd
from .core import Rendering, ZipPackage, package_name

log = logging.getLogger(__name__)

ADAPTER = "scorm.js"
MAX_HOURS = 9999
"""SCORM 1.2 times (CMITimespan) have at most four digits of hours; we hold every format to it."""
ZIP_LIMIT = (1 << 32) - 1
"""Zip64 is needed past 4 GiB, and many LMSs' unzippers cannot read it."""


@dataclass(frozen=True)
class Identifiers:
    """Manifest identifiers. They derive from the course id alone (not its version or title), so a new
    version of a course replaces the old package in an LMS and learners keep their records."""

    manifest: str
    organization: str
    item: str
    resource: str

    @classmethod
    def of(cls, course: Course) -> Identifiers:
        # Course ids are [a-z0-9-]; the prefix makes them valid xs:ID values even when they start with a digit.
        base = f"ks-{course.id}"
        return cls(manifest=base, organization=f"{base}-org", item=f"{base}-item", resource=f"{base}-sco")


def learning_seconds(course: Course) -> int:
    """The course's typical learning time in whole seconds, refused when no SCORM time can carry it."""
    minutes = course.learning_minutes
    if not math.isfinite(minutes) or minutes <= 0:
        raise ExportError(f"course '{course.id}' has no learning time to report; give its lessons `minutes:`")
    seconds = max(60, round(minutes * 60))
    if seconds >= MAX_HOURS * 3600:
        raise ExportError(
            f"course '{course.id}' has a learning time of {minutes / 60:.0f} hours, more than SCORM can represent "
            f"({MAX_HOURS} hours); check the lessons' `minutes:`"
        )
    return seconds


def iso_duration(seconds: int) -> str:
    """ISO 8601 duration, as LOM's typical learning time wants it.

    >>> iso_duration(5400), iso_duration(60), iso_duration(3600)
    ('PT1H30M', 'PT1M', 'PT1H')
    """
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return text if text != "PT" else "PT0S"


def adapter(api: str, *, igot: bool = False) -> dict[str, Any]:
    """The player settings that load the LMS adapter (``themes/*/static/scorm.js``) before the runtime."""
    return {"assets": (*ASSETS, ADAPTER), "head_scripts": (f"assets/{ADAPTER}",), "lms": {"api": api, "igot": igot}}


def player(course: Course, api: str) -> Player:
    """The learner player of *course* with the LMS adapter (the studio's LMS preview)."""
    return Player(course, **adapter(api))


def check_size(course: Course, limit: int = ZIP_LIMIT, what: str = "a zip package") -> None:
    """Refuse, before writing anything (or transcoding), a course whose media cannot fit in *limit* bytes.

    This goes by the course's own files; the package written is checked again where a limit is strict."""
    names = {ref.src for lesson in course.lessons for ref in lesson.media}
    names |= {c.src for lesson in course.lessons for ref in lesson.media for c in ref.captions}
    names |= {course.thumbnail} if course.thumbnail else set()
    total = sum((course.root / name).stat().st_size for name in names)
    if total > limit:
        raise ExportError(
            f"course '{course.id}' has {total / 2**20:.0f} MB of media, more than {what} can hold "
            f"({limit / 2**20:.0f} MB); make the media smaller or split the course"
        )


def outline(
    E: Any, ids: Identifiers, course: Course, files: list[str], scorm_type: dict[str, str], *item: Any, **org: str
) -> tuple[Any, Any]:
    """``<organizations>`` (one item, the course) and ``<resources>`` (one SCO listing *files*), built with
    the version's ElementMaker *E*; *scorm_type* is its ``adlcp:scormType`` attribute, *item* extra children of
    the item and *org* extra attributes of the organization."""
    organizations = E.organizations(
        E.organization(
            E.title(course.title),
            E.item(E.title(course.title), *item, identifier=ids.item, identifierref=ids.resource),
            org,
            identifier=ids.organization,
        ),
        default=ids.organization,
    )
    resources = E.resources(
        E.resource(
            *[E.file(href=name) for name in files],
            scorm_type,
            identifier=ids.resource,
            type="webcontent",
            href="index.html",
        )
    )
    return organizations, resources


def build(rendering: Rendering, out_dir: Path, fmt: str, manifest: Callable[[Course, str, list[str]], bytes]) -> Path:
    """Write the *fmt* package (``scorm12`` or ``scorm2004``) of the rendered course with its *manifest* and
    schemas."""
    course, lang = rendering.course, rendering.lang
    api = "scorm2004" if fmt == "scorm2004" else "scorm12"
    check_size(course)
    path = out_dir / package_name(course, lang, fmt)
    player = rendering.player(**adapter(api))
    return write(path, player, partial(manifest, course, lang), api, schema_files(api))


def write(
    path: Path,
    player: Player,
    manifest: Callable[[list[str]], bytes],
    schema: str,
    extra: Iterable[PackageFile] = (),
) -> Path:
    """Stream the player's files into *path*, then ``imsmanifest.xml`` (listing them) and *extra* files.

    The manifest is validated against the official *schema* (``scorm12`` or ``scorm2004``) before it is
    written; an invalid one is our bug, reported as an error rather than shipped.
    """
    names: list[str] = []
    with ZipPackage(path) as package:
        for file in player.files():
            package.add(file)
            names.append(file.name)
        xml = manifest(names)
        errors = xsd.validate(xml, schema)
        if errors:
            raise ExportError("the manifest does not validate against the SCORM schemas:\n  " + "\n  ".join(errors))
        package.add(PackageFile("imsmanifest.xml", xml))
        for file in extra:
            package.add(file)
    log.info("wrote %s (%d files)", path, len(names) + 1)
    return path


def schema_files(kind: str) -> Iterable[PackageFile]:
    """The official schema files a *kind* package carries at its root, in a fixed order."""
    folder = xsd.SCHEMAS / kind
    for source in sorted(folder.rglob("*")):
        if source.is_file() and source.suffix in (".xsd", ".dtd"):
            yield PackageFile(source.relative_to(folder).as_posix(), source=source)
