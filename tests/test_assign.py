"""Work lists: the overlap is what was asked, the draw is reproducible, order is kept."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.assign import (
    WorklistError,
    load_worklist,
    plan_assignment,
    write_assignment,
)
from annotator.cli import app
from annotator.corpus import write_corpus
from annotator.model import Document, Span, Turn
from tests.builders import numbered_document


def make_document(doc_id: str, sentences: int) -> Document:
    return numbered_document(doc_id, sentences, per_turn=sentences)


DOCUMENTS = [make_document("a", 120), make_document("b", 80)]
ALL = [(d.id, s.start, s.end) for d in DOCUMENTS for s in d.turns[0].sentences]


def keys(worklist_units: object) -> list[tuple[str, int, int]]:
    return [(u.document, u.start, u.end) for u in worklist_units]  # type: ignore[attr-defined]


def test_overlap_share_coders_and_coverage() -> None:
    plan = plan_assignment(DOCUMENTS, ["ana", "ben", "cy"], overlap=0.2, seed=1, unit="sentence")
    times = Counter(k for w in plan.worklists for k in keys(w.units))
    assert set(times) == set(ALL)  # every sentence is coded by someone
    assert sum(1 for n in times.values() if n == 2) == 40 == plan.shared
    assert set(times.values()) == {1, 2}
    # Each pair shares about the same number of sentences, and lists are about as long.
    lists = {w.annotator: set(keys(w.units)) for w in plan.worklists}
    shared = [len(lists[x] & lists[y]) for x, y in itertools.combinations(lists, 2)]
    assert max(shared) - min(shared) <= 1
    lengths = [len(w) for w in plan.worklists]
    assert max(lengths) - min(lengths) <= 1


def test_reading_order_and_reproducible_draw() -> None:
    first = plan_assignment(DOCUMENTS, ["ana", "ben"], overlap=0.3, seed=42)
    again = plan_assignment(DOCUMENTS, ["ana", "ben"], overlap=0.3, seed=42)
    other = plan_assignment(DOCUMENTS, ["ana", "ben"], overlap=0.3, seed=43)
    assert first.worklists == again.worklists
    assert first.worklists != other.worklists
    for worklist in first.worklists:
        assert keys(worklist.units) == sorted(keys(worklist.units), key=ALL.index)


def test_overlap_one_gives_everyone_everything_and_coders_option() -> None:
    plan = plan_assignment(DOCUMENTS, ["ana", "ben", "cy"], overlap=1.0, seed=0)
    assert all(keys(w.units) == ALL for w in plan.worklists)
    names = ["ana", "ben", "cy", "dee"]
    three = plan_assignment(DOCUMENTS, names, overlap=0.5, seed=0, coders=3, unit="sentence")
    times = Counter(k for w in three.worklists for k in keys(w.units))
    assert sum(1 for n in times.values() if n == 3) == 100


@pytest.mark.parametrize(
    ("annotators", "overlap", "coders", "message"),
    [
        (["ana", "ana"], 0.2, None, "given twice"),
        (["ana", "../x"], 0.2, None, "file name"),
        (["ana", "ben"], 1.5, None, "between 0 and 1"),
        (["ana", "ben"], 0.2, 3, "at most all"),
        (["manifest", "ben"], 0.2, None, "taken by the assignment's manifest"),
    ],
)
def test_bad_plans_are_refused(
    annotators: list[str], overlap: float, coders: int | None, message: str
) -> None:
    with pytest.raises(WorklistError, match=message):
        plan_assignment(DOCUMENTS, annotators, overlap=overlap, seed=0, coders=coders)


def briefing(doc_id: str, turns: int, per_turn: int) -> Document:
    """A document of ``turns`` turns of ``per_turn`` sentences each."""
    text, built = "", []
    for t in range(turns):
        spans = []
        for k in range(per_turn):
            sentence = f"Point {k} of turn {t}."
            text += " " if text else ""
            spans.append(Span(len(text), len(text) + len(sentence), sentence))
            text += sentence
        built.append(Turn(t, "MR A", "a", spans[0].start, len(text), text, (), tuple(spans)))
    return Document(doc_id, f"{doc_id}.txt", doc_id, text, "", tuple(built))


def test_whole_turns_are_handed_out_by_default() -> None:
    """An analyst codes a sentence with the rest of its turn: every turn goes whole to
    whoever gets it, and the overlap is still about the share asked for."""
    documents = [briefing("x", 20, 4), briefing("y", 10, 4)]
    plan = plan_assignment(documents, ["ana", "ben", "cy"], overlap=0.2, seed=3)
    for worklist in plan.worklists:
        chosen = set(keys(worklist.units))
        for document in documents:
            for turn in document.turns:
                inside = [(document.id, s.start, s.end) in chosen for s in turn.sentences]
                assert all(inside) or not any(inside)
    assert plan.shared == 24  # 20% of 120 sentences, in whole turns of 4
    times = Counter(k for w in plan.worklists for k in keys(w.units))
    assert len(times) == 120 and sum(1 for n in times.values() if n == 2) == 24


def test_write_and_load_round_trip(tmp_path: Path) -> None:
    plan = plan_assignment(
        DOCUMENTS, ["ana", "ben"], overlap=0.25, seed=7, corpus=["c.jsonl"], unit="sentence"
    )
    write_assignment(plan, tmp_path / "lists")
    manifest = json.loads((tmp_path / "lists" / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["overlap"] == 0.25
    assert manifest["shared_sentences"] == 50
    loaded = load_worklist(tmp_path / "lists" / "ana.json")
    assert loaded == plan.worklists[0]
    document, start, end = keys(loaded.units)[0]
    assert loaded.includes(document, start, end)
    assert (document, start, end) in loaded
    missing = next(k for k in ALL if k not in set(keys(loaded.units)))
    assert not loaded.includes(*missing)
    first = DOCUMENTS[0]
    assert loaded.covers(first)
    assert [
        s.start
        for t in first.turns
        for s in t.sentences
        if loaded.includes(first.id, s.start, s.end)
    ] == [u.start for u in loaded.units if u.document == "a"]
    with pytest.raises(WorklistError, match="already exists"):
        write_assignment(plan, tmp_path / "lists")
    write_assignment(plan, tmp_path / "lists", force=True)


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(WorklistError, match=r"nope\.json"):
        load_worklist(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(WorklistError, match=r"broken\.json"):
        load_worklist(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something"}))
    with pytest.raises(WorklistError, match="not a work list"):
        load_worklist(other)
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps({"format": "annotator-worklist", "units": [[1]]}))
    with pytest.raises(WorklistError, match=r"damaged\.json: damaged"):
        load_worklist(damaged)


def test_assign_command_on_a_prepared_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(DOCUMENTS, corpus)
    out = tmp_path / "lists"
    args = ["assign", str(corpus), "--annotators", "ana,ben,cy", "--overlap", "0.2"]
    args += ["--unit", "sentence"]
    result = CliRunner().invoke(app, [*args, "--seed", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lists = [load_worklist(out / f"{name}.json") for name in ("ana", "ben", "cy")]
    assert sum(len(w) for w in lists) == 240
    again = CliRunner().invoke(app, [*args, "--seed", "5", "-o", str(out)])
    assert again.exit_code != 0  # refuses to overwrite lists already handed out
