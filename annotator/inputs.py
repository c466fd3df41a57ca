"""Opening what a user names as input: regular files only, with a size check.

A FIFO named as a transcript would block forever, a ``*.txt`` symlink to
``/dev/zero`` would fill memory, and a device or socket is not a document; each is
refused with one line naming the file. Files are opened with ``O_NONBLOCK`` so that
opening a FIFO returns at once and ``fstat`` tells what it is; the checks are made on
the open descriptor, so a file swapped between a check and the read is still caught.

File names that are not UTF-8 reach Python as surrogate escapes, which no terminal
or JSON encoder accepts; ``shown`` turns them into U+FFFD for messages and ids.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from annotator.errors import AnnotatorError, TranscriptError

#: The largest input read whole (a transcript, a labels file, a web page).
MAX_INPUT_BYTES = 1 << 30

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def shown(path: str | Path) -> str:
    """``path`` as text any terminal and JSON encoder accepts (bytes that are not
    UTF-8 become U+FFFD)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "replace")
    return text


def open_input(
    path: str | Path, error: type[AnnotatorError] = TranscriptError, *, what: str = "file"
) -> BinaryIO:
    """Open a regular file for reading in binary, or raise ``error`` with one line."""
    name = shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{name}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{name}: is a folder, not a {what}") from None
    except OSError as failure:
        raise error(f"{name}: cannot read ({failure.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
        raise error(f"{name}: is {kind}, not a {what}; give a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_input(
    path: str | Path,
    error: type[AnnotatorError] = TranscriptError,
    *,
    what: str = "file",
    limit: int = MAX_INPUT_BYTES,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or ``error`` with one line."""
    with open_input(path, error, what=what) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        raise error(
            f"{shown(path)}: {max(size, len(data)):,} bytes is more than the "
            f"{limit:,} a {what} may hold; split it into several files"
        )
    return data
