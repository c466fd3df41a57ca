"""A readable outline of a parsed document for ``annotator parse --pretty``.

Transcript text is data: it is appended to ``rich.text.Text`` objects and never
parsed as markup, so ``[bold]`` in a transcript prints literally; its control
characters are made visible first (``shown``), since ``Text`` silently drops some
(a bell) before the console could show them.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.model import Document, Span, turn_units
from annotator.printable import terminal_safe


def shown(text: str) -> str:
    """Transcript text on one line, whitespace runs as one space, controls visible."""
    return terminal_safe(" ".join(text.split()), keep_newlines=False)


def sentence_text(sentence: Span, notes: tuple[Span, ...]) -> Text:
    """A sentence on one line, with the notes inside it dimmed."""
    text = Text()
    position = sentence.start
    for note in sorted(notes, key=lambda span: span.start):
        if sentence.start <= note.start and note.end <= sentence.end:
            before = sentence.text[position - sentence.start : note.start - sentence.start]
            text.append(shown(before) + " ")
            text.append(shown(note.text), style="dim italic")
            text.append(" ")
            position = note.end
    text.append(shown(sentence.text[position - sentence.start :]))
    return text


def render_outline(document: Document) -> Group:
    """Speaker headings, numbered sentences and dimmed notes, as a Rich renderable."""
    parts: list[RenderableType] = []
    heading = Text(terminal_safe(document.title or document.id), style="bold underline")
    heading.append(f"  ({terminal_safe(document.source)})", style="dim")
    parts.append(heading)
    if document.preamble:
        parts.append(Text(terminal_safe(document.preamble), style="dim italic"))
    number = 0
    for turn in document.turns:
        for between in document.between_turns(turn.index):
            parts.append(Text(shown(between), style="dim italic"))
        line = Text("\n")
        line.append(terminal_safe(turn.speaker) or "(unknown speaker)", style="bold cyan")
        line.append(f"  turn {turn.index + 1} · {terminal_safe(turn.speaker_key)}", style="dim")
        if turn.timestamp:
            line.append(f" · {turn.timestamp}", style="dim")
        parts.append(line)
        # A grid gives each sentence a hanging indent under its number.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", width=6, no_wrap=True)
        grid.add_column(ratio=1)
        for kind, span in turn_units(turn):
            if kind == "note":
                grid.add_row(Text(""), Text(shown(span.text), style="dim italic"))
            else:
                number += 1
                grid.add_row(Text(str(number), style="dim"), sentence_text(span, turn.notes))
        parts.append(grid)
    return Group(*parts)
