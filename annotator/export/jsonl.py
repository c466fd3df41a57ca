"""``--format jsonl``: one JSON object per decided sentence (the reference export).

The fields are those of ``SentenceRecord.to_dict``; the csv and parquet
exports hold exactly the same values, so any of the three can be used. The
label set (order, definitions, exclusivity) goes beside it in ``OUT.labels.json``.
"""

from __future__ import annotations

from pathlib import Path

from annotator.export._files import Written, atomic_output, json_line, write_label_sidecar
from annotator.export.dataset import Dataset, ExportOptions


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write ``dataset`` as JSON Lines to ``out`` (``-``: stdout), the label set beside it."""
    with atomic_output(out) as handle:
        handle.writelines(json_line(record.to_dict(options)) for record in dataset.stream())
    written = Written([out])
    write_label_sidecar(dataset, out, written)
    return written
