"""Fixtures of the Python module's tests. CTest runs each file with PYTHONPATH set to the
build tree's python/ folder and CDSIM_BINARY naming the program, from the source tree."""

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(__file__).resolve().parents[2]
QUICKSTART = SOURCE_DIR / "scenarios" / "quickstart.json"


def small_quickstart(**run):
    """The quickstart scenario cut to a couple of epochs (a fraction of a second)."""
    scenario = json.loads(QUICKSTART.read_text())
    scenario["run"] = {"epochs": 2, "eval_every_steps": 8, **run}
    return scenario


@pytest.fixture
def scenario():
    return copy.deepcopy(small_quickstart())


@pytest.fixture
def cli():
    """Runs the cdsim program; returns the CompletedProcess (text, both streams kept)."""
    binary = os.environ.get("CDSIM_BINARY")
    if not binary:
        pytest.fail("CDSIM_BINARY is not set; run these tests through ctest")

    def run(*arguments, cwd=None):
        return subprocess.run([binary, *map(str, arguments)], capture_output=True, text=True, cwd=cwd)

    return run


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2) + "\n")
    return path
