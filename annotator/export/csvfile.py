"""``--format csv``: the jsonl fields as columns, for Excel, R and spreadsheets.

Labels appear twice: joined in one ``labels`` column (separated by ``|``)
and as one ``label_NAME`` column per label holding 0 or 1, the shape that
regression and cross-tabulation want. List fields are joined with ``|``;
the per-annotator decisions are kept as a JSON string. The file is UTF-8
with a byte order mark, so Excel shows non-English text correctly; R's
``readr::read_csv`` and Python's ``csv`` (``encoding="utf-8-sig"``) read it
unchanged. The label set goes beside it in ``OUT.labels.json``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import srsly

from annotator.export._files import Written, atomic_output, write_label_sidecar
from annotator.export.records import Dataset, ExportOptions, SentenceRecord

#: Separator of list values inside one cell.
JOIN = "|"
LABEL_PREFIX = "label_"


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
        "time",
        "annotations",
    ]
    if options.context:
        columns += ["context_before", "context_after"]
    if options.turn_text:
        columns.append("turn_text")
    return columns


def csv_row(record: SentenceRecord, labels: tuple[str, ...], options: ExportOptions) -> list[Any]:
    """One row, in the order of ``csv_columns``; booleans as 0/1 so R and Excel can sum them."""
    chosen = set(record.labels)
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
        JOIN.join(record.labels),
        *(1 if name in chosen else 0 for name in labels),
        record.note or "",
        int(record.flag),
        JOIN.join(record.annotators),
        int(record.agreement),
        record.time,
        srsly.json_dumps([a.to_dict() for a in record.annotations]),
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
        writer.writerows(csv_row(record, labels, options) for record in dataset.records)
    written = Written([out])
    write_label_sidecar(dataset, out, written)
    return written
