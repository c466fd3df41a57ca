"""A real terminal: the installed ``annotator annotate`` in tmux, typed at as a person would."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from annotator.parse_cache import CACHE_ENV

ANNOTATOR = Path(sys.executable).parent / "annotator"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("tmux") is None or not ANNOTATOR.exists(),
        reason="needs tmux and the installed annotator command",
    ),
]


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, check=False)
    return result.stdout


def wait_for(session: str, needle: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-t", session, "-p")
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared on screen:\n{screen}")


def test_label_quit_and_check_the_log(tmp_path: Path) -> None:
    session = f"annotator-test-{uuid.uuid4().hex[:8]}"
    # A tmux server started earlier does not pass on this process's environment.
    cache = shlex.quote(os.environ[CACHE_ENV])
    command = (
        f"cd {tmp_path} && {CACHE_ENV}={cache} {ANNOTATOR} annotate --annotator smoke; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        wait_for(session, "FOREIGN MINISTER KAMIKAWA")
        for keys in (["1"], ["3"], ["Enter"], ["x"], ["f"]):
            tmux("send-keys", "-t", session, *keys)
            time.sleep(0.3)
        wait_for(session, "saved")
        tmux("send-keys", "-t", session, "q")
        screen = wait_for(session, "All saved")
        # Two sentences decided (the flag is no decision), though four lines were written.
        assert "2 sentences decided this session" in screen
    finally:
        tmux("kill-session", "-t", session)
    lines = [
        json.loads(line)
        for line in (tmp_path / "annotations" / "smoke.jsonl").read_text().splitlines()
    ]
    assert [line["labels"] for line in lines] == [
        ["commitment"],
        ["commitment", "procedural"],
        [],
        [],
    ]
    assert lines[-1]["flag"] is True
    assert {line["_annotator_id"] for line in lines} == {"smoke"}
