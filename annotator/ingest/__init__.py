"""Transcript reading by job: label shapes and the per-document convention,
page furniture and notes, speaker keys, and the import report.

``annotator.transcript`` ties them together into ``parse_text``. Changing what a
transcript reads as? Bump ``transcript.READER_VERSION`` (the parse cache's key).
"""
