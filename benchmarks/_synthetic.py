"""Synthetic briefings shared by the store and export benchmarks."""

from __future__ import annotations

from annotator.model import Document, Span, Turn

SENTENCES = (
    "We will provide an additional $2 billion in security assistance over the next two years.",
    "North Korea's continued missile launches pose a grave threat to regional stability.",
    "Thank you, Matt.",
    "Our commitment to the defence of our allies is ironclad.",
    "We call on all parties to exercise maximum restraint.",
    "I'm not going to get ahead of the Secretary's travel.",
    "We strongly condemn the attacks on commercial shipping in the Red Sea.",
    "Today our two countries signed a memorandum on critical minerals.",
)


def make_document(
    doc_id: str, sentences: int, per_turn: int = 10, *, id_in_text: bool = False
) -> Document:
    """A synthetic briefing: turns of ``per_turn`` sentences, alternating speakers.

    Each sentence ends with its number (and the document id with ``id_in_text``), so
    that no two sentences of a document (or of a corpus) share their text.
    """
    text = ""
    turns = []
    for index in range(sentences // per_turn):
        speaker = "MR MILLER" if index % 2 == 0 else "QUESTION"
        if text:
            text += "\n\n"
        text += f"{speaker}: "
        start = len(text)
        spans = []
        for k in range(per_turn):
            if k:
                text += " "
            n = index * per_turn + k
            mark = f"{doc_id} {n}" if id_in_text else str(n)
            sentence = f"{SENTENCES[n % len(SENTENCES)][:-1]} ({mark})."
            spans.append(Span(len(text), len(text) + len(sentence), sentence))
            text += sentence
        turns.append(
            Turn(index, speaker, speaker, start, len(text), text[start:], sentences=tuple(spans))
        )
    return Document(doc_id, f"{doc_id}.txt", doc_id, text, "", tuple(turns))
