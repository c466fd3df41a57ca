"""The optional user config file, ``annotator.toml``.

Looked for in the current folder, then in ``~/.config/annotator/config.toml``.
It may set ``speaker_pattern`` (a regex for an unfamiliar transcript format),
``pipeline`` (an installed spaCy pipeline) and a ``[keys]`` table that remaps
TUI actions to keys.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import ConfigError, TranscriptError
from annotator.inputs import read_input
from annotator.keys import KEY_ACTIONS

if TYPE_CHECKING:
    from annotator.sources import Reading

KNOWN_FIELDS = {"speaker_pattern", "pipeline", "keys", "annotator", "behaviour"}
#: Where Enter moves once a sentence is decided: the next sentence, or the next undecided.
ENTER_MOVES = ("next", "next-undecided")


@dataclass(frozen=True)
class Config:
    """Settings read from the config file; every field is optional."""

    path: Path | None = None
    speaker_pattern: str | None = None
    pipeline: str | None = None
    annotator: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    #: ``[behaviour] enter``: one of ``ENTER_MOVES``.
    enter: str = "next"


def resolve_reading(
    pipeline: str | None = None,
    speaker_pattern: str | None = None,
    config: Config | None = None,
    *,
    cache: bool = True,
) -> Reading:
    """How this command reads transcripts: its options over the config file's. Every
    command that opens transcripts resolves this once, so export, stats, status,
    train, assign and adjudicate read them as annotate and parse did. ``cache``:
    ``False`` for ``--no-cache`` (parse every transcript afresh)."""
    from annotator.sources import Reading

    config = config or load_config()
    pattern = compile_speaker_pattern(speaker_pattern or config.speaker_pattern)
    return Reading(pipeline or config.pipeline, pattern, cache=cache)


def compile_speaker_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """Compile a user's speaker-label regex (matched at line start; group ``speaker`` or 1)."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise TranscriptError(f"speaker pattern {pattern!r}: {error}") from None


def config_candidates() -> list[Path]:
    home = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return [Path.cwd() / "annotator.toml", home / "annotator" / "config.toml"]


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file named, or the first that exists; defaults if none."""
    candidates = [Path(path)] if path else config_candidates()
    for candidate in candidates:
        if not candidate.is_file():
            if path:
                raise ConfigError(f"{candidate}: no such config file")
            continue
        try:
            data = tomllib.loads(
                read_input(candidate, ConfigError, what="config file", limit=1 << 20).decode()
            )
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{candidate}: not valid TOML ({error})") from None
        unknown = sorted(set(data) - KNOWN_FIELDS)
        if unknown:
            raise ConfigError(
                f"{candidate}: unknown field {unknown[0]!r} "
                f"(known: {', '.join(sorted(KNOWN_FIELDS))})"
            )
        keys = data.get("keys", {})
        if not isinstance(keys, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
        ):
            raise ConfigError(f"{candidate}: [keys] must map action names to key names")
        known = {action.id for action in KEY_ACTIONS}
        for action_id in keys:
            if action_id not in known and not action_id.startswith(("label.", "take.")):
                raise ConfigError(
                    f"{candidate}: [keys] has no action {action_id!r} "
                    f"(actions: {', '.join(sorted(known))}, label.NAME)"
                )
        behaviour = data.get("behaviour", {})
        if not isinstance(behaviour, dict) or set(behaviour) - {"enter"}:
            raise ConfigError(f"{candidate}: [behaviour] may only set enter")
        enter = behaviour.get("enter", "next")
        if enter not in ENTER_MOVES:
            raise ConfigError(
                f"{candidate}: [behaviour] enter must be one of {', '.join(ENTER_MOVES)}"
            )
        for name in ("speaker_pattern", "pipeline", "annotator"):
            if name in data and not isinstance(data[name], str):
                raise ConfigError(f"{candidate}: field {name!r} must be a string")
        return Config(
            path=candidate,
            speaker_pattern=data.get("speaker_pattern"),
            pipeline=data.get("pipeline"),
            annotator=data.get("annotator"),
            keys=dict(keys),
            enter=enter,
        )
    return Config()
