"""packager.parallel: a list's items worked on every core, in order, failures raised where they are read."""

from __future__ import annotations

import os

import pytest

from packager import parallel


def test_items_come_in_order_from_this_process_and_the_workers(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    here = os.getpid()
    done = list(parallel.in_order(lambda i: (i * i, os.getpid()), 20, parallel_from=10))
    assert [value for value, _ in done] == [i * i for i in range(20)]
    assert {pid for i, (_, pid) in enumerate(done) if i % 3 == 0} == {here}  # every third item: this process
    assert len({pid for i, (_, pid) in enumerate(done) if i % 3}) == 2 and here not in {p for _, p in done[1::3]}


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
    import multiprocessing

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    items = parallel.in_order(lambda i: b"x" * 100_000, 50, parallel_from=2)  # a worker blocks on a full pipe
    assert next(items) and next(items)
    items.close()
    assert multiprocessing.active_children() == []


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
