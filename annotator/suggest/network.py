"""The classifier: a linear model over words, word pieces, cues and context, saved by spaCy.

The model is a logistic regression made for a few hundred decisions. A sentence
is read as three groups of features: its lowercased words and word pairs; the
character 2- to 5-grams of each word (what ties "commit", "commitment" and
"committed" together, and catches a word family the analyst has only seen once
in another form); and its mood, its place in the event and what the analyst
decided on the sentence before it (``annotator.suggest.features``). Words and
pieces are weighted as a search engine weighs them (log term frequency times
inverse document frequency over the training sentences, each group scaled to
unit length), so a long sentence does not outvote a short one and the commonest
words count least. Each label is learned by an L2-penalised logistic regression
(scikit-learn's, solved exactly, so a model does not depend on a random seed),
with its positives and negatives weighed equally, which is what lets a label
given to one sentence in twenty be found at all.

Measured on the analysts' labels (benchmarks/bench_suggest.py); the choices
and what each one gained are in the README.

The network is registered with spaCy as ``annotator.SentenceLinear.v3`` so that
``spacy.load`` rebuilds a saved model; ``fit_pipeline`` puts trained weights in
a blank English pipeline with one ``textcat`` (exclusive labels) or
``textcat_multilabel`` component.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.suggest.features import CONTEXT_KEY, SentenceContext, sentence_keys

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ARCHITECTURE = "annotator.SentenceLinear.v3"
_HASH_LENGTH = 2**17
#: The word-piece lengths read within each word (padded with a space at each end).
_PIECES = (2, 5)
#: The value of a cue or context feature, against unit-length word and piece groups.
_EXTRA_VALUE = 0.5
#: A word piece must occur in this many training sentences to count (hapaxes are noise).
_MIN_PIECE_SENTENCES = 2
#: Feature groups, as ``FeatureRow.group`` numbers them.
WORDS, PIECES, EXTRAS = 0, 1, 2


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
    """What the model reads and how it is fitted: one object for ``annotator train``,
    retraining in the screen and the benchmark, so all three train the same model.

    ``steps`` caps the solver's iterations per label; ``penalty`` is scikit-learn's
    ``C``, the inverse strength of the L2 penalty; ``balanced`` weighs each label's
    positive and negative sentences equally. ``context`` reads the speaker's role
    and the place in the turn, ``previous`` the decision on the sentence before.
    """

    steps: int = 400
    cues: bool = True
    context: bool = True
    previous: bool = True
    pieces: bool = True
    penalty: float = 10.0
    balanced: bool = True


@dataclass(frozen=True)
class FeatureRow:
    """One sentence's distinct feature buckets, how often each occurs, and its group."""

    buckets: Any
    counts: Any
    group: Any


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


def featurize(nlp: Language, examples: Sequence[TrainingExample]) -> list[FeatureRow]:
    """The feature rows of every example, as the pipeline's classifier reads them."""
    docs = make_docs(nlp, [e.text for e in examples], [e.context for e in examples])
    return doc_rows(nlp.pipeline[0][1].model, docs)  # type: ignore[attr-defined]


def truth_matrix(examples: Sequence[TrainingExample], labels: Sequence[str]) -> Any:
    """One row per example, one column per label: 1 where the label was given."""
    import numpy

    return numpy.asarray(
        [[float(name in e.labels) for name in labels] for e in examples], dtype="float64"
    ).reshape((len(examples), len(labels)))


@dataclass(frozen=True)
class LinearWeights:
    """A fitted model: each bucket's inverse document frequency, weights and biases."""

    idf: Any
    weights: Any
    bias: Any


def fit_pipeline(
    examples: Sequence[TrainingExample],
    labels: Sequence[str],
    *,
    exclusive: bool,
    settings: ModelSettings,
    weights: Sequence[float] | None = None,
    rows: Sequence[FeatureRow] | None = None,
    nlp: Language | None = None,
    on_label: Callable[[int, int], None] | None = None,
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
    fitted = fit_weights(
        rows,
        truth_matrix(examples, labels),
        weight,
        exclusive=exclusive,
        settings=settings,
        on_label=on_label,
    )
    model.set_param("idf", fitted.idf)
    model.set_param("W", fitted.weights)
    model.set_param("b", fitted.bias)
    return nlp


def inverse_frequencies(rows: Sequence[FeatureRow], length: int = _HASH_LENGTH) -> Any:
    """Each bucket's smoothed inverse document frequency over ``rows`` (0 for a bucket
    no row uses, and for a word piece found in fewer than two rows)."""
    import numpy

    idf = numpy.zeros(length, dtype="float32")
    if not rows:
        return idf
    buckets = numpy.concatenate([r.buckets for r in rows])
    groups = numpy.concatenate([r.group for r in rows])
    frequency = numpy.bincount(buckets, minlength=length)
    smoothed = numpy.log((1.0 + len(rows)) / (1.0 + frequency)) + 1.0
    used = numpy.zeros(length, dtype=bool)
    used[buckets] = True
    rare_pieces = numpy.zeros(length, dtype=bool)
    rare_pieces[buckets[groups == PIECES]] = True
    rare_pieces &= frequency < _MIN_PIECE_SENTENCES
    idf[used & ~rare_pieces] = smoothed[used & ~rare_pieces]
    return idf


def row_values(row: FeatureRow, idf: Any) -> Any:
    """A row's feature values: log term frequency times idf, each of the word and piece
    groups scaled to unit length; cues and context at a fixed value."""
    import numpy

    values = (1.0 + numpy.log(row.counts)) * idf[row.buckets]
    for group in (WORDS, PIECES):
        members = row.group == group
        norm = math.sqrt(float(numpy.dot(values[members], values[members])))
        if norm:
            values[members] /= norm
    values[row.group == EXTRAS] = _EXTRA_VALUE
    return values


def _matrix(rows: Sequence[FeatureRow], idf: Any, columns: Any) -> Any:
    """The rows as a sparse matrix over ``columns`` (sorted buckets)."""
    import numpy
    from scipy.sparse import csr_matrix

    data, indices, indptr = [], [], [0]
    for row in rows:
        values = row_values(row, idf)
        keep = values != 0
        data.append(values[keep])
        indices.append(numpy.searchsorted(columns, row.buckets[keep]))
        indptr.append(indptr[-1] + int(keep.sum()))
    return csr_matrix(
        (
            numpy.concatenate(data) if data else numpy.zeros(0),
            numpy.concatenate(indices) if indices else numpy.zeros(0, "int64"),
            numpy.asarray(indptr),
        ),
        shape=(len(rows), len(columns)),
    )


def fit_weights(
    rows: Sequence[FeatureRow],
    truth: Any,
    weight: Any,
    *,
    exclusive: bool,
    settings: ModelSettings,
    on_label: Callable[[int, int], None] | None = None,
) -> LinearWeights:
    """Fit the model: per label, an L2-penalised logistic regression with balanced
    class weights (softmax regression over the labelled sentences for exclusive labels).

    A label no training sentence carries (or every one does) gets no weights and
    a bias that keeps its score near 0 (or 1).
    """
    import warnings

    import numpy
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    # ``steps`` caps the solver on purpose (tests, a quick retraining): not news to print.
    warnings.simplefilter("ignore", ConvergenceWarning)
    n_labels = truth.shape[1]
    idf = inverse_frequencies(rows)
    columns = numpy.flatnonzero(idf)
    X = _matrix(rows, idf, columns)
    W = numpy.zeros((len(columns), n_labels), dtype="float64")
    b = numpy.full(n_labels, -10.0)

    def regression() -> Any:
        return LogisticRegression(
            C=settings.penalty,
            class_weight="balanced" if settings.balanced else None,
            max_iter=settings.steps,
        )

    if exclusive:
        labelled = truth.sum(axis=1) > 0
        target = truth[labelled].argmax(axis=1)
        present = numpy.unique(target)
        if len(present) == 1:
            b[present[0]] = 10.0
        elif len(present):
            fitted = regression().fit(X[labelled], target, sample_weight=weight[labelled])
            if len(present) == 2:
                W[:, present[1]] = fitted.coef_[0]
                b[present] = (0.0, fitted.intercept_[0])
            else:
                W[:, present] = fitted.coef_.T
                b[present] = fitted.intercept_
        if on_label is not None:
            on_label(n_labels, n_labels)
    else:
        for j in range(n_labels):
            positives = int(truth[:, j].sum())
            if positives == len(rows) and positives:
                b[j] = 10.0
            elif positives:
                fitted = regression().fit(X, truth[:, j], sample_weight=weight)
                W[:, j] = fitted.coef_[0]
                b[j] = fitted.intercept_[0]
            if on_label is not None:
                on_label(j + 1, n_labels)
    full = numpy.zeros((_HASH_LENGTH, n_labels), dtype="float32")
    full[columns] = W
    return LinearWeights(idf, full, b.astype("float32"))


def predict_rows(fitted: LinearWeights, rows: Sequence[FeatureRow], *, exclusive: bool) -> Any:
    """Scores (one row per sentence) of weights not yet put in a pipeline."""
    return _scores(fitted.idf, fitted.weights, fitted.bias, rows, exclusive)


def _scores(idf: Any, W: Any, b: Any, rows: Sequence[FeatureRow], exclusive: bool) -> Any:
    import numpy

    logits = numpy.zeros((len(rows), len(b)), dtype="float64") + b
    for i, row in enumerate(rows):
        if len(row.buckets):
            logits[i] += row_values(row, idf) @ W[row.buckets]
    if exclusive:
        logits -= logits.max(axis=1, keepdims=True)
        exp = numpy.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + numpy.exp(-numpy.clip(logits, -30.0, 30.0)))


def model_config(exclusive: bool, settings: ModelSettings) -> dict[str, Any]:
    """The ``model`` block of the text classifier's config."""
    return {
        "@architectures": ARCHITECTURE,
        "exclusive_classes": exclusive,
        "pieces": settings.pieces,
        "cues": settings.cues,
        "context": settings.context,
        "previous": settings.previous,
        "length": _HASH_LENGTH,
        "nO": None,
    }


def sentence_words(doc: Doc) -> list[str]:
    """A sentence's lowercased words: no spaces, no punctuation but the question mark."""
    return [t.lower_ for t in doc if not t.is_space and (not t.is_punct or t.text == "?")]


def word_pieces(words: Sequence[str]) -> list[str]:
    """The character n-grams of each word padded with a space at each end."""
    low, high = _PIECES
    found: list[str] = []
    for word in words:
        padded = f" {word} "
        for size in range(low, min(high, len(padded)) + 1):
            found.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return found


def doc_rows(model: Any, docs: Sequence[Doc]) -> list[FeatureRow]:
    """Each doc's feature row, as the model reads it."""
    import numpy
    from spacy.strings import get_string_id

    pieces, cues, context = model.attrs["pieces"], model.attrs["cues"], model.attrs["context"]
    previous = model.attrs.get("previous", True)
    length = numpy.uint64(model.attrs["length"])
    rows = []
    for doc in docs:
        words = sentence_words(doc)
        keys = [get_string_id("w " + w) for w in words]
        keys.extend(get_string_id(f"b {a} {b}") for a, b in itertools.pairwise(words))
        groups = [WORDS] * len(keys)
        if pieces:
            found = [get_string_id("c" + p) for p in word_pieces(words)]
            keys.extend(found)
            groups.extend([PIECES] * len(found))
        extra = [get_string_id(k) for k in sentence_keys(doc, cues, context, previous)]
        keys.extend(extra)
        groups.extend([EXTRAS] * len(extra))
        hashed = numpy.asarray(keys, dtype="uint64") % length
        grouped = hashed.astype("int64") * 4 + numpy.asarray(groups, dtype="int64")
        distinct, counts = numpy.unique(grouped, return_counts=True)
        # A bucket two groups share (a hash collision) is read as the lower group (words first).
        buckets, first = numpy.unique(distinct // 4, return_index=True)
        rows.append(FeatureRow(buckets, counts[first].astype("float32"), (distinct % 4)[first]))
    return rows


def build_sentence_classifier(
    exclusive_classes: bool,
    pieces: bool = True,
    cues: bool = True,
    context: bool = True,
    length: int = _HASH_LENGTH,
    nO: int | None = None,
    previous: bool = True,
) -> Any:
    """A linear classifier over hashed sentence features, as one thinc ``Model``.

    Reads words, word pairs, word pieces (when asked) and cues, context and the
    previous sentence's decision (when asked), each hashed into one of ``length``
    buckets; weighs them by the stored inverse document frequencies; a weight row
    per bucket and a bias per label, then sigmoid (softmax for exclusive labels).
    It is trained outside spaCy's loop, by ``fit_weights``, and saved and loaded
    by spaCy as any model.
    """
    from thinc.api import Model

    def forward(model: Any, docs: Any, is_train: bool) -> tuple[Any, Any]:
        idf, W, b = model.get_param("idf"), model.get_param("W"), model.get_param("b")
        scores = _scores(idf, W, b, doc_rows(model, docs), exclusive_classes)

        def backprop(d_scores: Any) -> list[Any]:
            raise NotImplementedError("the model is fitted by fit_weights, not by spaCy")

        return model.ops.asarray2f(scores), backprop

    def init(model: Any, X: Any = None, Y: Any = None) -> None:
        if Y is not None:
            model.set_dim("nO", Y.shape[1])
        n_out = model.get_dim("nO")
        model.set_param("idf", model.ops.alloc1f(length))
        model.set_param("W", model.ops.alloc2f(length, n_out))
        model.set_param("b", model.ops.alloc1f(n_out))

    return Model(
        "annotator_sentence_linear",
        forward,
        init=init,
        dims={"nO": nO},
        params={"idf": None, "W": None, "b": None},
        attrs={
            "multi_label": not exclusive_classes,
            "pieces": pieces,
            "cues": cues,
            "context": context,
            "previous": previous,
            "length": length,
        },
    )


def register_architectures() -> None:
    """Make the model known to spaCy, before training or loading a model."""
    from spacy.util import registry

    registry.architectures.register(ARCHITECTURE, func=build_sentence_classifier)
