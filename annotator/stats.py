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

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.export.records import Dataset, ExportOptions, collect_dataset
from annotator.model import Document, LabelSet

#: The pseudo-label counted for sentences reviewed with no label.
NO_LABEL = "(no label)"
BLOCKS = " ▏▎▍▌▋▊▉█"


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
    names = (*dataset.labels, NO_LABEL)
    overall: Counter[str] = Counter()
    speakers: dict[str, Counter[str]] = {}
    documents: dict[str, Counter[str]] = {}
    sizes: Counter[tuple[str, str]] = Counter()
    for record in dataset.records:
        chosen = record.labels or (NO_LABEL,)
        # Speaker keys group one person's labels in a document; without a corpus
        # the printed speaker label is all there is.
        speaker = record.speaker_key or record.speaker or "?"
        overall.update(chosen)
        speakers.setdefault(speaker, Counter()).update(chosen)
        documents.setdefault(record.document, Counter()).update(chosen)
        sizes[("speaker", speaker)] += 1
        sizes[("document", record.document)] += 1

    def counts(group: str, counter: Counter[str], size: int) -> LabelCounts:
        return LabelCounts(group, size, tuple((name, counter[name]) for name in names))

    by_speaker = sorted(speakers.items(), key=lambda item: (-sizes[("speaker", item[0])], item[0]))
    return StatsReport(
        labels=names,
        overall=counts("all", overall, len(dataset.records)),
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


def bar(count: int, largest: int, width: int) -> str:
    """A horizontal bar of ``count`` scaled to ``largest``, in eighths of a cell."""
    if largest <= 0 or count <= 0:
        return ""
    eighths = max(1, round(8 * width * count / largest))
    full, rest = divmod(eighths, 8)
    return BLOCKS[8] * full + (BLOCKS[rest] if rest else "")


def _table(counts: LabelCounts, title: str, width: int) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Label")
    table.add_column("Sentences", justify="right")
    table.add_column("%", justify="right")
    table.add_column("", no_wrap=True)
    largest = max((n for _, n in counts.counts), default=0)
    unused = [name for name, count in counts.counts if not count]
    for name, count in counts.counts:
        if not count:
            continue  # a label nobody used gets one summary row, not a row each
        share = f"{100 * count / counts.sentences:.0f}" if counts.sentences else "-"
        table.add_row(
            Text(name), f"{count:,}", share, Text(bar(count, largest, width), style="cyan")
        )
    if unused:
        table.add_row(Text(f"not used: {', '.join(unused)}", style="dim"), "0", "", "")
    return table


def format_stats(report: StatsReport, width: int = 30, top: int = 10) -> RenderableType:
    """The report as Rich tables with bar charts; shares are % of decided sentences.

    Every speaker and document appears in the grid tables; bar charts are drawn
    for the ``top`` largest of each (all of them are in ``--json``).
    """
    parts: list[RenderableType] = [
        _table(report.overall, f"All decided sentences ({report.overall.sentences:,})", width)
    ]
    for title, groups in (("Speaker", report.by_speaker), ("Document", report.by_document)):
        if len(groups) > 1 or (groups and title == "Speaker"):
            parts.append(_grid(title, groups, report.labels))
            largest = sorted(groups, key=lambda c: -c.sentences)[:top]
            for counts in largest:
                parts.append(
                    _table(counts, f"{title}: {counts.group} ({counts.sentences:,})", width)
                )
            if len(groups) > len(largest):
                more = len(groups) - len(largest)
                parts.append(Text(f"({more} more {title.lower()}s: see the table above)"))
    for message in report.left_out:
        parts.append(Text(message, style="yellow"))
    for warning in report.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)


def _grid(title: str, groups: Sequence[LabelCounts], labels: Sequence[str]) -> Table:
    """One row per group with its labels, largest first: readable at any width."""
    table = Table(title=f"Labels per {title.lower()}", title_justify="left")
    table.add_column(title)
    table.add_column("Sentences", justify="right")
    table.add_column("Labels (sentences)")
    for counts in groups:
        ranked = sorted((c for c in counts.counts if c[1]), key=lambda c: -c[1])
        summary = ", ".join(f"{name} {n:,}" for name, n in ranked)
        table.add_row(Text(counts.group), f"{counts.sentences:,}", Text(summary))
    return table
