"""The append-only JSONL annotation log.

``schema`` declares a line once; ``replay`` reads a log into its current state
(validating every line); ``anchor`` re-finds decisions in the current text;
``writer`` appends, with undo and redo; ``lock`` keeps one writer per file.
"""

from __future__ import annotations

from annotator.log.anchor import Attachment
from annotator.log.replay import LogState, read_log
from annotator.log.schema import (
    CLEAR,
    EXCLUDE,
    LABEL,
    MARK,
    MERGE,
    REVERT,
    SPLIT,
    Decision,
    EntryFields,
    LineError,
    decode_line,
    encode_line,
    input_hash,
    make_options,
    prodigy_hash,
    task_hash,
)
from annotator.log.writer import AnnotationLog

__all__ = [
    "CLEAR",
    "EXCLUDE",
    "LABEL",
    "MARK",
    "MERGE",
    "REVERT",
    "SPLIT",
    "AnnotationLog",
    "Attachment",
    "Decision",
    "EntryFields",
    "LineError",
    "LogState",
    "decode_line",
    "encode_line",
    "input_hash",
    "make_options",
    "prodigy_hash",
    "read_log",
    "task_hash",
]
