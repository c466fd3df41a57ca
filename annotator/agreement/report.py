"""The agreement report (what ``annotator agree`` shows) and the disagreements
adjudication works on, from gathered codings.

Two views of each sentence's label set are scored: the whole set as one nominal
category (``{threat}`` and ``{threat, commitment}`` disagree), plus
Krippendorff's alpha with the MASI distance, which gives partial credit for
overlapping sets; and each label as a yes/no decision. Only sentences that two
or more analysts decided count.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from annotator.agreement.codings import Coding, Codings, Unit, read_codings
from annotator.agreement.metrics import (
    Counts,
    FloatArray,
    IntArray,
    _ac1,
    _agree_pairs,
    _alpha,
    _cohen,
    _counts,
    _fleiss,
    _nominal,
    _row_max,
    _row_sum,
    _totals,
    _unit_agreement,
    masi_distance,
)
from annotator.errors import AgreementError
from annotator.memory import paused_gc

#: How a sentence with no label is shown in tables.
NO_LABEL = "(none)"


# -- the report -----------------------------------------------------------------------


@dataclass(frozen=True)
class PairScore:
    """Two analysts over the sentences both coded."""

    first: str
    second: str
    units: int
    percent: float | None
    kappa: float | None


@dataclass(frozen=True)
class Scores:
    """All metrics for one view of the data (the whole label set, or one label)."""

    name: str
    units: int
    percent: float | None
    unanimous: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    gwet_ac1: float | None
    pairs: tuple[PairScore, ...]
    alpha_masi: float | None = None
    #: For one label: sentences where at least one analyst gave it.
    used: int = 0


@dataclass(frozen=True)
class Confusion:
    """How two analysts' label sets cross: ``matrix[i][j]`` sentences that ``first``
    coded ``categories[i]`` and ``second`` coded ``categories[j]``."""

    first: str
    second: str
    categories: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class GroupScore:
    """Agreement on the whole label set within one document or one speaker's sentences."""

    name: str
    units: int
    percent: float | None
    krippendorff_alpha: float | None


@dataclass(frozen=True)
class Disputed:
    """A sentence analysts disagree on; ``disagreement`` is the mean pairwise MASI distance."""

    unit: Unit
    codings: tuple[Coding, ...]
    disagreement: float


@dataclass(frozen=True)
class AgreementReport:
    """What ``annotator agree`` shows; ``to_json`` is the ``--json`` output."""

    annotators: tuple[str, ...]
    units: int
    overall: Scores
    per_label: tuple[Scores, ...]
    confusion: tuple[Confusion, ...]
    by_document: tuple[GroupScore, ...]
    by_speaker: tuple[GroupScore, ...]
    disputed: tuple[Disputed, ...]
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        def unit(d: Disputed) -> dict[str, Any]:
            return {
                "document": d.unit.document,
                "start": d.unit.start,
                "end": d.unit.end,
                "text": d.unit.text,
                "turn": d.unit.turn,
                "speaker": d.unit.speaker,
                "disagreement": d.disagreement,
                "codings": [
                    {"annotator": c.annotator, "labels": list(c.labels), "note": c.note}
                    for c in d.codings
                ],
            }

        def scores(s: Scores) -> dict[str, Any]:
            data = _plain(s)
            data["pairs"] = [_plain(p) for p in s.pairs]
            return data

        return {
            "annotators": list(self.annotators),
            "units": self.units,
            "overall": scores(self.overall),
            "per_label": [scores(s) for s in self.per_label],
            "confusion": [
                {
                    "first": c.first,
                    "second": c.second,
                    "categories": list(c.categories),
                    "matrix": [list(row) for row in c.matrix],
                }
                for c in self.confusion
            ],
            "by_document": [_plain(g) for g in self.by_document],
            "by_speaker": [_plain(g) for g in self.by_speaker],
            "disputed": [unit(d) for d in self.disputed],
            "warnings": list(self.warnings),
        }


def _plain(item: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(item).items() if k != "pairs"}


def category_name(labels: frozenset[str]) -> str:
    """A label set as shown in tables: sorted names joined by '+', or ``(none)``."""
    return " + ".join(sorted(labels)) if labels else NO_LABEL


def _scores(
    name: str,
    codes: IntArray,
    q: int,
    annotators: Sequence[str],
    delta_masi: FloatArray | None,
    counts: Counts | None = None,
    m: Counts | None = None,
    agree: Counts | None = None,
) -> Scores:
    """Every metric of one view; ``counts`` (``_counts(codes, q)``), its row totals ``m``
    and ``_agree_pairs`` are computed when not given."""
    if counts is None:
        counts = _counts(codes, q)
    if m is None:
        m = _totals(counts)
    if agree is None:
        agree = _agree_pairs(counts)
    per_unit = _unit_agreement(counts, m, agree)
    keep = m >= 2
    every = bool(keep.all())
    pairable = counts if every else counts[keep]
    pm = m if every else m[keep]
    observed = None
    if len(pairable):
        observed = float((per_unit if every else per_unit[keep]).mean())
    pairs = []
    for i, j in itertools.combinations(range(len(annotators)), 2):
        n, percent, kappa = _cohen(codes[:, i], codes[:, j], q)
        if n:
            pairs.append(PairScore(annotators[i], annotators[j], n, percent, kappa))
    return Scores(
        name=name,
        units=len(counts),
        percent=float(per_unit.mean()) if len(counts) else None,
        unanimous=float((_row_max(counts) == m).mean()) if len(counts) else None,
        fleiss_kappa=_fleiss(pairable, pm, observed),
        krippendorff_alpha=_alpha(pairable, _nominal(q), pm),
        gwet_ac1=_ac1(pairable, q, pm, observed),
        pairs=tuple(pairs),
        alpha_masi=_alpha(pairable, delta_masi, pm) if delta_masi is not None else None,
    )


def _grouped(
    groups: IntArray, names: Sequence[str], counts: Counts, totals_: Counts, agree: Counts
) -> tuple[GroupScore, ...]:
    """Percent agreement and nominal alpha per group, without a Python loop over units
    (``totals_``: the row totals of ``counts``, ``agree``: its ``_agree_pairs``)."""
    g = len(names)
    q = counts.shape[1]
    m = totals_.astype(np.float64)
    agree_pairs = agree
    units = np.bincount(groups, minlength=g)
    percent = np.bincount(groups, weights=agree_pairs / (m * (m - 1)), minlength=g)
    # Alpha per group: observed = 1 - sum of diagonal coincidences / n, expected from the
    # group's category totals (Krippendorff 2011, nominal data).
    diagonal = np.bincount(groups, weights=agree_pairs / (m - 1), minlength=g)
    # One bincount per category: np.add.at over 100,000 rows is ten times slower.
    totals = np.stack(
        [np.bincount(groups, weights=counts[:, k], minlength=g) for k in range(q)], axis=1
    )
    n = totals.sum(axis=1)
    result = []
    for k, name in enumerate(names):
        alpha: float | None = None
        expected = n[k] * n[k] - float((totals[k] ** 2).sum())
        if expected > 1e-12:
            alpha = 1.0 - (n[k] - 1) * (n[k] - diagonal[k]) / expected
        share = float(percent[k] / units[k]) if units[k] else None
        result.append(GroupScore(name, int(units[k]), share, alpha))
    return tuple(result)


def agreement_report(codings: Codings, top: int = 20) -> AgreementReport:
    """Every metric of ``annotator agree`` over the sentences two or more analysts decided.

    ``top`` is how many of the most disputed sentences to list.
    """
    with paused_gc():
        return _agreement_report(codings, top)


def _label_sets(codings: Codings) -> tuple[IntArray, list[frozenset[str]]]:
    """Each coding of ``codings.table`` as the number of its label set (a last entry, -1,
    for a missing coding: ``sets[codes]`` keeps -1 as -1), and the label sets."""
    numbers: dict[frozenset[str], int] = {}
    of_coding = [numbers.setdefault(c.label_set, len(numbers)) for c in codings.table]
    return np.array([*of_coding, -1], dtype=np.int64), list(numbers)


def _agreement_report(codings: Codings, top: int) -> AgreementReport:
    annotators = codings.annotators
    coded = codings.codes >= 0
    sizes = _row_sum(coded.astype(np.int64)) if coded.size else np.zeros(len(codings), np.int64)
    rows = np.flatnonzero(sizes >= 2)
    if not len(rows):
        raise AgreementError(
            "no sentence was decided by two or more analysts; nothing to compare "
            f"({len(codings)} sentences, annotators: {', '.join(annotators) or 'none'})"
        )
    del coded, sizes
    # Codings to label sets, then categories numbered in order of first use (unit by unit,
    # annotators in order), as the metrics have always summed them.
    of_coding, sets = _label_sets(codings)
    labelled = of_coding[codings.codes if len(rows) == len(codings) else codings.codes[rows]]
    flat = labelled.ravel()
    seen, first = np.unique(flat[flat >= 0], return_index=True)
    in_order = seen[np.argsort(first, kind="stable")]
    renumber = np.full(len(sets) + 1, -1, dtype=np.int64)
    renumber[in_order] = np.arange(len(in_order))
    codes = renumber[labelled]
    del labelled, flat
    categories = [sets[k] for k in in_order.tolist()]
    q = len(categories)
    masi = np.array([[masi_distance(a, b) for b in categories] for a in categories])
    counts: Counts = _counts(codes, q)
    m = _totals(counts)
    agree = _agree_pairs(counts)
    # From here on the counts are divided and multiplied as floats only (the same numbers,
    # exactly): one float copy of this units x categories matrix, where alpha's matrix
    # product would otherwise make its own beside its weighted copy.
    counts = counts.astype(np.float64)
    overall = _scores("all labels", codes, q, annotators, masi, counts, m, agree)

    # Per label: each label set maps to yes (1) or no (0); missing stays -1.
    per_label = []
    for label in sorted(set().union(*categories)):
        has = np.array([label in s for s in categories] + [False], dtype=np.int64)
        binary = np.where(codes >= 0, has[codes], -1)
        # Each unit's raters are those of the whole label set (m): yes or no, none missing.
        yes = _row_sum((binary == 1).astype(np.int64))
        binary_counts = np.stack([m - yes, yes], axis=1)
        scores = _scores(label, binary, 2, annotators, None, binary_counts, m)
        used = int((yes > 0).sum())
        per_label.append(_with_used(scores, used))

    confusion = []
    names = [category_name(c) for c in categories]
    for i, j in itertools.combinations(range(len(annotators)), 2):
        both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
        if not both.any():
            continue
        table = np.bincount(codes[both, i] * q + codes[both, j], minlength=q * q).reshape(q, q)
        present = np.flatnonzero(table.sum(axis=0) + table.sum(axis=1))
        present = np.array(sorted(present, key=lambda k: names[k]), dtype=np.int64)
        confusion.append(
            Confusion(
                annotators[i],
                annotators[j],
                tuple(names[k] for k in present),
                tuple(tuple(int(x) for x in table[r, present]) for r in present),
            )
        )

    by_document = _by(codings.document[rows], codings.documents, counts, m, agree)
    shown = [speaker or "?" for speaker in codings.speakers]  # "" and "?" are one group
    speaker_names = list(dict.fromkeys(shown))
    as_shown = np.array([speaker_names.index(name) for name in shown], dtype=np.int64)
    by_speaker = _by(as_shown[codings.speaker[rows]], speaker_names, counts, m, agree)

    # Most disputed: mean pairwise MASI distance, so partial overlaps rank below clashes.
    pair_distance = np.zeros(len(rows))
    pair_count = np.zeros(len(rows))
    for i, j in itertools.combinations(range(len(annotators)), 2):
        both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
        pair_distance[both] += masi[codes[both, i], codes[both, j]]
        pair_count[both] += 1
    score = pair_distance / np.maximum(pair_count, 1)
    # Only the top few are listed: cut to the highest scores before sorting by text.
    candidates = np.flatnonzero(score > 0)
    if len(candidates) > top:
        threshold = np.sort(score[candidates])[-top] if top else np.inf
        candidates = candidates[score[candidates] >= threshold]
    # As sorted(candidates, key=(-score, unit key))[:top]: rows are in unit key order, so
    # the row settles ties; only the sentences listed are built as objects.
    order = candidates[np.lexsort((candidates, -score[candidates]))][:top]
    listed = codings.units_at(rows[order])
    disputed = tuple(
        Disputed(unit, codings.codings_of(int(rows[k])), round(float(score[k]), 6))
        for unit, k in zip(listed, order.tolist(), strict=True)
    )
    return AgreementReport(
        annotators=annotators,
        units=len(rows),
        overall=overall,
        per_label=tuple(per_label),
        confusion=tuple(confusion),
        by_document=by_document,
        by_speaker=by_speaker,
        disputed=disputed,
        warnings=codings.warnings,
    )


def _with_used(scores: Scores, used: int) -> Scores:
    return Scores(**{**vars(scores), "used": used})


def _by(
    groups: IntArray, names: Sequence[str], counts: Counts, m: Counts, agree: Counts
) -> tuple[GroupScore, ...]:
    """``_grouped`` by each unit's group (``names[groups[i]]`` for row ``i`` of ``counts``);
    only the groups with units are scored."""
    present, inverse = np.unique(groups, return_inverse=True)
    scores = _grouped(inverse, [names[k] for k in present.tolist()], counts, m, agree)
    return tuple(sorted(scores, key=lambda s: s.name))


# -- adjudication core ------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A sentence on which analysts' label sets differ, with everyone's coding.

    What the adjudication screen shows side by side; ``codings`` are sorted by
    annotator and hold labels, note and flag as last written.
    """

    document: str
    start: int
    end: int
    text: str
    turn: int
    speaker: str
    codings: tuple[Coding, ...]

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(c.annotator for c in self.codings)

    def coding_of(self, annotator: str) -> Coding | None:
        """That analyst's coding, or None if they did not decide this sentence."""
        return next((c for c in self.codings if c.annotator == annotator), None)


def disagreements(
    log_paths: Sequence[str | Path],
    *,
    include_flagged: bool = False,
    exclude: Iterable[str] = ("gold",),
) -> list[Disagreement]:
    """Sentences decided by two or more analysts whose label sets differ, in document
    and offset order.

    ``include_flagged`` adds sentences where the analysts agree but one flagged
    it for review. Lines by the annotators in ``exclude`` (the ``gold`` log of
    an earlier adjudication) are ignored, so the gold log may be passed too.
    """
    return disagreements_in(
        read_codings(log_paths), include_flagged=include_flagged, exclude=exclude
    )


def disagreements_in(
    codings: Codings, *, include_flagged: bool = False, exclude: Iterable[str] = ("gold",)
) -> list[Disagreement]:
    """``disagreements`` over already gathered codings."""
    skip = set(exclude)
    kept = [a for a, name in enumerate(codings.annotators) if name not in skip]
    codes = codings.codes[:, kept]
    of_coding, sets = _label_sets(codings)
    labelled = of_coding[codes]
    coded = labelled >= 0
    # Label sets differ where the highest and lowest set number of a sentence differ.
    highest = labelled.max(axis=1, initial=-1)
    lowest = np.where(coded, labelled, len(sets)).min(axis=1, initial=len(sets))
    wanted = (coded.sum(axis=1) >= 2) & (highest != lowest)
    if include_flagged:
        flags = np.array([c.flag for c in codings.table] + [False])
        wanted |= (coded.sum(axis=1) >= 2) & flags[codes].any(axis=1)
    rows = np.flatnonzero(wanted)
    table = codings.table
    return [
        Disagreement(
            unit.document,
            unit.start,
            unit.end,
            unit.text,
            unit.turn,
            unit.speaker,
            tuple(table[k] for k in codes[row].tolist() if k >= 0),
        )
        for unit, row in zip(codings.units_at(rows), rows.tolist(), strict=True)
    ]
