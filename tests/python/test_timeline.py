"""`cdsim trace --chrome/--links` and `cdsim plot --timeline` against the trace they read,
on both network models (dedicated links, and every agent behind one shared switch)."""

import json

import pytest

import cdsim
from conftest import SOURCE_DIR, small_quickstart, write_json


def union_intervals(intervals):
    """Maximal busy intervals of a link from its transmissions' [start, end) intervals."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def peak_concurrency(intervals):
    points = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda p: (p[0], p[1]))
    active = peak = 0
    for _, delta in points:
        active += delta
        peak = max(peak, active)
    return peak


def transmissions_by_link(trace):
    """{link: [(start_ns, end_ns, bytes)]}: the i-th start on a link pairs with its i-th end
    in time order, which holds for FIFO links; for shared links only the multiset matters."""
    result = {}
    for link, group in trace[trace.link.notna()].groupby("link"):
        starts = group[group.kind == "transmission_start"].sort_values("time_ns", kind="stable")
        ends = group[group.kind == "transmission_end"].sort_values("time_ns", kind="stable")
        assert len(starts) == len(ends)
        result[int(link)] = list(zip(starts.time_ns, ends.time_ns, starts.bytes))
    return result


@pytest.fixture(scope="module", params=["point_to_point", "switch"])
def traced(request, tmp_path_factory):
    scenario = small_quickstart(trace=True, epochs=1)
    scenario["network"]["model"] = request.param
    root = tmp_path_factory.mktemp(request.param)
    return request.param, cdsim.run(write_json(root / "scenario.json", scenario), out=root / "run")


def test_chrome_timeline_is_trace_event_json_whose_intervals_are_the_traces(traced, cli, tmp_path):
    _, run = traced
    out = tmp_path / "timeline.json"
    outcome = cli("trace", run.directory, "--chrome", out)
    assert outcome.returncode == 0, outcome.stderr
    document = json.loads(out.read_text())
    events = document["traceEvents"]
    for event in events:
        assert event["ph"] in ("M", "X", "i") and isinstance(event["pid"], int) and "name" in event
        if event["ph"] in ("X", "i"):
            assert isinstance(event["ts"], (int, float)) and isinstance(event["tid"], int)
        if event["ph"] == "X":
            assert event["dur"] >= 0
    trace = run.trace
    for kind in ("compute", "wait"):
        expected = sorted(
            (int(r.agent), r.time_ns / 1000, r.duration_ns / 1000) for r in trace[trace.kind == kind].itertuples())
        drawn = sorted((e["tid"], e["ts"], e["dur"]) for e in events if e["ph"] == "X" and e["name"] == kind)
        assert drawn == expected
        assert len(drawn) > 0
    sends = sorted((int(r.agent), r.time_ns / 1000) for r in trace[trace.kind == "send"].itertuples())
    assert sorted((e["tid"], e["ts"]) for e in events if e["name"] == "send") == sends
    for link, transmissions in transmissions_by_link(trace).items():
        # Microseconds as the exporter computes them, ns / 1000, exact through JSON.
        expected = [(s / 1000, (e - s) / 1000) for s, e in union_intervals([(s, e) for s, e, _ in transmissions])]
        drawn = sorted((e["ts"], e["dur"]) for e in events if e["pid"] == 2 and e["ph"] == "X" and e["tid"] == link)
        assert drawn == expected
    names = {e["args"]["name"] for e in events if e["ph"] == "M"}
    assert {"agents", "links", "agent 0"} <= names


def test_waits_run_from_the_end_of_a_compute_to_the_steps_completion(traced):
    _, run = traced
    trace = run.trace
    ends = {(int(r.agent), r.round): r.time_ns + r.duration_ns for r in trace[trace.kind == "compute"].itertuples()}
    waits = trace[trace.kind == "wait"]
    assert len(waits) > 0
    for r in waits.itertuples():
        assert ends[(int(r.agent), r.round)] == r.time_ns and r.duration_ns > 0
    # One evaluation per metrics.csv row (step 0 included), at the time that row gives.
    evaluations = trace[trace.kind == "evaluation"]
    assert evaluations["round"].tolist() == run.metrics["step"].tolist()
    assert evaluations.time.to_numpy() == pytest.approx(run.metrics["sim_time_s"].to_numpy(), rel=1e-8, abs=1e-12)


def test_links_table_and_summary_agree_with_the_traces_transmissions(traced, cli):
    model, run = traced
    trace = run.trace
    horizon = max((trace.time_ns + trace.duration_ns).max(), 0)
    expected = {}
    for link, transmissions in transmissions_by_link(trace).items():
        intervals = [(s, e) for s, e, _ in transmissions]
        busy = sum(e - s for s, e in union_intervals(intervals))
        expected[link] = (len(transmissions), sum(b for _, _, b in transmissions), busy / horizon,
                          peak_concurrency(intervals))
    outcome = cli("trace", run.directory, "--links")
    assert outcome.returncode == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert lines[0].split() == ["link", "from", "to", "messages", "bytes", "busy", "peak"]
    links = run.links
    assert list(links.columns) == ["link", "from", "to", "latency_ns", "bandwidth_bps"]
    assert len(lines) - 1 == len(links)
    for line in lines[1:]:
        link, source, target, messages, size, busy, peak = line.split()
        link = int(link)
        assert (int(source), int(target)) == tuple(links.loc[links.link == link, ["from", "to"]].iloc[0])
        count, total, fraction, concurrent = expected.get(link, (0, 0, 0.0, 0))
        assert (int(messages), int(size), int(peak)) == (count, total, concurrent)
        assert float(busy.rstrip("%")) == pytest.approx(100 * fraction, abs=0.051)
    if model == "switch":
        # Each agent's two messages a step share its uplink to the switch.
        assert max(v[3] for v in expected.values()) >= 2
    busiest = run.summary["busiest_links"]
    ranked = sorted(expected, key=lambda link: (-expected[link][2], -expected[link][1], link))[:5]
    assert [entry["link"] for entry in busiest] == ranked
    for entry in busiest:
        assert entry["busy_fraction"] == pytest.approx(expected[entry["link"]][2], rel=1e-12)
        assert entry["peak_concurrent"] == expected[entry["link"]][3]


def test_plot_timeline_draws_a_png_of_the_run(traced, cli, tmp_path):
    _, run = traced
    out = tmp_path / "timeline.png"
    outcome = cli("plot", "--timeline", run.directory, "--out", out)
    assert outcome.returncode == 0, outcome.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_faulted_runs_timeline_has_its_losses_and_link_changes_and_draws(cli, tmp_path):
    scenario = json.loads((SOURCE_DIR / "scenarios" / "examples" / "faults_link_down.json").read_text())
    scenario["run"] = {"epochs": 2, "trace": True}
    run = cdsim.run(scenario, out=tmp_path / "run")
    chrome = tmp_path / "timeline.json"
    assert cli("trace", run.directory, "--chrome", chrome).returncode == 0
    events = json.loads(chrome.read_text())["traceEvents"]
    lost = [e for e in events if e["name"] == "lost"]
    trace = run.trace
    expected = trace[trace.kind == "message_lost"]
    assert len(lost) == len(expected) == sum(v for k, v in run.summary["faults"].items() if k.startswith("messages_lost"))
    assert sorted((e["tid"], e["ts"], e["args"]["cause"]) for e in lost) == sorted(
        (int(r.agent), r.time_ns / 1e3, r.cause) for r in expected.itertuples())
    changes = sorted(e["name"] for e in events if e.get("cat") == "fault" and e["name"].startswith("link "))
    assert changes == sorted(["link 0-1 down", "link 0-1 up"] + [f"link {p} {s}" for p in ("0-7", "3-4")
                                                                 for s in ("down", "up")])
    png = tmp_path / "timeline.png"
    outcome = cli("plot", "--timeline", run.directory, "--out", png)
    assert outcome.returncode == 0, outcome.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_trace_of_an_untraced_run_is_refused(tmp_path, cli, scenario):
    run = cdsim.run(scenario, out=tmp_path / "run")
    outcome = cli("trace", run.directory, "--links")
    assert outcome.returncode == 2 and "no events trace" in outcome.stderr
