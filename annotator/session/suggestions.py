"""The model's suggestions for the open documents, as the session shows them.

A suggestion is made the first time a document's sentences are asked for, read
in context as the model was trained: the speaker's role, the place in the turn,
and the decision on the sentence before (excluded sentences passed over). That
last one changes as the analyst works, so whenever a sentence is decided,
undone or excluded, the suggestion for the sentence after it is made again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotator.log.anchor import Attachment
    from annotator.model import Document
    from annotator.suggest import Suggester, Suggestion

Location = tuple[int, int]


class SuggestionCache:
    """One model's suggestions, per open document, by sentence ``(start, end)``."""

    def __init__(self) -> None:
        self.suggester: Suggester | None = None
        self._found: dict[int, dict[Location, Suggestion]] = {}

    def use(self, suggester: Suggester | None) -> None:
        """Suggest with this model from now on (None: no suggestions)."""
        self.suggester = suggester
        self._found.clear()

    def forget(self, doc_index: int) -> None:
        """A document closed or its sentences changed (a merge or split)."""
        self._found.pop(doc_index, None)

    def for_document(
        self, doc_index: int, document: Document, attachment: Attachment
    ) -> dict[Location, Suggestion]:
        """Every sentence's suggestion in one document, made the first time asked."""
        found = self._found.get(doc_index)
        if found is None:
            found = self._found[doc_index] = self._suggest(document, attachment)
        return found

    def after(
        self, doc_index: int, document: Document, attachment: Attachment, decided: Location
    ) -> None:
        """Suggest again for the sentence after ``decided`` (and any excluded ones
        between), in a document whose suggestions were already made."""
        found = self._found.get(doc_index)
        if self.suggester is None or found is None:
            return
        spans = [span for turn in document.turns for span in turn.sentences]
        at = next((n for n, span in enumerate(spans) if span.location == decided), None)
        if at is None:
            return
        excluded = attachment.excluded()
        following: set[Location] = set()
        for span in spans[at + 1 :]:
            following.add(span.location)
            if span.location not in excluded:
                break
        found.update(self._suggest(document, attachment, following))

    def _suggest(
        self, document: Document, attachment: Attachment, only: set[Location] | None = None
    ) -> dict[Location, Suggestion]:
        if self.suggester is None:
            return {}
        decisions = attachment.decisions

        def decided(start: int, end: int) -> tuple[str, ...] | None:
            found = decisions.get((start, end))
            return tuple(found.labels) if found is not None else None

        return self.suggester.suggest_document(
            document, decided, only=only, excluded=attachment.excluded()
        )
