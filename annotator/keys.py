"""The annotation screen's actions and their default keys.

One table serves the TUI (its bindings, footer and help screen), the config
file (``[keys]`` remaps an action by its id) and labels.yaml validation (a
label's hotkey may not take a key an action uses).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyAction:
    """One action of the annotation screen: its id, default keys and help text."""

    id: str
    keys: str  # comma-separated Textual key names
    action: str
    description: str
    show: bool = True


KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("next", "down,j", "next", "next sentence", show=False),
    KeyAction("previous", "up,k", "previous", "previous sentence", show=False),
    KeyAction("next_turn", "pagedown", "next_turn", "next turn", show=False),
    KeyAction("previous_turn", "pageup", "previous_turn", "previous turn", show=False),
    KeyAction("home", "home", "home", "first sentence", show=False),
    KeyAction("end", "end", "end", "last sentence", show=False),
    KeyAction("confirm", "enter", "confirm", "decide, next"),
    KeyAction("accept", "a", "accept_suggestion", "accept suggestion", show=False),
    KeyAction("no_label", "x", "no_label", "no label"),
    KeyAction("skip", "space", "skip", "skip", show=False),
    KeyAction("undo", "u", "undo", "undo"),
    KeyAction("redo", "ctrl+r,U", "redo", "redo", show=False),
    KeyAction("note", "n", "note", "note"),
    KeyAction("flag", "f", "flag", "flag"),
    KeyAction("exclude", "e", "exclude", "not speech", show=False),
    KeyAction("merge", "m", "merge", "merge", show=False),
    KeyAction("split", "s", "split", "split", show=False),
    KeyAction("search", "slash", "search", "search", show=False),
    KeyAction("filter", "F", "filter", "filter", show=False),
    KeyAction("next_undecided", "g", "next_undecided", "next undecided"),
    KeyAction("guidance", "i", "guidance", "label guidance", show=False),
    KeyAction("documents", "D", "documents", "documents"),
    KeyAction("pick_label", "l", "pick_label", "pick a label", show=False),
    KeyAction("retrain", "ctrl+t", "retrain", "retrain the model", show=False),
    KeyAction("help", "question_mark", "help", "help"),
    KeyAction("quit", "q", "quit", "quit"),
)

_CHARACTERS = {"slash": "/", "question_mark": "?", "space": " "}


def reserved_keys() -> frozenset[str]:
    """Every key an action uses by default, as Textual key names and as characters."""
    names = {key for action in KEY_ACTIONS for key in action.keys.split(",")}
    return frozenset(
        names | {_CHARACTERS[n] for n in names if n in _CHARACTERS} | {"escape", "tab"}
    )
