"""``annotator status``: progress, label counts, flags, orphans and torn lines of logs.

Reads logs with ``store.read_log`` (no lock, no change to the files), so it can
run while analysts are annotating.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.log import CLEAR, EXCLUDE, Decision, read_log
from annotator.model import Document

if TYPE_CHECKING:
    from annotator.sources import Reading


@dataclass(frozen=True)
class DocumentProgress:
    """How far one annotator is in one document, as read from one log.

    ``total`` is None when no corpus was given; ``earlier_text`` counts
    decisions made on an earlier version of the text that could not be
    re-checked without the corpus.
    """

    log: str
    document: str
    annotator: str
    decided: int
    total: int | None
    flagged: int
    orphans: int
    earlier_text: int = 0


@dataclass(frozen=True)
class FlaggedItem:
    """A sentence an annotator flagged for review, with the note if any."""

    log: str
    document: str
    annotator: str
    turn: int
    speaker: str
    text: str
    note: str | None
    #: Whether the sentence is decided, and with which labels (none: reviewed, no
    #: label applies); a flag on a sentence still undecided has ``decided`` False.
    decided: bool = True
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusReport:
    """What ``annotator status`` shows."""

    logs: tuple[str, ...]
    progress: tuple[DocumentProgress, ...]
    label_counts: tuple[tuple[str, int], ...]
    flagged: tuple[FlaggedItem, ...]
    orphans: tuple[Decision, ...]
    torn: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data (``status --json``)."""
        return {
            "logs": list(self.logs),
            "progress": [asdict(row) for row in self.progress],
            "label_counts": dict(self.label_counts),
            "flagged": [asdict(item) for item in self.flagged],
            "orphans": [
                {k: getattr(d, k) for k in ("document", "annotator", "labels", "text", "turn")}
                for d in self.orphans
            ],
            "torn": list(self.torn),
            "warnings": list(self.warnings),
        }


def status_report(
    log_paths: Sequence[str | Path],
    corpus_documents: Sequence[Document] | None = None,
    *,
    find_sources: bool = False,
    reading: Reading | None = None,
) -> StatusReport:
    """Progress per document and annotator, label counts, flags, orphans, torn lines.

    With ``corpus_documents`` every decision is re-anchored to the current text
    (so totals, orphans and edited transcripts are exact). Without, and with
    ``find_sources``, the transcripts the log lines name are reopened where
    they are unchanged; what remains is counted from the log alone (totals
    unknown, with a warning saying why).
    """
    corpus = {doc.id: doc for doc in corpus_documents or ()}
    progress: list[DocumentProgress] = []
    labels: Counter[str] = Counter()
    flagged: list[FlaggedItem] = []
    orphans: list[Decision] = []
    torn: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    states = []
    for raw_path in log_paths:
        path = Path(raw_path)
        if not path.is_file():
            warnings.append(f"{path}: no such log")
            continue
        states.append(read_log(path))
    if corpus_documents is None and find_sources:
        from annotator.sources import documents_named_in_logs

        ids = {doc for state in states for doc in state.documents}
        found, problems = documents_named_in_logs(states, ids, reading=reading)
        corpus = {doc.id: doc for doc in found}
        warnings += [
            f"{doc_id}: total unknown ({problem}; give --corpus)"
            for doc_id, problem in problems.items()
        ]
    for state in states:
        path = state.path
        warnings.extend(state.warnings)
        torn.extend(str(p) for p in sorted(path.parent.glob(f"{path.name}.torn-*")))
        for doc_id in state.documents:
            seen.add(doc_id)
            document = corpus.get(doc_id)
            for annotator in state.annotators_of(doc_id):
                lost: list[Decision] = []
                earlier = 0
                total: int | None = None
                if document is not None:
                    attached = state.attach(document, annotator)
                    live = list(attached.decisions.values())
                    marked = list(attached.marks.values())
                    lost = attached.orphans
                    total = state.apply_corrections(document).sentence_count()
                else:
                    # Without the text, only lines on its latest version can be counted.
                    entries = [d for d in state.entries(doc_id, annotator) if d.action != CLEAR]
                    latest = entries[-1].doc_hash if entries else ""
                    current = [d for d in entries if d.doc_hash == latest]
                    live = [d for d in current if d.decided]
                    marked = [d for d in current if not d.decided]
                    earlier = sum(1 for d in entries if d.decided) - len(live)
                orphans.extend(lost)
                for decision in live:
                    labels.update(decision.labels)
                excluded = sum(1 for d in marked if d.action == EXCLUDE)
                if total is not None:
                    total -= excluded
                # Flags count on undecided sentences too: a flag is not a decision.
                flags = [d for d in live + marked if d.flag]
                flagged.extend(
                    FlaggedItem(
                        str(path),
                        doc_id,
                        annotator,
                        d.turn,
                        d.speaker,
                        d.text,
                        d.note,
                        decided=d.decided,
                        labels=d.labels,
                    )
                    for d in flags
                )
                progress.append(
                    DocumentProgress(
                        log=str(path),
                        document=doc_id,
                        annotator=annotator,
                        decided=len(live),
                        total=total,
                        flagged=len(flags),
                        orphans=len(lost),
                        earlier_text=earlier,
                    )
                )
            # One document's lines decoded at a time: memory follows the document.
            state.forget(doc_id)
    # Documents of the corpus nobody has started still count towards the work to do.
    for doc_id, document in corpus.items():
        if doc_id not in seen:
            progress.append(DocumentProgress("", doc_id, "", 0, document.sentence_count(), 0, 0))
    return StatusReport(
        logs=tuple(str(p) for p in log_paths),
        progress=tuple(progress),
        label_counts=tuple(labels.most_common()),
        flagged=tuple(flagged),
        orphans=tuple(orphans),
        torn=tuple(torn),
        warnings=tuple(warnings),
    )
