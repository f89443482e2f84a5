"""cdsim.load_sweep on a folder laid out as `cdsim sweep` writes it (team contract)."""

import csv
import math

import pytest

import cdsim
from conftest import small_quickstart, write_json

AXIS = "algorithm.learning_rate"


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """Four runs (two learning rates x two seeds) and one failed entry, with an index."""
    root = tmp_path_factory.mktemp("sweep")
    rows = []
    for rate in (0.05, 0.02):
        for seed in (1, 2):
            run_id = f"lr{rate}-s{seed}"
            scenario = small_quickstart()
            scenario["seed"] = seed
            scenario["algorithm"]["learning_rate"] = rate
            run = cdsim.run(scenario, out=root / "runs" / run_id)
            final = run.summary["final"]
            rows.append({"id": run_id, AXIS: rate, "seed": seed, "status": "complete",
                         "train_loss": final["train_loss"], "run_dir": f"runs/{run_id}"})
    rows.append({"id": "lr0.1-s1", AXIS: 0.1, "seed": 1, "status": "failed", "train_loss": "",
                 "run_dir": "runs/lr0.1-s1"})
    with open(root / "index.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    write_json(root / "sweep.json", {"base": "quickstart.json", "axes": {AXIS: [0.05, 0.02]}, "seeds": [1, 2]})
    return root


def test_load_sweep_finds_the_axes_and_the_complete_runs(sweep_dir):
    sweep = cdsim.load_sweep(sweep_dir)
    assert sweep.axes == [AXIS]
    assert list(sweep.runs) == ["lr0.05-s1", "lr0.05-s2", "lr0.02-s1", "lr0.02-s2"]
    assert sweep.spec["seeds"] == [1, 2]
    assert sweep.index.loc[sweep.index.status == "failed", "id"].tolist() == ["lr0.1-s1"]


def test_sweep_metrics_stack_each_runs_csv_with_its_axis_values(sweep_dir):
    sweep = cdsim.load_sweep(sweep_dir)
    stacked = sweep.metrics
    assert list(stacked.columns[:3]) == ["id", AXIS, "seed"]
    for run_id, run in sweep.runs.items():
        part = stacked[stacked.id == run_id]
        rate, seed = run.scenario["algorithm"]["learning_rate"], run.scenario["seed"]
        assert (part[AXIS] == rate).all() and (part["seed"] == seed).all()
        assert part.drop(columns=["id", AXIS, "seed"]).reset_index(drop=True).equals(run.metrics)
    # A seed band: per learning rate, the seeds' final losses bracket their mean.
    final = stacked.groupby("id").tail(1).groupby(AXIS)["train_loss"].agg(["min", "mean", "max"])
    assert len(final) == 2 and (final["min"] <= final["mean"]).all() and (final["mean"] <= final["max"]).all()
    assert math.isclose(
        sweep.index.set_index("id").at["lr0.02-s2", "train_loss"],
        sweep.runs["lr0.02-s2"].metrics["train_loss"].iloc[-1], rel_tol=1e-8)


def test_load_sweep_refuses_a_folder_without_an_index(tmp_path):
    with pytest.raises(FileNotFoundError, match="index.csv"):
        cdsim.load_sweep(tmp_path)
