"""The commands an analyst works in: ``annotate``, ``adjudicate``, ``status`` and
``labels check``.

``annotate`` and ``adjudicate`` open their work with the core (``opening``,
``adjudication``) and hand the session to the TUI; on the way out they say where
everything was saved.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli._options import (
    JsonOption,
    NoCacheOption,
    Order,
    PatternOption,
    PipelineOption,
    app,
    check_logs,
    labels_app,
    say,
    warn,
)
from annotator.cli.console import report_console
from annotator.config import Config, load_config, resolve_reading
from annotator.errors import ConfigError
from annotator.ingest.report import counted
from annotator.model import Document, LabelSet

if TYPE_CHECKING:
    from annotator.adjudication import Adjudication
    from annotator.session import Scope
    from annotator.session.source import DocumentSource
    from annotator.suggest import Suggester


@app.command(short_help="Label sentences in the terminal; reopening resumes.")
def annotate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH", help="Transcripts, folders, JSONL turns or a prepared corpus."
        ),
    ] = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="The label set (default: the shipped one).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The annotation log (default annotations/NAME.jsonl)."),
    ] = None,
    annotator: Annotated[
        str | None, typer.Option("--annotator", "-a", help="Your annotator id (default: login).")
    ] = None,
    worklist: Annotated[
        Path | None,
        typer.Option("--worklist", help="A work list from 'annotator assign': only its sentences."),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option("--suggest", help="A model from 'annotator train': show its suggestions."),
    ] = None,
    order: Annotated[
        Order,
        typer.Option(
            "--order",
            help="reading (default); uncertain: least certain suggestions first across the "
            "corpus; uncertain-doc: the same within each document",
        ),
    ] = Order("reading"),
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Label sentences in the terminal. Reopening resumes at the first undecided one."""
    from annotator.labels import load_labels
    from annotator.opening import plan_annotation
    from annotator.resources import sample_transcript

    config = load_config()
    plan = plan_annotation(
        paths or [sample_transcript()],
        load_labels(labels),
        resolve_reading(pipeline, speaker_pattern, config, cache=not no_cache),
        config,
        out=out,
        annotator=annotator,
        worklist=worklist,
        suggest=suggest,
        order=order,
    )
    warn(plan.warnings)
    _run_tui(
        plan.log_path,
        plan.name,
        plan.label_set,
        plan.documents,
        plan.pending,
        config,
        remaining=plan.remaining,
        suggester=plan.suggester,
        order=plan.order,
        scope=plan.scope,
    )


@app.command(short_help="Settle the analysts' disagreements into a gold log.")
def adjudicate(
    logs: Annotated[
        list[Path], typer.Argument(metavar="LOG", help="The analysts' annotation logs.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The gold log to write.")] = Path(
        "annotations/gold.jsonl"
    ),
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="The documents the analysts coded (default: their sources)."),
    ] = None,
    labels: Annotated[Path | None, typer.Option("--labels", help="The label set.")] = None,
    flagged: Annotated[
        bool, typer.Option("--flagged", help="Also review agreed sentences someone flagged.")
    ] = False,
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Settle the analysts' disagreements into a gold log, sentence by sentence."""
    from annotator.adjudication import GOLD, open_adjudication
    from annotator.labels import load_labels

    label_set = load_labels(labels)
    config = load_config()
    adjudication = open_adjudication(
        logs,
        corpus,
        reading=resolve_reading(pipeline, speaker_pattern, config, cache=not no_cache),
        include_flagged=flagged,
    )
    warn(adjudication.warnings)
    if not adjudication.documents:
        if len(adjudication.coders) < 2:
            who = ", ".join(adjudication.coders) or "no analyst"
            say(
                f"Nothing to adjudicate: these logs hold one analyst's decisions ({who}); "
                "adjudication settles where two or more analysts disagree."
            )
        else:
            say("Nothing to adjudicate: the analysts agree on every sentence they share.")
        return
    _run_tui(
        out,
        GOLD,
        label_set,
        list(adjudication.documents),
        None,
        config,
        adjudication,
        scope=adjudication.disputed,
    )


def _run_tui(
    log_path: Path,
    name: str,
    label_set: LabelSet,
    first: Sequence[Document] | DocumentSource,
    pending: Iterator[Document] | None,
    config: Config,
    adjudication: Adjudication | None = None,
    remaining: int | None = None,
    suggester: Suggester | None = None,
    order: str = "reading",
    scope: Scope | None = None,
) -> None:
    """Open the session, run the app, and say on the way out that all is saved."""
    from annotator.keys import keymap_clashes
    from annotator.opening import open_session
    from annotator.tui.app import AnnotatorApp

    clashes = keymap_clashes(config.keys, {label.name: label.key for label in label_set.labels})
    if clashes:
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        raise ConfigError(f"{config.path}: {clashes[0]}{more}; give it a key of its own")

    log, session = open_session(
        log_path, name, label_set, first, config, suggester=suggester, order=order, scope=scope
    )
    try:
        warn(log.warnings)
        result = AnnotatorApp(
            session,
            str(log_path),
            pending=pending,
            pending_total=remaining,
            keymap=config.keys,
            adjudication=adjudication,
            model_dir=suggester.model_dir if suggester else None,
            training_logs=[log_path],
        ).run()
    finally:
        log.close()
    say(result or f"All decisions are saved in {log_path}.")


@labels_app.command("check")
def labels_check(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="LABELS", help="A labels.yaml (default: the shipped label set)."),
    ] = None,
) -> None:
    """Validate a label set and print it as a table."""
    from annotator.cli.render.labels import format_label_table
    from annotator.errors import LabelErrors
    from annotator.labels import load_labels

    try:
        label_set = load_labels(path)
    except LabelErrors as errors:
        for message in errors.messages:
            say(f"annotator: error: {message}")
        say(f"{counted(len(errors.messages), 'error')} in {path or 'the label set'}")
        raise typer.Exit(1) from None
    report_console().print(format_label_table(label_set))


@app.command(short_help="Progress per document and annotator, flags, orphans.")
def status(
    logs: Annotated[list[Path], typer.Argument(metavar="LOG", help="Annotation logs (JSONL).")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="The documents annotated: totals per document and re-anchored decisions.",
        ),
    ] = None,
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    all_flagged: Annotated[
        bool, typer.Option("--all", help="List every flagged sentence (default: the first 20).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Progress per document and annotator, label counts, flags, orphans, torn lines."""
    from annotator.cli.render.status import format_status
    from annotator.sources import load_documents
    from annotator.status import status_report

    check_logs(logs)
    reading = resolve_reading(pipeline, speaker_pattern)
    documents = list(load_documents(corpus, reading=reading)) if corpus else None
    # Without --corpus, the transcripts the logs name are reopened where unchanged.
    report = status_report(logs, documents, find_sources=True, reading=reading)
    if as_json:
        import srsly

        sys.stdout.write(srsly.json_dumps(report.to_dict(), indent=2) + "\n")
        return
    report_console().print(format_status(report, all_flagged=all_flagged))
