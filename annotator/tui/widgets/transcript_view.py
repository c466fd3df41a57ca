"""The transcript as a conversation: the current turn sentence by sentence, neighbours dimmed.

Only the current turn and a little of its neighbours are built as widgets, so
a corpus of any size costs the same to draw. Text goes in as ``rich.text.Text``
built with ``append``: transcript text is data and never parsed as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from annotator.model import Document, LabelSet, Span, Turn
from annotator.outline import turn_units
from annotator.tui.chips import chip
from annotator.tui.messages import SentenceClicked

if TYPE_CHECKING:
    from annotator.store import Decision

CONTEXT_SENTENCES = 2


def plain(text: str) -> str:
    """Sentence text for one screen row: whitespace runs collapsed, control codes shown."""
    cleaned = "".join(
        ch if ch.isprintable() or ch in " \n\t" else f"\\x{ord(ch):02x}" for ch in text
    )
    return " ".join(cleaned.split())


class SentenceRow(Horizontal):
    """One sentence of the current turn, with its label chips, flag and note.

    A gutter (cursor and number) beside a body that wraps under itself. Both
    are plain ``Text`` in ``Static`` widgets, and they are only updated when
    what they show changes, so a keystroke redraws one or two rows.
    """

    def __init__(self, index: int, number: int, span: Span) -> None:
        super().__init__(classes="sentence")
        self.index = index
        self.number = number
        self.span = span
        self._shown: tuple[object, ...] | None = None
        self._shape: tuple[int, bool, str | None] | None = None
        self._body_decision: str | None = None
        self._gutter = Static(classes="gutter")
        self._body = Static(classes="body")

    def compose(self) -> ComposeResult:
        yield self._gutter
        yield self._body

    def show_decision(self, decision: Decision | None, labels: LabelSet, focused: bool) -> None:
        key = (focused, decision.id if decision is not None else None)
        if key == self._shown:
            return
        self._shown = key
        self.set_class(focused, "-focused")
        self.set_class(decision is not None, "-decided")
        gutter = Text()
        gutter.append("▶" if focused else " ", style="bold")
        gutter.append(f"{self.number:>4}", style="dim")
        # The gutter never changes size; skipping layout keeps a keystroke to a repaint.
        self._gutter.update(gutter, layout=False)
        shape = (
            None if decision is None else (len(decision.labels), bool(decision.flag), decision.note)
        )
        if shape == self._shape:
            if decision is None or self._body_decision == decision.id:
                return
        text = Text(plain(self.span.text))
        if decision is not None:
            by_name = {label.name: label for label in labels.labels}
            text.append("\n")
            if not decision.labels:
                text.append(" no label ", style="italic reverse dim")
            for name in decision.labels:
                label = by_name.get(name)
                text.append_text(chip(label) if label else Text(f" {name} ", style="reverse"))
                text.append(" ")
            if decision.flag:
                text.append(" ⚑ flagged", style="bold yellow")
            if decision.note:
                text.append("  ✎ ", style="dim")
                text.append(plain(decision.note), style="italic dim")
        # Same number of chips, same flag and note: the body keeps its height.
        self._body.update(text, layout=shape != self._shape)
        self._shape = shape
        self._body_decision = decision.id if decision is not None else None

    def on_click(self) -> None:
        self.post_message(SentenceClicked(self.index))


class TranscriptView(VerticalScroll, can_focus=False):
    """The current turn with its sentences; the turns before and after, dimmed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[SentenceRow] = []
        self.shown: tuple[str, int, int] | None = None  # document id, turn, sentence count

    def compose(self) -> ComposeResult:
        yield from ()

    def show_turn(
        self,
        document: Document,
        turn_index: int,
        first_number: int,
    ) -> bool:
        """Build the rows for a turn; returns False when that turn is already shown."""
        turn = document.turns[turn_index]
        key = (document.id, turn_index, len(turn.sentences))
        if key == self.shown and self.rows and self.rows[0].span == turn.sentences[0]:
            return False
        self.shown = key
        self.remove_children()
        widgets: list[Widget] = []
        if turn_index > 0:
            widgets.append(self._context_block(document.turns[turn_index - 1], before=True))
        widgets.append(
            Static(self._heading(turn, turn_index, len(document.turns)), classes="speaker")
        )
        self.rows = []
        number = first_number
        for kind, span in turn_units(turn):
            if kind == "note":
                widgets.append(Static(Text(plain(span.text)), classes="note"))
            else:
                row = SentenceRow(len(self.rows), number, span)
                self.rows.append(row)
                widgets.append(row)
                number += 1
        if turn_index + 1 < len(document.turns):
            widgets.append(self._context_block(document.turns[turn_index + 1], before=False))
        self.mount_all(widgets)
        return True

    @staticmethod
    def _heading(turn: Turn, index: int, count: int) -> Text:
        text = Text()
        text.append(turn.speaker or "Unknown speaker", style="bold")
        text.append(f"   turn {index + 1} of {count}", style="dim")
        if turn.timestamp:
            text.append(f" · {turn.timestamp}", style="dim")
        return text

    @staticmethod
    def _context_block(turn: Turn, *, before: bool) -> Static:
        sentences = (
            turn.sentences[-CONTEXT_SENTENCES:] if before else turn.sentences[:CONTEXT_SENTENCES]
        )
        text = Text()
        text.append(turn.speaker or "Unknown speaker", style="bold")
        text.append("\n")
        shown = " ".join(plain(s.text) for s in sentences) or plain(turn.text)[:200]
        if before and len(turn.sentences) > CONTEXT_SENTENCES:
            text.append("… ")
        text.append(shown)
        if not before and len(turn.sentences) > CONTEXT_SENTENCES:
            text.append(" …")
        return Static(text, classes="context")

    def focus_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.scroll_to_widget(self.rows[index], animate=False, center=True)
