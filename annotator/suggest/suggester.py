"""A trained model, loaded once, and the suggestions it makes.

A suggestion carries every label's score, the labels that pass their
thresholds, and whether the model is confident enough to show it: on the
analyst's own held-out decisions (``annotator.suggest.calibrate``), suggestions
at least that confident were exactly right often enough to be worth a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from annotator.errors import NotAModelError
from annotator.suggest.features import SentenceContext, document_contexts
from annotator.suggest.network import make_docs, register_architectures

if TYPE_CHECKING:
    from spacy.language import Language

    from annotator.model import Document

#: The file beside the spaCy pipeline that makes a folder an annotator model.
MODEL_META = "annotator-model.json"
#: Version of ``MODEL_META``; a newer one is refused rather than misread, an older one
#: with a request to train again (4: the cut-off is on the product of label scores and
#: the model reads the decision on the sentence before; a version 3 cut-off was chosen on
#: another confidence, and would show other suggestions than it promised).
META_VERSION = 4
DEFAULT_THRESHOLD = 0.5
_K = TypeVar("_K")


@dataclass(frozen=True)
class Suggestion:
    """The model's view of one sentence.

    ``scores`` holds every label of the model (0..1); ``labels`` are those at or
    above their threshold, in label-set order: what accepting the suggestion
    would record. ``confidence`` is how likely the whole label set is right
    (the product, over labels, of the score of the side chosen), and
    ``confident`` whether it reaches the model's cut-off: a suggestion that is
    not confident should not be shown.
    """

    scores: dict[str, float]
    labels: tuple[str, ...]
    threshold: float = DEFAULT_THRESHOLD
    thresholds: dict[str, float] = field(default_factory=dict)
    confidence: float = 1.0
    confident: bool = True

    def threshold_of(self, label: str) -> float:
        """The score from which ``label`` is suggested."""
        return self.thresholds.get(label, self.threshold)

    @property
    def uncertainty(self) -> float:
        """Distance of the closest score to its threshold: 0 is a coin toss."""
        if not self.scores:
            return 1.0
        return min(abs(score - self.threshold_of(name)) for name, score in self.scores.items())


def set_confidence(scores: Mapping[str, float], chosen: Iterable[str]) -> float:
    """How likely a label set is exactly right, if each label's score were its probability."""
    picked = set(chosen)
    confidence = 1.0
    for name, score in scores.items():
        confidence *= score if name in picked else 1.0 - score
    return confidence


def make_suggestion(
    scores: dict[str, float],
    labels: Sequence[str],
    thresholds: Mapping[str, float],
    default: float,
    cutoff: float,
) -> Suggestion:
    """A suggestion from scores: labels past their thresholds, and whether to show it
    (its ``set_confidence`` reaches ``cutoff``)."""
    chosen = tuple(name for name in labels if scores[name] >= thresholds.get(name, default))
    confidence = set_confidence(scores, chosen)
    return Suggestion(
        scores, chosen, default, dict(thresholds), confidence, confident=confidence >= cutoff
    )


class Suggester:
    """A trained model, loaded once, scoring sentences in batches.

    ``model_id`` names the model in decisions that began as its suggestion.
    ``thresholds`` (per label) and ``cutoff`` (the confidence from which a
    suggestion is shown) come from the model's cross-validation, with
    ``blind_cutoff`` for sentences whose previous sentence is undecided (the
    model knows less of them); ``threshold`` given on loading replaces every
    label's threshold, and may be changed later.
    """

    def __init__(
        self,
        nlp: Language,
        meta: Mapping[str, Any],
        model_dir: Path,
        threshold: float | None = None,
    ) -> None:
        self._nlp = nlp
        self.meta = dict(meta)
        self.model_dir = model_dir
        self.model_id: str = str(meta["model_id"])
        self.labels: tuple[str, ...] = tuple(meta["labels"])
        self.exclusive: bool = bool(meta.get("exclusive", False))
        calibration = meta.get("calibration") or {}
        self.thresholds: dict[str, float] = (
            {} if threshold is not None else dict(calibration.get("thresholds", {}))
        )
        self.threshold: float = float(
            threshold if threshold is not None else meta.get("threshold", DEFAULT_THRESHOLD)
        )
        self.cutoff: float = float(calibration.get("cutoff", 0.0))
        self.blind_cutoff: float = float(calibration.get("blind_cutoff", self.cutoff))

    @classmethod
    def load(cls, model_dir: str | Path, threshold: float | None = None) -> Suggester:
        """Load a model folder written by ``train_model``; ``NotAModelError`` otherwise."""
        import spacy

        folder = Path(model_dir)
        meta = read_model_meta(folder)
        register_architectures()
        try:
            nlp = spacy.load(folder)
        except (OSError, ValueError, KeyError, ImportError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise NotAModelError(f"{folder}: cannot load the spaCy pipeline: {first}") from None
        return cls(nlp, meta, folder, threshold)

    def suggest(
        self,
        texts: Sequence[str],
        contexts: Sequence[SentenceContext | None] | None = None,
        batch_size: int = 256,
    ) -> list[Suggestion]:
        """One suggestion per text, in order.

        ``contexts`` (the speaker's role, the sentence's place in its turn and the
        decision on the sentence before, see ``suggest_document``) make
        suggestions better. Where the decision before is unknown a suggestion must
        pass the cut-off chosen for that case; with no context at all, the
        stricter of the two.
        """
        labels, default = self.labels, self.threshold
        thresholds = self.thresholds or dict.fromkeys(labels, default)
        docs = make_docs(self._nlp, texts, contexts)
        suggestions = []
        given = list(contexts) if contexts is not None else [None] * len(docs)
        stricter = max(self.cutoff, self.blind_cutoff)
        for doc, context in zip(self._nlp.pipe(docs, batch_size=batch_size), given, strict=True):
            cats = doc.cats
            scores = {label: float(cats.get(label, 0.0)) for label in labels}
            cutoff = stricter
            if context is not None:
                cutoff = self.cutoff if context.knows_previous else self.blind_cutoff
            suggestions.append(make_suggestion(scores, labels, thresholds, default, cutoff))
        return suggestions

    def suggest_document(
        self,
        document: Document,
        decided: Callable[[int, int], tuple[str, ...] | None] | None = None,
        only: Collection[tuple[int, int]] | None = None,
        excluded: Collection[tuple[int, int]] = (),
    ) -> dict[tuple[int, int], Suggestion]:
        """A suggestion for every sentence of a document (or the ``only`` ones), by
        ``(start, end)``, read in context: what the annotation screen should show.
        ``decided(start, end)`` is the label set decided on a sentence, None while
        undecided: the model reads the decision on the sentence before each one
        (of its own labels: those it was not trained on are not its to read),
        passing over ``excluded`` sentences."""
        known = set(self.labels)

        def labels(start: int, end: int) -> tuple[str, ...] | None:
            found = decided(start, end) if decided is not None else None
            return None if found is None else tuple(n for n in found if n in known)

        found = document_contexts(document, labels, only, excluded)
        scored = self.suggest([text for _, _, text, _ in found], [c for *_, c in found])
        return {
            (start, end): suggestion
            for (start, end, _, _), suggestion in zip(found, scored, strict=True)
        }


def read_model_meta(model_dir: Path) -> dict[str, Any]:
    """The ``annotator-model.json`` of a model folder, or ``NotAModelError`` naming it."""
    path = model_dir / MODEL_META
    if not model_dir.is_dir():
        raise NotAModelError(f"{model_dir}: no such model folder (train one with annotator train)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotAModelError(
            f"{model_dir}: not a model trained by annotator train (no {MODEL_META})"
        ) from None
    except (OSError, ValueError) as error:
        raise NotAModelError(f"{path}: cannot read: {error}") from None
    if not isinstance(meta, dict) or not {"model_id", "labels"} <= meta.keys():
        raise NotAModelError(f"{path}: not an annotator model description")
    version = int(meta.get("version", 1))
    if version > META_VERSION:
        raise NotAModelError(f"{path}: written by a newer annotator; upgrade to load it")
    if version < META_VERSION:
        raise NotAModelError(
            f"{path}: trained by an older annotator, whose models this one cannot read; "
            "train it again with annotator train"
        )
    return meta


@overload
def order_by_uncertainty(suggestions: Sequence[Suggestion]) -> list[int]: ...
@overload
def order_by_uncertainty(suggestions: Mapping[_K, Suggestion]) -> list[_K]: ...
def order_by_uncertainty(
    suggestions: Sequence[Suggestion] | Mapping[Any, Suggestion],
) -> list[Any]:
    """The order to visit sentences in: the least certain first (active learning).

    Given a sequence, returns its indexes; given a mapping (say, sentence
    position to suggestion, within a document or across the corpus), its keys.
    Ties keep the given order, so sentences the model is equally unsure of are
    visited in reading order.
    """
    items: Iterable[tuple[Any, Suggestion]] = (
        suggestions.items() if isinstance(suggestions, Mapping) else enumerate(suggestions)
    )
    ranked = sorted(
        ((s.uncertainty, n, key) for n, (key, s) in enumerate(items)),
        key=lambda item: (item[0], item[1]),
    )
    return [key for _, _, key in ranked]


def retraining_logs(
    meta: dict[str, Any], session_logs: list[Path]
) -> tuple[list[Path], list[Path]]:
    """The logs a retraining learns from: those the model was trained on (as its
    ``annotator-model.json`` records them) and the session's own, each once; and the
    recorded ones that are no longer there. Retraining on the session's log alone
    would replace a team's model with one analyst's."""
    recorded = [Path(str(path)) for path in meta.get("logs") or ()]
    missing = [path for path in recorded if not path.exists()]
    logs: dict[Path, Path] = {}
    for path in [*recorded, *session_logs]:
        if path not in missing:
            logs.setdefault(path.resolve(), path)
    return list(logs.values()), missing
