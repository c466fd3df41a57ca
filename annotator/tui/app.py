"""The Textual application: opens the annotation screen over a session.

Kept small on purpose: screens own their controllers, and their workers (the
rest of the corpus, retraining). The app holds what the command line gave it,
applies the user's keymap, and keeps the garbage collector off the keystrokes.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App

from annotator.model import Document
from annotator.session import AnnotationSession
from annotator.tui.messages import DocumentsLoaded
from annotator.tui.screens.annotate import AnnotateScreen

if TYPE_CHECKING:
    from annotator.adjudication import Adjudication

#: Full garbage collections wait until the keyboard has rested this long…
IDLE_BEFORE_COLLECT = 1.0
#: …but never longer than this, so a long run of keys cannot grow memory unchecked.
MAX_BETWEEN_COLLECTS = 60.0


class AnnotatorApp(App[str]):
    """``annotator annotate``: label sentences from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "annotator"

    def __init__(
        self,
        session: AnnotationSession,
        log_name: str,
        *,
        pending: Iterator[Document] | None = None,
        pending_total: int | None = None,
        keymap: dict[str, str] | None = None,
        adjudication: Adjudication | None = None,
        model_dir: Path | None = None,
        training_logs: list[Path] | None = None,
    ) -> None:
        super().__init__()
        self.adjudication = adjudication
        self.model_dir = model_dir
        self.training_logs = training_logs or []
        self.session = session
        self.log_name = log_name
        self.pending = pending
        self.pending_total = pending_total
        self.keymap_overrides = dict(keymap or {})
        self._last_key = 0.0
        self._last_collect = time.monotonic()
        self._thresholds: tuple[int, int, int] | None = None

    def on_mount(self) -> None:
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if self.adjudication is not None:
            # Imported here: annotating, the usual case, need not load the agreement code.
            from annotator.tui.screens.adjudicate import AdjudicateScreen

            self.annotate_screen: AnnotateScreen = AdjudicateScreen(
                self.session, self.log_name, self.adjudication, self.keymap_overrides
            )
        else:
            self.annotate_screen = AnnotateScreen(self.session, self.log_name)
        # The screen reads ``pending`` in a worker of its own.
        self.push_screen(self.annotate_screen)
        if self.pending is None:
            self._settle_memory()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key = time.monotonic()
        await super().on_event(event)

    def _settle_memory(self) -> None:
        """Keep the collector away from the keystrokes once the documents are loaded.

        What is loaded by then (documents read from transcripts, a corpus's index)
        lives as long as the session: frozen, the collector never walks it again
        (a corpus's documents, opened and closed as the analyst moves, are plain
        tuples and strings, freed by reference counting). A full collection still
        walks everything since (Textual's cached strips and the like: 5 to 35 ms),
        and Python starts one whenever enough objects have piled up, often in the
        middle of a keystroke's frame. So full
        collections run from a timer when the keyboard rests instead; the young
        generations, which take well under a millisecond, stay automatic.
        """
        gc.freeze()
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, 1_000_000)
            self.set_interval(IDLE_BEFORE_COLLECT / 2, self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        now = time.monotonic()
        rested = self._last_key > self._last_collect and now - self._last_key >= IDLE_BEFORE_COLLECT
        if rested or now - self._last_collect >= MAX_BETWEEN_COLLECTS:
            gc.collect()
            self._last_collect = time.monotonic()

    def on_unmount(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)

    def on_documents_loaded(self, message: DocumentsLoaded) -> None:
        """The screen took the loader's documents; once loading is over, settle memory."""
        if message.finished:
            # The corpus lives as long as the session, so keep the collector from
            # walking it again and again (pauses of 100 ms and more).
            self._settle_memory()
