"""The course's player in a translation, kept per app while its sources are unchanged (``caches.py``):
webfont subsets are slow, and the player page and its frame's second request arrive together."""

from __future__ import annotations

import hashlib
import threading

from packager import load_course
from packager.render import Player

from ..authoring.live import player_for
from ..authoring.storage import course_dir, course_file
from ..models import CourseRecord
from .caches import of_app


def translated_player(course: CourseRecord, lang: str) -> Player:
    """The player of *course* in *lang*, made again only when course.yml, the catalog or a lesson changed."""
    caches = of_app()
    folder = course_dir(course)
    model = load_course(folder, lang=lang)
    stamp = hashlib.sha256()
    for name in ["course.yml", f"translations/{lang}.po", *(lesson.path for lesson in model.lessons)]:
        try:
            st = course_file(course, name).stat()
            stamp.update(f"{name}:{st.st_mtime_ns}:{st.st_size};".encode())
        except (OSError, ValueError):
            stamp.update(f"{name}:-;".encode())
    key = (str(folder), lang)
    with caches.building_lock:
        lock = caches.building.setdefault(key, threading.Lock())
    with lock:  # the player page and its frame's second request arrive together: build once, not twice
        cached = caches.players.get(key)
        if cached is None or cached[0] != stamp.hexdigest():
            cached = (stamp.hexdigest(), player_for(folder, model))
            _ = cached[1].webfonts  # subsetting is the slow part: done here, under the lock
            if len(caches.players) > 32:
                caches.players.clear()
            caches.players[key] = cached
    return cached[1]
