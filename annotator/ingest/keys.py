"""Speaker keys: one key per person named by a document's labels.

The key is the surname as the document itself uses it across labels, not the
last word of a label: ``Ms. KAMIKAWA Yoko, Minister for Foreign Affairs`` and
``Minister Kamikawa`` are ``kamikawa`` (the ALL-CAPS word of a mixed-case label,
or the one name a short label keeps); ``Peter van Dalen (ECR)`` is ``van dalen``;
``Mrs. McCarthy of New York`` is ``mccarthy``; a role with no name keeps the role
(``NATO Secretary General`` is ``secretary general``), and an office introduced by
"The" is named whole (``The CHIEF WHIP OF THE OPPOSITION`` is ``the chief whip of
the opposition``, never ``whip``); a Chinese name, family name
first, stays whole (``Mao Ning`` is ``mao ning``).
"""

from __future__ import annotations

import re

from annotator.ingest.words import ANONYMOUS, CONNECTORS, HONORIFICS, PAREN, TITLE_WORDS

_PARTICLES = frozenset({"van", "von", "de", "du", "da", "der", "den", "del", "di", "la", "le"})
_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|"
    r"ia|ie|iu|ua|uo|ui|ue|a|e|i|o|u|v)"
)
_PINYIN = re.compile(rf"^{_SYLLABLE}{{1,2}}$")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def _plain(speaker: str) -> str:
    return re.sub(r"\s+", " ", PAREN.sub("", _INVISIBLE.sub("", speaker))).strip()


def _is_title(word: str) -> bool:
    low = word.lower().strip(".")
    return low in HONORIFICS or low in TITLE_WORDS or low + "." in TITLE_WORDS


def _name_part(bare: str) -> str:
    """Of ``NHK, Igarashi`` or ``Weber, on behalf of ...`` or ``KAMIKAWA Yoko, Minister``,
    the comma-separated part that names the person."""
    parts = [part.strip() for part in bare.split(",") if part.strip()]
    if len(parts) < 2:
        return bare
    named = [part for part in parts if part[:1].isupper() and not all(map(_is_title, part.split()))]
    if not named:
        return parts[0]
    # Prefer a part led by an honorific (``Ms. KAMIKAWA Yoko``), else the last (``NHK, Igarashi``),
    # unless the later parts are lower-case clauses (``on behalf of the PPE Group``).
    for part in named:
        if part.split()[0].lower().strip(".") in HONORIFICS:
            return part
    return named[-1]


def _words(speaker: str) -> tuple[list[str], bool, str]:
    """(name words, whether titles led the label, the ALL-CAPS surname if the label marks one)."""
    bare = _name_part(_plain(speaker))
    raw = bare.replace(".", " ").split()
    titled = False
    while raw and _is_title(raw[0]):
        raw.pop(0)
        titled = True
    if titled and "of" in [w.lower() for w in raw[1:]]:
        # ``McCarthy of New York``: the place names the seat, not the person.
        raw = raw[: [w.lower() for w in raw].index("of", 1)]
    caps = ""
    mixed = any(w[:1].isupper() and any(c.islower() for c in w) for w in raw)
    if mixed:
        marked = [w for w in raw if len(w) > 1 and w.isupper() and w.isalpha()]
        if len(marked) == 1:
            caps = marked[0].lower()
    words = [w.strip("'’").lower() for w in raw]
    words = [w for w in words if w and (w not in CONNECTORS or w in _PARTICLES)]
    return words, titled, caps


def _surname(words: list[str]) -> str:
    """The last name with its particles: ``peter van dalen`` -> ``van dalen``."""
    index = len(words) - 1
    while index > 0 and words[index - 1] in _PARTICLES:
        index -= 1
    return " ".join(words[index:])


#: The speaker of a document with no speaker labels and no issuing office.
STATEMENT = "(statement)"


def speaker_keys(speakers: list[str]) -> list[str]:
    """A key per turn that groups labels naming one person within a document.

    ``DEPUTY SECRETARY OF DEFENSE PATRICK SHANAHAN`` and ``MR. SHANAHAN`` share
    the key ``shanahan``; anonymous labels (``Q``, ``SENIOR ADMINISTRATION
    OFFICIAL``) get a key of their own per turn, since the text cannot tell
    whether it is the same person. Two people with the same surname but different
    given names keep their given names in the key.
    """
    parsed = {speaker: _words(speaker) for speaker in set(speakers)}
    # Names the document shortens to one word somewhere (``Minister Kamikawa``, ``Mr. Cameron``).
    short = {words[0] for words, _titled, _caps in parsed.values() if len(words) == 1}
    short |= {caps for _words_, _titled, caps in parsed.values() if caps}
    given_by_surname: dict[str, set[str]] = {}
    for words, titled, _caps in parsed.values():
        if len(words) >= 2 and titled:
            surname = _surname(words)
            given = " ".join(words[: len(words) - len(surname.split())])
            given_by_surname.setdefault(surname, set()).add(given)
    keys: list[str] = []
    for index, speaker in enumerate(speakers):
        if speaker == STATEMENT:
            keys.append("statement")  # one issuer: the document's own voice
            continue
        plain = _plain(speaker).lower()
        if not plain or ANONYMOUS.match(plain.rstrip(".")):
            keys.append(f"{plain or 'unknown'}#{index + 1}")
            continue
        office = _office(plain)
        if office:
            # ``The CHIEF WHIP OF THE OPPOSITION``, ``The MINISTER FOR JUSTICE AND
            # CONSTITUTIONAL DEVELOPMENT``: an office, named whole; its last words name
            # no person (two whips of opposing parties are not one speaker).
            keys.append(office)
            continue
        words, titled, caps = parsed[speaker]
        keys.append(_key(plain, words, titled, caps, short, given_by_surname))
    return keys


#: Courtesy titles that may follow "The" before a person's name (``The Hon. John
#: Smith``, ``The Rt Hon. Theresa May``) or before an office (``The Hon. the Minister``).
_STYLES = frozenset({"hon", "rt", "right", "honourable", "honorable", "reverend", "rev", "very"})


def _office(plain: str) -> str:
    """The office a label introduced by "The" names, lower-case, or "" when the label is
    no office: ``The Hon. John Smith`` is a person (styled), ``The Hon. the Minister of
    Finance`` the office ``the minister of finance``, as the label without the style."""
    words = plain.rstrip(".").split()
    if not words or words[0] != "the":
        return ""
    rest = words[1:]
    styled = False
    while rest and rest[0].strip(".") in _STYLES:
        rest = rest[1:]
        styled = True
    if not styled:
        return " ".join(words)
    # After the style: another "the" opens an office; anything else is a name.
    return " ".join(rest) if rest and rest[0] == "the" else ""


def _key(
    plain: str,
    words: list[str],
    titled: bool,
    caps: str,
    short: set[str],
    given_by_surname: dict[str, set[str]],
) -> str:
    if not words or words[-1].isdigit():
        # A role with no name (``The PRESIDENT``) or a numbered voice (``Speaker 1``).
        return plain.rstrip(".")
    if _is_title(words[-1]) and not titled:
        # ``NATO Secretary General``: the role is the key.
        tail: list[str] = []
        for word in reversed(words):
            if not _is_title(word):
                break
            tail.insert(0, word)
        return " ".join(tail)
    if caps:
        return caps
    surname = _surname(words)
    if len(words) == 1 or surname == " ".join(words):
        return surname
    for word in words:
        if word in short:
            return word
    if len(given_by_surname.get(surname, ())) > 1:
        return " ".join(words)
    if all(_PINYIN.match(word) for word in words):
        # ``Mao Ning``, ``Wang Wenbin``: the family name comes first; keep the whole name.
        return " ".join(words)
    return surname
