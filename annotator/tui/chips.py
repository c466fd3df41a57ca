"""Label chips: a label's name on its colour, as Rich text."""

from __future__ import annotations

from rich.color import Color, ColorParseError
from rich.text import Text

from annotator.model import Label
from annotator.printable import terminal_safe


def _foreground(color: str) -> str:
    """Black or white, whichever reads better on ``color``."""
    try:
        r, g, b = Color.parse(color).get_truecolor()
    except ColorParseError:
        return "white"
    return "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "white"


def chip(label: Label, *, dim: bool = False) -> Text:
    """The label as a coloured chip."""
    style = f"{_foreground(label.color)} on {label.color}"
    # A styled span, not the Text's base style, so text appended after the
    # chip (a description, a note) does not take the chip's colours.
    name = terminal_safe(label.name, keep_newlines=False)
    return Text().append(f" {name} ", style=f"{style} dim" if dim else style)
