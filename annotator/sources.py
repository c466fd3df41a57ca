"""From whatever the analyst points at to segmented documents.

A path may be a transcript, a folder of transcripts, JSONL turns or a prepared
corpus; this module tells them apart and returns documents with sentences, so
that every command (and the TUI) opens input the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.corpus import is_corpus, read_corpus
from annotator.model import Document
from annotator.transcript import read_documents, transcript_files

if TYPE_CHECKING:
    from spacy.language import Language


def load_documents(
    paths: Iterable[str | Path],
    *,
    nlp: Language | None = None,
    pipeline: str | None = None,
    speaker_pattern: re.Pattern[str] | None = None,
    n_process: int = 1,
) -> Iterator[Document]:
    """Yield segmented documents from transcripts, folders, JSONL turns and corpora.

    Prepared corpora are read as they are (already segmented); everything else
    is parsed and split into sentences with ``nlp`` (built from ``pipeline`` on
    first need, so opening a corpus never loads spaCy).
    """
    for item in paths:
        path = Path(item)
        if is_corpus(path):
            yield from read_corpus(path)
            continue
        from annotator.segment import load_pipeline, segment_documents

        if nlp is None:
            nlp = load_pipeline(pipeline)
        yield from segment_documents(
            read_documents([path], speaker_pattern), nlp, n_process=n_process
        )


def count_documents(paths: Iterable[str | Path]) -> int:
    """How many documents ``load_documents`` will yield, counted cheaply (for progress bars).

    A corpus counts its lines, a folder its transcript files; a JSONL turns file
    counts as one document even when it holds several.
    """
    total = 0
    for item in paths:
        path = Path(item)
        if is_corpus(path):
            with path.open("rb") as handle:
                total += max(0, sum(1 for line in handle if line.strip()) - 1)
        elif path.is_dir():
            total += len(transcript_files(path))
        else:
            total += 1
    return total
