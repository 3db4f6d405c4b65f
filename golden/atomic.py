"""Atomic file writes: a temporary file in the target's folder, then one rename, so a reader
never sees a half-written file and a failed write leaves the old file (or none).

The temporary file ``tempfile.mkstemp`` makes is private (mode 0600); the file is given the mode
an ordinary ``open(path, "w")`` would create (0666 less the process umask, usually 0644) before
the rename, so that a bundle's files are readable like every other file the flow writes.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def default_mode() -> int:
    """0666 less the process umask (what ``open(path, "w")`` creates)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_write(path: "str | os.PathLike", mode: str = "w"):
    """Yield a file object for ``path`` (``mode`` "w" or "wb"); on success the file replaces
    ``path`` in one rename, with the default file mode; on an exception nothing is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            yield f
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
