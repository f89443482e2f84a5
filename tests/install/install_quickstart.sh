#!/usr/bin/env bash
# The installed cdsim works on its own: `cmake --install` into a scratch prefix, then, from
# an unrelated folder, the installed program runs the installed quickstart scenario, plots
# it with the installed plot script, and the installed Python package imports and reads
# the run. With --deb, the same from the Debian package's files unpacked into a scratch
# root (cpack -G DEB), instead of cmake --install.
# Usage: install_quickstart.sh BUILD_DIR PYTHON [--deb]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
python=$2
mode=${3:-install}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [[ "$mode" == "--deb" ]]; then
  (cd "$scratch" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/package" >/dev/null)
  deb=$(ls "$scratch"/package/*.deb)
  dpkg-deb -x "$deb" "$scratch/root"
  prefix="$scratch/root/usr"
else
  cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
  prefix="$scratch/prefix"
fi

mkdir "$scratch/elsewhere"
cd "$scratch/elsewhere"
"$prefix/bin/cdsim" run "$prefix/share/cdsim/scenarios/quickstart.json" --quiet --out run >/dev/null
"$prefix/bin/cdsim" plot run --out quickstart.png >/dev/null
test "$(head -c 4 quickstart.png | od -An -c | tr -d ' ')" = "211PNG"
test -f "$prefix/share/doc/cdsim/python.md"
PYTHONPATH="$prefix/lib/python3/dist-packages" "$python" -c '
import sys, cdsim
run = cdsim.load_run("run")
assert cdsim.__file__.startswith(sys.argv[1]), cdsim.__file__
assert run.summary["scenario"] == "quickstart" and len(run.metrics) > 2
' "$prefix"
echo "installed cdsim ($mode) ran the quickstart, plotted it and loaded it from Python"
