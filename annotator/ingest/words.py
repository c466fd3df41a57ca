"""Word lists that tell a speaker label from prose, and a label's name from its titles.

Shared by the label shapes (``labels.py``) and the speaker keys (``keys.py``).
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a word list written as one string."""
    return text.split()


def _phrases(text: str) -> list[str]:
    """The ``|``-separated phrases of a list written as one string."""
    return text.split("|")


PAREN = re.compile(r"\s*\([^()]*\)")
HONORIFICS = frozenset(
    _words(
        """mr mrs ms miss mx dr sir lord lady dame baroness baron the hon rt right madam madame
    monsieur m h.e he"""
    )
)
TITLE_WORDS = frozenset(
    _words(
        """ambassador secretary minister president prime foreign defense defence deputy general
    gen admiral adm senator sen representative rep chairman chairwoman chair governor gov
    mayor judge justice commissioner spokesperson spokesman spokeswoman press director
    under assistant special envoy colonel col lieutenant lt captain capt major maj sergeant
    sgt professor prof king queen prince princess chancellor vice member members principal
    senior state of for and national security advisor adviser attorney high permanent
    acting first second lady gentleman chief staff officer presiding speaker pro tempore
    marshal mr. brigadier major-general lieutenant-general air vice-president ministers
    officials official administration department pentagon white house moderator coordinator
    strategic communications cabinet sheikh his her excellency majesty highness rev
    reverend father sister dean"""
    )
)
ROLE_WORDS = frozenset(
    _words(
        """moderator operator question answer interpreter president chair chairman chairwoman
    speaker spokesperson spokesman reporter participant audience q a journalist host
    translator presenter interviewer interviewee narrator witness panelist clerk"""
    )
)
CONNECTORS = frozenset(
    _words(
        """of the for and de del der den van von la le du da di al el bin ibn y on to pro tempore
    in from at &"""
    )
)
NOT_SPEAKERS = frozenset(
    _phrases(
        "note|notes|editor's note|editors note|update|updated|source|sources|correction|"
        "warning|attention|subject|re|to|from|cc|bcc|date|time|location|place|where|when|"
        "what|who|why|how|agenda|topic|topics|present|attendees|participants|embargoed|"
        "contact|end|background|summary|transcript|title|tags|media|release|"
        "for immediate release|link|url|photo|video|image|caption|key points|takeaways|also|"
        "first|second|third|finally|look|listen|example|answer|yes|no"
    )
)
ANONYMOUS = re.compile(
    r"^(?:q|question|reporter|journalist|audience member|audience|participant|unidentified.*|"
    r"voice|male voice|female voice|man|woman|crosstalk|hon\.? members?|"
    r"(?:senior |a )?(?:[a-z]+ )?(?:administration|state department|defense|white house|"
    r"pentagon|u\.s\.|government|senior|military|intelligence|treasury)?\s*officials?)$"
)
SPEAKER_NUMBER = re.compile(r"^(?:speaker|participant|person|voice|reporter|caller)\s+\d+$", re.I)
