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
from annotator.log import AnnotationLog, input_hash, task_hash
from annotator.model import Document, LabelSet
from tests.builders import make_document as build
from tests.builders import units

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
    """A briefing whose questions are keyed one by one (``QUESTION#3``), as the reader keys them."""
    return build(turns, doc_id, title=doc_id, speaker_key=_key)


def _key(speaker: str, index: int) -> str:
    return f"{speaker}#{index}" if speaker == "QUESTION" else speaker


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
    rows = table.to_pylist()
    label_columns = [n for n in table.column_names if n.startswith("label_")]
    names = ("commitment", "threat assessment", "procedural")
    assert label_columns == [f"label_{n}" for n in names]
    assert all(table.schema.field(n).type == "bool" for n in label_columns)
    for row in rows:
        assert [n for n in label_columns if row.pop(n)] == [f"label_{x}" for x in row["labels"]]
    assert rows == read_jsonl(tmp_path / "a.jsonl")


def test_parquet_and_sidecar_record_the_whole_label_set_with_definitions(
    tmp_path: Path, documents: list[Document]
) -> None:
    import pyarrow.parquet as pq

    described = parse_labels(
        LABELS_YAML + '  - {name: never used, key: "4", description: "Nobody picks this."}\n',
        source="labels.yaml",
    )
    log = annotate(tmp_path / "a.jsonl", "alice", documents, described)
    export_logs([log], "parquet", tmp_path / "a.parquet", documents=documents, label_set=described)
    result = export_logs([log], "jsonl", tmp_path / "a.jsonl.out", label_set=described)
    table = pq.read_table(tmp_path / "a.parquet")
    recorded = json.loads(table.schema.metadata[b"annotator.labels"])
    sidecar_path = tmp_path / "a.jsonl.labels.json"
    assert sidecar_path in result.files
    assert json.loads(sidecar_path.read_text(encoding="utf-8")) == recorded
    assert [label["name"] for label in recorded["labels"]] == list(described.names)
    assert recorded["labels"][-1] == {"name": "never used", "description": "Nobody picks this."}
    assert recorded["exclusive"] is False
    assert not any(table.column("label_never used").to_pylist())


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
    sidecar = json.loads((tmp_path / "a.labels.json").read_text(encoding="utf-8"))
    assert [label["name"] for label in sidecar["labels"]] == list(label_set.names)


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
    # Prodigy's own naming of a named session: one reviewer per analyst in `prodigy review`.
    assert task["_session_id"] == "p-alice" and isinstance(task["_timestamp"], int)
    assert task["config"] == {"choice_style": "multiple"}  # check boxes, not radio buttons
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
    # Two sessions of alice's are still one reviewer.
    a2 = annotate(tmp_path / "a2.jsonl", "alice", documents[:1], label_set)
    options = ExportOptions(prodigy_dataset="policy")
    result = export_logs([a, a2, b], "prodigy", tmp_path / "p.jsonl", options=options)
    tasks = read_jsonl(tmp_path / "p.jsonl")
    assert len(tasks) == 28
    assert {t["_annotator_id"] for t in tasks} == {"alice", "bob"}
    assert {t["_session_id"] for t in tasks} == {"policy-alice", "policy-bob"}
    assert any("prodigy db-in policy" in n for n in result.notes)
    assert any("--rehash" in n for n in result.notes)


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


def test_doccano_splits_by_annotator_and_says_what_doccano_keeps(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set, flag_at=1)
    other = [["procedural"] if c else c for c in ALICE]
    b = annotate(tmp_path / "b.jsonl", "bob/../x", documents[:1], label_set, other)
    out = tmp_path / "d.jsonl"
    options = ExportOptions(split_by="annotator")
    result = export_logs([a, b], "doccano", out, documents=documents, options=options)
    assert [p.name for p in result.files] == ["d.alice.jsonl", "d.bob_.._x.jsonl"]
    assert not out.exists()
    alice = read_jsonl(tmp_path / "d.alice.jsonl")
    bob = read_jsonl(tmp_path / "d.bob_.._x.jsonl")
    assert (len(alice), len(bob)) == (14, 7)
    ships = next(x for x in bob if x["text"] == "We will deploy two more ships.")
    assert ships["label"] == ["procedural"] and ships["annotators"] == ["bob/../x"]
    flagged = next(x for x in alice if x["text"] == "We will send $2 billion in aid.")
    assert flagged["flag"] is True and flagged["note"] == "tense?"
    guidance = " ".join(result.notes)
    assert "credited to the importing user" in guidance and "not annotated" in guidance
    with pytest.raises(ExportError, match="already exists"):
        export_logs([a, b], "doccano", out, documents=documents, options=options)
    with pytest.raises(ExportError, match="--split-by annotator: jsonl can be split by nothing"):
        export_logs([a], "jsonl", tmp_path / "x.jsonl", options=options)


def test_labelstudio_tasks_carry_text_and_one_annotation_per_annotator(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set, flag_at=6)
    other = [["procedural"] if c else c for c in ALICE]
    b = annotate(tmp_path / "b.jsonl", "bob", documents, label_set, other)
    c = annotate(tmp_path / "c.jsonl", "carol", documents[:1], label_set, other)
    out = tmp_path / "ls.json"
    options = ExportOptions(labelstudio_users={"bob": 7, "carol": "carol@example.org"})
    result = export_logs([a, b, c], "labelstudio", out, documents=documents, options=options)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 14
    task = next(t for t in tasks if t["data"]["text"] == "We will deploy two more ships.")
    # Label Studio's own keys (id, annotator ...) are never data keys.
    assert "id" not in task["data"] and task["data"]["sentence_id"].startswith("brief-a:")
    # The third turn (index 2), counted from 1 as the annotation screen counts turns.
    assert task["data"]["turn"] == 2
    assert task["data"]["heading"] == "MR MILLER \u00b7 brief-a \u00b7 turn 3"
    by_user = {json.dumps(ann["completed_by"]): ann for ann in task["annotations"]}
    # alice is not mapped: user 1, Label Studio's first account, with her name in 'analyst'.
    assert set(by_user) == {"1", "7", '{"email": "carol@example.org"}'}

    def regions(annotation: dict) -> dict[str, dict]:
        return {r["from_name"]: r for r in annotation["result"]}

    alice = regions(by_user["1"])
    assert alice["label"]["type"] == "choices"
    assert alice["label"]["value"]["choices"] == ["commitment", "threat assessment"]
    assert alice["note"]["value"] == {"text": ["tense?"]}
    assert alice["flag"]["value"] == {"choices": ["flagged for review"]}
    assert alice["analyst"]["value"] == {"text": ["alice"]}
    assert regions(by_user["7"])["label"]["value"]["choices"] == ["procedural"]
    assert "note" not in regions(by_user["7"]) and "flag" not in regions(by_user["7"])
    empty = next(t for t in tasks if t["data"]["text"] == "Is the threat growing?")
    assert all(
        [r["from_name"] for r in ann["result"]] == ["analyst"] for ann in empty["annotations"]
    )
    # The labelling config written beside the tasks declares every name the results use.
    config = ET.fromstring((tmp_path / "ls.xml").read_text(encoding="utf-8"))
    assert (tmp_path / "ls.xml") in result.files
    controls = {e.get("name"): e for e in config if e.get("toName")}
    assert set(controls) == {"label", "note", "flag", "analyst"}
    assert all(e.get("toName") == "text" for e in controls.values())
    assert [e.tag for e in config][:2] == ["Header", "Text"]  # where it was said, above it
    assert config[0].get("value") == "$heading"
    assert config.find("Text").get("value") == "$text"  # type: ignore[union-attr]
    assert [c.get("value") for c in controls["label"]] == list(label_set.names)
    assert controls["label"].get("choice") == "multiple"
    assert controls["note"].tag == "TextArea"
    notes = " ".join(result.notes)
    assert "bob=7" in notes and "credited to Label Studio user 1" in notes and "alice" in notes


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


@pytest.mark.slow
def test_spacy_export_trains_with_spacy_train_after_the_folder_moves(
    tmp_path: Path, label_set: LabelSet
) -> None:
    import shlex
    import shutil

    import spacy

    documents = [make_document(BRIEFING, f"brief-{n}") for n in range(4)]
    log = annotate(tmp_path / "a.jsonl", "alice", documents, label_set, flag_at=1)
    out = tmp_path / "spacy"
    options = ExportOptions(split_by="sentence")
    result = export_logs([log], "spacy", out, documents=documents, options=options)
    assert {p.name for p in result.files} == {"train.spacy", "dev.spacy", "config.cfg"}
    assert str(tmp_path) not in (out / "config.cfg").read_text(encoding="utf-8")

    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    train = list(DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab))
    dev = list(DocBin().from_disk(out / "dev.spacy").get_docs(nlp.vocab))
    assert len(train) + len(dev) == 28 and dev
    assert all(set(doc.cats) == set(label_set.names) for doc in train + dev)
    aid = next(doc for doc in train + dev if doc.text == "We will send $2 billion in aid.")
    assert aid.cats == {"commitment": 1.0, "threat assessment": 0.0, "procedural": 0.0}
    data = aid.user_data
    assert (data["speaker"], data["turn"], list(data["annotators"])) == ("MR MILLER", 0, ["alice"])
    assert data["document"].startswith("brief-")
    assert (data["note"], data["flag"]) == ("tense?", True)
    document = next(d for d in documents if d.id == data["document"])
    assert document.text[data["start"] : data["end"]] == aid.text

    # Move the folder, then run the line the export printed, with the new folder's name.
    moved = tmp_path / "elsewhere" / "data"
    shutil.move(out, moved)
    line = next(n for n in result.notes if "spacy train" in n).split(": ", 1)[1]
    assert line.startswith(f"cd {shlex.quote(str(out))} && python -m spacy train")
    words = shlex.split(line.split("&&", 1)[1])
    command = [sys.executable, *words[1:], "--training.max_epochs", "1"]
    command += ["--training.eval_frequency", "10"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=moved)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    trained = spacy.load(moved / "model" / "model-last")
    assert trained.pipe_names == ["textcat_multilabel"]
    cats = trained("We will send more ships.").cats
    assert set(cats) == set(label_set.names)
    assert all(0.0 <= score <= 1.0 for score in cats.values())


def test_spacy_splits_by_sentence_stratified_by_label_and_prints_the_counts(
    tmp_path: Path, label_set: LabelSet
) -> None:
    import spacy
    from spacy.tokens import DocBin

    # Two documents: a split by document could not share 10 rare sentences out.
    sentences = [f"Common sentence {k}." for k in range(40)] + [f"Rare one {k}." for k in range(10)]
    choices = [["procedural"]] * 40 + [["commitment"]] * 10
    documents = [
        make_document([("MR MILLER", sentences[:25])], "d0"),
        make_document([("MR MILLER", sentences[25:])], "d1"),
    ]
    log = tmp_path / "a.jsonl"
    with AnnotationLog.open(log, "alice", labels=label_set) as writer:
        n = 0
        for document in documents:
            for turn, sentence in units(document):
                writer.decide(document, turn, sentence, choices[n])
                n += 1
    options = ExportOptions(split_by="sentence", seed=1, dev_fraction=0.2)
    result = export_logs([log], "spacy", tmp_path / "s", documents=documents, options=options)
    vocab = spacy.blank("en").vocab
    dev = list(DocBin().from_disk(tmp_path / "s" / "dev.spacy").get_docs(vocab))
    train = list(DocBin().from_disk(tmp_path / "s" / "train.spacy").get_docs(vocab))
    assert (len(train), len(dev)) == (40, 10)
    assert sum(doc.cats["commitment"] for doc in dev) == 2  # 20% of the rare label too
    assert {doc.user_data["document"] for doc in dev} == {"d0", "d1"}
    assert "commitment 8/2" in " ".join(result.notes)
    assert "procedural 32/8" in " ".join(result.notes)
    again = export_logs([log], "spacy", tmp_path / "s2", documents=documents, options=options)
    assert again.notes[:2] == result.notes[:2]
    dev2 = list(DocBin().from_disk(tmp_path / "s2" / "dev.spacy").get_docs(vocab))
    assert [d.text for d in dev2] == [d.text for d in dev]  # the seed makes it reproducible


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


def test_spacy_export_tokens_are_each_sentences_own() -> None:
    # Sentences are tokenized a batch at a time; each must get exactly the tokens
    # and spaces a Doc of its own would have.
    import spacy
    from spacy.attrs import ORTH, SPACY

    from annotator.export.spacy_docbin import _token_arrays

    nlp = spacy.blank("en")
    texts = [
        "The U.S. will act.",
        "We said:\n“A full term is a full term.”",
        "  Leading and trailing spaces stay their own  ",
        "It's 5 p.m. -- (crosstalk) -- productive!",
        "Mr. Koo.  Two spaces.\tA tab.",
        "🇺🇦 flags, émigrés, 王毅：谢谢。",
        "a",
        "",
        "end-of-line-\nhyphen",
    ] * 300
    arrays = _token_arrays(nlp, texts)
    for text, array in zip(texts, arrays, strict=True):
        own = nlp.make_doc(text).to_array([ORTH, SPACY])
        assert array.tolist() == own.tolist(), text


def test_records_are_made_a_document_at_a_time(
    tmp_path: Path, label_set: LabelSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole-log export holds one document's decisions, never the log's: each
    document's lines are decoded when its records are made and dropped after, with
    and without a corpus (which is itself read as the records go)."""
    from annotator.log import LogState

    documents = [make_document(BRIEFING, f"brief-{n}") for n in range(4)]
    log = annotate(tmp_path / "alice.jsonl", "alice", documents, label_set)
    held: list[int] = []
    materialise = LogState._materialise

    def watching(self: LogState, offsets: list[int]) -> list:
        found = materialise(self, offsets)
        held.append(len(self._decisions))
        return found

    monkeypatch.setattr(LogState, "_materialise", watching)
    for corpus in (None, iter(documents)):
        held.clear()
        dataset = collect_dataset([log], documents=corpus, label_set=label_set)
        order = [record.document for record in dataset.stream()]
        assert order == sorted(order) and len(order) == dataset.count == 28
        assert dataset.settled() == {"single": 28}
        assert held and max(held) <= 7  # one document's decided sentences at most


def test_a_label_no_current_decision_chooses_gets_no_column(
    tmp_path: Path, label_set: LabelSet, documents: list[Document]
) -> None:
    """A label beyond the label set that was chosen and then changed (or by an analyst
    left out) is no column: training would refuse a class with no example."""
    document = documents[0]
    turn, span = units(document)[0]
    path = tmp_path / "alice.jsonl"
    # The codebook the analyst worked with had a label the current one has dropped.
    old = parse_labels(LABELS_YAML + '  - {name: renamed label, key: "4"}\n', source="old.yaml")
    with AnnotationLog.open(path, "alice", labels=old) as log:
        log.decide(document, turn, span, ["renamed label"])
        log.decide(document, turn, span, ["procedural"])
    dataset = collect_dataset([path], label_set=label_set)
    assert "renamed label" not in dataset.labels
    assert [r.labels for r in dataset.records] == [("procedural",)]
    assert not dataset.warnings
    with AnnotationLog.open(path, "alice", labels=old) as log:
        log.decide(document, turn, span, ["renamed label"])
    again = collect_dataset([path], label_set=label_set)
    assert again.labels[-1] == "renamed label"
    assert [r.labels for r in again.records] == [("renamed label",)]
    assert any("used 1 times" in w for w in again.warnings)


def test_a_dataset_is_streamed_once(alice_log: Path, label_set: LabelSet) -> None:
    dataset = collect_dataset([alice_log], label_set=label_set)
    assert sum(1 for _ in dataset.stream()) == 14
    with pytest.raises(RuntimeError, match="once"):
        next(dataset.stream())
    held = collect_dataset([alice_log], label_set=label_set)
    assert len(held.records) == len(list(held.stream())) == 14  # held records re-read


def test_a_corpus_with_an_id_twice_is_refused(
    tmp_path: Path, alice_log: Path, documents: list[Document]
) -> None:
    with pytest.raises(ExportError, match="two documents with the id 'brief-a'"):
        export_logs([alice_log], "jsonl", tmp_path / "o.jsonl", documents=documents * 2)
    assert not (tmp_path / "o.jsonl").exists()


def test_doccano_split_writes_no_file_for_an_analyst_without_records(
    tmp_path: Path, label_set: LabelSet, documents: list[Document]
) -> None:
    alice = annotate(tmp_path / "alice.jsonl", "alice", documents, label_set)
    ben = annotate(tmp_path / "ben.jsonl", "ben", [make_document(BRIEFING, "other")], label_set)
    out = tmp_path / "out.jsonl"
    options = ExportOptions(split_by="annotator")
    result = export_logs([alice, ben], "doccano", out, documents=documents, options=options)
    assert [p.name for p in result.files] == ["out.alice.jsonl"]
    assert not (tmp_path / "out.ben.jsonl").exists()
    assert any("not in the corpus" in line for line in result.left_out)


def test_a_training_set_leaves_disagreements_out_instead_of_training_them_as_negatives(
    tmp_path: Path, documents: list[Document], label_set: LabelSet
) -> None:
    """Under the default ``--unresolved flag`` a disagreement was kept, flagged, with no
    label: spaCy reads no flag, so it trained as "no label applies" (every cat 0)."""
    import spacy
    from spacy.tokens import DocBin

    a = annotate(tmp_path / "a.jsonl", "alice", documents, label_set)
    other = [["procedural"] if c else c for c in ALICE]  # disagrees where alice chose else
    b = annotate(tmp_path / "b.jsonl", "bob", documents, label_set, other)
    out = tmp_path / "spacy"
    result = export_logs([a, b], "spacy", out, documents=documents)
    vocab = spacy.blank("en").vocab
    docs = [
        doc
        for name in ("train.spacy", "dev.spacy")
        for doc in DocBin().from_disk(out / name).get_docs(vocab)
    ]
    disputed = {
        sentence.text
        for n, (_, sentence) in enumerate(units(documents[0]))
        if ALICE[n] is not None and ALICE[n] != other[n]
    }
    assert disputed
    texts = {doc.text for doc in docs}
    assert len(docs) == result.records and not texts & disputed, texts
    assert any("left out" in note and "disagree" in note for note in result.notes)
    # The same logs to jsonl keep them, flagged unresolved, for people to read.
    rows = export_logs([a, b], "jsonl", tmp_path / "all.jsonl", documents=documents)
    assert rows.records > result.records
