"""The one sanitiser for everything that came from input and reaches a terminal.

Speaker names, document titles and ids (file names), annotator ids, notes,
label names and paths are data: a transcript or a log can carry ``ESC`` and
other control codes that would move the cursor, clear the screen, set the
window title or hide text (bidirectional overrides). Every such string passes
through ``terminal_safe`` before it is shown, by the CLI (its consoles apply
it to every segment they print) and by the TUI (its widgets apply it to every
string from input they display).
"""

from __future__ import annotations

import unicodedata

#: Unicode categories never sent to a terminal as they are: controls (C0, C1, ESC,
#: DEL), format characters (bidirectional overrides, zero-width joiners, soft
#: hyphens) and lone surrogates (which cannot even be encoded).
_UNSAFE = frozenset({"Cc", "Cf", "Cs"})


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control, format and surrogate character shown as a visible
    ``\\uXXXX`` escape (newlines kept unless ``keep_newlines`` is False)."""
    if text.isprintable():
        return text  # the common case, checked in C
    category = unicodedata.category
    return "".join(
        ch
        if (ch == "\n" and keep_newlines) or ch == " " or category(ch) not in _UNSAFE
        else f"\\u{ord(ch):04x}"
        for ch in text
    )
