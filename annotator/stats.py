"""``annotator stats``: label counts overall, per speaker and per document.

Counts come from the same records as the exports (``export.collect_dataset``),
so the numbers match what a dataset will contain: one count per decided
sentence and label, the labels of several annotators combined as in the
export. Rendered as Rich tables with horizontal bars (text as ``Text``, never
markup), or as plain data for ``--json``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.export.records import Dataset, ExportOptions, collect_dataset
from annotator.model import Document, LabelSet

#: The pseudo-label counted for sentences reviewed with no label.
NO_LABEL = "(no label)"
#: The pseudo-label counted for sentences whose coders disagree with nothing to settle
#: it (``--unresolved flag``): never counted as "no label", beside any labels a strict
#: majority of them did choose.
UNRESOLVED = "(unresolved)"


@dataclass(frozen=True)
class LabelCounts:
    """Sentences per label in one group (everything, one speaker, one document)."""

    group: str
    sentences: int
    counts: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "sentences": self.sentences, "labels": dict(self.counts)}


@dataclass(frozen=True)
class StatsReport:
    """What ``annotator stats`` shows, and what it left out."""

    labels: tuple[str, ...]
    overall: LabelCounts
    by_speaker: tuple[LabelCounts, ...]
    by_document: tuple[LabelCounts, ...]
    left_out: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "overall": self.overall.to_dict(),
            "by_speaker": [c.to_dict() for c in self.by_speaker],
            "by_document": [c.to_dict() for c in self.by_document],
            "left_out": list(self.left_out),
            "warnings": list(self.warnings),
        }


def stats_from_dataset(dataset: Dataset) -> StatsReport:
    """Count the labels of an already collected dataset."""
    overall: Counter[str] = Counter()
    speakers: dict[str, Counter[str]] = {}
    documents: dict[str, Counter[str]] = {}
    sizes: Counter[tuple[str, str]] = Counter()
    for record in dataset.stream():
        if record.status == "unresolved":
            chosen = (*record.labels, UNRESOLVED)
        else:
            chosen = record.labels or (NO_LABEL,)
        # Speaker keys group one person's labels in a document; without a corpus
        # the printed speaker label is all there is.
        speaker = record.speaker_key or record.speaker or "?"
        overall.update(chosen)
        speakers.setdefault(speaker, Counter()).update(chosen)
        documents.setdefault(record.document, Counter()).update(chosen)
        sizes[("speaker", speaker)] += 1
        sizes[("document", record.document)] += 1

    names = (*dataset.labels, NO_LABEL, *((UNRESOLVED,) if overall[UNRESOLVED] else ()))

    def counts(group: str, counter: Counter[str], size: int) -> LabelCounts:
        return LabelCounts(group, size, tuple((name, counter[name]) for name in names))

    by_speaker = sorted(speakers.items(), key=lambda item: (-sizes[("speaker", item[0])], item[0]))
    return StatsReport(
        labels=names,
        overall=counts("all", overall, dataset.count),
        by_speaker=tuple(counts(k, c, sizes[("speaker", k)]) for k, c in by_speaker),
        by_document=tuple(
            counts(k, c, sizes[("document", k)]) for k, c in sorted(documents.items())
        ),
        left_out=tuple(dataset.left_out.messages()),
        warnings=tuple(dataset.warnings),
    )


def stats_report(
    log_paths: Sequence[str | Path],
    *,
    documents: Iterable[Document] | None = None,
    label_set: LabelSet | None = None,
    options: ExportOptions | None = None,
) -> StatsReport:
    """Replay ``log_paths`` and count labels overall, per speaker and per document."""
    dataset = collect_dataset(log_paths, documents=documents, label_set=label_set, options=options)
    return stats_from_dataset(dataset)
