"""A readable outline of a parsed document for ``annotator parse --pretty``.

Transcript text is data: it is appended to ``rich.text.Text`` objects and never
parsed as markup, so ``[bold]`` in a transcript prints literally.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.model import Document, Span, Turn


def turn_units(turn: Turn) -> list[tuple[str, Span]]:
    """The sentences and notes of a turn in reading order, tagged by kind."""
    units = [("sentence", s) for s in turn.sentences] + [("note", n) for n in turn.notes]
    return sorted(units, key=lambda unit: unit[1].start)


def render_outline(document: Document) -> Group:
    """Speaker headings, numbered sentences and dimmed notes, as a Rich renderable."""
    parts: list[RenderableType] = []
    heading = Text(document.title or document.id, style="bold underline")
    heading.append(f"  ({document.source})", style="dim")
    parts.append(heading)
    if document.preamble:
        parts.append(Text(document.preamble, style="dim italic"))
    number = 0
    for turn in document.turns:
        line = Text("\n")
        line.append(turn.speaker or "(unknown speaker)", style="bold cyan")
        line.append(f"  turn {turn.index + 1} · {turn.speaker_key}", style="dim")
        if turn.timestamp:
            line.append(f" · {turn.timestamp}", style="dim")
        parts.append(line)
        # A grid gives each sentence a hanging indent under its number.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", width=6, no_wrap=True)
        grid.add_column(ratio=1)
        for kind, span in turn_units(turn):
            text = Text(" ".join(span.text.split()))
            if kind == "note":
                text.stylize("dim italic")
                grid.add_row(Text(""), text)
            else:
                number += 1
                grid.add_row(Text(str(number), style="dim"), text)
        parts.append(grid)
    return Group(*parts)
