#!/usr/bin/env bash
# The installed cdsim works on its own: `cmake --install` into a scratch prefix, then, from
# an unrelated folder, the installed program runs the installed quickstart scenario, plots
# it with the installed plot script, and the installed Python package imports and reads
# the run. With --deb, the same from the Debian package (cpack -G DEB) installed by dpkg
# into a scratch root, after checking its Depends against this machine's packages; then
# purged, leaving nothing behind.
# Usage: install_quickstart.sh BUILD_DIR PYTHON [--deb]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
python=$2
mode=${3:-install}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Every "name (op version)" of the package's Depends is met by this machine's installed
# Debian packages: what apt would have to find on a fresh Debian 12.
check_depends() {
  local deb=$1 entry name op version installed
  IFS=',' read -ra entries <<<"$(dpkg-deb -f "$deb" Depends)"
  for entry in "${entries[@]}"; do
    read -r name op version <<<"$(echo "$entry" | tr -d '()')"
    installed=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) || { echo "Depends: $name is not a package here" >&2; exit 1; }
    if [[ -n "$op" ]]; then
      case "$op" in '>=') op=ge ;; '<=') op=le ;; '>>') op=gt ;; '<<') op=lt ;; '=') op=eq ;; esac
      dpkg --compare-versions "$installed" "$op" "$version" || { echo "Depends: $name $installed is not $op $version" >&2; exit 1; }
    fi
  done
}

if [[ "$mode" == "--deb" ]]; then
  (cd "$scratch" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/package" >/dev/null)
  deb=$(ls "$scratch"/package/*.deb)
  check_depends "$deb"
  # dpkg itself installs it into a scratch root with a database of its own (the package's
  # dependencies are this machine's, checked above, hence --force-depends there).
  root="$scratch/root"
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
  touch "$root/var/lib/dpkg/status"
  dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless -i "$deb" >/dev/null 2>&1 ||
    { echo "dpkg could not install $deb into $root" >&2; exit 1; }
  test "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' cdsim)" = "install ok installed"
  prefix="$root/usr"
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
if [[ "$mode" == "--deb" ]]; then
  # Removing the package leaves none of its files behind.
  dpkg --root="$root" --force-not-root --force-script-chrootless --purge cdsim >/dev/null 2>&1
  test -z "$(find "$root/usr" -type f)"
fi
echo "installed cdsim ($mode) ran the quickstart, plotted it and loaded it from Python"
