#!/usr/bin/env bash
# Set-up, then the demo: runs the scenario catalogue under the tracer, prints what it found
# and writes the HTML report to build/report/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh threadlens threadlens_preload scenarios
exec build/cli/threadlens scenarios run all --report build/report
