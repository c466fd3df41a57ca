"""``--format parquet``: the jsonl records as a typed Apache Parquet table.

Read with ``pandas.read_parquet``, ``polars.read_parquet`` or
``datasets.load_dataset("parquet", data_files=...)``. Lists stay lists and the
per-annotator decisions are a list of structs, so the table holds the same
values as the jsonl export, row for row. Each label also has a boolean column
``label_NAME`` (as in the csv export), and the label set, in order and with
its definitions, is in the schema metadata under ``annotator.labels`` (JSON),
so a label nobody chose is still on record. pyarrow is imported only here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.errors import ExportError
from annotator.export._files import Written, atomic_output, json_text
from annotator.export.csvfile import LABEL_PREFIX
from annotator.export.dataset import Dataset, ExportOptions, SentenceRecord

#: The schema metadata key of the label set.
LABELS_KEY = b"annotator.labels"
#: Records per row group (and per batch held in memory while writing).
ROW_GROUP = 50_000


def parquet_schema(options: ExportOptions, dataset: Dataset | None = None) -> Any:
    """The Arrow schema; nullable where the jsonl export can hold null."""
    import pyarrow as pa

    annotation = pa.struct(
        [
            ("annotator", pa.string()),
            ("labels", pa.list_(pa.string())),
            ("note", pa.string()),
            ("flag", pa.bool_()),
            ("time", pa.string()),
            ("session", pa.string()),
        ]
    )
    fields = [
        ("id", pa.string()),
        ("document", pa.string()),
        ("source", pa.string()),
        ("doc_hash", pa.string()),
        ("turn", pa.int64()),
        ("speaker", pa.string()),
        ("speaker_key", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("labels", pa.list_(pa.string())),
        *((LABEL_PREFIX + name, pa.bool_()) for name in (dataset.labels if dataset else ())),
        ("note", pa.string()),
        ("flag", pa.bool_()),
        ("annotators", pa.list_(pa.string())),
        ("agreement", pa.bool_()),
        ("status", pa.string()),
        ("time", pa.string()),
        ("annotations", pa.list_(annotation)),
    ]
    if options.context:
        fields += [("context_before", pa.string()), ("context_after", pa.string())]
    if options.turn_text:
        fields.append(("turn_text", pa.string()))
    metadata = {LABELS_KEY: json_text(dataset.label_schema())} if dataset else None
    return pa.schema(fields, metadata=metadata)


def records_table(
    dataset: Dataset, records: Sequence[SentenceRecord], options: ExportOptions, schema: Any = None
) -> Any:
    """``records`` as an Arrow table with ``parquet_schema`` (also the hf export's rows)."""
    import pyarrow as pa

    schema = schema or parquet_schema(options, dataset)
    rows = [record.to_dict(options) for record in records]
    # Column-wise construction is several times faster than from_pylist for 100k rows.
    label_columns = {LABEL_PREFIX + name for name in dataset.labels}
    columns = {
        name: [row[name] for row in rows] for name in schema.names if name not in label_columns
    }
    for name in dataset.labels:
        columns[LABEL_PREFIX + name] = [name in row["labels"] for row in rows]
    return pa.Table.from_pydict(columns, schema=schema)


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write ``dataset`` as one Parquet file (zstd-compressed)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("the parquet export needs pyarrow: pip install pyarrow") from None
    schema = parquet_schema(options, dataset)
    # A row group per batch of records: memory follows the batch, not the dataset.
    with (
        atomic_output(out, binary=True) as handle,
        pq.ParquetWriter(handle, schema, compression="zstd") as writer,
    ):
        records = dataset.stream()
        while batch := list(itertools.islice(records, ROW_GROUP)):
            writer.write_table(records_table(dataset, batch, options, schema))
    return Written([out])
