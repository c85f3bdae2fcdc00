"""Giving memory back to the system between a night's steps.

Python frees what a step no longer holds, but not always to the system: objects in reference
cycles wait for the garbage collector, pyarrow's allocator keeps freed pages for reuse, and so
does the C library's. A night's peak is where the next step's needs land on what the steps
before left resident, so once the sources are loaded the night gives back what it can.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


def give_back() -> None:
    """Collect garbage cycles and return the allocators' free pages to the system."""
    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
