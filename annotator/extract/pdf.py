"""PDF text, page by page, in reading order, without its page furniture.

pypdf (BSD, pure Python) reads each page in its layout mode, which places the
text on a character grid by its position on the page. From that grid this
module finds paragraph breaks (a larger vertical gap than the page's usual
line spacing) and two-column pages (a gutter of blank columns down the middle),
and reads the left column before the right one, whatever order the PDF wrote
them in. Running heads, page and line numbers, and hyphenated line ends are
then handled by ``annotator.extract.furniture``. Pages are joined with a form
feed, as pdftotext joins them, so a page break stays visible in the text.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from annotator.errors import TranscriptError
from annotator.extract import Extraction, require
from annotator.extract.furniture import FurnitureReport, join_hyphenated, strip_page_furniture

#: Between pages: the end of the last line, then a form feed.
PAGE_BREAK = "\n\f"
#: Fewer non-space characters than this per page, on average, is a scan without text.
MIN_CHARS_PER_PAGE = 20


def _rows_to_lines(rows: list[str]) -> list[str]:
    """Layout rows to lines: trailing space gone, one blank line per paragraph break.

    Layout mode writes blank rows in proportion to vertical distance; the
    commonest gap is the line spacing, and anything larger is a paragraph break.
    """
    gaps: list[int] = []
    blank = 0
    seen = False
    for row in rows:
        if row.strip():
            if seen:
                gaps.append(blank)
            seen, blank = True, 0
        else:
            blank += 1
    usual = Counter(gaps).most_common(1)[0][0] if gaps else 0
    lines: list[str] = []
    blank = 0
    for row in rows:
        if not row.strip():
            blank += 1
            continue
        if lines and blank > usual:
            lines.append("")
        lines.append(row.rstrip())
        blank = 0
    return lines


def _dedent(lines: list[str]) -> list[str]:
    """Remove the indentation every line shares (the page margin in the grid)."""
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return [line[cut:] if line.strip() else "" for line in lines]


def _gutter(lines: list[str]) -> tuple[int, int] | None:
    """Start and end columns of a blank gutter that splits the page into two columns."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < 6:
        return None
    width = max(len(line) for line in filled)
    occupied = [0] * width
    for line in filled:
        for column, char in enumerate(line):
            if char != " ":
                occupied[column] += 1
    limit = max(1, len(filled) // 10)  # full-width heads and feet may cross the gutter
    best: tuple[int, int] | None = None
    start = None
    for column in range(int(width * 0.25), int(width * 0.75) + 1):
        free = column < width and occupied[column] <= limit
        if free and start is None:
            start = column
        elif not free and start is not None:
            if column - start >= 3 and (best is None or column - start > best[1] - best[0]):
                best = (start, column)
            start = None
    if best is None:
        return None
    both = sum(1 for line in filled if line[: best[0]].strip() and line[best[1] :].strip())
    return best if both >= 0.4 * len(filled) else None


def _fits(lines: list[str], gutter: tuple[int, int]) -> bool:
    """Whether a page with little text in its right column has the document's gutter.

    A last page whose right column holds two lines shows too few two-sided rows
    to find a gutter on its own; the gutter the other pages have decides.
    """
    cut = gutter[1]
    filled = [line for line in lines if line.strip()]
    beyond = sum(1 for line in filled if line[cut:].strip() and line[cut - 1] == " ")
    crossing = sum(1 for line in filled if line[cut:].strip() and line[cut - 1] != " ")
    return beyond > 0 and crossing <= max(1, len(filled) // 10)


def _columns_in_order(lines: list[str], gutter: tuple[int, int] | None) -> tuple[list[str], bool]:
    """A two-column page read left column first; other pages as they are.

    Each row is cut where the right column starts (the gutter's end), so a long
    left line that reaches into the gutter stays whole; a row with no space
    before that column (a heading across the page) belongs to neither column.
    """
    if gutter is None:
        return lines, False
    gap, cut = gutter

    def splits(line: str) -> bool:
        left = line[:cut]
        # Text that starts inside the gutter is centred across the page (a page number).
        centred = bool(left.strip()) and len(left) - len(left.lstrip()) >= gap
        return not centred and (len(line) <= cut or line[cut - 1] == " ")

    split = [i for i, line in enumerate(lines) if line.strip() and splits(line)]
    first, last = split[0], split[-1]
    top, bottom = lines[:first], lines[last + 1 :]
    left: list[str] = []
    right: list[str] = []
    for line in lines[first : last + 1]:
        if not line.strip():
            # A paragraph break across the page; one column's blank beside text is not one.
            left.append("")
            right.append("")
        elif not splits(line):
            left.append(line)  # a full-width line inside the columns: keep it in place
        else:
            for side, part in ((left, line[:cut]), (right, line[cut:])):
                if part.strip():
                    side.append(part.rstrip())
    return top + _dedent(left) + [""] + _dedent(right) + bottom, True


def _page_lines(page: Any) -> list[str]:
    """One page as lines in reading order (layout mode; plain mode if layout fails)."""
    try:
        rows = page.extract_text(extraction_mode="layout").split("\n")
    except Exception:
        # Layout mode is stricter about odd fonts and content streams than plain mode.
        try:
            rows = page.extract_text().split("\n")
        except Exception:
            return []
    return _dedent(_rows_to_lines(rows))


def _reading_order(pages: list[list[str]]) -> tuple[list[list[str]], int]:
    """Pages with two columns read column by column; how many pages had two."""
    gutters = [_gutter(lines) for lines in pages]
    common = Counter(g for g in gutters if g is not None).most_common(1)
    usual = common[0][0] if common else None
    ordered: list[list[str]] = []
    two = 0
    for lines, gutter in zip(pages, gutters, strict=True):
        if gutter is None and usual is not None and _fits(lines, usual):
            gutter = usual
        lines, split = _columns_in_order(lines, gutter)
        ordered.append(lines)
        two += split
    return ordered, two


def _squeeze_blank_runs(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return out


def extract_pdf(path: Path) -> Extraction:
    """The text of a PDF, pages joined with form feeds, page furniture removed.

    A PDF with no text layer (a scan) is an error that says so; pages of a
    mixed PDF that have none are named in a note.
    """
    pypdf = require("pypdf", path)
    # pypdf logs recoverable damage as warnings; the extraction either works or fails here.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise TranscriptError(f"{path}: the PDF is encrypted; save an unprotected copy first")
        pages = [_page_lines(page) for page in reader.pages]
        title = _metadata_title(reader)
    except TranscriptError:
        raise
    except Exception as error:
        # pypdf raises many types on damaged files (PdfReadError, KeyError, ValueError...).
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TranscriptError(f"{path}: not a readable PDF ({reason})") from None
    if not pages:
        raise TranscriptError(f"{path}: the PDF has no pages")
    chars = [sum(len(line.strip()) for line in page) for page in pages]
    if sum(chars) < MIN_CHARS_PER_PAGE * len(pages) and max(chars) < MIN_CHARS_PER_PAGE * 5:
        raise TranscriptError(
            f"{path}: the PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf)"
        )
    notes: list[str] = []
    empty = [str(number) for number, count in enumerate(chars, start=1) if count == 0]
    if empty:
        notes.append(f"{path}: pages {', '.join(empty)} have no text layer (scanned?); skipped")
    pages, two_columns = _reading_order(pages)
    if two_columns:
        notes.append(f"{path}: read {two_columns} pages in two columns, left column first")
    report = FurnitureReport()
    cleaned, report = strip_page_furniture(pages, report)
    cleaned, report = join_hyphenated(cleaned, report)
    notes.extend(report.lines(str(path)))
    texts = ["\n".join(_squeeze_blank_runs(page)).strip("\n") for page in cleaned]
    text = PAGE_BREAK.join(texts).strip() + "\n"
    return Extraction(text=text, title=title, pages=len(pages), notes=tuple(notes))


def _metadata_title(reader: Any) -> str:
    """The title in the PDF's metadata, unless it is a file name or empty."""
    try:
        title = (reader.metadata or {}).get("/Title") or ""
    except Exception:
        return ""
    title = " ".join(str(title).split())
    if title.lower().endswith((".doc", ".docx", ".pdf", ".rtf")) or title.lower() == "untitled":
        return ""
    return title
