"""The turn list: every turn of the current document, with how much of it is decided.

A line-API widget like the transcript view: one cached row per turn, so a new
count or a new current turn repaints one or two rows, and a new document
changes the scroll range without laying out the whole screen.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Document
from annotator.printable import terminal_safe
from annotator.tui.messages import TurnChosen
from annotator.tui.widgets.scrolling import set_scroll_size


def short_name(speaker: str, key: str, room: int) -> str:
    """The speaker as the list shows it: the label as printed when it fits, else the
    part that names the person first (``KAMIKAWA · FOREIGN MINISTER``), since a
    cut ``FOREIGN MINISTER…`` cannot tell turns apart."""
    name = " ".join(speaker.split())
    if len(name) <= room or not key:
        return name
    at = name.lower().find(key.lower())
    if at < 0:
        return name
    person = name[at : at + len(key)]
    rest = " ".join((name[:at] + name[at + len(key) :]).split()).strip(" ,.")
    return f"{person} · {rest}" if rest else person


def turn_prompt(index: int, speaker: str, decided: int, total: int, key: str = "") -> Text:
    """``  3 SECRETARY BLINKEN  2/6``, cut to one row. A turn with nothing to code
    (adjudication and work lists show the rest as context) shows a dash where the
    counts go, so its name never runs into the count column."""
    counts = f" {decided}/{total}" if total else "  –"
    room = 21 - len(counts)
    name = terminal_safe(short_name(speaker, key, room)) or "?"
    if len(name) > room:
        name = name[: room - 1] + "…"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{index + 1:>3} ", style="dim")
    text.append(name.ljust(room), style="bold" if decided < total else "dim")
    text.append(counts, style="green" if total and decided == total else "dim")
    return text


class TurnList(ScrollView, can_focus=False):
    """Click a turn to jump to it; the current turn is highlighted."""

    COMPONENT_CLASSES = {"turn-list--current"}
    DEFAULT_CSS = """
    TurnList > .turn-list--current { background: $accent 30%; text-style: bold; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.doc_index = -1
        self.document: Document | None = None
        self.current = -1
        self._prompts: list[Text] = []
        self._strips: dict[int, Strip] = {}

    def show_document(
        self, doc_index: int, document: Document, progress: list[tuple[int, int]]
    ) -> None:
        """List a document's turns (the current turn is set by ``mark_current``)."""
        self.doc_index = doc_index
        self.document = document
        self.current = -1
        self._prompts = [
            turn_prompt(i, turn.speaker, *progress[i], key=turn.speaker_key)
            for i, turn in enumerate(document.turns)
        ]
        self._strips.clear()
        set_scroll_size(self, Size(self.size.width, len(self._prompts)))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def update_turn(self, turn_index: int, decided: int, total: int) -> None:
        """Show a turn's new counts, repainting only its row."""
        if self.document is None or not 0 <= turn_index < len(self._prompts):
            return
        turn = self.document.turns[turn_index]
        self._prompts[turn_index] = turn_prompt(
            turn_index, turn.speaker, decided, total, key=turn.speaker_key
        )
        self._repaint(turn_index)

    def mark_current(self, turn_index: int) -> None:
        """Highlight the current turn, repainting the old and the new row only."""
        old = self.current
        if old == turn_index or not 0 <= turn_index < len(self._prompts):
            return
        self.current = turn_index
        self._repaint(old)
        self._repaint(turn_index)
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if not top <= turn_index < top + height:
            self.scroll_to_region(
                Region(0, turn_index, 1, 1), animate=False, center=True, immediate=True
            )

    def _repaint(self, index: int) -> None:
        if 0 <= index < len(self._prompts):
            self._strips.pop(index, None)
            self.refresh_line(index - self.scroll_offset.y)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width or self.size.width
        if not 0 <= index < len(self._prompts):
            return Strip.blank(width)
        strip = self._strips.get(index)
        if strip is None or strip.cell_length != width:
            style = (
                self.get_component_rich_style("turn-list--current")
                if index == self.current
                else Style()
            )
            segments = list(self._prompts[index].render(self.app.console))
            strip = Strip(segments).crop_extend(0, width, style).apply_style(style)
            self._strips[index] = strip
        return strip

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        set_scroll_size(self, Size(event.size.width, len(self._prompts)))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self._prompts):
            self.post_message(TurnChosen(self.doc_index, index))
