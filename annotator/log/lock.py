"""One writer per annotation log: a lock file beside the log, held with flock.

The kernel holds the lock, not the file's existence: when the holder dies
(even by ``kill -9``) the lock is released at once, so a lock left behind by a
dead process is taken over without guessing from pids. The file's content
(pid, host, annotator, time) is only there to name the holder in the error a
second process gets. POSIX only (``fcntl``).

Files beside the log are opened with ``O_NOFOLLOW``, and new ones with
``O_EXCL``: a symbolic link planted where the lock or a side file goes is
refused, never written through.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotator.errors import LogLockedError, StoreError


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a log, as written in its lock file."""

    pid: int | None
    host: str
    annotator: str = ""
    since: str = ""

    def describe(self) -> str:
        who = f"pid {self.pid if self.pid is not None else '?'} on host {self.host or '?'}"
        if self.annotator:
            who += f" (annotator {self.annotator!r}"
            who += f", since {self.since})" if self.since else ")"
        return who


class LogLock:
    """An exclusive lock on one annotation log, released by ``release()``."""

    def __init__(self, path: Path, fd: int, previous: LockHolder | None) -> None:
        self.path = path
        self._fd: int | None = fd
        #: The holder named in a lock file left by a process that died holding it.
        self.previous = previous

    @classmethod
    def acquire(cls, log_path: Path, annotator: str = "") -> LogLock:
        """Take the lock for ``log_path`` or raise ``LogLockedError`` naming the holder."""
        lock_path = lock_path_for(log_path)
        # A holder that is closing unlinks the file while still locked; if we locked that
        # unlinked file, another process may lock the new one, so check and retry.
        for _ in range(20):
            fd = _open_lock_file(lock_path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise LogLockedError(
                    f"{log_path} is open for writing by {holder.describe()}; "
                    "close that session first (one writer per log)"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            previous = _read_holder(fd)
            host = socket.gethostname()
            if previous.pid is not None and previous.host and previous.host != host:
                # flock across machines depends on the file system: a holder on another
                # host may be alive although this lock was granted. Do not guess.
                os.close(fd)
                raise LogLockedError(
                    f"{log_path}: its lock names {previous.describe()}, another machine, "
                    f"whose session this machine cannot see; if it has ended, delete {lock_path}"
                )
            me = LockHolder(os.getpid(), host, annotator, _now())
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(me.__dict__).encode("utf-8"), 0)
                os.fsync(fd)
            except OSError as error:
                with contextlib.suppress(OSError):
                    os.unlink(lock_path)
                os.close(fd)
                raise StoreError(f"{lock_path}: cannot write the lock file: {error}") from None
            stale = previous if previous.pid is not None else None
            return cls(lock_path, fd, stale)
        raise StoreError(f"{lock_path}: could not take the lock; try again")

    def release(self) -> None:
        """Give the log up; safe to call twice."""
        if self._fd is None:
            return
        # Unlink while still holding the lock so no one locks a file that is going away.
        try:
            if os.fstat(self._fd).st_ino == os.stat(self.path).st_ino:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None


def lock_path_for(log_path: Path) -> Path:
    """``annotations.jsonl`` -> ``annotations.jsonl.lock``."""
    return log_path.with_name(log_path.name + ".lock")


def _open_lock_file(lock_path: Path) -> int:
    """Open (or create) the lock file itself: never through a symbolic link, never a
    FIFO or device (``O_NONBLOCK`` so a FIFO cannot hang the open)."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as error:
        if lock_path.is_symlink():
            raise StoreError(
                f"{lock_path}: is a symbolic link; refusing to write through it"
            ) from None
        raise StoreError(f"{lock_path}: cannot create lock file: {error.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreError(f"{lock_path}: not a regular file; refusing to use it as a lock")
    return fd


def open_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``folder/name`` (``name-2``, ``name-3`` … if taken),
    created with ``O_EXCL | O_NOFOLLOW`` and fsynced; nothing is left behind on error."""
    for n in range(1, 1000):
        path = folder / (name if n == 1 else f"{name}-{n}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            continue
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        os.close(fd)
        return path
    raise FileExistsError(f"{folder / name}: too many files of that name")


def _read_holder(fd: int) -> LockHolder:
    try:
        raw = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError, OSError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    pid = raw.get("pid")
    return LockHolder(
        pid=pid if isinstance(pid, int) else None,
        host=str(raw.get("host", "")),
        annotator=str(raw.get("annotator", "")),
        since=str(raw.get("since", "")),
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
