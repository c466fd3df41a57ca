"""Writing one annotator's log: append, fsync, undo and redo.

One JSON object per line, one line per keystroke that records something,
written with a single ``write`` and ``fsync``-ed before the caller is told it
is saved. The file is never rewritten: undo appends a line that restores the
earlier state. The only changes ever made to existing bytes happen at open: a
torn last line (a write cut off by a crash) is copied to a side file and cut
off, and a last line that is complete but lacks its newline gets one, so the
next append starts on a fresh line.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from annotator.errors import StoreError
from annotator.log import anchor
from annotator.log.lock import LogLock, open_new_file
from annotator.log.replay import LogState
from annotator.log.schema import (
    CLEAR,
    EXCLUDE,
    LABEL,
    MARK,
    MERGE,
    REDO,
    REVERT,
    SPLIT,
    UNDO,
    Decision,
    Location,
    encode_line,
    make_options,
    now,
)
from annotator.model import Document, LabelSet, Span, Turn

replace = msgspec.structs.replace


@dataclass(frozen=True)
class _Step:
    """One undoable step of this session: the line written and the line it replaced."""

    after: Decision
    before: Decision | None = None


@dataclass
class _Cached:
    """One document as this log sees it: its sentences after corrections, and the
    annotator's lines attached to them. Updated in place by every append."""

    doc_hash: str
    version: int
    turns: dict[Location, Turn]
    attachment: anchor.Attachment


class AnnotationLog:
    """The log of one annotator, open for writing; one writer per file.

    Use ``AnnotationLog.open``; ``close()`` (or ``with``) releases the lock.
    Every method that records something appends one line and returns the
    ``Decision`` written, after it is on disk.
    """

    def __init__(
        self,
        path: Path,
        annotator: str,
        session: str,
        labels: LabelSet | None,
        lock: LogLock,
        state: LogState,
        warnings: list[str],
    ) -> None:
        self.path = path
        self.annotator = annotator
        self.session = session
        self.labels = labels
        self.state = state
        self.warnings = warnings
        self._lock: LogLock | None = lock
        self._fd: int | None = None
        #: Whether this session made the file (it is removed on close if still empty).
        self._created = False
        self._size = state.size
        self._count = 0
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._cache: dict[str, _Cached] = {}
        self._options = make_options(labels.names) if labels is not None else ()

    @classmethod
    def open(
        cls,
        path: str | Path,
        annotator: str,
        session: str | None = None,
        labels: LabelSet | None = None,
    ) -> AnnotationLog:
        """Lock, replay and open ``path`` for appending (created if missing).

        Raises ``LogLockedError`` naming the pid and host of a live holder, and
        ``StoreError`` when the file holds another annotator's work (a log is one
        annotator's). ``labels`` become the Prodigy ``options`` of every line and
        let ``decide`` refuse unknown labels.
        """
        if not annotator or not annotator.strip():
            raise StoreError("an annotator id is required to write annotations")
        log_path = Path(path)
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{log_path.parent}: cannot create folder: {error}") from None
        if log_path.is_symlink() or (log_path.exists() and not log_path.is_file()):
            raise StoreError(f"{log_path}: not a regular file; a log must be a plain file")
        lock = LogLock.acquire(log_path, annotator)
        try:
            warnings: list[str] = []
            if lock.previous is not None:
                warnings.append(
                    f"{log_path}: took over the lock left by {lock.previous.describe()}, "
                    "which is no longer running"
                )
            state = LogState(log_path)
            state.replay()
            others = [name for name in state.annotators if name != annotator]
            if others:
                raise StoreError(
                    f"{log_path}: holds decisions by {', '.join(map(repr, others))}; "
                    f"a log is one annotator's, so write {annotator!r}'s work to another file"
                )
            if state.torn is not None:
                warnings.append(_set_torn_line_aside(log_path, *state.torn))
                state.torn = None
            warnings.extend(state.warnings)
            log = cls(log_path, annotator, session or _new_session(), labels, lock, state, warnings)
            log._open_for_append()
        except BaseException:
            lock.release()
            raise
        return log

    def _open_for_append(self) -> None:
        existed = self.path.exists()
        try:
            self._fd = os.open(
                self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644
            )
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open for writing: {error}") from None
        if not existed:
            _fsync_dir(self.path.parent)  # so the new file itself survives a power cut
        self._created = not existed
        self._size = os.fstat(self._fd).st_size
        if self.state.unterminated:
            # The last line is whole but lacks its newline: end it, so the next line
            # starts on a fresh line (the only byte ever added to existing content).
            self._write_bytes(b"\n")
            self.state.unterminated = False

    def close(self) -> None:
        """Close the file and release the lock; safe to call twice. A log this session
        created and never wrote to is removed: opening and quitting leaves no empty
        file for ``annotations/*.jsonl`` to pick up."""
        if self._fd is not None:
            ours = os.fstat(self._fd)
            os.close(self._fd)
            self._fd = None
            if self._created and ours.st_size == 0:
                with contextlib.suppress(OSError):
                    # Only the file this session made: if something replaced the path
                    # meanwhile (a sync tool, a checkout), that file is left alone.
                    now = os.stat(self.path, follow_symlinks=False)
                    if (now.st_dev, now.st_ino, now.st_size) == (ours.st_dev, ours.st_ino, 0):
                        self.path.unlink()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> AnnotationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._fd is None

    @property
    def left_empty(self) -> bool:
        """Whether this session made the log and wrote nothing to it (closing removes it)."""
        return self._created and self._size == 0

    # -- writing --------------------------------------------------------------

    def _write_bytes(self, data: bytes) -> int:
        """Append ``data`` and fsync; returns the offset it starts at. On failure the
        file is cut back so a partial line never stays behind."""
        if self._fd is None:
            raise StoreError(f"{self.path}: the log is closed")
        offset = self._size
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, offset)
            raise StoreError(f"{self.path}: could not save: {error}") from None
        self._size = offset + len(data)
        return offset

    def _append(self, decision: Decision) -> Decision:
        self._count += 1
        decision = replace(decision, id=f"{self.session}#{self._count}", recorded_hash=None)
        try:
            data = encode_line(decision)
        except (TypeError, ValueError, UnicodeError, msgspec.EncodeError) as error:
            raise StoreError(f"cannot save this decision as JSON: {error}") from None
        before = self.state.version(decision.document)
        offset = self._write_bytes(data)
        self.state.record(offset, decision)
        self._refresh_cache(decision, before)
        return decision

    def _refresh_cache(self, decision: Decision, before: int) -> None:
        cached = self._cache.get(decision.document)
        if cached is None:
            return
        fits = (
            not decision.is_correction
            and cached.version == before
            and cached.doc_hash == decision.doc_hash
            and decision.location in cached.turns
        )
        if not fits:
            del self._cache[decision.document]
            return
        attachment = attachment_after(cached.attachment, decision)
        cached.attachment = attachment
        cached.version = self.state.version(decision.document)

    def _unit(self, document: Document, sentence: Span, turn: Turn | int | None) -> Turn:
        """The turn of a sentence of the corrected document, or a StoreError."""
        if document.text[sentence.start : sentence.end] != sentence.text:
            raise StoreError(f"{document.id}: sentence text does not match the document text")
        found = self._cached(document).turns.get(sentence.location)
        if found is None:
            raise StoreError(
                f"{document.id}: {sentence.text[:40]!r} is not a sentence of the document "
                "as corrected by this log (was it merged or split?)"
            )
        wanted = turn.index if isinstance(turn, Turn) else turn
        if wanted is not None and found.index != wanted:
            raise StoreError(f"{document.id}: that sentence is in turn {found.index}, not {wanted}")
        return found

    def _base(self, document: Document, turn: Turn, sentence: Span, action: Any) -> Decision:
        return Decision(
            action=action,
            document=document.id,
            doc_hash=document.text_hash,
            start=sentence.start,
            end=sentence.end,
            text=sentence.text,
            turn=turn.index,
            speaker=turn.speaker,
            source=document.source,
            annotator=self.annotator,
            session=self.session,
            time=now(),
            options=self._options,
        )

    def decide(
        self,
        document: Document,
        turn: Turn | int,
        sentence: Span,
        labels: Sequence[str],
        note: str | None = None,
        flag: bool = False,
        meta: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Record the labels of one sentence (none = reviewed, no label applies)."""
        chosen = tuple(dict.fromkeys(labels))
        if self.labels is not None:
            unknown = [name for name in chosen if name not in self.labels.names]
            if unknown:
                raise StoreError(f"unknown label {unknown[0]!r}; not in {self.labels.source}")
            if self.labels.exclusive and len(chosen) > 1:
                raise StoreError("the label set is exclusive: one label per sentence")
        return self._unit_line(
            document, turn, sentence, LABEL, labels=chosen, note=note, flag=flag, meta=meta
        )

    def mark(
        self,
        document: Document,
        turn: Turn | int,
        sentence: Span,
        note: str | None = None,
        flag: bool = False,
    ) -> Decision:
        """Record a note and/or a flag on a sentence that stays undecided."""
        if not note and not flag:
            return self.clear(document, turn, sentence)
        return self._unit_line(document, turn, sentence, MARK, note=note, flag=flag)

    def exclude(
        self,
        document: Document,
        turn: Turn | int,
        sentence: Span,
        note: str | None = None,
        flag: bool = False,
    ) -> Decision:
        """Record a sentence as not a unit of speech (a heading, a stray page header):
        left out of progress, agreement and exports."""
        return self._unit_line(document, turn, sentence, EXCLUDE, note=note, flag=flag)

    def clear(self, document: Document, turn: Turn | int, sentence: Span) -> Decision:
        """Return a sentence to undecided, with no note or flag (as if never seen)."""
        return self._unit_line(document, turn, sentence, CLEAR)

    def _unit_line(
        self,
        document: Document,
        turn: Turn | int,
        sentence: Span,
        action: str,
        *,
        labels: tuple[str, ...] = (),
        note: str | None = None,
        flag: bool = False,
        meta: Mapping[str, Any] | None = None,
    ) -> Decision:
        the_turn = self._unit(document, sentence, turn)
        before = self.line_for(document, sentence)
        line = replace(
            self._base(document, the_turn, sentence, action),
            labels=labels,
            note=note or None,
            flag=flag,
            meta=dict(meta or {}),
        )
        return self._record(_Step(self._append(line), before))

    def merge(self, document: Document, sentence: Span, next_sentence: Span) -> Decision:
        """Join a sentence with the one after it in the same turn."""
        turn = self._unit(document, sentence, None)
        sentences = turn.sentences
        position = [s.location for s in sentences].index(sentence.location)
        if position + 1 >= len(sentences) or sentences[position + 1] != next_sentence:
            raise StoreError(
                f"{document.id}: can only merge a sentence with the next one in the same turn"
            )
        decision = replace(
            self._base(document, turn, sentence, MERGE),
            next_start=next_sentence.start,
            next_end=next_sentence.end,
            next_text=next_sentence.text,
        )
        return self._record(_Step(self._append(decision)))

    def split(self, document: Document, sentence: Span, offset: int) -> Decision:
        """Split a sentence in two; ``offset`` (into ``document.text``) starts the second."""
        turn = self._unit(document, sentence, None)
        if anchor.split_span(sentence, offset - sentence.start) is None:
            raise StoreError(
                f"{document.id}: cannot split at offset {offset}: both parts must contain text"
            )
        decision = replace(self._base(document, turn, sentence, SPLIT), split_at=offset)
        return self._record(_Step(self._append(decision)))

    def _record(self, step: _Step) -> Decision:
        self._undo.append(step)
        self._redo.clear()
        return step.after

    # -- undo -----------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> Decision | None:
        """Undo this session's last step by appending a line that restores the state
        before it (back to undecided if there was no line). None if nothing to undo."""
        if not self._undo:
            return None
        step = self._undo.pop()
        line = self._restore(step.after, step.before)
        self._redo.append(step)
        return line

    def redo(self) -> Decision | None:
        """Do again the last undone step (appended as a new line)."""
        if not self._redo:
            return None
        step = self._redo.pop()
        line = self._append(replace(step.after, step=REDO, ref=step.after.id, time=now()))
        # Keep the new line as "after" so a later undo withdraws the right correction.
        self._undo.append(_Step(line, step.before))
        return line

    def _restore(self, after: Decision, before: Decision | None) -> Decision:
        # Written at the sentence as it is now, even if `before` was made on older text.
        line = replace(after, step=UNDO, ref=after.id, time=now(), session=self.session)
        if after.is_correction:
            return self._append(replace(line, action=REVERT))
        if before is None:
            line = replace(line, action=CLEAR, labels=(), note=None, flag=False, meta={})
        else:
            line = replace(
                line,
                action=before.action,
                labels=before.labels,
                note=before.note,
                flag=before.flag,
                meta=dict(before.meta),
            )
        return self._append(line)

    # -- reading --------------------------------------------------------------

    def _cached(self, document: Document) -> _Cached:
        cached = self._cache.get(document.id)
        doc_hash = document.text_hash
        version = self.state.version(document.id)
        if cached is not None and cached.doc_hash == doc_hash and cached.version == version:
            return cached
        attachment = self.state.attach(document, self.annotator)
        corrected = self.state.apply_corrections(document)
        turns = {s.location: t for t in corrected.turns for s in t.sentences}
        cached = self._cache[document.id] = _Cached(doc_hash, version, turns, attachment)
        return cached

    def forget(self, document_id: str) -> None:
        """Drop what is kept about a document (its attachment, its decoded lines) when
        the session no longer holds it: memory follows the documents open, not all
        those ever visited. Asking again rebuilds it from the log."""
        self._cache.pop(document_id, None)
        self.state.forget(document_id)

    def attachment(self, document: Document) -> anchor.Attachment:
        """This annotator's lines re-found in ``document`` (kept current by every append;
        do not change it)."""
        return self._cached(document).attachment

    def decision_for(self, document: Document, sentence: Span) -> Decision | None:
        """The current decision (``label``) on a sentence of the corrected document."""
        return self.attachment(document).decisions.get(sentence.location)

    def line_for(self, document: Document, sentence: Span) -> Decision | None:
        """The current line about a sentence, whatever it records (label, mark, exclude)."""
        attachment = self.attachment(document)
        location = sentence.location
        return attachment.decisions.get(location) or attachment.marks.get(location)

    def apply_corrections(self, document: Document) -> Document:
        """The document with this log's merges and splits applied (by text)."""
        return self.state.apply_corrections(document)

    def first_undecided(self, document: Document) -> tuple[int, int] | None:
        """Where to resume: (turn index, sentence index) in the corrected document of
        the first sentence neither decided nor excluded; None when all are."""
        return anchor.first_missing(
            self.apply_corrections(document), anchor.done(self.attachment(document))
        )


def attachment_after(attachment: anchor.Attachment, line: Decision) -> anchor.Attachment:
    """``attachment`` (changed in place) with ``line`` as the last about its sentence."""
    location = line.location
    attachment.decisions.pop(location, None)
    attachment.marks.pop(location, None)
    if line.action == LABEL:
        attachment.decisions[location] = line
    elif line.action != CLEAR:
        attachment.marks[location] = line
    return attachment


def _set_torn_line_aside(path: Path, offset: int, length: int) -> str:
    """Copy an unterminated last line to a new side file, then cut it off the log."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            torn = handle.read()
        side = open_new_file(path.parent, f"{path.name}.torn-{stamp}", torn)
        with open(path, "r+b") as handle:
            handle.truncate(offset)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise StoreError(
            f"{path}: the last line is incomplete ({length} bytes) and could not be set "
            f"aside: {error}"
        ) from None
    _fsync_dir(path.parent)
    return (
        f"{path}: the last line was incomplete (a session ended while saving it); "
        f"moved {len(torn)} bytes to {side.name}"
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_session() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
