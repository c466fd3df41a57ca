"""Keeping Python's cyclic garbage collector out of bulk work.

Replaying a log, exporting or scoring agreement builds hundreds of thousands
of small objects with no reference cycles and keeps them; the collector would
rescan the growing heap again and again for nothing (three times slower at
100,000 decisions). These stretches pause it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block (restored even on error)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
