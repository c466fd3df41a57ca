"""The label panel: every label on one line, with its key, colour and count.

One line per label at every terminal size, so a bigger terminal never shows
fewer labels (descriptions used to wrap over four lines each and push labels
off screen). Descriptions, guidance and examples show under each label while
``i`` is on. When the codebook is longer than the panel, the panel scrolls to
keep the labels of the focused sentence in view, and its title says how many
labels are out of sight.
"""

from __future__ import annotations

from collections.abc import Mapping

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
        self.count = 0
        self._shown: tuple[bool, bool, int] | None = None
        self._key = Static(classes="gutter")
        self._body = Static(classes="body")
        # The count has a column of its own: on a narrow panel the name is cut, never
        # the count pushed onto a line of its own.
        self._count = Static(classes="count")
        self._count_width = -1

    def compose(self) -> ComposeResult:
        yield self._key
        yield self._body
        yield self._count

    def render_entry(self, show_guidance: bool) -> None:
        """Redraw, only if what the entry shows has changed."""
        shown = (self.active, show_guidance, self.count)
        if shown == self._shown:
            return
        body_changed = self._shown is None or self._shown[1:] != shown[1:]
        self._shown = shown
        mark = "✓" if self.active else " "
        shown_key = terminal_safe(self.label.key)
        key = Text(f" {shown_key}{mark}", style="bold reverse" if self.active else "bold")
        # Marking a label active only repaints its key; the body keeps its size.
        self._key.update(key, layout=False)
        if not body_changed:
            return
        # The count column is as wide as its text: a count of the same width as before
        # repaints it without laying out the screen again (a label key's usual case).
        count = f" {self.count}" if self.count else ""
        self._count.update(Text(count, style="dim"), layout=len(count) != self._count_width)
        self._count_width = len(count)
        # One line each while descriptions are off (cut with an ellipsis); wrapped with them.
        self.set_class(not show_guidance, "-brief")
        text = chip(self.label)
        if show_guidance:
            if self.label.description:
                text.append("\n")
                text.append(terminal_safe(self.label.description), style="dim")
            if self.label.guidance:
                text.append("\n")
                text.append(terminal_safe(" ".join(self.label.guidance.split())), style="italic")
            for rule in self.label.decision_rules:
                text.append("\n▸ ", style="bold")
                text.append(terminal_safe(rule))
            for example in self.label.examples:
                text.append("\ne.g. ", style="dim")
                text.append(terminal_safe(example), style="italic dim")
        self._body.update(text, layout=show_guidance or self._shown is None)

    def on_click(self) -> None:
        self.post_message(LabelClicked(self.label.name))


class LabelPanel(VerticalScroll, can_focus=False):
    """Labels with their keys; the focused sentence's labels are marked."""

    def __init__(
        self,
        labels: LabelSet,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.labels = labels
        self.show_guidance = False
        self.entries = [LabelEntry(label) for label in labels.labels]
        self._title = Static(classes="panel-title")
        self._hidden = -1

    def compose(self) -> ComposeResult:
        yield self._title
        group = ""
        for entry in self.entries:
            if entry.label.group and entry.label.group != group:
                group = entry.label.group
                # A grouped codebook: each group's name above its labels.
                yield Static(Text(terminal_safe(group), style="dim bold"), classes="label-group")
            yield entry

    def on_mount(self) -> None:
        self.show_active(())

    def on_resize(self) -> None:
        self._show_title()

    def _show_title(self) -> None:
        # Entries are one line each (descriptions off): what does not fit is hidden.
        room = max(0, self.size.height - 1)
        groups = len({entry.label.group for entry in self.entries if entry.label.group})
        hidden = 0 if self.show_guidance else max(0, len(self.entries) + groups - room)
        if hidden == self._hidden:
            return
        self._hidden = hidden
        title = Text("Labels (one per sentence)" if self.labels.exclusive else "Labels", "bold")
        if hidden:
            title.append(f"  {hidden} more ↕ · l: pick", style="yellow")
        self._title.update(title, layout=False)

    def show_active(self, active: tuple[str, ...]) -> None:
        """Mark the labels the focused sentence carries (and keep them in view)."""
        first_active = None
        for entry in self.entries:
            entry.active = entry.label.name in active
            entry.render_entry(self.show_guidance)
            if entry.active and first_active is None:
                first_active = entry
        self._show_title()
        if first_active is not None and self._hidden > 0:
            self.scroll_to_widget(first_active, animate=False)

    def show_counts(self, counts: Mapping[str, int]) -> None:
        """How often each label is used in the current document."""
        for entry in self.entries:
            entry.count = counts.get(entry.label.name, 0)
            entry.render_entry(self.show_guidance)

    def toggle_guidance(self) -> None:
        self.show_guidance = not self.show_guidance
        for entry in self.entries:
            entry.render_entry(self.show_guidance)
        self._hidden = -1
        self._show_title()
