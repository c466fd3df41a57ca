"""Adjudication: the disputed sentences of several analysts' logs, ready for a gold log.

The adjudicator works on the documents the analysts coded, cut down to the
sentences where their label sets differ. The documents come from a corpus the
user names, or else from the transcript files the log lines name as their
source, checked against the text hash recorded in the log: a gold decision is
only ever written against the very text the analysts saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.agreement import Disagreement, disagreements_in, read_codings
from annotator.errors import AdjudicationError
from annotator.model import Document
from annotator.sources import Reading, documents_named_in_logs, load_documents

GOLD = "gold"


@dataclass(frozen=True)
class Adjudication:
    """What the adjudication screen needs: disputed documents and who said what."""

    documents: tuple[Document, ...]
    disputes: dict[tuple[str, int, int], Disagreement]
    annotators: tuple[str, ...]
    #: Disputed sentences not found in the documents (their boundaries were corrected).
    unplaced: int = 0
    #: What reading the logs noticed (sentences whose boundaries analysts corrected
    #: differently, skipped lines), for the screen to show.
    warnings: tuple[str, ...] = ()
    #: Every analyst with decisions in the logs (gold apart), disputing or not.
    coders: tuple[str, ...] = ()

    def dispute(self, document: str, start: int, end: int) -> Disagreement | None:
        return self.disputes.get((document, start, end))

    def disputed(self, document: str, start: int, end: int) -> bool:
        """Whether a sentence is to be adjudicated (the rest of a document is context)."""
        return (document, start, end) in self.disputes


def open_adjudication(
    log_paths: Sequence[str | Path],
    corpus: Sequence[str | Path] | None = None,
    *,
    reading: Reading | None = None,
    include_flagged: bool = False,
) -> Adjudication:
    """Gather the disputes of ``log_paths`` and the documents they sit in."""
    paths = [Path(p) for p in log_paths]
    for path in paths:
        if not path.exists():
            raise AdjudicationError(f"{path}: no such annotation log")
    codings = read_codings(paths)
    found = disagreements_in(codings, include_flagged=include_flagged, exclude=(GOLD,))
    disputes = {(d.document, d.start, d.end): d for d in found}
    wanted = {d.document for d in found}
    if corpus:
        documents = [d for d in load_documents(corpus, reading=reading) if d.id in wanted]
    else:
        documents, problems = documents_named_in_logs(paths, wanted, reading=reading)
        for doc_id, problem in problems.items():
            raise AdjudicationError(
                f"{doc_id}: {problem}; name the corpus the analysts used with --corpus"
            )
    missing = wanted - {d.id for d in documents}
    if missing:
        raise AdjudicationError(
            f"documents {', '.join(sorted(missing))} are not in the corpus given"
        )
    # Whole documents: the disputed sentences are adjudicated, the rest shown as context.
    disputed_in = [
        sum(1 for t in d.turns for s in t.sentences if (d.id, s.start, s.end) in disputes)
        for d in documents
    ]
    shown = [document for document, count in zip(documents, disputed_in, strict=True) if count]
    placed = sum(disputed_in)
    annotators = tuple(sorted({c.annotator for d in found for c in d.codings}))
    return Adjudication(
        tuple(shown),
        disputes,
        annotators,
        len(disputes) - placed,
        codings.warnings,
        coders=tuple(name for name in codings.annotators if name != GOLD),
    )
