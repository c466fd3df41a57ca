"""Replaying a log: from its lines to the current state, without changing the file.

The current state is the last line per sentence and annotator (``label``,
``clear``, ``mark`` or ``exclude``) and the boundary corrections not
reverted. Every line is decoded and validated by type as it is read
(``schema.decode_line``); a line that is not valid UTF-8, not JSON, or has a
field of the wrong type is skipped with a warning naming its line number and
the field, and every other line still counts. Replay keeps only where each
live line is (its byte offset); the full ``Decision`` is read again when
asked for, so a log of millions of lines is never held in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from annotator.errors import StoreError
from annotator.log import anchor
from annotator.log.schema import (
    CORRECTIONS,
    LABEL,
    REVERT,
    Decision,
    EntryFields,
    LineError,
    NewerSchemaError,
    Option,
    check_line,
    decode_line,
    input_hash,
)
from annotator.memory import paused_gc
from annotator.model import Document

_Unit = tuple[int, str]  # (byte offset of the last line about a sentence, its action)
_UnitKey = tuple[str, str, int, int]  # annotator, doc_hash, start, end
#: Wanted lines closer than this (bytes) are read together in one sequential ``read``,
#: of at most ``_RUN_BYTES`` (so a huge log is never held in memory whole).
_RUN_GAP = 1 << 16
_RUN_BYTES = 1 << 23
_BOM = b"\xef\xbb\xbf"
_DECODER = msgspec.json.Decoder(Decision)
_ENTRY_DECODER = msgspec.json.Decoder(EntryFields)


def _check_hash(decision: Decision) -> None:
    # ``check_line`` for the hot loop: the rarely failing checks once, in one test.
    recorded = decision.recorded_hash
    if (
        (recorded is not None and recorded != input_hash(decision.text))
        or decision.schema > 1
        or decision.end < decision.start
    ):
        check_line(decision)


class LogState:
    """A replayed log: the last line per sentence and annotator, and active corrections.

    Read-only; ``read_log`` builds one without taking the lock, so status,
    exporters and agreement can read many logs (even one being written). The
    writer (``AnnotationLog``) records each line it appends with ``record``.
    """

    def __init__(self, path: Path, *, label_sets: bool = False) -> None:
        self.path = path
        #: With ``label_sets``: every label set offered in a ``label`` line (its options),
        #: and every label chosen in one, gathered while replaying (an export needs its
        #: columns before its records, which it makes a document at a time).
        self.label_sets: dict[tuple[Option, ...], None] | None = {} if label_sets else None
        self.labels_used: set[str] = set()
        self._last_options: tuple[Option, ...] = ()
        #: Lines read (valid or not), and what was skipped or noticed, one line each.
        self.lines = 0
        self.skipped = 0
        self.warnings: list[str] = []
        #: Byte offset and length of an unterminated last line that is not a valid line.
        self.torn: tuple[int, int] | None = None
        #: True when the last line is valid but has no final newline.
        self.unterminated = False
        #: Whether the first line opens as a JSON object (or is blank), as log lines do.
        self._opens_as_json = True
        self.size = 0
        # document -> unit key -> (offset, action); dict order = order of last write
        self._units: dict[str, dict[_UnitKey, _Unit]] = {}
        # document -> correction id -> the correction, in order of writing
        self._corrections: dict[str, dict[str, Decision]] = {}
        self._versions: Counter[str] = Counter()
        # Lines read in full, by offset: the one cache of decisions.
        self._decisions: dict[int, Decision] = {}
        self._strings: dict[str, str] = {}

    # -- replay ---------------------------------------------------------------

    def replay(self) -> None:
        """Read the whole file (a missing file is an empty log)."""
        try:
            handle = open(self.path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return
        except OSError as error:
            raise StoreError(f"{self.path}: cannot read the log: {error}") from None
        # Replay allocates one small object per line and keeps a tuple per sentence.
        with paused_gc(), handle:
            self._replay_lines(handle)
        # Not one line is a log line, and the first is no JSON object (every line
        # annotator writes is one, a torn one included): a transcript, a CSV or a
        # binary given where a log belongs, not a damaged log.
        unreadable = (self.skipped or self.torn) and not self._opens_as_json
        if unreadable and not self._units and not self._corrections:
            raise StoreError(
                f"{self.path}: not an annotation log: no line of it is a log line (a "
                "transcript, a spreadsheet, a binary, or a log saved in another encoding?)"
            )

    def _replay_lines(self, handle: BinaryIO) -> None:
        """The hot loop: decode and check each line (``decode_line``, inlined), and keep
        where the last line about each sentence is."""
        decode = _DECODER.decode
        check = _check_hash
        units_by_document = self._units
        versions = self._versions
        gather = self.label_sets is not None
        # One string object per annotator and per text version, not one per line: a
        # replay of a million lines keeps a million keys.
        strings = self._strings
        offset = 0
        number = 0
        for number, line in enumerate(handle, 1):
            at = offset
            offset += len(line)
            if line[-1:] != b"\n" or number == 1:
                if not self._odd_line(line, at, number):
                    break
                continue
            try:
                decision = decode(line)
                check(decision)
            except (msgspec.MsgspecError, LineError):
                self._line_by_line(line, at, number)
                continue
            action = decision.action
            if action in CORRECTIONS:
                self._add(at, decision)
                continue
            document = decision.document
            units = units_by_document.get(document)
            if units is None:
                units = units_by_document[document] = {}
            annotator = decision.annotator
            doc_hash = decision.doc_hash
            key = (
                strings.setdefault(annotator, annotator),
                strings.setdefault(doc_hash, doc_hash),
                decision.start,
                decision.end,
            )
            # Re-insert: dict order stays the order of last write.
            units.pop(key, None)
            units[key] = (at, action)
            versions[document] += 1
            if gather and action == LABEL:
                self._gather_labels(decision)
        self.lines = number - (1 if self.torn else 0)
        self.size = offset if self.torn is None else self.torn[0]

    def _odd_line(self, line: bytes, offset: int, number: int) -> bool:
        """The first line (which may start with a byte-order mark) or a last line without
        its newline: whole and valid (kept; the writer ends it), or torn by a crash
        mid-write (left for the writer to set aside). False when torn."""
        body = line
        if number == 1 and body.startswith(_BOM):
            body = body[len(_BOM) :]
            self.warnings.append(f"{self.path}:1: starts with a byte-order mark (ignored)")
        if number == 1:
            # NUL bytes are what a power cut leaves of a first write: a damaged log.
            self._opens_as_json = body.lstrip(b" \t\r\n\x00")[:1] in (b"{", b"")
        if line[-1:] == b"\n":
            self._line_by_line(body, offset + len(line) - len(body), number)
            return True
        try:
            decision = decode_line(body)
        except NewerSchemaError as error:
            raise StoreError(f"{self.path}:{number}: {error}") from None
        except LineError:
            self.torn = (offset, len(line))
            return False
        self.unterminated = True
        self._add(offset + len(line) - len(body), decision)
        return True

    def _line_by_line(self, line: bytes, offset: int, number: int) -> None:
        """A line the hot loop could not take: blank (passed over), from a newer
        annotator (refused), invalid (skipped with a warning), or valid."""
        if not line.strip():
            return
        try:
            decision = decode_line(line)
        except NewerSchemaError as error:
            raise StoreError(f"{self.path}:{number}: {error}") from None
        except LineError as error:
            self.skipped += 1
            self.warnings.append(f"{self.path}:{number}: line skipped: {error}")
        else:
            self._add(offset, decision)

    def _add(self, offset: int, decision: Decision) -> None:
        action = decision.action
        document = decision.document
        if action in CORRECTIONS:
            corrections = self._corrections.setdefault(document, {})
            if action == REVERT:
                corrections.pop(decision.ref or "", None)
            else:
                corrections[decision.id] = decision
        else:
            units = self._units.get(document)
            if units is None:
                units = self._units[document] = {}
            key = (decision.annotator, decision.doc_hash, decision.start, decision.end)
            units.pop(key, None)  # re-insert: dict order stays the order of last write
            units[key] = (offset, action)
            if self.label_sets is not None and action == LABEL:
                self._gather_labels(decision)
        self._versions[document] += 1

    def _gather_labels(self, decision: Decision) -> None:
        """Note a ``label`` line's label set and labels (``label_sets=True``)."""
        options = decision.options
        if self.label_sets is not None and options != self._last_options:
            self.label_sets[options] = None  # the same label set comes line after line
            self._last_options = options
        self.labels_used.update(decision.labels)

    def record(self, offset: int, decision: Decision) -> None:
        """Take a line the writer has just appended at ``offset`` into the state."""
        check_line(decision)
        self._add(offset, decision)
        self._decisions[offset] = decision

    # -- reading --------------------------------------------------------------

    @property
    def documents(self) -> list[str]:
        """Ids of the documents with at least one line about a sentence or a correction."""
        return sorted(set(self._units) | set(self._corrections))

    @property
    def annotators(self) -> list[str]:
        return sorted({key[0] for units in self._units.values() for key in units})

    def annotators_of(self, document: str) -> list[str]:
        """Annotators with at least one line about a sentence of ``document``."""
        return sorted({key[0] for key in self._units.get(document, {})})

    def version(self, document: str) -> int:
        """Changes whenever a line about ``document`` is added (for caches)."""
        return self._versions[document]

    def corrections(self, document: str) -> list[Decision]:
        """The merges and splits of ``document`` not reverted, in order of writing."""
        return list(self._corrections.get(document, {}).values())

    def entries(self, document: str, annotator: str | None = None) -> list[Decision]:
        """The last line per sentence, any action, in order of writing.

        Lines made on earlier versions of the text are included as they were
        written; ``attach`` is what re-finds them in the current text.
        """
        units = self._units.get(document, {})
        return self._materialise(
            [off for key, (off, _) in units.items() if annotator in (None, key[0])]
        )

    def decisions(self, document: str | None = None) -> Iterator[Decision]:
        """Every live decision (``label`` lines that are the last about their sentence)."""
        docs = [document] if document is not None else list(self._units)
        for doc in docs:
            live = [off for off, action in self._units.get(doc, {}).values() if action == LABEL]
            yield from self._materialise(live)

    def entry_fields(self) -> Iterator[EntryFields]:
        """The last line per sentence of every document as ``EntryFields`` (any action),
        in order of writing: for bulk readers that need only who recorded what about
        which sentence, without the rest of each line."""
        offsets = sorted(off for units in self._units.values() for off, _ in units.values())
        decode = _ENTRY_DECODER.decode
        for off, chunk, at, end in self._line_slices(offsets):
            try:
                yield decode(chunk[at:end])
            except msgspec.MsgspecError as error:
                raise self._changed(off, error) from None

    def last_entry(self, document: str) -> Decision | None:
        """The line written last about a sentence of ``document`` (any action), or None."""
        units = self._units.get(document)
        if not units:
            return None
        offset, _ = next(reversed(units.values()))
        return self._materialise([offset])[0]

    def decided_units(self) -> Iterator[tuple[str, str, int, int]]:
        """(document, annotator, start, end) of every decided sentence, from what replay
        keeps (no line is read)."""
        for document, units in self._units.items():
            for (annotator, _, start, end), (_, action) in units.items():
                if action == LABEL:
                    yield document, annotator, start, end

    def live_count(self, document: str) -> int:
        """How many sentences of ``document`` are decided (``label`` is their last line)."""
        return sum(1 for _, action in self._units.get(document, {}).values() if action == LABEL)

    def units(self, document: str, annotator: str) -> Iterator[tuple[str, int, int, str]]:
        """(text hash, start, end, action) of ``annotator``'s last line on each sentence of
        ``document``, from what replay keeps (no line is read): enough to count a
        document's progress without its text when every line is on its current text."""
        for (name, doc_hash, start, end), (_, action) in self._units.get(document, {}).items():
            if name == annotator:
                yield doc_hash, start, end, action

    def forget(self, document: str) -> None:
        """Drop the decoded lines of ``document``: readers of the whole log (export,
        status, stats) go a document at a time and keep only offsets of the rest."""
        cache = self._decisions
        for off, _ in self._units.get(document, {}).values():
            cache.pop(off, None)

    def attach(self, document: Document, annotator: str) -> anchor.Attachment:
        """``annotator``'s lines re-found in the current text of ``document``."""
        return anchor.attach(
            document,
            document.text_hash,
            self.entries(document.id, annotator),
            self.corrections(document.id),
        )

    def apply_corrections(self, document: Document) -> Document:
        """The document with this log's merges and splits applied, found by text."""
        return anchor.apply_corrections(document, self.corrections(document.id))[0]

    def first_undecided(self, document: Document, annotator: str) -> tuple[int, int] | None:
        """(turn index, sentence index) in the corrected document of the first
        sentence ``annotator`` has not decided (nor excluded), or None."""
        done = anchor.done(self.attach(document, annotator))
        return anchor.first_missing(self.apply_corrections(document), done)

    # -- reading lines back ---------------------------------------------------

    def _materialise(self, offsets: Sequence[int]) -> list[Decision]:
        """Full decisions for lines known by offset (replay kept only where they are)."""
        cache = self._decisions
        missing = sorted({off for off in offsets if off not in cache})
        if missing:
            # Replay checked these lines (types, schema, text hash); read back, a line is
            # decoded by type only: a line overwritten since by something else is
            # noticed only if its types no longer fit (logs are only ever appended to).
            decode = _DECODER.decode
            with paused_gc():
                for off, chunk, at, end in self._line_slices(missing):
                    try:
                        cache[off] = decode(chunk[at:end])
                    except msgspec.MsgspecError as error:
                        raise self._changed(off, error) from None
        return [cache[off] for off in offsets]

    def _changed(self, offset: int, error: Exception) -> StoreError:
        return StoreError(
            f"{self.path}: the line at byte {offset} changed since it was read ({error}); "
            "is another program editing the log?"
        )

    def _line_slices(self, offsets: list[int]) -> Iterator[tuple[int, bytes, int, int]]:
        """``(offset, chunk, start, end)`` of each line at ``offsets`` (sorted).

        Offsets close together are read as one run with one ``read`` and cut into
        lines in memory, so reading a whole document (or log) is one sequential
        pass; a gap wider than ``_RUN_GAP`` starts a new run, so a few scattered
        lines do not pull in the megabytes between them.
        """
        try:
            with open(self.path, "rb") as handle:
                for run in _runs(offsets):
                    first = run[0]
                    handle.seek(first)
                    chunk = handle.read(run[-1] - first) + handle.readline()
                    for off in run:
                        at = off - first
                        yield off, chunk, at, chunk.find(b"\n", at) + 1 or len(chunk)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot read the log: {error}") from None


def _runs(offsets: list[int]) -> Iterator[list[int]]:
    """Sorted offsets grouped into runs: neighbours at most ``_RUN_GAP`` apart, the
    whole run spanning at most ``_RUN_BYTES``."""
    run: list[int] = []
    for off in offsets:
        if run and (off - run[-1] > _RUN_GAP or off - run[0] > _RUN_BYTES):
            yield run
            run = []
        run.append(off)
    if run:
        yield run


def read_log(path: str | Path, *, label_sets: bool = False) -> LogState:
    """Replay a log without locking or changing it (a missing file is an empty log).

    ``label_sets``: also gather the label sets offered and the labels chosen in the
    log's ``label`` lines (``LogState.label_sets``, ``labels_used``), for exports.

    A torn last line is reported in ``warnings`` and left in place: only the
    writer (``AnnotationLog.open``) sets it aside.
    """
    state = LogState(Path(path), label_sets=label_sets)
    state.replay()
    if state.torn is not None:
        state.warnings.append(
            f"{state.path}: last line is incomplete ({state.torn[1]} bytes; being written, "
            "or cut off by a crash; the next session that opens the log sets it aside)"
        )
    return state
