"""Where the files that ship with annotator live: labels.yaml and the sample transcripts.

In a source checkout they sit at the repository root; in an installed wheel they
are bundled under ``annotator/_bundled``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    if checkout.exists():
        return checkout
    return _PACKAGE / "_bundled" / name


def default_labels_path() -> Path:
    """The shipped label set for policy statements."""
    return _bundled("labels.yaml")


def sample_data_dir() -> Path:
    """The folder of bundled sample transcripts."""
    return _bundled("data")


def sample_transcript() -> Path:
    """The transcript ``annotator annotate`` opens when given no path."""
    return sample_data_dir() / "state-us-japan-extended-deterrence.txt"
