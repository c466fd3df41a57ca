"""Parse a very large transcript a section at a time: memory follows the longest turn.

``annotator parse`` prints turns, notes and sentences, never the whole document
text, so a transcript of hundreds of megabytes need not be held at once. The
file is decoded block by block; each section of text (a few megabytes, cut at
a turn boundary) is read into turns with the ordinary reader and segmented,
and every turn but the last is written at once with its offsets into the whole
text. The last turn may go on in the next block, so its text is carried into
the next section and read again there, whole. A section is never smaller than
its longest turn, so memory is proportional to a section and a turn, not to the
file. The first section gives the document's title and preamble; the label
convention is inferred per section (each holds thousands of labels); a speaker
keeps the key it was first given.

The result matches a whole-file parse turn for turn and offset for offset on
text whose page furniture does not depend on repetition across sections; the
report's counts are summed over sections. A file that is not UTF-8 (or is
UTF-16, or has no turn boundary within it) is left to the whole-file reader.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from annotator.corpus import document_to_dict
from annotator.errors import TranscriptError
from annotator.ingest.report import (
    ONE_SPEECH,
    ImportReport,
    long_sentence_warning,
    long_sentences,
)
from annotator.inputs import open_input, shown
from annotator.model import Document
from annotator.transcript import parse_text

if TYPE_CHECKING:
    from spacy.language import Language

#: Files larger than this are parsed in sections by ``annotator parse``.
STREAM_BYTES = 32 * 2**20
#: About how much text one section holds (more when a turn is longer).
SECTION_CHARS = 4 * 2**20
_BLOCK_BYTES = 4 * 2**20
_ANONYMOUS_KEY = re.compile(r"#\d+$")


def _decoded_blocks(path: Path) -> Iterator[str]:
    """The file's text in blocks, as ``decode_bytes`` would give it whole: UTF-8, a BOM
    dropped, line ends ``\\n``. Raises ``UnicodeDecodeError`` on bytes that are not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending_cr = False
    with open_input(path, what="transcript") as handle:
        while True:
            data = handle.read(_BLOCK_BYTES)
            text = decoder.decode(data, final=not data)
            if pending_cr:
                text = "\r" + text
            # A CR at a block's end may be the first half of a CRLF.
            pending_cr = bool(data) and text.endswith("\r")
            if pending_cr:
                text = text[:-1]
            if text:
                yield text.replace("\r\n", "\n").replace("\r", "\n")
            if not data:
                return


def streamable(path: Path) -> bool:
    """Whether ``path`` is a plain transcript large enough, and UTF-8, to parse in sections."""
    if path.suffix.lower() not in (".txt", ".md") or not path.is_file():
        return False
    if path.stat().st_size <= STREAM_BYTES:
        return False
    with open_input(path, what="transcript") as handle:
        head = handle.read(8192)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False
    try:
        for _ in _decoded_blocks(path):
            pass
    except UnicodeDecodeError:
        return False
    return True


@dataclasses.dataclass
class _Totals:
    """The import report's figures, summed over sections."""

    convention: str = ""
    turns: int = 0
    words: int = 0
    notes: int = 0
    sentences: int = 0
    speakers: set[str] = dataclasses.field(default_factory=set)
    warnings: list[str] = dataclasses.field(default_factory=list)
    long_sentences: int = 0
    first_long: tuple[int, int] | None = None  # (line, turn) of the first long sentence


def stream_parse(
    path: Path,
    nlp: Language,
    write: Callable[[str], Any],
    *,
    speaker_pattern: re.Pattern[str] | None = None,
    check: Callable[[Document], None] | None = None,
    section_chars: int = SECTION_CHARS,
) -> ImportReport:
    """Write ``path``'s document as ``annotator parse`` prints it, one section at a time.

    ``check`` sees the first section's document (turns, no sentences) before
    anything is written, and may refuse it (a long text with no labels).
    Returns the import report, summed over sections.
    """
    from annotator.segment import segment_document, wrap_width

    source = shown(path)
    doc_id = shown(path.stem)
    totals = _Totals()
    keys: dict[str, str] = {}
    started = False
    base = 0  # where the buffer starts in the whole text
    lines_before = 0
    buffer = ""
    wanted = section_chars
    wrap: int | None = None
    blocks = _decoded_blocks(path)
    finished = False
    while not finished:
        for block in blocks:
            buffer += block
            if len(buffer) >= wanted:
                break
        else:
            finished = True
        if not buffer.strip():
            break
        section = (lines_before, totals.turns) if started else None
        document = parse_text(
            buffer,
            doc_id=doc_id,
            source=source,
            speaker_pattern=speaker_pattern,
            section=section,
        )
        turns = document.turns
        if not finished and len(turns) < 2:
            # One turn so far, which may go on: read as much again before cutting.
            wanted = 2 * len(buffer)
            continue
        wanted = section_chars
        keep = turns if finished else turns[:-1]
        if not started:
            if check is not None:
                check(document)
            totals.convention = document.convention
            write(_document_head(document))
            started = True
        # Warnings about turns and lines; whether the whole is one speech is decided
        # on the first section (``check``), not per section.
        totals.warnings.extend(w for w in document.warnings if not _whole_document(w))
        if wrap is None:
            # Judged once, on the first section: a short last section would judge worse.
            wrap = wrap_width(buffer) if "\n" in buffer else 0
        segmented = segment_document(dataclasses.replace(document, turns=keep), nlp, wrap)
        _write_turns(segmented, base, totals, keys, write, lines_before)
        if finished:
            break
        cut = keep[-1].end
        lines_before += buffer.count("\n", 0, cut)
        base += cut
        buffer = buffer[cut:]
    if not started:
        raise TranscriptError(f"{source}: no text to annotate")
    write("]}\n")
    return _report(doc_id, source, totals)


def _whole_document(warning: str) -> bool:
    return warning.endswith(ONE_SPEECH) or "read as one turn" in warning or "all by one" in warning


def _document_head(document: Document) -> str:
    """The JSON object's opening, up to and into its list of turns: the whole-file
    form without turns, open at the end (``..."turns":[``)."""
    empty = srsly.json_dumps(document_to_dict(dataclasses.replace(document, turns=())))
    if not empty.endswith('"turns":[]}'):
        raise AssertionError("document_to_dict must end with its turns")
    return empty[: -len("]}")]


def _shift(entry: dict[str, Any], base: int) -> None:
    entry["start"] += base
    entry["end"] += base
    for span in (*entry["notes"], *entry["sentences"]):
        span["start"] += base
        span["end"] += base


def _write_turns(
    document: Document,
    base: int,
    totals: _Totals,
    keys: dict[str, str],
    write: Callable[[str], Any],
    lines_before: int,
) -> None:
    entries = document_to_dict(document)["turns"]
    for turn, entry in zip(document.turns, entries, strict=True):
        index = totals.turns
        if _ANONYMOUS_KEY.search(turn.speaker_key):
            # ``Q#3``: numbered by the turn's place in the whole document.
            entry["speaker_key"] = _ANONYMOUS_KEY.sub(f"#{index + 1}", turn.speaker_key)
        else:
            entry["speaker_key"] = keys.setdefault(turn.speaker, turn.speaker_key)
        _shift(entry, base)
        write(("," if index else "") + srsly.json_dumps(entry))
        totals.turns += 1
        totals.words += len(turn.text.split())
        totals.notes += len(turn.notes)
        totals.sentences += len(turn.sentences)
        if turn.speaker:
            totals.speakers.add(entry["speaker_key"])
    long = long_sentences(document)
    if long:
        if totals.first_long is None:
            turn_index, sentence = long[0]
            line = lines_before + document.text.count("\n", 0, sentence.start) + 1
            turn_number = totals.turns - len(document.turns) + turn_index + 1
            totals.first_long = (line, turn_number)
        totals.long_sentences += len(long)


def _report(doc_id: str, source: str, totals: _Totals) -> ImportReport:
    warnings = list(dict.fromkeys(totals.warnings))
    if totals.first_long is not None:
        line, turn = totals.first_long
        warnings.append(long_sentence_warning(source, totals.long_sentences, line, turn))
    return ImportReport(
        doc_id=doc_id,
        source=source,
        convention=f"{totals.convention} (read in sections)",
        turns=totals.turns,
        speakers=len(totals.speakers),
        words=totals.words,
        notes=totals.notes,
        sentences=totals.sentences,
        warnings=tuple(warnings),
    )


__all__ = ["STREAM_BYTES", "stream_parse", "streamable"]
