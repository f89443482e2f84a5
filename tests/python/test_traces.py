"""cdsim.read_trace against an independent decoding of the protobuf wire format."""

import json

import pandas
import pytest

import cdsim
from conftest import SOURCE_DIR, small_quickstart

# TraceEvent (proto/cdsim_wire.proto): field number -> column; all fields are varints.
FIELDS = {1: "type", 2: "time_ns", 3: "agent", 4: "peer", 5: "bytes", 6: "round", 7: "payload", 8: "link",
          9: "duration_ns", 10: "cause"}
TYPE_NAMES = {0: "send", 1: "transmission_start", 2: "arrival", 3: "transmission_end", 4: "compute", 5: "wait",
              6: "evaluation", 7: "message_lost", 8: "link_down", 9: "link_up"}
FAULT_TYPES = {7, 8, 9}
MESSAGE_TYPES = {0, 1, 2, 3, 7}
LINK_STATE_TYPES = {8, 9}
CAUSES = {1: "link_down", 2: "in_flight", 3: "random"}


def varint(data, position):
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def decode_delimited(data):
    """The records of a length-delimited TraceEvent file, decoded by hand."""
    records, position = [], 0
    while position < len(data):
        length, position = varint(data, position)
        end = position + length
        record = {name: 0 for name in FIELDS.values()}
        while position < end:
            key, position = varint(data, position)
            assert key & 7 == 0, "TraceEvent has only varint fields"
            value, position = varint(data, position)
            if value >= 1 << 63:  # int64 fields encode negative values as 64-bit two's complement
                value -= 1 << 64
            record[FIELDS[key >> 3]] = value
        records.append(record)
    return records


@pytest.fixture(scope="module")
def traced_run(tmp_path_factory):
    return cdsim.run(small_quickstart(trace=True), out=tmp_path_factory.mktemp("trace") / "run")


@pytest.fixture(scope="module")
def faulted_run(tmp_path_factory):
    """The shipped faults example (a link down 50-150 ms, a partition 200-300 ms, 1% loss), traced."""
    scenario = json.loads((SOURCE_DIR / "scenarios" / "examples" / "faults_link_down.json").read_text())
    scenario["run"] = {"epochs": 2, "trace": True}
    return cdsim.run(scenario, out=tmp_path_factory.mktemp("faults") / "run")


@pytest.mark.parametrize("which", ["traced_run", "faulted_run"])
def test_read_trace_matches_a_hand_decoding_of_events_pb(request, which):
    run = request.getfixturevalue(which)
    frame = cdsim.read_trace(run.directory)
    expected = decode_delimited(run.trace_path.read_bytes())
    assert len(frame) == len(expected) > 0
    assert list(frame.columns) == ["time", "time_ns", "kind", "agent", "peer", "link", "bytes", "round",
                                   "duration", "duration_ns", "payload", "cause"]
    faults = FAULT_TYPES if which == "faulted_run" else set()
    assert {r["type"] for r in expected} == set(TYPE_NAMES) - FAULT_TYPES | faults
    for row, record in zip(frame.itertuples(index=False), expected):
        assert row.kind == TYPE_NAMES[record["type"]]
        assert row.time_ns == record["time_ns"] and row.time == record["time_ns"] / 1e9
        assert row.duration_ns == record["duration_ns"] and row.duration == record["duration_ns"] / 1e9
        assert (row.bytes, row.round, row.payload) == (record["bytes"], record["round"], record["payload"])
        if record["type"] == 6:
            assert pandas.isna(row.agent)
        else:
            assert row.agent == record["agent"]
        if record["type"] in MESSAGE_TYPES | LINK_STATE_TYPES:
            assert row.peer == record["peer"]
        else:
            assert pandas.isna(row.peer)
        if record["type"] == 7:
            assert row.cause == CAUSES[record["cause"]]
        else:
            assert pandas.isna(row.cause) and record["cause"] == 0
        if row.kind in ("transmission_start", "transmission_end"):
            assert row.link == record["link"]
        else:
            assert pandas.isna(row.link)


def test_trace_sends_and_arrivals_add_up_to_the_summarys_traffic(traced_run):
    frame = traced_run.trace
    sends = frame[frame.kind == "send"]
    arrivals = frame[frame.kind == "arrival"]
    assert len(sends) == len(arrivals) == traced_run.summary["messages_total"]
    assert sends["bytes"].sum() == traced_run.summary["bytes_total"]
    # Sends and arrivals happen as they are written; every message arrives by the end.
    assert sends["time_ns"].is_monotonic_increasing and arrivals["time_ns"].is_monotonic_increasing
    assert frame["time"].max() <= traced_run.summary["sim_time_s"] * (1 + 1e-9)


def test_read_trace_reports_a_truncated_file(tmp_path, traced_run):
    data = traced_run.trace_path.read_bytes()
    cut = tmp_path / "events.pb"
    cut.write_bytes(data[: len(data) - 3])
    with pytest.raises(RuntimeError, match="truncated"):
        cdsim.read_trace(cut)
    with pytest.raises(FileNotFoundError):
        cdsim.read_trace(tmp_path / "nothing")


def test_a_faulted_trace_has_every_loss_by_cause_and_each_link_change_at_its_time(faulted_run):
    frame = faulted_run.trace
    faults = faulted_run.summary["faults"]
    lost = frame[frame.kind == "message_lost"]
    for cause in CAUSES.values():
        of_cause = lost[lost.cause == cause]
        assert len(of_cause) == faults[f"messages_lost_{cause}"] > 0
        assert of_cause["bytes"].sum() == faults[f"bytes_lost_{cause}"]
    # Every message sent either arrived or was lost, and the trace says which.
    assert len(frame[frame.kind == "send"]) == len(frame[frame.kind == "arrival"]) + len(lost)
    # The link 0-1 at 50 and 150 ms; the partition {0..3} | {4..7} cuts 3-4 and 7-0 (ring edges).
    changes = frame[frame.kind.isin(["link_down", "link_up"])]
    seen = sorted((int(r.time_ns), r.kind, tuple(sorted((int(r.agent), int(r.peer))))) for r in changes.itertuples())
    expected = sorted([(50_000_000, "link_down", (0, 1)), (150_000_000, "link_up", (0, 1))] +
                      [(t, k, e) for t, k in ((200_000_000, "link_down"), (300_000_000, "link_up"))
                       for e in ((3, 4), (0, 7))])
    assert seen == expected
    # A message lost to a down link was sent while its link was down.
    for row in lost[lost.cause == "link_down"].itertuples():
        pair = {int(row.agent), int(row.peer)}
        assert (pair == {0, 1} and 50e6 <= row.time_ns < 150e6) or \
               (pair in ({3, 4}, {7, 0}) and 200e6 <= row.time_ns < 300e6)
