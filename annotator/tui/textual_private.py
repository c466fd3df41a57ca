"""The two places the TUI reaches into Textual's private API, and why.

Textual is pinned exactly (``textual==`` in pyproject.toml), and
``tests/tui/test_textual_private.py`` checks that both names still exist with the
shape used here, so an upgrade that renames or changes them fails there, with a
message naming this module, rather than somewhere in a keystroke.

``add_binding``
    Label keys come from ``labels.yaml`` (and the adjudication screen's take keys
    from the analysts in the logs), so they are known only when a screen is built,
    not when its class is: they cannot go in ``BINDINGS``. A node's own bindings
    are ``node._bindings``, a ``BindingsMap`` copied from its class's bindings when
    the node is built; this adds one ``Binding`` (with its ``id``, so
    ``annotator.toml`` can remap it through ``App.set_keymap``) to that copy.
    ``App.bind`` is public but binds on the app, takes no ``id``, and is documented
    as possibly becoming private. Move to a public per-node way of adding a
    ``Binding`` if Textual gains one.

``update_scrollbars``
    ``ScrollView.virtual_size`` is a layout reactive: setting it lays out the whole
    screen a frame later, and that frame landed on the analyst's next keystroke.
    Only the view's scrollbar depends on it, so ``widgets/scrolling.py`` sets the
    reactive without its watcher and asks ``Widget._scroll_update`` (what Textual
    itself runs after a layout) to resize the scrollbars and clamp the scroll
    offset. Move to a public call if Textual offers one that updates a view's
    scroll range without a layout.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Size
from textual.widget import Widget


def add_binding(node: DOMNode, binding: Binding) -> None:
    """Bind ``binding.key`` on ``node`` alone, beside the bindings of its class.

    The class's key lists are shared by every instance (the per-node map is a
    shallow copy), so the key's list is replaced, never appended to in place.
    """
    bindings = node._bindings.key_to_bindings
    bindings[binding.key] = [*bindings.get(binding.key, ()), binding]


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Resize ``widget``'s scrollbars for ``virtual_size`` and clamp its scroll offset."""
    widget._scroll_update(virtual_size)
