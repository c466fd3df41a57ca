"""The text of a Word (.docx) file, paragraph by paragraph, with its bold speaker labels.

python-docx (MIT) reads the body in order: paragraphs, and tables row by row;
headings are written as Markdown headings, which the reader keeps as notes.
Page headers and footers live elsewhere in a .docx and are never read. Word
transcripts often print the speaker in bold (``MR. SMITH`` then the speech, in
one paragraph); a bold, name-shaped run opening a paragraph is taken as a
label, and when the reader would not see it as one (no colon after it), a
colon is written after it in the extracted text, so the label is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.errors import TranscriptError
from annotator.extract import Extraction, require, table_row_text
from annotator.transcript import looks_like_speaker, match_label

_SEPARATORS = (":", "：", ".", "–", "—", "-")


def _is_bold(run: Any) -> bool:
    """Bold set on the run or by its character style (``Strong``)."""
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    return bool(style is not None and style.font.bold)


def _runs_text(paragraph: Any) -> tuple[str, str]:
    """A paragraph's leading bold text and the rest."""
    bold: list[str] = []
    for run in paragraph.runs:
        if _is_bold(run) or (bold and not run.text.strip()):
            bold.append(run.text)
        else:
            break
    lead = "".join(bold)
    text = paragraph.text
    if not text.startswith(lead):
        # A hyperlink or field before the runs: no label signal to trust.
        return "", text
    return lead, text[len(lead) :]


def _labelled(paragraph: Any, next_text: str | None) -> tuple[str, bool, bool]:
    """The paragraph's text, whether a colon was added, whether it takes the next paragraph.

    ``next_text`` is the following paragraph's text, for a bold label that is a
    paragraph of its own (the speech follows in the next one).
    """
    text = paragraph.text
    bold, rest = _runs_text(paragraph)
    label = bold.strip()
    if not label or match_label(text) is not None:
        return text, False, False
    if label.endswith(_SEPARATORS):
        return text, False, False
    lead = bold[: len(bold) - len(bold.lstrip())]
    trailing = bold[len(bold.rstrip()) :] or " "
    if rest.strip() and looks_like_speaker(label):
        return f"{lead}{label}:{trailing}{rest.lstrip()}", True, False
    if not rest.strip() and next_text and looks_like_speaker(label, own_line=True):
        return f"{lead}{label}: {next_text.strip()}", True, True
    return text, False, False


def _table_lines(table: Any) -> list[str]:
    """A table's rows, one line each (``SPEAKER: text`` for a name and a text)."""
    rows = [
        table_row_text([" ".join(cell.text.split()) for cell in row.cells]) for row in table.rows
    ]
    return [row for row in rows if row]


def _heading_level(style: str) -> int:
    """1 for the Title style, N for Heading N, 0 for other paragraphs."""
    if style == "Title":
        return 1
    found = re.fullmatch(r"Heading (\d)", style)
    return int(found.group(1)) if found else 0


def extract_docx(path: Path) -> Extraction:
    """The text of a .docx file, one blank line between paragraphs, bold labels kept."""
    docx = require("docx", path)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as error:
        # python-docx raises zipfile, KeyError and its own errors on damaged files.
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TranscriptError(f"{path}: not a readable Word (.docx) file ({reason})") from None
    blocks: list[Any] = list(document.iter_inner_content())
    paragraphs: list[str] = []
    added = 0
    title = ""
    skip = False
    for index, block in enumerate(blocks):
        if skip:
            skip = False
            continue
        if isinstance(block, Table):
            paragraphs.extend(_table_lines(block))
            continue
        if not isinstance(block, Paragraph) or not block.text.strip():
            continue
        style = (block.style.name if block.style is not None else "") or ""
        heading = _heading_level(style)
        if heading:
            # A Markdown heading: the reader keeps it as a note, never as speech.
            text = " ".join(block.text.split())
            title = title or text
            paragraphs.append(f"{'#' * heading} {text}")
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        next_text = following.text if isinstance(following, Paragraph) else None
        text, colon, skip = _labelled(block, next_text)
        added += colon
        paragraphs.append(text.rstrip())
    if not paragraphs:
        raise TranscriptError(f"{path}: the Word file holds no text")
    core_title = " ".join((document.core_properties.title or "").split())
    notes: list[str] = []
    if added:
        notes.append(f"{path}: {added} bold speaker labels had no colon; one was added after each")
    return Extraction(
        text="\n\n".join(paragraphs) + "\n", title=core_title or title, notes=tuple(notes)
    )
