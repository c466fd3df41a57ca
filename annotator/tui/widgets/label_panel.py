"""The label panel: every label with its key, colour and description."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from annotator.model import Label, LabelSet
from annotator.printable import terminal_safe
from annotator.tui.chips import chip
from annotator.tui.messages import LabelClicked


class LabelEntry(Horizontal):
    """One label; clicking it toggles the label on the focused sentence."""

    def __init__(self, label: Label) -> None:
        super().__init__(classes="label-entry")
        self.label = label
        self.active = False
        self._shown: tuple[bool, bool, bool] | None = None
        self._key = Static(classes="gutter")
        self._body = Static(classes="body")

    def compose(self) -> ComposeResult:
        yield self._key
        yield self._body

    def render_entry(self, show_guidance: bool, compact: bool = False) -> None:
        """Redraw, only if what the entry shows has changed."""
        shown = (self.active, show_guidance, compact)
        if shown == self._shown:
            return
        body_changed = self._shown is None or self._shown[1:] != shown[1:]
        self._shown = shown
        mark = "✓" if self.active else " "
        key = Text(
            f" {terminal_safe(self.label.key)}{mark}",
            style="bold reverse" if self.active else "bold",
        )
        # Marking a label active only repaints its key; the body keeps its size.
        self._key.update(key, layout=False)
        if not body_changed:
            return
        text = chip(self.label)
        if self.label.description and not compact:
            text.append("\n")
            text.append(terminal_safe(self.label.description), style="dim")
        if show_guidance and self.label.guidance:
            text.append("\n")
            text.append(terminal_safe(" ".join(self.label.guidance.split())), style="italic")
            for example in self.label.examples:
                text.append("\ne.g. ", style="dim")
                text.append(terminal_safe(example), style="italic dim")
        self._body.update(text)

    def on_click(self) -> None:
        self.post_message(LabelClicked(self.label.name))


class LabelPanel(VerticalScroll, can_focus=False):
    """Labels with their keys; the focused sentence's labels are marked."""

    def __init__(self, labels: LabelSet, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.labels = labels
        self.show_guidance = False
        self.compact = False
        self.entries = [LabelEntry(label) for label in labels.labels]

    def compose(self) -> ComposeResult:
        title = "Labels (one per sentence)" if self.labels.exclusive else "Labels"
        yield Static(Text(title, style="bold"), classes="panel-title")
        yield from self.entries

    def on_mount(self) -> None:
        self.show_active(())

    def show_active(self, active: tuple[str, ...]) -> None:
        """Mark the labels the focused sentence carries."""
        for entry in self.entries:
            entry.active = entry.label.name in active
            entry.render_entry(self.show_guidance, self.compact)

    def toggle_guidance(self) -> None:
        self.show_guidance = not self.show_guidance
        for entry in self.entries:
            entry.render_entry(self.show_guidance, self.compact)

    def set_compact(self, compact: bool) -> None:
        """Names and keys only (narrow terminals); guidance still shows on demand."""
        if compact != self.compact:
            self.compact = compact
            for entry in self.entries:
                entry.render_entry(self.show_guidance, compact)
