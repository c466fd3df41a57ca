"""The one error type of agreement (kept beside it: ``annotator/errors.py`` holds the
families the command line catches, and this one subclasses its base)."""

from __future__ import annotations

from annotator.errors import AnnotatorError


class AgreementError(AnnotatorError):
    """Logs cannot be compared (missing file, nothing coded twice, bad arguments)."""
