"""What an export is made of: its options, one record per decided sentence, and the
dataset that streams them with what was left out.

``records.collect_dataset`` makes a ``Dataset`` from annotation logs; every format
module writes one. The types here know nothing of logs: a record renders itself
(``to_dict``, ``origin``, ``user_data``, ``coding``) for the formats to share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

#: How the labels of several annotators become the labels of a sentence.
COMBINE_MODES = ("majority", "union", "intersection")
#: What happens to a sentence the coders disagree on with nothing to settle it
#: (with --gold: not adjudicated; without: an even split under majority): left
#: out, settled by strict majority (an even split still left out, and counted),
#: or kept with the strict majority's labels, flagged, status "unresolved".
UNRESOLVED_POLICIES = ("exclude", "majority", "flag")
#: The annotator id that marks adjudicated decisions (``--gold``).
GOLD_ANNOTATOR = "gold"


@dataclass(frozen=True)
class ExportOptions:
    """What to export; the defaults export everything that was decided.

    ``annotators`` keeps only those annotators; ``gold_only`` keeps only the
    adjudicated decisions (annotator ``gold_annotator``). ``labels`` restricts
    the label columns: a sentence whose labels all fall outside stays, as a
    negative example. ``context`` adds that many sentences before and after;
    ``turn_text`` adds the whole speaker turn.
    """

    annotators: tuple[str, ...] = ()
    gold_only: bool = False
    #: The team's dataset: adjudicated decisions where there are, agreed ones where
    #: all coders agree, and ``unresolved`` for the rest.
    gold_standard: bool = False
    unresolved: str = "flag"
    #: CSV cells exactly as they are, formula starts included (``--csv-raw``).
    csv_raw: bool = False
    gold_annotator: str = GOLD_ANNOTATOR
    include_flagged: bool = True
    include_empty: bool = True
    labels: tuple[str, ...] = ()
    context: int = 0
    turn_text: bool = False
    combine: str = "majority"
    force: bool = False
    seed: int = 0
    dev_fraction: float = 0.2
    lang: str = "en"
    #: How a format divides its output: spacy "sentence" (stratified by label) or
    #: "document"; doccano "annotator" (one file each). Empty: the format's default
    #: (spacy by document, as ``annotator train`` scores held-out documents).
    split_by: str = ""
    #: Label Studio user of each annotator: a numeric id or an e-mail address.
    labelstudio_users: Mapping[str, int | str] = field(default_factory=dict)
    #: The Prodigy dataset the export is meant for (``_session_id`` is ``DATASET-NAME``).
    prodigy_dataset: str = ""


class AnnotatorLabels(msgspec.Struct, frozen=True):
    """One annotator's current decision on a sentence (a struct: 100,000s are made
    per export, and a frozen dataclass costs several times as much to build)."""

    annotator: str
    labels: tuple[str, ...]
    note: str | None
    flag: bool
    time: str
    session: str
    decision_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "labels": list(self.labels),
            "note": self.note,
            "flag": self.flag,
            "time": self.time,
            "session": self.session,
        }


class SentenceRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A decided sentence with the decisions of every annotator who decided it.

    ``labels`` is what the annotators agree on (see ``ExportOptions.combine``);
    ``annotations`` keeps each annotator's own labels, note and flag. Offsets
    are into the document text (the current text when a corpus was given).
    ``speaker_key`` is None without a corpus: the log does not record it.
    """

    document: str
    source: str
    doc_hash: str
    turn: int
    speaker: str
    speaker_key: str | None
    start: int
    end: int
    text: str
    labels: tuple[str, ...]
    annotations: tuple[AnnotatorLabels, ...]
    #: How ``labels`` were settled: "adjudicated", "agreed", "single" (one coder),
    #: "majority" (strict majority of disagreeing coders), "unresolved" (kept and
    #: flagged by ``--unresolved flag``), or "combined" (``--combine union`` or
    #: ``intersection``).
    status: str = "single"
    context_before: str | None = None
    context_after: str | None = None
    turn_text: str | None = None

    @property
    def id(self) -> str:
        """Stable within one text version: document id and offsets."""
        return f"{self.document}:{self.start}-{self.end}"

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(a.annotator for a in self.annotations)

    @property
    def flag(self) -> bool:
        return self.status == "unresolved" or any(a.flag for a in self.annotations)

    @property
    def note(self) -> str | None:
        notes = [a for a in self.annotations if a.note]
        if not notes:
            return None
        if len(self.annotations) == 1:
            return notes[0].note
        return " | ".join(f"{a.annotator}: {a.note}" for a in notes)

    @property
    def agreement(self) -> bool | None:
        """Whether every coder chose exactly the same labels; None when only one coded
        the sentence (there is nothing to agree on). Adjudication is not a coder."""
        coders = [a for a in self.annotations if a.annotator != GOLD_ANNOTATOR]
        if len(coders) < 2:
            return None
        return len({a.labels for a in coders}) == 1

    @property
    def time(self) -> str:
        return max((a.time for a in self.annotations), default="")

    def origin(self) -> dict[str, Any]:
        """Where the sentence comes from: what every format's metadata carries."""
        return {
            "id": self.id,
            "document": self.document,
            "source": self.source,
            "turn": self.turn,
            "speaker": self.speaker,
            "speaker_key": self.speaker_key,
            "start": self.start,
            "end": self.end,
        }

    def context(self, options: ExportOptions) -> dict[str, Any]:
        """The context fields the options ask for (none by default)."""
        data: dict[str, Any] = {}
        if options.context:
            data["context_before"] = self.context_before
            data["context_after"] = self.context_after
        if options.turn_text:
            data["turn_text"] = self.turn_text
        return data

    def coding(self) -> tuple[str | None, bool, list[str], bool | None, str]:
        """``note``, ``flag``, ``annotators``, ``agreement`` and ``time`` at once; for one
        coder (the usual case, 100,000s of records) without the properties' loops."""
        annotations = self.annotations
        if len(annotations) == 1:
            only = annotations[0]
            flag = only.flag or self.status == "unresolved"
            return only.note, flag, [only.annotator], None, only.time
        return self.note, self.flag, list(self.annotators), self.agreement, self.time

    def user_data(self) -> dict[str, Any]:
        """What a spaCy ``Doc`` of this sentence keeps in ``doc.user_data``."""
        note, flag, annotators, _, _ = self.coding()
        return {
            "id": self.id,
            "document": self.document,
            "source": self.source,
            "speaker": self.speaker,
            "speaker_key": self.speaker_key,
            "turn": self.turn,
            "start": self.start,
            "end": self.end,
            "annotators": annotators,
            "note": note,
            "flag": flag,
        }

    def to_dict(self, options: ExportOptions) -> dict[str, Any]:
        """The flat record shared by the jsonl, csv and parquet exports: ``origin()``
        with the text version after the source, then the decision."""
        note, flag, annotators, agreement, stamp = self.coding()
        record = {
            "id": self.id,
            "document": self.document,
            "source": self.source,
            "doc_hash": self.doc_hash,
            "turn": self.turn,
            "speaker": self.speaker,
            "speaker_key": self.speaker_key,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "labels": list(self.labels),
            "note": note,
            "flag": flag,
            "annotators": annotators,
            "agreement": agreement,
            "status": self.status,
            "time": stamp,
            "annotations": [a.to_dict() for a in self.annotations],
        }
        if options.context or options.turn_text:
            record.update(self.context(options))
        return record


@dataclass
class LeftOut:
    """What an export did not include, and why; every count is reported to the user."""

    orphans: int = 0
    earlier_text: int = 0
    not_in_corpus: int = 0
    superseded: int = 0
    other_annotators: int = 0
    flagged: int = 0
    empty: int = 0
    unreadable_lines: int = 0
    torn_lines: int = 0
    unresolved: int = 0
    ties: int = 0
    boundaries: int = 0

    def messages(self) -> list[str]:
        """One line per non-zero count, in words."""
        reasons = [
            (self.orphans, "orphaned decisions (their text is no longer in the document)"),
            (
                self.earlier_text,
                "decisions on an earlier version of a transcript (pass --corpus to re-anchor)",
            ),
            (self.not_in_corpus, "decisions on documents that are not in the corpus"),
            (self.superseded, "decisions on sentences later merged or split"),
            (self.other_annotators, "decisions by annotators not selected"),
            (self.flagged, "flagged sentences (--skip-flagged)"),
            (self.empty, 'sentences with "no label applies" (--skip-empty)'),
            (self.unreadable_lines, "unreadable log lines"),
            (self.torn_lines, "incomplete last lines (torn writes)"),
            (
                self.unresolved,
                "sentences the coders disagree on with nothing to settle them "
                "(--unresolved majority or flag to keep them)",
            ),
            (self.ties, "sentences whose coders are split evenly on a label (no majority)"),
            (
                self.boundaries,
                "decisions on sentences whose boundaries analysts corrected differently "
                "(merged or split in one log, not another; settle them in adjudicate)",
            ),
        ]
        return [f"left out {count:,} {why}" for count, why in reasons if count]


@dataclass
class Dataset:
    """The label set of a dataset, its records, and what was left out.

    The records are made a document at a time as they are read (``stream``), so
    a writer that goes record by record holds one document's decisions, never
    the log's; ``records`` holds them all for the formats that need them at once
    (the spaCy and Hugging Face splits). ``left_out``, ``warnings`` and the
    counts are complete once the records have been read.
    """

    labels: tuple[str, ...]
    exclusive: bool
    left_out: LeftOut
    warnings: list[str]
    logs: tuple[str, ...]
    with_corpus: bool
    #: The analysts whose decisions the records may hold, known before they are read.
    annotators: list[str]
    #: Each label's description, where a labels.yaml gave one.
    descriptions: Mapping[str, str] = field(default_factory=dict)
    source: Iterator[SentenceRecord] = field(default_factory=lambda: iter(()), repr=False)
    #: Records read so far, and their annotations; how each was settled.
    count: int = 0
    annotations: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    _held: list[SentenceRecord] | None = field(default=None, repr=False)
    _streamed: bool = field(default=False, repr=False)

    def stream(self) -> Iterator[SentenceRecord]:
        """The records in order, each made as it is asked for (they can be read once,
        unless ``records`` has already held them)."""
        if self._held is not None:
            yield from self._held
            return
        if self._streamed:
            raise RuntimeError("a dataset's records are made once: read them with .records")
        self._streamed = True
        statuses = self.statuses
        for record in self.source:
            self.count += 1
            self.annotations += len(record.annotations)
            statuses[record.status] += 1
            yield record

    @property
    def records(self) -> list[SentenceRecord]:
        """Every record at once (read from the stream the first time)."""
        if self._held is None:
            self._held = list(self.stream())
        return self._held

    def settled(self) -> dict[str, int]:
        """How many records were settled each way (``SentenceRecord.status``)."""
        return dict(self.statuses)

    def label_schema(self) -> dict[str, Any]:
        """The label set in order, with definitions: ``labels.json`` and Parquet metadata.

        A label nobody chose is still listed, so a reader knows it was offered.
        """
        return {
            "labels": [
                {"name": name, "description": self.descriptions.get(name, "")}
                for name in self.labels
            ],
            "exclusive": self.exclusive,
        }
