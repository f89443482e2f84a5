"""The events trace of a run (events.pb) as a pandas DataFrame."""

from pathlib import Path

from . import _cdsim

# Columns, in order. Message events (send, transmission_start, transmission_end, arrival):
# `agent` is the sender, `peer` the receiver, `link` the link's index (links.csv) for
# transmission_start/_end. Agent events (compute, wait): `agent` is the agent, `round` its
# step, the interval runs from `time` for `duration`. evaluation: `round` is the step.
# Under faults, message_lost is a message event whose `cause` says why ("link_down": sent
# while its link was down, "in_flight": on its link when it went down, "random": drawn
# lost), and link_down / link_up name the link's two agents as `agent` and `peer` (for a
# platform's physical link, its two nodes as numbered in links.csv: hosts, then switches).
# Missing values are pandas.NA; `payload` is the protocol's message kind (sim/message.h).
COLUMNS = ["time", "time_ns", "kind", "agent", "peer", "link", "bytes", "round", "duration", "duration_ns", "payload",
           "cause"]
MESSAGE_KINDS = ("send", "transmission_start", "transmission_end", "arrival", "message_lost")
LINK_KINDS = ("transmission_start", "transmission_end")
LINK_STATE_KINDS = ("link_down", "link_up")
AGENT_KINDS = MESSAGE_KINDS + ("compute", "wait") + LINK_STATE_KINDS
LOSS_CAUSES = _cdsim.loss_cause_names()  # {value: name}, from sim/network.h


def read_trace(path):
    """Every record of an events trace, in file order (not sorted by time: a network may
    announce a transmission's end when it is sent), as a DataFrame with the columns of
    COLUMNS: time and duration in simulated seconds, time_ns and duration_ns exact, kind the
    event's name in proto/cdsim_wire.proto in lower case. `path` is events.pb or a run
    directory."""
    import pandas

    path = Path(path)
    if path.is_dir():
        path = path / "events.pb"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no events trace (set run.trace to true in the scenario)")
    columns = _cdsim.read_trace_columns(str(path))
    names = columns["type_names"]
    kind = pandas.Series(pandas.Categorical([names[t] for t in columns["type"].tolist()]))

    def where(column, kinds):
        values = pandas.Series(pandas.array(columns[column], dtype="Int64"))
        values[~kind.isin(kinds)] = pandas.NA
        return values

    return pandas.DataFrame(
        {
            "time": columns["time_ns"] / 1e9,
            "time_ns": columns["time_ns"],
            "kind": kind,
            "agent": where("sender", AGENT_KINDS),
            "peer": where("receiver", MESSAGE_KINDS + LINK_STATE_KINDS),
            "link": where("link", LINK_KINDS),
            "bytes": columns["size_bytes"],
            "round": columns["round"],
            "duration": columns["duration_ns"] / 1e9,
            "duration_ns": columns["duration_ns"],
            "payload": columns["kind"],
            "cause": pandas.Series(pandas.Categorical(
                [LOSS_CAUSES.get(c) if k == "message_lost" else None
                 for k, c in zip(kind.tolist(), columns["cause"].tolist())],
                categories=list(LOSS_CAUSES.values()))),
        },
        columns=COLUMNS,
    )


def read_links(path):
    """links.csv of a run directory (written with the trace) as a DataFrame: link, from, to,
    latency_ns, bandwidth_bps."""
    import pandas

    path = Path(path)
    if path.is_dir():
        path = path / "links.csv"
    return pandas.read_csv(path)
