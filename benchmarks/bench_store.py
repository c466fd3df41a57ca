"""How fast the annotation log saves and replays: prints one table.

    .venv/bin/python benchmarks/bench_store.py [--folder DIR] [--quick]

- append: 10,000 ``AnnotationLog.decide`` calls, each timed from call to
  return (JSON encoding, write and fsync included): median and 99th percentile.
  Target: well under the 16 ms of a screen frame.
- replay: ``read_log`` of a log of 100,000 and of 1,000,000 decisions
  (synthetic policy-briefing sentences, 1,000 sentences per document, about 1 in
  10 decisions changed later). Target: 100,000 in under 0.5 s.
- resume: ``AnnotationLog.open`` + ``first_undecided`` on one 1,000-sentence
  document of the 100,000-decision log (what starting a session costs).

fsync speed depends on the disk: run it on the disk the logs will live on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _synthetic import make_document

from annotator.labels import load_labels
from annotator.log import LABEL, AnnotationLog, Decision, encode_line, make_options, read_log
from annotator.model import Document

LABELS = ("commitment", "threat assessment", "procedural", "reassurance", "call to action")


def bench_append(folder: Path, count: int) -> tuple[float, float, float, float]:
    """Per-decision seconds (median, p99), total, and CPU seconds per decision (the
    part that is not waiting for the disk), for ``count`` fsynced decides."""
    document = make_document("append-bench", count)
    units = [(turn, s) for turn in document.turns for s in turn.sentences]
    times = []
    with AnnotationLog.open(folder / "append.jsonl", "bench", labels=load_labels()) as log:
        started, cpu = time.perf_counter(), time.process_time()
        for n, (turn, sentence) in enumerate(units[:count]):
            t0 = time.perf_counter()
            log.decide(document, turn, sentence, [LABELS[n % len(LABELS)]])
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - started
        cpu = (time.process_time() - cpu) / count
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], total, cpu


def write_synthetic_log(path: Path, decisions: int, options: tuple[str, ...]) -> None:
    """``decisions`` lines as ``AnnotationLog`` writes them, without fsync (setup only)."""
    per_doc = 1000
    template = make_document("template", per_doc)
    units = [(turn, s) for turn in template.turns for s in turn.sentences]
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(decisions):
            # Every 10th line re-decides a sentence already decided: corrections happen.
            i = n if n % 10 else max(n - 37, 0)
            doc_number, unit = divmod(i, per_doc)
            turn, sentence = units[unit]
            decision = Decision(
                action=LABEL,
                document=f"briefing-{doc_number:05d}",
                doc_hash=f"{doc_number:016x}",
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                turn=turn.index,
                speaker=turn.speaker,
                source=f"transcripts/briefing-{doc_number:05d}.txt",
                labels=(LABELS[n % len(LABELS)],),
                annotator="analyst",
                session="bench",
                time="2024-07-28T10:11:12.123Z",
                id=f"bench#{n}",
                options=make_options(options),
            )
            handle.write(encode_line(decision).decode())


def bench_replay(path: Path) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of one ``read_log`` (CPU time is what a busy
    machine cannot inflate), and the number of lines read."""
    started, cpu = time.perf_counter(), time.process_time()
    state = read_log(path)
    return time.perf_counter() - started, time.process_time() - cpu, state.lines


def bench_resume(path: Path) -> float:
    document = make_document("briefing-00042", 1000)
    document = Document("briefing-00042", document.source, "", document.text, "", document.turns)
    started = time.perf_counter()
    with AnnotationLog.open(path, "analyst") as log:
        log.first_undecided(document)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None, help="where to write the logs")
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000 log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        folder = Path(tmp)
        options = load_labels().names
        rows: list[tuple[str, str, str]] = []

        median, p99, total, cpu_each = bench_append(folder, 10_000)
        rows.append(("append 10,000 decisions (fsync each)", "median per decision", _ms(median)))
        rows.append(("", "99th percentile", _ms(p99)))
        rows.append(("", "CPU time per decision", _ms(cpu_each)))
        rows.append(("", "total", f"{total:.2f} s"))

        sizes = [100_000] if args.quick else [100_000, 1_000_000]
        for size in sizes:
            path = folder / f"replay-{size}.jsonl"
            write_synthetic_log(path, size, options)
            megabytes = os.path.getsize(path) / 1e6
            seconds, cpu, lines = bench_replay(path)
            assert lines == size, (lines, size)
            rows.append(
                (f"replay {size:,} decisions ({megabytes:.0f} MB)", "read_log", f"{seconds:.3f} s")
            )
            rows.append(("", "read_log, CPU time", f"{cpu:.3f} s"))
            rows.append(("", "decisions per second", f"{size / seconds:,.0f}"))
            if size == 100_000:
                rows.append(("", "open + first_undecided", f"{bench_resume(path):.3f} s"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at the end of the run\n")
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'measure':<24}  value")
    print(f"{'-' * width}  {'-' * 24}  ----------")
    for name, measure, value in rows:
        print(f"{name:<{width}}  {measure:<24}  {value}")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


if __name__ == "__main__":
    main()
