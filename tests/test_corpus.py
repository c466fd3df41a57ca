"""Prepared corpora on disk: what is written is what is read, and damage is reported."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.corpus import is_corpus, read_corpus, write_corpus
from annotator.errors import CorpusError
from annotator.model import Document, Span, Turn
from tests.builders import bundled_sample

TEXT = (
    "Briefing on Café Policy\n\n"
    "MS. DUPONT: (In French) Bonjour à tous. We begin now.\n\n"
    "Q: What’s next?\n\n"
    "MS. DUPONT (00:12): (Laughter.) Nothing.\n"
)


def span(text: str, part: str, start_from: int = 0) -> Span:
    start = text.index(part, start_from)
    return Span(start, start + len(part), part)


def handmade_document(doc_id: str = "briefing") -> Document:
    """A document with notes, a timestamp, non-ASCII text and a turn without sentences."""
    first = span(TEXT, "(In French) Bonjour à tous. We begin now.")
    second = span(TEXT, "What’s next?")
    third = span(TEXT, "(Laughter.) Nothing.")
    turns = (
        Turn(
            0,
            "MS. DUPONT",
            "dupont",
            first.start,
            first.end,
            first.text,
            notes=(span(TEXT, "(In French)"),),
            sentences=(span(TEXT, "Bonjour à tous."), span(TEXT, "We begin now.")),
        ),
        Turn(1, "Q", "q#2", second.start, second.end, second.text),
        Turn(
            2,
            "MS. DUPONT",
            "dupont",
            third.start,
            third.end,
            third.text,
            notes=(span(TEXT, "(Laughter.)"),),
            sentences=(span(TEXT, "Nothing."),),
            timestamp="00:12",
        ),
    )
    return Document(doc_id, "briefing.txt", "Briefing on Café Policy", TEXT, "Briefing", turns)


@pytest.fixture(scope="session")
def sample_document() -> Document:
    """The bundled sample, parsed and segmented with the default pipeline."""
    return bundled_sample()


def test_round_trip_keeps_every_turn_note_sentence_and_offset(
    tmp_path: Path, sample_document: Document
) -> None:
    documents = [handmade_document(), sample_document]
    path = tmp_path / "corpus.jsonl"
    assert write_corpus(documents, path) == 2
    assert is_corpus(path)
    back = list(read_corpus(path))
    # Warnings are reported at import time and not stored.
    assert back == [dataclasses.replace(document, warnings=()) for document in documents]
    for document in back:
        for turn in document.turns:
            assert document.text[turn.start : turn.end] == turn.text
            for unit in turn.sentences + turn.notes:
                assert document.text[unit.start : unit.end] == unit.text
    assert back[0].turns[2].timestamp == "00:12"
    assert back[0].turns[1].sentences == ()
    assert back[1].sentence_count() == sample_document.sentence_count() > 10


def test_read_corpus_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    write_corpus([handmade_document("a"), handmade_document("b")], path)
    documents = read_corpus(path)
    assert isinstance(documents, Iterator)
    assert next(documents).id == "a"
    assert next(documents).id == "b"
    assert next(documents, None) is None


def test_an_empty_collection_is_a_valid_corpus(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    assert write_corpus([], path) == 0
    assert is_corpus(path)
    assert list(read_corpus(path)) == []


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def corpus_lines(tmp_path: Path) -> list[str]:
    path = tmp_path / "good.jsonl"
    write_corpus([handmade_document("a"), handmade_document("b"), handmade_document("c")], path)
    return path.read_text(encoding="utf-8").splitlines()


def test_a_line_that_is_not_json_names_file_and_line(tmp_path: Path) -> None:
    lines = corpus_lines(tmp_path)
    lines[2] = lines[2][: len(lines[2]) // 2]  # cut off, as by a full disk
    path = write_lines(tmp_path / "damaged.jsonl", lines)
    documents = read_corpus(path)
    assert next(documents).id == "a"
    with pytest.raises(CorpusError) as caught:
        next(documents)
    assert str(caught.value) == f"{path}:3: damaged line (not JSON)"


@pytest.mark.parametrize("damage", ["no text", "turns not a list", "span not a pair"])
def test_a_record_with_missing_fields_names_file_and_line(tmp_path: Path, damage: str) -> None:
    lines = corpus_lines(tmp_path)
    record = json.loads(lines[3])
    if damage == "no text":
        del record["text"]
    elif damage == "turns not a list":
        record["turns"] = 7
    else:
        record["turns"][0]["span"] = [1, 2, 3]
    lines[3] = json.dumps(record)
    path = write_lines(tmp_path / "damaged.jsonl", lines)
    with pytest.raises(CorpusError) as caught:
        list(read_corpus(path))
    assert str(caught.value) == f"{path}:4: damaged document record"


def test_a_file_without_header_is_not_a_corpus(tmp_path: Path) -> None:
    lines = corpus_lines(tmp_path)
    path = write_lines(tmp_path / "headless.jsonl", lines[1:])
    assert not is_corpus(path)
    with pytest.raises(CorpusError) as caught:
        list(read_corpus(path))
    assert str(caught.value) == f"{path}: not a prepared corpus (no header line)"


def test_a_missing_corpus_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"
    with pytest.raises(CorpusError, match=r"nowhere\.jsonl: cannot read the corpus"):
        list(read_corpus(path))


def test_the_real_name_appears_only_when_the_corpus_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    partial = tmp_path / "corpus.jsonl.partial"
    seen: list[tuple[bool, bool]] = []

    def documents() -> Iterator[Document]:
        for doc_id in ("a", "b"):
            seen.append((path.exists(), partial.exists()))
            yield handmade_document(doc_id)

    write_corpus(documents(), path)
    assert seen == [(False, True), (False, True)]
    assert [document.id for document in read_corpus(path)] == ["a", "b"]
    assert not partial.exists()


def test_an_interrupted_write_leaves_no_partial_and_keeps_the_old_corpus(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    write_corpus([handmade_document("old")], path)
    before = path.read_bytes()

    def failing() -> Iterator[Document]:
        yield handmade_document("new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_corpus(failing(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl"]

    fresh = tmp_path / "fresh.jsonl"
    with pytest.raises(KeyboardInterrupt):
        write_corpus(failing(), fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl"]


def test_an_unwritable_place_is_a_corpus_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "corpus.jsonl"
    with pytest.raises(CorpusError, match=r"corpus\.jsonl: cannot write the corpus"):
        write_corpus([handmade_document()], path)
    assert not path.parent.exists()
