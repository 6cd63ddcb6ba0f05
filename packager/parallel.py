"""Work on every core: forked workers take most items of a list, this process the rest.

A build parses and renders hundreds of lessons. Workers are forked (they inherit the job and all it
reads: a course is slow to pickle, and lambdas do not pickle at all), one per *other* core: this
process takes every n-th item itself and reads the workers' results between its own, from one pipe
each. So no core idles, this process's share is never pickled, one worker fewer holds a copy of the
process's memory, and no helper threads contend with this process for the interpreter (as a
``multiprocessing.Pool``'s do). A worker runs at most a pipe's buffer ahead of the reader.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
MAX_CORES = 8


def cores() -> int:
    """The cores a build works on (this process and its workers)."""
    return min(os.cpu_count() or 1, MAX_CORES)


def forked_workers(count: int, parallel_from: int) -> int:
    """How many workers :func:`in_order` forks for *count* items (0: it works alone)."""
    if count < parallel_from or cores() < 2 or not hasattr(os, "fork"):
        return 0
    return cores() - 1


def in_order(job: Callable[[int], T], count: int, parallel_from: int) -> Iterator[T]:
    """``job(0)``, ..., ``job(count - 1)``, in order; on every core when there are *parallel_from* items
    or more and the platform can fork. An exception in a worker's job is raised here."""
    workers = forked_workers(count, parallel_from)
    if not workers:
        yield from map(job, range(count))
        return
    import multiprocessing  # only when there is work to share: a build after an edit never forks

    n = workers + 1
    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    children = []
    try:
        for w in range(1, n):
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(target=_work, args=(job, range(w, count, n), writer), daemon=True)
            child.start()
            writer.close()  # the worker's end only: a worker that dies is an EOFError here, not a hang
            pipes.append(reader)
            children.append(child)
        for i in range(count):
            if i % n == 0:
                yield job(i)
                continue
            ok, value = pipes[i % n - 1].recv()
            if not ok:
                raise value
            yield value
    finally:
        for child in children:
            if child.is_alive() and child.exitcode is None:
                child.terminate()  # the reader stopped early (an error, or it wanted no more)
            child.join()
        for reader in pipes:
            reader.close()


def _work(job: Callable[[int], Any], indexes: range, writer: Connection) -> None:
    try:
        for i in indexes:
            writer.send((True, job(i)))
    except BaseException as exc:  # any failure goes back to the reader, which raises it
        try:
            writer.send((False, exc))
        except Exception:  # an exception that does not pickle
            writer.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        writer.close()
