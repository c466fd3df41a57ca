"""What the suggestion model reads in a sentence: its words, its mood, and its place.

An analyst labels what a speaker *does* with a sentence, read in its turn, so
the words alone miss much of what decides a label: a reporter's question is
rarely a commitment whatever its words, a turn's first sentence is often
thanks, a short sentence is often procedural, and a sentence often does what
the one before it did (a run of hand-overs, a pledge spelled out over three
sentences). ``SentenceContext`` carries what the text cannot say (who speaks,
where in the turn, what the analyst decided on the sentence before); ``cue_features``
adds what a parser would (question, modal, negation, length) without one, so
nothing needs a trained pipeline.

Features are strings, hashed by spaCy's string store into the model's sparse
linear layer; the context ones start with ``@`` so they never collide with a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.model import Document, Span

#: The key in ``Doc.user_data`` under which a sentence's context features travel.
CONTEXT_KEY = "annotator.context"

# Speaker labels of the people who ask rather than answer, and of those who chair.
_REPORTER = re.compile(
    r"^(q|question|questioner|reporter|journalist|audience( member)?|participant|press)\b\.?",
    re.I,
)
_MODERATOR = re.compile(r"\b(moderator|chair(man|woman|person)?|operator|host|emcee)\b", re.I)
_MODALS = {
    "will": "will",
    "'ll": "will",
    "’ll": "will",
    "shall": "will",
    "must": "must",
    "should": "should",
    "need": "must",
    "needs": "must",
    "can": "can",
    "could": "can",
    "would": "would",
    "may": "may",
    "might": "may",
}
_NEGATIONS = {"not", "n't", "n’t", "never", "no", "nothing", "neither", "nor", "cannot"}


#: ``SentenceContext.follows``: what comes before a sentence in its document.
OPENS, SAME_TURN, TURN_BEFORE = "opens", "turn", "before"
#: The prefix of the features of the previous sentence's decision.
PREVIOUS_PREFIX = "@prev"


@dataclass(frozen=True)
class SentenceContext:
    """Where a sentence stands: the speaker's role in the event, its place in the turn,
    and what the analyst decided on the sentence before it.

    ``role`` is ``reporter`` (a ``Q`` turn), ``moderator`` or ``principal``;
    ``position`` is ``only``, ``first``, ``middle`` or ``last`` in the turn.
    ``follows`` says what the sentence comes after: nothing (``opens``, the
    document's first sentence), a sentence of the same turn (``turn``) or the
    last sentence of the turn before (``before``). ``previous`` is the label
    set decided on that sentence (``()`` for "no label"), None while it is
    undecided or unknown: the model then reads the sentence without it.
    """

    role: str = "principal"
    position: str = "middle"
    follows: str | None = None
    previous: tuple[str, ...] | None = None

    @property
    def knows_previous(self) -> bool:
        """Whether the sentence before is accounted for (decided, or there is none)."""
        return self.follows == OPENS or (self.follows is not None and self.previous is not None)

    def features(self) -> tuple[str, ...]:
        """The context as model features: the role, the place, the two together, and
        the previous sentence's labels (where it is in the same turn or not)."""
        found = [
            f"@role={self.role}",
            f"@pos={self.position}",
            f"@role={self.role}@pos={self.position}",
        ]
        if self.follows == OPENS:
            found.append(f"{PREVIOUS_PREFIX}=opens")
        elif self.follows is not None and self.previous is not None:
            found.extend(f"{PREVIOUS_PREFIX}.{self.follows}={name}" for name in self.previous)
            if not self.previous:  # "no label" is a decision too; no label name can say it
                found.append(f"{PREVIOUS_PREFIX}.{self.follows}.nothing")
        return tuple(found)

    def without_previous(self) -> SentenceContext:
        """The same context with the previous sentence's decision unknown."""
        return replace(self, previous=None) if self.follows != OPENS else self


def speaker_role(speaker: str) -> str:
    """``reporter``, ``moderator`` or ``principal`` from a speaker label as printed."""
    name = " ".join(speaker.split())
    if _REPORTER.match(name):
        return "reporter"
    if _MODERATOR.search(name):
        return "moderator"
    return "principal"


def turn_position(index: int, count: int) -> str:
    """A sentence's place among the ``count`` sentences of its turn."""
    if count <= 1:
        return "only"
    if index == 0:
        return "first"
    return "last" if index == count - 1 else "middle"


def contexts_in_turn(speaker: str, count: int) -> list[SentenceContext]:
    """The contexts of the ``count`` sentences of one turn, in order (what precedes
    them not yet said: see ``in_reading_order``)."""
    role = speaker_role(speaker)
    return [SentenceContext(role, turn_position(i, count)) for i in range(count)]


def _follows(first: bool, same_turn: bool) -> str:
    """What a sentence comes after: nothing, its own turn, or the turn before."""
    return OPENS if first else SAME_TURN if same_turn else TURN_BEFORE


def in_reading_order(
    contexts: Sequence[SentenceContext],
    turns: Sequence[Hashable],
    decided: Sequence[tuple[str, ...] | None],
) -> list[SentenceContext]:
    """The contexts of one document's sentences (in reading order, each sentence's
    turn in ``turns``) with what each follows: ``decided`` holds every sentence's
    label set, None where undecided."""
    return [
        replace(
            context,
            follows=_follows(n == 0, n > 0 and turns[n] == turns[n - 1]),
            previous=decided[n - 1] if n else None,
        )
        for n, context in enumerate(contexts)
    ]


def decided_contexts(
    places: Sequence[tuple[Hashable, int, int]],
    speakers: Sequence[str],
    decided: Sequence[tuple[str, ...]],
) -> list[SentenceContext]:
    """The context of each of a set of decided sentences (training data, a benchmark's
    labels), each known by its place: ``(document, turn number, where in the document)``
    (an offset, or a line number).

    The place in the turn is counted among the turn's sentences given, and each one
    follows the sentence given before it in its document: for an analyst who works
    in reading order, as the screen leads, the sentence before.
    """
    turns: dict[tuple[Hashable, int], list[int]] = defaultdict(list)
    documents: dict[Hashable, list[int]] = defaultdict(list)
    for n, (document, turn, _) in enumerate(places):
        turns[(document, turn)].append(n)
        documents[document].append(n)
    found: dict[int, SentenceContext] = {}
    for members in turns.values():
        members.sort(key=lambda n: places[n][2])
        found.update(
            zip(members, contexts_in_turn(speakers[members[0]], len(members)), strict=True)
        )
    for members in documents.values():
        members.sort(key=lambda n: places[n][1:])
        ordered = in_reading_order(
            [found[n] for n in members],
            [places[n][1] for n in members],
            [decided[n] for n in members],
        )
        found.update(zip(members, ordered, strict=True))
    return [found[n] for n in range(len(places))]


def document_contexts(
    document: Document,
    decided: Callable[[int, int], tuple[str, ...] | None] | None = None,
    only: Collection[tuple[int, int]] | None = None,
    excluded: Collection[tuple[int, int]] = (),
) -> list[tuple[int, int, str, SentenceContext]]:
    """``(start, end, text, context)`` of every sentence of a document (or the ``only``
    ones, by ``(start, end)``), in reading order.

    ``decided(start, end)`` gives the label set decided on a sentence (None while
    undecided), so each context carries the decision on the sentence before.
    ``excluded`` sentences (a heading, a stray page header) are passed over as
    training passes over them: the sentence after one follows the sentence before
    it. Only the sentences asked for are looked at closely: the screen asks again
    for one sentence after every decision, in documents of thousands.
    """
    found = []
    before: Span | None = None
    before_turn = -1
    for number, turn in enumerate(document.turns):
        count = len(turn.sentences)
        role = None
        for index, span in enumerate(turn.sentences):
            if only is None or span.location in only:
                role = role or speaker_role(turn.speaker)
                previous = None
                if before is not None and decided is not None:
                    previous = decided(before.start, before.end)
                context = SentenceContext(
                    role,
                    turn_position(index, count),
                    _follows(before is None, before_turn == number),
                    previous,
                )
                found.append((span.start, span.end, span.text, context))
            if span.location not in excluded:
                before, before_turn = span, number
    return found


def cue_features(words: Sequence[str]) -> list[str]:
    """Mood and shape of a sentence from its lowercased tokens (no parser needed).

    A question, each modal verb family, negation, a first word that is a verb
    of address ("let", "please"), and a length bucket: what separates a pledge
    from a view, an answer from a question, a courtesy from a statement.
    """
    found = []
    if "?" in words[-2:]:
        found.append("@mood=question")
    modals = {_MODALS[w] for w in words if w in _MODALS}
    found.extend(f"@modal={m}" for m in sorted(modals))
    if any(w in _NEGATIONS for w in words):
        found.append("@negated")
    if words and words[0] in {"let", "please", "thank", "thanks"}:
        found.append(f"@opens={words[0]}")
    length = sum(1 for w in words if w[:1].isalnum())
    found.append("@len=short" if length <= 6 else "@len=long" if length > 25 else "@len=mid")
    return found


def sentence_keys(
    doc: Any, use_cues: bool, use_context: bool, use_previous: bool = True
) -> list[str]:
    """The string features of one spaCy ``Doc`` beyond its words (cues, context, and
    the previous sentence's decision)."""
    keys: list[str] = []
    if use_cues:
        keys.extend(cue_features([t.lower_ for t in doc if not t.is_space]))
    for key in doc.user_data.get(CONTEXT_KEY, ()):
        if use_previous if key.startswith(PREVIOUS_PREFIX) else use_context:
            keys.append(key)
    return keys
