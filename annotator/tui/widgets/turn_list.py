"""The turn list: every turn of the current document, with how much of it is decided."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.model import Document
from annotator.tui.messages import TurnChosen


def turn_prompt(index: int, speaker: str, decided: int, total: int) -> Text:
    """``  3 SECRETARY BLINKEN  2/6``, cut to one row."""
    counts = f" {decided}/{total}" if total else ""
    room = 21 - len(counts)
    name = speaker or "?"
    if len(name) > room:
        name = name[: room - 1] + "…"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{index + 1:>3} ", style="dim")
    text.append(name.ljust(room), style="bold" if decided < total else "dim")
    text.append(counts, style="green" if total and decided == total else "dim")
    return text


class TurnList(OptionList, can_focus=False):
    """Click a turn to jump to it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.doc_index = -1
        self.document: Document | None = None

    def show_document(
        self, doc_index: int, document: Document, progress: list[tuple[int, int]]
    ) -> None:
        self.doc_index = doc_index
        self.document = document
        self.set_options(
            Option(turn_prompt(i, turn.speaker, *progress[i]), id=str(i))
            for i, turn in enumerate(document.turns)
        )

    def update_turn(self, turn_index: int, decided: int, total: int) -> None:
        """Show a turn's new counts, repainting only its row.

        ``replace_option_prompt_at_index`` would drop every cached row and repaint
        the whole list; a prompt is always one row (``no_wrap``), so the line
        table stays valid and only this option's rendering is stale.
        """
        if self.document is None or not 0 <= turn_index < self.option_count:
            return
        speaker = self.document.turns[turn_index].speaker
        option = self.get_option_at_index(turn_index)
        option._set_prompt(turn_prompt(turn_index, speaker, decided, total))
        for key in [key for key in self._option_render_cache.keys() if key[0] is option]:  # noqa: SIM118 (no __iter__)
            self._option_render_cache.discard(key)
        self._refresh_option(turn_index)

    def mark_current(self, turn_index: int) -> None:
        """Highlight the current turn, repainting the old and the new row only."""
        old = self.highlighted
        if old == turn_index or not 0 <= turn_index < self.option_count:
            return
        # set_reactive skips the reactive's full repaint; the two rows are enough
        # unless the list has to scroll, which repaints it anyway.
        self.set_reactive(TurnList.highlighted, turn_index)
        if old is not None:
            self._refresh_option(old)
        self._refresh_option(turn_index)
        self.scroll_to_highlight()

    def _refresh_option(self, index: int) -> None:
        line = self._index_to_line.get(index)
        if line is not None:
            self.refresh_line(line)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(TurnChosen(self.doc_index, event.option_index))
