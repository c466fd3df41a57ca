"""The sentence rules for official statements, on plain text (no spaCy).

``sentence_starts`` finds where sentences start in a piece of text: titles and
abbreviations (``Amb.``, ``U.S.``, ``a.m.``) rarely end a sentence, closing quotes
stay with their sentence, numbered points and stage directions are their own
units, and hard-wrapped text is read as prose rather than as one sentence per
line. ``segment.py`` wraps it in the spaCy component; the rules look at the text
only where a sentence could end (after ``.?!``, at line breaks, before list
markers), found with one regular expression.

Changing what these rules find? Bump ``ingest.READER_VERSION``, or analysts
keep seeing the old sentences from their parse cache.
"""

from __future__ import annotations

import itertools
import re


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a word list written as one string."""
    return text.split()


# Titles before a name: never the end of a sentence, whatever follows.
_TITLES = frozenset(
    _words(
        """mr mrs ms mx messrs mmes mme mlle dr prof rev revd hon rt gen sen sens rep reps gov govs
    amb lt col capt cpt sgt adm maj cmdr cdr brig pres supt insp det fr atty cpl pvt spc ens
    gens cmdt comdr lieut sec secs sr sra srta"""
    )
)
# Abbreviations that stand before a number (``No. 10``, ``Art. 5``, ``p. 55``);
# before anything else they are ordinary words (``No. The answer is no.``).
_NUMBER_ABBREVIATIONS = frozenset(
    _words(
        """no nos nr p pp art arts fig figs vol vols ch chap para paras op ref rs tel cl reg s ss
    pt pts sch ex exh res doc ord n° nº item items sect tab"""
    )
)
# Other abbreviations: they end a sentence only when a typical sentence opener follows.
_ABBREVIATIONS = frozenset(
    _words(
        """co corp inc ltd llc plc bros jr esq assn assoc dept univ ave blvd rd st mt ft hwy
    approx est min max hr hrs yr yrs mo mos wk wks jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue tues wed thu thur thurs fri sat sun vs v cf viz al ca ibid govt intl natl misc
    pg lb lbs oz sq mins secs calif colo conn fla kan kans mich minn mont neb nebr nev okla
    tenn tex wis wisc wyo ariz ark ala ind dist div dep depts mgr mfg mt mts pl ct cts ln
    sta ste bldg apt ft rep tr trans transl orig abbr adj adv et seq nat ed eds etc"""
    )
)
# Time abbreviations end a sentence before any capitalised word except a time zone.
_TIME_ABBREVIATIONS = frozenset({"a.m", "p.m", "am", "pm"})
_TIME_ZONES = frozenset(
    _words(
        """edt est et cdt cst ct mdt mst mt pdt pst pt gmt utc bst cet cest jst kst ist aest
    local eastern central pacific mountain"""
    )
)
_DATE_WORDS = frozenset(
    _words(
        """monday tuesday wednesday thursday friday saturday sunday january february march
    april june july august september october november december"""
    )
)
# Words that typically open a sentence. After an ambiguous abbreviation
# (``U.S.``, ``Co.``, an initial) a capitalised word only starts a new
# sentence if it is one of these (``... in the U.S. The President``); a name
# or noun (``U.S. Government``) continues it.
_OPENERS = frozenset(
    _words(
        """i we he she it they you the this that these those there here but and so or yet if
    when while what why how where who which whom whose in on at as for after before since
    although though however then now today our my his her their its your a an let please
    thank thanks yes no well also many some most all each every both one two three such do
    does did is are was were will would can could should may might must have has had not nor
    even just only still meanwhile moreover furthermore finally first second third last next
    indeed of to by with from under over during through because unless until once whether
    whatever instead again later earlier yesterday tomorrow tonight never nothing none
    everyone everybody nobody someone somebody another other others more much any several
    few ok okay oh so look listen again"""
    )
)
# Opening marks, including Markdown emphasis (``**Mr. Cameron:**``).
_OPENING = "([{\"'“‘«¿¡*_"
_CLOSING = ")]}\"'”’»"
_ENDERS = ".!?…．。"

# Where a sentence could end. Simple patterns, each found by a fast scan
# (one alternation tried at every character costs more than the rules do):
# a sentence-ending character or closer before whitespace (``.``, ``?"``,
# ``[17]``, the footnote digits of ``(1987).1``), a line break, a bullet.
# List markers (``2.``, ``b)``) end in ``.`` or ``)``, so the first scan
# finds them too; the gap before them is added when they are seen.
_END_MARK = re.compile(r"[.!?…．。\"'”’)\]»](?=\s)|\.\d{1,3}(?=\s)")
_LINE_OR_BULLET = re.compile(r"[\n\r•⁃‣▪◦●]")
_SPACES = re.compile(r"\s+")
# ``compounds. . . . The``: a full stop, then an ellipsis that opens the next sentence.
_ELLIPSIS_OPENING = re.compile(r"(?:\. ?){3}\s*[\"“(]?[A-Z]")
_FIRST_CHUNK = re.compile(r"\S+")
_CITATION_CHUNK = re.compile(r"^\[\d+(?:[-–,]\d+)*\][.,;:)]*$")
_CITATIONS = re.compile(r"(?:\[\d+(?:[–-]\d+)?\])+$")
_SUPERSCRIPT_NOTE = re.compile(r"[^\d\s.]\.\d{1,3}$")
_MULTI_PERIOD = re.compile(r"^(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}\.?$")
_MARKER = re.compile(
    r"^[•⁃‣▪◦●]?(?:\((?P<p>[0-9]{1,2}|[A-Za-z]|[ivxIVX]{1,4})\)"
    r"|(?P<v>[0-9]{1,2}|[A-Za-z]|[ivxIVX]{1,4})(?P<s>\.\)|[.)]))$"
)
_BULLETS = "•⁃‣▪◦●"
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
_ROMAN_NUMERAL = re.compile(r"^[IVXLC]+\b")
# Stage directions, interpreter notes and timestamps printed inside the text.
_STAGE = re.compile(
    r"[(\[]\s*(?:(?:laughter|laughs|laughing|applause|inaudible|crosstalk|cross-talk|"
    r"interruption|cheers|cheering|booing|pause|silence|off[- ]mic|unintelligible|"
    r"indiscernible|via interpreter|as interpreted|as translated|interpretation|"
    r"through (?:an )?interpreter|in \w+|speaks? in \w+|technical difficulties|"
    r"audio (?:drops|cuts)[^)\]]{0,20}|recess|break)\.?|\d{1,2}:\d{2}(?::\d{2})?)\s*[)\]]",
    re.IGNORECASE,
)
# HTML tags and Markdown escapes before a word: a reader of the page does not see them.
_LEADING_MARKUP = re.compile(r"^(?:<[A-Za-z/][^<>]{0,40}>|\\(?=[^\w\s]))+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _is_upper_start(chunk: str) -> str:
    """Classify how the next chunk starts: 'upper', 'lower', 'digit' or 'other'."""
    core = chunk.lstrip(_OPENING)
    if core[:1] in "-–—" and len(core) > 1:
        core = core.lstrip("-–— ")
    if not core:
        return "other"
    first = core[0]
    if first.isupper():
        return "upper"
    if first.islower():
        return "lower"
    if first.isdigit() or first in "#$£€":
        return "digit"
    return "other"


def _marker_value(chunk: str) -> tuple[str, str] | None:
    """``('num.', '3')`` for a list marker chunk such as ``3.``, ``(c)`` or ``ii)``."""
    match = _MARKER.match(chunk)
    if match is None:
        return None
    if match.group("p") is not None:
        return ("()", match.group("p"))
    return (match.group("s"), match.group("v"))


def _list_key(marker: tuple[str, str]) -> str:
    """Lists are told apart by marker style and by numbers versus letters."""
    return marker[0] + ("9" if marker[1].isdigit() else "a")


def _list_continues(text: str, position: int, marker: tuple[str, str]) -> bool:
    """Whether the point after ``marker`` (``2.`` after ``1.``) appears later in ``text``."""
    style, value = marker
    following = {"1": "2", "a": "b", "A": "B", "i": "ii", "I": "II"}[value]
    label = f"({following})" if style == "()" else following + style
    return (
        re.search(r"(?<!\S)" + re.escape(label) + r"\s", text[position : position + 3000])
        is not None
    )


def _follows(previous: str, value: str) -> bool:
    """Whether list value ``value`` comes right after ``previous`` (1→2, a→b, ii→iii)."""
    if previous.isdigit() and value.isdigit():
        return int(value) == int(previous) + 1
    if (
        len(previous) == 1
        and len(value) == 1
        and previous.isalpha()
        and ord(value) == ord(previous) + 1
    ):
        return True
    low_prev, low_value = previous.lower(), value.lower()
    if low_prev in _ROMAN and low_value in _ROMAN:
        return _ROMAN[low_value] == _ROMAN[low_prev] + 1
    return False


def _period_ends_sentence(word: str, next_kind: str, next_word: str) -> bool:
    """Decide for a word ending in ``.`` (closers already stripped) followed by a gap."""
    if next_kind == "lower":
        # Informal text often starts sentences in lowercase; a known abbreviation
        # (``Ph.D. level``, ``co. at``) or an initial does not end one there.
        return _is_plain_word(word)
    if next_kind == "other":
        return True
    stem = word[:-1].lstrip(_OPENING)
    if "-" in stem[1:]:
        # ``Japan-U.S.``, ``post-Jan.``: the abbreviation is the part after the hyphen.
        stem = stem.rsplit("-", 1)[1] or stem
    low = stem.lower()
    if next_kind == "digit":
        if len(stem) == 1 and stem.isalpha():
            return False
        # ``40 vs. 60``, ``(est. 3 million)``: an abbreviation before a number stays inside.
        return not (
            low in _NUMBER_ABBREVIATIONS
            or low in _TITLES
            or low in _MONTHS
            or low in _ABBREVIATIONS
        )
    # The next word starts with a capital letter.
    next_core = next_word.lstrip(_OPENING).rstrip(_CLOSING + ".,;:!?").lower()
    if word.endswith("..") or word.endswith("…."):
        # An ellipsis: a new sentence if a capital follows, except the pronoun I.
        return next_core != "i" or word.endswith("....")
    if low in _TITLES:
        return False
    if low in _NUMBER_ABBREVIATIONS:
        return not _ROMAN_NUMERAL.match(next_word.lstrip(_OPENING))
    if low in _TIME_ABBREVIATIONS or low in ("a.m", "p.m"):
        # ``9 a.m. Monday``, ``5 p.m. EST``: a day, month or time zone continues the time.
        return next_core not in _TIME_ZONES and next_core not in _DATE_WORDS
    if low == "etc":
        return True
    if low in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
        return next_core in _OPENERS
    if "." in stem and _MULTI_PERIOD.match(stem):
        if low in ("e.g", "i.e", "viz", "cf"):
            return False
        if low in ("a.m", "p.m"):
            return next_core not in _TIME_ZONES
        return next_core in _OPENERS
    return True


_MONTHS = frozenset(_words("jan feb mar apr jun jul aug sep sept oct nov dec"))


def _is_plain_word(word: str) -> bool:
    """A word ending in a full stop that is no known abbreviation or initial."""
    stem = word[:-1].lstrip(_OPENING)
    low = stem.lower()
    return (
        len(stem) > 1
        and "." not in stem
        and low not in _TITLES
        and low not in _ABBREVIATIONS
        and low not in _NUMBER_ABBREVIATIONS
    )


def wrap_width(text: str) -> int:
    """The hard-wrap width of ``text``, or 0 if its lines are not wrapped prose.

    Wrapped text has many lines that run on into the next line (no blank line
    between), nearly all of them close to one maximum width (~60-100 chars).
    """
    lengths = [len(line.rstrip()) for line in text.split("\n")]
    run_on = [length for length, after in itertools.pairwise(lengths) if length and after]
    if len(run_on) < 3:
        return 0
    # A high percentile rather than the maximum: a stray long line (a front
    # matter title, a URL) must not hide the wrap width.
    run_on.sort()
    width = run_on[int(0.95 * (len(run_on) - 1))]
    if not 40 <= width <= 110:
        return 0
    near = sum(1 for length in run_on if length >= width - 20)
    return width if near >= 0.7 * len(run_on) else 0


def _gap_before(text: str, position: int) -> tuple[int, int] | None:
    """The whitespace run ending at ``position``, if there is one (and text before it)."""
    window = max(0, position - 80)
    begin = window + len(text[window:position].rstrip())
    return (begin, position) if 0 < begin < position else None


def _gaps(text: str) -> list[tuple[int, int]]:
    """Whitespace runs ``(begin, end)`` where a sentence could end, in text order."""
    found: dict[int, int] = {}
    length = len(text)
    for match in _END_MARK.finditer(text):
        mark_end = match.end()
        space = _SPACES.match(text, mark_end)
        if space is not None and space.end() < length:
            found[mark_end] = space.end()
        if text[mark_end - 1] in ".)":
            # A list marker (``2.``, ``b)``, ``(iii)``) may open a point mid-line.
            window = text[max(0, mark_end - 8) : mark_end]
            chunk = window.rsplit(None, 1)[-1] if window.strip() else ""
            if len(chunk) < len(window) and _MARKER.match(chunk):
                gap = _gap_before(text, mark_end - len(chunk))
                if gap is not None:
                    found[gap[0]] = gap[1]
    if "\n" in text or "\r" in text or not text.isascii():
        for match in _LINE_OR_BULLET.finditer(text):
            position = match.start()
            if text[position] in "\n\r":
                # Most line breaks follow a word: no whitespace run to look back through.
                if position and not text[position - 1].isspace():
                    begin = position
                else:
                    gap = _gap_before(text, position)
                    begin = gap[0] if gap is not None else position
                space = _SPACES.match(text, position)
                if begin > 0 and space is not None and space.end() < length:
                    found[begin] = space.end()
            else:
                gap = _gap_before(text, position)
                if gap is not None:
                    found[gap[0]] = gap[1]
    return sorted(found.items())


def sentence_starts(text: str, width: int | None = None, lead: int = 0) -> list[int]:
    """Character offsets where a new sentence starts (the first one excluded).

    ``width`` is the hard-wrap width (see ``wrap_width``); ``None`` measures it
    on ``text`` itself. ``lead`` is how far into its line ``text`` starts.
    """
    if width is None:
        width = wrap_width(text) if "\n" in text else 0
    starts: list[int] = []
    sentence_start = len(text) - len(text.lstrip())
    lists: dict[str, str] = {}
    first = _FIRST_CHUNK.search(text)
    if first is not None and (marker := _marker_value(first.group())) is not None:
        lists[_list_key(marker)] = marker[1]
    for begin, end in _gaps(text):
        next_match = _FIRST_CHUNK.match(text, end)
        next_word = next_match.group() if next_match else ""
        if next_match is not None and not next_word.strip("-–—"):
            # ``voila! -- you``: judge by the word after a free-standing dash.
            after = _FIRST_CHUNK.search(text, next_match.end())
            next_word = next_word + (after.group() if after else "")
        if next_word[:1] in "<\\":
            # ``Mr. <s>President</s>``, ``\\[Prime Minister\\]``: judge the word a reader sees.
            next_word = _LEADING_MARKUP.sub("", next_word) or next_word
        if width and _wrapped_on(text, begin, end, next_word, width, lead):
            # The commonest gap in a hard-wrapped file, decided without the full rules.
            continue
        before_gap = text[max(0, begin - 60) : begin].rsplit(None, 1) or text[:begin].split()
        if not before_gap:
            # Whitespace opening a piece (after a note line): no sentence before it to end.
            continue
        prev_word = before_gap[-1]
        prev_start = begin - len(prev_word)
        if _CITATION_CHUNK.match(prev_word) and prev_word[-1] == "]" and prev_start > 0:
            # ``... in Dulwich. [17] Placed``: judge by the words before the reference.
            before = text[max(0, prev_start - 60) : prev_start].rsplit(None, 1)
            if before:
                prev_word = before[-1]
                prev_start = text.rfind(prev_word, 0, prev_start)
        breaks = text.count("\n", begin, end)
        if "\r" in text[begin:end]:
            breaks = len(_LINE_BREAK.findall(text, begin, end))
        split = _decide(text, prev_word, prev_start, next_word, breaks, width, begin, lists, lead)
        if split is None:
            split = _decide_punctuation(text, prev_word, prev_start, sentence_start, next_word)
        if split:
            marker = _marker_value(next_word)
            if marker is not None:
                lists[_list_key(marker)] = marker[1]
            starts.append(end)
            sentence_start = end
    if "(" in text or "[" in text:
        starts = _add_stage_directions(text, starts)
    return starts


def _wrapped_on(text: str, begin: int, end: int, next_word: str, width: int, lead: int) -> bool:
    """A line break inside wrapped prose: a word or comma, one break, a lower-case word.

    Exactly the cases where ``_decide`` and ``_decide_punctuation`` would find no
    sentence end, tested cheaply: a line that ends on a word (no punctuation) and
    did not end early, or ends on a comma, before a lower-case word that is no list
    marker.
    """
    last = text[begin - 1]
    if not (last.isalnum() or last == ",") or not next_word[:2].isalpha():
        return False
    if not next_word[0].islower() or _MARKER.match(next_word):
        return False
    if text.count("\n", begin, end) != 1 or "\r" in text[begin:end]:
        return False
    if last == ",":
        return True
    line_begin = text.rfind("\n", 0, begin) + 1
    length = begin - line_begin + (lead if line_begin == 0 else 0)
    return not (length + 1 + len(next_word) <= width and length < 0.6 * width)


def _decide(
    text: str,
    prev_word: str,
    prev_start: int,
    next_word: str,
    breaks: int,
    width: int,
    begin: int,
    lists: dict[str, str],
    lead: int = 0,
) -> bool | None:
    """Line breaks, bullets and list markers; ``None`` leaves it to punctuation."""
    if _CITATION_CHUNK.match(next_word):
        # A reference mark (``[17]``) stays with the sentence it documents.
        return False
    if next_word[:1] in _BULLETS:
        return True
    if next_word[:1] in ".,;:!?)]}”’" and not _ELLIPSIS_OPENING.match(text, begin + 1):
        # A line (or chunk) opening with closing punctuation belongs to what precedes it.
        return False
    marker = _marker_value(next_word)
    if breaks >= 2:
        return True
    if breaks == 1:
        if width:
            line_begin = max(text.rfind("\n", 0, begin), text.rfind("\r", 0, begin)) + 1
            line = text[line_begin:begin].rstrip()
            if line_begin == 0:
                # The piece's first line starts after a label or note on the page.
                line = " " * lead + line
            if marker is not None or next_word[:1] in _BULLETS:
                return True
            # The wrapper would have put the next word on this line had it fitted,
            # so a line that ends early was ended on purpose: after a full stop
            # or colon, or as a short line such as a heading.
            if _runs_on(line, next_word):
                return None
            ended_early = len(line) + 1 + len(next_word) <= width
            if ended_early and (line[-1:] in ".!?:;…\"”')]" or len(line) < 0.6 * width):
                return True
            return None
        return _single_break(text, begin, next_word, marker is not None)
    if marker is not None and marker[0] == "." and marker[1].isalpha() and prev_word[:1].isupper():
        # ``John A. Smith``: an initial after a name, not a list point.
        marker = None
    if marker is not None and not prev_word.endswith((",", ";", ":")):
        key = _list_key(marker)
        last = lists.get(key)
        if last is not None and _follows(last, marker[1]):
            return True
        if marker[1] in ("1", "a", "A", "i", "I"):
            # A new list, if its next point follows in this text.
            after = _FIRST_CHUNK.search(text, begin + len(text[begin:].split(None, 1)[0]) + 1)
            if (
                after is not None
                and _is_upper_start(after.group()) == "upper"
                and _list_continues(text, after.start(), marker)
            ):
                return True
    return None


# Words a sentence, heading or list line does not end on: a line ending on one runs on.
_RUN_ON_WORDS = frozenset(
    _words(
        """a an the of to in on at by for from with into onto upon about as than and or but nor
    that which who whom whose if is are was were be been being am has have had will would
    can could should may might must shall do does did not no my your our their its his her
    very so such this these those there where when while because although though"""
    )
)


def _runs_on(line: str, next_word: str) -> bool:
    """Whether ``line`` plainly continues on the next line (``statement,⏎not``, ``is⏎Pretoria``)."""
    if line[-1:] in ",-–—":
        return True
    words = line.split()
    return bool(words) and words[-1].lower() in _RUN_ON_WORDS and words[-1][:1].islower()


def _words_since_a_stop(line: str) -> int:
    """How many words ``line`` holds after its last sentence punctuation."""
    return len(_SENTENCE_STOP.split(line)[-1].split())


_SENTENCE_STOP = re.compile(r"[.!?…]\s")


def _single_break(text: str, begin: int, next_word: str, is_marker: bool) -> bool | None:
    """One line break in text whose wrap width is unknown (a short passage).

    A line break alone is no sentence end where the line plainly runs on
    (``a statement,⏎not a notice``, ``Pretoria is⏎Pretoria!``); after sentence
    punctuation the punctuation rules decide; a line with neither (a heading, an
    address, a list line) ends, unless it was soft-wrapped (a trailing space, then
    lower case).
    """
    if is_marker or next_word[:1] in _BULLETS:
        return True
    line_begin = max(text.rfind("\n", 0, begin), text.rfind("\r", 0, begin)) + 1
    line = text[line_begin:begin].rstrip()
    if line.rstrip(_CLOSING + "*_")[-1:] in _ENDERS:
        return None
    if line[-1:] in ":;":
        return True
    if _runs_on(line, next_word):
        return False
    first = _is_upper_start(next_word)
    if first == "lower" and line[-1:].isalnum() and _words_since_a_stop(line) >= 3:
        # ``We will provide⏎assistance``: a run of words that stops on a word and goes
        # on in lower case was wrapped, whatever the wrap width (a short passage has
        # none). One or two words since the last full stop are more likely a list
        # item (``city. features⏎contact manager``).
        return False
    soft_wrap = text[begin] in " \t" and (first == "lower" or next_word.startswith("("))
    return not soft_wrap


def _decide_punctuation(
    text: str, prev_word: str, prev_start: int, sentence_start: int, next_word: str
) -> bool:
    """Sentence-ending punctuation before the gap."""
    word = _CITATIONS.sub("", prev_word)
    stripped = word.rstrip(_CLOSING)
    had_closer = len(stripped) < len(word)
    next_kind = _is_upper_start(next_word)
    if _marker_value(next_word) is not None and next_kind == "lower":
        next_kind = "upper"
    if had_closer and next_kind == "lower":
        # ``'This is great.' she said``: a quotation or aside inside the sentence.
        return False
    if not stripped:
        return False
    last = stripped[-1]
    if last in "!?":
        if next_kind == "lower" and last == "?" and not next_word.startswith(("-", "–", "—")):
            return True
        return next_kind in ("upper", "other")
    if last in "．。":
        return True
    if last == "…":
        return next_kind == "upper" and next_word.lstrip(_OPENING).rstrip(",.") != "I"
    if last == ".":
        if _marker_value(word) is not None and _only_bullets(text, sentence_start, prev_start):
            # ``1.`` or ``a)`` opening a point: its period is not a full stop.
            return False
        if stripped.endswith(". . .") or stripped == ".":
            if not text[sentence_start:prev_start].replace(".", "").strip():
                # ``. . . The practice``: an ellipsis opening a sentence.
                return False
            return _spaced_ellipsis_ends(text, prev_start, next_kind, next_word)
        if "[..." in stripped or "[…" in stripped:
            # ``[...]`` marks an omission inside a quotation.
            return False
        return _period_ends_sentence(stripped, next_kind, next_word)
    if had_closer and stripped.endswith(("--", "—")):
        return next_kind == "upper"
    if _SUPERSCRIPT_NOTE.search(stripped):
        # ``... (1987).1 According``: a footnote number after the full stop.
        return next_kind == "upper"
    return False


def _only_bullets(text: str, start: int, end: int) -> bool:
    return not text[start:end].strip(_BULLETS + " \t\n")


def _spaced_ellipsis_ends(text: str, prev_start: int, next_kind: str, next_word: str) -> bool:
    """``. . .`` (a lone period chunk): four dots end a sentence, three only before a capital."""
    before = text[max(0, prev_start - 8) : prev_start + 1]
    dots = before.replace(" ", "")
    if next_kind != "upper":
        return False
    if dots.endswith("....") and not before.rstrip().endswith(". . . ."):
        return True
    return next_word.lstrip(_OPENING).rstrip(",.") != "I"


def _add_stage_directions(text: str, starts: list[int]) -> list[int]:
    """Make every inline stage direction (``(Laughter.)``, ``(00:51)``) its own unit."""
    extra: list[int] = []
    for match in _STAGE.finditer(text):
        begin, end = match.span()
        if text[:begin].strip():
            extra.append(begin)
        rest = len(text) - len(text[end:].lstrip())
        if rest < len(text):
            extra.append(rest)
    if not extra:
        return starts
    return sorted(set(starts).union(extra))
