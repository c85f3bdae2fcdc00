"""The readers' copy: a clone of the writer's file where the file system makes them (XFS here),
else a copy; either way a snapshot the writer's next changes do not reach."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tousu.warehouse import db


def night_file(path: Path, rows: int) -> None:
    con = db.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    con.execute("INSERT INTO t SELECT range FROM range(?)", [rows])
    con.close()


def rows_in(path: Path) -> int:
    con = db.open_published(path)
    try:
        return con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def xfs(tmp_path):
    """A small XFS file system (clones by default), loop-mounted for the test and unmounted
    after it. Needs root (as `make test` does, for its apt installs), mkfs.xfs (`make services`
    installs it) and a loop device; without them the test fails and says which is missing."""
    assert os.geteuid() == 0, "the clone test mounts an XFS image: run the tests as root"
    assert shutil.which("mkfs.xfs"), "mkfs.xfs is missing: run `make services` (xfsprogs)"
    image, mount = tmp_path / "xfs.img", tmp_path / "xfs"
    with image.open("wb") as f:
        f.truncate(320 * 2**20)  # XFS's smallest
    subprocess.run(["mkfs.xfs", "-q", str(image)], check=True)
    mount.mkdir()
    mounted = subprocess.run(["mount", "-o", "loop", str(image), str(mount)], capture_output=True)
    assert mounted.returncode == 0, f"no loop mount here: {mounted.stderr.decode().strip()}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_on_xfs_the_readers_copy_is_a_clone_and_a_snapshot(xfs):
    writer, published = xfs / "tousu.duckdb", xfs / "tousu.published.duckdb"
    night_file(writer, 100_000)
    assert db.clone_or_copy(writer, xfs / "probe.duckdb") == "cloned"
    db.publish(writer, published)
    night_file(writer, 5)  # the next night writes into the writer's blocks
    assert rows_in(published) == 100_000  # the clone kept the blocks it shared
    db.publish(writer, published)
    assert rows_in(published) == 100_005


def test_elsewhere_the_readers_copy_is_a_copy_of_every_byte(tmp_path):
    writer = tmp_path / "tousu.duckdb"
    night_file(writer, 1_000)
    how = db.clone_or_copy(writer, tmp_path / "copy.duckdb")
    assert how in ("cloned", "copied")
    assert (tmp_path / "copy.duckdb").read_bytes() == writer.read_bytes()
