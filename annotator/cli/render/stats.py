"""Rendering for the terminal of ``annotator.stats``: rich tables and text, kept out
of the core so that it stays free of any terminal library."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.stats import LabelCounts, StatsReport

BLOCKS = " ▏▎▍▌▋▊▉█"


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
