"""The ``annotator`` command line: thin Typer commands over the core functions.

One module per group of commands (``read``: parse, sentences, import, extract;
``work``: annotate, adjudicate, status, labels check; ``export``: export, stats;
``team``: agree, assign; ``suggest``: train), each adding its commands to the one
``app`` in ``_options``, with the options they share. ``render/`` lays results out
as rich tables and charts; nothing outside ``cli`` and ``tui`` renders.

Every ``AnnotatorError`` becomes one line on stderr and exit code 1, never a
traceback. Heavy imports (spaCy, Textual) happen inside the commands, after their
arguments are checked, so ``annotator --help`` and a wrong path answer at once.
"""

from __future__ import annotations

import sys

# isort: off
# The order of ``annotator --help``: reading, working, exporting, team, suggestions.
from annotator.cli import read, work, export, team, suggest

# isort: on
from annotator.cli._options import app
from annotator.cli.console import err
from annotator.errors import AnnotatorError

__all__ = ["app", "main"]
COMMAND_MODULES = (read, work, export, team, suggest)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app (on ``args``, else the command line's) and turn known
    errors into one line and exit code 1."""
    try:
        app(args=args, prog_name="annotator")
    except AnnotatorError as error:
        err.print(f"annotator: error: {error}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # ``annotator parse ... | head``: the reader went away; that is not an error.
        sys.stderr.close()
        sys.exit(0)
