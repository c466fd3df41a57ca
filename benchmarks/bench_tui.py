"""How fast the annotation screen answers, on a prepared corpus of about a million words.

Builds the corpus from the real transcripts in ../shared (repeated under new ids),
then drives the app headless, as ``annotator annotate CORPUS`` opens it (by the
corpus's index: no document but the one resumed in is read), and prints one
table: the first frame; the first keystrokes after it (while a background loader
ran, before issue 16); per keystroke (label, move, undo), the median and 99th
percentile until the decision is on disk and the screen is updated; going to a
document not read yet (``D``, Enter); the panels; documents decoded; peak memory.

Then, whole processes timed from outside (interpreter start, imports, reading,
first frame, exit; headless, ``_first_frame.py``): ``annotator annotate`` on the
bundled sample with the parse cache cold and warm, against an empty Textual
``App`` that exits on its first frame. Target: warm within 3x the empty app.

Run: ``.venv/bin/python benchmarks/bench_tui.py`` (``--whole-process`` for the
last rows only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
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
#: Keystrokes timed right after the first frame.
FIRST_KEYS = 50
#: Documents opened through the navigator (``D``, Enter), spread over the corpus.
DOCUMENT_JUMPS = 20
#: Times the navigator and the picker are opened and filtered.
PANEL_ROUNDS = 20
#: Runs of each whole process (empty app, sample cold, sample warm), interleaved.
PROCESS_RUNS = 9
#: The warm open of the bundled sample may take this many times an empty app's first frame.
WARM_TARGET = 3.0


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


def first_frame_watch(app: AnnotatorApp, began: float) -> dict[str, float]:
    """Note the time of the first frame the annotation screen renders (not Textual's
    default screen, which may be drawn before it)."""
    marks: dict[str, float] = {}
    display = app._display

    def shown(screen: Screen[object], renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        if "first" not in marks and renderable is not None and screen.id != "_default":
            marks["first"] = time.perf_counter() - began

    app._display = shown  # type: ignore[assignment]
    return marks


async def document_jumps(app: AnnotatorApp, rounds: int) -> list[float]:
    """Going to a document far from the cursor through the navigator: from Enter until
    the frame that shows it (the document read, decoded and drawn)."""
    from annotator.tui.screens.navigator import DocumentNavigator

    session = app.session
    count = len(session.documents)
    found = []
    for k in range(rounds):
        target = (session.position.doc + count // 2 + k) % count
        await frame_when(app, "D", lambda: isinstance(app.screen, DocumentNavigator))
        listing = app.screen.query_one(OptionList)
        listing.highlighted = target
        await asyncio.sleep(0.01)
        found.append(await frame_when(app, "enter", lambda t=target: session.position.doc == t))
    return found


async def drive(corpus: Path, log_path: Path) -> dict[str, list[float] | float]:
    """Open the corpus as the CLI does; time the first frame, the keystrokes right after
    it and later, and going to other documents."""
    started = time.perf_counter()
    from annotator.config import Config
    from annotator.labels import load_labels
    from annotator.opening import open_session, plan_annotation
    from annotator.sources import Reading

    plan = plan_annotation([corpus], load_labels(), Reading(), Config(), out=log_path)
    log, session = open_session(plan.log_path, "bench", plan.label_set, plan.documents, plan.config)
    app = AnnotatorApp(session, str(log_path), pending=plan.pending, pending_total=plan.remaining)
    marks = first_frame_watch(app, started)
    results: dict[str, list[float] | float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while "first" not in marks:
            await asyncio.sleep(0.0005)
        results["first frame"] = marks["first"]
        if not app.workers:  # nothing loads behind the first screen
            results["corpus ready"] = marks["first"]
        first_keys: list[float] = []
        for _ in range(FIRST_KEYS):
            first_keys.append(await keystroke(app, "j" if len(first_keys) % 2 else "1"))
        results["first keystrokes"] = first_keys
        while app.screen.loading_message:  # a loader, if any (raw transcripts)
            await pilot.pause(0.05)
        results.setdefault("corpus ready", time.perf_counter() - started)
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
        results["go to a document (D, Enter)"] = await document_jumps(app, DOCUMENT_JUMPS)
        results["documents"] = float(len(session.documents))
        results["decoded"] = float(session.decoded)
    log.close()
    return results


def whole_process(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds of one process from its start to its exit, and the CPU seconds
    (user + system) it used: on a busy machine the wall clock waits for other work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"bench_tui: {' '.join(command)} failed:\n{result.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def first_frames(runs: int = PROCESS_RUNS) -> dict[str, list[tuple[float, float]]]:
    """Whole-process time to the first frame: an empty Textual app, and ``annotator
    annotate`` on the bundled sample with the parse cache empty and then filled."""
    from annotator.parse_cache import CACHE_ENV
    from annotator.resources import sample_transcript

    runner = [sys.executable, str(Path(__file__).with_name("_first_frame.py"))]
    found: dict[str, list[tuple[float, float]]] = {"empty": [], "cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        # No user config (annotator.toml) and a cache of the benchmark's own.
        env = dict(os.environ, XDG_CONFIG_HOME=str(here / "config"))
        annotate = [*runner, "annotator", "annotate", str(sample_transcript())]
        warm_env = dict(env, **{CACHE_ENV: str(here / "warm")})
        whole_process([*annotate, "-o", str(here / "fill.jsonl")], warm_env, here)
        for run in range(runs):
            found["empty"].append(whole_process([*runner, "empty"], env, here))
            cold_env = dict(env, **{CACHE_ENV: str(here / f"cold-{run}")})
            log = ["-o", str(here / f"cold-{run}.jsonl")]
            found["cold"].append(whole_process([*annotate, *log], cold_env, here))
            log = ["-o", str(here / f"warm-{run}.jsonl")]
            found["warm"].append(whole_process([*annotate, *log], warm_env, here))
    return found


def print_first_frames(found: dict[str, list[tuple[float, float]]]) -> None:
    def figures(key: str) -> tuple[float, float, float]:
        walls = [wall for wall, _ in found[key]]
        cpus = [cpu for _, cpu in found[key]]
        return statistics.median(walls), min(walls), statistics.median(cpus)

    empty = figures("empty")
    print(
        f"whole process to the first frame (headless 120x40, {len(found['empty'])} runs "
        "each, interleaved; x = multiple of the empty app's figure):"
    )
    print(f"{'':<34}{'wall median':>16}{'wall best':>16}{'CPU median':>16}{'target':>14}")
    rows = (
        ("empty Textual App", "empty", ""),
        ("bundled sample, parse cache cold", "cold", ""),
        ("bundled sample, parse cache warm", "warm", f"<= {WARM_TARGET:g}x empty"),
    )
    for title, key, target in rows:
        cells = "".join(
            f"{value:>8.3f}s {value / base:>5.2f}x"
            for value, base in zip(figures(key), empty, strict=True)
        )
        print(f"{title:<34}{cells}{target:>14}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--whole-process", action="store_true", help="only the whole-process first-frame rows"
    )
    if parser.parse_args().whole_process:
        print_first_frames(first_frames())
        return
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
    print(f"{'measure':<34}{'median':>12}{'p99':>12}{'target':>14}")
    print("-" * 72)
    first_frame, ready = results["first frame"], results["corpus ready"]
    assert isinstance(first_frame, float) and isinstance(ready, float)
    print(f"{'first frame':<34}{first_frame:>11.3f}s{'':>12}{'< 1 s':>14}")
    print(f"{'every document reachable':<34}{ready:>11.3f}s{'':>12}{'':>14}")
    # The process's peak includes building the corpus (spaCy, every document in
    # memory): bench_scale.py measures the annotate process alone.
    during = results["first keystrokes"]
    assert isinstance(during, list)
    median, p99 = statistics.median(during) * 1000, percentile(during, 0.99) * 1000
    name = f"first {len(during)} keys after 1st frame"
    print(f"{name:<34}{median:>10.1f}ms{p99:>10.1f}ms{'< 30 ms p99':>14}")
    for name in ("label (1)", "decide (Enter)", "move (j)", "undo (u)"):
        values = results[name]
        assert isinstance(values, list)
        median, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
        target = "< 30 ms p99" if name.startswith("label") else ""
        print(f"{'keystroke ' + name:<34}{median:>10.1f}ms{p99:>10.1f}ms{target:>14}")
    names = ("open navigator (D)", "filter navigator", "open picker (l)", "filter picker")
    for name in (*names, "go to a document (D, Enter)"):
        values = results[name]
        assert isinstance(values, list)
        median, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
        print(f"{name:<34}{median:>10.1f}ms{p99:>10.1f}ms{'< 100 ms p99':>14}")
    print(f"{'peak RSS (with the corpus build)':<34}{peak_mb:>10.0f}MB{'':>12}{'< 500 MB':>14}")
    decoded, documents = int(results["decoded"]), int(results["documents"])
    print(f"documents in the session: {documents:,}; decoded in all: {decoded:,}")
    print()
    print_first_frames(first_frames())


if __name__ == "__main__":
    main()
