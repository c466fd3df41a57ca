"""The classifier: a sparse linear model over words, cues and context, trained in spaCy.

The model is a logistic regression made for small logs. What an analyst's label
hangs on is usually a word or a word family ("commit", "commitment",
"committed"), so it reads lowercased words and their first five letters; an L1
penalty keeps the few words that decide a label and zeroes the rare ones a plain
bag of words memorises. On the analysts' labels (benchmarks/bench_suggest.py)
it also reads a sentence's mood and its place in the event
(``annotator.suggest.features``).

The network is spaCy's ``TextCatBOW`` sparse layer, registered with spaCy as
``annotator.TextCatKeywordBOW.v2`` so that ``spacy.load`` rebuilds a saved
model; ``fit_pipeline`` trains a blank English pipeline with one ``textcat``
(exclusive labels) or ``textcat_multilabel`` component, on the CPU, in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.suggest.features import CONTEXT_KEY, SentenceContext, sentence_keys

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ARCHITECTURE = "annotator.TextCatKeywordBOW.v2"
_PREFIX_LENGTH = 5
_HASH_LENGTH = 2**16
#: L1 weight per training sentence (the gradient is summed over a batch).
_L1 = 0.001
_LEARN_RATE = 0.1
BATCH_SIZE = 32


@dataclass(frozen=True)
class TrainingExample:
    """One sentence to learn from: its text, the labels decided, and where it stands.

    ``context`` is None when it is unknown (a log read without its corpus).
    """

    text: str
    labels: tuple[str, ...]
    context: SentenceContext | None = None


@dataclass(frozen=True)
class ModelSettings:
    """What the model reads and how long it trains: one object for ``annotator train``,
    retraining in the screen and the benchmark, so all three train the same model."""

    steps: int = 400
    cues: bool = True
    context: bool = True
    prefix_length: int = _PREFIX_LENGTH
    l1: float = _L1
    learn_rate: float = _LEARN_RATE


def make_docs(
    nlp: Language, texts: Sequence[str], contexts: Sequence[SentenceContext | None] | None
) -> list[Doc]:
    """Tokenised docs carrying each sentence's context features for the model to read."""
    docs = [nlp.make_doc(text) for text in texts]
    if contexts is not None:
        for doc, context in zip(docs, contexts, strict=True):
            if context is not None:
                doc.user_data[CONTEXT_KEY] = context.features()
    return docs


def new_pipeline(labels: Sequence[str], *, exclusive: bool, settings: ModelSettings) -> Language:
    """A blank English pipeline with an untrained classifier for ``labels``."""
    import spacy
    from spacy.training import Example

    register_architectures()
    nlp = spacy.blank("en")
    component = "textcat" if exclusive else "textcat_multilabel"
    textcat = nlp.add_pipe(
        component, config={"model": model_config(exclusive, settings), "threshold": 0.5}
    )
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    cats = {name: float(n == 0) for n, name in enumerate(labels)}
    sample = [Example.from_dict(nlp.make_doc("initialise"), {"cats": cats})]
    nlp.initialize(lambda: sample)
    return nlp


def featurize(nlp: Language, examples: Sequence[TrainingExample]) -> list[Any]:
    """The feature buckets of every example, as the pipeline's classifier reads them."""
    docs = make_docs(nlp, [e.text for e in examples], [e.context for e in examples])
    return doc_buckets(nlp.pipeline[0][1].model, docs)  # type: ignore[attr-defined]


def truth_matrix(examples: Sequence[TrainingExample], labels: Sequence[str]) -> Any:
    """One row per example, one column per label: 1 where the label was given."""
    import numpy

    return numpy.asarray(
        [[float(name in e.labels) for name in labels] for e in examples], dtype="float64"
    ).reshape((len(examples), len(labels)))


def fit_pipeline(
    examples: Sequence[TrainingExample],
    labels: Sequence[str],
    *,
    exclusive: bool,
    settings: ModelSettings,
    seed: int = 0,
    weights: Sequence[float] | None = None,
    rows: Sequence[Any] | None = None,
    nlp: Language | None = None,
    on_step: Callable[[int], None] | None = None,
) -> Language:
    """Train a pipeline's classifier on ``examples`` (their feature ``rows`` if already
    known); return the pipeline (a new blank one unless ``nlp`` is given).

    ``weights`` weigh each example's share of the loss (seed sentences from the
    label set may count less than an analyst's decisions).
    """
    import numpy

    nlp = nlp or new_pipeline(labels, exclusive=exclusive, settings=settings)
    model = nlp.pipeline[0][1].model  # type: ignore[attr-defined]
    rows = list(rows) if rows is not None else featurize(nlp, examples)
    weight = numpy.ones(len(examples)) if weights is None else numpy.asarray(weights, "float64")
    compact, b = fit_weights(
        rows,
        truth_matrix(examples, labels),
        weight,
        exclusive=exclusive,
        settings=settings,
        seed=seed,
        on_step=on_step,
    )
    full = numpy.zeros((model.attrs["length"], len(labels)), dtype="float32")
    full[compact.buckets] = compact.weights
    model.set_param("W", full)
    model.set_param("b", b)
    return nlp


def predict_rows(compact: CompactWeights, b: Any, rows: Sequence[Any], *, exclusive: bool) -> Any:
    """Scores (one row per sentence) of weights not yet put in a pipeline."""
    import numpy

    position = {int(bucket): i for i, bucket in enumerate(compact.buckets)}
    logits = numpy.zeros((len(rows), len(b))) + b
    for i, row in enumerate(rows):
        known = [position[int(k)] for k in row if int(k) in position]
        if known:
            logits[i] += compact.weights[known].sum(axis=0)
    if exclusive:
        logits -= logits.max(axis=1, keepdims=True)
        exp = numpy.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + numpy.exp(-logits))


@dataclass(frozen=True)
class CompactWeights:
    """Weights of the buckets the training sentences use (row ``i`` is ``buckets[i]``)."""

    buckets: Any
    weights: Any


def fit_weights(
    rows: Sequence[Any],
    truth: Any,
    weight: Any,
    *,
    exclusive: bool,
    settings: ModelSettings,
    seed: int = 0,
    on_step: Callable[[int], None] | None = None,
) -> tuple[CompactWeights, Any]:
    """Logistic (softmax) regression by minibatch SGD with a proximal L1 step.

    The gradient of a batch is summed, not averaged, so each sentence moves the
    weights as much whatever the batch size; after each step every weight is
    shrunk towards 0 by ``learn_rate * l1`` per sentence, so words that the data
    does not keep pushing end at exactly 0 (what stops a few hundred sentences
    being memorised word by word). It runs over the buckets the training
    sentences use, in numpy: a few hundred sentences train in a fraction of a second.
    """
    import numpy

    n, n_labels = truth.shape
    used, inverse = numpy.unique(
        numpy.concatenate(rows) if rows else numpy.zeros(0, "int64"), return_inverse=True
    )
    lengths = [len(r) for r in rows]
    offsets = numpy.concatenate([[0], numpy.cumsum(lengths)]).astype("int64")
    columns = [inverse[offsets[i] : offsets[i + 1]] for i in range(n)]
    W = numpy.zeros((len(used), n_labels), dtype="float64")
    b = numpy.zeros(n_labels, dtype="float64")
    has_label = truth.sum(axis=1) > 0
    rng = numpy.random.default_rng(seed)
    order = rng.permutation(n)
    cursor = 0
    shrink = settings.learn_rate * settings.l1 * BATCH_SIZE
    for step in range(settings.steps):
        if cursor + BATCH_SIZE > n and cursor:
            order = rng.permutation(n)
            cursor = 0
        batch = order[cursor : cursor + BATCH_SIZE]
        cursor += BATCH_SIZE
        batch_columns = [columns[i] for i in batch]
        batch_rows = numpy.repeat(numpy.arange(len(batch)), [len(c) for c in batch_columns])
        flat = numpy.concatenate(batch_columns) if batch_columns else numpy.zeros(0, "int64")
        logits = numpy.zeros((len(batch), n_labels)) + b
        for j in range(n_labels):
            logits[:, j] += numpy.bincount(batch_rows, weights=W[flat, j], minlength=len(batch))
        if exclusive:
            logits -= logits.max(axis=1, keepdims=True)
            scores = numpy.exp(logits)
            scores /= scores.sum(axis=1, keepdims=True)
        else:
            scores = 1.0 / (1.0 + numpy.exp(-logits))
        d = (scores - truth[batch]) * weight[batch, None]
        if exclusive:
            # A sentence with no label says nothing about which label it would be.
            d[~has_label[batch]] = 0.0
        # Buckets repeat across a batch's sentences: scatter the rows with bincount.
        touched, where = numpy.unique(flat, return_inverse=True)
        for j in range(n_labels):
            W[touched, j] -= settings.learn_rate * numpy.bincount(
                where, weights=d[batch_rows, j], minlength=len(touched)
            )
        b -= settings.learn_rate * d.sum(axis=0)
        if shrink:
            numpy.copyto(W, numpy.sign(W) * numpy.maximum(numpy.abs(W) - shrink, 0.0))
        if on_step is not None:
            on_step(step + 1)
    return CompactWeights(used, W.astype("float32")), b.astype("float32")


def model_config(exclusive: bool, settings: ModelSettings) -> dict[str, Any]:
    """The ``model`` block of the text classifier's config."""
    return {
        "@architectures": ARCHITECTURE,
        "exclusive_classes": exclusive,
        "prefix_length": settings.prefix_length,
        "cues": settings.cues,
        "context": settings.context,
        "length": _HASH_LENGTH,
        "nO": None,
    }


def doc_buckets(model: Any, docs: Sequence[Doc]) -> list[Any]:
    """Each doc's feature buckets (distinct), as the model reads them."""
    import numpy
    from spacy.attrs import IS_SPACE, LOWER
    from spacy.strings import get_string_id

    prefix_length = model.attrs["prefix_length"]
    cues, context = model.attrs["cues"], model.attrs["context"]
    length = numpy.uint64(model.attrs["length"])
    rows = []
    for doc in docs:
        array = doc.to_array([LOWER, IS_SPACE]).reshape((-1, 2))
        words = numpy.asarray(array[array[:, 1] == 0, 0], dtype="uint64")
        extra = [get_string_id(k) for k in sentence_keys(doc, prefix_length, cues, context)]
        keys = numpy.concatenate([words, numpy.asarray(extra, dtype="uint64")])
        rows.append(numpy.unique(keys % length).astype("int64"))
    return rows


def build_sentence_classifier(
    exclusive_classes: bool,
    prefix_length: int = _PREFIX_LENGTH,
    cues: bool = True,
    context: bool = True,
    length: int = _HASH_LENGTH,
    nO: int | None = None,
) -> Any:
    """A linear classifier over hashed sentence features, as one thinc ``Model``.

    Reads lowercased words, the first ``prefix_length`` letters of longer words,
    and (when asked) cues and context (``annotator.suggest.features``), each
    hashed into one of ``length`` buckets; a weight row per bucket and a bias per
    label, then sigmoid (softmax for exclusive labels). It is trained outside
    spaCy's loop, by ``fit_weights``, and saved and loaded by spaCy as any model.
    """
    from thinc.api import Model

    def forward(model: Any, docs: Any, is_train: bool) -> tuple[Any, Any]:
        import numpy

        W, b = model.get_param("W"), model.get_param("b")
        rows = doc_buckets(model, docs)
        logits = numpy.zeros((len(rows), W.shape[1]), dtype="float32") + b
        for i, row in enumerate(rows):
            if len(row):
                logits[i] += W[row].sum(axis=0)
        if exclusive_classes:
            scores = model.ops.softmax(logits, inplace=False)
        else:
            scores = model.ops.sigmoid(logits)

        def backprop(d_scores: Any) -> list[Any]:
            # Cross-entropy's gradient with respect to the logits, as spaCy passes it.
            d_W = numpy.zeros_like(W)
            for i, row in enumerate(rows):
                d_W[row] += d_scores[i]
            model.inc_grad("W", d_W)
            model.inc_grad("b", d_scores.sum(axis=0))
            return []

        return scores, backprop

    def init(model: Any, X: Any = None, Y: Any = None) -> None:
        if Y is not None:
            model.set_dim("nO", Y.shape[1])
        n_out = model.get_dim("nO")
        model.set_param("W", model.ops.alloc2f(length, n_out))
        model.set_param("b", model.ops.alloc1f(n_out))

    return Model(
        "annotator_sentence_linear",
        forward,
        init=init,
        dims={"nO": nO},
        params={"W": None, "b": None},
        attrs={
            "multi_label": not exclusive_classes,
            "prefix_length": prefix_length,
            "cues": cues,
            "context": context,
            "length": length,
        },
    )


def register_architectures() -> None:
    """Make the model known to spaCy, before training or loading a model."""
    from spacy.util import registry

    registry.architectures.register(ARCHITECTURE, func=build_sentence_classifier)
