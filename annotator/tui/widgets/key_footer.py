"""The footer of keys, redrawn only when the keys it shows change.

Textual's ``Footer`` mounts a widget per key again whenever the screen publishes
its bindings: when a screen is pushed or popped, when focus moves. Coming back
from the document navigator or the label picker, that was about 30 ms of a
keystroke's frame for the same ten keys (``bench_tui.py``, go to a document: p99
84-122 ms before, 37-65 ms after). ``KeyFooter`` skips a redraw that would show
the keys it already shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget


def _shown_keys(screen: Screen[Any]) -> tuple[object, ...]:
    """What the footer would show: each shown binding's key, words, action and state."""
    return tuple(
        (binding.key, binding.description, binding.action, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """``Footer``, redrawn only when its keys change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: tuple[object, ...] | None = None

    def compose(self) -> Iterable[Widget]:
        drawn = False
        # Lazily, as Footer's own: its key groups are built as context managers.
        for widget in super().compose():
            drawn = True
            yield widget
        if drawn:  # Footer draws nothing until the screen first publishes its bindings
            self._drawn = _shown_keys(self.screen)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._drawn is None or _shown_keys(screen) != self._drawn:
            super().bindings_changed(screen)
