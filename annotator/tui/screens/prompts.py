"""Small modal screens: a note, a split point, a search, a filter."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.model import Span
from annotator.tui.widgets.transcript_view import plain


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__(classes="prompt")
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            yield Input(value=self.value, placeholder=self.placeholder)
            yield Static(Text("Enter to confirm · Escape to cancel", style="dim"))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SplitPrompt(ModalScreen[int | None]):
    """Choose where to split a sentence: ←/→ move the cut between words, Enter splits."""

    BINDINGS = [
        Binding("left,h", "move(-1)", "earlier"),
        Binding("right,l", "move(1)", "later"),
        Binding("enter", "split", "split"),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, span: Span) -> None:
        super().__init__(classes="prompt")
        self.span = span
        # Cut points: the start of every word but the first (document offsets).
        self.cuts = [span.start + m.start() for m in re.finditer(r"\S+", span.text)][1:]
        self.choice = len(self.cuts) // 2

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Split the sentence where the bar is", style="bold"))
            yield Static(id="split-preview")
            yield Static(Text("←/→ move · Enter split · Escape cancel", style="dim"))

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        text = Text()
        if not self.cuts:
            text.append("This sentence has one word; there is nowhere to split it.")
        else:
            cut = self.cuts[self.choice] - self.span.start
            text.append(plain(self.span.text[:cut]))
            text.append(" ┃ ", style="bold reverse")
            text.append(plain(self.span.text[cut:]), style="bold")
        self.query_one("#split-preview", Static).update(text)

    def action_move(self, delta: int) -> None:
        if self.cuts:
            self.choice = max(0, min(len(self.cuts) - 1, self.choice + delta))
            self._show()

    def action_split(self) -> None:
        self.dismiss(self.cuts[self.choice] if self.cuts else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of a list of options (used for filters)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="prompt")
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            yield OptionList(*(Option(Text(shown), id=value) for value, shown in self.choices))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
