"""One log into columns: what agreement needs of each line, as arrays, not objects.

A worker process (``read_logs``, when the logs are big) replays a log and sends back
its lines as chunks of int arrays, with its strings numbered once and its texts
compressed; ``codings`` matches the logs' columns. Internal to ``annotator.agreement``.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from annotator.log import LABEL, MERGE, LogState, read_log
from annotator.memory import paused_gc

#: Logs bigger than this in all are read by a pool of processes, one log each.
PARALLEL_BYTES = 1 << 25

_Coded = tuple[str, tuple[str, ...], Any, bool]  # annotator, labels, note, flag


#: Texts are compressed this many at a time.
TEXTS_PER_CHUNK = 16384


class TextStore:
    """A log's texts, one per line read, UTF-8 and zlib-compressed ``TEXTS_PER_CHUNK`` at a
    time: a few megabytes for a million sentences instead of a string each, and any text one chunk's
    decompression away (a report shows a few dozen). The reader appends to ``pending``
    and calls ``close`` when it holds ``TEXTS_PER_CHUNK`` texts, and after the last."""

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
            k, at = divmod(line, TEXTS_PER_CHUNK)
            if k != chunk:
                chunk, data = k, zlib.decompress(self.chunks[k])
                ends = np.cumsum(lengths[k * TEXTS_PER_CHUNK : (k + 1) * TEXTS_PER_CHUNK])
            begin = int(ends[at - 1]) if at else 0
            found[line] = data[begin : int(ends[at])].decode("utf-8")
        return [found[line] for line in units]


#: The small numbers kept of each line, in this order (``LogColumns.numbers``).
NUMBERS = ("document", "annotator", "coding", "turn", "speaker")


@dataclass
class LogColumns:
    """One log reduced to what agreement needs, one entry per line read (the last line
    per sentence and annotator, ``clear`` lines included, in order of writing), cheap to
    send between processes: per chunk of lines, ``offsets`` holds start and end (int64),
    ``numbers`` the ``NUMBERS`` (int32), ``digests`` 8 bytes of BLAKE2b of the text
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
    texts: TextStore

    def strings(self, column: str) -> list[Any]:
        """What the numbers of a numbered column index (``coded`` for ``coding``)."""
        strings: dict[str, list[Any]] = {
            "document": self.documents,
            "annotator": self.names,
            "coding": self.coded,
            "speaker": self.speakers,
        }
        return strings[column]

    def take_columns(self) -> dict[str, Any]:
        """The columns as numpy arrays, by name; the chunks are let go as they are read."""
        offsets = _joined(self.offsets, np.int64).reshape(-1, 2)
        numbers = _joined(self.numbers, np.int32).reshape(-1, len(NUMBERS))
        columns = {name: numbers[:, k] for k, name in enumerate(NUMBERS)}
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


def log_columns(path: Path) -> LogColumns:
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
    texts = TextStore()
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
            if len(pending) == TEXTS_PER_CHUNK:
                close_chunk()
        close_chunk()
        return LogColumns(
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


def read_logs(paths: Sequence[Path]) -> Iterator[LogColumns]:
    """``log_columns`` of each log, in the order given: in this process, or for several
    big logs in a pool of processes (replay and JSON parsing are CPU-bound Python)."""
    workers = min(len(paths), os.cpu_count() or 1, 2)
    if workers < 2 or sum(p.stat().st_size for p in paths) < PARALLEL_BYTES:
        yield from map(log_columns, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        if len(paths) <= workers:
            yield from pool.map(log_columns, paths)
            return
        # One log more than workers: this process reads the last one meanwhile rather
        # than wait, so no worker does two logs while the other idles.
        pending = [pool.submit(log_columns, path) for path in paths[:-1]]
        own = log_columns(paths[-1])
        for future in pending:
            yield future.result()
        yield own
