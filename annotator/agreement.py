"""Inter-annotator agreement: how far analysts who coded the same sentences agree.

Units are sentences, identified across logs by ``(document, start, end, text)``
as written in the log lines; the same offsets with other text are another unit.
Only sentences that two or more analysts decided count. Each sentence's value
is the set of labels an analyst gave it (empty = reviewed, no label applies).

Two views of that value are scored:

- the whole label set as one nominal category (``{threat}`` and
  ``{threat, commitment}`` disagree), plus Krippendorff's alpha with the MASI
  distance, which gives partial credit for overlapping sets;
- each label as a yes/no decision (did the analyst give this label?).

The metrics are pure functions over plain data (``ratings``: one row per unit,
one value per analyst, ``None`` where the analyst did not code it). Internally
they share numpy kernels over a units x categories count matrix, so a report
over 100,000 sentences takes well under a second. numpy is the only dependency.

References: Cohen (1960); Fleiss (1971), with Gwet's form for units rated by
different numbers of raters (Gwet 2014, *Handbook of Inter-Rater Reliability*,
ch. 2), which equals Fleiss' when every unit has the same number of raters;
Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*; Gwet (2008),
AC1; Passonneau (2006), MASI.
"""

from __future__ import annotations

import heapq
import itertools
import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.errors import AnnotatorError
from annotator.log import LABEL, MERGE, LogState, read_log
from annotator.log.anchor import overlapping
from annotator.memory import paused_gc

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Distance = Callable[[Any, Any], float]

#: How a sentence with no label is shown in tables.
NO_LABEL = "(none)"


class AgreementError(AnnotatorError):
    """Logs cannot be compared (missing file, nothing coded twice, bad arguments)."""


# -- plain data -------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A sentence as named in the logs; ``key`` is what identifies it across logs."""

    document: str
    start: int
    end: int
    text: str
    turn: int = 0
    speaker: str = ""

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.document, self.start, self.end, self.text)


@dataclass(frozen=True)
class Coding:
    """One analyst's current decision on one sentence (labels in the order given)."""

    annotator: str
    labels: tuple[str, ...]
    note: str | None = None
    flag: bool = False

    @property
    def label_set(self) -> frozenset[str]:
        return frozenset(self.labels)


@dataclass(frozen=True)
class Codings:
    """Every decided sentence of several logs with each analyst's coding.

    ``codings[i]`` belongs to ``units[i]``, sorted by annotator; units are in
    document and offset order. Sentences decided by one analyst only are kept
    (work lists, adjudication) but agreement skips them.
    """

    units: tuple[Unit, ...]
    codings: tuple[tuple[Coding, ...], ...]
    warnings: tuple[str, ...] = ()

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(sorted(set(map(_annotator, itertools.chain.from_iterable(self.codings)))))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Unit, Iterable[Coding]]]) -> Codings:
        """Build from (unit, codings) pairs, e.g. in tests or from another source."""
        ordered = sorted(
            ((unit, tuple(sorted(codes, key=lambda c: c.annotator))) for unit, codes in rows),
            key=lambda row: (row[0].document, row[0].start, row[0].end, row[0].text),
        )
        return cls(tuple(u for u, _ in ordered), tuple(c for _, c in ordered))


def read_codings(log_paths: Sequence[str | Path]) -> Codings:
    """Replay each log (``store.read_log``, no lock) and gather the decisions per sentence.

    The last line per sentence and annotator wins within a log; ``clear``
    returns a sentence to undecided. An annotator id found in two logs is
    merged (later log wins) with a warning, since that usually means one log
    was given twice under different names.
    """
    if not log_paths:
        raise AgreementError("no annotation logs given")
    # Hundreds of thousands of small objects and no cycles: the cyclic collector
    # would rescan them again and again for nothing (as in the store's replay).
    with paused_gc():
        return _read_codings(log_paths)


#: Logs bigger than this in all are read by a pool of processes, one log each.
_PARALLEL_BYTES = 1 << 25

_Key = tuple[str, int, int, str]  # document, start, end, text: a unit across logs
_Coded = tuple[str, tuple[str, ...], Any, bool]  # annotator, labels, note, flag
# One line of a log reduced to what agreement needs, cheap to send between processes:
# the unit, the annotator, turn and speaker, and the coding as an index into the log's
# list of distinct codings (-1 for a clear line).
_Row = tuple[_Key, str, int, str, int]
# What one log gives: its warnings, annotators, distinct codings and rows.
_LogRows = tuple[list[str], list[str], list[_Coded], list[_Row]]


def _read_codings(log_paths: Sequence[str | Path]) -> Codings:
    warnings: list[str] = []
    paths: list[Path] = []
    seen: set[Path] = set()
    for raw in log_paths:
        path = Path(raw)
        if not path.is_file():
            raise AgreementError(f"{path}: no such annotation log")
        if path.resolve() in seen:
            warnings.append(f"{path}: given twice; read once")
            continue
        seen.add(path.resolve())
        paths.append(path)

    found: dict[_Key, tuple[Unit, dict[str, Coding]]] = {}
    owner: dict[str, Path] = {}
    # Equal codings are one shared object (most are one of a few label sets, no note);
    # Coding is frozen, so sharing is invisible to callers.
    codings: dict[_Coded, Coding] = {}
    for path, (log_warnings, annotators, coded, rows) in zip(paths, _read_logs(paths), strict=True):
        warnings.extend(log_warnings)
        for annotator in annotators:
            first = owner.setdefault(annotator, path)
            if first != path:
                warnings.append(
                    f"{path}: annotator {annotator!r} also wrote {first}; "
                    "their decisions are merged (the later log wins)"
                )
        table = []  # the log's codings by index, as shared Coding objects
        for fields in coded:
            coding = codings.get(fields)
            if coding is None:
                coding = codings[fields] = Coding(*fields)
            table.append(coding)
        for key, annotator, turn, speaker, index in rows:
            slot = found.get(key)
            if index >= 0:
                if slot is None:
                    slot = found[key] = (_unit(key, turn, speaker), {})
                slot[1][annotator] = table[index]
            elif slot is not None:
                slot[1].pop(annotator, None)
    # The keys are the units' (document, start, end, text): sorting them is unit order.
    # Analysts who merged or split sentences differently coded units that overlap
    # without being the same: they cannot be compared, and are reported, not dropped.
    conflicts = overlapping([key for key, (_, codes) in found.items() if codes])
    if conflicts:
        for key in conflicts:
            del found[key]
        warnings.append(
            f"{len(conflicts)} sentences left out of agreement: the analysts' boundaries differ "
            "there (one merged or split what another did not); settle them in adjudicate, "
            "or make the same corrections"
        )
    ordered = sorted([item for item in found.items() if item[1][1]], key=_first)
    # Each unit's codings by annotator name, by one itemgetter per set of annotators
    # (a few sets in all) rather than a sort per unit.
    getters: dict[tuple[str, ...], Callable[[dict[str, Coding]], Any]] = {}
    rows_out: list[tuple[Coding, ...]] = []
    add = rows_out.append
    for _, (_, codes) in ordered:
        if len(codes) == 1:
            add(tuple(codes.values()))
            continue
        names = tuple(codes)
        getter = getters.get(names)
        if getter is None:
            getter = getters[names] = itemgetter(*sorted(names))
        add(getter(codes))
    return Codings(
        units=tuple([slot[0] for _, slot in ordered]),
        codings=tuple(rows_out),
        warnings=tuple(warnings),
    )


def _read_logs(paths: Sequence[Path]) -> Iterator[_LogRows]:
    """``_log_rows`` of each log, in the order given: in this process, or for several
    big logs in a pool of processes (replay and JSON parsing are CPU-bound Python)."""
    workers = min(len(paths), os.cpu_count() or 1, 2)
    if workers < 2 or sum(p.stat().st_size for p in paths) < _PARALLEL_BYTES:
        yield from map(_log_rows, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        if len(paths) <= workers:
            yield from pool.map(_log_rows, paths)
            return
        # One log more than workers: this process reads the last one meanwhile rather
        # than wait, so no worker does two logs while the other idles.
        pending = [pool.submit(_log_rows, path) for path in paths[:-1]]
        own = _log_rows(paths[-1])
        for future in pending:
            yield future.result()
        yield own


def _log_rows(path: Path) -> _LogRows:
    """Replay one log and read its last line per sentence, ``clear`` lines included
    (in order of writing, so a later clear on another version of the text still
    withdraws the decision): the log's warnings, annotators, distinct codings and rows."""
    # Equal strings as one object each: less memory, and pickle (between processes)
    # writes a shared object once. Equal codings are one index into ``coded``.
    shared: dict[Any, Any] = {}
    share = shared.setdefault
    numbers: dict[_Coded, int] = {}
    rows: list[_Row] = []
    add = rows.append
    with paused_gc():
        state = read_log(path)
        retired = retired_units(state)
        for entry in state.entry_fields():
            annotator = share(entry.annotator, entry.annotator)
            key = (share(entry.document, entry.document), entry.start, entry.end, entry.text)
            index = -1  # a clear, a flag or note on an undecided sentence, an exclusion
            if retired and (entry.document, entry.start, entry.end) in retired:
                pass  # merged or split away in this log: no longer a unit of its analyst
            elif entry.action == LABEL:
                coded = (annotator, entry.labels, entry.note, entry.flag)
                index = numbers.get(coded, -1)
                if index < 0:
                    index = numbers[coded] = len(numbers)
            add((key, annotator, entry.turn, share(entry.speaker, entry.speaker), index))
    return state.warnings, state.annotators, list(numbers), rows


def retired_units(state: LogState) -> set[tuple[str, int, int]]:
    """The sentences a log's merges and splits (not reverted) replaced: (document,
    start, end). Decisions on them are retired, as re-anchoring retires them."""
    retired: set[tuple[str, int, int]] = set()
    for document in state.documents:
        for correction in state.corrections(document):
            retired.add((document, correction.start, correction.end))
            if correction.action == MERGE and correction.next_start is not None:
                retired.add((document, correction.next_start, correction.next_end or 0))
    return retired


_new_object = object.__new__
_set_attribute = object.__setattr__


def _unit(key: _Key, turn: int, speaker: str) -> Unit:
    """``Unit(*key, turn, speaker)`` without the frozen dataclass ``__init__`` (one
    ``object.__setattr__`` per field), which is most of the cost of a read."""
    unit = _new_object(Unit)
    document, start, end, text = key
    _set_attribute(
        unit,
        "__dict__",
        {
            "document": document,
            "start": start,
            "end": end,
            "text": text,
            "turn": turn,
            "speaker": speaker,
        },
    )
    return unit


_first = itemgetter(0)
_annotator = attrgetter("annotator")


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
    return cells.reshape(codes.shape[0], q).astype(np.int64)


def _row_sum(matrix: IntArray) -> IntArray:
    """``matrix.sum(axis=1)`` of an integer matrix (exact either way): a few columns added
    one by one, since numpy's reduction along a short row costs far more than the adds."""
    if not 0 < matrix.shape[1] <= 8:
        return matrix.sum(axis=1)
    total = matrix[:, 0].copy()
    for k in range(1, matrix.shape[1]):
        total += matrix[:, k]
    return total


def _row_max(matrix: IntArray) -> IntArray:
    """``matrix.max(axis=1)``, as ``_row_sum`` computes the sum."""
    if not 0 < matrix.shape[1] <= 8:
        return matrix.max(axis=1)
    top = matrix[:, 0].copy()
    for k in range(1, matrix.shape[1]):
        np.maximum(top, matrix[:, k], out=top)
    return top


def _totals(counts: IntArray) -> IntArray:
    """How many raters coded each unit: the row totals of a count matrix."""
    return _row_sum(counts)


def _pairable(counts: IntArray, m: IntArray | None = None) -> tuple[IntArray, IntArray]:
    """Only units with two or more values can show agreement or disagreement: those rows
    of ``counts`` and of its row totals ``m`` (computed when not given)."""
    if m is None:
        m = _totals(counts)
    keep = m >= 2
    if keep.all():
        return counts, m
    return counts[keep], m[keep]


def _agree_pairs(counts: IntArray) -> IntArray:
    """Per unit, how many ordered rater pairs agree (an integer)."""
    return _row_sum(counts * (counts - 1))


def _unit_agreement(
    counts: IntArray, m: IntArray | None = None, agree: IntArray | None = None
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


def _fleiss(
    counts: IntArray, m: IntArray | None = None, observed: float | None = None
) -> float | None:
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
    counts: IntArray, q: int, m: IntArray | None = None, observed: float | None = None
) -> float | None:
    counts, m = _pairable(counts, m)
    if not len(counts) or q < 2:
        return None
    if observed is None:
        observed = float(_unit_agreement(counts, m).mean())
    shares = (counts / m[:, None]).mean(axis=0)
    expected = float((shares * (1 - shares)).sum()) / (q - 1)
    return _chance_corrected(observed, expected)


def _alpha(counts: IntArray, delta: FloatArray, m: IntArray | None = None) -> float | None:
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
    counts: IntArray | None = None,
    m: IntArray | None = None,
    agree: IntArray | None = None,
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
    groups: IntArray, names: Sequence[str], counts: IntArray, totals_: IntArray, agree: IntArray
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


def _agreement_report(codings: Codings, top: int) -> AgreementReport:
    annotators = codings.annotators
    column = {a: i for i, a in enumerate(annotators)}
    sets: dict[frozenset[str], int] = {}
    by_tuple: dict[tuple[str, ...], int] = {}  # most codings repeat a few label tuples
    sizes = list(map(len, codings.codings))
    if min(sizes, default=0) >= 2:
        rows = list(range(len(sizes)))
        shared = list(codings.codings)
    else:
        rows = [n for n, size in enumerate(sizes) if size >= 2]
        shared = [codings.codings[n] for n in rows]
    if not rows:
        raise AgreementError(
            "no sentence was decided by two or more analysts; nothing to compare "
            f"({len(codings.units)} sentences, annotators: {', '.join(annotators) or 'none'})"
        )
    # One flat pass over the codings, then one scatter into the code matrix. Most codings
    # are a few shared objects (read_codings makes equal ones one): each distinct object
    # is looked at once, by identity, in order of first appearance.
    unit_of = np.repeat(np.arange(len(rows)), [sizes[n] for n in rows])
    flat = list(itertools.chain.from_iterable(shared))
    ids = list(map(id, flat))
    distinct = dict(zip(ids, flat, strict=True))
    # Categories numbered in order of first use, as the metrics have always summed them.
    for labels in dict.fromkeys([c.labels for c in distinct.values()]):
        by_tuple[labels] = sets.setdefault(frozenset(labels), len(sets))
    width = len(annotators)
    cell = {k: by_tuple[c.labels] * width + column[c.annotator] for k, c in distinct.items()}
    code_column = np.fromiter(map(cell.__getitem__, ids), dtype=np.int64, count=len(ids))
    codes = np.full((len(rows), width), -1, dtype=np.int64)
    codes[unit_of, code_column % width] = code_column // width
    categories = list(sets)
    q = len(categories)
    masi = np.array([[masi_distance(a, b) for b in categories] for a in categories])
    counts = _counts(codes, q)
    m = _totals(counts)
    agree = _agree_pairs(counts)
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

    units = [codings.units[n] for n in rows]
    by_document = _by([u.document for u in units], counts, m, agree)
    by_speaker = _by([u.speaker or "?" for u in units], counts, m, agree)

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
    # As sorted(candidates, key=(-score, unit key))[:top]; the index settles ties as the
    # stable sort would.
    ranking = zip(
        (-score[candidates]).tolist(),
        [units[k].key for k in candidates],
        candidates.tolist(),
        strict=True,
    )
    ranked = heapq.nsmallest(top, ranking) if top >= 0 else sorted(ranking)[:top]
    order = [k for _, _, k in ranked]
    disputed = tuple(
        Disputed(units[k], codings.codings[rows[k]], round(float(score[k]), 6)) for k in order
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
    names: Sequence[str], counts: IntArray, m: IntArray, agree: IntArray
) -> tuple[GroupScore, ...]:
    """``_grouped`` by each unit's group name (``names[i]`` for row ``i`` of ``counts``)."""
    index = {name: k for k, name in enumerate(dict.fromkeys(names))}
    groups = np.array(list(map(index.__getitem__, names)), dtype=np.int64)
    scores = _grouped(groups, list(index), counts, m, agree)
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
    found = []
    for unit, row in zip(codings.units, codings.codings, strict=True):
        row = tuple(c for c in row if c.annotator not in skip)
        if len(row) < 2:
            continue
        differ = len({c.label_set for c in row}) > 1
        if differ or (include_flagged and any(c.flag for c in row)):
            found.append(
                Disagreement(
                    unit.document, unit.start, unit.end, unit.text, unit.turn, unit.speaker, row
                )
            )
    return found


def codings_by_annotator(codings: Codings) -> Mapping[str, int]:
    """How many sentences each analyst decided (for summaries)."""
    totals: dict[str, int] = {}
    for row in codings.codings:
        for c in row:
            totals[c.annotator] = totals.get(c.annotator, 0) + 1
    return dict(sorted(totals.items()))
