"""The documents of a session as one log has them, and what the log says of each sentence.

Documents come from a ``DocumentSource`` (``source.py``) and are decoded only when
the session goes to them: a few are held open (``KEEP_OPEN``, the least recently
used closed first), each with the log's boundary corrections (merges, splits)
applied and the log's own attachment of it (which every append keeps current:
no copy is kept here). Progress of a document never opened comes from its index
entry (sentences) and the log's replay state (its decided and excluded
sentences) when every line about it was made on its current text and nothing
was merged or split; otherwise it is read once to count, and closed. Everything
is a question (is this sentence decided? how far along is this document?); the
session asks them and acts.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from annotator.log.schema import CLEAR, EXCLUDE, LABEL
from annotator.model import Document, Span, Turn
from annotator.session.navigation import Filter, Position
from annotator.session.source import DocumentList, DocumentSource

if TYPE_CHECKING:
    from annotator.log import AnnotationLog, Attachment, Decision


#: Which sentences of a document are to be coded: (document id, start, end) -> bool.
Scope = Callable[[str, int, int], bool]

#: Documents held decoded at once: the current one and the few visited before it.
KEEP_OPEN = 4


@dataclass(frozen=True)
class DocumentProgress:
    """One document as the navigator lists it."""

    index: int
    id: str
    title: str
    decided: int
    total: int
    flagged: int


@dataclass
class _Open:
    """A decoded document: as read, as the log corrects it, its sentences to code and
    the log's lines attached to them."""

    original: Document
    corrected: Document
    total: int
    attachment: Attachment


@dataclass
class _Counts:
    """A document's progress as of a version of its lines in the log."""

    version: int
    decided: int
    total: int
    flagged: int | None = None


class OpenDocuments(Sequence[Document]):
    """The session's documents as a sequence: its length is the source's, and asking for
    one opens it (decoding it if it is not open)."""

    def __init__(self, owner: SessionDocuments) -> None:
        self._owner = owner

    def __len__(self) -> int:
        return len(self._owner.source)

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | Sequence[Document]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._owner.opened(index).corrected


class SessionDocuments:
    """The session's documents, opened on demand and boundary-corrected by the log,
    with lookups of the line the log holds on each sentence and progress counts.

    ``scope`` picks the sentences to code (a work list, adjudication's disputes); the
    others are context, never counted as work. None: every sentence.
    """

    def __init__(
        self, log: AnnotationLog, scope: Scope | None = None, source: DocumentSource | None = None
    ) -> None:
        self.log = log
        self.scope = scope
        self.source: DocumentSource = source if source is not None else DocumentList()
        self.documents = OpenDocuments(self)
        self._open: OrderedDict[int, _Open] = OrderedDict()
        self._index: dict[str, int] = {}  # document id -> index in ``documents``
        self._counts: dict[int, _Counts] = {}
        self._decided_sum = 0
        self._total_sum = 0
        self._orphans_seen: set[int] = set()
        self.orphans: list[Decision] = []
        #: How many times a document was decoded (read from its source).
        self.decoded = 0
        self._indexed(0)

    def _indexed(self, first: int) -> None:
        """Take in the source's documents from ``first`` on: ids, and progress counts."""
        version = self.log.state.version
        for d in range(first, len(self.source)):
            entry = self.source.entry(d)
            self._index[entry.id] = d
            if self.scope is None and not version(entry.id):
                # Not a line about it in the log (most of a large corpus): nothing done.
                self._set_counts(d, _Counts(0, 0, entry.sentences, 0))
            else:
                self._counts_of(d)

    def _load(self, documents: list[Document]) -> None:
        """Append documents to an in-memory source (``CorpusError`` for an id already
        taken; the documents before that one are kept)."""
        if not isinstance(self.source, DocumentList):
            raise TypeError("documents are added only to a session over documents in memory")
        first = len(self.source)
        try:
            self.source.add(documents)
        finally:
            self._indexed(first)  # those added before a refused one are kept

    # --- opening and closing documents -------------------------------------------

    def opened(self, doc_index: int) -> _Open:
        """Document ``doc_index``, decoded and attached, held open (the least recently
        used beyond ``KEEP_OPEN`` is closed)."""
        found = self._open.get(doc_index)
        if found is not None:
            self._open.move_to_end(doc_index)
            return found
        found = self._read(doc_index)
        self._open[doc_index] = found
        if doc_index not in self._orphans_seen:
            self._orphans_seen.add(doc_index)
            self.orphans.extend(found.attachment.orphans)
        while len(self._open) > KEEP_OPEN:
            self._close(next(iter(self._open)))
        self._set_counts(doc_index, self._attached_counts(doc_index, found))
        return found

    def _read(self, doc_index: int) -> _Open:
        original = self.source.read(doc_index)
        self.decoded += 1
        corrected = self.log.apply_corrections(original)
        attachment = self.log.attachment(corrected)
        return _Open(original, corrected, self._count_in_scope(corrected), attachment)

    def _close(self, doc_index: int) -> None:
        """Let a document go: its counts are kept, the rest (text, attachment) dropped."""
        found = self._open.pop(doc_index)
        self._set_counts(doc_index, self._attached_counts(doc_index, found))
        self.log.forget(found.original.id)
        self.closed(doc_index)

    def closed(self, doc_index: int) -> None:
        """Called when a document is closed (the session drops its suggestions)."""

    def is_open(self, doc_index: int) -> bool:
        return doc_index in self._open

    def _reload(self, doc_id: str) -> None:
        """Re-apply boundary corrections to one document after a merge or split."""
        index = self._index.get(doc_id)
        found = self._open.get(index) if index is not None else None
        if index is None or found is None:
            return
        corrected = self.log.apply_corrections(found.original)
        found.corrected = corrected
        found.total = self._count_in_scope(corrected)
        found.attachment = self.log.attachment(corrected)
        self._set_counts(index, self._attached_counts(index, found))

    def _attachment(self, doc_index: int) -> Attachment:
        return self.opened(doc_index).attachment

    # --- what the log says of a sentence ---------------------------------------------

    def _span_at(self, position: Position) -> Span | None:
        sentences = self.documents[position.doc].turns[position.turn].sentences
        return sentences[position.sentence] if sentences else None

    def decision_at(self, position: Position) -> Decision | None:
        """The decision (``label`` line) on the sentence at ``position``, if any."""
        span = self._span_at(position)
        return None if span is None else self.decision_for(position.doc, span)

    def decision_for(self, doc_index: int, span: Span) -> Decision | None:
        return self._attachment(doc_index).decisions.get(span.location)

    def line_for(self, doc_index: int, span: Span) -> Decision | None:
        """The last line about a sentence: a decision, or a note/flag on an undecided
        sentence (``mark``), or an exclusion."""
        attachment = self._attachment(doc_index)
        return attachment.decisions.get(span.location) or attachment.marks.get(span.location)

    def line_at(self, position: Position) -> Decision | None:
        span = self._span_at(position)
        return None if span is None else self.line_for(position.doc, span)

    def in_scope(self, doc_index: int, span: Span) -> bool:
        """Whether a sentence is one to code (not context around a work list's)."""
        return self.scope is None or self.scope(
            self.source.entry(doc_index).id, span.start, span.end
        )

    def _count_in_scope(self, document: Document) -> int:
        if self.scope is None:
            return document.sentence_count()
        scope = self.scope
        return sum(
            1 for t in document.turns for s in t.sentences if scope(document.id, s.start, s.end)
        )

    def _position_in_scope(self, position: Position) -> bool:
        if self.scope is None:
            return True  # the common case, without looking the sentence up
        span = self._span_at(position)
        return span is not None and self.in_scope(position.doc, span)

    def to_do(self, position: Position) -> bool:
        """True for a sentence that still needs a decision (in scope, neither decided nor
        excluded)."""
        if not self._position_in_scope(position):
            return False
        line = self.line_at(position)
        return line is None or line.action not in (LABEL, EXCLUDE)

    def shows(self, position: Position, shown: Filter) -> bool:
        """Whether the cursor visits a sentence under a filter: in scope, and matching."""
        if not self._position_in_scope(position):
            return False  # context around the sentences to code
        kind, value = shown.kind, shown.value
        if kind == "all":
            return True
        if kind == "undecided":
            return self.to_do(position)
        if kind == "flagged":
            line = self.line_at(position)
            return line is not None and line.flag
        if kind == "speaker":
            turn = self.documents[position.doc].turns[position.turn]
            return value.lower() in (turn.speaker.lower(), turn.speaker_key.lower())
        if kind == "label":
            decision = self.decision_at(position)
            return decision is not None and value in decision.labels
        return True

    def _position_of(self, line: Decision) -> Position | None:
        """The sentence a log line is about (the one holding its start), if loaded."""
        d = self._index.get(line.document)
        if d is None:
            return None
        for t, turn in enumerate(self.documents[d].turns):
            for s, span in enumerate(turn.sentences):
                if span.start <= line.start < span.end or span.start == line.start:
                    return Position(d, t, s)
        return None

    # --- progress ----------------------------------------------------------------

    def progress(self, doc_index: int | None = None) -> tuple[int, int]:
        """Decided and total sentences (excluded ones count in neither), for one
        document or all."""
        if doc_index is not None:
            counts = self._counts_of(doc_index)
            return counts.decided, counts.total
        # Only open documents change (every line written is about one), so the sums
        # are kept, and brought up to date for those alone.
        for d in list(self._open):
            self._counts_of(d)
        return self._decided_sum, self._total_sum

    def complete(self, doc_index: int) -> bool:
        """Whether a document has nothing left to do (known without opening it, when
        the log can tell)."""
        counts = self._counts_of(doc_index)
        return counts.decided >= counts.total

    def _counts_of(self, doc_index: int) -> _Counts:
        """A document's counts, recounted when the log has new lines about it: from its
        attachment when open, else from the index and the log, else by reading it."""
        version = self.log.state.version(self.source.entry(doc_index).id)
        known = self._counts.get(doc_index)
        if known is not None and known.version == version:
            return known
        found = self._open.get(doc_index)
        if found is not None:
            counts = self._attached_counts(doc_index, found)
        else:
            counts = self._logged_counts(doc_index, version) or self._read_counts(doc_index)
        self._set_counts(doc_index, counts)
        return counts

    def _set_counts(self, doc_index: int, counts: _Counts) -> None:
        before = self._counts.get(doc_index)
        if before is not None:
            self._decided_sum -= before.decided
            self._total_sum -= before.total
        self._counts[doc_index] = counts
        self._decided_sum += counts.decided
        self._total_sum += counts.total

    def _attached_counts(self, doc_index: int, found: _Open) -> _Counts:
        attachment = found.attachment
        excluded = list(attachment.excluded())
        decided = list(attachment.decisions)
        if self.scope is not None:
            doc_id, scope = found.original.id, self.scope
            decided = [loc for loc in decided if scope(doc_id, *loc)]
            excluded = [loc for loc in excluded if scope(doc_id, *loc)]
        lines = [*attachment.decisions.values(), *attachment.marks.values()]
        flagged = sum(1 for line in lines if line.flag)
        version = self.log.state.version(found.original.id)
        return _Counts(version, len(decided), found.total - len(excluded), flagged)

    def _trusted_units(self, doc_index: int) -> list[tuple[str, int, int, str]] | None:
        """The log's lines about a document, if they can be counted without its text:
        all made on its current text (by the index's hash), none merging or splitting."""
        entry = self.source.entry(doc_index)
        state = self.log.state
        if state.corrections(entry.id):
            return None
        units = list(state.units(entry.id, self.log.annotator))
        if any(unit[0] != entry.text_hash for unit in units):
            return None
        return units

    def _logged_counts(self, doc_index: int, version: int) -> _Counts | None:
        """Counts from the index and the log's replay state alone (None: not enough)."""
        if self.scope is not None:
            return None  # which sentences are in scope is known from the text only
        units = self._trusted_units(doc_index)
        if units is None:
            return None
        decided = sum(1 for unit in units if unit[3] == LABEL)
        excluded = sum(1 for unit in units if unit[3] == EXCLUDE)
        sentences = self.source.entry(doc_index).sentences
        if decided + excluded > sentences:
            return None  # lines on other sentences than the index's: count from the text
        return _Counts(version, decided, sentences - excluded, 0 if not units else None)

    def _read_counts(self, doc_index: int) -> _Counts:
        """Counts from the document itself, read and let go again."""
        found = self._read(doc_index)
        counts = self._attached_counts(doc_index, found)
        self.log.forget(found.original.id)
        return counts

    def turn_progress(self, doc_index: int, turn: Turn) -> tuple[int, int]:
        attachment = self._attachment(doc_index)
        spans = [s for s in turn.sentences if self.in_scope(doc_index, s)]
        decided = sum(1 for s in spans if s.location in attachment.decisions)
        excluded_here = attachment.excluded()
        excluded = sum(1 for s in spans if s.location in excluded_here)
        return decided, len(spans) - excluded

    def flagged(self, doc_index: int) -> int:
        """Sentences of a document flagged for review (decided or not)."""
        counts = self._counts_of(doc_index)
        if counts.flagged is None:
            doc_id = self.source.entry(doc_index).id
            if self._trusted_units(doc_index) is not None:
                # The flags are in the lines themselves: read those, not the document.
                lines = self.log.state.entries(doc_id, self.log.annotator)
                counts.flagged = sum(1 for line in lines if line.flag and line.action != CLEAR)
                self.log.state.forget(doc_id)
            else:
                counts.flagged = self._read_counts(doc_index).flagged
        return counts.flagged or 0

    def label_counts(self, doc_index: int) -> Counter[str]:
        """How many sentences of a document carry each label."""
        counts: Counter[str] = Counter()
        for decision in self._attachment(doc_index).decisions.values():
            counts.update(decision.labels)
        return counts

    def documents_overview(self) -> list[DocumentProgress]:
        """Every document with its progress, for the document navigator (from the index
        and the log: no document is opened for it)."""
        version = self.log.state.version
        rows = []
        for d, entry in enumerate(self.source.entries()):
            counts = self._counts.get(d)
            if counts is None or counts.version != version(entry.id) or counts.flagged is None:
                self.flagged(d)  # brings the counts up to date, flags included
                counts = self._counts[d]
            flagged = counts.flagged or 0
            rows.append(
                DocumentProgress(d, entry.id, entry.title, counts.decided, counts.total, flagged)
            )
        return rows
