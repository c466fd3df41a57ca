"""The annotation screen, driven with Textual's Pilot; every test checks what the log holds."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from conftest import LOG_NAME, current_labels, document_from, log_lines

from annotator.errors import StoreError
from annotator.log import AnnotationLog
from annotator.model import LabelSet
from annotator.session import AnnotationSession
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.help import HelpScreen
from annotator.tui.widgets.transcript_view import TranscriptView, between_turns

SIZE = (120, 40)


def focused_text(app: AnnotatorApp) -> str:
    span = app.session.sentence
    assert span is not None
    return span.text


async def test_label_keys_toggle_and_enter_moves_on(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("1", "2")
        assert current_labels(workdir, first) == ("commitment", "threat assessment")
        await pilot.press("2")
        assert current_labels(workdir, first) == ("commitment",)
        await pilot.press("enter")
        assert focused_text(app) != first
        second = focused_text(app)
        await pilot.press("x")
        assert current_labels(workdir, second) == ()
    lines = log_lines(workdir)
    assert [line["labels"] for line in lines] == [
        ["commitment"],
        ["commitment", "threat assessment"],
        ["commitment"],
        [],
    ]
    # Prodigy's fields are on every line.
    assert lines[-1]["answer"] == "accept" and lines[-1]["_annotator_id"] == "analyst"


async def test_enter_without_labels_does_not_decide(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("enter")
        assert focused_text(app) == first
        await pilot.press("space")
        assert focused_text(app) != first
    assert log_lines(workdir) == []


async def test_exclusive_labels_decide_with_one_key(
    make_app, sample, workdir: Path, labels: LabelSet
) -> None:
    exclusive = LabelSet(labels.labels[:3], exclusive=True, source="x.yaml")
    app = make_app([sample], exclusive)
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("3")
        assert focused_text(app) != first
        await pilot.press("up", "1")
    assert current_labels(workdir, first) == ("commitment",)


async def test_undo_and_redo_append_lines(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("1", "enter", "3")
        second = focused_text(app)
        await pilot.press("u")
        assert current_labels(workdir, second) is None
        await pilot.press("u")
        assert current_labels(workdir, first) is None
        assert focused_text(app) == first
        await pilot.press("ctrl+r")
        assert current_labels(workdir, first) == ("commitment",)
        await pilot.press("U")
        assert current_labels(workdir, second) == ("procedural",)
    assert len(log_lines(workdir)) == 6


async def test_note_and_flag(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("4", "f", "n")
        await pilot.press(*"hedged", "enter")
    last = log_lines(workdir)[-1]
    assert last["text"] == first
    assert last["labels"] == ["reassurance"]
    assert last["flag"] is True
    assert last["note"] == "hedged"


async def test_merge_and_split_survive_reopening(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        count = len(app.session.turn.sentences)
        await pilot.press("m")
        merged = focused_text(app)
        assert merged.startswith(first) and len(merged) > len(first)
        assert len(app.session.turn.sentences) == count - 1
        await pilot.press("s")
        await pilot.press("enter")
        assert len(app.session.turn.sentences) == count
        assert focused_text(app) != merged
    app.session.log.close()
    # Reopen as the next session would: the corrections are in the log.
    log = AnnotationLog.open(workdir / LOG_NAME, "analyst")
    try:
        reopened = AnnotationSession([sample], app.session.labels, log)
        assert [s.text for s in reopened.documents[0].turns[0].sentences] == [
            s.text for s in app.session.documents[0].turns[0].sentences
        ]
    finally:
        log.close()


async def test_reopening_resumes_at_first_undecided(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "x", "x")
        fourth = focused_text(app)
        await pilot.press("q")
    app.session.log.close()
    again = make_app([sample])
    async with again.run_test(size=SIZE):
        assert focused_text(again) == fourth


async def test_search_filter_and_next_undecided(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"nuclear", "enter")
        assert "nuclear" in focused_text(app).lower()
        await pilot.press("home", "x")
        await pilot.press("home", "g")
        assert app.session.decision is None
        # Filter: only undecided sentences; the decided first one is skipped.
        await pilot.press("F")
        await pilot.press("down", "enter")
        assert app.session.filter.kind == "undecided"
        await pilot.press("home")
        await pilot.press("up")
        assert app.session.decision is None


async def test_a_search_that_found_nothing_is_not_said_after_the_cursor_moves(
    make_app, sample
) -> None:
    """The miss stayed in the status line through later moves, as if about them."""
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:

        def status() -> str:
            return str(app.screen.query_one("#status").render())

        await pilot.press("slash", *"zzzq", "enter")
        assert "is not in any sentence" in status()
        await pilot.press("g")
        assert "zzzq" not in status()
        await pilot.press("home", "up")  # the first sentence: there is no previous one
        assert "This is the first sentence." in status()
        await pilot.press("down")
        assert "first sentence" not in status()


async def test_help_screen_and_quit_message(make_app, sample) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("1", "q")
    assert app.return_value is not None
    assert "All saved" in app.return_value and LOG_NAME in app.return_value


async def test_quitting_at_once_says_no_log_was_made(make_app, sample) -> None:
    """Open and quit: the log this session made is removed on close, so the summary
    must not name it as holding the work."""
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert app.return_value is not None and "no log was made" in app.return_value


async def test_mouse_clicks_on_sentences_labels_and_turns(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        third = app.session.turn.sentences[2].text
        y = view.sentence_line(2) - view.scroll_offset.y
        await pilot.click(TranscriptView, offset=(12, y))
        assert focused_text(app) == third
        entry = app.screen.query(".label-entry")[1]
        await pilot.click(entry)
        assert current_labels(workdir, third) == ("threat assessment",)
        await pilot.click("#turns", offset=(5, 2))
        assert app.session.position.turn == 2


async def test_transcript_text_is_never_markup(make_app, nlp, workdir: Path) -> None:
    text = (
        "MR MILLER: This is [bold]not bold[/bold] and [@click=app.quit]no link[/]. "
        "An escape \x1b[31mred\x1b[0m stays text.\n"
    )
    document = document_from(text, nlp)
    app = make_app([document])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "[bold]not bold[/bold]" in screen
        assert "[@click=app.quit]no link[/]" in screen
        assert "\\u001b[31mred" in screen
        for index in range(len(view.rows)):
            y = view.sentence_line(index) - view.scroll_offset.y
            await pilot.click(TranscriptView, offset=(12, y))
        assert app.is_running
        await pilot.press("home", "1")
    assert any("[@click=app.quit]" in line["text"] for line in log_lines(workdir))


async def test_a_heading_between_turns_is_shown_above_the_next_turn(
    make_app, nlp, workdir: Path
) -> None:
    """A topic heading between two speakers (``## Sudan``) is never labelled, but the
    analyst reads it, dimmed, above the turn it opens; the next speaker's label and
    HTML-only lines are not repeated there."""
    text = (
        "MR. PRICE: Good afternoon. Let me start with Sudan.\n\n"
        "## Sudan\n\n"
        '<center><img src="/image/1.jpg"></center>\n\n'
        "QUESTION: What is the latest on the ceasefire?\n"
    )
    document = document_from(text, nlp)
    assert between_turns(document, 1) == "## Sudan"
    assert between_turns(document, 0) == ""
    app = make_app([document])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "## Sudan" not in html.unescape(app.export_screenshot())
        await pilot.press("pagedown")
        await pilot.pause()
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "## Sudan" in screen and "img src" not in screen


async def test_failed_write_is_shown_and_not_recorded(
    make_app, sample, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app([sample])
    async with app.run_test(size=SIZE) as pilot:

        def full_disk(*args: object, **kwargs: object) -> None:
            raise StoreError("annotations/analyst.jsonl: cannot write: No space left on device")

        monkeypatch.setattr(app.session.log, "decide", full_disk)
        first = focused_text(app)
        await pilot.press("1")
        status = str(app.screen.query_one("#status").render())
        assert "NOT SAVED" in status and "No space left" in status
        assert app.session.decision is None
        assert focused_text(app) == first
    assert log_lines(workdir) == []


async def test_keymap_from_config_remaps_an_action(make_app, sample, workdir: Path) -> None:
    app = make_app([sample], keymap={"no_label": "z"})
    async with app.run_test(size=SIZE) as pilot:
        first = focused_text(app)
        await pilot.press("z")
    assert current_labels(workdir, first) == ()


async def test_narrow_terminal_still_works(make_app, sample, workdir: Path) -> None:
    app = make_app([sample])
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.has_class("-narrow")
        first = focused_text(app)
        await pilot.press("5", "enter")
    assert current_labels(workdir, first) == ("position",)
