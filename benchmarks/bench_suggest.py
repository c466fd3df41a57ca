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
label set's examples (six words per label) and "always no label". The analyst
is taken to work in reading order, so the model knows the decision on the
sentence before each one; a second row shows the same model when it does not
(the sentence before undecided). Then the feature ablations, the training time
on 500 decisions and the latency. ``--cutoffs`` compares the confidence from
which suggestions are shown (the shipped 65% right on out-of-fold decisions,
and 90% to 60%), per transcript, beside the best any cut-off could do at 40%
coverage. Training is exact (no random seed), so one run gives the figures.

    python benchmarks/bench_suggest.py [--ablations] [--cutoffs]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.labels import load_labels
from annotator.model import LabelSet
from annotator.suggest.calibrate import DEFAULT_MIN_PRECISION
from annotator.suggest.features import decided_contexts
from annotator.suggest.network import ModelSettings, TrainingExample
from annotator.suggest.scoring import (
    HeldOutScores,
    held_out_scores,
    right_at_coverage,
    score_suggestions,
)
from annotator.suggest.suggester import Suggester, Suggestion
from annotator.suggest.train import fit_suggestion_model

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
    # As ``annotator train`` reads a log: rows in file order within each turn, and the
    # analyst working in reading order, so the sentence before each is decided.
    contexts = decided_contexts(
        [(r["file"], r["turn"], n) for n, r in enumerate(rows)],
        [r["speaker"] for r in rows],
        [tuple(r["labels"]) for r in rows],
    )
    examples = [
        TrainingExample(r["text"], tuple(r["labels"]), context)
        for r, context in zip(rows, contexts, strict=True)
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


@dataclass(frozen=True)
class LeaveOneOut:
    """The pooled figures, each transcript's own, how many shown suggestions were
    "no label" (and how many of those were right), and how often the most
    confident 40% of suggestions were right (the best any cut-off could do there)."""

    pooled: HeldOutScores
    per_transcript: dict[str, HeldOutScores]
    shown_empty: int
    shown_empty_right: int
    best_at_40: float = 0.0


def leave_one_out(
    files: Sequence[str],
    examples: Sequence[TrainingExample],
    labels: LabelSet,
    settings: ModelSettings,
    *,
    seeds: bool = True,
    min_precision: float = DEFAULT_MIN_PRECISION,
    blind: bool = False,
) -> LeaveOneOut:
    """Train on all transcripts but one exactly as ``annotator train`` does
    (``fit_suggestion_model``), suggest for that one as the screen does
    (``Suggester.suggest`` with each sentence's context: the analyst has decided
    the sentence before, or with ``blind`` has not); pool the figures."""
    names = labels.names
    gold: list[tuple[str, ...]] = []
    found: list[Suggestion] = []
    per_transcript = {}
    for held in sorted(set(files)):
        train = [i for i, f in enumerate(files) if f != held]
        test = [i for i, f in enumerate(files) if f == held]
        nlp, calibration, _ = fit_suggestion_model(
            [examples[i] for i in train],
            [files[i] for i in train],
            train,
            names,
            exclusive=labels.exclusive,
            labels=labels if seeds else None,
            settings=settings,
            min_precision=min_precision,
        )
        suggester = Suggester(
            nlp,
            {
                "model_id": "bench",
                "labels": list(names),
                "exclusive": labels.exclusive,
                "calibration": calibration.to_meta(),
            },
            Path("bench"),
        )
        contexts = [examples[i].context for i in test]
        if blind:
            contexts = [c.without_previous() if c is not None else None for c in contexts]
        suggested = suggester.suggest([examples[i].text for i in test], contexts)
        truth = [examples[i].labels for i in test]
        per_transcript[held] = score_suggestions(truth, suggested, names)
        gold.extend(truth)
        found.extend(suggested)
    empty = [g for g, s in zip(gold, found, strict=True) if s.confident and not s.labels]
    right = [set(s.labels) == set(g) for g, s in zip(gold, found, strict=True)]
    return LeaveOneOut(
        score_suggestions(gold, found, names),
        per_transcript,
        len(empty),
        sum(1 for g in empty if not g),
        right_at_coverage([s.confidence for s in found], right, 0.4),
    )


HEADER = "| | micro F1 | macro F1 | exact label set | right when suggested | coverage |"


def row(name: str, scores: HeldOutScores) -> str:
    return (
        f"| {name} | {scores.micro_f1:.3f} | {scores.macro_f1:.3f} | {scores.exact:.1%} "
        f"| {scores.right_when_shown:.1%} | {scores.coverage:.1%} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ablations", action="store_true", help="also measure each feature")
    parser.add_argument(
        "--cutoffs",
        action="store_true",
        help="compare cut-offs (90%% to 60%% right out of fold), per transcript",
    )
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
    print(HEADER)
    print("| --- | --- | --- | --- | --- | --- |")
    model = leave_one_out(files, examples, labels, ModelSettings())
    print(row("`annotator train` model (abstains when unsure)", model.pooled))
    blind = leave_one_out(files, examples, labels, ModelSettings(), blind=True)
    print(row("the same, the sentence before undecided", blind.pooled))
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
    ratio = model.pooled.micro_f1 / max(held_out_scores(gold, keywords, names).micro_f1, 1e-9)
    print()
    print(f"micro F1 / keyword baseline: {ratio:.2f}x (target 1.5x)")
    print(
        f"the most confident 40% of suggestions were exactly right {model.best_at_40:.1%} of "
        f"the time ({blind.best_at_40:.1%} with the sentence before undecided)"
    )
    shown = model.pooled.shown
    labelled_right = round(model.pooled.right_when_shown * shown) - model.shown_empty_right
    print(
        f"shown: {shown} suggestions, {model.shown_empty} of them 'no label' "
        f"({model.shown_empty_right} right), {shown - model.shown_empty} with labels "
        f"({labelled_right} right)"
    )
    print()
    print(HEADER.replace("| |", "| held-out transcript (keyword micro F1) |", 1))
    print("| --- | --- | --- | --- | --- | --- |")
    for held, scores in model.per_transcript.items():
        mine = [i for i, f in enumerate(files) if f == held]
        baseline = held_out_scores([gold[i] for i in mine], [keywords[i] for i in mine], names)
        print(row(f"{held} ({len(mine)}; {baseline.micro_f1:.3f})", scores))
    if args.cutoffs:
        _cutoffs(files, examples, labels)
    if args.ablations:
        print()
        print(HEADER.replace("| |", "| ablation |", 1))
        print("| --- | --- | --- | --- | --- | --- |")
        words = ModelSettings(pieces=False, cues=False, context=False, previous=False)
        variants: list[tuple[str, Callable[[], LeaveOneOut]]] = [
            (
                "words and word pairs only, no seed sentences",
                lambda: leave_one_out(files, examples, labels, words, seeds=False),
            ),
            ("+ seed sentences", lambda: leave_one_out(files, examples, labels, words)),
            (
                "+ word pieces",
                lambda: leave_one_out(
                    files,
                    examples,
                    labels,
                    ModelSettings(cues=False, context=False, previous=False),
                ),
            ),
            (
                "+ mood cues",
                lambda: leave_one_out(
                    files, examples, labels, ModelSettings(context=False, previous=False)
                ),
            ),
            (
                "+ speaker role and position",
                lambda: leave_one_out(files, examples, labels, ModelSettings(previous=False)),
            ),
            ("+ the decision on the sentence before (shipped)", lambda: model),
            (
                "shipped, without balanced class weights",
                lambda: leave_one_out(files, examples, labels, ModelSettings(balanced=False)),
            ),
            (
                "shipped, weaker penalty (C=30)",
                lambda: leave_one_out(files, examples, labels, ModelSettings(penalty=30.0)),
            ),
            (
                "shipped, stronger penalty (C=3)",
                lambda: leave_one_out(files, examples, labels, ModelSettings(penalty=3.0)),
            ),
        ]
        for name, run in variants:
            print(row(name, run().pooled))
    _timings(examples, labels)


def _cutoffs(files: Sequence[str], examples: Sequence[TrainingExample], labels: LabelSet) -> None:
    """Right when suggested and coverage at each cut-off, pooled and per transcript,
    and the most any cut-off could be right at 40% coverage."""
    print()
    print("cut-off study")
    print()
    header = "| shown from (out-of-fold right) | right when suggested | coverage |"
    held = sorted(set(files))
    print(header + "".join(f" {name[:24]} |" for name in held))
    print("| --- " * (3 + len(held)) + "|")
    best = 0.0
    for wanted in sorted({DEFAULT_MIN_PRECISION, 0.9, 0.85, 0.75, 0.7, 0.65, 0.6}, reverse=True):
        run = leave_one_out(files, examples, labels, ModelSettings(), min_precision=wanted)
        best = run.best_at_40
        cells = [
            f"{run.per_transcript[name].right_when_shown:.0%} at "
            f"{run.per_transcript[name].coverage:.0%}"
            for name in held
        ]
        shipped = " (shipped)" if wanted == DEFAULT_MIN_PRECISION else ""
        print(
            f"| {wanted:.0%}{shipped} | {run.pooled.right_when_shown:.1%} "
            f"| {run.pooled.coverage:.1%} | " + " | ".join(cells) + " |"
        )
    print()
    print(f"the most confident 40% of suggestions were exactly right {best:.1%} of the time")
    if best < 0.7:
        print("so no cut-off on this ranking shows 40% of sentences at 70% right")


def _timings(examples: Sequence[TrainingExample], labels: LabelSet) -> None:
    """Training on 500 decisions as ``train_model`` does, and suggestion latency."""
    import tempfile

    names = labels.names
    decisions = [*examples, *examples[: 500 - len(examples)]][:500]
    started = time.perf_counter()
    nlp, calibration, _ = fit_suggestion_model(
        decisions,
        ["one"] * len(decisions),
        [n // 5 for n in range(len(decisions))],
        names,
        exclusive=labels.exclusive,
        labels=labels,
        settings=ModelSettings(),
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
