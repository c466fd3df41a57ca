"""The ``annotator`` command line: thin Typer commands over the core functions.

Each command parses its options and calls one core function. Every
``AnnotatorError`` becomes one line on stderr and exit code 1, never a
traceback. Heavy imports (spaCy, Textual) happen inside the commands that need
them, so ``annotator --help`` stays instant.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli_console import err, report_console
from annotator.cli_export import register as register_export
from annotator.cli_suggest import register as register_suggest
from annotator.cli_team import register as register_team
from annotator.config import Config, load_config, resolve_reading
from annotator.errors import AnnotatorError
from annotator.model import Document, LabelSet

if TYPE_CHECKING:
    from rich.console import Console

    from annotator.adjudication import Adjudication
    from annotator.session import Scope
    from annotator.suggest import Suggester

app = typer.Typer(
    name="annotator",
    help="Label the sentences of official statements, from the keyboard, in a terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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


labels_app = typer.Typer(help="Work with label sets (labels.yaml).", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


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


def _warn(messages: Iterable[str]) -> None:
    for message in messages:
        err.print(f"warning: {message}", markup=False)


@app.command(short_help="Read transcripts into speaker turns and sentences (JSON or --pretty).")
def parse(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Transcripts, folders or JSONL turns (default: the bundled sample)."),
    ] = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="A readable, coloured outline.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the speaker-label convention chosen and why.")
    ] = False,
    allow_one_speech: AllowOneSpeechOption = False,
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Print each document as JSON (one object per line): turns, notes, sentences.

    The import report (convention, turns, speakers, warnings) goes to stderr.
    """
    from annotator.resources import sample_transcript
    from annotator.sources import load_documents

    reading = resolve_reading(pipeline, speaker_pattern, cache=not no_cache)
    pattern = reading.speaker_pattern
    out = report_console()
    if explain:
        from annotator.printable import terminal_safe
        from annotator.transcript import explain_paths

        for explanation in explain_paths(paths or [sample_transcript()], pattern):
            sys.stdout.write(terminal_safe(explanation) + "\n")
        return
    from annotator.stream import stream_parse, streamable

    nlp = None
    for item in paths or [sample_transcript()]:
        if not pretty and streamable(item):
            # A very large transcript is read and written a section at a time.
            from annotator.ingest.report import check_one_speech, format_report
            from annotator.printable import terminal_safe
            from annotator.segment import load_pipeline

            nlp = nlp or load_pipeline(reading.pipeline)
            report = stream_parse(
                item,
                nlp,
                sys.stdout.write,
                speaker_pattern=pattern,
                check=lambda document: check_one_speech(document, allow_one_speech),
            )
            err.print(terminal_safe(format_report(report)), markup=False)
            continue
        for document in load_documents([item], reading=reading, nlp=nlp):
            _print_parsed(document, pretty, allow_one_speech, pattern, out)


def _print_parsed(
    document: Document,
    pretty: bool,
    allow_one_speech: bool,
    pattern: re.Pattern[str] | None,
    out: Console,
) -> None:
    """One parsed document: its report on stderr, then its outline or its JSON."""
    import srsly

    from annotator.corpus import document_to_dict

    err.print(_report(document, allow_one_speech, pattern), markup=False)
    if pretty:
        from annotator.render.outline import render_outline

        out.print(render_outline(document))
    else:
        sys.stdout.write(srsly.json_dumps(document_to_dict(document)) + "\n")


def _report(document: Document, allow_one_speech: bool, pattern: re.Pattern[str] | None) -> str:
    """The import report of one document; a long unlabelled text is an error."""
    from annotator.ingest.report import build_report, check_one_speech, format_report
    from annotator.printable import terminal_safe as safe
    from annotator.transcript import explain_text

    check_one_speech(document, allow_one_speech)
    convention = document.convention
    if not convention:
        convention = explain_text(document.text, pattern).name if document.text else "?"
    return safe(format_report(build_report(document, convention)))


@app.command(short_help="Add sentence offsets to JSON Lines texts on stdin.")
def sentences(
    pipeline: PipelineOption = None,
    field: Annotated[str, typer.Option(help="The field holding the text.")] = "text",
) -> None:
    """Read JSON Lines {"text": ...} on stdin; write them back with "sentences" added."""
    import srsly

    from annotator.segment import load_pipeline, split_texts

    nlp = load_pipeline(pipeline)
    records = []
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise AnnotatorError(
                f"<stdin>:{number}: not UTF-8 text ({error.reason} at byte {error.start})"
            ) from None
        try:
            record = srsly.json_loads(line)
        except ValueError:
            raise AnnotatorError(f"<stdin>:{number}: not a JSON object") from None
        if not isinstance(record, dict) or not isinstance(record.get(field), str):
            raise AnnotatorError(f'<stdin>:{number}: no "{field}" string in this line')
        records.append(record)
    texts = [record[field] for record in records]
    for record, spans in zip(records, split_texts(texts, nlp), strict=True):
        text = record[field]
        record["sentences"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in spans]
        sys.stdout.write(srsly.json_dumps(record) + "\n")


@app.command("import", short_help="Parse and segment transcripts once into a prepared corpus.")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Transcripts, folders or JSONL turns.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The corpus file to write.")],
    processes: Annotated[
        int,
        typer.Option("--processes", "-j", min=1, help="Worker processes for segmenting."),
    ] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing corpus.")] = False,
    allow_one_speech: AllowOneSpeechOption = False,
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Parse and segment a collection once into a prepared corpus (JSONL).

    Ends with the import report: each document's convention, turns and warnings.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from annotator.corpus import write_corpus
    from annotator.sources import count_documents, load_documents

    if out.exists() and not force:
        raise AnnotatorError(f"{out}: already exists; use --force to overwrite it")
    reading = resolve_reading(pipeline, speaker_pattern, cache=not no_cache)
    words = sentences_total = 0
    reports: list[str] = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("segmenting", total=count_documents(paths))

        def counted() -> Iterator[Document]:
            nonlocal words, sentences_total
            # Transcripts in the parse cache come out of it; the rest go through spaCy.
            for document in load_documents(paths, reading=reading, n_process=processes):
                reports.append(_report(document, allow_one_speech, reading.speaker_pattern))
                words += sum(len(turn.text.split()) for turn in document.turns)
                sentences_total += document.sentence_count()
                progress.advance(task)
                yield document

        count = write_corpus(counted(), out)
    for report in reports:
        err.print(report, markup=False)
    err.print(
        f"wrote {out}: {count} documents, {sentences_total:,} sentences, {words:,} words",
        markup=False,
    )


@app.command(short_help="Label sentences in the terminal; reopening resumes.")
def annotate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Transcripts, folders, JSONL turns or a prepared corpus."),
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
        str,
        typer.Option(
            "--order",
            help="reading (default); uncertain: least certain suggestions first across the "
            "corpus; uncertain-doc: the same within each document",
        ),
    ] = "reading",
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Label sentences in the terminal. Reopening resumes at the first undecided one."""
    import getpass

    from annotator.labels import load_labels
    from annotator.resources import sample_transcript
    from annotator.sources import count_documents, load_documents

    if order not in ("reading", "uncertain", "uncertain-doc"):
        raise AnnotatorError(f"--order {order}: choose reading, uncertain or uncertain-doc")
    if order != "reading" and suggest is None:
        raise AnnotatorError(f"--order {order} needs a model: add --suggest MODEL_DIR")
    suggester = None
    if suggest is not None:
        from annotator.suggest import Suggester

        suggester = Suggester.load(suggest)
    config = load_config()
    label_set = load_labels(labels)
    work = None
    if worklist is not None:
        from annotator.assign import load_worklist

        work = load_worklist(worklist)
    name = annotator or config.annotator or (work.annotator if work else getpass.getuser())
    log_path = out or Path("annotations") / f"{name}.jsonl"
    documents = load_documents(
        paths or [sample_transcript()],
        reading=resolve_reading(pipeline, speaker_pattern, config, cache=not no_cache),
    )
    scope: Scope | None = None
    if work is not None:
        # Whole documents, the listed sentences to code and the rest shown as context.
        scope = work.includes
        documents = (d for d in documents if work.covers(d))
    first = next(documents, None)
    if first is None:
        raise AnnotatorError(
            f"{worklist}: none of its sentences is in these documents"
            if worklist
            else "nothing to annotate: no documents were found"
        )
    _warn(first.warnings)
    loaded: list[Document] = [first]
    pending: Iterator[Document] | None = documents
    if order != "reading":
        # The order spans the corpus, so every document is read before the first screen.
        loaded += list(documents)
        pending = None
    # The rest load in the background; a work list may skip some, so no total then.
    remaining = None if work else count_documents(paths or []) - 1
    _run_tui(
        log_path,
        name,
        label_set,
        loaded,
        pending,
        config,
        remaining=remaining,
        suggester=suggester,
        order=order,
        scope=scope,
    )


@app.command(short_help="Settle the analysts' disagreements into a gold log.")
def adjudicate(
    logs: Annotated[list[Path], typer.Argument(help="The analysts' annotation logs.")],
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
    _warn(adjudication.warnings)
    if not adjudication.documents:
        err.print("Nothing to adjudicate: the analysts agree on every sentence they share.")
        return
    documents = list(adjudication.documents)
    _run_tui(
        out,
        GOLD,
        label_set,
        documents,
        None,
        config,
        adjudication,
        scope=adjudication.disputed,
    )


def _run_tui(
    log_path: Path,
    name: str,
    label_set: LabelSet,
    first: list[Document],
    pending: Iterator[Document] | None,
    config: Config,
    adjudication: Adjudication | None = None,
    remaining: int | None = None,
    suggester: Suggester | None = None,
    order: str = "reading",
    scope: Scope | None = None,
) -> None:
    """Open the log, resume, run the app, and say on the way out that all is saved."""
    from annotator.log import AnnotationLog
    from annotator.session import AnnotationSession
    from annotator.tui.app import AnnotatorApp

    log = AnnotationLog.open(log_path, name, labels=label_set)
    try:
        _warn(log.warnings)
        session = AnnotationSession(first, label_set, log, scope=scope)
        session.enter_moves_to = config.enter
        session.use_suggester(suggester)
        if order != "reading":
            session.order_by_uncertainty(per_document=order == "uncertain-doc")
        session.resume()
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
    err.print(result or f"All decisions are saved in {log_path}.", markup=False)


@labels_app.command("check")
def labels_check(
    path: Annotated[
        Path | None, typer.Argument(help="A labels.yaml (default: the shipped label set).")
    ] = None,
) -> None:
    """Validate a label set and print it as a table."""
    from annotator.labels import LabelErrors, load_labels
    from annotator.render.labels import format_label_table

    try:
        label_set = load_labels(path)
    except LabelErrors as errors:
        for message in errors.messages:
            err.print(f"annotator: error: {message}", markup=False)
        err.print(f"{len(errors.messages)} errors", markup=False)
        raise typer.Exit(1) from None
    report_console().print(format_label_table(label_set))


@app.command(short_help="Progress per document and annotator, flags, orphans.")
def status(
    logs: Annotated[list[Path], typer.Argument(help="Annotation logs (JSONL).")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="The documents annotated, for totals and re-anchoring."),
    ] = None,
    pipeline: PipelineOption = None,
    speaker_pattern: PatternOption = None,
    all_flagged: Annotated[
        bool, typer.Option("--all", help="List every flagged sentence (default: the first 20).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Progress per document and annotator, label counts, flags, orphans, torn lines."""
    from annotator.render.status import format_status
    from annotator.sources import load_documents
    from annotator.status import status_report

    for log in logs:
        if not log.exists():
            raise AnnotatorError(f"{log}: no such annotation log")
    reading = resolve_reading(pipeline, speaker_pattern)
    documents = list(load_documents(corpus, reading=reading)) if corpus else None
    # Without --corpus, the transcripts the logs name are reopened where unchanged.
    report = status_report(logs, documents, find_sources=True, reading=reading)
    if as_json:
        import srsly

        sys.stdout.write(srsly.json_dumps(report.to_dict(), indent=2) + "\n")
        return
    report_console().print(format_status(report, all_flagged=all_flagged))


@app.command(short_help="Write the text of a web page, PDF or Word file.")
def extract(
    path: Annotated[Path, typer.Argument(help="A web page (.html), a PDF or a Word (.docx) file.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the text here (default: stdout).")
    ] = None,
) -> None:
    """Write the text read out of a web page, PDF or Word file: what parse and import read."""
    from annotator.extract import extract_file
    from annotator.printable import terminal_safe

    extraction = extract_file(path)
    for note in extraction.notes:
        err.print(terminal_safe(f"note: {note}"), markup=False)
    if out is None:
        sys.stdout.write(extraction.text)
        return
    try:
        out.write_text(extraction.text, encoding="utf-8")
    except OSError as error:
        raise AnnotatorError(f"{out}: cannot write ({error.strerror})") from None
    summary = f"wrote {out}: {extraction.pages} pages, {len(extraction.text.split()):,} words"
    err.print(terminal_safe(summary), markup=False)


# Commands that live in their own modules (export and stats; assign and agree).
register_export(app)
register_team(app)
register_suggest(app)


def main() -> None:
    """Entry point: run the app and turn known errors into one line and exit code 1."""
    try:
        app()
    except AnnotatorError as error:
        err.print(f"annotator: error: {error}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # ``annotator parse ... | head``: the reader went away; that is not an error.
        sys.stderr.close()
        sys.exit(0)
