"""``annotator train``: a thin Typer command over ``suggest.train_model``.

Progress goes to stderr as a bar; the per-label scores on the held-out
documents go to stdout as a table, so they can be piped or saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotator.cli._options import app, check_logs, say
from annotator.cli.console import err, report_console
from annotator.ingest.report import counted

# soft_wrap: a message naming a long path stays one line, whatever the terminal width.


@app.command("train", short_help="Train a label-suggestion model on annotation logs.")
def train(
    logs: Annotated[
        list[Path],
        typer.Argument(
            metavar="LOG", help="Annotation logs to learn from (one or many annotators)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The model folder to write.")],
    labels: Annotated[
        Path | None,
        typer.Option("--labels", help="labels.yaml (default: the labels recorded in the logs)."),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option("--label", "-l", help="Train only this label (repeat); others count as 0."),
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="The documents annotated: re-anchor decisions to them."),
    ] = None,
    annotator: Annotated[
        list[str] | None,
        typer.Option("--annotator", "-a", help="Only this annotator's decisions (repeat)."),
    ] = None,
    dev_share: Annotated[
        float,
        typer.Option("--dev-share", min=0.0, max=0.9, help="Share of documents held out."),
    ] = 0.2,
    steps: Annotated[
        int, typer.Option("--steps", min=1, help="Most solver iterations per label.")
    ] = 400,
    min_per_label: Annotated[
        int, typer.Option("--min-per-label", min=1, help="Sentences each label needs.")
    ] = 5,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Score from which every label is shown (default: per label, cross-validated).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the held-out documents.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model.")] = False,
) -> None:
    """Train a label-suggestion model (spaCy text classifier) on annotation decisions."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from annotator.labels import load_labels
    from annotator.suggest import train_model
    from annotator.suggest.train import MIN_HELD_OUT

    check_logs(logs)
    documents = None
    if corpus:
        from annotator.config import resolve_reading
        from annotator.sources import load_documents

        documents = list(load_documents(corpus, reading=resolve_reading()))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        # Piped, a bar is noise (and Rich would leave a blank line before an error).
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("training", total=1.0)

        def progress(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        report = train_model(
            logs,
            out,
            labels=load_labels(labels) if labels else None,
            corpus=documents,
            only_labels=tuple(label or ()),
            annotators=tuple(annotator or ()),
            dev_share=dev_share,
            seed=seed,
            max_steps=steps,
            min_per_label=min_per_label,
            threshold=threshold,
            force=force,
            progress=progress,
        )
    for note in report.notes:
        say(f"note: {note}")
    say(
        f"trained {report.component} on {report.train_sentences:,} sentences "
        f"({counted(report.train_documents, 'document')}) in {report.seconds:.1f} s; "
        f"model {report.model_id} in {report.model_dir}"
    )
    say(report.promise)
    if not report.scores:
        say("no held-out documents: nothing was scored (--dev-share)")
        return
    if report.dev_sentences < MIN_HELD_OUT:
        say(f"not scored: {report.summary}")
        return
    table = Table(
        title=(
            f"held out: {counted(report.dev_sentences, 'sentence')} "
            f"in {counted(report.dev_documents, 'document')}"
        ),
        title_justify="left",
    )
    for column in ("label", "precision", "recall", "F1", "held-out", "predicted", "trained on"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for score in report.scores:
        table.add_row(
            score.label,
            f"{score.precision:.2f}",
            f"{score.recall:.2f}",
            f"{score.f1:.2f}",
            str(score.support),
            str(score.predicted),
            str(score.train_positives),
        )
    table.add_row("macro F1", "", "", f"{report.macro_f1:.2f}", "", "", "")
    report_console().print(table)
    say(report.summary)
