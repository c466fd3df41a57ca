"""Read transcripts of official statements into speaker turns.

A transcript as it comes off a government web page: a preamble (headline,
byline, front matter, place and time lines), then speaker labels such as
``SECRETARY BLINKEN:``, ``Q``, ``**Mr. Cameron (Witney) (Con):**``,
``Mr. MORAN.`` or ``President. –``, each opening a turn that runs until the
next label. Stage directions and interpreter notes stay in the turn text and
are recorded as notes, which are shown but never annotated.

The reader works line by line: a line either opens a turn (it starts with a
speaker label) or continues the current one. Whether a line-initial phrase
followed by a colon is a speaker or prose (``He said:``) is decided by
``looks_like_speaker``, which wants a name-shaped phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import srsly

from annotator.errors import TranscriptError
from annotator.model import Document, Span, Turn

TRANSCRIPT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".jsonl"}

# --- speaker labels -------------------------------------------------------

_WS = r"[ \t\u00a0\u2002\u2003\u2009\u202f]"
_BOLD = r"(?:\*\*|__)"

# ``Matthew Miller (00:12):`` (Rev-style, the label often alone on its line).
_TIMESTAMPED = re.compile(
    rf"^{_WS}*{_BOLD}?(?P<label>[^\n():*]{{1,80}}?){_WS}*"
    rf"\((?P<ts>\d{{1,2}}:\d{{2}}(?::\d{{2}})?)\){_WS}*{_BOLD}?:{_BOLD}?(?={_WS}|$)"
)
# ``SECRETARY BLINKEN:``, ``**Mr. Cameron (Witney) (Con):**``, ``Q:``.
_COLON = re.compile(
    rf"^{_WS}*{_BOLD}?{_WS}*(?P<label>[^\n:：*]{{1,110}}?){_WS}*{_BOLD}?{_WS}*:{_BOLD}?(?={_WS}|$)"
)
# White House ``Q`` followed by non-breaking spaces and no colon; ``Q.`` too.
_BARE_Q = re.compile(rf"^{_WS}*(?P<label>Q|QUESTION)(?:\.?{_WS}+)(?=\S)")
# Congressional Record: ``Mr. MORAN.``, ``The PRESIDING OFFICER (Mr. Bennet).``
_CAPS_WORD = r"(?:Mc|Mac|De|Van|Von|O')?[A-Z][A-Z'\-]+"
_PERIOD = re.compile(
    rf"^{_WS}*(?P<label>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.{_WS}+{_CAPS_WORD}(?:{_WS}+{_CAPS_WORD})*"
    rf"(?:{_WS}+of{_WS}+[A-Z][a-z]+(?:{_WS}+[A-Z][a-z]+)?)?"
    rf"|The{_WS}+(?:[A-Z]{{2,}}{_WS}+)*[A-Z]{{2,}}(?:{_WS}+pro{_WS}+tempore)?)"
    rf"(?:{_WS}*\([^()\n]{{1,60}}\))?)\.(?:{_WS}+|$)"
)
_PERIOD_OPENERS = ("Mr", "Mrs", "Ms", "Miss", "Dr", "The")
# European Parliament: ``President. –``, ``Name (PPE). –``, ``Name, on behalf of the S&D Group. –``
_DASH = re.compile(
    rf"^{_WS}*{_BOLD}?(?P<label>[^\n.:*][^\n:*]{{0,150}}?)\.{_BOLD}?{_WS}*[–—-]{_WS}+"
)

_PAREN = re.compile(r"\s*\([^()]*\)")
_HONORIFICS = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "sir",
    "lord",
    "lady",
    "dame",
    "baroness",
    "baron",
    "the",
    "hon",
    "rt",
    "right",
    "madam",
    "madame",
    "monsieur",
    "m",
    "h.e",
    "he",
}
_TITLE_WORDS = {
    "ambassador",
    "secretary",
    "minister",
    "president",
    "prime",
    "foreign",
    "defense",
    "defence",
    "deputy",
    "general",
    "gen",
    "admiral",
    "adm",
    "senator",
    "sen",
    "representative",
    "rep",
    "chairman",
    "chairwoman",
    "chair",
    "governor",
    "gov",
    "mayor",
    "judge",
    "justice",
    "commissioner",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "press",
    "director",
    "under",
    "assistant",
    "special",
    "envoy",
    "colonel",
    "col",
    "lieutenant",
    "lt",
    "captain",
    "capt",
    "major",
    "maj",
    "sergeant",
    "sgt",
    "professor",
    "prof",
    "king",
    "queen",
    "prince",
    "princess",
    "chancellor",
    "vice",
    "member",
    "members",
    "principal",
    "senior",
    "state",
    "of",
    "for",
    "and",
    "national",
    "security",
    "advisor",
    "adviser",
    "attorney",
    "high",
    "permanent",
    "acting",
    "first",
    "second",
    "lady",
    "gentleman",
    "chief",
    "staff",
    "officer",
    "presiding",
    "speaker",
    "pro",
    "tempore",
    "marshal",
    "mr.",
    "brigadier",
    "major-general",
    "lieutenant-general",
    "air",
    "vice-president",
    "ministers",
    "officials",
    "official",
    "administration",
    "department",
    "pentagon",
    "white",
    "house",
    "moderator",
    "coordinator",
    "strategic",
    "communications",
    "cabinet",
    "sheikh",
    "his",
    "her",
    "excellency",
    "majesty",
    "highness",
    "rev",
    "reverend",
    "father",
    "sister",
    "dean",
}
_ROLE_WORDS = {
    "moderator",
    "operator",
    "question",
    "answer",
    "interpreter",
    "president",
    "chair",
    "chairman",
    "chairwoman",
    "speaker",
    "spokesperson",
    "spokesman",
    "reporter",
    "participant",
    "audience",
    "q",
    "a",
    "journalist",
    "host",
    "translator",
    "presenter",
    "interviewer",
    "interviewee",
    "narrator",
    "witness",
    "panelist",
    "clerk",
}
_CONNECTORS = {
    "of",
    "the",
    "for",
    "and",
    "de",
    "del",
    "der",
    "den",
    "van",
    "von",
    "la",
    "le",
    "du",
    "da",
    "di",
    "al",
    "el",
    "bin",
    "ibn",
    "y",
    "on",
    "to",
    "pro",
    "tempore",
    "in",
    "from",
    "at",
    "&",
}
_NOT_SPEAKERS = {
    "note",
    "notes",
    "editor's note",
    "editors note",
    "update",
    "updated",
    "source",
    "sources",
    "correction",
    "warning",
    "attention",
    "subject",
    "re",
    "to",
    "from",
    "cc",
    "bcc",
    "date",
    "time",
    "location",
    "place",
    "where",
    "when",
    "what",
    "who",
    "why",
    "how",
    "agenda",
    "topic",
    "topics",
    "present",
    "attendees",
    "participants",
    "embargoed",
    "contact",
    "end",
    "background",
    "summary",
    "transcript",
    "title",
    "tags",
    "media",
    "release",
    "for immediate release",
    "link",
    "url",
    "photo",
    "video",
    "image",
    "caption",
    "key points",
    "takeaways",
    "also",
    "first",
    "second",
    "third",
    "finally",
    "look",
    "listen",
    "example",
    "answer",
    "yes",
    "no",
}
_ANONYMOUS = re.compile(
    r"^(?:q|question|reporter|journalist|audience member|audience|participant|unidentified.*|"
    r"voice|male voice|female voice|man|woman|crosstalk|hon\.? members?|"
    r"(?:senior |a )?(?:[a-z]+ )?(?:administration|state department|defense|white house|"
    r"pentagon|u\.s\.|government|senior|military|intelligence|treasury)?\s*officials?)$"
)
_SPEAKER_NUMBER = re.compile(r"^(?:speaker|participant|person|voice|reporter|caller)\s+\d+$", re.I)


def looks_like_speaker(label: str, *, own_line: bool = False, dash_form: bool = False) -> bool:
    """Whether a line-initial phrase before a separator is a speaker label.

    Speakers are name-shaped: all capitals (``SECRETARY BLINKEN``), or capitalised
    words led by an honorific or title (``The Prime Minister``), or a full name
    (``Matthew Miller``). Prose (``He said``), times, URLs and headings fail.
    ``own_line`` is for a label with nothing after it on its line, where a short
    capitalised heading is more likely than a speaker; ``dash_form`` allows the
    lower-case clauses of European Parliament labels (``, on behalf of ...``).
    """
    label = label.strip().strip("*_").strip()
    if not label or len(label) > 150 or "http" in label.lower() or "www." in label.lower():
        return False
    if label[0] in "([{\"'“‘-–—#>|" or any(ch in label for ch in '"“”?!;=<>{}[]|/\\'):
        return False
    bare = _PAREN.sub("", label).strip()
    if not bare or not re.search(r"[A-Za-z]", bare):
        return False
    if bare.lower().strip(". ") in _NOT_SPEAKERS:
        return False
    if _SPEAKER_NUMBER.match(bare):
        return True
    if re.search(r"\d", bare):
        return False
    if bare.endswith(",") or ".." in bare:
        return False
    parts = [part.strip() for part in bare.split(",")]
    if dash_form:
        # ``Name (Group), on behalf of the S&D Group``: only the first part must be a name.
        parts = parts[:1]
    letters = [ch for ch in "".join(parts) if ch.isalpha()]
    all_caps = all(ch.isupper() for ch in letters)
    words = [word for part in parts for word in part.split()]
    if not words or len(words) > (10 if all_caps else 9):
        return False
    if all_caps:
        return own_line is False or len(words) <= 6
    if any(not part or not part[0].isupper() for part in parts):
        # Each comma-separated part of a name starts with a capital (``NHK, Igarashi``),
        # which tells labels from prose such as ``First, to Prime Minister:``.
        return False
    for word in words:
        core = word.strip(".'’-")
        if not core:
            continue
        if core.lower() in _CONNECTORS:
            continue
        if not core[0].isupper():
            return False
    first = words[0].strip(".").lower()
    led_by_title = first in _HONORIFICS or first in _TITLE_WORDS
    if len(words) == 1:
        return first in _ROLE_WORDS or (first in _TITLE_WORDS and not own_line)
    if own_line and not led_by_title:
        # A capitalised line ending in a colon is usually a heading (``Key Points:``).
        return False
    return led_by_title or len(words) <= 4


@dataclass(frozen=True)
class _LabelMatch:
    """Where a speaker label sits on a line, relative to the line start."""

    speaker: str
    content_start: int
    timestamp: str | None = None


def _clean_label(label: str) -> str:
    """The label as printed, without Markdown markup or surrounding space."""
    label = label.replace("\u00a0", " ").strip().strip("*_").strip()
    return re.sub(r"\s+", " ", label)


def match_label(line: str, custom: re.Pattern[str] | None = None) -> _LabelMatch | None:
    """Return the speaker label that opens ``line``, if it opens with one."""
    if custom is not None:
        found = custom.match(line)
        if not found:
            return None
        group = "speaker" if "speaker" in custom.groupindex else (1 if custom.groups else 0)
        return _LabelMatch(_clean_label(found.group(group)), found.end())
    stripped = line.strip()
    if not stripped or stripped[0] in "<{#>|`-=([" or stripped.startswith(("---", "...")):
        return None
    # Cheap tests first: most lines are prose, and each pattern needs its separator
    # near the start of the line.
    head = line[:170]
    has_colon = ":" in head
    if has_colon and "(" in head:
        found = _TIMESTAMPED.match(line)
        if found and looks_like_speaker(found["label"], dash_form=False):
            return _LabelMatch(_clean_label(found["label"]), found.end(), found["ts"])
    if stripped[0] == "Q":
        found = _BARE_Q.match(line)
        if found:
            return _LabelMatch(found["label"], found.end())
    if has_colon:
        found = _COLON.match(line)
        if found:
            rest = line[found.end() :].strip()
            if looks_like_speaker(found["label"], own_line=not rest):
                return _LabelMatch(_clean_label(found["label"]), found.end())
    if stripped.startswith(_PERIOD_OPENERS):
        found = _PERIOD.match(line)
        if found:
            return _LabelMatch(_clean_label(found["label"]), found.end())
    if "." in head and ("–" in head or "—" in head or "-" in head):
        found = _DASH.match(line)
        if found and looks_like_speaker(found["label"], dash_form=True):
            return _LabelMatch(_clean_label(found["label"]), found.end())
    return None


# --- notes and page furniture ----------------------------------------------

_NOTE_VOCAB = (
    r"laughter|laughs|laughing|applause|inaudible|unintelligible|indiscernible|crosstalk|"
    r"cross-talk|pause|as interpreted|via interpreter|through (?:an )?interpreter|interpretation|"
    r"interpreted|translation|translated|in (?:english|french|spanish|russian|chinese|arabic)|"
    r"speaks? in|spoke in|speaking in|off[- ]mic|audio|technical difficult|interruption|"
    r"recess|silence|end|break|video|music|sic|booing|cheers|cheering|hon\.? members"
)
_PAREN_NOTE = re.compile(
    r"(?<!\\)\((?:"
    rf"{_WS}*(?i:{_NOTE_VOCAB})[^()\n]{{0,60}}"  # a known stage word, in any case
    r"|[A-Z][^()\n]{0,70}[.!]"  # a short capitalised clause ending in a full stop
    r"|\d{1,2}:\d{2}(?::\d{2})?"  # a timestamp
    r"|[A-Z]{2}"  # a language code after an EP label: (NL), (DE)
    r")\)"
)
_BRACKET_NOTE = re.compile(r"(?<!\\)\[(?![^\]\n]*\\\])\s*[A-Z][^\]\n]{0,120}\](?!\()")
_TIME_LINE = re.compile(r"^\s*\d{1,2}:\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:[A-Z]{2,5})?\s*$")
_FURNITURE_LINE = re.compile(
    r"^\s*(?:<[^>]*>.*|\{%.*%\}|\{\{.*\}\}|#{3,}|END|\*{3,}|-{3,}|_{3,}|={3,}"
    # UN verbatim records and Hansard note the sitting's procedure in the text.
    r"|The (?:meeting|sitting) (?:was called to order|rose|was suspended|resumed|closed)[^\n]*)\s*$"
)


def is_furniture(line: str) -> bool:
    """Lines that are page furniture, never speech: HTML, time lines, banners, headings."""
    stripped = line.strip()
    if not stripped:
        return False
    if _TIME_LINE.match(stripped) or _FURNITURE_LINE.match(stripped):
        return True
    if stripped.startswith("#"):
        return True
    if len(stripped) > 80 or not stripped.isupper():
        # Cheap tests first, as every line of speech comes through here.
        return False
    letters = [ch for ch in stripped if ch.isalpha()]
    # An all-capitals line of a few words with no sentence punctuation is a heading.
    return (
        len(stripped.split()) >= 2
        and len(letters) >= 4
        and all(ch.isupper() for ch in letters)
        and not re.search(r"[.?!:,;]$", stripped)
    )


def find_notes(text: str, offset: int = 0) -> list[Span]:
    """Stage directions, interpreter notes, timestamps and furniture inside ``text``.

    Offsets are shifted by ``offset`` so that callers get document offsets.
    """
    spans: list[tuple[int, int]] = []
    for pattern in (_PAREN_NOTE, _BRACKET_NOTE):
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    position = 0
    for line in text.splitlines(keepends=True):
        if is_furniture(line):
            body = line.strip()
            start = position + line.index(body)
            spans.append((start, start + len(body)))
        position += len(line)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return [Span(offset + start, offset + end, text[start:end]) for start, end in merged]


# --- speaker keys -------------------------------------------------------------


def _name_words(speaker: str) -> list[str]:
    """The words of a label that name a person, titles and parentheticals removed."""
    bare = _PAREN.sub("", speaker).replace(".", " ")
    if "," in bare:
        # ``NHK, Igarashi``: the person follows the affiliation; but in
        # ``Manfred Weber, on behalf of the PPE Group`` the person comes first.
        parts = [part.strip() for part in bare.split(",")]
        bare = parts[-1] if parts[-1][:1].isupper() else parts[0]
    words = [w.strip("'’").lower() for w in bare.split()]
    while words and (words[0] in _HONORIFICS or words[0] in _TITLE_WORDS):
        words.pop(0)
    return [w for w in words if w not in _CONNECTORS or w in {"van", "von", "de", "du", "da"}]


def speaker_keys(speakers: list[str]) -> list[str]:
    """A key per turn that groups labels naming one person within a document.

    ``DEPUTY SECRETARY OF DEFENSE PATRICK SHANAHAN`` and ``MR. SHANAHAN`` share
    the key ``shanahan``; anonymous labels (``Q``, ``SENIOR ADMINISTRATION
    OFFICIAL``) get a key of their own per turn, since the text cannot tell
    whether it is the same person. Two people with the same surname but different
    given names keep their given names in the key.
    """
    given_by_surname: dict[str, set[str]] = {}
    for speaker in speakers:
        words = _name_words(speaker)
        if len(words) >= 2:
            given_by_surname.setdefault(words[-1], set()).add(" ".join(words[:-1]))
    keys: list[str] = []
    for index, speaker in enumerate(speakers):
        plain = re.sub(r"\s+", " ", _PAREN.sub("", speaker)).strip().lower()
        if not plain or _ANONYMOUS.match(plain.rstrip(".")):
            keys.append(f"{plain or 'unknown'}#{index + 1}")
            continue
        words = _name_words(speaker)
        if not words or words[-1].isdigit():
            # A role with no name (``The PRESIDENT``) or a numbered voice (``Speaker 1``).
            keys.append(plain.rstrip("."))
        elif len(given_by_surname.get(words[-1], ())) > 1 and len(words) >= 2:
            keys.append(" ".join(words))
        else:
            keys.append(words[-1])
    return keys


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
        if line and not is_furniture(line) and not _TIME_LINE.match(line):
            return line
    return ""


def _line_table(text: str, start: int) -> Iterator[tuple[int, str]]:
    position = start
    for line in text[start:].splitlines(keepends=True):
        yield position, line
        position += len(line)


def _trim_end(text: str, start: int, end: int) -> int:
    """Move a turn's end back over blank lines and trailing page furniture."""
    while end > start:
        body_end = end
        while body_end > start and text[body_end - 1].isspace():
            body_end -= 1
        line_start = text.rfind("\n", start, body_end) + 1
        line_start = max(line_start, start)
        if body_end > line_start and is_furniture(text[line_start:body_end]) and line_start > start:
            end = line_start
            continue
        return body_end
    return end


def parse_text(
    text: str,
    *,
    doc_id: str,
    source: str,
    speaker_pattern: re.Pattern[str] | None = None,
    warnings: Iterable[str] = (),
) -> Document:
    """Read decoded transcript text into a ``Document`` of speaker turns (no sentences yet)."""
    all_warnings = list(warnings)
    body_start = _front_matter_end(text)
    opened: list[tuple[int, _LabelMatch]] = []  # (line start, label)
    for line_start, line in _line_table(text, body_start):
        found = match_label(line.rstrip("\n"), speaker_pattern)
        if found:
            opened.append((line_start, found))
    raw: list[tuple[str, int, int, str | None]] = []  # speaker, start, end, timestamp
    for number, (line_start, found) in enumerate(opened):
        next_start = opened[number + 1][0] if number + 1 < len(opened) else len(text)
        start = line_start + found.content_start
        while start < next_start and text[start].isspace():
            start += 1
        end = _trim_end(text, start, next_start)
        if end <= start:
            # A cut-off label with no text is not a turn.
            continue
        raw.append((found.speaker, start, end, found.timestamp))
    if not raw:
        start = body_start
        while start < len(text) and text[start].isspace():
            start += 1
        end = _trim_end(text, start, len(text))
        if end <= start:
            raise TranscriptError(f"{source}: no text to annotate")
        all_warnings.append(f"{source}: no speaker labels found; read as one speech")
        raw.append(("", start, end, None))
        preamble = text[body_start:start].strip()
    else:
        preamble = text[body_start : opened[0][0]].strip()
    turns = _build_turns(text, raw)
    title = _title(text, body_start, preamble)
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
    )


def _build_turns(text: str, raw: list[tuple[str, int, int, str | None]]) -> tuple[Turn, ...]:
    """Turns from (speaker, start, end, timestamp) rows: speaker keys, text and notes."""
    keys = speaker_keys([speaker for speaker, *_ in raw])
    return tuple(
        Turn(
            index=index,
            speaker=speaker,
            speaker_key=keys[index] if speaker else "unknown",
            start=start,
            end=end,
            text=text[start:end],
            notes=tuple(find_notes(text[start:end], start)),
            timestamp=timestamp,
        )
        for index, (speaker, start, end, timestamp) in enumerate(raw)
    )


def _turns_from_jsonl(path: Path) -> list[Document]:
    """JSONL of already-split turns: ``{"speaker": ..., "text": ...}`` per line.

    An optional ``document`` (or ``doc_id``) field groups lines into documents;
    without it the whole file is one document.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    try:
        for number, record in enumerate(srsly.read_jsonl(path), start=1):
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise TranscriptError(f'{path}:{number}: each line needs a "text" string')
            doc_id = str(record.get("document") or record.get("doc_id") or path.stem)
            speaker = str(record.get("speaker") or "")
            groups.setdefault(doc_id, []).append((speaker, record["text"]))
    except ValueError as error:
        raise TranscriptError(f"{path}: not valid JSON Lines ({error})") from None
    if not groups:
        raise TranscriptError(f"{path}: the file holds no turns")
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
        documents.append(Document(doc_id, str(path), doc_id, text, "", turns))
    return documents


def parse_transcript(
    path: str | Path, speaker_pattern: re.Pattern[str] | None = None, doc_id: str | None = None
) -> Document:
    """Read one transcript file into a ``Document`` (turns and notes, no sentences)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise TranscriptError(f"{path}: is a folder; use read_documents for folders") from None
    except OSError as error:
        raise TranscriptError(f"{path}: cannot read ({error.strerror})") from None
    text, warnings = decode_bytes(data, str(path))
    return parse_text(
        text,
        doc_id=doc_id or path.stem,
        source=str(path),
        speaker_pattern=speaker_pattern,
        warnings=warnings,
    )


def compile_speaker_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """Compile a user's speaker-label regex (matched at line start; group ``speaker`` or 1)."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise TranscriptError(f"speaker pattern {pattern!r}: {error}") from None


def transcript_files(folder: Path) -> list[Path]:
    """The transcripts in a folder and its subfolders, in a stable order."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in TRANSCRIPT_SUFFIXES
        and not p.name.startswith(".")
        and p.name.lower() != "readme.md"
    )


def read_documents(
    paths: Iterable[str | Path], speaker_pattern: re.Pattern[str] | None = None
) -> Iterator[Document]:
    """Read transcripts, JSONL turn files and folders of them, in order.

    Folders are searched recursively for ``.txt``, ``.md`` and ``.jsonl`` files;
    a folder with none is an error. Documents are yielded lazily so a caller
    can start on the first while the rest are read.
    """
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise TranscriptError(f"{path}: no such file or folder")
        if path.is_dir():
            files = transcript_files(path)
            if not files:
                raise TranscriptError(
                    f"{path}: the folder holds no transcripts (.txt, .md, .jsonl)"
                )
            for file in files:
                doc_id = file.relative_to(path).with_suffix("").as_posix()
                yield from _read_file(file, speaker_pattern, doc_id)
        else:
            yield from _read_file(path, speaker_pattern, None)


def _read_file(
    path: Path, speaker_pattern: re.Pattern[str] | None, doc_id: str | None
) -> Iterator[Document]:
    if path.suffix.lower() == ".jsonl":
        yield from _turns_from_jsonl(path)
    else:
        yield parse_transcript(path, speaker_pattern, doc_id)
