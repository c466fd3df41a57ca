"""Running heads that name the speaker at the top of a PDF page (issue 10).

Made-up transcripts in the shape text extraction gives them: pages joined by form
feeds, a head line at each page's top (``Mr. OKAFOR (continuing)``, or a repeated
head with the speaker's name in it), and pages whose first lines carry no label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from extract_builders import FONT, FONT_BOLD, PdfLayout, Source, build_pdf

from annotator.extract import extract_file, read_extracted
from annotator.ingest.page_heads import continuation_name
from annotator.model import Document
from annotator.transcript import explain_paths, parse_text
from tests.command_line import run_cli

needs_font = pytest.mark.skipif(
    not (FONT.exists() and FONT_BOLD.exists()),
    reason="the DejaVu fonts (Debian fonts-dejavu-core) build the test PDFs",
)

PAGE_1 = (
    "The CHAIRMAN. The committee will come to order. Mr. Okafor, you may begin.\n"
    "Mr. OKAFOR. Thank you, Mr. Chairman. The harbour fees doubled last year, and\n"
)
PAGE_2 = (
    "Mr. OKAFOR (continuing)\n"
    "the shipping lines moved their boats to the north berth. That is the problem.\n"
    "The CHAIRMAN. Thank you. Mr. Lindqvist.\n"
    "Mr. LINDQVIST. Why did the fees double? I ask because the port says it is\n"
)


def read(text: str) -> Document:
    return parse_text(text, doc_id="t", source="t.txt")


def speakers(document: Document) -> list[tuple[str, str]]:
    return [(turn.speaker, " ".join(turn.text.split()[:3])) for turn in document.turns]


def test_a_speech_continued_over_the_page_is_one_turn_with_the_head_as_a_note() -> None:
    document = read(PAGE_1 + "\f" + PAGE_2)
    assert speakers(document) == [
        ("The CHAIRMAN", "The committee will"),
        ("Mr. OKAFOR", "Thank you, Mr."),
        ("The CHAIRMAN", "Thank you. Mr."),
        ("Mr. LINDQVIST", "Why did the"),
    ]
    okafor = document.turns[1]
    assert "the north berth. That is the problem." in okafor.text
    assert [note.text for note in okafor.notes] == ["Mr. OKAFOR (continuing)"]
    # The usual case is no inference worth a warning.
    assert document.warnings == ()


def test_a_page_whose_head_names_someone_else_opens_that_speakers_turn() -> None:
    # Page 2 was not extracted (a scan); page 3 goes on with Mr. Okafor's answer.
    page_3 = (
        "Mr. OKAFOR (continuing)\n"
        "demand fell and our costs did not. We had no choice.\n"
        "The CHAIRMAN. Thank you. The committee stands adjourned.\n"
    )
    text = PAGE_1 + "\f" + PAGE_2 + "\f" + page_3
    document = read(text)
    assert speakers(document)[-3:] == [
        ("Mr. LINDQVIST", "Why did the"),
        ("Mr. OKAFOR", "demand fell and"),
        ("The CHAIRMAN", "Thank you. The"),
    ]
    assert document.turns[3].text.endswith("the port says it is")
    line = text[: text.index("demand fell")].count("\n") + 1
    (warning,) = document.warnings
    assert warning.startswith(f"t.txt: line {line} opens a page with no speaker label")
    assert "'Mr. OKAFOR (continuing)'" in warning and "after a turn of Mr. LINDQVIST" in warning


def test_an_excerpt_that_starts_mid_speech_gives_the_first_page_to_the_head() -> None:
    text = (
        "Mr. HALE (continuing)\n"
        "and so the bill is late by a year.\n"
        "The CHAIRMAN. Thank you.\n"
        "Mr. HALE. One more point.\n"
    )
    document = read(text)
    assert speakers(document) == [
        ("Mr. HALE", "and so the"),
        ("The CHAIRMAN", "Thank you."),
        ("Mr. HALE", "One more point."),
    ]
    assert "before any label" in document.warnings[0]


def test_a_head_ending_in_a_period_is_no_label_of_its_own() -> None:
    document = read(PAGE_1 + "\f" + PAGE_2.replace("(continuing)", "(continuing)."))
    assert [turn.speaker for turn in document.turns][:2] == ["The CHAIRMAN", "Mr. OKAFOR"]
    assert len(document.turns) == 4


def test_a_repeated_head_with_the_speakers_name_in_it() -> None:
    head = "HARBOUR COMMITTEE    12 May 2031    {}\n"
    pages = [
        head.format("The CHAIRMAN") + PAGE_1,
        head.format("Mr. OKAFOR") + PAGE_2.split("\n", 1)[1],
        head.format("Mr. LINDQVIST") + "has no money left for dredging. Is that so?\n"
        "Mr. OKAFOR. It is so.\n",
        head.format("Mr. OKAFOR") + "Mr. OKAFOR. May I add one thing?\n",
    ]
    document = read("\f".join(pages))
    assert speakers(document) == [
        ("The CHAIRMAN", "The committee will"),
        ("Mr. OKAFOR", "Thank you, Mr."),
        ("The CHAIRMAN", "Thank you. Mr."),
        ("Mr. LINDQVIST", "Why did the"),
        ("Mr. OKAFOR", "It is so."),
        ("Mr. OKAFOR", "May I add"),
    ]
    notes = [note.text for turn in document.turns for note in turn.notes]
    assert "HARBOUR COMMITTEE    12 May 2031    Mr. LINDQVIST" in notes
    assert document.warnings == ()


@pytest.mark.parametrize(
    ("head", "name"),
    [
        ("Mr. SMITH (continuing)", "Mr. SMITH"),
        ("SMITH—continued", "SMITH"),
        ("The CHAIRMAN (Continued).", "The CHAIRMAN"),
        ("14 March 2031]    MR JOHN SMITH    [Continued", "MR JOHN SMITH"),
        ("Ms. Ruth Okoro, continuing", "Ms. Ruth Okoro"),
        ("The talks continued.", None),
        ("and the work (continued) until May", None),
        ("Debate continued", None),
    ],
)
def test_continuation_heads(head: str, name: str | None) -> None:
    assert continuation_name(head) == name


def test_prose_about_continuing_at_a_page_top_stays_speech() -> None:
    text = PAGE_1 + "\fThe talks continued.\nMr. LINDQVIST. Thank you.\n"
    document = read(text)
    assert "The talks continued." in document.turns[1].text
    assert not any(note.text == "The talks continued." for note in document.turns[1].notes)


def test_explain_counts_the_heads_and_names_the_inferred_turns(tmp_path: Path) -> None:
    path = tmp_path / "hearing.txt"
    path.write_text(
        PAGE_1 + "\f" + PAGE_2 + "\fMr. OKAFOR (continuing)\ndemand fell.\n", encoding="utf-8"
    )
    (explained,) = explain_paths([path])
    assert "running heads name the speaker at the top of 2 pages" in explained
    assert "1 go on with that speaker's turn, 1 open a turn" in explained
    assert "line 8: Mr. OKAFOR (head at line 7)" in explained
    result = run_cli("parse", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "opens a page with no speaker label" in result.stderr


def _varied_speech(count: int) -> str:
    places = ("north", "south", "east", "west", "inner", "outer", "old", "new")
    goods = ("grain", "timber", "steel", "coal", "salt", "wool", "fruit", "oil")
    return " ".join(
        f"In week {n} the {places[n % 8]} berth took {n * 37 % 101} boats of "
        f"{goods[n * 3 % 8]}, and {goods[(n + 5) % 8]} waited {n % 7 + 2} days."
        for n in range(count)
    )


HEARING = Source(
    "Harbour Committee",
    "",
    [
        "The CHAIRMAN. The committee will come to order. Mr. Okafor, you may begin.",
        "Mr. OKAFOR. Thank you, Mr. Chairman. " + _varied_speech(70),
        "The CHAIRMAN. Thank you. Mr. Lindqvist.",
        "Mr. LINDQVIST. Why did the fees double? " + _varied_speech(50),
        "Mr. OKAFOR. Demand fell and costs did not.",
        "The CHAIRMAN. Thank you. The committee stands adjourned.",
    ],
)
EXPECTED = [
    ("The CHAIRMAN", "The committee will"),
    ("Mr. OKAFOR", "Thank you, Mr."),
    ("The CHAIRMAN", "Thank you. Mr."),
    ("Mr. LINDQVIST", "Why did the"),
    ("Mr. OKAFOR", "Demand fell and"),
    ("The CHAIRMAN", "Thank you. The"),
]


@needs_font
@pytest.mark.parametrize(
    "layout",
    [
        PdfLayout(header="HARBOUR COMMITTEE HEARING", speaker_head="{speaker} (continuing)"),
        PdfLayout(
            header="HARBOUR COMMITTEE   12 May 2031",
            speaker_head="{header}   {speaker}",
            speaker_head_always=True,
        ),
    ],
    ids=["continuing", "named"],
)
def test_pdf_heads_naming_the_speaker_stay_as_notes(layout: PdfLayout, tmp_path: Path) -> None:
    path = tmp_path / "hearing.pdf"
    pages = build_pdf(HEARING, path, layout)
    assert pages >= 4
    document = read_extracted(path)
    assert speakers(document) == EXPECTED
    assert document.text == extract_file(path).text
    heads = [
        note.text
        for turn in document.turns
        for note in turn.notes
        if "continuing" in note.text or "12 May 2031" in note.text
    ]
    # Every page after the first opens inside a speech here, under its speaker's head.
    assert len(heads) == pages - 1
    assert any("Mr. LINDQVIST" in head for head in heads)
    kept = [w for w in document.warnings if "running heads that name the speaker" in w]
    assert kept, document.warnings
    assert not any("opens a page with no speaker label" in w for w in document.warnings)
