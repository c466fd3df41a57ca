"""Fixtures for driving the annotation app with Textual's Pilot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.labels import load_labels
from annotator.log import AnnotationLog, read_log
from annotator.model import Document, LabelSet
from annotator.segment import load_pipeline, segment_document
from annotator.session import AnnotationSession
from annotator.transcript import parse_text
from annotator.tui.app import AnnotatorApp
from tests.builders import bundled_sample


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


@pytest.fixture(scope="session")
def sample(nlp) -> Document:  # type: ignore[no-untyped-def]
    return bundled_sample()


@pytest.fixture(scope="session")
def labels() -> LabelSet:
    return load_labels()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary folder so the log path shown on screen is always the same."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


LOG_NAME = "annotations/analyst.jsonl"


@pytest.fixture
def make_app(workdir: Path, labels: LabelSet) -> Iterator[Callable[..., AnnotatorApp]]:
    """Build an app over documents, with the log opened as ``annotate`` opens it."""
    opened: list[AnnotationLog] = []

    def build(
        documents: list[Document],
        label_set: LabelSet | None = None,
        keymap: dict[str, str] | None = None,
        **options: Any,
    ) -> AnnotatorApp:
        """``options`` go to the app as they are (``pending``, ``model_dir`` ...)."""
        chosen = label_set or labels
        log = AnnotationLog.open(workdir / LOG_NAME, "analyst", labels=chosen)
        opened.append(log)
        session = AnnotationSession(documents, chosen, log)
        session.resume()
        return AnnotatorApp(session, LOG_NAME, keymap=keymap, **options)

    yield build
    for log in opened:
        log.close()


def log_lines(workdir: Path) -> list[dict[str, object]]:
    """The decision lines on disk, as another program would read them."""
    import json

    path = workdir / LOG_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def current_labels(workdir: Path, text_start: str) -> tuple[str, ...] | None:
    """The replayed labels of the sentence beginning with ``text_start`` (None: undecided)."""
    state = read_log(workdir / LOG_NAME)
    for decision in state.decisions():
        if decision.text.startswith(text_start):
            return tuple(decision.labels)
    return None


def document_from(text: str, nlp, doc_id: str = "doc") -> Document:  # type: ignore[no-untyped-def]
    return segment_document(parse_text(text, doc_id=doc_id, source=f"{doc_id}.txt"), nlp)
