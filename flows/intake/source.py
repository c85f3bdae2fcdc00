"""The contract every source meets: where its files lie in the inbox, how one file is read (a
reader returning Delivered, or raising FileRejected / LayoutChanged), and where it lands.

Built-in channels (flows/intake/*) and declared sources (flows/byo) are both Sources; the
registry of all of them is flows/sources.py.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tousu.flows.inbox import pattern_problem
from tousu.flows.intake.delivered import Delivered, OneRecord


@dataclass(frozen=True)
class Source:
    name: str
    patterns: tuple[str, ...]  # globs under the inbox
    raw_table: str
    read: Callable[[Path, str], Delivered | OneRecord]
    key: str  # the raw column that identifies a record (to release its quarantined copies)
    # Files of one folder load in one transaction (many small files, e.g. one .eml per message).
    batch_by_folder: bool = False
    setup_sql: str | None = None  # run before loading (a declared source's staging view)
    suite: dict | None = None  # a declared source's generated GX suite (else its suite file)
    # Declared sources share one raw table: a record id is only unique within its source.
    shared_raw: bool = False

    def files(self, inbox: Path) -> list[Path]:
        """The files the patterns name under the inbox (links among them are checked by the
        loader before anything is opened). A pattern that could leave the inbox finds nothing."""
        return [inbox / rel for rel in self.relative_files(inbox)]

    def relative_files(self, inbox: Path) -> list[str]:
        """The same files as paths relative to the inbox ('/'-separated), in the order of
        their parts (pathlib's order). Names, not Path objects: an email inbox holds hundreds
        of thousands of files, and pathlib's glob and objects cost ~5x the standard library's
        on a night that finds nothing new. Hidden files are found, as pathlib finds them."""
        return [rel for rel, _ in self.listed_files(inbox)]

    def listed_files(self, inbox: Path) -> list[tuple[str, os.stat_result]]:
        """relative_files with each one's own status (lstat: a symbolic link is not followed),
        taken once: a night that finds nothing new costs one system call per file."""
        root = os.fspath(inbox)
        found = {
            rel
            for pattern in self.patterns
            if pattern_problem(pattern) is None
            for rel in glob.glob(pattern, root_dir=root, recursive=True, include_hidden=True)
        }
        listed = []
        prefix = os.path.join(root, "")
        # in the order of their parts: the separator as the lowest character compares as the
        # parts do (a name never holds \0), and a string compares faster than a list
        for rel in sorted(found, key=lambda r: r.replace(os.sep, "\0")):
            name = prefix + rel
            try:
                status = os.lstat(name)
                # a link counts as a file when it leads to one (as os.path.isfile says)
                is_file = stat.S_ISREG(status.st_mode) or (
                    stat.S_ISLNK(status.st_mode) and os.path.isfile(name)
                )
            except OSError:
                continue
            if is_file:
                listed.append((rel.replace(os.sep, "/"), status))
        return listed
