"""Agreement metrics: pure numpy kernels over a units x categories count matrix, and the
public metrics over plain ratings (one row per unit, one value per analyst, ``None``
where the analyst did not code it). No I/O; numpy is the only dependency.

References: Cohen (1960); Fleiss (1971), with Gwet's form for units rated by
different numbers of raters (Gwet 2014, *Handbook of Inter-Rater Reliability*,
ch. 2), which equals Fleiss' when every unit has the same number of raters;
Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*; Gwet (2008),
AC1; Passonneau (2006), MASI.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.errors import AgreementError

IntArray = npt.NDArray[np.int64]
#: A units x categories count matrix: integers, or the same numbers as floats (exact, and
#: what the matrix product of alpha works on).
Counts = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
Distance = Callable[[Any, Any], float]


# -- kernels over a units x categories count matrix ---------------------------------


def _encode(ratings: Sequence[Sequence[Hashable | None]]) -> tuple[IntArray, list[Hashable]]:
    """Ratings as a units x raters code matrix (-1 = missing) and the category list."""
    index: dict[Hashable, int] = {}
    width = max((len(row) for row in ratings), default=0)
    codes = np.full((len(ratings), width), -1, dtype=np.int64)
    for u, row in enumerate(ratings):
        for r, value in enumerate(row):
            if value is not None:
                codes[u, r] = index.setdefault(value, len(index))
    return codes, list(index)


def _counts(codes: IntArray, q: int) -> IntArray:
    """How many raters put each unit in each category (units x q)."""
    units = np.repeat(np.arange(codes.shape[0]), codes.shape[1])
    flat = codes.ravel()
    keep = flat >= 0
    cells = np.bincount(units[keep] * q + flat[keep], minlength=codes.shape[0] * q)
    # bincount counts in int64 already on 64-bit platforms: no copy of a units x q matrix.
    return cells.reshape(codes.shape[0], q).astype(np.int64, copy=False)


def _row_sum(matrix: Counts) -> Counts:
    """``matrix.sum(axis=1)`` of an integer matrix (exact either way): a few columns added
    one by one, since numpy's reduction along a short row costs far more than the adds."""
    if not 0 < matrix.shape[1] <= 8:
        return matrix.sum(axis=1)
    total = matrix[:, 0].copy()
    for k in range(1, matrix.shape[1]):
        total += matrix[:, k]
    return total


def _row_max(matrix: Counts) -> Counts:
    """``matrix.max(axis=1)``, as ``_row_sum`` computes the sum."""
    if not 0 < matrix.shape[1] <= 8:
        return matrix.max(axis=1)
    top = matrix[:, 0].copy()
    for k in range(1, matrix.shape[1]):
        np.maximum(top, matrix[:, k], out=top)
    return top


def _totals(counts: Counts) -> Counts:
    """How many raters coded each unit: the row totals of a count matrix."""
    return _row_sum(counts)


def _pairable(counts: Counts, m: Counts | None = None) -> tuple[Counts, Counts]:
    """Only units with two or more values can show agreement or disagreement: those rows
    of ``counts`` and of its row totals ``m`` (computed when not given)."""
    if m is None:
        m = _totals(counts)
    keep = m >= 2
    if keep.all():
        return counts, m
    return counts[keep], m[keep]


def _agree_pairs(counts: Counts) -> Counts:
    """Per unit, how many ordered rater pairs agree (an integer), a category at a time:
    exact in any order, and no units x categories temporaries (a million units)."""
    total = np.zeros(counts.shape[0], dtype=np.int64)
    for k in range(counts.shape[1]):
        column = counts[:, k]
        total += column * (column - 1)
    return total


def _unit_agreement(
    counts: Counts, m: Counts | None = None, agree: Counts | None = None
) -> FloatArray:
    """Per unit, the share of ordered rater pairs that agree (``m``: the row totals,
    ``agree``: ``_agree_pairs``, each computed when not given)."""
    total = (_totals(counts) if m is None else m).astype(np.float64)
    pairs = _agree_pairs(counts) if agree is None else agree
    return pairs / (total * (total - 1))


def _chance_corrected(observed: float, expected: float) -> float | None:
    if expected >= 1.0 - 1e-12:
        return None  # every rater used one category: agreement by chance is certain
    return (observed - expected) / (1.0 - expected)


def _fleiss(counts: Counts, m: Counts | None = None, observed: float | None = None) -> float | None:
    """``m``: row totals; ``observed``: mean ``_unit_agreement`` of the pairable units
    (each computed when not given)."""
    counts, m = _pairable(counts, m)
    if not len(counts):
        return None
    if observed is None:
        observed = float(_unit_agreement(counts, m).mean())
    shares = (counts / m[:, None]).mean(axis=0)
    return _chance_corrected(observed, float((shares**2).sum()))


def _ac1(
    counts: Counts, q: int, m: Counts | None = None, observed: float | None = None
) -> float | None:
    counts, m = _pairable(counts, m)
    if not len(counts) or q < 2:
        return None
    if observed is None:
        observed = float(_unit_agreement(counts, m).mean())
    shares = (counts / m[:, None]).mean(axis=0)
    expected = float((shares * (1 - shares)).sum()) / (q - 1)
    return _chance_corrected(observed, expected)


def _alpha(counts: Counts, delta: FloatArray, m: Counts | None = None) -> float | None:
    """Krippendorff's alpha from the coincidence matrix, for any distance matrix."""
    counts, m = _pairable(counts, m)
    if not len(counts):
        return None
    weighted = counts / (m.astype(np.float64) - 1)[:, None]
    coincidence = counts.T @ weighted - np.diag(weighted.sum(axis=0))
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    disagreement_expected = float((np.outer(totals, totals) * delta).sum())
    if disagreement_expected <= 1e-12:
        return None  # no variation in the data: alpha is undefined
    return 1.0 - (n - 1) * float((coincidence * delta).sum()) / disagreement_expected


def _cohen(first: IntArray, second: IntArray, q: int) -> tuple[int, float | None, float | None]:
    """(units both coded, percent agreement, kappa) for two raters' code columns."""
    both = (first >= 0) & (second >= 0)
    n = int(both.sum())
    if not n:
        return 0, None, None
    table = np.bincount(first[both] * q + second[both], minlength=q * q).reshape(q, q)
    observed = float(np.trace(table)) / n
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum()) / (n * n)
    return n, observed, _chance_corrected(observed, expected)


def _nominal(q: int) -> FloatArray:
    return 1.0 - np.eye(q)


# -- public metrics over plain ratings ------------------------------------------------


def masi_distance(first: Iterable[str], second: Iterable[str]) -> float:
    """1 - MASI (Passonneau 2006): Jaccard times 1 (equal), 2/3 (subset), 1/3 (overlap), 0.

    Two empty sets ("no label applies" twice) are equal: distance 0.
    """
    a, b = frozenset(first), frozenset(second)
    if a == b:
        return 0.0
    common = len(a & b)
    if common == min(len(a), len(b)):
        monotonicity = 2 / 3
    elif common:
        monotonicity = 1 / 3
    else:
        return 1.0
    return 1.0 - common / len(a | b) * monotonicity


def percent_agreement(ratings: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Mean share of agreeing rater pairs per unit (for two raters: share of equal values)."""
    codes, categories = _encode(ratings)
    counts, m = _pairable(_counts(codes, len(categories)))
    return float(_unit_agreement(counts, m).mean()) if len(counts) else None


def cohen_kappa(
    first: Sequence[Hashable | None], second: Sequence[Hashable | None]
) -> float | None:
    """Cohen's kappa of two raters over the units both coded (None = not coded)."""
    codes, categories = _encode(list(zip(first, second, strict=True)))
    if codes.shape[1] < 2:
        return None
    return _cohen(codes[:, 0], codes[:, 1], max(len(categories), 1))[2]


def fleiss_kappa(ratings: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Fleiss' kappa; units may have different numbers of raters (Gwet's form)."""
    codes, categories = _encode(ratings)
    return _fleiss(_counts(codes, len(categories)))


def gwet_ac1(
    ratings: Sequence[Sequence[Hashable | None]], categories: Sequence[Hashable] | None = None
) -> float | None:
    """Gwet's AC1. ``categories`` are the possible values (default: those observed);
    their number enters the chance term, so pass both for a yes/no decision."""
    codes, observed = _encode(ratings)
    q = len(observed)
    if categories is not None:
        missing = set(observed) - set(categories)
        if missing:
            raise AgreementError(f"values not among the categories: {sorted(map(str, missing))}")
        q = len(set(categories))
    return _ac1(_counts(codes, len(observed)), q)


def krippendorff_alpha(
    ratings: Sequence[Sequence[Hashable | None]], distance: Distance | None = None
) -> float | None:
    """Krippendorff's alpha; nominal unless ``distance(a, b)`` is given (e.g. ``masi_distance``)."""
    codes, categories = _encode(ratings)
    q = len(categories)
    if distance is None:
        delta = _nominal(q)
    else:
        delta = np.array([[distance(a, b) for b in categories] for a in categories], dtype=float)
    return _alpha(_counts(codes, q), delta.reshape(q, q))
