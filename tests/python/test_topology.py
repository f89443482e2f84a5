"""cdsim.topology_report: the figures of `cdsim topology --json`, checked against theory."""

import json
import math

import cdsim
from conftest import write_json


def ring(agents):
    return {"name": f"ring{agents}", "agents": agents, "topology": {"kind": "ring"},
            "mixing": {"rule": "metropolis_hastings"}, "network": {"latency": "1ms", "bandwidth": "100Mbps"}}


def test_topology_report_equals_the_programs_json(tmp_path, cli, scenario):
    path = write_json(tmp_path / "scenario.json", scenario)
    outcome = cli("topology", path, "--json")
    assert outcome.returncode == 0, outcome.stderr
    assert cdsim.topology_report(path) == json.loads(outcome.stdout)[0]


def test_a_metropolis_ring_has_the_analytic_second_eigenvalue():
    # Metropolis weights on a ring are 1/3 each: eigenvalues 1/3 + 2/3 cos(2 pi k / n).
    figures = cdsim.topology_report(ring(12), parameters=1000)
    assert figures["edges"] == 12 and figures["diameter"] == 6
    assert math.isclose(figures["lambda2"], 1 / 3 + 2 / 3 * math.cos(2 * math.pi / 12), rel_tol=1e-9)
    assert figures["bytes_per_round"] == 24 * figures["bytes_per_message"]


def test_a_list_of_scenarios_gives_one_row_each():
    table = cdsim.topology_report([ring(6), ring(10)], parameters=10)
    assert table["name"].tolist() == ["ring6", "ring10"]
    assert table["edges"].tolist() == [6, 10]
