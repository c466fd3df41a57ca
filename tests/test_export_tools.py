"""What a user of each tool does with our files, from the command line and a fresh process.

A model from ``annotator train`` loads with plain ``spacy.load`` in a new Python
(the package's entry points register its architecture and optimizer); line
formats go to stdout with ``-o -``; ``--ls-user`` takes ids and e-mail addresses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from annotator.labels import parse_labels
from annotator.model import LabelSet
from tests.command_line import Ran, run_cli
from tests.test_export import BRIEFING, LABELS_YAML, annotate, make_document


@pytest.fixture(scope="module")
def label_set() -> LabelSet:
    return parse_labels(LABELS_YAML, source="labels.yaml")


def run(*args: str, cwd: Path | None = None) -> Ran:
    # A wide terminal keeps one-line messages on one line.
    return run_cli(*args, cwd=cwd or Path.cwd(), env={"COLUMNS": "1000"})


def test_the_packages_spacy_entry_points_load() -> None:
    """Every name annotator registers with spaCy resolves to a callable, and the
    architecture a trained model names is among them."""
    from annotator.suggest.network import ARCHITECTURE

    ours = [
        point
        for point in entry_points(group="spacy_architectures")
        if point.name.startswith("annotator.")
    ]
    assert [p.name for p in ours] == [ARCHITECTURE]
    for point in ours:
        assert callable(point.load()), point


@pytest.mark.slow
def test_a_trained_model_loads_with_spacy_load_in_a_fresh_process(
    tmp_path: Path, label_set: LabelSet
) -> None:
    documents = [make_document(BRIEFING, f"brief-{n}") for n in range(6)]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    model = tmp_path / "model"
    trained = run("train", str(log), "-o", str(model), "--steps", "5", "--min-per-label", "1")
    assert trained.returncode == 0, trained.stderr
    # A new interpreter that never imports annotator itself: spaCy finds the
    # architecture through the installed package's entry points.
    script = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "print(json.dumps(nlp('We will deploy two more ships.').cats))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script, str(model)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    cats = json.loads(loaded.stdout)
    assert set(cats) == set(label_set.names)
    assert all(0.0 <= score <= 1.0 for score in cats.values())


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "prodigy", "doccano"])
def test_line_formats_go_to_stdout_with_dash(tmp_path: Path, label_set: LabelSet, fmt: str) -> None:
    documents = [make_document(BRIEFING, "brief-a")]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    result = run("export", str(log), "-f", fmt, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote 7 sentences" in result.stderr and "standard output" in result.stderr
    lines = result.stdout.splitlines()
    if fmt == "csv":
        assert lines[0].startswith("id,document")  # no byte order mark in a pipe
        assert len(lines) == 8
    else:
        assert len(lines) == 7
        assert all(isinstance(json.loads(line), dict) for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]  # nothing else written


@pytest.mark.parametrize("fmt", ["parquet", "spacy", "labelstudio"])
def test_file_formats_refuse_stdout_in_one_line(
    tmp_path: Path, label_set: LabelSet, fmt: str
) -> None:
    log = annotate(tmp_path / "a.jsonl", "alice", [make_document(BRIEFING, "b")], label_set)
    result = run("export", str(log), "-f", fmt, "-o", "-")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"annotator: error: -o -: {fmt} cannot go to standard output "
        "(only jsonl, csv, prodigy, doccano)"
    ]


def test_ls_user_takes_ids_and_emails_and_rejects_the_rest_in_one_line(
    tmp_path: Path, label_set: LabelSet
) -> None:
    log = annotate(tmp_path / "a.jsonl", "ana", [make_document(BRIEFING, "b")], label_set)
    out = tmp_path / "ls.json"
    ok = run("export", str(log), "-f", "labelstudio", "-o", str(out), "--ls-user", "ana=a@b.org")
    assert ok.returncode == 0, ok.stderr
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert tasks[0]["annotations"][0]["completed_by"] == {"email": "a@b.org"}
    bad = run("export", str(log), "-f", "labelstudio", "-o", str(out), "--ls-user", "ana")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "annotator: error: --ls-user 'ana': expected NAME=ID or NAME=EMAIL, "
        "such as alice=3 or alice=alice@example.org"
    ]


def test_spacy_export_from_the_command_line_splits_by_sentence_and_prints_counts(
    tmp_path: Path, label_set: LabelSet
) -> None:
    documents = [make_document(BRIEFING, "brief-a"), make_document(BRIEFING, "brief-b")]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    result = run("export", str(log), "-f", "spacy", "-o", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert "split by sentence, stratified by label" in result.stderr
    assert "train/dev sentences per label: commitment" in result.stderr
    grouped = run(
        "export", str(log), "-f", "spacy", "-o", str(tmp_path / "g"), "--split-by", "document"
    )
    assert "split by document" in grouped.stderr
    assert "(1 documents)" in grouped.stderr
    wrong = run("export", str(log), "-f", "spacy", "-o", str(tmp_path / "w"), "--split-by", "x")
    assert wrong.stderr.strip().splitlines() == [
        "annotator: error: --split-by x: spacy can be split by sentence, document"
    ]


def test_hf_export_loads_in_datasets_with_class_labels(tmp_path: Path, label_set: LabelSet) -> None:
    """Issue 13, 7: `-f hf` is a folder `datasets.load_from_disk` opens, with the label
    set as ClassLabel names (a label nobody used is still there) and the splits."""
    datasets = pytest.importorskip("datasets")
    documents = [make_document(BRIEFING, f"brief-{n}") for n in range(4)]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    done = run("export", str(log), "-f", "hf", "-o", str(tmp_path / "hf"))
    assert done.returncode == 0, done.stderr
    assert "datasets.load_from_disk" in done.stderr
    loaded = datasets.load_from_disk(str(tmp_path / "hf"))
    assert set(loaded) == {"train", "validation"}
    rows = loaded["train"].num_rows + loaded["validation"].num_rows
    decided = [json.loads(line) for line in log.read_text().splitlines()]
    assert rows == len([d for d in decided if d["action"] == "label"])
    feature = loaded["train"].features["label_ids"].feature
    assert feature.names == list(label_set.names)  # every label, in the set's order
    for row in loaded["train"]:
        assert [feature.names[i] for i in row["label_ids"]] == row["labels"]
        assert row["text"] and row["document"].startswith("brief-")
    # Again without --force: refused, the folder is left as it was.
    again = run("export", str(log), "-f", "hf", "-o", str(tmp_path / "hf"))
    assert again.returncode != 0 and "Traceback" not in again.stderr
