"""The import report: what was read from each document, and what looks wrong.

Never silently wrong: a long document read as one turn, one speaker for a long
hearing, a turn of over 5,000 words, label-like lines that were not taken as
labels, a sentence of over 120 words. ``parse_text`` puts the warnings on the
``Document`` (so the TUI can show them when the document is opened); the CLI
prints ``format_report`` after ``annotator import`` and ``annotator parse``.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.errors import TranscriptError
from annotator.ingest.page_heads import PageHead
from annotator.model import Document, Span

#: A document with more words than this and no labels is an error, unless allowed.
ONE_SPEECH_WORDS = 1500
LONG_TURN_WORDS = 5000
LONG_SENTENCE_WORDS = 120
#: The warning ``parse_text`` gives a text read as one speech (the CLI looks for it).
ONE_SPEECH = "no speaker labels found; read as one speech"
# How many line numbers of label-like lines a warning lists.
_LIST_LINES = 8


@dataclass(frozen=True)
class ImportReport:
    """One document's figures and warnings, as the import report prints them."""

    doc_id: str
    source: str
    convention: str
    turns: int
    speakers: int
    words: int
    notes: int
    sentences: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "document": self.doc_id,
            "source": self.source,
            "convention": self.convention,
            "turns": self.turns,
            "speakers": self.speakers,
            "words": self.words,
            "notes": self.notes,
            "sentences": self.sentences,
            "warnings": list(self.warnings),
        }


def document_warnings(
    source: str,
    speakers: list[str],
    turn_words: list[int],
    not_taken: list[tuple[int, str]],
    turns_before: int = 0,
) -> list[str]:
    """Warnings about the turns read from one document (before sentences exist)."""
    warnings = []
    words = sum(turn_words)
    distinct = {speaker for speaker in speakers if speaker}
    if words > ONE_SPEECH_WORDS and len(speakers) == 1 and speakers[0]:
        warnings.append(f"{source}: {words:,} words read as one turn by {speakers[0]}")
    elif words > ONE_SPEECH_WORDS and len(distinct) == 1 and len(speakers) > 1:
        warnings.append(f"{source}: {words:,} words, all by one speaker ({next(iter(distinct))})")
    for index, count in enumerate(turn_words):
        if count > LONG_TURN_WORDS and len(turn_words) > 1:
            warnings.append(
                f"{source}: turn {turns_before + index + 1} ({speakers[index] or 'unknown'}) "
                f"has {count:,} words"
            )
    if not_taken:
        shown = ", ".join(f"{number} ({name})" for number, name in not_taken[:_LIST_LINES])
        more = f" and {len(not_taken) - _LIST_LINES} more" if len(not_taken) > _LIST_LINES else ""
        warnings.append(f"{source}: label-like lines not taken as labels: line {shown}{more}")
    return warnings


def page_head_warnings(source: str, heads: list[PageHead]) -> list[str]:
    """One warning per page whose unlabelled text was given to the speaker its running
    head names, opening a turn: the reader inferred that speaker (``ingest.page_heads``)."""
    warnings = []
    for head in heads:
        if head.previous is None:
            continue
        after = f"after a turn of {head.previous}" if head.previous else "before any label"
        warnings.append(
            f"{source}: line {head.text_line} opens a page with no speaker label; its running "
            f"head (line {head.line}, {head.head!r}) names {head.speaker}, so a turn of "
            f"{head.speaker} starts there ({after}); check it"
        )
    return warnings


def long_sentences(document: Document) -> list[tuple[int, Span]]:
    """(turn index, sentence) of every sentence over 120 words."""
    return [
        (turn.index, sentence)
        for turn in document.turns
        for sentence in turn.sentences
        if len(sentence.text.split()) > LONG_SENTENCE_WORDS
    ]


def long_sentence_warning(source: str, count: int, line: int, turn: int) -> str:
    return (
        f"{source}: {count} sentence(s) of over {LONG_SENTENCE_WORDS} words "
        f"(first at line {line}, turn {turn})"
    )


def sentence_warnings(document: Document) -> list[str]:
    """Warnings that need sentences: sentences of over 120 words."""
    long = long_sentences(document)
    if not long:
        return []
    first_turn, first = long[0]
    line = document.text.count("\n", 0, first.start) + 1
    return [long_sentence_warning(document.source, len(long), line, first_turn + 1)]


def reading_warnings(document: Document) -> list[str]:
    """Everything the import report warns about one document: what reading the turns
    noticed and, once it is segmented, its over-long sentences (the report, the TUI)."""
    warnings = list(document.warnings)
    if any(turn.sentences for turn in document.turns):
        warnings.extend(sentence_warnings(document))
    return warnings


def build_report(document: Document, convention: str) -> ImportReport:
    """The report for one document; sentence warnings are added if it is segmented."""
    speakers = {turn.speaker_key for turn in document.turns if turn.speaker}
    warnings = reading_warnings(document)
    return ImportReport(
        doc_id=document.id,
        source=document.source,
        convention=convention,
        turns=len(document.turns),
        speakers=len(speakers),
        words=sum(len(turn.text.split()) for turn in document.turns),
        notes=sum(len(turn.notes) for turn in document.turns),
        sentences=document.sentence_count(),
        warnings=tuple(warnings),
    )


def counted(count: int, noun: str) -> str:
    """``1 turn``, ``2 turns``, ``1,536 words``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def format_report(report: ImportReport) -> str:
    """One line of figures, then one line per warning."""
    counts = [
        counted(report.turns, "turn"),
        counted(report.speakers, "speaker"),
        counted(report.words, "word"),
        counted(report.notes, "note"),
    ]
    if report.sentences:
        counts.append(counted(report.sentences, "sentence"))
    head = f"{report.source}: {report.convention}; {', '.join(counts)}"
    return "\n".join([head, *(f"  warning: {w}" for w in report.warnings)])


def check_one_speech(document: Document, allow: bool) -> None:
    """Raise for a long document read as one speech, unless the analyst allows it."""
    if allow or len(document.turns) != 1:
        return
    if not any(warning.endswith(ONE_SPEECH) for warning in document.warnings):
        return
    words = len(document.turns[0].text.split())
    if words > ONE_SPEECH_WORDS:
        raise TranscriptError(
            f"{document.source}: no speaker labels found in {words:,} words; see why with "
            "'annotator parse --explain', give --speaker-pattern, or --allow-one-speech "
            "if it is one statement"
        )
