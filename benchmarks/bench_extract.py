"""How fast web pages and PDFs are read: prints one table.

Run from the repository root: ``.venv/bin/python benchmarks/bench_extract.py``.
The files are built as the tests build them (``tests/extract_builders.py``)
from the shared transcripts in ``../shared/corpora`` (never copied into this
repository): PDFs of 100 pages with running heads, page and line numbers, one
column and two columns written row by row; web pages with site navigation,
share bars, related stories, a footer and a cookie banner. Rows:

- PDF pages per second through ``annotator.extract`` (pypdf layout mode, column
  order, furniture), and, for comparison, pypdf's plain ``extract_text`` and
  pdfplumber's ``extract_text`` when pdfplumber is installed (neither of the
  two reads the row-by-row columns in order or removes furniture);
- HTML pages per second through ``annotator.extract`` (trafilatura), built pages
  and, with ``--pages DIR``, a folder of real saved pages;
- the import of the 100-page PDF: extraction, the transcript reader and sentence
  splitting (what ``annotator import`` does), in seconds and pages per second.

Each figure is the best of a few passes, since other work on the machine slows
single passes down.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from extract_builders import (  # noqa: E402
    FONT,
    PdfLayout,
    Source,
    build_html,
    build_pdf,
    split_source,
)

from annotator.extract import extract_file, read_extracted  # noqa: E402

SHARED = REPO.parent / "shared" / "corpora"
FOLDERS = (SHARED / "transcripts", SHARED / "whole-transcripts")
PASSES = 3
PDF_PAGES = 100


def best(run: Callable[[], object], passes: int = PASSES) -> float:
    """The fastest of a few runs, in seconds."""
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def sources() -> list[Source]:
    files = sorted(p for folder in FOLDERS for p in folder.glob("*.txt"))
    return [split_source(path.read_text(encoding="utf-8")) for path in files]


def hundred_pages(all_sources: list[Source]) -> Source:
    """One long source from all the transcripts, about 100 pages once laid out."""
    paragraphs = [p for source in all_sources for p in source.paragraphs]
    return Source("Hearing", "", paragraphs * 2)


def build_hundred_page_pdf(source: Source, path: Path, layout: PdfLayout) -> int:
    """Lay out as many paragraphs as fill 100 pages (the last one may be short)."""
    low, high = 1, len(source.paragraphs)
    while low < high:
        # Fewest paragraphs that reach page 100; a page holds 25 lines per column.
        middle = (low + high) // 2
        pages = build_pdf(Source(source.title, "", source.paragraphs[:middle]), path, layout)
        if pages >= PDF_PAGES:
            high = middle
        else:
            low = middle + 1
    return build_pdf(Source(source.title, "", source.paragraphs[:low]), path, layout)


def _pypdf(path: Path) -> None:
    import pypdf

    for page in pypdf.PdfReader(str(path)).pages:
        page.extract_text()


def _plumber(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def pdf_rows(folder: Path, all_sources: list[Source]) -> list[tuple[str, int, float]]:
    rows: list[tuple[str, int, float]] = []
    long = hundred_pages(all_sources)
    for name, layout in (
        ("one column, line numbers", PdfLayout(line_numbers=True)),
        ("two columns", PdfLayout(columns=2)),
    ):
        path = folder / f"{name.split()[0]}.pdf"
        pages = build_hundred_page_pdf(long, path, layout)
        rows.append(
            (f"PDF, {name}: annotator.extract", pages, best(lambda p=path: extract_file(p)))
        )
        rows.append((f"PDF, {name}: pypdf plain text only", pages, best(lambda p=path: _pypdf(p))))
        try:
            import pdfplumber  # noqa: F401
        except ImportError:
            continue
        rows.append(
            (f"PDF, {name}: pdfplumber text only", pages, best(lambda p=path: _plumber(p), 1))
        )
    return rows


def html_rows(
    folder: Path, all_sources: list[Source], real: Path | None
) -> list[tuple[str, int, float]]:
    pages = []
    for number, source in enumerate(all_sources):
        path = folder / f"page{number}.html"
        path.write_text(build_html(source), encoding="utf-8")
        pages.append(path)

    def read(paths: list[Path]) -> Callable[[], None]:
        def run() -> None:
            for path in paths:
                # A real page with no main text (an error) still counts as read.
                with contextlib.suppress(Exception):
                    extract_file(path)

        return run

    rows = [("HTML, built pages in site boilerplate", len(pages), best(read(pages)))]
    if real is not None:
        saved = sorted(p for p in real.iterdir() if p.suffix.lower() in (".html", ".htm"))
        rows.append((f"HTML, saved pages in {real.name}/", len(saved), best(read(saved), 1)))
    return rows


def import_row(folder: Path) -> tuple[str, int, float]:
    """Extraction, turns and sentences of the 100-page PDF, as ``annotator import`` runs them."""
    from annotator.segment import load_pipeline, segment_documents

    path = folder / "one.pdf"
    nlp = load_pipeline()

    def run() -> None:
        list(segment_documents([read_extracted(path)], nlp))

    pages = extract_file(path).pages
    return ("import of the 100-page PDF (extract, parse, sentences)", pages, best(run))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, help="a folder of real saved web pages to add")
    args = parser.parse_args()
    if not all(folder.is_dir() for folder in FOLDERS) or not FONT.exists():
        print("bench_extract: needs ../shared/corpora and the DejaVu fonts")
        return 1
    all_sources = sources()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = pdf_rows(folder, all_sources)
        rows += html_rows(folder, all_sources, args.pages)
        rows.append(import_row(folder))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'what':<{width}}  {'pages':>5}  {'seconds':>8}  {'pages/s':>8}")
    for name, pages, seconds in rows:
        print(f"{name:<{width}}  {pages:>5}  {seconds:>8.2f}  {pages / seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
