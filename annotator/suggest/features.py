"""What the suggestion model reads in a sentence: its words, its mood, and its place.

An analyst labels what a speaker *does* with a sentence, read in its turn, so
the words alone miss much of what decides a label: a reporter's question is
rarely a commitment whatever its words, a turn's first sentence is often
thanks, and a short sentence is often procedural. ``SentenceContext`` carries
what the text cannot say (who speaks, where in the turn); ``cue_features``
adds what a parser would (question, modal, negation, length) without one, so
nothing needs a trained pipeline.

Features are strings, hashed by spaCy's string store into the model's sparse
linear layer; the context ones start with ``@`` so they never collide with a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.model import Document

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


@dataclass(frozen=True)
class SentenceContext:
    """Where a sentence stands: the speaker's role in the event and its place in the turn.

    ``role`` is ``reporter`` (a ``Q`` turn), ``moderator`` or ``principal``;
    ``position`` is ``only``, ``first``, ``middle`` or ``last`` in the turn.
    """

    role: str = "principal"
    position: str = "middle"

    def features(self) -> tuple[str, ...]:
        """The context as model features (the role, the place, and the two together)."""
        return (
            f"@role={self.role}",
            f"@pos={self.position}",
            f"@role={self.role}@pos={self.position}",
        )


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
    """The contexts of the ``count`` sentences of one turn, in order."""
    role = speaker_role(speaker)
    return [SentenceContext(role, turn_position(i, count)) for i in range(count)]


def document_contexts(document: Document) -> Iterator[tuple[int, int, str, SentenceContext]]:
    """``(start, end, text, context)`` of every sentence of a document, in reading order."""
    for turn in document.turns:
        for span, context in zip(
            turn.sentences, contexts_in_turn(turn.speaker, len(turn.sentences)), strict=True
        ):
            yield span.start, span.end, span.text, context


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


def sentence_keys(doc: Any, use_cues: bool, use_context: bool) -> list[str]:
    """The string features of one spaCy ``Doc`` beyond its words (cues and context)."""
    keys: list[str] = []
    if use_cues:
        keys.extend(cue_features([t.lower_ for t in doc if not t.is_space]))
    if use_context:
        keys.extend(doc.user_data.get(CONTEXT_KEY, ()))
    return keys
