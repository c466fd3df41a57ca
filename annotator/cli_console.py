"""The consoles every command prints through.

``err`` carries messages and errors (one line each, even for long paths, so
``soft_wrap``); ``report_console()`` prints tables, at least 120 columns wide when the
output goes to a file or a pipe, where Rich would otherwise assume 80 and cut
the columns of wide reports such as ``agree``.
"""

from __future__ import annotations

import sys

from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)


def report_console() -> Console:
    """A console for tables on stdout."""
    console = Console(highlight=False)
    if not sys.stdout.isatty() and console.width < 120:
        console = Console(highlight=False, width=120)
    return console
