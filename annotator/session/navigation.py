"""Reading order over the sentences of a list of documents, without any decisions.

A ``Position`` names a sentence (document, turn, sentence within the turn); the
functions here walk positions forward and back, by sentence or by turn, and say
where a walk lands. Which sentences a walk may land on is the caller's question,
asked through an ``accept(position)`` predicate: the session answers it from its
scope, its filter and the log.

Walks are lazy and go a document at a time: ``documents`` may decode a document
when it is indexed (a corpus read on demand), so a walk touches a document only
when it gets there, and a ``skip(doc)`` predicate lets it pass over documents
known to hold nothing it would accept (done, no flags) without opening them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from annotator.model import Document


@dataclass(frozen=True)
class Position:
    """Where the cursor is: document, turn and sentence indexes (sentence within turn)."""

    doc: int
    turn: int
    sentence: int


#: Whether a walk may stop at a position (in scope, shown by the filter, still to do...).
Accept = Callable[[Position], bool]

#: Whether a walk may pass over a whole document without looking at its sentences.
Skip = Callable[[int], bool]

#: Before the first sentence: ``positions_from(BEFORE_START, ...)`` lists them all.
BEFORE_START = Position(0, 0, -1)


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


def document_positions(documents: Sequence[Document], doc: int) -> list[Position]:
    """The sentence positions of one document in reading order."""
    return [
        Position(doc, t, s)
        for t, turn in enumerate(documents[doc].turns)
        for s in range(len(turn.sentences))
    ]


def all_positions(
    documents: Sequence[Document], *, forward: bool = True, skip: Skip | None = None
) -> Iterator[Position]:
    """Every sentence position in reading order (or in reverse), lazily."""
    start = BEFORE_START if forward else Position(len(documents), 0, 0)
    return positions_from(documents, start, forward=forward, wrap=False, skip=skip)


def positions_from(
    documents: Sequence[Document],
    start: Position,
    *,
    forward: bool,
    wrap: bool,
    skip: Skip | None = None,
) -> Iterator[Position]:
    """Sentence positions after (or before) ``start`` in reading order; with ``wrap``,
    then those from the other end up to ``start`` itself. Lazy: a document is looked at
    (and with ``skip``, first asked about) only when the walk reaches it."""
    key = (start.doc, start.turn, start.sentence)
    count = len(documents)
    if not count:
        return
    here = max(0, min(start.doc, count - 1))
    if forward:
        ahead: Iterable[int] = range(here, count)
        behind: Iterable[int] = range(0, here + 1) if wrap else ()
    else:
        ahead = range(here, -1, -1)
        behind = range(count - 1, here - 1, -1) if wrap else ()
    for doc in ahead:
        if skip is not None and skip(doc):
            continue
        for p in _document_walk(documents, doc, forward):
            k = (p.doc, p.turn, p.sentence)
            if (k > key) if forward else (k < key):
                yield p
    for doc in behind:
        if skip is not None and skip(doc):
            continue
        for p in _document_walk(documents, doc, forward):
            k = (p.doc, p.turn, p.sentence)
            if (k <= key) if forward else (k >= key):
                yield p


def _document_walk(documents: Sequence[Document], doc: int, forward: bool) -> list[Position]:
    positions = document_positions(documents, doc)
    return positions if forward else positions[::-1]


def first_accepted(positions: Iterable[Position], accept: Accept) -> Position | None:
    """The first of ``positions`` that ``accept`` takes, if any."""
    return next((position for position in positions if accept(position)), None)


def step(
    documents: Sequence[Document],
    start: Position,
    *,
    forward: bool,
    accept: Accept,
    skip: Skip | None = None,
) -> Position | None:
    """The next (or previous) accepted sentence after ``start``; None at the end.
    Documents that ``skip`` passes over are not opened."""
    doc, turn, sentence = start.doc, start.turn, start.sentence
    # A cheap walk from the cursor: the common case must not list every sentence.
    while True:
        turns = documents[doc].turns
        if forward:
            sentence += 1
            if sentence >= len(turns[turn].sentences):
                turn, sentence = turn + 1, 0
                while turn < len(turns) and not turns[turn].sentences:
                    turn += 1
                if turn >= len(turns):
                    doc += 1
                    while skip is not None and doc < len(documents) and skip(doc):
                        doc += 1
                    if doc >= len(documents):
                        return None
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
                    while skip is not None and doc >= 0 and skip(doc):
                        doc -= 1
                    if doc < 0:
                        return None
                    turn = len(documents[doc].turns)
                    sentence = 0
                    continue
                sentence = len(turns[turn].sentences)
                continue
        candidate = Position(doc, turn, sentence)
        if accept(candidate):
            return candidate


def step_in_order(
    order: Sequence[Position], start: Position, delta: int, accept: Accept
) -> Position | None:
    """The next (``delta`` 1) or previous (-1) accepted position along ``order`` from
    ``start``; from a position not in the order, the first (or last) accepted one."""
    try:
        index = order.index(start)
    except ValueError:
        index = -1 if delta > 0 else len(order)
    index += delta
    while 0 <= index < len(order):
        if accept(order[index]):
            return order[index]
        index += delta
    return None


def turn_step(
    documents: Sequence[Document], start: Position, delta: int, accept: Accept
) -> Position | None:
    """The first accepted sentence of the turn ``delta`` turns away that holds one (a
    work list's scope passes over turns of context alone); None past either end.
    Walks from the cursor's document outwards, opening only those it passes through."""
    doc, turn = start.doc, start.turn
    remaining = abs(delta)
    direction = 1 if delta > 0 else -1
    landing = None
    while remaining:
        turn += direction
        turns = documents[doc].turns
        if not 0 <= turn < len(turns):
            doc += direction
            if not 0 <= doc < len(documents):
                return None
            turn = -1 if direction > 0 else len(documents[doc].turns)
            continue
        count = len(turns[turn].sentences)
        landing = next(
            (Position(doc, turn, i) for i in range(count) if accept(Position(doc, turn, i))),
            None,
        )
        if landing is not None:
            remaining -= 1
    return landing


def nearest_in_turn(
    documents: Sequence[Document], doc: int, turn: int, sentence: int, accept: Accept
) -> Position | None:
    """The accepted sentence of a turn nearest to ``sentence`` (clamped to the turn),
    the earlier of two at the same distance; None when the turn has none."""
    count = len(documents[doc].turns[turn].sentences)
    if not count:
        return None
    sentence = max(0, min(sentence, count - 1))
    for i in sorted(range(count), key=lambda i: (abs(i - sentence), i)):
        if accept(Position(doc, turn, i)):
            return Position(doc, turn, i)
    return None
