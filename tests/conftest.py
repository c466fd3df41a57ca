"""Suite-wide settings: the hypothesis profiles of the fuzz tests.

``pytest`` runs the ``default`` profile (the whole fuzz suite well under a
minute); ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz_*.py`` runs many more
examples (``benchmarks/fuzz_long.sh``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
