"""What the commands share: the ``annotator`` Typer app, the options several commands
take, and how a warning is printed (as spaCy's ``cli/_util.py``).

Every command module decorates this ``app``; ``annotator.cli`` imports them all. An
option whose value is one of a registry's names (``--format``, ``--combine``,
``--unresolved``, ``--order``, ``--unit``) is an enum built from that registry, so
``--help`` lists the names and a wrong one is refused before anything is read; its
members are strings, so the core receives the name itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from annotator.cli.console import err

app = typer.Typer(
    name="annotator",
    help="Label the sentences of official statements, from the keyboard, in a terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
labels_app = typer.Typer(help="Work with label sets (labels.yaml).", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


def _version(value: bool) -> None:
    if value:
        from annotator import __version__

        print(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Label the sentences of official statements, from the keyboard, in a terminal."""


def registry_enum(name: str, names: Iterable[str]) -> type[StrEnum]:
    """An enum of exactly these names (a registry's keys), each member its own name."""
    return StrEnum(name, {item: item for item in names})  # type: ignore[return-value]


if TYPE_CHECKING:
    # To the type checker each is the string it stands for.
    FormatName: TypeAlias = str
    Combine: TypeAlias = str
    Unresolved: TypeAlias = str
    Order: TypeAlias = str
    Unit: TypeAlias = str
else:
    from annotator.assign import UNITS
    from annotator.export import FORMATS
    from annotator.export.records import COMBINE_MODES, UNRESOLVED_POLICIES
    from annotator.opening import ORDERS

    FormatName = registry_enum("FormatName", FORMATS)
    Combine = registry_enum("Combine", COMBINE_MODES)
    Unresolved = registry_enum("Unresolved", UNRESOLVED_POLICIES)
    Order = registry_enum("Order", ORDERS)
    Unit = registry_enum("Unit", UNITS)


def warn(messages: Iterable[str]) -> None:
    """Each message on stderr as ``warning: ...``, one line each."""
    for message in messages:
        say(f"warning: {message}")


def say(message: str) -> None:
    """One line on stderr (the console shows control characters as escapes)."""
    err.print(message, markup=False)


def check_logs(logs: Sequence[Path]) -> None:
    """Every log named exists, before anything is read."""
    from annotator.errors import AnnotatorError

    for log in logs:
        if not log.is_file():
            raise AnnotatorError(f"{log}: no such annotation log")


# Reading transcripts (parse, import, annotate, adjudicate, status).
PipelineOption = Annotated[
    str | None,
    typer.Option("--pipeline", help="An installed spaCy pipeline to split sentences with."),
]
AllowOneSpeechOption = Annotated[
    bool,
    typer.Option(
        "--allow-one-speech", help="Accept a long document with no speaker labels as one speech."
    ),
]
PatternOption = Annotated[
    str | None,
    typer.Option(
        "--speaker-pattern",
        help="A regex matching a speaker label at line start (group 'speaker' or 1).",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse transcripts afresh instead of reusing (and filling) the parse cache.",
    ),
]

# Reading logs into a dataset (export, stats, train).
LogsArgument = Annotated[
    list[Path],
    typer.Argument(metavar="LOG", help="Annotation logs (one or many annotators, or a gold log)."),
]
CorpusOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--corpus",
        help="Prepared corpus or transcripts: re-anchor decisions, add speaker keys and context.",
    ),
]
LabelsOption = Annotated[
    Path | None,
    typer.Option("--labels", help="labels.yaml (default: the labels recorded in the logs)."),
]
AnnotatorOption = Annotated[
    list[str] | None,
    typer.Option("--annotator", "-a", help="Only this annotator (repeat for several)."),
]
LabelOption = Annotated[
    list[str] | None,
    typer.Option("--label", "-l", help="Only this label (repeat); others count as 0."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing output.")]
