"""``train_model``: from annotation logs to a model folder that ``Suggester.load`` reads.

Decisions are replayed into sentence records (the same as every export),
whole documents are held out and scored, the label set's examples and near
misses join the training data as seed sentences, the label threshold and the
confidence cut-off are chosen by cross-validation (``calibrate``), and the
classifier is trained on everything kept for training. ``annotator train`` and
retraining in the screen both call this with its defaults.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import SuggestError, TooFewDecisionsError
from annotator.export.records import Dataset, ExportOptions, SentenceRecord
from annotator.model import Document, LabelSet
from annotator.suggest.calibrate import (
    DEFAULT_MIN_PRECISION,
    Calibration,
    assign_folds,
    calibrate,
)
from annotator.suggest.features import SentenceContext, decided_contexts
from annotator.suggest.network import (
    ModelSettings,
    TrainingExample,
    featurize,
    fit_pipeline,
    new_pipeline,
)
from annotator.suggest.scoring import HeldOutScores, LabelScore, score_suggestions
from annotator.suggest.suggester import DEFAULT_THRESHOLD, META_VERSION, MODEL_META, Suggester

if TYPE_CHECKING:
    from spacy.language import Language

ProgressHook = Callable[[float, str], None]
DEFAULT_MAX_STEPS = ModelSettings().steps
#: Seed sentences from the label set count this much against one decision.
SEED_WEIGHT = 1.0
# Codebook sentences read as a principal's, mid-turn: what most of them stand for
# (measured: better than no context, micro F1 0.41 -> 0.44 leaving one transcript out).
_SEED = SentenceContext()


#: Fewer held-out sentences than this give no score worth reading (0.00 on two sentences).
MIN_HELD_OUT = 20


@dataclass(frozen=True)
class TrainReport:
    """What ``train_model`` trained, on what, and how well it did on held-out documents.

    ``scores`` is empty when there was no held-out document (``dev_share=0``);
    ``held_out`` then is None.
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
    held_out: HeldOutScores | None = None
    calibration: Calibration | None = None

    @property
    def macro_f1(self) -> float:
        """Mean F1 over labels with held-out examples (0.0 when there are none)."""
        scored = [s.f1 for s in self.scores if s.support]
        return sum(scored) / len(scored) if scored else 0.0

    @property
    def promise(self) -> str:
        """When suggestions are shown, from the cross-validation, in one line."""
        found = self.calibration
        if found is None:
            return "suggestions: not calibrated"
        if found.cutoff > 1.0:
            return (
                "suggestions: none will be shown: at no confidence were they exactly right "
                f"{found.min_precision:.0%} of the time out of fold (label more sentences)"
            )
        blind = (
            f"{found.blind_right_when_shown:.0%} right on {found.blind_coverage:.0%}"
            if found.blind_cutoff <= 1.0
            else "none shown"
        )
        return (
            f"suggestions: shown where out of fold they were exactly right "
            f"{found.right_when_shown:.0%} of the time, on {found.coverage:.0%} of sentences "
            f"({blind} where the sentence before is undecided)"
        )

    @property
    def summary(self) -> str:
        """The held-out figures in one line (what the screen says after retraining);
        too few held-out sentences to support a score are said as such, not scored."""
        if self.held_out is None:
            return "no held-out documents were scored"
        if self.dev_sentences < MIN_HELD_OUT:
            return (
                f"only {self.dev_sentences} held-out sentences: too few to score "
                f"(at least {MIN_HELD_OUT})"
            )
        return f"held out: {self.held_out.summary()}"


def seed_examples(labels: LabelSet | None, names: Sequence[str]) -> list[TrainingExample]:
    """The label set's examples and near misses as training sentences (a cold start).

    An example carries its own label; a near miss the labels it takes instead
    (near misses that do not say are left out). Labels not trained are dropped.
    """
    if labels is None:
        return []
    keep = set(names)
    found: list[TrainingExample] = []
    for label in labels.labels:
        if label.name not in keep:
            continue
        found.extend(TrainingExample(text, (label.name,), _SEED) for text in label.examples)
        for near_miss in label.near_misses:
            if near_miss.instead is not None:
                chosen = tuple(n for n in near_miss.instead if n in keep)
                found.append(TrainingExample(near_miss.text, chosen, _SEED))
    return found


def examples_from_records(records: Sequence[SentenceRecord]) -> list[TrainingExample]:
    """Training sentences with their context (``features.decided_contexts``): the
    speaker's role, the place in the turn among the turn's decided sentences, and the
    labels of the decided sentence before it in its document."""
    contexts = decided_contexts(
        [(r.document, r.turn, r.start) for r in records],
        [r.speaker for r in records],
        [tuple(r.labels) for r in records],
    )
    return [
        TrainingExample(r.text, tuple(r.labels), context)
        for r, context in zip(records, contexts, strict=True)
    ]


def hide_previous(example: TrainingExample) -> TrainingExample:
    """The example as the screen sees it when the sentence before is undecided."""
    if example.context is None:
        return example
    return replace(example, context=example.context.without_previous())


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


def fit_suggestion_model(
    examples: Sequence[TrainingExample],
    documents: Sequence[str],
    turns: Sequence[int],
    label_names: Sequence[str],
    *,
    exclusive: bool,
    labels: LabelSet | None,
    settings: ModelSettings,
    min_precision: float = DEFAULT_MIN_PRECISION,
    progress: ProgressHook | None = None,
) -> tuple[Language, Calibration, int]:
    """A trained pipeline and its calibration from decided sentences: what
    ``train_model`` (and so retraining in the screen) and ``bench_suggest.py`` run.

    ``documents`` and ``turns`` (one per example) keep whole documents, or whole
    turns of a single document, in one cross-validation fold. The label set's
    examples and near misses (``labels``; None for none) join every fold and the
    final model as seed sentences. Returns the pipeline, the calibration and the
    number of seed sentences.
    """
    report = progress or (lambda fraction, message: None)
    report(0.05, "reading the sentences")
    nlp = new_pipeline(label_names, exclusive=exclusive, settings=settings)
    seeds = seed_examples(labels, label_names)
    rows = featurize(nlp, examples)
    seed_rows = featurize(nlp, seeds)
    blind_rows = featurize(nlp, [hide_previous(e) for e in examples]) if settings.previous else []
    report(0.1, "cross-validating thresholds")
    calibration = calibrate(
        examples,
        rows,
        assign_folds(documents, turns),
        label_names,
        exclusive=exclusive,
        settings=settings,
        always=seeds,
        always_rows=seed_rows,
        always_weight=SEED_WEIGHT,
        blind_rows=blind_rows,
        min_precision=min_precision,
        on_fold=lambda k, n: report(0.1 + 0.6 * k / n, f"cross-validation fold {k}/{n}"),
    )
    report(0.75, "training the model")
    fit_pipeline(
        [*examples, *seeds],
        label_names,
        exclusive=exclusive,
        settings=settings,
        weights=[1.0] * len(examples) + [SEED_WEIGHT] * len(seeds),
        rows=[*rows, *seed_rows],
        nlp=nlp,
        on_label=lambda done, total: report(0.75 + 0.2 * done / total, f"label {done}/{total}"),
    )
    return nlp, calibration, len(seeds)


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
    threshold: float | None = None,
    min_precision: float = DEFAULT_MIN_PRECISION,
    force: bool = False,
    progress: ProgressHook | None = None,
) -> TrainReport:
    """Train a suggestion model on the decided sentences of ``log_paths`` into ``out_dir``.

    ``labels`` fixes the label columns and whether they are exclusive (else the
    labels recorded in the logs are used) and gives the seed sentences;
    ``only_labels`` trains a subset; ``corpus`` re-anchors decisions to current
    text. Whole documents (``dev_share`` of them) are held out and scored.
    ``threshold`` fixes every label's threshold (else chosen by cross-validation);
    suggestions are shown when cross-validation says they are exactly right at
    least ``min_precision`` of the time. Raises ``TooFewDecisionsError`` naming
    every label with fewer than ``min_per_label`` sentences. An existing
    ``out_dir`` is replaced only with ``force``.
    """
    from annotator.export.records import collect_dataset
    from annotator.export.spacy_docbin import split_by_document

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
    # The minimum holds for what the model learns from, not for the whole dataset.
    short = [name for name in dataset.labels if train_counts[name] < min_per_label]
    if short and dev:
        listed = ", ".join(f"{name!r} {train_counts[name]}" for name in short)
        raise TooFewDecisionsError(
            f"too few decisions to train once {len({r.document for r in dev})} documents "
            f"are held out: each label needs at least {min_per_label} training sentences; "
            f"{listed}. Label more sentences, hold out none (--dev-share 0), or train on "
            "some labels only (--label)"
        )
    label_names = tuple(dataset.labels)
    examples = examples_from_records(train)
    nlp, calibration, seeds = fit_suggestion_model(
        examples,
        [r.document for r in train],
        [r.turn for r in train],
        label_names,
        exclusive=dataset.exclusive,
        labels=labels,
        settings=ModelSettings(steps=max_steps),
        min_precision=min_precision,
        progress=report,
    )
    component = nlp.pipe_names[0]
    trained_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    counts = {
        "sentences": len(train),
        "documents": len({r.document for r in train}),
        "positives": train_counts,
        "seed_sentences": seeds,
    }
    digest = hashlib.sha1(
        json.dumps([trained_at, label_names, counts, seed], sort_keys=True).encode()
    ).hexdigest()[:8]
    model_id = f"{out.name}-{digest}"
    cal_meta = calibration.to_meta()
    if threshold is not None:
        cal_meta["thresholds"] = dict.fromkeys(label_names, threshold)
    meta = {
        "version": META_VERSION,
        "model_id": model_id,
        "labels": list(label_names),
        "exclusive": dataset.exclusive,
        "component": component,
        "threshold": threshold if threshold is not None else DEFAULT_THRESHOLD,
        "calibration": cal_meta,
        "trained_at": trained_at,
        "trained_on": counts,
        "logs": [str(p) for p in log_paths],
        "max_steps": max_steps,
        "seed": seed,
        # What retraining from the screen (Ctrl+T) repeats: the same model, newer data.
        "options": {
            "only_labels": list(only_labels),
            "annotators": list(annotators),
            "dev_share": dev_share,
            "seed": seed,
            "max_steps": max_steps,
            "min_per_label": min_per_label,
            "threshold": threshold,
            "min_precision": min_precision,
        },
    }
    report(0.96, "scoring the held-out documents")
    scores: tuple[LabelScore, ...] = ()
    held_out = None
    if dev:
        suggester = Suggester(nlp, meta, out)
        dev_examples = examples_from_records(dev)
        predicted = suggester.suggest(
            [e.text for e in dev_examples], [e.context for e in dev_examples]
        )
        held_out = score_suggestions([r.labels for r in dev], predicted, label_names, train_counts)
        scores = held_out.per_label
        meta["dev"] = {
            "sentences": len(dev),
            "documents": len({r.document for r in dev}),
            "f1": {s.label: round(s.f1, 4) for s in scores},
            "micro_f1": round(held_out.micro_f1, 4),
            "exact": round(held_out.exact, 4),
            "right_when_shown": round(held_out.right_when_shown, 4),
            "coverage": round(held_out.coverage, 4),
        }
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.training-", dir=out.parent))
    try:
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
        labels=label_names,
        scores=scores,
        train_sentences=len(train),
        dev_sentences=len(dev),
        train_documents=len({r.document for r in train}),
        dev_documents=len({r.document for r in dev}),
        steps=max_steps,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
        held_out=held_out,
        calibration=calibration,
    )
