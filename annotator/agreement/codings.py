"""Reading analysts' logs into codings: who gave which label set to which sentence.

Units are sentences, identified across logs by ``(document, start, end, text)``
as written in the log lines; the same offsets with other text are another unit.
Each sentence's value is the set of labels an analyst gave it (empty =
reviewed, no label applies).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from annotator.agreement.errors import AgreementError
from annotator.log import LABEL, MERGE, LogState, read_log
from annotator.log.anchor import overlapping
from annotator.memory import paused_gc


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
