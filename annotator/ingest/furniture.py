"""Page furniture and notes: text that is kept at its offsets but never labelled.

Two kinds. Whole-line furniture is found over the whole document: page headers
and footers that repeat across pages (a form feed ``\\f`` or a ``Page N of M`` line
marks a page break), line numbers of court transcripts, headings (ALL CAPS,
Markdown ``#``, reStructuredText titles with their underlines), HTML, time lines,
and editorial notes or stage directions standing alone (``[recess]``,
``(Member's Statement)``, ``*(2.00 pm)*``). Inline notes (``(Laughter.)``,
``[Inaudible.]``, ``(As interpreted.)``) are found inside a turn's text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from annotator.model import Span

_WS = r"[ \t\u00a0\u2002\u2003\u2009\u202f]"

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
TIME_LINE = re.compile(r"^\s*\d{1,2}:\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:[A-Z]{2,5})?\s*$")
_FURNITURE_LINE = re.compile(
    r"^\s*(?:<[^>]*>.*|\{%.*%\}|\{\{.*\}\}|#{3,}|END|\*{3,}|-{3,}|_{3,}|={3,}"
    # UN verbatim records and Hansard note the sitting's procedure in the text.
    r"|The (?:meeting|sitting) (?:was called to order|rose|was suspended|resumed|closed)[^\n]*)\s*$"
)


# The characters a time line or a furniture line can start with (a cheap first test).
_FURNITURE_FIRST = frozenset("0123456789<{#E*-_=T")


def is_furniture(line: str) -> bool:
    """Lines that are page furniture, never speech: HTML, time lines, banners, headings."""
    stripped = line.strip()
    if not stripped:
        return False
    first = stripped[0]
    if first in _FURNITURE_FIRST and (TIME_LINE.match(stripped) or _FURNITURE_LINE.match(stripped)):
        return True
    if first == "#":
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


def find_notes(
    text: str, offset: int = 0, furniture: Iterable[tuple[int, int]] | None = None
) -> list[Span]:
    """Stage directions, interpreter notes, timestamps and furniture inside ``text``.

    Offsets are shifted by ``offset`` so that callers get document offsets;
    ``furniture`` adds document spans found over the whole document (page headers,
    line numbers, standalone notes).
    """
    spans: list[tuple[int, int]] = [
        (begin - offset, end - offset) for begin, end in furniture or ()
    ]
    if "(" in text:
        spans.extend((m.start(), m.end()) for m in _PAREN_NOTE.finditer(text))
    if "[" in text:
        spans.extend((m.start(), m.end()) for m in _BRACKET_NOTE.finditer(text))
    if furniture is None:
        # Whole-line furniture, unless the caller found it over the whole document.
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


# --- whole-line furniture over a document ---------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^\s*(?:-{1,3}\s*)?(?:Page\s+\d+(?:\s+of\s+\d+)?|\d{1,4}|-\s*\d{1,4}\s*-)(?:\s*-{1,3})?\s*$",
    re.IGNORECASE,
)
_UNDERLINE = re.compile(r"^\s*([-=^~*+#`'\"])\1{2,}\s*$")
_UNDERLINE_FIRST = frozenset("-=^~*+#`'\"")
_ALONE_NOTE = re.compile(r"^\s*(?:\*(?!\*)[^\n]*[^*\s]\*|\*\*\([^\n]*\)\*\*)\s*$")
_DIGITS = re.compile(r"\d+")
# Furniture lines repeat near page breaks; a page header sits within a few lines of one.
_NEAR_BREAK = 3
_MIN_REPEATS = 3
# The share of pages a repeated line must be on to be a running head or footer.
_PAGE_SHARE = 0.25
# An editorial note standing alone may wrap over a few lines, but not run on for a page.
_NOTE_LIMIT = 400


def _bracket_note_end(text: str, start: int) -> int | None:
    """End of a bracketed or parenthesised note opening at ``start``, if it closes a line."""
    opening = text[start]
    closing = "]" if opening == "[" else ")"
    depth = 0
    limit = min(len(text), start + _NOTE_LIMIT)
    position = start
    while position < limit:
        char = text[position]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                end = position + 1
                line_end = text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end
                if text[end:line_end].strip(" \t*_.") == "":
                    return end
                return None
        elif char == "\n" and text[position + 1 : position + 2] == "\n":
            return None
        position += 1
    return None


_PAGE_FIRST = frozenset("-Pp0123456789")
# A running head that ends with the page: ``March 18, 2008   12 of 120``.
_PAGE_OF = re.compile(r"(?:^|\s)(?:Page\s+)?\d{1,4}\s+of\s+\d{1,4}$", re.IGNORECASE)


def is_page_number(line: str) -> bool:
    """``Page 2 of 21``, ``- 7 -``, ``12``: a line that only numbers the page."""
    body = line.strip("\f \t")
    return bool(body) and body[:1] in _PAGE_FIRST and _PAGE_NUMBER.match(body) is not None


def _page_breaks(lines: list[tuple[int, str]]) -> list[int]:
    """Line numbers where a page ends: form feeds and ``Page N of M`` lines."""
    breaks = []
    for number, (_start, line) in enumerate(lines):
        body = line.strip("\f \t")
        if (
            "\f" in line
            or (body[:1] in _PAGE_FIRST and _PAGE_NUMBER.match(body))
            or (body[-1:].isdigit() and len(body) <= 120 and _PAGE_OF.search(body))
        ):
            breaks.append(number)
    return breaks


def _repeated_page_lines(lines: list[tuple[int, str]], breaks: list[int]) -> set[int]:
    """Line numbers of headers and footers: short lines repeating near page breaks."""
    if len(breaks) < 2:
        return set()
    near: dict[int, str] = {}
    for point in breaks:
        for direction in (-1, 1):
            seen = 0
            number = point + direction
            while 0 <= number < len(lines) and seen < _NEAR_BREAK:
                body = lines[number][1].strip("\f \t\u00a0\n")
                if body:
                    seen += 1
                    if len(body) <= 120:
                        near[number] = _DIGITS.sub("#", " ".join(body.split()))
                number += direction
    counts = Counter(near.values())
    # A running head or footer is on a good share of the pages (alternating heads of
    # left and right pages on half each); a line of speech that happens to fall near
    # a few of a long hearing's page breaks (``expired.``) is not.
    needed = max(_MIN_REPEATS, math.ceil(_PAGE_SHARE * (len(breaks) + 1)))
    return {number for number, key in near.items() if counts[key] >= needed}


#: An all-capitals heading this long may have been wrapped: a lone capitalised word on
#: the very next line ends it (``... TO COMPETE IN BEIJING`` / ``OLYMPICS``).
_WRAPPED_HEADING = 60
_HEADING_INDENT = 4


def _heading_word(line: str) -> bool:
    """One all-capitals word, indented as a centred heading is, no sentence punctuation:
    the end of a wrapped heading (at the margin it may be a speaker's label, or speech)."""
    body = line.strip()
    return (
        len(line) - len(line.lstrip()) >= _HEADING_INDENT
        and len(body.split()) == 1
        and sum(ch.isalpha() for ch in body) >= 3
        and body.isupper()
        and body[-1:] not in ".?!:,;"
    )


def _heading_clause(body: str) -> bool:
    """All-capitals words ending in a comma: a heading broken after a comma and going
    on below (``STATEMENT OF ALLAN H. MELTZER, …`` / ``PROFESSOR OF POLITICAL ECONOMY,
    TEPPER SCHOOL OF BUSINESS,`` / ``CARNEGIE MELLON UNIVERSITY``)."""
    letters = [ch for ch in body if ch.isalpha()]
    return (
        body.endswith(",")
        and len(body.split()) >= 2
        and len(letters) >= 4
        and all(ch.isupper() for ch in letters)
    )


def furniture_spans(text: str, lines: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Offsets of the whole-line furniture and standalone notes of a document.

    ``lines`` are ``(offset, line)`` pairs of the text to search (after any front
    matter). Each span covers the line's text without surrounding whitespace; a
    wrapped editorial note is one span over its lines.
    """
    spans: list[tuple[int, int]] = []
    breaks = _page_breaks(lines)
    marked = set(breaks) | _repeated_page_lines(lines, breaks)
    covered_to = -1
    wrapped_heading = -1  # the line after a long all-capitals heading
    after_heading = -1  # the line after any all-capitals heading line
    for number, (start, line) in enumerate(lines):
        body = line.strip()
        if not body or start < covered_to:
            continue
        begin = start + len(line) - len(line.lstrip())
        first = body[0]
        heading = body.isupper() and is_furniture(line)
        clause = number == after_heading and _heading_clause(body)
        if (
            number in marked
            or heading
            or (first in _FURNITURE_FIRST and is_furniture(line))
            or (first == "*" and _ALONE_NOTE.match(line))
            or (first in _UNDERLINE_FIRST and _UNDERLINE.match(line))
            or (number == wrapped_heading and _heading_word(line))
            or clause
        ):
            spans.append((begin, begin + len(body.rstrip("\f"))))
            if heading and len(body) >= _WRAPPED_HEADING:
                wrapped_heading = number + 1
            if heading or clause:
                after_heading = number + 1
            continue
        after = lines[number + 1][1] if number + 1 < len(lines) else ""
        if (
            len(body) < 100
            and after.lstrip()[:1] in _UNDERLINE_FIRST
            and _UNDERLINE.match(after)
            and len(after.strip()) >= len(body) - 2
        ):
            # A reStructuredText title: the line and its underline.
            spans.append((begin, begin + len(body)))
            continue
        if first in "[(":
            end = _bracket_note_end(text, begin)
            if end is not None:
                spans.append((begin, end))
                covered_to = end
    return spans
