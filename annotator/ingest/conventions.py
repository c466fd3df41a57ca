"""Infer a document's speaker-label convention from repetition.

A transcript states its own convention: the same few speakers open many lines
in the same way, at the same column, with speech on the same line. Every line
is tried against every label shape (``labels.SHAPES``); each shape is scored by
how many of its matches name a speaker who recurs under it and how consistently
it sits at one column. Shapes that can also match prose (``Mr. Koo. Thank you``)
are believed only with that evidence, and only at the columns where they recur;
the unambiguous shapes (``NAME:``, ``Q``) are kept unless a stronger convention
explains the document and they name no recurring speaker. Whatever was not
taken is kept as evidence for ``annotator parse --explain`` and the import report.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass, field

from annotator.ingest.labels import SHAPE_BY_NAME, SHAPES, LabelMatch, Shape, line_candidates

# A candidate label on one line: (line number, line start offset, shape, match).
Candidate = tuple[int, int, Shape, LabelMatch]

_DIGITS = re.compile(r"\d+")
_SPEAKER = operator.attrgetter("speaker")
_COLUMN = operator.attrgetter("column")
# Evidence a prose-like shape needs: matches whose speaker recurs under it.
_MIN_RECURRING = 3
# A column holds at least this share of a shape's matches to count as its own.
_COLUMN_SHARE = 0.2


@dataclass(frozen=True)
class ShapeEvidence:
    """How one label shape fares in a document."""

    shape: str
    example: str
    lines: int
    recurring: int
    speakers: tuple[tuple[str, int], ...]
    columns: tuple[int, ...]
    column_share: float

    @property
    def score(self) -> float:
        """Recurring matches, weighted by how consistently the shape keeps its column."""
        return self.recurring * self.column_share


@dataclass(frozen=True)
class Convention:
    """The label shapes chosen for a document, with the evidence for and against."""

    chosen: tuple[str, ...]
    evidence: tuple[ShapeEvidence, ...]
    numbered_lines: bool = False
    columns: dict[str, frozenset[int]] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The chosen shapes, as one short name (``period-title``, ``colon + q``)."""
        return " + ".join(self.chosen) if self.chosen else "none (one speech)"

    def accepts(self, shape: Shape, match: LabelMatch, counts: Counter[str]) -> bool:
        """Whether a candidate of ``shape`` is read as a label under this convention."""
        if shape.name not in self.chosen:
            return False
        if not shape.needs_evidence:
            return True
        if match.column not in self.columns.get(shape.name, frozenset()):
            return False
        # A one-word label met once (``OKAY.  So``) is more likely a sentence.
        return counts[match.speaker] > 1 or len(match.speaker.split()) > 1


def _evidence(shape: Shape, found: list[LabelMatch]) -> ShapeEvidence:
    counts = Counter(map(_SPEAKER, found))
    # ``Q.1``, ``Q.2`` and ``Speaker 1``, ``Speaker 2`` recur as one label with a number.
    kinds: Counter[str] = Counter()
    for speaker, count in counts.items():
        kinds[_DIGITS.sub("#", speaker)] += count
    recurring = sum(count for count in kinds.values() if count > 1)
    columns = Counter(map(_COLUMN, found))
    own = tuple(
        sorted(col for col, n in columns.items() if n >= max(2, _COLUMN_SHARE * len(found)))
    )
    at_own = sum(columns[col] for col in own)
    return ShapeEvidence(
        shape=shape.name,
        example=shape.example,
        lines=len(found),
        recurring=recurring,
        speakers=tuple(counts.most_common()),
        columns=own,
        column_share=at_own / len(found) if found else 0.0,
    )


def _prose_like(item: ShapeEvidence) -> bool:
    return SHAPE_BY_NAME[item.shape].needs_evidence


def fixed_convention(candidates: list[Candidate]) -> Convention:
    """Every plain shape, believed without evidence: the reader as a fixed list of formats."""
    plain = tuple(shape.name for shape in SHAPES if not shape.needs_evidence)
    return Convention(plain, ())


def infer_convention(candidates: list[Candidate], numbered_lines: bool = False) -> Convention:
    """Choose the label shapes that explain a document, from every line's candidates."""
    by_shape: dict[str, list[LabelMatch]] = {}
    for candidate in candidates:
        name = candidate[2].name
        if name in by_shape:
            by_shape[name].append(candidate[3])
        else:
            by_shape[name] = [candidate[3]]
    evidence = sorted(
        (_evidence(SHAPE_BY_NAME[name], found) for name, found in by_shape.items()),
        key=lambda item: (-item.score, -item.lines, item.shape),
    )
    strong = [item for item in evidence if item.recurring >= _MIN_RECURRING and item.columns]
    best = strong[0] if strong else None
    chosen = []
    for item in evidence:
        shape = SHAPE_BY_NAME[item.shape]
        if shape.fallback:
            continue
        if shape.needs_evidence:
            if item in strong:
                chosen.append(item.shape)
        elif item.recurring or item.shape == "q" or best is None or not _prose_like(best):
            # A plain shape is believed on its own, unless a prose-like convention
            # explains the document and this shape names nobody twice.
            chosen.append(item.shape)
    if not any(item.recurring for item in evidence if item.shape in chosen):
        # Nothing more specific names anyone twice: the loosest shapes may explain it.
        chosen.extend(item.shape for item in strong if SHAPE_BY_NAME[item.shape].fallback)
    found = {item.shape: item for item in evidence}
    if {"q", "qa"} <= set(chosen) and found["qa"].speakers == found["q"].speakers:
        # Bare ``Q`` lines and no ``A``: the question-and-answer shape found the same
        # lines as ``q`` and explains nothing more.
        chosen.remove("qa")
    order = [shape.name for shape in SHAPES]
    chosen.sort(key=order.index)
    columns = {item.shape: frozenset(item.columns) for item in evidence}
    return Convention(tuple(chosen), tuple(evidence), numbered_lines, columns)


# --- line-numbered transcripts (court, hearings) ------------------------------------

_SAMPLE = 40
_LINE_NUMBER = re.compile(r"^([ \t]*)(\d{1,2})(?=[ \t]+\S|[ \t]*$)")


def line_number_spans(lines: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Offsets of the line numbers that open most lines of a court-style transcript.

    Numbers count 1 to 25 or so on each page; a document is line-numbered when most
    of its non-blank lines open with one. Otherwise the list is empty.
    """
    spans: list[tuple[int, int]] = []
    non_blank = 0
    for start, line in lines:
        if not line.strip():
            continue
        non_blank += 1
        if non_blank == _SAMPLE and len(spans) < 0.6 * _SAMPLE:
            # Not numbered: the first lines tell, without reading the rest.
            return []
        found = _LINE_NUMBER.match(line)
        if found and 1 <= int(found.group(2)) <= 34:
            spans.append((start + found.start(2), start + found.end(2)))
    if non_blank < 10 or len(spans) < 0.6 * non_blank:
        return []
    return spans


def read_candidates(lines: list[tuple[int, str]], infer: bool = True) -> list[Candidate]:
    """Every line's label candidates, in line order (``infer=False``: the first plain one)."""
    candidates: list[Candidate] = []
    first_plain = not infer
    for number, (start, line) in enumerate(lines):
        for shape, match in line_candidates(line, first_plain):
            candidates.append((number, start, shape, match))
    return candidates


def format_explanation(convention: Convention, source: str) -> str:
    """The convention chosen, its evidence and the runners-up, as plain text."""
    lines = [f"{source}: convention {convention.name}"]
    if convention.numbered_lines:
        lines.append("  lines are numbered; the numbers are page furniture")
    for item in convention.evidence:
        mark = "chosen" if item.shape in convention.chosen else "not taken"
        cols = ",".join(str(col) for col in item.columns) or "-"
        lines.append(
            f"  [{mark}] {item.shape} ({item.example}): {item.lines} lines, "
            f"{item.recurring} by recurring speakers, column {cols} "
            f"({item.column_share:.0%} there)"
        )
        top = ", ".join(f"{name} ×{count}" for name, count in item.speakers[:8])
        if top:
            lines.append(f"      {top}")
    if not convention.evidence:
        lines.append("  no line opens with a speaker label")
    return "\n".join(lines)
