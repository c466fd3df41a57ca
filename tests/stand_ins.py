"""Stand-ins for a trained model, for the session and screen tests: no training, and
suggestions chosen by the test."""

from __future__ import annotations

from collections.abc import Callable, Collection

from annotator.model import Document
from annotator.suggest import Suggestion
from annotator.suggest.features import SentenceContext, document_contexts


class ContextModel:
    """A stand-in for ``Suggester`` that reads each sentence in context as
    ``Suggester.suggest_document`` does (role, place, the decision on the sentence
    before) and asks ``suggest_one`` for its suggestion (None: none at all)."""

    model_id = "stand-in"
    threshold = 0.5

    def suggest_one(self, text: str, context: SentenceContext) -> Suggestion | None:
        raise NotImplementedError

    def suggest_document(
        self,
        document: Document,
        decided: Callable[[int, int], tuple[str, ...] | None] | None = None,
        only: Collection[tuple[int, int]] | None = None,
        excluded: Collection[tuple[int, int]] = (),
    ) -> dict[tuple[int, int], Suggestion]:
        found = {}
        for start, end, text, context in document_contexts(document, decided, only, excluded):
            suggestion = self.suggest_one(text, context)
            if suggestion is not None:
                found[(start, end)] = suggestion
        return found
