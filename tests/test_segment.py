"""Sentence splitting for official statements: hard cases, offsets, notes, public test sets."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from annotator.errors import PipelineError
from annotator.model import Document, Span, Turn
from annotator.segment import (
    COMPONENT,
    load_pipeline,
    segment_document,
    segment_documents,
    split_texts,
    wrap_width,
)
from tests.shared_data import MISSING

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _sbd import SBD_DIR, load_set, score


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline()


def sentences(text: str, nlp: Language) -> list[str]:
    (spans,) = split_texts([text], nlp)
    return [text[start:end] for start, end in spans]


# Each case: the text, then the sentences it must split into.
HARD_CASES = [
    # Titles and abbreviations before names and numbers.
    (
        "Amb. Thomas-Greenfield spoke first. Gen. Milley and Sec. Austin followed.",
        ["Amb. Thomas-Greenfield spoke first.", "Gen. Milley and Sec. Austin followed."],
    ),
    (
        "Mr. Price met Dr. Smith on St. Patrick's Day. Under Art. 5 of the treaty, No. 10 agreed.",
        [
            "Mr. Price met Dr. Smith on St. Patrick's Day.",
            "Under Art. 5 of the treaty, No. 10 agreed.",
        ],
    ),
    (
        "The troops moved to Ft. Bragg on Jan. 6. Acme Corp. said nothing.",
        ["The troops moved to Ft. Bragg on Jan. 6.", "Acme Corp. said nothing."],
    ),
    # U.S. and other initialisms: a boundary only when a new sentence plainly follows.
    (
        "U.S. forces remain in Syria. We thank the U.S. The U.S. Government agrees.",
        ["U.S. forces remain in Syria.", "We thank the U.S.", "The U.S. Government agrees."],
    ),
    # A hyphenated initialism (the seed transcript) is no sentence end either.
    (
        "I welcome the discussion centering on Japan-U.S. Extended Deterrence Dialogue. It works.",
        [
            "I welcome the discussion centering on Japan-U.S. Extended Deterrence Dialogue.",
            "It works.",
        ],
    ),
    (
        "He flew from Washington, D.C. to Tokyo. It was late.",
        ["He flew from Washington, D.C. to Tokyo.", "It was late."],
    ),
    # Times.
    (
        "The briefing starts at 9 a.m. The President will speak at 2 p.m. in the Rose Garden.",
        ["The briefing starts at 9 a.m.", "The President will speak at 2 p.m. in the Rose Garden."],
    ),
    ("The call began at 10:02 A.M. EDT and ended soon after.", None),
    # e.g., i.e., etc.
    (
        "Some partners, e.g. Japan and Korea, agreed, i.e. most of them. We discussed trade, "
        "energy, etc. The talks continue.",
        [
            "Some partners, e.g. Japan and Korea, agreed, i.e. most of them.",
            "We discussed trade, energy, etc.",
            "The talks continue.",
        ],
    ),
    # Question and exclamation marks.
    ("Is that right? Yes! We agree.", ["Is that right?", "Yes!", "We agree."]),
    # Quotes and brackets stay with their sentence; an opening one goes with the next.
    (
        'He said, "We will not back down." Then he left.',
        ['He said, "We will not back down."', "Then he left."],
    ),
    (
        "“This is a historic day,” she said. “We are proud.” (Applause.) Thank you.",
        ["“This is a historic day,” she said.", "“We are proud.”", "(Applause.)", "Thank you."],
    ),
    (
        "The vote was 14 in favour (Russia abstained.) and the draft passed.",
        None,
    ),
    # Numbers, initials, URLs and e-mails.
    ("Growth was 2.5 percent in 2023, up from 1.9 percent.", None),
    (
        "John F. Kennedy said so. George W. Bush agreed.",
        ["John F. Kennedy said so.", "George W. Bush agreed."],
    ),
    (
        "See state.gov/briefings or write to press@state.gov. We answer daily.",
        ["See state.gov/briefings or write to press@state.gov.", "We answer daily."],
    ),
    # Ellipses.
    ("We were going to... well, we decided not to.", None),
    ("I never meant that.... She left the room.", ["I never meant that....", "She left the room."]),
    # Numbered points.
    (
        "We agreed on three things. 1. A ceasefire. 2. Aid access. 3. Talks in Geneva.",
        [
            "We agreed on three things.",
            "1. A ceasefire.",
            "2. Aid access.",
            "3. Talks in Geneva.",
        ],
    ),
    (
        "The resolution:\n(a) condemns the attack;\n(b) calls for restraint.",
        ["The resolution:", "(a) condemns the attack;", "(b) calls for restraint."],
    ),
    ("1) Security 2) Prosperity", ["1) Security", "2) Prosperity"]),
    # Line breaks: a blank line always splits, a single newline splits unwrapped text.
    ("Thank you\n\nGood morning", ["Thank you", "Good morning"]),
    (
        "Remarks as prepared\nGood morning, everyone.",
        ["Remarks as prepared", "Good morning, everyone."],
    ),
    # Stage directions and timestamps are their own units.
    (
        "That is true. (Laughter.) But seriously.",
        ["That is true.", "(Laughter.)", "But seriously."],
    ),
    ("(00:51) Thank you very much.", ["(00:51)", "Thank you very much."]),
    (
        "We will respond (inaudible) at the right time.",
        ["We will respond", "(inaudible)", "at the right time."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_hard_cases(text: str, expected: list[str] | None, nlp: Language) -> None:
    assert sentences(text, nlp) == (expected if expected is not None else [text])


WRAPPED = (
    "MS. DALTON:  Okay, good afternoon, everyone.  As part of President\n"
    "Biden's Investing in America tour, President -- the President is\n"
    "traveling today to Fridley, Minnesota, to visit a Cummins factory that\n"
    "manufactures electrolyzers, which produce clean hydrogen.  This is the\n"
    "first Cummins factory in the United States that will manufacture\n"
    "electrolyzers, an announcement made just two months after the\n"
    "President signed the Inflation Reduction Act into law.\n"
    "\n"
    "This factory is helping to bring the supply chain for fuel-efficient\n"
    "engines and vehicles back to the U.S. and is employing hundreds of\n"
    "workers with good-paying jobs.\n"
)


def test_hard_wrapped_prose_is_read_as_prose(nlp: Language) -> None:
    assert wrap_width(WRAPPED) > 60
    result = sentences(WRAPPED, nlp)
    assert len(result) == 4
    assert result[1].startswith("As part of President\nBiden's")
    assert result[1].endswith("clean hydrogen.")
    assert result[2].startswith("This is the\nfirst") and result[2].endswith("into law.")
    assert result[3].startswith("This factory")
    assert "U.S. and is employing" in result[3]


def test_unwrapped_lines_split(nlp: Language) -> None:
    text = "Opening remarks\nSecretary Blinken\nThank you all for coming"
    assert wrap_width(text) == 0
    assert sentences(text, nlp) == [
        "Opening remarks",
        "Secretary Blinken",
        "Thank you all for coming",
    ]


def test_a_short_passage_wrapped_early_is_one_sentence(nlp: Language) -> None:
    """``annotator sentences`` on a short passage (no wrap width to measure) split at
    every line that stopped on a word before a lower-case one."""
    assert sentences("We will provide\nassistance to Ukraine. Thank you.", nlp) == [
        "We will provide\nassistance to Ukraine.",
        "Thank you.",
    ]
    assert sentences("The minister said that the plan\nwould be ready soon.", nlp) == [
        "The minister said that the plan\nwould be ready soon."
    ]
    # One or two words after a full stop are a list line, not a wrap.
    assert sentences("It was late. features\ncontact manager\nevents", nlp) == [
        "It was late.",
        "features",
        "contact manager",
        "events",
    ]


def test_soft_wrapped_line_with_trailing_space_joins(nlp: Language) -> None:
    text = "Organising your care early \nmeans you will have months to prepare."
    assert sentences(text, nlp) == [text]


OFFSET_TEXTS = [
    "",
    "   ",
    "Hello.",
    "  Leading and trailing spaces.  Second one?   ",
    "Line one\n\n\nLine two.\r\nLine three.",
    "— Thank you. —",
    "Mr. Speaker, I beg to move.\u00a0 (Interruption.) Order!",
    "“Quoted.” [Laughter.] ‘Single.’ … End…",
    "1. First\n2. Second\n  (a) nested\n",
    "Tabs\tand\tspaces .  Odd spacing ! Yes ?",
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_split_texts_spans_are_trimmed_ordered_and_disjoint(text: str, nlp: Language) -> None:
    (spans,) = split_texts([text], nlp)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end
    # Nothing but whitespace is ever left out.
    covered = "".join(text[start:end] for start, end in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_split_texts_keeps_input_order(nlp: Language) -> None:
    texts = [f"Sentence {i}. Another {i}." for i in range(600)]
    results = list(split_texts(texts, nlp, batch_size=64))
    assert len(results) == 600
    for text, spans in zip(texts, results, strict=True):
        assert [text[s:e] for s, e in spans] == [text.split(". ")[0] + ".", text.split(". ")[1]]


def _document(text: str, turns: list[tuple[str, int, int, list[str]]]) -> Document:
    """Build a Document from (speaker, start, end, note texts) with notes found in the text."""
    built = []
    for index, (speaker, start, end, note_texts) in enumerate(turns):
        notes = []
        for note in note_texts:
            at = text.index(note, start)
            notes.append(Span(at, at + len(note), note))
        built.append(
            Turn(index, speaker, speaker.lower(), start, end, text[start:end], tuple(notes))
        )
    return Document("doc", "test.txt", "Test", text, "", tuple(built))


TRANSCRIPT = (
    "SECRETARY BLINKEN:  Thank you. (Laughter.) We met at 9 a.m. The U.S. team "
    "arrived early.\n"
    "\n"
    "QUESTION:  (Via interpreter) Is it true? (00:51) Really?\n"
    "\n"
    "MR. PRICE:  (Inaudible.)\n"
)


def _transcript() -> Document:
    first = TRANSCRIPT.index("Thank")
    second = TRANSCRIPT.index("(Via")
    third = TRANSCRIPT.index("(Inaudible.)")
    return _document(
        TRANSCRIPT,
        [
            ("SECRETARY BLINKEN", first, TRANSCRIPT.index("\n\nQUESTION"), ["(Laughter.)"]),
            ("QUESTION", second, TRANSCRIPT.index("\n\nMR."), ["(Via interpreter)", "(00:51)"]),
            ("MR. PRICE", third, len(TRANSCRIPT) - 1, ["(Inaudible.)"]),
        ],
    )


def test_segment_document_excludes_notes_and_keeps_offsets(nlp: Language) -> None:
    document = segment_document(_transcript(), nlp)
    texts = [[s.text for s in turn.sentences] for turn in document.turns]
    assert texts[0] == ["Thank you.", "We met at 9 a.m.", "The U.S. team arrived early."]
    assert texts[1] == ["Is it true?", "Really?"]
    assert texts[2] == []  # a turn that is only a note has nothing to annotate
    for turn in document.turns:
        for sentence in turn.sentences:
            assert document.text[sentence.start : sentence.end] == sentence.text
            assert turn.start <= sentence.start < sentence.end <= turn.end
            for note in turn.notes:
                # Notes here sit between sentences, so none is inside one.
                assert sentence.end <= note.start or sentence.start >= note.end
    assert document.sentence_count() == 5


def test_a_note_inside_a_sentence_does_not_cut_it(nlp: Language) -> None:
    for text, note in [
        ("We will respond (inaudible) at the right time.", "(inaudible)"),
        ("We stand with our allies (applause) for as long as it takes.", "(applause)"),
        ("The talks were -- (crosstalk) -- productive.", "(crosstalk)"),
    ]:
        document = segment_document(_document(text, [("A", 0, len(text), [note])]), nlp)
        assert [s.text for s in document.turns[0].sentences] == [text]


def test_a_note_between_sentences_stays_outside_both(nlp: Language) -> None:
    text = "That is settled. (Applause.) Now the second point."
    document = segment_document(_document(text, [("A", 0, len(text), ["(Applause.)"])]), nlp)
    assert [s.text for s in document.turns[0].sentences] == [
        "That is settled.",
        "Now the second point.",
    ]


def test_a_page_header_inside_a_sentence_does_not_cut_it(nlp: Language) -> None:
    text = (
        "Hiring has held up well, and wages are above what is needed to\n"
        "June 2, 2031   Minister Oduya's Briefing   FINAL\n \nPage 4 of 9\n \n"
        "keep pace with prices. Rents are another matter.\n"
    )
    header = "June 2, 2031   Minister Oduya's Briefing   FINAL"
    document = segment_document(
        _document(text, [("A", 0, len(text) - 1, [header, "Page 4 of 9"])]), nlp
    )
    sentences = [" ".join(s.text.split()) for s in document.turns[0].sentences]
    assert len(sentences) == 2
    assert sentences[0].startswith("Hiring") and sentences[0].endswith("with prices.")
    assert sentences[1] == "Rents are another matter."


def test_punctuation_only_pieces_give_no_sentence(nlp: Language) -> None:
    text = "Thank you. (Applause.) — (Laughter.)"
    document = segment_document(
        _document(text, [("A", 0, len(text), ["(Applause.)", "(Laughter.)"])]), nlp
    )
    assert [s.text for s in document.turns[0].sentences] == ["Thank you."]


def test_segment_documents_yields_every_document_in_order(nlp: Language) -> None:
    empty = Document("empty", "e.txt", "Empty", "", "", ())
    source = _transcript()
    documents = [empty, source, empty, dataclasses.replace(source, id="second"), empty]
    results = list(segment_documents(iter(documents), nlp))
    assert [d.id for d in results] == ["empty", "doc", "empty", "second", "empty"]
    assert results[1].turns == segment_document(source, nlp).turns
    assert results[3].sentence_count() == 5


def test_load_pipeline_blank_has_rule_component(nlp: Language) -> None:
    assert COMPONENT in nlp.pipe_names
    assert nlp.lang == "en"


def test_load_pipeline_unknown_name_raises_one_line_error() -> None:
    with pytest.raises(PipelineError) as info:
        load_pipeline("xx_no_such_pipeline_sm")
    message = str(info.value)
    assert "xx_no_such_pipeline_sm" in message
    assert "\n" not in message


def test_load_pipeline_adds_rules_to_pipeline_without_boundaries(tmp_path: Path) -> None:
    import spacy

    bare = spacy.blank("en")
    bare.to_disk(tmp_path / "bare")
    loaded = load_pipeline(str(tmp_path / "bare"))
    assert loaded.pipe_names == [COMPONENT]
    assert sentences("Hello there. How are you?", loaded) == ["Hello there.", "How are you?"]

    with_sentencizer = spacy.blank("en")
    with_sentencizer.add_pipe("sentencizer")
    with_sentencizer.to_disk(tmp_path / "sentencizer")
    assert load_pipeline(str(tmp_path / "sentencizer")).pipe_names == ["sentencizer"]


needs_sbd = pytest.mark.skipif(not SBD_DIR.is_dir(), reason=f"{MISSING}: {SBD_DIR}")


@needs_sbd
@pytest.mark.parametrize(
    ("name", "target"), [("golden_rules_en", 0.95), ("pragmatic_en_spec", 0.90)]
)
def test_public_sets_meet_targets(name: str, target: float, nlp: Language) -> None:
    cases = load_set(name)
    result = score(cases, split_texts((case.text for case in cases), nlp))
    assert result.f1 >= target, f"{name}: F1 {result.f1:.3f} < {target}"


def test_wrapped_line_after_a_label_is_not_a_sentence_end(nlp) -> None:  # type: ignore[no-untyped-def]
    # The first line of a turn is shorter once its label and note are cut off, but on
    # the page it ran to the wrap width: the line break inside "We are / immensely" is soft.
    from annotator.transcript import parse_text

    wrapped = (
        "PRIME MINISTER KISHIDA:   (As interpreted.)  Well, thank you.  We are\n"
        "immensely pleased with President Biden's first visit to Japan as the\n"
        "President of the United States.  The United States is Japan's only ally\n"
        "who shares the universal values of freedom, democracy, human rights,\n"
        "and rule of law, and we will work together on many of these matters.\n"
        "\n"
        "PRESIDENT BIDEN:  Thank you, Mr. Prime Minister, and thank you for the\n"
        "warm welcome that you have extended to me and to my whole delegation.\n"
    )
    document = segment_document(parse_text(wrapped, doc_id="w", source="w"), nlp)
    first = [s.text.split()[:3] for s in document.turns[0].sentences]
    assert first[:3] == [
        ["Well,", "thank", "you."],
        ["We", "are", "immensely"],
        ["The", "United", "States"],
    ]


# Issue 10's sentence cases, in text of our own: the text, then its sentences.
OFFICIAL_CASES = [
    # An abbreviation that ends a sentence still ends it before a capital...
    (
        "The accord was signed in Washington, D.C. The delegates then left.",
        ["The accord was signed in Washington, D.C.", "The delegates then left."],
    ),
    (
        "Voting closes at 6 p.m. The count starts at once.",
        ["Voting closes at 6 p.m.", "The count starts at once."],
    ),
    # ...and one inside a sentence does not cut it.
    ("Turnout was about 55 vs. 45 last time.", None),
    ("The march (est. 2 million people) was peaceful.", None),
    ("The committee sits at 10 a.m. Thursday in room four.", None),
    # A line break alone is no boundary where the line runs on.
    ("That was a point of order,\nnot a question to the minister.", None),
    (
        "The capital is\nNairobi! Members will know that.",
        ["The capital is\nNairobi!", "Members will know that."],
    ),
    # A quotation keeps its lead-in.
    ("The memo said that “staff were unhappy with the plan…”.", None),
    (
        "She said: “A promise is a promise.” Then the clerk read the order.",
        ["She said: “A promise is a promise.”", "Then the clerk read the order."],
    ),
    # Markup is read as a reader of the page sees it: no sentence end inside.
    (
        "Thank you, Mr. <s>Chairman</s> \\[Chairwoman\\]. We proceed.",
        ["Thank you, Mr. <s>Chairman</s> \\[Chairwoman\\].", "We proceed."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), OFFICIAL_CASES)
def test_official_sentence_cases(text: str, expected: list[str] | None, nlp: Language) -> None:
    assert sentences(text, nlp) == (expected if expected is not None else [text])
