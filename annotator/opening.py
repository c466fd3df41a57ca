"""Opening a piece of work: the documents, the label set, the log and the session on them.

``plan_annotation`` gathers what ``annotator annotate`` was asked to open (transcripts
or a corpus, a work list, a suggestion model, an order): prepared corpora are opened by
their index (``CorpusDocuments``: no document is read until the session goes to it),
anything else by reading the first document, the rest following in the background;
``open_session`` opens the log and builds the session on it, resumed at the first
sentence still to do. The command line then only hands the session to the TUI, and a
test (or another front end) can open exactly what the command opens.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.config import Config
from annotator.errors import AnnotatorError
from annotator.model import Document, LabelSet

if TYPE_CHECKING:
    from annotator.log import AnnotationLog
    from annotator.session import AnnotationSession, Scope
    from annotator.session.source import DocumentSource
    from annotator.sources import Reading
    from annotator.suggest import Suggester

#: ``--order``: the reading order; the least certain suggestions first across the
#: corpus; the same within each document.
ORDERS = ("reading", "uncertain", "uncertain-doc")


@dataclass
class Plan:
    """What to open: who codes, into which log, which documents (a corpus's, opened
    by its index; or the first read and the rest still to come), in which order, with
    which model."""

    name: str
    log_path: Path
    label_set: LabelSet
    loaded: list[Document]
    #: The documents still to read (in the background); None when all are loaded.
    pending: Iterator[Document] | None
    #: How many documents ``pending`` holds, when known (not for a work list).
    remaining: int | None
    config: Config
    order: str = "reading"
    suggester: Suggester | None = None
    scope: Scope | None = None
    #: What reading the first document found worth saying.
    warnings: list[str] = field(default_factory=list)
    #: Prepared corpora, read a document at a time (then ``loaded`` is empty).
    source: DocumentSource | None = None

    @property
    def documents(self) -> Sequence[Document] | DocumentSource:
        """What the session opens: the corpora's documents, or those read so far."""
        return self.source if self.source is not None else self.loaded


def plan_annotation(
    paths: Sequence[Path],
    label_set: LabelSet,
    reading: Reading,
    config: Config,
    *,
    out: Path | None = None,
    annotator: str | None = None,
    worklist: Path | None = None,
    suggest: Path | None = None,
    order: str = "reading",
) -> Plan:
    """Check the options, load the model and the work list, and open the documents:
    prepared corpora by their index, anything else by reading the first document (all
    of them when the order spans the corpus). ``paths`` must not be empty."""
    from annotator.corpus import CorpusFile, is_corpus
    from annotator.session.source import CorpusDocuments
    from annotator.sources import count_documents, load_documents

    if order not in ORDERS:
        raise AnnotatorError(f"--order {order}: choose {', '.join(ORDERS)}")
    if order != "reading" and suggest is None:
        raise AnnotatorError(f"--order {order} needs a model: add --suggest MODEL_DIR")
    suggester = None
    if suggest is not None:
        from annotator.errors import NotAModelError
        from annotator.suggest import Suggester

        suggester = Suggester.load(suggest)
        unknown = [name for name in suggester.labels if name not in label_set.names]
        if unknown:
            # Its suggestions could not be recorded: the log takes this label set's only.
            named = ", ".join(repr(name) for name in unknown)
            raise NotAModelError(
                f"{suggest}: trained on labels that {label_set.source or 'this label set'} "
                f"does not have ({named}); train a model on it with annotator train --labels"
            )
    work = None
    if worklist is not None:
        from annotator.assign import load_worklist

        work = load_worklist(worklist)
    name = annotator or config.annotator or (work.annotator if work else getpass.getuser())
    log_path = out or Path("annotations") / f"{name}.jsonl"
    scope: Scope | None = work.includes if work is not None else None
    if all(is_corpus(path) for path in paths):
        # Only the index is read now; the session reads the documents it goes to.
        source = CorpusDocuments(
            [CorpusFile.open(path) for path in paths],
            ids=set(work.documents) if work is not None else None,
        )
        if not len(source):
            raise AnnotatorError(
                f"{worklist}: none of its sentences is in these documents"
                if worklist
                else "nothing to annotate: no documents were found"
            )
        return Plan(
            name=name,
            log_path=log_path,
            label_set=label_set,
            loaded=[],
            pending=None,
            remaining=None,
            config=config,
            order=order,
            suggester=suggester,
            scope=scope,
            source=source,
        )
    documents = load_documents(paths, reading=reading)
    if work is not None:
        # Whole documents, the listed sentences to code and the rest shown as context.
        documents = (d for d in documents if work.covers(d))
    first = next(documents, None)
    if first is None:
        raise AnnotatorError(
            f"{worklist}: none of its sentences is in these documents"
            if worklist
            else "nothing to annotate: no documents were found"
        )
    loaded = [first]
    pending: Iterator[Document] | None = documents
    if order != "reading":
        # The order spans the corpus, so every document is read before the first screen.
        loaded += list(documents)
        pending = None
    return Plan(
        name=name,
        log_path=log_path,
        label_set=label_set,
        loaded=loaded,
        pending=pending,
        # The rest load in the background; a work list may skip some, so no total then.
        remaining=None if work or pending is None else count_documents(paths) - 1,
        config=config,
        order=order,
        suggester=suggester,
        scope=scope,
        warnings=list(first.warnings),
    )


def open_session(
    log_path: Path,
    name: str,
    label_set: LabelSet,
    documents: Sequence[Document] | DocumentSource,
    config: Config,
    *,
    suggester: Suggester | None = None,
    order: str = "reading",
    scope: Scope | None = None,
) -> tuple[AnnotationLog, AnnotationSession]:
    """Open (or create) the log and a session on these documents (a corpus's are read
    as the session goes to them), resumed at the first sentence still to do. The
    caller closes the log."""
    from annotator.log import AnnotationLog
    from annotator.session import AnnotationSession

    log = AnnotationLog.open(log_path, name, labels=label_set)
    try:
        session = AnnotationSession(documents, label_set, log, scope=scope)
        session.enter_moves_to = config.enter
        session.use_suggester(suggester)
        if order != "reading":
            session.order_by_uncertainty(per_document=order == "uncertain-doc")
        session.resume()
    except BaseException:
        log.close()
        raise
    return log, session
