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

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from collections.abc import Hashable, Sequence
from typing import IO, Any, Protocol


def _libc_prctl() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # looked up before any fork: the child only makes one system call
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn`` of every ffmpeg and ffprobe: on Linux the kernel kills the child when the thread
    that started it dies, so a worker killed with ``kill -9`` leaves no encoder running on."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def child_options() -> dict[str, Any]:
    """``subprocess`` options for a child that must not outlive this process."""
    return {"preexec_fn": die_with_parent} if _PRCTL is not None else {}


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
