"""Documents as JSON: the ``parse`` output and prepared corpora on disk.

A prepared corpus is JSON Lines, one segmented document per line, written once
by ``annotator import`` so that opening it later costs a JSON parse, not a
spaCy run. Sentences and notes are stored as ``[start, end]`` pairs into the
document text; their text is sliced back out on reading.

Reading decodes with msgspec, not srsly: importing srsly (and numpy under it)
costs about 0.4 s, which a warm open from the parse cache would otherwise pay.

The index. Since version 2 the header says ``"index": "last line"`` and the last
line lists every document's byte offset and length, id, title, source, sentence
and turn counts and text hash (``IndexEntry``), so that ``CorpusFile`` opens a
corpus of any size by reading that one line and a document by one seek and one
line's decode. The index is checked when it is read (its own offset, the lines
tiling the file) and each document against it when read, so a corpus cut short
or edited by hand is reported in one line, never read as the wrong text. A
version 1 corpus (no index) opens by scanning its lines once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from annotator.errors import CorpusError
from annotator.model import Document, Span, Turn, text_hash

CORPUS_FORMAT = "annotator-corpus"
#: 2: the last line is the index (``INDEX_FORMAT``); 1: no index.
CORPUS_VERSION = 2
INDEX_FORMAT = "annotator-corpus-index"
#: What each row of the index holds, in order (``IndexEntry``'s fields).
INDEX_COLUMNS = ("offset", "length", "id", "title", "source", "sentences", "turns", "text_hash")


def document_to_dict(document: Document, *, compact: bool = False) -> dict[str, Any]:
    """The JSON form of a document.

    The full form (``compact=False``) is what ``annotator parse`` prints, with the
    text of every turn, note and sentence; the compact form keeps the document
    text once and offsets only, for prepared corpora.
    """
    turns: list[dict[str, Any]] = []
    for turn in document.turns:
        entry: dict[str, Any] = {"speaker": turn.speaker, "speaker_key": turn.speaker_key}
        if compact:
            entry["span"] = [turn.start, turn.end]
            entry["notes"] = [[n.start, n.end] for n in turn.notes]
            entry["sentences"] = [[s.start, s.end] for s in turn.sentences]
        else:
            entry.update(start=turn.start, end=turn.end, text=turn.text)
            entry["notes"] = [n.to_dict() for n in turn.notes]
            entry["sentences"] = [s.to_dict() for s in turn.sentences]
        if turn.timestamp:
            entry["timestamp"] = turn.timestamp
        turns.append(entry)
    record: dict[str, Any] = {
        "id": document.id,
        "source": document.source,
        "title": document.title,
        "preamble": document.preamble,
        "turns": turns,
    }
    if compact:
        record["text"] = document.text
        if document.warnings:
            # What reading the transcript warned about, for the TUI's header.
            record["warnings"] = list(document.warnings)
        if document.convention:
            record["convention"] = document.convention
    return record


def _spans(text: str, pairs: Iterable[list[int]]) -> tuple[Span, ...]:
    return tuple(Span(start, end, text[start:end]) for start, end in pairs)


def document_from_dict(record: dict[str, Any]) -> Document:
    """Rebuild a document from its compact JSON form."""
    text = record["text"]
    turns = []
    for index, entry in enumerate(record["turns"]):
        start, end = entry["span"]
        turns.append(
            Turn(
                index=index,
                speaker=entry["speaker"],
                speaker_key=entry["speaker_key"],
                start=start,
                end=end,
                text=text[start:end],
                notes=_spans(text, entry["notes"]),
                sentences=_spans(text, entry["sentences"]),
                timestamp=entry.get("timestamp"),
            )
        )
    return Document(
        id=record["id"],
        source=record["source"],
        title=record["title"],
        text=text,
        preamble=record["preamble"],
        turns=tuple(turns),
        warnings=tuple(str(w) for w in record.get("warnings", ())),
        convention=str(record.get("convention", "")),
    )


def write_corpus(
    documents: Iterable[Document], path: str | Path, *, header: Mapping[str, Any] | None = None
) -> int:
    """Write segmented documents as a prepared corpus, its index last; return how many
    were written.

    The file is written beside its final name and renamed into place, so an
    interrupted import never leaves a half corpus under the real name. ``header``
    adds fields to the header line (the parse cache records its document count).
    """
    import srsly

    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    rows: list[list[Any]] = []
    try:
        with partial.open("wb") as out:
            first = {
                **(header or {}),
                "format": CORPUS_FORMAT,
                "version": CORPUS_VERSION,
                "index": "last line",
            }
            offset = out.write(srsly.json_dumps(first).encode("utf-8") + b"\n")
            for document in documents:
                line = srsly.json_dumps(document_to_dict(document, compact=True))
                data = line.encode("utf-8") + b"\n"
                out.write(data)
                entry = IndexEntry.of(document, offset, len(data))
                rows.append([getattr(entry, name) for name in INDEX_COLUMNS])
                offset += len(data)
            index = {"format": INDEX_FORMAT, "at": offset, "columns": INDEX_COLUMNS, "rows": rows}
            out.write(srsly.json_dumps(index).encode("utf-8") + b"\n")
        partial.replace(path)
    except OSError as error:
        raise CorpusError(f"{path}: cannot write the corpus ({error.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    return len(rows)


def is_corpus(path: str | Path) -> bool:
    """Whether ``path`` is a prepared corpus (by its header line)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".jsonl":
        return False
    with path.open("rb") as handle:
        first = handle.readline(4096)
    return CORPUS_FORMAT.encode() in first


def _json_line(line: str | bytes) -> Any:
    """One JSON line; what msgspec refuses (a lone surrogate escape) srsly may still read."""
    try:
        return msgspec.json.decode(line)
    except msgspec.DecodeError:
        import srsly

        return srsly.json_loads(line)


def corpus_header(path: str | Path) -> dict[str, Any]:
    """The header line of a prepared corpus (its format, version and any added fields)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            record = _json_line(handle.readline(1 << 16))
    except (OSError, ValueError):
        raise CorpusError(f"{path}: not a prepared corpus (no header line)") from None
    if not isinstance(record, dict) or record.get("format") != CORPUS_FORMAT:
        raise CorpusError(f"{path}: not a prepared corpus (no header line)")
    return record


def read_corpus(path: str | Path) -> Iterator[Document]:
    """Read a prepared corpus lazily, one document at a time (the index line is passed
    over; a corpus whose header promises an index that is not there was cut short)."""
    path = Path(path)
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as error:
        raise CorpusError(f"{path}: cannot read the corpus ({error.strerror})") from None
    indexed = False
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = _json_line(line)
            except ValueError:
                raise CorpusError(f"{path}:{number}: damaged line (not JSON)") from None
            if number == 1:
                if not isinstance(record, dict) or record.get("format") != CORPUS_FORMAT:
                    raise CorpusError(f"{path}: not a prepared corpus (no header line)")
                indexed = bool(record.get("index"))
                continue
            if isinstance(record, dict) and record.get("format") == INDEX_FORMAT:
                return
            try:
                yield document_from_dict(record)
            except (KeyError, TypeError, ValueError):
                raise CorpusError(f"{path}:{number}: damaged document record") from None
    if indexed:
        raise CorpusError(_DAMAGED_INDEX.format(path=path))


_DAMAGED_INDEX = (
    "{path}: the corpus index is damaged or the file was cut short; "
    "import the transcripts again (annotator import)"
)


class IndexEntry(msgspec.Struct, frozen=True, array_like=True):
    """What a corpus's index says of one document: where its line is (``offset``,
    ``length`` in bytes; -1 and 0 for a document held in memory) and what the
    navigator, the header and progress need without reading it. A row of the index
    line is these fields in this order (``INDEX_COLUMNS``), decoded and type-checked
    by msgspec."""

    offset: int
    length: int
    id: str
    title: str
    source: str
    sentences: int
    turns: int
    text_hash: str

    @classmethod
    def of(cls, document: Document, offset: int = -1, length: int = 0) -> IndexEntry:
        return cls(
            offset,
            length,
            document.id,
            document.title,
            document.source,
            document.sentence_count(),
            len(document.turns),
            document.text_hash,
        )


class _Index(msgspec.Struct):
    """The index line."""

    format: str
    at: int
    columns: list[str]
    rows: list[IndexEntry]


_INDEX = msgspec.json.Decoder(_Index)


class _Text(msgspec.Struct):
    """A document record's id and text alone (what a search looks through)."""

    id: str
    text: str


_TEXT = msgspec.json.Decoder(_Text)


class _TurnCounts(msgspec.Struct):
    sentences: list[Any]


class _Summary(msgspec.Struct):
    """The fields of a document record that a scan of an unindexed corpus keeps."""

    id: str
    title: str
    source: str
    text: str
    turns: list[_TurnCounts]


_SUMMARY = msgspec.json.Decoder(_Summary)


class CorpusFile:
    """A prepared corpus opened by its index: every document's ``IndexEntry`` in memory,
    each document read from the file only when asked for (``read``), never kept.

    ``indexed`` is False for a version 1 corpus, whose entries come from one scan.
    """

    def __init__(self, path: Path, entries: list[IndexEntry], *, indexed: bool) -> None:
        self.path = path
        self.entries = entries
        self.indexed = indexed

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def open(cls, path: str | Path) -> CorpusFile:
        """Read the index (or scan an unindexed corpus); ``CorpusError`` in one line
        naming the file when it is not a corpus, or its index is damaged."""
        path = Path(path)
        header = corpus_header(path)
        try:
            with path.open("rb") as handle:
                start = len(handle.readline())
                if header.get("index"):
                    return cls(path, _read_index(path, handle, start), indexed=True)
                return cls(path, _scan(path, handle, start), indexed=False)
        except OSError as error:
            raise CorpusError(f"{path}: cannot read the corpus ({error.strerror})") from None

    def _line(self, number: int) -> bytes:
        entry = self.entries[number]
        try:
            with self.path.open("rb") as handle:
                handle.seek(entry.offset)
                return handle.read(entry.length)
        except OSError as error:
            raise CorpusError(f"{self.path}: cannot read the corpus ({error.strerror})") from None

    def _misplaced(self, number: int) -> CorpusError:
        return CorpusError(
            f"{self.path}: document {number + 1} ({self.entries[number].id}) is not where "
            "the corpus index says; the index is damaged: import the transcripts again "
            "(annotator import)"
        )

    def text(self, number: int) -> str:
        """The text of document ``number`` alone, without building its turns and
        sentences (a search across the corpus looks through it first)."""
        line = self._line(number)
        try:
            try:
                found = _TEXT.decode(line)
                doc_id, text = found.id, found.text
            except msgspec.ValidationError:
                raise
            except msgspec.DecodeError:
                record = _json_line(line)
                doc_id, text = record["id"], record["text"]
        except (KeyError, TypeError, ValueError, msgspec.MsgspecError):
            raise self._misplaced(number) from None
        if doc_id != self.entries[number].id or not isinstance(text, str):
            raise self._misplaced(number)
        return text

    def read(self, number: int) -> Document:
        """Document ``number`` (from 0): one seek, one line, one decode, checked against
        the index (a line that is not where the index says is damage, not a document)."""
        entry = self.entries[number]
        line = self._line(number)
        document = None
        if len(line) == entry.length and line.startswith(b"{"):
            try:
                document = document_from_dict(_json_line(line))
            except (KeyError, TypeError, ValueError, AttributeError):
                document = None
        if document is None or document.id != entry.id:
            raise self._misplaced(number)
        return document


def _read_index(path: Path, handle: Any, start: int) -> list[IndexEntry]:
    """The index line at the end of the file, checked: it knows its own offset, and its
    documents' lines tile the file from the header to it, in order."""
    size = handle.seek(0, 2)
    # The last line: read backwards in growing chunks until the newline before it.
    chunk = 1 << 16
    while True:
        begin = max(0, size - chunk)
        handle.seek(begin)
        tail = handle.read(size - begin)
        cut = tail.rfind(b"\n", 0, len(tail) - 1)
        if cut >= 0 or begin == 0:
            break
        chunk *= 4
    at = begin + cut + 1
    line = tail[cut + 1 :]
    try:
        if not line.endswith(b"\n"):
            raise ValueError
        try:
            index = _INDEX.decode(line)
        except msgspec.ValidationError:
            raise
        except msgspec.DecodeError:  # a lone surrogate in a title: srsly reads it
            index = msgspec.convert(_json_line(line), _Index)
        if index.format != INDEX_FORMAT or index.at != at:
            raise ValueError
        if index.columns != list(INDEX_COLUMNS):
            raise ValueError
    except (ValueError, TypeError, KeyError, msgspec.MsgspecError):
        raise CorpusError(_DAMAGED_INDEX.format(path=path)) from None
    entries = index.rows
    expected = start
    for entry in entries:
        if entry.offset != expected or entry.length <= 0:
            raise CorpusError(_DAMAGED_INDEX.format(path=path))
        expected += entry.length
    if expected != at:
        raise CorpusError(_DAMAGED_INDEX.format(path=path))
    return entries


def _scan(path: Path, handle: Any, start: int) -> list[IndexEntry]:
    """The entries of a corpus without an index (version 1): every line decoded once,
    only its counts kept."""
    entries: list[IndexEntry] = []
    offset = start
    for number, line in enumerate(handle, start=2):
        length = len(line)
        if line.strip():
            try:
                try:
                    s = _SUMMARY.decode(line)
                    summary = (s.id, s.title, s.source, s.text, [len(t.sentences) for t in s.turns])
                except msgspec.DecodeError:
                    record = _json_line(line)  # a lone surrogate: srsly reads it
                    counts = [len(t["sentences"]) for t in record["turns"]]
                    summary = (
                        record["id"],
                        record["title"],
                        record["source"],
                        record["text"],
                        counts,
                    )
            except (KeyError, TypeError, ValueError):
                raise CorpusError(f"{path}:{number}: damaged document record") from None
            doc_id, title, source, text, counts = summary
            entry = IndexEntry(
                offset, length, doc_id, title, source, sum(counts), len(counts), text_hash(text)
            )
            entries.append(entry)
        offset += length
    return entries


def corpus_size(path: str | Path) -> int:
    """How many documents a corpus holds, cheaply: its index's count, or its lines."""
    path = Path(path)
    if corpus_header(path).get("index"):
        return len(CorpusFile.open(path))
    with path.open("rb") as handle:
        return max(0, sum(1 for line in handle if line.strip()) - 1)
