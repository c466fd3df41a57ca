"""The parse cache: a raw transcript read and segmented once, reopened without spaCy.

Reading a transcript into turns and splitting its sentences costs a spaCy import
(about half a second) and a parse; reopening the same file gives the same
documents. So each transcript's documents are kept in the user cache folder as a
small prepared corpus (``corpus.write_corpus``, the same compact JSON), under a key
made of everything the reading depends on: the file's bytes, where it is (its id
and source), the pipeline and its version, the speaker pattern, the spaCy and
annotator versions and ``ingest.READER_VERSION``. Change any of them and the
file is read afresh.

The cache never decides what an analyst sees: an entry that is missing, damaged
or unreadable is ignored (the file is parsed again), and one that cannot be
written is skipped. Entries are written to a temporary name and renamed into
place, so a reader never sees half an entry.

Where: ``$ANNOTATOR_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/annotator``, else the
platform's user cache folder (``~/.cache/annotator`` on Linux,
``~/Library/Caches/annotator`` on macOS); entries go in its ``parses`` folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator import __version__
from annotator.corpus import corpus_header, read_corpus, write_corpus
from annotator.ingest import READER_VERSION
from annotator.model import Document

#: Set to a folder to keep the cache there (the test suite points it at a temporary one).
CACHE_ENV = "ANNOTATOR_CACHE_DIR"


def cache_folder() -> Path:
    """The folder the parse cache lives in (see the module docstring for the order)."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit)
    # platformdirs honours XDG_CACHE_HOME on Linux only; analysts set it elsewhere too.
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "annotator"
    from platformdirs import user_cache_path

    return user_cache_path("annotator", appauthor=False)


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return ""


def pipeline_fingerprint(pipeline: str | None) -> str:
    """What identifies a pipeline's sentences: the built-in rules (with spaCy's
    tokenizer), an installed package and its version, or a folder's meta.json."""
    spacy_version = _version_of("spacy")
    if pipeline is None:
        return f"rules spacy={spacy_version}"
    folder = Path(pipeline)
    meta = folder / "meta.json"
    if meta.is_file():
        try:
            digest = hashlib.sha256(meta.read_bytes()).hexdigest()
        except OSError:
            digest = "unreadable"
        return f"folder {folder.resolve()} meta={digest} spacy={spacy_version}"
    return f"package {pipeline}={_version_of(pipeline)} spacy={spacy_version}"


@dataclass(frozen=True)
class ParseCache:
    """Segmented documents of raw transcripts, kept by a key of everything they depend on.

    ``reading`` is the part of the key that is the same for every file a command
    reads (pipeline, speaker pattern, versions); see ``for_reading``.
    """

    folder: Path
    reading: str

    @classmethod
    def for_reading(
        cls, pipeline: str | None, speaker_pattern: str, folder: Path | None = None
    ) -> ParseCache:
        """The cache for one way of reading (``speaker_pattern``: the regex and its
        flags as text, empty for none)."""
        reading = "\n".join(
            (
                f"reader={READER_VERSION}",
                f"annotator={__version__}",
                f"pipeline={pipeline_fingerprint(pipeline)}",
                f"speaker_pattern={speaker_pattern}",
            )
        )
        return cls((folder or cache_folder()) / "parses", reading)

    def key(self, content_digest: str, kind: str, doc_id: str | None, source: str) -> str:
        """The key of one file's documents: its content hash, how it is read (``kind``),
        the id and source name it gets (they are in the documents), and the reading."""
        material = "\n".join((self.reading, kind, doc_id or "", source, content_digest))
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()

    def _entry(self, key: str) -> Path:
        return self.folder / f"{key}.jsonl"

    def load(self, key: str) -> list[Document] | None:
        """The documents kept under ``key``, or ``None`` if there is no usable entry."""
        entry = self._entry(key)
        try:
            expected = corpus_header(entry)["documents"]
            documents = list(read_corpus(entry))
        except FileNotFoundError:
            return None
        # Deliberately broad: whatever is wrong with an entry (damaged JSON, a record
        # of the wrong shape, an unreadable file), the answer is to parse again.
        except Exception:
            return None
        if not isinstance(expected, int) or len(documents) != expected or not documents:
            return None
        return documents

    def store(self, key: str, documents: Sequence[Document]) -> None:
        """Keep ``documents`` under ``key``; quietly do nothing if the folder is unwritable."""
        entry = self._entry(key)
        # A name of its own per writer, so two processes never write the same file.
        temporary = entry.with_name(f".{entry.stem}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_corpus(documents, temporary, header={"documents": len(documents)})
            temporary.replace(entry)
        except Exception:  # a cache that cannot be written is only a slower next open
            pass
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def file_digest(data: bytes | None = None, path: Path | None = None) -> str:
    """SHA-256 of a file's bytes: ``data`` when already read, else read from ``path``."""
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    assert path is not None
    from annotator.inputs import open_input

    digest = hashlib.sha256()
    with open_input(path, what="JSON Lines file") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
