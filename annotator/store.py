"""The append-only JSONL annotation log: append, replay, undo, re-anchor, status.

One JSON object per line, one line per decision, written with a single
``write`` and ``fsync``-ed before the caller is told it is saved. The file is
never rewritten: undo appends a line that restores the earlier state, and the
current state is a replay in which the last line per sentence and annotator
wins. The only change ever made to existing bytes is at open, when a torn last
line (a write cut off by a crash) is copied to a side file and cut off, so the
next append starts on a fresh line.

Decisions point at text, not at sentence numbers: each line carries the
document id, a hash of the document text, the sentence's offsets and its
text. ``attach`` re-finds every decision in the current document by text, so an
edited transcript or a different sentence splitter keeps the work; a decision
whose text is gone is an orphan, kept in the log and reported, never moved
onto other text. See docs/log-format.md for the format field by field.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import srsly

from annotator.errors import StoreError
from annotator.lock import LogLock
from annotator.memory import paused_gc
from annotator.model import Document, LabelSet, Span, Turn

#: Version of the line format; a reader refuses lines from a newer writer.
SCHEMA_VERSION = 1

#: ``action`` values. ``label`` sets a sentence's labels (possibly none: reviewed,
#: no label applies); ``clear`` returns it to undecided; ``merge``/``split``
#: correct sentence boundaries; ``revert`` withdraws an earlier merge or split.
LABEL, CLEAR, MERGE, SPLIT, REVERT = "label", "clear", "merge", "split", "revert"
#: ``step`` values: why the line was written.
DO, UNDO, REDO = "do", "undo", "redo"

# Keys that the store itself writes into Prodigy's ``meta``; the rest is the caller's.
_META_KEYS = frozenset({"document", "source", "turn", "speaker", "start", "end"})
# Replay needs only what, where and who of each label/clear line, which this module
# writes first; it reads those with one regular expression and re-reads a line in
# full only when its decision is asked for. Lines written otherwise (another tool,
# keys in another order, escaped characters) fall back to a full JSON parse.
_FAST_LINE = re.compile(
    rb'\{"schema":1,"action":"(label|clear)","document":"([^"\\]*)","annotator":"([^"\\]*)",'
    rb'"doc_hash":"([^"\\]*)","start":(\d+),"end":(\d+),'
)

#: Where the store's own fields end in a line it wrote: it writes them first, then
#: ``meta`` and Prodigy's fields (hashes, the ``options`` list: most of the line).
#: Inside a JSON string a quote is escaped, so these bytes can only be a key.
_CUT = b',"meta":'
#: The start of a line as the store writes it; seen again further on, the line is two
#: glued together (a torn write followed by another line).
_LINE_START = b'{"schema":'
#: The keys before ``_CUT`` in a label or clear line of this store, in order.
_OWN_ORDER = tuple(
    [
        "schema",
        "action",
        "document",
        "annotator",
        "doc_hash",
        "start",
        "end",
        "id",
        "ref",
        "step",
        "turn",
        "speaker",
        "text",
        "labels",
        "note",
        "flag",
        "session",
        "time",
        "source",
    ]
)


# The same fields matched in one go when every string is plain (no escapes, no control
# characters) and every number a plain integer: a regular expression over the bytes is
# about twice as fast as JSON-parsing the prefix, and gives the very same values.
def _line_pattern(skip: frozenset[str] = frozenset()) -> re.Pattern[bytes]:
    """The store's own fields as this module writes them, one group per field not in
    ``skip`` (in field order; a skipped field is matched but not captured)."""
    plain = rb'"[^"\\\x00-\x1f]*"'

    def string(name: str, nonempty: bool = False) -> bytes:
        body = rb'"[^"\\\x00-\x1f]+"' if nonempty else plain
        return body if name in skip else b'"(' + body[1:-1] + b')"'

    integer = rb"(0|-?[1-9][0-9]{0,17})"
    return re.compile(
        rb'\{"schema":1,"action":'
        + string("action")
        + rb',"document":'
        + string("document")
        + rb',"annotator":'
        + string("annotator")
        + rb',"doc_hash":'
        + string("doc_hash")
        + rb',"start":'
        + integer
        + rb',"end":'
        + integer
        + rb',"id":'
        + string("id")
        + rb',"ref":(?:null|'
        + string("ref")
        + rb'),"step":'
        + string("step", nonempty=True)
        + rb',"turn":'
        + integer
        + rb',"speaker":'
        + string("speaker")
        + rb',"text":'
        + string("text")
        + rb',"labels":\[((?:"[^"\\\x00-\x1f]*")(?:,"[^"\\\x00-\x1f]*")*)?\]'
        + rb',"note":(?:null|'
        + string("note")
        + rb'),"flag":(true|false),"session":'
        + string("session")
        + rb',"time":'
        + string("time")
        + rb',"source":'
        + string("source")
        + _CUT
    )


_OWN_FIELDS = _line_pattern()
# The same lines, capturing only what ``EntryFields`` holds: each captured group is a
# bytes object made per line, so bulk readers skip the rest.
_ENTRY_FIELDS = _line_pattern(
    frozenset({"doc_hash", "id", "ref", "step", "session", "time", "source"})
)

Location = tuple[int, int]
#: Wanted lines closer than this (bytes) are read together in one sequential ``read``,
#: of at most ``_RUN_BYTES`` (so a huge log is never held in memory whole).
_RUN_GAP = 1 << 16
_RUN_BYTES = 1 << 23
_Unit = tuple[int, str]  # (byte offset of a label/clear line, its action)
_Correction = tuple[int, dict[str, Any]]  # (byte offset of a merge/split line, its fields)


def prodigy_hash(text: str) -> int:
    """A stable signed 32-bit hash, the integer kind Prodigy uses for its hashes.

    BLAKE2b with a 4-byte digest, read big-endian as a signed int: the same in
    every process and Python version (unlike ``hash()``).
    """
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def input_hash(text: str) -> int:
    """Prodigy ``_input_hash``: the hash of the sentence text."""
    return prodigy_hash(text)


def task_hash(text: str, options: Sequence[str]) -> int:
    """Prodigy ``_task_hash``: the input hash and the option ids, in order."""
    return prodigy_hash(f"{input_hash(text)}|" + "|".join(options))


@dataclass(frozen=True)
class Decision:
    """One line of the log: a decision about one sentence, or a boundary correction.

    ``labels`` empty with ``action == "label"`` means "reviewed, no label
    applies"; a sentence that was never seen has no line at all. For ``merge``
    the ``next_*`` fields name the following sentence; for ``split``
    ``split_at`` is the document offset where the second part starts. A
    ``revert`` line repeats the fields of the correction it withdraws (``ref``).
    """

    action: str
    document: str
    doc_hash: str
    start: int
    end: int
    text: str
    turn: int = 0
    speaker: str = ""
    source: str = ""
    labels: tuple[str, ...] = ()
    note: str | None = None
    flag: bool = False
    annotator: str = ""
    session: str = ""
    time: str = ""
    id: str = ""
    step: str = DO
    ref: str | None = None
    next_start: int | None = None
    next_end: int | None = None
    next_text: str | None = None
    split_at: int | None = None
    options: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    @property
    def location(self) -> Location:
        return (self.start, self.end)

    @property
    def is_correction(self) -> bool:
        return self.action in (MERGE, SPLIT, REVERT)

    def to_json(self) -> dict[str, Any]:
        """The line as written: the store's fields first, then Prodigy's."""
        data: dict[str, Any] = {
            "schema": self.schema,
            "action": self.action,
            "document": self.document,
            "annotator": self.annotator,
            "doc_hash": self.doc_hash,
            "start": self.start,
            "end": self.end,
            "id": self.id,
            "ref": self.ref,
            "step": self.step,
            "turn": self.turn,
            "speaker": self.speaker,
            "text": self.text,
            "labels": list(self.labels),
            "note": self.note,
            "flag": self.flag,
            "session": self.session,
            "time": self.time,
            "source": self.source,
        }
        if self.action in (MERGE, REVERT) and self.next_text is not None:
            data["next_start"] = self.next_start
            data["next_end"] = self.next_end
            data["next_text"] = self.next_text
        if self.split_at is not None:
            data["split_at"] = self.split_at
        meta = {
            "document": self.document,
            "source": self.source,
            "turn": self.turn,
            "speaker": self.speaker,
            **self.meta,
        }
        data["meta"] = meta
        data["_input_hash"] = input_hash(self.text)
        data["_task_hash"] = task_hash(self.text, self.options)
        data["options"] = [{"id": name, "text": name} for name in self.options]
        data["accept"] = list(self.labels) if self.action == LABEL else []
        # Prodigy has no "undecided" or "correction": readers that only know Prodigy
        # see those lines as skipped ("ignore") rather than as an empty answer.
        data["answer"] = "accept" if self.action == LABEL else "ignore"
        data["_view_id"] = "choice"
        data["_annotator_id"] = self.annotator
        data["_session_id"] = self.session
        data["_timestamp"] = _unix_seconds(self.time)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """Read a line written by ``to_json`` (unknown keys are ignored)."""
        return _decision_from_json(data)


_new_object = object.__new__
_set_attribute = object.__setattr__


def _decision_from_json(
    data: Mapping[str, Any], interned: dict[tuple[str, ...], tuple[str, ...]] | None = None
) -> Decision:
    """``Decision.from_json`` without the dataclass ``__init__``: the same conversions,
    field by field, written straight into the instance dict.

    Reading a log back builds hundreds of thousands of these; a frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field) was about half of that time.
    ``interned`` shares equal option tuples (the same few) between decisions.
    """
    get = data.get
    schema = int(get("schema", SCHEMA_VERSION))
    if schema > SCHEMA_VERSION:
        raise StoreError(f"line written by a newer annotator (schema {schema}); upgrade to read it")
    raw_options = get("options") or ()
    options = tuple(
        [
            o["id"]
            if type(o) is dict and type(o.get("id")) is str
            else str(o.get("id"))
            if isinstance(o, Mapping)
            else str(o)
            for o in raw_options
        ]
    )
    raw_meta = get("meta") or {}
    meta: dict[str, Any] = {k: v for k, v in raw_meta.items() if k not in _META_KEYS}
    if interned is not None:
        options = interned.setdefault(options, options)
    values = {
        "action": str(data["action"]),
        "document": str(data["document"]),
        "doc_hash": str(data["doc_hash"]),
        "start": int(data["start"]),
        "end": int(data["end"]),
        "text": str(data["text"]),
        "turn": int(get("turn") or 0),
        "speaker": str(get("speaker") or ""),
        "source": str(get("source") or ""),
        "labels": tuple(get("labels") or ()),
        "note": get("note"),
        "flag": bool(get("flag", False)),
        "annotator": str(get("annotator") or ""),
        "session": str(get("session") or ""),
        "time": str(get("time") or ""),
        "id": str(get("id") or ""),
        "step": str(get("step") or DO),
        "ref": get("ref"),
        "next_start": get("next_start"),
        "next_end": get("next_end"),
        "next_text": get("next_text"),
        "split_at": get("split_at"),
        "options": options,
        "meta": meta,
        "schema": schema,
    }
    decision = _new_object(Decision)
    _set_attribute(decision, "__dict__", values)
    return decision


def _own_prefix(data: Any) -> dict[str, Any] | None:
    """The fields parsed from the start of a label or clear line, as a record, if they
    are exactly what this store writes there: ``_OWN_ORDER``, of its types
    (the values ``_own_record`` would give, without converting). Else None."""
    if (
        type(data) is dict
        and tuple(data) == _OWN_ORDER
        and type(data["schema"]) is int
        and data["schema"] <= SCHEMA_VERSION
        and type(data["labels"]) is list
        and type(data["action"]) is str
        and type(data["document"]) is str
        and type(data["annotator"]) is str
        and type(data["doc_hash"]) is str
        and type(data["start"]) is int
        and type(data["end"]) is int
        and type(data["id"]) is str
        and type(data["step"]) is str
        and data["step"]
        and type(data["turn"]) is int
        and type(data["speaker"]) is str
        and type(data["text"]) is str
        and type(data["flag"]) is bool
        and type(data["session"]) is str
        and type(data["time"]) is str
        and type(data["source"]) is str
    ):
        data["labels"] = tuple(data["labels"])
        data.update(_NO_CORRECTION)
        return data
    return None


def _own_record(data: Mapping[str, Any]) -> dict[str, Any]:
    """The store's own fields of a parsed line (every ``Decision`` field but ``options``
    and ``meta``), converted as ``_decision_from_json`` converts them."""
    get = data.get
    schema = int(get("schema", SCHEMA_VERSION))
    if schema > SCHEMA_VERSION:
        raise StoreError(f"line written by a newer annotator (schema {schema}); upgrade to read it")
    return {
        "schema": schema,
        "action": str(data["action"]),
        "document": str(data["document"]),
        "annotator": str(get("annotator") or ""),
        "doc_hash": str(data["doc_hash"]),
        "start": int(data["start"]),
        "end": int(data["end"]),
        "id": str(get("id") or ""),
        "ref": get("ref"),
        "step": str(get("step") or DO),
        "turn": int(get("turn") or 0),
        "speaker": str(get("speaker") or ""),
        "text": str(data["text"]),
        "labels": tuple(get("labels") or ()),
        "note": get("note"),
        "flag": bool(get("flag", False)),
        "session": str(get("session") or ""),
        "time": str(get("time") or ""),
        "source": str(get("source") or ""),
        "next_start": get("next_start"),
        "next_end": get("next_end"),
        "next_text": get("next_text"),
        "split_at": get("split_at"),
    }


_NO_CORRECTION: dict[str, Any] = dict.fromkeys(("next_start", "next_end", "next_text", "split_at"))
_loads = srsly.ujson.loads  # what srsly.json_loads calls, minus a wrapper


class EntryFields(NamedTuple):
    """The fields of a label or clear line that say who decided what about which sentence."""

    action: str
    document: str
    annotator: str
    start: int
    end: int
    text: str
    turn: int
    speaker: str
    labels: tuple[str, ...]
    note: str | None
    flag: bool


def _labels(raw: bytes | None) -> tuple[str, ...]:
    # The pattern admits no quote inside a label, so '","' only ever separates two.
    return tuple(raw[1:-1].decode().split('","')) if raw else ()


def _own_fields_record(found: re.Match[bytes]) -> dict[str, Any]:
    """``_own_prefix`` of a line matched by ``_OWN_FIELDS``, from the matched groups."""
    (action, document, annotator, doc_hash, start, end, id_, ref, step, turn, speaker, text,
     labels, note, flag, session, time_, source) = found.groups()  # fmt: skip
    return {
        "schema": 1,
        "action": action.decode(),
        "document": document.decode(),
        "annotator": annotator.decode(),
        "doc_hash": doc_hash.decode(),
        "start": int(start),
        "end": int(end),
        "id": id_.decode(),
        "ref": None if ref is None else ref.decode(),
        "step": step.decode(),
        "turn": int(turn),
        "speaker": speaker.decode(),
        "text": text.decode(),
        "labels": _labels(labels),
        "note": None if note is None else note.decode(),
        "flag": flag == b"true",
        "session": session.decode(),
        "time": time_.decode(),
        "source": source.decode(),
        **_NO_CORRECTION,
    }


_new_tuple = tuple.__new__


def _entry_fields(found: re.Match[bytes]) -> EntryFields:
    """``EntryFields`` of a line matched by ``_ENTRY_FIELDS``."""
    action, document, annotator, start, end, turn, speaker, text, labels, note, flag = (
        found.groups()
    )
    # ``tuple.__new__`` skips the named tuple's Python-level ``__new__``: same object.
    return _new_tuple(
        EntryFields,
        (
            action.decode(),
            document.decode(),
            annotator.decode(),
            int(start),
            int(end),
            text.decode(),
            int(turn),
            speaker.decode(),
            _labels(labels),
            None if note is None else note.decode(),
            flag == b"true",
        ),
    )


@dataclass(frozen=True)
class Attachment:
    """Decisions of one annotator re-found in the current text of one document.

    ``decisions`` maps each sentence's ``(start, end)`` in the (corrected)
    document to its decision; ``orphans`` are decisions whose text is no longer
    in the document. Orphans stay in the log; they are only reported.
    """

    decisions: dict[Location, Decision]
    orphans: list[Decision]


class LogState:
    """A replayed log: the last line per sentence location, and active corrections.

    Read-only; ``read_log`` builds one without taking the lock, so status and
    exporters can read many logs (even one being written).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0
        self.warnings: list[str] = []
        #: Byte offset and length of an unterminated last line, if any.
        self.torn: tuple[int, int] | None = None
        self.size = 0
        # document -> (annotator, doc_hash, start, end) -> entry; dict order = order of last write
        self._units: dict[str, dict[tuple[str, str, int, int], _Unit]] = {}
        # document -> correction id -> entry, in order of writing
        self._corrections: dict[str, dict[str, _Correction]] = {}
        self._versions: Counter[str] = Counter()
        self._decisions: dict[int, Decision] = {}
        self._options: dict[tuple[str, ...], tuple[str, ...]] = {}

    # -- replay ---------------------------------------------------------------

    def _replay(self) -> None:
        try:
            handle = open(self.path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return
        except OSError as error:
            raise StoreError(f"{self.path}: cannot read the log: {error}") from None
        # Replay allocates one small dict per line and keeps most of them.
        with paused_gc(), handle:
            self._replay_lines(handle)

    def _replay_lines(self, handle: BinaryIO) -> None:
        """The hot loop: a label or clear line as this module writes it is read by one
        regular expression over its first fields; anything else is parsed as JSON."""
        match = _FAST_LINE.match
        units_by_document = self._units
        offset = 0
        number = 0
        for number, line in enumerate(handle, 1):
            if line[-1:] != b"\n":
                self.torn = (offset, len(line))
                break
            fast = match(line)
            if fast is not None and line.endswith(b"}\n"):
                action, document, annotator, doc_hash, start, end = fast.groups()
                # The pattern admits no backslash, so these are plain ASCII (the writer
                # escapes everything else) and decode to exactly what JSON would give.
                units = units_by_document.get(document.decode())
                if units is None:
                    units = units_by_document[document.decode()] = {}
                key = (annotator.decode(), doc_hash.decode(), int(start), int(end))
                if key in units:
                    del units[key]  # re-insert: dict order stays the order of last write
                units[key] = (offset, LABEL if action == b"label" else CLEAR)
            elif len(line) > 1:
                self._add_slowly(offset, line, number)
            offset += len(line)
        self.lines = number - (1 if self.torn else 0)
        self.size = offset

    def _add_slowly(self, offset: int, line: bytes, number: int) -> None:
        """A line the fast path could not read: parse it whole, or skip it with a warning."""
        try:
            data = srsly.json_loads(line)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            self._add(offset, data)
        except (ValueError, KeyError, TypeError) as error:
            self.warnings.append(
                f"{self.path}:{number}: unreadable line skipped ({type(error).__name__})"
            )

    def _add(self, offset: int, core: dict[str, Any]) -> None:
        if core.get("schema", 1) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer annotator (schema {core['schema']}); upgrade"
            )
        action = core["action"]
        document = core["document"]
        if action in (LABEL, CLEAR):
            key = (core["annotator"], core["doc_hash"], core["start"], core["end"])
            units = self._units.get(document)
            if units is None:
                units = self._units[document] = {}
            if not isinstance(core["text"], str):
                raise TypeError("a decision needs the text it is about")
            units.pop(key, None)
            units[key] = (offset, action)
        elif action in (MERGE, SPLIT):
            if not isinstance(core.get("text"), str) or not isinstance(core.get("start"), int):
                raise TypeError("a correction needs the text it corrects")
            self._corrections.setdefault(document, {})[core["id"]] = (offset, core)
        elif action == REVERT:
            self._corrections.get(document, {}).pop(core["ref"], None)
        else:
            raise KeyError(f"unknown action {action!r}")
        self._versions[document] += 1

    # -- reading --------------------------------------------------------------

    @property
    def documents(self) -> list[str]:
        """Ids of the documents with at least one decision or correction."""
        return sorted(set(self._units) | set(self._corrections))

    @property
    def annotators(self) -> list[str]:
        return sorted({key[0] for units in self._units.values() for key in units})

    def version(self, document: str) -> int:
        """Changes whenever a line about ``document`` is added (for caches)."""
        return self._versions[document]

    def entries(self, document: str, annotator: str | None = None) -> list[Decision]:
        """The last line per sentence location, ``clear`` lines included, in order of writing.

        Decisions made on earlier versions of the text are included as they were
        written; ``attach`` is what re-finds them in the current text.
        """
        units = self._units.get(document, {})
        return self._materialise(
            [off for key, (off, _) in units.items() if annotator in (None, key[0])]
        )

    def annotators_of(self, document: str) -> list[str]:
        """Annotators with at least one decision on ``document``."""
        return sorted({key[0] for key in self._units.get(document, {})})

    def decisions(self, document: str | None = None) -> Iterator[Decision]:
        """Every live decision (last per location, ``clear`` left out), read in full."""
        docs = [document] if document is not None else list(self._units)
        for doc in docs:
            live = [off for off, action in self._units.get(doc, {}).values() if action == LABEL]
            yield from self._materialise(live)

    def live_records(self, document: str | None = None) -> Iterator[dict[str, Any]]:
        """What ``decisions()`` yields, as plain dicts of the store's own fields only.

        The keys are those of ``Decision`` but ``options`` and ``meta`` (Prodigy's
        part of the line, and most of its bytes), converted as ``Decision.from_json``
        converts them. For bulk readers such as agreement: no ``Decision`` objects,
        and only the start of each line is parsed.
        """
        docs = [document] if document is not None else list(self._units)
        for doc in docs:
            units = self._units.get(doc, {})
            yield from self._records([off for off, action in units.values() if action == LABEL])

    def entry_records(self, document: str | None = None) -> Iterator[dict[str, Any]]:
        """What ``entries()`` yields (``clear`` lines included), as ``live_records`` does,
        for one document or for every document in turn."""
        docs = [document] if document is not None else list(self._units)
        for doc in docs:
            yield from self._records([off for off, _ in self._units.get(doc, {}).values()])

    def entry_fields(self) -> Iterator[EntryFields]:
        """What ``entry_records()`` yields for every document, as ``EntryFields`` tuples
        and in order of writing (not grouped by document): for bulk readers that need
        only who said what about which sentence, without a dict per line."""
        offsets = sorted(off for units in self._units.values() for off, _ in units.values())
        match = _ENTRY_FIELDS.match
        for off, chunk, at, end in self._line_slices(offsets):
            found = match(chunk, at, end)
            if found is not None and chunk.find(_LINE_START, found.end(), end) < 0:
                try:
                    yield _entry_fields(found)
                    continue
                except UnicodeDecodeError:
                    pass  # not UTF-8: the full parse below reports it
            d = self._record(off, chunk, at, end)
            yield EntryFields(
                d["action"],
                d["document"],
                d["annotator"],
                d["start"],
                d["end"],
                d["text"],
                d["turn"],
                d["speaker"],
                d["labels"],
                d["note"],
                d["flag"],
            )

    def _records(self, offsets: list[int]) -> Iterator[dict[str, Any]]:
        """Own-field dicts of the lines at ``offsets``, in that order."""
        # Replay keeps a document's units in order of last write, so offsets come
        # sorted and stream straight through; otherwise gather, then reorder.
        if all(a < b for a, b in itertools.pairwise(offsets)):
            for _, record in self._read_records(offsets):
                yield record
        else:
            found = dict(self._read_records(sorted(set(offsets))))
            for off in offsets:
                yield found[off]

    def _read_records(self, offsets: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
        """Read the lines at ``offsets`` (sorted) in runs, as ``_read_lines`` does, and
        parse only the part before ``_CUT``: valid JSON once closed with ``}``, since
        the store writes its own fields first. Anything else is parsed whole."""
        for off, chunk, at, end in self._line_slices(offsets):
            found = _OWN_FIELDS.match(chunk, at, end)
            if found is not None and chunk.find(_LINE_START, found.end(), end) < 0:
                try:
                    yield off, _own_fields_record(found)
                    continue
                except UnicodeDecodeError:
                    pass  # not UTF-8: the JSON parse below reports it
            yield off, self._record(off, chunk, at, end)

    def _record(self, off: int, chunk: bytes, at: int, end: int) -> dict[str, Any]:
        """The own-field dict of one line by JSON: its prefix if that is the store's, else
        the whole line."""
        cut = chunk.find(_CUT, at, end)
        record = None
        if cut > at and chunk.find(_LINE_START, cut, end) < 0:
            # Another writer's line may hold some of these keys after
            # ``meta``: only a prefix with all of them stands for it.
            try:
                record = _own_prefix(_loads(chunk[at:cut] + b"}"))
            except ValueError:
                record = None  # read whole below
        if record is None:
            record = self._record_slowly(chunk[at:end], off)
        return record

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

    def _record_slowly(self, line: bytes, offset: int) -> dict[str, Any]:
        try:
            data = srsly.json_loads(line)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return _own_record(data)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise StoreError(f"{self.path}: damaged line at byte {offset}: {error}") from None

    def _materialise(self, offsets: Sequence[int]) -> list[Decision]:
        """Full decisions for lines known by offset (replay kept only a prefix)."""
        cache = self._decisions
        missing = [off for off in offsets if off not in cache]
        if missing:
            self._read_lines(sorted(set(missing)))
        return [cache[off] for off in offsets]

    def _read_lines(self, offsets: list[int]) -> None:
        """Parse the lines at ``offsets`` (sorted) into the cache, reading the file in order."""
        cache = self._decisions
        loads = srsly.json_loads
        interned = self._options
        with paused_gc():
            for off, chunk, at, end in self._line_slices(offsets):
                try:
                    cache[off] = _decision_from_json(loads(chunk[at:end]), interned)
                except (ValueError, KeyError, TypeError, AttributeError) as error:
                    raise StoreError(f"{self.path}: damaged line at byte {off}: {error}") from None

    def apply_corrections(self, document: Document) -> Document:
        """The document with this log's merges and splits applied, found by text.

        Idempotent: a corrected document passes through unchanged, because the
        texts a correction looks for are gone once it is applied.
        """
        return self._corrected(document)[0]

    def _corrected(self, document: Document) -> tuple[Document, set[str]]:
        corrections = self._corrections.get(document.id)
        if not corrections:
            return document, set()
        turns = [list(turn.sentences) for turn in document.turns]
        consumed: set[str] = set()
        for _, c in corrections.values():
            if c["action"] == MERGE:
                found = _find_pair(turns, c["text"], c.get("next_text"), c["start"])
                if found is not None:
                    ti, j = found
                    first, second = turns[ti][j], turns[ti][j + 1]
                    merged = Span(first.start, second.end, document.text[first.start : second.end])
                    turns[ti][j : j + 2] = [merged]
                    consumed.update((first.text, second.text))
            else:
                found = _find_one(turns, c["text"], c["start"])
                split_at = c.get("split_at")
                if found is not None and isinstance(split_at, int):
                    ti, j = found
                    parts = _split_span(turns[ti][j], split_at - c["start"])
                    if parts is not None:
                        turns[ti][j : j + 1] = list(parts)
                        consumed.add(c["text"])
        new_turns = tuple(
            replace(turn, sentences=tuple(sentences))
            for turn, sentences in zip(document.turns, turns, strict=True)
        )
        return replace(document, turns=new_turns), consumed

    def attach(self, document: Document, annotator: str) -> Attachment:
        """Re-find ``annotator``'s decisions in the current text of ``document``.

        A decision made on this very text attaches by offsets (checked against
        the text). Decisions made on an earlier version attach by text: the
        decided sentences of that version, in order, are aligned with the
        current sentences (so repeated sentences such as "Thank you." keep
        their order); any left over go to an unclaimed sentence with the same
        text, preferring the same speaker and the nearest offset. The last
        line per sentence wins. A decision is never attached to other text.
        """
        corrected, consumed = self._corrected(document)
        units = [(turn, s) for turn in corrected.turns for s in turn.sentences]
        by_location = {(s.start, s.end): i for i, (_, s) in enumerate(units)}
        entries = self.entries(document.id, annotator)
        target: list[int | None] = [None] * len(entries)
        other_versions: dict[str, list[int]] = {}
        current = document.text_hash
        for n, entry in enumerate(entries):
            if entry.doc_hash == current:
                i = by_location.get((entry.start, entry.end))
                if i is not None and units[i][1].text == entry.text:
                    target[n] = i
                    continue
            other_versions.setdefault(entry.doc_hash, []).append(n)
        if other_versions:
            texts = [s.text for _, s in units]
            by_text: dict[str, list[int]] = {}
            for i, text in enumerate(texts):
                by_text.setdefault(text, []).append(i)
            for group in other_versions.values():
                _align(group, entries, units, texts, by_text, target)

        winner: dict[int, int] = {}
        for n, i in enumerate(target):
            if i is not None:
                winner[i] = n  # later lines overwrite earlier ones: last write wins
        decisions = {
            (units[i][1].start, units[i][1].end): entries[n]
            for i, n in sorted(winner.items())
            if entries[n].action == LABEL
        }
        orphans = [
            entry
            for entry, i in zip(entries, target, strict=True)
            if i is None
            and entry.action == LABEL
            # A sentence merged or split away by this log is retired, not orphaned.
            and entry.text not in consumed
        ]
        return Attachment(decisions, orphans)

    def first_undecided(self, document: Document, annotator: str) -> tuple[int, int] | None:
        """(turn index, sentence index) in the corrected document of the first
        sentence ``annotator`` has not decided, or None when all are done."""
        corrected = self.apply_corrections(document)
        decided = self.attach(document, annotator).decisions
        return _first_missing(corrected, decided)


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


def _first_missing(corrected: Document, decided: Mapping[Location, Any]) -> tuple[int, int] | None:
    for turn in corrected.turns:
        for j, sentence in enumerate(turn.sentences):
            if (sentence.start, sentence.end) not in decided:
                return (turn.index, j)
    return None


def _align(
    group: list[int],
    entries: list[Decision],
    units: list[tuple[Turn, Span]],
    texts: list[str],
    by_text: dict[str, list[int]],
    target: list[int | None],
) -> None:
    """Attach the decisions of one earlier text version, by text, keeping their order."""
    group = sorted(group, key=lambda n: entries[n].start)
    old = [entries[n].text for n in group]
    claimed: set[int] = set()
    matcher = SequenceMatcher(None, old, texts, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            target[group[block.a + k]] = block.b + k
            claimed.add(block.b + k)
    for n in group:
        if target[n] is not None:
            continue
        entry = entries[n]
        candidates = [i for i in by_text.get(entry.text, ()) if i not in claimed]
        if candidates:
            best = min(
                candidates,
                key=lambda i: (
                    units[i][0].speaker != entry.speaker,
                    abs(units[i][1].start - entry.start),
                ),
            )
            target[n] = best
            claimed.add(best)


def _find_pair(
    turns: list[list[Span]], text: str, next_text: str | None, near: int
) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_distance = 0
    for ti, sentences in enumerate(turns):
        for j in range(len(sentences) - 1):
            if sentences[j].text == text and sentences[j + 1].text == next_text:
                distance = abs(sentences[j].start - near)
                if best is None or distance < best_distance:
                    best, best_distance = (ti, j), distance
    return best


def _find_one(turns: list[list[Span]], text: str, near: int) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_distance = 0
    for ti, sentences in enumerate(turns):
        for j, sentence in enumerate(sentences):
            if sentence.text == text:
                distance = abs(sentence.start - near)
                if best is None or distance < best_distance:
                    best, best_distance = (ti, j), distance
    return best


def _split_span(sentence: Span, at: int) -> tuple[Span, Span] | None:
    """Two sentences from one, cut ``at`` characters in; whitespace stays between them."""
    left = sentence.text[:at].rstrip()
    rest = sentence.text[at:]
    right = rest.lstrip()
    if not left or not right or at <= 0 or at >= len(sentence.text):
        return None
    right_start = sentence.start + at + (len(rest) - len(right))
    return (
        Span(sentence.start, sentence.start + len(left), left),
        Span(right_start, sentence.end, right),
    )


def read_log(path: str | Path) -> LogState:
    """Replay a log without locking or changing it (a missing file is an empty log).

    A torn last line is reported in ``warnings`` and left in place: only the
    writer (``AnnotationLog.open``) moves it aside.
    """
    state = LogState(Path(path))
    state._replay()
    if state.torn is not None:
        state.warnings.append(
            f"{state.path}: last line is incomplete ({state.torn[1]} bytes; being written, "
            "or cut off by a crash; the next session that opens the log sets it aside)"
        )
    return state


@dataclass(frozen=True)
class _Step:
    """One undoable step of this session: the line written and what it replaced."""

    after: Decision
    before: Decision | None = None


class AnnotationLog:
    """The log of one annotator, open for writing; one writer per file.

    Use ``AnnotationLog.open``; ``close()`` (or ``with``) releases the lock.
    Every method that records something appends one line and returns the
    ``Decision`` written, after it is on disk.
    """

    def __init__(
        self,
        path: Path,
        annotator: str,
        session: str,
        labels: LabelSet | None,
        lock: LogLock,
        state: LogState,
        warnings: list[str],
    ) -> None:
        self.path = path
        self.annotator = annotator
        self.session = session
        self.labels = labels
        self.state = state
        self.warnings = warnings
        self._lock: LogLock | None = lock
        self._fd: int | None = None
        self._size = state.size
        self._count = 0
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        # document id -> (doc hash, state version, sentence locations, attachment)
        self._cache: dict[str, tuple[str, int, dict[Location, Turn], Attachment]] = {}
        self._last_hash: tuple[str | None, str] = (None, "")

    @classmethod
    def open(
        cls,
        path: str | Path,
        annotator: str,
        session: str | None = None,
        labels: LabelSet | None = None,
    ) -> AnnotationLog:
        """Lock, replay and open ``path`` for appending (created if missing).

        Raises ``LogLockedError`` naming the pid and host of a live holder.
        ``labels`` become the Prodigy ``options`` of every line and let
        ``decide`` refuse unknown labels.
        """
        if not annotator or not annotator.strip():
            raise StoreError("an annotator id is required to write annotations")
        log_path = Path(path)
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{log_path.parent}: cannot create folder: {error}") from None
        lock = LogLock.acquire(log_path, annotator)
        try:
            warnings: list[str] = []
            if lock.previous is not None:
                warnings.append(
                    f"{log_path}: took over the lock left by {lock.previous.describe()}, "
                    "which is no longer running"
                )
            state = LogState(log_path)
            state._replay()
            if state.torn is not None:
                warnings.append(_set_torn_line_aside(log_path, *state.torn))
                state.torn = None
            warnings.extend(state.warnings)
            log = cls(log_path, annotator, session or _new_session(), labels, lock, state, warnings)
            log._open_for_append()
        except BaseException:
            lock.release()
            raise
        return log

    def _open_for_append(self) -> None:
        existed = self.path.exists()
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open for writing: {error}") from None
        if not existed:
            _fsync_dir(self.path.parent)  # so the new file itself survives a power cut
        self._size = os.fstat(self._fd).st_size

    def close(self) -> None:
        """Close the file and release the lock; safe to call twice."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> AnnotationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._fd is None

    # -- writing --------------------------------------------------------------

    def _append(self, decision: Decision) -> Decision:
        if self._fd is None:
            raise StoreError(f"{self.path}: the log is closed")
        self._count += 1
        decision = replace(decision, id=f"{self.session}#{self._count}")
        payload = decision.to_json()
        try:
            data = (srsly.json_dumps(payload) + "\n").encode("utf-8")
        except (TypeError, ValueError, OverflowError) as error:
            raise StoreError(f"cannot save this decision as JSON: {error}") from None
        offset = self._size
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as error:
            # Cut off a partial line so the next append does not glue onto it.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, offset)
            raise StoreError(f"{self.path}: could not save the decision: {error}") from None
        self._size = offset + len(data)
        before = self.state.version(decision.document)
        self.state._add(offset, payload)
        self.state._decisions[offset] = decision
        self._refresh_cache(decision, before)
        return decision

    def _refresh_cache(self, decision: Decision, before: int) -> None:
        cached = self._cache.get(decision.document)
        if cached is None:
            return
        doc_hash, version, locations, attachment = cached
        fits = (
            not decision.is_correction
            and version == before
            and doc_hash == decision.doc_hash
            and decision.location in locations
        )
        if not fits:
            del self._cache[decision.document]
            return
        if decision.action == LABEL:
            attachment.decisions[decision.location] = decision
        else:
            attachment.decisions.pop(decision.location, None)
        self._cache[decision.document] = (
            doc_hash,
            self.state.version(decision.document),
            locations,
            attachment,
        )

    def _unit(self, document: Document, sentence: Span, turn: Turn | int | None) -> Turn:
        """The turn of a sentence of the corrected document, or a StoreError."""
        if document.text[sentence.start : sentence.end] != sentence.text:
            raise StoreError(f"{document.id}: sentence text does not match the document text")
        self._attachment(document)
        found = self._cache[document.id][2].get((sentence.start, sentence.end))
        if found is None:
            raise StoreError(
                f"{document.id}: {sentence.text[:40]!r} is not a sentence of the document "
                "as corrected by this log (was it merged or split?)"
            )
        wanted = turn.index if isinstance(turn, Turn) else turn
        if wanted is not None and found.index != wanted:
            raise StoreError(f"{document.id}: that sentence is in turn {found.index}, not {wanted}")
        return found

    def _base(self, document: Document, turn: Turn, sentence: Span, action: str) -> Decision:
        return Decision(
            action=action,
            document=document.id,
            doc_hash=self._text_hash(document),
            start=sentence.start,
            end=sentence.end,
            text=sentence.text,
            turn=turn.index,
            speaker=turn.speaker,
            source=document.source,
            annotator=self.annotator,
            session=self.session,
            time=_now(),
            options=self.labels.names if self.labels is not None else (),
        )

    def decide(
        self,
        document: Document,
        turn: Turn | int,
        sentence: Span,
        labels: Sequence[str],
        note: str | None = None,
        flag: bool = False,
        meta: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Record the labels of one sentence (none = reviewed, no label applies)."""
        chosen = tuple(dict.fromkeys(labels))
        if self.labels is not None:
            unknown = [name for name in chosen if name not in self.labels.names]
            if unknown:
                raise StoreError(f"unknown label {unknown[0]!r}; not in {self.labels.source}")
            if self.labels.exclusive and len(chosen) > 1:
                raise StoreError("the label set is exclusive: one label per sentence")
        the_turn = self._unit(document, sentence, turn)
        before = self.decision_for(document, sentence)
        decision = replace(
            self._base(document, the_turn, sentence, LABEL),
            labels=chosen,
            note=note or None,
            flag=flag,
            meta=dict(meta or {}),
        )
        return self._record(_Step(self._append(decision), before))

    def clear(self, document: Document, turn: Turn | int, sentence: Span) -> Decision:
        """Return a sentence to undecided (as if it had never been seen)."""
        the_turn = self._unit(document, sentence, turn)
        before = self.decision_for(document, sentence)
        decision = self._base(document, the_turn, sentence, CLEAR)
        return self._record(_Step(self._append(decision), before))

    def merge(self, document: Document, sentence: Span, next_sentence: Span) -> Decision:
        """Join a sentence with the one after it in the same turn."""
        turn = self._unit(document, sentence, None)
        sentences = turn.sentences
        position = [(s.start, s.end) for s in sentences].index((sentence.start, sentence.end))
        if position + 1 >= len(sentences) or sentences[position + 1] != next_sentence:
            raise StoreError(
                f"{document.id}: can only merge a sentence with the next one in the same turn"
            )
        decision = replace(
            self._base(document, turn, sentence, MERGE),
            next_start=next_sentence.start,
            next_end=next_sentence.end,
            next_text=next_sentence.text,
        )
        return self._record(_Step(self._append(decision)))

    def split(self, document: Document, sentence: Span, offset: int) -> Decision:
        """Split a sentence in two; ``offset`` (into ``document.text``) starts the second."""
        turn = self._unit(document, sentence, None)
        if _split_span(sentence, offset - sentence.start) is None:
            raise StoreError(
                f"{document.id}: cannot split at offset {offset}: both parts must contain text"
            )
        decision = replace(self._base(document, turn, sentence, SPLIT), split_at=offset)
        return self._record(_Step(self._append(decision)))

    def _record(self, step: _Step) -> Decision:
        self._undo.append(step)
        self._redo.clear()
        return step.after

    # -- undo -----------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> Decision | None:
        """Undo this session's last step by appending a line that restores the state
        before it (back to undecided if there was no decision). None if nothing to undo."""
        if not self._undo:
            return None
        step = self._undo.pop()
        line = self._restore(step.after, step.before, UNDO)
        self._redo.append(step)
        return line

    def redo(self) -> Decision | None:
        """Do again the last undone step (appended as a new line)."""
        if not self._redo:
            return None
        step = self._redo.pop()
        line = self._append(replace(step.after, step=REDO, ref=step.after.id, time=_now()))
        # Keep the new line as "after" so a later undo withdraws the right correction.
        self._undo.append(_Step(line, step.before))
        return line

    def _restore(self, after: Decision, before: Decision | None, why: str) -> Decision:
        # Written at the sentence as it is now, even if `before` was made on older text.
        line = replace(after, step=why, ref=after.id, time=_now(), session=self.session)
        if after.is_correction:
            return self._append(replace(line, action=REVERT))
        if before is None:
            line = replace(line, action=CLEAR, labels=(), note=None, flag=False, meta={})
        else:
            line = replace(
                line,
                action=LABEL,
                labels=before.labels,
                note=before.note,
                flag=before.flag,
                meta=dict(before.meta),
            )
        return self._append(line)

    # -- reading --------------------------------------------------------------

    def _attachment(self, document: Document) -> Attachment:
        cached = self._cache.get(document.id)
        doc_hash = self._text_hash(document)
        version = self.state.version(document.id)
        if cached is not None and cached[0] == doc_hash and cached[1] == version:
            return cached[3]
        attachment = self.state.attach(document, self.annotator)
        corrected = self.state.apply_corrections(document)
        locations = {(s.start, s.end): t for t in corrected.turns for s in t.sentences}
        self._cache[document.id] = (doc_hash, version, locations, attachment)
        return attachment

    def _text_hash(self, document: Document) -> str:
        # Hashing a long transcript on every keystroke is wasted work: remember the
        # last text object seen (compared by identity, so an edited text is rehashed).
        text, digest = self._last_hash
        if document.text is not text:
            digest = document.text_hash
            self._last_hash = (document.text, digest)
        return digest

    def attach(self, document: Document) -> tuple[dict[Location, Decision], list[Decision]]:
        """This annotator's decisions by sentence ``(start, end)``, and the orphans."""
        attachment = self._attachment(document)
        return dict(attachment.decisions), list(attachment.orphans)

    def decision_for(self, document: Document, sentence: Span) -> Decision | None:
        """The current decision on a sentence of the corrected document, if any."""
        return self._attachment(document).decisions.get((sentence.start, sentence.end))

    def apply_corrections(self, document: Document) -> Document:
        """The document with this log's merges and splits applied (by text)."""
        return self.state.apply_corrections(document)

    def first_undecided(self, document: Document) -> tuple[int, int] | None:
        """Where to resume: (turn index, sentence index) in the corrected document."""
        corrected = self.state.apply_corrections(document)
        return _first_missing(corrected, self._attachment(document).decisions)


def _set_torn_line_aside(path: Path, offset: int, length: int) -> str:
    """Copy an unterminated last line to a side file, then cut it off the log."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    side = path.with_name(f"{path.name}.torn-{stamp}")
    n = 1
    while side.exists():
        n += 1
        side = path.with_name(f"{path.name}.torn-{stamp}-{n}")
    with open(path, "rb") as handle:
        handle.seek(offset)
        torn = handle.read()
    with open(side, "wb") as handle:
        handle.write(torn)
        handle.flush()
        os.fsync(handle.fileno())
    with open(path, "r+b") as handle:
        handle.truncate(offset)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(path.parent)
    return (
        f"{path}: the last line was incomplete (a session ended while saving it); "
        f"moved {len(torn)} bytes to {side.name}"
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_session() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _unix_seconds(stamp: str) -> int:
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return int(time.time())
