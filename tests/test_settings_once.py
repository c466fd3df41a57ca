"""annotator.toml's reading settings apply to every command that opens transcripts
(issue 14): a custom speaker pattern read by annotate is read the same way by export,
stats, status, train and assign, so decisions stay attached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import annotator.suggest
from annotator.config import load_config, resolve_reading
from annotator.errors import AnnotatorError
from annotator.labels import load_labels
from annotator.log import AnnotationLog
from annotator.model import Document
from annotator.sources import load_documents
from tests.test_cli import run_cli

BRIEF = """Ana Koo says: We will deploy two more ships. We stand with our allies.

Ben Lee says: Thank you. What about the timeline?

Ana Koo says: By spring. Nothing has been decided on the budget.
"""
CONFIG = "speaker_pattern = '^(?P<speaker>[A-Z][A-Za-z .]+) says:'\n"


def test_every_command_reads_transcripts_with_the_configured_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "annotator.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "brief.txt").write_text(BRIEF, encoding="utf-8")
    reading = resolve_reading(config=load_config(tmp_path / "annotator.toml"))
    (document,) = load_documents([tmp_path / "brief.txt"], reading=reading)
    assert [t.speaker for t in document.turns] == ["Ana Koo", "Ben Lee", "Ana Koo"]
    labels = load_labels()
    for name, chosen in (("ana", "commitment"), ("ben", "position")):
        log = AnnotationLog.open(tmp_path / f"{name}.jsonl", name, labels=labels)
        for turn in document.turns:
            for span in turn.sentences:
                log.decide(document, turn, span, (chosen,))
        log.close()
    decided = sum(len(t.sentences) for t in document.turns)

    exported = run_cli(
        "export", "ana.jsonl", "--corpus", "brief.txt", "-f", "jsonl", "-o", "out.jsonl",
        cwd=tmp_path,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "orphan" not in exported.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(rows) == decided and {r["speaker"] for r in rows} == {"Ana Koo", "Ben Lee"}

    stats = run_cli("stats", "ana.jsonl", "--corpus", "brief.txt", cwd=tmp_path)
    assert stats.returncode == 0 and "orphan" not in stats.stdout + stats.stderr
    assert "ana koo" in stats.stdout.lower()

    status = run_cli("status", "ana.jsonl", "--corpus", "brief.txt", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert not report["orphans"], report["orphans"]

    assign = run_cli("assign", "brief.txt", "--annotators", "ana,ben", "-o", "work", cwd=tmp_path)
    assert assign.returncode == 0, assign.stderr
    handed_out = "".join(p.read_text() for p in (tmp_path / "work").glob("*.json"))
    # The label is not part of any sentence: the pattern was used.
    assert "We will deploy two more ships." in handed_out and "says" not in handed_out

    # train: the corpus it learns context from is read with the pattern too (the
    # training itself is stopped at once: only what it was given matters here).
    given: list[list[str]] = []

    def stop_training(*_args: object, corpus: list[Document] | None = None, **_kw: object) -> None:
        given.extend([turn.speaker for turn in doc.turns] for doc in corpus or ())
        raise AnnotatorError("stopped by the test")

    monkeypatch.setattr(annotator.suggest, "train_model", stop_training)
    trained = run_cli("train", "ana.jsonl", "--corpus", "brief.txt", "-o", "model", cwd=tmp_path)
    assert "stopped by the test" in trained.stderr
    assert given == [["Ana Koo", "Ben Lee", "Ana Koo"]]
