"""Retraining from the screen (Ctrl+T) learns from the logs the model was trained on,
not from the session's log alone, which replaced a team's model with one analyst's."""

from __future__ import annotations

from pathlib import Path

from annotator.suggest import retraining_logs


def test_retraining_keeps_the_logs_the_model_was_trained_on(tmp_path: Path) -> None:
    ana, ben, gone = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl", tmp_path / "old.jsonl"
    ana.touch()
    ben.touch()
    meta = {"logs": [str(ana), str(ben), str(gone)]}
    logs, missing = retraining_logs(meta, [ana])
    assert logs == [ana, ben]  # the session's own log once, the team's kept
    assert missing == [gone]
    # A model from before logs were recorded: the session's log is all there is.
    assert retraining_logs({}, [ana]) == ([ana], [])
