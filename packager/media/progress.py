"""Progress of media work, for whoever shows it: the CLI draws a bar, the studio can stream events.

The library never prints. A caller subscribes for the duration of a build::

    with progress_to(print_event):
        export(course, "html", "dist")

Subscriptions live in a context variable, so two builds in two threads of a web server each see
their own events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    name: str
    """The package path of the file being made (``media/talk.mp4.low.mp4``)."""
    fraction: float
    """How far this file is, 0 to 1."""
    done: int
    """Files finished so far."""
    total: int
    """Files to make in this build (files already in the cache are not counted)."""


Listener = Callable[[ProgressEvent], None]
_LISTENER: ContextVar[Listener | None] = ContextVar("ks_media_progress", default=None)


@contextmanager
def progress_to(listener: Listener) -> Iterator[None]:
    """Send the progress events of media work done inside the ``with`` block to *listener*."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def current() -> Listener | None:
    return _LISTENER.get()
