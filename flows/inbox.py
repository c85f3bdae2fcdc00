"""The inbox boundary: nothing outside the inbox folder is ever read.

Sources name their files by glob patterns relative to the inbox. A pattern that could leave it
(absolute, '..', a drive, '~') is refused, and every path a pattern finds is resolved (symlinks
followed) and must still lie inside the inbox before the file is opened.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath


def pattern_problem(pattern: str) -> str | None:
    """Why a file pattern could read outside the inbox, or None when it stays inside."""
    if not pattern.strip():
        return "an empty pattern"
    if PurePosixPath(pattern).is_absolute() or PureWindowsPath(pattern).drive \
            or pattern.startswith(("~", "\\")):
        return f"{pattern!r} is an absolute path; give a pattern relative to the inbox"
    if ".." in PurePosixPath(pattern.replace("\\", "/")).parts:
        return f"{pattern!r} climbs out of the inbox with '..'; give a folder inside the inbox"
    return None


def inside_inbox(path: Path, inbox: Path) -> bool:
    """Whether the file a path names (symlinks followed) lies inside the inbox."""
    try:
        path.resolve(strict=True).relative_to(inbox.resolve(strict=True))
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True
