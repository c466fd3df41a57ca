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

The model reads the decision on the sentence before (``features``), which the
screen knows when the analyst works in reading order and not when they jump
ahead. So each fold model also scores its sentences with that decision hidden,
and a second cut-off is chosen on those: a suggestion made without it is shown
only if such suggestions kept the same promise.
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
from annotator.suggest.scoring import HeldOutScores, held_out_scores, micro_f1
from annotator.suggest.suggester import DEFAULT_THRESHOLD, Suggestion, make_suggestion

#: Suggestions shown must be exactly right this often on out-of-fold decisions. A fold
#: model learns from fewer documents than the model trained on them all, so out of fold
#: is harsher than a new transcript: leaving one transcript out, 0.65 out of fold gave
#: 75% right at 42% coverage, 0.7 gave 77% at 38%, 0.9 gave 91% at 22%
#: (bench_suggest.py --cutoffs).
DEFAULT_MIN_PRECISION = 0.65
#: What suggestions made without the decision on the sentence before must add to that:
#: on a new transcript they fell further short of their out-of-fold figure (65% asked
#: gave 69% right, against 75% for the others), and 70% asked gives 71%.
BLIND_MARGIN = 0.05
#: A cut-off is set only if at least this many out-of-fold suggestions pass it.
_MIN_SHOWN = 8
#: The threshold moves from 0.5 only with this many out-of-fold positives.
_MIN_POSITIVES = 3
_GRID = tuple(round(0.05 * k, 2) for k in range(2, 19))  # 0.10 .. 0.90
#: The cut-off that shows nothing (no confidence reaches it).
NEVER = 1.01


@dataclass(frozen=True)
class Calibration:
    """Thresholds per label and the cut-off on a suggestion's confidence, with what
    they gave out of fold."""

    thresholds: dict[str, float]
    cutoff: float
    folds: int
    sentences: int
    right_when_shown: float
    coverage: float
    min_precision: float
    #: The cut-off, and what it gave, for sentences whose previous sentence is undecided.
    blind_cutoff: float = NEVER
    blind_right_when_shown: float = 0.0
    blind_coverage: float = 0.0

    def to_meta(self) -> dict[str, Any]:
        """The calibration as stored in ``annotator-model.json``."""
        return {
            "thresholds": {k: round(v, 4) for k, v in self.thresholds.items()},
            "cutoff": round(self.cutoff, 6),
            "folds": self.folds,
            "sentences": self.sentences,
            "right_when_shown": round(self.right_when_shown, 4),
            "coverage": round(self.coverage, 4),
            "min_precision": self.min_precision,
            "blind_cutoff": round(self.blind_cutoff, 6),
            "blind_right_when_shown": round(self.blind_right_when_shown, 4),
            "blind_coverage": round(self.blind_coverage, 4),
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
    also: Sequence[FeatureRow] = (),
    on_fold: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Every example's label scores from a model that did not see its fold, and the
    scores of ``also`` (other features of the same examples, one row each) from
    the same fold models.

    ``rows`` are the examples' features (``network.featurize``). ``always``
    (seed sentences from the label set, features ``always_rows``) join every
    fold's training data with ``always_weight`` and are never scored.
    """
    import numpy

    scores: list[dict[str, float]] = [{} for _ in examples]
    also_scores: list[dict[str, float]] = [{} for _ in also]
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
        for found, source in ((scores, rows), (also_scores, also)):
            if not source:
                continue
            predicted = predict_rows(fitted, [source[i] for i in test], exclusive=exclusive)
            for i, row in zip(test, predicted, strict=True):
                found[i] = {name: float(row[j]) for j, name in enumerate(labels)}
        if on_fold is not None:
            on_fold(k + 1, n_folds)
    return scores, also_scores


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
    blind_rows: Sequence[FeatureRow] = (),
    min_precision: float = DEFAULT_MIN_PRECISION,
    on_fold: Callable[[int, int], None] | None = None,
) -> Calibration:
    """Cross-validate on ``examples`` (split by ``fold``) and choose the threshold and
    the cut-offs: one for suggestions made knowing the previous sentence's decision,
    one (from ``blind_rows``, the examples' features without it, asked
    ``BLIND_MARGIN`` more) for those made without; with no ``blind_rows`` the second
    is the first."""
    scores, blind_scores = out_of_fold_scores(
        examples,
        rows,
        fold,
        labels,
        exclusive=exclusive,
        settings=settings,
        always=always,
        always_rows=always_rows,
        always_weight=always_weight,
        also=blind_rows,
        on_fold=on_fold,
    )
    scored = [i for i, s in enumerate(scores) if s]
    gold = [examples[i].labels for i in scored]
    kept = [scores[i] for i in scored]
    thresholds = dict.fromkeys(labels, choose_threshold(gold, kept, labels))
    suggestions = [make_suggestion(s, labels, thresholds, DEFAULT_THRESHOLD, 0.0) for s in kept]
    cutoff, figures = _cutoff(suggestions, gold, labels, min_precision)
    blind_cutoff, blind = cutoff, figures
    if blind_rows:
        unseen = [
            make_suggestion(blind_scores[i], labels, thresholds, DEFAULT_THRESHOLD, 0.0)
            for i in scored
        ]
        blind_cutoff, blind = _cutoff(unseen, gold, labels, min_precision + BLIND_MARGIN)
    return Calibration(
        thresholds=thresholds,
        cutoff=cutoff,
        folds=max(fold, default=-1) + 1,
        sentences=len(scored),
        right_when_shown=figures.right_when_shown,
        coverage=figures.coverage,
        min_precision=min_precision,
        blind_cutoff=blind_cutoff,
        blind_right_when_shown=blind.right_when_shown,
        blind_coverage=blind.coverage,
    )


def _cutoff(
    suggestions: Sequence[Suggestion],
    gold: Sequence[Sequence[str]],
    labels: Sequence[str],
    min_precision: float,
) -> tuple[float, HeldOutScores]:
    """The cut-off on the confidence of out-of-fold ``suggestions``, and what showing
    the suggestions that pass it gave."""
    right = [set(s.labels) == set(g) for s, g in zip(suggestions, gold, strict=True)]
    cutoff = choose_cutoff([s.confidence for s in suggestions], right, min_precision)
    shown = [s.confidence >= cutoff for s in suggestions]
    return cutoff, held_out_scores(gold, [s.labels for s in suggestions], labels, shown)
