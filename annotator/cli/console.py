"""The consoles every command prints through.

``err`` carries messages and errors (one line each, even for long paths, so
``soft_wrap``); ``report_console()`` prints tables, at least 120 columns wide when the
output goes to a file or a pipe, where Rich would otherwise assume 80 and cut
the columns of wide reports such as ``agree``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment

from annotator.printable import terminal_safe


class SafeConsole(Console):
    """A console that shows control codes in the text it prints as visible escapes.

    Every command prints through one of these, so no string from a transcript, a
    log or a file name reaches the terminal as a control sequence, whatever table
    or message it sits in. Rich's own control segments (cursor moves, styles) pass
    untouched. ``_render_buffer`` is the one place every printed segment passes
    through; ``tests/test_printable.py`` fails if a Rich upgrade changes that.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(terminal_safe(segment.text), segment.style)
            for segment in buffer
        )


err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def report_console() -> Console:
    """A console for tables on stdout."""
    console = SafeConsole(highlight=False)
    if not sys.stdout.isatty() and console.width < 120:
        console = SafeConsole(highlight=False, width=120)
    return console
