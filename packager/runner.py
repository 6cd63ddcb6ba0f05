"""The one way the packager runs outside programs (ffprobe, ffmpeg, fc-list), passed in as a *runner*.

Entry points take ``runner=`` (default :data:`LOCAL`), as pypa/build takes its runner: a build service
can put children in a sandbox or another machine, and a test can record what would run.

The local runner's children die with the process that started them. A worker killed with ``kill -9``
runs no cleanup code, so its encoders would run on for minutes, holding CPU and writing temporaries
nobody will finish. On Linux the kernel can send the child a signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); it is set in the child between fork and exec. Elsewhere the options are
empty and the time limit of each run still ends it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Hashable, Sequence
from functools import cache
from typing import IO, Any, Protocol

PR_SET_PDEATHSIG = 1


@cache
def _libc_prctl() -> Any:
    """libc's ``prctl``, looked up in the parent on the first child started (never in a forked child, which
    only makes the one system call; and never at import: ``find_library`` runs ``ldconfig``)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _dying_with_parent(prctl: Callable[..., int]) -> Callable[[], None]:
    def die_with_parent() -> None:
        """``preexec_fn`` of every ffmpeg and ffprobe: on Linux the kernel kills the child when the thread
        that started it dies, so a worker killed with ``kill -9`` leaves no encoder running on."""
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return die_with_parent


def child_options() -> dict[str, Any]:
    """``subprocess`` options for a child that must not outlive this process."""
    prctl = _libc_prctl()
    return {"preexec_fn": _dying_with_parent(prctl)} if prctl is not None else {}


class Runner(Hashable, Protocol):
    """Hashable: what a runner found on its machine (the fonts fontconfig knows) is cached per runner."""

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run *argv* to completion, its output captured; raises ``subprocess.TimeoutExpired`` past
        *timeout* and ``FileNotFoundError`` when the program is not installed."""
        ...

    def start(self, argv: Sequence[str], *, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        """Start *argv* with its standard output piped (to stream progress) and no input."""
        ...


class LocalRunner:
    """Children of this process, each one dying with it."""

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False, **child_options())

    def start(self, argv: Sequence[str], *, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, **child_options()
        )


LOCAL: Runner = LocalRunner()
