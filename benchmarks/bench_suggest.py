"""Label suggestions measured on an analyst's labels, leaving one transcript out.

Reads ``../shared/corpora/labelled/analyst_labels.jsonl`` (never copied into the
repository): sentences of real transcripts labelled by an analyst with the
shipped ``labels.yaml``. For each transcript, a model is trained as
``annotator train`` trains one (the label set's examples and near misses as
seed sentences, thresholds and the abstention cut-off cross-validated on the
other transcripts) and scores the transcript it did not see. Pooled over the
transcripts, it prints micro and macro F1, the exact-label-set rate, and
"right when suggested" (exact-set rate of the suggestions confident enough to
show) with its coverage, beside two baselines: keyword rules taken from the
label set's examples (six words per label) and "always no label". Then the
feature ablations, the training time on 500 decisions and the latency.

    python benchmarks/bench_suggest.py [--ablations]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator.labels import load_labels
from annotator.model import LabelSet
from annotator.suggest.calibrate import assign_folds, calibrate
from annotator.suggest.features import contexts_in_turn
from annotator.suggest.network import (
    ModelSettings,
    TrainingExample,
    featurize,
    fit_pipeline,
    make_docs,
    new_pipeline,
)
from annotator.suggest.scoring import HeldOutScores, held_out_scores
from annotator.suggest.suggester import Suggester, make_suggestion
from annotator.suggest.train import SEED_WEIGHT, seed_examples

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT.parent / "shared" / "corpora" / "labelled" / "analyst_labels.jsonl"
_STOP_WORDS = (
    "the a an and or of to in on for with by at from is are was be been this that these "
    "those our we us it its their they them his her has have had will would shall should "
    "not no any all over next two including"
)
_STOP = set(_STOP_WORDS.split())


def load_analyst_labels() -> tuple[list[str], list[TrainingExample]]:
    """Each labelled sentence's transcript and the sentence as a training example."""
    if not LABELLED.is_file():
        sys.exit(f"{LABELLED}: not found (the benchmark reads ../shared beside the checkout)")
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    turns: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        turns[(row["file"], row["turn"])].append(n)
    context = {}
    for members in turns.values():
        speaker = rows[members[0]]["speaker"]
        for n, found in zip(members, contexts_in_turn(speaker, len(members)), strict=True):
            context[n] = found
    examples = [
        TrainingExample(r["text"], tuple(r["labels"]), context[n]) for n, r in enumerate(rows)
    ]
    return [r["file"] for r in rows], examples


def keyword_rules(
    labels: LabelSet, per_label: int = 6, examples: int | None = None
) -> dict[str, set[str]]:
    """Per label, its ``per_label`` commonest content words in the label's first
    ``examples`` examples (all by default)."""
    rules = {}
    for label in labels.labels:
        words = Counter(
            w
            for example in label.examples[:examples]
            for w in re.findall(r"[a-z]+", example.lower())
            if len(w) > 3 and w not in _STOP
        )
        rules[label.name] = {w for w, _ in words.most_common(per_label)}
    return rules


def keyword_predict(rules: dict[str, set[str]], text: str) -> tuple[str, ...]:
    words = set(re.findall(r"[a-z]+", text.lower()))
    return tuple(name for name, keys in rules.items() if words & keys)


def leave_one_out(
    files: Sequence[str],
    examples: Sequence[TrainingExample],
    labels: LabelSet,
    settings: ModelSettings,
    *,
    seeds: bool = True,
    abstain: bool = True,
) -> HeldOutScores:
    """Train on all transcripts but one, suggest for that one; pool the figures."""
    names = labels.names
    nlp = new_pipeline(names, exclusive=labels.exclusive, settings=settings)
    always = seed_examples(labels, names) if seeds else []
    always_rows = featurize(nlp, always)
    rows = featurize(nlp, examples)
    gold: list[tuple[str, ...]] = []
    predicted: list[tuple[str, ...]] = []
    shown: list[bool] = []
    for held in sorted(set(files)):
        train = [i for i, f in enumerate(files) if f != held]
        test = [i for i, f in enumerate(files) if f == held]
        train_examples = [examples[i] for i in train]
        fold = assign_folds([files[i] for i in train], [i for i in train])
        calibration = calibrate(
            train_examples,
            [rows[i] for i in train],
            fold,
            names,
            exclusive=labels.exclusive,
            settings=settings,
            always=always,
            always_rows=always_rows,
            always_weight=SEED_WEIGHT,
        )
        fit_pipeline(
            [*train_examples, *always],
            names,
            exclusive=labels.exclusive,
            settings=settings,
            weights=[1.0] * len(train) + [SEED_WEIGHT] * len(always),
            rows=[*(rows[i] for i in train), *always_rows],
            nlp=nlp,
        )
        docs = make_docs(nlp, [examples[i].text for i in test], [examples[i].context for i in test])
        for i, doc in zip(test, nlp.pipe(docs), strict=True):
            context = examples[i].context
            suggestion = make_suggestion(
                {name: float(doc.cats[name]) for name in names},
                names,
                calibration.thresholds,
                0.5,
                calibration.cutoff if abstain else 0.0,
                calibration.accept,
                context.role if context is not None and settings.context else None,
            )
            gold.append(examples[i].labels)
            predicted.append(suggestion.labels)
            shown.append(suggestion.confident)
    return held_out_scores(gold, predicted, names, shown)


def row(name: str, scores: HeldOutScores) -> str:
    return (
        f"| {name} | {scores.micro_f1:.3f} | {scores.macro_f1:.3f} | {scores.exact:.1%} "
        f"| {scores.right_when_shown:.1%} | {scores.coverage:.1%} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ablations", action="store_true", help="also measure each feature")
    args = parser.parse_args(argv)
    labels = load_labels()
    files, examples = load_analyst_labels()
    names = labels.names
    gold = [e.labels for e in examples]
    print(
        f"{len(examples)} analyst-labelled sentences from {len(set(files))} transcripts; "
        "leave one transcript out, pooled"
    )
    print()
    print("| | micro F1 | macro F1 | exact label set | right when suggested | coverage |")
    print("| --- | --- | --- | --- | --- | --- |")
    model = leave_one_out(files, examples, labels, ModelSettings())
    print(row("`annotator train` model (abstains when unsure)", model))
    rules = keyword_rules(labels)
    keywords = [keyword_predict(rules, e.text) for e in examples]
    print(row("keyword rules from `labels.yaml` examples", held_out_scores(gold, keywords, names)))
    first_two = [keyword_predict(keyword_rules(labels, examples=2), e.text) for e in examples]
    print(
        row(
            "keyword rules from the two examples per label of the old codebook",
            held_out_scores(gold, first_two, names),
        )
    )
    nothing = held_out_scores(gold, [()] * len(gold), names)
    print(row('always "no label"', nothing))
    ratio = model.micro_f1 / max(held_out_scores(gold, keywords, names).micro_f1, 1e-9)
    print()
    print(f"micro F1 / keyword baseline: {ratio:.2f}x (target 1.5x)")
    if args.ablations:
        print()
        print(
            "| ablation | micro F1 | macro F1 | exact label set | right when suggested | coverage |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        variants: list[tuple[str, Callable[[], HeldOutScores]]] = [
            (
                "words only, no seed sentences",
                lambda: leave_one_out(
                    files, examples, labels, ModelSettings(cues=False, context=False), seeds=False
                ),
            ),
            (
                "+ seed sentences",
                lambda: leave_one_out(
                    files, examples, labels, ModelSettings(cues=False, context=False)
                ),
            ),
            (
                "+ mood cues",
                lambda: leave_one_out(files, examples, labels, ModelSettings(context=False)),
            ),
            ("+ speaker role and position (shipped)", lambda: model),
        ]
        for name, run in variants:
            print(row(name, run()))
    _timings(examples, labels)


def _timings(examples: Sequence[TrainingExample], labels: LabelSet) -> None:
    """Training on 500 decisions as ``train_model`` does, and suggestion latency."""
    import tempfile

    names = labels.names
    decisions = [*examples, *examples[: 500 - len(examples)]][:500]
    started = time.perf_counter()
    settings = ModelSettings()
    nlp = new_pipeline(names, exclusive=labels.exclusive, settings=settings)
    seeds = seed_examples(labels, names)
    rows, seed_rows = featurize(nlp, decisions), featurize(nlp, seeds)
    fold = assign_folds(["one"] * len(decisions), [n // 5 for n in range(len(decisions))])
    calibration = calibrate(
        decisions,
        rows,
        fold,
        names,
        exclusive=labels.exclusive,
        settings=settings,
        always=seeds,
        always_rows=seed_rows,
    )
    fit_pipeline(
        [*decisions, *seeds],
        names,
        exclusive=labels.exclusive,
        settings=settings,
        rows=[*rows, *seed_rows],
        nlp=nlp,
    )
    seconds = time.perf_counter() - started
    print()
    print(f"training on {len(decisions)} decisions (cross-validation included): {seconds:.2f} s")
    meta = {
        "model_id": "bench",
        "labels": list(names),
        "calibration": calibration.to_meta(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        suggester = Suggester(nlp, meta, Path(tmp))
        texts = [e.text for e in examples]
        contexts = [e.context for e in examples]
        suggester.suggest(texts[:10], contexts[:10])
        singles = []
        for text, context in zip(texts, contexts, strict=True):
            begun = time.perf_counter()
            suggester.suggest([text], [context])
            singles.append((time.perf_counter() - begun) * 1000)
        begun = time.perf_counter()
        suggester.suggest(texts, contexts)
        batched = (time.perf_counter() - begun) * 1000 / len(texts)
    singles.sort()
    print(
        f"suggestion latency per sentence: one at a time median {singles[len(singles) // 2]:.2f} "
        f"ms, p99 {singles[int(len(singles) * 0.99)]:.2f} ms; batched {batched:.3f} ms "
        "(target < 5 ms)"
    )


if __name__ == "__main__":
    main()
