"""Reading codings as columns (issue 16): the same sentences, codings and warnings as the
plain reading of the logs, line by line, on random logs with every kind of line; and no
object per sentence unless asked for."""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from annotator.agreement import (
    Coding,
    Codings,
    Unit,
    agreement_report,
    disagreements_in,
    read_codings,
    retired_units,
)
from annotator.log import CLEAR, EXCLUDE, LABEL, MARK, MERGE, SPLIT, Decision, encode_line
from annotator.log import read_log as replay
from annotator.log.anchor import overlapping

LABELS = ("threat", "commitment", "procedural", "reassurance")
DOCUMENTS = ("brief-a", "brief-b", "brief-c")


def sentence(document: str, k: int, edited: bool = False) -> tuple[int, int, str]:
    """Sentence ``k`` of a document: offsets and text (``edited``: other text, same place)."""
    text = f"{'SENTENCE' if edited else 'Sentence'} {k} of {document}."
    start = 40 * k
    return start, start + len(text), text


def random_log(
    path: Path, analyst: str, seed: int, lines: int = 160, sentences: int = 30, notes: bool = True
) -> Path:
    """A log of every kind of line: decisions with notes and flags (unless not ``notes``),
    clears, marks, exclusions, merges and splits, another version of a text at the same
    offsets, and units spanning two sentences (as a merge in another log leaves them)."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for n in range(lines):
            document = rng.choice(DOCUMENTS)
            k = rng.randrange(sentences)
            start, end, text = sentence(document, k, edited=rng.random() < 0.08)
            if rng.random() < 0.02:  # a unit two sentences long
                end = sentence(document, k + 1)[1]
                text = f"Sentences {k} and {k + 1} of {document}."
            roll = rng.random()
            action = (
                LABEL if roll < 0.72 else CLEAR if roll < 0.82 else MARK if roll < 0.88 else None
            )
            fields: dict[str, object] = {}
            if action is None:
                action = rng.choice((EXCLUDE, MERGE, SPLIT))
                if action == MERGE:
                    next_start, next_end, next_text = sentence(document, k + 1)
                    fields = {"next_start": next_start, "next_end": next_end}
                    fields["next_text"] = next_text
                elif action == SPLIT:
                    fields = {"split_at": start + 9}
            labels = tuple(rng.sample(LABELS, rng.choice((0, 1, 1, 2)))) if action == LABEL else ()
            decision = Decision(
                action=action,  # type: ignore[arg-type]
                document=document,
                doc_hash="edited" if "SENTENCE" in text else "first",
                start=start,
                end=end,
                text=text,
                turn=k // 4,
                speaker=rng.choice(("MR MILLER", "QUESTION", "")),
                labels=labels,
                note=rng.choice((None, None, None, f"note {n % 3}")) if notes else None,
                flag=notes and rng.random() < 0.1,
                annotator=analyst,
                session="test",
                time="2024-05-01T12:00:00.000Z",
                id=f"{analyst}#{seed}#{n}",
                **fields,  # type: ignore[arg-type]
            )
            out.write(encode_line(decision))
    return path


def plain_reading(paths: Sequence[Path]) -> tuple[list[Unit], list[tuple[Coding, ...]], int]:
    """What agreement means by the codings of some logs, line by line with a dict per
    sentence: the last line per sentence and annotator wins, logs in order; a unit's turn
    and speaker are those of the line that first decided it; units whose boundaries
    overlap another's are left out. Also how many were left out."""
    found: dict[tuple[str, int, int, str], tuple[Unit, dict[str, Coding]]] = {}
    for path in paths:
        state = replay(path)
        retired = retired_units(state)
        for entry in state.entry_fields():
            key = (entry.document, entry.start, entry.end, entry.text)
            slot = found.get(key)
            if entry.action == LABEL and key[:3] not in retired:
                if slot is None:
                    unit = Unit(*key, entry.turn, entry.speaker)
                    slot = found[key] = (unit, {})
                slot[1][entry.annotator] = Coding(
                    entry.annotator, entry.labels, entry.note, entry.flag
                )
            elif slot is not None:
                slot[1].pop(entry.annotator, None)
    clash = overlapping([key for key, (_, codes) in found.items() if codes])
    kept = sorted((key, slot) for key, slot in found.items() if slot[1] and key not in clash)
    units = [unit for _, (unit, _) in kept]
    codings = [tuple(codes[a] for a in sorted(codes)) for _, (_, codes) in kept]
    return units, codings, len(clash)


@pytest.mark.parametrize("seed", range(8))
def test_columns_hold_what_the_plain_reading_finds(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [
        random_log(tmp_path / "ana.jsonl", "ana", seed * 10 + 1),
        random_log(tmp_path / "ben.jsonl", "ben", seed * 10 + 2),
        random_log(tmp_path / "cy.jsonl", "cy", seed * 10 + 3),
        random_log(tmp_path / "ana-again.jsonl", "ana", seed * 10 + 4, lines=40),
    ]
    units, codings, left_out = plain_reading(paths)
    read = read_codings(paths)
    assert list(read.units) == units
    assert list(read.codings) == codings
    assert read.annotators == tuple(sorted({c.annotator for row in codings for c in row}))
    assert any("also wrote" in w for w in read.warnings)
    boundaries = [w for w in read.warnings if "boundaries differ" in w]
    assert [w.split(" sentences left out")[0] for w in boundaries] == (
        [str(left_out)] if left_out else []
    )
    # The same from the objects: the report and the disagreements do not depend on how
    # the codings were gathered.
    rebuilt = Codings.from_rows(zip(units, codings, strict=True), read.warnings)
    assert rebuilt == read
    assert agreement_report(rebuilt).to_json() == agreement_report(read).to_json()
    assert disagreements_in(rebuilt, include_flagged=True) == disagreements_in(
        read, include_flagged=True
    )
    # Worker processes give the same.
    monkeypatch.setattr("annotator.agreement.columns.PARALLEL_BYTES", 0)
    assert read_codings(paths) == read


def test_other_text_at_the_same_offsets_sorts_by_text(tmp_path: Path) -> None:
    """Units with equal offsets and other texts are told apart by their text (read back
    only for them) and ordered by it, as the plain reading orders them."""
    paths = []
    for analyst, texts in (("ana", ("Zebra.", "Apple.")), ("ben", ("Apple.", "Mango."))):
        path = tmp_path / f"{analyst}.jsonl"
        with path.open("wb") as out:
            for n, text in enumerate(texts):
                line = Decision(
                    action=LABEL,
                    document="d",
                    doc_hash=text,
                    start=0,
                    end=6,
                    text=text,
                    labels=("threat",),
                    annotator=analyst,
                    session="s",
                    time="2024-05-01T12:00:00.000Z",
                    id=f"{analyst}{n}",
                )
                out.write(encode_line(line))
        paths.append(path)
    read = read_codings(paths)
    assert [u.text for u in read.units] == ["Apple.", "Mango.", "Zebra."]
    assert [len(row) for row in read.codings] == [2, 1, 1]
    assert (list(read.units), list(read.codings), 0) == plain_reading(paths)


def test_a_report_builds_objects_only_for_the_sentences_it_lists(tmp_path: Path) -> None:
    """Reading and scoring a log keep numbers per sentence, not objects: the only
    ``Unit`` objects made are the few disputed sentences the report lists, and the
    ``Coding`` objects are the distinct codings, not one per line."""
    paths = [
        random_log(tmp_path / f"{name}.jsonl", name, seed, lines=600, sentences=100, notes=False)
        for seed, name in enumerate(("ana", "ben"))
    ]

    def alive(kind: type) -> int:
        return sum(isinstance(o, kind) for o in gc.get_objects())

    before_units, before_codings = alive(Unit), alive(Coding)
    codings = read_codings(paths)
    report = agreement_report(codings, top=3)
    assert len(report.disputed) == 3 and report.units > 50
    assert alive(Unit) - before_units <= 3
    assert alive(Coding) - before_codings <= len(codings.table) < report.units
    assert "units" not in vars(codings)  # the objects of every sentence were never built
