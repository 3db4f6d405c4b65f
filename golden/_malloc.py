"""Keep freed memory in the process (glibc only).

The golden model streams through many short-lived arrays of a few MB.  With glibc's defaults
those are mmapped and returned to the kernel on free, so every new temporary page-faults on
first touch; that alone made the bit-accurate path ~5x slower.  Raising the mmap and trim
thresholds keeps the pages.  Harmless elsewhere: on non-glibc systems this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
_done = False


def tune_malloc() -> bool:
    global _done
    if _done:
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = (mallopt(M_MMAP_THRESHOLD, 32 << 20) and mallopt(M_TRIM_THRESHOLD, 1 << 30)
          and mallopt(M_TOP_PAD, 64 << 20))
    _done = bool(ok)
    if not ok:
        log.debug("mallopt tuning not applied")
    return _done
