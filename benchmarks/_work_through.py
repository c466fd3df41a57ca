"""Run ``annotator annotate`` headless and work through documents, then exit: the child
process ``bench_scale.py`` measures (time and peak memory) for an analyst working
through a corpus, not only opening it.

``python benchmarks/_work_through.py N annotate CORPUS -o LOG`` opens the corpus as
the command line does, waits until every document is reachable (a background loader,
before issue 16, had to finish), then goes to N documents spread over the corpus,
labels five sentences in each (saved to the log) and quits.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from textual.app import App

#: Sentences labelled in each document visited.
LABELLED = 5


async def work_through(screen: Any, documents: int) -> None:
    app, session = screen.app, screen.session
    while screen.loading_message or any(w.group == "load" for w in app.workers):
        await asyncio.sleep(0.05)
    count = len(session.documents)
    for k in range(documents):
        session.go_to_document(k * count // documents)
        screen.redraw(full=True)
        for _ in range(LABELLED):
            screen.action_toggle_label(0)
            screen.action_next()
        await asyncio.sleep(0)  # let a frame be drawn
    app.exit()


def main() -> None:
    documents, *args = sys.argv[1:]
    run = App.run

    def headless_run(self: App[Any], *a: Any, **kw: Any) -> Any:
        kw.update(headless=True, size=(120, 40))
        return run(self, *a, **kw)

    App.run = headless_run  # type: ignore[method-assign]
    from annotator.tui.screens.annotate import AnnotateScreen

    mounted = AnnotateScreen.on_mount

    def on_mount(self: AnnotateScreen) -> None:
        mounted(self)
        self.run_worker(work_through(self, int(documents)), group="bench")

    AnnotateScreen.on_mount = on_mount  # type: ignore[method-assign]
    from annotator.cli import main as annotator

    sys.argv = ["annotator", *args]
    annotator()


if __name__ == "__main__":
    main()
