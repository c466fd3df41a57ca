"""A prepared corpus opened by its index (issue 16): memory follows the documents the
analyst is in, not the corpus.

Decodes are counted where every document is built from its line
(``corpus.document_from_dict``), so these tests hold whatever path the session takes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import annotator.corpus
from annotator.config import Config
from annotator.corpus import CorpusFile, read_corpus, write_corpus
from annotator.errors import CorpusError
from annotator.labels import load_labels
from annotator.log import AnnotationLog
from annotator.model import Document, LabelSet
from annotator.opening import open_session, plan_annotation
from annotator.session import AnnotationSession, Filter
from annotator.session.documents import KEEP_OPEN
from annotator.sources import Reading
from tests.builders import numbered_document
from tests.command_line import run_cli

DOCUMENTS = 30


@pytest.fixture(scope="module")
def labels() -> LabelSet:
    return load_labels()


@pytest.fixture
def documents() -> list[Document]:
    return [numbered_document(f"doc-{n:02d}", 4 + n % 5, per_turn=3) for n in range(DOCUMENTS)]


@pytest.fixture
def corpus(tmp_path: Path, documents: list[Document]) -> Path:
    path = tmp_path / "corpus.jsonl"
    write_corpus(documents, path)
    return path


@contextlib.contextmanager
def open_corpus(
    corpus: Path, labels: LabelSet, log_path: Path
) -> Iterator[tuple[AnnotationLog, AnnotationSession]]:
    """What ``annotator annotate CORPUS`` opens, before the screen."""
    plan = plan_annotation([corpus], labels, Reading(), Config(), out=log_path, annotator="analyst")
    log, session = open_session(
        plan.log_path, plan.name, plan.label_set, plan.documents, plan.config
    )
    try:
        yield log, session
    finally:
        log.close()


def write_unindexed(path: Path, documents: list[Document]) -> None:
    """A corpus as version 1 wrote it: a header line, then one document per line."""
    lines = [json.dumps({"format": "annotator-corpus", "version": 1})]
    lines += [
        json.dumps(annotator.corpus.document_to_dict(d, compact=True), ensure_ascii=False)
        for d in documents
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the index ---------------------------------------------------------------------


def test_the_index_round_trips_every_document_and_its_counts(
    corpus: Path, documents: list[Document]
) -> None:
    opened = CorpusFile.open(corpus)
    assert opened.indexed and len(opened) == DOCUMENTS
    for number, (entry, document) in enumerate(zip(opened.entries, documents, strict=True)):
        assert (entry.id, entry.title, entry.source) == (
            document.id,
            document.title,
            document.source,
        )
        assert entry.sentences == document.sentence_count()
        assert entry.turns == len(document.turns)
        assert entry.text_hash == document.text_hash
        assert opened.read(number) == document
    # Streaming readers (export, status) pass over the index line.
    assert list(read_corpus(corpus)) == documents


def test_a_corpus_without_an_index_still_opens_and_says_nothing_wrong(
    tmp_path: Path, documents: list[Document], labels: LabelSet
) -> None:
    old = tmp_path / "old.jsonl"
    write_unindexed(old, documents)
    opened = CorpusFile.open(old)
    assert not opened.indexed
    assert [e.id for e in opened.entries] == [d.id for d in documents]
    assert opened.read(7) == documents[7]
    assert list(read_corpus(old)) == documents
    with open_corpus(old, labels, tmp_path / "a.jsonl") as (log, session):
        assert len(session.documents) == DOCUMENTS
        assert log.warnings == [] and session.position.doc == 0
        session.go_to_document(12)
        assert session.document == documents[12]


# --- opening lazily -----------------------------------------------------------------


def test_opening_a_corpus_decodes_only_the_document_it_resumes_in(
    corpus: Path, labels: LabelSet, tmp_path: Path, decodes: list[str]
) -> None:
    with open_corpus(corpus, labels, tmp_path / "a.jsonl") as (_, session):
        assert decodes == ["doc-00"]
        # Yet the session knows the whole corpus: the header says "doc 1/30".
        assert len(session.documents) == DOCUMENTS
        assert session.progress() == (0, sum(4 + n % 5 for n in range(DOCUMENTS)))


def test_going_to_a_document_decodes_it_and_only_a_few_stay_open(
    corpus: Path, labels: LabelSet, tmp_path: Path, decodes: list[str]
) -> None:
    with open_corpus(corpus, labels, tmp_path / "a.jsonl") as (_, session):
        for k in range(1, 20):
            session.go_to_document(k)
            assert session.document.id == f"doc-{k:02d}"
            assert decodes[-1] == f"doc-{k:02d}"
            assert sum(session.is_open(d) for d in range(DOCUMENTS)) <= KEEP_OPEN
        assert len(decodes) == 20
        # Back to one still open: nothing decoded again.
        session.go_to_document(18)
        assert len(decodes) == 20
        # Moving sentence by sentence across a boundary opens only the next document.
        session.go_to_document(3)
        before = len(decodes)
        while session.position.doc == 3:
            assert session.next()
        assert decodes[before:] == ["doc-04"]
        assert session.position.doc == 4


def decide_all(session: AnnotationSession, doc: int) -> None:
    session.go_to_document(doc)
    while session.position.doc == doc and session.sentence is not None:
        session.no_label()
        if session.decision is not None:
            break  # the last sentence of the corpus


def test_progress_and_navigator_counts_of_documents_never_opened(
    corpus: Path, labels: LabelSet, tmp_path: Path, decodes: list[str], documents: list[Document]
) -> None:
    log_path = tmp_path / "a.jsonl"
    with open_corpus(corpus, labels, log_path) as (_, session):
        session.go_to_document(3)
        session.toggle_label("commitment")
        session.next()
        session.toggle_exclude()
        session.toggle_flag()
        session.go_to_document(7)
        session.no_label()
        session.toggle_flag()  # the flag moved on with the cursor: flags sentence 2
        written = session.documents_overview()
    decodes.clear()
    with open_corpus(corpus, labels, log_path) as (_, session):
        overview = session.documents_overview()
        assert decodes == ["doc-00"]  # the navigator read the log, not the documents
        assert overview == written
        by_id = {row.id: row for row in overview}
        assert (by_id["doc-03"].decided, by_id["doc-03"].total) == (1, 6)
        assert by_id["doc-03"].flagged == 1
        assert (by_id["doc-07"].decided, by_id["doc-07"].total, by_id["doc-07"].flagged) == (
            1,
            6,
            1,
        )
        assert by_id["doc-12"].title == "doc-12" and by_id["doc-12"].total == 6
        total = sum(d.sentence_count() for d in documents) - 1  # one excluded
        assert session.progress() == (2, total)
    # The same as a session holding every document in memory counts them.
    log = AnnotationLog.open(log_path, "analyst", labels=labels)
    try:
        eager = AnnotationSession(documents, labels, log)
        for d in range(DOCUMENTS):
            eager.go_to_document(d)  # opened, so counted from the text
        assert eager.documents_overview() == overview
    finally:
        log.close()


def test_resume_passes_over_documents_the_log_says_are_done_without_reading_them(
    corpus: Path, labels: LabelSet, tmp_path: Path, decodes: list[str]
) -> None:
    log_path = tmp_path / "a.jsonl"
    with open_corpus(corpus, labels, log_path) as (_, session):
        for doc in range(6):
            decide_all(session, doc)
        assert session.position.doc == 6
        decide_all(session, 8)
        decide_all(session, 9)
    decodes.clear()
    with open_corpus(corpus, labels, log_path) as (_, session):
        assert session.position.doc == 6 and session.position.sentence == 0
        assert decodes == ["doc-06"]
        decide_all(session, 7)
        assert session.position.doc == 8  # moved on in reading order
        # The next sentence still to do is in doc 10: doc 9 is done, and not read.
        assert session.next_undecided()
        assert session.position.doc == 10
        assert decodes == ["doc-06", "doc-07", "doc-08", "doc-10"]


def test_filters_search_and_undo_reach_documents_closed_since(
    corpus: Path, labels: LabelSet, tmp_path: Path, decodes: list[str]
) -> None:
    with open_corpus(corpus, labels, tmp_path / "a.jsonl") as (_, session):
        session.go_to_document(2)
        session.toggle_flag()
        session.go_to_document(5)
        decided = session.sentence
        session.no_label()
        for k in range(10, 16):
            session.go_to_document(k)
        assert not session.is_open(2) and not session.is_open(5)
        before = len(decodes)
        # Flags are known without the text: documents without any are not opened.
        assert session.set_filter(Filter("flagged"))
        assert session.document.id == "doc-02"
        assert decodes[before:] == ["doc-02"]
        session.set_filter(Filter())
        # Undo goes back to the document the line was about, reading it again.
        session.go_to_document(20)
        assert session.undo() is not None
        assert session.document.id == "doc-05" and session.sentence == decided
        assert session.progress(5)[0] == 0 and session.progress()[0] == 0
        # A search looks through the documents' text and opens only the one it finds.
        before = len(decodes)
        assert session.search("SENTENCE 3 of doc-25.")
        assert session.document.id == "doc-25" and session.sentence is not None
        assert session.sentence.text == "Sentence 3 of doc-25."
        assert decodes[before:] == ["doc-25"]
        assert not session.search("not in any document")
        assert sum(session.is_open(d) for d in range(DOCUMENTS)) <= KEEP_OPEN


def test_a_work_list_over_a_corpus_opens_only_its_documents(
    corpus: Path, documents: list[Document], labels: LabelSet, tmp_path: Path
) -> None:
    from annotator.assign import load_worklist, plan_assignment, write_assignment

    chosen = [documents[4], documents[11], documents[25]]
    plan = plan_assignment(chosen, ["ana"], overlap=0.0, seed=1, unit="sentence")
    write_assignment(plan, tmp_path / "lists")
    work = load_worklist(tmp_path / "lists" / "ana.json")
    opened = plan_annotation(
        [corpus],
        labels,
        Reading(),
        Config(),
        out=tmp_path / "a.jsonl",
        worklist=tmp_path / "lists" / "ana.json",
    )
    log, session = open_session(
        opened.log_path, opened.name, labels, opened.documents, opened.config, scope=opened.scope
    )
    try:
        assert [session.source.entry(d).id for d in range(len(session.documents))] == [
            "doc-04",
            "doc-11",
            "doc-25",
        ]
        assert session.progress() == (0, len(work))
        session.no_label()
        assert session.progress() == (1, len(work))
    finally:
        log.close()


# --- damage ------------------------------------------------------------------------


def rewrite_index(corpus: Path, change: str) -> None:
    """Damage the index line: ``shift`` an offset, ``swap`` two rows (the offsets still
    tile the file, but name the wrong documents), ``cut`` the file short in the index
    line, or ``drop`` the index line whole."""
    data = corpus.read_bytes()
    at = data.rindex(b"\n", 0, len(data) - 1) + 1
    index = json.loads(data[at:])
    rows = index["rows"]
    if change in ("cut", "drop"):
        corpus.write_bytes(data[: at + 40] if change == "cut" else data[:at])
        return
    if change == "shift":
        rows[5][0] += 3
    elif change == "swap":
        rows[4][2:], rows[5][2:] = rows[5][2:], rows[4][2:]
    corpus.write_bytes(data[:at] + json.dumps(index).encode() + b"\n")


@pytest.mark.parametrize("change", ["shift", "cut", "drop"])
def test_a_damaged_index_is_refused_in_one_line_naming_the_file(
    corpus: Path, tmp_path: Path, change: str
) -> None:
    rewrite_index(corpus, change)
    with pytest.raises(CorpusError, match="index is damaged or the file was cut short") as error:
        CorpusFile.open(corpus)
    assert str(corpus) in str(error.value) and "\n" not in str(error.value)
    ran = run_cli("annotate", corpus, "-a", "me", "-o", tmp_path / "a.jsonl", cwd=tmp_path)
    assert ran.returncode != 0
    said = ran.stderr.strip().splitlines()
    assert len(said) == 1 and str(corpus) in said[0] and "Traceback" not in ran.stderr
    if change != "shift":
        # Streaming readers (export, status) notice it too, rather than read less.
        with pytest.raises(CorpusError, match=str(corpus)):
            list(read_corpus(corpus))


def test_an_index_naming_the_wrong_documents_is_caught_when_one_is_read(
    corpus: Path, labels: LabelSet, tmp_path: Path
) -> None:
    rewrite_index(corpus, "swap")
    opened = CorpusFile.open(corpus)  # the offsets still tile the file
    with pytest.raises(CorpusError, match="not where the corpus index says") as error:
        opened.read(4)
    assert str(corpus) in str(error.value) and "\n" not in str(error.value)
    with open_corpus(corpus, labels, tmp_path / "a.jsonl") as (_, session):
        with pytest.raises(CorpusError, match="index is damaged"):
            session.go_to_document(5)
        assert session.document.id == "doc-00"  # the cursor stayed where it was
