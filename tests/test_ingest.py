"""Each label convention and trap of issue 10, from made-up text (no shared files).

Every test reads a small invented transcript and checks what an analyst would
notice: who speaks each turn and how it starts, which lines are notes, what the
import report and ``parse --explain`` say.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.errors import TranscriptError
from annotator.ingest.keys import speaker_keys
from annotator.ingest.report import check_one_speech
from annotator.model import Document
from annotator.transcript import explain_text, parse_text


def turns(document: Document) -> list[tuple[str, str]]:
    """(speaker, first four words with standalone notes left out) per turn."""
    result = []
    for turn in document.turns:
        text = document.text
        pieces, position = [], turn.start
        for note in turn.notes:
            line_start = text.rfind("\n", 0, note.start) + 1
            line_end = text.find("\n", note.end)
            line_end = len(text) if line_end < 0 else line_end
            if not text[line_start : note.start].strip() and not text[note.end : line_end].strip():
                pieces.append(text[position : note.start])
                position = note.end
        pieces.append(text[position : turn.end])
        result.append((turn.speaker, " ".join(" ".join(pieces).split()[:4])))
    return result


def read(text: str) -> Document:
    return parse_text(text, doc_id="t", source="t.txt")


GPO = """\
    The committee met, pursuant to notice, at 10:00 a.m., in room
1100, Longworth Building, Hon. Ada Brennan [chairwoman of the
committee] presiding.
    The Chairwoman. The committee will come to order. We welcome
our witness today.

          STATEMENT OF TOMAS OKAFOR, DIRECTOR, HARBOUR INSTITUTE

    Mr. Okafor. Thank you, Madam Chairwoman. I am glad to be
here, and I will keep this short.
    [The prepared statement of Mr. Okafor can be found on page
40 of the appendix.]
    The Chairwoman. Thank you. Mr. Lindqvist from Ohio.
    Mr. Lindqvist from Ohio.
    Mr. Lindqvist. Thank you. Mr. Okafor, let me start with
the harbour fees. What changed last year?
    Mr. Okafor. The fees doubled.
    Mr. Lindqvist. Why?
    Mr. Okafor?
    Mr. Okafor. Demand fell, and costs did not.
    Mrs. Hale of Oregon. [presiding] The gentleman's time has
expired.
    Mr. Lindqvist. I yield back.
"""


def test_gpo_hearing_labels_end_in_a_period() -> None:
    document = read(GPO)
    assert turns(document) == [
        ("The Chairwoman", "The committee will come"),
        ("Mr. Okafor", "Thank you, Madam Chairwoman."),
        ("The Chairwoman", "Thank you. Mr. Lindqvist"),
        ("Mr. Lindqvist", "Thank you. Mr. Okafor,"),
        ("Mr. Okafor", "The fees doubled."),
        ("Mr. Lindqvist", "Why? Mr. Okafor?"),
        ("Mr. Okafor", "Demand fell, and costs"),
        ("Mrs. Hale of Oregon", "[presiding] The gentleman's time"),
        ("Mr. Lindqvist", "I yield back."),
    ]
    # The recognition line belongs to the chair; the heading and the editorial note are notes.
    assert "Mr. Lindqvist from Ohio." in document.turns[2].text
    assert document.turns[0].text.rstrip().endswith("our witness today.")
    assert "[The prepared statement" not in document.turns[1].text
    assert explain_text(GPO).name == "period-title"
    assert document.turns[7].speaker_key == "hale"


FOMC = (
    "June 2, 2031  Minister Oduya’s Briefing  FINAL \n \nPage 1 of 3 \n \n"
    "MINISTER ODUYA.  Good afternoon.  Hiring has held up well this spring, and wages are \n"
    "above what is needed to \n"
    "June 2, 2031  Minister Oduya’s Briefing  FINAL \n \nPage 2 of 3 \n \n"
    "keep pace with prices.  Rents are another matter. \n"
    "GRACE ABARA.  Thank you.  Grace Abara, Daily Ledger.  What about rents? \n"
    "MINISTER ODUYA.  Rents rose.  NATO is not my department. \n"
    "JONAS WEBB.  And wages? \n"
    "June 2, 2031  Minister Oduya’s Briefing  FINAL \n \nPage 3 of 3 \n \n"
    "MINISTER ODUYA.  Wages rose too. \n"
    "GRACE ABARA.  Thank you."
)


def test_pdf_transcript_allcaps_labels_and_page_headers() -> None:
    document = read(FOMC)
    assert turns(document) == [
        ("MINISTER ODUYA", "Good afternoon. Hiring has"),
        ("GRACE ABARA", "Thank you. Grace Abara,"),
        ("MINISTER ODUYA", "Rents rose. NATO is"),
        ("JONAS WEBB", "And wages?"),
        ("MINISTER ODUYA", "Wages rose too."),
        ("GRACE ABARA", "Thank you."),
    ]
    notes = [note.text for note in document.turns[0].notes]
    assert "Page 2 of 3" in notes and any("FINAL" in note for note in notes)
    assert explain_text(FOMC).name == "period-allcaps"


def test_form_feed_pages_repeat_headers_as_notes() -> None:
    page = "Ministry of Ports — Daily Briefing\n"
    body = [
        "SPOKESPERSON: We begin with the harbour. The new berth\n",
        "opens next week.\nQ: When exactly?\nSPOKESPERSON: On Monday, if the\n",
        "weather holds.\nQ: Thank you.\n",
    ]
    text = "\f".join(page + part + "- 7 -\n" for part in body)
    document = read(text)
    assert [t.speaker for t in document.turns] == ["SPOKESPERSON", "Q", "SPOKESPERSON", "Q"]
    first = document.turns[0]
    assert any(note.text.startswith("Ministry of Ports") for note in first.notes)


def test_a_speech_line_near_a_few_page_breaks_is_no_running_head() -> None:
    # Twenty pages with a running head on each; "Agreed." happens to sit just after
    # three of the breaks. The head is furniture; the speech stays speech.
    pages = []
    for n in range(20):
        said = "CLERK: Agreed.\n" if n in (3, 9, 15) else ""
        pages.append(
            f"Harbour Committee   Hearing of 3 May\n{said}CHAIR: Item {n} is the berth. "
            f"We move on.\nCLERK: Noted, item {n}.\n"
        )
    document = read("\f".join(pages))
    speech = " ".join(turn.text for turn in document.turns)
    notes = [note.text for turn in document.turns for note in turn.notes]
    assert speech.count("Agreed.") == 3
    assert not any("Agreed." in note for note in notes)
    assert "Harbour Committee" not in " ".join(
        sentence.text for turn in document.turns for sentence in turn.sentences
    )


def test_an_interjection_wrapped_in_brackets_is_no_label() -> None:
    text = (
        "MR. HALE: I have no intention of debating that with him—[Hon.\n"
        "Members: Why not?] Frankly, enough are lining up already.\n\n"
        "MS. ROOK: Then answer this.\n\n"
        "MR. HALE: I did.\n"
    )
    assert [t.speaker for t in read(text).turns] == ["MR. HALE", "MS. ROOK", "MR. HALE"]


def test_a_label_wrapped_over_two_lines_in_a_narrow_column() -> None:
    text = (
        "The SPEAKER: Are there any\nobjections?\n"
        "The DEPUTY CHIEF WHIP OF THE\nMAJORITY PARTY: Madam Speaker, no\nobjection.\n"
        "The SPEAKER: Agreed to.\n"
        "The MINISTER OF CONSTITU-\nTIONAL AFFAIRS: I move the\nmotion.\n"
        "The SPEAKER: The motion\nis carried.\n"
    )
    document = read(text)
    assert [t.speaker for t in document.turns] == [
        "The SPEAKER",
        "The DEPUTY CHIEF WHIP OF THE MAJORITY PARTY",
        "The SPEAKER",
        "The MINISTER OF CONSTITUTIONAL AFFAIRS",
        "The SPEAKER",
    ]
    assert document.turns[0].text == "Are there any\nobjections?"
    assert document.turns[1].text.startswith("Madam Speaker")


def test_rev_timestamps_with_single_first_names() -> None:
    text = (
        "Priya (00:00):\nWelcome back to the briefing.\n\n"
        "Tomasz Nowak (00:14):\nThanks, Priya.\n\n"
        "Priya (01:02):\nNext question.\n"
    )
    document = read(text)
    assert [(t.speaker, t.timestamp) for t in document.turns] == [
        ("Priya", "00:00"),
        ("Tomasz Nowak", "00:14"),
        ("Priya", "01:02"),
    ]


@pytest.mark.parametrize(
    "label", ["**Dame Ruth Okoro**:", "**Dame Ruth Okoro:**", "DAME RUTH OKORO:"]
)
def test_bold_and_plain_colon_labels(label: str) -> None:
    text = f"{label} We will hear evidence today.\n\n**Counsel**: Thank you, my Lady.\n"
    if not label.startswith("**"):
        text = text.replace("**Counsel**:", "COUNSEL:")
    document = read(text)
    assert [t.speaker for t in document.turns] == [
        label.strip("*:").replace("**", "").rstrip(":"),
        "Counsel" if label.startswith("**") else "COUNSEL",
    ]


def test_q_question_and_colon_prose_traps() -> None:
    text = (
        "title: Briefing\n"
        "Time: 10:02 a.m.\n"
        "https://example.org/briefing\n\n"
        "MS. ARANDA: Good morning. He said:\n"
        "we will act.\n\n"
        "Q:  Has the date moved?\n\n"
        "MS. ARANDA: No.\n\n"
        "Q\u00a0\u00a0 And the budget?\n\n"
        "QUESTION: One more?\n\n"
        "MS. ARANDA: Key points:\nthe date holds.\n"
    )
    document = read(text)
    assert [t.speaker for t in document.turns] == [
        "MS. ARANDA",
        "Q",
        "MS. ARANDA",
        "Q",
        "QUESTION",
        "MS. ARANDA",
    ]


def test_line_numbered_court_transcript() -> None:
    lines = [
        "THE COURT:   Counsel, you may proceed.",
        "MS. IVERS:   Thank you, Your Honor. The witness",
        "was at the dock that night.",
        "THE COURT:   Go on.",
        "MS. IVERS:   She saw the boat leave at",
        "nine.",
        "THE WITNESS:   That is right.",
        "THE COURT:   Thank you.",
        "MS. IVERS:   Nothing further.",
        "THE COURT:   We will recess.",
        "THE WITNESS:   May I go?",
        "THE COURT:   You may.",
    ]
    text = "".join(f"{n:>2}      {line}\n" for n, line in enumerate(lines, start=1))
    document = read(text)
    assert [t.speaker for t in document.turns][:4] == [
        "THE COURT",
        "MS. IVERS",
        "THE COURT",
        "MS. IVERS",
    ]
    second = document.turns[1]
    assert any(note.text == "3" for note in second.notes)
    assert explain_text(text).numbered_lines


def test_cjk_and_arabic_colon_labels() -> None:
    text = "王毅：欢迎各位。\n\n记者：请问发布会几点结束？\n\n王毅：十一点。\n\n记者：谢谢。\n"
    assert [t.speaker for t in read(text).turns] == ["王毅", "记者", "王毅", "记者"]
    arabic = "المتحدث: مرحبا بكم.\n\nصحفي: سؤال أول.\n\nالمتحدث: شكرا.\n\nصحفي: وسؤال ثان.\n"
    assert [t.speaker for t in read(arabic).turns] == ["المتحدث", "صحفي", "المتحدث", "صحفي"]


def test_a_single_cjk_colon_line_is_not_a_label() -> None:
    text = "时段：上午\n\nMINISTER TAN: Good morning. We begin.\n"
    assert [t.speaker for t in read(text).turns] == ["MINISTER TAN"]


def test_european_parliament_and_congressional_record() -> None:
    ep = (
        "President. – The sitting is open.\n\n"
        "Anna Berg (Verts/ALE). – (SV) Madam President, thanks.\n"
    )
    assert [t.speaker for t in read(ep).turns] == ["President", "Anna Berg (Verts/ALE)"]
    record = (
        "Mr. HALVORSEN. Mr. President, I rise today.\n\nThe PRESIDING OFFICER. Without objection.\n"
    )
    assert [t.speaker for t in read(record).turns] == ["Mr. HALVORSEN", "The PRESIDING OFFICER"]


def test_parliamentary_labels_ending_in_a_bare_period() -> None:
    # Some parliaments print ``Name (Group).`` with no dash before the speech.
    text = (
        "Debate on the harbour bill\n\n"
        "President. The next item is the harbour bill. I call the first speaker.\n\n"
        "Lena Moreau, on behalf of the Renew Group. Madam President, the bill is late.\n\n"
        "Jan Kowal (EPP). Madam President, I disagree. It is on time.\n\n"
        "Lena Moreau, on behalf of the Renew Group. It is late by a year.\n\n"
        "President. The debate is closed.\n\n"
        "Jan Kowal (EPP). On a point of order. The vote is tomorrow.\n"
    )
    document = read(text)
    assert turns(document) == [
        ("President", "The next item is"),
        ("Lena Moreau, on behalf of the Renew Group", "Madam President, the bill"),
        ("Jan Kowal (EPP)", "Madam President, I disagree."),
        ("Lena Moreau, on behalf of the Renew Group", "It is late by"),
        ("President", "The debate is closed."),
        ("Jan Kowal (EPP)", "On a point of"),
    ]
    assert explain_text(text).name == "period-name"
    assert [t.speaker_key for t in document.turns][:3] == ["president", "moreau", "kowal"]


def test_bare_q_questions_are_one_shape_not_two() -> None:
    """A briefing's ``Q`` lines (no ``A``) fit both the bare-``Q`` shape and the
    question-and-answer one; the convention names the one that explains them, and
    ``A`` answers bring the second back."""
    briefing = "".join(
        f"MS. DALTON: Good afternoon, item {n}.\n\nQ  And item {n}?\n\n" for n in range(4)
    )
    assert explain_text(briefing).name == "q + colon"
    assert [t.speaker for t in read(briefing).turns][:2] == ["MS. DALTON", "Q"]
    deposition = "".join(f"Q. Where were you on day {n}?\nA. At home.\n" for n in range(4))
    assert "qa" in explain_text(deposition).name


def test_bare_period_names_never_override_a_documents_own_labels() -> None:
    # Paragraphs that open with a capitalised phrase and a period stay speech when the
    # document has labels of its own.
    text = "".join(
        f"SECRETARY LAND: Thank you. Mr. President. We agree on item {n}.\n\n"
        f"Madam Chair. I have a question on item {n}.\n\n"
        f"Q: And item {n}?\n\n"
        for n in range(4)
    )
    document = read(text)
    assert {t.speaker for t in document.turns} == {"SECRETARY LAND", "Q"}
    assert "period-name" not in explain_text(text).name


def test_headings_and_editorial_notes_between_turns_are_notes() -> None:
    text = (
        "The SPEAKER: Order. We take statements.\n\n"
        "                 HARBOUR SAFETY\n\n"
        "               (Member’s Statement)\n\n"
        "Ms K ODUYA (AP): Madam Speaker, the harbour is unsafe.\n\n"
        "(The remarks of Ms Oduya on the harbour budget are printed\n"
        'in today\'s Record under "Statements.")\n\n'
        "Ms K ODUYA (AP): I thank you.\n"
    )
    document = read(text)
    assert turns(document) == [
        ("The SPEAKER", "Order. We take statements."),
        ("Ms K ODUYA (AP)", "Madam Speaker, the harbour"),
        ("Ms K ODUYA (AP)", "I thank you."),
    ]
    assert document.turns[0].text == "Order. We take statements."
    assert document.turns[1].text.endswith("the harbour is unsafe.")


def test_a_wrapped_heading_ends_on_its_lone_last_word() -> None:
    """A long all-capitals heading wrapped onto a second line of one word (the South
    African Hansard's ``... TO COMPETE IN BEIJING`` / ``OLYMPICS``) is one heading:
    the word is not a sentence of the turn before. A short heading's next line, or a
    lone word after a blank line, is read as before."""
    text = (
        "The SPEAKER: Order. We take statements.\n\n"
        "    OSCAR PISTORIUS CONGRATULATED ON WINNING APPEAL TO COMPETE IN BEIJING\n"
        "                                  OLYMPICS\n\n"
        "Ms K ODUYA (AP): Madam Speaker, I move.\n\n"
        "    HARBOUR SAFETY\n"
        "    AGREED\n\n"
        "Ms K ODUYA (AP): I thank you.\n"
    )
    document = read(text)
    assert document.turns[0].text == "Order. We take statements."
    assert document.turns[1].text.endswith("AGREED")
    # At the margin, a lone word after a long capitals line is not a centred heading's.
    shouted = (
        "The SPEAKER: Order.\n\n"
        "Ms K ODUYA (AP): Madam Speaker.\n"
        "I SAY THIS TO THE HOUSE AND I SAY IT WITHOUT FEAR OF CONTRADICTION\n"
        "SURE\n"
    )
    assert read(shouted).turns[1].text.endswith("SURE")
    # A GPO witness heading broken after a comma: the middle line is heading too.
    witness = (
        "The CHAIRMAN: We welcome Professor Meltzer.\n\n"
        "STATEMENT OF ALLAN H. MELTZER, THE ALLAN H. MELTZER UNIVERSITY\n"
        "  PROFESSOR OF POLITICAL ECONOMY, TEPPER SCHOOL OF BUSINESS,\n"
        "                   CARNEGIE MELLON UNIVERSITY\n\n"
        "Mr. MELTZER: Thank you, Mr. Chairman.\n\n"
        "The CHAIRMAN: Thank you.\n"
    )
    document = read(witness)
    assert document.turns[0].text == "We welcome Professor Meltzer."
    assert document.between_turns(1)[1].startswith("PROFESSOR OF POLITICAL ECONOMY")


def test_between_two_turns_is_what_the_text_holds_besides_the_label() -> None:
    """A heading or a stage direction between two speakers is kept for the analyst to
    read; the next speaker's label (wrapped over two lines, too), line numbers and
    HTML-only lines are not."""
    text = (
        "The SPEAKER: Order.\n\n"
        "    NOTICE OF MOTION\n\n"
        "4\n"
        "<center><img src='1.jpg'></center>\n\n"
        "The DEPUTY CHIEF WHIP OF THE\n"
        "MAJORITY PARTY: Madam Speaker, no objection.\n\n"
        "(Reporter approaches microphone.)\n\n"
        "Mr X: I rise.\n"
    )
    document = read(text)
    assert [t.speaker for t in document.turns][1] == "The DEPUTY CHIEF WHIP OF THE MAJORITY PARTY"
    assert document.between_turns(1) == ["NOTICE OF MOTION"]
    assert document.between_turns(2) == ["(Reporter approaches microphone.)"]
    assert document.between_turns(0) == [] == document.between_turns(3)


def test_speaker_keys_name_the_person() -> None:
    labels = [
        "Ms. KAMIKAWA Yoko, Minister for Foreign Affairs",
        "Minister Kamikawa",
        "NATO Secretary General",
        "Mao Ning",
        "Peter van Dalen (ECR)",
        "Mrs. McCarthy of New York",
        "MR. OKA\u200bFOR",
        "MR. OKAFOR",
    ]
    assert speaker_keys(labels) == [
        "kamikawa",
        "kamikawa",
        "secretary general",
        "mao ning",
        "van dalen",
        "mccarthy",
        "okafor",
        "okafor",
    ]


LONG = " ".join(["The harbour board met and agreed the plan for the year."] * 200)


def test_long_unlabelled_text_is_an_error_unless_one_speech_is_allowed() -> None:
    document = read("Office of the Spokesperson\n\n" + LONG + "\n")
    assert len(document.turns) == 1
    assert document.turns[0].speaker == "Office of the Spokesperson"
    with pytest.raises(TranscriptError, match="no speaker labels found"):
        check_one_speech(document, allow=False)
    check_one_speech(document, allow=True)


def test_report_warns_about_one_turn_and_label_like_lines() -> None:
    text = (
        "DIRECTOR LUND: " + LONG + "\n\n"
        "Mr. Berg. This line looks like a label but the document does not use the shape.\n"
    )
    document = read(text)
    assert any("read as one turn" in warning for warning in document.warnings)


def test_cli_explain_and_report(tmp_path: Path) -> None:
    path = tmp_path / "hearing.txt"
    path.write_text(GPO, encoding="utf-8")
    runner = CliRunner()
    explained = runner.invoke(app, ["parse", "--explain", str(path)])
    assert explained.exit_code == 0
    assert "convention period-title" in explained.stdout
    assert "Mr. Okafor ×" in explained.stdout
    parsed = runner.invoke(app, ["parse", str(path)])
    assert parsed.exit_code == 0
    assert "period-title; 9 turns" in parsed.stderr
    long = tmp_path / "long.txt"
    long.write_text(LONG + "\n", encoding="utf-8")
    refused = runner.invoke(app, ["parse", str(long)])
    assert refused.exit_code != 0
    allowed = runner.invoke(app, ["parse", "--allow-one-speech", str(long)])
    assert allowed.exit_code == 0


def test_fomc_meeting_honorific_labels_and_page_of_heads() -> None:
    text = "\n".join(
        [
            "May 4, 2032   1 of 9",
            "",
            "CHAIR LINDQVIST.  Good morning. We begin with the",
            "report.",
            "MR. OKAFOR.  Thank you. Markets have been",
            "May 4, 2032   2 of 9",
            "very quiet since we last met.",
            "CHAIR LINDQVIST.  Questions for Tomas?",
            "VICE CHAIR HALE.  One.",
            "MR. OKAFOR.  Yes.",
            "May 4, 2032   3 of 9",
            "CHAIR LINDQVIST.  Thank you.",
        ]
    )
    document = read(text)
    assert [t.speaker for t in document.turns] == [
        "CHAIR LINDQVIST",
        "MR. OKAFOR",
        "CHAIR LINDQVIST",
        "VICE CHAIR HALE",
        "MR. OKAFOR",
        "CHAIR LINDQVIST",
    ]
    assert [n.text for n in document.turns[1].notes] == ["May 4, 2032   2 of 9"]


def test_question_and_answer_labels() -> None:
    deposition = (
        "Q.   Where were you that night?\nA.   At home.\nQ.   Alone?\n"
        "A.   Yes, alone.\nQ.   Thank you.\nA lot of people were there.\n"
    )
    assert [t.speaker for t in read(deposition).turns] == ["Q", "A", "Q", "A", "Q"]
    appendix = (
        "Q.1. Chairman Okafor, what is the rate?\nA.1. The rate is 3 percent.\n"
        "Q.2. And next year?\nA.2. We cannot say.\n"
    )
    assert [t.speaker for t in read(appendix).turns] == ["Q.1", "A.1", "Q.2", "A.2"]


def test_offices_introduced_by_the_are_named_whole() -> None:
    """Parliamentary offices are speakers of their own: two whips of opposing parties
    shared the key ``whip`` (and their labels merged in stats), a justice minister was
    ``constitutional development``."""
    labels = [
        "The CHIEF WHIP OF THE MAJORITY PARTY",
        "The CHIEF WHIP OF THE OPPOSITION",
        "The MINISTER FOR JUSTICE AND CONSTITUTIONAL DEVELOPMENT",
        "The SPEAKER",
        "Mr M J ELLIS (DA)",
        # A styled person is still a person; a styled office still the office.
        "The Hon. John Smith",
        "Mr. Smith",
        "The Rt Hon. Theresa May",
        "Mrs May",
        "The Hon. the Minister of Finance",
        "The Minister of Finance",
    ]
    assert speaker_keys(labels) == [
        "the chief whip of the majority party",
        "the chief whip of the opposition",
        "the minister for justice and constitutional development",
        "the speaker",
        "ellis",
        "smith",
        "smith",
        "may",
        "may",
        "the minister of finance",
        "the minister of finance",
    ]
