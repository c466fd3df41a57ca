"""Text out of the files analysts actually hold: saved web pages, PDFs and Word files.

Each format has one module (``html``, ``pdf``, ``docx``) that turns a file into
an ``Extraction``: the text a reader of the page sees, in reading order, plus
the title and date the file states and a line for everything that was dropped
or changed on the way (page headers, hyphenation, cookie banners). That text is
then read by the transcript reader exactly as a ``.txt`` file is, so the
extracted text *is* the document text: offsets, hashes and re-anchoring work on
it, and ``annotator extract`` writes it out for the analyst to check.

The libraries are optional extras (``annotator[html]``, ``[pdf]``, ``[docx]``);
a missing one is a one-line error that names the extra to install.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from annotator.errors import TranscriptError
from annotator.inputs import open_input, shown
from annotator.model import Document

#: Suffixes read through an extractor, and the extra that installs its library.
EXTRACT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


@dataclass(frozen=True)
class Extraction:
    """The text read out of one file, and what the file said about itself.

    ``text`` becomes the document text unchanged. ``notes`` say, one line each,
    what was dropped, joined or guessed (a running header on 12 pages, 40 words
    joined across a hyphen), so nothing is lost silently.
    """

    text: str
    title: str = ""
    date: str = ""
    pages: int = 1
    notes: tuple[str, ...] = ()


def is_extractable(path: str | Path) -> bool:
    """Whether ``path`` is read through an extractor (by its suffix)."""
    return Path(path).suffix.lower() in EXTRACT_SUFFIXES


def require(module: str, path: str | Path) -> ModuleType:
    """Import an extractor's library, or fail with one line naming the extra to install."""
    extra = EXTRACT_SUFFIXES[Path(path).suffix.lower()]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise TranscriptError(
            f"{path}: reading {extra.upper()} files needs the '{extra}' extra "
            f"(pip install 'annotator[{extra}]')"
        ) from None


def table_row_text(cells: list[str]) -> str:
    """A table row as a line of text: ``NAME: text`` for a name and a text, else cells joined.

    Some transcripts are tables with the speaker in the first column.
    """
    from annotator.transcript import looks_like_speaker

    # Merged cells repeat their text in each grid cell.
    unique = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
    if len(unique) == 2 and looks_like_speaker(unique[0].rstrip(":")):
        return f"{unique[0].rstrip(':')}: {unique[1]}"
    return " | ".join(unique)


def extract_file(path: str | Path) -> Extraction:
    """Extract the text of an HTML page, a PDF or a Word file, by its suffix."""
    path = Path(path)
    kind = EXTRACT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise TranscriptError(f"{path}: not an HTML, PDF or Word (.docx) file")
    open_input(path, what=f"{kind.upper() if kind != 'docx' else 'Word'} file").close()
    if kind == "html":
        from annotator.extract.html import extract_html

        return extract_html(path)
    if kind == "pdf":
        from annotator.extract.pdf import extract_pdf

        return extract_pdf(path)
    from annotator.extract.docx import extract_docx

    return extract_docx(path)


def read_extracted(
    path: str | Path,
    speaker_pattern: re.Pattern[str] | None = None,
    doc_id: str | None = None,
) -> Document:
    """Read an HTML, PDF or Word file into a ``Document`` (turns and notes, no sentences).

    The extracted text goes through the same reader as a ``.txt`` file; the
    document's ``source`` is the original file, its title the one the file
    states (page title, PDF metadata, Word title) when it has one.
    """
    from annotator.transcript import parse_text

    path = Path(path)
    extraction = extract_file(path)
    document = parse_text(
        extraction.text,
        doc_id=doc_id or shown(path.stem),
        source=shown(path),
        speaker_pattern=speaker_pattern,
        warnings=extraction.notes,
    )
    if extraction.title:
        document = dataclasses.replace(document, title=extraction.title)
    return document
