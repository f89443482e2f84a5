#!/usr/bin/env bash
# A whole `cdsim run` of the paper's FCN scenario (scenarios/paper/paper_fcn_fashion_cdsgd_ring.json,
# with its default evaluation cadence: every epoch, every agent on the full train and test
# sets, plus the averaged model) next to the same training plus evaluation in PyTorch on its
# fastest path here (bench/learning/torch_paper_fcn_run.py), one after the other, with the
# same number of threads. Prints wall and CPU seconds of each and their ratio.
# Usage: bench/learning/run_paper_fcn_comparison.sh [--epochs E (default 40)] [--threads T (default 1)]
set -euo pipefail
cd "$(dirname "$0")/../.."

epochs=40
threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "usage: $0 [--epochs E] [--threads T]" >&2; exit 2 ;;
  esac
done
build=${CDSIM_BENCH_BUILD_DIR:-build/bench}
if [[ ! -x "$build/apps/cdsim" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCDSIM_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" --target cdsim -j2 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$epochs" "$work/paper_fcn.json" <<'PY'
import json, sys
scenario = json.load(open("scenarios/paper/paper_fcn_fashion_cdsgd_ring.json"))
scenario["run"]["epochs"] = int(sys.argv[1])
json.dump(scenario, open(sys.argv[2], "w"))
PY
export OMP_WAIT_POLICY=PASSIVE
/usr/bin/time -f "%e %U %S" -o "$work/cdsim.time" "$build/apps/cdsim" run "$work/paper_fcn.json" --quiet \
  --threads "$threads" --out "$work/run" >/dev/null
/usr/bin/time -f "%e %U %S" -o "$work/torch.time" /usr/bin/python3 bench/learning/torch_paper_fcn_run.py \
  --epochs "$epochs" --threads "$threads" >"$work/torch.out"
echo "paper FCN, CDSGD, 5 agents on a 5-ring, Fashion-MNIST, $epochs epochs, evaluation every epoch, $threads thread(s)"
echo "cdsim final:   $(tail -n1 "$work/run/metrics.csv")  (metrics.csv columns)"
echo "PyTorch final: $(head -n1 "$work/torch.out")"
awk 'NR == FNR { cw = $1; cc = $2 + $3; next } { tw = $1; tc = $2 + $3 }
  END { printf "%-8s %9s %9s\n%-8s %9.2f %9.2f\n%-8s %9.2f %9.2f\n%-8s %8.2fx %8.2fx\n", "", "wall_s", "cpu_s",
        "cdsim", cw, cc, "pytorch", tw, tc, "ratio", tw / cw, tc / cc }' "$work/cdsim.time" "$work/torch.time"
