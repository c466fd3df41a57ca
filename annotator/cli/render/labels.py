"""Rendering for the terminal of ``annotator.labels``: rich tables and text, kept out
of the core so that it stays free of any terminal library."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from annotator.model import LabelSet


def format_label_table(label_set: LabelSet) -> Table:
    """The label set as a table for ``annotator labels check``.

    Descriptions are ``Text``, never markup: a description containing
    ``[bold]`` prints as written.
    """
    mode = "exclusive (one label per sentence)" if label_set.exclusive else "multi-label"
    title = f"{label_set.source or 'labels'} - {len(label_set.labels)} labels, {mode}"
    table = Table(title=Text(title), show_lines=False)
    table.add_column("Key", justify="center", no_wrap=True)
    table.add_column("Label", no_wrap=True)
    table.add_column("Colour", no_wrap=True)
    table.add_column("Description")
    table.add_column("Examples", justify="right")
    for label in label_set.labels:
        table.add_row(
            Text(label.key, style="bold"),
            Text(label.name, style=f"bold {label.color}"),
            Text("■ ", style=label.color) + Text(label.color),
            Text(label.description),
            str(len(label.examples)),
        )
    return table
