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

Each sentence's decisions are then settled among its coders (``combine.py``) into
a ``SentenceRecord`` (``dataset.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from annotator.errors import ExportError
from annotator.export.combine import Pending, settled_records
from annotator.export.dataset import (
    COMBINE_MODES,
    GOLD_ANNOTATOR,
    UNRESOLVED_POLICIES,
    AnnotatorLabels,
    Dataset,
    ExportOptions,
    LeftOut,
    SentenceRecord,
)
from annotator.log import LABEL, Decision, LogState, read_log
from annotator.log.anchor import overlapping
from annotator.model import Document, LabelSet

# The types of an export live in ``dataset.py``; every importer has always found
# them here, so they are named here too.
__all__ = [
    "COMBINE_MODES",
    "GOLD_ANNOTATOR",
    "UNRESOLVED_POLICIES",
    "AnnotatorLabels",
    "Dataset",
    "ExportError",
    "ExportOptions",
    "LeftOut",
    "SentenceRecord",
    "collect_dataset",
]


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
    groups: Iterator[Pending],
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
    yield from settled_records(groups, names, options, left_out)
    warnings += _beyond_warnings(extra, beyond, label_set)


def _counting(
    groups: Iterator[Pending], labels: set[str], counts: Counter[str]
) -> Iterator[Pending]:
    for info, decided in groups:
        counts.update(name for a in decided for name in a.labels if name in labels)
        yield info, decided


def _annotator_filter(options: ExportOptions) -> set[str] | None:
    if options.gold_only:
        return {options.gold_annotator}
    return set(options.annotators) or None


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
) -> Iterator[Pending]:
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
) -> list[Pending]:
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
    return [(info[key], _in_annotator_order(found[key])) for key in sorted(found)]


def _in_annotator_order(coded: Mapping[str, AnnotatorLabels]) -> tuple[AnnotatorLabels, ...]:
    """A sentence's decisions by annotator name; one coder (the usual case) as it is."""
    annotations = tuple(coded.values())
    if len(annotations) > 1:
        annotations = tuple(sorted(annotations, key=_by_annotator))
    return annotations


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
) -> Iterator[Pending]:
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
) -> list[Pending]:
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
    records: list[Pending] = []
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
        records.append((info, _in_annotator_order(found[key])))
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
