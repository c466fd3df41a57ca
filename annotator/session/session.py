"""The annotation session: one analyst's cursor over the documents, and what each key does.

Everything the annotation screen does, without the screen: moving between
sentences, toggling labels, deciding, undo and redo, notes and flags, merging
and splitting sentences, search and filters, the model's suggestions. The TUI
calls these methods and redraws; tests and scripts call them directly.
What the log says of each sentence is asked of ``SessionDocuments``
(``documents.py``); where a move lands is worked out by ``navigation.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from annotator.log.schema import EXCLUDE
from annotator.model import Document, LabelSet, Span, Turn
from annotator.session import navigation
from annotator.session.documents import Scope, SessionDocuments
from annotator.session.navigation import Filter, Position, Skip
from annotator.session.source import DocumentList, DocumentSource
from annotator.session.suggestions import SuggestionCache

if TYPE_CHECKING:
    from annotator.log import AnnotationLog, Decision
    from annotator.suggest import Suggester, Suggestion


class AnnotationSession(SessionDocuments):
    """The state of one analyst's session over a list of documents: the cursor, the
    filter, the order of work, the model's suggestions, and the actions that write
    to the log (the lookups and counts are ``SessionDocuments``').
    """

    def __init__(
        self,
        documents: Sequence[Document] | DocumentSource,
        labels: LabelSet,
        log: AnnotationLog,
        *,
        scope: Scope | None = None,
    ) -> None:
        # Sentences out of ``scope`` are shown as context, dimmed, never visited.
        # A corpus (``CorpusDocuments``) is opened a document at a time, as needed.
        source = documents if isinstance(documents, DocumentSource) else DocumentList(documents)
        super().__init__(log, scope, source)
        self.labels = labels
        self.filter = Filter()
        self.position = Position(0, 0, 0)
        self._suggested = SuggestionCache()
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

    # --- documents ----------------------------------------------------------------

    def add_documents(self, documents: list[Document]) -> bool:
        """Append documents (a worker may deliver them while the analyst works); True
        when the cursor moved into them (see ``resume``). An id already loaded is
        refused (``CorpusError``)."""
        self._load(documents)
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
        # Documents the log says are done are passed over without being opened.
        candidates = (
            self.order
            if self.order is not None
            else navigation.all_positions(self.documents, skip=self.complete)
        )
        found = navigation.first_accepted(candidates, self.to_do)
        if found is not None:
            self.position = found
            return found
        first = navigation.first_accepted(
            navigation.all_positions(self.documents, skip=self._skip_for(Filter())),
            self._position_in_scope,
        )
        if first is not None:
            self.position = first
        # Documents still loading in the background may hold the work: resume there.
        self._waiting = self._waiting_from = self.position
        return None

    def go_to_document(self, doc_index: int) -> None:
        """Jump to a document's first sentence still to do (its first, if all are done)."""
        positions = navigation.document_positions(self.documents, doc_index)
        found = navigation.first_accepted(positions, self.to_do)
        found = found or navigation.first_accepted(positions, self._position_in_scope)
        if found is not None:
            self.position = found

    @property
    def document(self) -> Document:
        return self.documents[self.position.doc]

    @property
    def turn(self) -> Turn:
        return self.document.turns[self.position.turn]

    @property
    def sentence(self) -> Span | None:
        return self._span_at(self.position)

    @property
    def codable(self) -> Span | None:
        """The focused sentence if it is one to code: in a work list or adjudication the
        sentences around the listed ones are context, and nothing is recorded on them."""
        span = self.sentence
        return span if span is not None and self._position_in_scope(self.position) else None

    @property
    def decision(self) -> Decision | None:
        return self.decision_at(self.position)

    @property
    def line(self) -> Decision | None:
        """The last line about the focused sentence (see ``line_for``)."""
        return self.line_at(self.position)

    @property
    def note_and_flag(self) -> tuple[str | None, bool]:
        """The focused sentence's note and flag, which every new line about it keeps
        unless it changes them."""
        current = self.line
        return (current.note, current.flag) if current is not None else (None, False)

    def current_labels(self) -> tuple[str, ...]:
        decision = self.decision
        return tuple(decision.labels) if decision is not None else ()

    def hidden_in_turn(self, doc_index: int, turn_index: int) -> set[int] | None:
        """Sentences of a turn that the cursor does not visit (out of a work list's scope,
        or hidden by the filter), shown dimmed as context; None when it visits all."""
        if self.scope is None and self.filter.kind == "all":
            return None
        count = len(self.documents[doc_index].turns[turn_index].sentences)
        return {i for i in range(count) if not self._visible(Position(doc_index, turn_index, i))}

    # --- moving ----------------------------------------------------------------

    def _visible(self, position: Position) -> bool:
        return self.shows(position, self.filter)

    def _skip_for(self, shown: Filter) -> Skip:
        """Which documents a walk under ``shown`` may pass over without opening them:
        those the index and the log say hold no sentence it would stop at."""
        kind = shown.kind

        def skip(doc: int) -> bool:
            if self.is_open(doc):
                return False  # looked at directly, as cheaply
            if kind == "all":
                return self.scope is None and self.source.entry(doc).sentences == 0
            if kind == "undecided":
                return self.complete(doc)
            if kind == "flagged":
                return self.flagged(doc) == 0
            if kind == "label":
                return self.progress(doc)[0] == 0
            return False  # speakers are known from the text only

        return skip

    def closed(self, doc_index: int) -> None:
        self._suggested.forget(doc_index)

    def _reload(self, doc_id: str) -> None:
        """After a merge or split (or its undoing): the document's sentences are new,
        so are the suggestions for them."""
        super()._reload(doc_id)
        index = self._index.get(doc_id)
        if index is not None:
            self._suggested.forget(index)

    def _move_to(self, position: Position | None) -> bool:
        if position is None:
            return False
        self.position = position
        return True

    def next(self) -> bool:
        """Move to the next sentence (that the filter shows); False at the end."""
        if self.order is not None:
            return self._step_in_order(1)
        return self._move_to(
            navigation.step(
                self.documents,
                self.position,
                forward=True,
                accept=self._visible,
                skip=self._skip_for(self.filter),
            )
        )

    def previous(self) -> bool:
        if self.order is not None:
            return self._step_in_order(-1)
        return self._move_to(
            navigation.step(
                self.documents,
                self.position,
                forward=False,
                accept=self._visible,
                skip=self._skip_for(self.filter),
            )
        )

    def _step_in_order(self, delta: int) -> bool:
        """Move along the uncertainty order (skipping what the filter hides)."""
        assert self.order is not None

        # The order is a queue of work: forward it never lands on a sentence decided
        # since it was built (backward it does, to look at what was done).
        def accept(candidate: Position) -> bool:
            return self._visible(candidate) and (delta < 0 or self.to_do(candidate))

        return self._move_to(navigation.step_in_order(self.order, self.position, delta, accept))

    def next_turn(self, delta: int = 1) -> bool:
        """Move to the first sentence of the next (or previous) turn with sentences."""
        # In a work list or adjudication, turns with nothing to code are passed over
        # as ``j``/``k`` pass over their sentences (only context is shown there).
        return self._move_to(
            navigation.turn_step(self.documents, self.position, delta, self._position_in_scope)
        )

    def go_to(self, doc: int, turn: int, sentence: int = 0) -> None:
        """Jump to a place (turn list, mouse click); clamps to sentences that exist.
        A click on context lands on the nearest sentence to code in the turn, if any."""
        self._move_to(
            navigation.nearest_in_turn(self.documents, doc, turn, sentence, self._position_in_scope)
        )

    def home(self) -> None:
        """The first sentence that the filter shows."""
        positions = navigation.all_positions(self.documents, skip=self._skip_for(self.filter))
        self._move_to(navigation.first_accepted(positions, self._visible))

    def end(self) -> None:
        """The last sentence that the filter shows."""
        skip = self._skip_for(self.filter)
        positions = navigation.all_positions(self.documents, forward=False, skip=skip)
        self._move_to(navigation.first_accepted(positions, self._visible))

    def _around(self, shown: Filter, *, forward: bool = True) -> Iterator[Position]:
        """Every position from the cursor on (or back), wrapping round to the cursor,
        passing over the documents that hold nothing ``shown`` would show."""
        return navigation.positions_from(
            self.documents,
            self.position,
            forward=forward,
            wrap=True,
            skip=self._skip_for(shown),
        )

    def next_undecided(self) -> bool:
        """Move to the next sentence still to do, wrapping around; False if none
        (documents the log says are done are not opened)."""
        return self._move_to(
            navigation.first_accepted(self._around(Filter("undecided")), self.to_do)
        )

    def search(self, query: str, forward: bool = True) -> bool:
        """Move to the next sentence containing ``query`` (case-insensitive), wrapping."""
        needle = query.lower().strip()
        if not needle:
            return False

        def matches(position: Position) -> bool:
            span = self._span_at(position)
            return (
                span is not None
                and needle in span.text.lower()
                and self.in_scope(position.doc, span)
            )

        # Across a corpus, only the documents whose text holds the query are opened
        # (one at a time, closed again beyond a few); the others' text is looked
        # through and let go.
        def skip(doc: int) -> bool:
            if self.is_open(doc):
                return False
            return self.source.entry(doc).sentences == 0 or not self.source.mentions(doc, needle)

        around = navigation.positions_from(
            self.documents, self.position, forward=forward, wrap=True, skip=skip
        )
        return self._move_to(navigation.first_accepted(around, matches))

    def set_filter(self, new_filter: Filter) -> bool:
        """Show only some sentences; moves to the first match from the cursor if needed."""
        self.filter = new_filter
        if self.sentence is not None and self._visible(self.position):
            return True
        return self._move_to(navigation.first_accepted(self._around(new_filter), self._visible))

    # --- suggestions ----------------------------------------------------------------

    @property
    def suggester(self) -> Suggester | None:
        """The model whose suggestions are shown (``use_suggester``), if any."""
        return self._suggested.suggester

    def use_suggester(self, suggester: Suggester | None) -> None:
        """Show this model's suggestions (a new model replaces the old one's)."""
        self._suggested.use(suggester)
        if self.order is not None:
            self.order_by_uncertainty(per_document=self._order_per_document)

    def _document_suggestions(self, doc_index: int) -> dict[tuple[int, int], Suggestion]:
        return self._suggested.for_document(
            doc_index, self.documents[doc_index], self._attachment(doc_index)
        )

    def suggestion_for(self, doc_index: int, span: Span) -> Suggestion | None:
        """The model's suggestion for an undecided sentence: None once decided, and
        None when the model abstains (not confident enough to be shown)."""
        if self.suggester is None or span.location in self._attachment(doc_index).decisions:
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
        # A document at a time: each is opened, suggested and (beyond a few) closed again.
        for d in range(len(self.documents)):
            document = self.documents[d]
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
            # The model reads the decision on the sentence before: the next one changes.
            doc = self._index.get(decision.document)
            if doc is not None and self.is_open(doc):
                self._suggested.after(
                    doc, self.documents[doc], self._attachment(doc), decision.location
                )
        return decision

    def _decide(
        self, labels: tuple[str, ...], suggestion: Suggestion | None = None
    ) -> Decision | None:
        """Record labels on the focused sentence, keeping its note and flag; a decision
        that starts from the model's ``suggestion`` records it (and counts whether the
        analyst took it unchanged)."""
        span = self.codable
        if span is None:
            return None
        current = self.line
        note, flag = self.note_and_flag
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
        span = self.codable
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
        return self._annotate(note=note.strip() or None, flag=self.note_and_flag[1])

    def toggle_flag(self) -> Decision | None:
        """Flag the focused sentence for review (or unflag it). Never decides: a flag on
        an undecided sentence leaves it undecided."""
        note, flagged = self.note_and_flag
        return self._annotate(note=note, flag=not flagged)

    def toggle_exclude(self) -> Decision | None:
        """Record the focused sentence as not a unit of speech (a heading, a stray page
        header), or take that back. Excluded sentences leave progress, agreement and
        exports; undo restores what was there before."""
        span = self.codable
        if span is None:
            return None
        current = self.line
        note, flag = self.note_and_flag
        if current is not None and current.action == EXCLUDE:
            line = self.log.mark(self.document, self.turn, span, note=note, flag=flag)
        else:
            line = self.log.exclude(self.document, self.turn, span, note=note, flag=flag)
        return self._record(line)

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
