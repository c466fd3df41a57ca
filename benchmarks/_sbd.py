"""Boundary scoring for the public sentence-boundary sets in ``../shared/corpora/sbd``.

A boundary is the number of non-whitespace characters before it, so spaces and
newlines around a cut never matter; precision, recall and F1 are micro-averaged
over internal boundaries and exact% is the share of cases matched exactly, as
the sets' README prescribes. Tests and ``bench_sbd.py`` share this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SBD_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "sbd"
SET_NAMES = ("golden_rules_en", "pragmatic_en_spec", "ud_gum_dev_test", "ud_ewt_test")


@dataclass(frozen=True)
class Case:
    """One test case: a text and its gold sentences."""

    id: str
    text: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    """Micro-averaged boundary scores over one set."""

    tp: int
    fp: int
    fn: int
    exact: int
    cases: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_pct(self) -> float:
        return 100.0 * self.exact / self.cases if self.cases else 0.0


def load_set(name: str, directory: Path = SBD_DIR) -> list[Case]:
    """Read ``<directory>/<name>.jsonl``; raises FileNotFoundError if it is missing."""
    cases = []
    with (directory / f"{name}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                cases.append(Case(row["id"], row["text"], tuple(row["sentences"])))
    return cases


def _nonspace(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def gold_boundaries(sentences: Sequence[str]) -> set[int]:
    """Internal boundaries of gold sentences, as non-whitespace character counts."""
    bounds, total = set(), 0
    for sentence in sentences[:-1]:
        total += _nonspace(sentence)
        bounds.add(total)
    return bounds


def predicted_boundaries(text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    """Internal boundaries of predicted (start, end) character spans of ``text``."""
    total = _nonspace(text)
    bounds = set()
    for start, _end in spans:
        count = _nonspace(text[:start])
        if 0 < count < total:
            bounds.add(count)
    return bounds


def score(
    cases: Sequence[Case],
    predictions: Iterable[Sequence[tuple[int, int]]],
    on_error: Callable[[Case, set[int], set[int]], None] | None = None,
) -> Score:
    """Score predicted spans (one sequence per case, in order) against the gold sentences."""
    tp = fp = fn = exact = 0
    for case, spans in zip(cases, predictions, strict=True):
        gold = gold_boundaries(case.sentences)
        pred = predicted_boundaries(case.text, spans)
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if gold == pred:
            exact += 1
        elif on_error is not None:
            on_error(case, gold, pred)
    return Score(tp, fp, fn, exact, len(cases))
