"""Two pickers for large work: the document navigator (``D``) and the label picker (``l``).

Both are a filter box over an ``OptionList`` (which draws only the rows in
view, so hundreds of documents or labels cost nothing): type a few letters to
narrow the list, arrows to move, Enter to choose, Escape to close.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.model import LabelSet
from annotator.printable import terminal_safe
from annotator.session import DocumentProgress
from annotator.tui.chips import chip


def matches(query: str, text: str) -> bool:
    """True when every word of ``query`` starts a word of ``text`` or occurs in it
    (case-insensitive): ``thr ass`` finds ``threat assessment``, ``kish`` a Kishida
    press conference."""
    text = text.lower()
    return all(word in text for word in query.lower().split())


class _FilteredList(ModalScreen[str | None]):
    """A filter box over an option list; Enter dismisses with the highlighted id."""

    BINDINGS = [
        Binding("escape", "cancel", "close"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]
    TITLE_TEXT = ""
    HINT = "type to filter · ↑↓ move · Enter choose · Escape close"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.TITLE_TEXT, style="bold"))
            yield Input(placeholder="filter")
            yield OptionList()
            yield Static(Text(self.HINT, style="dim"), id="hint")

    def on_mount(self) -> None:
        self.refill("")

    def options(self, query: str) -> list[Option]:
        raise NotImplementedError

    def refill(self, query: str) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(self.options(query))
        if listing.option_count:
            listing.highlighted = 0

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.refill(event.value)

    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if listing.option_count:
            current = listing.highlighted or 0
            listing.highlighted = max(0, min(listing.option_count - 1, current + delta))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None and listing.option_count:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DocumentNavigator(_FilteredList):
    """Every document with its progress and flags; Enter jumps to its first sentence
    still to do. Tab switches between reading order and least done first."""

    BINDINGS = [*_FilteredList.BINDINGS, Binding("tab", "sort", "sort", priority=True)]
    TITLE_TEXT = "Documents"
    HINT = "type to filter · ↑↓ move · Tab: reading order / least done first · Enter go"

    def __init__(self, documents: list[DocumentProgress], current: int) -> None:
        super().__init__(classes="navigator")
        self.documents = documents
        self.current = current
        self.by_progress = False

    def options(self, query: str) -> list[Option]:
        shown = [d for d in self.documents if not query or matches(query, f"{d.id} {d.title}")]
        if self.by_progress:
            shown.sort(key=lambda d: (d.decided / d.total if d.total else 1.0, d.index))
        width = max((len(d.id) for d in shown), default=10)
        options = []
        for d in shown:
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append("▶ " if d.index == self.current else "  ", style="bold")
            row.append(terminal_safe(d.id, keep_newlines=False).ljust(width), style="bold")
            done = d.total and d.decided == d.total
            row.append(f"  {d.decided:>5}/{d.total:<5}", style="green" if done else "")
            row.append(f" ⚑ {d.flagged:<3}" if d.flagged else "      ", style="yellow")
            title = terminal_safe(d.title, keep_newlines=False)
            row.append("  " + (title if len(title) <= 48 else title[:47] + "…"), style="dim")
            options.append(Option(row, id=str(d.index)))
        return options

    def action_sort(self) -> None:
        self.by_progress = not self.by_progress
        self.refill(self.query_one(Input).value)


class LabelPicker(_FilteredList):
    """Every label of the codebook by name; Enter toggles it on the focused sentence.
    The way to labels beyond the ten keys of a keyboard row."""

    TITLE_TEXT = "Labels"

    def __init__(self, labels: LabelSet, active: tuple[str, ...]) -> None:
        super().__init__(classes="picker")
        self.labels = labels
        self.active = active

    def options(self, query: str) -> list[Option]:
        options = []
        # Labels whose name matches come first, then those whose description does.
        labels = list(enumerate(self.labels.labels))
        by_name = [(i, label) for i, label in labels if matches(query, label.name)]
        named = {i for i, _ in by_name}
        by_description = [
            (i, label)
            for i, label in labels
            if i not in named and query and matches(query, label.description)
        ]
        for index, label in by_name + by_description:
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append("✓ " if label.name in self.active else "  ", style="bold")
            row.append(f"{terminal_safe(label.key):>3} ", style="bold")
            row.append_text(chip(label))
            about = terminal_safe(
                " · ".join(part for part in (label.group, label.description) if part),
                keep_newlines=False,
            )
            row.append("  " + (about if len(about) <= 60 else about[:59] + "…"), style="dim")
            options.append(Option(row, id=str(index)))
        return options
