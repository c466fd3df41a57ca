"""Team commands: ``annotator agree`` and ``annotator assign``.

Thin Typer shells over ``annotator.agreement`` and ``annotator.assign``, added to the
``annotator`` app when ``annotator.cli`` imports this module. Heavy imports (numpy,
spaCy) happen inside the commands so ``annotator --help`` stays instant.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from annotator.cli._options import JsonOption, Unit, app, say
from annotator.cli.console import report_console


@app.command("agree", short_help="Agreement between analysts, per label and overall.")
def agree(
    logs: Annotated[
        list[Path], typer.Argument(metavar="LOG", help="Annotation logs, one per analyst.")
    ],
    as_json: JsonOption = False,
    top: Annotated[
        int, typer.Option("--top", min=0, help="How many disputed sentences to list.")
    ] = 20,
) -> None:
    """Agreement between analysts on the sentences two or more of them decided."""
    import srsly

    from annotator.agreement import agreement_report, read_codings
    from annotator.cli.render.agreement import format_agreement

    report = agreement_report(read_codings(logs), top=top)
    if as_json:
        sys.stdout.write(srsly.json_dumps(report.to_json(), indent=2) + "\n")
    else:
        report_console().print(format_agreement(report))


@app.command("assign", short_help="Split a corpus into work lists with a shared overlap.")
def assign(
    corpus: Annotated[
        list[Path],
        typer.Argument(metavar="CORPUS", help="A prepared corpus (or transcripts) to split."),
    ],
    annotators: Annotated[
        str, typer.Option("--annotators", help="Analyst ids, comma-separated: ana,ben,cy.")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the work lists.")],
    overlap: Annotated[
        float,
        typer.Option("--overlap", min=0.0, max=1.0, help="Share of sentences coded by several."),
    ] = 0.2,
    coders: Annotated[
        int | None,
        typer.Option("--coders", help="Analysts per shared sentence (default 2; all at 1.0)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the draw (default: a new one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing lists.")] = False,
    unit: Annotated[
        Unit,
        typer.Option(
            "--unit",
            help="Hand out whole turns (turn, the default) or single sentences.",
        ),
    ] = Unit("turn"),
    pipeline: Annotated[
        str | None,
        typer.Option("--pipeline", help="spaCy pipeline for transcripts (not corpora)."),
    ] = None,
) -> None:
    """Split a corpus into one work list per analyst, with a shared overlap."""
    from annotator.assign import plan_assignment, write_assignment
    from annotator.config import resolve_reading
    from annotator.sources import load_documents

    # A fresh seed is still reproducible: it is printed and written to the manifest.
    drawn = seed if seed is not None else secrets.randbelow(2**31)
    assignment = plan_assignment(
        load_documents(corpus, reading=resolve_reading(pipeline)),
        [a for a in annotators.split(",") if a.strip()],
        overlap,
        drawn,
        coders=coders,
        corpus=[str(p) for p in corpus],
        unit=unit,
    )
    write_assignment(assignment, out, force=force)
    lists = ", ".join(f"{w.annotator} {len(w.units):,}" for w in assignment.worklists)
    say(
        f"wrote {out}: {assignment.sentences:,} sentences, {assignment.shared:,} shared by "
        f"{assignment.coders} analysts (seed {drawn}); {lists}"
    )
