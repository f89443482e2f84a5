#!/usr/bin/env bash
# Training throughput of cdsim's models next to the same loop in PyTorch (Debian's
# python3-torch) on PyTorch's fastest path on this machine, measured in one run, model by
# model and thread count by thread count alternating between the two, plus the machine's
# Eigen matrix-product rate.
# Usage: bench/learning/run_learning_bench.sh [--seconds S] [--threads 1,2] [--models softmax,mlp,fcn,cnn]
# Builds build/bench (CDSIM_BUILD_BENCH=ON) when the benchmark binary is missing.
# With T threads both sides train T agents: cdsim one agent a thread (its way of using
# threads); PyTorch the T agents stacked into one model (grouped convolutions, oneDNN) with
# torch.set_num_threads(T) and OMP_WAIT_POLICY=PASSIVE. Throughput is samples per second
# summed over agents; "per core" divides it by T.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=2
threads=1,2
models=softmax,mlp,fcn,cnn
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--threads 1,2] [--models softmax,mlp,fcn,cnn,cnn28]" >&2; exit 2 ;;
  esac
done

build=${CDSIM_BENCH_BUILD_DIR:-build/bench}
binary="$build/bench/cdsim_bench_learning"
if [[ ! -x "$binary" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCDSIM_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" --target cdsim_bench_learning -j2 >/dev/null
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT
export OMP_WAIT_POLICY=PASSIVE
have_torch=0
/usr/bin/python3 -c "import torch" 2>/dev/null && have_torch=1
if [[ $have_torch == 1 ]]; then
  blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
  torch_version=$(/usr/bin/python3 -c "import torch; print(torch.__version__)")
else
  blas=""
  echo "PyTorch is not installed (CDSIM_WITH_BENCH=1 scripts/install-deps.sh); cdsim figures only." >&2
fi
"$binary" --seconds "$seconds" --threads "$threads" --models "" >>"$results"
IFS=, read -r -a model_list <<<"$models"
IFS=, read -r -a thread_list <<<"$threads"
for model in "${model_list[@]}"; do
  for t in "${thread_list[@]}"; do
    "$binary" --seconds "$seconds" --threads "$t" --models "$model" --no-gemm >>"$results"
    if [[ $have_torch == 1 ]]; then
      /usr/bin/python3 bench/learning/torch_learning_bench.py --seconds "$seconds" --threads "$t" \
        --models "$model" >>"$results"
    fi
  done
done

echo "cdsim learning throughput, batch 128, samples/s (forward + backward + SGD update)"
grep -m1 "model name" /proc/cpuinfo | sed 's/.*: /CPU: /'
[[ -n "$blas" ]] && echo "PyTorch $torch_version (Debian python3-torch): T agents stacked, grouped convolutions (oneDNN), OMP_WAIT_POLICY=PASSIVE; BLAS behind nn.Linear (unused): $blas"
echo
awk -F'\t' '
  $1 == "gemm" { printf "Eigen float GEMM %-12s %d thread(s): %8.1f GFLOP/s\n", $2, $3, $4; next }
  $1 == "train" { key = $2 SUBSEP $3; cdsim[key] = $5; order[++n] = key; name[key] = $6; next }
  $1 == "torch" { torch[$2 SUBSEP $3] = $5 }
  END {
    printf "\n%-8s %7s %14s %14s %12s %12s %9s   %s\n", "model", "threads", "cdsim", "pytorch", "cdsim/core", "torch/core", "ratio", "cdsim model"
    for (i = 1; i <= n; ++i) {
      key = order[i]; split(key, part, SUBSEP)
      t = (key in torch) ? sprintf("%14.1f", torch[key]) : sprintf("%14s", "-")
      tc = (key in torch) ? sprintf("%12.1f", torch[key] / part[2]) : sprintf("%12s", "-")
      r = (key in torch && torch[key] > 0) ? sprintf("%8.2fx", cdsim[key] / torch[key]) : sprintf("%9s", "-")
      printf "%-8s %7d %14.1f %s %12.1f %s %s   %s\n", part[1], part[2], cdsim[key], t, cdsim[key] / part[2], tc, r, name[key]
    }
  }' "$results"
