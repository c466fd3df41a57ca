"""How good suggestions are on decisions the model did not learn from.

Two views, because an analyst meets suggestions in two ways: the F1 scores
judge every label the model gives (as a classifier), and "right when
suggested" judges only the suggestions confident enough to be shown, by the
one thing an analyst notices: is the whole label set exactly what they would
record, so that Enter accepts it? ``coverage`` is the share of sentences that
get a shown suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from annotator.suggest.suggester import Suggestion


@dataclass(frozen=True)
class LabelScore:
    """How well one label was predicted on held-out sentences.

    ``support`` is the number of held-out sentences carrying the label,
    ``predicted`` the number the model gave it; ``train_positives`` how many
    training sentences carried it.
    """

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    train_positives: int = 0


def score_labels(
    gold: Sequence[Iterable[str]],
    predicted: Sequence[Iterable[str]],
    labels: Sequence[str],
    train_positives: Mapping[str, int] | None = None,
) -> tuple[LabelScore, ...]:
    """Precision, recall and F1 per label of ``predicted`` against ``gold`` label sets."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must be the same length")
    scores = []
    gold_sets = [set(g) for g in gold]
    predicted_sets = [set(p) for p in predicted]
    for label in labels:
        tp = fp = fn = 0
        for wanted, got in zip(gold_sets, predicted_sets, strict=True):
            if label in got:
                if label in wanted:
                    tp += 1
                else:
                    fp += 1
            elif label in wanted:
                fn += 1
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            LabelScore(
                label,
                precision,
                recall,
                f1,
                support=tp + fn,
                predicted=tp + fp,
                train_positives=(train_positives or {}).get(label, 0),
            )
        )
    return tuple(scores)


@dataclass(frozen=True)
class HeldOutScores:
    """Every figure the README, the benchmark and ``annotator train`` report.

    ``micro_f1`` pools every (sentence, label) decision; ``macro_f1`` averages
    the labels that occur in the held-out sentences; ``exact`` is the share of
    sentences whose whole label set was predicted ("no label" included).
    ``shown`` suggestions were confident enough to show; ``right_when_shown``
    is their exact-set rate and ``coverage`` their share of all sentences.
    """

    sentences: int
    micro_f1: float
    macro_f1: float
    exact: float
    shown: int
    right_when_shown: float
    per_label: tuple[LabelScore, ...]

    @property
    def coverage(self) -> float:
        return self.shown / self.sentences if self.sentences else 0.0

    def summary(self) -> str:
        """One line for a status bar or a log."""
        return (
            f"micro F1 {self.micro_f1:.2f}, macro F1 {self.macro_f1:.2f}, "
            f"exact label set {self.exact:.0%}; suggestions shown for {self.coverage:.0%} "
            f"of sentences, exactly right on {self.right_when_shown:.0%} of those"
        )


def micro_f1(gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]) -> float:
    """F1 pooled over every (sentence, label) decision of two lists of label sets."""
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def held_out_scores(
    gold: Sequence[Iterable[str]],
    predicted: Sequence[Iterable[str]],
    labels: Sequence[str],
    shown: Sequence[bool] | None = None,
    train_positives: Mapping[str, int] | None = None,
) -> HeldOutScores:
    """Score predicted label sets against gold ones; ``shown`` marks the suggestions
    confident enough to show (all of them when None)."""
    per_label = score_labels(gold, predicted, labels, train_positives)
    gold_sets = [frozenset(g) for g in gold]
    predicted_sets = [frozenset(p) for p in predicted]
    micro = micro_f1(gold_sets, predicted_sets)
    scored = [s.f1 for s in per_label if s.support]
    macro = sum(scored) / len(scored) if scored else 0.0
    right = [g == p for g, p in zip(gold_sets, predicted_sets, strict=True)]
    visible = list(shown) if shown is not None else [True] * len(right)
    n_shown = sum(visible)
    right_shown = sum(r for r, v in zip(right, visible, strict=True) if v)
    return HeldOutScores(
        sentences=len(right),
        micro_f1=micro,
        macro_f1=macro,
        exact=sum(right) / len(right) if right else 0.0,
        shown=n_shown,
        right_when_shown=right_shown / n_shown if n_shown else 0.0,
        per_label=per_label,
    )


def score_suggestions(
    gold: Sequence[Iterable[str]],
    suggestions: Sequence[Suggestion],
    labels: Sequence[str],
    train_positives: Mapping[str, int] | None = None,
) -> HeldOutScores:
    """``held_out_scores`` of a model's suggestions (shown = confident)."""
    return held_out_scores(
        gold,
        [s.labels for s in suggestions],
        labels,
        [s.confident for s in suggestions],
        train_positives,
    )


def right_at_coverage(
    confidences: Sequence[float], right: Sequence[bool], coverage: float
) -> float:
    """How often the most confident ``coverage`` share of suggestions was exactly right:
    what the best possible cut-off on this ranking would give at that coverage.

    It bounds every choice of cut-off: if the top 40% by confidence are right 65%
    of the time, no cut-off shows 40% of sentences at 70% right, however it is
    calibrated. Ties at the edge are broken in the given order.
    """
    if len(confidences) != len(right):
        raise ValueError("confidences and right must be the same length")
    shown = round(coverage * len(right))
    if not shown:
        return 0.0
    ranked = sorted(range(len(right)), key=lambda n: -confidences[n])[:shown]
    return sum(1 for n in ranked if right[n]) / shown
