"""``--format prodigy``: JSONL that ``prodigy db-in DATASET FILE`` accepts.

One task per sentence and annotator, as Prodigy stores answers from several
annotators of a ``choice`` task: ``options`` lists every label, ``accept``
the chosen ones, ``answer`` is ``accept`` (an empty ``accept`` means "no
label applies"). ``_input_hash`` depends on the text only and ``_task_hash``
on the text and the options, computed as the log computes them, so the same
sentence and label set always hash the same and Prodigy de-duplicates them.
They are not Prodigy's own hashes: to mix these answers with tasks Prodigy
made, load them with ``db-in --rehash``. A multi-label set gets
``"config": {"choice_style": "multiple"}`` so Prodigy shows check boxes, and
``_session_id`` is ``DATASET-ANNOTATOR`` as Prodigy names named sessions, so
``prodigy review`` sees one reviewer per analyst, however many sessions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.export._files import Written, atomic_output, is_stdout, json_line
from annotator.export.dataset import AnnotatorLabels, Dataset, ExportOptions, SentenceRecord
from annotator.log import input_hash, task_hash
from annotator.log.schema import unix_seconds


def dataset_name(out: Path, options: ExportOptions) -> str:
    """The Prodigy dataset: ``--prodigy-dataset``, else the output file's stem."""
    if options.prodigy_dataset:
        return options.prodigy_dataset
    return "annotations" if is_stdout(out) else out.stem


def prodigy_task(
    record: SentenceRecord,
    annotation: AnnotatorLabels,
    labels: tuple[str, ...],
    options: ExportOptions,
    dataset: str = "annotations",
    exclusive: bool = False,
) -> dict[str, Any]:
    """The Prodigy task of one annotator's answer on one sentence."""
    meta: dict[str, Any] = {
        "id": record.id,
        "document": record.document,
        "source": record.source,
        "turn": record.turn,
        "speaker": record.speaker,
        "start": record.start,
        "end": record.end,
    }
    if record.speaker_key is not None:
        meta["speaker_key"] = record.speaker_key
    if annotation.note:
        meta["note"] = annotation.note
    if annotation.session:
        meta["session"] = annotation.session
    task: dict[str, Any] = {
        "text": record.text,
        "options": [{"id": name, "text": name} for name in labels],
        "accept": list(annotation.labels),
        "answer": "accept",
        "_input_hash": input_hash(record.text),
        "_task_hash": task_hash(record.text, labels),
        "_view_id": "choice",
        "_annotator_id": annotation.annotator,
        "_session_id": f"{dataset}-{annotation.annotator}",
        "_timestamp": unix_seconds(annotation.time),
        "meta": meta,
        "config": {"choice_style": "single" if exclusive else "multiple"},
    }
    if annotation.flag:
        task["flagged"] = True
    task.update(record.context(options))
    return task


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write one Prodigy task per sentence and annotator."""
    labels = dataset.labels
    name = dataset_name(out, options)
    exclusive = dataset.exclusive
    count = 0
    with atomic_output(out) as handle:
        for record in dataset.stream():
            for annotation in record.annotations:
                task = prodigy_task(record, annotation, labels, options, name, exclusive)
                handle.write(json_line(task))
                count += 1
    target = "FILE" if is_stdout(out) else str(out)
    return Written(
        [out],
        [
            f"{count:,} Prodigy answers for dataset {name!r}; load with: "
            f"prodigy db-in {name} {target}",
            "add --rehash to db-in if the dataset will also hold tasks Prodigy made "
            "(these hashes are annotator's, not Prodigy's)",
        ],
    )
