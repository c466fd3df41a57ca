"""The annotation screen over a prepared corpus opened by its index (issue 16): the
header and the navigator know every document, a document is read when the analyst
goes to it, and a damaged corpus is told in the status line, not a crash."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import LOG_NAME
from textual.widgets import OptionList

from annotator.config import Config
from annotator.corpus import write_corpus
from annotator.log import AnnotationLog
from annotator.model import LabelSet
from annotator.opening import open_session, plan_annotation
from annotator.sources import Reading
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.navigator import DocumentNavigator
from tests.builders import numbered_document
from tests.tui.test_background_work import shown

SIZE = (120, 40)
DOCUMENTS = 40


@pytest.fixture
def corpus(workdir: Path) -> Path:
    path = workdir / "corpus.jsonl"
    write_corpus([numbered_document(f"doc-{n:02d}", 6) for n in range(DOCUMENTS)], path)
    return path


@pytest.fixture
def open_app(corpus: Path, workdir: Path, labels: LabelSet) -> Iterator[Callable[[], AnnotatorApp]]:
    """Build the app as ``annotator annotate corpus.jsonl`` builds it."""
    logs: list[AnnotationLog] = []

    def build() -> AnnotatorApp:
        plan = plan_annotation(
            [corpus], labels, Reading(), Config(), out=workdir / LOG_NAME, annotator="analyst"
        )
        log, session = open_session(plan.log_path, plan.name, labels, plan.documents, plan.config)
        logs.append(log)
        return AnnotatorApp(session, LOG_NAME, pending=plan.pending, pending_total=plan.remaining)

    yield build
    for log in logs:
        log.close()


async def test_the_navigator_lists_every_document_and_opens_the_one_chosen(
    decodes: list[str], open_app: Callable[[], AnnotatorApp]
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "doc 1/40" in shown(app, "#header")
        assert "0/240 decided" in shown(app, "#header")
        assert not app.screen.query_one("#loading").display  # nothing loads behind
        await pilot.press("1")
        await pilot.press("D")
        assert isinstance(app.screen, DocumentNavigator)
        assert app.screen.query_one(OptionList).option_count == DOCUMENTS
        await pilot.press(*"doc-33", "enter")
        await pilot.pause()
        assert "doc 34/40" in shown(app, "#header")
        assert app.session.document.id == "doc-33"
        assert "1/240 decided" in shown(app, "#header")
        await pilot.press("2")
        assert "2/240 decided" in shown(app, "#header")
    assert decodes == ["doc-00", "doc-33"]


async def test_a_document_that_is_not_where_the_index_says_is_told_in_the_status_line(
    corpus: Path, open_app: Callable[[], AnnotatorApp]
) -> None:
    # Two rows of the index trade names: the offsets still tile the file.
    data = corpus.read_bytes()
    at = data.rindex(b"\n", 0, len(data) - 1) + 1
    index = json.loads(data[at:])
    rows = index["rows"]
    rows[4][2:], rows[5][2:] = rows[5][2:], rows[4][2:]
    corpus.write_bytes(data[:at] + json.dumps(index).encode() + b"\n")
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", *"doc-05", "enter")
        await pilot.pause()
        assert "document 5 (doc-05)" in shown(app, "#status")
        # The status line may cut a long path short; the notification holds it whole.
        said = [notice.message for notice in app._notifications]
        assert any(
            "is not where the" in m and "the index is damaged: import the transcripts again" in m
            for m in said
        ), said
        assert app.is_running
        assert "doc 1/40" in shown(app, "#header")  # the cursor stayed
        await pilot.press("x")
        assert app.session.progress()[0] == 1
