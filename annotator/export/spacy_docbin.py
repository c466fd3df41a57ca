"""``--format spacy``: ``train.spacy`` and ``dev.spacy`` DocBins and a ``config.cfg``.

Every doc carries ``doc.cats`` with every label of the export (1.0 chosen,
0.0 not), which is what ``textcat_multilabel`` trains on; an exclusive label
set gets ``textcat`` instead (at most one 1.0 per doc), and ``doc.user_data``
with where the sentence comes from and who decided it (``SentenceRecord.user_data``).

Train and dev are split by sentence, stratified by label combination, so a
rare label has examples on both sides (``split_by="sentence"``, the command's
default); ``split_by="document"`` keeps each briefing whole on one side, so the
dev score is not inflated by sentences of a briefing seen in training. The
config is spaCy's own quickstart config for that component, with no
pretrained vectors; its paths are relative to its folder, so the folder can
be moved and trained from where it is::

    cd OUT && python -m spacy train config.cfg --output model
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from annotator.errors import ExportError
from annotator.export._files import Written, atomic_output
from annotator.export.dataset import Dataset, ExportOptions, SentenceRecord

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import DocBin

TRAIN, DEV, CONFIG = "train.spacy", "dev.spacy", "config.cfg"
# Serialised empty span groups, the same for every tokenizer-only Doc.
_EMPTY_SPANS = b""


def textcat_component(dataset: Dataset) -> str:
    """``textcat`` when at most one label per sentence is possible, else ``textcat_multilabel``."""
    return "textcat" if dataset.exclusive else "textcat_multilabel"


def split_by_sentence(
    records: Sequence[SentenceRecord], dev_fraction: float, seed: int
) -> tuple[list[SentenceRecord], list[SentenceRecord], str | None]:
    """Train and dev records, every label combination shared out in proportion.

    Each stratum (sentences with the same labels) is shuffled with ``seed``; the
    dev share of the running total is taken from it, so the dev set's size is the
    rounded ``dev_fraction`` of all sentences and each label's share in dev is as
    close to ``dev_fraction`` as whole sentences allow. Records keep their order.
    """
    if dev_fraction <= 0 or len(records) < 2:
        return list(records), [], None
    strata: dict[tuple[str, ...], list[int]] = {}
    for i, record in enumerate(records):
        strata.setdefault(tuple(sorted(record.labels)), []).append(i)
    rng = random.Random(seed)
    dev_index: set[int] = set()
    seen = 0
    # Largest strata first, so the rounding of small ones does not starve a big one.
    for key in sorted(strata, key=lambda k: (-len(strata[k]), k)):
        members = strata[key]
        rng.shuffle(members)
        seen += len(members)
        take = round(seen * dev_fraction) - len(dev_index)
        dev_index.update(members[: max(0, min(take, len(members)))])
    if not dev_index:
        dev_index.add(rng.randrange(len(records)))
    if len(dev_index) == len(records):
        dev_index.discard(min(dev_index))
    train = [r for i, r in enumerate(records) if i not in dev_index]
    dev = [r for i, r in enumerate(records) if i in dev_index]
    return train, dev, None


def split_records(
    records: Sequence[SentenceRecord], options: ExportOptions
) -> tuple[list[SentenceRecord], list[SentenceRecord], str | None]:
    """Train and dev as ``options.split_by`` asks (default: by document, see the module)."""
    if options.split_by == "sentence":
        return split_by_sentence(records, options.dev_fraction, options.seed)
    return split_by_document(records, options.dev_fraction, options.seed)


def split_counts(
    train: Sequence[SentenceRecord], dev: Sequence[SentenceRecord], labels: Sequence[str]
) -> str:
    """Each label's sentences in train and dev, such as ``commitment 12/3``."""
    counts = []
    for name in labels:
        n_train = sum(1 for r in train if name in r.labels)
        n_dev = sum(1 for r in dev if name in r.labels)
        counts.append(f"{name} {n_train}/{n_dev}")
    n_none = (sum(1 for r in train if not r.labels), sum(1 for r in dev if not r.labels))
    counts.append(f"(no label) {n_none[0]}/{n_none[1]}")
    return "train/dev sentences per label: " + ", ".join(counts)


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


#: Sentences tokenized together in one text (one Doc), joined by a line break.
_BATCH = 2000


def _token_arrays(nlp: Language, texts: Sequence[str]) -> list[Any]:
    """Each text's ``(ORTH, SPACY)`` token array, as ``nlp.make_doc(text)`` gives it.

    A Doc per sentence costs more than tokenizing (the Doc, its arrays, the call);
    sentences are tokenized a batch at a time as one text joined by line breaks,
    which the tokenizer never splits across (it splits at whitespace first), and
    each sentence's tokens are cut out by their character offsets. A text that
    begins or ends with whitespace would merge it with the line break, so it is
    tokenized alone.
    """
    import numpy
    from spacy.attrs import IDX, ORTH, SPACY

    from annotator.segment import make_doc

    out: list[Any] = [None] * len(texts)
    for first in range(0, len(texts), _BATCH):
        batch = [
            (i, texts[i])
            for i in range(first, min(first + _BATCH, len(texts)))
            if texts[i] and texts[i] == texts[i].strip()
        ]
        starts, position = [], 0
        for _, text in batch:
            starts.append(position)
            position += len(text) + 1
        if batch:
            joined = make_doc(nlp, "\n".join(text for _, text in batch))
            array = joined.to_array([ORTH, SPACY, IDX])
            offsets = array[:, 2]
            begin = numpy.searchsorted(offsets, starts, side="left")
            ends = [start + len(text) for start, (_, text) in zip(starts, batch, strict=True)]
            stop = numpy.searchsorted(offsets, ends, side="left")
            for (i, _), a, b in zip(batch, begin, stop, strict=True):
                out[i] = array[a:b, :2]
        for i in range(first, min(first + _BATCH, len(texts))):
            if out[i] is None:
                out[i] = make_doc(nlp, texts[i]).to_array([ORTH, SPACY])
    return out


def _add_tokens_and_cats(
    docs: DocBin, tokens: Any, cats: dict[str, float], user_data: bytes
) -> None:
    """``DocBin.add`` for what text classification reads: tokens, spaces, cats, user data.

    ``DocBin.add`` also walks every token to collect nine strings (tag, lemma,
    morph ...), all empty for a tokenizer-only Doc, which was over half of the
    export's time; the token texts are gathered once at the end instead
    (``_add_strings``). ``tokens`` holds the ORTH and SPACY columns
    (``_token_arrays``); the DocBin's lists are filled exactly as ``add`` fills them.
    """
    import numpy

    docs.tokens.append(tokens[:, :1])
    docs.spaces.append(numpy.asarray(tokens[:, 1:], dtype=bool))
    docs.flags.append({"has_unknown_spaces": False})
    docs.cats.append(cats)
    docs.user_data.append(user_data)
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
    from spacy.attrs import ORTH
    from spacy.cli.init_config import init_config
    from spacy.tokens import Doc, DocBin

    from annotator.memory import paused_gc

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
    train, dev, note = split_records(dataset.records, options)
    files: list[Path] = []
    # One packer for all docs: srsly.msgpack_dumps builds one per call, and each
    # looks up its encoders among the installed packages' entry points (ms apiece).
    pack = srsly.msgpack.Packer(use_bin_type=True).pack
    for name, part in ((TRAIN, train), (DEV, dev)):
        # Tokens and cats are all textcat reads; skipping the empty tag, parse and
        # entity columns makes adding a doc about twice as fast.
        docs = DocBin(attrs=["ORTH", "SPACY"], store_user_data=True)
        if docs.attrs != [ORTH]:  # DocBin keeps ORTH as its only column (SPACY apart)
            raise ExportError(f"this spaCy's DocBin stores columns {docs.attrs}; expected ORTH")
        # segment.make_doc keeps spaCy's tokenizer cache warm (it stops caching after a
        # special case such as "U.S."), several times faster than nlp.pipe here.
        # Equal label sets share one cats dict; the collector is paused while 100,000s of
        # acyclic rows pile up (see annotator.memory).
        cats_for: dict[tuple[str, ...], dict[str, float]] = {}
        with paused_gc():
            arrays = _token_arrays(nlp, [record.text for record in part])
            for record, tokens in zip(part, arrays, strict=True):
                cats = cats_for.get(record.labels)
                if cats is None:
                    chosen = set(record.labels)
                    cats = {label: 1.0 if label in chosen else 0.0 for label in labels}
                    cats_for[record.labels] = cats
                _add_tokens_and_cats(docs, tokens, cats, pack(record.user_data()))
        _add_strings(docs, nlp)
        with atomic_output(out / name, binary=True) as handle:
            handle.write(docs.to_bytes())
        files.append(out / name)

    component = textcat_component(dataset)
    config = init_config(lang=options.lang, pipeline=[component], optimize="efficiency")
    # Relative to the config's folder, so the folder can be moved or shared and
    # trained where it lands (spaCy reads paths from the working folder).
    config["paths"]["train"] = TRAIN
    config["paths"]["dev"] = DEV
    config["system"]["seed"] = options.seed
    with atomic_output(out / CONFIG) as handle:
        handle.write(config.to_str())
    files.append(out / CONFIG)

    n_train_docs = len({r.document for r in train})
    n_dev_docs = len({r.document for r in dev})
    how = "by sentence, stratified by label" if options.split_by == "sentence" else "by document"
    notes = [
        f"spaCy {component}: {len(train):,} train sentences ({n_train_docs} documents), "
        f"{len(dev):,} dev sentences ({n_dev_docs} documents), split {how}",
        split_counts(train, dev, labels),
        "the config's paths are relative to its folder; train from there (the folder can "
        f"be moved): cd {shlex.quote(str(out))} && python -m spacy train {CONFIG} --output model",
    ]
    if note:
        notes.insert(0, note)
    if not dev and dataset.records:
        notes.append("the dev set is empty: spacy train needs dev examples (--dev-fraction)")
    return Written(files, notes)
