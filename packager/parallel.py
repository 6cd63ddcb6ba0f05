"""Work on every core: forked workers and this process share a list's items, which come back in order.

A build parses and renders hundreds of lessons. Workers are forked (they inherit the job and all it
reads: a course is slow to pickle, and lambdas do not pickle at all), one per *other* core. The items
are handed out as tickets from one pipe that every process reads: a worker takes the next item as soon
as it is free, and this process takes one whenever the item it must yield next is not done yet. So no
core idles, and whatever this process does between the items it reads (the other files of a package)
or a core lost to another program is made up by the others taking more items; this process never
pickles its own items. The workers are plain ``os.fork`` children sending their results over one pipe
each: no ``multiprocessing`` (its import and process objects cost a build more than its forks) and no
helper threads contending with this process for the interpreter (as a ``multiprocessing.Pool``'s do).
A worker runs at most a pipe's buffer ahead of this process, which reads results only while it looks
for the item it yields next.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
MAX_CORES = 8
MAX_TICKETS = 1024
"""Tickets are all written before the workers start, so they must fit in a pipe's buffer (4 KB here):
a longer list hands out several items a ticket."""
PIPE_BYTES = 1 << 20
"""How far (in result bytes) a worker may run ahead of this process's reading, where the system lets a
pipe's buffer grow to it (Linux; else 64 KB): room for a hundred rendered lessons while this process
makes a package's other files, instead of about eight."""
_TICKET = struct.Struct("<I")  # the number of a ticket (items ticket * per_ticket onwards)
_LENGTH = struct.Struct("<Q")  # a result's pickled length, before it


def cores() -> int:
    """The cores a build works on (this process and its workers)."""
    return min(os.cpu_count() or 1, MAX_CORES)


def forked_workers(count: int, parallel_from: int) -> int:
    """How many workers :func:`in_order` forks for *count* items (0: it works alone)."""
    if count < parallel_from or cores() < 2 or not hasattr(os, "fork"):
        return 0
    return cores() - 1


def in_order(
    job: Callable[[int], T], count: int, parallel_from: int, *, meanwhile: Callable[[], object] | None = None
) -> Iterator[T]:
    """``job(0)``, ..., ``job(count - 1)``, in order; on every core when there are *parallel_from* items
    or more and the platform can fork. An exception in an item's job is raised here, when that item is
    read; closing the iterator early stops the workers.

    *meanwhile* is work of this process's own that it does once the workers are started, before it takes
    an item: the items it would have taken go to them, so work that would otherwise wait for the items
    is done on every core. Working alone, it is skipped (its caller would do it later, if at all)."""
    workers = forked_workers(count, parallel_from)
    if not workers:
        yield from map(job, range(count))
        return
    per_ticket = -(-count // MAX_TICKETS)
    tickets = _ticket_pipe(-(-count // per_ticket))
    children: dict[int, int] = {}  # result pipe -> worker pid
    try:
        for stream in (sys.stdout, sys.stderr):  # or a worker's output would repeat what this process buffered
            with contextlib.suppress(Exception):
                stream.flush()
        for _ in range(workers):
            reader, result_writer = _result_pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns from here
                os.close(reader)
                _work(job, count, per_ticket, tickets, result_writer)
            os.close(result_writer)  # the worker's end only: a worker that dies is an EOFError here, not a hang
            children[reader] = pid
        if meanwhile is not None:
            meanwhile()
        done: dict[int, tuple[bool, Any]] = {}
        results = _Results(children)
        for i in range(count):
            while i not in done:
                results.receive(done, wait=False)
                if i in done:
                    break
                ticket = os.read(tickets, _TICKET.size)
                if not ticket:  # every item is taken: item i is a worker's, on its way
                    results.receive(done, wait=True)
                    continue
                first = _TICKET.unpack(ticket)[0] * per_ticket
                for k in range(first, min(first + per_ticket, count)):
                    try:
                        done[k] = (True, job(k))
                    except Exception as exc:  # raised in its turn, as a worker's would be
                        done[k] = (False, exc)
            ok, value = done.pop(i)
            if not ok:
                raise value
            yield value
    finally:
        for reader, pid in children.items():
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:  # working (the reader stopped early) or exiting
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
            os.close(reader)
        os.close(tickets)


def _result_pipe() -> tuple[int, int]:
    """A pipe for a worker's results, its buffer grown to :data:`PIPE_BYTES` where the system allows (Linux)."""
    reader, writer = os.pipe()
    with contextlib.suppress(ImportError, AttributeError, OSError):  # another system, or over its limit
        import fcntl

        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return reader, writer


def _ticket_pipe(count: int) -> int:
    """The reading end of a pipe holding tickets 0 to *count* - 1, its writing end closed (before any
    fork: a reader of the emptied pipe gets EOF, that is "no work left")."""
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(_TICKET.pack(t) for t in range(count)))
    except BaseException:
        os.close(reader)
        raise
    finally:
        os.close(writer)
    return reader


class _Results:
    """The workers' result pipes, watched with poll (not select, which refuses a descriptor past 1024: a
    long-running studio may hold that many files)."""

    def __init__(self, readers: Iterable[int]):
        self.open = set(readers)
        self.poll = select.poll()
        for reader in self.open:
            self.poll.register(reader, select.POLLIN)

    def receive(self, done: dict[int, tuple[bool, Any]], *, wait: bool) -> None:
        """Read the results that have arrived (at least one when *wait*) into *done*; a pipe at its end
        is no longer watched."""
        if not self.open:
            if wait:
                raise EOFError("a worker ended without sending its results")
            return
        for reader, _event in self.poll.poll(None if wait else 0):  # POLLHUP too: a pipe at its end
            head = _read(reader, _LENGTH.size)
            if head is None:  # the worker is done
                self.open.discard(reader)
                self.poll.unregister(reader)
                continue
            body = _read(reader, _LENGTH.unpack(head)[0])
            if body is None:
                raise EOFError("a worker ended in the middle of a result")
            index, ok, value = pickle.loads(body)
            done[index] = (ok, value)


def _read(fd: int, size: int) -> bytes | None:
    """*size* bytes from pipe *fd*, or None when the pipe ends first."""
    parts: list[bytes] = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _work(job: Callable[[int], Any], count: int, per_ticket: int, tickets: int, writer: int) -> None:
    """A worker's life: take tickets until none are left, sending each item's result (or failure) to
    *writer*; then exit, without running anything of the process it was forked from."""
    code = 0
    try:
        while ticket := os.read(tickets, _TICKET.size):
            first = _TICKET.unpack(ticket)[0] * per_ticket
            for i in range(first, min(first + per_ticket, count)):
                try:
                    data = pickle.dumps((i, True, job(i)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # any failure goes back to the reader, which raises it
                    data = pickle.dumps((i, False, _picklable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(_LENGTH.pack(len(data)) + data)
                while view:
                    view = view[os.write(writer, view) :]
    except BaseException:  # the reader is gone (a broken pipe) or the worker was interrupted
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
    except Exception:  # an exception that does not pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
