"""Page furniture of paginated text: running heads, page numbers, line numbers, hyphens.

Works on pages as lists of lines, before they are joined into one text, because
only there is it known where a page starts and ends. The PDF extractor uses it;
anything else that has pages (a court transcript split on form feeds) can too.
``strip_page_furniture`` is the one place that decides what repeats across pages.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.ingest.page_heads import continuation_name
from annotator.ingest.words import HONORIFICS, TITLE_WORDS

#: How many non-empty lines at the top and bottom of a page may be running heads.
ZONE = 3

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—(\[]*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[\s\-–—)\]]*$", re.I
)
_LINE_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\s+|$)")
_HYPHENATED_END = re.compile(r"(?:^|(?<=\s))([A-Za-z]*[a-z])-$")
_WORD_START = re.compile(r"^([a-z][a-z']*)([^\s]*)\s*")


@dataclass
class FurnitureReport:
    """What ``strip_page_furniture`` and ``join_hyphenated`` removed, for the import report."""

    running: Counter[str] = field(default_factory=Counter)  # line as printed -> pages
    page_numbers: int = 0
    line_numbered_pages: int = 0
    hyphens_joined: int = 0
    speaker_heads: int = 0

    def lines(self, source: str) -> list[str]:
        """One line per kind of removal, naming the file."""
        out = []
        for text, pages in self.running.most_common():
            out.append(f"{source}: removed the running head {text!r} from {pages} pages")
        if self.page_numbers:
            out.append(f"{source}: removed {self.page_numbers} page numbers")
        if self.line_numbered_pages:
            out.append(f"{source}: removed line numbers on {self.line_numbered_pages} pages")
        if self.speaker_heads:
            out.append(
                f"{source}: kept {self.speaker_heads} running heads that name the speaker "
                "at the top of a page"
            )
        if self.hyphens_joined:
            out.append(f"{source}: joined {self.hyphens_joined} words hyphenated at line ends")
        return out


def _key(line: str) -> str:
    """A line as compared across pages: numbers, case and spacing ignored."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line)).strip().lower()


def _strip_line_numbers(lines: list[str], *, fewest: int = 5) -> list[str] | None:
    """The page without its line-number column (1, 2, 3 ... at line starts), if it has one.

    ``fewest`` numbered lines make a column; once other pages have shown one, a
    short last page needs fewer.
    """
    numbered = [
        (i, int(m.group(1))) for i, line in enumerate(lines) if (m := _LINE_NUMBER.match(line))
    ]
    filled = [line for line in lines if line.strip()]
    values = [value for _, value in numbered]
    if not numbered or len(numbered) < fewest:
        return None
    short_page = values == list(range(1, len(values) + 1)) and len(filled) - len(values) <= ZONE
    if len(numbered) < 0.6 * len(filled) and not (fewest < 5 and short_page):
        return None
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1)
    if values[0] > 2 or steps < 0.8 * (len(values) - 1):
        return None
    out = list(lines)
    for index, _ in numbered:
        out[index] = _LINE_NUMBER.sub("", lines[index], count=1)
    return out


def _zone(lines: list[str]) -> list[tuple[int, str]]:
    """The first and last few non-empty lines of a page: (index, place), place as
    ``top0``, ``top1``, ... ``bottom0`` (the last line), so that a line is compared
    only with lines at the same place on other pages."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    places = {index: f"top{rank}" for rank, index in enumerate(filled[:ZONE])}
    for rank, index in enumerate(reversed(filled[-ZONE:])):
        places.setdefault(index, f"bottom{rank}")
    return sorted(places.items())


def strip_page_furniture(
    pages: Sequence[Sequence[str]], report: FurnitureReport | None = None
) -> tuple[list[list[str]], FurnitureReport]:
    """Remove line numbers, running heads and feet, and page numbers from each page.

    A running head is a line among the top or bottom few lines of a page that
    recurs at the same place (numbers ignored, so ``Page 3 of 21`` matches
    ``Page 4 of 21``) on at least half the pages and on two or more. A bare page number (``12``,
    ``- 12 -``, ``Page 12``) there is removed on any page. Line numbers are a
    column of 1, 2, 3 ... opening most lines of a page. Returns the pages and
    what was removed.
    """
    report = report or FurnitureReport()
    cleaned: list[list[str]] = [list(page) for page in pages]
    found = [_strip_line_numbers(lines) for lines in cleaned]
    if any(page is not None for page in found):
        # The document numbers its lines: short pages (the last one) are numbered too.
        found = [
            page or _strip_line_numbers(lines, fewest=1)
            for page, lines in zip(found, cleaned, strict=True)
        ]
    for index, unnumbered in enumerate(found):
        if unnumbered is not None:
            cleaned[index] = unnumbered
            report.line_numbered_pages += 1
    # A running head sits at the same place on each page (the first line, the
    # last); a line of speech that recurs (``That's correct.``) rarely does.
    counts: Counter[tuple[str, str]] = Counter()
    for lines in cleaned:
        # A line that opens with a speaker's label and goes on speaking is speech, however
        # alike it is to the lines at its place on other pages (numbers aside).
        counts.update(
            {(place, _key(lines[i])) for i, place in _zone(lines) if not _speech(lines[i])}
        )
    needed = max(2, (len(cleaned) + 1) // 2)
    running = {key for key, n in counts.items() if n >= needed and len(key[1]) >= 4}
    # A head that names the speaker going on at the top of the page stays in the text,
    # where the transcript reader takes it as a note and reads that speaker from it.
    naming = speaker_heads(cleaned)
    result: list[list[str]] = []
    for number, lines in enumerate(cleaned):
        drop = set()
        heads_here: set[str] = set()  # a head is counted once per page
        for index, place in _zone(lines):
            line = lines[index]
            if (number, index) in naming:
                report.speaker_heads += 1
            elif _PAGE_NUMBER.match(line):
                drop.add(index)
                report.page_numbers += 1
            elif (place, _key(line)) in running:
                drop.add(index)
                printed = re.sub(r"\s+", " ", line).strip()
                if printed not in heads_here:
                    heads_here.add(printed)
                    report.running[printed] += 1
        kept = [line for i, line in enumerate(lines) if i not in drop]
        while kept and not kept[0].strip():
            kept.pop(0)
        while kept and not kept[-1].strip():
            kept.pop()
        result.append(kept)
    # A running head whose numbers change (``Page 3 of 21``) is counted once per form.
    merged: Counter[str] = Counter()
    for text, n in report.running.items():
        merged[re.sub(r"\d+", "N", text) if re.search(r"\d", text) else text] += n
    report.running = merged
    return result, report


def _speech(line: str) -> bool:
    """A line that opens with a speaker's label and goes on speaking: a person's label
    (``Mr. OKAFOR.``, ``The CHAIRMAN.``) and a few words, or any label and many. A
    running head with a colon (``HOUSE OF REPRESENTATIVES: Hearing``) is neither."""
    found = _LABEL_START.match(line)
    if found is None:
        return False
    words = len(line[found.end() :].split())
    first = found["name"].split()[0].strip(".").lower()
    return words >= 8 or (words >= 3 and (first in HONORIFICS or first in TITLE_WORDS))


def speaker_heads(pages: Sequence[Sequence[str]]) -> set[tuple[int, int]]:
    """(page, line) of the running heads that name a page's speaker.

    ``Mr. SMITH (continuing)`` and its kin anywhere among a page's top lines; and a
    head that repeats at the top of the pages with one field that changes and names
    someone the document gives a label to (``HARBOUR COMMITTEE   12 May   Mr. OKAFOR``
    where ``Mr. OKAFOR.`` or ``Mr. OKAFOR:`` opens a line somewhere).
    """
    found: set[tuple[int, int]] = set()
    named: list[tuple[int, int, str, str]] = []
    for number, lines in enumerate(pages):
        top = [index for index, place in _zone(list(lines)) if place.startswith("top")]
        for index in top:
            if continuation_name(lines[index]) is not None:
                found.add((number, index))
                break
        else:
            for index in top:
                fields = re.split(r"\s{2,}|\t", lines[index].strip())
                for position, part in enumerate(fields):
                    rest = " ".join(_key(f) for i, f in enumerate(fields) if i != position)
                    named.append((number, index, part, rest or "(name alone)"))
    if not named:
        return found
    labels = _label_names(pages)
    recurring = Counter(rest for *_, part, rest in named if part in labels)
    needed = max(2, round(0.25 * len(pages)))
    for number, index, part, rest in named:
        if part in labels and recurring[rest] >= needed:
            found.add((number, index))
    return found


def _label_names(pages: Sequence[Sequence[str]]) -> set[str]:
    """Names that open a line as a label (``Mr. OKAFOR.``, ``MS. HALE:``) on some page."""
    names = set()
    for lines in pages:
        for line in lines:
            found = _LABEL_START.match(line)
            if found:
                names.add(found["name"])
    return names


_LABEL_START = re.compile(r"^\s*(?P<name>(?:[A-Z][\w'’.-]*\s){0,4}[A-Z][\w'’-]*)\s?[.:](?:\s|$)")


def join_hyphenated(
    pages: list[list[str]], report: FurnitureReport | None = None
) -> tuple[list[list[str]], FurnitureReport]:
    """Join words split by a hyphen at a line end, across page breaks too.

    ``govern-`` + ``ment is`` becomes ``government`` + ``is``: the rest of the
    word moves up, so the line structure stays. The hyphen stays when the
    document spells the word with one elsewhere (``well-known``), and a line
    end followed by a blank line, a capital or a digit is never joined.
    """
    report = report or FurnitureReport()
    text = "\n".join("\n".join(page) for page in pages).lower()
    hyphenated = set(re.findall(r"[a-z]+-[a-z]+", text))
    words = set(re.findall(r"[a-z]+", text))
    # Each line, addressed by (page, index), in reading order.
    order = [(p, i) for p, page in enumerate(pages) for i in range(len(page))]
    out: list[list[str | None]] = [list(page) for page in pages]
    for position, (p, i) in enumerate(order[:-1]):
        line = (out[p][i] or "").rstrip()
        head = _HYPHENATED_END.search(line)
        if head is None:
            continue
        np, ni = order[position + 1]
        following = out[np][ni] or ""
        found = _WORD_START.match(following.lstrip())
        if found is None:
            continue
        tail, trailing = found.group(1), found.group(2)
        word = f"{head.group(1)}-{tail}".lower()
        keep_hyphen = word in hyphenated and word.replace("-", "") not in words
        out[p][i] = (line if keep_hyphen else line[:-1]) + tail + trailing
        indent = following[: len(following) - len(following.lstrip())]
        rest = following.lstrip()[found.end() :]
        # A line that was only the word's tail goes; a blank line would read as a paragraph end.
        out[np][ni] = indent + rest if rest else None
        report.hyphens_joined += 1
    return [[line for line in page if line is not None] for page in out], report
