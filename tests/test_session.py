"""The annotation session without a screen: moving, deciding, filters, duplicate ids."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotator.errors import CorpusError
from annotator.labels import load_labels
from annotator.log import AnnotationLog
from annotator.model import Document
from annotator.session import AnnotationSession, Filter
from tests.builders import bundled_sample


@pytest.fixture(scope="module")
def sample() -> Document:
    return bundled_sample()


@pytest.fixture
def session(tmp_path: Path, sample: Document):  # type: ignore[no-untyped-def]
    labels = load_labels()
    with AnnotationLog.open(tmp_path / "log.jsonl", "tester", labels=labels) as log:
        yield AnnotationSession([sample], labels, log)


def test_moving_skips_turns_without_sentences_and_stops_at_the_ends(session) -> None:  # type: ignore[no-untyped-def]
    session.resume()
    assert not session.previous()
    seen = 1
    while session.next():
        seen += 1
    assert seen == session.progress()[1]
    session.home()
    assert session.position.sentence == 0 and session.position.turn == 0


def test_filters_search_and_next_undecided(session) -> None:  # type: ignore[no-untyped-def]
    session.resume()
    session.toggle_label("commitment")
    session.toggle_flag()
    assert session.search("nuclear")
    assert "nuclear" in (session.sentence.text.lower() if session.sentence else "")
    assert session.set_filter(Filter("flagged"))
    assert session.decision is not None and session.decision.flag
    assert not session.next()  # the only flagged sentence
    assert session.set_filter(Filter("speaker", "SECRETARY AUSTIN"))
    assert session.turn.speaker == "SECRETARY AUSTIN"
    session.set_filter(Filter())
    session.home()
    assert session.next_undecided() and session.decision is None


def test_two_documents_with_one_id_are_refused(session, sample: Document) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CorpusError, match="already taken"):
        session.add_documents([replace(sample, source="elsewhere/copy.txt")])
