"""Exports open in the tools they are for: read back, field by field, and trained for real.

Logs are written by ``AnnotationLog`` as the TUI writes them; every export is
read back with the reader its users use (json, csv, pyarrow, spaCy) and
checked against the structure the tool documents.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotator.corpus import write_corpus
from annotator.export import FORMATS, ExportError, ExportOptions, collect_dataset, export_logs
from annotator.labels import parse_labels
from annotator.model import Document, LabelSet, Span, Turn
from annotator.store import AnnotationLog, input_hash, task_hash

LABELS_YAML = """
labels:
  - {name: commitment, key: "1"}
  - {name: threat assessment, key: "2"}
  - {name: procedural, key: "3"}
"""

BRIEFING = [
    ("MR MILLER", ["Good afternoon.", "We will send $2 billion in aid.", "Thank you."]),
    ("QUESTION", ["Is the threat growing?", "Thank you."]),
    ("MR MILLER", ["The threat is grave.", "We will deploy two more ships.", "Next question."]),
]
# What alice decides for each sentence above, in order (None = not decided).
ALICE = [["procedural"], ["commitment"], ["procedural"], [], None, ["threat assessment"],
         ["commitment", "threat assessment"], ["procedural"]]  # fmt: skip


def make_document(turns: list[tuple[str, list[str]]], doc_id: str) -> Document:
    """A Document built as the transcript reader and segmenter would build it."""
    text = ""
    built = []
    for index, (speaker, sentences) in enumerate(turns):
        if text:
            text += "\n\n"
        text += f"{speaker}: "
        start = len(text)
        spans = []
        for k, sentence in enumerate(sentences):
            if k:
                text += " "
            spans.append(Span(len(text), len(text) + len(sentence), sentence))
            text += sentence
        key = f"{speaker}#{index}" if speaker == "QUESTION" else speaker
        built.append(Turn(index, speaker, key, start, len(text), text[start:], (), tuple(spans)))
    return Document(doc_id, f"{doc_id}.txt", doc_id, text, "", tuple(built))


def units(document: Document) -> list[tuple[Turn, Span]]:
    return [(turn, s) for turn in document.turns for s in turn.sentences]


@pytest.fixture(scope="module")
def label_set() -> LabelSet:
    return parse_labels(LABELS_YAML, source="labels.yaml")


@pytest.fixture
def documents() -> list[Document]:
    return [make_document(BRIEFING, "brief-a"), make_document(BRIEFING, "brief-b")]


def annotate(
    path: Path,
    who: str,
    documents: list[Document],
    label_set: LabelSet,
    choices: list[list[str] | None] = ALICE,
    flag_at: int | None = None,
) -> Path:
    with AnnotationLog.open(path, who, labels=label_set) as log:
        for document in documents:
            for n, (turn, sentence) in enumerate(units(document)):
                chosen = choices[n]
                if chosen is not None:
                    note = "tense?" if n == flag_at else None
                    log.decide(document, turn, sentence, chosen, note=note, flag=n == flag_at)
    return path


@pytest.fixture
def alice_log(tmp_path: Path, documents: list[Document], label_set: LabelSet) -> Path:
    return annotate(tmp_path / "alice.jsonl", "alice", documents, label_set, flag_at=1)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- jsonl: the reference -------------------------------------------------------------


def test_jsonl_has_one_record_per_decided_sentence_with_provenance(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    out = tmp_path / "out.jsonl"
    result = export_logs([alice_log], "jsonl", out, documents=documents)
    rows = read_jsonl(out)
    assert result.records == len(rows) == 14  # 7 decided sentences in each of 2 documents
    first = rows[0]
    assert first["text"] == "Good afternoon."
    assert first["labels"] == ["procedural"]
    assert (first["document"], first["source"], first["turn"]) == ("brief-a", "brief-a.txt", 0)
    assert (first["speaker"], first["speaker_key"]) == ("MR MILLER", "MR MILLER")
    text = documents[0].text
    assert all(text[r["start"] : r["end"]] == r["text"] for r in rows if r["document"] == "brief-a")
    assert first["annotators"] == ["alice"]
    flagged = rows[1]
    assert flagged["flag"] is True and flagged["note"] == "tense?"
    question = next(r for r in rows if r["speaker"] == "QUESTION")
    assert question["labels"] == []  # reviewed, no label applies
    assert question["speaker_key"] == "QUESTION#1"
    assert "context_before" not in first


def test_context_comes_from_the_corpus_across_turns(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    out = tmp_path / "out.jsonl"
    options = ExportOptions(context=1, turn_text=True)
    export_logs([alice_log], "jsonl", out, documents=documents, options=options)
    rows = {r["text"]: r for r in read_jsonl(out) if r["document"] == "brief-a"}
    grave = rows["The threat is grave."]
    # The undecided "Thank you." still counts as context: it is in the transcript.
    assert grave["context_before"] == "Thank you."
    assert grave["context_after"] == "We will deploy two more ships."
    assert grave["turn_text"].startswith("The threat is grave. We will deploy")


def test_without_corpus_speaker_key_is_null_and_context_is_decided_sentences(
    tmp_path: Path, alice_log: Path
) -> None:
    out = tmp_path / "out.jsonl"
    export_logs([alice_log], "jsonl", out, options=ExportOptions(context=1))
    rows = [r for r in read_jsonl(out) if r["document"] == "brief-a"]
    assert all(r["speaker_key"] is None for r in rows)
    grave = next(r for r in rows if r["text"] == "The threat is grave.")
    assert grave["context_before"] == "Is the threat growing?"


# -- parquet and csv read back ----------------------------------------------------------


def test_parquet_matches_jsonl_row_for_row(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    import pyarrow.parquet as pq

    options = ExportOptions(context=2, turn_text=True)
    export_logs([alice_log], "jsonl", tmp_path / "a.jsonl", documents=documents, options=options)
    export_logs(
        [alice_log], "parquet", tmp_path / "a.parquet", documents=documents, options=options
    )
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.num_rows == 14
    assert table.schema.field("labels").type.value_type == "string"
    assert table.to_pylist() == read_jsonl(tmp_path / "a.jsonl")


def test_csv_reads_back_with_one_column_per_label(
    tmp_path: Path, alice_log: Path, documents: list[Document], label_set: LabelSet
) -> None:
    out = tmp_path / "a.csv"
    export_logs([alice_log], "csv", out, documents=documents, label_set=label_set)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for UTF-8
    assert len(rows) == 14
    both = next(r for r in rows if r["text"] == "We will deploy two more ships.")
    assert both["labels"] == "commitment|threat assessment"
    assert (both["label_commitment"], both["label_threat assessment"]) == ("1", "1")
    assert both["label_procedural"] == "0"
    assert both["flag"] == "0" and both["speaker_key"] == "MR MILLER"
    assert json.loads(both["annotations"])[0]["annotator"] == "alice"


def test_csv_keeps_newlines_commas_and_quotes_in_text(tmp_path: Path, label_set: LabelSet) -> None:
    tricky = 'He said, "no\ncomment", then left.'
    document = make_document([("MR MILLER", [tricky])], "tricky")
    log = annotate(tmp_path / "t.jsonl", "alice", [document], label_set, [["procedural"]])
    export_logs([log], "csv", tmp_path / "t.csv", documents=[document])
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["text"] == tricky


# -- prodigy, doccano, label studio -----------------------------------------------------


def test_prodigy_tasks_have_the_fields_db_in_reads_and_stable_hashes(
    tmp_path: Path, alice_log: Path, documents: list[Document], label_set: LabelSet
) -> None:
    out = tmp_path / "p.jsonl"
    export_logs([alice_log], "prodigy", out, documents=documents, label_set=label_set)
    tasks = read_jsonl(out)
    assert len(tasks) == 14
    task = next(t for t in tasks if t["text"] == "We will deploy two more ships.")
    assert task["options"] == [{"id": n, "text": n} for n in label_set.names]
    assert task["accept"] == ["commitment", "threat assessment"]
    assert task["answer"] == "accept"
    assert task["_view_id"] == "choice"
    assert task["_input_hash"] == input_hash(task["text"])
    assert task["_task_hash"] == task_hash(task["text"], label_set.names)
    assert task["_annotator_id"] == "alice"
    assert task["_session_id"] and isinstance(task["_timestamp"], int)
    assert task["meta"]["document"] == "brief-a"
    # The same sentence in another document hashes the same: Prodigy de-duplicates it.
    twins = [t for t in tasks if t["text"] == task["text"]]
    assert len(twins) == 2 and len({(t["_input_hash"], t["_task_hash"]) for t in twins}) == 1
    assert all(isinstance(t["_input_hash"], int) for t in tasks)
    assert next(t for t in tasks if t["text"] == "We will send $2 billion in aid.")["flagged"]


def test_prodigy_has_one_task_per_annotator(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    b = annotate(tmp_path / "b.jsonl", "bob", documents, label_set)
    export_logs([a, b], "prodigy", tmp_path / "p.jsonl", documents=documents)
    tasks = read_jsonl(tmp_path / "p.jsonl")
    assert len(tasks) == 28
    assert {t["_annotator_id"] for t in tasks} == {"alice", "bob"}


def test_doccano_lines_are_text_and_label_list(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    export_logs([alice_log], "doccano", tmp_path / "d.jsonl", documents=documents)
    lines = read_jsonl(tmp_path / "d.jsonl")
    assert len(lines) == 14
    assert all(isinstance(line["text"], str) and isinstance(line["label"], list) for line in lines)
    line = next(x for x in lines if x["text"] == "We will deploy two more ships.")
    assert line["label"] == ["commitment", "threat assessment"]
    assert line["document"] == "brief-a" and line["speaker"] == "MR MILLER"


def test_labelstudio_tasks_carry_text_and_one_annotation_per_annotator(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    other = [["procedural"] if c else c for c in ALICE]
    b = annotate(tmp_path / "b.jsonl", "bob", documents, label_set, other)
    out = tmp_path / "ls.json"
    options = ExportOptions(labelstudio_users={"bob": 7})
    result = export_logs([a, b], "labelstudio", out, documents=documents, options=options)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 14
    task = next(t for t in tasks if t["data"]["text"] == "We will deploy two more ships.")
    by_user = {ann["completed_by"]: ann for ann in task["annotations"]}
    assert set(by_user) == {1, 7}  # alice gets the first free id, bob the one given
    region = by_user[1]["result"][0]
    assert region["type"] == "choices"
    assert region["value"]["choices"] == ["commitment", "threat assessment"]
    assert by_user[7]["result"][0]["value"]["choices"] == ["procedural"]
    empty = next(t for t in tasks if t["data"]["text"] == "Is the threat growing?")
    assert all(ann["result"] == [] for ann in empty["annotations"])
    # The labelling config written beside the tasks declares the names the results use.
    config = ET.fromstring((tmp_path / "ls.xml").read_text(encoding="utf-8"))
    choices = config.find("Choices")
    assert choices is not None and (tmp_path / "ls.xml") in result.files
    assert (choices.get("name"), choices.get("toName")) == (region["from_name"], region["to_name"])
    assert config.find("Text").get("value") == "$text"  # type: ignore[union-attr]
    assert [c.get("value") for c in choices] == list(label_set.names)
    assert choices.get("choice") == "multiple"


# -- options -------------------------------------------------------------------------------


def test_filters_annotators_gold_flagged_empty_and_label_subset(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set, flag_at=1)
    g = annotate(tmp_path / "g.jsonl", "gold", documents[:1], label_set)
    gold = collect_dataset([a, g], documents=documents, options=ExportOptions(gold_only=True))
    assert {r.annotators for r in gold.records} == {("gold",)} and len(gold.records) == 7
    assert "left out 14 decisions by annotators not selected" in gold.left_out.messages()

    options = ExportOptions(include_flagged=False, include_empty=False, annotators=("alice",))
    kept = collect_dataset([a, g], documents=documents, options=options)
    assert len(kept.records) == 10
    assert kept.left_out.flagged == 2 and kept.left_out.empty == 2

    subset = collect_dataset(
        [a], documents=documents, options=ExportOptions(labels=("commitment",))
    )
    assert subset.labels == ("commitment",)
    assert len(subset.records) == 14  # the rest stay as negatives
    assert {r.labels for r in subset.records} == {(), ("commitment",)}
    with pytest.raises(ExportError, match="unknown label 'nonsense'"):
        collect_dataset([a], options=ExportOptions(labels=("nonsense",)))


def test_several_annotators_combine_by_majority_and_keep_their_own_labels(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    other = [["procedural"] if c else c for c in ALICE]
    logs = [
        annotate(tmp_path / "a.jsonl", "alice", documents, label_set),
        annotate(tmp_path / "b.jsonl", "bob", documents, label_set, other),
        annotate(tmp_path / "c.jsonl", "carol", documents, label_set, other),
    ]
    data = collect_dataset(logs, documents=documents)
    ships = next(r for r in data.records if r.text == "We will deploy two more ships.")
    assert ships.labels == ("procedural",)
    assert not ships.agreement
    assert ships.annotations[0].labels == ("commitment", "threat assessment")
    union = collect_dataset(logs, documents=documents, options=ExportOptions(combine="union"))
    ships = next(r for r in union.records if r.text == "We will deploy two more ships.")
    assert set(ships.labels) == {"commitment", "threat assessment", "procedural"}


def test_labels_come_from_the_log_options_without_a_labels_file(
    alice_log: Path, label_set: LabelSet
) -> None:
    assert collect_dataset([alice_log]).labels == label_set.names


def test_existing_output_is_kept_without_force(tmp_path: Path, alice_log: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists; use --force"):
        export_logs([alice_log], "jsonl", out)
    assert out.read_text(encoding="utf-8") == "precious\n"
    export_logs([alice_log], "jsonl", out, options=ExportOptions(force=True))
    assert len(read_jsonl(out)) == 14


def test_a_missing_log_or_format_is_one_clear_error(tmp_path: Path, alice_log: Path) -> None:
    with pytest.raises(ExportError, match=r"nope\.jsonl: no such annotation log"):
        export_logs([tmp_path / "nope.jsonl"], "jsonl", tmp_path / "o.jsonl")
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        export_logs([alice_log], "xlsx", tmp_path / "o.xlsx")


# -- damaged and empty logs -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_empty_log_exports_empty_files_and_says_so(tmp_path: Path, name: str) -> None:
    log = tmp_path / "empty.jsonl"
    log.write_text("", encoding="utf-8")
    result = export_logs([log], name, tmp_path / f"out-{name}")
    assert result.records == 0
    assert result.notes[0].startswith("no decided sentences to export")
    assert all(path.exists() for path in result.files)


def test_orphaned_decisions_are_left_out_and_counted(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    edited = [(s, [x for x in ss if x != "We will deploy two more ships."]) for s, ss in BRIEFING]
    current = [make_document(edited, "brief-a"), documents[1]]
    result = export_logs([alice_log], "jsonl", tmp_path / "o.jsonl", documents=current)
    texts = [r["text"] for r in read_jsonl(tmp_path / "o.jsonl")]
    assert texts.count("We will deploy two more ships.") == 1  # only brief-b still has it
    assert result.records == 13
    assert "left out 1 orphaned decisions (their text is no longer in the document)" in (
        result.left_out
    )


def test_a_torn_last_line_is_left_out_and_reported(tmp_path: Path, alice_log: Path) -> None:
    with open(alice_log, "a", encoding="utf-8") as handle:
        handle.write('{"schema":1,"action":"label","document":"brief-a","annot')
    result = export_logs([alice_log], "jsonl", tmp_path / "o.jsonl")
    assert result.records == 14
    assert "left out 1 incomplete last lines (torn writes)" in result.left_out
    assert any("last line is incomplete" in w for w in result.warnings)


def test_unreadable_lines_are_skipped_and_counted(tmp_path: Path, alice_log: Path) -> None:
    lines = alice_log.read_text(encoding="utf-8").splitlines(keepends=True)
    alice_log.write_text("".join([*lines[:3], "not json at all\n", *lines[3:]]), "utf-8")
    result = export_logs([alice_log], "jsonl", tmp_path / "o.jsonl")
    assert result.records == 14
    assert "left out 1 unreadable log lines" in result.left_out


def test_decisions_on_an_earlier_text_are_reported_without_corpus(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    log = annotate(tmp_path / "a.jsonl", "alice", documents[:1], label_set)
    edited = make_document([("MR MILLER", ["Good afternoon, all.", "Thank you."])], "brief-a")
    with AnnotationLog.open(log, "alice", labels=label_set) as writer:
        turn, sentence = units(edited)[0]
        writer.decide(edited, turn, sentence, ["procedural"])
    data = collect_dataset([log])
    assert [r.text for r in data.records] == ["Good afternoon, all."]
    assert data.left_out.earlier_text == 7


# -- spaCy: trained for real ------------------------------------------------------------


def test_spacy_export_trains_with_spacy_train(tmp_path: Path, label_set: LabelSet) -> None:
    import spacy

    documents = [make_document(BRIEFING, f"brief-{n}") for n in range(4)]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    out = tmp_path / "spacy"
    result = export_logs([log], "spacy", out, documents=documents, label_set=label_set)
    assert {p.name for p in result.files} == {"train.spacy", "dev.spacy", "config.cfg"}

    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    train = list(DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab))
    dev = list(DocBin().from_disk(out / "dev.spacy").get_docs(nlp.vocab))
    assert len(train) + len(dev) == 28 and dev
    assert all(set(doc.cats) == set(label_set.names) for doc in train + dev)
    ships = next(doc for doc in train + dev if doc.text == "We will deploy two more ships.")
    assert ships.cats == {"commitment": 1.0, "threat assessment": 1.0, "procedural": 0.0}

    model = tmp_path / "model"
    command = [sys.executable, "-m", "spacy", "train", str(out / "config.cfg")]
    command += ["--output", str(model), "--training.max_steps", "20"]
    command += ["--training.eval_frequency", "10"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    trained = spacy.load(model / "model-last")
    assert trained.pipe_names == ["textcat_multilabel"]
    cats = trained("We will send more ships.").cats
    assert set(cats) == set(label_set.names)
    assert all(0.0 <= score <= 1.0 for score in cats.values())


def test_spacy_splits_train_and_dev_by_document(tmp_path: Path, label_set: LabelSet) -> None:
    import spacy
    from spacy.tokens import DocBin

    # Each document gets its own sentence text so the split can be traced.
    documents = [
        make_document([("MR MILLER", [f"Sentence {n}.{k}" for k in range(5)])], f"d{n}")
        for n in range(10)
    ]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set, [["procedural"]] * 5)
    exports = []
    for run in range(2):
        out = tmp_path / f"s{run}"
        export_logs([log], "spacy", out, documents=documents, options=ExportOptions(seed=3))
        vocab = spacy.blank("en").vocab
        dev = {d.text.split(".")[0] for d in DocBin().from_disk(out / "dev.spacy").get_docs(vocab)}
        train = {
            d.text.split(".")[0] for d in DocBin().from_disk(out / "train.spacy").get_docs(vocab)
        }
        assert not dev & train and len(dev) == 2
        exports.append(dev)
    assert exports[0] == exports[1]  # the seed makes the split reproducible


def test_exclusive_label_sets_get_textcat(tmp_path: Path) -> None:
    exclusive = parse_labels("exclusive: true\n" + LABELS_YAML, source="x.yaml")
    documents = [make_document(BRIEFING, "a"), make_document(BRIEFING, "b")]
    choices = [c[:1] if c is not None else None for c in ALICE]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, exclusive, choices)
    export_logs([log], "spacy", tmp_path / "s", documents=documents, label_set=exclusive)
    config = (tmp_path / "s" / "config.cfg").read_text(encoding="utf-8")
    assert 'pipeline = ["textcat"]' in config


# -- the command line -------------------------------------------------------------------


def test_cli_export_writes_and_reports_in_one_line_errors(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(documents, corpus)
    annotator = Path(sys.executable).parent / "annotator"
    out = tmp_path / "o.csv"
    command = [str(annotator), "export", str(alice_log), "-f", "csv", "-o", str(out)]
    run = subprocess.run([*command, "--corpus", str(corpus)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "wrote 14 sentences (csv)" in run.stderr
    # main()'s console wraps at the terminal width; a wide one keeps the line whole.
    env = {**os.environ, "COLUMNS": "1000"}
    again = subprocess.run(command, capture_output=True, text=True, env=env)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        f"annotator: error: {out}: already exists; use --force to overwrite it"
    ]
