#!/usr/bin/env bash
# cdsim next to SimGrid 3.32 on the communication-only ring replay: N agents in a ring, R
# rounds, each round every agent computes for C, sends its parameter message (P parameters,
# sized by cdsim's wire schema) to both neighbours and waits for both of its own; one link
# per edge, latency L, bandwidth B; SimGrid's CM02 model made ideal (no latency/bandwidth
# factors, weight-S 0, no TCP window cap, no cross-traffic), where a transfer takes L + S/B.
# Prints both makespans (they must agree to the nanosecond), wall and CPU seconds and peak
# memory of each program, and the ratios, for N = 16, 256, 4096.
# Usage: bench/simgrid/compare.sh [--rounds R] [--parameters P] [--agents 16,256,4096] [--repeat K]
# The figures are medians over K runs (default 3), the two programs alternating run by run.
# cdsim's side is a whole `cdsim run` (process start to run directory written) of a CDSGD
# scenario with model {"kind": "none", "parameters": P} (communication only) and
# run.evaluation off; its makespan is summary.json's sim_time_s.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=100
parameters=100000
agents=16,256,4096
repeat=3
compute_ns=1000000    # C = 1 ms
latency_ns=10000      # L = 10 us
bandwidth_bps=1000000000  # B = 1 Gbit/s
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --parameters) parameters="$2"; shift 2 ;;
    --agents) agents="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "usage: $0 [--rounds R] [--parameters P] [--agents 16,256,4096] [--repeat K]" >&2; exit 2 ;;
  esac
done

build=${CDSIM_BENCH_BUILD_DIR:-build/bench}
if [[ ! -x "$build/apps/cdsim" || ! -x "$build/bench/cdsim_bench_simgrid_ring" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCDSIM_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" --target cdsim cdsim_bench_simgrid_ring -j2 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The scenario for N agents.
scenario() {
  cat >"$work/ring_$1.json" <<JSON
{"name": "ring_replay_$1", "seed": 1, "agents": $1, "topology": {"kind": "ring"},
 "network": {"latency": "${latency_ns}ns", "bandwidth": "${bandwidth_bps}bps"},
 "compute": {"step_time": "${compute_ns}ns"},
 "model": {"kind": "none", "parameters": $parameters},
 "algorithm": {"kind": "cdsgd"},
 "run": {"steps": $rounds, "evaluation": {"mode": "off"}}}
JSON
  echo "$work/ring_$1.json"
}
compute_s=$(awk -v ns="$compute_ns" 'BEGIN { printf "%.9f", ns / 1e9 }')
latency_s=$(awk -v ns="$latency_ns" 'BEGIN { printf "%.9f", ns / 1e9 }')
bandwidth_Bps=$(awk -v b="$bandwidth_bps" 'BEGIN { printf "%.0f", b / 8 }')

# Runs "$@"; appends "<makespan_ns> <wall_s> <cpu_s> <max_rss_kb>" to $record (CPU and
# memory from the child's rusage, to the microsecond).
measure() {
  /usr/bin/python3 - "$@" >>"$record" <<'PY'
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
output = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
if status != 0:
    sys.exit(f"{sys.argv[1]} failed")
fields = dict(line.split()[:2] for line in output.splitlines() if len(line.split()) >= 2)
if "makespan_s" in fields:
    makespan = round(float(fields["makespan_s"]) * 1e9)
else:  # a cdsim run: the run directory's summary
    import json
    out = sys.argv[sys.argv.index("--out") + 1]
    makespan = round(json.load(open(os.path.join(out, "summary.json")))["sim_time_s"] * 1e9)
print(makespan, f"{wall:.4f}", f"{usage.ru_utime + usage.ru_stime:.4f}", usage.ru_maxrss)
PY
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Ring replay: R = $rounds rounds, P = $parameters parameters a message ($(( 4 * parameters )) payload bytes + header), C = ${compute_ns} ns, L = ${latency_ns} ns, B = ${bandwidth_bps} bit/s"
echo "medians of $repeat runs each; CPU = user + system seconds; memory = peak resident set"
printf "%6s %16s %16s %6s %9s %9s %7s %8s %8s %7s %9s %9s %7s\n" N cdsim_ns simgrid_ns agree \
  cdsim_wall sg_wall ratio cdsim_cpu sg_cpu ratio cdsim_MB sg_MB ratio
IFS=, read -r -a sizes <<<"$agents"
for n in "${sizes[@]}"; do
  cdsim_record=$(mktemp) simgrid_record=$(mktemp)
  for ((k = 0; k < repeat; ++k)); do
    record=$cdsim_record measure "$build/apps/cdsim" run "$(scenario "$n")" --quiet --threads 1 --out "$work/run_$n"
    record=$simgrid_record measure "$build/bench/cdsim_bench_simgrid_ring" "$n" "$rounds" "$parameters" \
      "$compute_s" "$latency_s" "$bandwidth_Bps"
  done
  c_make=$(awk 'NR == 1 { print $1 }' "$cdsim_record") s_make=$(awk 'NR == 1 { print $1 }' "$simgrid_record")
  agree=no; [[ "$c_make" == "$s_make" ]] && agree=yes
  c_wall=$(awk '{ print $2 }' "$cdsim_record" | median) s_wall=$(awk '{ print $2 }' "$simgrid_record" | median)
  c_cpu=$(awk '{ print $3 }' "$cdsim_record" | median) s_cpu=$(awk '{ print $3 }' "$simgrid_record" | median)
  c_mem=$(awk '{ print $4 / 1024 }' "$cdsim_record" | median) s_mem=$(awk '{ print $4 / 1024 }' "$simgrid_record" | median)
  awk -v n="$n" -v cm="$c_make" -v sm="$s_make" -v a="$agree" -v cw="$c_wall" -v sw="$s_wall" -v cc="$c_cpu" \
      -v sc="$s_cpu" -v cmem="$c_mem" -v smem="$s_mem" 'BEGIN {
    printf "%6d %16s %16s %6s %9.3f %9.3f %6.1fx %8.3f %8.3f %6.1fx %9.1f %9.1f %6.1fx\n", n, cm, sm, a, cw, sw,
      (cw > 0 ? sw / cw : 0), cc, sc, (cc > 0 ? sc / cc : 0), cmem, smem, (cmem > 0 ? smem / cmem : 0)
  }'
  rm -f "$cdsim_record" "$simgrid_record"
  [[ "$agree" == yes ]] || { echo "makespans differ at N = $n" >&2; exit 1; }
done
