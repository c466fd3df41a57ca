"""Messages the TUI's widgets post up to the screen (messages up, method calls down)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SentenceClicked(Message):
    """The analyst clicked a sentence row of the current turn."""

    sentence: int


@dataclass
class LabelClicked(Message):
    """The analyst clicked a label in the label panel."""

    name: str


@dataclass
class TurnChosen(Message):
    """The analyst picked a turn in the turn list."""

    doc: int
    turn: int
