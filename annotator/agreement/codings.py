"""Reading analysts' logs into codings: who gave which label set to which sentence.

Units are sentences, identified across logs by ``(document, start, end, text)``
as written in the log lines; the same offsets with other text are another unit.
Each sentence's value is the set of labels an analyst gave it (empty =
reviewed, no label applies).

A million decisions per log are held as columns, not as objects: each log is
read (by a worker process when the logs are big) into integer arrays, one entry
per line, with its strings numbered once and its texts compressed; the logs are
then matched in numpy. ``Unit`` and ``Coding`` objects are built only for the
sentences a caller asks for (the few a report lists, or all of them for
adjudication and tests).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.agreement.errors import AgreementError
from annotator.log import LABEL, MERGE, LogState, read_log
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


#: Logs bigger than this in all are read by a pool of processes, one log each.
_PARALLEL_BYTES = 1 << 25

_Coded = tuple[str, tuple[str, ...], Any, bool]  # annotator, labels, note, flag
#: Where a log keeps the strings (or codings) a numbered column indexes.
_PLURALS = {"document": "documents", "annotator": "names", "coding": "coded", "speaker": "speakers"}


# -- one log -------------------------------------------------------------------------


#: Texts are compressed this many at a time.
_TEXTS_PER_CHUNK = 16384


class _TextStore(_Texts):
    """A log's texts, one per line read, UTF-8 and zlib-compressed 1,024 at a time: a few
    megabytes for a million sentences instead of a string each, and any text one chunk's
    decompression away (a report shows a few dozen). The reader appends to ``pending``
    and calls ``close`` when it holds ``_TEXTS_PER_CHUNK`` texts, and after the last."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.lengths = array("q")  # of each text, in bytes
        self.pending: list[bytes] = []

    def close(self) -> None:
        """Compress the pending texts into a chunk of their own."""
        if self.pending:
            self.lengths.extend(map(len, self.pending))
            self.chunks.append(zlib.compress(b"".join(self.pending), 1))
            self.pending.clear()

    def get(self, units: Sequence[int]) -> list[str]:
        """The texts of lines ``units`` (numbered in reading order); each chunk needed is
        decompressed once."""
        lengths = np.frombuffer(self.lengths, dtype=np.int64)
        found: dict[int, str] = {}
        chunk, data, ends = -1, b"", np.zeros(0, dtype=np.int64)
        for line in sorted(set(units)):
            k, at = divmod(line, _TEXTS_PER_CHUNK)
            if k != chunk:
                chunk, data = k, zlib.decompress(self.chunks[k])
                ends = np.cumsum(lengths[k * _TEXTS_PER_CHUNK : (k + 1) * _TEXTS_PER_CHUNK])
            begin = int(ends[at - 1]) if at else 0
            found[line] = data[begin : int(ends[at])].decode("utf-8")
        return [found[line] for line in units]


#: The small numbers kept of each line, in this order (``_LogColumns.numbers``).
_NUMBERS = ("document", "annotator", "coding", "turn", "speaker")


@dataclass
class _LogColumns:
    """One log reduced to what agreement needs, one entry per line read (the last line
    per sentence and annotator, ``clear`` lines included, in order of writing), cheap to
    send between processes: per chunk of lines, ``offsets`` holds start and end (int64),
    ``numbers`` the ``_NUMBERS`` (int32), ``digests`` 8 bytes of BLAKE2b of the text
    (texts are matched as numbers), line after line. Strings are numbered
    (``document`` indexes ``documents``, and so on), and ``coding`` indexes ``coded``
    (-1: the line decides nothing: a clear, a mark, an exclusion, a retired sentence).
    Chunks, not one growing array, so no copy of the whole is made while reading."""

    warnings: list[str]
    annotators: list[str]  # who wrote lines about sentences (for the two-logs warning)
    names: list[str]
    documents: list[str]
    speakers: list[str]
    coded: list[_Coded]
    lines: int
    offsets: list[bytes]
    numbers: list[bytes]
    digests: list[bytes]
    texts: _TextStore

    def take_columns(self) -> dict[str, Any]:
        """The columns as numpy arrays, by name; the chunks are let go as they are read."""
        offsets = _joined(self.offsets, np.int64).reshape(-1, 2)
        numbers = _joined(self.numbers, np.int32).reshape(-1, len(_NUMBERS))
        columns = {name: numbers[:, k] for k, name in enumerate(_NUMBERS)}
        columns.update(start=offsets[:, 0], end=offsets[:, 1])
        columns["digest"] = _joined(self.digests, np.int64)
        return columns


def _joined(chunks: list[bytes], dtype: type[np.generic]) -> Any:
    """The chunks as one array, emptying the list (each chunk is freed once copied)."""
    whole = np.empty(sum(map(len, chunks)) // np.dtype(dtype).itemsize, dtype=dtype)
    at = 0
    chunks.reverse()
    while chunks:
        part = np.frombuffer(chunks.pop(), dtype=dtype)
        whole[at : at + len(part)] = part
        at += len(part)
    return whole


def _log_columns(path: Path) -> _LogColumns:
    """Replay one log and read its last line per sentence and annotator (in order of
    writing, so a later clear on another version of the text still withdraws the
    decision) into columns."""
    names: dict[str, int] = {}
    documents: dict[str, int] = {}
    speakers: dict[str, int] = {}
    numbers: dict[_Coded, int] = {}
    offsets, small, digest = array("q"), array("i"), bytearray()
    add_offsets, add_numbers = offsets.extend, small.extend
    chunks: tuple[list[bytes], list[bytes], list[bytes]] = ([], [], [])
    texts = _TextStore()
    pending = texts.pending
    blake = hashlib.blake2b
    lines = 0

    def close_chunk() -> None:
        texts.close()
        for chunk, part in zip(chunks, (offsets, small, digest), strict=True):
            chunk.append(part.tobytes() if isinstance(part, array) else bytes(part))
            del part[:]

    with paused_gc():
        state = read_log(path)
        retired = retired_units(state)
        for entry in state.entry_fields():
            annotator = entry.annotator
            index = -1  # a clear, a flag or note on an undecided sentence, an exclusion
            if retired and (entry.document, entry.start, entry.end) in retired:
                pass  # merged or split away in this log: no longer a unit of its analyst
            elif entry.action == LABEL:
                coded = (annotator, entry.labels, entry.note, entry.flag)
                index = numbers.setdefault(coded, len(numbers))
            encoded = entry.text.encode("utf-8")
            digest += blake(encoded, digest_size=8).digest()
            add_offsets((entry.start, entry.end))
            add_numbers(
                (
                    documents.setdefault(entry.document, len(documents)),
                    names.setdefault(annotator, len(names)),
                    index,
                    entry.turn,
                    speakers.setdefault(entry.speaker, len(speakers)),
                )
            )
            lines += 1
            pending.append(encoded)
            if len(pending) == _TEXTS_PER_CHUNK:
                close_chunk()
        close_chunk()
        return _LogColumns(
            warnings=state.warnings,
            annotators=state.annotators,
            names=list(names),
            documents=list(documents),
            speakers=list(speakers),
            coded=list(numbers),
            lines=lines,
            offsets=chunks[0],
            numbers=chunks[1],
            digests=chunks[2],
            texts=texts,
        )


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


def _read_logs(paths: Sequence[Path]) -> Iterator[_LogColumns]:
    """``_log_columns`` of each log, in the order given: in this process, or for several
    big logs in a pool of processes (replay and JSON parsing are CPU-bound Python)."""
    workers = min(len(paths), os.cpu_count() or 1, 2)
    if workers < 2 or sum(p.stat().st_size for p in paths) < _PARALLEL_BYTES:
        yield from map(_log_columns, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        if len(paths) <= workers:
            yield from pool.map(_log_columns, paths)
            return
        # One log more than workers: this process reads the last one meanwhile rather
        # than wait, so no worker does two logs while the other idles.
        pending = [pool.submit(_log_columns, path) for path in paths[:-1]]
        own = _log_columns(paths[-1])
        for future in pending:
            yield future.result()
        yield own


# -- all logs together ----------------------------------------------------------------


class _LogTexts(_Texts):
    """Units' texts from the logs' text stores: unit ``i`` has the text of line
    ``line[i]`` of all the logs' lines in reading order."""

    def __init__(self, stores: Sequence[_TextStore], first_lines: IndexArray, line: IndexArray):
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
    logs: list[_LogColumns] = []
    columns: list[dict[str, Any]] = []
    owner: dict[str, Path] = {}
    for path, log in zip(paths, _read_logs(paths), strict=True):
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
    logs: Sequence[_LogColumns], columns: Sequence[dict[str, Any]], warnings: list[str]
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
                part = _lookup(getattr(log, _PLURALS[name]), shared[name])[part]
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
