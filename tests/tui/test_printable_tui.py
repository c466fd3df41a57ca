"""The TUI never sends input's control codes to the terminal (see tests/test_printable.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotator.log import AnnotationLog
from annotator.model import Label, LabelSet
from annotator.segment import segment_document
from annotator.session import AnnotationSession
from annotator.transcript import parse_text
from annotator.tui.app import AnnotatorApp

EVIL = "EVIL\x1b]0;pwned\x07\x1b[2J\u202e"


async def test_tui_shows_hostile_input_escaped(workdir: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    labels = LabelSet(
        (Label(f"threat{EVIL}", "1", description=EVIL), Label("commitment", "2")), source="x"
    )
    document = segment_document(
        parse_text(f"{EVIL}: We will act {EVIL} now. Then more.", doc_id="d", source="d.txt"),
        nlp,
    )
    document = replace(document, title=EVIL)
    log = AnnotationLog.open(workdir / "log.jsonl", "analyst", labels=labels)
    try:
        session = AnnotationSession([document], labels, log)
        session.resume()
        app = AnnotatorApp(session, "log.jsonl")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("1", "n", *"note", "enter")
            await pilot.press("slash", *"zz", "enter")
            screen = app.export_screenshot()
    finally:
        log.close()
    assert "\x1b" not in screen and "\u202e" not in screen and "\x07" not in screen
    assert "\\u001b" in screen
