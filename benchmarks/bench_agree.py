"""How fast ``annotator agree`` is: prints one table.

    .venv/bin/python benchmarks/bench_agree.py [--sentences N] [--folder DIR]

Three analysts code the same N sentences (default 100,000; 100 documents,
about 70% of decisions copied from a shared "true" label set, the rest drawn
at random from five labels, multi-label). The logs are written in the store's
line format directly (an fsync per line would make the setup take minutes).

- read: ``read_codings`` over the three logs (``store.read_log`` replay plus
  the store's own fields of every last line per sentence; a process per log
  when the logs are big and there are two or more cores, this process reading
  the last log itself when there are more logs than workers).
- metrics: ``agreement_report`` on the gathered codings: every metric, per
  label and overall, pairs, confusion tables, per document and speaker,
  the disputed list.
- total: both, as ``annotator agree`` spends it (rendering aside).

Target: metrics for 100,000 sentences x 3 analysts in under 2 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from annotator.agreement import agreement_report, read_codings
from annotator.log import LABEL, Decision, encode_line, make_options

LABELS = ("commitment", "threat assessment", "procedural", "reassurance", "call to action")
ANALYSTS = ("ana", "ben", "cy")
SENTENCE = "We will provide an additional $2 billion in security assistance ({n})."


def write_logs(folder: Path, sentences: int, documents: int = 100) -> list[Path]:
    """One log per analyst over the same sentences, in the store's line format."""
    rng = random.Random(0)
    per_document = max(1, sentences // documents)
    truth = [tuple(rng.sample(LABELS, rng.choice((0, 1, 1, 1, 2)))) for _ in range(sentences)]
    paths = []
    for analyst in ANALYSTS:
        path = folder / f"{analyst}.jsonl"
        paths.append(path)
        with path.open("w", encoding="utf-8") as out:
            for n in range(sentences):
                labels = truth[n] if rng.random() < 0.7 else tuple(rng.sample(LABELS, 1))
                text = SENTENCE.format(n=n)
                start = (n % per_document) * 100
                decision = Decision(
                    action=LABEL,
                    document=f"briefing-{n // per_document}",
                    doc_hash="0123456789abcdef",
                    start=start,
                    end=start + len(text),
                    text=text,
                    turn=(n % per_document) // 8,
                    speaker="MR MILLER" if (n // 8) % 2 == 0 else "QUESTION",
                    labels=labels,
                    annotator=analyst,
                    session="bench",
                    time="2024-05-01T12:00:00.000Z",
                    id=f"bench#{n}",
                    options=make_options(LABELS),
                )
                out.write(encode_line(decision).decode())
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        paths = write_logs(Path(tmp), args.sentences)
        started = time.perf_counter()
        codings = read_codings(paths)
        read = time.perf_counter() - started
        started = time.perf_counter()
        report = agreement_report(codings)
        metrics = time.perf_counter() - started
    rows = [
        ("read logs (read_codings)", read, ""),
        ("metrics (agreement_report)", metrics, "under 2 s"),
        ("total", read + metrics, ""),
    ]
    print(f"agreement: {report.units:,} sentences x {len(report.annotators)} analysts")
    print(f"{'step':<30} {'seconds':>8}  target")
    for name, seconds, target in rows:
        print(f"{name:<30} {seconds:>8.2f}  {target}")
    alpha = report.overall.krippendorff_alpha
    print(f"(overall alpha {alpha:.3f}, {len(report.per_label)} labels)")


if __name__ == "__main__":
    main()
