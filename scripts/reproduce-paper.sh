#!/usr/bin/env bash
# Reproduces the experiments of Jiang et al., "Collaborative Deep Learning in Fixed
# Topology Networks" (NIPS 2017) with cdsim: runs every scenario in scenarios/paper/ into
# runs/<name>/ and draws the figures docs/figures/paper_*.png. See docs/reproduction.md.
#
# Idempotent: a run whose runs/<name>/summary.json is newer than its scenario file (and
# than the cdsim binary) is not run again; --force reruns everything. Figures are always
# redrawn (cheap). Usage: scripts/reproduce-paper.sh [--force] [--fcn-only]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${CDSIM_BUILD_DIR:-build/paper}
threads=${CDSIM_THREADS:-2}
force=0
fcn_only=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --fcn-only) fcn_only=1 ;;
    *) echo "usage: $0 [--force] [--fcn-only]" >&2; exit 2 ;;
  esac
done

scripts/prepare-data.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target cdsim -j2 >/dev/null
cdsim="$build_dir/apps/cdsim"

run() {  # run SCENARIO_NAME
  local name=$1 scenario=scenarios/paper/$1.json out=runs/$1
  if [[ $force == 0 && -f $out/summary.json && $out/summary.json -nt $scenario \
        && $out/summary.json -nt $cdsim ]]; then
    echo "up to date: $out"
    return
  fi
  local start=$SECONDS
  "$cdsim" run "$scenario" --quiet --threads "$threads" --out "$out"
  echo "ran $name in $((SECONDS - start)) s"
}

mkdir -p runs docs/figures
for data in mnist fashion; do
  for method in sgd msgd fedavg cdsgd_complete cdmsgd_complete cdsgd_ring cdmsgd_ring; do
    run "paper_fcn_${data}_${method}"
  done
done
if [[ $fcn_only == 0 ]]; then
  for method in sgd cdsgd cdmsgd; do
    run "paper_cnn_reduced_${method}"
  done
fi

labels=(SGD MSGD FedAvg "CDSGD complete" "CDMSGD complete" "CDSGD ring" "CDMSGD ring")
plot_fcn() {  # plot_fcn DATA TITLE METRIC OUT
  local data=$1 title=$2 metric=$3 out=$4 dirs=()
  for method in sgd msgd fedavg cdsgd_complete cdmsgd_complete cdsgd_ring cdmsgd_ring; do
    dirs+=("runs/paper_fcn_${data}_${method}")
  done
  "$cdsim" plot "${dirs[@]}" --x epoch --metric "$metric" --yscale linear --dpi 80 \
    --title "$title" --out "$out" --labels "${labels[@]}"
}
plot_fcn mnist "FCN (20x50 ReLU), MNIST digits 7,996/2,004, 5 agents: test accuracy" \
  test_accuracy docs/figures/paper_fcn_mnist_test.png
plot_fcn mnist "FCN, MNIST digits, 5 agents: train accuracy" \
  train_accuracy docs/figures/paper_fcn_mnist_train.png
plot_fcn fashion "FCN (20x50 ReLU), Fashion-MNIST 60k/10k, 5 agents: test accuracy" \
  test_accuracy docs/figures/paper_fcn_fashion_test.png
plot_fcn fashion "FCN, Fashion-MNIST, 5 agents: train accuracy" \
  train_accuracy docs/figures/paper_fcn_fashion_train.png
if [[ $fcn_only == 0 ]]; then
  "$cdsim" plot runs/paper_cnn_reduced_sgd runs/paper_cnn_reduced_cdsgd runs/paper_cnn_reduced_cdmsgd \
    --x epoch --metric test_accuracy --yscale linear --dpi 80 \
    --title "REDUCED: Keras CNN, 2,560 MNIST digits, 15 epochs, complete graph" \
    --out docs/figures/paper_cnn_reduced_test.png --labels SGD CDSGD CDMSGD
fi
ls -l docs/figures/paper_*.png
