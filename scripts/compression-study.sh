#!/usr/bin/env bash
# The measurements of docs/compression.md: CDSGD, CHOCO-SGD with top-1% and 4-bit QSGD,
# and scaled sign with error feedback through a parameter server, on Fashion-MNIST
# (softmax regression and an MLP), 16 agents on a ring, links of 1 Gbit/s and 10 Mbit/s.
# Capped for a small shared machine: 8000 training and 2000 test images, 4 epochs, the
# test set evaluated every 8 steps (run.evaluation mode "test").
# Writes scenarios and runs under runs/compression/, figures and runs/compression/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CDSIM=${CDSIM:-build/release/apps/cdsim}
OUT=runs/compression
mkdir -p "$OUT/scenarios"

python3 - "$OUT/scenarios" <<'PY'
import json, sys, os
out = sys.argv[1]
models = {"softmax": {"kind": "softmax_regression"}, "mlp": {"kind": "mlp", "hidden": [64]}}
algorithms = {
    "cdsgd": {"kind": "cdsgd"},
    "choco_top1": {"kind": "choco_sgd", "consensus_step_size": 0.2,
                   "compression": {"kind": "top_k", "fraction": 0.01}},
    "choco_qsgd4": {"kind": "choco_sgd", "consensus_step_size": 0.1,
                    "compression": {"kind": "qsgd", "levels": 7, "unbiased": False}},
    "sign_ef": {"kind": "sgd", "communication": "parameter_server",
                "compression": {"kind": "scaled_sign"}, "error_feedback": True},
}
for model_name, model in models.items():
    for bandwidth in ["1Gbps", "10Mbps"]:
        for algorithm_name, algorithm in algorithms.items():
            name = f"{model_name}_{bandwidth}_{algorithm_name}"
            scenario = {
                "name": name, "seed": 1, "agents": 16,
                "topology": {"kind": "ring"},
                "network": {"latency": "1ms", "bandwidth": bandwidth},
                "compute": {"step_time": "5ms"},
                "data": {"source": "fashion_mnist", "max_train_samples": 8000, "max_test_samples": 2000},
                "model": model,
                "algorithm": dict(algorithm, learning_rate=0.1, batch_size=16),
                "run": {"epochs": 4, "eval_every_steps": 8, "evaluation": {"mode": "test"}},
            }
            with open(os.path.join(out, name + ".json"), "w") as f:
                json.dump(scenario, f, indent=2)
PY

for scenario in "$OUT"/scenarios/*.json; do
  name=$(basename "$scenario" .json)
  nice "$CDSIM" run "$scenario" --out "$OUT/$name" --quiet --threads 1 >/dev/null
done

for model in softmax mlp; do
  for bandwidth in 1Gbps 10Mbps; do
    runs=()
    for a in cdsgd choco_top1 choco_qsgd4 sign_ef; do runs+=("$OUT/${model}_${bandwidth}_$a"); done
    labels=(CDSGD "CHOCO top-1%" "CHOCO QSGD 4-bit" "sign + EF (server)")
    "$CDSIM" plot "${runs[@]}" --x bytes --labels "${labels[@]}" --out "$OUT/${model}_${bandwidth}_bytes.png" \
      --title "$model, 16-agent ring, $bandwidth: test accuracy vs bytes" >/dev/null
    "$CDSIM" plot "${runs[@]}" --x sim_time --labels "${labels[@]}" --out "$OUT/${model}_${bandwidth}_time.png" \
      --title "$model, 16-agent ring, $bandwidth: test accuracy vs simulated time" >/dev/null
  done
done

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = ["| model | links | algorithm | test accuracy | bytes | simulated s | bytes/step |", "| --- | --- | --- | --- | --- | --- | --- |"]
for model in ["softmax", "mlp"]:
    for bandwidth in ["1Gbps", "10Mbps"]:
        for a in ["cdsgd", "choco_top1", "choco_qsgd4", "sign_ef"]:
            s = json.load(open(os.path.join(out, f"{model}_{bandwidth}_{a}", "summary.json")))
            acc = s["final"]["test_accuracy"]
            rows.append(f"| {model} | {bandwidth} | {a} | {acc:.4f} | {s['bytes_total']:,} | {s['sim_time_s']:.3f} | {s['bytes_total'] // s['steps']:,} |")
open(os.path.join(out, "table.md"), "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
