"""The commands that read text: ``parse``, ``sentences``, ``import`` and ``extract``.

Each reads transcripts (or web pages, PDFs, Word files) as ``annotator.toml`` and its
options say, prints what it read or writes it once into a prepared corpus, and
reports each document's convention, turns and warnings on stderr.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from annotator.cli._options import (
    AllowOneSpeechOption,
    NoCacheOption,
    PatternOption,
    PipelineOption,
    app,
)
from annotator.cli.console import err, report_console
from annotator.config import resolve_reading
from annotator.errors import AnnotatorError
from annotator.model import Document

if TYPE_CHECKING:
    from rich.console import Console


@app.command(short_help="Read transcripts into speaker turns and sentences (JSON or --pretty).")
def parse(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Transcripts, folders or JSONL turns (default: the bundled sample).",
        ),
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
        from annotator.cli.render.outline import render_outline

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
    # One entry per input line, None for a blank one: a blank line in is a blank line
    # out, so output line N answers input line N.
    lines: list[dict[str, Any] | None] = []
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        if not raw.strip():
            lines.append(None)
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
        lines.append(record)
    split = split_texts([record[field] for record in lines if record is not None], nlp)
    for record in lines:
        if record is None:
            sys.stdout.write("\n")
            continue
        text = record[field]
        record["sentences"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in next(split)]
        sys.stdout.write(srsly.json_dumps(record) + "\n")


@app.command("import", short_help="Parse and segment transcripts once into a prepared corpus.")
def import_(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Transcripts, folders or JSONL turns.")
    ],
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
    total = count_documents(paths)  # a missing path is refused before the progress bar
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        # Piped, a bar is noise (and Rich would leave a blank line on stderr).
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("segmenting", total=total)

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


@app.command(short_help="Write the text of a web page, PDF or Word file.")
def extract(
    path: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A web page (.html), a PDF or a Word (.docx) file."),
    ],
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
