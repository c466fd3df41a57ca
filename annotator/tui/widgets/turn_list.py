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
        if self.document is None:
            return
        speaker = self.document.turns[turn_index].speaker
        self.replace_option_prompt_at_index(
            turn_index, turn_prompt(turn_index, speaker, decided, total)
        )

    def mark_current(self, turn_index: int) -> None:
        if self.highlighted != turn_index:
            self.highlighted = turn_index

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(TurnChosen(self.doc_index, event.option_index))
