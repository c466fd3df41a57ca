"""The command palette of the annotation screens: every action and every label, by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.keys import KEY_ACTIONS

if TYPE_CHECKING:
    from annotator.tui.screens.annotate import AnnotateScreen


class AnnotatorCommands(Provider):
    """Command palette entries: every action of the screen and every label."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        # Textual asks the providers of the screen the palette was opened on, and
        # only the annotation screens list this one.
        screen = cast("AnnotateScreen", self.screen)
        for action in KEY_ACTIONS:
            yield action.description.capitalize(), action.action, f"key: {key_names(action.keys)}"
        for index, label in enumerate(screen.session.labels.labels):
            yield f"Label: {label.name}", f"toggle_label({index})", label.description

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.screen.run_action(action)

        return run


_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "slash": "/",
    "question_mark": "?",
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "home": "Home",
    "end": "End",
}


def key_names(keys: str) -> str:
    """``down,j`` as a person reads it: ``↓ or j``; ``ctrl+r,U``: ``Ctrl+R or U``."""
    shown = []
    for key in keys.split(","):
        if key.startswith("ctrl+"):
            shown.append("Ctrl+" + key[5:].upper())
        else:
            shown.append(_KEY_NAMES.get(key, key))
    return " or ".join(shown)
