"""Writing export files safely: never over existing work without ``--force``, never half.

Every file is written beside its final name and renamed into place, so an
interrupted export (or one that fails halfway) leaves either the old file or
the new one, never a truncated dataset that a training run would read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from annotator.export.records import ExportError


@dataclass
class Written:
    """What an exporter wrote, and anything the user should know about it."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def refuse_to_overwrite(paths: Iterable[Path], force: bool) -> None:
    """Raise ``ExportError`` naming the first path that exists, unless ``force``."""
    if force:
        return
    for path in paths:
        if path.exists():
            raise ExportError(f"{path}: already exists; use --force to overwrite it")


@contextmanager
def atomic_output(path: Path, *, binary: bool = False, **kwargs: Any) -> Iterator[IO[Any]]:
    """Open ``path.partial`` for writing; rename it to ``path`` when the block succeeds."""
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "wb" if binary else "w"
        if not binary:
            kwargs.setdefault("encoding", "utf-8")
        with open(partial, mode, **kwargs) as handle:
            yield handle
        os.replace(partial, path)
    except OSError as error:
        raise ExportError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        partial.unlink(missing_ok=True)
