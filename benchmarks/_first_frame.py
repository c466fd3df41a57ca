"""Run a Textual app until its first frame, then exit: the child process ``bench_tui.py`` times.

``python benchmarks/_first_frame.py empty`` runs an empty ``App``;
``python benchmarks/_first_frame.py annotator ARGS...`` runs the ``annotator``
command line with ARGS (``annotate data/...``). Either way the app runs headless
at 120x40 and exits as soon as a frame of its first real screen has been rendered, so the
parent's wall-clock time for the whole process (interpreter start, imports,
reading, the first frame, exit) compares like with like. Kept free of heavy
imports of its own: what it imports is what is measured.
"""

from __future__ import annotations

import sys
from typing import Any

from textual.app import App


def exit_on_first_frame(skip_default: bool) -> None:
    """Make every ``App`` run headless and exit once a frame is rendered.

    ``skip_default``: wait for a screen the app pushed itself (the annotate
    screen), not Textual's default screen, which can be drawn first.
    """
    display = App._display
    run = App.run

    def displayed(self: App[Any], screen: Any, renderable: Any) -> None:
        display(self, screen, renderable)
        if renderable is not None and not (skip_default and screen.id == "_default"):
            self.exit()

    def headless_run(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        # The size of bench_tui's other rows and of the tmux check (headless default: 80x24).
        kwargs.update(headless=True, size=(120, 40))
        return run(self, *args, **kwargs)

    App._display = displayed  # type: ignore[method-assign]
    App.run = headless_run  # type: ignore[method-assign]


def main() -> None:
    what, *args = sys.argv[1:]
    if what == "empty":
        exit_on_first_frame(skip_default=False)
        App().run()
        return
    exit_on_first_frame(skip_default=True)
    from annotator.cli import main as annotator

    sys.argv = ["annotator", *args]
    annotator()


if __name__ == "__main__":
    main()
