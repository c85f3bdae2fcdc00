"""Saying what went wrong in words an operator can act on, without hiding the cause.

A full disk shows up as OSError(ENOSPC) from Python and as an IO error text from DuckDB; either
way the message starts with "no space left on device", says where, and how much is free.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from tousu.flows.settings import MEMORY_LIMIT

NO_SPACE = "no space left on device"


def is_disk_full(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if NO_SPACE in str(exc).lower() or "disk is full" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def free_space(path: Path) -> str:
    """Free disk space of the file system holding `path`, as text."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return f"{shutil.disk_usage(candidate).free / 2**20:,.0f} MiB free"
    return "free space unknown"


def describe(exc: BaseException, where: str | None = None, path: Path | None = None) -> str:
    """One line for logs, ops tables and the summary: the cause first, then where."""
    first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
    if is_disk_full(exc):
        text = f"{NO_SPACE}"
        if where:
            text += f" while {where}"
        if path is not None:
            text += f" ({path}: {free_space(path)})"
        return text + f"; free disk space and run the night again [{first[:200]}]"
    text = f"{exc.__class__.__name__}: {first[:300]}"
    if "Out of Memory Error" in first:
        text += (
            "; DuckDB ran out of the memory it may use: raise TOUSU_MEMORY_LIMIT "
            f"(default {MEMORY_LIMIT}; set empty: 80 % of the machine's memory) and run the "
            "night again"
        )
    return f"{text} (while {where})" if where else text
