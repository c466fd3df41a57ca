"""The transcript reader: real transcripts turn for turn, each known format, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import TranscriptError
from annotator.model import Document, Turn
from annotator.resources import sample_transcript
from annotator.transcript import (
    compile_speaker_pattern,
    looks_like_speaker,
    parse_text,
    parse_transcript,
    read_documents,
)
from tests.shared_data import SHARED, needs_shared

TRANSCRIPTS = SHARED / "corpora" / "transcripts"
WHOLE = SHARED / "corpora" / "whole-transcripts"


def first_words(text: str) -> str:
    return " ".join(text.split()[:6])


def spoken_first_words(document: Document, turn: Turn) -> str:
    """The first six words of a turn, skipping notes that stand alone on their lines
    (headings, page headers, ``[Laughter.]``), as the shared truth counts them."""
    text = document.text
    pieces, position = [], turn.start
    for note in turn.notes:
        line_start = text.rfind("\n", 0, note.start) + 1
        line_end = text.find("\n", note.end)
        line_end = len(text) if line_end < 0 else line_end
        if not text[line_start : note.start].strip() and not text[note.end : line_end].strip():
            pieces.append(text[position : note.start])
            position = max(position, note.end)
    pieces.append(text[position : turn.end])
    return first_words(" ".join(pieces))


def _truth() -> dict[str, list[dict[str, str]]]:
    found = {}
    for folder in (TRANSCRIPTS, WHOLE):
        if (folder / "truth.json").exists():
            data = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
            found.update({name: entry["turns"] for name, entry in data.items()})
    return found


def _path(name: str) -> Path:
    return TRANSCRIPTS / name if (TRANSCRIPTS / name).exists() else WHOLE / name


@needs_shared
@pytest.mark.parametrize("name", sorted(_truth()))
def test_real_transcripts_come_out_turn_for_turn(name: str) -> None:
    expected = _truth()[name]
    document = parse_transcript(_path(name))
    got = [(turn.speaker, spoken_first_words(document, turn)) for turn in document.turns]
    assert got == [(turn["speaker"], turn["first_words"]) for turn in expected]


@needs_shared
def test_all_549_shared_turns_are_tested() -> None:
    assert sum(len(turns) for turns in _truth().values()) == 115 + 434


@needs_shared
@pytest.mark.parametrize("name", sorted(_truth()))
def test_turn_offsets_are_exact(name: str) -> None:
    document = parse_transcript(_path(name))
    for turn in document.turns:
        assert document.text[turn.start : turn.end] == turn.text
        assert turn.text == turn.text.strip()
        for note in turn.notes:
            assert turn.start <= note.start < note.end <= turn.end
            assert document.text[note.start : note.end] == note.text


def test_seed_sample_has_its_six_turns() -> None:
    document = parse_transcript(sample_transcript())
    assert [turn.speaker for turn in document.turns] == [
        "FOREIGN MINISTER KAMIKAWA",
        "SECRETARY BLINKEN",
        "FOREIGN MINISTER KAMIKAWA",
        "DEFENSE MINISTER KIHARA",
        "FOREIGN MINISTER KAMIKAWA",
        "SECRETARY AUSTIN",
    ]
    assert document.title.startswith("U.S.-Japan ministers discuss")
    assert "Dereck J. Hogan" in document.preamble
    # Kamikawa's first turn runs over two paragraphs; the page furniture at the end is not speech.
    assert "Amidst increasingly severe nuclear threats" in document.turns[0].text
    assert "ORGANIZATIONS IN THIS STORY" not in document.turns[-1].text
    assert document.turns[0].notes[0].text == "(Via interpreter)"
    assert [t.speaker_key for t in document.turns][:2] == ["kamikawa", "blinken"]


@needs_shared
def test_white_house_quirks() -> None:
    gaggle = parse_transcript(TRANSCRIPTS / "01_wh-press-gaggle-dalton.txt")
    assert "date:" not in gaggle.turns[0].text
    assert gaggle.title.startswith("Press Gaggle by Principal Deputy Press Secretary")
    assert "12:41 P.M. EDT" in gaggle.preamble
    assert "12:55 P.M. EDT" not in gaggle.turns[-1].text
    # Each Q may be another reporter: their keys never merge; Dalton's always do.
    q_keys = [t.speaker_key for t in gaggle.turns if t.speaker == "Q"]
    assert len(set(q_keys)) == len(q_keys)
    assert {t.speaker_key for t in gaggle.turns if t.speaker == "MS. DALTON"} == {"dalton"}
    assert any(n.text == "(Inaudible.)" for n in gaggle.turns[1].notes)
    call = parse_transcript(TRANSCRIPTS / "03_wh-background-call-sao.txt")
    officials = [t.speaker_key for t in call.turns if t.speaker.startswith("SENIOR")]
    assert len(set(officials)) == len(officials)


@needs_shared
def test_hansard_interjections_are_notes_not_turns() -> None:
    document = parse_transcript(TRANSCRIPTS / "10_uk-hansard-pmqs-2006.txt")
    notes = [n.text for t in document.turns for n in t.notes]
    assert "[Hon. Members: “Why not?”]" in notes
    assert "[ Interruption.]" in notes
    assert {t.speaker_key for t in document.turns if "Cameron" in t.speaker} == {"cameron"}


FORMATS = {
    "state": (
        "Department Press Briefing\n\nMR MILLER: Good afternoon. The below is attributable to"
        ' Spokesperson Matthew Miller:\nThe Secretary spoke today. He said:\n"We will act."\n\n'
        "QUESTION: Matt, thanks.\n\nMR MILLER: Sure.\n",
        [("MR MILLER", "miller"), ("QUESTION", "question#2"), ("MR MILLER", "miller")],
    ),
    "dod": (
        "DEPUTY SECRETARY OF DEFENSE PATRICK SHANAHAN: Good morning.\n\nQ: Sir, a question.\n\n"
        "MR. SHANAHAN: Yes.\n",
        [
            ("DEPUTY SECRETARY OF DEFENSE PATRICK SHANAHAN", "shanahan"),
            ("Q", "q#2"),
            ("MR. SHANAHAN", "shanahan"),
        ],
    ),
    "un": (
        "Security Council\nSeventy-eighth year\n\nThe meeting was called to order at 10.05 a.m.\n\n"
        "The PRESIDENT: I give the floor to the representative of the Russian Federation.\n\n"
        "Mr. Nebenzia (Russian Federation) (spoke in Russian): We have heard many things.\n\n"
        "Mr. Zhang Jun (China) (interpretation from Chinese): China supports the text.\n\n"
        "Mr. Nebenzia (Russian Federation): Once more.\n\nThe meeting rose at 1 p.m.\n",
        [
            ("The PRESIDENT", "the president"),
            ("Mr. Nebenzia (Russian Federation) (spoke in Russian)", "nebenzia"),
            ("Mr. Zhang Jun (China) (interpretation from Chinese)", "zhang jun"),
            ("Mr. Nebenzia (Russian Federation)", "nebenzia"),
        ],
    ),
    "hansard_md": (
        "**Mr. David Cameron (Witney) (Con):** I join the Prime Minister.\n\n"
        "**The Prime Minister:** I thank him. [Interruption.]\n\n**Mr. Cameron:** Why not?\n",
        [
            ("Mr. David Cameron (Witney) (Con)", "cameron"),
            ("The Prime Minister", "the prime minister"),
            ("Mr. Cameron", "cameron"),
        ],
    ),
    "rev": (
        "Matthew Miller (00:12):\nGood afternoon, everybody.\n\n(00:51)\nOne announcement.\n\n"
        "Speaker 1 (01:20):\nMatt, on Gaza.\n",
        [("Matthew Miller", "miller"), ("Speaker 1", "speaker 1")],
    ),
    "congressional_record": (
        "Mr. MORAN. Mr. President, I ask unanimous consent.\n"
        "The PRESIDING OFFICER (Mr. Bennet). Without objection, it is so ordered.\n"
        "Mr. VAN HOLLEN. I thank the Senator.\n",
        [
            ("Mr. MORAN", "moran"),
            ("The PRESIDING OFFICER (Mr. Bennet)", "the presiding officer"),
            ("Mr. VAN HOLLEN", "van hollen"),
        ],
    ),
    "european_parliament": (
        "1. Opening of the sitting\n\nPresident. – The sitting is open.\n\n"
        "Manfred Weber, on behalf of the PPE Group. – (DE) Madam President, we need action.\n",
        [("President", "president"), ("Manfred Weber, on behalf of the PPE Group", "weber")],
    ),
    "foreign_ministry": (
        "Regular Press Conference\n\nNHK, Igarashi: What is your comment?\n\n"
        "Mao Ning: We have stated our position.\n\nCCTV: Can you share more?\n",
        [("NHK, Igarashi", "igarashi"), ("Mao Ning", "mao ning"), ("CCTV", "cctv")],
    ),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_known_formats(name: str) -> None:
    text, expected = FORMATS[name]
    document = parse_text(text, doc_id=name, source=name)
    assert [(t.speaker, t.speaker_key) for t in document.turns] == expected
    for turn in document.turns:
        assert document.text[turn.start : turn.end] == turn.text


def test_notes_in_formats() -> None:
    rev = parse_text(FORMATS["rev"][0], doc_id="rev", source="rev")
    assert rev.turns[0].timestamp == "00:12"
    assert [n.text for n in rev.turns[0].notes] == ["(00:51)"]
    un = parse_text(FORMATS["un"][0], doc_id="un", source="un")
    assert "The meeting rose" not in un.turns[-1].text
    ep = parse_text(FORMATS["european_parliament"][0], doc_id="ep", source="ep")
    assert [n.text for n in ep.turns[1].notes] == ["(DE)"]


@pytest.mark.parametrize(
    "label",
    [
        "The below is attributable to Spokesperson Matthew Miller",
        "He said",
        "12:41 P.M. EDT",
        "source_url",
        "To offer some context",
        "First, to Prime Minister",
        "Note",
        "https",
        "Key Points",
    ],
)
def test_prose_is_not_a_speaker(label: str) -> None:
    assert not looks_like_speaker(label)


def test_colon_lines_that_are_not_speakers() -> None:
    text = (
        "---\ntitle: A briefing\nsource_url: https://www.state.gov/x\n---\n\n12:41 P.M. EDT\n\n"
        'MS. DALTON: Okay. He said:\n"We will."\nJust ground rules: this is on background.\n\n'
        "Q: And?\n"
    )
    document = parse_text(text, doc_id="x", source="x")
    assert [t.speaker for t in document.turns] == ["MS. DALTON", "Q"]
    assert document.title == "A briefing"
    assert "ground rules" in document.turns[0].text


def test_single_speech_is_one_turn_with_a_warning() -> None:
    document = parse_text(
        "My fellow citizens, today we gather. We will prevail.\n", doc_id="s", source="speech.txt"
    )
    assert len(document.turns) == 1
    # Never an unnamed speaker: the document's own voice (issue 11).
    assert document.turns[0].speaker == "(statement)"
    assert document.turns[0].speaker_key == "statement"
    assert any("no speaker labels" in w for w in document.warnings)


def test_custom_speaker_pattern() -> None:
    pattern = compile_speaker_pattern(r"^>> (?P<speaker>[A-Za-z ]+) says ")
    text = ">> Alice Smith says Hello there.\n>> Bob Jones says Hi.\n"
    document = parse_text(text, doc_id="c", source="c", speaker_pattern=pattern)
    assert [(t.speaker, t.text) for t in document.turns] == [
        ("Alice Smith", "Hello there."),
        ("Bob Jones", "Hi."),
    ]
    with pytest.raises(TranscriptError, match="speaker pattern"):
        compile_speaker_pattern("(unclosed")


def test_encodings(tmp_path: Path) -> None:
    body = "SECRETARY BLINKEN: We’re here.\r\n\r\nQ: Why?\r\n"
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    (tmp_path / "cp.txt").write_bytes(body.encode("cp1252"))
    for name in ("bom.txt", "cp.txt"):
        document = parse_transcript(tmp_path / name)
        assert [t.text for t in document.turns] == ["We’re here.", "Why?"]
        assert "\r" not in document.text
    assert parse_transcript(tmp_path / "cp.txt").warnings
    assert not parse_transcript(tmp_path / "bom.txt").warnings


def test_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes(b"Q: \x81\x8d\x8f\x90\x9d undefined in cp1252")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "image.png").write_bytes(b"\x89PNG")
    cases = {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
        "latin.txt": "unreadable encoding",
    }
    for name, message in cases.items():
        with pytest.raises(TranscriptError, match=message) as caught:
            parse_transcript(tmp_path / name)
        assert name in str(caught.value)
    with pytest.raises(TranscriptError, match="holds no transcripts"):
        list(read_documents([tmp_path / "nothing"]))
    with pytest.raises(TranscriptError, match="no such file"):
        list(read_documents([tmp_path / "missing.txt"]))


def test_jsonl_turns_and_folders(tmp_path: Path) -> None:
    rows = [
        {"speaker": "SECRETARY BLINKEN", "text": "We are here."},
        {"speaker": "Q", "text": "Why?"},
        {"speaker": "Q", "text": "And?"},
    ]
    (tmp_path / "turns.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("MS. DALTON: Hello.\n")
    documents = list(read_documents([tmp_path]))
    assert [d.id for d in documents] == ["sub/a", "turns"]
    turns = documents[1].turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("SECRETARY BLINKEN", "We are here."),
        ("Q", "Why?"),
        ("Q", "And?"),
    ]
    assert turns[1].speaker_key != turns[2].speaker_key
    for turn in turns:
        assert documents[1].text[turn.start : turn.end] == turn.text
    (tmp_path / "bad.jsonl").write_text('{"speaker": "Q"}\n')
    with pytest.raises(TranscriptError, match=r"bad.jsonl:1"):
        list(read_documents([tmp_path / "bad.jsonl"]))


def test_only_stage_directions_are_notes() -> None:
    from annotator.transcript import find_notes

    text = "We met (in) Tokyo (ok) and (see above). (Laughter.) (inaudible) (NL) (00:51)"
    assert [n.text for n in find_notes(text)] == ["(Laughter.)", "(inaudible)", "(NL)", "(00:51)"]


def test_an_unlabelled_readout_is_spoken_by_its_issuing_office() -> None:
    """A readout: title, office, date, then the statement. The office below the title is
    the speaker; the title above it is preamble; every sentence is annotatable."""
    text = (
        "Readout of the Secretary's Meeting with Japanese Foreign Minister\n\n"
        "Office of the Spokesperson\n"
        "December 3, 2026\n\n"
        "The Secretary reaffirmed the United States' ironclad commitment to the defense "
        "of Japan. They agreed to meet again in the spring.\n"
    )
    document = parse_text(text, doc_id="readout", source="readout.txt")
    (turn,) = document.turns
    assert turn.speaker == "Office of the Spokesperson"
    assert "Readout of the Secretary" in document.preamble
    assert "ironclad commitment" in turn.text and "Office of" not in turn.text


def test_words_hyphenated_at_line_ends_of_plain_text_stay_as_printed() -> None:
    # Plain text is not joined (in the shared transcripts every such line end is a real
    # compound); what matters is that a hyphenated line end never splits a sentence.
    from annotator.segment import load_pipeline, segment_documents

    text = (
        "MS. HALE: The committee thinks this is an impor-\ntant decision for the har-\n"
        "bour. We vote on the load-\nshedding plan to-\nmorrow.\n"
    )
    document = parse_text(text, doc_id="t", source="t.txt")
    (document,) = segment_documents([document], load_pipeline())
    sentences = [sentence.text for sentence in document.turns[0].sentences]
    assert sentences == [
        "The committee thinks this is an impor-\ntant decision for the har-\nbour.",
        "We vote on the load-\nshedding plan to-\nmorrow.",
    ]
    assert all(text[s.start : s.end] == s.text for s in document.turns[0].sentences)
