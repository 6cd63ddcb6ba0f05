"""Child processes (ffmpeg, ffprobe) that die with the process that started them.

A worker killed with ``kill -9`` runs no cleanup code, so its encoders would run on for minutes,
holding CPU and writing temporaries nobody will finish. On Linux the kernel can send the child a
signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``); it is set in the child between fork and
exec. Elsewhere the options are empty and the time limit of each run still ends it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys
from typing import Any


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
