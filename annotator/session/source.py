"""Where a session's documents come from: held in memory, or read from a corpus on demand.

A session asks a ``DocumentSource`` three things: how many documents there are,
what the index says of one (``IndexEntry``: id, title, sentence and turn counts,
text hash) and the document itself. ``DocumentList`` holds documents read from
raw transcripts (a worker may add more while the analyst works);
``CorpusDocuments`` reads prepared corpora through their index, so opening a
corpus of any size costs its index, and a document is decoded only when the
session asks for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from annotator.corpus import CorpusFile, IndexEntry
from annotator.errors import CorpusError
from annotator.model import Document


class DocumentSource:
    """The documents of a session, by number: counted, summarised, read."""

    def __len__(self) -> int:
        raise NotImplementedError

    def entry(self, index: int) -> IndexEntry:
        """What is known of document ``index`` without reading it."""
        raise NotImplementedError

    def read(self, index: int) -> Document:
        """Document ``index`` (decoded afresh for a corpus: the caller keeps it or not)."""
        raise NotImplementedError

    def entries(self) -> list[IndexEntry]:
        return [self.entry(index) for index in range(len(self))]

    def mentions(self, index: int, needle: str) -> bool:
        """Whether document ``index``'s text holds ``needle`` (lower case), ignoring
        case: a search passes over the documents that do not, unread."""
        return needle in self.read(index).text.lower()


def check_unique(entries: Iterable[IndexEntry]) -> None:
    """Refuse two documents with one id: decisions are kept by document id, so two
    ``briefing.txt`` from different folders would be mixed up."""
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            raise _taken(entry.source, entry.id, seen[entry.id])
        seen[entry.id] = entry.source


def _taken(source: str, doc_id: str, taken_by: str) -> CorpusError:
    return CorpusError(
        f"{source}: its id {doc_id!r} is already taken by {taken_by}; "
        "rename one file or open them separately"
    )


class DocumentList(DocumentSource):
    """Documents held in memory (raw transcripts, adjudication's documents)."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._documents: list[Document] = []
        self._entries: list[IndexEntry] = []
        self._sources: dict[str, str] = {}  # id -> source, to refuse a second one
        self.add(list(documents))

    def __len__(self) -> int:
        return len(self._documents)

    def entry(self, index: int) -> IndexEntry:
        return self._entries[index]

    def read(self, index: int) -> Document:
        return self._documents[index]

    def entries(self) -> list[IndexEntry]:
        return self._entries

    def add(self, documents: Sequence[Document]) -> None:
        """Append documents in order, up to the first whose id is already held, which is
        refused (``CorpusError``)."""
        for document in documents:
            if document.id in self._sources:
                raise _taken(document.source, document.id, self._sources[document.id])
            self._sources[document.id] = document.source
            self._documents.append(document)
            self._entries.append(IndexEntry.of(document))


class CorpusDocuments(DocumentSource):
    """The documents of one or more prepared corpora, read through their indexes.

    ``ids``: only these documents (a work list's), in corpus order.
    """

    def __init__(self, files: Sequence[CorpusFile], ids: Collection[str] | None = None) -> None:
        self.files = list(files)
        self._where: list[tuple[CorpusFile, int]] = []
        self._entries: list[IndexEntry] = []
        for file in self.files:
            for number, entry in enumerate(file.entries):
                if ids is None or entry.id in ids:
                    self._where.append((file, number))
                    self._entries.append(entry)
        check_unique(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, index: int) -> IndexEntry:
        return self._entries[index]

    def entries(self) -> list[IndexEntry]:
        return self._entries

    def read(self, index: int) -> Document:
        file, number = self._where[index]
        return file.read(number)

    def mentions(self, index: int, needle: str) -> bool:
        file, number = self._where[index]
        return needle in file.text(number).lower()
