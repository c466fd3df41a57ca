"""Property-based tests of the transcript reader, the segmenter and the CSV writer:
no input makes them raise anything but a one-line ``AnnotatorError``, and every
offset they give points at exactly the text it names."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.segment import load_pipeline, segment_document
from annotator.transcript import decode_bytes, parse_text

# Text that looks like transcripts: speaker labels, notes, colons, quotes, breaks.
PIECES = st.sampled_from(
    [
        "MR MILLER: ",
        "QUESTION: ",
        "Q ",
        "Mr. Koo.  ",
        "THE COURT:   ",
        "**Ms. Dalton:** ",
        "Matthew Miller (00:12):\n",
        "(Laughter.) ",
        "(crosstalk) ",
        "[Interruption.] ",
        "Page 2 of 21\n",
        "\f",
        "12:41 P.M. EDT\n",
        "He said: “A full term is a full term.” ",
        "We will act. ",
        "Is it so? ",
        "U.S. ",
        "9 a.m. Monday. ",
        "\n",
        "\n\n",
        "  ",
        "王毅：",
        "-- ",
        "—",
        "\u200b",
    ]
)
TRANSCRIPTS = st.lists(PIECES | st.text(max_size=12), max_size=40).map("".join)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


def check_offsets(document) -> None:  # type: ignore[no-untyped-def]
    text = document.text
    for turn in document.turns:
        assert text[turn.start : turn.end] == turn.text
        for span in (*turn.sentences, *turn.notes):
            assert text[span.start : span.end] == span.text
            assert turn.start <= span.start <= span.end <= turn.end or span in turn.notes
        previous = -1
        for span in turn.sentences:
            assert span.start >= previous  # in order, never overlapping
            previous = span.end


@given(text=TRANSCRIPTS)
def test_the_reader_and_segmenter_keep_exact_offsets(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    try:
        document = parse_text(text, doc_id="fuzz", source="fuzz.txt")
        document = segment_document(document, nlp)
    except AnnotatorError:
        return
    check_offsets(document)


@given(data=st.binary(max_size=400))
def test_any_bytes_decode_or_give_one_error(data: bytes) -> None:
    try:
        text, _ = decode_bytes(data, "fuzz.txt")
    except AnnotatorError as error:
        assert "\n" not in str(error)
        return
    assert isinstance(text, str)


@given(
    cells=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15),
        min_size=1,
        max_size=6,
    )
)
def test_csv_cells_round_trip_and_never_start_a_formula(cells: list[str]) -> None:
    from annotator.export.csvfile import FORMULA_STARTS, neutralise

    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(c) for c in cells])
    (row,) = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert len(row) == len(cells)
    for written, original in zip(row, cells, strict=True):
        assert not written.startswith(FORMULA_STARTS)
        assert written == original or written == "'" + original
