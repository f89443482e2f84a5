"""cdsim.run, cdsim.validate and Run: in-process runs equal the program's, errors read as its."""

import csv
import json
import math
import threading
import time

import pytest

import cdsim
from conftest import small_quickstart, write_json


def read_csv_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def same_number(text, value):
    if text in ("", "nan"):
        return math.isnan(value)
    return float(text) == value


def test_run_metrics_and_agents_equal_the_csv_files_cell_by_cell(tmp_path, scenario):
    run = cdsim.run(scenario, out=tmp_path / "run")
    for frame, name in ((run.metrics, "metrics.csv"), (run.agents, "agents.csv")):
        rows = read_csv_rows(tmp_path / "run" / name)
        assert list(frame.columns) == list(rows[0].keys())
        assert len(frame) == len(rows) > 2
        for i, row in enumerate(rows):
            for column, text in row.items():
                assert same_number(text, float(frame[column].iloc[i])), (name, i, column)
    with open(tmp_path / "run" / "summary.json") as file:
        assert run.summary == json.load(file)
    assert run.summary["steps"] == run.metrics["step"].iloc[-1]


def test_a_run_from_python_is_byte_identical_to_the_programs_except_timing(tmp_path, cli):
    scenario_file = write_json(tmp_path / "scenario.json", small_quickstart(trace=True))
    from_cli = tmp_path / "cli"
    outcome = cli("run", scenario_file, "--quiet", "--out", from_cli)
    assert outcome.returncode == 0, outcome.stderr
    from_file = cdsim.run(scenario_file, out=tmp_path / "py_file").directory
    from_dict = cdsim.run(json.loads(scenario_file.read_text()), out=tmp_path / "py_dict", threads=1).directory
    names = sorted(p.name for p in from_cli.iterdir())
    assert "events.pb" in names and "metrics.csv" in names
    for directory in (from_file, from_dict):
        assert sorted(p.name for p in directory.iterdir()) == names
        for name in names:
            if name != "timing.json":
                assert (directory / name).read_bytes() == (from_cli / name).read_bytes(), name


def test_load_run_reads_what_an_earlier_run_wrote(tmp_path, scenario):
    written = cdsim.run(scenario, out=tmp_path / "run")
    loaded = cdsim.load_run(tmp_path / "run")
    assert loaded.summary == written.summary
    assert loaded.metrics.equals(written.metrics)
    assert loaded.scenario == cdsim.resolve(scenario)
    assert loaded.timing["wall_seconds"] > 0
    with pytest.raises(FileNotFoundError):
        cdsim.load_run(tmp_path)


def test_validate_describes_the_scenario(scenario):
    info = cdsim.validate(scenario)
    assert info == {"name": "quickstart", "agents": 8, "topology": "ring", "edges": 8, "algorithm": "cdsgd"}


def error_line(outcome):
    """The program's error message: its stderr line without the "error: " prefix."""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    return lines[0][len("error: ") :]


@pytest.mark.parametrize(
    "change",
    [
        {"agents": "eight"},  # a type error found by the loader
        {"topology": {"kind": "ring", "radius": 3}},  # an unknown key
        {"topology": {"kind": "random_regular", "degree": 9}},  # found while building the graph
        {"model": {"kind": "mlp", "hidden": [0]}},  # found by the model spec check
    ],
)
def test_a_bad_scenario_raises_scenario_error_with_the_programs_message(tmp_path, cli, scenario, change):
    scenario.update(change)
    path = write_json(tmp_path / "bad.json", scenario)
    expected = error_line(cli("validate", path))
    assert expected.startswith(f"{path}: /")
    with pytest.raises(cdsim.ScenarioError) as raised:
        cdsim.validate(path)
    assert str(raised.value) == expected
    assert isinstance(raised.value, ValueError)
    with pytest.raises(cdsim.ScenarioError) as raised:
        cdsim.run(path, out=tmp_path / "run")
    assert str(raised.value) == expected
    assert not (tmp_path / "run").exists()


def test_a_dict_scenario_names_itself_in_errors(scenario):
    scenario["agents"] = 0
    with pytest.raises(cdsim.ScenarioError, match=r"^<dict>: /agents: "):
        cdsim.validate(scenario)


def test_an_output_folder_that_is_not_a_run_directory_raises_scenario_error_with_the_programs_message(tmp_path, cli, scenario):
    # An unusable --out is bad input, found before anything runs (exit 2 in the program).
    path = write_json(tmp_path / "scenario.json", scenario)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("a user's file")
    completed = cli("run", path, "--quiet", "--out", occupied)
    assert completed.returncode == 2
    expected = error_line(completed)
    with pytest.raises(cdsim.ScenarioError) as raised:
        cdsim.run(path, out=occupied)
    assert str(raised.value) == expected
    assert sorted(p.name for p in occupied.iterdir()) == ["notes.txt"]


def test_run_releases_the_gil_while_it_simulates(tmp_path):
    # The run's hidden staging folder exists only while the C++ run is under way (it is
    # created before the data is read and renamed into place at the end). Python code in
    # this thread that sees it ran while the run was inside C++, which it can only do if
    # the run released the GIL; holding it, the run would return before this thread ran
    # again, and the folder would never be seen. No timing is involved.
    scenario = small_quickstart(epochs=20, eval_every_steps=1000)
    outcome = {}

    def run():
        outcome["run"] = cdsim.run(scenario, out=tmp_path / "run", threads=1)

    thread = threading.Thread(target=run)
    thread.start()
    seen_staging = False
    while thread.is_alive():
        seen_staging = seen_staging or any(p.name.startswith(".run.staging-") for p in tmp_path.iterdir())
        time.sleep(0.0005)
    thread.join()
    assert outcome["run"].summary["scenario"] == "quickstart"
    assert seen_staging


def test_run_rejects_options_the_program_does_not_have(tmp_path, scenario):
    with pytest.raises(TypeError):
        cdsim.run(scenario, out=tmp_path / "run", speed="fast")
    with pytest.raises(TypeError):
        cdsim.run(42)
