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


def test_the_round_time_is_simulated_on_a_switch_and_a_formula_on_uniform_links():
    # A star of 5 behind one switch: the centre's host link carries its 4 messages each
    # way, 2 L + 4 S / B; on uniform point-to-point links one message: L + S / B.
    star = {"name": "star5", "agents": 5, "topology": {"kind": "star"},
            "network": {"model": "switch", "latency": "1ms", "bandwidth": "50Mbps"}}
    figures = cdsim.topology_report(star, parameters=1000)
    assert figures["round_time_method"] == "simulated"
    bits = figures["bytes_per_message"] * 8
    assert math.isclose(figures["round_time_s"], 0.002 + 4 * bits / 50e6, rel_tol=1e-9)
    uniform = cdsim.topology_report(ring(6), parameters=1000)
    assert uniform["round_time_method"] == "formula"
    assert math.isclose(uniform["round_time_s"], 0.001 + uniform["bytes_per_message"] * 8 / 100e6, rel_tol=1e-12)
