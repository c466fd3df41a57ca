"""``../shared`` (the real transcripts, the analyst's labels, the sentence-boundary
sets) beside the repository, and what a test does when it is missing.

On a developer's machine a test that needs it is skipped, saying so. In CI
(``CI`` set, as ``.ci/run`` runs there) the same test fails with one clear line:
CI starts from a clean clone with ``../shared`` beside it, so a missing folder
there is a broken setup, never a reason to pass. A test marks its need by a skip
reason that names ``../shared`` (``needs_shared``, ``skip_without``).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: Every skip for missing shared data says this, so that CI can tell it apart.
MISSING = "../shared is not beside the repository"


def skip_without(path: Path) -> Path:
    """``path`` (under ``../shared``), or skip the test that needs it (fail in CI)."""
    if not path.exists():
        pytest.skip(f"{MISSING}: {path} not found")
    return path


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=MISSING)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("CI") and MISSING in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} needs {SHARED}, which CI must have beside the clone "
            f"({MISSING}); this test does not skip in CI"
        )
