"""Input never drives the terminal: every output path shows control codes as escapes.

The paths checked, each with a hostile speaker, title or id, annotator id, note or
label name (ESC sequences that would set the window title and clear the screen):

CLI (real subprocesses, output captured as the terminal would get it):
  parse --pretty, status, stats, agree, export's report, an error naming a file.
TUI (Pilot, the rendered screen): header (document title), transcript (speaker,
  sentence, note), turn list (speaker), label panel (label name, description),
  adjudication's codings (annotator id, note), the status line (search text).
The sanitiser itself: ``annotator.printable.terminal_safe``, and the CLI consoles'
``SafeConsole`` (which fails here if a Rich upgrade changes its render hook).
"""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run_cli

from annotator.cli.console import SafeConsole
from annotator.printable import terminal_safe

EVIL = "EVIL\x1b]0;pwned\x07\x1b[2J\u202e"
SHOWN = "EVIL\\u001b]0;pwned\\u0007\\u001b[2J\\u202e"


def test_terminal_safe_escapes_controls_formats_and_surrogates() -> None:
    assert terminal_safe(EVIL) == SHOWN
    assert terminal_safe("a\nb") == "a\nb"
    assert terminal_safe("a\nb", keep_newlines=False) == "a\\u000ab"
    assert terminal_safe("lone \udc80") == "lone \\udc80"
    assert terminal_safe("Präsident 王毅") == "Präsident 王毅"


def test_the_cli_console_escapes_what_it_prints(capsys) -> None:  # type: ignore[no-untyped-def]
    console = SafeConsole(force_terminal=True, width=200, highlight=False)
    console.print(f"[bold]{EVIL}[/bold]")
    out = capsys.readouterr().out
    assert "\x1b]0;" not in out and "\x1b[2J" not in out
    assert "\\u001b]0;pwned" in out
    assert "\x1b[1m" in out  # Rich's own styles still reach the terminal


def hostile_log(folder: Path, annotator: str, labels: list[str]) -> Path:
    from annotator.log import AnnotationLog
    from annotator.model import Document, Span, Turn

    text = f"{EVIL}: We will act now."
    sentence = Span(len(EVIL) + 2, len(text), "We will act now.")
    turn = Turn(0, EVIL, EVIL, sentence.start, len(text), sentence.text, (), (sentence,))
    document = Document(f"doc{EVIL}", f"doc{EVIL}.txt", EVIL, text, "", (turn,))
    path = folder / f"{annotator.encode('unicode_escape').decode()[:20]}.jsonl"
    with AnnotationLog.open(path, annotator) as log:
        log.decide(document, turn, sentence, labels, note=EVIL, flag=True)
    return path


def assert_safe(output: str) -> None:
    assert "\x1b" not in output, output
    assert "\u202e" not in output


def test_cli_outputs_show_hostile_input_escaped(tmp_path: Path) -> None:
    turns = tmp_path / "e.jsonl"
    turns.write_text(json.dumps({"speaker": EVIL, "text": "Hello there. Bye now."}) + "\n")
    parsed = run_cli("parse", "--pretty", turns, cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    assert_safe(parsed.stdout + parsed.stderr)
    assert "\\u001b" in parsed.stdout
    # A bell in a sentence is shown, not dropped: Rich's Text silently strips it
    # before the console's escaping could see it.
    belled = tmp_path / "bell.txt"
    belled.write_text("MR A: Thank you\x07 bell. Fine.\n\nMR B: Yes.\n", encoding="utf-8")
    outline = run_cli("parse", "--pretty", belled, cwd=tmp_path)
    assert "Thank you\\u0007 bell." in outline.stdout, outline.stdout

    one = hostile_log(tmp_path, f"ana{EVIL}", ["commitment"])
    two = hostile_log(tmp_path, "ben", [f"threat{EVIL}"])
    for args in (("status", one), ("stats", one, two), ("agree", one, two)):
        result = run_cli(*args, cwd=tmp_path)
        assert_safe(result.stdout + result.stderr)
        assert "\\u001b" in result.stdout + result.stderr, (args, result.stdout, result.stderr)

    missing = run_cli("status", tmp_path / f"gone{EVIL}.jsonl", cwd=tmp_path)
    assert_safe(missing.stdout + missing.stderr)
