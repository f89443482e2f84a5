#!/usr/bin/env bash
# Training throughput of cdsim's models next to the same loop in PyTorch (Debian's
# python3-torch) on PyTorch's fastest path on this machine, measured in one run, model by
# model and thread count by thread count alternating between the two, plus the machine's
# Eigen matrix-product rate.
# Usage: bench/learning/run_learning_bench.sh [--seconds S] [--threads 1,2] [--models softmax,mlp,fcn,cnn]
#        [--cpu-clock] [--repeat N]
# --cpu-clock divides by each process's CPU seconds rather than wall seconds (on a shared
# machine that measures the work per core without the time others take); --repeat runs
# every cdsim/PyTorch pair N times, alternating, and reports each side's median.
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
clock=()
repeat=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --cpu-clock) clock=(--cpu-clock); shift ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--threads 1,2] [--models softmax,mlp,fcn,cnn,cnn28] [--cpu-clock] [--repeat N]" >&2; exit 2 ;;
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
    for ((r = 0; r < repeat; ++r)); do
      "$binary" --seconds "$seconds" --threads "$t" --models "$model" --no-gemm "${clock[@]}" >>"$results"
      if [[ $have_torch == 1 ]]; then
        /usr/bin/python3 bench/learning/torch_learning_bench.py --seconds "$seconds" --threads "$t" \
          --models "$model" "${clock[@]}" >>"$results"
      fi
    done
  done
done

unit="samples/s"
[[ ${#clock[@]} -gt 0 ]] && unit="samples per CPU second of each process"
echo "cdsim learning throughput, batch 128, $unit (forward + backward + SGD update)"
grep -m1 "model name" /proc/cpuinfo | sed 's/.*: /CPU: /'
[[ -n "$blas" ]] && echo "PyTorch $torch_version (Debian python3-torch): T agents stacked, grouped convolutions (oneDNN), OMP_WAIT_POLICY=PASSIVE; BLAS behind nn.Linear (unused): $blas"
echo
awk -F'\t' '
  function median(list, count,    i, j, v, tmp, a) {
    split(list, a, " ")
    for (i = 2; i <= count; ++i) { v = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > v + 0; --j) a[j + 1] = a[j]; a[j + 1] = v }
    return count % 2 ? a[(count + 1) / 2] : (a[count / 2] + a[count / 2 + 1]) / 2
  }
  $1 == "gemm" { printf "Eigen float GEMM %-12s %d thread(s): %8.1f GFLOP/s\n", $2, $3, $4; next }
  $1 == "train" { key = $2 SUBSEP $3; if (!(key in nc)) order[++n] = key; cl[key] = cl[key] " " $5; ++nc[key]; name[key] = $6; next }
  $1 == "torch" { key = $2 SUBSEP $3; tl[key] = tl[key] " " $5; ++nt[key] }
  END {
    printf "\n%-8s %7s %14s %14s %12s %12s %9s   %s\n", "model", "threads", "cdsim", "pytorch", "cdsim/core", "torch/core", "ratio", "cdsim model"
    for (i = 1; i <= n; ++i) {
      key = order[i]; split(key, part, SUBSEP)
      c = median(cl[key], nc[key])
      have = (key in nt); if (have) tv = median(tl[key], nt[key])
      t = have ? sprintf("%14.1f", tv) : sprintf("%14s", "-")
      tc = have ? sprintf("%12.1f", tv / part[2]) : sprintf("%12s", "-")
      r = (have && tv > 0) ? sprintf("%8.2fx", c / tv) : sprintf("%9s", "-")
      printf "%-8s %7d %14.1f %s %12.1f %s %s   %s\n", part[1], part[2], c, t, c / part[2], tc, r, name[key]
    }
    if (n > 0 && nc[order[1]] > 1) printf "(medians of %d alternating runs per side)\n", nc[order[1]]
  }' "$results"
