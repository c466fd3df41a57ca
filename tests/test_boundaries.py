"""Analysts who merge or split sentences differently (issue 11, item 7): the units that
no longer line up are reported by agree, adjudicate and export, never dropped in
silence, and no export holds overlapping spans."""

from __future__ import annotations

import itertools
from pathlib import Path

from annotator.adjudication import open_adjudication
from annotator.agreement import read_codings
from annotator.export import collect_dataset
from annotator.log import AnnotationLog
from annotator.model import Document
from tests.builders import make_document

SENTENCES = ["We will act.", "We will act now.", "Thank you.", "Any questions?", "None."]


def document() -> Document:
    return make_document([("MR A", SENTENCES)], "doc", speaker_key=lambda s, i: "a")


def test_different_corrections_are_reported_everywhere(tmp_path: Path) -> None:
    doc = document()
    spans = doc.turns[0].sentences
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    with AnnotationLog.open(ana, "ana") as log:
        log.merge(doc, spans[0], spans[1])  # ana: sentences 1 and 2 are one
        merged = log.apply_corrections(doc).turns[0].sentences[0]
        log.decide(doc, 0, merged, ["commitment"])
        for span in spans[2:]:
            log.decide(doc, 0, span, ["procedural"])
    with AnnotationLog.open(ben, "ben") as log:
        for span in spans[:2]:
            log.decide(doc, 0, span, ["commitment"])
        for span in spans[2:]:
            log.decide(doc, 0, span, ["procedural" if span.text != "None." else "position"])
        split = log.apply_corrections(doc).turns[0].sentences[3]  # "Any questions?"
        log.split(doc, split, split.start + 4)

    codings = read_codings([ana, ben])
    # ana's merged sentence and ben's two parts cannot be compared; ben's decision on
    # the sentence he later split is retired, so ana alone coded it.
    assert {u.text for u in codings.units} == {"Thank you.", "Any questions?", "None."}
    (warning,) = [w for w in codings.warnings if "boundaries differ" in w]
    assert warning.startswith("3 sentences left out of agreement")

    dataset = collect_dataset([ana, ben], documents=[doc])
    spans_out = sorted((r.start, r.end) for r in dataset.records)
    for (_, end), (start, _) in itertools.pairwise(spans_out):
        assert end <= start  # no overlapping spans
    assert dataset.left_out.boundaries == 3
    assert any(
        "boundaries analysts corrected differently" in m for m in dataset.left_out.messages()
    )


def test_adjudication_says_what_it_cannot_show(tmp_path: Path) -> None:
    doc = document()
    (tmp_path / "doc.txt").write_text(doc.text, encoding="utf-8")
    spans = doc.turns[0].sentences
    ana, ben = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    with AnnotationLog.open(ana, "ana") as log:
        log.merge(doc, spans[0], spans[1])
        merged = log.apply_corrections(doc).turns[0].sentences[0]
        log.decide(doc, 0, merged, ["commitment"])
        log.decide(doc, 0, spans[4], ["procedural"])
    with AnnotationLog.open(ben, "ben") as log:
        for span in spans[:2]:
            log.decide(doc, 0, span, ["commitment"])
        log.decide(doc, 0, spans[4], ["position"])
    adjudication = open_adjudication([ana, ben], corpus=[tmp_path / "doc.txt"])
    assert len(adjudication.disputes) == 1
    assert any("boundaries differ" in w for w in adjudication.warnings)
