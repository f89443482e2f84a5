#!/usr/bin/env bash
# Installs what is missing, builds a preset (default: release) and runs the whole test suite.
# Usage: scripts/test.sh [PRESET]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/install-deps.sh
scripts/prepare-data.sh
scripts/build.sh "$preset"
ctest --preset "$preset" --parallel "$(nproc)"
