"""How fast ``annotator export`` writes 100,000 decisions in every format: prints one table.

    .venv/bin/python benchmarks/bench_export.py [--decisions N] [--folder DIR] [--corpus]

A synthetic log of N decisions (100 sentences per ... 1,000 per document,
one annotator, multi-label, about 1 in 20 flagged or noted) is written once;
then each format is exported from scratch, as the command does it: replay
the log, build the records, write the files. ``--corpus`` also writes the
matching prepared corpus and re-anchors every decision through it.
Target: under 5 s per format for 100,000 decisions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _synthetic import make_document

from annotator.corpus import write_corpus
from annotator.export import FORMATS, ExportOptions, export_logs
from annotator.log import LABEL, Decision, encode_line, make_options, read_log
from annotator.sources import load_documents

LABELS = ("commitment", "threat assessment", "procedural", "reassurance", "call to action")
PER_DOCUMENT = 1000


def write_synthetic(folder: Path, decisions: int) -> tuple[Path, Path]:
    """The log of ``decisions`` lines (as ``AnnotationLog`` writes them) and its corpus."""
    n_docs = max(1, -(-decisions // PER_DOCUMENT))
    documents = [
        make_document(f"briefing-{d:05d}", PER_DOCUMENT, id_in_text=True) for d in range(n_docs)
    ]
    log = folder / "analyst.jsonl"
    n = 0
    with open(log, "w", encoding="utf-8") as handle:
        for document in documents:
            for turn in document.turns:
                for sentence in turn.sentences:
                    if n == decisions:
                        break
                    labels = (LABELS[n % 5],) if n % 3 else (LABELS[n % 5], LABELS[(n + 2) % 5])
                    decision = Decision(
                        action=LABEL,
                        document=document.id,
                        doc_hash=document.text_hash,
                        start=sentence.start,
                        end=sentence.end,
                        text=sentence.text,
                        turn=turn.index,
                        speaker=turn.speaker,
                        source=document.source,
                        labels=labels if n % 11 else (),
                        note="check the tense" if n % 20 == 0 else None,
                        flag=n % 20 == 0,
                        annotator="analyst",
                        session="bench",
                        time=f"2024-07-28T10:{(n // 60) % 60:02d}:{n % 60:02d}.000Z",
                        id=f"bench#{n}",
                        options=make_options(LABELS),
                    )
                    handle.write(encode_line(decision).decode())
                    n += 1
    corpus = folder / "corpus.jsonl"
    write_corpus(documents, corpus)
    return log, corpus


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def size_of(path: Path) -> int:
    """Bytes in a file, or in every file of a folder (the spacy and hf exports)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--corpus", action="store_true", help="re-anchor through the corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        folder = Path(tmp)
        log, corpus = write_synthetic(folder, args.decisions)
        size = log.stat().st_size / 1e6
        mode = "with --corpus" if args.corpus else "log only"
        # The replay alone, for scale: machines differ, and the ratio carries over.
        replay = min(_timed(lambda: read_log(log, label_sets=True)) for _ in range(2))
        print(f"export of {args.decisions:,} decisions ({size:.0f} MB log, {mode})")
        print(f"replaying the log alone (read_log): {replay:.2f} s")
        print(
            f"{'format':<12} {'seconds':>8} {'x replay':>9} {'records':>9} {'output MB':>10}"
            "  target < 5 s"
        )
        for name in FORMATS:
            out = folder / f"out-{name}"
            started = time.perf_counter()
            # As the command reads --corpus: a document at a time, as records are made.
            documents = load_documents([corpus]) if args.corpus else None
            # The command's defaults: spaCy splits by sentence, stratified by label.
            split = "sentence" if name == "spacy" else ""
            options = ExportOptions(force=True, split_by=split)
            result = export_logs([log], name, out, documents=documents, options=options)
            seconds = time.perf_counter() - started
            written = sum(size_of(p) for p in result.files) / 1e6
            verdict = "ok" if seconds < 5 else "SLOW"
            print(
                f"{name:<12} {seconds:>8.2f} {seconds / replay:>9.1f} {result.records:>9,} "
                f"{written:>10.1f}  {verdict}"
            )


if __name__ == "__main__":
    main()
