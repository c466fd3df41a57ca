"""Build the files analysts really hold (PDF, saved web pages, Word) from transcript text.

The extraction tests and ``benchmarks/bench_extract.py`` turn the shared
transcripts' text into each format with the page furniture that format
carries: PDFs with running headers, ``Page N of M`` footers, line numbers 1-25,
hyphenated line ends and two columns written row by row; web pages wrapped in
navigation, share bars, related stories and a cookie banner; Word files whose
speaker labels are bold runs. Nothing here reads from or writes into the
repository's own data.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

HEADER = "March 15, 2020   Official Transcript of Proceedings   FINAL"


@dataclass(frozen=True)
class Source:
    """A transcript split into what a publisher would lay out: title, date, paragraphs."""

    title: str
    date: str
    paragraphs: list[str] = field(default_factory=list)


def split_source(text: str) -> Source:
    """Title and date from YAML front matter (when present), then the paragraphs.

    Markdown bold (``**Mr. Cameron:**``) stays in the paragraphs: each builder
    renders it the way its format would (``<strong>``, a bold run, plain text).
    """
    title = date = ""
    if text.startswith("---\n"):
        end = text.index("\n---", 4)
        meta = yaml.safe_load(text[4:end]) or {}
        title = str(meta.get("title", ""))
        date = str(meta.get("date", ""))
        text = text[end + 4 :]
    # Each line is a paragraph: the transcripts are not hard-wrapped, and a label
    # line may follow the previous turn with no blank line between.
    # Form feeds and other controls of an earlier extraction have no place on a page.
    text = re.sub(r"[\x00-\x08\x0b-\x1f]", "\n", text)
    keep = [line.strip() for line in text.splitlines() if line.strip(" \t\u00a0")]
    return Source(title, date, _headings(keep))


_UNDERLINE = re.compile(r"^([=\-^~*])\1{2,}$")


def _headings(lines: list[str]) -> list[str]:
    """A line underlined reStructuredText-style becomes a heading: ``# text``.

    Each builder sets it as its format sets a heading (``<h2>``, a Heading style,
    the underlined line on a PDF page).
    """
    out: list[str] = []
    for index, line in enumerate(lines):
        after = lines[index + 1] if index + 1 < len(lines) else ""
        if _UNDERLINE.match(line) and out and out[-1].startswith("# "):
            continue
        if _UNDERLINE.match(after) and len(after) >= len(line) - 2 and not line.startswith("#"):
            out.append(f"# {line}")
        else:
            out.append(line)
    return out


def heading(paragraph: str) -> str | None:
    """The text of a heading paragraph, or None."""
    return paragraph[2:] if paragraph.startswith("# ") else None


def _runs(paragraph: str) -> list[tuple[str, bool]]:
    """A paragraph as (text, bold) runs, from its Markdown ``**bold**``."""
    parts = re.split(r"\*\*(.+?)\*\*", paragraph)
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


def plain(paragraph: str) -> str:
    """A paragraph as printed: Markdown bold markers removed."""
    return "".join(text for text, _ in _runs(paragraph))


# --- HTML -------------------------------------------------------------------

_NAV = """<header class="site-header">
<div class="brand"><a href="/">U.S. Department of State</a></div>
<nav class="main-nav"><ul><li><a href="/policy">Policy Issues</a></li><li><a href="/countries">
Countries &amp; Areas</a></li><li><a href="/bureaus">Bureaus &amp; Offices</a></li><li>
<a href="/about">About</a></li><li><a href="/search">Search</a></li></ul></nav>
<div class="breadcrumbs"><a href="/">Home</a> › <a href="/briefings">Briefings</a> ›
Transcript</div>
</header>"""

_SHARE = """<div class="share-bar"><span>Share this page:</span><a href="https://twitter.com/x">
Twitter</a> <a href="https://facebook.com/x">Facebook</a> <a href="mailto:?">Email</a>
<a href="#" class="print">Print</a></div>"""

_RELATED = """<aside class="related"><h2>Related Stories</h2><ul>
<li><a href="/a">Secretary's Remarks to the Press on the Ministerial Meeting</a></li>
<li><a href="/b">Joint Statement on the Extended Deterrence Dialogue</a></li>
<li><a href="/c">Readout of the Deputy Secretary's Call with the Foreign Minister</a></li>
</ul></aside>"""

_FOOTER = """<footer class="site-footer"><ul><li><a href="/privacy">Privacy Policy</a></li>
<li><a href="/accessibility">Accessibility Statement</a></li><li><a href="/copyright">
Copyright Information</a></li><li><a href="/foia">FOIA</a></li></ul>
<p>ORGANIZATIONS IN THIS STORY: U.S. Department of State · Office of the Spokesperson</p>
<p>Sign up for email updates. Subscribe to our newsletter for the latest news.</p></footer>
<div id="cookie-banner" class="cookie-consent"><p>This website uses cookies to improve your
experience. By continuing to browse you accept our use of cookies.</p>
<button>Accept all cookies</button> <button>Manage preferences</button></div>"""


def build_html(source: Source) -> str:
    """A saved web page: the transcript in an article, inside site boilerplate."""
    body = []
    for paragraph in source.paragraphs:
        if (text := heading(paragraph)) is not None:
            body.append(f"<h2>{html.escape(text)}</h2>")
            continue
        runs = "".join(
            f"<strong>{html.escape(text)}</strong>" if bold else html.escape(text)
            for text, bold in _runs(paragraph)
        )
        body.append(f"<p>{runs}</p>")
    title = html.escape(source.title or "Transcript")
    date_meta = (
        f'<meta property="article:published_time" content="{html.escape(source.date)}">'
        if source.date
        else ""
    )
    time_line = f'<p class="date"><time datetime="{source.date}">{source.date}</time></p>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} - United States Department of State</title>
{date_meta}
<script>window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}</script>
<style>.nav {{ color: red; }}</style></head>
<body>{_NAV}
<main id="content"><article class="post">
<h1 class="featured-title">{title}</h1>
{time_line if source.date else ""}
{_SHARE}
<div class="entry-content">
{chr(10).join(body)}
</div>
{_SHARE}
</article>
{_RELATED}
</main>
{_FOOTER}
</body></html>
"""


def build_govinfo_html(source: Source) -> str:
    """A GovInfo hearing page: the whole text, hard-wrapped, inside ``<pre>``."""
    lines: list[str] = []
    for paragraph in source.paragraphs:
        text = heading(paragraph)
        if text is not None:
            lines.extend([text, "-" * len(text), ""])
            continue
        lines.extend(_wrap_plain("    " + plain(paragraph), 66))
        lines.append("")
    text = html.escape("\n".join(lines))
    return (
        f"<html><head><title>{html.escape(source.title)}</title></head><body>\n"
        f"<pre>\n[House Hearing, 111 Congress]\n[From the U.S. Government Publishing Office]\n\n"
        f"{text}\n</pre></body></html>\n"
    )


def _printed(paragraphs: list[str]) -> list[str]:
    """Paragraphs as printed on paper: a heading is its line and an underline."""
    out: list[str] = []
    for paragraph in paragraphs:
        text = heading(paragraph)
        out.extend([paragraph] if text is None else [text, "-" * len(text)])
    return out


def _wrap_plain(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


# --- DOCX ----------------------------------------------------------------------


def build_docx(source: Source, path: Path, *, bold_labels: bool = True) -> Path:
    """A Word file: title and date paragraphs, then one paragraph per transcript paragraph.

    With ``bold_labels`` the speaker label that opens a paragraph is a bold run
    (as Hansard and agency transcripts print it); Markdown bold becomes bold too.
    """
    import docx

    from annotator.transcript import match_label

    document = docx.Document()
    if source.title:
        document.add_heading(source.title, level=1)
    if source.date:
        document.add_paragraph(source.date)
    for paragraph in source.paragraphs:
        if (text := heading(paragraph)) is not None:
            document.add_heading(text, level=2)
            continue
        runs = _runs(paragraph)
        para = document.add_paragraph()
        if bold_labels and len(runs) == 1:
            found = match_label(runs[0][0])
            if found is not None:
                label_end = found.content_start
                runs = [(runs[0][0][:label_end], True), (runs[0][0][label_end:], False)]
        for text, bold in runs:
            para.add_run(text).bold = bold
    document.save(str(path))
    return path


# --- PDF -------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfLayout:
    """How a PDF page is laid out."""

    line_numbers: bool = False
    columns: int = 1
    header: str = HEADER
    hyphenate: bool = True
    lines_per_page: int = 25
    #: A running head naming the speaker at the top of the page (``{speaker}`` and
    #: ``{header}`` are filled in): on pages whose first line goes on with a speech
    #: begun before, or on every page with ``speaker_head_always``.
    speaker_head: str = ""
    speaker_head_always: bool = False


def _fitting(pdf: object, text: str) -> str:
    """Characters the font has no glyph for (CJK in a preamble) become ``?``."""
    font = pdf.current_font  # type: ignore[attr-defined]
    cmap = getattr(font, "cmap", None) or {}
    return "".join(ch if ord(ch) in cmap or ch in " \u00a0" else "?" for ch in text)


def _wrap(pdf: object, text: str, width: float, hyphenate: bool) -> list[str]:
    """Greedy line breaking by the font's widths; long words split with a hyphen."""
    measure = pdf.get_string_width  # type: ignore[attr-defined]
    lines: list[str] = []
    line = ""
    words: list[str] = []
    for word in text.split(" "):
        # A token wider than the column (a long URL) is cut, as a typesetter would.
        while measure(word) > width:
            cut = len(word)
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    for word in words:
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            continue
        if hyphenate and line and len(word) >= 7 and word.isalpha():
            # Break inside the word: as much as fits, then a hyphen.
            for cut in range(len(word) - 4, 3, -1):
                head = f"{line} {word[:cut]}-"
                if measure(head) <= width:
                    lines.append(head)
                    line = word[cut:]
                    break
            else:
                lines.append(line)
                line = word
            continue
        if line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def build_pdf(source: Source, path: Path, layout: PdfLayout = PdfLayout()) -> int:
    """Lay the transcript out as a PDF with page furniture; return the number of pages.

    Text is drawn line by line at fixed positions (no reflow by the PDF), with a
    running header and a ``Page N of M`` footer on every page. With two columns
    the rows are drawn left, right, left, right, so a reader that follows the
    content stream instead of the layout mixes the columns.
    """
    from fpdf import FPDF

    pdf = FPDF(format="letter", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_font("DejaVu", size=10)
    page_width = pdf.w
    margin = 72.0
    gutter = 24.0
    number_room = 28.0 if layout.line_numbers else 0.0
    usable = page_width - 2 * margin - number_room
    column_width = (usable - gutter * (layout.columns - 1)) / layout.columns
    lines: list[str] = []
    # Per line: the speaker whose speech it is, and whether it goes on with one.
    speakers: list[tuple[str, bool]] = []
    speaker = ""
    for paragraph in _printed(source.paragraphs):
        wrapped = _wrap(pdf, _fitting(pdf, plain(paragraph)), column_width, layout.hyphenate)
        lines.extend(wrapped)
        if layout.speaker_head:
            from annotator.transcript import match_label

            found = match_label(plain(paragraph))
            speaker = found.speaker if found else speaker
            speakers.extend((speaker, i > 0 or not found) for i in range(len(wrapped)))
    per_page = layout.lines_per_page * layout.columns
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    line_height = (pdf.h - 2 * margin - 40) / layout.lines_per_page
    for number, page_lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("DejaVu", size=8)
        header = layout.header
        if layout.speaker_head:
            top_speaker, goes_on = speakers[(number - 1) * per_page]
            if top_speaker and (goes_on or layout.speaker_head_always):
                header = layout.speaker_head.format(speaker=top_speaker, header=layout.header)
        pdf.text(margin, margin - 20, header)
        footer = f"Page {number} of {len(pages)}"
        pdf.text(page_width / 2 - pdf.get_string_width(footer) / 2, pdf.h - margin + 30, footer)
        pdf.set_font("DejaVu", size=10)
        columns = [
            page_lines[c * layout.lines_per_page : (c + 1) * layout.lines_per_page]
            for c in range(layout.columns)
        ]
        for row in range(layout.lines_per_page):
            y = margin + 20 + row * line_height
            if layout.line_numbers and any(row < len(column) for column in columns):
                pdf.text(margin, y, str(row + 1))
            for c, column in enumerate(columns):
                if row < len(column):
                    x = margin + number_room + c * (column_width + gutter)
                    pdf.text(x, y, column[row])
    pdf.output(str(path))
    return len(pages)


def build_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only an image, as a scanner makes: no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("L", (200, 100), color=255)
    pdf = FPDF(unit="pt")
    pdf.add_page()
    pdf.image(image, x=50, y=50, w=200)
    pdf.output(str(path))
    return path
