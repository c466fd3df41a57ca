"""Settling a sentence's labels among the analysts who coded it.

One analyst's labels stand; analysts who agree stand together; otherwise an
adjudicated (``gold``) decision settles the sentence, or the strict majority, or
``--combine union``/``intersection``, and ``--unresolved`` says what becomes of a
disagreement nothing settles. ``records.collect_dataset`` hands each sentence's
decisions here and gets records back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from annotator.export.dataset import (
    GOLD_ANNOTATOR,
    AnnotatorLabels,
    ExportOptions,
    LeftOut,
    SentenceRecord,
)

# A sentence before its labels are combined: its record fields and the decisions on it.
Pending = tuple[dict[str, Any], tuple[AnnotatorLabels, ...]]


def settled_records(
    groups: Iterator[Pending], names: tuple[str, ...], options: ExportOptions, left_out: LeftOut
) -> Iterator[SentenceRecord]:
    """A record for each sentence whose labels are settled, its labels in the order of
    ``names`` (and only those, for a subset export); each sentence left out is counted
    in ``left_out`` with its reason."""
    keep = set(names)
    rank = {name: i for i, name in enumerate(names)}
    for info, decided in groups:
        if not options.include_flagged and any(a.flag for a in decided):
            left_out.flagged += 1
            continue
        if not options.include_empty and all(not a.labels for a in decided):
            left_out.empty += 1
            continue
        if len(decided) == 1 and decided[0].annotator not in (
            options.gold_annotator,
            GOLD_ANNOTATOR,
        ):
            # One coder, not the adjudicator (the usual case, 100,000s of records):
            # what ``_settle`` would conclude, without its list-building.
            settled: tuple[tuple[str, ...], str] | None = (decided[0].labels, "single")
        else:
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


def _votes(annotations: Sequence[AnnotatorLabels]) -> Counter[str]:
    """How many coders chose each label."""
    votes: Counter[str] = Counter()
    for annotation in annotations:
        votes.update(set(annotation.labels))
    return votes


def _majority(annotations: Sequence[AnnotatorLabels]) -> tuple[tuple[str, ...], bool]:
    """The labels a strict majority chose, and whether some label split them evenly."""
    votes, n = _votes(annotations), len(annotations)
    chosen = tuple(name for name, count in votes.items() if 2 * count > n)
    tied = any(2 * count == n for count in votes.values())
    return chosen, tied


def _combine(annotations: Sequence[AnnotatorLabels], mode: str) -> tuple[str, ...]:
    """``--combine union`` (any coder chose it) or ``intersection`` (every coder did);
    a majority is ``_majority``'s, which also says when there is none."""
    needed = 1 if mode == "union" else len(annotations)
    return tuple(name for name, count in _votes(annotations).items() if count >= needed)
