"""The shapes a speaker label can take at the start of a line.

Each ``Shape`` finds one convention's label on a line (``NAME:``, ``Name (00:12):``,
``    Mr. Koo.  Thank you``, ``CHAIR POWELL.  Good evening``, ``Name (PPE). –``, ``Q``)
and says whether the phrase before the separator is name-shaped. Which shapes a
document really uses is decided from repetition across the whole document in
``conventions.py``; this module only knows what one line looks like.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from annotator.ingest.words import (
    CONNECTORS,
    HONORIFICS,
    NOT_SPEAKERS,
    PAREN,
    ROLE_WORDS,
    SPEAKER_NUMBER,
    TITLE_WORDS,
)

_WS = r"[ \t\u00a0\u2002\u2003\u2009\u202f\u200b]"
_BOLD = r"(?:\*\*|__)"

# ``Matthew Miller (00:12):`` (Rev-style, the label often alone on its line).
_TIMESTAMPED = re.compile(
    rf"^{_WS}*{_BOLD}?(?P<label>[^\n():*]{{1,80}}?){_WS}*"
    rf"\((?P<ts>\d{{1,2}}:\d{{2}}(?::\d{{2}})?)\){_WS}*{_BOLD}?:{_BOLD}?(?={_WS}|$)"
)
# ``SECRETARY BLINKEN:``, ``**Mr. Cameron (Witney) (Con):**``, ``**Lady Hallett**:``, ``王毅：``.
_COLON = re.compile(
    rf"^{_WS}*{_BOLD}?{_WS}*(?P<label>[^\n:：*]{{1,110}}?){_WS}*{_BOLD}?{_WS}*[:：]{_BOLD}?"
    rf"(?={_WS}|$|(?<=：))"
)
# White House ``Q`` followed by non-breaking spaces and no colon; ``Q.`` too.
_BARE_Q = re.compile(rf"^{_WS}*(?P<label>Q|QUESTION)(?:\.?{_WS}+)(?=\S)")
# Congressional Record: ``Mr. MORAN.``, ``The PRESIDING OFFICER (Mr. Bennet).``
_CAPS_WORD = r"(?:Mc|Mac|De|Van|Von|O')?[A-Z][A-Z'\-]+"
_PERIOD_CAPS = re.compile(
    rf"^{_WS}*(?P<label>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.{_WS}+{_CAPS_WORD}(?:{_WS}+{_CAPS_WORD})*"
    rf"(?:{_WS}+of{_WS}+[A-Z][a-z]+(?:{_WS}+[A-Z][a-z]+)?)?"
    rf"|The{_WS}+(?:[A-Z]{{2,}}{_WS}+)*[A-Z]{{2,}}(?:{_WS}+pro{_WS}+tempore)?)"
    rf"(?:{_WS}*\([^()\n]{{1,60}}\))?)\.(?:{_WS}+|$)"
)
# GPO hearings: ``    Mr. Koo. Thank you``, ``    The Chairman. The committee``,
# ``    Mrs. McCarthy of New York. The gentleman``, ``    Senator Schumer. Thank you``.
_NAME_WORD = r"(?:Mc|Mac|O'|D')?[A-Z][A-Za-z'’\-]+"
_PERIOD_TITLE = re.compile(
    rf"^(?P<indent>{_WS}*)(?P<label>(?:(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?|Senator|Chairman|Chairwoman|"
    rf"Representative|Secretary|General|Admiral|Governor|Ambassador|Judge|Justice|Chair)"
    rf"{_WS}+{_NAME_WORD}(?:{_WS}+{_NAME_WORD}){{0,2}}"
    rf"(?:{_WS}+of{_WS}+[A-Z][a-z]+(?:{_WS}+[A-Z][a-z]+)?)?"
    rf"|The{_WS}+(?:[A-Z][a-z]+{_WS}+){{0,3}}[A-Z][a-z]+)\.{_WS}+(?=\S)"
)
# FOMC and other PDF transcripts: ``CHAIR POWELL.  Good evening``, ``MICHELLE SMITH.  Thank``.
_PERIOD_ALLCAPS = re.compile(
    rf"^(?P<indent>{_WS}*)(?P<label>(?:(?:MR|MRS|MS|DR|MISS)\.{_WS}+)?"
    rf"[A-Z][A-Z'’\-]+(?:{_WS}[A-Z][A-Z'’\-]*\.?){{0,5}})\.{_WS}+(?=\S)"
)
# Written questions and answers in a hearing's appendix: ``Q.1. Chairman ...``, ``A.1. The ...``.
_QA_NUMBERED = re.compile(r"^(?P<label>[QA]\.\d{1,3})\.[ \t]+(?=\S)")
# Depositions and court transcripts: ``Q.   Where were you?`` / ``A   At home.``
_QA_BARE = re.compile(rf"^(?P<indent>{_WS}*)(?P<label>Q|A)(?:[.:]{_WS}+|{_WS}{{2,}}|\t)(?=\S)")
# European Parliament: ``President. –``, ``Name (PPE). –``, ``Name, on behalf of the S&D Group. –``
_DASH = re.compile(
    rf"^{_WS}*{_BOLD}?(?P<label>[^\n.:*][^\n:*]{{0,150}}?)\.{_BOLD}?{_WS}*[–—-]{_WS}+"
)
# The same without the dash, as some parliaments print it: ``Kati Piri (S&D). Mr President``,
# ``President. The debate is closed``; prose-like, so believed only where it recurs.
_PERIOD_NAME = re.compile(
    rf"^{_WS}*{_BOLD}?(?P<label>[^\n.:*][^\n.:*]{{0,150}}?)\.{_BOLD}?{_WS}+(?=[^\s–—-])"
)
_LATIN = re.compile(r"[A-Za-z]")
_BOLD_WORD = re.compile(r"^[A-Z][a-z'’-]{2,}$")
# Roles that may carry a lower-case stage word: ``Announcer offscreen``.
_STAGE_ROLES = frozenset(
    ["announcer", "narrator", "moderator", "operator", "interpreter", "host", "presenter"]
)


@functools.lru_cache(maxsize=4096)
def looks_like_speaker(label: str, *, own_line: bool = False, dash_form: bool = False) -> bool:
    """Whether a line-initial phrase before a separator is a speaker label.

    Speakers are name-shaped: all capitals (``SECRETARY BLINKEN``), or capitalised
    words led by an honorific or title (``The Prime Minister``), or a full name
    (``Matthew Miller``). Prose (``He said``), times, URLs and headings fail.
    ``own_line`` is for a label with nothing after it on its line, where a short
    capitalised heading is more likely than a speaker; ``dash_form`` allows the
    lower-case clauses of European Parliament labels (``, on behalf of ...``).
    """
    label = label.replace("\u200b", "").strip().strip("*_").strip()
    if not label or len(label) > 150 or "http" in label.lower() or "www." in label.lower():
        return False
    if label[0] in "([{\"'“‘-–—#>|" or any(ch in label for ch in '"“”?!;=<>{}[]|\\'):
        return False
    bare = PAREN.sub("", label).strip()
    if "/" in bare:
        # ``and/or``; a slash inside a party's parentheses (``(Verts/ALE)``) is fine.
        return False
    if not bare or not _LATIN.search(bare):
        return False
    if bare.lower().strip(". ") in NOT_SPEAKERS:
        return False
    if SPEAKER_NUMBER.match(bare):
        return True
    if re.search(r"\d", bare):
        return False
    if bare.endswith(",") or ".." in bare:
        return False
    parts = [part.strip() for part in bare.split(",")]
    if dash_form:
        # ``Name (Group), on behalf of the S&D Group``: only the first part must be a name.
        parts = parts[:1]
    letters = [ch for ch in "".join(parts) if ch.isalpha()]
    all_caps = all(ch.isupper() for ch in letters)
    words = [word for part in parts for word in part.split()]
    if not words or len(words) > (10 if all_caps else 9):
        return False
    if all_caps:
        return own_line is False or len(words) <= 6
    if any(not part or not part[0].isupper() for part in parts):
        # Each comma-separated part of a name starts with a capital (``NHK, Igarashi``),
        # which tells labels from prose such as ``First, to Prime Minister:``.
        return False
    first = words[0].strip(".").lower()
    if first in _STAGE_ROLES and len(words) <= 2 and not own_line:
        # A role with a stage word: ``Announcer offscreen``.
        return True
    for word in words:
        core = word.strip(".'’-")
        if not core:
            continue
        if core.lower() in CONNECTORS:
            continue
        if not core[0].isupper():
            return False
    led_by_title = first in HONORIFICS or first in TITLE_WORDS
    if len(words) == 1:
        return first in ROLE_WORDS or (first in TITLE_WORDS and not own_line)
    if own_line and not led_by_title:
        # A capitalised line ending in a colon is usually a heading (``Key Points:``).
        return False
    return led_by_title or len(words) <= 4


def _script_name(label: str) -> bool:
    """A short label in a script without Latin letters (``王毅``, ``المتحدث``)."""
    label = label.strip().strip("*_").strip()
    if not label or _LATIN.search(label) or re.search(r"[\d.,;!?\"“”()\[\]]", label):
        return False
    return any(ch.isalpha() for ch in label) and len(label) <= 30 and len(label.split()) <= 4


_SPACES = re.compile(r"\s+")


def clean_label(label: str) -> str:
    """The label as printed, without Markdown markup, zero-width or surrounding space."""
    label = label.replace("\u00a0", " ").replace("\u200b", "").strip().strip("*_").strip()
    return _SPACES.sub(" ", label)


@dataclass(frozen=True)
class LabelMatch:
    """A speaker label found at a line start: who, and where the speech begins."""

    speaker: str
    content_start: int
    timestamp: str | None = None
    column: int = 0


@dataclass(frozen=True)
class Shape:
    """One way of printing a speaker label, with a matcher for a line.

    ``needs_evidence`` shapes can also match prose (``Mr. Koo. Thank you`` is a label
    in a hearing but could open a sentence elsewhere), so a document must use them
    repeatedly before they are believed. A ``fallback`` shape is so loose that it
    also reads most other shapes' labels (``CHAIR POWELL.`` is a name before a
    period): it reads only lines no other shape reads, and a document is read with
    it only when no other shape names anyone twice.
    """

    name: str
    example: str
    needs_evidence: bool
    find: Callable[[str], LabelMatch | None]
    fallback: bool = False


def _column(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\u00a0"))


@functools.lru_cache(maxsize=8192)
def _match(label: str, end: int, column: int, timestamp: str | None = None) -> LabelMatch:
    """The match for a label as the line prints it, cleaned. Cached: a transcript repeats
    its few labels hundreds of times, and every line is tried against every shape."""
    return LabelMatch(clean_label(label), end, timestamp, column)


def _timestamped(line: str) -> LabelMatch | None:
    if ":" not in line[:170] or "(" not in line[:170]:
        return None
    found = _TIMESTAMPED.match(line)
    if not found:
        return None
    label = found["label"]
    words = label.split()
    # A single first name is a label too here: the timestamp vouches for it.
    single = len(words) == 1 and label.strip("*_ ")[:1].isupper() and label.strip("*_ ").isalpha()
    if single or looks_like_speaker(label):
        return _match(label, found.end(), _column(line), found["ts"])
    return None


def _bare_q(line: str) -> LabelMatch | None:
    if line.lstrip()[:1] != "Q":
        return None
    found = _BARE_Q.match(line)
    return LabelMatch(found["label"], found.end(), None, _column(line)) if found else None


def _colon_match(line: str) -> re.Match[str] | None:
    if ":" not in line[:170] and "：" not in line[:170]:
        return None
    return _COLON.match(line)


def _colon(line: str) -> LabelMatch | None:
    found = _colon_match(line)
    if found:
        rest = line[found.end() :].strip()
        label = found["label"].strip()
        # A bold single word with speech after it (``**Counsel**: Thank you``) is a label.
        bold_word = rest and line.lstrip()[:2] in ("**", "__") and _BOLD_WORD.match(label)
        if bold_word or looks_like_speaker(label, own_line=not rest):
            return _match(found["label"], found.end(), _column(line))
    return None


def _colon_script(line: str) -> LabelMatch | None:
    found = _colon_match(line)
    if found and line[found.end() :].strip() and _script_name(found["label"]):
        return _match(found["label"], found.end(), _column(line))
    return None


def _period_caps(line: str) -> LabelMatch | None:
    if not line.lstrip().startswith(("Mr", "Mrs", "Ms", "Miss", "Dr", "The")):
        return None
    found = _PERIOD_CAPS.match(line)
    return _match(found["label"], found.end(), _column(line)) if found else None


def _period_title(line: str) -> LabelMatch | None:
    found = _PERIOD_TITLE.match(line)
    if not found:
        return None
    label = found["label"]
    if label.split()[-1].lower() in CONNECTORS or label.isupper():
        return None
    return _match(label, found.end(), len(found["indent"]))


def _period_allcaps(line: str) -> LabelMatch | None:
    found = _PERIOD_ALLCAPS.match(line)
    if not found:
        return None
    label = found["label"]
    if len(label.replace(".", "").replace("-", "")) < 3 or not looks_like_speaker(label):
        return None
    return _match(label, found.end(), len(found["indent"]))


def _qa_numbered(line: str) -> LabelMatch | None:
    if line[:1] not in "QA":
        return None
    found = _QA_NUMBERED.match(line)
    return LabelMatch(found["label"], found.end(), None, 0) if found else None


def _qa_bare(line: str) -> LabelMatch | None:
    if line.lstrip()[:1] not in "QA":
        return None
    found = _QA_BARE.match(line)
    return LabelMatch(found["label"], found.end(), None, len(found["indent"])) if found else None


def _dash(line: str) -> LabelMatch | None:
    head = line[:170]
    if "." not in head or not ("–" in head or "—" in head or "-" in head):
        return None
    found = _DASH.match(line)
    if found and looks_like_speaker(found["label"], dash_form=True):
        return _match(found["label"], found.end(), _column(line))
    return None


# What may follow the period of a ``period-name`` label: bold markup or space.
_AFTER_PERIOD = frozenset("*_ \t\u00a0\u2002\u2003\u2009\u202f\u200b")


def _period_name(line: str) -> LabelMatch | None:
    dot = line.find(".", 0, 153)
    if dot <= 0:
        return None
    # Cheap first: a name (or its group's parenthesis) ends right before the period;
    # most prose lines end their first sentence on a lower-case word.
    last = line[:dot].rstrip("*_ ").rpartition(" ")[2]
    if not last or not (last[0].isupper() or last[-1] == ")"):
        return None
    # The label ends at the first period, has no colon, and space follows it.
    if line[dot + 1 : dot + 2] not in _AFTER_PERIOD or ":" in line[:dot]:
        return None
    found = _PERIOD_NAME.match(line)
    if found is None:
        return None
    label = found["label"]
    words = PAREN.sub("", label).split()
    # ``President.`` alone is a label; so is a name with its group. A capitalised
    # two-word sentence (``Thank you.``) fails the name test; ``Mr.`` ends at its period.
    if words and words[-1].lower().strip(",") in CONNECTORS:
        return None
    if looks_like_speaker(label, dash_form=True):
        return _match(label, found.end(), _column(line))
    return None


#: Every shape the reader knows, in the order they are tried on a line.
SHAPES: tuple[Shape, ...] = (
    Shape("timestamped", "Name (00:12):", False, _timestamped),
    Shape("q", "Q  (no colon)", False, _bare_q),
    Shape("colon", "NAME: / **Name**: / **Name:**", False, _colon),
    Shape("colon-script", "王毅：/ a name in another script and a colon", True, _colon_script),
    Shape("period-caps", "Mr. MORAN. (Congressional Record)", False, _period_caps),
    Shape("period-title", "    Mr. Koo. / The Chairman. (GPO hearing)", True, _period_title),
    Shape("period-allcaps", "CHAIR POWELL.␣␣ (FOMC, PDF transcripts)", True, _period_allcaps),
    Shape("dash", "Name (PPE). – (European Parliament)", False, _dash),
    Shape(
        "period-name",
        "Name (S&D). / President. (parliaments, no dash)",
        True,
        _period_name,
        fallback=True,
    ),
    Shape("qa-numbered", "Q.1. / A.1. (written questions in an appendix)", False, _qa_numbered),
    Shape("qa", "Q.   / A.   (depositions, court transcripts)", True, _qa_bare),
)
SHAPE_BY_NAME = {shape.name: shape for shape in SHAPES}

# A label opens with a capital (or a letter of a caseless script), bold markup allowed.
_GATE = re.compile(rf"^{_WS}*(?:\*\*|__)?[^\W\d_a-z]")
_PERIOD_CAPS_OPENERS = ("Mr", "Mrs", "Ms", "Miss", "Dr", "The")
_TITLE_OPENERS = (
    *_PERIOD_CAPS_OPENERS,
    "Mx",
    "Senator",
    "Chair",
    "Representative",
    "Secretary",
    "General",
    "Admiral",
    "Governor",
    "Ambassador",
    "Judge",
    "Justice",
)


def _latin_after_markup(stripped: str) -> bool:
    """Whether a line's first character after bold markup is a Latin letter."""
    first = stripped.lstrip("*_").lstrip()[:1]
    return first.isascii() and first.isalpha()


def line_candidates(line: str, first_plain: bool = False) -> list[tuple[Shape, LabelMatch]]:
    """Every shape that reads a label at the start of ``line``, in shape order.

    ``first_plain`` stops at the first unambiguous shape and tries no other, as a
    reader with a fixed list of label formats would (benchmarks compare the two).
    """
    if _GATE.match(line) is None:
        # Most lines of a wrapped transcript: no shape can match, and this is the cheap test.
        return []
    stripped = line.lstrip()
    if stripped[:3] == "...":
        return []
    head = line[:170]
    colon = ":" in head or "：" in head
    period = ". " in head or ".\u00a0" in head or ".\t" in head or head.rstrip().endswith(".")
    if not colon and not period and stripped[:1] not in "QA":
        return []
    first = stripped[:1]
    second = stripped[1:2]
    # Which shapes could match this line at all, tested with string operations only.
    could = (
        colon and "(" in head,  # timestamped
        first == "Q",  # q
        colon,  # colon
        # colon-script: a label in another script; one that opens (after any bold
        # markup) with a Latin letter is none (``**The Prime Minister:**``).
        colon and not ("A" <= first <= "z") and not _latin_after_markup(stripped),
        period and stripped.startswith(_PERIOD_CAPS_OPENERS),  # period-caps
        period and stripped.startswith(_TITLE_OPENERS),  # period-title
        period and stripped[:2].isupper(),  # period-allcaps
        period and ("–" in head or "—" in head or "-" in head),  # dash
        period,  # period-name
        first in "QA" and second == ".",  # qa-numbered
        first in "QA" and second in ". :\t\u00a0",  # qa
    )
    found: list[tuple[Shape, LabelMatch]] = []
    for shape, possible in zip(SHAPES, could, strict=True):
        if not possible or (first_plain and shape.needs_evidence):
            continue
        if found and shape.fallback:
            continue  # a fallback shape reads only lines no other shape reads
        match = shape.find(line)
        if match is not None:
            found.append((shape, match))
            if first_plain:
                break
    return found


def custom_match(line: str, custom: re.Pattern[str]) -> LabelMatch | None:
    """A label found by a user's ``--speaker-pattern`` (group ``speaker`` or 1)."""
    found = custom.match(line)
    if not found:
        return None
    group = "speaker" if "speaker" in custom.groupindex else (1 if custom.groups else 0)
    return LabelMatch(clean_label(found.group(group)), found.end())
