"""Export annotation logs as datasets: a registry of formats, one module each.

``export_logs`` is the one entry point: it replays the logs into records
(``records.collect_dataset``), checks that nothing is overwritten without
``force``, and hands the records to the format's ``write``. Format modules are
imported only when used, so the spaCy and pyarrow imports cost nothing to the
other formats.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.errors import ExportError
from annotator.export._files import (
    STDOUT,
    Written,
    is_stdout,
    refuse_to_overwrite,
    sidecar_path,
)
from annotator.export.dataset import Dataset, ExportOptions, SentenceRecord
from annotator.export.records import collect_dataset
from annotator.inputs import shown
from annotator.memory import paused_gc
from annotator.model import Document, LabelSet

__all__ = [
    "FORMATS",
    "STDOUT",
    "Dataset",
    "ExportError",
    "ExportFormat",
    "ExportOptions",
    "ExportResult",
    "SentenceRecord",
    "collect_dataset",
    "export_dataset",
    "export_logs",
]


def _same(out: Path) -> list[Path]:
    return [out]


def _with_sidecar(out: Path) -> list[Path]:
    return [out] if is_stdout(out) else [out, sidecar_path(out)]


def _labelstudio_outputs(out: Path) -> list[Path]:
    return [out, out.with_suffix(".xml")]


def _spacy_outputs(out: Path) -> list[Path]:
    return [out / "train.spacy", out / "dev.spacy", out / "config.cfg"]


@dataclass(frozen=True)
class ExportFormat:
    """One output format: the module that writes it and the paths it will write."""

    name: str
    module: str
    description: str
    outputs: Callable[[Path], list[Path]] = _same
    #: Whether ``-o -`` (standard output) can take it: line formats only.
    streams: bool = False
    #: The ``--split-by`` values it understands (the first is its default).
    splits: tuple[str, ...] = ()
    #: A training set (spaCy, Hugging Face): a record is an example, its labels all
    #: there is (no labels = a negative), and a flag is read by nobody.
    trains: bool = False

    def writer(self) -> Callable[[Dataset, Path, ExportOptions], Written]:
        module = importlib.import_module(self.module)
        write: Callable[[Dataset, Path, ExportOptions], Written] = module.write
        return write


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            "annotator.export.jsonl",
            "one JSON record per decided sentence, labels.json beside it",
            _with_sidecar,
            streams=True,
        ),
        ExportFormat(
            "csv",
            "annotator.export.csvfile",
            "columns, one 0/1 column per label, labels.json beside it",
            _with_sidecar,
            streams=True,
        ),
        ExportFormat("parquet", "annotator.export.parquet", "typed table for pandas/datasets"),
        ExportFormat(
            "hf",
            "annotator.export.hf",
            "Hugging Face datasets folder, train/validation, ClassLabel ids (OUT is a folder)",
            splits=("sentence", "document"),
            trains=True,
        ),
        ExportFormat(
            "spacy",
            "annotator.export.spacy_docbin",
            "train/dev DocBins with doc.cats and a config.cfg (OUT is a folder)",
            _spacy_outputs,
            splits=("sentence", "document"),
            trains=True,
        ),
        ExportFormat(
            "prodigy",
            "annotator.export.prodigy",
            "JSONL for prodigy db-in (choice)",
            streams=True,
        ),
        ExportFormat(
            "doccano",
            "annotator.export.doccano",
            "JSONL for doccano classification (--split-by annotator: one file each)",
            streams=True,
            splits=("annotator",),
        ),
        ExportFormat(
            "labelstudio",
            "annotator.export.labelstudio",
            "JSON tasks and a labelling config (OUT.xml) for Label Studio",
            _labelstudio_outputs,
        ),
    )
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote and what it left out, for the CLI to report."""

    format: str
    files: tuple[Path, ...]
    records: int
    annotations: int
    left_out: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())


def get_format(name: str) -> ExportFormat:
    """The registered format ``name``, or an ``ExportError`` listing the formats."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(
            f"unknown export format {name!r}; choose one of: {', '.join(FORMATS)}"
        ) from None


def check_output(fmt: ExportFormat, out: Path, options: ExportOptions) -> None:
    """Refuse ``-o -`` for a format that is not a stream, and existing files without force."""
    if options.split_by and options.split_by not in fmt.splits:
        known = ", ".join(fmt.splits) if fmt.splits else "nothing"
        raise ExportError(f"--split-by {options.split_by}: {fmt.name} can be split by {known}")
    if is_stdout(out):
        if not fmt.streams:
            streaming = ", ".join(f.name for f in FORMATS.values() if f.streams)
            raise ExportError(f"-o -: {fmt.name} cannot go to standard output (only {streaming})")
        if options.split_by:
            raise ExportError("-o -: --split-by writes several files; give a file name")
    refuse_to_overwrite(fmt.outputs(out), options.force)


def export_dataset(
    dataset: Dataset, format_name: str, out: str | Path, options: ExportOptions
) -> ExportResult:
    """Write an already collected dataset in ``format_name`` to ``out``."""
    fmt = get_format(format_name)
    out_path = Path(out)
    check_output(fmt, out_path, options)
    # A folder that is not there is made (``-o exports/gold.csv``), and said, so a typo
    # in the path does not pass unseen.
    new_folder = not is_stdout(out_path) and not out_path.parent.exists()
    with paused_gc():
        written = fmt.writer()(dataset, out_path, options)
    notes = list(written.notes)
    if new_folder:
        notes.insert(0, f"made the folder {shown(out_path.parent)}, which was not there")
    if not dataset.count:
        notes.insert(0, "no decided sentences to export: the files hold no records")
    settled = dataset.settled()
    if set(settled) - {"single"}:
        # Several coders: say how each sentence's labels were reached.
        ways = ", ".join(f"{count:,} {status}" for status, count in sorted(settled.items()))
        notes.insert(0, f"labels settled: {ways}")
    if settled.get("unresolved"):
        notes.insert(
            1,
            f"{settled['unresolved']:,} sentences the coders disagree on are kept flagged with "
            'status "unresolved" (--unresolved exclude leaves them out)',
        )
    return ExportResult(
        format=fmt.name,
        files=tuple(written.files),
        records=dataset.count,
        annotations=dataset.annotations,
        left_out=tuple(dataset.left_out.messages()),
        notes=tuple(notes),
        warnings=tuple(dataset.warnings),
    )


def export_logs(
    log_paths: Sequence[str | Path],
    format_name: str,
    out: str | Path,
    *,
    documents: Iterable[Document] | None = None,
    label_set: LabelSet | None = None,
    options: ExportOptions | None = None,
) -> ExportResult:
    """Replay ``log_paths`` and write their decided sentences as ``format_name`` to ``out``.

    Checks the format and the output before reading anything, so a typo or an
    existing file fails fast.
    """
    options = options or ExportOptions()
    fmt = get_format(format_name)
    check_output(fmt, Path(out), options)
    if fmt.trains and options.unresolved == "flag":
        # Kept and flagged, a disagreement would train as a sentence with no label (or
        # with only the labels all agreed on): a negative example nobody chose.
        options = replace(options, unresolved="exclude")
    dataset = collect_dataset(log_paths, documents=documents, label_set=label_set, options=options)
    result = export_dataset(dataset, fmt.name, out, options)
    if fmt.trains and dataset.left_out.unresolved:
        note = (
            f"{fmt.name}: {dataset.left_out.unresolved:,} sentences the coders disagree on are "
            "left out: a training set would read them as labelled only with what all agreed "
            "on (--unresolved majority settles them by strict majority; adjudicate to decide)"
        )
        result = replace(result, notes=(note, *result.notes))
    return result
