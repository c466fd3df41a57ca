"""``--format labelstudio``: JSON tasks for a Label Studio text-classification project.

Each task carries the sentence in ``data.text`` and its provenance beside it
(``sentence_id``, document, speaker, turn, offsets; never a key Label Studio
uses itself, such as ``id`` or ``annotator``), and one annotation per analyst.
An annotation's ``result`` holds the chosen labels (``label``), the analyst's
note (``note``, a TextArea), the review flag (``flag``) and the analyst's name
(``analyst``), so all four show in the labelling view and survive Label
Studio's own JSON, JSON_MIN and CSV exports. The matching labelling config is
written beside the tasks (``OUT.xml``): speaker, document and turn above the text.

Label Studio credits an annotation to an existing user (``completed_by``).
``--ls-user NAME=ID`` or ``NAME=EMAIL`` maps an analyst to a user; analysts not
mapped are credited to user 1, the first account of any Label Studio, so a
fresh instance imports the file as it is, and the ``analyst`` field says who
really decided.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.export._files import Written, atomic_output, json_text
from annotator.export.dataset import AnnotatorLabels, Dataset, ExportOptions, SentenceRecord

#: ``from_name`` and ``to_name`` of every result; the config below declares them.
CHOICES_NAME = "label"
TEXT_NAME = "text"
NOTE_NAME = "note"
FLAG_NAME = "flag"
ANALYST_NAME = "analyst"
#: The one choice of the ``flag`` control.
FLAGGED = "flagged for review"
#: Label Studio's first user: who unmapped analysts are credited to.
DEFAULT_USER = 1


def _heading(record: SentenceRecord) -> str:
    """What the labelling view shows above a sentence; turns counted from 1 as the
    annotation screen counts them (the ``turn`` field keeps the 0-based index)."""
    return f"{record.speaker} \u00b7 {record.document} \u00b7 turn {record.turn + 1}"


def _region(from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"from_name": from_name, "to_name": TEXT_NAME, "type": kind, "value": value}


def _result(annotation: AnnotatorLabels) -> list[dict[str, Any]]:
    """The regions of one analyst's annotation, as Label Studio stores a submitted one."""
    # "No label applies" has no choices region, as Label Studio itself stores it.
    result = []
    if annotation.labels:
        result.append(_region(CHOICES_NAME, "choices", {"choices": list(annotation.labels)}))
    if annotation.note:
        result.append(_region(NOTE_NAME, "textarea", {"text": [annotation.note]}))
    if annotation.flag:
        result.append(_region(FLAG_NAME, "choices", {"choices": [FLAGGED]}))
    result.append(_region(ANALYST_NAME, "textarea", {"text": [annotation.annotator]}))
    return result


def user_ref(user: int | str) -> int | dict[str, str]:
    """``completed_by`` for a user id, or for an e-mail address (``{"email": ...}``)."""
    return {"email": user} if isinstance(user, str) else user


def labelstudio_task(
    record: SentenceRecord, users: dict[str, int | str], options: ExportOptions
) -> dict[str, Any]:
    """One Label Studio task with the analysts' answers as annotations."""
    origin = record.origin()
    data: dict[str, Any] = {
        TEXT_NAME: record.text,
        "sentence_id": origin.pop("id"),
        **origin,
        "heading": _heading(record),
        **record.context(options),
    }
    annotations = [
        {
            "completed_by": user_ref(users.get(annotation.annotator, DEFAULT_USER)),
            "result": _result(annotation),
            "was_cancelled": False,
            "ground_truth": annotation.annotator == options.gold_annotator,
            "created_at": annotation.time or None,
            "updated_at": annotation.time or None,
        }
        for annotation in record.annotations
    ]
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
        '  <Header value="$heading" size="5"/>',
        f'  <Text name="{TEXT_NAME}" value="${TEXT_NAME}"/>',
        f'  <Choices name="{CHOICES_NAME}" toName="{TEXT_NAME}" choice="{choice}"'
        ' showInLine="false">',
        *(f"    <Choice value={quoteattr(name)}/>" for name in labels),
        "  </Choices>",
        '  <Header value="Note" size="6"/>',
        f'  <TextArea name="{NOTE_NAME}" toName="{TEXT_NAME}" rows="2" maxSubmissions="1"'
        ' editable="true"/>',
        f'  <Choices name="{FLAG_NAME}" toName="{TEXT_NAME}" choice="multiple">',
        f"    <Choice value={quoteattr(FLAGGED)}/>",
        "  </Choices>",
        '  <Header value="Analyst" size="6"/>',
        f'  <TextArea name="{ANALYST_NAME}" toName="{TEXT_NAME}" rows="1" maxSubmissions="1"/>',
        "</View>",
    ]
    return "\n".join(lines) + "\n"


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write the tasks (a JSON list) to ``out`` and the labelling config to ``OUT.xml``."""
    users = dict(options.labelstudio_users)
    with atomic_output(out) as handle:
        # A JSON list written a task per line as the records are made.
        separator = "[\n"
        for record in dataset.stream():
            handle.write(separator + json_text(labelstudio_task(record, users, options)))
            separator = ",\n"
        handle.write("[]\n" if separator == "[\n" else "\n]\n")
    config = config_path(out)
    with atomic_output(config) as handle:
        handle.write(label_config(dataset.labels, dataset.exclusive))
    notes = [
        f"Label Studio: create a project with {config.name} as its labelling config "
        f"(Settings > Labeling Interface > Code), then import {out.name}",
    ]
    mapped = [name for name in dataset.annotators if name in users]
    unmapped = [name for name in dataset.annotators if name not in users]
    if mapped:
        notes.append(
            "Label Studio users (completed_by): "
            + ", ".join(f"{name}={users[name]}" for name in mapped)
            + " (each must exist in Label Studio before the import)"
        )
    if unmapped:
        notes.append(
            f"credited to Label Studio user {DEFAULT_USER} (its first account), the analyst "
            f"named in each annotation's 'analyst' field: {', '.join(unmapped)}; "
            "credit them to their own accounts with --ls-user NAME=ID or NAME=EMAIL"
        )
    return Written([out, config], notes)


def config_path(out: Path) -> Path:
    """Where the labelling config goes: beside the tasks, with ``.xml``."""
    return out.with_suffix(".xml")
