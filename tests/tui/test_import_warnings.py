"""What the import report warns about is shown in the header when the document opens."""

from __future__ import annotations

from pathlib import Path

from conftest import document_from
from rich.console import Console
from textual.widgets import Static

from annotator.corpus import read_corpus, write_corpus
from annotator.ingest.report import reading_warnings

SIZE = (120, 40)


def long_turn_document(nlp, doc_id: str = "hearing"):  # type: ignore[no-untyped-def]
    words = " ".join(["We will keep working on this."] * 1100)  # 6,600 words
    text = f"Q: Will you keep working?\n\nMR. ADAMS: {words}\n\nQ: Thank you.\n"
    return document_from(text, nlp, doc_id)


def header_text(app) -> str:  # type: ignore[no-untyped-def]
    """The header's lines as plain text."""
    console = Console(width=200)
    with console.capture() as capture:
        console.print(app.screen.query_one("#header", Static).content)
    return capture.get()


async def test_a_documents_warnings_show_in_the_header(make_app, nlp, sample) -> None:
    warned = long_turn_document(nlp)
    assert any("has 6,600 words" in w for w in reading_warnings(warned))
    app = make_app([warned, sample])
    async with app.run_test(size=SIZE) as pilot:
        header = header_text(app)
        assert "1 reading warning" in header and "turn 2 (MR. ADAMS) has 6,600 words" in header
        # Shown as a notification too, once, when the document is first opened.
        assert any("6,600 words" in n.message for n in app._notifications)
        await pilot.press("D")  # the document list
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.session.document.id == sample.id
        assert "reading warning" not in header_text(app)
        # W lists the warnings again on demand, and says when there are none.
        await pilot.press("W")
        assert any("no reading warnings" in n.message.lower() for n in app._notifications)


def test_a_prepared_corpus_keeps_the_warnings(nlp, tmp_path: Path) -> None:
    warned = long_turn_document(nlp)
    write_corpus([warned], tmp_path / "corpus.jsonl")
    (again,) = read_corpus(tmp_path / "corpus.jsonl")
    assert again.warnings == warned.warnings and again.warnings
