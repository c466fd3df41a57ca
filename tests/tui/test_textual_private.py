"""The private Textual names ``annotator.tui.textual_private`` uses are still there.

A Textual upgrade that renames or changes them fails here, naming the module to
fix, instead of in the middle of a keystroke (see that module's docstring for the
public API to move to).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView

import annotator.tui
from annotator.tui.textual_private import add_binding, update_scrollbars

FIX = "Textual changed a private API: update annotator/tui/textual_private.py"


def test_a_node_has_its_own_bindings_map_of_keys_to_binding_lists() -> None:
    screen = Screen[None]()
    bindings = getattr(screen, "_bindings", None)
    assert isinstance(bindings, BindingsMap), f"{FIX} (DOMNode._bindings is gone)"
    assert isinstance(bindings.key_to_bindings, dict), f"{FIX} (BindingsMap.key_to_bindings)"
    assert all(
        isinstance(key, str) and isinstance(found, list)
        for key, found in bindings.key_to_bindings.items()
    ), f"{FIX} (key_to_bindings no longer maps a key to a list of bindings)"


def test_scroll_update_takes_the_virtual_size() -> None:
    method = getattr(ScrollView, "_scroll_update", None)
    assert callable(method), f"{FIX} (Widget._scroll_update is gone)"
    parameters = list(inspect.signature(method).parameters)
    assert parameters == ["self", "virtual_size"], f"{FIX} (_scroll_update{parameters})"


class Quiet(Screen[None]):
    BINDINGS = [Binding("y", "say('class')", "class binding")]

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []

    def action_say(self, word: str) -> None:
        self.said.append(word)


class Tall(ScrollView):
    """A view whose content is taller than the screen."""


class TwoScreens(App[None]):
    def compose(self) -> ComposeResult:
        yield Tall()


async def test_an_added_binding_works_on_its_screen_alone() -> None:
    app = TwoScreens()
    async with app.run_test(size=(40, 10)) as pilot:
        first, second = Quiet(), Quiet()
        add_binding(first, Binding("z", "say('z')", "added", id="test.z"))
        # A key the class binds too: the class's list is shared, and must stay as it was.
        add_binding(first, Binding("y", "say('added y')", "added on a class key", id="test.y"))
        assert len(Quiet()._bindings.key_to_bindings["y"]) == 1
        await app.push_screen(second)
        await pilot.press("z", "y")
        await app.push_screen(first)
        await pilot.press("z")
        assert second.said == ["class"], "a binding added to one screen reached another"
        assert first.said == ["z"], f"{FIX} (an added binding does not fire)"


async def test_update_scrollbars_sizes_the_scrollbar_to_the_new_range() -> None:
    app = TwoScreens()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(Tall)
        view.virtual_size = Size(30, 100)
        await pilot.pause()
        view.set_reactive(Tall.virtual_size, Size(30, 300))
        update_scrollbars(view, Size(30, 300))
        assert view.vertical_scrollbar.window_virtual_size == 300, FIX


def test_only_textual_private_reaches_into_textual() -> None:
    """Every other TUI module keeps to Textual's public API."""
    private = re.compile(r"\._bindings\b|\._scroll_update\b")
    root = Path(annotator.tui.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "textual_private.py" and private.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use annotator.tui.textual_private instead"
