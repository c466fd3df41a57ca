"""A very large transcript through ``annotator parse``: time and peak memory by size.

    .venv/bin/python benchmarks/bench_large.py [--sizes 50,200] [--folder DIR]

A real transcript from ``../shared`` (the UK Hansard PMQs, colon labels) is
repeated into files of the given sizes in MB, and each is parsed by the real
command in a fresh process (``annotator parse FILE > /dev/null``), as an
analyst would run it. Files over ``annotator.stream.STREAM_BYTES`` (32 MB) are
read a section at a time. Target (issue 12): memory proportional to a section
and a turn, not the file: the peak must not grow with the file's size.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1].parent / "shared/corpora/transcripts"
NAME = "10_uk-hansard-pmqs-2006.txt"


def build(path: Path, megabytes: int) -> None:
    """Repeat the transcript's turns (not its preamble) until the file has ``megabytes``."""
    text = (SOURCE / NAME).read_text(encoding="utf-8")
    body = text[text.index("**") :]
    target = megabytes * 1_000_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        written = len(text.encode())
        while written < target:
            handle.write("\n" + body)
            written += len(body.encode()) + 1


def parse(path: Path) -> tuple[float, float]:
    """Seconds and the child's peak resident memory (MB) of ``annotator parse``."""
    command = [sys.executable, "-m", "annotator", "parse", str(path)]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.devnull, "w") as sink:
        subprocess.run(command, stdout=sink, stderr=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far: sizes run in increasing order.
    return seconds, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200", help="file sizes in MB, comma-separated")
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    if not (SOURCE / NAME).exists():
        print(f"needs {SOURCE / NAME}", file=sys.stderr)
        return 2
    sizes = sorted(int(size) for size in args.sizes.split(","))
    print(f"{'file MB':>8} {'seconds':>8} {'MB/s':>6} {'peak MB':>8} {'peak / file':>11}")
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        for megabytes in sizes:
            path = Path(tmp) / f"hansard-{megabytes}mb.txt"
            build(path, megabytes)
            size = path.stat().st_size / 1e6
            seconds, peak = parse(path)
            path.unlink()
            print(
                f"{size:>8.0f} {seconds:>8.1f} {size / seconds:>6.2f} {peak:>8.0f} "
                f"{peak / size:>11.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
