#!/usr/bin/env bash
# The fuzz suite with many more examples than the default test run (minutes, not seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
HYPOTHESIS_PROFILE=long .venv/bin/pytest -q tests/test_fuzz_*.py "$@"
