"""Run directories (written by `cdsim run` or cdsim.run) as Python values."""

import json
from functools import cached_property
from pathlib import Path


class Run:
    """One run directory: metrics.csv, agents.csv, summary.json, scenario.resolved.json,
    timing.json and, when the scenario asked for a trace, events.pb and links.csv. Files
    are read on first use."""

    def __init__(self, directory):
        self.directory = Path(directory)
        if not (self.directory / "summary.json").is_file():
            raise FileNotFoundError(f"{self.directory}: not a cdsim run directory (no summary.json)")

    def __repr__(self):
        return f"Run({str(self.directory)!r})"

    def _json(self, name):
        with open(self.directory / name, encoding="utf-8") as file:
            return json.load(file)

    @cached_property
    def metrics(self):
        """metrics.csv as a DataFrame: one row per evaluated step."""
        import pandas

        return pandas.read_csv(self.directory / "metrics.csv")

    @cached_property
    def agents(self):
        """agents.csv as a DataFrame: one row per agent and evaluated step."""
        import pandas

        return pandas.read_csv(self.directory / "agents.csv")

    @cached_property
    def summary(self):
        """summary.json as a dict."""
        return self._json("summary.json")

    @cached_property
    def scenario(self):
        """scenario.resolved.json as a dict: the scenario with every default written out."""
        return self._json("scenario.resolved.json")

    @cached_property
    def timing(self):
        """timing.json as a dict (wall-clock figures; the one file that differs between reruns)."""
        return self._json("timing.json")

    @property
    def trace_path(self):
        return self.directory / "events.pb"

    @cached_property
    def trace(self):
        """events.pb as a DataFrame (see cdsim.read_trace); FileNotFoundError when the run
        was not traced (run.trace false)."""
        from .traces import read_trace

        return read_trace(self.trace_path)

    @cached_property
    def links(self):
        """links.csv (written with the trace) as a DataFrame: link, from, to, latency_ns,
        bandwidth_bps; the trace's link column indexes it."""
        from .traces import read_links

        return read_links(self.directory)


def load_run(directory):
    """The Run of a directory written earlier."""
    return Run(directory)
