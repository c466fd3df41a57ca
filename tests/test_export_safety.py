"""Exports are data, and never replace what they should not (issue 12, items 3 and 4)."""

from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

import pytest

from annotator.errors import ExportError
from annotator.export import ExportOptions, export_logs
from annotator.labels import parse_labels
from annotator.log import AnnotationLog
from annotator.model import Document, Span, Turn

LABELS = parse_labels(
    'labels:\n  - {name: "a|b", key: "1"}\n  - {name: "a", key: "2"}\n  - {name: b, key: "3"}\n',
    source="labels.yaml",
)


def hostile_log(folder: Path) -> Path:
    speaker = "=HYPERLINK(x)"
    first, second = "-2+3 @sum.", "+cmd here."
    text = f"{speaker}: {first} {second}"
    at = len(speaker) + 2
    spans = (Span(at, at + len(first), first), Span(at + len(first) + 1, len(text), second))
    turn = Turn(0, speaker, "x", at, len(text), text[at:], (), spans)
    document = Document("doc", "doc.txt", "Doc", text, "", (turn,))
    path = folder / "ana.jsonl"
    with AnnotationLog.open(path, "ana", labels=LABELS) as log:
        log.decide(document, turn, spans[0], ["a|b"], note="@note")
        log.decide(document, turn, spans[1], ["a", "b"], note="=1+1")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_cells_never_start_a_formula_and_labels_split_back(tmp_path: Path) -> None:
    log = hostile_log(tmp_path)
    out = tmp_path / "out.csv"
    export_logs([log], "csv", out, label_set=LABELS)
    rows = read_csv(out)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert rows[0]["speaker"] == "'=HYPERLINK(x)" and rows[0]["text"] == "'-2+3 @sum."
    assert rows[1]["note"] == "'=1+1"
    # "a|b" is one label, "a" and "b" two: the column says which.
    assert rows[0]["labels"] == "a\\|b" and rows[1]["labels"] == "a|b"
    raw = tmp_path / "raw.csv"
    export_logs([log], "csv", raw, label_set=LABELS, options=ExportOptions(csv_raw=True))
    assert read_csv(raw)[0]["speaker"] == "=HYPERLINK(x)"


def test_an_export_never_replaces_a_log_a_device_a_fifo_or_a_link(tmp_path: Path) -> None:
    log = hostile_log(tmp_path)
    before = log.read_bytes()
    force = ExportOptions(force=True)
    with pytest.raises(ExportError, match="is an annotation log"):
        export_logs([log], "jsonl", log, options=force)
    assert log.read_bytes() == before
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.jsonl"
    link.symlink_to(victim)
    with pytest.raises(ExportError, match="symbolic link"):
        export_logs([log], "jsonl", link, options=force)
    assert victim.read_text() == "keep me" and link.is_symlink()
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="not a regular file"):
        export_logs([log], "jsonl", fifo, options=force)
    with pytest.raises(ExportError, match="not a regular file"):
        export_logs([log], "jsonl", Path("/dev/full"), options=force)
    assert Path("/dev/full").is_char_device()


def test_someone_elses_partial_file_is_left_alone(tmp_path: Path) -> None:
    log = hostile_log(tmp_path)
    out = tmp_path / "out.jsonl"
    other = tmp_path / "out.jsonl.partial"
    other.write_text("another export in progress")
    export_logs([log], "jsonl", out)
    assert other.read_text() == "another export in progress"
    assert out.exists() and not list(tmp_path.glob(".out.jsonl.*.partial"))


def test_a_full_disk_is_one_clear_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = hostile_log(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("annotator.export._files.os.replace", full)
    with pytest.raises(ExportError, match="No space left on device"):
        export_logs([log], "jsonl", folder / "out.jsonl")
    assert list(folder.iterdir()) == []
