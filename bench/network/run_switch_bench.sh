#!/usr/bin/env bash
# The shared-link (switch) model's cost, before and after a change: runs
# bench/network/switch_complete64.json (64 agents, complete graph, one switch) with each
# cdsim binary given, 3 times each, interleaved, and prints the median CPU seconds (user +
# sys from /usr/bin/time) and the ratio to the first binary. The makespans must agree.
#   bench/network/run_switch_bench.sh OLD_CDSIM NEW_CDSIM [REPEATS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scenario="$here/switch_complete64.json"
repeats="${3:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -A seconds
for r in $(seq "$repeats"); do
  for which in 1 2; do
    binary="${!which}"
    out="$work/run-$which-$r"
    /usr/bin/time -f "%U %S" -o "$work/time-$which-$r" "$binary" run "$scenario" --quiet --out "$out" >/dev/null
    seconds[$which]+="$(awk '{print $1 + $2}' "$work/time-$which-$r") "
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sim_time_s'])" "$out/summary.json" > "$work/makespan-$which-$r"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m1="$(echo "${seconds[1]}" | median)"
m2="$(echo "${seconds[2]}" | median)"
echo "makespans (s): $(cat "$work"/makespan-1-1) vs $(cat "$work"/makespan-2-1)"
echo "median CPU s: first $m1, second $m2, speedup $(python3 -c "print(f'{$m1 / $m2:.1f}x')")"
