"""The team's dataset (issue 11, items 5 and 6): the README's two-analyst walkthrough
ends with a gold export of every sentence, adjudication always settles, and nothing
is silently made a negative example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.adjudication import open_adjudication
from annotator.cli import app
from annotator.errors import ExportError
from annotator.export import ExportOptions, collect_dataset
from annotator.labels import load_labels, parse_labels
from annotator.log import AnnotationLog
from annotator.model import Document, LabelSet
from tests.builders import bundled_sample

NAMES = ["commitment", "reassurance", "procedural", "position", "cooperation"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Document:
    # The transcript where the README's walkthrough finds it: the bundled sample.
    return bundled_sample()


def code(path: Path, who: str, document: Document, labels: LabelSet, shift: int = 0) -> None:
    """Code every sentence; ``shift`` makes every fourth choice differ from ana's."""
    spans = [(t, s) for t in document.turns for s in t.sentences]
    with AnnotationLog.open(path, who, labels=labels) as log:
        for n, (turn, span) in enumerate(spans):
            k = n + (shift if n % 4 == 0 else 0)
            # Two labels, chosen in reverse label-set order: exports must reorder them.
            chosen = [NAMES[(k + 1) % 5], NAMES[k % 5]] if n % 3 == 0 else [NAMES[k % 5]]
            log.decide(document, turn, span, chosen)


def test_the_readme_walkthrough_gives_a_gold_standard_of_every_sentence(
    tmp_path: Path, sample: Document
) -> None:
    labels = load_labels()
    ana, ben, gold = (tmp_path / f"{n}.jsonl" for n in ("ana", "ben", "gold"))
    code(ana, "ana", sample, labels)
    code(ben, "ben", sample, labels, shift=1)
    total = sample.sentence_count()
    assert total == 28

    agree = CliRunner().invoke(app, ["agree", str(ana), str(ben)])
    assert agree.exit_code == 0, agree.output
    # adjudicate: the screen shows the disputes; taking ben's labels is "B".
    adjudication = open_adjudication([ana, ben])
    disputes = adjudication.disputes
    assert len(disputes) == 7
    with AnnotationLog.open(gold, "gold", labels=labels) as log:
        for document in adjudication.documents:
            for turn in document.turns:
                for span in turn.sentences:
                    if not adjudication.disputed(document.id, span.start, span.end):
                        continue  # context around the disputes
                    ben_labels = disputes[(document.id, span.start, span.end)].coding_of("ben")
                    assert ben_labels is not None
                    log.decide(document, turn, span, ben_labels.labels)

    out = tmp_path / "gold.jsonl.out"
    args = ["export", str(ana), str(ben), str(gold), "--gold", "-f", "jsonl", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == total
    assert sum(row["status"] == "adjudicated" for row in rows) == 7
    assert sum(row["status"] == "agreed" for row in rows) == 21
    for row in rows:
        # Labels in label-set order, whoever picked them first.
        assert row["labels"] == sorted(row["labels"], key=labels.names.index)
        if row["status"] == "adjudicated":
            ben_row = next(a for a in row["annotations"] if a["annotator"] == "ben")
            assert row["labels"] == sorted(ben_row["labels"], key=labels.names.index)
            assert row["agreement"] is False
    assert "labels settled: 7 adjudicated, 21 agreed" in result.output


def label_set(exclusive: bool = False) -> LabelSet:
    return parse_labels(
        "exclusive: %s\nlabels:\n" % ("true" if exclusive else "false")
        + "".join(f'  - {{name: {n}, key: "{i + 1}"}}\n' for i, n in enumerate(NAMES)),
        source="labels.yaml",
    )


def test_gold_is_never_outvoted_and_ties_are_never_silent_negatives(
    tmp_path: Path, sample: Document
) -> None:
    labels = label_set()
    span_turn = next((t, s) for t in sample.turns for s in t.sentences)
    logs = []
    for who, chosen in (("ana", ["position"]), ("ben", ["position"]), ("gold", ["commitment"])):
        path = tmp_path / f"{who}.jsonl"
        with AnnotationLog.open(path, who, labels=labels) as log:
            log.decide(sample, span_turn[0], span_turn[1], chosen)
        logs.append(path)
    (record,) = collect_dataset(logs).records
    assert record.labels == ("commitment",) and record.status == "adjudicated"

    # Two coders split evenly: kept, flagged and "unresolved" by default, never an
    # all-negative row; --unresolved exclude leaves it out and counts it.
    split = []
    for who, chosen in (("cy", ["position"]), ("dee", ["commitment"])):
        path = tmp_path / f"{who}.jsonl"
        with AnnotationLog.open(path, who, labels=labels) as log:
            log.decide(sample, span_turn[0], span_turn[1], chosen)
        split.append(path)
    (tie,) = collect_dataset(split).records
    assert tie.status == "unresolved" and tie.flag
    excluded = collect_dataset(split, options=ExportOptions(unresolved="exclude"))
    assert excluded.records == [] and excluded.left_out.unresolved == 1
    by_majority = collect_dataset(split, options=ExportOptions(unresolved="majority"))
    assert by_majority.records == [] and by_majority.left_out.ties == 1
    assert any("split evenly" in m for m in by_majority.left_out.messages())
    # One coder alone: there is nothing to agree on.
    (single,) = collect_dataset(split[:1]).records
    assert single.agreement is None and single.status == "single"


def test_union_on_an_exclusive_label_set_is_refused(tmp_path: Path, sample: Document) -> None:
    labels = label_set(exclusive=True)
    turn, span = next((t, s) for t in sample.turns for s in t.sentences)
    logs = []
    for who, chosen in (("ana", ["position"]), ("ben", ["commitment"])):
        path = tmp_path / f"{who}.jsonl"
        with AnnotationLog.open(path, who, labels=labels) as log:
            log.decide(sample, turn, span, chosen)
        logs.append(path)
    with pytest.raises(ExportError, match="exclusive"):
        collect_dataset(logs, label_set=labels, options=ExportOptions(combine="union"))


def test_union_on_an_exclusive_label_set_is_fine_when_no_sentence_is_coded_twice(
    tmp_path: Path, sample: Document
) -> None:
    """Analysts who split the work never give a sentence two labels: nothing to refuse."""
    labels = label_set(exclusive=True)
    spans = [(t, s) for t in sample.turns for s in t.sentences]
    logs = []
    for who, (turn, span) in (("ana", spans[0]), ("ben", spans[1])):
        path = tmp_path / f"{who}.jsonl"
        with AnnotationLog.open(path, who, labels=labels) as log:
            log.decide(sample, turn, span, ["position"])
        logs.append(path)
    dataset = collect_dataset(logs, label_set=labels, options=ExportOptions(combine="union"))
    assert [r.annotators for r in dataset.records] == [("ana",), ("ben",)]
