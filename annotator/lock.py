"""One writer per annotation log: a lock file beside the log, held with flock.

The kernel holds the lock, not the file's existence: when the holder dies
(even by ``kill -9``) the lock is released at once, so a lock left behind by a
dead process is taken over without guessing from pids. The file's content
(pid, host, annotator, time) is only there to name the holder in the error a
second process gets. POSIX only (``fcntl``).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
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
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise StoreError(f"{lock_path}: cannot create lock file: {error}") from None
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
            me = LockHolder(os.getpid(), socket.gethostname(), annotator, _now())
            data = json.dumps(me.__dict__).encode("utf-8")
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            os.fsync(fd)
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


def read_holder(log_path: Path) -> LockHolder | None:
    """The holder named in a log's lock file, if there is one (for status display)."""
    try:
        fd = os.open(lock_path_for(log_path), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


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
