"""``--format labelstudio``: JSON tasks for a Label Studio text-classification project.

Each task carries the sentence in ``data.text`` (and its provenance beside
it, so nothing needs re-joining later) and one annotation per annotator whose
``result`` is a single ``choices`` region. Label Studio identifies annotators
by numeric user id (``completed_by``): ids are given 1, 2, ... to annotators in
alphabetical order unless mapped with ``--ls-user NAME=ID``. The matching
labelling config is written beside the tasks (``OUT.xml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import srsly

from annotator.export._files import Written, atomic_output
from annotator.export.records import Dataset, ExportOptions, SentenceRecord

#: ``from_name`` and ``to_name`` of every result; the config below declares them.
CHOICES_NAME = "label"
TEXT_NAME = "text"


def labelstudio_task(
    record: SentenceRecord, users: dict[str, int], options: ExportOptions
) -> dict[str, Any]:
    """One Label Studio task with the annotators' choices as annotations."""
    data: dict[str, Any] = {TEXT_NAME: record.text, **record.origin(), **record.context(options)}
    annotations = []
    for annotation in record.annotations:
        # "No label applies" is an annotation with an empty result, as Label Studio
        # itself stores a submitted task with nothing selected.
        result = (
            [
                {
                    "from_name": CHOICES_NAME,
                    "to_name": TEXT_NAME,
                    "type": "choices",
                    "value": {"choices": list(annotation.labels)},
                }
            ]
            if annotation.labels
            else []
        )
        annotations.append(
            {
                "completed_by": users[annotation.annotator],
                "result": result,
                "was_cancelled": False,
                "ground_truth": annotation.annotator == options.gold_annotator,
                "created_at": annotation.time or None,
                "updated_at": annotation.time or None,
            }
        )
    meta: dict[str, Any] = {
        "annotators": list(record.annotators),
        "flag": record.flag,
        "note": record.note,
    }
    return {"data": data, "annotations": annotations, "meta": meta}


def label_config(labels: tuple[str, ...], exclusive: bool) -> str:
    """The labelling config (XML) whose names match the exported results."""
    choice = "single" if exclusive else "multiple"
    lines = [
        "<View>",
        f'  <Text name="{TEXT_NAME}" value="${TEXT_NAME}"/>',
        f'  <Choices name="{CHOICES_NAME}" toName="{TEXT_NAME}" choice="{choice}"'
        ' showInLine="false">',
        *(f"    <Choice value={quoteattr(name)}/>" for name in labels),
        "  </Choices>",
        "</View>",
    ]
    return "\n".join(lines) + "\n"


def user_ids(annotators: list[str], mapping: dict[str, int]) -> dict[str, int]:
    """Numeric Label Studio user ids: those given, then 1, 2, ... skipping ids in use."""
    ids = dict(mapping)
    taken = set(ids.values())
    next_id = 1
    for name in sorted(annotators):
        if name in ids:
            continue
        while next_id in taken:
            next_id += 1
        ids[name] = next_id
        taken.add(next_id)
    return ids


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write the tasks (a JSON list) to ``out`` and the labelling config to ``OUT.xml``."""
    users = user_ids(dataset.annotators, dict(options.labelstudio_users))
    tasks = [labelstudio_task(record, users, options) for record in dataset.records]
    with atomic_output(out) as handle:
        handle.write(srsly.json_dumps(tasks, indent=1))
        handle.write("\n")
    config = config_path(out)
    with atomic_output(config) as handle:
        handle.write(label_config(dataset.labels, dataset.exclusive))
    used = ", ".join(f"{name}={users[name]}" for name in dataset.annotators)
    notes = [
        f"Label Studio: paste {config.name} as the labelling config, then import {out.name}",
    ]
    if used:
        notes.append(f"Label Studio user ids (completed_by): {used}")
    return Written([out, config], notes)


def config_path(out: Path) -> Path:
    """Where the labelling config goes: beside the tasks, with ``.xml``."""
    return out.with_suffix(".xml")
