"""From whatever the analyst points at to segmented documents.

A path may be a transcript, a web page, a PDF or Word file (extracted to text
first), a folder of these, JSONL turns or a prepared corpus; this module tells
them apart and returns documents with sentences, so that every command (and the
TUI) opens input the same way.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.corpus import corpus_size, is_corpus, read_corpus
from annotator.errors import AnnotatorError, TranscriptError
from annotator.extract import EXTRACT_SUFFIXES, is_extractable, read_extracted
from annotator.ingest.files import (
    extractable_files,
    folder_doc_id,
    transcript_files,
    transcript_paths,
)
from annotator.inputs import read_input, shown
from annotator.model import Document

if TYPE_CHECKING:
    from spacy.language import Language

    from annotator.log import LogState
    from annotator.parse_cache import ParseCache


@dataclass(frozen=True)
class SourceFile:
    """One file to read, how (``transcript``, ``turns`` for JSONL, ``extracted`` for
    HTML, PDF and Word), and the id its place in a folder gives it (``None``: the
    file's own name or records)."""

    path: Path
    kind: str
    doc_id: str | None = None


def _transcript_kind(path: Path) -> str:
    return "turns" if path.suffix.lower() == ".jsonl" else "transcript"


def source_files(paths: Iterable[str | Path]) -> Iterator[SourceFile]:
    """The files ``read_documents`` reads, in its order.

    In a folder every file is read in path order; an extracted file whose name
    differs from another file's only by its suffix keeps the suffix in its id
    (``remarks.pdf`` beside ``remarks.txt``).
    """
    for item in paths:
        path = Path(item)
        if path.is_file() and is_extractable(path):
            yield SourceFile(path, "extracted")
            continue
        extracted = extractable_files(path) if path.is_dir() else []
        if not extracted:
            for file, doc_id in transcript_paths([path]):
                yield SourceFile(file, _transcript_kind(file), doc_id)
            continue
        files = sorted(transcript_files(path) + extracted)
        ids = [folder_doc_id(path, file) for file in files]
        stems = Counter(ids)
        for file, doc_id in zip(files, ids, strict=True):
            if file.suffix.lower() in EXTRACT_SUFFIXES:
                if stems[doc_id] > 1:
                    doc_id = folder_doc_id(path, file, suffix=True)
                yield SourceFile(file, "extracted", doc_id)
            elif file.suffix.lower() == ".jsonl":
                yield SourceFile(file, "turns")
            else:
                yield SourceFile(file, "transcript", doc_id)


def read_source(
    file: SourceFile, speaker_pattern: re.Pattern[str] | None = None, data: bytes | None = None
) -> list[Document]:
    """The documents of one file (turns and notes, no sentences); ``data``: its bytes,
    when already read."""
    if file.kind == "extracted":
        return [read_extracted(file.path, speaker_pattern, file.doc_id)]
    from annotator.transcript import read_file  # the reader: only when there is reading to do

    return list(read_file(file.path, speaker_pattern, file.doc_id, data))


def read_documents(
    paths: Iterable[str | Path], speaker_pattern: re.Pattern[str] | None = None
) -> Iterator[Document]:
    """Read transcripts, JSONL turns, HTML pages, PDFs, Word files and folders of them.

    Plain transcripts go to the transcript reader as they are; ``.html``,
    ``.htm``, ``.pdf`` and ``.docx`` files are extracted first (their text is
    the document text, their path the source). Folders as ``source_files`` lists them.
    """
    for file in source_files(paths):
        yield from read_source(file, speaker_pattern)


@dataclass(frozen=True)
class Reading:
    """How raw transcripts become documents: the spaCy pipeline and the speaker-label
    pattern. Resolved once per command (options over annotator.toml,
    ``config.resolve_reading``) and handed to everything that reads transcripts, so
    that reopening a transcript gives the sentences the analysts coded.

    ``cache``: keep and reuse each transcript's documents in the parse cache
    (``annotator.parse_cache``); ``--no-cache`` turns it off. It never changes the
    documents, only whether spaCy runs again.
    """

    pipeline: str | None = None
    speaker_pattern: re.Pattern[str] | None = None
    cache: bool = True

    def parse_cache(self) -> ParseCache | None:
        """The cache for this reading, or ``None`` when it is off."""
        if not self.cache:
            return None
        from annotator.parse_cache import ParseCache

        pattern = self.speaker_pattern
        shown_pattern = f"{pattern.pattern!r} flags={int(pattern.flags)}" if pattern else ""
        return ParseCache.for_reading(self.pipeline, shown_pattern)


@dataclass
class _Lookup:
    """One file on its way in: its cached documents, or what parsing it needs."""

    file: SourceFile
    key: str | None = None
    cached: list[Document] | None = None
    data: bytes | None = None


class _Reader:
    """Reads and segments files for ``load_documents``, through the parse cache.

    Files found in the cache come straight out of it. A run of files that are not
    goes through spaCy as one stream (so a folder is segmented in batches, or in
    worker processes), each file's documents are kept in the cache, and the first
    cached file after the run ends it. spaCy is loaded only when a run starts.
    """

    def __init__(
        self, reading: Reading, nlp: Language | None, n_process: int, cache: ParseCache | None
    ) -> None:
        self.reading = reading
        self.nlp = nlp
        self.n_process = n_process
        self.cache = cache

    def lookups(self, files: Iterable[SourceFile]) -> Iterator[_Lookup]:
        for file in files:
            if self.cache is None or file.kind == "extracted":
                # Extraction depends on the extractors' versions, which the key does not hold.
                yield _Lookup(file)
                continue
            data = None
            if file.kind == "transcript":
                data = read_input(file.path, what="transcript")
            from annotator.parse_cache import file_digest

            digest = file_digest(data, file.path)
            key = self.cache.key(digest, file.kind, file.doc_id, shown(file.path))
            yield _Lookup(file, key, self.cache.load(key), data)

    def documents(self, files: Iterable[SourceFile]) -> Iterator[Document]:
        upcoming = self.lookups(files)
        lookup = next(upcoming, None)
        while lookup is not None:
            if lookup.cached is not None:
                yield from lookup.cached
                lookup = next(upcoming, None)
                continue
            ended: list[_Lookup | None] = []
            yield from self._segment_run(lookup, upcoming, ended)
            lookup = ended[0] if ended else None

    def _segment_run(
        self, first: _Lookup, upcoming: Iterator[_Lookup], ended: list[_Lookup | None]
    ) -> Iterator[Document]:
        """Segment ``first`` and the uncached files after it; put the file that ended
        the run (cached, or ``None`` at the end) in ``ended``."""
        from annotator.segment import load_pipeline, segment_documents

        run: deque[tuple[_Lookup, int]] = deque()

        def parsed() -> Iterator[Document]:
            current: _Lookup | None = first
            while current is not None and current.cached is None:
                documents = read_source(current.file, self.reading.speaker_pattern, current.data)
                current.data = None
                run.append((current, len(documents)))
                yield from documents
                current = next(upcoming, None)
            ended.append(current)

        if self.nlp is None:
            self.nlp = load_pipeline(self.reading.pipeline)
        done: list[Document] = []
        for document in segment_documents(parsed(), self.nlp, n_process=self.n_process):
            done.append(document)
            lookup, count = run[0]
            if len(done) == count:
                if self.cache is not None and lookup.key is not None:
                    self.cache.store(lookup.key, done)
                run.popleft()
                done = []
            yield document


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
    first need, so opening a corpus never loads spaCy), or comes out of the
    parse cache, which spares both. ``reading``, when given, supplies
    ``pipeline``, ``speaker_pattern`` and whether to use the cache.
    """
    if reading is None:
        reading = Reading(pipeline, speaker_pattern)
    reader = _Reader(reading, nlp, n_process, reading.parse_cache())
    for item in paths:
        path = Path(item)
        if is_corpus(path):
            yield from read_corpus(path)
            continue
        yield from reader.documents(source_files([path]))


def count_documents(paths: Iterable[str | Path]) -> int:
    """How many documents ``load_documents`` will yield, counted cheaply (for progress bars).

    A corpus its index (or lines), a folder its transcript files; a JSONL turns file
    counts as one document even when it holds several. A path that is not there is
    the same error ``load_documents`` gives, raised before any progress is shown.
    """
    total = 0
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise TranscriptError(f"{path}: no such file or folder")
        if is_corpus(path):
            total += corpus_size(path)
        elif path.is_dir():
            found = len(transcript_files(path)) + len(extractable_files(path))
            if not found:
                raise TranscriptError(
                    f"{path}: the folder holds no transcripts (.txt, .md, .jsonl)"
                )
            total += found
        else:
            total += 1
    return total


def documents_named_in_logs(
    logs: Iterable[str | Path | LogState], ids: Iterable[str], *, reading: Reading | None = None
) -> tuple[list[Document], dict[str, str]]:
    """Reopen the transcripts the logs' lines name (``source``), for the documents
    ``ids``, when no corpus is given (``logs``: paths, or logs already replayed).

    A transcript is used only if its text still hashes to what the analysts saw.
    Returns the documents found and, for each one that could not be used, why.
    """
    from annotator.log import LogState, read_log

    recorded: dict[str, tuple[str, str]] = {}
    for log in logs:
        state = log if isinstance(log, LogState) else read_log(log)
        for document in state.documents:
            line = state.last_entry(document)
            if line is not None and line.source:
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
