"""Reading analysts' logs into codings: who gave which label set to which sentence.

Units are sentences, identified across logs by ``(document, start, end, text)``
as written in the log lines; the same offsets with other text are another unit.
Each sentence's value is the set of labels an analyst gave it (empty =
reviewed, no label applies).

A million decisions per log are held as columns, not as objects: each log is
read (by a worker process when the logs are big) into integer arrays, one entry
per line, with its strings numbered once and its texts compressed (``columns``);
here the logs are matched in numpy. ``Unit`` and ``Coding`` objects are built only for the
sentences a caller asks for (the few a report lists, or all of them for
adjudication and tests).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.agreement.columns import LogColumns, TextStore, read_logs
from annotator.errors import AgreementError
from annotator.memory import paused_gc

IndexArray = npt.NDArray[np.int64]
CodeMatrix = npt.NDArray[np.int32]


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


class _Texts:
    """The text of each unit of a ``Codings``, fetched when asked for."""

    def get(self, units: Sequence[int]) -> list[str]:
        raise NotImplementedError


class _StoredTexts(_Texts):
    """Texts already held as strings (``Codings.from_rows``)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = tuple(texts)

    def get(self, units: Sequence[int]) -> list[str]:
        return [self._texts[u] for u in units]


@dataclass(frozen=True, eq=False)
class Codings:
    """Every decided sentence of several logs with each analyst's coding, as columns.

    Row ``i`` is one sentence; rows are in document and offset order (then text).
    ``codes[i, a]`` is the index in ``table`` of the coding of ``annotators[a]``
    (sorted), -1 where that analyst did not decide the sentence. The sentence is
    in ``documents[document[i]]`` at ``start[i]``..``end[i]``, in turn ``turn[i]``
    of ``speakers[speaker[i]]``. Numbers rather than objects: a million sentences
    take tens of megabytes. ``unit``/``units_at`` and ``codings_of`` build the
    objects for the sentences wanted; ``units`` and ``codings`` build them all.

    Sentences decided by one analyst only are kept (work lists, adjudication)
    but agreement skips them.
    """

    annotators: tuple[str, ...]
    table: tuple[Coding, ...]
    codes: CodeMatrix
    documents: tuple[str, ...]
    document: IndexArray
    start: IndexArray
    end: IndexArray
    turn: IndexArray
    speakers: tuple[str, ...]
    speaker: IndexArray
    texts: _Texts
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.start)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codings):
            return NotImplemented
        return (
            self.annotators == other.annotators
            and self.warnings == other.warnings
            and self.units == other.units
            and self.codings == other.codings
        )

    __hash__ = None  # type: ignore[assignment]

    def units_at(self, rows: Iterable[int]) -> list[Unit]:
        """The sentences of ``rows`` as ``Unit`` objects (texts fetched together)."""
        rows = [int(i) for i in rows]
        texts = self.texts.get(rows)
        documents, speakers = self.documents, self.speakers
        return [
            Unit(
                documents[self.document[i]],
                int(self.start[i]),
                int(self.end[i]),
                text,
                int(self.turn[i]),
                speakers[self.speaker[i]],
            )
            for i, text in zip(rows, texts, strict=True)
        ]

    def unit(self, row: int) -> Unit:
        return self.units_at([row])[0]

    def codings_of(self, row: int) -> tuple[Coding, ...]:
        """The codings of one sentence, by annotator."""
        table = self.table
        return tuple(table[k] for k in self.codes[row].tolist() if k >= 0)

    @cached_property
    def units(self) -> tuple[Unit, ...]:
        """Every sentence as a ``Unit`` (one object each: for small sets and tests)."""
        return tuple(self.units_at(range(len(self))))

    @cached_property
    def codings(self) -> tuple[tuple[Coding, ...], ...]:
        """Every sentence's codings, by annotator (``codings[i]`` belongs to ``units[i]``)."""
        table = self.table
        return tuple(tuple(table[k] for k in row if k >= 0) for row in self.codes.tolist())

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[Unit, Iterable[Coding]]], warnings: Sequence[str] = ()
    ) -> Codings:
        """Build from (unit, codings) pairs, e.g. in tests or from another source."""
        ordered = sorted(((unit, tuple(codes)) for unit, codes in rows), key=lambda r: r[0].key)
        annotators = sorted({c.annotator for _, codes in ordered for c in codes})
        column = {a: i for i, a in enumerate(annotators)}
        table: dict[Coding, int] = {}
        codes = np.full((len(ordered), len(annotators)), -1, dtype=np.int32)
        for i, (_, row) in enumerate(ordered):
            for coding in row:
                if codes[i, column[coding.annotator]] >= 0:
                    raise AgreementError(f"two codings by {coding.annotator!r} of one sentence")
                codes[i, column[coding.annotator]] = table.setdefault(coding, len(table))
        units = [unit for unit, _ in ordered]
        documents = sorted({u.document for u in units})
        speakers = list(dict.fromkeys(u.speaker for u in units))
        return cls(
            annotators=tuple(annotators),
            table=tuple(table),
            codes=codes,
            documents=tuple(documents),
            document=_numbers([u.document for u in units], documents),
            start=np.array([u.start for u in units], dtype=np.int64),
            end=np.array([u.end for u in units], dtype=np.int64),
            turn=np.array([u.turn for u in units], dtype=np.int64),
            speakers=tuple(speakers),
            speaker=_numbers([u.speaker for u in units], speakers),
            texts=_StoredTexts([u.text for u in units]),
            warnings=tuple(warnings),
        )


def _numbers(values: Sequence[str], names: Sequence[str]) -> IndexArray:
    index = {name: k for k, name in enumerate(names)}
    return np.array([index[v] for v in values], dtype=np.int64)


def read_codings(log_paths: Sequence[str | Path]) -> Codings:
    """Replay each log (``store.read_log``, no lock) and gather the decisions per sentence.

    The last line per sentence and annotator wins within a log; ``clear``
    returns a sentence to undecided. An annotator id found in two logs is
    merged (later log wins) with a warning, since that usually means one log
    was given twice under different names.
    """
    if not log_paths:
        raise AgreementError("no annotation logs given")
    # Replay makes a small object per line and no cycles: the cyclic collector would
    # rescan them again and again for nothing.
    with paused_gc():
        codings = _read_codings(log_paths)
    _return_freed_memory()
    return codings


def _return_freed_memory() -> None:
    """Hand the memory freed while matching the logs back to the system (glibc only).

    Matching a million lines makes many arrays of a few megabytes; glibc serves them
    from its heap once it has seen one freed, and keeps the heap when the few arrays
    that stay (the codings) lie above the freed ones: hundreds of megabytes counted
    against the process while the report allocates its own. ``malloc_trim`` returns
    every free page; elsewhere this does nothing.
    """
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc (musl has no malloc_trim)


# -- all logs together ----------------------------------------------------------------


class _LogTexts(_Texts):
    """Units' texts from the logs' text stores: unit ``i`` has the text of line
    ``line[i]`` of all the logs' lines in reading order."""

    def __init__(self, stores: Sequence[TextStore], first_lines: IndexArray, line: IndexArray):
        self._stores = tuple(stores)
        self._first_lines = first_lines  # where each log's lines begin
        self._line = line

    def get(self, units: Sequence[int]) -> list[str]:
        lines = self._line[np.asarray(units, dtype=np.int64)]
        logs = np.searchsorted(self._first_lines, lines, side="right") - 1
        texts: list[str] = [""] * len(lines)
        for k in np.unique(logs).tolist():
            at = np.flatnonzero(logs == k)
            local = (lines[at] - self._first_lines[k]).tolist()
            for i, text in zip(at.tolist(), self._stores[k].get(local), strict=True):
                texts[i] = text
        return texts


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
    logs: list[LogColumns] = []
    columns: list[dict[str, Any]] = []
    owner: dict[str, Path] = {}
    for path, log in zip(paths, read_logs(paths), strict=True):
        warnings.extend(log.warnings)
        for annotator in log.annotators:
            first = owner.setdefault(annotator, path)
            if first != path:
                warnings.append(
                    f"{path}: annotator {annotator!r} also wrote {first}; "
                    "their decisions are merged (the later log wins)"
                )
        # Arrays at once, as each log arrives: its chunks are freed before the next one.
        columns.append(log.take_columns())
        logs.append(log)
    return _merge(logs, columns, warnings)


def _lookup(local: Sequence[Any], index: dict[Any, int]) -> npt.NDArray[np.int32]:
    """A log's numbering of strings (or codings) to the shared one; -1 stays -1."""
    return np.array([index[value] for value in local] + [-1], dtype=np.int32)


def _merge(
    logs: Sequence[LogColumns], columns: Sequence[dict[str, Any]], warnings: list[str]
) -> Codings:
    """Match the logs' lines by unit and keep, per unit and annotator, the last line in
    reading order (logs in the order given, lines in order of writing): its coding, or
    none when it decides nothing. A unit's turn, speaker and text come from the first
    line that decided it."""
    names = sorted({name for log in logs for name in log.names})
    documents = sorted({name for log in logs for name in log.documents})
    speakers = list(dict.fromkeys(name for log in logs for name in log.speakers))
    coded = list(dict.fromkeys(c for log in logs for c in log.coded))
    name_index = {name: k for k, name in enumerate(names)}
    document_index = {name: k for k, name in enumerate(documents)}
    speaker_index = {name: k for k, name in enumerate(speakers)}
    coded_index = {c: k for k, c in enumerate(coded)}

    # Every log's columns end to end, each log's numbers turned into the shared ones; a
    # column at a time, each log's part let go once joined.
    shared: dict[str, dict[Any, int]] = {
        "document": document_index,
        "annotator": name_index,
        "coding": coded_index,
        "speaker": speaker_index,
    }
    joined: dict[str, Any] = {}
    for name in ("document", "annotator", "coding", "speaker", "turn", "start", "end", "digest"):
        parts = []
        for log, of_log in zip(logs, columns, strict=True):
            part = of_log.pop(name)
            if name in shared:
                part = _lookup(log.strings(name), shared[name])[part]
            parts.append(part)
        joined[name] = np.concatenate(parts)
        del parts, part
    document, start, end = joined["document"], joined["start"], joined["end"]
    digest, annotator, coding = joined.pop("digest"), joined["annotator"], joined["coding"]

    # Lines about one unit side by side: sorted by (document, start, end, text digest).
    order = np.lexsort((digest, end, start, document))
    fresh = np.ones(len(order), dtype=bool)
    for key in (document, start, end, digest):
        in_order = key[order]
        fresh[1:] &= in_order[1:] == in_order[:-1]
    fresh[1:] = ~fresh[1:]
    unit = np.empty(len(order), dtype=np.int64)
    unit[order] = np.cumsum(fresh) - 1
    key_line = order[fresh]  # a line of each unit, for its document and offsets
    del order, fresh, digest

    # The last line per unit and annotator, in reading order (a stable sort keeps it).
    pair = unit * max(len(names), 1) + annotator
    by_pair = np.argsort(pair, kind="stable")
    pair = pair[by_pair]
    last = np.ones(len(by_pair), dtype=bool)
    last[:-1] = pair[1:] != pair[:-1]
    del pair
    final = by_pair[last]
    del by_pair, last
    final = final[coding[final] >= 0]
    live_unit, live_annotator, live_code = unit[final], annotator[final], coding[final]

    # The first line that decided each unit (whatever came after it).
    decided = np.flatnonzero(coding >= 0)
    decided_unit = unit[decided]
    del unit
    by_unit = np.argsort(decided_unit, kind="stable")
    decided, decided_unit = decided[by_unit], decided_unit[by_unit]
    del by_unit
    first = np.ones(len(decided), dtype=bool)
    first[1:] = decided_unit[1:] != decided_unit[:-1]
    first_line = np.full(len(key_line), -1, dtype=np.int64)
    first_line[decided_unit[first]] = decided[first]
    del decided, decided_unit, first

    present = np.zeros(len(key_line), dtype=bool)
    present[live_unit] = True
    kept = np.flatnonzero(present)
    # Analysts who merged or split sentences differently coded units that overlap
    # without being the same: they cannot be compared, and are reported, not dropped.
    # (Units in order of their first decision within equal offsets, as they were found.)
    by_offsets = kept[
        np.lexsort(
            (first_line[kept], end[key_line[kept]], start[key_line[kept]], document[key_line[kept]])
        )
    ]
    clash = _overlapping(
        document[key_line[by_offsets]], start[key_line[by_offsets]], end[key_line[by_offsets]]
    )
    if clash.any():
        present[by_offsets[clash]] = False
        kept = np.flatnonzero(present)
        warnings.append(
            f"{int(clash.sum())} sentences left out of agreement: the analysts' boundaries "
            "differ there (one merged or split what another did not); settle them in "
            "adjudicate, or make the same corrections"
        )
    del by_offsets, clash

    stores = [log.texts for log in logs]
    first_lines = np.cumsum([0] + [log.lines for log in logs])[:-1].astype(np.int64)
    texts = _LogTexts(stores, first_lines, first_line[kept])
    kept = kept[_text_order(kept, document[key_line], start[key_line], end[key_line], texts)]
    texts = _LogTexts(stores, first_lines, first_line[kept])

    # The code matrix: one row per kept unit, one column per annotator who decided one.
    row = np.full(len(key_line), -1, dtype=np.int64)
    row[kept] = np.arange(len(kept))
    live = present[live_unit]
    live_unit, live_annotator, live_code = live_unit[live], live_annotator[live], live_code[live]
    used = np.unique(live_annotator)
    column = np.full(max(len(names), 1), -1, dtype=np.int64)
    column[used] = np.arange(len(used))
    # Only the codings still in force, numbered in the order they were met.
    in_force = np.unique(live_code)
    renumber = np.full(max(len(coded), 1), -1, dtype=np.int64)
    renumber[in_force] = np.arange(len(in_force))
    codes = np.full((len(kept), len(used)), -1, dtype=np.int32)
    codes[row[live_unit], column[live_annotator]] = renumber[live_code]

    lines = key_line[kept]
    first_of_kept = first_line[kept]
    speaker, turn = joined["speaker"], joined["turn"]
    return Codings(
        annotators=tuple(names[k] for k in used.tolist()),
        table=tuple(Coding(*coded[k]) for k in in_force.tolist()),
        codes=codes,
        documents=tuple(documents),
        document=document[lines].astype(np.int64),
        start=start[lines],
        end=end[lines],
        turn=turn[first_of_kept].astype(np.int64),
        speakers=tuple(speakers),
        speaker=speaker[first_of_kept].astype(np.int64),
        texts=texts,
        warnings=tuple(warnings),
    )


def _overlapping(document: IndexArray, start: IndexArray, end: IndexArray) -> npt.NDArray[Any]:
    """Which units overlap another of the same document without being the same stretch of
    text (``log.anchor.overlapping`` over arrays). The units are sorted by document,
    start and end; each is checked against the unit reaching furthest before it (the
    first to reach that far), and both are marked."""
    clash = np.zeros(len(start), dtype=bool)
    if len(start) < 2:
        return clash
    # Ends made to grow from one document to the next, so one running maximum serves all.
    rank = np.concatenate(([0], np.cumsum(document[1:] != document[:-1])))
    reach = end + rank * (int(end.max()) + 1)
    furthest = np.maximum.accumulate(reach)
    rises = np.ones(len(reach), dtype=bool)
    rises[1:] = reach[1:] > furthest[:-1]
    leader = np.maximum.accumulate(np.where(rises, np.arange(len(reach)), 0))[:-1]
    hit = (
        (document[1:] == document[:-1])
        & (start[1:] < end[leader])
        & ((start[1:] != start[leader]) | (end[1:] != end[leader]))
    )
    clash[1:] |= hit
    clash[leader[hit]] = True
    return clash


def _text_order(
    kept: IndexArray, document: IndexArray, start: IndexArray, end: IndexArray, texts: _Texts
) -> IndexArray:
    """The order of ``kept`` units (sorted by document, offsets and text digest) by
    document, offsets and text: only units sharing offsets (another version of the
    text) have their texts read to settle it."""
    order = np.arange(len(kept))
    if len(kept) < 2:
        return order
    d, s, e = document[kept], start[kept], end[kept]
    same = (d[1:] == d[:-1]) & (s[1:] == s[:-1]) & (e[1:] == e[:-1])
    if not same.any():
        return order
    # Runs of units with equal offsets: sorted among themselves by text.
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    stops = np.append(starts[1:], len(kept))
    for begin, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        if stop - begin > 1:
            run = list(range(begin, stop))
            found = texts.get(run)
            order[begin:stop] = [i for _, i in sorted(zip(found, run, strict=True))]
    return order
