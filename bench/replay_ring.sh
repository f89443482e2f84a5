#!/usr/bin/env bash
# A whole `cdsim run` of a communication-only CDSGD replay (model.kind "none") on a ring,
# under /usr/bin/time -v: CPU seconds (user + system) and peak resident memory.
# Default: 1,048,576 agents x 100 rounds, messages sized for 100,000 parameters (400 KB);
# targets < 30 CPU-seconds and < 4 GiB.
# Usage: bench/replay_ring.sh [--agents N] [--steps R] [--parameters P] [--cdsim PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
agents=1048576
steps=100
parameters=100000
cdsim=build/release/apps/cdsim
while [[ $# -gt 0 ]]; do
  case "$1" in
    --agents) agents="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --parameters) parameters="$2"; shift 2 ;;
    --cdsim) cdsim="$2"; shift 2 ;;
    *) echo "usage: $0 [--agents N] [--steps R] [--parameters P] [--cdsim PATH]" >&2; exit 2 ;;
  esac
done
if [[ ! -x "$cdsim" ]]; then
  echo "$0: no cdsim binary at $cdsim (cmake --preset release && cmake --build --preset release)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/replay_ring.json" <<JSON
{"name": "replay_ring", "agents": $agents, "topology": {"kind": "ring"},
 "network": {"latency": "1ms", "bandwidth": "10Gbps"}, "compute": {"step_time": "5ms"},
 "model": {"kind": "none", "parameters": $parameters}, "algorithm": {"kind": "cdsgd"},
 "run": {"steps": $steps}}
JSON
/usr/bin/time -v "$cdsim" run "$work/replay_ring.json" --quiet --out "$work/run" > "$work/stdout" 2> "$work/time"
user=$(awk -F': ' '/User time/ {print $2}' "$work/time")
system=$(awk -F': ' '/System time/ {print $2}' "$work/time")
rss_kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
messages=$(awk '/^traffic/ {print $5}' "$work/stdout")
sim_time=$(awk '/^sim time/ {print $3}' "$work/stdout")
cpu=$(awk -v u="$user" -v s="$system" 'BEGIN {printf "%.2f", u + s}')
echo "agents $agents  rounds $steps  parameters $parameters  messages $messages  sim time $sim_time s"
echo "cpu ${cpu} s (user $user, system $system)  wall $wall  peak memory $(awk -v k="$rss_kb" 'BEGIN {printf "%.2f GiB", k / 1048576}')"
awk -v c="$cpu" -v m="$messages" 'BEGIN {if (c > 0) printf "%.2fM messages per CPU second\n", m / c / 1e6}'
