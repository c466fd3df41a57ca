"""The command palette of the annotation screens: every action and every label, by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.keys import KEY_ACTIONS
from annotator.tui.screens.help import key_display

if TYPE_CHECKING:
    from annotator.tui.screens.annotate import AnnotateScreen


class AnnotatorCommands(Provider):
    """Command palette entries: every action of the screen and every label."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        # Textual asks the providers of the screen the palette was opened on, and
        # only the annotation screens list this one.
        screen = cast("AnnotateScreen", self.screen)
        model = screen.session.suggester is not None
        for action in KEY_ACTIONS:
            if action.needs_model and not model:
                continue  # without --suggest these do nothing
            keys = key_display(action.keys, " or ")
            yield action.description.capitalize(), action.action, f"key: {keys}"
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
