"""packager.parallel: a list's items worked on every core, in order, failures raised where they are read."""

from __future__ import annotations

import os
import time

import pytest

from packager import parallel


def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the workers forked from here on (not other children of the test process: under xdist a
    test worker also runs the servers other tests started)."""
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(parallel.os, "fork", fork)
    return forked


def assert_reaped(pids: list[int]) -> None:
    assert pids
    for pid in pids:
        with pytest.raises(ChildProcessError):  # waited for already: no such child any more
            os.waitpid(pid, os.WNOHANG)


def test_items_come_in_order_from_this_process_and_the_workers(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    here = os.getpid()

    def job(i: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough for every process to take some
        return i * i, os.getpid()

    done = list(parallel.in_order(job, 20, parallel_from=10))
    assert [value for value, _ in done] == [i * i for i in range(20)]
    workers = {pid for _, pid in done} - {here}
    assert here in {pid for _, pid in done} and len(workers) == 2


def test_workers_take_more_items_while_the_reader_is_busy(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    here = os.getpid()

    def job(i: int) -> int:
        time.sleep(0.005)
        return os.getpid()

    items = parallel.in_order(job, 40, parallel_from=2)
    pids = [next(items)]
    time.sleep(0.1)  # this process makes something else (a package's other files) before reading on
    pids += list(items)
    assert len(pids) == 40 and pids.count(here) < 20


def test_a_worker_that_dies_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    here = os.getpid()

    def job(i: int) -> int:
        if os.getpid() != here:
            os._exit(1)
        time.sleep(0.05)  # so the worker surely takes an item before this process has taken them all
        return i

    forked = forks(monkeypatch)
    with pytest.raises(EOFError):
        list(parallel.in_order(job, 10, parallel_from=2))
    assert_reaped(forked)  # and no worker is left behind


def test_few_items_are_worked_here(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 4)
    assert parallel.forked_workers(9, parallel_from=10) == 0
    assert {pid for pid in parallel.in_order(lambda i: os.getpid(), 9, parallel_from=10)} == {os.getpid()}
    assert parallel.forked_workers(10, parallel_from=10) == 3


def test_a_workers_failure_is_raised_to_the_reader(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)

    def job(i: int) -> int:
        if i == 7:
            raise ValueError(f"item {i} is broken")
        return i

    with pytest.raises(ValueError, match="item 7 is broken"):
        list(parallel.in_order(job, 12, parallel_from=2))


def test_a_reader_that_stops_early_leaves_no_worker_behind(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    forked = forks(monkeypatch)
    items = parallel.in_order(lambda i: b"x" * 100_000, 50, parallel_from=2)  # a worker blocks on a full pipe
    assert next(items) and next(items)
    items.close()
    assert_reaped(forked)  # every worker was stopped and reaped


def test_a_build_collects_less_often_and_gives_the_threshold_back() -> None:
    import gc

    from packager.collector import THRESHOLD, fewer_collections

    before = gc.get_threshold()
    seen: list[int] = []
    with fewer_collections():
        seen.append(gc.get_threshold()[0])
        with fewer_collections():  # nested: unchanged, and the outer block still restores
            seen.append(gc.get_threshold()[0])
    assert seen == [THRESHOLD, THRESHOLD] and gc.get_threshold() == before
    gc.set_threshold(THRESHOLD * 2, *before[1:])
    try:
        with fewer_collections():  # an application's own higher threshold is kept
            assert gc.get_threshold()[0] == THRESHOLD * 2
    finally:
        gc.set_threshold(*before)


def test_the_workers_pipes_may_be_past_descriptor_1024(monkeypatch):
    """A studio that has run for a while holds many files and sockets: its pipes are waited on with poll,
    which, unlike select, takes any descriptor."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if max(soft, hard) < 1200:
        pytest.skip("this machine allows fewer than 1,200 open files")
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1200, hard))
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert list(parallel.in_order(lambda i: i * 2, 30, parallel_from=2)) == [i * 2 for i in range(30)]
    finally:
        for fd in held:
            os.close(fd)
        if soft < 1200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_meanwhile_runs_here_while_the_workers_take_the_items_and_not_when_working_alone(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    here = os.getpid()
    started, ran = os.pipe(), []

    def job(i: int) -> int:
        if i == 0:
            os.write(started[1], b"!")  # the first item, taken while this process is busy
        return os.getpid()

    def meanwhile() -> None:
        import select

        ran.append(os.getpid())
        # waits until a worker has taken an item (no race), but not for ever if none ever does
        assert select.select([started[0]], [], [], 60)[0], "no worker took an item"
        assert os.read(started[0], 1) == b"!"

    try:
        pids = list(parallel.in_order(job, 10, parallel_from=2, meanwhile=meanwhile))
        assert ran == [here] and pids[0] != here and len(pids) == 10
        ran.clear()
        assert list(parallel.in_order(lambda i: i, 10, parallel_from=20, meanwhile=meanwhile)) == list(range(10))
        assert ran == []  # alone, the caller does that work itself when it needs it
    finally:
        os.close(started[0])
        os.close(started[1])
