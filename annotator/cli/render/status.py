"""Rendering for the terminal of ``annotator.status``: rich tables and text, kept out
of the core so that it stays free of any terminal library."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.status import DocumentProgress, StatusReport

#: Flagged sentences listed by default; ``status --all`` lists every one.
FLAGGED_SHOWN = 20


def _done(rows: list[DocumentProgress]) -> str:
    """``decided / total (percent)`` summed over ``rows``; ``?`` when a total is unknown."""
    decided = sum(row.decided for row in rows)
    totals = [row.total for row in rows]
    known = None if None in totals else sum(t for t in totals if t is not None)
    done = f"{decided} / {'?' if known is None else known}"
    return done + (f" ({100 * decided / known:.0f}%)" if known else "")


def format_status(report: StatusReport, *, all_flagged: bool = False) -> RenderableType:
    """``status_report`` as Rich tables (all text as ``Text``, never markup). The
    flagged sentences are cut to the first ``FLAGGED_SHOWN`` unless ``all_flagged``."""
    parts: list[RenderableType] = []
    several = len(report.logs) > 1
    table = Table(title="Progress", title_justify="left")
    if several:
        table.add_column("Log")
    table.add_column("Document")
    table.add_column("Annotator")
    table.add_column("Decided", justify="right")
    table.add_column("Flagged", justify="right")
    table.add_column("Orphans", justify="right")
    for row in report.progress:
        if row.total is None:
            done = f"{row.decided} / ?"
            if row.earlier_text:
                done += f" (+{row.earlier_text} on earlier text)"
        else:
            percent = 100 * row.decided / row.total if row.total else 100.0
            done = f"{row.decided} / {row.total} ({percent:.0f}%)"
        cells = [Text(row.document), Text(row.annotator or "-"), Text(done)]
        cells += [Text(str(row.flagged)), Text(str(row.orphans))]
        table.add_row(*([Text(row.log)] if several else []), *cells)
    if len(report.progress) > 1:
        # One totals row per analyst (their documents summed; several analysts' counts
        # added together would count a sentence once per analyst), and the documents
        # nobody has started.
        names = sorted({row.annotator for row in report.progress if row.annotator})
        apart = len(names) > 1
        table.add_section()
        for name in names if apart else [""]:
            rows = [r for r in report.progress if r.annotator == name or not apart]
            table.add_row(
                *([Text("")] if several else []),
                Text("documents started" if apart else "all documents", style="bold"),
                Text(name, style="bold"),
                Text(_done(rows), style="bold"),
                Text(str(sum(row.flagged for row in rows)), style="bold"),
                Text(str(sum(row.orphans for row in rows)), style="bold"),
            )
        unstarted = [r for r in report.progress if not r.annotator] if apart else []
        if unstarted:
            table.add_row(
                *([Text("")] if several else []),
                Text(f"not started ({len(unstarted)})", style="bold"),
                Text("-"),
                Text(_done(unstarted), style="bold"),
                Text(""),
                Text(""),
            )
    parts.append(table)

    if report.label_counts:
        counts = Table(title="Labels", title_justify="left")
        counts.add_column("Label")
        counts.add_column("Sentences", justify="right")
        for name, count in report.label_counts:
            counts.add_row(Text(name), str(count))
        parts.append(counts)
    if report.flagged:
        flags = Table(title="Flagged", title_justify="left")
        flags.add_column("Document")
        flags.add_column("Annotator")
        flags.add_column("Speaker")
        flags.add_column("Sentence")
        flags.add_column("Labels")
        flags.add_column("Note")
        shown = report.flagged if all_flagged else report.flagged[:FLAGGED_SHOWN]
        for item in shown:
            if not item.decided:
                labels = Text("undecided", style="dim")
            else:
                labels = Text(", ".join(item.labels) or "no label")
            flags.add_row(
                Text(item.document),
                Text(item.annotator),
                Text(item.speaker),
                Text(" ".join(item.text.split())),  # a hard-wrapped sentence on one line
                labels,
                Text(item.note or ""),
            )
        parts.append(flags)
        if len(shown) < len(report.flagged):
            parts.append(
                Text(
                    f"… and {len(report.flagged) - len(shown)} more flagged sentences "
                    "(status --all lists them, --json gives them to a program)",
                    style="dim",
                )
            )
    if report.orphans:
        lost = Table(
            title="Orphaned decisions (text no longer in the document)", title_justify="left"
        )
        lost.add_column("Document")
        lost.add_column("Annotator")
        lost.add_column("Labels")
        lost.add_column("Sentence")
        for d in report.orphans:
            lost.add_row(
                Text(d.document), Text(d.annotator), Text(", ".join(d.labels)), Text(d.text)
            )
        parts.append(lost)
    for path in report.torn:
        parts.append(Text(f"torn line set aside: {path}", style="yellow"))
    for warning in report.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)
