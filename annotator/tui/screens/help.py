"""The help screen: every key, and the label set's guidelines, guidance, decision rules,
examples and near misses."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.keys import KEY_ACTIONS
from annotator.model import LabelSet
from annotator.tui.chips import chip

KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "slash": "/",
    "question_mark": "?",
    "space": "space",
    "enter": "Enter",
    "ctrl+r": "Ctrl+R",
    "ctrl+t": "Ctrl+T",
    "home": "Home",
    "end": "End",
}


def key_display(keys: str) -> str:
    return " ".join(KEY_NAMES.get(key, key) for key in keys.split(","))


def label_guide(labels: LabelSet) -> Text:
    """The guidelines and, per label, its description, guidance, decision rules,
    examples and near misses: the lower half of the help screen."""
    guide = Text()
    if labels.guidelines:
        guide.append("Guidelines\n", style="bold underline")
        guide.append(labels.guidelines.strip() + "\n\n")
    for label in labels.labels:
        guide.append_text(chip(label))
        guide.append(f"  key {label.key}\n", style="dim")
        if label.description:
            guide.append(label.description + "\n")
        if label.guidance:
            guide.append(label.guidance.strip() + "\n", style="italic")
        for rule in label.decision_rules:
            guide.append("  ▸ ", style="bold")
            guide.append(rule + "\n")
        for example in label.examples:
            guide.append("  e.g. ", style="dim")
            guide.append(example + "\n", style="italic dim")
        for near_miss in label.near_misses:
            guide.append("  not this label: ", style="dim")
            guide.append(near_miss.text, style="italic dim")
            if near_miss.because:
                guide.append(", because " + near_miss.because, style="dim")
            guide.append("\n")
        guide.append("\n")
    return guide


class HelpScreen(ModalScreen[None]):
    """Keys and guidelines; any of Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def __init__(self, labels: LabelSet, keymap: dict[str, str]) -> None:
        super().__init__(classes="help")
        self.labels = labels
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keys = Text()
        keys.append("Keys\n", style="bold underline")

        def row(key: str, what: Text) -> None:
            keys.append(f"  {key:<12}", style="bold")
            keys.append_text(what)
            keys.append("\n")

        verb = "  choose, next" if self.labels.exclusive else "  toggle"
        for label in self.labels.labels:
            row(label.key, Text.assemble(chip(label), verb))
        for action in KEY_ACTIONS:
            row(key_display(self.keymap.get(action.id, action.keys)), Text(action.description))
        row("Ctrl+P", Text("command palette: every action and label"))
        guide = label_guide(self.labels)
        with VerticalScroll(classes="dialog"):
            yield Static(keys)
            yield Static(guide)
            yield Static(Text("Escape, q or ? to close", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
