"""One line of the annotation log, declared once.

``Decision`` is a ``msgspec.Struct``: its fields, their types and their order
are the log's line format. Encoding (``encode_line``), decoding with type
validation (``decode_line``) and the narrower view bulk readers use
(``EntryFields``, which ``Decision`` extends) all come from that one
declaration, so adding a field is one edit here. A line is the store's own
fields first, then ``meta``, then the fields Prodigy reads (hashes,
``options``, ``accept``, ``answer`` …), which are computed on encoding and
never trusted on decoding, except ``_input_hash``, which is checked against
the text to catch a damaged line.

The format is described field by field in the README ("A line, field by field").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

import msgspec

#: Version of the line format; a reader refuses lines from a newer writer.
SCHEMA_VERSION: Final = 1

#: ``action`` values about one sentence (the last such line per sentence wins):
#: ``label`` decides it (labels may be empty: reviewed, no label applies);
#: ``clear`` returns it to undecided; ``mark`` keeps it undecided but carries a
#: note and/or a flag; ``exclude`` records it as not a unit of speech.
LABEL: Final = "label"
CLEAR: Final = "clear"
MARK: Final = "mark"
EXCLUDE: Final = "exclude"
#: ``action`` values that correct sentence boundaries; ``revert`` withdraws one.
MERGE: Final = "merge"
SPLIT: Final = "split"
REVERT: Final = "revert"
UNIT_ACTIONS: Final = frozenset({LABEL, CLEAR, MARK, EXCLUDE})
CORRECTIONS: Final = frozenset({MERGE, SPLIT, REVERT})
#: ``step`` values: why the line was written.
DO: Final = "do"
UNDO: Final = "undo"
REDO: Final = "redo"

Action = Literal["label", "clear", "mark", "exclude", "merge", "split", "revert"]
Step = Literal["do", "undo", "redo"]
Offset = Annotated[int, msgspec.Meta(ge=0)]
Location = tuple[int, int]

#: Keys the store itself writes into ``meta`` (copies of its own fields, for
#: Prodigy, which shows ``meta``); the rest of ``meta`` is the caller's.
META_KEYS: Final = frozenset({"document", "source", "turn", "speaker", "start", "end"})


class Option(msgspec.Struct, frozen=True, gc=False):
    """One of Prodigy's ``options`` (a label of the label set)."""

    id: str
    text: str = ""


class EntryFields(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Who recorded what about which sentence: the first fields of every line.

    Bulk readers (agreement) decode lines into this alone and skip the rest;
    ``Decision`` extends it, so the fields are declared once.
    """

    schema: int = SCHEMA_VERSION
    action: Action
    document: str
    annotator: str = ""
    start: Offset
    end: Offset
    turn: Offset = 0
    speaker: str = ""
    text: str
    labels: tuple[str, ...] = ()
    note: str | None = None
    flag: bool = False


class Decision(EntryFields, frozen=True, kw_only=True, gc=False):
    """One line of the log: what one annotator recorded about one sentence, or a
    correction of sentence boundaries.

    ``labels`` empty with ``action == "label"`` means "reviewed, no label
    applies"; a sentence never seen has no line at all. For ``merge`` the
    ``next_*`` fields name the following sentence; for ``split`` ``split_at``
    is the document offset where the second part starts. A ``revert`` line
    repeats the fields of the correction it withdraws (``ref``).
    """

    doc_hash: str
    id: str = ""
    ref: str | None = None
    step: Step = DO
    session: str = ""
    time: str = ""
    source: str = ""
    next_start: Offset | None = None
    next_end: Offset | None = None
    next_text: str | None = None
    split_at: Offset | None = None
    meta: dict[str, Any] = {}
    #: As read from a line: the ``_input_hash`` it carried (checked against ``text``).
    recorded_hash: int | None = msgspec.field(default=None, name="_input_hash")
    options: tuple[Option, ...] = ()

    @property
    def location(self) -> Location:
        return (self.start, self.end)

    @property
    def is_correction(self) -> bool:
        return self.action in CORRECTIONS

    @property
    def decided(self) -> bool:
        """True for a decision (``label``); flags, notes and exclusions are not."""
        return self.action == LABEL

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    @property
    def caller_meta(self) -> dict[str, Any]:
        """``meta`` without the copies of the store's own fields."""
        return {k: v for k, v in self.meta.items() if k not in META_KEYS}

    def to_json(self) -> dict[str, Any]:
        """The line as written, as a dict (what ``encode_line`` serialises)."""
        data = msgspec.structs.asdict(self)
        del data["recorded_hash"], data["options"]
        for name in ("next_start", "next_end", "next_text", "split_at"):
            if data[name] is None:
                del data[name]
        data["meta"] = {
            "document": self.document,
            "source": self.source,
            "turn": self.turn,
            "speaker": self.speaker,
            **self.caller_meta,
        }
        options = self.option_names
        data["_input_hash"] = input_hash(self.text)
        data["_task_hash"] = task_hash(self.text, options)
        data["options"] = [{"id": name, "text": name} for name in options]
        data["labels"] = list(self.labels)
        data["accept"] = list(self.labels) if self.action == LABEL else []
        # Prodigy has no "undecided", "mark" or "correction": readers that only know
        # Prodigy see those lines as skipped ("ignore") rather than as an empty answer.
        data["answer"] = "accept" if self.action == LABEL else "ignore"
        data["_view_id"] = "choice"
        data["_annotator_id"] = self.annotator
        data["_session_id"] = self.session
        data["_timestamp"] = unix_seconds(self.time)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        """A line given as a dict, validated as ``decode_line`` validates bytes."""
        return decode_line(msgspec.json.encode(data))


def make_options(names: Sequence[str]) -> tuple[Option, ...]:
    """The ``options`` of a line from label names."""
    return tuple(Option(name, name) for name in names)


class LineError(ValueError):
    """A line that is not a valid log line; the message names the field."""


class NewerSchemaError(LineError):
    """A line written by a newer version of annotator: its log must not be guessed at."""


class _Version(msgspec.Struct):
    schema: int = SCHEMA_VERSION


_DECODER = msgspec.json.Decoder(Decision)
_ENCODER = msgspec.json.Encoder()


def decode_line(line: bytes) -> Decision:
    """One line of the log, validated by type; ``LineError`` says what is wrong.

    Besides the types: the schema must not be newer than this reader's, a
    sentence cannot end before it starts, and the text must still hash to the
    ``_input_hash`` recorded beside it (a flipped bit inside ``text`` is caught).
    """
    try:
        decision = _DECODER.decode(line)
    except msgspec.ValidationError as error:
        _check_version(line)  # a newer writer's line may well fail the older types
        raise LineError(_describe(str(error))) from None
    except msgspec.DecodeError as error:
        raise LineError(f"not a JSON line ({error})") from None
    check_line(decision)
    return decision


def check_line(decision: Decision) -> None:
    """The checks beyond types that every decoded line passes (see ``decode_line``)."""
    _newer(decision.schema)
    if decision.end < decision.start:
        raise LineError(f"field 'end' ({decision.end}) is before 'start' ({decision.start})")
    if decision.recorded_hash is not None and decision.recorded_hash != input_hash(decision.text):
        raise LineError("field 'text' does not match its recorded _input_hash (damaged text)")


def _newer(schema: int) -> None:
    if schema > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"written by a newer annotator (schema {schema}); upgrade annotator to read it"
        )


def _check_version(line: bytes) -> None:
    try:
        version = msgspec.json.decode(line, type=_Version)
    except msgspec.MsgspecError:
        return
    _newer(version.schema)


def _describe(message: str) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.start`"; name the field plainly.
    head, _, where = message.partition(" - at `$.")
    if where:
        field = where.rstrip("`").split("[")[0].split(".")[0]
        return f"field {field!r}: {head}"
    return head


def encode_line(decision: Decision) -> bytes:
    """The line as written to the log, newline included."""
    return _ENCODER.encode(decision.to_json()) + b"\n"


def prodigy_hash(text: str) -> int:
    """A stable signed 32-bit hash, the integer kind Prodigy uses for its hashes.

    BLAKE2b with a 4-byte digest, read big-endian as a signed int: the same in
    every process and Python version (unlike ``hash()``).
    """
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def input_hash(text: str) -> int:
    """Prodigy ``_input_hash``: the hash of the sentence text."""
    return prodigy_hash(text)


def task_hash(text: str, options: Sequence[str]) -> int:
    """Prodigy ``_task_hash``: the input hash and the option ids, in order."""
    return prodigy_hash(f"{input_hash(text)}|" + "|".join(options))


def now() -> str:
    """The current time as written in ``time`` (UTC, milliseconds, ``Z``)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def unix_seconds(stamp: str) -> int:
    """``time`` as whole Unix seconds (Prodigy's ``_timestamp``); 0 when it cannot be
    read (an unknown time is not now: the same log exports the same data)."""
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0
