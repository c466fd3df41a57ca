"""annotator: label the sentences of official statements from the keyboard."""

__version__ = "0.1.0"
