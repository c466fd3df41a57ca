"""``--format doccano``: JSONL for a doccano text-classification project.

doccano reads ``text`` and ``label`` (a list of names) and keeps every other
key as the example's metadata, so document, speaker and offsets travel with
the sentence and come back in doccano's own export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly

from annotator.export._files import Written, atomic_output
from annotator.export.records import Dataset, ExportOptions


def doccano_example(record: Any, options: ExportOptions) -> dict[str, Any]:
    """One doccano example: the agreed labels, and where the sentence comes from."""
    origin = record.origin()
    example: dict[str, Any] = {
        "text": record.text,
        "label": list(record.labels),
        "id": origin.pop("id"),
        **origin,
        "annotators": list(record.annotators),
        "note": record.note,
        "flag": record.flag,
        **record.context(options),
    }
    return example


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write one doccano example per decided sentence."""
    dumps = srsly.json_dumps
    with atomic_output(out) as handle:
        handle.writelines(
            dumps(doccano_example(record, options)) + "\n" for record in dataset.records
        )
    notes = [
        "import in doccano as a Text Classification project, file format JSONL, "
        f"label column 'label'; create the labels first: {', '.join(dataset.labels)}"
    ]
    return Written([out], notes)
