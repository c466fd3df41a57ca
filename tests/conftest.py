"""Suite-wide settings: the slow tests, the hypothesis profiles of the fuzz tests, and
a parse cache of each test's own.

``pytest`` runs the fast suite (under a minute on two cores); tests marked
``slow`` (spaCy training, whole real transcripts built into PDF and Word files,
the real terminal) run too with ``pytest --slow``, as CI and the README do.

``pytest`` runs the ``default`` profile (the whole fuzz suite well under a
minute); ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz_*.py`` runs many more
examples (``benchmarks/fuzz_long.sh``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import annotator.corpus
from annotator.model import Document
from annotator.parse_cache import CACHE_ENV

# pytester runs a small suite in a test; shared_data makes a missing ../shared fail in CI.
pytest_plugins = ["pytester", "tests.shared_data"]

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Set before any test module is imported, so that environments copied at import time
# (``ENV = {**os.environ, ...}``) point their commands at it too; each test then gets
# a folder of its own below.
_SESSION_CACHE = tempfile.mkdtemp(prefix="annotator-parse-cache-")
os.environ[CACHE_ENV] = _SESSION_CACHE
atexit.register(shutil.rmtree, _SESSION_CACHE, True)


@pytest.fixture(autouse=True)
def _parse_cache_per_test(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every command it runs in a subprocess) keeps its parse cache in
    a fresh temporary folder: the suite never writes to the user's cache, and no test
    sees what another one cached."""
    folder = tmp_path_factory.mktemp("parse-cache")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", help="Also run the tests marked slow (as CI does)."
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``--slow``, the slow tests are deselected (and counted as such)."""
    if config.getoption("--slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the documents decoded from a prepared corpus's lines, in order:
    counted where every document is built from its line, whatever path opened it."""
    seen: list[str] = []
    original = annotator.corpus.document_from_dict

    def counted(record: dict[str, object]) -> Document:
        document = original(record)  # type: ignore[arg-type]
        seen.append(document.id)
        return document

    monkeypatch.setattr(annotator.corpus, "document_from_dict", counted)
    return seen
