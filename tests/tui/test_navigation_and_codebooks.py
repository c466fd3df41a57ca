"""The screen for a day of coding (issue 15): every label in sight at every size, a
document navigator, a label picker for codebooks of any size, exclusion."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import LOG_NAME, document_from, log_lines
from textual.widgets import OptionList, Static

from annotator.log import AnnotationLog
from annotator.model import Document, Label, LabelSet
from annotator.session import AnnotationSession
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.navigator import DocumentNavigator, LabelPicker
from annotator.tui.widgets.key_footer import KeyFooter
from annotator.tui.widgets.label_panel import LabelEntry, LabelPanel

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def big_codebook(size: int = 60) -> LabelSet:
    """A codebook larger than a keyboard row: the first ten have keys, the rest not."""
    keys = "1234567890"
    return LabelSet(
        tuple(
            Label(
                f"topic {n:02d}",
                keys[n] if n < 10 else "",
                description=f"Policy topic number {n}",
                color=COLOURS[n % len(COLOURS)],
            )
            for n in range(size)
        ),
        source="big.yaml",
    )


def app_over(
    workdir: Path, documents: list[Document], labels: LabelSet
) -> tuple[AnnotatorApp, AnnotationLog]:
    log = AnnotationLog.open(workdir / LOG_NAME, "analyst", labels=labels)
    session = AnnotationSession(documents, labels, log)
    session.resume()
    return AnnotatorApp(session, LOG_NAME), log


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_every_shipped_label_is_on_screen_at_every_size(
    make_app, sample: Document, size: tuple[int, int]
) -> None:
    app = make_app([sample])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(LabelPanel)
        entries = list(app.screen.query(LabelEntry))
        assert len(entries) == 10
        for entry in entries:
            assert entry.region.height == 1  # one line per label
            assert panel.region.contains_region(entry.region), entry.label.name


async def test_a_long_codebook_says_how_many_labels_are_out_of_sight(
    workdir: Path, sample: Document
) -> None:
    app, log = app_over(workdir, [sample], big_codebook())
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            title = str(app.screen.query_one(LabelPanel)._title.render())
            assert "more ↕" in title
    finally:
        log.close()


async def test_the_label_picker_reaches_labels_beyond_the_keys(
    workdir: Path, sample: Document
) -> None:
    app, log = app_over(workdir, [sample], big_codebook())
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("l")
            assert isinstance(app.screen, LabelPicker)
            await pilot.press(*"topic 42", "enter")
            assert not isinstance(app.screen, LabelPicker)
            await pilot.press("l", *"47", "enter")
    finally:
        log.close()
    assert [line["labels"] for line in log_lines(workdir)] == [
        ["topic 42"],
        ["topic 42", "topic 47"],
    ]


async def test_the_document_navigator_jumps_to_the_first_sentence_to_do(
    workdir: Path, labels: LabelSet, nlp
) -> None:  # type: ignore[no-untyped-def]
    one = document_from("MR A: First point. Second point.", nlp, "alpha")
    two = document_from("MR B: Third point. Fourth point. Fifth point.", nlp, "bravo")
    app, log = app_over(workdir, [one, two], labels)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # Bravo's first sentence is decided before the jump.
            app.session.go_to_document(1)
            app.session.toggle_label("commitment")
            app.session.go_to(0, 0, 0)
            await pilot.press("D")
            assert isinstance(app.screen, DocumentNavigator)
            await pilot.press(*"brav", "enter")
            assert app.session.position.doc == 1
            assert app.session.sentence is not None
            assert app.session.sentence.text == "Fourth point."
    finally:
        log.close()


async def test_coming_back_from_the_navigator_keeps_the_footer_as_it_was(
    workdir: Path, labels: LabelSet, nlp
) -> None:  # type: ignore[no-untyped-def]
    """The same keys are shown before and after: the footer is not built again (it
    cost a frame's worth of a keystroke on every return)."""
    one = document_from("MR A: First point. Second point.", nlp, "alpha")
    two = document_from("MR B: Third point.", nlp, "bravo")
    app, log = app_over(workdir, [one, two], labels)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            keys = list(app.screen.query_one(KeyFooter).query("FooterKey"))
            assert [key.description for key in keys][:2] == ["help", "quit"]
            await pilot.press("D")
            assert isinstance(app.screen, DocumentNavigator)
            await pilot.press("escape")
            await pilot.pause()
            assert list(app.screen.query_one(KeyFooter).query("FooterKey")) == keys
    finally:
        log.close()


async def test_a_long_title_is_cut_on_its_row_not_wrapped_under_the_ids(
    workdir: Path, labels: LabelSet, nlp
) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns a press conference's title wrapped onto a second line that sat
    in the id column; every document keeps one row."""
    title = "Transcript of Chair Powell's Press Conference Call, March 15, 2020"
    documents = [
        replace(
            document_from("MR A: First point.", nlp, f"24_fomc-presser-2020-03-{n}"), title=title
        )
        for n in range(10, 13)
    ]
    app, log = app_over(workdir, documents, labels)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("D")
            listing = app.screen.query_one(OptionList)
            await pilot.pause()
            assert listing.option_count == 3
            assert listing.virtual_size.height == 3  # one line per document
    finally:
        log.close()


async def test_a_label_and_its_count_keep_one_line_at_80_columns(workdir: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    """A long label with its count wrapped at 80 columns, the count alone on a second
    line; now the name is cut and the count keeps its own column."""
    labels = LabelSet(
        (
            Label("threat assessment (regional)", "1", color=COLOURS[0]),
            Label("procedural", "2", color=COLOURS[1]),
        ),
        source="long.yaml",
    )
    document = document_from("MR A: First point. Second point.", nlp, "alpha")
    app, log = app_over(workdir, [document], labels)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1")
            await pilot.pause()
            panel = app.screen.query_one(LabelPanel)
            entry = panel.entries[0]
            assert entry.count == 1
            assert entry.size.height == 1
            assert "1" in str(entry.query_one(".count", Static).render())
    finally:
        log.close()


async def test_resuming_deep_in_a_long_turn_shows_the_sentence(
    workdir: Path, labels: LabelSet
) -> None:
    """Resumed at sentence 61 of an 80-sentence turn (a hearing, a press conference),
    the screen opened at the top of the turn with the cursor out of sight."""
    from annotator.tui.widgets.transcript_view import TranscriptView
    from tests.builders import make_document

    said = [f"Point number {i} of a long statement that goes on for a while." for i in range(80)]
    document = make_document([("MR A", said)], "long")
    app, log = app_over(workdir, [document], labels)
    turn = document.turns[0]
    for span in turn.sentences[:60]:
        log.decide(document, turn, span, ["commitment"])
    app.session.resume()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            view = app.screen.query_one(TranscriptView)
            top = view.sentence_line(60)
            assert view.scroll_y <= top < view.scroll_y + view.size.height
    finally:
        log.close()


def test_the_turn_list_names_the_person_first_when_the_label_is_long() -> None:
    from annotator.tui.widgets.turn_list import turn_prompt

    row = turn_prompt(0, "FOREIGN MINISTER KAMIKAWA", 2, 7, key="kamikawa").plain
    assert row.split()[1] == "KAMIKAWA"
    assert turn_prompt(1, "MR MILLER", 0, 3, key="miller").plain.split()[1:3] == ["MR", "MILLER"]
    # A turn with nothing to code (context in adjudication) keeps the count column:
    # its long name is cut as a counted one is, never run into that column.
    context = turn_prompt(2, "FOREIGN MINISTER KAMIKAWA", 0, 0, key="kamikawa").plain
    assert len(context) == len(row) and context.endswith("–")


GROUPED = """
labels:
  - name: alliances
    group: Defense
    key: d1
  - name: weapons
    group: Defense
    key: d2
  - name: tariffs
    group: Trade
    key: t1
  - name: procedural
"""


async def test_a_grouped_codebook_takes_two_key_chords(workdir: Path, sample: Document) -> None:
    from annotator.labels import parse_labels

    labels = parse_labels(GROUPED)
    assert [label.key for label in labels.labels] == ["d1", "d2", "t1", "1"]
    app, log = app_over(workdir, [sample], labels)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            panel = app.screen.query_one(LabelPanel)
            groups = [str(s.render()) for s in panel.query(".label-group")]
            assert groups == ["Defense", "Trade"]
            first = app.session.sentence
            await pilot.press("d")
            status = str(app.screen.query_one("#status").render())
            assert "d… Defense: 1 alliances  2 weapons" in status
            await pilot.press("2")
            assert app.session.line_at(app.session.position).labels == ("weapons",)
            await pilot.press("t", "z")  # no such chord: nothing recorded
            status = str(app.screen.query_one("#status").render())
            assert "No label on t z" in status
            await pilot.press("t", "1")
            assert app.session.sentence == first
    finally:
        log.close()
    assert [line["labels"] for line in log_lines(workdir)] == [["weapons"], ["weapons", "tariffs"]]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("[d1, d]", "chord 'd1' starts with 'd', the key of label"),
        ("[f1, 2]", "'f1' starts with 'f', a navigation key"),
        ("[zzz, 2]", "is not a key: give one printable key"),
    ],
)
def test_chords_are_checked_against_labels_and_actions(keys: str, message: str) -> None:
    from annotator.errors import LabelsError
    from annotator.labels import parse_labels

    first, second = keys.strip("[]").split(", ")
    text = f"labels:\n  - name: a\n    key: {first}\n  - name: b\n    key: {second}\n"
    with pytest.raises(LabelsError, match=message):
        parse_labels(text)
