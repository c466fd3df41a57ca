"""``--format spacy``: ``train.spacy`` and ``dev.spacy`` DocBins and a ``config.cfg``.

Every doc carries ``doc.cats`` with every label of the export (1.0 chosen,
0.0 not), which is what ``textcat_multilabel`` trains on; an exclusive label
set gets ``textcat`` instead (at most one 1.0 per doc). Sentences are split
into train and dev by *document*, shuffled with a seed, so sentences of one
briefing never land on both sides and inflate the dev score. The config is
spaCy's own quickstart config for that component, with no pretrained
vectors, pointing at the two files::

    python -m spacy train OUT/config.cfg --output OUT/model
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.export._files import Written, atomic_output
from annotator.export.records import Dataset, ExportError, ExportOptions, SentenceRecord

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin

TRAIN, DEV, CONFIG = "train.spacy", "dev.spacy", "config.cfg"
# Serialised empty span groups, the same for every tokenizer-only Doc.
_EMPTY_SPANS = b""


def textcat_component(dataset: Dataset) -> str:
    """``textcat`` when at most one label per sentence is possible, else ``textcat_multilabel``."""
    return "textcat" if dataset.exclusive else "textcat_multilabel"


def split_by_document(
    records: Sequence[SentenceRecord], dev_fraction: float, seed: int
) -> tuple[list[SentenceRecord], list[SentenceRecord], str | None]:
    """Train and dev records, whole documents on each side; a note if that was impossible."""
    documents = sorted({record.document for record in records})
    random.Random(seed).shuffle(documents)
    if dev_fraction <= 0 or not records:
        return list(records), [], None
    if len(documents) >= 2:
        n_dev = min(len(documents) - 1, max(1, round(len(documents) * dev_fraction)))
        dev_documents = set(documents[:n_dev])
        train = [r for r in records if r.document not in dev_documents]
        dev = [r for r in records if r.document in dev_documents]
        return train, dev, None
    # One document cannot be split by document; splitting its sentences still lets
    # `spacy train` run, and the user is told the dev score is optimistic.
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    n_dev = max(1, round(len(shuffled) * dev_fraction)) if len(shuffled) > 1 else 0
    note = (
        "only one document: train and dev were split by sentence, "
        "so the dev score will be optimistic"
    )
    return shuffled[n_dev:], shuffled[:n_dev], note


def _add_tokens_and_cats(docs: DocBin, doc: Doc, cats: dict[str, float]) -> None:
    """``DocBin.add`` for what text classification reads: tokens, spaces and cats.

    ``DocBin.add`` also walks every token to collect nine strings (tag, lemma,
    morph ...), all empty for a tokenizer-only Doc, which was over half of the
    export's time; the token texts are gathered once at the end instead
    (``_add_strings``). The DocBin's lists are filled exactly as ``add`` fills them.
    """
    import numpy
    from spacy.attrs import SPACY

    array = doc.to_array(list[int | str](docs.attrs))
    if len(array.shape) == 1:
        array = array.reshape((array.shape[0], 1))
    docs.tokens.append(array)
    spaces = doc.to_array(SPACY).reshape((-1, 1))
    docs.spaces.append(numpy.asarray(spaces, dtype=bool))
    docs.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
    docs.cats.append(cats)
    docs.span_groups.append(_EMPTY_SPANS)


def _add_strings(docs: DocBin, nlp: Language) -> None:
    """The text of every distinct token (the DocBin stores strings, not hashes)."""
    import numpy
    from spacy.attrs import ORTH

    if not docs.tokens:
        return
    orth = docs.attrs.index(ORTH)
    hashes = numpy.unique(numpy.concatenate([array[:, orth] for array in docs.tokens]))
    docs.strings.update(nlp.vocab.strings[int(value)] for value in hashes)


def write(dataset: Dataset, out: Path, options: ExportOptions) -> Written:
    """Write the DocBins and the training config into the folder ``out``."""
    import spacy
    from spacy.cli.init_config import init_config
    from spacy.tokens import Doc, DocBin

    from annotator.segment import make_doc

    global _EMPTY_SPANS

    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: the spacy export writes a folder; this is a file")
    try:
        nlp = spacy.blank(options.lang)
    except (ImportError, KeyError, ValueError) as error:
        raise ExportError(f"unknown spaCy language {options.lang!r} ({error})") from None
    if not _EMPTY_SPANS:
        _EMPTY_SPANS = Doc(nlp.vocab).spans.to_bytes()
    labels = dataset.labels
    train, dev, note = split_by_document(dataset.records, options.dev_fraction, options.seed)
    files: list[Path] = []
    for name, part in ((TRAIN, train), (DEV, dev)):
        # Tokens and cats are all textcat reads; skipping the empty tag, parse and
        # entity columns makes adding a doc about twice as fast.
        docs = DocBin(attrs=["ORTH", "SPACY"], store_user_data=False)
        # segment.make_doc keeps spaCy's tokenizer cache warm (it stops caching after a
        # special case such as "U.S."), several times faster than nlp.pipe here.
        for record in part:
            chosen = set(record.labels)
            cats = {label: 1.0 if label in chosen else 0.0 for label in labels}
            _add_tokens_and_cats(docs, make_doc(nlp, record.text), cats)
        _add_strings(docs, nlp)
        with atomic_output(out / name, binary=True) as handle:
            handle.write(docs.to_bytes())
        files.append(out / name)

    component = textcat_component(dataset)
    config = init_config(lang=options.lang, pipeline=[component], optimize="efficiency")
    # Absolute paths: `spacy train OUT/config.cfg` then works from any folder.
    config["paths"]["train"] = str((out / TRAIN).resolve())
    config["paths"]["dev"] = str((out / DEV).resolve())
    config["system"]["seed"] = options.seed
    with atomic_output(out / CONFIG) as handle:
        handle.write(config.to_str())
    files.append(out / CONFIG)

    n_train_docs = len({r.document for r in train})
    n_dev_docs = len({r.document for r in dev})
    notes = [
        f"spaCy {component}: {len(train):,} train sentences ({n_train_docs} documents), "
        f"{len(dev):,} dev sentences ({n_dev_docs} documents), labels: {', '.join(labels)}",
        f"train with: python -m spacy train {out / CONFIG} --output {out / 'model'}",
    ]
    if note:
        notes.insert(0, note)
    if not dev and dataset.records:
        notes.append("the dev set is empty: spacy train needs dev examples (--dev-fraction)")
    return Written(files, notes)
