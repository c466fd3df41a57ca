"""``annotator status``: totals without a corpus, a totals row, bounded output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.log import AnnotationLog
from annotator.segment import load_pipeline, segment_document
from annotator.transcript import parse_transcript

BRIEFING = "MR MILLER: Good afternoon. We will act. Thank you.\n\nQUESTION: Why now? Thanks.\n"


def annotate(folder: Path, name: str, flag_all: bool = False) -> tuple[Path, int]:
    source = folder / f"{name}.txt"
    source.write_text(BRIEFING, encoding="utf-8")
    document = segment_document(parse_transcript(source), load_pipeline())
    log = folder / "ana.jsonl"
    spans = [(t, s) for t in document.turns for s in t.sentences]
    with AnnotationLog.open(log, "ana") as writer:
        for turn, span in spans[:3]:
            writer.decide(document, turn, span, ["procedural"], flag=flag_all)
    return log, len(spans)


def test_status_without_a_corpus_reopens_the_transcripts_the_log_names(tmp_path: Path) -> None:
    log, total = annotate(tmp_path, "briefing")
    result = CliRunner().invoke(app, ["status", str(log), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["progress"]
    assert (row["decided"], row["total"]) == (3, total)
    # The transcript edited since: the total is unknown, and the report says why.
    (tmp_path / "briefing.txt").write_text(BRIEFING + "MR MILLER: More.\n", encoding="utf-8")
    report = json.loads(CliRunner().invoke(app, ["status", str(log), "--json"]).stdout)
    assert report["progress"][0]["total"] is None
    assert any("changed since it was annotated" in w for w in report["warnings"])


def test_flags_list_undecided_sentences_as_undecided(tmp_path: Path) -> None:
    """A flag is not a decision: status lists it whether the sentence is decided or
    not, and says which (labels, or undecided), so the review list is whole."""
    source = tmp_path / "briefing.txt"
    source.write_text(BRIEFING, encoding="utf-8")
    document = segment_document(parse_transcript(source), load_pipeline())
    (first, second), turn = document.turns[0].sentences[:2], document.turns[0]
    log = tmp_path / "ana.jsonl"
    with AnnotationLog.open(log, "ana") as writer:
        writer.decide(document, turn, first, ["procedural"], flag=True)
        writer.mark(document, turn, second, note="ask the desk", flag=True)
    report = json.loads(CliRunner().invoke(app, ["status", str(log), "--json"]).stdout)
    flagged = {item["text"]: item for item in report["flagged"]}
    assert flagged[first.text]["decided"] and flagged[first.text]["labels"] == ["procedural"]
    assert not flagged[second.text]["decided"] and flagged[second.text]["note"] == "ask the desk"
    assert report["progress"][0]["decided"] == 1
    shown = CliRunner().invoke(app, ["status", str(log)], env={"COLUMNS": "160"}).stdout
    assert "undecided" in shown and "procedural" in shown


def test_status_prints_a_bounded_list_of_flags_and_a_totals_row(tmp_path: Path) -> None:
    from annotator.model import Document, Span, Turn

    log = tmp_path / "big.jsonl"
    with AnnotationLog.open(log, "ana") as writer:
        for d in range(3):
            text = " ".join(f"Point {k}." for k in range(40))
            spans, at = [], 0
            for k in range(40):
                sentence = f"Point {k}."
                spans.append(Span(at, at + len(sentence), sentence))
                at += len(sentence) + 1
            turn = Turn(0, "A", "a", 0, len(text), text, (), tuple(spans))
            document = Document(f"doc{d}", "", "", text, "", (turn,))
            for span in spans:
                writer.decide(document, turn, span, [], flag=True)
    result = CliRunner().invoke(app, ["status", str(log)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "all documents" in result.stdout and "120 / ?" in result.stdout
    assert "and 100 more flagged sentences" in result.stdout
    assert len(result.stdout.splitlines()) < 60
    every = CliRunner().invoke(app, ["status", str(log), "--all"], env={"COLUMNS": "160"})
    assert every.stdout.count("Point 39.") == 3


def test_a_documents_hash_is_computed_once_per_document_not_per_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: export and stats with --corpus asked for the text hash per record,
    hashing the whole document each time (quadratic in its length)."""
    import annotator.model as model
    from annotator.export import collect_dataset
    from annotator.labels import parse_labels
    from tests.test_export import LABELS_YAML, make_document, units

    turns = [(f"SPEAKER {n % 3}", [f"We will act on item {n}.", "Thank you."]) for n in range(300)]
    document = make_document(turns, "long")
    labels = parse_labels(LABELS_YAML)
    with AnnotationLog.open(tmp_path / "a.jsonl", "ana", labels=labels) as log:
        for turn, span in units(document):
            log.decide(document, turn, span, ("commitment",))
    hashed: list[int] = []
    real = model.text_hash

    def counting(text: str) -> str:
        hashed.append(len(text))
        return real(text)

    monkeypatch.setattr(model, "text_hash", counting)
    fresh = make_document(turns, "long")  # no hash cached yet
    dataset = collect_dataset([tmp_path / "a.jsonl"], documents=[fresh], label_set=labels)
    assert len(dataset.records) == 600
    assert sum(1 for size in hashed if size == len(fresh.text)) <= 2, len(hashed)


def test_several_analysts_get_a_totals_row_each(tmp_path: Path) -> None:
    """One totals row added every analyst's sentences together (2206 / 4263 for a
    3,124-sentence corpus): each sentence counted once per analyst."""
    source = tmp_path / "briefing.txt"
    source.write_text(BRIEFING, encoding="utf-8")
    document = segment_document(parse_transcript(source), load_pipeline())
    spans = [(t, s) for t in document.turns for s in t.sentences]
    logs = []
    for name, count in (("ana", 3), ("ben", 1)):
        log = tmp_path / f"{name}.jsonl"
        with AnnotationLog.open(log, name) as writer:
            for turn, span in spans[:count]:
                writer.decide(document, turn, span, ["procedural"])
        logs.append(str(log))
    shown = CliRunner().invoke(app, ["status", *logs], env={"COLUMNS": "160"}).stdout
    total = len(spans)
    assert f"3 / {total}" in shown and f"1 / {total}" in shown
    assert shown.count("documents started") == 2
    assert f"4 / {2 * total}" not in shown
