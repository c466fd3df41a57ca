"""An annotation session: the documents, the cursor, the label set and the log.

Everything the annotation screen does, without the screen: moving between
sentences, toggling labels, deciding, undo and redo, notes and flags, merging
and splitting sentences, search and filters. The TUI calls these methods and
redraws; tests and scripts call them directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.errors import CorpusError
from annotator.log.schema import EXCLUDE, LABEL
from annotator.model import Document, LabelSet, Span, Turn

if TYPE_CHECKING:
    from annotator.log import AnnotationLog, Attachment, Decision
    from annotator.suggest import Suggester, Suggestion


@dataclass(frozen=True)
class Position:
    """Where the cursor is: document, turn and sentence indexes (sentence within turn)."""

    doc: int
    turn: int
    sentence: int


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


@dataclass(frozen=True)
class Filter:
    """Which sentences the cursor visits: all, undecided, flagged, one speaker or one label."""

    kind: str = "all"  # all | undecided | flagged | speaker | label
    value: str = ""

    def describe(self) -> str:
        return self.kind if not self.value else f"{self.kind}: {self.value}"

    def phrase(self) -> str:
        """The sentences shown, as words ("flagged sentences"); empty for all."""
        return {
            "all": "",
            "undecided": "undecided sentences",
            "flagged": "flagged sentences",
            "speaker": f"sentences by {self.value}",
            "label": f"sentences labelled {self.value}",
        }.get(self.kind, f"{self.describe()} sentences")


class AnnotationSession:
    """The state of one analyst's session over a list of documents.

    Documents are held with this log's boundary corrections (merges, splits)
    applied; decisions are looked up by sentence offsets, per document, in the
    log's own attachment of each document (which every append keeps current:
    the session keeps no copy of its own).
    """

    def __init__(
        self,
        documents: list[Document],
        labels: LabelSet,
        log: AnnotationLog,
        *,
        scope: Scope | None = None,
    ) -> None:
        self.labels = labels
        self.log = log
        #: The sentences to code (a work list, adjudication's disputes); the others are
        #: shown as context, dimmed, and never visited or counted. None: every sentence.
        self.scope = scope
        self.documents: list[Document] = []
        self._originals: list[Document] = []
        self._totals: list[int] = []
        self._index: dict[str, int] = {}  # document id -> index in ``documents``
        self._attachments: list[Attachment] = []
        self.orphans: list[Decision] = []
        self.filter = Filter()
        self.position = Position(0, 0, 0)
        self.suggester: Suggester | None = None
        self._suggestions: dict[int, dict[tuple[int, int], Suggestion]] = {}
        #: Sentences decided this session from a shown suggestion, and how many of
        #: those took its labels unchanged (the screen says how often).
        self.suggestions_decided = 0
        self.suggestions_taken = 0
        #: With ``--order uncertain``: the sentences to visit, least certain first.
        self.order: list[Position] | None = None
        self._order_per_document = False
        #: The last line this session wrote (or undid), for the screen's status line.
        self.last_decision: Decision | None = None
        #: Where ``resume`` left the cursor when every loaded sentence was done.
        self._waiting: Position | None = None
        self._waiting_from: Position | None = None
        #: Where Enter goes on a decided sentence: "next" or "next-undecided"
        #: (annotator.toml's ``[behaviour] enter``).
        self.enter_moves_to = "next"
        self.add_documents(documents)

    # --- documents ----------------------------------------------------------------

    def add_documents(self, documents: list[Document]) -> bool:
        """Append documents (a worker may deliver them while the analyst works); True
        when the cursor moved into them (see ``resume``).

        Decisions are kept by document id, so two documents with one id (two
        ``briefing.txt`` from different folders) are refused rather than mixed up.
        """
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
        # Everything loaded so far was done when the session resumed: the work goes on
        # in these documents, unless the analyst has moved since.
        if self._waiting is not None and self.position == self._waiting:
            self._waiting = None
            self.resume()
            return self.position != self._waiting_from
        return False

    def resume(self) -> Position | None:
        """Move to the first sentence still to do (neither decided nor excluded);
        None when all are done."""
        candidates = (
            self.order
            if self.order is not None
            else self._positions_from(Position(0, 0, -1), forward=True, wrap=False)
        )
        for position in candidates:
            if self.to_do(position):
                self.position = position
                return position
        first = self._first_sentence_position()
        if first is not None:
            self.position = first
        # Documents still loading in the background may hold the work: resume there.
        self._waiting = self._waiting_from = self.position
        return None

    @property
    def document(self) -> Document:
        return self.documents[self.position.doc]

    @property
    def turn(self) -> Turn:
        return self.document.turns[self.position.turn]

    @property
    def sentence(self) -> Span | None:
        sentences = self.turn.sentences
        return sentences[self.position.sentence] if sentences else None

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

    def hidden_in_turn(self, doc_index: int, turn_index: int) -> set[int] | None:
        """Sentences of a turn that the cursor does not visit (out of a work list's scope,
        or hidden by the filter), shown dimmed as context; None when it visits all."""
        if self.scope is None and self.filter.kind == "all":
            return None
        count = len(self.documents[doc_index].turns[turn_index].sentences)
        return {i for i in range(count) if not self._visible(Position(doc_index, turn_index, i))}

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

    @property
    def decision(self) -> Decision | None:
        return self.decision_at(self.position)

    @property
    def line(self) -> Decision | None:
        """The last line about the focused sentence (see ``line_for``)."""
        return self.line_at(self.position)

    def current_labels(self) -> tuple[str, ...]:
        decision = self.decision
        return tuple(decision.labels) if decision is not None else ()

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

    def go_to_document(self, doc_index: int) -> None:
        """Jump to a document's first sentence still to do (its first, if all are done)."""
        first = None
        for t, turn in enumerate(self.documents[doc_index].turns):
            for i in range(len(turn.sentences)):
                position = Position(doc_index, t, i)
                if self._position_in_scope(position):
                    first = first or position
                if self.to_do(position):
                    self.position = position
                    return
        if first is not None:
            self.position = first

    # --- moving ----------------------------------------------------------------

    def _first_sentence_position(self) -> Position | None:
        for position in self._positions_from(Position(0, 0, -1), forward=True, wrap=False):
            if self._position_in_scope(position):
                return position
        return None

    def _all_positions(self, forward: bool) -> list[Position]:
        positions = [
            Position(d, t, s)
            for d, document in enumerate(self.documents)
            for t, turn in enumerate(document.turns)
            for s in range(len(turn.sentences))
        ]
        return positions if forward else positions[::-1]

    def _positions_from(self, start: Position, *, forward: bool, wrap: bool) -> list[Position]:
        """Sentence positions after (or before) ``start`` in reading order."""
        key = (start.doc, start.turn, start.sentence)
        ordered = self._all_positions(forward)
        if forward:
            after = [p for p in ordered if (p.doc, p.turn, p.sentence) > key]
            before = [p for p in ordered if (p.doc, p.turn, p.sentence) <= key]
        else:
            after = [p for p in ordered if (p.doc, p.turn, p.sentence) < key]
            before = [p for p in ordered if (p.doc, p.turn, p.sentence) >= key]
        return after + before if wrap else after

    def _visible(self, position: Position) -> bool:
        if not self._position_in_scope(position):
            return False  # context around the sentences to code
        kind, value = self.filter.kind, self.filter.value
        if kind == "all":
            return True
        decision = self.decision_at(position)
        if kind == "undecided":
            return self.to_do(position)
        if kind == "flagged":
            line = self.line_at(position)
            return line is not None and line.flag
        if kind == "speaker":
            turn = self.documents[position.doc].turns[position.turn]
            return value.lower() in (turn.speaker.lower(), turn.speaker_key.lower())
        if kind == "label":
            return decision is not None and value in decision.labels
        return True

    def _step(self, forward: bool) -> bool:
        doc, turn, sentence = self.position.doc, self.position.turn, self.position.sentence
        # A cheap walk from the cursor: the common case must not list every sentence.
        while True:
            turns = self.documents[doc].turns
            if forward:
                sentence += 1
                if sentence >= len(turns[turn].sentences):
                    turn, sentence = turn + 1, 0
                    while turn < len(turns) and not turns[turn].sentences:
                        turn += 1
                    if turn >= len(turns):
                        doc += 1
                        if doc >= len(self.documents):
                            return False
                        turn, sentence = 0, -1
                        continue
            else:
                sentence -= 1
                if sentence < 0:
                    turn -= 1
                    while turn >= 0 and not turns[turn].sentences:
                        turn -= 1
                    if turn < 0:
                        doc -= 1
                        if doc < 0:
                            return False
                        turn = len(self.documents[doc].turns)
                        sentence = 0
                        continue
                    sentence = len(turns[turn].sentences)
                    continue
            candidate = Position(doc, turn, sentence)
            if self._visible(candidate):
                self.position = candidate
                return True

    def next(self) -> bool:
        """Move to the next sentence (that the filter shows); False at the end."""
        if self.order is not None:
            return self._step_in_order(1)
        return self._step(forward=True)

    def previous(self) -> bool:
        if self.order is not None:
            return self._step_in_order(-1)
        return self._step(forward=False)

    def _step_in_order(self, delta: int) -> bool:
        """Move along the uncertainty order (skipping what the filter hides)."""
        assert self.order is not None
        try:
            index = self.order.index(self.position)
        except ValueError:
            index = -1 if delta > 0 else len(self.order)
        index += delta
        while 0 <= index < len(self.order):
            candidate = self.order[index]
            # The order is a queue of work: forward it never lands on a sentence decided
            # since it was built (backward it does, to look at what was done).
            if self._visible(candidate) and (delta < 0 or self.to_do(candidate)):
                self.position = candidate
                return True
            index += delta
        return False

    def next_turn(self, delta: int = 1) -> bool:
        """Move to the first sentence of the next (or previous) turn with sentences."""
        order = self._turn_order()
        here = (self.position.doc, self.position.turn)
        index = order.index(here) if here in order else 0
        target = index + delta
        if not 0 <= target < len(order):
            return False
        doc, turn = order[target]
        self.position = Position(doc, turn, 0)
        return True

    def _turn_order(self) -> list[tuple[int, int]]:
        return [
            (d, t)
            for d, document in enumerate(self.documents)
            for t, turn in enumerate(document.turns)
            if turn.sentences
        ]

    def go_to(self, doc: int, turn: int, sentence: int = 0) -> None:
        """Jump to a place (turn list, mouse click); clamps to sentences that exist."""
        turns = self.documents[doc].turns
        if not turns[turn].sentences:
            return
        sentence = max(0, min(sentence, len(turns[turn].sentences) - 1))
        # A click on context lands on the nearest sentence to code in the turn, if any.
        candidates = sorted(range(len(turns[turn].sentences)), key=lambda i: (abs(i - sentence), i))
        for i in candidates:
            if self._position_in_scope(Position(doc, turn, i)):
                self.position = Position(doc, turn, i)
                return

    def home(self) -> None:
        """The first sentence that the filter shows."""
        for position in self._all_positions(forward=True):
            if self._visible(position):
                self.position = position
                return

    def end(self) -> None:
        """The last sentence that the filter shows."""
        for position in self._all_positions(forward=False):
            if self._visible(position):
                self.position = position
                return

    def next_undecided(self) -> bool:
        """Move to the next sentence still to do, wrapping around; False if none."""
        for position in self._positions_from(self.position, forward=True, wrap=True):
            if self.to_do(position):
                self.position = position
                return True
        return False

    def search(self, query: str, forward: bool = True) -> bool:
        """Move to the next sentence containing ``query`` (case-insensitive), wrapping."""
        needle = query.lower().strip()
        if not needle:
            return False
        for position in self._positions_from(self.position, forward=forward, wrap=True):
            span = self.documents[position.doc].turns[position.turn].sentences[position.sentence]
            if needle in span.text.lower() and self.in_scope(position.doc, span):
                self.position = position
                return True
        return False

    def set_filter(self, new_filter: Filter) -> bool:
        """Show only some sentences; moves to the first match from the cursor if needed."""
        self.filter = new_filter
        if self.sentence is not None and self._visible(self.position):
            return True
        for position in self._positions_from(self.position, forward=True, wrap=True):
            if self._visible(position):
                self.position = position
                return True
        return False

    # --- suggestions ----------------------------------------------------------------

    def use_suggester(self, suggester: Suggester | None) -> None:
        """Show this model's suggestions (a new model replaces the old one's)."""
        self.suggester = suggester
        self._suggestions.clear()
        if self.order is not None:
            self.order_by_uncertainty(per_document=self._order_per_document)

    def _document_suggestions(self, doc_index: int) -> dict[tuple[int, int], Suggestion]:
        """Suggestions for one document's sentences, computed the first time they are needed."""
        found = self._suggestions.get(doc_index)
        if found is None:
            found = {}
            if self.suggester is not None:
                # In context (speaker role, place in the turn), as the model was trained.
                found = self.suggester.suggest_document(self.documents[doc_index])
            self._suggestions[doc_index] = found
        return found

    def suggestion_for(self, doc_index: int, span: Span) -> Suggestion | None:
        """The model's suggestion for an undecided sentence: None once decided, and
        None when the model abstains (not confident enough to be shown)."""
        if self.suggester is None or span.location in self._attachments[doc_index].decisions:
            return None
        found = self._document_suggestions(doc_index).get((span.start, span.end))
        return found if found is not None and found.confident else None

    @property
    def suggestion(self) -> Suggestion | None:
        span = self.sentence
        return None if span is None else self.suggestion_for(self.position.doc, span)

    def _suggestion_meta(self, suggestion: Suggestion | None) -> dict[str, object] | None:
        if suggestion is None or self.suggester is None:
            return None
        return {
            "suggested_by": self.suggester.model_id,
            "suggested": list(suggestion.labels),
            "scores": {name: round(score, 4) for name, score in suggestion.scores.items()},
        }

    def suggestion_uptake(self) -> str | None:
        """How often this session's analyst took a suggestion as it was, in words;
        None before the first decision on a suggested sentence."""
        if not self.suggestions_decided:
            return None
        taken, decided = self.suggestions_taken, self.suggestions_decided
        return f"suggestions taken unchanged: {taken}/{decided} ({taken / decided:.0%})"

    def accept_suggestion(self) -> Decision | None:
        """Take the model's labels as the decision and move on; None if there is none."""
        suggestion = self.suggestion
        if suggestion is None:
            return None
        decision = self._decide(tuple(suggestion.labels), suggestion=suggestion)
        self.next()
        return decision

    def order_by_uncertainty(self, *, per_document: bool = False) -> None:
        """Visit the sentences the model is least sure of first: across all loaded
        documents, or (``per_document``) document by document in reading order."""
        from annotator.suggest import order_by_uncertainty

        groups: list[dict[Position, Suggestion]] = [{}]
        for d, document in enumerate(self.documents):
            if per_document and groups[-1]:
                groups.append({})
            suggestions = self._document_suggestions(d)
            for t, turn in enumerate(document.turns):
                for i, span in enumerate(turn.sentences):
                    suggestion = suggestions.get((span.start, span.end))
                    if suggestion is not None:
                        groups[-1][Position(d, t, i)] = suggestion
        order = [position for group in groups for position in order_by_uncertainty(group)]
        self.order = order or None
        self._order_per_document = per_document

    # --- deciding ----------------------------------------------------------------

    def _record(self, decision: Decision | None) -> Decision | None:
        """Note the line the log just wrote (or undid) for the screen's status line; the
        log has already updated the attachment the session reads."""
        if decision is not None:
            self.last_decision = decision
        return decision

    def _decide(
        self, labels: tuple[str, ...], suggestion: Suggestion | None = None
    ) -> Decision | None:
        """Record labels on the focused sentence, keeping its note and flag; a decision
        that starts from the model's ``suggestion`` records it (and counts whether the
        analyst took it unchanged)."""
        span = self.sentence
        if span is None:
            return None
        current = self.line
        note = current.note if current is not None else None
        flag = current.flag if current is not None else False
        suggested = self._suggestion_meta(suggestion)
        meta = suggested
        if meta is None and current is not None and current.decided:
            meta = current.caller_meta or None
        decision = self.log.decide(
            self.document, self.turn, span, list(labels), note=note, flag=flag, meta=meta
        )
        if suggested is not None and suggestion is not None:
            self.suggestions_decided += 1
            self.suggestions_taken += set(labels) == set(suggestion.labels)
        return self._record(decision)

    def _annotate(self, *, note: str | None, flag: bool) -> Decision | None:
        """Set the note and flag of the focused sentence without deciding anything: a
        decided sentence stays decided with the same labels, an undecided one stays
        undecided (a ``mark`` line, or ``clear`` when nothing is left), an excluded one
        stays excluded."""
        span = self.sentence
        if span is None:
            return None
        current = self.line
        document, turn = self.document, self.turn
        if current is not None and current.decided:
            line = self.log.decide(
                document,
                turn,
                span,
                list(current.labels),
                note=note,
                flag=flag,
                meta=current.caller_meta or None,
            )
        elif current is not None and current.action == EXCLUDE:
            line = self.log.exclude(document, turn, span, note=note, flag=flag)
        else:
            line = self.log.mark(document, turn, span, note=note, flag=flag)
        return self._record(line)

    def toggle_label(self, name: str) -> Decision | None:
        """Toggle a label on the focused sentence, saving at once.

        With exclusive labels the label replaces any other and the cursor moves
        on: one key per sentence.
        """
        if self.labels.exclusive:
            decision = self._decide((name,), suggestion=self.suggestion)
            self.next()
            return decision
        suggestion = self.suggestion
        # An undecided sentence with a suggestion starts from the suggested labels.
        labels = list(suggestion.labels if suggestion else self.current_labels())
        if name in labels:
            labels.remove(name)
        else:
            labels.append(name)
        order = {label: i for i, label in enumerate(self.labels.names)}
        chosen = tuple(sorted(labels, key=lambda n: order.get(n, len(order))))
        return self._decide(chosen, suggestion=suggestion)

    def decide(self, labels: tuple[str, ...]) -> Decision | None:
        """Set the focused sentence's labels at once and move on (adjudication's "take")."""
        decision = self._decide(labels)
        self.next()
        return decision

    def confirm(self) -> bool:
        """Enter: the focused sentence's labels stand (or the model's, if it suggested some);
        move on. False if nothing is chosen."""
        if self.decision is None:
            return self.accept_suggestion() is not None
        if self.enter_moves_to != "next-undecided" or not self.next_undecided():
            self.next()
        return True

    def no_label(self) -> Decision | None:
        """x: reviewed, no label applies; move on (a suggestion shown is recorded as
        the one the analyst turned down, unless it was "no label" too)."""
        decision = self._decide((), suggestion=self.suggestion)
        self.next()
        return decision

    def set_note(self, note: str) -> Decision | None:
        """Attach a note to the focused sentence; an empty note removes it. Never decides."""
        current = self.line
        flag = current.flag if current is not None else False
        return self._annotate(note=note.strip() or None, flag=flag)

    def toggle_flag(self) -> Decision | None:
        """Flag the focused sentence for review (or unflag it). Never decides: a flag on
        an undecided sentence leaves it undecided."""
        current = self.line
        note = current.note if current is not None else None
        flagged = current.flag if current is not None else False
        return self._annotate(note=note, flag=not flagged)

    def toggle_exclude(self) -> Decision | None:
        """Record the focused sentence as not a unit of speech (a heading, a stray page
        header), or take that back. Excluded sentences leave progress, agreement and
        exports; undo restores what was there before."""
        span = self.sentence
        if span is None:
            return None
        current = self.line
        note = current.note if current is not None else None
        flag = current.flag if current is not None else False
        if current is not None and current.action == EXCLUDE:
            line = self.log.mark(self.document, self.turn, span, note=note, flag=flag)
        else:
            line = self.log.exclude(self.document, self.turn, span, note=note, flag=flag)
        return self._record(line)

    def _position_of(self, decision: Decision) -> Position | None:
        d = self._index.get(decision.document)
        if d is None:
            return None
        for t, turn in enumerate(self.documents[d].turns):
            for s, span in enumerate(turn.sentences):
                if span.start <= decision.start < span.end or span.start == decision.start:
                    return Position(d, t, s)
        return None

    def undo(self) -> Decision | None:
        """Undo this session's last step; the cursor goes to the sentence it touched."""
        return self._after_history(self.log.undo())

    def redo(self) -> Decision | None:
        return self._after_history(self.log.redo())

    def _after_history(self, decision: Decision | None) -> Decision | None:
        if decision is None:
            return None
        if decision.is_correction:
            self._reload(decision.document)
        self._record(decision)
        position = self._position_of(decision)
        if position is not None:
            self.position = position
        return decision

    # --- sentence boundaries ---------------------------------------------------------

    def _reload(self, doc_id: str) -> None:
        """Re-apply boundary corrections to one document after a merge or split."""
        index = self._index.get(doc_id)
        if index is None:
            return
        corrected = self.log.apply_corrections(self._originals[index])
        self.documents[index] = corrected
        self._totals[index] = self._count_in_scope(corrected)
        self._attachments[index] = self.log.attachment(corrected)

    def merge(self) -> bool | str:
        """Merge the focused sentence with the next one in the same turn. False when
        there is no next sentence; True, or (when either part was decided) the parts'
        labels, which do not carry over to the merged sentence, for the screen to say."""
        sentences = self.turn.sentences
        index = self.position.sentence
        if not sentences or index + 1 >= len(sentences):
            return False
        parts = [self.decision_for(self.position.doc, s) for s in sentences[index : index + 2]]
        self.log.merge(self.document, sentences[index], sentences[index + 1])
        self._reload(self.document.id)
        if all(part is None for part in parts):
            return True
        return " | ".join(
            "undecided" if part is None else ", ".join(part.labels) or "no label" for part in parts
        )

    def split(self, offset: int) -> bool:
        """Split the focused sentence at a document offset strictly inside it."""
        span = self.sentence
        if span is None or not span.start < offset < span.end:
            return False
        self.log.split(self.document, span, offset)
        self._reload(self.document.id)
        return True
