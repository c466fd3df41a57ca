"""Transcript reading by job: label shapes and the per-document convention,
page furniture and notes, speaker keys, and the import report.

``annotator.transcript`` ties them together into ``parse_text``.
"""

#: The reader's version, part of every parse cache key (``annotator.parse_cache``).
#: Bump it in any change that alters what reading and segmenting a transcript gives
#: (``transcript.py``, this package, ``segment.py``, ``sentence_rules.py``): turns,
#: speakers, notes, sentences, warnings or the convention. Nothing else tells the
#: cache that the reader changed: analysts would go on seeing the old reading.
READER_VERSION = 5
