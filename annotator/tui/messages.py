"""Messages posted up to the screen (messages up, method calls down): by the TUI's
widgets, and by the screen's workers, which must never call the screen from their
threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from annotator.model import Document

if TYPE_CHECKING:
    from annotator.suggest import Suggester


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


# --- from the workers (posted from their threads; Textual queues them safely) ---------


@dataclass
class DocumentsLoaded(Message):
    """The background loader read more of the corpus (none yet, when it starts).

    ``done`` of ``total`` (None: not known) documents are read so far; ``finished``
    comes once, last, whether the loader ran out of documents or failed.
    """

    documents: list[Document]
    done: int
    total: int | None
    finished: bool = False


@dataclass
class TrainingProgress(Message):
    """Retraining got ``share`` (0 to 1) of the way; ``step`` says where, in a few words."""

    share: float
    step: str


@dataclass
class ModelReady(Message):
    """Retraining finished: this model replaces the session's, scored as ``summary`` says;
    ``promise`` says when its suggestions are shown (``TrainReport.promise``)."""

    suggester: Suggester
    summary: str
    promise: str = ""
