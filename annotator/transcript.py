"""Read transcripts of official statements into speaker turns.

A transcript as it comes off a government web page or out of a PDF: a preamble
(headline, byline, front matter, place and time lines), then speaker labels,
each opening a turn that runs until the next label. Which labels a document
uses is inferred from the document itself (``annotator.ingest.conventions``):
``SECRETARY BLINKEN:``, ``Q``, ``**Mr. Cameron (Witney) (Con):**``,
``    Mr. Koo. Thank you``, ``CHAIR POWELL.  Good evening``, ``Name (00:12):``,
``President. –`` and more. Page furniture (repeated headers, line numbers,
headings, editorial notes) and stage directions stay in the text at their
offsets and are recorded as notes, which are shown but never annotated.
Which lines open turns is found by ``ingest.label_lines.read_labels``; this
module decodes files and builds the turns, the preamble and the title.

Changing what a transcript reads as (turns, speakers, notes, warnings, the
convention)? Bump ``ingest.READER_VERSION``, the parse cache's key.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.config import compile_speaker_pattern
from annotator.errors import TranscriptError
from annotator.ingest.conventions import Convention, format_explanation
from annotator.ingest.files import (
    TRANSCRIPT_SUFFIXES,
    folder_doc_id,
    transcript_files,
    transcript_paths,
)
from annotator.ingest.furniture import TIME_LINE, find_notes, is_furniture, is_page_number
from annotator.ingest.keys import STATEMENT, speaker_keys
from annotator.ingest.label_lines import Reading, in_spans, match_label, read_labels
from annotator.ingest.labels import looks_like_speaker
from annotator.ingest.page_heads import format_page_heads
from annotator.ingest.report import ONE_SPEECH, document_warnings, page_head_warnings
from annotator.inputs import open_input, read_input, shown
from annotator.model import Document, Turn

__all__ = [
    "TRANSCRIPT_SUFFIXES",
    "Reading",
    "compile_speaker_pattern",
    "decode_bytes",
    "find_notes",
    "folder_doc_id",
    "is_furniture",
    "looks_like_speaker",
    "match_label",
    "parse_text",
    "parse_transcript",
    "read_documents",
    "read_file",
    "read_labels",
    "speaker_keys",
    "transcript_files",
    "transcript_paths",
]


# --- reading files ---------------------------------------------------------------


def decode_bytes(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode a transcript file: UTF-8 (BOM or not), UTF-16 with BOM, or Windows-1252.

    Line ends are normalised to ``\\n``. Returns the text and any warnings.
    """
    warnings: list[str] = []
    if not data.strip():
        raise TranscriptError(f"{source}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise TranscriptError(f"{source}: unreadable UTF-16 text ({error.reason})") from None
    else:
        if b"\x00" in data[:8192]:
            raise TranscriptError(f"{source}: this is a binary file, not a transcript")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise TranscriptError(
                    f"{source}: unreadable encoding (neither UTF-8 nor Windows-1252)"
                ) from None
            warnings.append(f"{source}: not UTF-8; read as Windows-1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\t\f\x1b")
    if controls > 8:
        raise TranscriptError(f"{source}: this is a binary file, not a transcript")
    return text, warnings


def _front_matter_end(text: str) -> int:
    """End offset of YAML front matter (``---`` ... ``---``) at the top, else 0."""
    if not text.startswith("---\n"):
        return 0
    closing = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if not closing:
        return 0
    end = 4 + closing.end()
    return end + 1 if text[end : end + 1] == "\n" else end


def _title(text: str, front_matter_end: int, preamble: str) -> str:
    if front_matter_end:
        try:
            import yaml

            # libyaml's loader when present: the pure-Python one is slow enough to
            # show in the import of a large collection.
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            meta = yaml.load(text[4:front_matter_end].rstrip("-.\n"), Loader=loader)
            if isinstance(meta, dict) and isinstance(meta.get("title"), str):
                return re.sub(r"\s+", " ", meta["title"]).strip()
        except Exception:
            pass
    for line in preamble.splitlines():
        line = line.strip().strip("#*").strip()
        if line and not is_furniture(line) and not TIME_LINE.match(line):
            return line
    return ""


def _trim_end(text: str, start: int, end: int, furniture: list[tuple[int, int]]) -> int:
    """Move a turn's end back over blank lines, trailing furniture and standalone notes."""
    starts = [span[0] for span in furniture]
    while end > start:
        body_end = end
        while body_end > start and text[body_end - 1].isspace():
            body_end -= 1
        line_start = max(text.rfind("\n", start, body_end) + 1, start)
        if line_start <= start or body_end <= line_start:
            return body_end
        cut = None
        if is_furniture(text[line_start:body_end]):
            cut = line_start
        elif in_spans(furniture, starts, body_end - 1):
            # A wrapped editorial note spans lines: cut at the line where it opens.
            note_start = furniture[bisect.bisect_right(starts, body_end - 1) - 1][0]
            cut = max(text.rfind("\n", start, note_start) + 1, start)
        if cut is None or cut <= start:
            return body_end
        end = cut
    return end


_OFFICE = re.compile(
    r"^\s*(?:The )?(?:Office of (?:the )?[A-Z][^\n]{2,60}|[A-Z][\w .'&-]{2,50} Press Office)\s*$",
    re.MULTILINE,
)


#: How many lines at the top of an unlabelled document may name its issuing office.
OFFICE_LINES = 8


def parse_text(
    text: str,
    *,
    doc_id: str,
    source: str,
    speaker_pattern: re.Pattern[str] | None = None,
    warnings: Iterable[str] = (),
    infer_labels: bool = True,
    section: tuple[int, int] | None = None,
) -> Document:
    """Read decoded transcript text into a ``Document`` of speaker turns (no sentences yet).

    A text with no speaker labels is one turn with a warning; the commands refuse a
    long one unless allowed (``report.check_one_speech``): a readout is one speech, a
    hearing is not. A one-speech turn is given the issuing office when the preamble names it.
    """
    all_warnings = list(warnings)
    # A later section of a long transcript (``annotator.stream``): no front matter, and
    # line and turn numbers in warnings continue from the sections before it.
    lines_before, turns_before = section or (0, 0)
    body_start = _front_matter_end(text) if section is None else 0
    reading = read_labels(text, body_start, speaker_pattern, infer_labels, lines_before)
    furniture = list(reading.furniture)
    opened = reading.opened
    raw: list[tuple[str, int, int, str | None]] = []  # speaker, start, end, timestamp
    for number, (line_start, found) in enumerate(opened):
        next_start = opened[number + 1][0] if number + 1 < len(opened) else len(text)
        start = line_start + found.content_start
        while start < next_start and text[start].isspace():
            start += 1
        end = _trim_end(text, start, next_start, furniture)
        if end <= start:
            # A cut-off label with no text is not a turn.
            continue
        raw.append((found.speaker, start, end, found.timestamp))
    if not raw:
        start = body_start
        while start < len(text) and text[start].isspace():
            start += 1
        end = _trim_end(text, start, len(text), furniture)
        if end <= start:
            raise TranscriptError(f"{source}: no text to annotate")
        # A statement issued by an office names it on its own line near the top (after a
        # title, perhaps): the office is the speaker, and what is above it the preamble.
        # Without one the turn is "(statement)", never an unnamed speaker.
        head_end = start
        for _ in range(OFFICE_LINES):
            newline = text.find("\n", head_end, end)
            if newline < 0:
                break
            head_end = newline + 1
        office = _OFFICE.search(text, start, head_end)
        speaker = " ".join(office.group().split()) if office else STATEMENT
        if office and text[office.end() : end].strip():
            start = office.end()
            while start < end and text[start].isspace():
                start += 1
        all_warnings.append(f"{source}: {ONE_SPEECH}")
        raw.append((speaker, start, end, None))
        preamble = text[body_start:start].strip()
    else:
        preamble = text[body_start : opened[0][0]].strip()
    turns = _build_turns(text, raw, furniture)
    all_warnings.extend(page_head_warnings(source, list(reading.page_heads)))
    all_warnings.extend(
        document_warnings(
            source,
            [turn.speaker for turn in turns],
            [len(turn.text.split()) for turn in turns],
            list(reading.not_taken),
            turns_before,
        )
    )
    # The title is no running head: a furniture line the document repeats is not considered.
    running = {
        text[begin:end].strip()
        for begin, end in furniture
        if begin < (opened[0][0] if opened else len(text))
    }
    heads = "\n".join(
        line
        for line in preamble.splitlines()
        if not line.strip()
        or not (is_page_number(line) or (text.count(line.strip()) > 1 and line.strip() in running))
    )
    title = _title(text, body_start, heads)
    front = text[:body_start].strip()
    full_preamble = "\n\n".join(part for part in (front, preamble) if part)
    return Document(
        id=doc_id,
        source=source,
        title=title,
        text=text,
        preamble=full_preamble,
        turns=turns,
        warnings=tuple(all_warnings),
        convention=reading.convention.name,
    )


def explain_text(text: str, speaker_pattern: re.Pattern[str] | None = None) -> Convention:
    """The convention ``parse_text`` chooses for ``text`` (for ``--explain`` and the report)."""
    return read_labels(text, _front_matter_end(text), speaker_pattern).convention


def _spans_within(
    spans: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> list[tuple[int, int]]:
    """The parts of sorted ``spans`` that fall between ``start`` and ``end``."""
    found = []
    for index in range(max(0, bisect.bisect_left(starts, start) - 1), len(spans)):
        begin, finish = spans[index]
        if begin >= end:
            break
        if finish > start:
            found.append((max(begin, start), min(finish, end)))
    return found


def _build_turns(
    text: str,
    raw: list[tuple[str, int, int, str | None]],
    furniture: list[tuple[int, int]] | None = None,
) -> tuple[Turn, ...]:
    """Turns from (speaker, start, end, timestamp) rows: speaker keys, text and notes."""
    keys = speaker_keys([speaker for speaker, *_ in raw])
    starts = [span[0] for span in furniture or ()]
    turns = []
    for index, (speaker, start, end, timestamp) in enumerate(raw):
        inside = None if furniture is None else _spans_within(furniture, starts, start, end)
        turns.append(
            Turn(
                index=index,
                speaker=speaker,
                speaker_key=keys[index] if speaker else "unknown",
                start=start,
                end=end,
                text=text[start:end],
                notes=tuple(find_notes(text[start:end], start, inside)),
                timestamp=timestamp,
            )
        )
    return tuple(turns)


def _turns_from_jsonl(path: Path) -> list[Document]:
    """JSONL of already-split turns: ``{"speaker": ..., "text": ...}`` per line.

    An optional ``document`` (or ``doc_id``) field groups lines into documents;
    without it the whole file is one document.
    """
    import srsly  # here, not at the top: a warm open from the parse cache never needs it

    groups: dict[str, list[tuple[str, str]]] = {}
    name = shown(path)
    with open_input(path, what="JSON Lines file") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            try:
                record = srsly.json_loads(raw_line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                raise TranscriptError(f"{name}:{number}: not valid JSON ({error})") from None
            if isinstance(record, dict) and "action" in record and "doc_hash" in record:
                raise TranscriptError(
                    f"{name}: an annotation log, not transcript turns "
                    "(status, export and agree read logs; annotate opens transcripts)"
                )
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise TranscriptError(f'{name}:{number}: each line needs a "text" string')
            doc_id = str(record.get("document") or record.get("doc_id") or shown(path.stem))
            speaker = str(record.get("speaker") or "")
            groups.setdefault(doc_id, []).append((speaker, record["text"]))
    if not groups:
        raise TranscriptError(f"{name}: the file holds no turns")
    documents = []
    for doc_id, rows in groups.items():
        pieces: list[str] = []
        raw: list[tuple[str, int, int, str | None]] = []
        position = 0
        for speaker, turn_text in rows:
            prefix = f"{speaker}: " if speaker else ""
            body = turn_text.strip()
            start = position + len(prefix)
            pieces.append(prefix + body + "\n\n")
            if body:
                raw.append((speaker, start, start + len(body), None))
            position += len(prefix) + len(body) + 2
        text = "".join(pieces)
        turns = _build_turns(text, raw)
        documents.append(Document(doc_id, name, doc_id, text, "", turns))
    return documents


def parse_transcript(
    path: str | Path,
    speaker_pattern: re.Pattern[str] | None = None,
    doc_id: str | None = None,
    data: bytes | None = None,
) -> Document:
    """Read one transcript file into a ``Document`` (turns and notes, no sentences).

    ``data``: the file's bytes when the caller has read them already (the parse
    cache hashes them), so the file is not read twice.
    """
    path = Path(path)
    if data is None:
        data = read_input(path, what="transcript")
    text, warnings = decode_bytes(data, shown(path))
    return parse_text(
        text,
        doc_id=doc_id or shown(path.stem),
        source=shown(path),
        speaker_pattern=speaker_pattern,
        warnings=warnings,
    )


def read_documents(
    paths: Iterable[str | Path], speaker_pattern: re.Pattern[str] | None = None
) -> Iterator[Document]:
    """Read transcripts, JSONL turn files and folders of them, in order.

    Folders are searched recursively for ``.txt``, ``.md`` and ``.jsonl`` files;
    a folder with none is an error. Documents are yielded lazily so a caller
    can start on the first while the rest are read.
    """
    for path, doc_id in transcript_paths(paths):
        yield from read_file(path, speaker_pattern, doc_id)


def read_file(
    path: Path,
    speaker_pattern: re.Pattern[str] | None,
    doc_id: str | None,
    data: bytes | None = None,
) -> Iterator[Document]:
    """The documents of one transcript or JSONL turns file (``data``: its bytes, if read)."""
    if path.suffix.lower() == ".jsonl":
        yield from _turns_from_jsonl(path)
    else:
        yield parse_transcript(path, speaker_pattern, doc_id, data)


def explain_paths(
    paths: Iterable[str | Path], speaker_pattern: re.Pattern[str] | None = None
) -> Iterator[str]:
    """For ``annotator parse --explain``: each transcript's convention and evidence, for
    the files ``parse`` reads (a missing path or an empty folder is its error too)."""
    from annotator.sources import source_files  # the layer above: only when explaining

    for source in source_files(paths):
        file = source.path
        if source.kind == "turns":
            yield f"{file}: JSON Lines turns; speakers are given, not inferred"
            continue
        if source.kind == "extracted":
            from annotator.extract import extract_file

            # The text the reader reads for a web page, PDF or Word file: the extraction.
            text = extract_file(file).text
        else:
            text, _warnings = decode_bytes(read_input(file, what="transcript"), shown(file))
        reading = read_labels(text, _front_matter_end(text), speaker_pattern)
        explained = format_explanation(reading.convention, shown(file))
        yield "\n".join([explained, *format_page_heads(reading.page_heads)])
