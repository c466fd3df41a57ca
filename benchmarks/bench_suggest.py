"""Label suggestions: learning curve, keystrokes saved, training time, suggestion latency.

There is no gold-labelled policy corpus here, so the sample is synthetic but
real: the sentences of the transcripts in ``../shared/corpora/transcripts``
and the bundled sample, labelled by transparent keyword rules (``RULES``
below) and written into an annotation log with ``AnnotationLog.decide``, as
an analyst would. Every third speaker turn is held out for scoring; the model
is trained on the first 100, 200, 400 ... decisions of the other turns, taken
turn by turn from each document in turn (so early models see every document).

The scores measure how fast the classifier learns the rules, not how well it
would label policy statements: the labels are rule-made.

    python benchmarks/bench_suggest.py [--steps N] [--sizes 100,200,400]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from annotator.model import Document, Label, LabelSet, Span, Turn
from annotator.resources import sample_transcript
from annotator.segment import load_pipeline, segment_documents
from annotator.store import AnnotationLog
from annotator.suggest import (
    DEFAULT_MAX_STEPS,
    Suggester,
    TooFewDecisionsError,
    score_labels,
    train_model,
)
from annotator.transcript import parse_transcript

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT.parent / "shared" / "corpora" / "transcripts"
#: Every HELD_OUT-th turn of each document is held out for scoring.
HELD_OUT = 3

#: Keyword rules: a sentence gets every label whose pattern it matches.
RULES: dict[str, re.Pattern[str]] = {
    "commitment": re.compile(r"\b(will|shall|commit\w*|pledge\w*|going to)\b", re.I),
    "threat assessment": re.compile(
        r"\b(threat\w*|danger\w*|nuclear|aggression|missiles?|attacks?|terror\w*|risks?)\b",
        re.I,
    ),
    "procedural": re.compile(r"\b(thank\w*|questions?|next|floor|go ahead|all right|okay)\b", re.I),
    "cooperation": re.compile(
        r"\b(all(y|ies)|alliances?|partners?\w*|together|cooperat\w*|jointly)\b", re.I
    ),
}
LABELS = LabelSet(
    tuple(Label(name, str(n)) for n, name in enumerate(RULES, start=1)),
    source="bench_suggest rules",
)


def rule_labels(text: str) -> tuple[str, ...]:
    """The labels the keyword rules give a sentence (possibly none)."""
    return tuple(name for name, pattern in RULES.items() if pattern.search(text))


def load_sample() -> list[Document]:
    """The shared transcripts and the bundled sample, segmented with the default rules."""
    paths = [*sorted(TRANSCRIPTS.glob("*.txt")), sample_transcript()]
    if not TRANSCRIPTS.is_dir():
        sys.exit(f"{TRANSCRIPTS}: not found (the benchmark reads ../shared beside the checkout)")
    nlp = load_pipeline()
    return list(segment_documents([parse_transcript(p) for p in paths], nlp))


Unit = tuple[Document, Turn, Span]


def split_sample(documents: Sequence[Document]) -> tuple[list[Unit], list[Unit]]:
    """The training pool (turns interleaved across documents) and the held-out sentences."""
    held_out: list[Unit] = []
    queues: list[list[list[Unit]]] = []
    for document in documents:
        turns = []
        for turn in document.turns:
            sentences = [(document, turn, s) for s in turn.sentences]
            if turn.index % HELD_OUT == HELD_OUT - 1:
                held_out.extend(sentences)
            elif sentences:
                turns.append(sentences)
        queues.append(turns)
    pool: list[Unit] = []
    for round_ in range(max(len(q) for q in queues)):
        for turns in queues:
            if round_ < len(turns):
                pool.extend(turns[round_])
    return pool, held_out


def write_log(path: Path, decided: Sequence[Unit]) -> None:
    with AnnotationLog.open(path, "rules", labels=LABELS) as log:
        for document, turn, sentence in decided:
            log.decide(document, turn, sentence, rule_labels(sentence.text))


def keystrokes(gold: tuple[str, ...], suggested: tuple[str, ...] | None) -> int:
    """Keys to record ``gold``: label keys then Enter (or ``x`` for no label); with a
    suggestion, one key to accept it when right, else the label keys that fix it and Enter."""
    if suggested is None:
        return len(gold) + 1 if gold else 1
    if set(suggested) == set(gold):
        return 1
    return len(set(suggested) ^ set(gold)) + 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=DEFAULT_MAX_STEPS)
    parser.add_argument("--sizes", default="100,200,400")
    args = parser.parse_args(argv)

    documents = load_sample()
    pool, test = split_sample(documents)
    test_texts = [s.text for _, _, s in test]
    test_gold = [rule_labels(t) for t in test_texts]
    sizes = [int(n) for n in args.sizes.split(",") if int(n) < len(pool)] + [len(pool)]
    names = LABELS.names
    print(
        f"sample: {len(pool) + len(test)} real sentences from {len(documents)} transcripts; "
        f"labels are RULE-MADE (keyword rules in this script), not analysts'"
    )
    print(
        f"held out: every {HELD_OUT}rd turn ({len(test)} sentences); "
        f"train pool: {len(pool)} sentences, turns interleaved across documents; "
        f"{args.steps} steps per model"
    )
    positives = {name: sum(name in g for g in test_gold) for name in names}
    print("held-out positives: " + ", ".join(f"{n} {c}" for n, c in positives.items()))
    # Held-out turns never enter a training log; only short stock phrases ("Thank
    # you.") recur word for word, and they are counted here rather than hidden.
    seen = {s.text for _, _, s in pool}
    repeated = sum(text in seen for text in test_texts)
    print(f"held-out sentences whose exact text is also in the train pool: {repeated}")
    print()

    short = {"commitment": "commit", "threat assessment": "threat", "procedural": "proced"}
    header = ["decisions"] + [f"F1 {short.get(n, n[:6])}" for n in names]
    header += ["macro F1", "keys saved", "train s"]
    print(" | ".join(f"{h:>10}" for h in header))
    print("-+-".join("-" * 10 for _ in header))
    final: Suggester | None = None
    with tempfile.TemporaryDirectory() as tmp:
        baseline = sum(keystrokes(g, None) for g in test_gold)
        for size in sizes:
            log = Path(tmp) / f"first-{size}.jsonl"
            write_log(log, pool[:size])
            model_dir = Path(tmp) / f"model-{size}"
            try:
                report = train_model(
                    [log],
                    model_dir,
                    labels=LABELS,
                    dev_share=0.0,
                    max_steps=args.steps,
                    min_per_label=3,
                )
            except TooFewDecisionsError as error:
                print(f"{size:>10} | refused: {error}")
                continue
            suggester = Suggester.load(model_dir)
            predicted = suggester.suggest(test_texts)
            scores = score_labels(test_gold, [p.labels for p in predicted], names)
            macro = statistics.mean(s.f1 for s in scores)
            with_suggestions = sum(
                keystrokes(g, p.labels) for g, p in zip(test_gold, predicted, strict=True)
            )
            saved = 1 - with_suggestions / baseline
            cells = [f"{size:>10}"] + [f"{s.f1:>10.3f}" for s in scores]
            cells += [f"{macro:>10.3f}", f"{saved:>10.1%}", f"{report.seconds:>10.1f}"]
            print(" | ".join(cells))
            final = suggester
        print()
        if final is None:
            return
        print(
            f"keys saved = 1 - keys with suggestions / keys without, on the held-out turns "
            f"({baseline} keys without: label keys + Enter, or x for no label; "
            f"perfect suggestions would save {1 - len(test_gold) / baseline:.1%})"
        )
        _latency(final, test_texts)


def _latency(suggester: Suggester, texts: Sequence[str]) -> None:
    """Per-sentence suggestion latency: one sentence at a time (the cursor) and batched."""
    suggester.suggest(texts[:10])  # warm up
    singles = []
    for text in texts:
        started = time.perf_counter()
        suggester.suggest([text])
        singles.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    suggester.suggest(texts)
    batched = (time.perf_counter() - started) * 1000 / len(texts)
    singles.sort()
    p50 = singles[len(singles) // 2]
    p99 = singles[min(len(singles) - 1, int(len(singles) * 0.99))]
    print(
        f"suggestion latency per sentence: one at a time median {p50:.2f} ms, "
        f"p99 {p99:.2f} ms; batched {batched:.3f} ms (target < 5 ms)"
    )


if __name__ == "__main__":
    main()
