"""Rendering for the terminal of ``annotator.agreement``: rich tables and text, kept out
of the core so that it stays free of any terminal library."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.agreement import AgreementReport, category_name


# -- terminal rendering ----------------------------------------------------------------
def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}%" if percent else f"{value:.3f}"


def format_agreement(report: AgreementReport, confusion_limit: int = 12) -> RenderableType:
    """``agreement_report`` as Rich tables (all log text as ``Text``, never markup).

    A confusion table with more than ``confusion_limit`` label sets is left to
    ``--json``: it would not fit a terminal.
    """
    parts: list[RenderableType] = [
        Text(
            f"{report.units:,} sentences decided by two or more of: " + ", ".join(report.annotators)
        )
    ]
    table = Table(title="Agreement", title_justify="left")
    for name in ("Labels", "Units", "Used", "Agree", "Unanimous", "Fleiss κ", "α", "α MASI"):
        table.add_column(name, justify="left" if name == "Labels" else "right", no_wrap=True)
    table.add_column("AC1", justify="right", no_wrap=True)
    rows = (report.overall, *report.per_label)
    for s in rows:
        table.add_row(
            Text(s.name, style="bold" if s is report.overall else ""),
            f"{s.units:,}",
            f"{s.used:,}" if s is not report.overall else "",
            _fmt(s.percent, percent=True),
            _fmt(s.unanimous, percent=True),
            _fmt(s.fleiss_kappa),
            _fmt(s.krippendorff_alpha),
            _fmt(s.alpha_masi) if s is report.overall else "",
            _fmt(s.gwet_ac1),
        )
    parts.append(table)

    # Pairs get their own table: one column per pair would not fit beside the metrics.
    pairs = [(p.first, p.second) for p in report.overall.pairs]
    cohen = Table(title="Cohen's κ per pair (units, agree)", title_justify="left")
    cohen.add_column("Labels")
    for first, second in pairs:
        cohen.add_column(Text(f"{first} / {second}"), justify="right")
    for s in rows:
        by_pair = {(p.first, p.second): p for p in s.pairs}
        pair_cells: list[str] = []
        for pair in pairs:
            p = by_pair.get(pair)
            pair_cells.append(
                "" if p is None else f"{_fmt(p.kappa)} ({p.units:,}, {_fmt(p.percent, True)})"
            )
        cohen.add_row(Text(s.name, style="bold" if s is report.overall else ""), *pair_cells)
    parts.append(cohen)

    for c in report.confusion:
        if len(c.categories) > confusion_limit:
            parts.append(
                Text(f"{c.first} x {c.second}: {len(c.categories)} label sets; see --json")
            )
            continue
        grid = Table(title=f"{c.first} (rows) x {c.second} (columns)", title_justify="left")
        grid.add_column("")
        for name in c.categories:
            grid.add_column(Text(name), justify="right")
        for name, row in zip(c.categories, c.matrix, strict=True):
            r = c.categories.index(name)  # the diagonal (agreement) is shown in bold
            cells = [Text(str(v), style="bold" if k == r else "") for k, v in enumerate(row)]
            grid.add_row(Text(name), *cells)
        parts.append(grid)

    for title, groups in (("By document", report.by_document), ("By speaker", report.by_speaker)):
        grouped = Table(title=title, title_justify="left")
        grouped.add_column("Name")
        grouped.add_column("Units", justify="right")
        grouped.add_column("Agree", justify="right")
        grouped.add_column("α", justify="right")
        for g in groups:
            grouped.add_row(
                Text(g.name), f"{g.units:,}", _fmt(g.percent, True), _fmt(g.krippendorff_alpha)
            )
        parts.append(grouped)

    if report.disputed:
        disputed = Table(title="Most disputed sentences", title_justify="left")
        disputed.add_column("Document")
        disputed.add_column("Speaker")
        disputed.add_column("Sentence")
        for name in report.annotators:
            disputed.add_column(Text(name))
        for d in report.disputed:
            by = {c.annotator: c for c in d.codings}
            cells = [
                Text(category_name(by[a].label_set) if a in by else "") for a in report.annotators
            ]
            disputed.add_row(Text(d.unit.document), Text(d.unit.speaker), Text(d.unit.text), *cells)
        parts.append(disputed)
    for warning in report.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)
