#!/usr/bin/env bash
# Prepares the real data sets cdsim trains on, under data/ (idempotent, fast when done).
# Fashion-MNIST comes from the Debian package dataset-fashion-mnist and is read in place.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
  echo "prepare-data: /usr/share/datasets/fashion-mnist is missing; run scripts/install-deps.sh" >&2
  exit 1
fi
