"""cdsim.load_sweep on folders written by `cdsim sweep`, and on one laid out by hand with a
failed entry (a state a real sweep reaches only when a run crashes)."""

import csv
import json
import math

import pytest

import cdsim
from conftest import QUICKSTART, small_quickstart, write_json

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


@pytest.fixture(scope="module")
def real_sweep(tmp_path_factory):
    """`cdsim sweep` itself: two learning rates x two topologies (a zip with a null) x two seeds."""
    import os
    import subprocess

    root = tmp_path_factory.mktemp("real_sweep")
    base = small_quickstart()
    write_json(root / "base.json", base)
    write_json(root / "study.json", {
        "base": "base.json",
        "grid": {AXIS: [0.05, 0.02]},
        "zip": {"topology.kind": ["ring", "random_regular"], "topology.degree": [None, 4]},
        "seeds": 2,
    })
    outcome = subprocess.run([os.environ["CDSIM_BINARY"], "sweep", root / "study.json", "--out", root / "out",
                              "-j", "2", "--quiet"], capture_output=True, text=True)
    assert outcome.returncode == 0, outcome.stderr
    return root / "out"


def test_load_sweep_reads_what_cdsim_sweep_wrote(real_sweep):
    sweep = cdsim.load_sweep(real_sweep)
    assert sweep.axes == [AXIS, "topology.kind", "topology.degree"]
    assert len(sweep.runs) == 8 and (sweep.index.status == "complete").all()
    assert sweep.spec["seeds"] == [1, 2]
    for run_id, run in sweep.runs.items():
        row = sweep.index.set_index("id").loc[run_id]
        # The index's axis values are the ones the run's resolved scenario holds.
        assert run.scenario["algorithm"]["learning_rate"] == row[AXIS]
        assert run.scenario["topology"]["kind"] == row["topology.kind"]
        assert run.scenario["seed"] == row["seed"]
        if row["topology.kind"] == "random_regular":
            assert run.scenario["topology"]["degree"] == row["topology.degree"] == 4
        else:
            assert math.isnan(row["topology.degree"])
        # Each stacked slice is that run's metrics.csv, and the index's final figure its last row.
        with open(real_sweep / row["run_dir"] / "metrics.csv", newline="") as file:
            rows = list(csv.DictReader(file))
        part = sweep.metrics[sweep.metrics.id == run_id]
        assert len(part) == len(rows)
        assert [float(r["train_loss"]) for r in rows] == part["train_loss"].tolist()
        assert math.isclose(row["train_loss"], float(rows[-1]["train_loss"]), rel_tol=1e-12)
        summary = json.loads((real_sweep / row["run_dir"] / "summary.json").read_text())
        assert row["steps"] == summary["steps"]
    # The agents table stacks every run's agents.csv with the same keys.
    assert set(sweep.agents.id) == set(sweep.runs)


def test_a_sweep_run_from_python_writes_what_cdsim_sweep_writes_byte_for_byte(real_sweep):
    # The study real_sweep ran through the program, now in this process (threads differ too).
    study = real_sweep.parent / "study.json"
    in_process = cdsim.sweep(study, out=real_sweep.parent / "from_python", threads=1)
    assert isinstance(in_process, cdsim.Sweep)
    cli_files = sorted(p.relative_to(real_sweep) for p in real_sweep.rglob("*") if p.is_file())
    py_files = sorted(p.relative_to(in_process.directory) for p in in_process.directory.rglob("*") if p.is_file())
    assert cli_files == py_files
    compared = 0
    for name in cli_files:
        if name.name == "timing.json" or name.parts[0] == "logs":
            continue  # wall-clock figures; what each run printed
        assert (real_sweep / name).read_bytes() == (in_process.directory / name).read_bytes(), name
        compared += 1
    assert compared > 8 * 4
    # Called again, every run is complete: nothing reruns, and the index stays the same.
    index = (in_process.directory / "index.csv").read_bytes()
    before = {p: p.stat().st_mtime_ns for p in in_process.directory.glob("runs/*/metrics.csv")}
    again = cdsim.sweep(study, out=in_process.directory, threads=1)
    assert (again.directory / "index.csv").read_bytes() == index
    assert {p: p.stat().st_mtime_ns for p in again.directory.glob("runs/*/metrics.csv")} == before


def test_a_sweep_dict_runs_and_a_bad_one_raises_the_programs_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "base.json", small_quickstart())
    done = cdsim.sweep({"name": "seeds", "base": "base.json", "seeds": 2}, threads=1)
    assert done.directory == tmp_path / "runs" / "seeds"
    assert list(done.runs) == ["seed=1", "seed=2"]
    with pytest.raises(cdsim.ScenarioError, match=r"seeds\.json: /grid/algorithm\.learning_rat/0: .*unknown key"):
        cdsim.sweep({"name": "seeds", "base": "base.json", "grid": {"algorithm.learning_rat": [0.1]}})
    with pytest.raises(TypeError):
        cdsim.sweep(3)
