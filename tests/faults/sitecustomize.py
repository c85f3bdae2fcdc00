"""Faults for the end-to-end drills, injected from outside the production code.

A test that runs `tousu` in a child process puts this folder first on PYTHONPATH and names the
fault in TOUSU_TEST_FAULT; Python imports this module at start-up (sitecustomize), before the
command runs, and it replaces one step with its faulty twin:

- kill_after_raw_insert: the process is killed (SIGKILL) at the first step after a delivery's
  rows are inserted into raw, inside the delivery's transaction;
- publish_disk_full: copying the readers' copy writes 4 KiB and fails with ENOSPC, as a full
  disk does.
"""

import os

FAULT = os.environ.get("TOUSU_TEST_FAULT")

if FAULT == "kill_after_raw_insert":
    import signal

    from tousu.flows.intake import redelivery

    def _killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    redelivery.classify = _killed

elif FAULT == "publish_disk_full":
    import errno
    import shutil

    from tousu.warehouse import db

    class _FullDisk:
        """shutil, except that copying a file runs out of space part-way."""

        def __getattr__(self, name):
            return getattr(shutil, name)

        @staticmethod
        def copyfile(src, dst, *args, **kwargs):
            with open(dst, "wb") as partial:
                partial.write(b"\0" * 4096)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    db.shutil = _FullDisk()

elif FAULT:
    raise SystemExit(f"tests/faults/sitecustomize.py: unknown TOUSU_TEST_FAULT {FAULT!r}")
