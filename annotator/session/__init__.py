"""What a keystroke does, without a screen: the annotation session.

- ``session.py``: ``AnnotationSession``, the cursor, filter, order of work and
  suggestions, and every action that writes to the log (deciding, notes, flags,
  exclusions, undo and redo, merges and splits);
- ``suggestions.py``: ``SuggestionCache``, the model's suggestions for the open
  documents, made again for the next sentence as decisions change;
- ``documents.py``: ``SessionDocuments``, the documents as the log has them (a few
  open at a time), what the log says of each sentence, and progress;
- ``source.py``: where the documents come from (``DocumentList`` in memory,
  ``CorpusDocuments`` read from prepared corpora through their index);
- ``navigation.py``: reading order (``Position``, ``Filter``), where a move lands.
"""

from __future__ import annotations

from annotator.session.documents import DocumentProgress, Scope, SessionDocuments
from annotator.session.navigation import Filter, Position
from annotator.session.session import AnnotationSession

__all__ = [
    "AnnotationSession",
    "DocumentProgress",
    "Filter",
    "Position",
    "Scope",
    "SessionDocuments",
]
