"""``--format doccano``: JSONL for a doccano text-classification project.

doccano reads ``text`` and ``label`` (a list of names) and keeps every other
key as the example's metadata, so document, speaker and offsets travel with
the sentence and come back in doccano's own export.

What doccano does not keep: who chose a label (every label is credited to the
user who imports the file) and the difference between "no label applies" and
"not yet annotated" (an example with ``label: []`` looks untouched).
``--split-by annotator`` writes one file per analyst (``OUT.NAME.jsonl``, that
analyst's own labels, note and flag), to be imported by each analyst's own
doccano account, or into one project per analyst, so labels are credited.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import IO, Any

from annotator.errors import ExportError
from annotator.export._files import Written, atomic_output, json_line, refuse_to_overwrite
from annotator.export.dataset import AnnotatorLabels, Dataset, ExportOptions, SentenceRecord

# Characters safe in a file name on every system; anything else in an analyst id becomes "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def doccano_example(
    record: SentenceRecord, options: ExportOptions, annotation: AnnotatorLabels | None = None
) -> dict[str, Any]:
    """One doccano example: the agreed labels (or one analyst's), and where it comes from."""
    origin = record.origin()
    example: dict[str, Any] = {
        "text": record.text,
        "label": list(annotation.labels if annotation else record.labels),
        "id": origin.pop("id"),
        **origin,
        "annotators": [annotation.annotator] if annotation else list(record.annotators),
        "note": annotation.note if annotation else record.note,
        "flag": annotation.flag if annotation else record.flag,
        # doccano shows an example with no label as not annotated; this says it was decided.
        "decided": True,
        **record.context(options),
    }
    return example


def annotator_path(out: Path, annotator: str) -> Path:
    """``OUT.NAME.jsonl``: one analyst's file, with a name safe on any file system."""
    safe = _UNSAFE.sub("_", annotator).strip("._") or "annotator"
    return out.with_name(f"{out.stem}.{safe}{out.suffix or '.jsonl'}")


def _guidance(dataset: Dataset, split: bool) -> list[str]:
    labels = ", ".join(dataset.labels)
    notes = [
        "doccano: create a Text Classification project, then Dataset > Import, "
        f"file format JSONL, label column 'label' (labels: {labels})",
        "doccano keeps text, label and the other fields (document, speaker, turn, offsets, "
        "note, flag) as metadata; it does not keep who chose a label (all labels are "
        "credited to the importing user), and shows 'no label applies' sentences "
        "(label []) as not annotated ('decided': true marks them)",
    ]
    if not split and len(dataset.annotators) > 1:
        notes.append(
            f"{len(dataset.annotators)} analysts' labels were combined into one 'label'; "
            "--split-by annotator writes one file per analyst"
        )
    return notes


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write one doccano example per decided sentence (per analyst with ``--split-by``)."""
    if options.split_by != "annotator":
        with atomic_output(out) as handle:
            handle.writelines(
                json_line(doccano_example(record, options)) for record in dataset.stream()
            )
        return Written([out], _guidance(dataset, split=False))

    paths = {name: annotator_path(out, name) for name in dataset.annotators}
    if len(set(paths.values())) < len(paths):
        names = ", ".join(sorted(paths))
        raise ExportError(f"{out}: the analyst ids {names} give clashing file names")
    refuse_to_overwrite(paths.values(), options.force)
    counts: dict[str, int] = {}
    # The analysts' files open together (the records are read once, as they are made),
    # each on its analyst's first record: an analyst with none gets no file.
    with contextlib.ExitStack() as stack:
        handles: dict[str, IO[Any]] = {}
        for record in dataset.stream():
            for annotation in record.annotations:
                name = annotation.annotator
                target = handles.get(name)
                if target is None:
                    target = handles[name] = stack.enter_context(atomic_output(paths[name]))
                    counts[name] = 0
                target.write(json_line(doccano_example(record, options, annotation)))
                counts[name] += 1
    written = Written([paths[name] for name in counts], _guidance(dataset, split=True))
    written.notes += [
        f"{paths[name].name}: {count:,} sentences decided by {name}"
        for name, count in counts.items()
    ]
    return written
