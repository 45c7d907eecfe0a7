"""Give freed memory back to the system, so a web process stays near its idle size (issue 18).

glibc's malloc raises its mmap and trim thresholds as a process frees large blocks (up to 32 MiB and
64 MiB): after the first login (argon2 works in 64 MiB) or the first upload batches (1 MiB each,
api/streaming.py), later blocks of that size come from the heap and the freed heap is kept. Measured on
a web worker: +19 MiB per login in the first thread, +38 MiB after logins in two threads, kept for good.
Fixed thresholds turn that adjustment off: blocks of 256 KiB and more are mapped and unmapped on their own,
and a heap top over 1 MiB free is trimmed. The cost is an mmap/munmap per such block (microseconds,
against the milliseconds an argon2 hash or a 1 MiB write takes).

Linux with glibc only; elsewhere (musl, macOS) nothing changes. Environment variables
MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ would do the same but must be set before the process
starts, which `award serve`'s spawned workers and container entrypoints do not all guarantee.
"""

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024
TRIM_THRESHOLD = 1024 * 1024


def return_freed_memory() -> bool:
    """Fix glibc's thresholds for this process; True when they were set."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    if not done:
        log.warning("memory.mallopt_refused")
    return done
