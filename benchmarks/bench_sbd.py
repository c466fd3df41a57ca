"""Sentence-boundary quality and speed: our pipeline against spaCy's sentencizer.

Run from the repository root: ``.venv/bin/python benchmarks/bench_sbd.py``.
It reads the four public test sets from ``../shared/corpora/sbd`` (never
copied into this repository) and prints one table: boundary precision,
recall, F1 and exact% per set, plus words per second on long English text
in one process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import spacy
from spacy.language import Language

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sbd import SBD_DIR, SET_NAMES, Case, Score, load_set, score

from annotator.segment import load_pipeline, split_texts

# Speed is measured on long documents: every set's paragraphs joined into
# texts of about this many words, repeated to about SPEED_WORDS words in all.
DOCUMENT_WORDS = 2_000
SPEED_WORDS = 600_000


def sentencizer_pipeline() -> Language:
    """The baseline: spaCy's blank English pipeline with the rule-based sentencizer."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def long_texts(sets: dict[str, list[Case]]) -> tuple[list[str], int]:
    """Join the UD paragraphs into long documents; return them and their word count."""
    paragraphs = [case.text for name in ("ud_gum_dev_test", "ud_ewt_test") for case in sets[name]]
    documents, current, words = [], [], 0
    for paragraph in paragraphs:
        current.append(paragraph)
        words += len(paragraph.split())
        if words >= DOCUMENT_WORDS:
            documents.append("\n\n".join(current))
            current, words = [], 0
    if current:
        documents.append("\n\n".join(current))
    total = sum(len(text.split()) for text in documents)
    repeats = max(1, SPEED_WORDS // total)
    return documents * repeats, total * repeats


def words_per_second(nlp: Language, texts: list[str], words: int) -> float:
    """Best of three timed passes of split_texts (the first pass also warms the caches)."""
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for _spans in split_texts(texts, nlp):
            pass
        best = max(best, words / (time.perf_counter() - started))
    return best


def main() -> int:
    try:
        sets = {name: load_set(name) for name in SET_NAMES}
    except FileNotFoundError as error:
        print(f"bench_sbd: test sets not found ({error.filename}); expected them in {SBD_DIR}")
        return 1
    pipelines = {"annotator": load_pipeline(), "sentencizer": sentencizer_pipeline()}
    scores: dict[tuple[str, str], Score] = {}
    for label, nlp in pipelines.items():
        for name, cases in sets.items():
            scores[label, name] = score(cases, split_texts((case.text for case in cases), nlp))
    texts, words = long_texts(sets)
    speeds = {label: words_per_second(nlp, texts, words) for label, nlp in pipelines.items()}

    header = f"{'set':<20} {'pipeline':<12} {'P':>6} {'R':>6} {'F1':>6} {'exact%':>7}"
    print(header)
    print("-" * len(header))
    for name in SET_NAMES:
        for label in pipelines:
            s = scores[label, name]
            print(
                f"{name:<20} {label:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                f"{s.exact_pct:7.1f}"
            )
    print("-" * len(header))
    for label in pipelines:
        print(f"{'words/s (1 process)':<20} {label:<12} {speeds[label]:>30,.0f}")
    print(f"(speed: {len(texts)} texts of ~{DOCUMENT_WORDS:,} words, {words:,} words per pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
