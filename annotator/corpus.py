"""Documents as JSON: the ``parse`` output and prepared corpora on disk.

A prepared corpus is JSON Lines, one segmented document per line, written once
by ``annotator import`` so that opening it later costs a JSON parse, not a
spaCy run. Sentences and notes are stored as ``[start, end]`` pairs into the
document text; their text is sliced back out on reading.

Reading decodes with msgspec, not srsly: importing srsly (and numpy under it)
costs about 0.4 s, which a warm open from the parse cache would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from annotator.errors import CorpusError
from annotator.model import Document, Span, Turn

CORPUS_FORMAT = "annotator-corpus"
CORPUS_VERSION = 1


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
    """Write segmented documents as a prepared corpus; return how many were written.

    The file is written beside its final name and renamed into place, so an
    interrupted import never leaves a half corpus under the real name. ``header``
    adds fields to the header line (the parse cache records its document count).
    """
    import srsly

    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8") as out:
            first = {**(header or {}), "format": CORPUS_FORMAT, "version": CORPUS_VERSION}
            out.write(srsly.json_dumps(first) + "\n")
            for document in documents:
                out.write(srsly.json_dumps(document_to_dict(document, compact=True)) + "\n")
                count += 1
        partial.replace(path)
    except OSError as error:
        raise CorpusError(f"{path}: cannot write the corpus ({error.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


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
    """Read a prepared corpus lazily, one document at a time."""
    path = Path(path)
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as error:
        raise CorpusError(f"{path}: cannot read the corpus ({error.strerror})") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = _json_line(line)
            except ValueError:
                raise CorpusError(f"{path}:{number}: damaged line (not JSON)") from None
            if number == 1:
                if record.get("format") != CORPUS_FORMAT:
                    raise CorpusError(f"{path}: not a prepared corpus (no header line)")
                continue
            try:
                yield document_from_dict(record)
            except (KeyError, TypeError, ValueError):
                raise CorpusError(f"{path}:{number}: damaged document record") from None
