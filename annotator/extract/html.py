"""The main text of a saved web page, without the site around it.

trafilatura (Apache-2.0) finds the page's main text and drops navigation, share
bars, "related stories", footers and cookie banners; it also reads the page's
title and publication date. Each paragraph it keeps becomes a paragraph of the
document text (a blank line between), and the title and date open the text, so
the transcript reader takes them as the preamble; headings inside the text
are written as Markdown headings, which the reader keeps as notes. A page whose text sits in
``<pre>`` (GovInfo's hearings, the Congressional Record) is read as it is
printed there, line for line, since its line structure is the transcript's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.errors import TranscriptError
from annotator.extract import Extraction, require, table_row_text
from annotator.inputs import read_input

#: A ``<pre>`` holding at least this share of a page's text is the page's text.
PRE_SHARE = 0.5


def _read(path: Path) -> bytes:
    data = read_input(path, what="web page")
    if not data.strip():
        raise TranscriptError(f"{path}: the file is empty")
    return data


def _pre_text(tree: Any) -> str | None:
    """The text of the page's ``<pre>`` blocks, when they hold most of its text."""
    blocks = tree.xpath("//pre")
    if not blocks:
        return None
    body = tree.find(".//body")
    total = len((body if body is not None else tree).text_content().split())
    texts = [block.text_content() for block in blocks]
    if sum(len(text.split()) for text in texts) < PRE_SHARE * max(total, 1):
        return None
    text = "\n\n".join(text.replace("\r\n", "\n").strip("\n") for text in texts)
    return text


def _title_tag(tree: Any) -> str:
    found = tree.find(".//title")
    return " ".join(found.text_content().split()) if found is not None else ""


def extract_html(path: Path) -> Extraction:
    """The main text of a web page, with its title and date, as document text."""
    trafilatura = require("trafilatura", path)
    from trafilatura.utils import load_html

    data = _read(path)
    tree = load_html(data)
    if tree is None:
        raise TranscriptError(f"{path}: not an HTML page")
    page_body = tree.find(".//body")
    page_words = len((page_body if page_body is not None else tree).text_content().split())
    pre = _pre_text(tree)
    if pre is not None:
        title = _title_tag(tree)
        opening = f"{title}\n\n" if title and title not in pre[:2000] else ""
        notes = (f"{path}: read the page's <pre> text as printed",)
        return Extraction(text=opening + pre.strip("\n") + "\n", title=title, notes=notes)
    # The page's own paragraphs, taken before trafilatura prunes the tree.
    page_paragraphs = _paragraphs(tree)
    result = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        # Only a date the page states; a guess from the file's links is worse than none.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = getattr(result, "body", None)
    paragraphs = _blocks(body) if body is not None else []
    if not paragraphs:
        raise TranscriptError(f"{path}: no main text found in this page")
    title = " ".join((getattr(result, "title", None) or "").split())
    date = (getattr(result, "date", None) or "").strip()
    head: list[str] = []
    if title and not _same(paragraphs[0], title):
        head.append(title)
    if date and date not in "\n".join(paragraphs[:5]):
        head.append(date)
    text = "\n\n".join(head + paragraphs) + "\n"
    kept = len(text.split())
    said = [
        f"{path}: kept the page's main text ({kept:,} of {page_words:,} words); "
        "navigation, footers and banners dropped",
    ]
    missing = left_out(page_paragraphs, text)
    if missing:
        words = sum(len(paragraph.split()) for paragraph in missing)
        first = " ".join(missing[0].split()[:12])
        said.append(
            f"{path}: left out {len(missing)} paragraph(s) ({words:,} words) that sit beside "
            f"kept ones, the first: {first!r}…; see the text with 'annotator extract'"
        )
    return Extraction(text=text, title=title, date=date, notes=tuple(said))


#: Paragraphs shorter than this (in words) are not checked: captions, bylines, buttons.
CHECKED_WORDS = 8


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _paragraphs(tree: Any) -> list[tuple[object, str]]:
    """The page's ``<p>`` paragraphs of some length, each with its parent element."""
    found: list[tuple[object, str]] = []
    for element in tree.iter("p"):
        text = element.text_content()
        if len(text.split()) >= CHECKED_WORDS:
            found.append((element.getparent(), text))
    return found


def left_out(paragraphs: list[tuple[object, str]], text: str) -> list[str]:
    """Paragraphs missing from the extracted ``text`` whose siblings made it in.

    Boilerplate sits in containers of its own (a footer, a "related" box), so a
    paragraph dropped from the same parent as kept ones is main text that the
    extractor lost (a Hansard page lost 3 of 50 so), and worth a warning.
    """
    extracted = _normal(text)
    kept_parents = set()
    missing: list[tuple[object, str]] = []
    for parent, paragraph in paragraphs:
        if _normal(paragraph) in extracted:
            kept_parents.add(parent)
        else:
            missing.append((parent, paragraph))
    return [" ".join(p.split()) for parent, p in missing if parent in kept_parents]


def _inline(element: Any) -> str:
    """An element's text with its line breaks (``<lb/>``) kept, spacing tidied per line."""
    for lb in element.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    text = "".join(element.itertext())
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _blocks(body: Any) -> list[str]:
    """trafilatura's main-text tree as paragraphs of document text.

    Headings become Markdown headings (``## Opening Statement``), which the
    transcript reader keeps as notes between turns rather than as speech;
    list items keep their bullet; a table row of a name and a text becomes
    ``NAME: text``.
    """
    out: list[str] = []
    for block in body:
        tag = block.tag
        if tag == "head":
            level = str(block.get("rend", "h2"))[-1:]
            marks = "#" * (int(level) if level.isdigit() else 2)
            text = " ".join(_inline(block).split())
            if text:
                out.append(f"{marks} {text}")
        elif tag == "list":
            items = [_inline(item) for item in block.iter("item")]
            lines = [f"- {item}" for item in items if item]
            if lines:
                out.append("\n".join(lines))
        elif tag == "table":
            rows = []
            for row in block.iter("row"):
                cells = [" ".join(_inline(cell).split()) for cell in row.iter("cell")]
                rows.append(table_row_text(cells))
            out.extend(row for row in rows if row)
        elif tag == "quote":
            out.extend(part for part in _blocks(block) or [_inline(block)] if part)
        else:
            text = _inline(block)
            if text:
                out.append(text)
    return out


def _same(a: str, b: str) -> bool:
    def words(text: str) -> str:
        return re.sub(r"\W+", " ", text).strip().lower()

    return words(a) == words(b)
