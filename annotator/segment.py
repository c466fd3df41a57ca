"""spaCy pipelines and the sentence rules for official statements.

This is the one module that builds spaCy pipelines. ``load_pipeline()`` gives a
blank English pipeline plus the ``official_sentences`` component, which sets
``token.is_sent_start`` from rules tuned to press briefings, UN debates, Hansard
and State Department remarks: titles and abbreviations (``Amb.``, ``U.S.``,
``a.m.``) rarely end a sentence, closing quotes stay with their sentence,
numbered points and stage directions are their own units, and hard-wrapped
transcripts are read as prose rather than as one sentence per line.

The rules themselves live in ``sentence_rules.py`` (plain text in, offsets out);
this module turns them into a component and feeds it documents, with notes
blanked in place so that a note inside a sentence never cuts it.

Changing which sentences come out? Bump ``ingest.READER_VERSION``, or analysts
keep seeing the old sentences from their parse cache.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import numpy
import spacy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from annotator.errors import PipelineError
from annotator.model import Document, Span, Turn
from annotator.sentence_rules import sentence_starts, wrap_width

__all__ = [
    "COMPONENT",
    "load_pipeline",
    "make_doc",
    "segment_document",
    "segment_documents",
    "sentence_starts",
    "split_texts",
    "wrap_width",
]

COMPONENT = "official_sentences"


# Key in ``Doc.user_data`` holding the hard-wrap width of the source document
# (0 = not wrapped); set by segment_documents, which sees whole documents and
# so judges wrapping better than a short piece of a turn can.
WRAP_WIDTH_KEY = "annotator_wrap_width"
#: Columns of the document line before a piece's first character (a speaker label,
#: a note): the piece's first line is that much longer on the page.
LEAD_KEY = "annotator_lead"
# Key in ``Doc.user_data`` holding the input string: rebuilding ``doc.text``
# from the tokens costs a fifth of the time of the whole pipeline.
TEXT_KEY = "annotator_text"

_TRIM = re.compile(r"\S(?:.*\S)?", re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\n]")
_WORD = re.compile(r"[^\W_]")


@Language.component(COMPONENT)
def official_sentences(doc: Doc) -> Doc:
    """Set ``token.is_sent_start`` on every token from the rules for official statements."""
    length = len(doc)
    if length == 0:
        return doc
    user_data = doc.user_data
    text = user_data.get(TEXT_KEY)
    if text is None:
        text = doc.text
    starts = sentence_starts(text, user_data.get(WRAP_WIDTH_KEY), user_data.get(LEAD_KEY, 0))
    values: Any = numpy.full((length, 1), -1, dtype="int64")
    values[0, 0] = 1
    if starts:
        offsets = doc.to_array(IDX)
        # A start inside a token (rare: ``period．Next``) moves to the next token.
        positions = numpy.searchsorted(offsets, numpy.asarray(starts, dtype="uint64"))
        positions = positions[positions < length]
        values[positions, 0] = 1
    doc.from_array([SENT_START], values.astype("uint64"))
    return doc


def load_pipeline(name: str | None = None) -> Language:
    """A spaCy pipeline that splits official statements into sentences.

    ``None`` gives ``spacy.blank("en")`` with the ``official_sentences`` rules.
    A name loads that installed trained pipeline; if it has no parser, senter
    or sentencizer, the rules are added so that ``doc.sents`` works.
    """
    if name is None:
        nlp = spacy.blank("en")
        nlp.add_pipe(COMPONENT)
        return nlp
    try:
        nlp = spacy.load(name)
    except (OSError, ImportError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise PipelineError(f"cannot load spaCy pipeline {name!r}: {first_line}") from error
    has_boundaries = any(
        pipe_name in ("parser", "senter", "sentencizer", COMPONENT)
        or type(pipe).__name__ in ("DependencyParser", "SentenceRecognizer", "Sentencizer")
        for pipe_name, pipe in nlp.pipeline
    )
    if not has_boundaries:
        nlp.add_pipe(COMPONENT)
    return nlp


def _sentence_bounds(doc: Doc, text: str) -> Iterable[tuple[int, int]]:
    """Character bounds of each sentence, up to the next sentence's start.

    Read from the token arrays (rules, the sentencizer and the parser all set
    ``SENT_START``): building a ``Span`` per sentence through ``doc.sents`` costs a
    tenth of the whole pipeline.
    """
    if len(doc) == 0:
        return []
    values = doc.to_array(SENT_START)
    if not values[1:].any():
        # No boundaries set on the tokens: let spaCy say what it knows (or raise).
        return [(sent.start_char, sent.end_char) for sent in doc.sents]
    firsts = numpy.flatnonzero(values == 1)
    if not firsts.size or firsts[0] != 0:
        firsts = numpy.concatenate(([0], firsts))
    starts: list[int] = doc.to_array(IDX)[firsts].tolist()
    return zip(starts, [*starts[1:], len(text)], strict=True)


def _doc_spans(doc: Doc, text: str) -> list[tuple[int, int]]:
    """Sentence spans of a processed Doc, trimmed, with punctuation-only bits merged back."""
    spans: list[tuple[int, int]] = []
    merge_next = False
    for sent_start, sent_end in _sentence_bounds(doc, text):
        trimmed = _TRIM.search(text, sent_start, sent_end)
        if trimmed is None:
            continue
        start, end = trimmed.span()
        if _WORD.search(text, start, end) is None:
            # A stray dash or quote is no sentence of its own: keep it with its neighbour.
            if spans:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
                merge_next = True
            continue
        if merge_next:
            start = spans.pop()[0]
            merge_next = False
        spans.append((start, end))
    return spans


# spaCy's tokenizer stops caching for the rest of a Doc once it meets a special case
# (``don't``, ``U.S.``), so the words of a long turn were split by the affix rules one
# by one, several times slower than a cache hit. Tokenizing each new whitespace chunk
# once on its own fills the cache with exactly what the rules give for it.
_WARM_LIMIT = 300_000
_warm_chunks: weakref.WeakKeyDictionary[Language, set[str]] = weakref.WeakKeyDictionary()


def make_doc(nlp: Language, text: str) -> Doc:
    """``nlp.make_doc(text)``, first teaching the tokenizer cache the text's new words."""
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, Tokenizer):
        seen = _warm_chunks.get(nlp)
        if seen is None:
            seen = _warm_chunks[nlp] = set()
            tokenizer.max_cache_size = max(tokenizer.max_cache_size, _WARM_LIMIT)
        if len(seen) < _WARM_LIMIT:
            for chunk in set(text.split()).difference(seen):
                tokenizer(chunk)
                seen.add(chunk)
    return nlp.make_doc(text)


def split_texts(
    texts: Iterable[str], nlp: Language, n_process: int = 1, batch_size: int = 256
) -> Iterator[list[tuple[int, int]]]:
    """Yield, for each text, its sentences as trimmed ``(start, end)`` character offsets.

    A text longer than ``PIECE_CHARS`` goes to spaCy in pieces (``cut_long_text``)."""
    counts: deque[int] = deque()  # pieces per text, in the order sent

    def docs() -> Iterator[tuple[Doc, int]]:
        for text in texts:
            pieces = list(cut_long_text(0, text))
            counts.append(len(pieces))
            for offset, piece in pieces:
                doc = make_doc(nlp, piece)
                doc.user_data[TEXT_KEY] = piece
                yield doc, offset

    spans: list[tuple[int, int]] = []
    received = 0
    stream = nlp.pipe(docs(), as_tuples=True, n_process=n_process, batch_size=batch_size)
    for doc, offset in stream:
        spans.extend(
            (offset + start, offset + end)
            for start, end in _doc_spans(doc, doc.user_data.pop(TEXT_KEY))
        )
        received += 1
        if received == counts[0]:
            counts.popleft()
            yield spans
            spans, received = [], 0


#: The longest piece of text given to spaCy at once (its ``max_length`` is 1,000,000,
#: and a long piece costs memory in proportion): a longer turn is cut between paragraphs.
PIECE_CHARS = 100_000


def _pieces(document: Document, turn: Turn) -> list[tuple[int, str]]:
    """The turn as text to segment, in pieces of at most ``PIECE_CHARS``."""
    return [piece for whole in _turn_piece(document, turn) for piece in cut_long_text(*whole)]


def cut_long_text(offset: int, text: str, limit: int = PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, text)`` cut into pieces of at most ``limit`` characters, each cut at
    the last paragraph break before the limit, else the last line break, else the last
    sentence-like ``. `` or space (so a cut inside a sentence is a last resort). A text
    within the limit is one piece."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            found = window.rfind(mark, limit // 2)
            if found > 0:
                cut = found + len(mark)
                break
        if cut <= 0:
            cut = limit
        yield offset + start, window[:cut]
        start += cut
    yield offset + start, text[start:]


def _turn_piece(document: Document, turn: Turn) -> list[tuple[int, str]]:
    """The turn as text to segment, with its notes blanked out: ``(offset, text)``.

    Notes become spaces of the same length, so offsets still point into the
    document and a note inside a sentence (``with Ukraine (applause) for as long``)
    or a page header inside one (``is needed to`` / ``Page 2 of 21`` / ``provide``)
    neither cuts it nor ends up at its edge. A note standing on lines of its own is
    blanked with the blank lines around it, keeping a paragraph break only where the
    text had one on both sides.
    """
    text = document.text[turn.start : turn.end]
    if not turn.notes or not _has_words(text):
        return [(turn.start, text)] if _has_words(text) else []
    edits: list[tuple[int, str]] = []  # (offset, same-length replacement)
    regions: list[list[int]] = []
    notes = sorted(turn.notes, key=lambda span: span.start)
    # Text between notes with no word in it (``(Applause.) — (Laughter.)``) is no sentence.
    edges = [0, *(edge - turn.start for note in notes for edge in (note.start, note.end))]
    edges.append(len(text))
    for begin, end in zip(edges[::2], edges[1::2], strict=True):
        if end > begin and text[begin:end].strip() and not _has_words(text[begin:end]):
            edits.append((begin, _NOT_NEWLINE.sub(" ", text[begin:end])))
    for note in notes:
        begin, end = note.start - turn.start, note.end - turn.start
        line_start = text.rfind("\n", 0, begin) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start:begin].strip() or text[end:line_end].strip():
            edits.append((begin, " " * (end - begin)))
        elif regions and not text[regions[-1][1] : begin].strip():
            regions[-1][1] = end
        else:
            regions.append([begin, end])
    for begin, end in regions:
        before = begin
        while before > 0 and text[before - 1].isspace():
            before -= 1
        after = end
        while after < len(text) and text[after].isspace():
            after += 1
        paragraph = text.count("\n", before, begin) >= 2 and text.count("\n", end, after) >= 2
        # Keep the line break (two for a paragraph break) that followed the text before it.
        keep = 2 if paragraph else 1
        blank = []
        for index in range(before, after):
            if text[index] == "\n" and keep and index < begin:
                keep -= 1
                blank.append("\n")
            else:
                blank.append(" ")
        edits.append((before, "".join(blank)))
    blanked = text
    for offset, replacement in sorted(edits):
        blanked = blanked[:offset] + replacement + blanked[offset + len(replacement) :]
    return [(turn.start, blanked)] if _has_words(blanked) else []


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def segment_document(document: Document, nlp: Language, wrap: int | None = None) -> Document:
    """Return ``document`` with every ``Turn.sentences`` filled (document offsets).

    ``wrap`` gives the hard-wrap width instead of judging it from the text (a
    section of a long transcript uses the width judged on the first section).
    """
    return next(segment_documents([document], nlp, wrap=wrap))


def segment_documents(
    documents: Iterable[Document],
    nlp: Language,
    n_process: int = 1,
    batch_size: int = 256,
    wrap: int | None = None,
) -> Iterator[Document]:
    """Fill ``Turn.sentences`` of many documents and yield them in order.

    The pieces of all documents go through one ``nlp.pipe`` stream, which is
    much faster than a call per turn; each document is yielded as soon as its
    last piece is back. With ``n_process > 1`` whole documents are shared out
    to worker processes, each running its own copy of ``nlp``.
    """
    if n_process > 1:
        yield from _segment_in_workers(documents, nlp, n_process, batch_size)
        return
    pending: deque[_Pending] = deque()

    def docs() -> Iterator[tuple[Doc, int]]:
        for document in documents:
            if wrap is not None:
                width = wrap
            else:
                width = wrap_width(document.text) if "\n" in document.text else 0
            per_turn = [_pieces(document, turn) for turn in document.turns]
            pending.append(_Pending(document, per_turn))
            for turn_pieces in per_turn:
                for start, piece in turn_pieces:
                    doc = make_doc(nlp, piece)
                    doc.user_data[TEXT_KEY] = piece
                    doc.user_data[WRAP_WIDTH_KEY] = width
                    doc.user_data[LEAD_KEY] = start - (document.text.rfind("\n", 0, start) + 1)
                    yield doc, start

    stream = nlp.pipe(docs(), as_tuples=True, n_process=n_process, batch_size=batch_size)
    for doc, offset in stream:
        while pending and pending[0].complete:
            yield pending.popleft().finish()
        spans = _doc_spans(doc, doc.user_data.pop(TEXT_KEY))
        pending[0].add([(offset + start, offset + end) for start, end in spans])
    while pending:
        yield pending.popleft().finish()


# Documents per task and the pipeline of a worker process (see _segment_in_workers).
_CHUNK_CHARS = 200_000
_worker_nlp: Language | None = None


def _start_worker(nlp: Language) -> None:
    global _worker_nlp
    _worker_nlp = nlp


def _segment_chunk(chunk: list[Document]) -> list[list[list[tuple[int, int]]]]:
    """Sentence offsets per turn of each document: a few integers travel back, not texts."""
    assert _worker_nlp is not None
    return [
        [[(sentence.start, sentence.end) for sentence in turn.sentences] for turn in done.turns]
        for done in segment_documents(chunk, _worker_nlp)
    ]


def _chunks(documents: Iterable[Document]) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    size = 0
    for document in documents:
        chunk.append(document)
        size += len(document.text)
        if size >= _CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _segment_in_workers(
    documents: Iterable[Document], nlp: Language, n_process: int, batch_size: int
) -> Iterator[Document]:
    """Segment chunks of whole documents in a pool of processes, yielding them in order.

    spaCy's own ``nlp.pipe(n_process=...)`` tokenizes in the parent and ships every
    Doc to the workers and back as bytes, which is slower than one process for a
    component this cheap; plain documents in, segmented documents out is not.
    """
    import multiprocessing

    sent: deque[list[Document]] = deque()

    def chunks() -> Iterator[list[Document]]:
        for chunk in _chunks(documents):
            sent.append(chunk)
            yield chunk

    with multiprocessing.Pool(n_process, initializer=_start_worker, initargs=(nlp,)) as pool:
        for offsets in pool.imap(_segment_chunk, chunks()):
            for document, per_turn in zip(sent.popleft(), offsets, strict=True):
                yield _with_sentences(document, per_turn)


class _Pending:
    """A document whose pieces are on their way through ``nlp.pipe``."""

    def __init__(self, document: Document, per_turn: list[list[tuple[int, str]]]) -> None:
        self.document = document
        # Turn index of each piece, in the order the pieces were sent.
        self.owners = [index for index, pieces in enumerate(per_turn) for _ in pieces]
        self.sentences: list[list[tuple[int, int]]] = [[] for _ in per_turn]
        self.received = 0

    @property
    def complete(self) -> bool:
        return self.received == len(self.owners)

    def add(self, spans: list[tuple[int, int]]) -> None:
        self.sentences[self.owners[self.received]].extend(spans)
        self.received += 1

    def finish(self) -> Document:
        return _with_sentences(self.document, self.sentences)


def _with_sentences(document: Document, per_turn: list[list[tuple[int, int]]]) -> Document:
    """``document`` with each turn's sentences set from document offsets."""
    text = document.text
    turns = tuple(
        dataclasses.replace(
            turn, sentences=tuple(Span(start, end, text[start:end]) for start, end in spans)
        )
        for turn, spans in zip(document.turns, per_turn, strict=True)
    )
    return dataclasses.replace(document, turns=turns)
