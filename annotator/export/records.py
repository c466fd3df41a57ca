"""From replayed annotation logs to one record per decided sentence.

Every exporter and ``annotator stats`` start here, so they agree on what was
decided, by whom, and what was left out. Logs are read with ``read_log`` (no
lock, no change), so exporting while analysts annotate is safe.

With a corpus, every decision is re-anchored to the current text (``attach``):
offsets, speaker keys and context come from the document as it is now, and
decisions whose text is gone (orphans) are left out and counted. Without a
corpus, records come from the log lines alone: the latest text version of each
document is exported, speaker keys are unknown, and context is taken from the
neighbouring *decided* sentences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from annotator.errors import AnnotatorError
from annotator.log import LABEL, Decision, LogState, read_log
from annotator.log.anchor import overlapping
from annotator.model import Document, LabelSet

#: How the labels of several annotators become the labels of a sentence.
COMBINE_MODES = ("majority", "union", "intersection")
#: What happens to a sentence the coders disagree on with nothing to settle it
#: (with --gold: not adjudicated; without: an even split under majority): left
#: out, settled by strict majority (an even split still left out, and counted),
#: or kept with the strict majority's labels, flagged, status "unresolved".
UNRESOLVED_POLICIES = ("exclude", "majority", "flag")
#: The annotator id that marks adjudicated decisions (``--gold``).
GOLD_ANNOTATOR = "gold"


# A sentence before its labels are combined: its record fields and the decisions on it.
_Pending = tuple[dict[str, Any], tuple["AnnotatorLabels", ...]]


class ExportError(AnnotatorError):
    """An export cannot be made as asked (missing log, existing output, bad option)."""


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


def collect_dataset(
    log_paths: Sequence[str | Path],
    *,
    documents: Iterable[Document] | None = None,
    label_set: LabelSet | None = None,
    options: ExportOptions | None = None,
) -> Dataset:
    """Replay ``log_paths`` into a dataset whose records are made as they are read.

    ``documents`` (a corpus) re-anchors decisions to the current text and adds
    speaker keys and context; ``label_set`` fixes the label columns (else the
    ``options`` recorded in the log lines are used). Raises ``ExportError``
    for a missing log, an unknown label in ``options.labels``, or a request the
    label set forbids, all before the first record; a corpus that cannot be read
    (or holds an id twice) raises ``ExportError``/``AnnotatorError`` as the records
    reach it.
    """
    options = options or ExportOptions()
    if options.combine not in COMBINE_MODES:
        raise ExportError(f"unknown --combine {options.combine!r}; use one of {COMBINE_MODES}")
    if options.unresolved not in UNRESOLVED_POLICIES:
        raise ExportError(
            f"unknown --unresolved {options.unresolved!r}; use one of {UNRESOLVED_POLICIES}"
        )
    if not log_paths:
        raise ExportError("no annotation logs given")
    left_out = LeftOut()
    warnings: list[str] = []
    states: list[LogState] = []
    for raw in log_paths:
        path = Path(raw)
        if not path.is_file():
            raise ExportError(f"{path}: no such annotation log")
        state = read_log(path, label_sets=True)  # replay pauses the collector itself
        for warning in state.warnings:
            if state.torn is not None and "incomplete" in warning:
                left_out.torn_lines += 1
            warnings.append(warning)
        left_out.unreadable_lines += state.skipped
        states.append(state)

    wanted = _annotator_filter(options)
    annotators = sorted(
        {a for state in states for a in state.annotators if wanted is None or a in wanted}
    )
    names, extra, exclusive = _label_names(states, wanted, label_set)
    union = options.combine == "union" and not options.gold_standard
    if exclusive and union and _coded_twice(states, wanted):
        raise ExportError(
            "the label set is exclusive (one label per sentence), and --combine union "
            "would give a sentence several; use --combine majority, or --gold for the "
            "adjudicated dataset"
        )
    if options.gold_standard and annotators and not set(annotators) - {options.gold_annotator}:
        warnings.append(
            "--gold with only the adjudication log: the dataset holds the adjudicated "
            "sentences alone; pass the analysts' logs too for the whole gold standard"
        )
    if options.labels:
        unknown = [name for name in options.labels if name not in names]
        if unknown:
            raise ExportError(
                f"unknown label {unknown[0]!r}; the labels are: {', '.join(names) or '(none)'}"
            )
        names = tuple(name for name in names if name in options.labels)
        extra = tuple(name for name in extra if name in options.labels)

    if documents is not None:
        groups = _from_corpus(states, documents, wanted, options, left_out)
    else:
        groups = _from_log_lines(states, wanted, options, left_out)
    return Dataset(
        labels=names,
        exclusive=exclusive,
        left_out=left_out,
        warnings=warnings,
        logs=tuple(str(p) for p in log_paths),
        with_corpus=documents is not None,
        annotators=annotators,
        descriptions={
            label.name: label.description
            for label in (label_set.labels if label_set is not None else ())
            if label.name in names and label.description
        },
        source=_records(groups, names, options, left_out, extra, warnings, label_set),
    )


def _records(
    groups: Iterator[_Pending],
    names: tuple[str, ...],
    options: ExportOptions,
    left_out: LeftOut,
    extra: tuple[str, ...],
    warnings: list[str],
    label_set: LabelSet | None,
) -> Iterator[SentenceRecord]:
    """Each sentence's labels settled among its coders, in label-set order; once all
    are made, a warning for each label chosen beyond the label set (``extra``)."""
    beyond: Counter[str] = Counter()
    if extra:
        groups = _counting(groups, set(extra), beyond)
    yield from _settled(groups, names, options, left_out)
    warnings += _beyond_warnings(extra, beyond, label_set)


def _counting(
    groups: Iterator[_Pending], labels: set[str], counts: Counter[str]
) -> Iterator[_Pending]:
    for info, decided in groups:
        counts.update(name for a in decided for name in a.labels if name in labels)
        yield info, decided


def _settled(
    groups: Iterator[_Pending], names: tuple[str, ...], options: ExportOptions, left_out: LeftOut
) -> Iterator[SentenceRecord]:
    keep = set(names)
    rank = {name: i for i, name in enumerate(names)}
    for info, decided in groups:
        if not options.include_flagged and any(a.flag for a in decided):
            left_out.flagged += 1
            continue
        if not options.include_empty and all(not a.labels for a in decided):
            left_out.empty += 1
            continue
        settled = _settle(decided, options)
        if settled is None:
            left_out.unresolved += 1
            continue
        combined, status = settled
        if status == "tie":
            left_out.ties += 1
            continue
        # Labels always in label-set order, whoever chose them first.
        if len(combined) > 1:
            combined = tuple(sorted(combined, key=lambda n: (rank.get(n, len(rank)), n)))
        if options.labels:
            # A subset export keeps every sentence: those outside it are negatives.
            combined = tuple(name for name in combined if name in keep)
            decided = tuple(_restrict(a, keep) for a in decided)
        yield SentenceRecord(labels=combined, annotations=decided, status=status, **info)


def _annotator_filter(options: ExportOptions) -> set[str] | None:
    if options.gold_only:
        return {options.gold_annotator}
    return set(options.annotators) or None


def _restrict(annotation: AnnotatorLabels, keep: set[str]) -> AnnotatorLabels:
    return AnnotatorLabels(
        annotation.annotator,
        tuple(name for name in annotation.labels if name in keep),
        annotation.note,
        annotation.flag,
        annotation.time,
        annotation.session,
        annotation.decision_id,
    )


def _coders(annotations: Sequence[AnnotatorLabels]) -> list[AnnotatorLabels]:
    return [a for a in annotations if a.annotator != GOLD_ANNOTATOR]


def _settle(
    annotations: Sequence[AnnotatorLabels], options: ExportOptions
) -> tuple[tuple[str, ...], str] | None:
    """The labels of a sentence and how they were settled, or None to leave it out
    (disagreement not adjudicated, under ``--unresolved exclude``). The status "tie"
    means a majority was asked for and there is none.

    An adjudicated decision is never one vote among others: it settles the sentence.
    """
    gold = [a for a in annotations if a.annotator == options.gold_annotator]
    if gold:
        return gold[0].labels, "adjudicated"
    coders = _coders(annotations)
    if len(coders) == 1:
        return coders[0].labels, "single"
    if len({a.labels for a in coders}) == 1:
        return coders[0].labels, "agreed"
    if not options.gold_standard and options.combine != "majority":
        return _combine(coders, options.combine), "combined"
    labels, tied = _majority(coders)
    # Without --gold, coders who disagree are settled by majority where there is one;
    # with --gold, any disagreement not adjudicated is unresolved.
    unresolved = tied or options.gold_standard
    if not unresolved:
        return labels, "majority"
    if options.unresolved == "exclude":
        return None
    if options.unresolved == "flag":
        return labels, "unresolved"
    # --unresolved majority: settled by strict majority, but an even split has none,
    # and is never silently made a negative example.
    return (labels, "tie") if tied else (labels, "majority")


def _majority(annotations: Sequence[AnnotatorLabels]) -> tuple[tuple[str, ...], bool]:
    """The labels a strict majority chose, and whether some label split them evenly."""
    votes: Counter[str] = Counter()
    for annotation in annotations:
        votes.update(set(annotation.labels))
    n = len(annotations)
    chosen = tuple(name for name, count in votes.items() if 2 * count > n)
    tied = any(2 * count == n for count in votes.values())
    return chosen, tied


def _combine(annotations: Sequence[AnnotatorLabels], mode: str) -> tuple[str, ...]:
    if len(annotations) == 1:
        return annotations[0].labels
    votes: Counter[str] = Counter()
    for annotation in annotations:
        votes.update(set(annotation.labels))
    needed = {
        "majority": len(annotations) // 2 + 1,
        "union": 1,
        "intersection": len(annotations),
    }[mode]
    return tuple(name for name, count in votes.items() if count >= needed)


def _annotation(decision: Decision) -> AnnotatorLabels:
    return AnnotatorLabels(
        annotator=decision.annotator,
        labels=decision.labels,
        note=decision.note,
        flag=decision.flag,
        time=decision.time,
        session=decision.session,
        decision_id=decision.id,
    )


def _merge_annotations(found: dict[str, AnnotatorLabels], decision: Decision) -> None:
    """Keep one decision per annotator: the latest, should two logs hold the same one."""
    current = found.get(decision.annotator)
    if current is None or decision.time >= current.time:
        found[decision.annotator] = _annotation(decision)


def _from_corpus(
    states: Sequence[LogState],
    documents: Iterable[Document],
    wanted: set[str] | None,
    options: ExportOptions,
    left_out: LeftOut,
) -> Iterator[_Pending]:
    """Every decision re-anchored to the current text of its document, in corpus
    order, a document at a time (the corpus is read as it goes, never held)."""
    logged = {doc_id for state in states for doc_id in state.documents}
    seen: set[str] = set()
    for document in documents:
        if document.id in seen:
            # Which of the two the analysts saw cannot be told; annotate refuses it too.
            raise ExportError(
                f"the corpus holds two documents with the id {document.id!r}; "
                "give each transcript its own name"
            )
        seen.add(document.id)
        if document.id in logged:
            yield from _document_from_corpus(states, document, wanted, options, left_out)
            for state in states:
                state.forget(document.id)
    for state in states:
        for doc_id in state.documents:
            if doc_id not in seen:
                left_out.not_in_corpus += state.live_count(doc_id)


def _document_from_corpus(
    states: Sequence[LogState],
    document: Document,
    wanted: set[str] | None,
    options: ExportOptions,
    left_out: LeftOut,
) -> list[_Pending]:
    # (start, end) -> annotator -> decision; sentence info beside it
    found: dict[tuple[int, int], dict[str, AnnotatorLabels]] = {}
    info: dict[tuple[int, int], dict[str, Any]] = {}
    for state in states:
        annotators = state.annotators_of(document.id)
        if not annotators:
            continue
        corrected = state.apply_corrections(document)
        units = [(turn, s) for turn in corrected.turns for s in turn.sentences]
        position = {(s.start, s.end): i for i, (_, s) in enumerate(units)}
        for annotator in annotators:
            attached = state.attach(document, annotator)
            if wanted is not None and annotator not in wanted:
                left_out.other_annotators += len(attached.decisions)
                continue
            left_out.orphans += len(attached.orphans)
            for key, decision in attached.decisions.items():
                _merge_annotations(found.setdefault(key, {}), decision)
                if key not in info:
                    info[key] = _sentence(document, units, position[key], options)
    # Sentences one analyst merged or split and another did not overlap without being
    # the same unit: no export holds overlapping spans, so they are left out, counted.
    keys = ((document.id, start, end, info[(start, end)]["text"]) for start, end in found)
    for _, start, end, _ in overlapping(keys):
        left_out.boundaries += len(found.pop((start, end)))
    return [
        (info[key], tuple(sorted(found[key].values(), key=_by_annotator))) for key in sorted(found)
    ]


def _by_annotator(annotation: AnnotatorLabels) -> str:
    return annotation.annotator


def _sentence(
    document: Document, units: Sequence[tuple[Any, Any]], i: int, options: ExportOptions
) -> dict[str, Any]:
    turn, span = units[i]
    before = after = None
    if options.context:
        # Context crosses turn boundaries: the question before an answer matters.
        before = " ".join(s.text for _, s in units[max(0, i - options.context) : i])
        after = " ".join(s.text for _, s in units[i + 1 : i + 1 + options.context])
    return {
        "document": document.id,
        "source": document.source,
        "doc_hash": document.text_hash,
        "turn": turn.index,
        "speaker": turn.speaker,
        "speaker_key": turn.speaker_key,
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "context_before": before,
        "context_after": after,
        "turn_text": turn.text if options.turn_text else None,
    }


def _from_log_lines(
    states: Sequence[LogState],
    wanted: set[str] | None,
    options: ExportOptions,
    left_out: LeftOut,
) -> Iterator[_Pending]:
    """Records from the log lines alone: the latest text version of each document,
    documents in order of their ids, a document at a time."""
    for doc_id in sorted({doc_id for state in states for doc_id in state.documents}):
        decisions: list[Decision] = []
        for state in states:
            live = [d for d in state.entries(doc_id) if d.action == LABEL]
            state.forget(doc_id)
            if wanted is not None:
                kept = [d for d in live if d.annotator in wanted]
                left_out.other_annotators += len(live) - len(kept)
                live = kept
            decisions += live
        if decisions:
            yield from _document_from_log_lines(doc_id, decisions, options, left_out)


def _document_from_log_lines(
    doc_id: str, decisions: list[Decision], options: ExportOptions, left_out: LeftOut
) -> list[_Pending]:
    # The text version most recently annotated is the current one, as far as we know.
    # Lines written in the same millisecond tie on time: the later-written wins.
    latest = max(enumerate(decisions), key=lambda pair: (pair[1].time, pair[0]))[1].doc_hash
    found: dict[tuple[int, int], dict[str, AnnotatorLabels]] = {}
    first: dict[tuple[int, int], Decision] = {}
    decided_last: dict[tuple[int, int], str] = {}
    for decision in decisions:
        if decision.doc_hash != latest:
            left_out.earlier_text += 1
            continue
        key = (decision.start, decision.end)
        _merge_annotations(found.setdefault(key, {}), decision)
        if key not in first:
            first[key] = decision
            decided_last[key] = decision.time
        elif decision.time > decided_last[key]:
            decided_last[key] = decision.time
    kept_keys = _drop_overlaps(found, decided_last, left_out)
    records: list[_Pending] = []
    for n, key in enumerate(kept_keys):
        decision = first[key]
        before = after = None
        if options.context:
            before = " ".join(first[k].text for k in kept_keys[max(0, n - options.context) : n])
            after = " ".join(first[k].text for k in kept_keys[n + 1 : n + 1 + options.context])
        turn_text = None
        if options.turn_text:
            turn_text = " ".join(first[k].text for k in kept_keys if first[k].turn == decision.turn)
        info = {
            "document": doc_id,
            "source": decision.source,
            "doc_hash": latest,
            "turn": decision.turn,
            "speaker": decision.speaker,
            "speaker_key": None,
            "start": decision.start,
            "end": decision.end,
            "text": decision.text,
            "context_before": before,
            "context_after": after,
            "turn_text": turn_text,
        }
        records.append((info, tuple(sorted(found[key].values(), key=_by_annotator))))
    return records


def _drop_overlaps(
    found: Mapping[tuple[int, int], Mapping[str, AnnotatorLabels]],
    decided_last: Mapping[tuple[int, int], str],
    left_out: LeftOut,
) -> list[tuple[int, int]]:
    """Sentence locations in order, without those a later merge or split replaced.

    Without the text, a merge or split shows only as decisions on overlapping
    stretches of text; the one decided last (``decided_last``: the latest time of
    any decision on it) describes the sentence as it is now.
    """
    # Decided last: by time, and by order of writing where times tie (same millisecond).
    latest = {key: (decided_last[key], order) for order, key in enumerate(found)}
    kept: list[tuple[int, int]] = []
    for key in sorted(found):
        if kept and key[0] < kept[-1][1]:
            previous = kept[-1]
            if latest[key] >= latest[previous]:
                left_out.superseded += len(found[previous])
                kept[-1] = key
            else:
                left_out.superseded += len(found[key])
            continue
        kept.append(key)
    return kept


def _label_names(
    states: Sequence[LogState], wanted: set[str] | None, label_set: LabelSet | None
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The label columns (the label set's, or the options recorded in the log lines,
    then any label the decisions choose beyond them), the labels beyond, and
    exclusivity. Known before the first record is made."""
    if label_set is not None:
        names = list(label_set.names)
        exclusive = label_set.exclusive
    else:
        # Offered label sets, each once, in the order first met.
        offered = (sets for state in states for sets in state.label_sets or ())
        names = list(dict.fromkeys(option.id for options in offered for option in options))
        exclusive = False
    known = set(names)
    extra: dict[str, None] = {}
    if any(name not in known for state in states for name in state.labels_used):
        # Some line chose a label beyond them (replay saw it): which of those the current
        # decisions of the selected analysts still choose, in order of writing.
        for state in states:
            for line in state.entry_fields():
                if line.action == LABEL and (wanted is None or line.annotator in wanted):
                    extra.update((name, None) for name in line.labels if name not in known)
    return (*names, *extra), tuple(extra) if names else (), exclusive


def _coded_twice(states: Sequence[LogState], wanted: set[str] | None) -> bool:
    """Whether two coders (adjudication aside) decided the same sentence."""
    coder: dict[tuple[str, int, int], str] = {}
    for state in states:
        for document, annotator, start, end in state.decided_units():
            if annotator == GOLD_ANNOTATOR or (wanted is not None and annotator not in wanted):
                continue
            if coder.setdefault((document, start, end), annotator) != annotator:
                return True
    return False


def _beyond_warnings(
    extra: tuple[str, ...], used: Counter[str], label_set: LabelSet | None
) -> list[str]:
    """A warning for each label chosen beyond the label set, with how often."""
    where = "the options recorded in the log"
    if label_set is not None:
        where = label_set.source or "the label set"
    return [
        f"label {name!r} (used {used[name]:,} times) is not in {where}; exported as is"
        if used[name]
        else f"label {name!r} is not in {where}, and no exported sentence has it (its "
        "decisions are orphaned or on an earlier text); its column is empty"
        for name in extra
    ]
