"""The annotation log keeps its guarantees when used the way an analyst's machine uses it.

Crashes are real: a child process is killed with SIGKILL while it writes.
Locks are real: a second process tries to open the same log. Edits are real:
the transcript text changes after it was annotated.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotator.cli.render.status import format_status
from annotator.errors import LogLockedError, StoreError
from annotator.labels import load_labels
from annotator.log import CLEAR, LABEL, AnnotationLog, Decision, prodigy_hash, read_log
from annotator.model import Document, LabelSet, Span
from annotator.status import status_report
from tests.builders import make_document, units

REPO = Path(__file__).resolve().parents[1]

THANKS = "Thank you."
BRIEFING = [
    ("MR MILLER", ["Good afternoon.", "We will send $2 billion in aid.", "Thank you."]),
    ("QUESTION", ["Is the threat growing?", "Thank you."]),
    ("MR MILLER", ["The threat is grave.", "We call on Iran to stop.", "Thank you."]),
]


def labels_of(log: AnnotationLog, document: Document, sentence: Span) -> tuple[str, ...] | None:
    """The labels shown for a sentence, None when it is undecided."""
    decision = log.decision_for(document, sentence)
    return None if decision is None else decision.labels


@pytest.fixture(scope="module")
def label_set() -> LabelSet:
    return load_labels()


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations" / "alice.jsonl"


def raw_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the line format -------------------------------------------------------------------


def test_a_decision_line_stands_alone_and_reads_as_prodigy(
    log_path: Path, label_set: LabelSet
) -> None:
    document = make_document(BRIEFING)
    turn, sentence = units(document)[1]
    with AnnotationLog.open(log_path, "alice", session="s1", labels=label_set) as log:
        log.decide(document, turn, sentence, ["commitment"], note="aid", flag=True)
    (line,) = raw_lines(log_path)
    assert line["schema"] == 1
    assert line["action"] == "label"
    assert line["document"] == "briefing"
    assert line["doc_hash"] == document.text_hash
    assert line["source"] == "briefing.txt"
    assert (line["turn"], line["speaker"]) == (0, "MR MILLER")
    assert document.text[line["start"] : line["end"]] == line["text"] == sentence.text
    assert line["labels"] == ["commitment"]
    assert (line["note"], line["flag"]) == ("aid", True)
    assert (line["annotator"], line["session"]) == ("alice", "s1")
    assert line["time"].endswith("Z")
    # Prodigy's fields, so the file can be read as Prodigy annotations.
    assert line["accept"] == ["commitment"] and line["answer"] == "accept"
    assert line["options"][0] == {"id": "commitment", "text": "commitment"}
    assert len(line["options"]) == len(label_set.labels)
    assert line["_input_hash"] == prodigy_hash(sentence.text)
    assert isinstance(line["_task_hash"], int) and -(2**31) <= line["_task_hash"] < 2**31
    assert (line["_annotator_id"], line["_session_id"]) == ("alice", "s1")
    assert isinstance(line["_timestamp"], int)
    assert line["meta"]["speaker"] == "MR MILLER"
    assert Decision.from_json(line).to_json() == line


def test_hashes_are_the_same_in_every_process() -> None:
    code = "from annotator.log import prodigy_hash; print(prodigy_hash('Thank you.'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert int(out.stdout) == prodigy_hash("Thank you.")


def test_no_label_is_a_decision_and_an_unseen_sentence_has_no_line(log_path: Path) -> None:
    document = make_document(BRIEFING)
    turn, sentence = units(document)[0]
    with AnnotationLog.open(log_path, "alice") as log:
        log.decide(document, turn, sentence, [])
        assert log.first_undecided(document) == (0, 1)
    (line,) = raw_lines(log_path)
    assert line["labels"] == [] and line["accept"] == [] and line["answer"] == "accept"


def test_each_decision_is_in_the_file_when_decide_returns(log_path: Path) -> None:
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        for n, (turn, sentence) in enumerate(units(document)[:4]):
            log.decide(document, turn, sentence, ["procedural"])
            # Another reader (the status command) sees it at once.
            assert read_log(log_path).lines == n + 1


def test_decide_refuses_what_the_label_set_or_document_does_not_allow(
    log_path: Path, label_set: LabelSet
) -> None:
    document = make_document(BRIEFING)
    turn, sentence = units(document)[0]
    with AnnotationLog.open(log_path, "alice", labels=label_set) as log:
        with pytest.raises(StoreError, match="unknown label 'bogus'"):
            log.decide(document, turn, sentence, ["bogus"])
        with pytest.raises(StoreError, match="not a sentence"):
            shorter = Span(sentence.start, sentence.end - 1, sentence.text[:-1])
            log.decide(document, turn, shorter, [])
    exclusive = LabelSet(label_set.labels, exclusive=True)
    with (
        AnnotationLog.open(log_path, "alice", labels=exclusive) as log,
        pytest.raises(StoreError, match="exclusive"),
    ):
        log.decide(document, turn, sentence, ["commitment", "procedural"])
    assert not log_path.exists() or log_path.read_bytes() == b""


# -- undo and redo ------------------------------------------------------------------------


def test_undo_and_redo_append_lines_and_replay_after_reopening(log_path: Path) -> None:
    document = make_document(BRIEFING)
    (t0, first), (_, second) = units(document)[:2]
    with AnnotationLog.open(log_path, "alice") as log:
        log.decide(document, t0, first, ["procedural"])
        log.decide(document, t0, first, ["procedural", "reassurance"], note="check")
        log.decide(document, t0, second, ["commitment"])
        written = log_path.read_bytes()
        undone = log.undo()  # second: back to undecided
        assert undone is not None and undone.action == CLEAR and undone.step == "undo"
        undone = log.undo()  # first: back to ["procedural"], without the note
        assert undone is not None and undone.labels == ("procedural",) and undone.note is None
        redone = log.redo()  # first: ["procedural", "reassurance"] again, with the note
        assert redone is not None and redone.labels == ("procedural", "reassurance")
        assert redone.note == "check"
        assert log.redo() is not None  # second: commitment again
        assert log.undo() is not None  # and undone once more
        assert log.decision_for(document, second) is None
    # Never rewritten in place: the earlier bytes are untouched, undo only appended.
    assert log_path.read_bytes().startswith(written)
    assert len(raw_lines(log_path)) == 3 + 5

    with AnnotationLog.open(log_path, "alice") as log:
        attachment = log.attachment(document)
        decided, orphans = attachment.decisions, attachment.orphans
        assert orphans == []
        assert set(decided) == {(first.start, first.end)}
        assert decided[(first.start, first.end)].labels == ("procedural", "reassurance")
        assert log.first_undecided(document) == (0, 1)
        # Undo covers this session's own steps only.
        assert log.undo() is None


def test_a_new_decision_clears_redo(log_path: Path) -> None:
    document = make_document(BRIEFING)
    turn, sentence = units(document)[0]
    with AnnotationLog.open(log_path, "alice") as log:
        log.decide(document, turn, sentence, ["procedural"])
        log.undo()
        log.decide(document, turn, sentence, ["position"])
        assert log.redo() is None
        assert labels_of(log, document, sentence) == ("position",)


# -- sentence boundary corrections -----------------------------------------------------------


def test_merge_and_split_survive_reopening(log_path: Path) -> None:
    document = make_document(
        [("MR MILLER", ["We will act.", "Soon.", "The threat is grave. We call on Iran to stop."])]
    )
    turn = document.turns[0]
    act, soon, joined = turn.sentences
    offset = joined.start + joined.text.index("We call")
    with AnnotationLog.open(log_path, "alice") as log:
        log.merge(document, act, soon)
        log.split(document, joined, offset)
    with AnnotationLog.open(log_path, "alice") as log:
        corrected = log.apply_corrections(document)
        texts = [s.text for s in corrected.turns[0].sentences]
        assert texts == ["We will act. Soon.", "The threat is grave.", "We call on Iran to stop."]
        for s in corrected.turns[0].sentences:
            assert corrected.text[s.start : s.end] == s.text
        # Applying twice changes nothing, so callers may pass either document.
        assert log.apply_corrections(corrected) == corrected
        merged = corrected.turns[0].sentences[0]
        log.decide(corrected, 0, merged, ["commitment"])
        # Undo of the merge brings the two sentences back.
        log.merge(corrected, *corrected.turns[0].sentences[1:])
        assert len(log.apply_corrections(document).turns[0].sentences) == 2
        log.undo()
        assert len(log.apply_corrections(document).turns[0].sentences) == 3
    state = read_log(log_path)
    attached = state.attach(document, "alice")
    assert [d.text for d in attached.decisions.values()] == ["We will act. Soon."]
    with AnnotationLog.open(log_path, "alice") as log:
        assert log.first_undecided(document) == (0, 1)


def test_corrections_are_refused_where_they_make_no_sense(log_path: Path) -> None:
    document = make_document(BRIEFING)
    (_, a), (_, b), (_, c), (_, d) = units(document)[:4]
    with AnnotationLog.open(log_path, "alice") as log:
        with pytest.raises(StoreError, match="next one in the same turn"):
            log.merge(document, a, c)
        with pytest.raises(StoreError, match="next one in the same turn"):
            log.merge(document, c, d)  # d is in the next turn
        with pytest.raises(StoreError, match="both parts"):
            log.split(document, b, b.start)


# -- crash safety ---------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from test_log import make_document, BRIEFING
    from annotator.log import AnnotationLog

    log_path, mode = sys.argv[1], sys.argv[2]
    document = make_document(BRIEFING)
    spans = [(t, s) for t in document.turns for s in t.sentences]
    log = AnnotationLog.open(log_path, "alice")
    print("ready", flush=True)
    if mode == "hold":
        sys.stdin.read()
        log.close()
        sys.exit(0)
    real_write = os.write
    n = 0
    while True:
        if mode == "tear" and n == 50:
            def half_write(fd, data):
                real_write(fd, data[: len(data) // 2])
                print("torn", flush=True)
                time.sleep(60)
                return len(data)
            os.write = half_write
        turn, sentence = spans[n % len(spans)]
        log.decide(document, turn, sentence, [("procedural", "commitment")[n % 2]], note=str(n))
        n += 1
    """
)


def start_child(log_path: Path, mode: str) -> subprocess.Popen[str]:
    script = CHILD.format(tests=str(Path(__file__).parent))
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(log_path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL


def test_killed_while_deciding_loses_nothing_that_was_saved(log_path: Path) -> None:
    child = start_child(log_path, "loop")
    deadline = time.monotonic() + 30
    while log_path.stat().st_size < 200_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    kill(child)  # at whatever instant it is at: encoding, writing or fsyncing
    complete = log_path.read_bytes().count(b"\n")
    assert complete > 50

    with AnnotationLog.open(log_path, "alice") as log:
        assert log.state.lines == complete
        notes = [json.loads(line)["note"] for line in log_path.read_text().splitlines()]
        assert notes == [str(n) for n in range(complete)]
        # The dead writer's lock was taken over, and said so.
        assert any("took over the lock" in w and str(child.pid) in w for w in log.warnings)
        document = make_document(BRIEFING)
        decided = log.attachment(document).decisions
        assert len(decided) == len(units(document))


def test_killed_in_the_middle_of_a_line_sets_the_torn_line_aside(log_path: Path) -> None:
    child = start_child(log_path, "tear")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "torn"  # half a line is on disk, the rest never
    kill(child)
    data = log_path.read_bytes()
    assert not data.endswith(b"\n")
    complete, fragment = data.rsplit(b"\n", 1)

    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        assert log.state.lines == 50
        (warning,) = [w for w in log.warnings if "incomplete" in w]
        side_files = list(log_path.parent.glob(f"{log_path.name}.torn-*"))
        assert len(side_files) == 1 and side_files[0].name in warning
        assert side_files[0].read_bytes() == fragment
        assert log_path.read_bytes() == complete + b"\n"
        turn, sentence = units(document)[0]
        log.decide(document, turn, sentence, ["position"])
    # The next line starts cleanly: every line loads, nothing is set aside again.
    with AnnotationLog.open(log_path, "alice") as log:
        assert log.state.lines == 51
        assert not [w for w in log.warnings if "incomplete" in w]
    report = status_report([log_path], [document])
    assert report.torn == (str(side_files[0]),)


def test_a_cut_at_any_byte_of_the_last_line_loses_only_that_line(tmp_path: Path) -> None:
    document = make_document(BRIEFING)
    source = tmp_path / "full.jsonl"
    with AnnotationLog.open(source, "alice") as log:
        for turn, sentence in units(document)[:3]:
            log.decide(document, turn, sentence, ["procedural"], note="x" * 10)
    data = source.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    for cut in range(last_start + 1, len(data), 11):
        path = tmp_path / f"cut-{cut}.jsonl"
        path.write_bytes(data[:cut])
        assert read_log(path).lines == 2  # the reader reports it, without changing the file
        assert path.read_bytes() == data[:cut]
        with AnnotationLog.open(path, "alice") as log:
            assert log.state.lines == 2
            assert len(log.attachment(document).decisions) == 2
        assert path.read_bytes() == data[:last_start]


def test_a_damaged_line_in_the_middle_is_skipped_and_the_rest_loads(log_path: Path) -> None:
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        for turn, sentence in units(document)[:3]:
            log.decide(document, turn, sentence, ["procedural"])
    lines = log_path.read_bytes().split(b"\n")
    lines[1] = b'{"schema": 1, "act'
    log_path.write_bytes(b"\n".join(lines))
    state = read_log(log_path)
    assert any(":2: line skipped: not a JSON line" in w for w in state.warnings)
    assert len(state.attach(document, "alice").decisions) == 2


def test_lines_rewritten_by_another_tool_still_replay_the_same(log_path: Path) -> None:
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        for turn, sentence in units(document)[:4]:
            log.decide(document, turn, sentence, ["procedural"])
        log.undo()
        first, second = units(document)[0][1], units(document)[1][1]
        log.merge(document, first, second)
        merged = log.apply_corrections(document).turns[0].sentences[0]
        log.decide(document, 0, merged, ["reassurance"], note="é ü “quoted”")
    expected = read_log(log_path).attach(document, "alice")
    # Keys reordered, spaces added, non-ASCII left unescaped: as jq or pandas might write it.
    rewritten = [
        json.dumps(dict(reversed(list(line.items()))), ensure_ascii=False)
        for line in raw_lines(log_path)
    ]
    log_path.write_text("\n".join(rewritten) + "\n", encoding="utf-8")
    attached = read_log(log_path).attach(document, "alice")
    assert attached.decisions.keys() == expected.decisions.keys()
    assert [d.labels for d in attached.decisions.values()] == [
        d.labels for d in expected.decisions.values()
    ]
    assert next(iter(attached.decisions.values())).note == "é ü “quoted”"


@pytest.mark.parametrize("gap, run_bytes", [(1 << 16, 1 << 23), (0, 1 << 23), (1 << 16, 600)])
def test_reading_many_decisions_back_gives_each_line_as_written(
    log_path: Path, label_set: LabelSet, monkeypatch: pytest.MonkeyPatch, gap: int, run_bytes: int
) -> None:
    """Read back in bulk (one sequential pass, or runs cut by distance or size), every
    live decision equals its own line read alone, whatever the order of documents."""
    monkeypatch.setattr("annotator.log.replay._RUN_GAP", gap)
    monkeypatch.setattr("annotator.log.replay._RUN_BYTES", run_bytes)
    first = make_document(BRIEFING, "first")
    second = make_document(BRIEFING, "second")
    with AnnotationLog.open(log_path, "alice", labels=label_set) as log:
        # Documents interleaved, some sentences decided twice or cleared: replay decides.
        for (t1, s1), (t2, s2) in zip(units(first), units(second), strict=True):
            log.decide(first, t1, s1, ["procedural"])
            log.decide(second, t2, s2, ["commitment"], note='say "why"', flag=True)
        log.decide(first, *units(first)[0], ["threat assessment"])
        log.clear(second, *units(second)[1])
    by_location = {}
    for line in raw_lines(log_path):
        by_location[(line["document"], line["start"], line["end"])] = line
    state = read_log(log_path)
    read_back = list(state.decisions())
    expected = [
        Decision.from_json(line) for line in by_location.values() if line["action"] == LABEL
    ]
    assert sorted(read_back, key=lambda d: d.id) == sorted(expected, key=lambda d: d.id)
    assert len(read_back) == 2 * len(units(first)) - 1
    assert read_back[0].option_names == label_set.names
    assert [d.action for d in state.entries("second")].count(CLEAR) == 1


def test_a_line_damaged_anywhere_is_skipped_at_replay_naming_line_and_field(
    log_path: Path,
) -> None:
    """Every line is validated in full as it is read: a damage after the first fields
    is found by replay itself, skipped with its line number, and the rest counts."""
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        for turn, sentence in units(document)[:3]:
            log.decide(document, turn, sentence, ["procedural"])
    lines = log_path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"labels":[', b'"labels":[[')
    log_path.write_bytes(b"\n".join(lines))
    state = read_log(log_path)
    assert [w.split(": ", 1)[1] for w in state.warnings] == [
        "line skipped: field 'labels': Expected `str`, got `array`"
    ]
    assert ":2: " in state.warnings[0]
    assert len(list(state.decisions())) == 2


def test_lines_from_another_tool_are_read_and_mistyped_ones_skipped(
    log_path: Path, label_set: LabelSet
) -> None:
    """Lines rewritten by another tool (keys reordered, spaces, non-ASCII unescaped,
    optional fields left out, no Prodigy hashes) read as the store's own; a line with
    a field of another type is skipped with a warning naming the field, and the bulk
    view (``entry_fields``) agrees with the full ``Decision`` of every line."""
    first = make_document(BRIEFING, "first")
    second = make_document(BRIEFING, "second")
    with AnnotationLog.open(log_path, "alice", labels=label_set) as log:
        for turn, sentence in units(first):
            log.decide(first, turn, sentence, ["procedural"])
        log.decide(first, *units(first)[0], ["threat assessment"], note='say "why" é')
        log.clear(first, *units(first)[1])
        log.decide(second, *units(second)[0], ["commitment"], flag=True)
        log.decide(second, *units(second)[1], [])
    lines = raw_lines(log_path)
    base = {k: v for k, v in lines[-1].items() if k != "_input_hash"}
    foreign = dict(base, start=units(second)[2][1].start, end=units(second)[2][1].end)
    foreign["text"] = units(second)[2][1].text
    sparse = {
        k: v
        for k, v in dict(base, start=units(second)[3][1].start, end=units(second)[3][1].end).items()
        if k not in ("note", "flag", "session", "step", "ref", "turn")
    }
    sparse["text"] = units(second)[3][1].text
    mistyped = dict(lines[-1], turn="2")
    with log_path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(dict(reversed(list(foreign.items())))) + "\n")
        out.write(json.dumps(sparse, ensure_ascii=False) + "\n")
        out.write(json.dumps(mistyped, separators=(",", ":")) + "\n")
    state = read_log(log_path)
    assert len(state.warnings) == 1
    assert state.warnings[0].endswith(
        f":{len(lines) + 3}: line skipped: field 'turn': Expected `int`, got `str`"
    )
    decisions = list(state.decisions())
    assert len(decisions) == len(units(first)) - 1 + 4
    assert (decisions[-1].turn, decisions[-1].step, decisions[-1].note) == (0, "do", None)
    fields = ("action", "document", "annotator", "start", "end", "text", "labels", "note")
    expected = [
        tuple(getattr(d, f) for f in fields)
        for document in state.documents
        for d in state.entries(document)
    ]
    bulk = [tuple(getattr(e, f) for f in fields) for e in state.entry_fields()]
    assert sorted(bulk) == sorted(expected)


def test_glued_lines_are_skipped_and_the_rest_loads(log_path: Path) -> None:
    """A write cut off mid-line with the next line glued on is one damaged line."""
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        for turn, sentence in units(document)[:3]:
            log.decide(document, turn, sentence, ["procedural"])
    lines = log_path.read_bytes().split(b"\n")
    lines[1] = lines[1][: lines[1].index(b'"options"')] + lines[2]
    del lines[2]
    log_path.write_bytes(b"\n".join(lines))
    state = read_log(log_path)
    assert len(state.warnings) == 1 and ":2: line skipped" in state.warnings[0]
    assert [d.text for d in state.decisions()] == [units(document)[0][1].text]


def test_a_log_from_a_newer_version_is_refused(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_text('{"schema": 99, "action": "label", "document": "d"}\n')
    with pytest.raises(StoreError, match="newer"):
        read_log(log_path)


# -- one writer at a time ---------------------------------------------------------------------


def test_a_second_process_gets_an_error_naming_the_holder(log_path: Path) -> None:
    child = start_child(log_path, "hold")
    try:
        with pytest.raises(LogLockedError) as caught:
            AnnotationLog.open(log_path, "bob")
        message = str(caught.value)
        assert f"pid {child.pid}" in message
        assert socket.gethostname() in message
        assert "alice" in message
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    # Once the holder has closed the log, the next writer gets it.
    with AnnotationLog.open(log_path, "bob") as log:
        assert not any("took over" in w for w in log.warnings)


def test_the_same_log_cannot_be_opened_twice_in_one_process(log_path: Path) -> None:
    with (
        AnnotationLog.open(log_path, "alice"),
        pytest.raises(LogLockedError, match=f"pid {os.getpid()}"),
    ):
        AnnotationLog.open(log_path, "alice")
    AnnotationLog.open(log_path, "alice").close()


def test_a_lock_left_by_a_dead_process_is_taken_over(log_path: Path) -> None:
    child = start_child(log_path, "hold")
    kill(child)  # dies holding the log: its lock file stays behind
    lock_file = log_path.with_name(log_path.name + ".lock")
    assert json.loads(lock_file.read_text())["pid"] == child.pid
    with AnnotationLog.open(log_path, "bob") as log:
        assert any(f"pid {child.pid}" in w and "took over" in w for w in log.warnings)
        assert json.loads(lock_file.read_text())["pid"] == os.getpid()
    assert not lock_file.exists()  # closed cleanly: nothing left behind


# -- re-anchoring --------------------------------------------------------------------------------


def annotate_all(log_path: Path, document: Document) -> None:
    """Label every sentence with a label that tells sentences apart (by position)."""
    names = ["procedural", "commitment", "position", "criticism", "cooperation", "rebuttal"]
    with AnnotationLog.open(log_path, "alice") as log:
        for n, (turn, sentence) in enumerate(units(document)):
            log.decide(document, turn, sentence, [names[n % len(names)]])


def test_decisions_follow_their_text_when_the_transcript_is_edited(log_path: Path) -> None:
    before = make_document(BRIEFING)
    annotate_all(log_path, before)
    edited = [
        ("MODERATOR", ["Welcome to the briefing."]),  # a new turn before everything
        ("MR MILLER", ["Good afternoon.", "We will send $3 billion in aid.", "Thank you."]),
        BRIEFING[1],
        BRIEFING[2],
    ]
    after = make_document(edited)
    with AnnotationLog.open(log_path, "alice") as log:
        attachment = log.attachment(after)
        decided, orphans = attachment.decisions, attachment.orphans
        seen = {after.text[s:e]: d.labels for (s, e), d in decided.items()}
        # Every unchanged sentence keeps its decision at its new offsets...
        assert seen["Good afternoon."] == ("procedural",)
        assert seen["Is the threat growing?"] == ("criticism",)
        assert seen["We call on Iran to stop."] == ("procedural",)
        # ...and the three "Thank you." keep theirs, in order.
        thanks = [
            decided[(s.start, s.end)].labels for _, s in units(after) if s.text == "Thank you."
        ]
        assert thanks == [("position",), ("cooperation",), ("commitment",)]
        # The changed sentence's decision is an orphan: reported, not attached elsewhere.
        assert [o.text for o in orphans] == ["We will send $2 billion in aid."]
        changed = units(after)[2][1]
        assert changed.text == "We will send $3 billion in aid."
        assert (changed.start, changed.end) not in decided
        assert {d.text for d in decided.values()} <= {s.text for _, s in units(after)}
        # Resume goes to the first sentence without a decision: the new one.
        assert log.first_undecided(after) == (0, 0)
        log.decide(after, 0, units(after)[0][1], ["procedural"])
        assert log.first_undecided(after) == (1, 1)
    # The orphan stays in the log, and in the status report.
    with AnnotationLog.open(log_path, "alice") as log:
        assert [o.text for o in log.attachment(after).orphans] == [
            "We will send $2 billion in aid."
        ]
    report = status_report([log_path], [after])
    assert [o.text for o in report.orphans] == ["We will send $2 billion in aid."]
    (row,) = report.progress
    assert (row.decided, row.total, row.orphans) == (8, 9, 1)


def test_a_removed_turn_orphans_its_decisions_and_repeats_keep_their_own(
    log_path: Path,
) -> None:
    before = make_document(BRIEFING)
    annotate_all(log_path, before)
    after = make_document(BRIEFING[1:])  # the first turn was cut from the transcript
    attached = read_log(log_path).attach(after, "alice")
    thanks = [
        attached.decisions[(s.start, s.end)].labels for _, s in units(after) if s.text == THANKS
    ]
    # Each remaining "Thank you." keeps the decision made on it, not that of the one cut.
    assert thanks == [("cooperation",), ("commitment",)]
    assert sorted(o.text for o in attached.orphans) == [
        "Good afternoon.",
        THANKS,
        "We will send $2 billion in aid.",
    ]
    assert attached.orphans[-1].labels == ("position",)


def test_a_new_decision_on_edited_text_wins_over_the_old_one(log_path: Path) -> None:
    before = make_document(BRIEFING)
    annotate_all(log_path, before)
    after = make_document([("MODERATOR", ["Welcome."]), *BRIEFING])
    target = next(s for _, s in units(after) if s.text == "Good afternoon.")
    with AnnotationLog.open(log_path, "alice") as log:
        assert labels_of(log, after, target) == ("procedural",)
        log.decide(after, 1, target, ["reassurance"])
        log.undo()  # restores what the analyst saw before: the old decision's labels
        assert labels_of(log, after, target) == ("procedural",)
        log.redo()
    state = read_log(log_path)
    assert state.attach(after, "alice").decisions[(target.start, target.end)].labels == (
        "reassurance",
    )


def test_decisions_follow_their_text_when_sentences_are_split_differently(
    log_path: Path,
) -> None:
    old_splitter = make_document([("MR MILLER", ["Good afternoon. We will act.", "Thank you."])])
    annotate_all(log_path, old_splitter)
    new_splitter = make_document([("MR MILLER", ["Good afternoon.", "We will act.", "Thank you."])])
    assert new_splitter.text == old_splitter.text
    state = read_log(log_path)
    attached = state.attach(new_splitter, "alice")
    assert {new_splitter.text[s:e] for s, e in attached.decisions} == {"Thank you."}
    assert [o.text for o in attached.orphans] == ["Good afternoon. We will act."]
    assert state.first_undecided(new_splitter, "alice") == (0, 0)


def test_a_log_holds_one_annotators_work(log_path: Path) -> None:
    """Opening a log under another annotator id (e.g. adjudication's gold pointed at an
    analyst's log) is refused rather than mixing two people's decisions."""
    document = make_document(BRIEFING)
    turn, sentence = units(document)[0]
    with AnnotationLog.open(log_path, "alice") as log:
        log.decide(document, turn, sentence, ["procedural"])
    with pytest.raises(StoreError, match="holds decisions by 'alice'"):
        AnnotationLog.open(log_path, "gold")
    assert not log_path.with_name(log_path.name + ".lock").exists()


def test_status_reports_progress_labels_flags_and_orphans(tmp_path: Path) -> None:
    document = make_document(BRIEFING)
    other = make_document([("Q", ["Why?", "Thank you."])], doc_id="untouched")
    alice, bob = tmp_path / "alice.jsonl", tmp_path / "bob.jsonl"
    with AnnotationLog.open(alice, "alice") as log:
        for turn, sentence in units(document)[:3]:
            log.decide(document, turn, sentence, ["procedural"])
        turn, sentence = units(document)[3]
        log.decide(document, turn, sentence, ["criticism"], flag=True, note="sarcasm?")
    with AnnotationLog.open(bob, "bob") as log:
        turn, sentence = units(document)[0]
        log.decide(document, turn, sentence, ["procedural", "reassurance"])

    report = status_report([alice, bob], [document, other])
    rows = {(r.annotator, r.document): r for r in report.progress}
    assert (rows["alice", "briefing"].decided, rows["alice", "briefing"].total) == (4, 8)
    assert rows["alice", "briefing"].flagged == 1
    assert (rows["bob", "briefing"].decided, rows["bob", "briefing"].total) == (1, 8)
    assert (rows["", "untouched"].decided, rows["", "untouched"].total) == (0, 2)
    assert dict(report.label_counts) == {"procedural": 4, "criticism": 1, "reassurance": 1}
    (flag,) = report.flagged
    assert (flag.annotator, flag.text, flag.note) == ("alice", "Is the threat growing?", "sarcasm?")

    # Without the corpus the log alone still tells how much was done.
    (row,) = status_report([alice]).progress
    assert (row.decided, row.total) == (4, None)

    from rich.console import Console

    console = Console(width=120, record=True)
    console.print(format_status(report))
    shown = console.export_text()
    assert "4 / 8 (50%)" in shown and "sarcasm?" in shown


def test_status_names_a_missing_log(tmp_path: Path) -> None:
    report = status_report([tmp_path / "nope.jsonl"])
    assert report.warnings == (f"{tmp_path / 'nope.jsonl'}: no such log",)


def test_reading_many_logs_needs_no_lock(log_path: Path) -> None:
    document = make_document(BRIEFING)
    with AnnotationLog.open(log_path, "alice") as log:
        turn, sentence = units(document)[0]
        log.decide(document, turn, sentence, ["procedural"])
        # While alice's session holds the log, status and exporters can read it.
        assert read_log(log_path).attach(document, "alice").decisions
        assert [d.action for d in read_log(log_path).decisions()] == [LABEL]


def test_a_log_opened_and_closed_without_a_line_leaves_no_empty_file(tmp_path: Path) -> None:
    """Open and quit left a 0-byte log that ``annotations/*.jsonl`` then picked up; a
    log that existed before, even empty, is never removed."""
    new = tmp_path / "new.jsonl"
    AnnotationLog.open(new, "ana").close()
    assert not new.exists()
    document = make_document([("MR A", ["We will act."])])
    turn, span = units(document)[0]
    with AnnotationLog.open(new, "ana") as log:
        log.decide(document, turn, span, ["commitment"])
    assert new.stat().st_size > 0
    kept = tmp_path / "kept.jsonl"
    kept.touch()
    AnnotationLog.open(kept, "ana").close()
    assert kept.exists()
    # The path replaced during the session (a sync tool): the new file is not ours.
    swapped = tmp_path / "swapped.jsonl"
    log = AnnotationLog.open(swapped, "ana")
    (tmp_path / "other").touch()
    os.replace(tmp_path / "other", swapped)
    log.close()
    assert swapped.exists()
