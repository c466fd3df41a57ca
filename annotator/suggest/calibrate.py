"""The score from which a label is suggested and the confidence from which a
suggestion is shown, chosen by cross-validation on the analyst's own decisions.

A model trained on a few hundred sentences rarely scores a label above 0.5, so
a fixed 0.5 misses most of it; and a suggestion that is right only half the
time teaches the analyst to ignore suggestions. Both are settled on decisions
the model did not learn
from: the training sentences are split into folds (by document when there are
enough, else by speaker turn, so a turn never straddles two folds), a model is
trained on all folds but one and scores the one, and the thresholds and the
cut-off are read off those out-of-fold scores.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.suggest.network import (
    FeatureRow,
    ModelSettings,
    TrainingExample,
    fit_weights,
    predict_rows,
    truth_matrix,
)
from annotator.suggest.scoring import held_out_scores, micro_f1
from annotator.suggest.suggester import (
    DEFAULT_THRESHOLD,
    AcceptModel,
    Suggestion,
    accept_features,
    make_suggestion,
)

#: Suggestions shown must be exactly right this often on out-of-fold decisions. Out of
#: fold is kinder than a new transcript (fold models are scored on documents like those
#: they learned from), so the promise asked of the folds is well above the 70% the
#: analyst is promised: leaving one transcript out, 0.75 gave 65% right, 0.85 gave 70%,
#: 0.9 gives 80% (bench_suggest.py --cutoffs).
DEFAULT_MIN_PRECISION = 0.9
#: A cut-off is set only if at least this many out-of-fold suggestions pass it.
_MIN_SHOWN = 8
#: The threshold moves from 0.5 only with this many out-of-fold positives.
_MIN_POSITIVES = 3
_GRID = tuple(round(0.05 * k, 2) for k in range(2, 19))  # 0.10 .. 0.90
#: The cut-off that shows nothing (no confidence reaches it).
NEVER = 1.01


def fit_accept_model(
    rows: Sequence[tuple[Suggestion, str | None]], right: Sequence[bool]
) -> AcceptModel:
    """Logistic regression with an L2 penalty, by gradient descent (a few hundred rows)."""
    import numpy

    encoded = [dict(accept_features(*row)) for row in rows]
    names = sorted({k for features in encoded for k in features})
    index = {k: i for i, k in enumerate(names)}
    X = numpy.zeros((len(encoded), len(names)))
    for r, features in enumerate(encoded):
        for k, v in features.items():
            X[r, index[k]] = v
    y = numpy.asarray(right, dtype="float64")
    w = numpy.zeros(len(names))
    l2 = 1.0 / max(len(rows), 1)
    for _ in range(500):
        p = 1.0 / (1.0 + numpy.exp(-numpy.clip(X @ w, -30, 30)))
        gradient = X.T @ (p - y) / max(len(rows), 1) + l2 * w
        w -= 0.5 * gradient
    return AcceptModel({k: float(round(w[i], 5)) for k, i in index.items()})


@dataclass(frozen=True)
class Calibration:
    """Thresholds per label, the model of acceptance and the cut-off on it, with what
    they gave out of fold."""

    thresholds: dict[str, float]
    accept: AcceptModel
    cutoff: float
    folds: int
    sentences: int
    right_when_shown: float
    coverage: float
    min_precision: float

    def to_meta(self) -> dict[str, Any]:
        """The calibration as stored in ``annotator-model.json``."""
        return {
            "thresholds": {k: round(v, 4) for k, v in self.thresholds.items()},
            "accept": self.accept.weights,
            "cutoff": round(self.cutoff, 6),
            "folds": self.folds,
            "sentences": self.sentences,
            "right_when_shown": round(self.right_when_shown, 4),
            "coverage": round(self.coverage, 4),
            "min_precision": self.min_precision,
        }


def assign_folds(
    documents: Sequence[Hashable], turns: Sequence[Hashable], folds: int = 3
) -> list[int]:
    """A fold for every sentence: whole documents when there are two or more (up
    to ``folds`` folds), else whole speaker turns of the one document.

    Suggestions are made for documents the model has not seen, and a model is
    far surer of a new turn of a document it learned from than of a new
    document: folds by document measure what the analyst will meet.
    """
    keys: Sequence[Hashable] = documents
    n_folds = min(folds, len(set(documents)))
    if n_folds < 2:
        keys = list(zip(documents, turns, strict=True))
        n_folds = folds
    distinct = sorted(set(keys), key=repr)
    random.Random(0).shuffle(distinct)
    fold_of = {key: n % n_folds for n, key in enumerate(distinct)}
    return [fold_of[key] for key in keys]


def out_of_fold_scores(
    examples: Sequence[TrainingExample],
    rows: Sequence[FeatureRow],
    fold: Sequence[int],
    labels: Sequence[str],
    *,
    exclusive: bool,
    settings: ModelSettings,
    always: Sequence[TrainingExample] = (),
    always_rows: Sequence[FeatureRow] = (),
    always_weight: float = 1.0,
    on_fold: Callable[[int, int], None] | None = None,
) -> list[dict[str, float]]:
    """Every example's label scores from a model that did not see its fold.

    ``rows`` are the examples' features (``network.featurize``). ``always``
    (seed sentences from the label set, features ``always_rows``) join every
    fold's training data with ``always_weight`` and are never scored.
    """
    import numpy

    scores: list[dict[str, float]] = [{} for _ in examples]
    n_folds = max(fold, default=-1) + 1
    truth = truth_matrix([*examples, *always], labels)
    weight = numpy.asarray([1.0] * len(examples) + [always_weight] * len(always))
    all_rows = [*rows, *always_rows]
    for k in range(n_folds):
        train = [i for i, f in enumerate(fold) if f != k]
        train += list(range(len(examples), len(examples) + len(always)))
        test = [i for i, f in enumerate(fold) if f == k]
        if not test or len(train) == len(always):
            continue
        fitted = fit_weights(
            [all_rows[i] for i in train],
            truth[train],
            weight[train],
            exclusive=exclusive,
            settings=settings,
        )
        predicted = predict_rows(fitted, [rows[i] for i in test], exclusive=exclusive)
        for i, row in zip(test, predicted, strict=True):
            scores[i] = {name: float(row[j]) for j, name in enumerate(labels)}
        if on_fold is not None:
            on_fold(k + 1, n_folds)
    return scores


def choose_threshold(
    gold: Sequence[Sequence[str]], scores: Sequence[dict[str, float]], labels: Sequence[str]
) -> float:
    """The one threshold, for every label, with the best out-of-fold micro F1 (0.5
    with too few positives to judge; ties go to the threshold nearest 0.5).

    One threshold, not one per label: a label's own threshold is chosen on the
    handful of its positives in the other folds, and on a new transcript it is
    off more often than not (measured: micro F1 0.38 with per-label thresholds,
    0.49 with one, leaving one transcript out).
    """
    named = frozenset(labels)
    scored = [(frozenset(g) & named, s) for g, s in zip(gold, scores, strict=True) if s]
    if sum(len(g) for g, _ in scored) < _MIN_POSITIVES:
        return DEFAULT_THRESHOLD
    truth = [g for g, _ in scored]
    best = (-1.0, 0.0, DEFAULT_THRESHOLD)
    for threshold in _GRID:
        chosen = [frozenset(n for n in labels if s[n] >= threshold) for _, s in scored]
        f1 = micro_f1(truth, chosen)
        best = max(best, (round(f1, 6), -abs(threshold - DEFAULT_THRESHOLD), threshold))
    return best[2]


def choose_cutoff(
    confidences: Sequence[float], right: Sequence[bool], min_precision: float
) -> float:
    """The lowest confidence from which suggestions were exactly right at least
    ``min_precision`` of the time (``NEVER`` if no cut-off shows enough of them)."""
    ranked = sorted(zip(confidences, right, strict=True), key=lambda item: -item[0])
    best = NEVER
    hits = 0
    for n, (confidence, is_right) in enumerate(ranked, start=1):
        hits += is_right
        last_of_tie = n == len(ranked) or ranked[n][0] < confidence
        if last_of_tie and n >= _MIN_SHOWN and hits / n >= min_precision:
            best = confidence
    return best


def calibrate(
    examples: Sequence[TrainingExample],
    rows: Sequence[FeatureRow],
    fold: Sequence[int],
    labels: Sequence[str],
    *,
    exclusive: bool,
    settings: ModelSettings,
    always: Sequence[TrainingExample] = (),
    always_rows: Sequence[FeatureRow] = (),
    always_weight: float = 1.0,
    min_precision: float = DEFAULT_MIN_PRECISION,
    on_fold: Callable[[int, int], None] | None = None,
) -> Calibration:
    """Cross-validate on ``examples`` (split by ``fold``) and choose thresholds and cut-off."""
    scores = out_of_fold_scores(
        examples,
        rows,
        fold,
        labels,
        exclusive=exclusive,
        settings=settings,
        always=always,
        always_rows=always_rows,
        always_weight=always_weight,
        on_fold=on_fold,
    )
    scored = [i for i, s in enumerate(scores) if s]
    gold = [examples[i].labels for i in scored]
    kept = [scores[i] for i in scored]
    thresholds = dict.fromkeys(labels, choose_threshold(gold, kept, labels))
    suggestions = [make_suggestion(s, labels, thresholds, DEFAULT_THRESHOLD, 0.0) for s in kept]
    right = [set(s.labels) == set(g) for s, g in zip(suggestions, gold, strict=True)]
    roles = [_role(examples[i]) for i in scored]
    accept = fit_accept_model(list(zip(suggestions, roles, strict=True)), right)
    chances = [accept.probability(s, role) for s, role in zip(suggestions, roles, strict=True)]
    cutoff = choose_cutoff(chances, right, min_precision)
    shown = [chance >= cutoff for chance in chances]
    figures = held_out_scores(gold, [s.labels for s in suggestions], labels, shown)
    return Calibration(
        thresholds=thresholds,
        accept=accept,
        cutoff=cutoff,
        folds=max(fold, default=-1) + 1,
        sentences=len(scored),
        right_when_shown=figures.right_when_shown,
        coverage=figures.coverage,
        min_precision=min_precision,
    )


def _role(example: TrainingExample) -> str | None:
    return example.context.role if example.context is not None else None
