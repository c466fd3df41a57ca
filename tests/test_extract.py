"""Web pages, PDFs and Word files read as transcripts: the same turns as the plain text.

Every file here is built by the test from the shared transcripts' text
(``../shared/corpora/transcripts``, never copied into the repository) with the
furniture its format carries, then read back through ``annotator``'s own path.
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from extract_builders import (
    FONT,
    FONT_BOLD,
    PdfLayout,
    Source,
    build_docx,
    build_govinfo_html,
    build_html,
    build_pdf,
    build_scanned_pdf,
    split_source,
)

from annotator.errors import TranscriptError
from annotator.extract import extract_file, read_extracted
from annotator.extract.furniture import join_hyphenated, strip_page_furniture
from annotator.model import Document
from annotator.sources import read_documents
from tests.command_line import run_cli
from tests.shared_data import SHARED, needs_shared

TRANSCRIPTS = SHARED / "corpora" / "transcripts"
WHOLE = SHARED / "corpora" / "whole-transcripts"
needs_font = pytest.mark.skipif(
    not (FONT.exists() and FONT_BOLD.exists()),
    reason="the DejaVu fonts (Debian fonts-dejavu-core) build the test PDFs",
)
BOILERPLATE = (
    "Share this page",
    "Related Stories",
    "cookies",
    "Privacy Policy",
    "ORGANIZATIONS IN THIS STORY",
    "Policy Issues",
    "Subscribe",
    "dataLayer",
)


def _truth() -> dict[str, list[tuple[str, str]]]:
    """Turns (speaker, first words) of every shared transcript, short and whole."""
    truth: dict[str, list[tuple[str, str]]] = {}
    for folder in (TRANSCRIPTS, WHOLE):
        if not (folder / "truth.json").exists():
            continue
        data = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        for name, entry in data.items():
            truth[name] = [(turn["speaker"], turn["first_words"]) for turn in entry["turns"]]
    return truth


NAMES = sorted(_truth())
SHORT = sorted(name for name in NAMES if (TRANSCRIPTS / name).exists())


def turns_of(document: Document) -> list[tuple[str, str]]:
    return [(turn.speaker, " ".join(turn.text.split()[:6])) for turn in document.turns]


def source_of(name: str) -> Source:
    folder = TRANSCRIPTS if (TRANSCRIPTS / name).exists() else WHOLE
    return split_source((folder / name).read_text(encoding="utf-8"))


def check_offsets(document: Document, path: Path) -> None:
    """Offsets point into the extracted text, and the document names the original file."""
    assert document.source == str(path)
    assert document.text == extract_file(path).text
    for turn in document.turns:
        assert document.text[turn.start : turn.end] == turn.text
        for note in turn.notes:
            assert document.text[note.start : note.end] == note.text


# --- HTML ---------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_web_page_in_site_boilerplate_reads_turn_for_turn(name: str, tmp_path: Path) -> None:
    source = source_of(name)
    page = tmp_path / f"{Path(name).stem}.html"
    page.write_text(build_html(source), encoding="utf-8")
    document = read_extracted(page)
    assert turns_of(document) == _truth()[name]
    check_offsets(document, page)
    leaked = [text for text in BOILERPLATE if text in document.text]
    assert leaked == []
    # Every paragraph of speech was kept, so nothing is reported as left out beside it.
    assert not any("left out" in warning for warning in document.warnings)
    if source.title:
        assert document.title == " ".join(source.title.split())
    if source.date:
        assert source.date in document.preamble


@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_govinfo_pre_page_reads_turn_for_turn(name: str, tmp_path: Path) -> None:
    page = tmp_path / f"{Path(name).stem}.htm"
    page.write_text(build_govinfo_html(source_of(name)), encoding="utf-8")
    document = read_extracted(page)
    assert turns_of(document) == _truth()[name]
    # The <pre> text is kept line for line, as printed.
    assert "[From the U.S. Government Publishing Office]" in document.preamble


def test_news_page_leaves_less_than_the_scraped_seed(tmp_path: Path) -> None:
    """The bundled seed is what a scraper left of a news page; the page itself reads cleaner."""
    from annotator.resources import sample_transcript
    from annotator.transcript import parse_transcript

    seed = Path(sample_transcript()).read_text(encoding="utf-8")
    headline = seed.splitlines()[0]
    speech = [p for p in seed.split("\n\n")[4:] if "ORGANIZATIONS" not in p and p.strip()]
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in speech)
    organizations = (
        '<aside class="orgs"><h3>ORGANIZATIONS IN THIS STORY</h3><ul>'
        '<li><a href="/org/state">U.S. Department of State</a></li></ul></aside>'
    )
    page = tmp_path / "story.html"
    page.write_text(
        f"""<html><head><title>{html.escape(headline)}</title>
<meta property="article:published_time" content="2024-07-28"></head><body>
<header><nav><a href="/">News</a> <a href="/world">World</a></nav></header>
<article><h1>{html.escape(headline)}</h1>
<figure><img src="/i/pnb30s3h1bb2k1l4v1say2y80h1k.webp" alt="Webp pnb30s3h1bb2k1l4v1say2y80h1k">
</figure>
<div class="byline">By <a href="/people/hogan">Dereck J. Hogan</a>, Executive Secretary</div>
{organizations}
{paragraphs}
{organizations}
</article><footer>Copyright 2024 Newsroom. All rights reserved.</footer></body></html>""",
        encoding="utf-8",
    )
    document = read_extracted(page)
    plain = parse_transcript(sample_transcript())
    assert [t.speaker for t in document.turns] == [t.speaker for t in plain.turns]
    assert [turns_of(document)] == [turns_of(plain)]
    assert document.title == headline
    assert "2024-07-28" in document.preamble
    for leftover in ("ORGANIZATIONS IN THIS STORY", "Webp"):
        assert leftover in seed and leftover not in document.text
    assert "All rights reserved" not in document.text
    assert document.text.count(headline) == 1 < seed.count(headline)


def test_paragraphs_lost_beside_kept_ones_are_reported() -> None:
    from annotator.extract.html import left_out

    article, footer = object(), object()
    paragraphs = [
        (article, "MR. HALE: The berth opens on Monday, as the minister said."),
        (article, "MS. ROOK: And the dredging, when does the dredging start?"),
        (footer, "Copyright the publisher, all rights reserved, cookie settings apply."),
    ]
    kept = "MR. HALE: The berth opens on Monday, as the minister said.\n"
    # The lost answer is reported; the footer, in a container of its own, is not.
    assert left_out(paragraphs, kept) == [paragraphs[1][1]]
    assert left_out(paragraphs, kept + paragraphs[1][1]) == []


def test_page_without_main_text_is_one_line_error(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title>Remarks</title></head><body> </body></html>")
    with pytest.raises(TranscriptError, match=r"empty\.html: no main text"):
        extract_file(page)


# --- Word ---------------------------------------------------------------------


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_word_file_with_bold_labels_reads_turn_for_turn(name: str, tmp_path: Path) -> None:
    path = build_docx(source_of(name), tmp_path / f"{Path(name).stem}.docx")
    document = read_extracted(path)
    assert turns_of(document) == _truth()[name]
    check_offsets(document, path)


def test_bold_run_without_colon_is_a_speaker_label(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("Remarks to the press")
    for speaker, text in (
        ("MINISTER OKAFOR", " We have agreed on a text."),
        ("Ms. Lindqvist", " Thank you. It was a long night."),
        ("MINISTER OKAFOR", " And a good one."),
    ):
        paragraph = word.add_paragraph()
        paragraph.add_run(speaker).bold = True
        paragraph.add_run(text)
    # A label set as a paragraph of its own, the speech in the next one.
    word.add_paragraph().add_run("AMBASSADOR REYES").bold = True
    word.add_paragraph("We welcome the agreement.")
    # Bold emphasis that is not a name is left alone.
    emphasis = word.add_paragraph()
    emphasis.add_run("Note").bold = True
    emphasis.add_run(" the vote is on Friday.")
    path = tmp_path / "bold.docx"
    word.save(str(path))
    document = read_extracted(path)
    assert [turn.speaker for turn in document.turns] == [
        "MINISTER OKAFOR",
        "Ms. Lindqvist",
        "MINISTER OKAFOR",
        "AMBASSADOR REYES",
    ]
    assert document.turns[3].text.startswith("We welcome the agreement.")
    assert "Note the vote is on Friday." in document.turns[3].text
    assert any("had no colon" in warning for warning in document.warnings)


def test_word_table_of_speaker_and_text(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    table = word.add_table(rows=2, cols=2)
    for row, (speaker, text) in zip(
        table.rows, (("CHAIR", "The meeting is open."), ("Mr. Osei", "Thank you.")), strict=True
    ):
        row.cells[0].text = speaker
        row.cells[1].text = text
    path = tmp_path / "table.docx"
    word.save(str(path))
    document = read_extracted(path)
    assert turns_of(document) == [("CHAIR", "The meeting is open."), ("Mr. Osei", "Thank you.")]


# --- PDF ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.mark.slow
@needs_shared
@needs_font
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "layout",
    [PdfLayout(line_numbers=True), PdfLayout(columns=2)],
    ids=["numbered-lines", "two-columns"],
)
def test_pdf_with_page_furniture_reads_turn_for_turn(
    name: str, layout: PdfLayout, pdf_dir: Path
) -> None:
    kind = "two-columns" if layout.columns == 2 else "numbered-lines"
    path = pdf_dir / f"{Path(name).stem}-{kind}.pdf"
    pages = build_pdf(source_of(name), path, layout)
    document = read_extracted(path)
    assert turns_of(document) == _truth()[name]
    check_offsets(document, path)
    assert document.text.count("\f") == pages - 1
    # Running heads, page numbers and line numbers are not text to label.
    assert "Official Transcript of Proceedings" not in document.text
    assert f"Page 2 of {pages}" not in document.text
    warnings = "\n".join(document.warnings)
    assert "removed the running head 'March N, N Official Transcript" in warnings
    assert f"from {pages} pages" in warnings
    if layout.line_numbers:
        assert f"removed line numbers on {pages} pages" in warnings
    else:
        assert "pages in two columns, left column first" in warnings


@needs_font
def test_page_break_inside_a_sentence_leaves_one_sentence(tmp_path: Path) -> None:
    from annotator.segment import load_pipeline, segment_documents

    sentence = (
        "Sentence {} says that the committee will continue to monitor the implications of "
        "incoming information for the economic outlook and will act as appropriate."
    )
    speech = "CHAIR POWELL: Good evening. " + " ".join(sentence.format(i) for i in range(14))
    source = Source("Press Conference", "", [speech, "Q: Thank you. What happens next?"])
    path = tmp_path / "break.pdf"
    assert build_pdf(source, path, PdfLayout(line_numbers=True)) == 2
    document = read_extracted(path)
    (document,) = segment_documents([document], load_pipeline())
    sentences = [s.text for s in document.turns[0].sentences]
    across = [s for s in sentences if "\f" in s]
    assert len(across) == 1, "the sentence that runs over the page break is one sentence"
    assert all(" ".join(s.split()).endswith(".") for s in sentences)
    assert len(sentences) == 15
    assert "Page 1 of 2" not in across[0] and "Official Transcript" not in across[0]
    assert [turn.speaker for turn in document.turns] == ["CHAIR POWELL", "Q"]


@needs_font
def test_scanned_pdf_is_one_line_error(tmp_path: Path) -> None:
    path = build_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(TranscriptError) as raised:
        extract_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "no text layer" in message
    assert "\n" not in message


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html"])
def test_damaged_file_is_one_line_error_naming_it(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"\x00\x01PK\x03\x04 not really" * 10 if suffix != ".html" else b"")
    with pytest.raises(TranscriptError) as raised:
        extract_file(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert "\n" not in str(raised.value)


def test_missing_extra_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "remarks.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setitem(sys.modules, "pypdf", None)  # ``import pypdf`` now fails
    with pytest.raises(TranscriptError, match=r"needs the 'pdf' extra.*annotator\[pdf\]"):
        extract_file(path)


# --- page furniture, unit by unit ------------------------------------------------------


WORDS = ("some", "other", "many", "few", "long", "short", "plain", "odd")


def test_running_heads_page_and_line_numbers_are_removed() -> None:
    pages = [
        [
            "Senate Committee on Finance   Page " + str(n),
            *[f"{i}  {word} words on page {name}" for i, word in enumerate(WORDS, start=1)],
            f"- {n} -",
        ]
        for n, name in enumerate(("one", "two", "three", "four"), start=1)
    ]
    cleaned, report = strip_page_furniture(pages)
    assert cleaned[0] == [f"{word} words on page one" for word in WORDS]
    assert report.line_numbered_pages == 4
    assert report.page_numbers == 4
    assert sum(report.running.values()) == 4


def test_a_line_repeated_on_few_pages_is_kept() -> None:
    pages = [["Opening", "Q: Why?", "A: Because."], ["Q: Why?", "More text here."]]
    pages += [[f"Text of page {word}.", f"{word.title()} words."] for word in WORDS[:4]]
    cleaned, report = strip_page_furniture(pages)
    assert "Q: Why?" in cleaned[0]
    assert not report.running


def test_hyphenated_line_ends_are_joined_across_pages() -> None:
    pages = [
        ["The agreement is a well-known text and a govern-", "ment decision, and a well-"],
        ["known one; the decision was unani-"],
        ["mous. The Vote-", "Counting follows."],
    ]
    joined, report = join_hyphenated(pages)
    assert joined == [
        ["The agreement is a well-known text and a government", "decision, and a well-known"],
        ["one; the decision was unanimous."],
        ["The Vote-", "Counting follows."],
    ]
    assert report.hyphens_joined == 3


# --- through the command line and folders ---------------------------------------------


def _json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.slow
@needs_shared
@needs_font
def test_extract_writes_the_text_that_parse_and_import_read(tmp_path: Path) -> None:
    name = "03_wh-background-call-sao.txt"
    pdf = tmp_path / "call.pdf"
    build_pdf(source_of(name), pdf, PdfLayout(columns=2))
    out = tmp_path / "call.txt"
    extracted = run_cli("extract", pdf, "-o", out, cwd=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    assert "running head" in extracted.stderr
    parsed_pdf = run_cli("parse", pdf, cwd=tmp_path)
    parsed_txt = run_cli("parse", out, cwd=tmp_path)
    assert parsed_pdf.returncode == 0 == parsed_txt.returncode, parsed_pdf.stderr
    (from_pdf,) = _json_lines(parsed_pdf.stdout)
    (from_txt,) = _json_lines(parsed_txt.stdout)
    assert from_pdf["source"] == str(pdf)
    assert [(t["speaker"], t["start"], t["end"]) for t in from_pdf["turns"]] == [
        (t["speaker"], t["start"], t["end"]) for t in from_txt["turns"]
    ]
    assert [(t["speaker"], " ".join(t["text"].split()[:6])) for t in from_pdf["turns"]] == (
        _truth()[name]
    )
    corpus = tmp_path / "corpus.jsonl"
    imported = run_cli("import", pdf, "-o", corpus, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    record = json.loads(corpus.read_text(encoding="utf-8").splitlines()[1])
    assert record["text"] == out.read_text(encoding="utf-8")
    assert record["source"] == str(pdf)


@needs_font
def test_scanned_pdf_through_the_cli_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = build_scanned_pdf(tmp_path / "scan.pdf")
    for command in (["parse", path], ["extract", path], ["import", path, "-o", "c.jsonl"]):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "scan.pdf: the PDF has no text layer" in line


@needs_shared
def test_folder_of_mixed_files_reads_each_with_its_own_id(tmp_path: Path) -> None:
    name = "01_wh-press-gaggle-dalton.txt"
    (tmp_path / "gaggle.txt").write_text(
        (TRANSCRIPTS / name).read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "gaggle.html").write_text(build_html(source_of(name)), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    build_docx(source_of(name), tmp_path / "sub" / "gaggle.docx")
    documents = list(read_documents([tmp_path]))
    assert [d.id for d in documents] == ["gaggle.html", "gaggle", "sub/gaggle"]
    assert all(turns_of(d) == _truth()[name] for d in documents)
    assert documents[0].source == str(tmp_path / "gaggle.html")


def test_speech_lines_alike_but_for_their_numbers_are_never_running_heads() -> None:
    """Speakers who say the same thing with another number at the same place on each
    page (``Point 1 of my statement``...) lost those lines as 'running heads', and the
    report counted a head on 6 pages of a 3-page file."""
    pages = []
    for page in range(3):
        lines = [f"HARBOUR COMMITTEE - {page + 10} May 2024"]
        for n in range(page * 10, page * 10 + 10):
            lines.append(f"Mr. OKAFOR. Thank you, Chair. Point {n} of my statement concerns it.")
            lines.append(f"The CHAIRMAN. Thank you. The committee notes point {n}.")
        lines.append(f"Page {page + 1} of 3")
        pages.append(lines)
    cleaned, report = strip_page_furniture(pages)
    kept = [line for page in cleaned for line in page]
    assert sum("of my statement" in line for line in kept) == 30
    assert sum("committee notes point" in line for line in kept) == 30
    assert not any(line.startswith("HARBOUR COMMITTEE") for line in kept)
    assert all(pages_removed <= 3 for pages_removed in report.running.values()), report.running
