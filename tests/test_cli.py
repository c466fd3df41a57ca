"""The command line as a user runs it: ``annotator.cli.main`` in this process (which
turns an ``AnnotatorError`` into one line on stderr), and a real ``python -m
annotator`` where only a process shows it (heavy imports kept out of ``--help``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator.resources import sample_transcript
from annotator.transcript import decode_bytes
from tests.command_line import run_cli, run_process
from tests.shared_data import SHARED, skip_without

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPTS = SHARED / "corpora" / "transcripts"

DOCUMENT_KEYS = {"id", "source", "title", "preamble", "turns"}
TURN_KEYS = {"speaker", "speaker_key", "start", "end", "text", "notes", "sentences"}
SPAN_KEYS = {"start", "end", "text"}


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def check_spans(spans: list[dict[str, Any]], turn: dict[str, Any], what: str) -> None:
    """Every span lies inside its turn, in order, and its text is the turn text at its offsets."""
    previous_end = turn["start"]
    for span in spans:
        assert set(span) == SPAN_KEYS, f"{what} keys"
        assert turn["start"] <= span["start"] < span["end"] <= turn["end"], f"{what} outside turn"
        assert span["start"] >= previous_end, f"{what}s overlap or are out of order"
        local = turn["text"][span["start"] - turn["start"] : span["end"] - turn["start"]]
        assert local == span["text"], f"{what} text does not match its offsets"
        assert span["text"] == span["text"].strip(), f"{what} is not trimmed"
        previous_end = span["end"]


def check_document(record: dict[str, Any], source_text: str | None = None) -> None:
    """The documented ``parse`` shape, with offsets that hold."""
    assert set(record) == DOCUMENT_KEYS
    assert isinstance(record["id"], str) and record["id"]
    assert isinstance(record["title"], str) and isinstance(record["preamble"], str)
    assert record["turns"], "a transcript with speech has turns"
    previous_end = 0
    for turn in record["turns"]:
        assert TURN_KEYS <= set(turn) <= TURN_KEYS | {"timestamp"}
        assert isinstance(turn["speaker"], str) and isinstance(turn["speaker_key"], str)
        assert turn["start"] >= previous_end, "turns overlap or are out of order"
        assert turn["end"] - turn["start"] == len(turn["text"])
        if source_text is not None:
            assert source_text[turn["start"] : turn["end"]] == turn["text"]
        check_spans(turn["sentences"], turn, "sentence")
        check_spans(turn["notes"], turn, "note")
        for sentence in turn["sentences"]:
            for note in turn["notes"]:
                # A note is never at a sentence's edge; one inside a sentence (a page
                # header, ``(applause)``) does not cut it (issue 10) and lies wholly within.
                outside = sentence["end"] <= note["start"] or note["end"] <= sentence["start"]
                within = sentence["start"] < note["start"] and note["end"] < sentence["end"]
                assert outside or within
        previous_end = turn["end"]
    assert sum(len(turn["sentences"]) for turn in record["turns"]) > 0


def decoded(path: Path) -> str:
    return decode_bytes(path.read_bytes(), str(path))[0]


def real_transcripts() -> list[Path]:
    paths = sorted(skip_without(TRANSCRIPTS).glob("*.txt"))
    assert paths, f"no .txt transcripts in {TRANSCRIPTS}"
    return paths


def test_parse_sample_prints_documented_shape(tmp_path: Path) -> None:
    result = run_cli("parse", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (record,) = json_lines(result.stdout)
    check_document(record, decoded(sample_transcript()))
    assert record["id"] == sample_transcript().stem
    speakers = {turn["speaker"] for turn in record["turns"]}
    assert "SECRETARY BLINKEN" in speakers
    assert "FOREIGN MINISTER KAMIKAWA" in speakers
    first = record["turns"][0]
    # ``(Via interpreter)`` opens the first turn: a note, not part of a sentence.
    assert first["notes"][0]["text"] == "(Via interpreter)"
    assert first["sentences"][0]["text"].startswith("If I may, we will start")


def test_parse_real_transcripts(tmp_path: Path) -> None:
    paths = real_transcripts()
    result = run_cli("parse", *paths, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    records = json_lines(result.stdout)
    assert [record["id"] for record in records] == [path.stem for path in paths]
    for path, record in zip(paths, records, strict=True):
        assert record["source"] == str(path)
        check_document(record, decoded(path))


def test_parse_pretty_prints_headings_and_numbered_sentences(tmp_path: Path) -> None:
    result = run_cli("parse", "--pretty", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("SECRETARY BLINKEN") for line in lines)
    numbered = [line.split(None, 1) for line in lines if line[:6].strip().isdigit()]
    numbers = [int(parts[0]) for parts in numbered]
    assert numbers[:3] == [1, 2, 3]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbered[0][1].startswith("If I may, we will start")
    assert "(Via interpreter)" in result.stdout


def test_parse_pretty_prints_a_heading_between_turns_before_the_turn_it_opens(
    tmp_path: Path,
) -> None:
    transcript = tmp_path / "briefing.txt"
    transcript.write_text(
        "MR. PRICE: Let me start with Sudan.\n\n## Sudan\n\nQUESTION: What is the latest?\n",
        encoding="utf-8",
    )
    result = run_cli("parse", "--pretty", "--no-cache", transcript, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines.index("## Sudan") + 1 == next(
        n for n, line in enumerate(lines) if line.startswith("QUESTION")
    )


def test_parse_pretty_prints_markup_literally(tmp_path: Path) -> None:
    transcript = tmp_path / "markup.txt"
    transcript.write_text(
        "SECRETARY BLINKEN: Write [bold] here. Then [red]x[/red] there.\n\n"
        "MINISTER KIHARA: And [link=https://example.org]a link[/link] too.\n",
        encoding="utf-8",
    )
    result = run_cli("parse", "--pretty", transcript, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Write [bold] here." in result.stdout
    assert "Then [red]x[/red] there." in result.stdout
    assert "And [link=https://example.org]a link[/link] too." in result.stdout


def test_sentences_filter_adds_sentences_and_keeps_fields(tmp_path: Path) -> None:
    records = [
        {"id": 1, "text": "We met today. Did we agree? Yes."},
        {
            "id": 2,
            "text": "Amb. Smith met Mr. Tanaka at the U.S. embassy. It went well.",
            "lang": "en",
        },
        {"id": 3, "text": ""},
    ]
    stdin = "\n".join(json.dumps(record) for record in records[:2]) + "\n\n"
    stdin += json.dumps(records[2]) + "\n"
    result = run_cli("sentences", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = json_lines(result.stdout)
    assert [record["id"] for record in out] == [1, 2, 3]
    assert out[1]["lang"] == "en"
    for record in out:
        for sentence in record["sentences"]:
            assert record["text"][sentence["start"] : sentence["end"]] == sentence["text"]
    assert [s["text"] for s in out[0]["sentences"]] == ["We met today.", "Did we agree?", "Yes."]
    assert [s["text"] for s in out[1]["sentences"]] == [
        "Amb. Smith met Mr. Tanaka at the U.S. embassy.",
        "It went well.",
    ]
    assert out[2]["sentences"] == []
    # The blank line in is a blank line out: output line N answers input line N.
    lines = result.stdout.split("\n")
    assert lines[2] == "" and json.loads(lines[3])["id"] == 3, lines


def test_sentences_reads_another_field(tmp_path: Path) -> None:
    stdin = json.dumps({"body": "One. Two."}) + "\n"
    result = run_cli("sentences", "--field", "body", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    (record,) = json_lines(result.stdout)
    assert [s["text"] for s in record["sentences"]] == ["One.", "Two."]


def test_import_writes_a_corpus_that_parse_reads_back(tmp_path: Path) -> None:
    paths = [sample_transcript(), *(real_transcripts() if TRANSCRIPTS.is_dir() else [])]
    corpus = tmp_path / "corpus.jsonl"
    direct = run_cli("parse", *paths, cwd=tmp_path)
    assert direct.returncode == 0, direct.stderr
    imported = run_cli("import", *paths, "-o", corpus, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert f"wrote {corpus}: {len(paths)} documents" in imported.stderr
    back = run_cli("parse", corpus, cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert json_lines(back.stdout) == json_lines(direct.stdout)
    assert back.stdout == direct.stdout


def test_import_with_two_processes_gives_the_same_corpus(tmp_path: Path) -> None:
    paths = [sample_transcript(), *(real_transcripts() if TRANSCRIPTS.is_dir() else [])]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli("import", *paths, "-o", one, cwd=tmp_path).returncode == 0
    result = run_cli("import", *paths, "-o", two, "-j", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert two.read_text(encoding="utf-8") == one.read_text(encoding="utf-8")


def test_import_needs_force_to_overwrite(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("precious\n", encoding="utf-8")
    refused = run_cli("import", sample_transcript(), "-o", corpus, cwd=tmp_path)
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines() == [
        f"annotator: error: {corpus}: already exists; use --force to overwrite it"
    ]
    assert corpus.read_text(encoding="utf-8") == "precious\n"
    forced = run_cli("import", sample_transcript(), "-o", corpus, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert corpus.read_text(encoding="utf-8").startswith('{"format":"annotator-corpus"')


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 8)
    return path


def _no_transcripts(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n")
    (folder / "README.md").write_text("SPEAKER: not a transcript\n", encoding="utf-8")
    return folder


def _bad_encoding(tmp_path: Path) -> Path:
    path = tmp_path / "latin.txt"
    # 0x81 and 0x8d are invalid in UTF-8 here and undefined in Windows-1252.
    path.write_bytes(b"SECRETARY BLINKEN: Thank you \x81\x8d very much.\n")
    return path


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "nowhere.txt"


BAD_INPUTS = {
    "empty file": (_empty, "the file is empty"),
    "binary file": (_binary, "binary file"),
    "folder without transcripts": (_no_transcripts, "holds no transcripts"),
    "unreadable encoding": (_bad_encoding, "unreadable encoding"),
    "missing file": (_missing, "no such file"),
}


def assert_one_line_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: error: ")
    for part in parts:
        assert part in lines[0]


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_parse_bad_input_is_one_line(tmp_path: Path, case: str) -> None:
    make, problem = BAD_INPUTS[case]
    path = make(tmp_path)
    result = run_cli("parse", path, cwd=tmp_path)
    assert_one_line_error(result, str(path), problem)
    assert result.stdout == ""


@pytest.mark.parametrize("case", ["empty file", "folder without transcripts", "missing file"])
def test_import_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, case: str) -> None:
    make, problem = BAD_INPUTS[case]
    path = make(tmp_path)
    corpus = tmp_path / "corpus.jsonl"
    result = run_cli("import", path, "-o", corpus, cwd=tmp_path)
    assert_one_line_error(result, str(path), problem)
    assert not corpus.exists()
    assert not corpus.with_name(corpus.name + ".partial").exists()


def test_sentences_bad_json_is_one_line(tmp_path: Path) -> None:
    stdin = json.dumps({"text": "Fine."}) + "\n{not json\n"
    result = run_cli("sentences", cwd=tmp_path, stdin=stdin)
    assert_one_line_error(result, "<stdin>:2", "not a JSON object")
    assert result.stdout == ""


def test_sentences_without_text_field_is_one_line(tmp_path: Path) -> None:
    result = run_cli("sentences", cwd=tmp_path, stdin='{"body": "x"}\n')
    assert_one_line_error(result, "<stdin>:1", '"text"')


def test_invalid_speaker_pattern_is_one_line(tmp_path: Path) -> None:
    result = run_cli("parse", "--speaker-pattern", "(?P<speaker>[A-Z", cwd=tmp_path)
    assert_one_line_error(result, "speaker pattern", "(?P<speaker>[A-Z")


def test_help_lists_commands(tmp_path: Path) -> None:
    """In a real process: the installed entry point's way in, ``python -m annotator``."""
    result = run_process("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("parse", "sentences", "import"):
        assert command in result.stdout


def test_cli_import_does_not_load_spacy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import annotator.cli\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'textual', 'thinc'})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert result.stdout.strip() == ""


BAD_PATHS = [
    ["parse", "missing.txt"],
    ["import", "missing.txt", "-o", "corpus.jsonl"],
    ["annotate", "missing.txt"],
    ["adjudicate", "missing.jsonl"],
    ["status", "missing.jsonl"],
    ["export", "missing.jsonl", "-f", "jsonl", "-o", "out.jsonl"],
    ["stats", "missing.jsonl"],
    ["agree", "missing.jsonl", "other.jsonl"],
    ["train", "missing.jsonl", "-o", "model"],
    ["assign", "missing.txt", "--annotators", "ana,ben", "-o", "lists"],
    ["export", "x.jsonl", "-f", "xlsx", "-o", "out"],
    ["export", "x.jsonl", "--combine", "mean"],
    ["export"],
]


def test_a_wrong_path_or_choice_answers_without_loading_spacy_or_textual(tmp_path: Path) -> None:
    """Each command checks its arguments before its heavy imports: a missing file is one
    line and exit code 1, a choice that does not exist or a missing argument one line
    and exit code 2 (click's code for usage errors), and neither spaCy nor Textual is
    loaded to say so (run in a real process, which only these commands use)."""
    code = (
        "import sys\n"
        "from annotator.cli import main\n"
        f"for args in {BAD_PATHS!r}:\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as stop:\n"
        "        print(args[0], stop.code)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'textual', 'thinc'})\n"
        "print('heavy:', ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    lines = result.stdout.splitlines()
    assert lines[-1] == "heavy: ", result.stdout
    assert [line.split()[1] for line in lines[:-1]] == ["1"] * 10 + ["2"] * 3, result.stdout
    errors = result.stderr.splitlines()
    assert len(errors) == 13 and "Traceback" not in result.stderr, result.stderr
    assert all(line.startswith("annotator: error: ") for line in errors), result.stderr
    for line in errors[:10]:
        assert "missing" in line, line
    assert "'xlsx' is not one of" in errors[10] and "annotator export --help" in errors[10]
    assert "'mean' is not one of" in errors[11]
    assert "Missing argument 'LOG'" in errors[12]


def test_top_level_help_summaries_are_whole_and_every_option_is_explained(tmp_path: Path) -> None:
    env_cols = run_cli("--help", cwd=tmp_path)
    commands = env_cols.stdout.split("Commands:")[1]
    assert "..." not in commands and "…" not in commands, commands
    imported = run_cli("import", "--help", cwd=tmp_path)
    assert "Worker processes for segmenting" in imported.stdout


def test_a_test_that_needs_shared_fails_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ../shared a test skips on a laptop and fails in CI, saying why."""
    pytester.makepyfile(
        "from pathlib import Path\n"
        "from tests.shared_data import skip_without\n"
        "def test_reads_shared():\n"
        "    skip_without(Path('/nonexistent/shared/corpora'))\n"
    )
    monkeypatch.delenv("CI", raising=False)
    pytester.runpytest(
        "-p", "tests.shared_data", "-p", "no:textual-snapshot", "-p", "no:asyncio"
    ).assert_outcomes(skipped=1)
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest(
        "-p", "tests.shared_data", "-p", "no:textual-snapshot", "-p", "no:asyncio"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*needs *shared, which CI must have beside the clone*"])


def test_explain_reads_the_folders_parse_reads(tmp_path: Path) -> None:
    """A folder of web pages is read by ``parse``; ``--explain`` gave nothing for it
    (exit 0), and an empty folder or a missing path gives parse's own error."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "briefing.html").write_text(
        "<html><body><p>MR A: We will act. Thank you.</p><p>MR B: Why now?</p>"
        "<p>MR A: Because it is time.</p></body></html>",
        encoding="utf-8",
    )
    explained = run_cli("parse", "--explain", "pages", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert "briefing.html: convention" in explained.stdout
    (tmp_path / "empty").mkdir()
    for path, message in (("empty", "holds no transcripts"), ("gone", "no such file")):
        refused = run_cli("parse", "--explain", path, cwd=tmp_path)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
