"""Writing export files safely: never over existing work without ``--force``, never half.

Every file is written beside its final name and renamed into place, so an
interrupted export (or one that fails halfway) leaves either the old file or
the new one, never a truncated dataset that a training run would read.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec

from annotator.errors import ExportError
from annotator.export.dataset import Dataset

#: ``-o -``: write to standard output (line formats only).
STDOUT = Path("-")
_ENCODE = msgspec.json.Encoder().encode


def json_text(data: Any, indent: int = 0) -> str:
    """``data`` as JSON (compact, or indented by ``indent``); text as UTF-8, not
    ``\\u``-escaped (JSON is UTF-8), several times faster than srsly's ujson."""
    encoded = _ENCODE(data)
    return (msgspec.json.format(encoded, indent=indent) if indent else encoded).decode()


def json_line(data: Any) -> str:
    """``data`` as one line of JSON Lines, with its newline."""
    return _ENCODE(data).decode() + "\n"


@dataclass
class Written:
    """What an exporter wrote, and anything the user should know about it."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def refuse_to_overwrite(paths: Iterable[Path], force: bool) -> None:
    """Raise ``ExportError`` naming the first output that must not be written.

    Never, even with ``force``: a symbolic link (written through, it would replace
    whatever it points at), a device, a FIFO or a folder where a file goes, and an
    annotation log (the analysts' evidence; an export never replaces one). An
    existing file only with ``force``.
    """
    for path in paths:
        if path == STDOUT:
            continue
        if path.is_symlink():
            raise ExportError(f"{path}: is a symbolic link; write the export to a plain path")
        if not path.exists():
            continue
        if not path.is_file() and not path.is_dir():  # a folder is a spacy export's output
            raise ExportError(f"{path}: not a regular file; refusing to replace it")
        if path.is_file() and is_annotation_log(path):
            raise ExportError(f"{path}: is an annotation log; an export never replaces a log")
        if not force:
            raise ExportError(f"{path}: already exists; use --force to overwrite it")


def is_annotation_log(path: Path) -> bool:
    """Whether ``path`` starts with a line of an annotation log."""
    from annotator.log import LineError, decode_line

    try:
        with open(path, "rb") as handle:
            first = handle.readline(1 << 20)
    except OSError:
        return False
    try:
        decode_line(first.lstrip(b"\xef\xbb\xbf"))
    except LineError:
        return False
    return True


def is_stdout(path: Path) -> bool:
    """Whether ``path`` is ``-``, standard output."""
    return path == STDOUT


@contextmanager
def _stdout_output(newline: str | None) -> Iterator[IO[str]]:
    """Standard output as UTF-8 text whatever the locale (no byte order mark in a pipe)."""
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline=newline)
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        # The reader (head, jq) stopped early; say so once, without a traceback.
        raise ExportError("-: standard output was closed before the export ended") from None
    finally:
        stream.detach()


@contextmanager
def atomic_output(path: Path, *, binary: bool = False, **kwargs: Any) -> Iterator[IO[Any]]:
    """Open ``path.partial`` for writing; rename it to ``path`` when the block succeeds.

    ``-`` writes to standard output instead (text only).
    """
    if is_stdout(path) and not binary:
        sys.stdout.flush()
        with _stdout_output(kwargs.get("newline")) as stream:
            yield stream
        return
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A new file of a unique name (O_EXCL): another export's ``.partial``, or a
        # link planted where one would go, is never written through or deleted.
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        partial = Path(name)
        mode = "wb" if binary else "w"
        if not binary:
            kwargs.setdefault("encoding", "utf-8")
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.chmod(partial, 0o644)
        os.replace(partial, path)
        partial = None
    except OSError as error:
        raise ExportError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()


def sidecar_path(out: Path) -> Path:
    """Where the label set of a jsonl or csv export goes: ``OUT.labels.json`` beside it."""
    return out.with_suffix(".labels.json")


def write_label_sidecar(dataset: Dataset, out: Path, written: Written) -> None:
    """Write the label set (order, definitions, exclusivity) beside ``out``.

    A label nobody chose appears in no record; this file is where a reader
    learns that it was offered. Not written when ``out`` is standard output.
    """
    if is_stdout(out):
        written.notes.append("the label set (labels.json) is not written with -o -")
        return
    path = sidecar_path(out)
    with atomic_output(path) as handle:
        handle.write(json_text(dataset.label_schema(), indent=2) + "\n")
    written.files.append(path)
