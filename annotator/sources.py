"""From whatever the analyst points at to segmented documents.

A path may be a transcript, a web page, a PDF or Word file (extracted to text
first), a folder of these, JSONL turns or a prepared corpus; this module tells
them apart and returns documents with sentences, so that every command (and the
TUI) opens input the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.corpus import is_corpus, read_corpus
from annotator.errors import AnnotatorError
from annotator.extract import EXTRACT_SUFFIXES, is_extractable, read_extracted
from annotator.model import Document
from annotator.transcript import folder_doc_id, parse_transcript, transcript_files
from annotator.transcript import read_documents as read_transcripts

if TYPE_CHECKING:
    from spacy.language import Language


def _extractable_files(folder: Path) -> list[Path]:
    """The web pages, PDFs and Word files in a folder and its subfolders."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and is_extractable(p) and not p.name.startswith((".", "~$"))
    )


def read_documents(
    paths: Iterable[str | Path], speaker_pattern: re.Pattern[str] | None = None
) -> Iterator[Document]:
    """Read transcripts, JSONL turns, HTML pages, PDFs, Word files and folders of them.

    Plain transcripts go to the transcript reader as they are; ``.html``,
    ``.htm``, ``.pdf`` and ``.docx`` files are extracted first (their text is
    the document text, their path the source). In a folder every file is read
    in path order; an extracted file whose name differs from another file's only
    by its suffix keeps the suffix in its id (``remarks.pdf`` beside ``remarks.txt``).
    """
    for item in paths:
        path = Path(item)
        if path.is_file() and is_extractable(path):
            yield read_extracted(path, speaker_pattern)
            continue
        extracted = _extractable_files(path) if path.is_dir() else []
        if not extracted:
            yield from read_transcripts([path], speaker_pattern)
            continue
        files = sorted(transcript_files(path) + extracted)
        ids = [folder_doc_id(path, file) for file in files]
        stems = Counter(ids)
        for file, doc_id in zip(files, ids, strict=True):
            if file.suffix.lower() in EXTRACT_SUFFIXES:
                if stems[doc_id] > 1:
                    doc_id = folder_doc_id(path, file, suffix=True)
                yield read_extracted(file, speaker_pattern, doc_id)
            elif file.suffix.lower() == ".jsonl":
                yield from read_transcripts([file], speaker_pattern)
            else:
                yield parse_transcript(file, speaker_pattern, doc_id)


@dataclass(frozen=True)
class Reading:
    """How raw transcripts become documents: the spaCy pipeline and the speaker-label
    pattern. Resolved once per command (options over annotator.toml,
    ``config.resolve_reading``) and handed to everything that reads transcripts, so
    that reopening a transcript gives the sentences the analysts coded."""

    pipeline: str | None = None
    speaker_pattern: re.Pattern[str] | None = None


def load_documents(
    paths: Iterable[str | Path],
    *,
    reading: Reading | None = None,
    nlp: Language | None = None,
    pipeline: str | None = None,
    speaker_pattern: re.Pattern[str] | None = None,
    n_process: int = 1,
) -> Iterator[Document]:
    """Yield segmented documents from transcripts, folders, JSONL turns and corpora.

    Prepared corpora are read as they are (already segmented); everything else
    is parsed and split into sentences with ``nlp`` (built from ``pipeline`` on
    first need, so opening a corpus never loads spaCy). ``reading``, when given,
    supplies ``pipeline`` and ``speaker_pattern``.
    """
    if reading is not None:
        pipeline, speaker_pattern = reading.pipeline, reading.speaker_pattern
    for item in paths:
        path = Path(item)
        if is_corpus(path):
            yield from read_corpus(path)
            continue
        from annotator.segment import load_pipeline, segment_documents

        if nlp is None:
            nlp = load_pipeline(pipeline)
        yield from segment_documents(
            read_documents([path], speaker_pattern), nlp, n_process=n_process
        )


def count_documents(paths: Iterable[str | Path]) -> int:
    """How many documents ``load_documents`` will yield, counted cheaply (for progress bars).

    A corpus counts its lines, a folder its transcript files; a JSONL turns file
    counts as one document even when it holds several.
    """
    total = 0
    for item in paths:
        path = Path(item)
        if is_corpus(path):
            with path.open("rb") as handle:
                total += max(0, sum(1 for line in handle if line.strip()) - 1)
        elif path.is_dir():
            total += len(transcript_files(path)) + len(_extractable_files(path))
        else:
            total += 1
    return total


def documents_named_in_logs(
    log_paths: Iterable[str | Path], ids: Iterable[str], *, reading: Reading | None = None
) -> tuple[list[Document], dict[str, str]]:
    """Reopen the transcripts the logs' lines name (``source``), for the documents
    ``ids``, when no corpus is given.

    A transcript is used only if its text still hashes to what the analysts saw.
    Returns the documents found and, for each one that could not be used, why.
    """
    from annotator.log import read_log

    recorded: dict[str, tuple[str, str]] = {}
    for path in log_paths:
        state = read_log(path)
        for document in state.documents:
            for line in state.entries(document)[-1:]:
                if line.source:
                    recorded[document] = (line.source, line.doc_hash)
    found: list[Document] = []
    problems: dict[str, str] = {}
    for doc_id in sorted(set(ids)):
        source, doc_hash = recorded.get(doc_id, ("", ""))
        if not source or not Path(source).is_file():
            problems[doc_id] = f"its transcript {source or '(not recorded)'} is not there"
            continue
        try:
            matching = [d for d in load_documents([source], reading=reading) if d.id == doc_id]
        except AnnotatorError as error:
            problems[doc_id] = str(error)
            continue
        if not matching:
            problems[doc_id] = f"{source} no longer holds a document {doc_id!r}"
        elif matching[0].text_hash != doc_hash:
            problems[doc_id] = f"{source} changed since it was annotated"
        else:
            found.append(matching[0])
    return found, problems
