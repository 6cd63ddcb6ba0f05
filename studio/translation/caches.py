"""What the translation room keeps between requests, one set per app (``app.extensions``).

Each cache is a copy of something on disk or in the database, looked up by what that is now, so it
can be stale only in the moment of one request and never disagree with another process's:

- ``segments``: a course's segments, by course folder, kept while course.yml and every lesson have the
  mtime and size they had when parsed (a file any process changes changes its stamp);
- ``memories``: an organisation's translation memory for a language, brought up to date from the
  ``tm_unit`` rows changed since it last read them, and read afresh when the table holds another number
  of rows than it has seen (another process deleted some);
- ``players``: a course's player in a language, kept while course.yml, the catalog and the lessons have
  the mtime and size they had when it was made (``building``: one build of a language at a time).

Two apps in one process (the tests make many) never share one: the room's :func:`init_app` makes them.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from packager.i18n import memory
    from packager.i18n.segments import Segment
    from packager.render import Player

KEY = "studio.translation"
Stamp = tuple[tuple[str, int, int], ...]  # (file, mtime_ns, size) of each source file


@dataclass
class Caches:
    segments: dict[str, tuple[Stamp, list[Segment]]] = field(default_factory=dict)
    memories: dict[tuple[int, str], tuple[memory.Memory, dt.datetime, set[str]]] = field(default_factory=dict)
    memory_lock: threading.Lock = field(default_factory=threading.Lock)
    players: dict[tuple[str, str], tuple[str, Player]] = field(default_factory=dict)
    building: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    building_lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Caches()


def of_app(app: Flask | None = None) -> Caches:
    """The caches of *app* (the current app by default: the studio, or its content origin's app, which
    shares the studio's extensions)."""
    caches: Caches = (app or current_app).extensions[KEY]
    return caches
