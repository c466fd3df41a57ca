"""Work off the UI thread: the rest of the corpus arriving, and retraining the model.

The analyst keeps labelling while documents load and while a model trains; what
goes wrong in the background is told in the status line, and the session goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import current_labels
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from annotator.model import Document
from annotator.suggest import Suggestion
from annotator.tui.app import AnnotatorApp

SIZE = (120, 40)


def shown(app: AnnotatorApp, selector: str) -> str:
    """The text a widget shows on screen, line by line."""
    widget = app.screen.query_one(selector, Widget)
    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds (workers deliver in their own time)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    app = pilot.app
    assert isinstance(app, AnnotatorApp)
    raise AssertionError(
        f"the screen never got there:\n{shown(app, '#header')}\n{shown(app, '#status')}"
    )


def copies(sample: Document, count: int) -> list[Document]:
    return [replace(sample, id=f"copy-{index}") for index in range(count)]


async def test_documents_arrive_in_batches_while_the_analyst_labels(
    make_app, sample: Document, workdir: Path
) -> None:  # type: ignore[no-untyped-def]
    more = copies(sample, 19)
    release = threading.Event()

    def pending() -> Iterator[Document]:
        yield from more[:8]
        release.wait(10)  # the next document takes its time to read
        yield from more[8:]

    app = make_app([sample], pending=pending(), pending_total=19)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "loaded 8/19 more…" in shown(app, "#header"))
        assert app.screen.query_one("#loading").display
        assert "doc 1/9" in shown(app, "#header")
        first = app.session.sentence
        assert first is not None
        await pilot.press("1")  # the analyst works on while the rest loads
        assert current_labels(workdir, first.text) == ("commitment",)
        release.set()
        await until(pilot, lambda: len(app.session.documents) == 20)
        await until(pilot, lambda: not app.screen.query_one("#loading").display)
        header = shown(app, "#header")
        assert "doc 1/20" in header and "loaded" not in header


async def test_a_document_that_fails_to_load_stops_loading_with_a_notice(
    make_app, sample: Document
) -> None:  # type: ignore[no-untyped-def]
    def pending() -> Iterator[Document]:
        yield from copies(sample, 3)
        raise OSError("briefing-4.txt: Input/output error")

    app = make_app([sample], pending=pending(), pending_total=9)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Stopped loading" in shown(app, "#status"))
        assert "briefing-4.txt: Input/output error" in shown(app, "#status")
        # What was read before the failure is kept; the session goes on.
        await until(pilot, lambda: not app.screen.query_one("#loading").display)
        assert len(app.session.documents) == 4
        assert app.is_running
        await pilot.press("x")
        assert app.session.progress()[0] == 1


async def test_a_document_the_session_refuses_stops_loading_with_a_notice(
    make_app, sample: Document
) -> None:  # type: ignore[no-untyped-def]
    """Two files with the same id: the second is refused, and said so, not a crash."""
    more = copies(sample, 2)
    app = make_app([sample], pending=iter([*more, more[0]]), pending_total=3)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Stopped loading" in shown(app, "#status"))
        assert "already taken" in shown(app, "#status")
        await until(pilot, lambda: not app.screen.query_one("#loading").display)
        assert app.is_running
        assert [document.id for document in app.session.documents] == [
            sample.id,
            "copy-0",
            "copy-1",
        ]


class StandInModel:
    """What ``Suggester.load`` gives back after retraining: says commitment everywhere."""

    model_id = "retrained-2"
    threshold = 0.5
    labels = ("commitment",)
    model_dir = Path("model")

    def suggest_document(
        self, document: Document, decided: object = None, only: object = None, excluded: object = ()
    ) -> dict[tuple[int, int], Suggestion]:
        return {
            (span.start, span.end): Suggestion({"commitment": 0.9}, ("commitment",), 0.5)
            for turn in document.turns
            for span in turn.sentences
        }


async def test_retraining_shows_its_progress_then_the_new_model(
    make_app, sample: Document, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import annotator.suggest
    import annotator.suggest.suggester

    halfway = threading.Event()
    release = threading.Event()
    trained_with: dict[str, Any] = {}

    trainings = []

    def train_model(logs: list[Path], out_dir: Path, **options: Any) -> Any:
        trainings.append(out_dir)
        trained_with.update(options, logs=logs, out_dir=out_dir)
        options["progress"](0.5, "step 50 of 100")
        halfway.set()
        release.wait(10)

        class Report:
            summary = "held out: 80% exactly right"
            promise = "suggestions: shown where out of fold they were exactly right 70%"

        return Report()

    def read_model_meta(model_dir: Path) -> dict[str, Any]:
        return {"options": {"min_per_label": 3}}

    monkeypatch.setattr(annotator.suggest, "train_model", train_model)
    monkeypatch.setattr(annotator.suggest, "read_model_meta", read_model_meta)
    monkeypatch.setattr(annotator.suggest.suggester, "read_model_meta", read_model_meta)
    monkeypatch.setattr(annotator.suggest.Suggester, "load", lambda path: StandInModel())
    model_dir = workdir / "model"
    app = make_app([sample], model_dir=model_dir, training_logs=[workdir / "a.jsonl"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        assert "Retraining the model on your decisions" in shown(app, "#status")
        await until(pilot, lambda: "training: step 50 of 100" in shown(app, "#header"))
        assert app.screen.query_one("#loading").display
        # A second Ctrl+T while the first runs starts no second training (both wrote
        # the same folder).
        await pilot.press("ctrl+t")
        assert "already under way" in shown(app, "#status")
        release.set()
        await until(pilot, lambda: "New model retrained-2" in shown(app, "#status"))
        assert "held out: 80% exactly right" in shown(app, "#status")
        # When its suggestions are shown, in full, where the status line would cut it.
        said = [notice.message for notice in app._notifications]
        assert any("exactly right 70%" in message for message in said), said
        assert not app.screen.query_one("#loading").display
        assert app.session.suggester is not None
        assert app.session.suggester.model_id == "retrained-2"
        assert "model:" in shown(app, "#transcript")
    assert trainings == [model_dir]
    # Retraining repeats the options the model was trained with, on the session's logs.
    assert trained_with["min_per_label"] == 3 and trained_with["force"] is True
    assert trained_with["logs"] == [workdir / "a.jsonl"] and trained_with["out_dir"] == model_dir


async def test_retraining_a_model_folder_that_went_away_says_so_and_goes_on(
    make_app, sample: Document, workdir: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app([sample], model_dir=workdir / "deleted-model", training_logs=[])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await until(pilot, lambda: "Retraining failed" in shown(app, "#status"))
        # The status line may cut a long path short; the notification says it whole.
        said = [notice.message for notice in app._notifications]
        assert any("deleted-model: no such model folder" in message for message in said), said
        assert not app.screen.query_one("#loading").display
        assert app.is_running
        await pilot.press("x")  # the analyst goes on
        assert app.session.progress()[0] == 1


async def test_retraining_without_a_model_folder_says_how_to_get_one(
    make_app, sample: Document
) -> None:  # type: ignore[no-untyped-def]
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        assert "Retraining needs a model folder" in shown(app, "#status")
