"""Worker processes for the night's CPU-bound Python (parsing files, segmenting descriptions).

Parsing MIME or GBK and segmenting Chinese text are Python and hold the GIL, so a night uses
every core only through processes. They are started by `spawn`, not `fork`: the night's process
has DuckDB's and Prefect's threads running, and a forked child would inherit their locks
mid-state. Starting a worker costs about a second, so callers use a pool only for enough work.
"""

from __future__ import annotations

import os
import sys
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


@contextmanager
def workers_without_main() -> Iterator[None]:
    """A spawned worker runs the parent's `__main__` file again, to find functions defined there.
    Ours are not there, and the night's `__main__` may be anything: a script without a main
    guard, or a Streamlit page a test ran in the same process (that page then ran in every
    worker and stopped it). So workers are started while `__main__` is an empty module."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def in_processes(
    fn: Callable[..., Any], calls: Iterable[tuple], workers: int, ahead: int | None = None
) -> list[Any]:
    """fn(*args) for each args in `calls`, in a pool of `workers` spawned processes, results
    in the order of `calls` (a worker's exception is raised here). `ahead`: at most this many
    calls handed to the pool and not yet answered, so `calls` is taken as the workers go and
    only those calls' arguments are held at a time (large texts); None: all at once."""
    if ahead is None:
        calls = list(calls)
        workers = min(workers, len(calls))
    results: list[Any] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        # the workers start while the calls are submitted (a pool starts them as it needs them)
        with workers_without_main():
            pending: deque[Future] = deque()
            for args in calls:
                if ahead is not None and len(pending) >= ahead:
                    results.append(pending.popleft().result())
                pending.append(pool.submit(fn, *args))
        return results + [future.result() for future in pending]
