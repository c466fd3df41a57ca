"""Transcript reading by job: label shapes and the per-document convention,
page furniture and notes, speaker keys, and the import report.

``annotator.transcript`` ties them together into ``parse_text``.
"""
