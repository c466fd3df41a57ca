"""``--format csv``: the jsonl fields as columns, for Excel, R and spreadsheets.

Labels appear twice: joined in one ``labels`` column (separated by ``|``)
and as one ``label_NAME`` column per label holding 0 or 1, the shape that
regression and cross-tabulation want. List fields are joined with ``|``;
the per-annotator decisions are kept as a JSON string. The file is UTF-8
with a byte order mark, so Excel shows non-English text correctly; R's
``readr::read_csv`` and Python's ``csv`` (``encoding="utf-8-sig"``) read it
unchanged. The label set goes beside it in ``OUT.labels.json``.

Cells are data, never formulas: following OWASP's advice on CSV injection, a
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading ``'`` so a spreadsheet shows it instead of running it
(``--csv-raw`` writes cells unchanged, for programs that read CSV as data).
A ``|`` or ``\\`` inside a label or annotator name is escaped with ``\\``, so the
joined ``labels`` column still splits into the names it was made of.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.export._files import Written, atomic_output, json_text, write_label_sidecar
from annotator.export.dataset import Dataset, ExportOptions, SentenceRecord

#: Separator of list values inside one cell.
JOIN = "|"
LABEL_PREFIX = "label_"
#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset(FORMULA_STARTS)


def neutralise_row(row: list[Any]) -> list[Any]:
    """The row as a spreadsheet shows it as text: a text cell that starts a formula
    gets a leading quote (one comprehension: rows x columns calls add up)."""
    starts = _FORMULA_CHARS
    return ["'" + cell if type(cell) is str and cell[:1] in starts else cell for cell in row]


def neutralise(cell: Any) -> Any:
    """One cell as ``neutralise_row`` writes it."""
    return neutralise_row([cell])[0]


def join(values: Sequence[str]) -> str:
    """List values in one cell, ``|``-separated, each ``|`` and ``\\`` in them escaped."""
    joined = JOIN.join(values)
    if "\\" not in joined and joined.count(JOIN) == max(len(values) - 1, 0):
        return joined  # nothing to escape (the usual case)
    return JOIN.join(v.replace("\\", "\\\\").replace(JOIN, "\\" + JOIN) for v in values)


def csv_columns(dataset: Dataset, options: ExportOptions) -> list[str]:
    """The header row."""
    columns = [
        "id",
        "document",
        "source",
        "doc_hash",
        "turn",
        "speaker",
        "speaker_key",
        "start",
        "end",
        "text",
        "labels",
        *(LABEL_PREFIX + name for name in dataset.labels),
        "note",
        "flag",
        "annotators",
        "agreement",
        "status",
        "time",
        "annotations",
    ]
    if options.context:
        columns += ["context_before", "context_after"]
    if options.turn_text:
        columns.append("turn_text")
    return columns


def csv_row(record: SentenceRecord, labels: tuple[str, ...], options: ExportOptions) -> list[Any]:
    """One row, in the order of ``csv_columns``: the jsonl record's values, lists
    ``|``-joined, booleans as 0/1 so R and Excel can sum them."""
    note, flag, annotators, agreement, stamp = record.coding()
    chosen = record.labels
    row: list[Any] = [
        record.id,
        record.document,
        record.source,
        record.doc_hash,
        record.turn,
        record.speaker,
        record.speaker_key if record.speaker_key is not None else "",
        record.start,
        record.end,
        record.text,
        join(chosen),
        *(1 if name in chosen else 0 for name in labels),
        note or "",
        int(flag),
        join(annotators),
        "" if agreement is None else int(agreement),
        record.status,
        stamp,
        json_text([a.to_dict() for a in record.annotations]),
    ]
    if options.context:
        row += [record.context_before or "", record.context_after or ""]
    if options.turn_text:
        row.append(record.turn_text or "")
    return row


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write ``dataset`` as CSV (RFC 4180 quoting, CRLF line ends as Excel expects).

    ``-`` writes to stdout without the byte order mark, which pipes do not want.
    """
    with atomic_output(out, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_columns(dataset, options))
        labels = dataset.labels
        rows = (csv_row(record, labels, options) for record in dataset.stream())
        if options.csv_raw:
            writer.writerows(rows)
        else:
            writer.writerows(neutralise_row(row) for row in rows)
    written = Written([out])
    write_label_sidecar(dataset, out, written)
    return written
