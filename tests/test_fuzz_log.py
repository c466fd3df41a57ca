"""Property-based tests of the log reader and writer: hostile bytes never escape as an
exception, nothing decided on another line is lost, damaged text is never accepted.

Each property starts from a real log of a few decisions and damages it the way
disks, editors and other programs do: random bytes, random JSON, fields of
random types, truncation, single bit flips.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from annotator.errors import StoreError
from annotator.log import AnnotationLog, read_log
from annotator.model import Document
from tests.builders import make_document as build

SENTENCES = ["We will act now.", "Is the threat growing?", "Thank you.", "We call on Iran to stop."]


def make_document() -> Document:
    return build([("MR MILLER", SENTENCES)], title="Briefing", speaker_key=lambda s, i: "miller")


@pytest.fixture(scope="module")
def good_lines(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """One decision per sentence, as the writer writes them."""
    path = tmp_path_factory.mktemp("fuzz") / "log.jsonl"
    document = make_document()
    with AnnotationLog.open(path, "alice") as log:
        for n, span in enumerate(document.turns[0].sentences):
            log.decide(document, 0, span, [("commitment", "procedural")[n % 2]], note=f"n{n}")
    return path.read_bytes().splitlines(keepends=True)


def replay(tmp_path: Path, data: bytes) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(data)
    try:
        state = read_log(path)
    except StoreError as error:
        # The only refusal: a line that claims a newer schema.
        assert "newer annotator" in str(error)
        return {}, [str(error)]
    return {d.text: d.labels for d in state.decisions()}, state.warnings


def others_kept(decided: dict[str, tuple[str, ...]], lines: list[bytes], damaged: int) -> None:
    for n, line in enumerate(lines):
        if n != damaged:
            record = json.loads(line)
            assert decided.get(record["text"]) == tuple(record["labels"]), (n, decided)


@given(junk=st.binary(max_size=300), where=st.integers(0, 3))
def test_random_bytes_in_place_of_a_line(
    tmp_path: Path, good_lines: list[bytes], junk: bytes, where: int
) -> None:
    assume(b"\n" not in junk)
    lines = list(good_lines)
    lines[where] = junk + b"\n"
    decided, _ = replay(tmp_path, b"".join(lines))
    if decided:
        others_kept(decided, good_lines, where)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children)
    ),
    max_leaves=10,
)


@given(field=st.sampled_from(
    ["schema", "action", "document", "annotator", "doc_hash", "start", "end", "turn", "text",
     "labels", "note", "flag", "step", "meta", "options", "ref", "_input_hash", "split_at"]
), value=JSON, where=st.integers(0, 3))  # fmt: skip
def test_a_field_of_any_type(
    tmp_path: Path, good_lines: list[bytes], field: str, value: object, where: int
) -> None:
    lines = list(good_lines)
    record = json.loads(lines[where])
    record[field] = value
    lines[where] = json.dumps(record).encode() + b"\n"
    decided, warnings = replay(tmp_path, b"".join(lines))
    if not decided and warnings and "newer" in warnings[0]:
        return
    others_kept(decided, good_lines, where)
    original = json.loads(good_lines[where])
    if original["text"] not in decided:
        # The damaged line was skipped, or moved to another place: never silently lost.
        assert warnings or field in ("document", "annotator", "doc_hash", "start", "end")


@given(cut=st.integers(1, 2000))
def test_a_last_line_cut_anywhere(tmp_path: Path, good_lines: list[bytes], cut: int) -> None:
    last = good_lines[-1]
    cut = min(cut, len(last) - 1)
    data = b"".join(good_lines[:-1]) + last[:cut]
    decided, _ = replay(tmp_path, data)
    # Cut just before its newline the line is whole, and counts; anywhere else it is
    # torn, and only it is lost.
    whole = cut == len(last) - 1
    assert len(decided) == len(good_lines) - (0 if whole else 1)
    others_kept(decided, good_lines[:-1], -1)


@given(where=st.integers(0, 3), bit=st.integers(0, 10_000))
def test_a_flipped_bit_never_passes_off_damaged_text(
    tmp_path: Path, good_lines: list[bytes], where: int, bit: int
) -> None:
    lines = list(good_lines)
    line = bytearray(lines[where])
    index = bit // 8 % (len(line) - 1)  # never the newline itself
    line[index] ^= 1 << (bit % 8)
    lines[where] = bytes(line)
    decided, _ = replay(tmp_path, b"".join(lines))
    if not decided:
        return
    others_kept(decided, good_lines, where)
    # Whatever the flip hit, a text the writer never wrote is never read as a decision.
    assert set(decided) <= set(SENTENCES)


@given(note=st.text(max_size=40), labels=st.lists(st.text(max_size=12), max_size=3))
def test_the_writer_saves_any_text_or_refuses_it_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, note: str, labels: list[str]
) -> None:
    path = tmp_path_factory.mktemp("write") / "log.jsonl"
    document = make_document()
    span = document.turns[0].sentences[0]
    with AnnotationLog.open(path, "alice") as log:
        try:
            log.decide(document, 0, span, labels, note=note)
        except StoreError:
            assert not path.exists() or path.read_bytes() == b""
            return
    (decision,) = read_log(path).decisions()
    assert decision.note == (note or None)
    assert decision.labels == tuple(dict.fromkeys(labels))
