#!/usr/bin/env bash
# Quick start: installs what is missing, builds Release, runs the default scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/prepare-data.sh
scripts/build.sh release
build/release/apps/cdsim run scenarios/quickstart.json "$@"
