"""Suggestions in the annotation screen: shown, accepted, edited, and visited least-sure first.

A stand-in model scores sentences by keywords, so the screen's behaviour is
tested without training (the model itself is tested in tests/test_suggest.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

from annotator.model import Document
from annotator.suggest import Suggestion
from annotator.suggest.features import SentenceContext
from annotator.tui.widgets.transcript_view import TranscriptView
from tests.stand_ins import ContextModel

SIZE = (120, 40)


class KeywordModel:
    """Scores "deterrence" as commitment, "nuclear" as threat assessment.

    It is not sure of its "nuclear" calls (0.55, the closest to the threshold), so
    those suggestions are not to be shown. Like ``Suggester`` it reads whole
    documents in context; it has no words-only ``suggest``, so a screen that
    scored sentences out of their turns would fail here.
    """

    model_id = "keywords-1"
    threshold = 0.5
    labels = ("commitment", "threat assessment")
    model_dir = Path("keywords")

    def suggest_document(
        self,
        document: Document,
        decided: object = None,
        only: Collection[tuple[int, int]] | None = None,
        excluded: object = (),
    ) -> dict[tuple[int, int], Suggestion]:
        found = {}
        for span in (s for turn in document.turns for s in turn.sentences):
            if only is not None and span.location not in only:
                continue
            lower = span.text.lower()
            scores = {
                "commitment": 0.9 if "deterrence" in lower else 0.1,
                "threat assessment": 0.55 if "nuclear" in lower else 0.05,
            }
            chosen = tuple(name for name in self.labels if scores[name] >= self.threshold)
            sure = "nuclear" not in lower
            found[(span.start, span.end)] = Suggestion(
                scores, chosen, self.threshold, confident=sure
            )
        return found


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#status").render())


def last_line(workdir: Path) -> dict[str, object]:
    lines = (workdir / "annotations" / "analyst.jsonl").read_text().splitlines()
    return json.loads(lines[-1])


async def test_accept_with_a_or_enter_records_the_model(make_app, sample: Document, workdir):  # type: ignore[no-untyped-def]
    app = make_app([sample])
    app.session.use_suggester(KeywordModel())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.export_screenshot()
        assert "model:" in screen and "commitment" in screen
        first = app.session.sentence
        assert first is not None and "Deterrence" in first.text
        await pilot.press("a")
        line = last_line(workdir)
        assert line["labels"] == ["commitment"]
        assert line["meta"]["suggested_by"] == "keywords-1"  # type: ignore[index]
        assert line["meta"]["suggested"] == ["commitment"]  # type: ignore[index]
        await pilot.press("enter")  # undecided, with a suggestion: Enter accepts it too
        assert last_line(workdir)["meta"]["suggested_by"] == "keywords-1"  # type: ignore[index]


async def test_label_keys_edit_the_suggestion(make_app, sample: Document, workdir):  # type: ignore[no-untyped-def]
    app = make_app([sample])
    app.session.use_suggester(KeywordModel())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")  # the model said commitment; add procedural to it
        line = last_line(workdir)
        assert line["labels"] == ["commitment", "procedural"]
        assert line["meta"]["suggested"] == ["commitment"]  # type: ignore[index]


async def test_uncertain_order_visits_the_closest_call_first(make_app, sample: Document, workdir):  # type: ignore[no-untyped-def]
    app = make_app([sample])
    app.session.use_suggester(KeywordModel())
    app.session.order_by_uncertainty()
    app.session.resume()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # "nuclear" scores 0.55, the closest to the 0.5 threshold.
        span = app.session.sentence
        assert span is not None and "nuclear" in span.text.lower()
        # The model is not sure of it: no suggestion to show, and "a" records nothing.
        assert app.session.suggestion is None
        before = (workdir / "annotations" / "analyst.jsonl").read_text()
        await pilot.press("a")
        assert (workdir / "annotations" / "analyst.jsonl").read_text() == before
        assert app.session.sentence == span
        await pilot.press("x")
        after = app.session.sentence
        assert after is not None and after != span and "nuclear" in after.text.lower()
        view = app.screen.query_one(TranscriptView)
        assert view.rows


def test_uncertain_order_per_document_keeps_documents_in_reading_order(
    sample: Document, make_app
) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    second = replace(sample, id="second")
    app = make_app([sample, second])
    app.session.use_suggester(KeywordModel())
    app.session.order_by_uncertainty(per_document=True)
    order = app.session.order
    assert order is not None
    docs = [position.doc for position in order]
    assert docs == sorted(docs)  # all of the first document, then the second
    app.session.order_by_uncertainty()
    across = [p.doc for p in app.session.order or []]
    # Across the corpus, the second document's closest calls come before the first's sure ones.
    assert across.index(1) < len(across) - 1 - across[::-1].index(0)


async def test_the_status_line_says_how_often_suggestions_were_taken_unchanged(  # type: ignore[no-untyped-def]
    make_app, sample: Document, workdir
):
    app = make_app([sample])
    app.session.use_suggester(KeywordModel())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")  # taken as it was
        assert "suggestions taken unchanged: 1/1 (100%)" in status(app)
        while app.session.suggestion is None or not app.session.suggestion.labels:
            await pilot.press("j")  # the next sentence the model labels
        await pilot.press("3")  # edited: commitment + procedural
        assert "suggestions taken unchanged: 1/2 (50%)" in status(app)
        assert (app.session.suggestions_taken, app.session.suggestions_decided) == (1, 2)
        while app.session.suggestion is None:
            await pilot.press("j")
        await pilot.press("x")  # turned down: recorded with what was suggested
        line = last_line(workdir)
        assert line["labels"] == [] and line["meta"]["suggested_by"] == "keywords-1"  # type: ignore[index]
        taken = 2 if not line["meta"]["suggested"] else 1  # type: ignore[index]
        assert app.session.suggestions_decided == 3 and app.session.suggestions_taken == taken


class FollowingModel(ContextModel):
    """Suggests commitment only after a sentence decided commitment, as a model that
    reads the decision on the sentence before does."""

    model_id = "following-1"
    labels = ("commitment",)
    model_dir = Path("following")

    def suggest_one(self, text: str, context: SentenceContext) -> Suggestion:
        yes = context.previous is not None and "commitment" in context.previous
        return Suggestion(
            {"commitment": 0.9 if yes else 0.1},
            ("commitment",) if yes else (),
            0.5,
            confident=yes,
        )


async def test_the_next_row_shows_the_suggestion_that_follows_a_decision(
    make_app, sample: Document, workdir
):  # type: ignore[no-untyped-def]
    """A label key leaves the cursor where it is (multi-label), and the row below
    shows at once what the model now suggests for it; undo takes that back."""
    app = make_app([sample])
    app.session.use_suggester(FollowingModel())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "model:" not in app.export_screenshot()
        await pilot.press("1")  # commitment on the first sentence
        await pilot.pause()
        shown = app.export_screenshot()
        assert "model:" in shown and "0.90" in shown
        await pilot.press("u")
        await pilot.pause()
        assert "model:" not in app.export_screenshot()
