"""Inputs that are not what they claim (issue 12): each one is one line naming the file,
a non-zero exit code and no traceback; long input is read without spaCy's E088."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.errors import LabelsError, TranscriptError
from annotator.inputs import read_input, shown
from annotator.labels import load_labels
from annotator.segment import PIECE_CHARS, cut_long_text, load_pipeline, split_texts
from tests.command_line import Ran, run_cli, run_process

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds")


def one_line_error(result: Ran | subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_a_fifo_named_as_a_transcript_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "talk.txt")
    # A real process with a time limit: a broken check would block forever on open.
    result = run_process("parse", "talk.txt", cwd=tmp_path)
    one_line_error(result, "talk.txt", "FIFO")


def test_a_transcript_symlinked_to_a_device_in_a_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("MR. KOO: We are ready.\n", encoding="utf-8")
    (folder / "zero.txt").symlink_to("/dev/zero")  # would fill memory
    result = run_process("parse", "corpus", cwd=tmp_path)  # time-limited, as above
    one_line_error(result, "zero.txt", "character device")


def test_labels_and_config_that_are_not_regular_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "labels.yaml")
    with pytest.raises(LabelsError, match="FIFO"):
        load_labels(tmp_path / "labels.yaml")
    result = run_process("labels", "check", "labels.yaml", cwd=tmp_path)  # time-limited
    one_line_error(result, "labels.yaml", "FIFO")


def test_an_input_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(TranscriptError, match="2,048 bytes is more than the 1,024"):
        read_input(big, limit=1024)
    assert read_input(big, limit=4096) == b"x" * 2048


def test_labels_nested_a_hundred_thousand_deep_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("labels: " + "[" * 100_000 + "]" * 100_000)
    result = run_cli("labels", "check", "deep.yaml", cwd=tmp_path)
    one_line_error(result, "deep.yaml", "nested too deeply")


def test_invalid_utf8_on_the_sentences_stdin_names_the_line(tmp_path: Path) -> None:
    result = run_cli(
        "sentences", stdin=b'{"text": "fine"}\n{"text": "bad \xff\xfe"}\n', cwd=tmp_path
    )
    assert result.returncode != 0
    error = result.stderr
    assert "Traceback" not in error and "<stdin>:2: not UTF-8" in error, error


def test_a_file_name_that_is_not_utf8_gives_a_printable_id(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    name = os.fsdecode(b"bad\xffname.txt")
    (folder / name).write_text("MR. KOO: We are ready. Thank you.\n", encoding="utf-8")
    result = run_cli("parse", "corpus", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.splitlines()[0])
    assert record["id"] == "bad\ufffdname" and shown(folder / name).endswith("bad\ufffdname.txt")


@pytest.mark.slow
def test_a_turn_over_spacys_max_length_is_segmented_in_pieces(tmp_path: Path) -> None:
    sentence = "We will stand with our allies for as long as it takes. "
    body = ("\n\n".join(sentence * 20 for _ in range(1_200))).strip()  # ~1.3M characters
    assert len(body) > 1_000_000
    (tmp_path / "long.txt").write_text("MR. KOO: " + body + "\n", encoding="utf-8")
    result = run_cli("parse", "long.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-500:]
    turn = json.loads(result.stdout)["turns"][0]
    texts = [s["text"] for s in turn["sentences"]]
    # Cut between paragraphs: every sentence is whole, none is lost or doubled.
    assert len(texts) == 24_000 and set(texts) == {sentence.strip()}


def test_long_text_is_cut_at_paragraphs_first_and_offsets_cover_it() -> None:
    text = ("word " * 30 + "\n\n") * 2_000
    pieces = list(cut_long_text(7, text, limit=10_000))
    assert all(len(piece) <= 10_000 for _, piece in pieces)
    assert "".join(piece for _, piece in pieces) == text
    assert pieces[0][0] == 7
    assert all(piece.endswith("\n\n") for _, piece in pieces[:-1])
    spans = next(split_texts(["Yes. " * (PIECE_CHARS // 4)], load_pipeline()))
    assert len(spans) == PIECE_CHARS // 4


@pytest.mark.parametrize(
    "command",
    [
        ["status", "NAME"],
        ["stats", "NAME"],
        ["export", "NAME", "-f", "csv", "-o", "out.csv"],
        ["agree", "NAME", "NAME"],
    ],
)
@pytest.mark.parametrize(
    ("name", "content"),
    [("program", b"\x7fELF\x02\x01\x01\x00" * 400), ("sheet.csv", b"id,text\n1,Hello\n")],
)
def test_a_file_that_is_no_annotation_log_is_named_as_such(
    tmp_path: Path, command: list[str], name: str, content: bytes
) -> None:
    """A binary or a spreadsheet given where a log belongs: one line, nothing written
    (it was a page of 'line skipped' warnings, an export of 0 sentences, exit 0)."""
    (tmp_path / name).write_bytes(content)
    result = run_cli(*(name if arg == "NAME" else arg for arg in command), cwd=tmp_path)
    one_line_error(result, name, "not an annotation log")
    assert not (tmp_path / "out.csv").exists()


def test_an_annotation_log_given_as_transcripts_is_named_as_such(tmp_path: Path) -> None:
    """``annotate annotations/ana.jsonl`` read the log's lines as turns (one turn per
    decision) and annotated them; now it says what the file is."""
    log = tmp_path / "ana.jsonl"
    log.write_text(
        json.dumps(
            {"action": "label", "document": "d", "annotator": "ana", "start": 0, "end": 5,
             "text": "Hello", "speaker": "A", "labels": [], "doc_hash": "x"}
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    one_line_error(run_cli("parse", "ana.jsonl", cwd=tmp_path), "ana.jsonl", "annotation log")


@pytest.mark.parametrize("damage", [b"\x00" * 200, b"\x00" * 200 + b"\n"])
def test_a_log_whose_first_write_a_power_cut_zeroed_still_opens(
    tmp_path: Path, damage: bytes
) -> None:
    """NUL bytes where the first line was are a damaged log, not 'not a log': status
    goes on (warning about it), and the writer sets the bytes aside and carries on."""
    from annotator.log import AnnotationLog

    (tmp_path / "ben.jsonl").write_bytes(damage)
    result = run_cli("status", "ben.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "not an annotation log" not in result.stderr
    AnnotationLog.open(tmp_path / "ben.jsonl", "ben").close()
