"""Running heads that name the speaker whose speech goes on at the top of a page.

Some transcripts printed as PDF (the Congressional Record, court and committee
transcripts) carry the speaker of a speech continued from the previous page in
the page's running head: ``Mr. SMITH (continuing)``, ``SMITH—continued``,
``14 March 2031   MR JOHN SMITH   [Continued``, or a head line that repeats on
every page with the current speaker's name in it (``HARBOUR COMMITTEE   12
May 2031   Mr. OKAFOR``). The page's first lines then have no label of their own.

The head is a note (kept at its offsets, never labelled). When the page's first
paragraph has no label, its text belongs to the speaker the head names: it goes
on with the turn before when that is the same speaker (the usual case: one turn
across the page break), and opens a turn of its own when the turn before is
someone else's or there is none. That is an inference, so it is reported
(``PageHead``): the import report warns with the line, ``--explain`` counts them.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from annotator.ingest.keys import speaker_keys
from annotator.ingest.labels import LabelMatch, clean_label, looks_like_speaker

#: How many non-blank lines at the top of a page may be running heads.
ZONE = 3
# ``continued``, ``continuing``, ``cont'd`` in the forms heads print them.
_WORD = r"(?:continuing|continued|cont(?:['’]?d)\.?)"
_CONTINUING = re.compile(
    rf"^(?P<name>[^\n]{{2,80}}?)[\s.,]*(?:\(\s*{_WORD}\s*\)|[\[—–-]+\s*{_WORD}\s*\]?|,\s*{_WORD})"
    r"[\s.:]*$",
    re.IGNORECASE,
)
_ALONE = re.compile(rf"^[\[(—–-]*\s*{_WORD}\s*[\])]?[.:]?$", re.IGNORECASE)
_FIELDS = re.compile(r"\s{2,}|\t")
_DIGITS = re.compile(r"\d+")
# A named head repeats its other fields on this share of the pages (and on two or more).
_PAGE_SHARE = 0.25


@dataclass(frozen=True)
class PageHead:
    """A running head naming the speaker at the top of a page, and what it decided.

    ``previous`` is ``None`` when the page's text went on with that speaker's turn;
    otherwise the text opened a turn of its own and ``previous`` names the turn
    before (``""`` when there was none): an inference the import report warns about.
    """

    line: int
    head: str
    speaker: str
    text_line: int
    previous: str | None


def _name(text: str) -> str | None:
    name = clean_label(text.strip(" .,:;—–-[]("))
    return name if name and looks_like_speaker(name) else None


def continuation_name(line: str) -> str | None:
    """The speaker a ``NAME (continuing)`` / ``NAME—continued`` head names, or None.

    Works on the whole line and on its fields (runs of two or more spaces divide a
    head: ``14 March 2031   MR JOHN SMITH   [Continued``).
    """
    body = line.strip(" \t\f\u00a0")
    if not body or len(body) > 160 or "ont" not in body.lower():
        return None
    found = _CONTINUING.match(body)
    if found and (name := _name(found["name"])):
        return name
    fields = _FIELDS.split(body)
    for index, field in enumerate(fields):
        if _ALONE.match(field) and index > 0:
            return _name(fields[index - 1])
        found = _CONTINUING.match(field)
        if found and (name := _name(found["name"])):
            return name
    return None


def _rest_key(fields: list[str], skip: int) -> str:
    return " ".join(_DIGITS.sub("#", f).lower() for i, f in enumerate(fields) if i != skip)


def _page_tops(lines: list[tuple[int, str]]) -> Iterator[list[int]]:
    """Per page: its first few non-blank lines, where running heads sit.

    A page starts after a form feed; the document's first page at its start.
    """
    breaks = [number for number, (_start, line) in enumerate(lines) if "\f" in line]
    firsts = [0, *(number + 1 for number in breaks)]
    for page_start, page_end in zip(firsts, [*breaks, len(lines)], strict=True):
        yield [n for n in range(page_start, page_end) if lines[n][1].strip()][:ZONE]


def read_page_heads(
    lines: list[tuple[int, str]],
    is_furniture_line: Callable[[int, str], bool],
    opened_at: dict[int, LabelMatch],
    line_number: Callable[[int], int],
) -> tuple[list[tuple[int, int]], list[PageHead]]:
    """Find speaker-naming running heads; add the turns they open to ``opened_at``.

    ``lines`` are the document's ``(offset, line)`` pairs, with each form feed on a
    line of its own (as ``str.splitlines`` leaves it); ``is_furniture_line(start,
    line)`` says whether a line is already page furniture; ``line_number(offset)``
    gives the line number a warning names. Returns the heads' spans (new furniture)
    and what each head decided.
    """
    # (head line, name, rest key: "" for a continued head, else the head's other fields)
    found: list[tuple[int, str, str]] = []
    named: list[tuple[int, list[str]]] = []
    for top in _page_tops(lines):
        for number in top:
            name = continuation_name(lines[number][1])
            if name is not None:
                found.append((number, name, ""))
                # A head is no label, though ``Mr. SMITH (continuing).`` reads like one.
                opened_at.pop(lines[number][0], None)
                break
        else:
            named.extend((number, _FIELDS.split(lines[number][1].strip())) for number in top)
    speakers = sorted({match.speaker for match in opened_at.values()})
    known = set(speakers)
    candidates = []
    for number, fields in named:
        for index, field in enumerate(fields):
            if field in known:
                # A head of the name alone counts as a running head only if others are too.
                candidates.append((number, field, _rest_key(fields, index) or "(name alone)"))
                break
    # A named head is a running head: its other fields recur across the pages.
    recurring = Counter(rest for *_, rest in candidates)
    pages = 1 + sum("\f" in line for _start, line in lines)
    needed = max(2, round(_PAGE_SHARE * pages))
    found.extend(item for item in candidates if recurring[item[2]] >= needed)
    if not found:
        return [], []
    found.sort()
    keys = speaker_keys([*speakers, *(name for _, name, _ in found)])
    own = dict(zip(speakers, keys[: len(speakers)], strict=True))
    by_key: dict[str, str] = {}
    for speaker in speakers:
        by_key.setdefault(own[speaker], speaker)
    head_lines = {number for number, _, _ in found}
    starts = sorted(opened_at)
    spans: list[tuple[int, int]] = []
    decided: list[PageHead] = []
    for (number, name, rest), key in zip(found, keys[len(speakers) :], strict=True):
        start, line = lines[number]
        body = line.strip()
        begin = start + len(line) - len(line.lstrip())
        spans.append((begin, begin + len(body)))
        text_line = _next_text(lines, number, head_lines, is_furniture_line)
        if text_line is None:
            continue
        text_start, text = lines[text_line]
        if text_start in opened_at:
            continue  # the page opens with a label of its own
        at = bisect.bisect_left(starts, text_start)
        previous = opened_at[starts[at - 1]].speaker if at else ""
        speaker = by_key.get(key, name)
        if not previous and rest:
            continue  # a named head above the first label: the page is front matter
        if previous and own.get(previous, previous) == key:
            decided.append(PageHead(line_number(start), body, speaker, 0, None))
            continue
        indent = len(text) - len(text.lstrip())
        opened_at[text_start] = LabelMatch(speaker, indent, None, indent)
        own.setdefault(speaker, key)
        starts.insert(at, text_start)
        decided.append(
            PageHead(line_number(start), body, speaker, line_number(text_start), previous)
        )
    return spans, decided


def _next_text(
    lines: list[tuple[int, str]],
    number: int,
    heads: set[int],
    is_furniture_line: Callable[[int, str], bool],
) -> int | None:
    """The first line after head ``number`` on its page that is text: no head, no furniture."""
    for after in range(number + 1, len(lines)):
        start, line = lines[after]
        if "\f" in line:
            return None
        if line.strip() and after not in heads and not is_furniture_line(start, line):
            return after
    return None


def format_page_heads(heads: tuple[PageHead, ...] | list[PageHead]) -> list[str]:
    """Lines for ``annotator parse --explain``: what the speaker-naming heads decided."""
    if not heads:
        return []
    opened = [head for head in heads if head.previous is not None]
    lines = [
        f"  running heads name the speaker at the top of {len(heads)} pages; "
        f"{len(heads) - len(opened)} go on with that speaker's turn, "
        f"{len(opened)} open a turn of that speaker (inferred, see the warnings)"
    ]
    for head in opened[:8]:
        lines.append(f"      line {head.text_line}: {head.speaker} (head at line {head.line})")
    return lines
