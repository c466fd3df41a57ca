"""Re-finding decisions in the current text of a document.

Decisions point at text, not at sentence numbers: each line carries the
document's text hash, the sentence's offsets and its text. A decision made on
this very text attaches by offsets; one made on an earlier version attaches
by text, in order, so an edited transcript or another sentence splitter keeps
the work. A decision whose text is gone is an orphan: kept in the log and
reported, never moved onto other text. Merges and splits are applied by text
too, before anything is attached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from annotator.log.schema import CLEAR, EXCLUDE, LABEL, MERGE, Decision, Location
from annotator.model import Document, Span, Turn


@dataclass(frozen=True)
class Attachment:
    """One annotator's lines re-found in the current text of one document.

    ``decisions`` maps each sentence's ``(start, end)`` in the (corrected)
    document to its decision (``label``); ``marks`` holds the sentences that
    are undecided but carry a note or a flag (``mark``) or are excluded as not
    speech (``exclude``); ``orphans`` are decisions whose text is no longer in
    the document. Orphans stay in the log; they are only reported.
    """

    decisions: dict[Location, Decision]
    marks: dict[Location, Decision]
    orphans: list[Decision]

    def excluded(self) -> dict[Location, Decision]:
        """The sentences excluded as not speech, with their ``exclude`` lines."""
        return {loc: line for loc, line in self.marks.items() if line.action == EXCLUDE}


def apply_corrections(
    document: Document, corrections: Iterable[Decision]
) -> tuple[Document, set[str]]:
    """The document with merges and splits applied, found by text, and the texts of the
    sentences they consumed (retired, not orphaned). Idempotent: once applied, the
    texts a correction looks for are gone."""
    corrections = list(corrections)
    if not corrections:
        return document, set()
    turns = [list(turn.sentences) for turn in document.turns]
    consumed: set[str] = set()
    for c in corrections:
        if c.action == MERGE:
            found = _find_pair(turns, c.text, c.next_text, c.start)
            if found is not None:
                ti, j = found
                first, second = turns[ti][j], turns[ti][j + 1]
                merged = Span(first.start, second.end, document.text[first.start : second.end])
                turns[ti][j : j + 2] = [merged]
                consumed.update((first.text, second.text))
        else:
            found = _find_one(turns, c.text, c.start)
            if found is not None and c.split_at is not None:
                ti, j = found
                parts = split_span(turns[ti][j], c.split_at - c.start)
                if parts is not None:
                    turns[ti][j : j + 1] = list(parts)
                    consumed.add(c.text)
    new_turns = tuple(
        replace(turn, sentences=tuple(sentences))
        for turn, sentences in zip(document.turns, turns, strict=True)
    )
    return replace(document, turns=new_turns), consumed


def attach(
    document: Document,
    doc_hash: str,
    entries: list[Decision],
    corrections: Iterable[Decision],
) -> Attachment:
    """Re-find ``entries`` (one annotator's last line per sentence, in order of writing)
    in the current text of ``document``, whose text hashes to ``doc_hash``.

    A line made on this very text attaches by offsets (checked against the
    text). Lines made on an earlier version attach by text: the sentences of
    that version, in order, are aligned with the current sentences (so repeated
    sentences such as "Thank you." keep their order); any left over go to an
    unclaimed sentence with the same text, preferring the same speaker and the
    nearest offset. The last line per sentence wins. A line is never attached
    to other text.
    """
    corrected, consumed = apply_corrections(document, corrections)
    units = [(turn, s) for turn in corrected.turns for s in turn.sentences]
    by_location = {(s.start, s.end): i for i, (_, s) in enumerate(units)}
    target: list[int | None] = [None] * len(entries)
    other_versions: dict[str, list[int]] = {}
    for n, entry in enumerate(entries):
        if entry.doc_hash == doc_hash:
            i = by_location.get((entry.start, entry.end))
            if i is not None and units[i][1].text == entry.text:
                target[n] = i
                continue
        other_versions.setdefault(entry.doc_hash, []).append(n)
    if other_versions:
        texts = [s.text for _, s in units]
        by_text: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            by_text.setdefault(text, []).append(i)
        for group in other_versions.values():
            _align(group, entries, units, texts, by_text, target)

    winner: dict[int, int] = {}
    for n, i in enumerate(target):
        if i is not None:
            winner[i] = n  # later lines overwrite earlier ones: last write wins
    decisions: dict[Location, Decision] = {}
    marks: dict[Location, Decision] = {}
    for i, n in sorted(winner.items()):
        entry = entries[n]
        if entry.action != CLEAR:
            (decisions if entry.action == LABEL else marks)[units[i][1].location] = entry
    orphans = [
        entry
        for entry, i in zip(entries, target, strict=True)
        if i is None
        and entry.action == LABEL
        # A sentence merged or split away by this log is retired, not orphaned.
        and entry.text not in consumed
    ]
    return Attachment(decisions, marks, orphans)


def done(attachment: Attachment) -> dict[Location, Decision]:
    """The sentences that need nothing more: decided, or excluded as not speech."""
    return {**attachment.decisions, **attachment.excluded()}


def overlapping(keys: Iterable[tuple[str, int, int, str]]) -> set[tuple[str, int, int, str]]:
    """The units (document, start, end, text) that overlap another unit of the same
    document without being the same stretch of text: sentences merged or split in
    one log and not in another."""
    conflicts: set[tuple[str, int, int, str]] = set()
    by_document: dict[str, list[tuple[str, int, int, str]]] = {}
    for key in keys:
        by_document.setdefault(key[0], []).append(key)
    for units in by_document.values():
        units.sort(key=lambda k: (k[1], k[2]))
        reach: tuple[str, int, int, str] | None = None  # the unit reaching furthest so far
        for key in units:
            if reach is not None and key[1] < reach[2] and key[1:3] != reach[1:3]:
                conflicts.update((key, reach))
            if reach is None or key[2] > reach[2]:
                reach = key
    return conflicts


def first_missing(corrected: Document, decided: Mapping[Location, Any]) -> tuple[int, int] | None:
    """(turn index, sentence index) of the first sentence not in ``decided``."""
    for turn in corrected.turns:
        for j, sentence in enumerate(turn.sentences):
            if (sentence.start, sentence.end) not in decided:
                return (turn.index, j)
    return None


def split_span(sentence: Span, at: int) -> tuple[Span, Span] | None:
    """Two sentences from one, cut ``at`` characters in; whitespace stays between them."""
    left = sentence.text[:at].rstrip()
    rest = sentence.text[at:]
    right = rest.lstrip()
    if not left or not right or at <= 0 or at >= len(sentence.text):
        return None
    right_start = sentence.start + at + (len(rest) - len(right))
    return (
        Span(sentence.start, sentence.start + len(left), left),
        Span(right_start, sentence.end, right),
    )


def _align(
    group: list[int],
    entries: list[Decision],
    units: list[tuple[Turn, Span]],
    texts: list[str],
    by_text: dict[str, list[int]],
    target: list[int | None],
) -> None:
    """Attach the lines of one earlier text version, by text, keeping their order."""
    group = sorted(group, key=lambda n: entries[n].start)
    old = [entries[n].text for n in group]
    claimed: set[int] = set()
    matcher = SequenceMatcher(None, old, texts, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            target[group[block.a + k]] = block.b + k
            claimed.add(block.b + k)
    for n in group:
        if target[n] is not None:
            continue
        entry = entries[n]
        candidates = [i for i in by_text.get(entry.text, ()) if i not in claimed]
        if candidates:
            best = min(
                candidates,
                key=lambda i: (
                    units[i][0].speaker != entry.speaker,
                    abs(units[i][1].start - entry.start),
                ),
            )
            target[n] = best
            claimed.add(best)


def _find_pair(
    turns: list[list[Span]], text: str, next_text: str | None, near: int
) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_distance = 0
    for ti, sentences in enumerate(turns):
        for j in range(len(sentences) - 1):
            if sentences[j].text == text and sentences[j + 1].text == next_text:
                distance = abs(sentences[j].start - near)
                if best is None or distance < best_distance:
                    best, best_distance = (ti, j), distance
    return best


def _find_one(turns: list[list[Span]], text: str, near: int) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_distance = 0
    for ti, sentences in enumerate(turns):
        for j, sentence in enumerate(sentences):
            if sentence.text == text:
                distance = abs(sentence.start - near)
                if best is None or distance < best_distance:
                    best, best_distance = (ti, j), distance
    return best
