"""Which files are transcripts, and the document ids their place in a folder gives them.

Kept apart from the reader (``annotator.transcript``) so that listing a folder, as
a warm open from the parse cache does, costs no import of the reader's rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.errors import TranscriptError
from annotator.inputs import shown

TRANSCRIPT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".jsonl"}


def folder_doc_id(folder: Path, file: Path, *, suffix: bool = False) -> str:
    """A document's id from its path inside a folder (``briefings/2024-07-28``, with its
    suffix when asked), printable whatever bytes the file name holds."""
    relative = file.relative_to(folder)
    return shown((relative if suffix else relative.with_suffix("")).as_posix())


def transcript_files(folder: Path) -> list[Path]:
    """The transcripts in a folder and its subfolders, in a stable order."""
    # Anything named like a transcript but not a regular file (a FIFO, a symlink to
    # a device) is kept, so that reading it says what it is instead of skipping it.
    return sorted(
        p
        for p in folder.rglob("*")
        if not p.is_dir()
        and p.suffix.lower() in TRANSCRIPT_SUFFIXES
        and not p.name.startswith(".")
        and p.name.lower() != "readme.md"
    )


def extractable_files(folder: Path) -> list[Path]:
    """The web pages, PDFs and Word files in a folder and its subfolders."""
    from annotator.extract import is_extractable

    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and is_extractable(p) and not p.name.startswith((".", "~$"))
    )


def transcript_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str | None]]:
    """The files ``read_documents`` reads, in order, each with the document id it gets
    from its place in a folder (``None``: the id comes from the file itself).

    Folders are searched recursively for ``.txt``, ``.md`` and ``.jsonl`` files;
    a folder with none, or a path that is not there, is an error.
    """
    for item in paths:
        path = Path(item)
        if not path.exists():
            raise TranscriptError(f"{path}: no such file or folder")
        if path.is_dir():
            files = transcript_files(path)
            if not files:
                raise TranscriptError(
                    f"{path}: the folder holds no transcripts (.txt, .md, .jsonl)"
                )
            for file in files:
                yield file, folder_doc_id(path, file)
        else:
            yield path, None
