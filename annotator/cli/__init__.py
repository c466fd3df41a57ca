"""The ``annotator`` command line: thin Typer commands over the core functions.

One module per group of commands (``read``: parse, sentences, import, extract;
``work``: annotate, adjudicate, status, labels check; ``export``: export, stats;
``team``: agree, assign; ``suggest``: train), each adding its commands to the one
``app`` in ``_options``, with the options they share. ``render/`` lays results out
as rich tables and charts; nothing outside ``cli`` and ``tui`` renders.

Every ``AnnotatorError`` becomes one line on stderr and exit code 1, and a wrong
option one line and exit code 2, never a traceback. Heavy imports (spaCy, Textual)
happen inside the commands, after their arguments are checked, so ``annotator
--help`` and a wrong path answer at once.
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

try:
    # Typer (0.29 here) carries its own copy of Click, whose usage errors these are; a
    # private module, so a Typer that moves it falls back to Click itself.
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer.exceptions import Abort
except ImportError:
    from click.exceptions import (  # type: ignore[assignment]
        Abort,
        ClickException,
        NoArgsIsHelpError,
        UsageError,
    )

__all__ = ["app", "main"]
COMMAND_MODULES = (read, work, export, team, suggest)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app (on ``args``, else the command line's). A known error
    is one line and exit code 1; a wrong option or a missing argument is one line and
    exit code 2 (click's convention for usage errors); never a traceback."""
    try:
        code = app(args=args, prog_name="annotator", standalone_mode=False)
    except AnnotatorError as error:
        err.print(f"annotator: error: {error}", markup=False)
        sys.exit(1)
    except NoArgsIsHelpError as usage:
        usage.show()  # ``annotator`` or ``annotator labels`` alone: the help itself
        sys.exit(usage.exit_code)
    except UsageError as usage:
        err.print(f"annotator: error: {usage_line(usage)}", markup=False)
        sys.exit(usage.exit_code)
    except ClickException as error:
        err.print(f"annotator: error: {error.format_message()}", markup=False)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Abort:
        err.print("annotator: aborted", markup=False)  # end of input at a prompt
        sys.exit(1)
    except BrokenPipeError:
        # ``annotator parse ... | head``: the reader went away; that is not an error.
        sys.stderr.close()
        sys.exit(0)
    # Outside standalone mode an ``Exit`` (``--version``, a refused action) comes back
    # as its code; a command's own return value is None.
    sys.exit(code if isinstance(code, int) else 0)


def usage_line(usage: UsageError) -> str:
    """Click's message for a usage error, on one line, with where to look for help."""
    message = " ".join(usage.format_message().split())
    # Typer words a refused choice as its validator's exception: not the user's concern.
    message = message.replace(": Value error, ", ": ")
    command = usage.ctx.command_path if usage.ctx is not None else "annotator"
    return f"{message} (see '{command} --help')"
