"""Adjudication: two analysts' logs in, a gold log out, driven from the keyboard."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.adjudication import GOLD, open_adjudication
from annotator.log import AnnotationLog
from annotator.model import Document, LabelSet
from annotator.session import AnnotationSession
from annotator.tui.app import AnnotatorApp


def code(path: Path, name: str, document: Document, labels: LabelSet, picks: list[str]) -> None:
    """One analyst labels the first sentences of the document, one label each."""
    with AnnotationLog.open(path, name, labels=labels) as log:
        session = AnnotationSession([document], labels, log)
        session.resume()
        for pick in picks:
            session.decide((pick,))


async def test_take_an_analysts_labels_or_set_your_own(
    sample: Document, labels: LabelSet, workdir: Path
) -> None:
    ana, ben = workdir / "ana.jsonl", workdir / "ben.jsonl"
    code(ana, "ana", sample, labels, ["commitment", "procedural", "position", "criticism"])
    code(ben, "ben", sample, labels, ["commitment", "reassurance", "position", "cooperation"])
    adjudication = open_adjudication([ana, ben])
    disputed = [
        s.text
        for d in adjudication.documents
        for t in d.turns
        for s in t.sentences
        if adjudication.disputed(d.id, s.start, s.end)
    ]
    assert len(disputed) == 2 and adjudication.annotators == ("ana", "ben")
    gold = workdir / "gold.jsonl"
    log = AnnotationLog.open(gold, GOLD, labels=labels)
    session = AnnotationSession(
        list(adjudication.documents), labels, log, scope=adjudication.disputed
    )
    session.resume()
    app = AnnotatorApp(session, "gold.jsonl", adjudication=adjudication)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        codings = str(app.screen.query_one("#codings").render())
        assert "ana" in codings and "ben" in codings
        # The disputed sentence is shown in its turn: the others are there, as context.
        assert app.session.progress() == (0, 2)
        assert len(app.session.turn.sentences) > 1
        await pilot.press("B")  # take ben's labels for the first disputed sentence
        await pilot.pause()
        assert "1 decided this session" in str(app.screen.query_one("#status").render())
        assert "All 2 disputed sentences are settled" not in str(
            app.screen.query_one("#status").render()
        )
        await pilot.press("8", "enter")  # set cooperation ourselves on the second
        await pilot.pause()
        # The last dispute settled: the screen says so, and what to do next.
        assert "All 2 disputed sentences are settled" in str(
            app.screen.query_one("#status").render()
        )
    log.close()
    lines = [json.loads(line) for line in gold.read_text().splitlines()]
    assert [(line["text"], line["labels"]) for line in lines] == [
        (disputed[0], ["reassurance"]),
        (disputed[1], ["cooperation"]),
    ]
    assert {line["annotator"] for line in lines} == {"gold"}
    # A second adjudication still lists the disputes: the gold log is not an analyst.
    assert len(open_adjudication([ana, ben, gold]).disputes) == 2


def test_take_keys_never_shadow_a_label_or_an_action() -> None:
    from dataclasses import replace

    from annotator.keys import reserved_keys
    from annotator.labels import load_labels
    from annotator.tui.screens.adjudicate import take_keys

    labels = load_labels()
    first = replace(labels.labels[0], key="A")
    labels = replace(labels, labels=(first, *labels.labels[1:]))
    keys = take_keys(labels, {"flag": "B", "documents": "D"})
    assert keys[:3] == "CEG"  # A: a label; B: flag remapped; D: documents; F, U: actions
    assert not set(keys) & (set(reserved_keys()) | {"A", "B"})


def test_take_keys_never_shadow_a_chords_first_key() -> None:
    from dataclasses import replace

    from annotator.labels import load_labels
    from annotator.tui.screens.adjudicate import take_keys

    labels = load_labels()
    chord = replace(labels.labels[0], key="C1")
    labels = replace(labels, labels=(chord, *labels.labels[1:]))
    assert "C" not in take_keys(labels, {})
