#!/usr/bin/env bash
# Fuzzes cdsim's input readers with libFuzzer (clang, ASan + UBSan): the scenario loader,
# unit strings, the edge-list / DOT / GraphML readers, GraphML platform files and the IDX /
# CIFAR readers.
#   scripts/fuzz.sh [SECONDS]   run every harness for SECONDS (default 60) each
# Builds the `fuzz` preset (build/fuzz), seeds each corpus from shipped files and small
# generated ones, and prints one line per harness: executions run and findings. A finding
# (crash, sanitizer report, timeout, out-of-memory) is written to build/fuzz/findings/NAME/
# and makes the script exit 1; keep its input under tests/fuzz/regressions/NAME/ so that
# the doctest suites replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
harnesses=(scenario_loader sweep_loader units availability_trace edge_list dot graphml platform_graphml idx cifar)

cmake --preset fuzz >/dev/null
# Quiet when it builds; the build's last lines when it does not, so that CI shows why.
if ! nice ninja -C build/fuzz -j"${CDSIM_JOBS:-2}" "${harnesses[@]/#/fuzz_}" >build/fuzz/build.log 2>&1; then
  tail -n 40 build/fuzz/build.log >&2
  echo "fuzz: the fuzz preset did not build (build/fuzz/build.log)" >&2
  exit 1
fi

corpus=build/fuzz/corpus
findings=build/fuzz/findings
mkdir -p "$findings"
for name in "${harnesses[@]}"; do mkdir -p "$corpus/$name" "$findings/$name"; done

# Seeds: every shipped scenario, every regression input, and small files of each format.
cp scenarios/*.json scenarios/examples/*.json scenarios/paper/*.json "$corpus/scenario_loader/"
cp scenarios/studies/*.json "$corpus/sweep_loader/"
printf '\x08' | cat - scenarios/examples/availability.csv >"$corpus/availability_trace/example"
printf '\x07' | cat - scenarios/examples/platform_racks.graphml >"$corpus/platform_graphml/racks"
cp tests/fuzz/regressions/graphml/* "$corpus/platform_graphml/" 2>/dev/null || true
printf '\x03agent,online_from,online_until\n0,0,1s\n1,2.5s,\n2,100ms,1min\n' >"$corpus/availability_trace/header"
for name in "${harnesses[@]}"; do
  if [ -d "tests/fuzz/regressions/$name" ]; then cp tests/fuzz/regressions/"$name"/* "$corpus/$name/" 2>/dev/null || true; fi
done
i=0
for unit in "\x001ms" "\x00250us" "\x002.5s" "\x001e-3s" "\x011Gbps" "\x01100MB/s" "\x0112KiB/s" "\x02400KB" "\x021MiB" "\x0212"; do
  printf "$unit" >"$corpus/units/seed$i"
  i=$((i + 1))
done
printf '# 4 vertices, 3 edges\n0 1\n1 2\n2,3\n' >"$corpus/edge_list/path"
printf '0 1 %% comment\n1 2\n2 0\n' >"$corpus/edge_list/triangle"
printf 'graph g {\n  0 -- 1;\n  1 -- 2 [weight=0.5];\n  subgraph s { 2 -- 3 }\n}\n' >"$corpus/dot/graph"
printf 'strict digraph { 0 -> 1; 1 -> 0; 2 }\n' >"$corpus/dot/digraph"
cat >"$corpus/graphml/ring" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"/><node id="n1"/><node id="n2"/>
    <edge source="n0" target="n1"><data key="w">1.0</data></edge>
    <edge source="n1" target="n2"/><edge source="n2" target="n0"/>
  </graph>
</graphml>
XML
python3 - "$corpus" <<'PY'
import gzip, struct, sys
corpus = sys.argv[1]
def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload
images = idx([3, 2, 2], bytes(range(12)))
open(f"{corpus}/idx/images", "wb").write(images)
open(f"{corpus}/idx/labels", "wb").write(idx([3], bytes([0, 1, 2])))
open(f"{corpus}/idx/images.gz", "wb").write(gzip.compress(images))
record10 = bytes([3]) + bytes(i % 256 for i in range(3072))
open(f"{corpus}/cifar/cifar10", "wb").write(record10 * 2)
record100 = bytes([1, 42]) + bytes((7 * i) % 256 for i in range(3072))
open(f"{corpus}/cifar/cifar100", "wb").write(record100)
PY

status=0
printf '%-16s %12s  %s\n' harness executions findings
for name in "${harnesses[@]}"; do
  dict=()
  if [ "$name" = scenario_loader ] || [ "$name" = sweep_loader ]; then dict=(-dict=tests/fuzz/scenario.dict); fi
  log="$findings/$name.log"
  set +e
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "build/fuzz/tests/fuzz/fuzz_$name" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/$name/" "$corpus/$name" >"$log" 2>&1
  code=$?
  set -e
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  found=$(find "$findings/$name" -type f | wc -l)
  printf '%-16s %12s  %s\n' "$name" "$executions" "$found"
  if [ "$code" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    echo "  finding(s) in $findings/$name/ (log: $log)"
    grep -m3 -E 'ERROR: |SUMMARY: ' "$log" | sed 's/^/  /' || true
  fi
done
exit "$status"
