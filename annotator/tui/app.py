"""The Textual application: opens the annotation screen over a session.

Kept small on purpose: screens own their controllers. The app's own jobs are
the theme, the user's keymap, and loading further documents in a worker
thread while the analyst already works on the first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from textual import work
from textual.app import App

from annotator.adjudication import Adjudication
from annotator.model import Document
from annotator.session import AnnotationSession
from annotator.tui.screens.adjudicate import AdjudicateScreen
from annotator.tui.screens.annotate import AnnotateScreen


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
    ) -> None:
        super().__init__()
        self.adjudication = adjudication
        self.session = session
        self.log_name = log_name
        self.pending = pending
        self.pending_total = pending_total
        self.keymap_overrides = dict(keymap or {})

    def on_mount(self) -> None:
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if self.adjudication is not None:
            self.annotate_screen: AnnotateScreen = AdjudicateScreen(
                self.session, self.log_name, self.adjudication
            )
        else:
            self.annotate_screen = AnnotateScreen(self.session, self.log_name)
        self.push_screen(self.annotate_screen)
        if self.pending is not None:
            self.load_rest()
        else:
            gc.freeze()

    @work(thread=True, exclusive=True, group="load")
    def load_rest(self) -> None:
        """Read and segment the remaining documents off the UI thread."""
        assert self.pending is not None
        loaded = 0
        total = self.pending_total
        batch: list[Document] = []
        self.call_from_thread(self._deliver, [], "loading more documents…", 0, total)
        try:
            for document in self.pending:
                batch.append(document)
                loaded += 1
                if len(batch) >= 8:
                    shown = f"{loaded}/{total}" if total else str(loaded)
                    self.call_from_thread(
                        self._deliver, batch, f"loaded {shown} more…", loaded, total
                    )
                    batch = []
        except Exception as error:  # a bad file late in a folder must not end the session
            self.call_from_thread(self.annotate_screen.say, f"Stopped loading: {error}", error=True)
        self.call_from_thread(self._deliver, batch, "", loaded, total)

    def _deliver(
        self, documents: list[Document], message: str, done: int, total: int | None
    ) -> None:
        if documents:
            self.session.add_documents(documents)
        if not message:
            # Loading is over: the corpus lives as long as the session, so keep the
            # collector from walking it again and again (pauses of 100 ms and more).
            gc.freeze()
        self.annotate_screen.documents_loaded(message, done, total)
