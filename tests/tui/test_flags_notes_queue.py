"""Flags, notes and exclusions are not decisions; navigation is a queue of work.

Issue 11's failures 1-4, driven with Pilot as an analyst would press the keys;
each test asserts what the log holds (and what a fresh replay makes of it).
"""

from __future__ import annotations

from pathlib import Path

from conftest import LOG_NAME, document_from, log_lines

from annotator.log import AnnotationLog, read_log
from annotator.model import Document, LabelSet
from annotator.session import AnnotationSession
from annotator.tui.app import AnnotatorApp

SIZE = (120, 40)


def decided_texts(workdir: Path) -> set[str]:
    return {d.text for d in read_log(workdir / LOG_NAME).decisions()}


async def test_flag_on_an_undecided_sentence_leaves_it_undecided(
    make_app, sample: Document, workdir: Path
) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.sentence.text
        await pilot.press("f")
        assert app.session.decision is None
        assert app.session.progress()[0] == 0
        await pilot.press("g")  # next undecided: the flagged sentence is still to do
        await pilot.press("home")
        assert app.session.sentence.text == first
    (line,) = log_lines(workdir)
    assert (line["action"], line["flag"], line["answer"]) == ("mark", True, "ignore")
    assert decided_texts(workdir) == set()


async def test_note_on_an_undecided_sentence_then_labels_keep_the_note(
    make_app, sample: Document, workdir: Path
) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"unsure", "enter")
        assert app.session.decision is None
        await pilot.press("1")
    mark, label = log_lines(workdir)
    assert (mark["action"], mark["note"]) == ("mark", "unsure")
    assert (label["action"], label["labels"], label["note"]) == ("label", ["commitment"], "unsure")


async def test_a_note_can_be_removed(make_app, sample: Document, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "n", *"hedged", "enter")
        await pilot.press("n", *["backspace"] * 6, "enter")
    last = log_lines(workdir)[-1]
    assert last["labels"] == ["commitment"]
    assert last["note"] is None
    (decision,) = read_log(workdir / LOG_NAME).decisions()
    assert decision.note is None


async def test_exclude_is_not_a_decision_and_leaves_progress(
    make_app, sample: Document, workdir: Path
) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        total = app.session.progress()[1]
        await pilot.press("e")
        assert app.session.progress() == (0, total - 1)
        await pilot.press("u")
        assert app.session.progress() == (0, total)
        await pilot.press("e")
    actions = [line["action"] for line in log_lines(workdir)]
    assert actions == ["exclude", "clear", "exclude"]
    assert decided_texts(workdir) == set()


def test_resume_finds_the_first_undecided_sentence_of_the_whole_corpus(
    workdir: Path, labels: LabelSet, nlp
) -> None:  # type: ignore[no-untyped-def]
    """Document 1 complete, document 2 half done: reopening lands in document 2, even
    when document 2 arrives after the first screen (as the background loader adds it)."""
    one = document_from("MR A: First point. Second point.", nlp, "one")
    two = document_from("MR B: Third point. Fourth point. Fifth point.", nlp, "two")
    path = workdir / LOG_NAME
    with AnnotationLog.open(path, "analyst", labels=labels) as log:
        session = AnnotationSession([one, two], labels, log)
        session.resume()
        for _ in range(3):
            session.toggle_label("commitment")
            session.next()
    with AnnotationLog.open(path, "analyst", labels=labels) as log:
        session = AnnotationSession([one], labels, log)
        session.resume()  # the first screen, before the rest of the corpus is loaded
        session.add_documents([two])
        assert session.sentence is not None and session.sentence.text == "Fourth point."


async def test_order_uncertain_never_lands_on_a_decided_sentence(
    workdir: Path, labels: LabelSet, sample: Document
) -> None:
    path = workdir / LOG_NAME
    with AnnotationLog.open(path, "analyst", labels=labels) as log:
        session = AnnotationSession([sample], labels, log)
        session.resume()
        spans = [s for t in sample.turns for s in t.sentences]
        # Pretend the model ranked every sentence; decide a few of them first.
        from annotator.session import Position

        session.order = [
            Position(0, t, i)
            for t, turn in enumerate(sample.turns)
            for i in range(len(turn.sentences))
        ]
        for _ in range(3):
            session.next()
            session.toggle_label("commitment")
        session.position = session.order[0]
        visited = []
        while session.next():
            visited.append(session.position)
            assert session.decision is None
        assert len(visited) == len(spans) - 1 - 3
    assert isinstance(AnnotatorApp, type)


async def test_a_filter_dims_what_it_hides_and_says_when_no_more_match(
    make_app, sample: Document, workdir: Path
) -> None:
    from annotator.session import Filter
    from annotator.tui.widgets.transcript_view import TranscriptView

    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "f")  # flag the second sentence of the first turn
        flagged = app.session.sentence.text
        assert app.session.set_filter(Filter("flagged"))
        app.screen.redraw(full=True)
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        count = len(app.session.turn.sentences)
        assert view._out_of_scope == set(range(count)) - {1}  # the rest dimmed as context
        await pilot.press("j")  # nothing flagged after it
        status = str(app.screen.query_one("#status").render())
        assert "No more flagged sentences after this one" in status
        assert app.session.sentence.text == flagged
        await pilot.press("k")
        status = str(app.screen.query_one("#status").render())
        assert "No more flagged sentences before this one" in status
