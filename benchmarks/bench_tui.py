"""How fast the annotation screen answers, on a prepared corpus of about a million words.

Builds the corpus from the real transcripts in ../shared (repeated under new ids),
then drives the app headless, as ``annotator annotate CORPUS`` opens it, and
prints one table: time to the first screen, and per keystroke (label, move,
undo) the median and 99th percentile until the decision is on disk and the
screen is updated; and peak memory.

Run: ``.venv/bin/python benchmarks/bench_tui.py``
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.screen import Screen
from textual.widgets import OptionList

from annotator.tui.app import AnnotatorApp

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TARGET_WORDS = 1_000_000
KEYSTROKES = 300
#: Times the navigator and the picker are opened and filtered.
PANEL_ROUNDS = 20


def build_corpus(path: Path) -> tuple[int, int, int]:
    """Write a prepared corpus of at least a million words; return docs, sentences, words."""
    from dataclasses import replace

    from annotator.corpus import write_corpus
    from annotator.segment import load_pipeline, segment_documents
    from annotator.transcript import parse_transcript

    sources = sorted((SHARED / "corpora" / "transcripts").glob("*.txt"))
    sources += sorted((SHARED / "seeds").glob("*.txt"))
    if not sources:
        sys.exit(f"bench_tui: no transcripts under {SHARED}; ../shared must sit beside the repo")
    nlp = load_pipeline()
    base = list(segment_documents([parse_transcript(p) for p in sources], nlp))
    words_each = [sum(len(t.text.split()) for t in d.turns) for d in base]
    documents, words, copy = [], 0, 0
    while words < TARGET_WORDS:
        for document, count in zip(base, words_each, strict=True):
            documents.append(replace(document, id=f"{document.id}-{copy:04d}"))
            words += count
        copy += 1
    write_corpus(documents, path)
    return len(documents), sum(d.sentence_count() for d in documents), words


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def keystroke(app: AnnotatorApp, key: str) -> float:
    """Seconds from a key reaching the app until its action has run and a frame is on screen.

    Pilot's own ``press`` waits for the app to go idle (about 60 ms even on an
    empty app), so this sends the key event itself and watches two clocks: when
    the screen's action returned (the decision is fsynced by then) and when the
    next frame after that was written to the terminal.
    """
    screen = app.screen
    marks: dict[str, float] = {}
    action = {"1": "toggle_label", "enter": "confirm", "j": "next", "u": "undo"}[key]
    original = getattr(type(screen), f"action_{action}")

    def timed(*args: object) -> None:
        original(screen, *args)
        marks["action"] = time.perf_counter()

    setattr(screen, f"action_{action}", timed)
    try:
        return await frame_when(app, key, lambda: "action" in marks)
    finally:
        delattr(screen, f"action_{action}")


async def frame_when(app: AnnotatorApp, key: str, ready: Callable[[], bool]) -> float:
    """Seconds from a key reaching the app until a frame is on screen with ``ready()`` true
    (for screens and lists, where there is no single action to time)."""
    marks: dict[str, float] = {}
    display = app._display

    def shown(*args: object) -> None:
        display(*args)  # type: ignore[arg-type]
        if "frame" not in marks and ready():
            marks["frame"] = time.perf_counter()

    app._display = shown  # type: ignore[method-assign]
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    began = time.perf_counter()
    assert app._driver is not None
    app._driver.send_message(event)
    while "frame" not in marks:
        await asyncio.sleep(0.0005)
        if time.perf_counter() - began > 5:
            raise RuntimeError(f"no frame after key {key!r}")
    app._display = display  # type: ignore[method-assign]
    return marks["frame"] - began


def options_changed(screen: Screen[object]) -> Callable[[], bool]:
    """True once the screen's option list shows a different number of rows than now."""
    listing = screen.query_one(OptionList)
    before = listing.option_count
    return lambda: listing.option_count != before


async def panels(app: AnnotatorApp, rounds: int) -> dict[str, list[float]]:
    """The document navigator (D) and the label picker (l): opening each, and a letter
    typed into its filter, until the frame that shows the result."""
    from annotator.tui.screens.navigator import DocumentNavigator, LabelPicker

    found: dict[str, list[float]] = {
        "open navigator (D)": [],
        "filter navigator": [],
        "open picker (l)": [],
        "filter picker": [],
    }
    for _ in range(rounds):
        found["open navigator (D)"].append(
            await frame_when(app, "D", lambda: isinstance(app.screen, DocumentNavigator))
        )
        found["filter navigator"].append(await frame_when(app, "9", options_changed(app.screen)))
        await frame_when(app, "escape", lambda: not isinstance(app.screen, DocumentNavigator))
        found["open picker (l)"].append(
            await frame_when(app, "l", lambda: isinstance(app.screen, LabelPicker))
        )
        found["filter picker"].append(await frame_when(app, "z", options_changed(app.screen)))
        await frame_when(app, "escape", lambda: not isinstance(app.screen, LabelPicker))
    return found


async def drive(corpus: Path, log_path: Path) -> dict[str, list[float] | float]:
    """Open the corpus as the CLI does and time the first screen and keystrokes."""
    started = time.perf_counter()
    from annotator.labels import load_labels
    from annotator.log import AnnotationLog
    from annotator.session import AnnotationSession
    from annotator.sources import load_documents

    labels = load_labels()
    documents = load_documents([corpus])
    first = next(documents)
    log = AnnotationLog.open(log_path, "bench", labels=labels)
    session = AnnotationSession([first], labels, log)
    session.resume()
    app = AnnotatorApp(session, str(log_path), pending=documents)
    results: dict[str, list[float] | float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        results["first screen"] = time.perf_counter() - started
        # Let the worker deliver the rest of the corpus before timing keystrokes.
        while app.screen.loading_message or len(session.documents) < 2:
            await pilot.pause(0.05)
        while app.workers:
            await pilot.pause(0.05)
        results["documents"] = float(len(session.documents))
        label, enter, move, undo = [], [], [], []
        for _ in range(KEYSTROKES):
            label.append(await keystroke(app, "1"))
            enter.append(await keystroke(app, "enter"))
        for _ in range(KEYSTROKES):
            move.append(await keystroke(app, "j"))
        for _ in range(KEYSTROKES):
            undo.append(await keystroke(app, "u"))
        results.update({"label (1)": label, "decide (Enter)": enter})
        results.update({"move (j)": move, "undo (u)": undo})
        results.update(await panels(app, PANEL_ROUNDS))
    log.close()
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        began = time.perf_counter()
        docs, sentences, words = build_corpus(corpus)
        built = time.perf_counter() - began
        size_mb = corpus.stat().st_size / 1e6
        results = asyncio.run(drive(corpus, Path(folder) / "bench.jsonl"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"corpus: {docs:,} documents, {sentences:,} sentences, {words:,} words, "
        f"{size_mb:.1f} MB (built in {built:.1f} s)"
    )
    print(f"{'measure':<28}{'median':>12}{'p99':>12}{'target':>14}")
    print("-" * 66)
    print(f"{'first screen':<28}{results['first screen']:>11.3f}s{'':>12}{'< 1 s':>14}")
    for name in ("label (1)", "decide (Enter)", "move (j)", "undo (u)"):
        values = results[name]
        assert isinstance(values, list)
        median, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
        target = "< 30 ms p99" if name.startswith("label") else ""
        print(f"{'keystroke ' + name:<28}{median:>10.1f}ms{p99:>10.1f}ms{target:>14}")
    for name in ("open navigator (D)", "filter navigator", "open picker (l)", "filter picker"):
        values = results[name]
        assert isinstance(values, list)
        median, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
        print(f"{name:<28}{median:>10.1f}ms{p99:>10.1f}ms{'< 100 ms p99':>14}")
    print(f"{'peak memory (RSS)':<28}{peak_mb:>10.0f}MB{'':>12}{'< 500 MB':>14}")
    print(f"documents loaded in the session: {int(results['documents']):,}")


if __name__ == "__main__":
    main()
