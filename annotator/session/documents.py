"""The documents of a session as one log has them, and what the log says of each sentence.

Documents are held with the log's boundary corrections (merges, splits)
applied; decisions are looked up by sentence offsets, per document, in the
log's own attachment of each document (which every append keeps current: no
copy is kept here). Everything is a question (is this sentence decided? how far
along is this document?); the session asks them and acts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.errors import CorpusError
from annotator.log.schema import EXCLUDE, LABEL
from annotator.model import Document, Span, Turn
from annotator.session.navigation import Filter, Position

if TYPE_CHECKING:
    from annotator.log import AnnotationLog, Attachment, Decision


#: Which sentences of a document are to be coded: (document id, start, end) -> bool.
Scope = Callable[[str, int, int], bool]


@dataclass(frozen=True)
class DocumentProgress:
    """One document as the navigator lists it."""

    index: int
    id: str
    title: str
    decided: int
    total: int
    flagged: int


class SessionDocuments:
    """The loaded documents, boundary-corrected by the log, with lookups of the line
    the log holds on each sentence and progress counts.

    ``scope`` picks the sentences to code (a work list, adjudication's disputes); the
    others are context, never counted as work. None: every sentence.
    """

    def __init__(self, log: AnnotationLog, scope: Scope | None = None) -> None:
        self.log = log
        self.scope = scope
        self.documents: list[Document] = []
        self._originals: list[Document] = []
        self._totals: list[int] = []
        self._index: dict[str, int] = {}  # document id -> index in ``documents``
        self._attachments: list[Attachment] = []
        self.orphans: list[Decision] = []

    def _load(self, documents: list[Document]) -> None:
        """Append documents, refusing an id already loaded: decisions are kept by
        document id, so two ``briefing.txt`` from different folders would be mixed up."""
        for document in documents:
            if document.id in self._index:
                taken = self._originals[self._index[document.id]].source
                raise CorpusError(
                    f"{document.source}: its id {document.id!r} is already taken by "
                    f"{taken}; rename one file or open them separately"
                )
            self._index[document.id] = len(self._originals)
            corrected = self.log.apply_corrections(document)
            attachment = self.log.attachment(corrected)
            self._originals.append(document)
            self.documents.append(corrected)
            self._totals.append(self._count_in_scope(corrected))
            self._attachments.append(attachment)
            self.orphans.extend(attachment.orphans)

    def _reload(self, doc_id: str) -> None:
        """Re-apply boundary corrections to one document after a merge or split."""
        index = self._index.get(doc_id)
        if index is None:
            return
        corrected = self.log.apply_corrections(self._originals[index])
        self.documents[index] = corrected
        self._totals[index] = self._count_in_scope(corrected)
        self._attachments[index] = self.log.attachment(corrected)

    # --- what the log says of a sentence ---------------------------------------------

    def _span_at(self, position: Position) -> Span | None:
        sentences = self.documents[position.doc].turns[position.turn].sentences
        return sentences[position.sentence] if sentences else None

    def decision_at(self, position: Position) -> Decision | None:
        """The decision (``label`` line) on the sentence at ``position``, if any."""
        span = self._span_at(position)
        return None if span is None else self.decision_for(position.doc, span)

    def decision_for(self, doc_index: int, span: Span) -> Decision | None:
        return self._attachments[doc_index].decisions.get(span.location)

    def line_for(self, doc_index: int, span: Span) -> Decision | None:
        """The last line about a sentence: a decision, or a note/flag on an undecided
        sentence (``mark``), or an exclusion."""
        attachment = self._attachments[doc_index]
        return attachment.decisions.get(span.location) or attachment.marks.get(span.location)

    def line_at(self, position: Position) -> Decision | None:
        span = self._span_at(position)
        return None if span is None else self.line_for(position.doc, span)

    def in_scope(self, doc_index: int, span: Span) -> bool:
        """Whether a sentence is one to code (not context around a work list's)."""
        return self.scope is None or self.scope(self.documents[doc_index].id, span.start, span.end)

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
            attachment = self._attachments[doc_index]
            excluded = [loc for loc, line in attachment.marks.items() if line.action == EXCLUDE]
            if self.scope is None:
                return len(attachment.decisions), self._totals[doc_index] - len(excluded)
            doc_id, scope = self.documents[doc_index].id, self.scope
            decided = sum(1 for loc in attachment.decisions if scope(doc_id, *loc))
            excluded = [loc for loc in excluded if scope(doc_id, *loc)]
            return decided, self._totals[doc_index] - len(excluded)
        # Summed per call: cheap (a few ints per document), and always true after merges.
        pairs = [self.progress(d) for d in range(len(self._attachments))]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    def turn_progress(self, doc_index: int, turn: Turn) -> tuple[int, int]:
        attachment = self._attachments[doc_index]
        spans = [s for s in turn.sentences if self.in_scope(doc_index, s)]
        decided = sum(1 for s in spans if s.location in attachment.decisions)
        excluded = sum(
            1
            for s in spans
            if (line := attachment.marks.get(s.location)) is not None and line.action == EXCLUDE
        )
        return decided, len(spans) - excluded

    def flagged(self, doc_index: int) -> int:
        """Sentences of a document flagged for review (decided or not)."""
        attachment = self._attachments[doc_index]
        lines = [*attachment.decisions.values(), *attachment.marks.values()]
        return sum(1 for line in lines if line.flag)

    def label_counts(self, doc_index: int) -> Counter[str]:
        """How many sentences of a document carry each label."""
        counts: Counter[str] = Counter()
        for decision in self._attachments[doc_index].decisions.values():
            counts.update(decision.labels)
        return counts

    def documents_overview(self) -> list[DocumentProgress]:
        """Every loaded document with its progress, for the document navigator."""
        return [
            DocumentProgress(d, document.id, document.title, *self.progress(d), self.flagged(d))
            for d, document in enumerate(self.documents)
        ]
