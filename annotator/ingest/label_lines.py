"""Which lines of a transcript open speaker turns.

The page furniture is found first (and court-style line numbers blanked), then
every line a label shape reads (``ingest.labels``) is a candidate; the document's
convention (``ingest.conventions``) decides which candidates open turns, labels
wrapped over two lines are joined, and label-like lines not taken are kept for the
import report. ``transcript.parse_text`` builds the turns from what this finds.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from annotator.ingest.conventions import (
    Convention,
    fixed_convention,
    infer_convention,
    line_number_spans,
    read_candidates,
)
from annotator.ingest.furniture import furniture_spans
from annotator.ingest.labels import (
    LabelMatch,
    clean_label,
    custom_match,
    line_candidates,
    looks_like_speaker,
)
from annotator.ingest.page_heads import PageHead, read_page_heads


def match_label(line: str, custom: re.Pattern[str] | None = None) -> LabelMatch | None:
    """The label opening ``line`` by the unambiguous shapes alone (no document evidence)."""
    if custom is not None:
        return custom_match(line, custom)
    for shape, found in line_candidates(line):
        if not shape.needs_evidence:
            return found
    return None


def _line_table(text: str, start: int) -> Iterator[tuple[int, str]]:
    position = start
    for line in text[start:].splitlines(keepends=True):
        yield position, line
        position += len(line)


@dataclass(frozen=True)
class Reading:
    """What the reader found in a text before building turns: the convention chosen,
    the label lines it took, the label-like lines it did not, the page furniture, and
    the running heads that named a page's speaker (``ingest.page_heads``)."""

    convention: Convention
    opened: tuple[tuple[int, LabelMatch], ...]
    not_taken: tuple[tuple[int, str], ...]
    furniture: tuple[tuple[int, int], ...]
    page_heads: tuple[PageHead, ...] = ()


def in_spans(spans: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    """Whether ``position`` falls inside one of the sorted, disjoint ``spans`` (whose
    ``starts`` are given, for the binary search)."""
    index = bisect.bisect_right(starts, position) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def read_labels(
    text: str,
    body_start: int = 0,
    speaker_pattern: re.Pattern[str] | None = None,
    infer: bool = True,
    first_line: int = 0,
) -> Reading:
    """Find page furniture, infer the label convention and the lines that open turns.

    ``infer=False`` reads only the unambiguous label shapes, without evidence, as a
    fixed list of formats would; ``benchmarks/bench_import.py`` times the difference.
    """
    lines = [(start, line.rstrip("\n")) for start, line in _line_table(text, body_start)]
    numbers = line_number_spans(lines)
    if numbers:
        # Read court-style lines without their numbers (blanked, so columns still count).
        lines = _blank_spans(lines, numbers)
    furniture = sorted(furniture_spans(text, lines) + numbers)
    starts = [span[0] for span in furniture]

    def is_furniture_line(start: int, line: str) -> bool:
        return in_spans(furniture, starts, start + len(line) - len(line.lstrip()))

    if speaker_pattern is not None:
        opened = []
        for start, line in lines:
            found = custom_match(line, speaker_pattern)
            if found is not None and not is_furniture_line(start, line):
                opened.append((start, found))
        convention = Convention(("--speaker-pattern",), ())
        return Reading(convention, tuple(opened), (), tuple(furniture))
    candidates = []
    kept_line, keep = -1, False
    for candidate in read_candidates(lines, infer):
        if candidate[0] != kept_line:
            # Several shapes may read one line: judge the line once.
            kept_line = candidate[0]
            start, line = lines[kept_line]
            keep = not is_furniture_line(start, line) and not _inside_bracket(lines, kept_line)
        if keep:
            candidates.append(candidate)
    # How often each speaker opens a line; a line two shapes read counts once.
    counts = Counter(speaker for _, speaker in {(c[1], c[3].speaker) for c in candidates})
    if infer:
        convention = infer_convention(candidates, numbered_lines=bool(numbers))
    else:
        convention = fixed_convention(candidates)
    opened_at: dict[int, LabelMatch] = {}
    line_of: dict[int, int] = {}  # a label line's offset -> its index in ``lines``
    refused: dict[int, str] = {}
    for number, start, shape, match in candidates:
        if start in opened_at:
            continue
        if convention.accepts(shape, match, counts):
            opened_at[start] = match
            line_of[start] = number
            refused.pop(start, None)
        elif start not in refused and (
            shape.name in convention.chosen or not shape.needs_evidence or not convention.chosen
        ):
            # Worth a warning: a label of a shape the document uses, or of an unambiguous one.
            refused[start] = match.speaker
    _join_wrapped_labels(lines, opened_at, line_of, is_furniture_line)

    def line_at(offset: int) -> int:
        # As an editor numbers lines in the whole transcript: a form feed starts none,
        # though ``splitlines`` (and so ``lines``) breaks there.
        return first_line + text.count("\n", 0, offset) + 1

    heads, page_heads = read_page_heads(lines, is_furniture_line, opened_at, line_at)
    if heads:
        furniture = _merged(furniture + heads)
        starts = [span[0] for span in furniture]
    first_label = min(opened_at, default=len(text))
    # Label-like lines in the front matter (a committee roster) are not worth a warning.
    not_taken: list[tuple[int, str]] = []
    at_line, counted_to = first_line + 1, 0
    for start, speaker in sorted(refused.items()):
        if start > first_label:
            # Numbered as an editor numbers lines (a form feed starts none).
            at_line += text.count("\n", counted_to, start)
            counted_to = start
            not_taken.append((at_line, speaker))
    return Reading(
        convention,
        tuple(sorted(opened_at.items())),
        tuple(not_taken),
        tuple(furniture),
        tuple(page_heads),
    )


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and made disjoint (``in_spans`` searches them by their starts)."""
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _join_wrapped_labels(
    lines: list[tuple[int, str]],
    opened_at: dict[int, LabelMatch],
    line_of: dict[int, int],
    is_furniture_line: Callable[[int, str], bool],
) -> None:
    """Labels wrapped over two lines in a narrow column (``The DEPUTY CHIEF WHIP OF THE
    MAJORITY⏎PARTY: Madam Speaker``) start on the line before, in place.

    The line before must follow a finished sentence (or a blank line or a label), hold
    no sentence punctuation itself, and make a name with the label it runs into.
    """
    for start, match in sorted(opened_at.items()):
        number = line_of[start]
        if number < 2 or match.timestamp:
            continue
        head_start, head = lines[number - 1]
        body = head.strip()
        if (
            not body
            or head_start in opened_at
            or len(body) > 80
            or body[-1] in _SENTENCE_END
            or any(ch in body for ch in ':;?!"“”')
            or is_furniture_line(head_start, head)
        ):
            continue
        before = lines[number - 2][1].rstrip()
        if before and before[-1] not in _SENTENCE_END:
            continue
        if body[-1] == "-" and body[-2:-1].isalpha():
            joined = body[:-1] + match.speaker  # a word hyphenated at the column's edge
        else:
            joined = f"{body} {match.speaker}"
        if not looks_like_speaker(joined):
            continue
        opened_at.pop(start)
        opened_at[head_start] = replace(
            match,
            speaker=clean_label(joined),
            content_start=start - head_start + match.content_start,
        )


#: What ends a finished sentence (or an interjection in brackets) at a line end.
_SENTENCE_END = frozenset(".?!])”\"'’:")


def _inside_bracket(lines: list[tuple[int, str]], number: int) -> bool:
    """Whether line ``number`` continues a bracket the line before left open: a
    hard-wrapped interjection (``…with him—[Hon.⏎Members: “Why not?”]``) is no label."""
    if number == 0:
        return False
    before = lines[number - 1][1]
    return before.count("[") > before.count("]")


def _blank_spans(
    lines: list[tuple[int, str]], spans: list[tuple[int, int]]
) -> list[tuple[int, str]]:
    """``lines`` with the characters of ``spans`` (each inside one line) replaced by spaces."""
    by_line: dict[int, list[tuple[int, int]]] = {}
    line_starts = [start for start, _line in lines]
    for begin, end in spans:
        index = bisect.bisect_right(line_starts, begin) - 1
        by_line.setdefault(index, []).append((begin, end))
    blanked = list(lines)
    for index, found in by_line.items():
        start, line = lines[index]
        chars = list(line)
        for begin, end in found:
            chars[begin - start : end - start] = " " * (end - begin)
        blanked[index] = (start, "".join(chars))
    return blanked
