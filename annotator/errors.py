"""Every failure a user can cause, one exception family each.

The CLI catches ``AnnotatorError`` and prints ``str(error)`` as one line with a
non-zero exit code, so messages name the file and the problem and never need a
traceback to be understood.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base of all errors that are reported to the user as one line."""


class TranscriptError(AnnotatorError):
    """A transcript (or JSONL turns, or a folder) could not be read."""


class PipelineError(AnnotatorError):
    """A spaCy pipeline could not be loaded or does not split sentences."""


class LabelsError(AnnotatorError):
    """labels.yaml is invalid; the message names file, line and field."""


class StoreError(AnnotatorError):
    """The annotation log cannot be read, locked or written."""


class LogLockedError(StoreError):
    """Another live process holds the annotation log for writing."""


class CorpusError(AnnotatorError):
    """A prepared corpus file is missing or damaged."""


class ConfigError(AnnotatorError):
    """annotator.toml is not valid."""


class AgreementError(AnnotatorError):
    """Logs cannot be compared (missing file, nothing coded twice, bad arguments)."""


class AdjudicationError(AnnotatorError):
    """The analysts' logs or their documents cannot be adjudicated."""


class SuggestError(AnnotatorError):
    """A model cannot be trained or loaded as asked."""


class NotAModelError(SuggestError):
    """A folder is not a model written by ``annotator train``."""


class TooFewDecisionsError(SuggestError):
    """Some label has too few positive decisions to learn from."""


class ExportError(AnnotatorError):
    """An export cannot be made as asked (missing log, existing output, bad option)."""


class WorklistError(AnnotatorError):
    """A work list cannot be planned, written or read."""


class LabelErrors(LabelsError):
    """Every error found in a labels file; its message is the first, with a count."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        more = len(messages) - 1
        suffix = f" (and {more} more: annotator labels check lists them)" if more else ""
        super().__init__(messages[0] + suffix)
