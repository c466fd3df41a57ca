"""``annotator stats`` counts what an export would contain, per speaker and per document."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from annotator.cli.render.stats import bar, format_stats
from annotator.labels import parse_labels
from annotator.log import AnnotationLog
from annotator.stats import NO_LABEL, UNRESOLVED, stats_report
from tests.command_line import run_cli
from tests.test_export import BRIEFING, LABELS_YAML, make_document, units

LABELS = parse_labels(LABELS_YAML, source="labels.yaml")
CHOICES = [["procedural"], ["commitment"], ["procedural"], [], None, ["threat assessment"],
           ["commitment", "threat assessment"], ["procedural"]]  # fmt: skip


def write_log(path: Path, who: str = "alice") -> Path:
    documents = [make_document(BRIEFING, "brief-a"), make_document(BRIEFING[:2], "brief-b")]
    with AnnotationLog.open(path, who, labels=LABELS) as log:
        for document in documents:
            for n, (turn, sentence) in enumerate(units(document)):
                if CHOICES[n] is not None:
                    log.decide(document, turn, sentence, CHOICES[n])
    return path


def test_counts_overall_per_speaker_and_per_document(tmp_path: Path) -> None:
    report = stats_report([write_log(tmp_path / "a.jsonl")])
    overall = dict(report.overall.counts)
    # brief-a: 7 decided sentences; brief-b (first two turns): 4 decided.
    assert report.overall.sentences == 11
    assert overall == {
        "commitment": 3,
        "threat assessment": 2,
        "procedural": 5,
        NO_LABEL: 2,
    }
    speakers = {c.group: c for c in report.by_speaker}
    assert speakers["QUESTION"].sentences == 2
    assert dict(speakers["QUESTION"].counts)[NO_LABEL] == 2
    assert dict(speakers["MR MILLER"].counts)["procedural"] == 5
    documents = {c.group: c.sentences for c in report.by_document}
    assert documents == {"brief-a": 7, "brief-b": 4}


def test_bars_scale_to_the_largest_count() -> None:
    assert bar(10, 10, 20) == "█" * 20
    assert bar(5, 10, 20) == "█" * 10
    assert bar(0, 10, 20) == ""
    assert 0 < len(bar(1, 1000, 20)) <= 1  # tiny counts still show


def test_rendered_report_shows_tables_and_bars(tmp_path: Path) -> None:
    report = stats_report([write_log(tmp_path / "a.jsonl")])
    console = Console(width=100, record=True)
    console.print(format_stats(report))
    text = console.export_text()
    assert "All decided sentences (11)" in text
    assert "Speaker: MR MILLER" in text and "Document: brief-b (4)" in text
    assert "█" in text


def test_cli_json_is_clean_for_scripts(tmp_path: Path) -> None:
    log = write_log(tmp_path / "a.jsonl")
    run = run_cli("stats", log, "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["overall"]["sentences"] == 11
    assert data["overall"]["labels"]["procedural"] == 5
    assert {d["group"] for d in data["by_document"]} == {"brief-a", "brief-b"}


def test_labels_nobody_used_share_one_row(tmp_path: Path) -> None:
    report = stats_report([write_log(tmp_path / "a.jsonl")], label_set=LABELS)
    console = Console(width=120, record=True)
    console.print(format_stats(report))
    text = console.export_text()
    speaker_table = text.split("Speaker: QUESTION")[1].split("Labels per document")[0]
    assert "not used: commitment, threat assessment, procedural" in speaker_table
    rows = [line for line in speaker_table.splitlines() if line.startswith("│")]
    assert len(rows) == 2  # "(no label)" and the one "not used" row


def test_a_disagreement_is_counted_unresolved_never_as_no_label(tmp_path: Path) -> None:
    """Two analysts who disagree, nothing adjudicated: the export keeps the sentence
    flagged ``unresolved``; stats counted it "(no label)", a negative nobody chose."""
    document = make_document(BRIEFING[:1], "brief-a")
    (turn, first), (_, second) = list(units(document))[:2]
    choices = {
        "ana": (["commitment"], ["commitment"]),
        "ben": (["procedural"], ["commitment", "procedural"]),
    }
    logs = []
    for who, (on_first, on_second) in choices.items():
        with AnnotationLog.open(tmp_path / f"{who}.jsonl", who, labels=LABELS) as log:
            log.decide(document, turn, first, on_first)
            log.decide(document, turn, second, on_second)
        logs.append(tmp_path / f"{who}.jsonl")
    overall = dict(stats_report(logs).overall.counts)
    # First sentence: 1 vs 1, no label chosen by a majority. Second: both chose
    # commitment (counted), one also procedural (unresolved beside it).
    assert overall[UNRESOLVED] == 2 and overall[NO_LABEL] == 0
    assert overall["commitment"] == 1 and overall["procedural"] == 0
