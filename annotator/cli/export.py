"""``annotator export`` and ``annotator stats``: thin Typer commands over the export core.

Both parse options into an ``ExportOptions`` and call one core function
(``export.export_logs``, ``stats.stats_report``); what was left out is
printed on stderr so that piping ``stats --json`` stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from annotator.cli._options import (
    AnnotatorOption,
    Combine,
    CorpusOption,
    ForceOption,
    FormatName,
    JsonOption,
    LabelOption,
    LabelsOption,
    LogsArgument,
    Unresolved,
    app,
    say,
    warn,
)
from annotator.cli.console import report_console
from annotator.errors import AnnotatorError
from annotator.export.records import ExportOptions
from annotator.model import Document

# soft_wrap: a message naming a long path stays one line, whatever the terminal width.

GoldOption = Annotated[
    bool,
    typer.Option(
        "--gold",
        help="The team's dataset: adjudicated labels, else agreed ones, else --unresolved.",
    ),
]
AdjudicatedOption = Annotated[
    bool,
    typer.Option("--adjudicated-only", help="Only adjudicated decisions (annotator 'gold')."),
]
UnresolvedOption = Annotated[
    Unresolved,
    typer.Option(
        "--unresolved",
        help="Coders disagree, nothing settles it: flag (keep, flagged), exclude, majority.",
    ),
]
FlaggedOption = Annotated[
    bool, typer.Option("--flagged/--skip-flagged", help="Include sentences flagged for review.")
]
EmptyOption = Annotated[
    bool,
    typer.Option("--empty/--skip-empty", help='Include sentences with "no label applies".'),
]
CombineOption = Annotated[
    Combine,
    typer.Option(
        "--combine",
        help="Labels of several annotators: majority, union or intersection.",
    ),
]


def _documents(corpus: list[Path] | None, out: Path | None = None) -> Iterable[Document] | None:
    """The corpus, read a document at a time as the export goes (never held whole);
    read whole first when the export goes to standard output, where a transcript
    that cannot be read must stop it before a line is written."""
    if not corpus:
        return None
    from annotator.config import resolve_reading
    from annotator.export import STDOUT
    from annotator.sources import load_documents

    # Read as annotate read them (annotator.toml's pipeline and speaker pattern).
    documents = load_documents(corpus, reading=resolve_reading())
    return list(documents) if out == STDOUT else documents


def _parse_users(pairs: list[str] | None) -> dict[str, int | str]:
    """``--ls-user`` values: NAME=ID (a Label Studio user id) or NAME=EMAIL."""
    users: dict[str, int | str] = {}
    for pair in pairs or ():
        name, _, user = pair.partition("=")
        if name and user.isdigit():
            users[name] = int(user)
        elif name and "@" in user.strip("@"):
            users[name] = user
        else:
            raise AnnotatorError(
                f"--ls-user {pair!r}: expected NAME=ID or NAME=EMAIL, "
                "such as alice=3 or alice=alice@example.org"
            )
    return users


@app.command("export", short_help="Write decided sentences as a dataset (8 formats).")
def export(
    logs: LogsArgument,
    format_name: Annotated[
        FormatName,
        typer.Option("--format", "-f", help="The format to write."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output file (a folder for spacy); - is stdout (jsonl, csv, prodigy, doccano).",
        ),
    ],
    corpus: CorpusOption = None,
    labels: LabelsOption = None,
    annotator: AnnotatorOption = None,
    gold: GoldOption = False,
    adjudicated_only: AdjudicatedOption = False,
    unresolved: UnresolvedOption = Unresolved("flag"),
    flagged: FlaggedOption = True,
    empty: EmptyOption = True,
    label: LabelOption = None,
    csv_raw: Annotated[
        bool,
        typer.Option(
            "--csv-raw",
            help="csv: cells as they are (no quote before =, +, -, @: unsafe in Excel).",
        ),
    ] = False,
    context: Annotated[
        int, typer.Option("--context", min=0, help="Sentences of context before and after.")
    ] = 0,
    turn: Annotated[bool, typer.Option("--turn", help="Add the whole speaker turn.")] = False,
    combine: CombineOption = Combine("majority"),
    seed: Annotated[int, typer.Option("--seed", help="spacy: train/dev shuffle seed.")] = 0,
    dev_fraction: Annotated[
        float, typer.Option("--dev-fraction", min=0.0, max=0.9, help="spacy: share for dev.")
    ] = 0.2,
    split_by: Annotated[
        str | None,
        typer.Option(
            "--split-by",
            help="spacy: sentence (default, stratified by label) or document; "
            "doccano: annotator (one file per analyst).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="spacy: language of the blank nlp.")] = "en",
    ls_user: Annotated[
        list[str] | None,
        typer.Option(
            "--ls-user", help="labelstudio: NAME=ID or NAME=EMAIL of a Label Studio user."
        ),
    ] = None,
    prodigy_dataset: Annotated[
        str | None,
        typer.Option("--prodigy-dataset", help="prodigy: the dataset name (default: OUT's stem)."),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write the decided sentences of annotation logs as a dataset."""
    from annotator.export import export_logs
    from annotator.labels import load_labels

    options = ExportOptions(
        annotators=tuple(annotator or ()),
        gold_only=adjudicated_only,
        gold_standard=gold,
        unresolved=unresolved,
        csv_raw=csv_raw,
        include_flagged=flagged,
        include_empty=empty,
        labels=tuple(label or ()),
        context=context,
        turn_text=turn,
        combine=combine,
        force=force,
        seed=seed,
        dev_fraction=dev_fraction,
        lang=lang,
        labelstudio_users=_parse_users(ls_user),
        prodigy_dataset=prodigy_dataset or "",
        split_by=split_by or ("sentence" if format_name in ("spacy", "hf") else ""),
    )
    result = export_logs(
        logs,
        format_name,
        out,
        documents=_documents(corpus, out),
        label_set=load_labels(labels) if labels else None,
        options=options,
    )
    warn(result.warnings)
    for message in result.left_out:
        say(message)
    if not corpus:
        say("no --corpus: speaker keys are empty and context comes from decided sentences only")
    for note in result.notes:
        say(note)
    files = ", ".join("standard output" if str(p) == "-" else str(p) for p in result.files)
    say(f"wrote {result.records:,} sentences ({result.format}): {files}")


@app.command("stats", short_help="Label counts overall, per speaker and per document.")
def stats(
    logs: LogsArgument,
    corpus: CorpusOption = None,
    labels: LabelsOption = None,
    annotator: AnnotatorOption = None,
    gold: GoldOption = False,
    adjudicated_only: AdjudicatedOption = False,
    unresolved: UnresolvedOption = Unresolved("flag"),
    flagged: FlaggedOption = True,
    empty: EmptyOption = True,
    combine: CombineOption = Combine("majority"),
    as_json: JsonOption = False,
    top: Annotated[int, typer.Option("--top", min=0, help="Bar charts for the N largest.")] = 10,
) -> None:
    """Label counts overall, per speaker and per document, with bar charts."""
    import srsly

    from annotator.cli.render.stats import format_stats
    from annotator.labels import load_labels
    from annotator.stats import stats_report

    report = stats_report(
        logs,
        documents=_documents(corpus),
        label_set=load_labels(labels) if labels else None,
        options=ExportOptions(
            annotators=tuple(annotator or ()),
            gold_only=adjudicated_only,
            gold_standard=gold,
            unresolved=unresolved,
            include_flagged=flagged,
            include_empty=empty,
            combine=combine,
        ),
    )
    if as_json:
        sys.stdout.write(srsly.json_dumps(report.to_dict(), indent=2) + "\n")
        return
    report_console().print(format_stats(report, top=top))
