"""Plain data shared by every part of annotator: documents, turns, sentences, labels.

Everything here is a frozen dataclass with no I/O, so the importer, the store,
the exporters and the TUI can pass the same values around and compare them.
All character offsets are into ``Document.text``: ``document.text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Span:
    """A stretch of document text, with its offsets kept beside it.

    Used for sentences (the annotation units) and for notes (stage directions,
    interpreter notes, timestamps), which are shown but never annotated.
    """

    start: int
    end: int
    text: str

    @property
    def location(self) -> tuple[int, int]:
        """``(start, end)``: how decisions find the sentence."""
        return (self.start, self.end)

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted contribution, continuation paragraphs included.

    ``speaker`` is the label as printed (no separator, no Markdown markup);
    ``speaker_key`` groups labels that plainly name one person in this document
    (``SECRETARY BLINKEN`` and ``MR. BLINKEN``) and is unique per turn where the
    text cannot tell (each ``Q`` may be another reporter).
    """

    index: int
    speaker: str
    speaker_key: str
    start: int
    end: int
    text: str
    notes: tuple[Span, ...] = ()
    sentences: tuple[Span, ...] = ()
    timestamp: str | None = None


@dataclass(frozen=True)
class Document:
    """A transcript read into speaker turns.

    ``text`` is the decoded file text (BOM dropped, line ends normalised to
    ``\\n``); the preamble (headline, byline, front matter, time lines) is kept
    for display and never annotated.
    """

    id: str
    source: str
    title: str
    text: str
    preamble: str
    turns: tuple[Turn, ...]
    warnings: tuple[str, ...] = ()
    #: The speaker-label convention the reader chose (``colon``, ``period-title`` ...);
    #: empty for documents not read from raw text (JSONL turns, a prepared corpus).
    convention: str = ""

    @cached_property
    def text_hash(self) -> str:
        """A short, stable fingerprint of the text, recorded with every decision.

        Computed once per document: the text is immutable, and per-record paths
        (export, stats) ask for it once per sentence.
        """
        return text_hash(self.text)

    def sentence_count(self) -> int:
        return sum(len(turn.sentences) for turn in self.turns)

    def between_turns(self, index: int) -> list[str]:
        """The lines of text between turn ``index`` and the one before it, besides the
        speaker label: a heading (a debate's next item, a witness's statement), a stage
        direction, a page's running head. Never labelled, but read. Lines of HTML tags
        only, or of no letters (underlines, line and page numbers), are left out."""
        if index <= 0 or index >= len(self.turns):
            return []
        gap = self.text[self.turns[index - 1].end : self.turns[index].start]
        lines = [line.strip() for line in gap.splitlines() if line.strip()]
        # The speaker's label ends the gap, wrapped over lines as printed or not.
        speaker = " ".join(self.turns[index].speaker.split())
        cut = len(lines) - 1
        for at in range(len(lines) - 1, -1, -1):
            if speaker and speaker in " ".join(" ".join(lines[at:]).split()):
                cut = at
                break
        return [line for line in lines[:cut] if any(c.isalpha() for c in _TAGS.sub("", line))]


_TAGS = re.compile(r"<[^>]*>")


def text_hash(text: str) -> str:
    """Hex SHA-1 prefix of ``text``; the store uses it to notice edited transcripts."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Label:
    """One label of a label set, as written in labels.yaml.

    ``decision_rules`` are the codebook's "if ... then ..., else ..." tests;
    ``near_misses`` sentences that look like the label but are not.
    """

    name: str
    key: str
    description: str = ""
    color: str = "#888888"
    guidance: str = ""
    examples: tuple[str, ...] = ()
    decision_rules: tuple[str, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()
    #: The codebook's group (a CAMEO root code, a CAP major topic); "" for none.
    group: str = ""

    @property
    def chord(self) -> bool:
        """Whether the key is two keystrokes (``d1``: ``d``, then ``1``)."""
        return len(self.key) == 2


@dataclass(frozen=True)
class NearMiss:
    """A sentence that is *not* a label, why not, and the labels it takes instead.

    ``instead`` is None when the codebook does not say (an empty tuple means no label).
    """

    text: str
    because: str = ""
    instead: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LabelSet:
    """The labels of a project and how they combine on a sentence."""

    labels: tuple[Label, ...]
    exclusive: bool = False
    guidelines: str = ""
    source: str = ""
    by_key: dict[str, Label] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({label.key: label for label in self.labels})

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


def turn_units(turn: Turn) -> list[tuple[str, Span]]:
    """The sentences and notes of a turn in reading order, tagged by kind.

    A note inside a sentence (``with Ukraine (applause) for as long``, a page header
    in a sentence that runs across a page break) is part of that sentence's line,
    shown dimmed there, not a unit of its own.
    """
    inside = {
        note
        for note in turn.notes
        for sentence in turn.sentences
        if sentence.start < note.start and note.end < sentence.end
    }
    units = [("sentence", s) for s in turn.sentences]
    units += [("note", n) for n in turn.notes if n not in inside]
    return sorted(units, key=lambda unit: unit[1].start)
