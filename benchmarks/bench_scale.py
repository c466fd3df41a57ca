"""How cost grows with the work: time and peak memory of whole commands at 10k / 100k / 1M
decisions and on 1x / 4x / 16x corpora, with the fitted growth exponent of each.

    .venv/bin/python benchmarks/bench_scale.py [--decisions 10000,100000,1000000]
                                              [--corpus-words 1000000] [--folder DIR]
                                              [--only agree] [--skip-corpora]

``--only WORD`` runs only the commands whose name contains WORD (e.g. ``agree``,
``status``; ``replay,export`` for either), decisions and corpora alike; the others are
left out of the tables.

Every figure is one whole process, as an analyst runs it (interpreter start and
imports included): its wall-clock seconds and its peak resident memory (the
kernel's ``ru_maxrss`` for that child alone). The exponent is the slope of
log(time) against log(size) fitted over the sizes: 1.0 grows with the work,
below 1 the fixed start-up cost still dominates, above 1 cost grows faster than
the work. Targets (issue 16): exponents <= 1.1; every command under 500 MB at
1M decisions; ``status`` and ``export`` at 1M within 5x the replay's time;
the first screen of a 16x corpus as fast as of a 1x one, under 500 MB, and working
through it (``_work_through.py``: going to documents spread over the corpus and
labelling in each) under 500 MB too.

Decisions: the synthetic log of ``bench_export.py`` (1,000 sentences per
document) and, for ``agree``, a second analyst's copy of it. Corpora: the real
transcripts in ``../shared`` repeated under new ids as raw text files, imported
with ``annotator import``, then opened with ``annotator annotate`` until its
first frame (``_first_frame.py``).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
MEMORY_TARGET_MB = 500
REPLAY_MULTIPLE = 5
#: Each command's (seconds, peak MB) at each size.
Rows = list[tuple[str, list[tuple[float, float]]]]
#: Documents an analyst works through in the corpus row of that name (``_work_through.py``).
DOCUMENTS_WORKED = 60
WORK_THROUGH = f"work through {DOCUMENTS_WORKED} docs (annotate)"
#: The corpus commands (``corpus_rows``), so ``--only`` can skip writing the corpora.
CORPUS_COMMANDS = ("import (-j 1)", "first screen (annotate)", WORK_THROUGH)
REPLAY = (
    "import sys; from annotator.log import read_log; "
    "state = read_log(sys.argv[1]); print(len(state.documents))"
)


def run(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak MB of one whole process (fails loudly if it fails).

    The child's peak counts what it shares with this process when forked, so this
    process stays small: the data is written by children too (``make_log``).
    """
    began = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a pipe would fill and stall the child
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"bench_scale: {' '.join(command)} failed:\n{errors.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def make_log(folder: Path, decisions: int) -> Path:
    """bench_export's synthetic log of ``decisions`` lines, written by a child process."""
    write = (
        "import sys; from pathlib import Path; from bench_export import write_synthetic; "
        "write_synthetic(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", write, str(folder), str(decisions)], cwd=HERE, check=True)
    return folder / "analyst.jsonl"


def exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-6)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def second_analyst(log: Path) -> Path:
    """The same decisions as another analyst's log (for ``agree``)."""
    other = log.with_name("second.jsonl")
    with open(log, "rb") as source, open(other, "wb") as target:
        for line in source:
            target.write(line.replace(b'"annotator":"analyst"', b'"annotator":"second"', 1))
    return other


def chosen(commands: dict[str, list[str]], only: str | None) -> dict[str, list[str]]:
    """The commands whose name contains ``only``, or one of its comma-separated words
    (all of them when None)."""
    words = only.split(",") if only else []
    return {name: c for name, c in commands.items() if not words or any(w in name for w in words)}


def decision_rows(sizes: Sequence[int], root: Path, only: str | None = None) -> Rows:
    annotator = [sys.executable, "-m", "annotator"]
    rows: dict[str, list[tuple[float, float]]] = {}
    for n in sizes:
        folder = root / f"decisions-{n}"
        folder.mkdir()
        log = make_log(folder, n)
        second = second_analyst(log)
        commands = {
            "replay (read_log)": [sys.executable, "-c", REPLAY, str(log)],
            "status": [*annotator, "status", str(log)],
            "export -f jsonl": [*annotator, "export", str(log), "-f", "jsonl", "-o", "out.jsonl"],
            "stats": [*annotator, "stats", str(log)],
            "agree (2 analysts)": [*annotator, "agree", str(log), str(second)],
        }
        for name, command in chosen(commands, only).items():
            rows.setdefault(name, []).append(run(command, folder))
            print(f"  {name} at {n:,}: {rows[name][-1][0]:.1f} s", file=sys.stderr, flush=True)
        for path in folder.iterdir():
            path.unlink()
    return list(rows.items())


def write_transcripts(folder: Path, words: int) -> int:
    """Raw transcripts of at least ``words`` words, the shared ones repeated; their words."""
    sources = sorted((SHARED / "corpora" / "transcripts").glob("*.txt"))
    if not sources:
        sys.exit(f"bench_scale: no transcripts under {SHARED}; ../shared must sit beside the repo")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    counts = [len(t.split()) for t in texts]
    folder.mkdir()
    written = copy = 0
    while written < words:
        for source, text, count in zip(sources, texts, counts, strict=True):
            (folder / f"{source.stem}-{copy:04d}.txt").write_text(text, encoding="utf-8")
            written += count
        copy += 1
    return written


def corpus_rows(
    base_words: int, root: Path, only: str | None = None
) -> tuple[list[int], list[tuple[str, list[tuple[float, float]]]]]:
    annotator = [sys.executable, "-m", "annotator"]
    first_frame = [sys.executable, str(HERE / "_first_frame.py"), "annotator"]
    work = [sys.executable, str(HERE / "_work_through.py"), str(DOCUMENTS_WORKED)]
    rows: dict[str, list[tuple[float, float]]] = {}
    words_at: list[int] = []
    for scale in (1, 4, 16):
        folder = root / f"corpus-{scale}x"
        folder.mkdir()
        words = write_transcripts(folder / "transcripts", base_words * scale)
        words_at.append(words)
        corpus = folder / "corpus.jsonl"
        commands = {
            "import (-j 1)": [*annotator, "import", "transcripts", "-o", str(corpus)],
            "first screen (annotate)": [*first_frame, "annotate", str(corpus), "-o", "a.jsonl"],
            WORK_THROUGH: [*work, "annotate", str(corpus), "-o", "w.jsonl"],
        }
        for name, command in chosen(commands, only).items():
            rows.setdefault(name, []).append(run(command, folder))
            print(f"  {name} at {scale}x: {rows[name][-1][0]:.1f} s", file=sys.stderr, flush=True)
    return words_at, list(rows.items())


def table(
    title: str,
    unit: str,
    sizes: Sequence[int],
    rows: Rows,
    targets: dict[str, str],
) -> None:
    print(f"\n{title}")
    head = " | ".join(f"{n:,} {unit}" for n in sizes)
    print(f"| command | {head} | exponent (fit) | exponent (last step) | target |")
    print("| --- |" + " --- |" * len(sizes) + " --- | --- | --- |")
    for name, figures in rows:
        cells = " | ".join(f"{s:.1f} s, {mb:.0f} MB" for s, mb in figures)
        seconds = [s for s, _ in figures]
        # The fit includes the fixed start-up cost; the last step shows the growth alone.
        fit = exponent(sizes, seconds)
        last = exponent(sizes[-2:], seconds[-2:])
        print(f"| {name} | {cells} | {fit:.2f} | {last:.2f} | {targets.get(name, '')} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", default="10000,100000,1000000")
    parser.add_argument("--corpus-words", type=int, default=1_000_000, help="the 1x corpus")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--skip-corpora", action="store_true")
    parser.add_argument("--only", default=None, help="only commands whose name contains this")
    args = parser.parse_args()
    sizes = [int(n) for n in args.decisions.split(",")]
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        root = Path(tmp)
        os.environ.setdefault("XDG_CACHE_HOME", str(root / "cache"))
        os.environ["XDG_CONFIG_HOME"] = str(root / "config")  # no user annotator.toml
        rows = decision_rows(sizes, root, args.only)
        replay = dict(rows).get("replay (read_log)")
        limit = f"< {MEMORY_TARGET_MB} MB at the largest"
        within = f"{limit}; <= {REPLAY_MULTIPLE}x replay"
        if replay:
            within += f" ({REPLAY_MULTIPLE * replay[-1][0]:.0f} s)"
        targets = {
            "status": within,
            "export -f jsonl": within,
            "stats": limit,
            "agree (2 analysts)": limit,
        }
        if rows:
            table(
                "Whole-log commands (one analyst's log; agree: two)",
                "decisions",
                sizes,
                rows,
                targets,
            )
        if not args.skip_corpora and chosen({name: [] for name in CORPUS_COMMANDS}, args.only):
            words, corpus = corpus_rows(args.corpus_words, root, args.only)
            table(
                "Corpora (the shared transcripts repeated)",
                "words",
                words,
                corpus,
                {
                    "import (-j 1)": "exponent <= 1.1",
                    "first screen (annotate)": f"flat (16x as 1x); < {MEMORY_TARGET_MB} MB",
                    WORK_THROUGH: f"< {MEMORY_TARGET_MB} MB, flat",
                },
            )


if __name__ == "__main__":
    main()
