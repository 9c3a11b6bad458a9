#!/usr/bin/env bash
# Set-up, then the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec ctest --test-dir build --output-on-failure -j2 --timeout 600
