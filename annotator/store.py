"""Moved to ``annotator.log``; this name is kept while the callers move over."""

from annotator.log import *  # noqa: F403
from annotator.log import __all__  # noqa: F401
