"""Scroll ranges for the line-API widgets, set without laying out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView

from annotator.tui.textual_private import update_scrollbars


def set_scroll_size(view: ScrollView, size: Size) -> None:
    """Set ``view.virtual_size`` without a layout of the whole screen when it can be.

    ``virtual_size`` is a layout reactive: a new turn or document would lay out
    the screen again a frame after it is drawn, and that frame landed on the
    next keystroke. Only the view's scrollbar depends on it (its column is kept
    by ``scrollbar-gutter: stable``), so update the scroll range directly (a
    private Textual call, see ``annotator.tui.textual_private``), and lay out only
    if the scrollbar appears or goes.
    """
    if size == view.virtual_size:
        return
    if not view.is_mounted or size.width != view.virtual_size.width:
        view.virtual_size = size
        return
    shown = view.show_vertical_scrollbar
    view.set_reactive(type(view).virtual_size, size)
    update_scrollbars(view, size)
    if view.show_vertical_scrollbar != shown:
        view.refresh(layout=True)
