"""``--format hf``: a Hugging Face ``datasets`` folder (``DatasetDict.save_to_disk``).

``datasets.load_from_disk(OUT)`` gives ``train`` and ``validation`` splits (by
sentence, stratified by label, or ``--split-by document``) with the columns of the
parquet export, typed, plus ``label_ids``: the labels as ``ClassLabel`` ids in the
label set's order (a ``Sequence`` of them for a multi-label set; one ``ClassLabel``
for an exclusive set, -1 where no label applies), so ``features["label_ids"]``
names every label, used or not. Needs the ``datasets`` package (the ``hf`` extra).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from annotator.errors import ExportError
from annotator.export._files import Written
from annotator.export.dataset import Dataset, ExportOptions
from annotator.export.spacy_docbin import split_counts, split_records


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write the splits into the folder ``out`` (replaced whole, only once complete)."""
    try:
        import datasets
    except ImportError:
        raise ExportError(
            "the hf export needs the 'datasets' package: pip install 'annotator[hf]'"
        ) from None
    import pyarrow as pa

    from annotator.export.parquet import records_table

    # The command prints its own summary; datasets' progress bars would only clutter it.
    datasets.disable_progress_bars()

    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: the hf export writes a folder; this is a file")
    names = list(dataset.labels)
    index = {name: i for i, name in enumerate(names)}
    if dataset.exclusive:
        label_feature: object = datasets.ClassLabel(names=names)
    else:
        label_feature = datasets.Sequence(datasets.ClassLabel(names=names))
    train, dev, note = split_records(dataset.records, options)
    splits = {}
    for split, records in (("train", train), ("validation", dev)):
        table = records_table(dataset, records, options)
        ids = [[index[n] for n in record.labels if n in index] for record in records]
        if dataset.exclusive:
            column = pa.array([row[0] if row else -1 for row in ids], pa.int64())
        else:
            column = pa.array(ids, pa.list_(pa.int64()))
        table = table.append_column("label_ids", column)
        # The Arrow types are already those of the features: no cast, no copy.
        features = datasets.Features.from_arrow_schema(table.schema)
        features["label_ids"] = label_feature
        splits[split] = datasets.Dataset(table, info=datasets.DatasetInfo(features=features))
    # Written beside the target and moved into place, so a failed export leaves
    # the previous folder (or none) and never half a dataset.
    staging = out.with_name(f".{out.name}.partial-hf")
    if staging.exists():
        raise ExportError(f"{staging}: left by an earlier export; remove it and try again")
    try:
        datasets.DatasetDict(splits).save_to_disk(str(staging))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"{out}: cannot write the dataset ({error.strerror})") from None
    notes = [
        f"hf: {len(train):,} train and {len(dev):,} validation sentences; "
        f"datasets.load_from_disk({str(out)!r})",
        split_counts(train, dev, names),
    ]
    if note:
        notes.insert(0, note)
    return Written([out], notes)
