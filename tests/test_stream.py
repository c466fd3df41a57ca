"""A very large transcript is parsed a section at a time, with the same result as whole."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from annotator.corpus import document_to_dict
from annotator.errors import TranscriptError
from annotator.ingest.report import build_report, check_one_speech
from annotator.segment import load_pipeline, segment_document
from annotator.stream import stream_parse
from annotator.transcript import explain_text, parse_transcript

SPEAKERS = ["SECRETARY LAND", "MR. HALE", "Q", "MS. ROOK", "AMBASSADOR OKAFOR"]
SENTENCES = [
    "We will keep working with our partners on the harbour.",
    "The U.S. position has not changed since May.",
    "I would not go further than that today (laughter).",
    "Thank you.",
    "Can you say more about the timeline, and the cost?",
    "It is 5 p.m. in Brussels, so the talks go on tomorrow.",
]


def made_up_transcript(turns: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts = ["Briefing on the harbour\n\nWashington, D.C.\n\n"]
    for n in range(turns):
        words = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 12)))
        # Hard-wrapped at about 70 columns, as printed transcripts are.
        lines, line = [], ""
        for word in words.split():
            if len(line) + len(word) > 70:
                lines.append(line)
                line = ""
            line = f"{line} {word}".strip()
        lines.append(line)
        parts.append(f"{SPEAKERS[n % len(SPEAKERS)]}: " + "\n".join(lines) + "\n\n")
        if n % 40 == 39:
            parts.append("[Recess]\n\n")
    return "".join(parts)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


@pytest.mark.slow
def test_sections_give_the_whole_files_turns_offsets_and_report(nlp, tmp_path: Path) -> None:
    path = tmp_path / "hearing.txt"
    path.write_text(made_up_transcript(1500), encoding="utf-8", newline="\r\n")
    whole = segment_document(parse_transcript(path), nlp)
    expected = document_to_dict(whole)
    out = io.StringIO()
    report = stream_parse(path, nlp, out.write, section_chars=20_000)
    got = json.loads(out.getvalue())
    assert got == json.loads(json.dumps(expected))
    text = whole.text
    for turn in got["turns"]:
        assert text[turn["start"] : turn["end"]] == turn["text"]
        for sentence in turn["sentences"]:
            assert text[sentence["start"] : sentence["end"]] == sentence["text"]
    full = build_report(whole, explain_text(text).name)
    assert (report.turns, report.words, report.sentences, report.notes, report.speakers) == (
        full.turns,
        full.words,
        full.sentences,
        full.notes,
        full.speakers,
    )
    assert report.turns == 1500


def test_a_long_text_without_labels_is_refused_before_anything_is_written(
    nlp, tmp_path: Path
) -> None:
    path = tmp_path / "statement.txt"
    path.write_text(" ".join(SENTENCES * 400) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(TranscriptError, match="no speaker labels"):
        stream_parse(
            path,
            nlp,
            out.write,
            section_chars=5_000,
            check=lambda document: check_one_speech(document, False),
        )
    assert out.getvalue() == ""


@pytest.mark.slow
def test_parse_reads_a_large_file_in_sections_with_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import annotator.stream
    from annotator.cli import app

    small = tmp_path / "briefing.txt"
    small.write_text(made_up_transcript(5), encoding="utf-8")
    large = tmp_path / "hearing.txt"
    large.write_text(made_up_transcript(400), encoding="utf-8")
    runner = CliRunner()
    whole = runner.invoke(app, ["parse", str(small), str(large)])
    assert whole.exit_code == 0, whole.output
    monkeypatch.setattr(annotator.stream, "STREAM_BYTES", 20_000)
    monkeypatch.setattr(annotator.stream, "SECTION_CHARS", 30_000)
    sections = runner.invoke(app, ["parse", str(small), str(large)])
    assert sections.exit_code == 0, sections.output
    # Documents in the order given, the large one read in sections, the same JSON.
    assert [json.loads(line) for line in sections.stdout.splitlines()] == [
        json.loads(line) for line in whole.stdout.splitlines()
    ]
    assert "(read in sections)" in sections.stderr and "400 turns" in sections.stderr
