"""Label suggestions from a text classifier trained on the analysts' own decisions.

``train_model`` replays annotation logs into the ``spacy`` export (DocBins with
``doc.cats`` and spaCy's quickstart config, split by document), trains a
``textcat_multilabel`` (or ``textcat`` for an exclusive label set) with
spaCy's own training loop on the CPU, on a blank tokenizer with no vectors,
and scores it on the held-out documents. The model is spaCy's sparse bag of
words, reading lowercased words and word beginnings and trained with an L1
penalty (``_build_keyword_bow``, ``_make_sgd_l1``): both are registered with
spaCy here, before a model is trained or loaded. ``Suggester`` loads such a model and
scores sentences in batches; ``order_by_uncertainty`` tells the annotation
screen which sentences to visit first (those the model is least sure of).

Nothing here knows about the terminal: the TUI and the CLI are shells over it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from annotator.errors import AnnotatorError
from annotator.export.records import Dataset, ExportOptions, SentenceRecord
from annotator.model import Document, LabelSet

if TYPE_CHECKING:
    from spacy.language import Language

#: The file beside the spaCy pipeline that makes a folder an annotator model.
MODEL_META = "annotator-model.json"
#: Version of ``MODEL_META``; a newer one is refused rather than misread.
META_VERSION = 1
DEFAULT_THRESHOLD = 0.5
#: Optimizer steps of ``_BATCH_SIZE`` sentences: 500 decisions pass through about 25 times.
DEFAULT_MAX_STEPS = 400
# The classifier is a logistic regression over words, made for small logs: what an
# analyst's label hangs on is usually a word or a word family ("commit",
# "commitment", "committed"), so features are lowercased words and their first
# five letters, and an L1 penalty keeps the few words that decide a label and
# zeroes the rare ones a plain bag of words memorises. Measured on the rule-made
# benchmark (benchmarks/bench_suggest.py), these choices took held-out macro F1
# from 0.47 to about 0.9; each one alone is worth 0.05 to 0.2.
_ARCHITECTURE = "annotator.TextCatKeywordBOW.v1"
_OPTIMIZER = "annotator.SGD_L1.v1"
_NGRAM_SIZE = 1  # bigrams measured no better on a few hundred sentences
_PREFIX_LENGTH = 5
_HASH_LENGTH = 2**16
_LEARN_RATE = 0.1
#: L1 weight per training sentence (the gradient is summed over a batch).
_L1 = 0.001
_BATCH_SIZE = 32
_PROGRESS_CALLBACK = "annotator.train_progress.v1"

ProgressHook = Callable[[float, str], None]
_K = TypeVar("_K")


class SuggestError(AnnotatorError):
    """A model cannot be trained or loaded as asked."""


class NotAModelError(SuggestError):
    """A folder is not a model written by ``annotator train``."""


class TooFewDecisionsError(SuggestError):
    """Some label has too few positive decisions to learn from."""


@dataclass(frozen=True)
class Suggestion:
    """The model's view of one sentence.

    ``scores`` holds every label of the model (0..1); ``labels`` are those at or
    above the threshold, in label-set order: what accepting the suggestion
    would record.
    """

    scores: dict[str, float]
    labels: tuple[str, ...]
    threshold: float = DEFAULT_THRESHOLD

    @property
    def uncertainty(self) -> float:
        """Distance of the closest score to the threshold: 0 is a coin toss."""
        if not self.scores:
            return 1.0
        return min(abs(score - self.threshold) for score in self.scores.values())


@dataclass(frozen=True)
class LabelScore:
    """How well one label was predicted on the held-out documents.

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


@dataclass(frozen=True)
class TrainReport:
    """What ``train_model`` trained, on what, and how well it did on held-out documents.

    ``scores`` is empty when there was no held-out document (``dev_share=0``).
    """

    model_dir: Path
    model_id: str
    component: str
    labels: tuple[str, ...]
    scores: tuple[LabelScore, ...]
    train_sentences: int
    dev_sentences: int
    train_documents: int
    dev_documents: int
    steps: int
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def macro_f1(self) -> float:
        """Mean F1 over labels with held-out examples (0.0 when there are none)."""
        scored = [s.f1 for s in self.scores if s.support]
        return sum(scored) / len(scored) if scored else 0.0


# -- suggesting ------------------------------------------------------------------


class Suggester:
    """A trained model, loaded once, scoring sentences in batches.

    ``model_id`` names the model in decisions that began as its suggestion;
    ``threshold`` may be changed after loading (suggestions use the current one).
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
        self.threshold: float = float(
            threshold if threshold is not None else meta.get("threshold", DEFAULT_THRESHOLD)
        )

    @classmethod
    def load(cls, model_dir: str | Path, threshold: float | None = None) -> Suggester:
        """Load a model folder written by ``train_model``; ``NotAModelError`` otherwise."""
        import spacy

        folder = Path(model_dir)
        meta = read_model_meta(folder)
        _register_architectures()
        try:
            nlp = spacy.load(folder)
        except (OSError, ValueError, KeyError, ImportError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise NotAModelError(f"{folder}: cannot load the spaCy pipeline: {first}") from None
        return cls(nlp, meta, folder, threshold)

    def suggest(self, texts: Sequence[str], batch_size: int = 256) -> list[Suggestion]:
        """One suggestion per text, in order."""
        labels, threshold = self.labels, self.threshold
        suggestions = []
        for doc in self._nlp.pipe(texts, batch_size=batch_size):
            cats = doc.cats
            scores = {label: float(cats.get(label, 0.0)) for label in labels}
            chosen = tuple(label for label in labels if scores[label] >= threshold)
            suggestions.append(Suggestion(scores, chosen, threshold))
        return suggestions


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
    if int(meta.get("version", 1)) > META_VERSION:
        raise NotAModelError(f"{path}: written by a newer annotator; upgrade to load it")
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


# -- training --------------------------------------------------------------------

# Progress hooks of the trainings running now, by run token. spaCy builds the
# ``before_update`` callback from the config, so the config can carry only a name.
_RUNNING: dict[str, Callable[[int], None]] = {}


def _make_progress_callback(run: str) -> Callable[[Any, dict[str, Any]], None]:
    def before_update(nlp: Any, info: dict[str, Any]) -> None:
        hook = _RUNNING.get(run)
        if hook is not None:
            hook(int(info["step"]))

    return before_update


def _register_progress_callback() -> None:
    from spacy.util import registry

    registry.callbacks.register(_PROGRESS_CALLBACK, func=_make_progress_callback)


def count_positives(records: Iterable[SentenceRecord], labels: Sequence[str]) -> dict[str, int]:
    """How many records carry each label."""
    counts = dict.fromkeys(labels, 0)
    for record in records:
        for name in record.labels:
            if name in counts:
                counts[name] += 1
    return counts


def _check_enough(dataset: Dataset, min_per_label: int, logs: str) -> dict[str, int]:
    if not dataset.records:
        raise TooFewDecisionsError(f"{logs}: no decided sentences to train on")
    if not dataset.labels:
        raise TooFewDecisionsError(f"{logs}: the decisions use no labels; nothing to learn")
    counts = count_positives(dataset.records, dataset.labels)
    short = [name for name in dataset.labels if counts[name] < min_per_label]
    if short:
        listed = ", ".join(f"{name!r} {counts[name]}" for name in short)
        raise TooFewDecisionsError(
            f"too few decisions to train: each label needs at least {min_per_label} "
            f"sentences carrying it; {listed}. Label more sentences, or train on some "
            "labels only (--label)"
        )
    return counts


def _prepare_out_dir(out_dir: Path, force: bool) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise SuggestError(f"{out_dir}: exists and is a file; the model is a folder")
        is_model = (out_dir / MODEL_META).is_file()
        if not force:
            raise SuggestError(f"{out_dir}: already exists; use --force to replace it")
        if not is_model and any(out_dir.iterdir()):
            raise SuggestError(
                f"{out_dir}: a folder that is not an annotator model; will not replace it"
            )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SuggestError(f"{out_dir.parent}: cannot create folder: {error}") from None


def _move_into_place(built: Path, out_dir: Path) -> None:
    """Swap the new model in with renames, so a loaded model is never half-written."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{secrets.token_hex(3)}")
        os.replace(out_dir, old)
    os.replace(built, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def train_model(
    log_paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    labels: LabelSet | None = None,
    corpus: Iterable[Document] | None = None,
    only_labels: Sequence[str] = (),
    annotators: Sequence[str] = (),
    dev_share: float = 0.2,
    seed: int = 0,
    max_steps: int = DEFAULT_MAX_STEPS,
    min_per_label: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
    force: bool = False,
    progress: ProgressHook | None = None,
) -> TrainReport:
    """Train a text classifier on the decided sentences of ``log_paths`` into ``out_dir``.

    ``labels`` fixes the label columns and whether they are exclusive (else the
    labels recorded in the logs are used); ``only_labels`` trains a subset (other
    labels count as absent); ``corpus`` re-anchors decisions to current text.
    Whole documents (``dev_share`` of them) are held out and scored. Raises
    ``TooFewDecisionsError`` naming every label with fewer than ``min_per_label``
    sentences. ``progress(fraction, message)`` is called as training advances
    (from the calling thread). An existing ``out_dir`` is replaced only with ``force``.
    """
    from annotator.export import export_dataset
    from annotator.export.records import collect_dataset
    from annotator.export.spacy_docbin import CONFIG, DEV, TRAIN, split_by_document

    started = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    out = Path(out_dir)
    if max_steps < 1:
        raise SuggestError("max_steps must be at least 1")
    if not 0.0 <= dev_share < 1.0:
        raise SuggestError(f"the held-out share must be in [0, 1), not {dev_share}")
    _prepare_out_dir(out, force)
    report(0.0, "reading the annotation logs")
    options = ExportOptions(
        annotators=tuple(annotators),
        labels=tuple(only_labels),
        seed=seed,
        dev_fraction=dev_share,
        force=True,
    )
    dataset = collect_dataset(log_paths, documents=corpus, label_set=labels, options=options)
    names = ", ".join(str(p) for p in log_paths)
    _check_enough(dataset, min_per_label, names)
    train, dev, split_note = split_by_document(dataset.records, dev_share, seed)
    train_counts = count_positives(train, dataset.labels)
    notes = [split_note] if split_note else []
    missing = [name for name in dataset.labels if not train_counts[name]]
    if missing:
        notes.append(
            "no training sentence carries "
            + ", ".join(repr(m) for m in missing)
            + " (all its examples are in the held-out documents)"
        )

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.training-", dir=out.parent))
    try:
        data = staging / "data"
        report(0.02, "writing the training data")
        export_dataset(dataset, "spacy", data, options)
        nlp = _train_pipeline(
            data / CONFIG,
            data / TRAIN,
            data / (DEV if dev else TRAIN),
            max_steps=max_steps,
            seed=seed,
            report=report,
        )
        component = nlp.pipe_names[0]
        trained_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        counts = {
            "sentences": len(train),
            "documents": len({r.document for r in train}),
            "positives": train_counts,
        }
        digest = hashlib.sha1(
            json.dumps([trained_at, dataset.labels, counts, seed], sort_keys=True).encode()
        ).hexdigest()[:8]
        model_id = f"{out.name}-{digest}"
        meta = {
            "version": META_VERSION,
            "model_id": model_id,
            "labels": list(dataset.labels),
            "exclusive": dataset.exclusive,
            "component": component,
            "threshold": threshold,
            "trained_at": trained_at,
            "trained_on": counts,
            "logs": [str(p) for p in log_paths],
            "max_steps": max_steps,
            "seed": seed,
        }
        report(0.96, "scoring the held-out documents")
        scores: tuple[LabelScore, ...] = ()
        if dev:
            suggester = Suggester(nlp, meta, out, threshold)
            predicted = suggester.suggest([r.text for r in dev])
            scores = score_labels(
                [r.labels for r in dev],
                [s.labels for s in predicted],
                dataset.labels,
                train_counts,
            )
            meta["dev"] = {
                "sentences": len(dev),
                "documents": len({r.document for r in dev}),
                "f1": {s.label: round(s.f1, 4) for s in scores},
            }
        built = staging / "model"
        nlp.to_disk(built)
        (built / MODEL_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        report(0.99, "saving the model")
        try:
            _move_into_place(built, out)
        except OSError as error:
            raise SuggestError(f"{out}: cannot write the model: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(1.0, "done")
    return TrainReport(
        model_dir=out,
        model_id=model_id,
        component=component,
        labels=dataset.labels,
        scores=scores,
        train_sentences=len(train),
        dev_sentences=len(dev),
        train_documents=len({r.document for r in train}),
        dev_documents=len({r.document for r in dev}),
        steps=max_steps,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _model_config(exclusive: bool) -> dict[str, Any]:
    return {
        "@architectures": _ARCHITECTURE,
        "exclusive_classes": exclusive,
        "ngram_size": _NGRAM_SIZE,
        "prefix_length": _PREFIX_LENGTH,
        "length": _HASH_LENGTH,
        "nO": None,
    }


def _build_keyword_bow(
    exclusive_classes: bool,
    ngram_size: int = 1,
    prefix_length: int = 5,
    length: int = 2**16,
    nO: int | None = None,
) -> Any:
    """spaCy's ``TextCatBOW.v3``, over ``_keyword_features``, trained for cross-entropy.

    The sparse linear layer and its resizing are spaCy's; what differs is what it
    reads (``_keyword_features``) and how the output is trained
    (``_cross_entropy_activation``).
    """
    from functools import partial

    from spacy.ml.models.textcat import resize_and_set_ref
    from thinc.api import SparseLinear_v2, chain, resizable, with_cpu
    from thinc.layers.resizable import resize_linear_weighted

    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    # A label added later starts at "never" (spaCy's NEG_VALUE bias), as in TextCatBOW.
    fill_defaults = {"b": -5000, "W": 0}
    resizable_layer: Any = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    features = _keyword_features(ngram_size, prefix_length)
    model = with_cpu(chain(features, resizable_layer), sparse_linear.ops)
    output = _cross_entropy_activation(exclusive_classes)
    model = chain(model, with_cpu(output, output.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


def _keyword_features(ngram_size: int, prefix_length: int) -> Any:
    """Each doc's lowercased word n-grams and word beginnings, as ``SparseLinear`` reads them.

    Like spaCy's ``extract_ngrams``, but on ``LOWER`` rather than ``ORTH``, without
    the line breaks of hard-wrapped transcripts, with the first ``prefix_length``
    letters of longer words, and with presence (1) rather than counts.
    """
    import numpy
    from spacy.attrs import IS_SPACE, LOWER
    from spacy.strings import get_string_id
    from thinc.api import Model

    def forward(model: Any, docs: Any, is_train: bool) -> tuple[Any, Any]:
        ops = model.ops
        batch_keys = []
        for doc in docs:
            array = doc.to_array([LOWER, IS_SPACE])
            words = numpy.ascontiguousarray(array[array[:, 1] == 0, 0], dtype="uint64")
            grams = [words]
            for n in range(2, ngram_size + 1):
                if len(words) >= n:
                    grams.append(ops.ngrams(n, words))
            if prefix_length:
                starts = [
                    get_string_id("^" + token.lower_[:prefix_length])
                    for token in doc
                    if token.is_alpha and len(token) > prefix_length
                ]
                grams.append(numpy.asarray(starts, dtype="uint64"))
            batch_keys.append(numpy.unique(numpy.concatenate(grams)))
        lengths = ops.asarray([len(keys) for keys in batch_keys], dtype="int32")
        keys = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros((0,), "uint64")
        values = ops.alloc1f(len(keys)) + 1.0
        return (keys, values, lengths), lambda d_out: []

    return Model("keyword_features", forward)


def _cross_entropy_activation(exclusive: bool) -> Any:
    """Sigmoid (softmax) whose backward pass hands the loss gradient straight through.

    spaCy's textcat passes ``scores - truths`` back, which is the gradient of
    cross-entropy with respect to the *logits*. Through the activation's own
    derivative it becomes squared error, which barely moves a confidently wrong score.
    """
    from thinc.api import Model

    def forward(model: Any, logits: Any, is_train: bool) -> tuple[Any, Any]:
        ops = model.ops
        scores = ops.softmax(logits, inplace=False) if exclusive else ops.sigmoid(logits)
        return scores, lambda d_scores: d_scores

    return Model("softmax_xent" if exclusive else "sigmoid_xent", forward)


def _make_sgd_l1(learn_rate: float, l1: float) -> Any:
    """Plain SGD with a proximal L1 step: weights that the data does not keep pushing go to 0."""
    import numpy
    from thinc.api import Optimizer

    class SGDWithL1(Optimizer):
        def __call__(
            self, key: tuple[int, str], weights: Any, gradient: Any, *, lr_scale: float = 1.0
        ) -> tuple[Any, Any]:
            weights, gradient = super().__call__(key, weights, gradient, lr_scale=lr_scale)
            if l1 and key[1] == "W":  # weights only; biases carry the label's base rate
                shrink = lr_scale * self.learn_rate * l1
                numpy.copyto(weights, numpy.sign(weights) * numpy.maximum(abs(weights) - shrink, 0))
            return weights, gradient

    # beta1 = beta2 = 0 is thinc's plain SGD; the gradient is a sum over the batch,
    # so clipping it to norm 1 (thinc's default) would cap the step for large batches.
    return SGDWithL1(learn_rate, beta1=0.0, beta2=0.0, grad_clip=0.0, L2=0.0, use_averages=False)


def _register_architectures() -> None:
    """Make the model and optimizer known to spaCy, before training or loading a model."""
    from spacy.util import registry

    registry.architectures.register(_ARCHITECTURE, func=_build_keyword_bow)
    registry.optimizers(_OPTIMIZER)(_make_sgd_l1)


def _train_pipeline(
    config_path: Path,
    train_path: Path,
    dev_path: Path,
    *,
    max_steps: int,
    seed: int,
    report: ProgressHook,
) -> Language:
    """Run spaCy's training loop in this process on the exported config; return the pipeline."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop
    from spacy.util import load_config

    _register_progress_callback()
    _register_architectures()
    config = load_config(config_path, interpolate=False)
    component = config["nlp"]["pipeline"][0]
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    config["paths"]["vectors"] = None
    config["system"]["seed"] = seed
    training = config["training"]
    training["max_steps"] = max_steps
    training["max_epochs"] = 0
    # The held-out documents are scored once at the end (``score_labels``); spaCy's
    # own evaluation runs only at the first and last step, and never stops early.
    training["eval_frequency"] = max_steps
    training["patience"] = 0
    training["batcher"] = {
        "@batchers": "spacy.batch_by_sequence.v1",
        "size": _BATCH_SIZE,
        "get_length": None,
    }
    # The L1 penalty is per sentence; a step sums the gradient of a whole batch.
    training["optimizer"] = {
        "@optimizers": _OPTIMIZER,
        "learn_rate": _LEARN_RATE,
        "l1": _L1 * _BATCH_SIZE,
    }
    run = secrets.token_hex(8)
    training["before_update"] = {"@callbacks": _PROGRESS_CALLBACK, "run": run}
    config["components"][component]["model"] = _model_config(component == "textcat")

    def on_step(step: int) -> None:
        report(0.05 + 0.9 * min(step, max_steps) / max_steps, f"step {step}/{max_steps}")

    _RUNNING[run] = on_step
    try:
        report(0.04, "initialising the pipeline")
        nlp = init_nlp(config, use_gpu=-1)
        quiet = io.StringIO()
        nlp, _ = train_loop(nlp, None, use_gpu=-1, stdout=quiet, stderr=quiet)
    except (ValueError, KeyError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SuggestError(f"spaCy could not train on these decisions: {first}") from None
    finally:
        _RUNNING.pop(run, None)
    # The callback names a run that no longer exists; a loaded model must not need it.
    nlp.config["training"]["before_update"] = None
    return nlp
