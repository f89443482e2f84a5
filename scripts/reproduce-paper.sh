#!/usr/bin/env bash
# Reproduces the experiments of Jiang et al., "Collaborative Deep Learning in Fixed
# Topology Networks" (NIPS 2017) with cdsim: runs every scenario in scenarios/paper/ into
# runs/<name>/, draws the figures docs/figures/paper_*.png and writes the tables of
# docs/reproduction.md to runs/paper_tables.md. See docs/reproduction.md.
#
# Idempotent: a run whose runs/<name>/summary.json is newer than its scenario file is not
# run again (after changing cdsim's code, pass --force to rerun everything). Figures and
# tables are always redrawn (seconds). Wall time from scratch: ~45 min on 2 shared cores, plus 1 to 11 min for each one-model SGD run.
# Usage: scripts/reproduce-paper.sh [--force] [--fcn-only]
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
  if [[ $force == 0 && -f $out/summary.json && $out/summary.json -nt $scenario ]]; then
    echo "up to date: $out"
    return
  fi
  local start=$SECONDS
  "$cdsim" run "$scenario" --quiet --threads "$threads" --out "$out" >/dev/null
  echo "ran $name in $((SECONDS - start)) s"
}

fcn_methods=(sgd msgd fedavg cdsgd_complete cdmsgd_complete cdsgd_ring cdmsgd_ring)
seed_methods=(sgd cdsgd_complete cdsgd_ring cdmsgd_complete cdmsgd_ring)
mkdir -p runs docs/figures
for data in mnist fashion; do
  for method in "${fcn_methods[@]}"; do run "paper_fcn_${data}_${method}"; done
done
for data in mnist fashion; do
  for seed in 2 3; do
    for method in "${seed_methods[@]}"; do run "paper_fcn_${data}_${method}_seed${seed}"; done
  done
done
# Centralized SGD as the paper means it: ONE model on the whole training set (communication
# "none"), three seeds, Fashion-MNIST (claim (1) in docs/reproduction.md).
for seed in "" _seed2 _seed3; do run "paper_fcn_fashion_sgd_one_model${seed}"; done
if [[ $fcn_only == 0 ]]; then
  for method in sgd cdsgd cdmsgd; do run "paper_cnn_reduced_${method}"; done
fi

# Figures: cdsim plot, then (when Debian's PIL is there) a 64-colour palette to keep each
# PNG well under 150 KB.
shrink() {
  /usr/bin/python3 - "$1" <<'PY' 2>/dev/null || true
import sys
from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(colors=64).save(sys.argv[1], optimize=True)
PY
}
labels=(SGD MSGD FedAvg "CDSGD complete" "CDMSGD complete" "CDSGD ring" "CDMSGD ring")
plot_fcn() {  # plot_fcn DATA OUT TITLE [cdsim plot options...]
  local data=$1 out=$2 title=$3 dirs=()
  shift 3
  for method in "${fcn_methods[@]}"; do dirs+=("runs/paper_fcn_${data}_${method}"); done
  "$cdsim" plot "${dirs[@]}" "$@" --title "$title" --out "$out" --labels "${labels[@]}"
  shrink "$out"
}
plot_fcn mnist docs/figures/paper_fcn_mnist.png \
  "FCN 20x50, MNIST digits (7,996/2,004), 5 agents: test accuracy, mean over agents" --dpi 90
plot_fcn fashion docs/figures/paper_fcn_fashion.png \
  "FCN 20x50, Fashion-MNIST (60k/10k), 5 agents: test accuracy, mean over agents" --dpi 90
plot_fcn mnist docs/figures/paper_fcn_mnist_train.png \
  "FCN, MNIST digits: train accuracy" --x epoch --metric train_accuracy --dpi 80
plot_fcn fashion docs/figures/paper_fcn_fashion_train.png \
  "FCN, Fashion-MNIST: train accuracy" --x epoch --metric train_accuracy --dpi 80
if [[ $fcn_only == 0 ]]; then
  "$cdsim" plot runs/paper_cnn_reduced_sgd runs/paper_cnn_reduced_cdsgd \
    runs/paper_cnn_reduced_cdmsgd --dpi 80 --out docs/figures/paper_cnn_reduced.png \
    --title "REDUCED: Keras CNN, 2,560/500 MNIST digits, 15 epochs, complete graph" \
    --labels SGD CDSGD CDMSGD
  shrink docs/figures/paper_cnn_reduced.png
fi
ls -l docs/figures/paper_*.png

# The tables of docs/reproduction.md, read from the runs' summary.json and metrics.csv.
/usr/bin/python3 - > runs/paper_tables.md <<'PY'
import csv, json, os
def load(name):
    d = f"runs/{name}"
    if not os.path.exists(f"{d}/summary.json"):
        return None, None
    return list(csv.DictReader(open(f"{d}/metrics.csv"))), json.load(open(f"{d}/summary.json"))
def first_epoch(rows, threshold):
    return next((r["epoch"] for r in rows if float(r["test_accuracy"]) >= threshold), "never")
def band_gap(rows, low=0.80, high=0.90):
    # Generalization gap compared at equal fit: mean train - test over the evaluations
    # whose train accuracy lies in [low, high].
    gaps = [float(r["train_accuracy"]) - float(r["test_accuracy"]) for r in rows
            if low <= float(r["train_accuracy"]) <= high]
    return f"{sum(gaps) / len(gaps):+.4f} ({len(gaps)})" if gaps else "—"
def table(prefix, methods, thresholds):
    print("| run | final train acc | final test acc | gap | test acc, mean of last 10 evals | gap, mean of last 10 | "
          "best test acc (epoch) | " + " | ".join(f"first epoch test ≥ {t}" for t in thresholds) +
          " | gap at train acc 0.80–0.90 (evals) | sim time (s) | bytes on the wire |")
    print("|" + "---|" * (10 + len(thresholds)))
    for m in methods:
        rows, s = load(f"{prefix}_{m}")
        if rows is None:
            print(f"| {m} | (not run) |")
            continue
        tr, te = s["final"]["train_accuracy"], s["final"]["test_accuracy"]
        last = rows[-10:]
        mte = sum(float(r["test_accuracy"]) for r in last) / len(last)
        mgap = sum(float(r["train_accuracy"]) - float(r["test_accuracy"]) for r in last) / len(last)
        best = max(rows, key=lambda r: float(r["test_accuracy"]))
        print(f"| {m} | {tr:.4f} | {te:.4f} | {tr - te:+.4f} | {mte:.4f} | {mgap:+.4f} | "
              f"{float(best['test_accuracy']):.4f} ({best['epoch']}) | " +
              " | ".join(first_epoch(rows, t) for t in thresholds) +
              f" | {band_gap(rows)} | {s['sim_time_s']:.2f} | {s['bytes_total']:.3g} |")
fcn = ["sgd", "msgd", "fedavg", "cdsgd_complete", "cdmsgd_complete", "cdsgd_ring", "cdmsgd_ring"]
for data in ("mnist", "fashion"):
    print(f"\n### paper_fcn_{data}_*\n")
    table(f"paper_fcn_{data}", fcn, (0.5, 0.7, 0.85))
for data in ("mnist", "fashion"):
  print(f"\n### paper_fcn_{data}_*, three seeds\n")
  print("| method | seed | final test acc | test acc, mean of last 10 | gap, mean of last 10 | first epoch test ≥ 0.5 | first epoch test ≥ 0.7 |")
  print("|---|---|---|---|---|---|---|")
  for m in ["sgd", "cdsgd_complete", "cdsgd_ring", "cdmsgd_complete", "cdmsgd_ring"]:
    for seed, suffix in ((1, ""), (2, "_seed2"), (3, "_seed3")):
        rows, s = load(f"paper_fcn_{data}_{m}{suffix}")
        if rows is None:
            print(f"| {m} | {seed} | (not run) |")
            continue
        last = rows[-10:]
        mte = sum(float(r["test_accuracy"]) for r in last) / len(last)
        mgap = sum(float(r["train_accuracy"]) - float(r["test_accuracy"]) for r in last) / len(last)
        print(f"| {m} | {seed} | {s['final']['test_accuracy']:.4f} | {mte:.4f} | {mgap:+.4f} | "
              f"{first_epoch(rows, 0.5)} | {first_epoch(rows, 0.7)} |")
print("\n### paper_cnn_reduced_* (REDUCED)\n")
table("paper_cnn_reduced", ["sgd", "cdsgd", "cdmsgd"], (0.2, 0.5))
PY
echo "tables: runs/paper_tables.md"
