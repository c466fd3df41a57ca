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
    #: The help screen's section: move, decide, review or screen.
    group: str = "screen"
    #: The help screen's fuller explanation (the description when empty).
    detail: str = ""
    #: Works only with a suggestion model (``annotate --suggest``): help lists it then.
    needs_model: bool = False


KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("next", "down,j", "next", "next sentence", show=False, group="move"),
    KeyAction("previous", "up,k", "previous", "previous sentence", show=False, group="move"),
    KeyAction("next_turn", "pagedown", "next_turn", "next turn", show=False, group="move"),
    KeyAction(
        "previous_turn", "pageup", "previous_turn", "previous turn", show=False, group="move"
    ),
    KeyAction("home", "home", "home", "first sentence", show=False, group="move"),
    KeyAction("end", "end", "end", "last sentence", show=False, group="move"),
    KeyAction(
        "confirm",
        "enter",
        "confirm",
        "decide, next",
        group="decide",
        detail="the labels shown stand (or the suggestion's); next sentence",
    ),
    KeyAction(
        "accept",
        "a",
        "accept_suggestion",
        "accept suggestion",
        show=False,
        group="decide",
        detail="take the suggested labels and move on",
        needs_model=True,
    ),
    KeyAction(
        "no_label",
        "x",
        "no_label",
        "no label",
        group="decide",
        detail="decide that no label applies, next",
    ),
    KeyAction(
        "skip",
        "space",
        "skip",
        "skip",
        show=False,
        group="decide",
        detail="move on without deciding",
    ),
    KeyAction(
        "undo",
        "u",
        "undo",
        "undo",
        group="decide",
        detail="undo the last change (the log keeps it, retired)",
    ),
    KeyAction("redo", "ctrl+r,U", "redo", "redo", show=False, group="decide"),
    KeyAction(
        "note",
        "n",
        "note",
        "note",
        group="review",
        detail="write or clear a note (never a decision)",
    ),
    KeyAction(
        "flag", "f", "flag", "flag", group="review", detail="flag for review (never a decision)"
    ),
    KeyAction(
        "exclude",
        "e",
        "exclude",
        "not speech",
        show=False,
        group="review",
        detail="not speech (a heading, an editorial note, page furniture): left out of exports",
    ),
    KeyAction(
        "merge",
        "m",
        "merge",
        "merge",
        show=False,
        group="review",
        detail="merge with the next sentence",
    ),
    KeyAction(
        "split",
        "s",
        "split",
        "split",
        show=False,
        group="review",
        detail="split the sentence in two where you choose",
    ),
    KeyAction("search", "slash", "search", "search", show=False, group="move"),
    KeyAction(
        "filter",
        "F",
        "filter",
        "filter",
        show=False,
        group="move",
        detail="visit only undecided or flagged sentences, one speaker's or one label's",
    ),
    KeyAction(
        "next_undecided",
        "g",
        "next_undecided",
        "next undecided",
        group="move",
        detail="the next sentence without a decision",
    ),
    KeyAction(
        "guidance",
        "i",
        "guidance",
        "label guidance",
        show=False,
        detail="each label's description and decision rules",
    ),
    KeyAction(
        "documents",
        "D",
        "documents",
        "documents",
        group="move",
        detail="every document with its progress; jump to one",
    ),
    KeyAction(
        "pick_label",
        "l",
        "pick_label",
        "pick a label",
        show=False,
        group="decide",
        detail="choose any label by name (codebooks beyond the keys)",
    ),
    KeyAction(
        "reading_warnings",
        "W",
        "reading_warnings",
        "reading warnings",
        show=False,
        detail="what reading this transcript warned about (turn sizes, labels not taken)",
    ),
    KeyAction(
        "retrain",
        "ctrl+t",
        "retrain",
        "retrain the model",
        show=False,
        detail="retrain the suggestion model on the decisions so far",
        needs_model=True,
    ),
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


def _as_typed(key: str) -> str:
    """A Textual key name as the character it types (``slash`` is ``/``), else itself."""
    return _CHARACTERS.get(key, key)


def keymap_clashes(keymap: dict[str, str], label_keys: dict[str, str]) -> list[str]:
    """What a ``[keys]`` remap would make ambiguous, one message each: a key it gives an
    action or a label that another action or label also answers to (the remap would
    win, and the other could no longer be reached by its key). ``label_keys`` holds
    each label's key as the label set gives it; ``keymap`` maps action ids and
    ``label.NAME`` to Textual key names (several separated by commas)."""
    owners: dict[str, set[str]] = {}
    for action in KEY_ACTIONS:
        for key in keymap.get(action.id, action.keys).split(","):
            owners.setdefault(_as_typed(key.strip()), set()).add(action.id)
    for name, key in label_keys.items():
        chosen = keymap.get(f"label.{name}", key)
        if chosen:
            owners.setdefault(_as_typed(chosen), set()).add(f"label {name!r}")
    clashes = []
    for remapped, keys in keymap.items():
        ids = {remapped} if not remapped.startswith("label.") else {f"label {remapped[6:]!r}"}
        for key in keys.split(","):
            others = sorted(owners.get(_as_typed(key.strip()), set()) - ids)
            if others:
                clashes.append(
                    f"[keys] {remapped} = {key.strip()!r} is also the key of {', '.join(others)}"
                )
    return clashes
