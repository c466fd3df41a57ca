"""Work lists: which sentences of a corpus each analyst codes.

``plan_assignment`` splits the sentences of a corpus between analysts so that
a chosen share is coded by several of them (the overlap that agreement is
measured on) and the rest by one. The draw is seeded, so the same corpus,
analysts, overlap and seed give the same lists; each list is kept in reading
order so an analyst still reads a briefing from top to bottom.

On disk a work list is one JSON file per analyst, ``DIR/<annotator>.json``,
beside ``DIR/manifest.json`` (seed, overlap, counts). Sentences are named by
``(document id, start, end, text)``; ``WorkList.includes`` tests membership by
document and offsets, which is what ``annotator annotate`` filters on.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotator.errors import WorklistError
from annotator.model import Document

WORKLIST_FORMAT = "annotator-worklist"
MANIFEST_FORMAT = "annotator-assignment"
WORKLIST_VERSION = 1
MANIFEST_NAME = "manifest.json"

# Annotator ids become file names: keep them to what every file system accepts.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


#: What ``assign`` hands out: whole speaker turns, or single sentences.
UNITS = ("turn", "sentence")


@dataclass(frozen=True)
class WorkUnit:
    """One sentence of a work list."""

    document: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class WorkList:
    """The sentences one analyst is asked to code, in reading order."""

    annotator: str
    units: tuple[WorkUnit, ...]
    seed: int
    overlap: float
    coders: int
    corpus: tuple[str, ...] = ()
    _members: frozenset[tuple[str, int, int]] = field(
        default=frozenset(), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # A set for membership: annotate asks once per sentence shown.
        members = frozenset((u.document, u.start, u.end) for u in self.units)
        object.__setattr__(self, "_members", members)

    def includes(self, document: str, start: int, end: int) -> bool:
        """Whether the sentence at these offsets of ``document`` is on this list."""
        return (document, start, end) in self._members

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def __len__(self) -> int:
        return len(self.units)

    @property
    def documents(self) -> tuple[str, ...]:
        """Ids of the documents with at least one sentence on the list, in list order."""
        return tuple(dict.fromkeys(u.document for u in self.units))

    def covers(self, document: Document) -> bool:
        """Whether any sentence of ``document`` is on this list."""
        return any(
            self.includes(document.id, s.start, s.end) for t in document.turns for s in t.sentences
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": WORKLIST_FORMAT,
            "version": WORKLIST_VERSION,
            "annotator": self.annotator,
            "seed": self.seed,
            "overlap": self.overlap,
            "coders": self.coders,
            "corpus": list(self.corpus),
            "units": [[u.document, u.start, u.end, u.text] for u in self.units],
        }


@dataclass(frozen=True)
class Assignment:
    """Work lists for every analyst, and what was drawn."""

    worklists: tuple[WorkList, ...]
    seed: int
    overlap: float
    coders: int
    sentences: int
    shared: int
    corpus: tuple[str, ...] = ()

    def manifest(self) -> dict[str, Any]:
        """The manifest written beside the lists: enough to redo the draw."""
        return {
            "format": MANIFEST_FORMAT,
            "version": WORKLIST_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "corpus": list(self.corpus),
            "seed": self.seed,
            "overlap": self.overlap,
            "coders": self.coders,
            "sentences": self.sentences,
            "shared_sentences": self.shared,
            "annotators": {w.annotator: len(w.units) for w in self.worklists},
            "files": {w.annotator: f"{w.annotator}.json" for w in self.worklists},
        }


def plan_assignment(
    documents: Iterable[Document],
    annotators: Sequence[str],
    overlap: float,
    seed: int,
    coders: int | None = None,
    corpus: Sequence[str] = (),
    unit: str = "turn",
) -> Assignment:
    """Split the sentences of ``documents`` between ``annotators``.

    Sentences are handed out in blocks: whole turns (``unit="turn"``, the
    default) or single sentences (``unit="sentence"``). A share ``overlap``
    (0 to 1) of the sentences, in blocks drawn at random with ``seed``, goes to
    ``coders`` analysts each (default 2; with ``overlap`` 1 every analyst codes
    every sentence); the rest goes to one analyst each. Shared blocks cycle
    through every combination of analysts, so each pair has about as many
    sentences in common, and the other blocks go to whoever has least work so
    far, so the lists end up about the same length.
    """
    names = [a.strip() for a in annotators]
    if len(names) < 1 or any(not n for n in names):
        raise WorklistError("give at least one annotator id (e.g. --annotators ana,ben)")
    if len(set(names)) != len(names):
        raise WorklistError(f"an annotator id is given twice: {', '.join(names)}")
    bad = [n for n in names if not _SAFE_ID.match(n)]
    if bad:
        raise WorklistError(
            f"annotator id {bad[0]!r} cannot be a file name (letters, digits, . _ @ - only)"
        )
    if any(f"{n}.json".lower() == MANIFEST_NAME for n in names):
        raise WorklistError(
            "annotator id 'manifest' is taken by the assignment's manifest.json; choose another"
        )
    if unit not in UNITS:
        raise WorklistError(f"unit must be 'turn' or 'sentence', not {unit!r}")
    if not 0.0 <= overlap <= 1.0:
        raise WorklistError(f"overlap must be between 0 and 1, not {overlap}")
    if coders is None:
        coders = len(names) if overlap == 1.0 else min(2, len(names))
    if overlap > 0 and not 2 <= coders <= len(names):
        raise WorklistError(
            f"{coders} analysts per shared sentence, but {len(names)} annotators given; "
            "shared sentences need at least 2 and at most all of them"
        )

    # The draw is over blocks of contiguous sentences (a whole turn by default), so an
    # analyst codes a sentence with the ones around it, as it was spoken.
    units: list[WorkUnit] = []
    blocks: list[list[int]] = []
    for document in documents:
        for turn in document.turns:
            for s in turn.sentences:
                if unit == "sentence" or not blocks or blocks[-1] == [] or s is turn.sentences[0]:
                    blocks.append([])
                blocks[-1].append(len(units))
                units.append(WorkUnit(document.id, s.start, s.end, s.text))
    blocks = [block for block in blocks if block]
    if not units:
        raise WorklistError("the corpus has no sentences to assign")
    rng = random.Random(seed)
    order = list(range(len(blocks)))
    rng.shuffle(order)
    # Shared blocks are drawn until they hold the overlap's share of the sentences.
    wanted = round(overlap * len(units)) if len(names) > 1 else 0
    shared_blocks: list[int] = []
    shared = 0
    for b in order:
        if shared >= wanted:
            break
        shared_blocks.append(b)
        shared += len(blocks[b])
    rest = order[len(shared_blocks) :]
    groups = list(itertools.combinations(range(len(names)), coders)) if shared else []
    rng.shuffle(groups)
    lists: list[list[int]] = [[] for _ in names]
    for k, b in enumerate(shared_blocks):
        for who in groups[k % len(groups)]:
            lists[who].extend(blocks[b])
    # Ties go to a seeded rotation, not always to the first analyst named.
    turn_order = list(range(len(names)))
    rng.shuffle(turn_order)
    for k, b in enumerate(rest):
        least = min(len(w) for w in lists)
        candidates = [i for i in turn_order if len(lists[i]) == least]
        lists[candidates[k % len(candidates)]].extend(blocks[b])

    worklists = tuple(
        WorkList(
            annotator=name,
            units=tuple(units[i] for i in sorted(chosen)),  # back to reading order
            seed=seed,
            overlap=overlap,
            coders=coders if shared else 1,
            corpus=tuple(corpus),
        )
        for name, chosen in zip(names, lists, strict=True)
    )
    return Assignment(
        worklists, seed, overlap, coders if shared else 1, len(units), shared, tuple(corpus)
    )


def write_assignment(assignment: Assignment, folder: str | Path, force: bool = False) -> list[Path]:
    """Write one ``<annotator>.json`` per analyst and ``manifest.json`` into ``folder``.

    Refuses to overwrite existing lists unless ``force``: a list already handed
    out should not change under an analyst's feet.
    """
    out = Path(folder)
    targets = [out / f"{w.annotator}.json" for w in assignment.worklists] + [out / MANIFEST_NAME]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise WorklistError(f"{existing[0]}: already exists; use --force to overwrite")
    import srsly  # here, not at the top: the CLI imports UNITS for --help (srsly loads numpy)

    try:
        out.mkdir(parents=True, exist_ok=True)
        for worklist, path in zip(assignment.worklists, targets, strict=False):
            srsly.write_json(path, worklist.to_json())
        srsly.write_json(targets[-1], assignment.manifest())
    except OSError as error:
        raise WorklistError(f"{out}: cannot write the work lists: {error}") from None
    return targets


def load_worklist(path: str | Path) -> WorkList:
    """Read a work list written by ``write_assignment``; errors name the file."""
    import srsly

    source = Path(path)
    try:
        data = srsly.read_json(source)
    except FileNotFoundError:
        raise WorklistError(f"{source}: no such work list") from None
    except (OSError, ValueError) as error:
        raise WorklistError(f"{source}: not a JSON work list ({error})") from None
    if not isinstance(data, dict) or data.get("format") != WORKLIST_FORMAT:
        raise WorklistError(f"{source}: not a work list (written by annotator assign?)")
    if int(data.get("version", 0)) > WORKLIST_VERSION:
        raise WorklistError(f"{source}: written by a newer annotator; upgrade to read it")
    try:
        units = tuple(
            WorkUnit(str(doc), int(start), int(end), str(text))
            for doc, start, end, text in data["units"]
        )
        return WorkList(
            annotator=str(data["annotator"]),
            units=units,
            seed=int(data["seed"]),
            overlap=float(data["overlap"]),
            coders=int(data.get("coders", 1)),
            corpus=tuple(str(c) for c in data.get("corpus", ())),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WorklistError(
            f"{source}: damaged work list ({type(error).__name__}: {error})"
        ) from None
