"""A readable outline of a parsed document for ``annotator parse --pretty``.

Transcript text is data: it is appended to ``rich.text.Text`` objects and never
parsed as markup, so ``[bold]`` in a transcript prints literally.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.model import Document, Span, turn_units


def sentence_text(sentence: Span, notes: tuple[Span, ...]) -> Text:
    """A sentence on one line, with the notes inside it dimmed."""
    text = Text()
    position = sentence.start
    for note in sorted(notes, key=lambda span: span.start):
        if sentence.start <= note.start and note.end <= sentence.end:
            before = sentence.text[position - sentence.start : note.start - sentence.start]
            text.append(" ".join(before.split()) + " ")
            text.append(" ".join(note.text.split()), style="dim italic")
            text.append(" ")
            position = note.end
    text.append(" ".join(sentence.text[position - sentence.start :].split()))
    return text


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
            if kind == "note":
                grid.add_row(Text(""), Text(" ".join(span.text.split()), style="dim italic"))
            else:
                number += 1
                grid.add_row(Text(str(number), style="dim"), sentence_text(span, turn.notes))
        parts.append(grid)
    return Group(*parts)
