"""One night at a time per warehouse, held from the first step to the publish.

A lock file beside the writer's file (an OS lock: released by the kernel when the process dies,
so a killed night never leaves a stale lock) says who holds it and since when. While a night
holds it, the night also keeps one DuckDB connection open: DuckDB then refuses every other
process the file, so nothing can slip in between two of the night's steps.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path


class NightAlreadyRunning(RuntimeError):
    """Another process holds the warehouse's night lock."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".night.lock")


def holder(warehouse: Path) -> dict:
    """Who holds (or last held) the lock, as written in the lock file."""
    try:
        return json.loads(lock_path(warehouse).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def night_lock(
    warehouse: Path, what: str = "nightly", wait: bool = False, poll_seconds: float = 2.0
) -> Iterator[None]:
    """Hold the warehouse's night lock; raise NightAlreadyRunning (or wait) when it is held."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    who = holder(warehouse)
                    raise NightAlreadyRunning(
                        f"a {who.get('what', 'night')} is already running on {warehouse} since "
                        f"{who.get('since', '?')} (pid {who.get('pid', '?')}); this one does "
                        f"not start. Wait for it (or give --wait) and run again"
                    ) from None
                time.sleep(poll_seconds)
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "what": what,
                    "since": datetime.now().astimezone().isoformat(timespec="seconds"),
                }
            ).encode(),
        )
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
