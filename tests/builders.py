"""Documents built by hand, as the transcript reader and segmenter would build them.

One place for the builders the tests share, so a change to ``Document`` or ``Turn`` is
made once. Each builder writes real text and offsets that point into it: a sentence's
``text`` is always ``document.text[start:end]``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from annotator.model import Document, Span, Turn


def make_document(
    turns: Sequence[tuple[str, Sequence[str]]],
    doc_id: str = "briefing",
    *,
    preamble: str = "",
    title: str | None = None,
    speaker_key: Callable[[str, int], str] | None = None,
) -> Document:
    """A document of these ``(speaker, sentences)`` turns, each ``SPEAKER: s1 s2 ...`` in
    its own paragraph after an optional preamble. ``speaker_key(speaker, index)`` gives a
    turn's key (the speaker as written by default)."""
    text = preamble
    built = []
    for index, (speaker, sentences) in enumerate(turns):
        if text:
            text += "\n\n"
        text += f"{speaker}: "
        start = len(text)
        spans = []
        for k, sentence in enumerate(sentences):
            if k:
                text += " "
            spans.append(Span(len(text), len(text) + len(sentence), sentence))
            text += sentence
        key = speaker_key(speaker, index) if speaker_key else speaker
        built.append(Turn(index, speaker, key, start, len(text), text[start:], (), tuple(spans)))
    return Document(
        doc_id, f"{doc_id}.txt", doc_id.title() if title is None else title, text, "", tuple(built)
    )


def numbered_document(doc_id: str, sentences: int, per_turn: int = 5) -> Document:
    """A briefing of ``sentences`` numbered sentences (``Sentence 7 of doc.``), ``per_turn``
    to a turn, alternating ``MR MILLER`` and ``QUESTION``."""
    turns = []
    for first in range(0, sentences, per_turn):
        speaker = "MR MILLER" if (first // per_turn) % 2 == 0 else "QUESTION"
        count = min(per_turn, sentences - first)
        turns.append((speaker, [f"Sentence {first + k} of {doc_id}." for k in range(count)]))
    return make_document(turns, doc_id, title=doc_id)


def units(document: Document) -> list[tuple[Turn, Span]]:
    """Every (turn, sentence) of a document, in reading order."""
    return [(turn, span) for turn in document.turns for span in turn.sentences]


@functools.cache
def bundled_sample() -> Document:
    """The bundled sample transcript, parsed and segmented with the default pipeline
    (read once per test process; documents are immutable)."""
    from annotator.resources import sample_transcript
    from annotator.segment import load_pipeline, segment_document
    from annotator.transcript import parse_transcript

    return segment_document(parse_transcript(sample_transcript()), load_pipeline())
