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
from annotator.printable import terminal_safe
from annotator.tui.chips import chip

KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "slash": "/",
    "question_mark": "?",
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "home": "Home",
    "end": "End",
}


def key_name(key: str) -> str:
    """One Textual key name as a person reads it: ``ctrl+r`` is ``Ctrl+R``, ``down`` ``↓``."""
    if key.startswith("ctrl+"):
        return "Ctrl+" + key[5:].upper()
    return KEY_NAMES.get(key, key)


def key_display(keys: str, between: str = " / ") -> str:
    """Textual key names as shown to a person: ``ctrl+r,U`` is ``Ctrl+R / U``."""
    return between.join(key_name(key) for key in keys.split(","))


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


SECTIONS = (
    ("move", "Moving"),
    ("decide", "Deciding"),
    ("review", "Notes, flags and boundaries"),
    ("screen", "Screens"),
)


def keys_table(labels: LabelSet, keymap: dict[str, str], *, model: bool = False) -> Text:
    """Every key in sections, one aligned column of keys: the upper half of the help
    screen. ``keymap`` holds the keys remapped in annotator.toml; the suggestion keys
    are listed only with a ``model`` (``annotate --suggest``)."""
    rows: list[tuple[str, str, Text]] = []  # (section, key, what)
    labels_title = (
        "Labels: a key chooses its label and moves on (one label per sentence)"
        if labels.exclusive
        else "Labels: a key turns its label on or off, saved at once (several may apply)"
    )
    for label in labels.labels:
        entry = chip(label)
        if label.group:
            entry.append(f"  {terminal_safe(label.group)}", style="dim")
        rows.append((labels_title, label.key, entry))
    titles = dict(SECTIONS)
    for action in KEY_ACTIONS:
        if action.needs_model and not model:
            continue
        keys = key_display(keymap.get(action.id, action.keys))
        rows.append((titles[action.group], keys, Text(action.detail or action.description)))
    rows.append((titles["screen"], "Ctrl+P", Text("command palette: every action and label")))
    width = max(len(key) for _, key, _ in rows) + 3
    table = Text()
    for title in [labels_title, *titles.values()]:
        table.append(title + "\n", style="bold underline")
        for section, key, what in rows:
            if section == title:
                table.append(f"  {key:<{width}}", style="bold")
                table.append_text(what)
                table.append("\n")
        table.append("\n")
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and guidelines; any of Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def __init__(self, labels: LabelSet, keymap: dict[str, str], *, model: bool = False) -> None:
        super().__init__(classes="help")
        self.labels = labels
        self.keymap = keymap
        self.model = model

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text("Escape, q or ? closes this screen.\n", style="dim"))
            yield Static(keys_table(self.labels, self.keymap, model=self.model))
            yield Static(label_guide(self.labels))

    def action_close(self) -> None:
        self.dismiss(None)
