"""The inbox boundary: nothing outside the inbox folder is ever read.

Sources name their files by glob patterns relative to the inbox. A pattern that could leave it
(absolute, '..', a drive, '~') is refused, and every path a pattern finds is resolved (symlinks
followed) and must still lie inside the inbox before the file is opened.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath


def pattern_problem(pattern: str) -> str | None:
    """Why a file pattern could read outside the inbox, or None when it stays inside."""
    if not pattern.strip():
        return "an empty pattern"
    if (
        PurePosixPath(pattern).is_absolute()
        or PureWindowsPath(pattern).drive
        or pattern.startswith(("~", "\\"))
    ):
        return f"{pattern!r} is an absolute path; give a pattern relative to the inbox"
    if ".." in PurePosixPath(pattern.replace("\\", "/")).parts:
        return f"{pattern!r} climbs out of the inbox with '..'; give a folder inside the inbox"
    return None


class InboxBoundary:
    """Answers whether paths found under an inbox really lie inside it (symlinks followed).

    Folders are resolved and judged once each (an email inbox holds hundreds of thousands of
    files in a few folders); a file is resolved itself only when it is a symbolic link."""

    def __init__(self, inbox: Path):
        self.root = inbox.resolve(strict=True)
        self._folders: dict[str, bool] = {}

    def _inside(self, real: Path) -> bool:
        return real == self.root or self.root in real.parents

    def _folder_inside(self, folder: str) -> bool:
        if folder not in self._folders:
            try:
                self._folders[folder] = self._inside(Path(folder).resolve(strict=True))
            except (OSError, RuntimeError):  # RuntimeError: a symlink loop
                self._folders[folder] = False
        return self._folders[folder]

    def contains(self, path: Path | str, is_link: bool | None = None) -> bool:
        """`is_link`: whether the path is a symbolic link, when the caller knows (lstat)."""
        name = os.fspath(path)
        try:
            if os.path.islink(name) if is_link is None else is_link:
                return self._inside(Path(name).resolve(strict=True))
        except (OSError, RuntimeError):
            return False
        return self._folder_inside(os.path.dirname(name))
