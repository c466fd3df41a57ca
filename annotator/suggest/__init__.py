"""Label suggestions from a classifier trained on the analysts' own decisions.

``features`` (what a sentence is read as), ``network`` (the classifier, in a
spaCy pipeline), ``calibrate`` (thresholds and when to abstain, by
cross-validation), ``scoring`` (held-out figures), ``suggester`` (a loaded
model) and ``train`` (from logs to a model folder). Nothing here knows about
the terminal: the TUI and the CLI are shells over it.
"""

from __future__ import annotations

from annotator.errors import NotAModelError, SuggestError, TooFewDecisionsError
from annotator.suggest.features import SentenceContext, speaker_role
from annotator.suggest.scoring import HeldOutScores, LabelScore, held_out_scores, score_labels
from annotator.suggest.suggester import (
    DEFAULT_THRESHOLD,
    META_VERSION,
    MODEL_META,
    Suggester,
    Suggestion,
    order_by_uncertainty,
    read_model_meta,
    retraining_logs,
)
from annotator.suggest.train import (
    DEFAULT_MAX_STEPS,
    TrainReport,
    count_positives,
    seed_examples,
    train_model,
)

__all__ = [
    "DEFAULT_MAX_STEPS",
    "DEFAULT_THRESHOLD",
    "META_VERSION",
    "MODEL_META",
    "HeldOutScores",
    "LabelScore",
    "NotAModelError",
    "SentenceContext",
    "SuggestError",
    "Suggester",
    "Suggestion",
    "TooFewDecisionsError",
    "TrainReport",
    "count_positives",
    "held_out_scores",
    "order_by_uncertainty",
    "read_model_meta",
    "retraining_logs",
    "score_labels",
    "seed_examples",
    "speaker_role",
    "train_model",
]
